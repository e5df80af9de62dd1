@testable import AdminAPI
@testable import DisasterRecovery
import Foundation
import Testing

/// `<dr>/settings`, `/admin`, `<dr>` and the release table's differences.
@Suite struct SettingsAndReleaseTests {
    @Test func settingsReadAndUpdate() throws {
        let h = try Harness(release: "11.3")
        let t = try h.token()
        let initial = try h.getJSON("\(Harness.dr)/settings", t)
        #expect(initial["timeoutInSeconds"] as? Int == 7200)
        let volume = try #require(initial["stagingVolumeConfig"] as? [String: Any])
        #expect(volume["component"] as? String == "DR_JOB")
        #expect(volume["storageClass"] as? String == "default")
        #expect(volume["size"] as? String == "64Gi")
        #expect(volume["provisioningType"] as? String == "DYNAMIC")

        let update = "\(Harness.dr)/settings/update"
        let ok = try h.postJSON(update, t, [("settings", #"{"stagingVolumeConfig": {"provisioningType": "STATIC", "storageClass": "fast", "size": "100Gi", "labels": {"arcgis/purpose": "dr"}}, "timeoutInSeconds": 600}"#)])
        #expect(ok["status"] as? String == "success")
        let now = try h.getJSON("\(Harness.dr)/settings", t)
        #expect(now["timeoutInSeconds"] as? Int == 600)
        let v = try #require(now["stagingVolumeConfig"] as? [String: Any])
        #expect(v["provisioningType"] as? String == "STATIC")
        #expect((v["labels"] as? [String: String]) == ["arcgis/purpose": "dr"])

        func err(_ settings: String) throws -> (code: Int, message: String, details: [String]) {
            h.error(try h.postJSON(update, t, [("settings", settings)]))
        }
        #expect(h.error(try h.postJSON(update, t)).message == "Missing required parameter 'settings'.")
        #expect(try err("not json").message == "Invalid JSON in parameter 'settings'.")
        #expect(try err(#"{"timeoutInSeconds": -1}"#).message == "Invalid settings in parameter 'settings'.")
        #expect(try err(#"{"timeoutInSeconds": "soon"}"#).code == 400)
        #expect(try err(#"{"stagingVolumeConfig": {"size": "1Gi"}}"#).details == ["stagingVolumeConfig.size must be at least 16 GB."])
        #expect(try err(#"{"stagingVolumeConfig": {"provisioningType": "MAGIC"}}"#).code == 400)
        #expect(try err(#"{"stagingVolumeConfig": 5}"#).code == 400)
        // Nothing of a refused update was kept.
        #expect(try h.getJSON("\(Harness.dr)/settings", t)["timeoutInSeconds"] as? Int == 600)
        // Unknown keys are ignored unless strict.
        #expect(try h.postJSON(update, t, [("settings", #"{"g": 1}"#)])["status"] as? String == "success")
        let strict = try Harness(release: "10.9.1", strict: true)
        let ts = try strict.token()
        #expect(try strict.getJSON("\(Harness.dr)/settings", ts)["timeoutInSeconds"] == nil)
        let refused = strict.error(try strict.postJSON(update, ts, [("settings", #"{"timeoutInSeconds": 60}"#)]))
        #expect(refused.details == ["'timeoutInSeconds' is not a setting at release 10.9.1."])
    }

    @Test func adminRootCarriesBothVersionForms() throws {
        for (release, full, current) in [("10.9", "10.9.0", 10.9), ("10.9.1", "10.9.1", 10.91), ("11.3", "11.3.0", 11.3), ("12.0", "12.0.0", 12.0)] {
            let h = try Harness(release: release)
            let root = try h.getJSON("/arcgis/admin", try h.token())
            #expect(root["fullVersion"] as? String == full)
            #expect(root["currentVersion"] as? Double == current)
            #expect((root["resources"] as? [String])?.contains("system") == true)
            #expect(((root["status"] as? [String: Any])?["stages"] as? [[String: Any]])?.first?["state"] as? String == "completed")
        }
        let h = try Harness()
        #expect(try h.getJSON("/arcgis/admin", try h.token())["fullVersion"] as? String == "12.0.0")
        #expect(h.error(try h.json(h.get("/arcgis/admin?f=json"))).code == 499)
        let dr = try h.getJSON(Harness.dr, try h.token())
        #expect(dr["operations"] as? [String] == ["status"])
        #expect(dr["resources"] as? [String] == ["stores", "settings"])
    }

    @Test func release109ReportsStatusAsNumberedMessages() throws {
        let h = try Harness(release: "10.9")
        let t = try h.token()
        #expect(try h.status(t).keys.sorted() == ["code", "messages", "state"])
        _ = try h.postJSON("\(Harness.legacy)/backup", t, [("name", "b109"), ("storeName", "default"), ("passcode", "secret123")])
        try h.advance(1000 + 3096 + 5149 + 1000)
        let mid = try h.status(t)
        #expect(mid["state"] as? String == "in_progress")
        let midCodes = (mid["messages"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? Int }
        #expect(midCodes == [4014, 4015, 4017, 4018, 4019])
        try h.advance(Harness.backupMs)
        let done = try h.status(t)
        #expect(done["code"] as? Int == 3)
        let messages = try #require(done["messages"] as? [[String: Any]])
        #expect(messages.compactMap { $0["code"] as? Int } == [4014, 4015, 4017, 4018, 4019, 4021, 4022, 4023, 4025, 4026, 4027, 4028])
        #expect(messages[0]["message"] as? String == "Started backup process.")
        #expect(messages[5]["message"] as? String == "Completed objectstore backup.")
        #expect(messages[8]["message"] as? String == "Completed runtime infrastructure & configuration backup.")
        let whens = messages.compactMap { $0["when"] as? Int }
        #expect(whens == whens.sorted())

        // A timed-out restore fails in the object store phase: code 4020.
        _ = try h.postJSON("\(Harness.dr)/settings/update", t, [("settings", #"{"timeoutInSeconds": 20}"#)])
        // 10.9 has no timeoutInSeconds: the restore is not limited, so it completes.
        #expect(try h.postJSON("\(Harness.legacy)/backups/b109/restore", t, [("passcode", "secret123")])["status"] as? String == "success")
        try h.advance(Harness.restoreMs)
        let restored = try #require(try h.status(t)["messages"] as? [[String: Any]])
        #expect(restored.first?["message"] as? String == "Started restore process.")
        #expect(restored.last?["code"] as? Int == 4028)

        let h11 = try Harness(release: "11.0")
        let t11 = try h11.token()
        _ = try h11.postJSON("\(Harness.dr)/settings/update", t11, [("settings", #"{"timeoutInSeconds": 20}"#)])
        _ = try h11.createBackup(t11, name: "slow")
        try h11.advance(Harness.backupMs)
        #expect(try h11.status(t11)["state"] as? String == "failed")
    }

    @Test func failuresInTheMessagesFormatUseTheSkippedCodes() throws {
        let stages = [("Validation", 100), ("Stage Relational store", 100), ("Stage Object store", 100),
                      ("Stage system configuration", 100), ("Post backup operation cleanup", 100)]
            .map { StagePlan(name: $0.0, durationMs: Int64($0.1)) }
        for (index, code) in [(0, 4016), (1, 4016), (2, 4020), (3, 4024), (4, 4024)] {
            let job = DRJob(jobID: "j1", operation: .backup, operationURI: "/x", username: "admin", storeName: "default",
                            backupName: "b", description: "", retentionDate: -1, scheduleType: "MANUAL", passcodeHash: "",
                            submittedAt: 0, startDelayMs: 0, stages: stages,
                            failure: PlannedFailure(stageIndex: index, afterMs: 50, message: "disk full"),
                            timeoutMs: nil, recordedStatus: .submitted)
            let view = Deployment.JobView(job: job, progress: job.progress(at: 10_000))
            let status = try #require(view.messagesStatusJSON()["status"])
            #expect(status["state"] == "failed")
            #expect(status["code"] == 4)
            guard case .array(let messages)? = status["messages"] else { Issue.record("no messages"); continue }
            #expect(messages.last?["code"] == .int(Int64(code)))
            #expect(messages.last?["message"]?.stringValue?.hasSuffix(": disk full") == true)
            #expect(!messages.contains { $0["code"] == 4027 })
        }
    }

    @Test func newResourcesAnswerEveryFormat() throws {
        let h = try Harness()
        let t = try h.token()
        for path in ["/arcgis/admin", Harness.dr, "\(Harness.dr)/settings", "\(Harness.legacy)/backups", "/arcgis/admin/system/tasks"] {
            let html = h.get("\(path)?token=\(t)")
            #expect(html.header("content-type")?.hasPrefix("text/html") == true)
            #expect(html.body.contains("<!DOCTYPE html>"))
            let pjson = h.get("\(path)?f=pjson&token=\(t)")
            #expect(pjson.body.contains("\n  \""))
            #expect(try h.json(pjson)["error"] == nil)
        }
        let op = h.post("\(Harness.dr)/settings/update", [("settings", #"{"timeoutInSeconds": 100}"#), ("token", t)])
        #expect(op.body.contains("success") && op.header("content-type")?.hasPrefix("text/html") == true)
    }

    @Test func release109ReportsWarningsToo() throws {
        let h = try Harness(release: "10.9") { f in f.timings.backupWarning = "Skipped one bucket." }
        let t = try h.token()
        _ = try h.postJSON("\(Harness.legacy)/backup", t, [("name", "w"), ("passcode", "secret123")])
        try h.advance(Harness.backupMs)
        let s = try h.status(t)
        #expect(s["state"] as? String == "completed_with_warnings")
        #expect(s["code"] as? Int == 5)
    }
}

/// The staging volume as each release reads it: labels optional, STATIC from 11.3, and
/// `timeoutInSeconds` where the update-settings page lists it (inside `stagingVolumeConfig`) too
/// (https://developers.arcgis.com/rest/enterprise-administration/enterprise/update-settings).
@Suite struct StagingVolumeSettingsTests {
    static let update = "\(Harness.dr)/settings/update"

    @Test func staticWithoutLabelsAndTheTimeoutInsideTheVolume() throws {
        let h = try Harness(release: "11.3")
        let t = try h.token()
        #expect(try h.postJSON(Self.update, t, [("settings", #"{"stagingVolumeConfig": {"provisioningType": "STATIC", "storageClass": "fast", "size": "100G", "timeoutInSeconds": 900}}"#)])["status"] as? String == "success")
        let now = try h.getJSON("\(Harness.dr)/settings", t)
        #expect(now["timeoutInSeconds"] as? Int == 900)
        let v = try #require(now["stagingVolumeConfig"] as? [String: Any])
        #expect(v["provisioningType"] as? String == "STATIC" && v["size"] as? String == "100G" && v["labels"] == nil)
        #expect(v["timeoutInSeconds"] == nil)
        // The timeout set inside the volume is the one jobs get: a 900 s timeout ends a hanging backup.
        try h.server.setFaultPlan(json: #"{"hangStage": "Stage Object store"}"#)
        let job = try #require(try h.createBackup(t, name: "hangs")["jobid"] as? String)
        try h.advance(1000 + 900_000)
        #expect(try h.getJSON("/arcgis/admin/jobs/\(job)", t)["status"] as? String == "TIMED OUT")
        // Labels given with DYNAMIC are dropped ("only used when provisioningType is STATIC"), not refused.
        #expect(try h.postJSON(Self.update, t, [("settings", #"{"stagingVolumeConfig": {"provisioningType": "DYNAMIC", "labels": {"a": "b"}}}"#)])["status"] as? String == "success")
        #expect((try h.getJSON("\(Harness.dr)/settings", t)["stagingVolumeConfig"] as? [String: Any])?["labels"] == nil)
    }

    /// Static provisioning of the staging volume came at 11.3: before, it is refused whether or not --strict is on.
    @Test func staticStagingBefore11_3IsRefused() throws {
        let h = try Harness(release: "11.2")
        let t = try h.token()
        let refused = h.error(try h.postJSON(Self.update, t, [("settings", #"{"stagingVolumeConfig": {"provisioningType": "STATIC"}}"#)]))
        #expect(refused.details == ["stagingVolumeConfig.provisioningType STATIC is supported from release 11.3, not at 11.2."])
        #expect(try h.postJSON(Self.update, t, [("settings", #"{"stagingVolumeConfig": {"size": "80Gi", "labels": {"a": "b"}}}"#)])["status"] as? String == "success")
        #expect((try h.getJSON("\(Harness.dr)/settings", t)["stagingVolumeConfig"] as? [String: Any])?["labels"] == nil)
    }
}
