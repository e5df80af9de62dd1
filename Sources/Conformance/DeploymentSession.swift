import AdminAPI
import DisasterRecovery
import HTTPClient
import HTTPServer

/// One side of a comparison: a deployment's URL (`https://host/<context>`), the client that talks
/// to it, the token once signed in, and what was found there to name in paths (a store, a backup, a
/// job, a task).
struct DeploymentSession: Sendable {
    enum Credential: Sendable { case token, none, invalid }

    let origin: HTTPOrigin
    let client: HTTPClient
    var token: String?
    /// `{store}`, `{backup}`, `{job}`, `{task}` -> their values on this deployment.
    var names: [String: String] = [:]

    /// An answer with its body read as JSON when it is JSON.
    struct Exchange: Sendable {
        var request: String
        var answer: HTTPAnswer
        var json: JSONValue?
        var mediaType: String {
            String((answer.header("content-type") ?? "").prefix { $0 != ";" }).lowercased()
        }
    }

    init(origin: HTTPOrigin, client: HTTPClient) {
        self.origin = origin
        self.client = client
    }

    /// `path` (under the context: `/admin/...`) with `{name}` placeholders filled in; nil if one is unknown here.
    func resolve(_ path: String) -> String? {
        var out = path
        for (key, value) in names { out = out.replacing("{\(key)}", with: URLEncoding.encode(value)) }
        return out.contains("{") ? nil : out
    }

    /// Sends a request; GET carries the token in the query, POST in the form (decision 9), as the
    /// documents ask. Every request names the deployment's own root as Referer, which the token is bound to.
    func send(_ method: String, _ path: String, query: [(String, String)] = [("f", "json")], form: [(String, String)] = [],
              credential: Credential = .token, mask: SecretMask) throws -> Exchange {
        var query = query, form = form
        let token: String? = switch credential {
        case .token: self.token
        case .none: nil
        case .invalid: "drmock-conformance-invalid-token"
        }
        if let token { if method == "GET" { query.append(("token", token)) } else { form.append(("token", token)) } }
        let full = origin.basePath + path
        let target = query.isEmpty ? full : full + "?" + URLEncoding.encodePairs(query)
        var headers: [(name: String, value: String)] = [("Referer", origin.root + "/"), ("Accept", "application/json, text/html")]
        var body: [UInt8] = []
        if method != "GET" {
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(URLEncoding.encodePairs(form).utf8)
        }
        let answer = try client.send(method, target, to: origin, headers: headers, body: body)
        let json = try? JSONValue.parse(answer.text)
        return Exchange(request: mask.request(method, full, query: query), answer: answer, json: json)
    }

    /// `generateToken` with `username` and `password` (and a lifetime in minutes, if given).
    func generateToken(username: String, password: String, expiration: Int?, mask: SecretMask) throws -> Exchange {
        var form = [("username", username), ("password", password), ("client", "referer"), ("referer", origin.root + "/"), ("f", "json")]
        if let expiration { form.append(("expiration", String(expiration))) }
        return try send("POST", "/sharing/rest/generateToken", query: [], form: form, credential: .none, mask: mask)
    }

    /// Signs in; throws ``ConformanceError/signInRefused(_:)`` with the deployment's own message.
    mutating func signIn(username: String, password: String, mask: inout SecretMask) throws {
        let exchange = try generateToken(username: username, password: password, expiration: 60, mask: mask)
        guard let token = exchange.json?["token"]?.stringValue else {
            let message = exchange.json?["error"]?["message"]?.stringValue ?? "HTTP \(exchange.answer.status), no token in the answer"
            throw ConformanceError.signInRefused(mask.text(message))
        }
        mask.add(secret: token)
        self.token = token
    }

    /// The release the deployment reports at `/admin` (`fullVersion`, else `currentVersion`).
    func release(mask: SecretMask) throws -> Release {
        let admin = try send("GET", "/admin", mask: mask).json
        if let full = admin?["fullVersion"]?.stringValue, let r = try? Release.named(full) { return r }
        let current: Double? = switch admin?["currentVersion"] {
        case .double(let d)?: d
        case .int(let i)?: Double(i)
        case .string(let s)?: Double(s)
        default: nil
        }
        if let current, let r = Release.all.first(where: { abs($0.currentVersion - current) < 0.0001 }) { return r }
        throw ConformanceError.cannotRun("the deployment's /admin names no release drmock knows (\(admin.map { $0.serializedString() } ?? "no JSON")); give --release")
    }

    /// Finds what the checks name in paths: the store (`preferredStore`, else the default, else the
    /// first), its first backup, the first job and the first task.
    mutating func discover(preferredStore: String?, mask: SecretMask) {
        let dr = "/admin/system/disasterrecovery"
        if let stores = (try? send("GET", "\(dr)/stores", mask: mask))?.json?["backupStores"]?.arrayValue {
            let chosen = preferredStore.flatMap { p in stores.first { $0["name"]?.stringValue == p } }
                ?? stores.first { $0["default"]?.boolValue == true } ?? stores.first
            names["store"] = chosen?["name"]?.stringValue
        }
        if let store = names["store"], let backups = (try? send("GET", "\(dr)/stores/\(URLEncoding.encode(store))/backups", mask: mask))?
            .json?["backups"]?.arrayValue {
            names["backup"] = backups.first?["backupName"]?.stringValue
        }
        if let jobs = (try? send("GET", "/admin/jobs", mask: mask))?.json?["jobs"]?.arrayValue {
            names["job"] = jobs.first.flatMap { $0.stringValue ?? $0["jobid"]?.stringValue }
        }
        if let tasks = (try? send("GET", "/admin/system/tasks", mask: mask))?.json?["tasks"]?.arrayValue {
            names["task"] = tasks.first.flatMap { $0["id"]?.stringValue ?? $0["id"]?.int64Value.map { String($0) } }
        }
    }
}

/// Why a run could not be done (exit status 2).
public enum ConformanceError: Error, CustomStringConvertible, Sendable {
    case unreachable(String)
    case signInRefused(String)
    case cannotRun(String)

    public var description: String {
        switch self {
        case .unreachable(let why): "the deployment cannot be reached: \(why)"
        case .signInRefused(let why): "sign-in refused: \(why)"
        case .cannotRun(let why): why
        }
    }
}
