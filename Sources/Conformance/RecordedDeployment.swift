import AdminAPI
import DisasterRecovery
import HTTPClient
import HTTPServer

/// What a recording proxy saw of a deployment: its release, stores, backups, DR settings and tasks
/// (from the answers of GETs), who signed in (their password kept only as a salted hash), and the
/// transcript of every exchange, masked. It becomes a fixture that `drmock serve --fixture` loads.
struct RecordedDeployment {
    var mask = SecretMask()
    var release: String?
    var stores: [JSONValue]?
    /// Store name -> its backups, as listed.
    var backups: [String: [JSONValue]] = [:]
    var settings: JSONValue?
    var tasks: [JSONValue]?
    /// Username -> password hash, role, privileges.
    var users: [String: (hash: String, role: String?, privileges: [String]?)] = [:]
    var transcript: [JSONValue] = []
    /// The salted hash standing for the passcodes of recorded backups, which the proxy never sees.
    let unknownPasscodeHash: String

    init(upstream: HTTPOrigin) throws {
        mask.add(host: upstream.host, port: upstream.port, defaultPort: upstream.hasDefaultPort, as: "<upstream>")
        unknownPasscodeHash = try SecretHash.make(WriteChecks.randomText(32, alphabet: "abcdefghijklmnopqrstuvwxyz0123456789"))
    }

    /// Takes in one exchange: its secrets first (so the transcript never holds them), then what the
    /// answer says. `forwarded: false`: the proxy answered itself (a refused restore).
    mutating func observe(_ request: Request, answer: HTTPAnswer, forwarded: Bool = true) {
        for (name, value) in request.query + request.form where SecretMask.secretKeys.contains(name.lowercased()) {
            mask.add(secret: value)
        }
        for value in [request.header("authorization"), request.header("x-esri-authorization")].compactMap({ $0 }) {
            mask.add(secret: String(value.drop { $0 != " " }.dropFirst()))
        }
        let json = try? JSONValue.parse(answer.text)
        for key in ["token", "access_token", "refresh_token"] {
            if let token = json?[key]?.stringValue { mask.add(secret: token) }
        }
        let ok = forwarded && answer.status == 200 && json != nil && json?["error"] == nil
        let path = request.path
        if ok, let json {
            if path.hasSuffix("/sharing/rest/generateToken"), let user = request.formValue("username"),
               let password = request.formValue("password"), users[user] == nil || users[user]?.hash.isEmpty == true,
               let hash = try? SecretHash.make(password) {
                users[user] = (hash, nil, nil)
            } else if path.hasSuffix("/sharing/rest/community/self"), let user = json["username"]?.stringValue, let known = users[user] {
                users[user] = (known.hash, json["role"]?.stringValue, json["privileges"]?.arrayValue?.compactMap(\.stringValue))
            } else if request.method == "GET" {
                observeResource(path, json)
            }
        }
        transcript.append(entry(request, answer: answer, json: json, forwarded: forwarded))
    }

    private mutating func observeResource(_ path: String, _ json: JSONValue) {
        let parts = path.split(separator: "/").map(String.init)
        guard let admin = parts.lastIndex(of: "admin") else { return }
        let rest = Array(parts[(admin + 1)...])
        switch rest.count {
        case 0:
            release = json["fullVersion"]?.stringValue.flatMap { try? Release.named($0).name } ?? release
        case 3 where rest == ["system", "disasterrecovery", "stores"]:
            stores = json["backupStores"]?.arrayValue
        case 3 where rest == ["system", "disasterrecovery", "settings"]:
            settings = json
        case 2 where rest == ["system", "tasks"]:
            tasks = json["tasks"]?.arrayValue
        case 5 where rest.prefix(3) == ["system", "disasterrecovery", "stores"] && rest[4] == "backups":
            backups[rest[3]] = json["backups"]?.arrayValue
        default:
            break
        }
    }

    private func entry(_ request: Request, answer: HTTPAnswer, json: JSONValue?, forwarded: Bool) -> JSONValue {
        let contentType = answer.header("content-type") ?? ""
        let body: JSONValue = json.map { mask.json($0) } ?? .string(mask.text(String(answer.text.prefix(4000))))
        return .object([
            ("method", .string(request.method)),
            ("path", .string(mask.text(request.path))),
            ("query", .object(mask.pairs(request.query.map { ($0.name, $0.value) }).map { ($0.0, .string($0.1)) })),
            ("form", .object(mask.pairs(request.form.map { ($0.name, $0.value) }).map { ($0.0, .string($0.1)) })),
            ("forwarded", .bool(forwarded)),
            ("status", .int(Int64(answer.status))),
            ("contentType", .string(contentType)),
            ("answer", body),
        ])
    }

    /// `{"transcript": [...], "tasks": [...]}`, masked (tasks are not part of the fixture format).
    var transcriptJSON: JSONValue {
        ["exchanges": .array(transcript), "tasks": mask.json(.array(tasks ?? []))]
    }

    /// A store as listed, in the fixture's shape: a cloud store's bucket or container (top-level fields
    /// in the answer) goes under `cloud`, as ``BackupStore`` keeps it.
    static func fixtureStore(_ wire: JSONValue) -> JSONValue {
        guard case .object(let pairs) = wire else { return wire }
        let cloudKeys: Set<String> = ["bucketName", "region", "containerName", "accountEndpointUrl", "credentialType"]
        let cloud = pairs.filter { cloudKeys.contains($0.0) }
        guard !cloud.isEmpty else { return wire }
        let provider: JSONValue = wire["type"]?.stringValue == "AZURE_BLOBSTORE" ? "AZURE" : "AWS"
        return .object(pairs.filter { !cloudKeys.contains($0.0) } + [("cloud", .object([("provider", provider)] + cloud))])
    }

    /// The fixture: `base` (the default fixture's JSON: timings, cluster) with what was seen put in.
    func fixture(base: JSONValue) -> JSONValue {
        guard case .object(var pairs) = base else { return base }
        func set(_ key: String, _ value: JSONValue) {
            if let i = pairs.firstIndex(where: { $0.0 == key }) { pairs[i].1 = value } else { pairs.append((key, value)) }
        }
        set("name", "recorded")
        if let release { set("release", .string(release)) }
        if !users.isEmpty {
            set("users", .array(users.sorted { $0.key < $1.key }.map { name, user in
                .object([("username", .string(name)), ("passwordHash", .string(user.hash)),
                         ("role", .string(user.role ?? "org_admin")),
                         ("privileges", JSONValue(user.privileges ?? ["portal:admin:manageSecurity", "portal:admin:viewUsers", "portal:admin:manageEnterprise"]))])
            }))
        }
        if let stores { set("stores", .array(stores.map(Self.fixtureStore))) }
        let storeNames = (stores ?? []).compactMap { $0["name"]?.stringValue }
        if stores != nil {
            let recorded: [JSONValue] = storeNames.flatMap { backups[$0] ?? [] }.map { backup in
                guard case .object(var b) = backup else { return backup }
                b.append(("passcodeHash", .string(unknownPasscodeHash)))
                return .object(b)
            }
            set("backups", .array(recorded))
            if let first = recorded.first {
                if let site = first["siteName"] { set("siteName", site) }
                if let namespace = first["namespace"] { set("namespace", namespace) }
            }
        }
        if let settings { set("drSettings", settings) }
        return .object(pairs)
    }
}
