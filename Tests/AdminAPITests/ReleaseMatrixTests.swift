import DisasterRecovery
import Foundation
import Testing

/// Each release of the table, strict: what exists and how it looks follows the release's row.
@Suite struct ReleaseMatrixTests {
    @Test(arguments: Release.all.map(\.name))
    func strictReleaseFollowsItsRow(_ name: String) throws {
        let release = try Release.named(name)
        let h = try Harness(release: name, strict: true)
        let t = try h.token()
        let root = try h.getJSON("/arcgis/admin", t)
        #expect(root["fullVersion"] as? String == release.fullVersion)
        #expect(root["currentVersion"] as? Double == release.currentVersion)

        let settings = try h.getJSON("\(Harness.dr)/settings", t)
        #expect((settings["timeoutInSeconds"] != nil) == release.has(.asyncOperations))

        let legacy = try h.getJSON("\(Harness.legacy)/backups", t)
        #expect((legacy["backups"] != nil) == release.has(.legacyBackupRestore))
        let modern = try h.getJSON("\(Harness.dr)/stores/default/backups", t)
        #expect((modern["backups"] != nil) == release.has(.storeBackups))
        let tasks = try h.getJSON("/arcgis/admin/system/tasks", t)
        #expect((tasks["tasks"] != nil) == release.has(.storeBackups))

        let store = try #require((try h.getJSON("\(Harness.dr)/stores", t)["backupStores"] as? [[String: Any]])?.first)
        #expect((store["versionCreated"] != nil) == release.has(.cloudStores))
        #expect((store["supportBDSBackup"] != nil) == release.has(.spatiotemporalBackups))

        let registered = try h.postJSON("\(Harness.dr)/stores/register", t,
                                        [("storeName", "x"), ("settings", StoreTests.hosted), ("async", "false")])
        #expect((registered["name"] as? String == "x") == release.has(.asyncOperations))
        let unknown = h.error(try h.getJSON("\(Harness.dr)/stores?foo=1", t))
        #expect(unknown.message == "Unknown parameter 'foo'.")

        let status = try h.status(t)
        #expect(status["state"] as? String == "no_op")
        let createPath = release.has(.storeBackups) ? "\(Harness.dr)/stores/default/backups/create" : "\(Harness.legacy)/backup"
        _ = try h.postJSON(createPath, t, [("name", "m"), ("passcode", "secret123")])
        try h.advance(Harness.backupMs)
        let done = try h.status(t)
        #expect((done["messages"] != nil) == (release.statusFormat == .messages))
        #expect((done["stages"] != nil) == (release.statusFormat == .stages))
    }

    @Test func unknownReleasesAreRefusedWithTheList() throws {
        #expect(throws: FixtureError.self) { try Harness(release: "9.9") }
        do { _ = try Release.named("13.0") } catch { #expect("\(error)".contains("10.9, 10.9.1, 11.0, 11.1, 11.2, 11.3, 11.4, 11.5, 12.0")) }
        #expect(try Release.named("11.3.0").name == "11.3")
        #expect(Release.newest.name == "12.0")
    }
}
