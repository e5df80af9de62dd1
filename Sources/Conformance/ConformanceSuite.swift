/// The checks: each a request sent alike to the deployment and to drmock. Read-only by default;
/// the write checks (``WriteChecks``) only with `--write`.
struct Probe: Sendable {
    enum Kind: Sendable {
        /// A JSON answer: status, content type, field names and types, stage names, durations, error envelope.
        case json
        /// A page (`f=html`): status and content type.
        case page
    }
    let name: String
    let method: String
    /// Under the context, with `{store}`, `{backup}`, `{job}`, `{task}` filled in per deployment.
    let path: String
    var query: [(String, String)] = [("f", "json")]
    var form: [(String, String)] = [("f", "json")]
    var credential: DeploymentSession.Credential = .token
    var kind: Kind = .json
    /// A field whose value is the resource's state (`$.status.state`): answers in different states
    /// have different shapes by design, so they are compared only when the states agree.
    var state: [String] = []

    static let dr = "/admin/system/disasterrecovery"

    /// GET, POST (read-only operations only: store validate) and the refusals.
    static let readOnly: [Probe] = [
        Probe(name: "admin root", method: "GET", path: "/admin"),
        Probe(name: "admin root (pjson)", method: "GET", path: "/admin", query: [("f", "pjson")]),
        Probe(name: "admin root (html)", method: "GET", path: "/admin", query: [("f", "html")], kind: .page),
        Probe(name: "no token", method: "GET", path: "\(dr)/stores", credential: .none),
        Probe(name: "invalid token", method: "GET", path: "\(dr)/stores", credential: .invalid),
        Probe(name: "disaster recovery", method: "GET", path: dr),
        Probe(name: "status", method: "GET", path: "\(dr)/status", state: ["status", "state"]),
        Probe(name: "stores", method: "GET", path: "\(dr)/stores"),
        Probe(name: "store", method: "GET", path: "\(dr)/stores/{store}"),
        Probe(name: "unknown store", method: "GET", path: "\(dr)/stores/drmock-conformance-no-such-store"),
        Probe(name: "store backups", method: "GET", path: "\(dr)/stores/{store}/backups"),
        Probe(name: "backup", method: "GET", path: "\(dr)/stores/{store}/backups/{backup}"),
        Probe(name: "backup (pjson)", method: "GET", path: "\(dr)/stores/{store}/backups/{backup}", query: [("f", "pjson")]),
        Probe(name: "unknown backup", method: "GET", path: "\(dr)/stores/{store}/backups/drmock-conformance-no-such-backup"),
        Probe(name: "store validate", method: "POST", path: "\(dr)/stores/{store}/validate", query: []),
        Probe(name: "settings", method: "GET", path: "\(dr)/settings"),
        Probe(name: "jobs", method: "GET", path: "/admin/jobs"),
        Probe(name: "job", method: "GET", path: "/admin/jobs/{job}"),
        Probe(name: "tasks", method: "GET", path: "/admin/system/tasks"),
        Probe(name: "task", method: "GET", path: "/admin/system/tasks/{task}"),
    ]
}

/// Token behaviour: the answer of generateToken, the lifetime it grants (asked for, by default, and
/// beyond the longest), and a wrong password.
enum TokenChecks {
    /// Lifetimes asked for (minutes; nil: the default).
    static let lifetimes: [(String, Int?)] = [("generateToken", nil), ("generateToken, 1 minute", 1),
                                             ("generateToken, longer than the longest", 100_000)]

    /// The lifetime of the baseline token each lifetime is measured against.
    static let baselineMinutes = 5

    /// The lifetime a token was given, in whole minutes: its `expires` less that of a token asked for
    /// ``baselineMinutes`` just before (`baseline`), plus those minutes. Measured on the deployment's own
    /// clock, so a drmock running faster than real time (`--speed`) is measured right; without a
    /// baseline, against the answer's `Date`.
    static func lifetimeMinutes(_ exchange: DeploymentSession.Exchange, baseline: Int64?) -> Int? {
        guard let expires = exchange.json?["expires"]?.int64Value else { return nil }
        if let baseline { return Int((Double(expires - baseline) / 60_000).rounded()) + baselineMinutes }
        guard let date = exchange.answer.header("date").flatMap(httpDateMilliseconds) else { return nil }
        return Int((Double(expires - date) / 60_000).rounded())
    }

    /// `Sun, 06 Dec 2026 01:34:24 GMT` (RFC 9110's IMF-fixdate) as epoch milliseconds.
    static func httpDateMilliseconds(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, let day = Int64(parts[1]), let m = months.firstIndex(of: String(parts[2])),
              let year = Int64(parts[3]) else { return nil }
        let hms = parts[4].split(separator: ":").compactMap { Int64($0) }
        guard hms.count == 3 else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let month = Int64(m + 1), y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + hms[0]) * 60 + hms[1]) * 60_000 + hms[2] * 1000
    }
}
