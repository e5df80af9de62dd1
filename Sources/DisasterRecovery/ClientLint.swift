/// The client-behaviour linter: rules over what one client sent to one context (the request
/// journal), each flagging a habit that works against drmock but hurts against a real deployment.
/// Pure: it reads requests as the journal kept them (never a secret's value) and asks the
/// deployment only what a job's status was at an instant.

/// One request of the emulated API as the linter reads it.
public struct ClientRequest: Sendable, Equatable {
    public var seq: Int
    /// The deployment's emulated time when it arrived (epoch ms).
    public var clock: Int64
    public var method: String
    /// The path as requested, e.g. `/arcgis/admin/jobs/j1`.
    public var path: String
    /// The names of its query parameters (values are not needed, and secrets' are never kept).
    public var queryNames: [String]
    /// The names of its form fields.
    public var formKeys: [String]
    /// Its `f` (query or form), nil when none was given.
    public var format: String?
    /// A sign-in's `expiration` (minutes), when it gave one.
    public var expiration: String?
    /// The token's user, if it carried a valid token (a sign-in's: the user it signed in).
    public var user: String?
    public var userAgent: String?
    /// Where it carried a token.
    public var tokenPlaces: TokenPlaces
    /// The HTTP status (0: the connection was broken by a socket fault, no answer).
    public var status: Int
    /// The error envelope's code, if the answer was an error.
    public var errorCode: Int?
    /// Answered by the offline window of a restore (the 503 envelope).
    public var offline: Bool

    public init(seq: Int, clock: Int64, method: String, path: String, queryNames: [String] = [], formKeys: [String] = [],
                format: String? = nil, expiration: String? = nil, user: String? = nil, userAgent: String? = nil,
                tokenPlaces: TokenPlaces = [], status: Int = 200, errorCode: Int? = nil, offline: Bool = false) {
        (self.seq, self.clock, self.method, self.path, self.queryNames, self.formKeys) = (seq, clock, method, path, queryNames, formKeys)
        (self.format, self.expiration, self.user, self.userAgent, self.tokenPlaces) = (format, expiration, user, userAgent, tokenPlaces)
        (self.status, self.errorCode, self.offline) = (status, errorCode, offline)
    }
}

/// Where a request carried its token: the query string, the form body, an authorization header.
public struct TokenPlaces: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let query = TokenPlaces(rawValue: 1)
    public static let body = TokenPlaces(rawValue: 2)
    public static let header = TokenPlaces(rawValue: 4)

    /// `["query", "body", "header"]`, those present.
    public var names: [String] {
        [(TokenPlaces.query, "query"), (.body, "body"), (.header, "header")].filter { contains($0.0) }.map(\.1)
    }
}

/// How bad a finding is, lowest first.
public enum LintSeverity: String, Sendable, Comparable, CaseIterable {
    case info, warning, error
    public static func < (a: LintSeverity, b: LintSeverity) -> Bool { a.rank < b.rank }
    private var rank: Int { LintSeverity.allCases.firstIndex(of: self) ?? 0 }
}

/// A client: the token's user and the User-Agent it sends, in one context.
public struct LintClient: Sendable, Hashable {
    public var user: String?
    public var userAgent: String?
    public init(user: String?, userAgent: String?) { (self.user, self.userAgent) = (user, userAgent) }
}

/// One rule: its id, severity, what it flags and why that hurts in production, and its threshold
/// with where the number comes from.
public struct LintRule: Sendable {
    public let id: String
    public let severity: LintSeverity
    /// One line: what it flags.
    public let summary: String
    /// One line: why it hurts against a real deployment.
    public let why: String
    /// When it fires, and the source of the number (a document, or drmock's own decision).
    public let threshold: String
    let check: @Sendable (ClientHistory) -> [(message: String, evidence: [ClientRequest])]
}

/// One thing a client did that a rule flags, with the requests that show it.
public struct LintFinding: Sendable {
    public var rule: LintRule
    public var client: LintClient
    /// One line: what the client did.
    public var message: String
    public var evidence: [ClientRequest]
}

/// Everything the linter found in one context.
public struct LintReport: Sendable {
    public var context: String
    public var release: String
    public var rules: [LintRule]
    public var findings: [LintFinding]

    /// The findings of at least `severity`.
    public func findings(atLeast severity: LintSeverity) -> [LintFinding] { findings.filter { $0.rule.severity >= severity } }
}

/// What one client sent, oldest first, with what the rules need to know of the deployment.
struct ClientHistory {
    var client: LintClient
    var requests: [ClientRequest]
    var release: Release
    /// A job's status at an emulated instant (nil if the job is unknown).
    var jobStatus: (String, Int64) -> JobStatus?
    /// The job the status resource shows at an emulated instant: the latest submitted by then.
    var statusJob: (Int64) -> String?
}

/// Runs the rules over a context's requests, one client at a time.
public struct ClientLinter: Sendable {
    public let rules: [LintRule]
    public init(rules: [LintRule] = LintRules.all) { self.rules = rules }

    /// Groups `requests` per client (a request without a user, such as a refused one or an OAuth
    /// step, goes to the one user seen with its User-Agent, when there is exactly one) and runs every rule.
    public func lint(_ requests: [ClientRequest], context: String, release: Release,
                     jobStatus: @escaping (String, Int64) -> JobStatus?,
                     statusJob: @escaping (Int64) -> String? = { _ in nil }) -> LintReport {
        var usersByAgent: [String: Set<String>] = [:]
        for r in requests { if let u = r.user { usersByAgent[r.userAgent ?? "", default: []].insert(u) } }
        var order: [LintClient] = []
        var byClient: [LintClient: [ClientRequest]] = [:]
        for r in requests {
            let agentUsers = usersByAgent[r.userAgent ?? ""] ?? []
            let user = r.user ?? (agentUsers.count == 1 ? agentUsers.first : nil)
            let client = LintClient(user: user, userAgent: r.userAgent)
            if byClient[client] == nil { order.append(client) }
            byClient[client, default: []].append(r)
        }
        var findings: [LintFinding] = []
        for client in order {
            let history = ClientHistory(client: client, requests: byClient[client] ?? [], release: release,
                                        jobStatus: jobStatus, statusJob: statusJob)
            for rule in rules {
                for hit in rule.check(history) {
                    findings.append(LintFinding(rule: rule, client: client, message: hit.message, evidence: hit.evidence))
                }
            }
        }
        return LintReport(context: context, release: release.name, rules: rules, findings: findings)
    }
}

extension Deployment {
    /// The linter's report on `requests` (this context's journal), job statuses read from this deployment.
    public func lint(_ requests: [ClientRequest], linter: ClientLinter = ClientLinter()) -> LintReport {
        let jobs = ((try? jobIDs()) ?? []).compactMap { try? job(id: $0).job }.sorted { $0.submittedAt < $1.submittedAt }
        let byID = Dictionary(jobs.map { ($0.jobID, $0) }, uniquingKeysWith: { a, _ in a })
        return linter.lint(requests, context: context, release: releaseProfile,
                           jobStatus: { id, at in byID[id]?.progress(at: at).status },
                           statusJob: { at in jobs.last { $0.submittedAt <= at }?.jobID })
    }
}
