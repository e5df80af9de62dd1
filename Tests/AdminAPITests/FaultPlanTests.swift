import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// The control plane's fault plans over real HTTP: scenarios, failing and hanging stages, endpoint
/// errors and latency, expired tokens, unavailable stores and the offline organization.
@Suite struct FaultPlanTests {
    @Test func fixtureLoadsAScenarioThatFailsTheObjectStoreStage() throws {
        let h = try Harness()
        let t = try h.token()
        let loaded = h.control("POST", "fixture", [("name", "object-store-fails")], token: t)
        #expect(loaded.status == 200)
        #expect(try h.json(loaded)["scenario"] as? String == "object-store-fails")
        // Loading replaced the deployment: a new token, then a backup through the public API.
        let t2 = try h.token()
        let job = try h.createBackup(t2, name: "doomed", context: "arcgis")
        let r = h.control("POST", "clock/run-until", [("job", job), ("status", "FAILED")], token: t2)
        #expect(r.status == 200)
        let failed = try h.json(h.get("/arcgis/admin/jobs/\(job)?f=json&token=\(t2)"))
        #expect(failed["status"] as? String == "FAILED")
        #expect((failed["messages"] as? [String])?.last == "Stage Object store failed: no space left on the backup volume.")
        let status = try #require(try h.json(h.get("\(Harness.dr)/status?f=json&token=\(t2)"))["status"] as? [String: Any])
        #expect(status["state"] as? String == "failed")
        #expect(status["code"] as? Int == 4)
        #expect((status["stages"] as? [[String: Any]])?.last?["name"] as? String == "Stage Object store")
        #expect((status["stages"] as? [[String: Any]])?.last?["state"] as? String == "failed")
        #expect((status["stages"] as? [[String: Any]])?.last?["duration"] as? String == "20000 millis (~ 0 minutes)")
        // The backup never appears; the fault shows as fired.
        let backups = try h.json(h.get("\(Harness.dr)/stores/default/backups?f=json&token=\(t2)"))["backups"] as? [[String: Any]]
        #expect(backups?.count == 2)
        let faults = try h.json(h.control("GET", "faults", token: t2))
        #expect((faults["fired"] as? [[String: Any]])?.first?["kind"] as? String == "failStage")
        // Unknown and path-like names are refused.
        #expect(h.control("POST", "fixture", [("name", "nope")], token: t2).status == 404)
        #expect(h.control("POST", "fixture", [("name", "../etc/passwd")], token: t2).status == 400)
    }

    // MARK: Faults

    @Test func faultPlanIsCheckedShownAndCleared() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(h.control("POST", "faults", [("plan", "{not json")], token: t).status == 400)
        #expect(h.control("POST", "faults", [("plan", #"{"failStag": 1}"#)], token: t).status == 400)
        #expect(h.control("POST", "faults", [], token: t).status == 400)
        let set = h.control("POST", "faults", [("plan", #"{"failStage": "Validation", "message": "nope", "times": 1}"#)], token: t)
        #expect(set.status == 200)
        let shown = try h.json(h.control("GET", "faults", token: t))
        #expect((shown["plan"] as? [String: Any])?["failStage"] as? String == "Validation")
        let j1 = try h.createBackup(t, name: "f-1", context: "arcgis")
        try h.server.runUntil(job: j1, reaches: .failed)
        // times: 1 — the next job is healthy.
        let j2 = try h.createBackup(t, name: "f-2", context: "arcgis")
        try h.server.runUntil(job: j2)
        #expect(try h.jobStatus(t, j2) == "COMPLETED")
        let cleared = try h.json(h.control("DELETE", "faults", token: t))
        #expect((cleared["fired"] as? [Any])?.isEmpty == true)
        #expect(cleared["plan"] as? [String: Any] != nil)
    }

    @Test func failedStageGivesTheMatching109FailureCode() throws {
        let h = try Harness(release: "10.9")
        let t = try h.token()
        _ = h.control("POST", "faults", [("plan", #"{"failStage": "Stage Object store", "message": "disk full"}"#)], token: t)
        let r = try h.json(h.post("/arcgis/admin/system/disasterrecovery/backuprestore/backup",
                                  [("name", "old-style"), ("storeName", "default"), ("passcode", "secret123"), ("f", "json"), ("token", t)]))
        let job = try #require(r["jobid"] as? String, "\(r)")
        try h.server.runUntil(job: job, reaches: .failed)
        let status = try #require(try h.json(h.get("\(Harness.dr)/status?f=json&token=\(t)"))["status"] as? [String: Any])
        #expect(status["state"] as? String == "failed")
        let last = try #require((status["messages"] as? [[String: Any]])?.last)
        #expect(last["code"] as? Int == 4020)
        #expect((last["message"] as? String)?.hasSuffix("disk full") == true)
    }

    @Test func restoreStageFailsOnlyForRestores() throws {
        let h = try Harness()
        let t = try h.token()
        _ = h.control("POST", "faults", [("plan", #"{"jobs": [{"failStage": "Restore Object store", "operation": "Restore", "message": "restore broke"}]}"#)], token: t)
        // A backup is not touched by a restore fault.
        let backup = try h.createBackup(t, name: "kept", context: "arcgis")
        try h.server.runUntil(job: backup)
        #expect(try h.jobStatus(t, backup) == "COMPLETED")
        let r = try h.json(h.post("\(Harness.dr)/stores/default/backups/backup_first/restore",
                                  [("passcode", "backup-passcode"), ("f", "json"), ("token", t)]))
        #expect(r["status"] as? String == "success", "\(r)")
        let restore = try #require(try h.server.deployment.jobIDs().last)
        try h.server.runUntil(job: restore, reaches: .failed)
        let status = try #require(try h.json(h.get("\(Harness.dr)/status?f=json&token=\(t)"))["status"] as? [String: Any])
        #expect(status["operation"] as? String == "Restore")
        #expect(status["state"] as? String == "failed")
        #expect(status["message"] as? String == "restore broke")
    }

    @Test func hangingStageEndsTimedOut() throws {
        let h = try Harness()
        let t = try h.token()
        _ = h.control("POST", "faults", [("plan", #"{"hangStage": "Stage Object store", "timeoutMs": 120000}"#)], token: t)
        let start = h.clock.now()
        let job = try h.createBackup(t, name: "hang", context: "arcgis")
        try h.advance(100_000)
        #expect(try h.jobStatus(t, job) == "EXECUTING")
        let r = try h.json(h.control("POST", "clock/run-until", [("job", job), ("status", "TIMED_OUT")], token: t))
        #expect((r["clock"] as? [String: Any])?["now"] as? Int == Int(start + 1000 + 120_000))
        #expect(try h.jobStatus(t, job) == "TIMED OUT")
    }

    @Test func endpointErrorsCountDownAndProbabilityIsSeeded() throws {
        let h = try Harness()
        let t = try h.token()
        _ = h.control("POST", "faults", [("plan", #"{"endpoints": [{"method": "GET", "path": "admin/jobs", "code": 500, "message": "injected", "times": 2}]}"#)], token: t)
        let codes = try (0..<3).map { _ in try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(t)")) }
        #expect(codes == [500, 500, nil])
        // An HTTP status, for clients that look at it.
        _ = h.control("POST", "faults", [("plan", #"{"endpoints": [{"path": "admin/**", "httpStatus": 502, "times": 1}]}"#)], token: t)
        #expect(h.get("/arcgis/admin/jobs?f=json&token=\(t)").status == 502)
        // The same seed gives the same sequence.
        func run() throws -> [Int?] {
            _ = h.control("POST", "faults", [("plan", #"{"seed": 42, "endpoints": [{"path": "admin/jobs", "code": 503, "probability": 0.5}]}"#)], token: t)
            return try (0..<16).map { _ in try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(t)")) }
        }
        let first = try run(), second = try run()
        #expect(first == second)
        #expect(first.contains(503) && first.contains(nil))
    }

    /// While no context has endpoint faults the API skips the fault plan (see `contextsWithEndpointFaults`):
    /// setting, clearing, resetting and replacing plans in several contexts must keep that exact.
    @Test func endpointFaultsFireOnlyWhereAndWhileTheyAreSet() throws {
        let h = try Harness()
        let t = try h.token(), u = try h.token(context: "other")
        let plan = #"{"endpoints": [{"path": "admin/jobs", "code": 500}]}"#
        func codes() throws -> [Int?] {
            [try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(t)")), try h.errorCode(h.get("/other/admin/jobs?f=json&token=\(u)"))]
        }
        #expect(try codes() == [nil, nil])
        _ = h.control("POST", "faults", [("plan", plan)], token: u, context: "other")
        #expect(try codes() == [nil, 500])
        _ = h.control("POST", "faults", [("plan", plan)], token: t)
        _ = h.control("POST", "faults", [("plan", plan)], token: t)   // replaced by the same: still one
        #expect(try codes() == [500, 500])
        _ = h.control("DELETE", "faults", token: u, context: "other")
        #expect(try codes() == [500, nil])
        _ = h.control("POST", "faults", [("plan", #"{"offlineMs": 0}"#)], token: t)   // a plan without endpoint faults
        #expect(try codes() == [nil, nil])
        _ = h.control("POST", "faults", [("plan", plan)], token: t)
        _ = h.control("POST", "reset", token: t)
        let fresh = try h.token()
        #expect(try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(fresh)")) == nil)
        _ = h.control("POST", "faults", [("plan", plan)], token: fresh)
        #expect(try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(fresh)")) == 500)
    }

    @Test func latencyIsAddedWithoutBlocking() throws {
        let h = try Harness(threads: 1)
        let t = try h.token()
        _ = h.control("POST", "faults", [("plan", #"{"endpoints": [{"path": "admin/jobs", "latencyMs": 1500}]}"#)], token: t)
        let port = h.port
        let started = Date()
        let slow = Background { HTTPClient.request(port: port, method: "GET", path: "/arcgis/admin/jobs?f=json&token=\(t)") }
        Thread.sleep(forTimeInterval: 0.05)  // real time, to let the slow request arrive first (no job engine involved)
        #expect(h.get("/_mock/health").status == 200)
        // Answered long before the delayed request: the delay holds no server thread (there is only one).
        #expect(Date().timeIntervalSince(started) < 1.2)
        let r = try #require(slow.wait())
        #expect(r.status == 200)
        #expect(Date().timeIntervalSince(started) >= 1.5)
        let journal = try h.json(h.control("GET", "requests", [("path", "admin/jobs")], token: t))["requests"] as? [[String: Any]]
        #expect((journal?.last?["latencyMs"] as? Double ?? 0) >= 1500)
    }

    @Test func tokensExpireStoresFailAndTheOrganizationGoesOffline() throws {
        let h = try Harness()
        let t = try h.token()
        _ = h.control("POST", "faults", [("plan", #"{"expireTokens": true}"#)], token: t)
        #expect(try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(t)")) == 498)
        let t2 = try h.token()
        _ = h.control("POST", "faults", [("plan", #"{"storeUnavailable": ["default"]}"#)], token: t2)
        let refused = try h.json(h.post("\(Harness.dr)/stores/default/backups/create",
                                        [("name", "x"), ("passcode", "secret123"), ("f", "json"), ("token", t2)]))
        #expect((refused["error"] as? [String: Any])?["message"] as? String == "The backup store 'default' is not available.")
        _ = h.control("POST", "faults", [("plan", #"{"offlineMs": 60000}"#)], token: t2)
        #expect(try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(t2)")) == 503)
        #expect(try h.errorCode(h.post("/arcgis/sharing/rest/generateToken", [("username", "admin"), ("password", "drmock-admin-1"), ("f", "json")])) == 503)
        // Status stays reachable, as during a restore.
        #expect(try h.errorCode(h.get("\(Harness.dr)/status?f=json&token=\(t2)")) == nil)
        try h.advance(60_000)
        #expect(try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(t2)")) == nil)
        let fired = try h.json(h.control("GET", "faults", token: t2))["fired"] as? [[String: Any]]
        #expect(fired?.compactMap { $0["kind"] as? String } == ["expireTokens", "storeUnavailable", "offline"])
    }
}
