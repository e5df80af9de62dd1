import AdminAPI
import DisasterRecovery
import HTTPClient
#if canImport(Glibc)
import Glibc
#endif

/// What `drmock conformance` is asked to do.
public struct ConformanceOptions: Sendable {
    /// `https://host/<context>`.
    public var url: String
    public var username: String
    public var password: String
    /// The release to compare with; nil: the deployment's own, read from `/admin`.
    public var release: String?
    /// `--write`: create, poll and delete a scratch backup in ``store``. Never a restore, never settings or stores.
    public var write = false
    public var store: String?
    public var caBundle: String?
    public var insecure = false
    public var timeoutSeconds = 30
    /// How long a scratch backup may take on the deployment.
    public var writeTimeoutSeconds = 1800
    public var pollMilliseconds = 2000

    public init(url: String, username: String, password: String, release: String? = nil) {
        self.url = url
        self.username = username
        self.password = password
        self.release = release
    }
}

/// `drmock conformance`: runs every check against the deployment and against an embedded drmock of
/// the same release (port 0, in-memory catalog, the default fixture, a manual clock), and reports
/// where the answers differ in shape: values that legitimately differ (ids, times, names) do not count.
public struct ConformanceRun: Sendable {
    /// The default fixture's administrator, whom drmock's side signs in as.
    static let referenceUser = ("admin", "drmock-admin-1")

    public let options: ConformanceOptions
    /// drmock's side: the default fixture unless a test gives another.
    let referenceFixture: Fixture?

    public init(_ options: ConformanceOptions, referenceFixture: Fixture? = nil) {
        self.options = options
        self.referenceFixture = referenceFixture
    }

    /// Runs the suite; throws ``ConformanceError`` when it cannot (exit status 2).
    public func run() throws -> ConformanceReport {
        guard let origin = HTTPOrigin(url: options.url) else {
            throw ConformanceError.cannotRun("'\(options.url)' is not an http:// or https:// URL")
        }
        let client = HTTPClient(caBundle: options.caBundle, insecure: options.insecure, timeoutMilliseconds: options.timeoutSeconds * 1000)
        var mask = SecretMask()
        mask.add(secret: options.password)
        mask.add(host: origin.host, port: origin.port, defaultPort: origin.hasDefaultPort, as: "<deployment>")
        var target = DeploymentSession(origin: origin, client: client)
        do {
            try target.signIn(username: options.username, password: options.password, mask: &mask)
        } catch let e as HTTPClientError {
            throw ConformanceError.unreachable(mask.text(e.description))
        }
        let release: Release
        do {
            release = try options.release.map(Release.named) ?? target.release(mask: mask)
        } catch let e as FixtureError {
            throw ConformanceError.cannotRun(e.description)
        } catch let e as HTTPClientError {
            throw ConformanceError.unreachable(mask.text(e.description))
        }

        let fixture = try referenceFixture ?? FixtureLocator.load("default")
        let server = try DRMockServer(options: .init(host: "127.0.0.1", port: 0, databasePath: ":memory:", fixture: fixture,
                                                     clockMode: .manual, release: release.name, controlPlane: false))
        try server.start()
        defer { server.stop() }
        mask.add(host: "127.0.0.1", port: Int(server.port), as: "<drmock>")
        mask.add(secret: Self.referenceUser.1)
        var reference = DeploymentSession(origin: HTTPOrigin(url: server.baseURL)!, client: HTTPClient())
        try reference.signIn(username: Self.referenceUser.0, password: Self.referenceUser.1, mask: &mask)

        target.discover(preferredStore: options.store, mask: mask)
        reference.discover(preferredStore: nil, mask: mask)

        var results: [CheckResult] = []
        for probe in Probe.readOnly {
            results.append(check(probe, target: target, reference: reference, mask: mask))
        }
        results += tokenChecks(target: target, reference: reference, mask: &mask)
        if options.write {
            var writes = WriteChecks(run: self, target: target, reference: reference, server: server, release: release)
            results += writes.run(mask: &mask)
        }
        return ConformanceReport(target: mask.text(options.url), release: release.name, drmockVersion: DRMockVersion.current, results: results)
    }

    /// One probe on both sides.
    func check(_ probe: Probe, target: DeploymentSession, reference: DeploymentSession, mask: SecretMask) -> CheckResult {
        guard let tPath = target.resolve(probe.path) else {
            return CheckResult(name: probe.name, request: "\(probe.method) \(probe.path)", outcome: .skipped("the deployment has no \(Self.missing(probe.path, target)) to read"))
        }
        guard let dPath = reference.resolve(probe.path) else {
            return CheckResult(name: probe.name, request: "\(probe.method) \(probe.path)", outcome: .skipped("drmock's fixture has no \(Self.missing(probe.path, reference)) to compare with"))
        }
        let form = probe.method == "GET" ? [] : probe.form
        return compare(name: probe.name, kind: probe.kind, mask: mask, state: probe.state,
                       target: { try target.send(probe.method, tPath, query: probe.query, form: form, credential: probe.credential, mask: mask) },
                       drmock: { try reference.send(probe.method, dPath, query: probe.query, form: form, credential: probe.credential, mask: mask) })
    }

    static func missing(_ path: String, _ session: DeploymentSession) -> String {
        ["store", "backup", "job", "task"].first { path.contains("{\($0)}") && session.names[$0] == nil } ?? "value"
    }

    /// Sends both requests and compares the answers.
    func compare(name: String, kind: Probe.Kind, mask: SecretMask, extra: [Difference] = [], state: [String] = [],
                 target: () throws -> DeploymentSession.Exchange, drmock: () throws -> DeploymentSession.Exchange) -> CheckResult {
        let t: DeploymentSession.Exchange
        do { t = try target() } catch {
            return CheckResult(name: name, request: "", outcome: .skipped("the deployment did not answer: \(mask.text("\(error)"))"))
        }
        let d: DeploymentSession.Exchange
        do { d = try drmock() } catch {
            return CheckResult(name: name, request: t.request, outcome: .skipped("drmock did not answer: \(error)"))
        }
        if !state.isEmpty {
            let ts = Self.value(at: state, in: t.json), ds = Self.value(at: state, in: d.json)
            if ts != ds {
                return CheckResult(name: name, request: t.request,
                                   outcome: .skipped("the deployment's \(state.joined(separator: ".")) is \(ts ?? "missing"), drmock's \(ds ?? "missing") (--write compares both after a backup)"))
            }
        }
        let differences = Self.differences(t, d, kind: kind) + extra
        var result = CheckResult(name: name, request: t.request, outcome: differences.isEmpty ? .same : .differs(differences))
        if !differences.isEmpty {
            result.targetAnswer = Self.answer(t, mask: mask)
            result.drmockAnswer = Self.answer(d, mask: mask)
        }
        return result
    }

    static func value(at path: [String], in json: JSONValue?) -> String? {
        var v = json
        for key in path { v = v?[key] }
        return v.map { $0.stringValue ?? $0.serializedString() }
    }

    static func differences(_ t: DeploymentSession.Exchange, _ d: DeploymentSession.Exchange, kind: Probe.Kind) -> [Difference] {
        var out: [Difference] = []
        if t.answer.status != d.answer.status {
            out.append(Difference(aspect: .status, path: "", target: String(t.answer.status), drmock: String(d.answer.status)))
        }
        if t.mediaType != d.mediaType {
            out.append(Difference(aspect: .contentType, path: "", target: t.mediaType, drmock: d.mediaType))
        }
        guard kind == .json else { return out }
        switch (t.json, d.json) {
        case (let tj?, let dj?):
            out += AnswerShape.differences(target: AnswerShape(tj), drmock: AnswerShape(dj))
            out += AnswerValues.differences(target: tj, drmock: dj)
        case (nil, _?):
            out.append(Difference(aspect: .notJSON, path: "", target: "not JSON", drmock: "JSON"))
        case (_?, nil):
            out.append(Difference(aspect: .notJSON, path: "", target: "JSON", drmock: "not JSON"))
        case (nil, nil):
            break
        }
        return out
    }

    /// An answer for the JSON report: status, content type and the body (JSON, or its first 2,000 characters), masked.
    static func answer(_ e: DeploymentSession.Exchange, mask: SecretMask) -> JSONValue {
        let body: JSONValue = e.json.map { mask.json($0) } ?? .string(mask.text(String(e.answer.text.prefix(2000))))
        return ["status": .int(Int64(e.answer.status)), "contentType": .string(e.mediaType), "body": body]
    }

    /// generateToken's answer and lifetimes, and a wrong password.
    func tokenChecks(target: DeploymentSession, reference: DeploymentSession, mask: inout SecretMask) -> [CheckResult] {
        var results: [CheckResult] = []
        let baselines = [(target, options.username, options.password), (reference, Self.referenceUser.0, Self.referenceUser.1)].map { session, user, password in
            let e = try? session.generateToken(username: user, password: password, expiration: TokenChecks.baselineMinutes, mask: mask)
            if let token = e?.json?["token"]?.stringValue { mask.add(secret: token) }
            return e?.json?["expires"]?.int64Value
        }
        for (name, minutes) in TokenChecks.lifetimes {
            var exchanges: [DeploymentSession.Exchange] = []
            let signIn = { (session: DeploymentSession, user: String, password: String, mask: SecretMask) throws -> DeploymentSession.Exchange in
                try session.generateToken(username: user, password: password, expiration: minutes, mask: mask)
            }
            // Tokens are masked before anything is reported: sign in on both sides first.
            for (session, user, password) in [(target, options.username, options.password), (reference, Self.referenceUser.0, Self.referenceUser.1)] {
                if let e = try? signIn(session, user, password, mask) {
                    if let token = e.json?["token"]?.stringValue { mask.add(secret: token) }
                    exchanges.append(e)
                }
            }
            guard exchanges.count == 2 else {
                results.append(CheckResult(name: name, request: "POST /sharing/rest/generateToken", outcome: .skipped("no answer from \(exchanges.isEmpty ? "the deployment" : "drmock")")))
                continue
            }
            var extra: [Difference] = []
            let tl = TokenChecks.lifetimeMinutes(exchanges[0], baseline: baselines[0])
            let dl = TokenChecks.lifetimeMinutes(exchanges[1], baseline: baselines[1])
            if let tl, let dl, tl != dl {
                extra.append(Difference(aspect: .tokenLifetime, path: "$.expires", target: "\(tl) minutes", drmock: "\(dl) minutes"))
            }
            results.append(compare(name: name, kind: .json, mask: mask, extra: extra, target: { exchanges[0] }, drmock: { exchanges[1] }))
        }
        let wrong = "drmock-conformance-wrong-password"
        results.append(compare(name: "generateToken, wrong password", kind: .json, mask: mask,
                               target: { try target.generateToken(username: options.username, password: wrong, expiration: nil, mask: mask) },
                               drmock: { try reference.generateToken(username: Self.referenceUser.0, password: wrong, expiration: nil, mask: mask) }))
        return results
    }
}
