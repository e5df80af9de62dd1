import Foundation
import Testing

/// The 10.9 `backuprestore` URLs, as the ArcGIS API for Python 2.4.x calls them.
@Suite struct LegacyBackupRestoreTests {
    @Test func listsEveryStoresBackupsAndFindsOneByName() throws {
        let h = try Harness()
        let t = try h.token()
        let list = try #require(try h.getJSON("\(Harness.legacy)/backups", t)["backups"] as? [[String: Any]])
        #expect(list.compactMap { $0["backupName"] as? String } == ["backup_first", "schedule1-2021-10-22-20-00-09"])
        #expect(list.allSatisfy { $0["backupStore"] as? String == "default" && $0["passcodeHash"] == nil })

        let one = try h.getJSON("\(Harness.legacy)/backups/backup_first", t)
        #expect(one["backupName"] as? String == "backup_first")
        #expect(one["completeTime"] as? Int == 1634736484933)

        let missing = h.error(try h.getJSON("\(Harness.legacy)/backups/nope", t))
        #expect(missing.code == 404)
        #expect(missing.message == "The backup 'nope' does not exist.")
        let wrongStore = h.error(try h.getJSON("\(Harness.legacy)/backups/backup_first?storeName=elsewhere", t))
        #expect(wrongStore.message == "The backup store 'elsewhere' does not exist.")
        let noToken = try h.json(h.get("\(Harness.legacy)/backups?f=json"))
        #expect(h.error(noToken).code == 499)
    }

    @Test func createsWithStoreNameInTheFormAndReportsStatus() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(try h.status(t, legacy: true)["state"] as? String == "no_op")
        // As the Python client sends it: token only in X-Esri-Authorization, description "" when None.
        let r = h.post("\(Harness.legacy)/backup",
                       [("f", "json"), ("name", "py-1"), ("storeName", "default"), ("passcode", "secret123"), ("description", "")],
                       headers: [("X-Esri-Authorization", "Bearer \(t)")])
        let created = try h.json(r)
        let jobID = try #require(created["jobid"] as? String)
        #expect(created["status"] as? String == "SUBMITTED")
        #expect(created["jobsUrl"] as? String == "http://127.0.0.1:\(h.port)/arcgis/admin/jobs/\(jobID)")
        #expect(try h.status(t, legacy: true)["state"] as? String == "in_progress")
        try h.advance(Harness.backupMs)
        let done = try h.status(t, legacy: true)
        #expect(done["state"] as? String == "success")
        #expect(done["backupName"] as? String == "py-1")
        let job = try h.getJSON("/arcgis/admin/jobs/\(jobID)", t)
        #expect(job["operationURI"] as? String == "/arcgis/admin/system/disasterrecovery/backuprestore/backup")
        let names = (try h.getJSON("\(Harness.legacy)/backups", t)["backups"] as? [[String: Any]] ?? []).compactMap { $0["backupName"] as? String }
        #expect(names.last == "py-1")

        // Without storeName the default store is used; the create checks still hold.
        let second = try h.postJSON("\(Harness.legacy)/backup", t, [("name", "py-2"), ("passcode", "secret123")])
        #expect(second["jobid"] is String)
        let busy = h.error(try h.postJSON("\(Harness.legacy)/backup", t, [("name", "py-3"), ("passcode", "secret123")]))
        #expect(busy.code == 409)
        let short = h.error(try h.postJSON("\(Harness.legacy)/backup", t, [("name", "py-4"), ("passcode", "short")]))
        #expect(short.message == "The passcode must be at least 8 characters in length.")
        let unknownStore = h.error(try h.postJSON("\(Harness.legacy)/backup", t, [("name", "py-5"), ("passcode", "secret123"), ("storeName", "nope")]))
        #expect(unknownStore.code == 404)
        let noName = h.error(try h.postJSON("\(Harness.legacy)/backup", t, [("passcode", "secret123")]))
        #expect(noName.message == "Missing required parameter 'name'.")
    }

    @Test func restoresDeletesAndValidatesByName() throws {
        let h = try Harness()
        let t = try h.token()
        let base = "\(Harness.legacy)/backups/backup_first"
        let wrong = h.error(try h.postJSON("\(base)/restore", t, [("storeName", "default"), ("passcode", "not-the-one")]))
        #expect(wrong.code == 400)
        #expect(wrong.message == "The passcode is incorrect.")
        #expect(try h.status(t)["state"] as? String == "no_op")

        #expect(try h.postJSON("\(base)/validate", t)["status"] as? String == "success")
        let restored = try h.postJSON("\(base)/restore", t, [("storeName", "default"), ("passcode", "backup-passcode")])
        #expect(restored["status"] as? String == "success")
        #expect(restored.count == 1)
        let running = try h.status(t, legacy: true)
        #expect(running["operation"] as? String == "Restore")
        #expect(running["state"] as? String == "in_progress")

        let deleting = h.error(try h.postJSON("\(base)/delete", t))
        #expect(deleting.code == 409)
        #expect(deleting.message == "The backup 'backup_first' is being restored and cannot be deleted.")
        let again = h.error(try h.postJSON("\(base)/restore", t, [("passcode", "backup-passcode")]))
        #expect(again.message == "Another disaster recovery job is already running.")

        try h.advance(Harness.restoreMs)
        #expect(try h.status(t)["state"] as? String == "success")
        #expect(try h.postJSON("\(base)/delete", t)["status"] as? String == "success")
        #expect(try h.backupNames(t) == ["schedule1-2021-10-22-20-00-09"])
        #expect(h.error(try h.postJSON("\(base)/delete", t)).code == 404)
        #expect(h.error(try h.postJSON("\(base)/validate", t)).code == 404)
    }

    @Test func strictReleasesDropOrKeepTheLegacyURLs() throws {
        let newer = try Harness(release: "11.3", strict: true)
        let t = try newer.token()
        let gone = newer.error(try newer.getJSON("\(Harness.legacy)/backups", t))
        #expect(gone.code == 404)
        #expect(gone.details == ["'/arcgis/admin/system/disasterrecovery/backuprestore/backups' does not exist at release 11.3."])
        let lenient = try Harness(release: "11.3")
        #expect(try lenient.getJSON("\(Harness.legacy)/backups", try lenient.token())["backups"] is [Any])

        let old = try Harness(release: "10.9", strict: true)
        let t9 = try old.token()
        #expect(try old.getJSON("\(Harness.legacy)/backups", t9)["backups"] is [Any])
        #expect(old.error(try old.getJSON("\(Harness.dr)/stores/default/backups", t9)).code == 404)
        let root = try old.getJSON(Harness.dr, t9)
        #expect(root["resources"] as? [String] == ["stores", "backuprestore", "settings"])
    }

    /// The delete-backup page documents `backuprestore/backups/<b>/delete` (with `async` from 11.0) on every
    /// release (https://developers.arcgis.com/rest/enterprise-administration/enterprise/delete-backup), and
    /// create-backup still lists `storeName` (legacy): neither is refused under --strict.
    @Test func strictKeepsWhatTheDocumentsStillList() throws {
        let h = try Harness(release: "12.0", strict: true)
        let t = try h.token()
        try h.makeBackup(t, name: "doomed")
        let deleted = try h.postJSON("\(Harness.legacy)/backups/doomed/delete", t, [("async", "true")])
        #expect(deleted["jobid"] is String)
        #expect(try !h.backupNames(t).contains("doomed"))
        let created = try h.postJSON("\(Harness.dr)/stores/default/backups/create", t,
                                     [("name", "with-store-name"), ("passcode", "secret123"), ("storeName", "default")])
        #expect(created["jobid"] is String)
    }
}
