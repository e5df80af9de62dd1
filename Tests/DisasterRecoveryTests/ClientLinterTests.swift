@testable import DisasterRecovery
import Testing

/// The linter as pure domain logic: requests in, findings out, no server.
@Suite struct ClientLinterTests {
    static let release = try! Release.named("11.5")
    static let status = "/c/admin/system/disasterrecovery/status"

    static func lint(_ requests: [ClientRequest], jobStatus: @escaping (String, Int64) -> JobStatus? = { _, _ in nil },
                     statusJob: @escaping (Int64) -> String? = { _ in nil }) -> LintReport {
        ClientLinter().lint(requests, context: "c", release: release, jobStatus: jobStatus, statusJob: statusJob)
    }

    static func get(_ seq: Int, _ path: String, at clock: Int64, user: String? = "admin", agent: String = "ua/1") -> ClientRequest {
        ClientRequest(seq: seq, clock: clock, method: "GET", path: path, format: "json", user: user, userAgent: agent, tokenPlaces: .header)
    }

    @Test func aRequestWithoutAUserGoesToTheOneUserOfItsUserAgent() {
        let refused = ClientRequest(seq: 2, clock: 0, method: "POST", path: "/c/admin/system/disasterrecovery/stores/s/backups/create",
                                    queryNames: ["token"], format: "json", userAgent: "ua/1", tokenPlaces: .query, status: 200, errorCode: 499)
        let one = Self.lint([Self.get(1, "/c/admin", at: 0), refused])
        #expect(one.findings.map(\.client) == [LintClient(user: "admin", userAgent: "ua/1"), LintClient(user: "admin", userAgent: "ua/1")])
        // With two users behind one User-Agent it cannot be told whose it was.
        let two = Self.lint([Self.get(1, "/c/admin", at: 0), Self.get(3, "/c/admin", at: 0, user: "viewer"), refused])
        #expect(Set(two.findings.map(\.client.user)) == [nil])
        #expect(Set(two.findings.map(\.rule.id)) == ["post-token-in-query", "secret-in-query"])
    }

    @Test func aFixedIntervalWithJitterIsNoBackoffAndAGrowingOneIsFine() {
        let jittered = (0..<20).map { i in Self.get(i + 1, Self.status, at: Int64(i) * 5000 + Int64((i * 37) % 300)) }
        #expect(Self.lint(jittered).findings.map(\.rule.id) == ["poll-rate"])
        var t: Int64 = 0
        let growing = (0..<20).map { i -> ClientRequest in
            defer { t += 1000 + Int64(i) * 400 }
            return Self.get(i + 1, Self.status, at: t)
        }
        #expect(Self.lint(growing).findings.isEmpty)
    }

    @Test func pollsAfterAFailureCountFromTheFirstThatSawIt() {
        let polls = (0..<6).map { i in Self.get(i + 1, "/c/admin/jobs/j1", at: Int64(i) * 10_000) }
        let failsAt20s: (String, Int64) -> JobStatus? = { id, at in id == "j1" ? (at >= 20_000 ? .failed : .executing) : nil }
        let report = Self.lint(polls, jobStatus: failsAt20s)
        #expect(report.findings.map(\.rule.id) == ["poll-after-failure"])
        #expect(report.findings.first?.evidence.map(\.seq) == [3, 4, 5, 6])
        // Two more polls are tolerated (one to read the message, one racing it).
        #expect(Self.lint(Array(polls.prefix(5)), jobStatus: failsAt20s).findings.isEmpty)
    }

    @Test func pollingTheStatusAfterItsJobFailedCountsUntilANewJob() {
        let polls = (0..<5).map { i in Self.get(i + 1, Self.status, at: Int64(i) * 10_000) }
        let failsAt10s: (String, Int64) -> JobStatus? = { id, at in id == "j1" ? (at >= 10_000 ? .failed : .executing) : .executing }
        let report = Self.lint(polls, jobStatus: failsAt10s, statusJob: { _ in "j1" })
        #expect(report.findings.map(\.rule.id) == ["poll-after-failure"])
        #expect(report.findings.first?.evidence.map(\.seq) == [2, 3, 4, 5])
        #expect(report.findings.first?.message.contains("showing job j1") == true)
        // A new job submitted at 30 s: the polls after it wait for that one.
        let renewed = Self.lint(polls, jobStatus: failsAt10s, statusJob: { at in at >= 30_000 ? "j2" : "j1" })
        #expect(renewed.findings.isEmpty)
    }

    @Test func severitiesOrderAndFilter() {
        #expect(LintSeverity.info < .warning && LintSeverity.warning < .error)
        let report = Self.lint([ClientRequest(seq: 1, clock: 0, method: "POST", path: "/c/admin/x", format: "json", userAgent: "ua/1",
                                              tokenPlaces: .query, errorCode: 499),
                                Self.get(2, "/c/admin/system/disasterrecovery/backuprestore/backups", at: 0)])
        #expect(report.findings(atLeast: .error).map(\.rule.id) == ["post-token-in-query"])
        #expect(report.findings(atLeast: .info).count == 2)
    }
}
