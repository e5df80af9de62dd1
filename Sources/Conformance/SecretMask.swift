import AdminAPI
import HTTPServer

/// What no report, transcript or fixture may show: tokens, passwords and passcodes (masked as `***`),
/// and the hosts talked to (replaced by a name such as `<deployment>`), so a report can be pasted
/// into an issue as it is.
public struct SecretMask: Sendable {
    /// Plain secret values seen or sent (longest first when applied).
    private(set) var secrets: [String] = []
    /// `host[:port]` -> its stand-in.
    private(set) var hosts: [(String, String)] = []

    /// Fields and parameters whose values are secrets, whatever they hold.
    static let secretKeys: Set<String> = ["token", "access_token", "refresh_token", "password", "passcode", "new_password",
                                          "oauth_state", "client_secret"]
    static let mask = "***"

    public init() {}

    /// Masks `value` wherever it appears (values shorter than 4 characters are too common to mask).
    public mutating func add(secret value: String) {
        guard value.count >= 4, !secrets.contains(value) else { return }
        secrets.append(value)
        secrets.sort { $0.count > $1.count }
    }

    /// Replaces `host:port` by `name`, and the bare host too when `port` is the scheme's default
    /// (URLs then name the host alone; with another port, the bare host may be someone else's).
    public mutating func add(host: String, port: Int, defaultPort: Bool = false, as name: String) {
        let h = host.contains(":") ? "[\(host)]" : host
        hosts.append(("\(h):\(port)", name))
        if defaultPort { hosts.append((h, name)) }
    }

    public func text(_ s: String) -> String {
        var out = s
        for secret in secrets where out.contains(secret) { out = out.replacing(secret, with: Self.mask) }
        for (host, name) in hosts where out.contains(host) { out = out.replacing(host, with: name) }
        return out
    }

    public func json(_ value: JSONValue, key: String = "") -> JSONValue {
        switch value {
        case .string(let s): return Self.secretKeys.contains(key.lowercased()) ? .string(Self.mask) : .string(text(s))
        case .array(let items): return .array(items.map { json($0, key: key) })
        case .object(let pairs): return .object(pairs.map { ($0.0, json($0.1, key: $0.0)) })
        default: return value
        }
    }

    /// Form or query pairs with secret parameters masked.
    public func pairs(_ pairs: [(String, String)]) -> [(String, String)] {
        pairs.map { (name, value) in (name, Self.secretKeys.contains(name.lowercased()) ? Self.mask : text(value)) }
    }

    /// `METHOD path?query` with the query's secrets masked.
    func request(_ method: String, _ path: String, query: [(String, String)]) -> String {
        let q = self.pairs(query).map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return "\(method) \(text(path))\(q.isEmpty ? "" : "?" + q)"
    }
}
