import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// The client-behaviour linter over real HTTP: a hand-written bad client per rule, each tripping
/// its rule, and a well-behaved client that trips none.
@Suite struct ClientLintTests {
    static let jobs = "/arcgis/admin/jobs"

    /// A client of `h` with its own User-Agent, sending its token as the test says.
    struct Client {
        let h: Harness
        let agent: String
        var token = ""

        init(_ h: Harness, agent: String) { (self.h, self.agent) = (h, agent) }

        @discardableResult
        mutating func signIn(expiration: String = "60") throws -> String {
            let r = post("/arcgis/sharing/rest/generateToken", [("username", "admin"), ("password", "drmock-admin-1"), ("client", "referer"),
                                                               ("referer", "x"), ("expiration", expiration), ("f", "json")], bearer: false)
            token = try #require(try h.json(r)["token"] as? String)
            return token
        }

        func get(_ path: String, bearer: Bool = true) -> HTTPResult {
            h.get(path, headers: headers(bearer))
        }

        func post(_ path: String, _ fields: [(String, String)], bearer: Bool = true) -> HTTPResult {
            h.post(path, fields, headers: headers(bearer))
        }

        func createBackup(_ name: String) throws -> [String: Any] {
            try h.json(post("\(Harness.dr)/stores/default/backups/create", [("name", name), ("passcode", "secret123"), ("f", "json")]))
        }

        private func headers(_ bearer: Bool) -> [(String, String)] {
            [("User-Agent", agent)] + (bearer && !token.isEmpty ? [("X-Esri-Authorization", "Bearer \(token)")] : [])
        }
    }

    /// The findings of `/_mock/lint` for the client with `agent`, as JSON objects.
    static func findings(_ h: Harness, agent: String, token: String? = nil) throws -> [[String: Any]] {
        let t = try token ?? h.token()
        let r = h.control("GET", "lint", [("f", "json")], token: t)
        #expect(r.status == 200)
        let all = try #require(try h.json(r)["findings"] as? [[String: Any]])
        return all.filter { (($0["client"] as? [String: Any])?["userAgent"] as? String) == agent }
    }

    static func rules(_ findings: [[String: Any]]) -> Set<String> { Set(findings.compactMap { $0["rule"] as? String }) }

    @Test func signingInForEveryCallTripsTokenPerCall() throws {
        let h = try Harness()
        var c = Client(h, agent: "signs-in-every-time/1")
        for _ in 0..<4 {
            try c.signIn()
            #expect(c.get("\(Harness.dr)/stores?f=json").status == 200)
        }
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["token-per-call"])
        let finding = try #require(f.first)
        #expect(finding["severity"] as? String == "warning")
        #expect((finding["client"] as? [String: Any])?["user"] as? String == "admin")
        let evidence = try #require(finding["evidence"] as? [[String: Any]])
        #expect(evidence.count == 4)
        #expect(evidence.allSatisfy { ($0["path"] as? String) == "/arcgis/sharing/rest/generateToken" && ($0["method"] as? String) == "POST" })
        #expect(evidence.compactMap { $0["seq"] as? Int } == [1, 3, 5, 7])
    }

    @Test func failedSignInsAreNotCountedAsSignIns() throws {
        let h = try Harness()
        let c = Client(h, agent: "wrong-password/1")
        for f in ["json", "html"] {
            for _ in 0..<3 {
                _ = c.post("/arcgis/sharing/rest/generateToken", [("username", "admin"), ("password", "nope-\(f)"), ("client", "referer"), ("referer", "x"), ("f", f)])
            }
        }
        let f = try Self.findings(h, agent: c.agent)
        #expect(f.isEmpty, "\(f)")
        // Nor do they name a user in the journal (only a sign-in that succeeded does).
        let journal = try h.json(h.control("GET", "requests", token: try h.token()))["requests"] as? [[String: Any]] ?? []
        #expect(journal.filter { ($0["userAgent"] as? String) == c.agent }.allSatisfy { $0["user"] is NSNull })
        #expect(journal.last?["user"] as? String == "admin")  // the harness's own sign-in
    }

    @Test func pollingAJobInATightLoopTripsPollRate() throws {
        let h = try Harness()
        var c = Client(h, agent: "tight-loop/1")
        try c.signIn()
        let job = try #require(try c.createBackup("b1")["jobid"] as? String)
        for _ in 0..<6 { _ = c.get("\(Self.jobs)/\(job)?f=json") }
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["poll-rate"])
        #expect((f.first?["evidence"] as? [[String: Any]])?.count == 6)
    }

    @Test func pollingWithoutBackoffForLongTripsPollRate() throws {
        let h = try Harness()
        var c = Client(h, agent: "fixed-two-seconds/1")
        try c.signIn()
        for _ in 0..<20 {
            _ = c.get("\(Harness.dr)/status?f=json")
            try h.advance(2000)
        }
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["poll-rate"])
        #expect((f.first?["message"] as? String)?.contains("without backing off") == true)
    }

    @Test func pollingAfterTheJobFailedTripsPollAfterFailure() throws {
        let h = try Harness()
        var c = Client(h, agent: "waits-for-completed/1")
        let t = try c.signIn()
        #expect(h.control("POST", "faults", [("plan", #"{"failStage": "Stage Object store", "afterMs": 1000}"#)], token: t).status == 200)
        let job = try #require(try c.createBackup("doomed")["jobid"] as? String)
        for _ in 0..<6 {
            _ = c.get("\(Self.jobs)/\(job)?f=json")
            try h.advance(30_000)
        }
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["poll-after-failure"])
        #expect(f.first?["severity"] as? String == "error")
    }

    @Test func pollingTheStatusAfterTheJobFailedTripsPollAfterFailure() throws {
        let h = try Harness()
        var c = Client(h, agent: "waits-for-success/1")
        let t = try c.signIn()
        #expect(h.control("POST", "faults", [("plan", #"{"failStage": 0, "afterMs": 1000}"#)], token: t).status == 200)
        let job = try #require(try c.createBackup("doomed")["jobid"] as? String)
        _ = try h.server.runUntil(job: job, reaches: .failed)
        for _ in 0..<4 {
            #expect((try h.json(c.get("\(Harness.dr)/status?f=json"))["status"] as? [String: Any])?["state"] as? String == "failed")
            try h.advance(15_000)
        }
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["poll-after-failure"])
        #expect((f.first?["message"] as? String)?.contains("showing job \(job)") == true)
    }

    @Test func aTokenInTheQueryStringTripsSecretInQuery() throws {
        let h = try Harness()
        var c = Client(h, agent: "query-token/1")
        let t = try c.signIn()
        #expect(c.get("\(Harness.dr)/stores?f=json&token=\(t)", bearer: false).status == 200)
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["secret-in-query"])
        #expect((f.first?["message"] as? String)?.contains("token") == true)
        // The journal never kept the value.
        #expect(!h.control("GET", "requests", token: t).body.contains(t))
    }

    @Test func aPostWithItsTokenOnlyInTheQueryTripsPostTokenInQuery() throws {
        let h = try Harness()
        var c = Client(h, agent: "post-query-token/1")
        let t = try c.signIn()
        let r = c.post("\(Harness.dr)/stores/default/backups/create?token=\(t)", [("name", "b"), ("passcode", "secret123"), ("f", "json")], bearer: false)
        #expect(try h.errorCode(r) == 499)
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["post-token-in-query", "secret-in-query"])
    }

    @Test func retryingACreateRightAfterA409TripsRetryAfterConflict() throws {
        let h = try Harness()
        var c = Client(h, agent: "blind-retry/1")
        try c.signIn()
        #expect(try c.createBackup("first")["jobid"] != nil)
        #expect((try c.createBackup("second")["error"] as? [String: Any])?["code"] as? Int == 409)
        #expect((try c.createBackup("second")["error"] as? [String: Any])?["code"] as? Int == 409)
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["retry-after-conflict"])
        #expect((f.first?["evidence"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == [3, 4])
    }

    @Test func theLegacyURLsTripLegacyBackupRestore() throws {
        let h = try Harness()
        var c = Client(h, agent: "legacy/1")
        try c.signIn()
        #expect(c.get("\(Harness.dr)/backuprestore/backups?f=json").status == 200)
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["legacy-backuprestore"])
    }

    @Test func noFormatGetsHTMLAndTripsHTMLByAccident() throws {
        let h = try Harness()
        var c = Client(h, agent: "python-urllib/3.11")
        try c.signIn()
        let r = c.get("\(Harness.dr)/stores")
        #expect(r.header("content-type")?.contains("text/html") == true)
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["html-by-accident"])
        // A browser is expected to ask for pages.
        var browser = Client(h, agent: "Mozilla/5.0 (X11; Linux x86_64)")
        try browser.signIn()
        _ = browser.get("\(Harness.dr)/stores")
        #expect(try Self.findings(h, agent: browser.agent).isEmpty)
    }

    @Test func callingOnThroughTheOfflineWindowTripsOfflineHammering() throws {
        let h = try Harness()
        var c = Client(h, agent: "ignores-503/1")
        let t = try c.signIn()
        #expect(h.control("POST", "faults", [("plan", #"{"offlineMs": 60000}"#)], token: t).status == 200)
        for _ in 0..<4 {
            #expect(try h.errorCode(c.get("\(Harness.dr)/stores?f=json")) == 503)
            try h.advance(1000)
        }
        let f = try Self.findings(h, agent: c.agent, token: t)  // no sign-in while offline
        #expect(Self.rules(f) == ["offline-hammering"])
        #expect((f.first?["evidence"] as? [[String: Any]])?.count == 4)
    }

    @Test func askingTooLongATokenOrUsingAnExpiredOneTripsTokenLifetime() throws {
        let h = try Harness()
        var c = Client(h, agent: "forever-token/1")
        let t = try c.signIn(expiration: "525600")
        #expect(h.control("POST", "faults", [("plan", #"{"expireTokens": true}"#)], token: t).status == 200)
        #expect(try h.errorCode(c.get("\(Harness.dr)/stores?f=json")) == 498)
        #expect(try h.errorCode(c.get("\(Harness.dr)/status?f=json")) == 498)
        let f = try Self.findings(h, agent: c.agent)
        #expect(Self.rules(f) == ["token-lifetime"])
        #expect(f.count == 2)
    }

    /// Signs in once, sends its token in a header and f=json, polls with the clock moving, reads the
    /// status before anything else: nothing to report.
    @Test func aWellBehavedClientTripsNoRule() throws {
        let h = try Harness()
        var c = Client(h, agent: "well-behaved/1.0")
        try c.signIn()
        #expect(c.get("/arcgis/admin?f=json").status == 200)
        #expect(c.get("\(Harness.dr)/stores?f=json").status == 200)
        let job = try #require(try c.createBackup("nightly")["jobid"] as? String)
        for _ in 0..<3 {
            _ = c.get("\(Self.jobs)/\(job)?f=json")
            try h.advance(5000)
        }
        // Someone else's create is refused while this one runs; the client reads the status first.
        #expect((try c.createBackup("second")["error"] as? [String: Any])?["code"] as? Int == 409)
        _ = c.get("\(Harness.dr)/status?f=json")
        try h.server.runUntil(job: job)
        #expect(try h.json(c.get("\(Self.jobs)/\(job)?f=json"))["status"] as? String == "COMPLETED")
        #expect(c.get("\(Harness.dr)/stores/default/backups?f=pjson").status == 200)

        let report = try h.server.lint()
        #expect(report.findings.isEmpty, "\(report.text)")
        #expect(report.rules.count == 10)
        let t = try h.token()
        let json = try h.json(h.control("GET", "lint", token: t))
        #expect((json["findings"] as? [Any])?.isEmpty == true)
        #expect(json["context"] as? String == "arcgis")
        #expect((json["rules"] as? [[String: Any]])?.compactMap { $0["id"] as? String }.count == 10)
    }

    @Test func theReportNeedsATokenFiltersBySeverityAndHasAPage() throws {
        let h = try Harness()
        #expect(h.control("GET", "lint", token: nil).status == 401)
        var c = Client(h, agent: "legacy/1")
        let t = try c.signIn()
        _ = c.get("\(Harness.dr)/backuprestore/backups?f=json")
        _ = c.post("\(Harness.dr)/stores/default/backups/create?token=\(t)", [("name", "b"), ("passcode", "secret123"), ("f", "json")], bearer: false)
        let errors = try h.json(h.control("GET", "lint", [("severity", "error")], token: t))["findings"] as? [[String: Any]]
        #expect(errors?.compactMap { $0["rule"] as? String } == ["post-token-in-query"])
        #expect(h.control("GET", "lint", [("severity", "fatal")], token: t).status == 400)
        let page = h.control("GET", "lint", [("f", "html")], token: t)
        #expect(page.header("content-type")?.contains("text/html") == true)
        #expect(page.body.contains("legacy-backuprestore") && page.body.contains("post-token-in-query"))
        // Rules carry their threshold; each finding its reason.
        let json = try h.json(h.control("GET", "lint", token: t))
        #expect((json["rules"] as? [[String: Any]])?.allSatisfy { ($0["threshold"] as? String)?.isEmpty == false } == true)
        #expect((json["findings"] as? [[String: Any]])?.allSatisfy { ($0["why"] as? String)?.isEmpty == false } == true)
        #expect(String(decoding: h.server.lintReportsJSON(), as: UTF8.self).contains("\"reports\""))
    }
}
