import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// What real releases were observed to do (``ObservedBehaviour``), over real HTTP: each on the release it
/// was seen on and not on another, and off under `--documented-only`.
@Suite struct ObservedBehaviourTests {
    func harness(_ release: String, documentedOnly: Bool = false) throws -> Harness {
        try Harness(release: release, documentedOnly: documentedOnly)
    }

    /// Runs a backup to completion and answers its `/admin/jobs/<id>` JSON.
    func completedBackupJob(_ h: Harness) throws -> [String: Any] {
        let t = try h.token()
        let job = try #require(try h.createBackup(t, name: "nightly")["jobid"] as? String)
        try h.advance(Harness.backupMs)
        let done = try h.getJSON("/arcgis/admin/jobs/\(job)", t)
        #expect(done["status"] as? String == "COMPLETED")
        return done
    }

    /// https://github.com/Esri/arcgis-gitops/issues/263: on real 12.0 a COMPLETED backup job has no
    /// `result`, and Esri's CLI crashed reading `job['result']['stages']` (a KeyError).
    @Test func aCompletedBackupJobHasNoResultAt12_0() throws {
        #expect(try completedBackupJob(harness("12.0"))["result"] == nil)
        // A client written against the documents reads result.stages: it passes on 11.5 ...
        let stages = (try completedBackupJob(harness("11.5"))["result"] as? [String: Any])?["stages"] as? [[String: Any]]
        #expect(stages?.count == 5)
        // ... and on 12.0 served as the documents say.
        #expect(try completedBackupJob(harness("12.0", documentedOnly: true))["result"] is [String: Any])
    }

    /// https://github.com/Esri/arcgis-gitops/issues/268: on real 12.0, `stores/<s>/update` whose settings
    /// lack `supportBDSBackup` answers code 500, `JSONObject["supportBDSBackup"] not found.`, details null.
    @Test func storeUpdateWithoutSupportBDSBackupFailsAt12_0() throws {
        let h = try harness("12.0")
        let t = try h.token()
        let r = h.post("\(Harness.dr)/stores/default/update", [("settings", #"{"default": true}"#), ("f", "json"), ("token", t)])
        #expect(r.status == 200)   // an envelope with HTTP 200, as Esri's CLI saw it
        #expect(r.body == #"{"error":{"code":500,"message":"JSONObject[\"supportBDSBackup\"] not found.","details":null}}"#)
        // With the key, as Esri's CLI sends it now, the update works; an unknown store is still a 404.
        #expect(try h.postJSON("\(Harness.dr)/stores/default/update", t, [("settings", #"{"default": true, "supportBDSBackup": false}"#)])["status"] as? String == "success")
        #expect(h.error(try h.postJSON("\(Harness.dr)/stores/nope/update", t, [("settings", #"{"default": true}"#)])).code == 404)

        for (release, documentedOnly) in [("11.5", false), ("12.0", true)] {
            let other = try harness(release, documentedOnly: documentedOnly)
            #expect(try other.postJSON("\(Harness.dr)/stores/default/update", try other.token(), [("settings", #"{"default": true}"#)])["status"] as? String == "success")
        }
    }

    /// https://github.com/Esri/arcgis-gitops/issues/165 (suspected, so opt-in): at 11.4 a backup job may
    /// read COMPLETED right after submission while the backup still runs.
    @Test func aBackupJobReadingCompletedAtOnceIsOptInAt11_4() throws {
        let h = try harness("11.4")
        let t = try h.token()
        let first = try #require(try h.createBackup(t, name: "plain")["jobid"] as? String)
        #expect(try h.getJSON("/arcgis/admin/jobs/\(first)", t)["status"] as? String == "SUBMITTED")   // off by default
        try h.advance(Harness.backupMs)

        try h.server.setFaultPlan(json: #"{"observe": ["backup-job-reads-completed-at-once"]}"#)
        let job = try #require(try h.createBackup(t, name: "early")["jobid"] as? String)
        #expect(try h.getJSON("/arcgis/admin/jobs/\(job)", t)["status"] as? String == "COMPLETED")
        // The backup really runs: the status resource says so, the backup is not listed, a restore is refused.
        #expect(try h.status(t)["state"] as? String == "in_progress")
        #expect(try !h.backupNames(t).contains("early"))
        #expect(h.error(try h.postJSON("\(Harness.dr)/stores/default/backups/plain/restore", t, [("passcode", "secret123")])).code == 409)
        // The control plane's waits follow the real job.
        #expect(try h.server.deployment.job(id: job).progress.status == .submitted)
        try h.advance(Harness.backupMs)
        #expect(try h.backupNames(t).contains("early"))

        // Only on the release it was seen on.
        let other = try harness("11.5")
        try other.server.setFaultPlan(json: #"{"observe": ["backup-job-reads-completed-at-once"]}"#)
        let later = try #require(try other.createBackup(try other.token(), name: "later")["jobid"] as? String)
        #expect(try other.getJSON("/arcgis/admin/jobs/\(later)", try other.token())["status"] as? String == "SUBMITTED")
        // An unknown behaviour is refused by name.
        #expect(throws: (any Error).self) { try h.server.setFaultPlan(json: #"{"observe": ["no-such-behaviour"]}"#) }
    }

    /// Every behaviour of the table has a source and names releases drmock emulates; confirmed ones play
    /// by default, suspected ones do not, and `--documented-only` plays none.
    @Test func theTableIsWellFormed() throws {
        for b in ObservedBehaviour.all {
            #expect(b.sources.allSatisfy { $0.hasPrefix("https://") }, "\(b.id)")
            #expect(b.releases.allSatisfy { (try? Release.named($0)) != nil }, "\(b.id)")
            for r in Release.all where b.applies(to: r) {
                #expect(BehaviourPolicy().plays(b, at: r, optedIn: []) == (b.evidence == .confirmed))
                #expect(!BehaviourPolicy(documentedOnly: true).plays(b, at: r, optedIn: []))
                #expect(BehaviourPolicy(documentedOnly: true).plays(b, at: r, optedIn: [b.id]))
            }
        }
        #expect(Decision.all.map(\.number) == Array(1...Decision.all.count))
        let r120 = try Release.named("12.0"), r115 = try Release.named("11.5")
        #expect(!Decision.numbered(4)!.holds(at: r120) && Decision.numbered(4)!.holds(at: r115))
    }

    /// Only backups "from the same release as the running deployment" can be restored
    /// (https://enterprise-k8s.arcgis.com/en/12.0/administer/backup-and-restore.htm).
    @Test func aBackupOfAnotherReleaseIsNotRestored() throws {
        let h = try Harness(release: "11.2")
        let t = try h.token()
        try h.makeBackup(t, name: "before", passcode: "passcode-1")
        let report = try h.server.upgrade(to: "11.3")
        #expect(report.from == "11.2" && report.to == "11.3" && report.backupsOfOlderReleases == 3)
        let refused = h.error(try h.postJSON("\(Harness.dr)/stores/default/backups/before/restore", t, [("passcode", "passcode-1")]))
        #expect(refused.code == 400)
        #expect(refused.message == "The backup 'before' was created at release 11.2.0 and cannot be restored on release 11.3.")
        // Still listed; a backup made after the upgrade restores.
        #expect(try h.backupNames(t).contains("before"))
        try h.makeBackup(t, name: "after", passcode: "passcode-2")
        #expect(try h.getJSON("\(Harness.dr)/stores/default/backups/after", t)["release"] as? String == "11.3.0")
        #expect(try h.postJSON("\(Harness.dr)/stores/default/backups/after/restore", t, [("passcode", "passcode-2")])["status"] as? String == "success")
        // The fixture's backups (no release of their own) are the served release's: restorable on any release.
        let fresh = try Harness(release: "10.9.1")
        #expect(try fresh.postJSON("\(Harness.dr)/stores/default/backups/backup_first/restore", try fresh.token(), [("passcode", "backup-passcode")])["status"] as? String == "success")
    }
}
