import DisasterRecovery
import Foundation
import Testing

/// What a deployment holds besides its backups (settings, tasks, stores, jobs) survives a restart on the same catalog; a newer --release upgrades the catalog in place.
@Suite struct RestartTests {
    @Test func settingsTasksAndTheReleaseChoice() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(db) }
        var taskID = ""
        do {
            let h = try Harness(db: db) { f in f.release = "11.0"; f.clockStart = TaskTests.start }
            let t = try h.token()
            #expect(try h.getJSON("/arcgis/admin", t)["fullVersion"] as? String == "11.0.0")
            _ = try h.postJSON("\(Harness.dr)/settings/update", t, [("settings", #"{"timeoutInSeconds": 900}"#)])
            let r = try h.postJSON("/arcgis/admin/system/tasks/createTask", t, [
                ("type", "CreateBackup"), ("minute", "0"), ("hour", "23"), ("parameters", #"{"name": "n", "passcode": "nightly-pass"}"#)])
            taskID = try #require(r["id"] as? String)
        }
        // A newer --release than the catalog's upgrades it in place (UpgradeTests has the rest).
        let h = try Harness(db: db, release: "12.0") { f in f.release = "11.0"; f.clockStart = TaskTests.start }
        let t = try h.token()
        #expect(try h.getJSON("/arcgis/admin", t)["fullVersion"] as? String == "12.0.0")
        #expect(try h.getJSON("\(Harness.dr)/settings", t)["timeoutInSeconds"] as? Int == 900)
        #expect(try h.getJSON("/arcgis/admin/system/tasks/\(taskID)", t)["enabled"] as? Bool == true)
        try h.advance(2 * TaskTests.hour)
        #expect(try h.backupNames(try h.token()).contains("n-2023-11-14-23-00-00"))
    }
}
