import DisasterRecovery
import Foundation
import Testing

/// `stores/<s>/backups/<b>/{update,delete,restore}` (10.9.1 and later) and decision 6.
@Suite struct BackupOperationsTests {
    static let first = "\(Harness.dr)/stores/default/backups/backup_first"

    @Test func updateSetsTheRetentionDate() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(try h.postJSON("\(Self.first)/update", t, [("retentionDate", "1900000000000")])["status"] as? String == "success")
        #expect(try h.getJSON(Self.first, t)["retentionDate"] as? Int == 1_900_000_000_000)
        #expect(try h.postJSON("\(Self.first)/update", t, [("retentionDate", "-1")])["status"] as? String == "success")
        #expect(try h.getJSON(Self.first, t)["retentionDate"] as? Int == -1)
        #expect(h.error(try h.postJSON("\(Self.first)/update", t)).message == "Missing required parameter 'retentionDate'.")
        #expect(h.error(try h.postJSON("\(Self.first)/update", t, [("retentionDate", "soon")])).message == "Invalid value for parameter 'retentionDate'.")
        #expect(h.error(try h.postJSON("\(Self.first)/update", t, [("retentionDate", "-5")])).code == 400)
        #expect(h.error(try h.postJSON("\(Harness.dr)/stores/default/backups/nope/update", t, [("retentionDate", "-1")])).code == 404)
        #expect(h.error(try h.postJSON("\(Harness.dr)/stores/nope/backups/backup_first/update", t, [("retentionDate", "-1")])).message
                == "The backup store 'nope' does not exist.")
    }

    @Test func deleteIsSyncOrAJob() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(try h.postJSON("\(Self.first)/delete", t)["status"] as? String == "success")
        #expect(try h.backupNames(t) == ["schedule1-2021-10-22-20-00-09"])
        #expect(h.error(try h.postJSON("\(Self.first)/delete", t)).message == "The backup 'backup_first' does not exist in the backup store 'default'.")

        let job = try h.postJSON("\(Harness.dr)/stores/default/backups/schedule1-2021-10-22-20-00-09/delete", t, [("async", "True")])
        let id = try #require(job["jobid"] as? String)
        #expect(job["status"] as? String == "SUBMITTED")
        #expect(try h.backupNames(t).isEmpty)
        let record = try h.getJSON("/arcgis/admin/jobs/\(id)", t)
        #expect(record["status"] as? String == "COMPLETED")
        #expect((record["messages"] as? [String])?.first == "Submitted delete job for backup 'schedule1-2021-10-22-20-00-09' in backup store 'default'.")
        // An async delete is not a DR job: the status resource still has nothing to report.
        #expect(try h.status(t)["state"] as? String == "no_op")
        #expect(h.error(try h.postJSON("\(Self.first)/delete", t, [("async", "maybe")])).message == "Invalid value for parameter 'async'.")
    }

    @Test func restoreRunsAsADRJobAndBringsTheCapturedSettingsBack() throws {
        let h = try Harness()
        let t = try h.token()
        try h.makeBackup(t, name: "before")
        let update = try h.postJSON("\(Harness.dr)/settings/update", t, [("settings", #"{"timeoutInSeconds": 3600, "stagingVolumeConfig": {"size": "128Gi"}}"#)])
        #expect(update["status"] as? String == "success")
        let changed = try h.getJSON("\(Harness.dr)/settings", t)
        #expect(changed["timeoutInSeconds"] as? Int == 3600)

        let path = "\(Harness.dr)/stores/default/backups/before/restore"
        #expect(h.error(try h.postJSON(path, t)).message == "Missing required parameter 'passcode'.")
        #expect(h.error(try h.postJSON(path, t, [("passcode", "secret124")])).message == "The passcode is incorrect.")
        #expect(try h.postJSON(path, t, [("passcode", "secret123")]) .keys.sorted() == ["status"])
        let submitted = try h.status(t)
        #expect(submitted["operation"] as? String == "Restore")
        #expect(submitted["code"] as? Int == 2)
        #expect(h.error(try h.createBackup(t, name: "during")).code == 409)

        try h.advance(1000 + 2870 + 7311 + 1000)
        let mid = try h.status(t)
        let stages = try #require(mid["stages"] as? [[String: Any]])
        #expect(stages.map { $0["name"] as? String } == ["Validation", "Restore Relational store", "Restore Object store"])
        #expect(stages.last?["state"] as? String == "in_progress")

        try h.advance(Harness.restoreMs)
        let done = try h.status(t)
        #expect(done["state"] as? String == "success")
        #expect(done["backupName"] as? String == "before")
        #expect(done["overallDuration"] as? String == "00hr:01min:07sec:941millisec")
        let back = try h.getJSON("\(Harness.dr)/settings", t)
        #expect(back["timeoutInSeconds"] as? Int == 7200)
        #expect((back["stagingVolumeConfig"] as? [String: Any])?["size"] as? String == "64Gi")
        // The restore job is an ordinary job too.
        let jobs = try #require(try h.getJSON("/arcgis/admin/jobs", t)["jobs"] as? [String])
        let last = try h.getJSON("/arcgis/admin/jobs/\(jobs.last!)", t)
        #expect(last["status"] as? String == "COMPLETED")
        #expect(last["operationURI"] as? String == path)
    }

    @Test func aRestoreRunningPastTheTimeoutEndsTimedOut() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(try h.postJSON("\(Harness.dr)/settings/update", t, [("settings", #"{"timeoutInSeconds": 30}"#)])["status"] as? String == "success")
        #expect(try h.postJSON("\(Self.first)/restore", t, [("passcode", "backup-passcode")])["status"] as? String == "success")
        try h.advance(1000 + 30_000)
        let s = try h.status(t)
        #expect(s["state"] as? String == "failed")
        #expect(s["code"] as? Int == 4)
        #expect(s["message"] as? String == "The restore job did not finish within the timeout of 30 seconds.")
        let jobs = try #require(try h.getJSON("/arcgis/admin/jobs", t)["jobs"] as? [String])
        #expect(try h.getJSON("/arcgis/admin/jobs/\(jobs.last!)", t)["status"] as? String == "TIMED OUT")
        // The settings were not rolled back by a restore that did not finish.
        #expect(try h.getJSON("\(Harness.dr)/settings", t)["timeoutInSeconds"] as? Int == 30)
    }

    @Test func theOrganizationIsOfflineDuringTheRestoreWindow() throws {
        let h = try Harness { f in f.timings.restoreOfflineWindow = .init(startMs: 10_000, durationMs: 20_000) }
        let t = try h.token()
        #expect(try h.postJSON("\(Self.first)/restore", t, [("passcode", "backup-passcode")])["status"] as? String == "success")
        try h.advance(1000 + 10_000)
        let offline = h.error(try h.getJSON("\(Harness.dr)/stores", t))
        #expect(offline.code == 503)
        #expect(offline.message == "The organization is unavailable while a restore is in progress.")
        let signIn = try h.json(h.post("/arcgis/sharing/rest/generateToken",
                                       [("username", "admin"), ("password", "drmock-admin-1"), ("client", "referer"), ("referer", "x"), ("f", "json")]))
        #expect(h.error(signIn).code == 503)
        #expect(try h.status(t)["state"] as? String == "in_progress")
        #expect(try h.status(t, legacy: true)["operation"] as? String == "Restore")
        let withStatus = try Harness(httpErrorStatus: true) { f in f.timings.restoreOfflineWindow = .init(startMs: 0, durationMs: 5000) }
        let t2 = try withStatus.token()
        _ = try withStatus.postJSON("\(Self.first)/restore", t2, [("passcode", "backup-passcode")])
        try withStatus.advance(1000)
        #expect(withStatus.get("\(Harness.dr)/settings?f=json&token=\(t2)").status == 503)

        try h.advance(20_000)
        #expect(try h.getJSON("\(Harness.dr)/stores", t)["backupStores"] is [Any])
    }

    @Test func jobsCanCompleteWithWarnings() throws {
        let h = try Harness { f in
            f.timings.backupWarning = "2 geodatabases were skipped."
            f.timings.restoreWarning = "The organization's web hooks were not restored."
        }
        let t = try h.token()
        let created = try h.createBackup(t, name: "warned")
        try h.advance(Harness.backupMs)
        let s = try h.status(t)
        #expect(s["state"] as? String == "completed_with_warnings")
        #expect(s["code"] as? Int == 5)
        #expect(s["message"] as? String == "2 geodatabases were skipped.")
        let job = try h.getJSON("/arcgis/admin/jobs/\(created["jobid"] as? String ?? "")", t)
        #expect(job["status"] as? String == "COMPLETED")
        #expect((job["messages"] as? [String])?.contains("2 geodatabases were skipped.") == true)
        #expect(try h.backupNames(t).contains("warned"))
        _ = try h.postJSON("\(Harness.dr)/stores/default/backups/warned/restore", t, [("passcode", "secret123")])
        try h.advance(Harness.restoreMs)
        let r = try h.status(t)
        #expect(r["operation"] as? String == "Restore")
        #expect(r["state"] as? String == "completed_with_warnings")
        #expect(r["message"] as? String == "The organization's web hooks were not restored.")
    }
}
