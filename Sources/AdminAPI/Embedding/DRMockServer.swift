import Catalog
import Dispatch
import DisasterRecovery
import HTTPServer
import Synchronization

/// drmock in one object: catalog, deployments and HTTP server, started with one call.
/// The executable uses it, and so can a Swift test that wants drmock in-process:
///
///     let fixture = try FixtureLocator.load("default")
///     let server = try DRMockServer(options: .init(port: 0, databasePath: ":memory:", fixture: fixture, clockMode: .manual))
///     try server.start()
///     // talk to server.baseURL ...
///     server.stop()
public final class DRMockServer: Sendable {
    public struct Options: Sendable {
        public var host: String
        public var port: UInt16
        public var context: String
        /// A file path, or `:memory:`.
        public var databasePath: String
        public var fixture: Fixture {
            get { fixtureSource.fixture }
            set { fixtureSource = FixtureSource(newValue) }
        }
        /// The fixture as the server holds it: ``fixture``, or a stamped file not decoded yet (``FixtureSource``).
        public var fixtureSource: FixtureSource
        /// The catalog at ``databasePath``, if the caller has opened it already.
        public var catalog: DRCatalog?
        public var clockMode: ClockState.Mode
        public var speed: Double
        public var httpErrorStatus: Bool
        /// Threads answering reads (`--threads`); nil for ``DRMockServer/defaultThreads``.
        public var threads: Int?
        /// Memory per connection for a request's head (`--connection-memory-kib`); nil for
        /// `Server.Configuration`'s default (16 KiB).
        public var connectionMemoryBytes: Int?
        /// `--release`: the release to emulate (wins over the fixture's); nil: the fixture's, else the newest.
        public var release: String?
        /// `--strict`: turn off what the release lacks and refuse unknown parameters.
        public var strict: Bool
        /// Serve the control plane under `/_mock/` (`--no-control` turns it off).
        public var controlPlane: Bool
        /// Serve HTTPS with this certificate and key (PEM text); nil for plain HTTP (decision 13).
        public var tls: Server.Configuration.TLS?
        /// `--documented-only`: play none of the behaviours observed on real releases (``ObservedBehaviour``)
        /// unless a fault plan names them.
        public var documentedOnly = false
        /// `--max-contexts`: the most contexts served at once (``DeploymentRegistry/maxContexts``); a request
        /// to one more answers 503 naming the limit, until `DELETE /_mock/contexts/<name>` frees one.
        public var maxContexts = DRMockServer.defaultMaxContexts
        public static let allowedMaxContexts = 1...1_000_000
        /// `--hash-cost`: the scrypt cost (log2 N, r = 8, p = 1) of new password and passcode hashes.
        public var hashLogN: Int = SecretHash.defaultLogN
        /// `--control-key`, `--control-loopback-only`.
        public var controlAccess: ControlAccess = .init()
        /// The answer cache's size; list answers estimated bigger are streamed (tests set it small).
        public var answerCacheBytes = AdminConfiguration.defaultAnswerCacheBytes

        public init(host: String = "127.0.0.1", port: UInt16 = 7443, context: String = "arcgis",
                    databasePath: String = ":memory:", fixture: Fixture, clockMode: ClockState.Mode = .system,
                    speed: Double = 1, httpErrorStatus: Bool = false, threads: Int? = nil,
                    release: String? = nil, strict: Bool = false, controlPlane: Bool = true,
                    tls: Server.Configuration.TLS? = nil) {
            self.init(host: host, port: port, context: context, databasePath: databasePath, fixtureSource: FixtureSource(fixture),
                      clockMode: clockMode, speed: speed, httpErrorStatus: httpErrorStatus, threads: threads, release: release,
                      strict: strict, controlPlane: controlPlane, tls: tls)
        }

        public init(host: String = "127.0.0.1", port: UInt16 = 7443, context: String = "arcgis",
                    databasePath: String = ":memory:", fixtureSource: FixtureSource, clockMode: ClockState.Mode = .system,
                    speed: Double = 1, httpErrorStatus: Bool = false, threads: Int? = nil,
                    release: String? = nil, strict: Bool = false, controlPlane: Bool = true,
                    tls: Server.Configuration.TLS? = nil) {
            self.fixtureSource = fixtureSource
            self.tls = tls
            self.controlPlane = controlPlane
            self.host = host
            self.port = port
            self.context = context
            self.databasePath = databasePath
            self.clockMode = clockMode
            self.speed = speed
            self.httpErrorStatus = httpErrorStatus
            self.threads = threads
            self.release = release
            self.strict = strict
        }
    }

    public let options: Options
    public let registry: DeploymentRegistry
    public let service: AdminService
    let server: Server
    /// With the system clock: settles the deployments once a second, so scheduled tasks fire and
    /// jobs finish without requests (a manual clock does this when it is moved).
    let ticker = Mutex<(any DispatchSourceTimer)?>(nil)

    /// Opens the catalog and the context's deployment (from the catalog, or the fixture the first time).
    public init(options: Options) throws {
        guard Self.isValidContext(options.context) else {
            throw FixtureError("--context must be letters, digits, '-' or '_' (got '\(options.context)')")
        }
        guard options.speed > 0, options.speed.isFinite else { throw FixtureError("--speed must be a positive number") }
        guard Options.allowedMaxContexts.contains(options.maxContexts) else {
            throw FixtureError("--max-contexts must be from \(Options.allowedMaxContexts.lowerBound) to \(Options.allowedMaxContexts.upperBound), not \(options.maxContexts)")
        }
        self.options = options
        let catalog = try options.catalog ?? DRCatalog(path: options.databasePath)
        registry = DeploymentRegistry(catalog: catalog, source: options.fixtureSource, clockMode: options.clockMode, speed: options.speed,
                                      release: options.release, hashLogN: options.hashLogN,
                                      behaviours: BehaviourPolicy(documentedOnly: options.documentedOnly), maxContexts: options.maxContexts)
        try registry.open(context: options.context)
        let service = AdminService(registry: registry, configuration: .init(
            httpErrorStatus: options.httpErrorStatus, strict: options.strict,
            controlPlane: options.controlPlane, defaultContext: options.context, controlAccess: options.controlAccess,
            answerCacheBytes: options.answerCacheBytes))
        self.service = service
        var config = Server.Configuration()
        config.host = options.host
        config.port = options.port
        config.threads = options.threads ?? Self.defaultThreads
        if let bytes = options.connectionMemoryBytes { config.connectionMemoryLimitBytes = bytes }
        // Everything but reads runs off the server's threads: a sign-in or a create hashes with scrypt
        // (about 2 ms at the default cost) and writes the catalog, and must not hold up the reads that
        // share a server thread with it.
        config.offload = { $0.method != "GET" && $0.method != "HEAD" }
        // The body was not read, so `f` is unknown: the JSON envelope, with the HTTP status saying it too.
        config.bodyTooLargeResponse = Response(status: 413, headers: Format.jsonHeaders,
                                               body: service.render(error: .bodyTooLarge(), format: .json).body)
        config.tls = options.tls
        server = Server(configuration: config) { request in service.handle(request) }
    }

    public func start() throws {
        try server.start()
        if options.clockMode == .system { startTicker() }
    }
    public func stop() {
        stopTicker()
        server.stop()
    }

    /// The bound port (useful with port 0).
    public var port: UInt16 { server.port }

    /// e.g. `http://127.0.0.1:7443/arcgis`.
    public var baseURL: String {
        let host = options.host == "0.0.0.0" ? "127.0.0.1" : options.host
        return "\(server.isTLS ? "https" : "http")://\(host):\(port)/\(options.context)"
    }

    /// The deployment served at the server's context.
    public var deployment: Deployment { registry.deployment(for: options.context)! }

    static func isValidContext(_ s: String) -> Bool { DeploymentRegistry.isValidContext(s) }

    /// ``Options/maxContexts`` when not given.
    public static let defaultMaxContexts = 1000

    /// The threads answering reads when ``Options/threads`` is nil: one per core but one, and at
    /// least one (so one on a 2-core machine). drmock's client, a test suite or a script, runs on the
    /// same machine and needs a core of its own: with a server thread per core the two take turns on
    /// every core, and a server thread that waits its turn holds up every connection it serves
    /// (libmicrohttpd gives each connection to one thread for its life). On a 2-core machine at 64
    /// connections two threads gave a p99 of 3.9–5.3 ms against one thread's 2.9–4.1 ms, for up to
    /// 14% more requests per second (docs/benchmarks.md, "Why one thread on two cores, and 16 KiB").
    public static var defaultThreads: Int { max(1, Server.Configuration.processorCount - 1) }
}
