import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// The control plane under /_mock/ over real HTTP: handshake, clock, wait, isolation, state, journal (faults: FaultPlanTests).
@Suite struct ControlPlaneTests {
    /// The default fixture's backup: 1000 ms submitted, then stages of 3096, 5149, 50405, 6517 and 0 ms.
    static let backupMs: Int64 = 1000 + 3096 + 5149 + 50405 + 6517

    // MARK: Handshake and access

    @Test func healthAndReadyAnswerWithoutAToken() throws {
        let h = try Harness()
        let health = h.get("/_mock/health")
        #expect(health.status == 200)
        #expect(try h.json(health)["status"] as? String == "ok")
        let ready = try h.json(h.get("/_mock/ready"))
        #expect(ready["ready"] as? Bool == true)
        #expect(ready["release"] as? String == h.server.deployment.release)
        #expect(ready["fixture"] as? String == "default")
        #expect(ready["clock"] as? String == "manual")
    }

    @Test func controlEndpointsNeedAnAdminToken() throws {
        let h = try Harness()
        let none = h.control("GET", "clock", token: nil)
        #expect(none.status == 401)
        #expect((try h.json(none)["error"] as? [String: Any])?["message"] as? String == "Token Required")
        #expect(h.control("POST", "reset", token: "not-a-token").status == 401)
        let viewer = try h.token("viewer", "drmock-viewer-1")
        #expect(h.control("GET", "state", token: viewer).status == 403)
        let admin = try h.token()
        #expect(h.control("GET", "clock", token: admin).status == 200)
        // Unknown endpoint and wrong method: real statuses.
        #expect(h.control("GET", "nothing-here", token: admin).status == 404)
        let wrong = h.control("GET", "reset", token: admin)
        #expect(wrong.status == 405)
        #expect(wrong.header("allow") == "POST")
    }

    @Test func noControlTurnsThePlaneOff() throws {
        let h = try Harness(controlPlane: false)
        let r = h.get("/_mock/health?f=json")
        #expect(try h.errorCode(r) == 404)
        // The admin API still answers.
        #expect(try h.token().isEmpty == false)
    }

    // MARK: Clock

    @Test func clockAdvanceSetAndGet() throws {
        let h = try Harness()
        let t = try h.token()
        let c0 = try h.json(h.control("GET", "clock", token: t))
        #expect(c0["mode"] as? String == "manual")
        let now0 = try #require(c0["now"] as? Int)
        let c1 = try h.json(h.control("POST", "clock/advance", [("ms", "60000")], token: t))
        #expect(c1["now"] as? Int == now0 + 60_000)
        #expect(h.clock.now() == Int64(now0 + 60_000))
        let target = now0 + 1_800_000  // within the token's hour
        let c2 = try h.json(h.control("POST", "clock/set", [("epochMs", String(target))], token: t))
        #expect(c2["now"] as? Int == target)
        // Time never goes back; bad numbers are refused.
        #expect(h.control("POST", "clock/set", [("epochMs", String(now0))], token: t).status == 409)
        #expect(h.control("POST", "clock/advance", [("ms", "soon")], token: t).status == 400)
        #expect(h.control("POST", "clock/advance", [("ms", "-5")], token: t).status == 400)
        #expect(h.control("POST", "clock/advance", [], token: t).status == 400)
    }

    @Test func systemClockCannotBeMovedByHand() throws {
        let h = try Harness(clockMode: .system, speed: 1)
        let t = try h.token()
        let c = try h.json(h.control("GET", "clock", token: t))
        #expect(c["mode"] as? String == "system")
        #expect(c["speed"] as? Int == 1)
        #expect(h.control("POST", "clock/advance", [("ms", "1000")], token: t).status == 409)
    }

    @Test func runUntilMovesExactlyAsFarAsNeeded() throws {
        let h = try Harness()
        let t = try h.token()
        let start = h.clock.now()
        let job = try h.createBackup(t, name: "ru-1", context: "arcgis")
        let ex = try h.json(h.control("POST", "clock/run-until", [("job", job), ("status", "EXECUTING")], token: t))
        #expect((ex["clock"] as? [String: Any])?["now"] as? Int == Int(start + 1000))
        #expect((ex["job"] as? [String: Any])?["status"] as? String == "EXECUTING")
        let done = try h.json(h.control("POST", "clock/run-until", [("job", job)], token: t))
        #expect((done["clock"] as? [String: Any])?["now"] as? Int == Int(start + Self.backupMs))
        #expect(try h.jobStatus(t, job) == "COMPLETED")
        // Going back to EXECUTING is impossible now; an unknown job is 404.
        #expect(h.control("POST", "clock/run-until", [("job", job), ("status", "EXECUTING")], token: t).status == 409)
        #expect(h.control("POST", "clock/run-until", [("job", "jnope")], token: t).status == 404)
    }

    // MARK: Wait (long-poll)

    @Test func waitOnTheManualClockAnswersWhenTheClockIsMoved() throws {
        let h = try Harness()
        let t = try h.token()
        let job = try h.createBackup(t, name: "wait-1", context: "arcgis")
        let port = h.port
        let waiting = Background { HTTPClient.request(port: port, method: "GET", path: "/_mock/wait?job=\(job)&status=COMPLETED&timeout=20000&token=\(t)") }
        // Still waiting: nothing moved.
        #expect(waiting.wait(seconds: 0.3) == nil)
        // Other requests are served meanwhile.
        #expect(h.get("/_mock/health").status == 200)
        _ = h.control("POST", "clock/advance", [("ms", String(Self.backupMs))], token: t)
        let r = try #require(waiting.wait(seconds: 5))
        #expect(r.status == 200)
        let body = try h.json(r)
        #expect(body["outcome"] as? String == "reached")
        #expect((body["job"] as? [String: Any])?["status"] as? String == "COMPLETED")
    }

    @Test func waitOnTheSystemClockNeedsNoHelp() throws {
        // --speed 1000: the 66 s backup takes about 66 ms of real time.
        let h = try Harness(clockMode: .system, speed: 1000)
        let t = try h.token()
        let job = try h.createBackup(t, name: "wait-sys", context: "arcgis")
        let r = h.control("GET", "wait", [("job", job), ("status", "COMPLETED"), ("timeout", "10000")], token: t)
        #expect(r.status == 200)
        #expect(try h.json(r)["outcome"] as? String == "reached")
        #expect(try h.jobStatus(t, job) == "COMPLETED")
    }

    @Test func waitTimesOutAndKnowsTheImpossible() throws {
        let h = try Harness()
        let t = try h.token()
        let job = try h.createBackup(t, name: "wait-2", context: "arcgis")
        let timedOut = h.control("GET", "wait", [("job", job), ("timeout", "50")], token: t)
        #expect(timedOut.status == 408)
        #expect(try h.json(timedOut)["outcome"] as? String == "timeout")
        try h.server.runUntil(job: job)
        let impossible = h.control("GET", "wait", [("job", job), ("status", "FAILED")], token: t)
        #expect(impossible.status == 409)
        #expect(try h.json(impossible)["outcome"] as? String == "impossible")
        #expect(h.control("GET", "wait", [("job", job), ("status", "DONE")], token: t).status == 400)
    }

    @Test func waitHoldsNoServerThread() throws {
        // One server thread: a pending long-poll must not stall other requests.
        let h = try Harness(threads: 1)
        let t = try h.token()
        let job = try h.createBackup(t, name: "wait-3", context: "arcgis")
        let port = h.port
        let waits = (0..<3).map { _ in
            Background { HTTPClient.request(port: port, method: "GET", path: "/_mock/wait?job=\(job)&timeout=20000&token=\(t)") }
        }
        #expect(waits[0].wait(seconds: 0.2) == nil)
        let started = Date()
        #expect(h.get("/_mock/health").status == 200)
        #expect(try h.jobStatus(t, job) == "SUBMITTED")
        #expect(Date().timeIntervalSince(started) < 2)
        try h.server.advanceClock(by: Self.backupMs)
        for w in waits { #expect(w.wait(seconds: 5)?.status == 200) }
    }

    // MARK: Isolation

    @Test func twoContextsInParallelHaveTheirOwnClocksAndState() throws {
        let h = try Harness()
        let ta = try h.token(context: "worker-a"), tb = try h.token(context: "worker-b")
        // A token of one context is not valid in another.
        #expect(try h.errorCode(h.get("/worker-b/admin/jobs?f=json&token=\(ta)")) == 498)
        let a0 = try h.server.now(context: "worker-a"), b0 = try h.server.now(context: "worker-b")
        let ja = try h.createBackup(ta, name: "a-1", context: "worker-a")
        let jb = try h.createBackup(tb, name: "b-1", context: "worker-b")
        let a = Background { h.control("POST", "clock/advance", [("ms", String(Self.backupMs))], token: ta, context: "worker-a") }
        let b = Background { h.control("POST", "clock/advance", [("ms", "2000")], token: tb, context: "worker-b") }
        #expect(a.wait()?.status == 200)
        #expect(b.wait()?.status == 200)
        #expect(try h.jobStatus(ta, ja, context: "worker-a") == "COMPLETED")
        #expect(try h.jobStatus(tb, jb, context: "worker-b") == "EXECUTING")
        let ca = try h.json(h.control("GET", "clock", token: ta, context: "worker-a"))["now"] as? Int
        let cb = try h.json(h.control("GET", "clock", token: tb, context: "worker-b"))["now"] as? Int
        #expect(ca.map { Int64($0) - a0 } == Self.backupMs)
        #expect(cb.map { Int64($0) - b0 } == 2000)
        // Each sees only its own backups and jobs; the default context saw none of this.
        let backupsA = try h.json(h.get("/worker-a/admin/system/disasterrecovery/stores/default/backups?f=json&token=\(ta)"))["backups"] as? [[String: Any]]
        let backupsB = try h.json(h.get("/worker-b/admin/system/disasterrecovery/stores/default/backups?f=json&token=\(tb)"))["backups"] as? [[String: Any]]
        #expect(backupsA?.count == 3)
        #expect(backupsB?.count == 2)
        let t0 = try h.token()
        #expect((try h.json(h.get("/arcgis/admin/jobs?f=json&token=\(t0)"))["jobs"] as? [String])?.isEmpty == true)
        // Waits on both contexts, each answered by its own clock.
        let port = h.port
        let wb = Background { HTTPClient.request(port: port, method: "GET", path: "/_mock/wait?context=worker-b&job=\(jb)&timeout=20000&token=\(tb)") }
        let wa = h.control("GET", "wait", [("job", ja)], token: ta, context: "worker-a")
        #expect(wa.status == 200)
        #expect(wb.wait(seconds: 0.3) == nil)
        _ = h.control("POST", "clock/run-until", [("job", jb)], token: tb, context: "worker-b")
        #expect(wb.wait()?.status == 200)
        let contexts = try h.json(h.control("GET", "contexts", token: t0))["contexts"] as? [String]
        #expect(contexts == ["arcgis", "worker-a", "worker-b"])
        // Faults and journals are per context too.
        _ = h.control("POST", "faults", [("plan", #"{"storeUnavailable": "default"}"#)], token: ta, context: "worker-a")
        #expect(try h.errorCode(h.post("/worker-a/admin/system/disasterrecovery/stores/default/backups/create",
                                       [("name", "a-2"), ("passcode", "secret123"), ("f", "json"), ("token", ta)])) == 503)
        #expect(try h.createBackup(tb, name: "b-2", context: "worker-b").hasPrefix("j"))
        let journalA = try h.json(h.control("GET", "requests", token: ta, context: "worker-a"))["requests"] as? [[String: Any]] ?? []
        #expect(journalA.allSatisfy { ($0["path"] as? String)?.hasPrefix("/worker-a/") == true })
        #expect(!journalA.isEmpty)
    }

    @Test func invalidContextsAreRefused() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(h.control("GET", "clock", token: t, context: "bad/name").status == 400)
        #expect(try h.errorCode(h.get("/bad%20name/admin/jobs?f=json")) == 404)
    }

    // MARK: State

    @Test func resetGoesBackToTheFixture() throws {
        let h = try Harness()
        let t = try h.token()
        let job = try h.createBackup(t, name: "to-forget", context: "arcgis")
        try h.server.runUntil(job: job)
        #expect(h.control("POST", "reset", token: t).status == 200)
        // Tokens are gone with the rest.
        #expect(try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(t)")) == 498)
        let t2 = try h.token()
        #expect((try h.json(h.get("/arcgis/admin/jobs?f=json&token=\(t2)"))["jobs"] as? [String])?.isEmpty == true)
        let backups = try h.json(h.get("\(Harness.dr)/stores/default/backups?f=json&token=\(t2)"))["backups"] as? [[String: Any]]
        #expect(backups?.map { $0["backupName"] as? String } == ["backup_first", "schedule1-2021-10-22-20-00-09"])
    }

    @Test func resetAnswersWaitersOfTheContext() throws {
        let h = try Harness()
        let t = try h.token()
        let job = try h.createBackup(t, name: "forgotten", context: "arcgis")
        let port = h.port
        let waiting = Background { HTTPClient.request(port: port, method: "GET", path: "/_mock/wait?job=\(job)&timeout=20000&token=\(t)") }
        #expect(waiting.wait(seconds: 0.2) == nil)
        #expect(h.control("POST", "reset", token: t).status == 200)
        let r = try #require(waiting.wait(seconds: 5))
        #expect(r.status == 409)
        #expect(try h.json(r)["outcome"] as? String == "impossible")
    }

    @Test func stateDumpsTheCatalogWithoutSecrets() throws {
        let h = try Harness()
        let t = try h.token()
        _ = try h.createBackup(t, name: "dumped", context: "arcgis")
        let r = h.control("GET", "state", token: t)
        #expect(r.status == 200)
        let state = try h.json(r)
        #expect((state["users"] as? [[String: Any]])?.count == 2)
        #expect((state["users"] as? [[String: Any]])?.allSatisfy { $0["passwordHash"] as? String == "***" } == true)
        #expect((state["jobs"] as? [[String: Any]])?.first?["passcodeHash"] as? String == "***")
        #expect((state["backups"] as? [[String: Any]])?.count == 2)
        #expect((state["tokens"] as? [[String: Any]])?.first?["username"] as? String == "admin")
        #expect(!r.body.contains("scrypt$"))
        #expect(!r.body.contains(t))
    }

    @Test func snapshotsSaveAndRestoreTheContext() throws {
        let h = try Harness()
        let t = try h.token()
        let first = try h.createBackup(t, name: "before", context: "arcgis")
        try h.server.runUntil(job: first)
        let saved = h.control("POST", "snapshot/one", token: t)
        #expect(saved.status == 201)
        let savedAt = try h.server.now()
        let second = try h.createBackup(t, name: "after", context: "arcgis")
        try h.server.runUntil(job: second)
        #expect(h.control("POST", "snapshot/one/restore", token: t).status == 200)
        #expect(try h.server.now() == savedAt)
        let names = try h.json(h.get("\(Harness.dr)/stores/default/backups?f=json&token=\(t)"))["backups"] as? [[String: Any]]
        #expect(names?.compactMap { $0["backupName"] as? String }.contains("before") == true)
        #expect(names?.compactMap { $0["backupName"] as? String }.contains("after") == false)
        #expect(try h.errorCode(h.get("/arcgis/admin/jobs/\(second)?f=json&token=\(t)")) == 404)
        let list = try h.json(h.control("GET", "snapshots", token: t))["snapshots"] as? [[String: Any]]
        #expect(list?.first?["name"] as? String == "one")
        #expect(h.control("POST", "snapshot/none/restore", token: t).status == 404)
        #expect(h.control("POST", "snapshot/bad%20name", token: t).status == 400)
    }

    @Test func embeddingDrivesClockAndFaultsFromSwift() throws {
        let h = try Harness()
        let t = try h.token()
        try h.server.failStage("Stage Relational store", message: "relational store unreachable", afterMs: 1000)
        let job = try h.createBackup(t, name: "embedded", context: "arcgis")
        let at = try h.server.runUntil(job: job, reaches: .failed)
        #expect(try h.server.now() == at)
        #expect(try h.jobStatus(t, job) == "FAILED")
        #expect(try h.server.firedFaults().map(\.kind) == ["failStage"])
        try h.server.clearFaults()
        try h.server.makeStoreUnavailable("default")
        #expect(try h.errorCode(h.post("\(Harness.dr)/stores/default/backups/create",
                                       [("name", "y"), ("passcode", "secret123"), ("f", "json"), ("token", t)])) == 503)
        try h.server.clearFaults()
        try h.server.expireAllTokens()
        #expect(try h.errorCode(h.get("/arcgis/admin/jobs?f=json&token=\(t)")) == 498)
        try h.server.reset()
        #expect(try h.token().isEmpty == false)
    }

    // MARK: Journal

    @Test func journalRecordsRequestsWithoutSecrets() throws {
        let h = try Harness()
        let t = try h.token()
        _ = h.get("/arcgis/admin/jobs?f=json&token=\(t)")
        _ = h.post("\(Harness.dr)/stores/default/backups/create", [("name", "j"), ("passcode", "short"), ("f", "json"), ("token", t)])
        let all = try #require(try h.json(h.control("GET", "requests", token: t))["requests"] as? [[String: Any]])
        #expect(all.count == 3)
        let token = all[0], jobs = all[1], create = all[2]
        #expect(token["path"] as? String == "/arcgis/sharing/rest/generateToken")
        #expect(token["formKeys"] as? [String] == ["username", "password", "client", "referer", "f"])
        #expect(jobs["user"] as? String == "admin")
        #expect((jobs["query"] as? [String: Any])?["token"] as? String == "***")
        #expect(jobs["status"] as? Int == 200)
        #expect(create["errorCode"] as? Int == 400)
        #expect(create["method"] as? String == "POST")
        let raw = h.control("GET", "requests", token: t).body
        #expect(!raw.contains(t) && !raw.contains("drmock-admin-1") && !raw.contains("short"))
        // Filters.
        let filtered = try h.json(h.control("GET", "requests", [("path", "admin/jobs")], token: t))["requests"] as? [[String: Any]]
        #expect(filtered?.count == 1)
        let since = try h.json(h.control("GET", "requests", [("since", "2")], token: t))["requests"] as? [[String: Any]]
        #expect(since?.map { $0["seq"] as? Int } == [3])
        #expect(h.control("DELETE", "requests", token: t).status == 200)
        #expect((try h.json(h.control("GET", "requests", token: t))["requests"] as? [Any])?.isEmpty == true)
    }

    @Test func jobTimelineShowsTransitionsAndObservers() throws {
        let h = try Harness()
        let t = try h.token()
        let job = try h.createBackup(t, name: "tl", context: "arcgis")
        _ = h.get("/arcgis/admin/jobs/\(job)?f=json&token=\(t)")
        try h.advance(1000 + 3096 + 100)
        _ = h.get("\(Harness.dr)/status?f=json&token=\(t)")
        try h.server.runUntil(job: job)
        _ = h.get("/arcgis/admin/jobs/\(job)?f=json&token=\(t)")
        let tl = try h.json(h.control("GET", "jobs/\(job)/timeline", token: t))
        let events = try #require(tl["transitions"] as? [[String: Any]])
        #expect(events.first?["event"] as? String == "SUBMITTED")
        #expect(events.last?["event"] as? String == "COMPLETED")
        #expect(events.filter { $0["event"] as? String == "stage started" }.count == 5)
        let observed = try #require(tl["observedBy"] as? [[String: Any]])
        #expect(observed.map { $0["status"] as? String } == ["SUBMITTED", "EXECUTING", "COMPLETED"])
        #expect(observed[1]["stage"] as? String == "Stage Relational store")
        #expect(h.control("GET", "jobs/jnope/timeline", token: t).status == 404)
    }
}
