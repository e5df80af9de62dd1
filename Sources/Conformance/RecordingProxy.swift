import AdminAPI
import DisasterRecovery
import HTTPClient
import HTTPServer
import Synchronization

/// `drmock record`: a proxy that forwards every request to a real deployment, answers with what it
/// answered (its URLs pointed back at the proxy), and keeps writing what it saw into a fixture and a
/// transcript (``RecordedDeployment``), secrets masked and the upstream host replaced. A restore is
/// not forwarded unless ``Options/allowRestore``: it replaces the upstream's organization.
public final class RecordingProxy: Sendable {
    public struct Options: Sendable {
        /// `https://host/<context>`.
        public var upstream: String
        /// The fixture file to write; the transcript goes beside it (``transcriptPath``).
        public var fixturePath: String
        public var transcriptPath: String?
        public var host = "127.0.0.1"
        public var port: UInt16 = 7443
        public var allowRestore = false
        public var caBundle: String?
        public var insecure = false
        public var timeoutSeconds = 120
        /// The fixture whose timings and cluster the recording starts from (name or path).
        public var baseFixture = "default"

        public init(upstream: String, fixturePath: String) {
            self.upstream = upstream
            self.fixturePath = fixturePath
        }
    }

    public let options: Options
    let upstream: HTTPOrigin
    let client: HTTPClient
    let recording: Mutex<RecordedDeployment>
    /// The default fixture's JSON: what the recording does not see (timings, cluster) comes from it.
    let base: JSONValue
    let server: Server

    public init(options: Options) throws {
        guard let upstream = HTTPOrigin(url: options.upstream) else {
            throw FixtureError("--upstream must be an http:// or https:// URL, not '\(options.upstream)'")
        }
        guard let bytes = FixtureLocator.readFile(try FixtureLocator.locate(options.baseFixture)) else {
            throw FixtureError("cannot read the fixture '\(options.baseFixture)'")
        }
        self.options = options
        self.upstream = upstream
        base = try JSONValue.parse(String(decoding: bytes, as: UTF8.self))
        client = HTTPClient(caBundle: options.caBundle, insecure: options.insecure, timeoutMilliseconds: options.timeoutSeconds * 1000)
        recording = Mutex(try RecordedDeployment(upstream: upstream))
        var config = Server.Configuration()
        config.host = options.host
        config.port = options.port
        // Forwarding waits on the upstream: never on the server's own threads.
        config.offload = { _ in true }
        let box = HandlerBox()
        server = Server(configuration: config) { request in box.proxy?.forward(request) ?? .now(Response(status: 503)) }
        box.proxy = self
    }

    public var transcriptPath: String { options.transcriptPath ?? Self.transcriptPath(for: options.fixturePath) }

    /// `recording.json` -> `recording.transcript.json`.
    public static func transcriptPath(for fixturePath: String) -> String {
        (fixturePath.hasSuffix(".json") ? String(fixturePath.dropLast(5)) : fixturePath) + ".transcript.json"
    }

    public func start() throws {
        try server.start()
        try write()
    }

    public func stop() { server.stop() }

    public var port: UInt16 { server.port }

    /// The proxy's URL for the upstream's context, e.g. `http://127.0.0.1:7443/arcgis`.
    public var baseURL: String { "http://\(options.host == "0.0.0.0" ? "127.0.0.1" : options.host):\(port)\(upstream.basePath)" }

    /// The fixture as recorded so far.
    public var fixtureJSON: JSONValue { recording.withLock { $0.fixture(base: base) } }

    /// A restore's URL, whatever the method, letter case or trailing slashes: a real deployment may be
    /// more lenient than drmock about those, and a restore forwarded by mistake replaces an organization.
    static func isRestore(_ path: String) -> Bool {
        var p = Substring(path.lowercased())
        while p.hasSuffix("/") { p = p.dropLast() }
        return p.hasSuffix("/restore")
    }

    func forward(_ request: Request) -> Reply {
        if !options.allowRestore, Self.isRestore(request.path) {
            let refusal: JSONValue = ["error": [
                "code": 403,
                "message": "drmock record does not forward a restore: it would replace the upstream deployment's organization.",
                "details": ["Start drmock record with --allow-restore to forward restores."],
            ]]
            let answer = HTTPAnswer(status: 200, headers: [("content-type", "application/json; charset=utf-8")], body: refusal.serialized())
            recording.withLock { $0.observe(request, answer: answer, forwarded: false) }
            try? write()
            return .now(Response(status: 200, headers: [("Content-Type", "application/json; charset=utf-8")], body: answer.body))
        }
        let path = request.path.split(separator: "/", omittingEmptySubsequences: false).map { URLEncoding.encode(String($0)) }.joined(separator: "/")
        let query = URLEncoding.encodePairs(request.query.map { ($0.name, $0.value) })
        // Headers go as the client sent them (the client sets its own Host and framing): a token made
        // with `client=referer` is bound to the client's Referer, which must reach the upstream unchanged.
        let headers = request.headers
        let answer: HTTPAnswer
        do {
            answer = try client.send(request.method, query.isEmpty ? path : path + "?" + query, to: upstream, headers: headers, body: request.body)
        } catch {
            let message = recording.withLock { $0.mask.text("\(error)") }
            let envelope: JSONValue = ["error": ["code": 502, "message": .string("drmock record could not reach the upstream: \(message)"), "details": []]]
            return .now(Response(status: 502, headers: [("Content-Type", "application/json; charset=utf-8")], body: envelope.serialized()))
        }
        recording.withLock { $0.observe(request, answer: answer) }
        try? write()
        return .now(pointedBack(answer))
    }

    /// The upstream's answer with its own URLs (body, `Location`) turned into the proxy's.
    func pointedBack(_ answer: HTTPAnswer) -> Response {
        let proxyRoot = "http://\(options.host == "0.0.0.0" ? "127.0.0.1" : options.host):\(port)"
        let dropped: Set<String> = ["connection", "content-length", "transfer-encoding", "keep-alive", "date", "server"]
        var headers = answer.headers.filter { !dropped.contains($0.name) }
        for i in headers.indices where headers[i].name == "location" {
            headers[i].value = headers[i].value.replacing(upstream.root, with: proxyRoot)
        }
        let type = answer.header("content-type") ?? ""
        var body = answer.body
        if type.contains("json") || type.contains("html") || type.contains("text") {
            body = Array(answer.text.replacing(upstream.root, with: proxyRoot).utf8)
        }
        return Response(status: answer.status, headers: headers, body: body)
    }

    /// Writes the fixture and the transcript (each through a temporary file and a rename).
    func write() throws {
        let (fixture, transcript) = recording.withLock { ($0.fixture(base: base), $0.transcriptJSON) }
        guard writeAtomically(options.fixturePath, fixture.serializedString(pretty: true) + "\n"),
              writeAtomically(transcriptPath, transcript.serializedString(pretty: true) + "\n") else {
            throw FixtureError("cannot write \(options.fixturePath) or \(transcriptPath)")
        }
    }
}

/// Lets the server's handler reach the proxy that owns the server.
private final class HandlerBox: @unchecked Sendable {
    weak var proxy: RecordingProxy?
}
