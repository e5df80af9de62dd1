import Catalog
import Synchronization

/// The deployments a server emulates, one per `/<context>/`, all in one catalog.
public final class DeploymentRegistry: Sendable {
    public let catalog: DRCatalog
    /// The fixture new contexts are made from (see ``FixtureSource``: possibly decoded on first need).
    public let fixtureSource: FixtureSource
    public var fixture: Fixture { fixtureSource.fixture }
    public let clockMode: ClockState.Mode
    public let speed: Double
    /// `--release`, winning over the fixture's.
    public let release: String?
    /// The scrypt cost (log2 N) of the hashes the deployments make (`--hash-cost`).
    public let hashLogN: Int
    /// Which observed behaviours of real releases the deployments play (`--documented-only`).
    public let behaviours: BehaviourPolicy
    /// At most this many contexts are opened on first use (a guard against a client inventing paths).
    public let maxContexts: Int
    /// By context; the one served last is found without hashing (``LastFoundDictionary``).
    private let deployments: Mutex<LastFoundDictionary<Deployment>>

    public convenience init(catalog: DRCatalog, fixture: Fixture, clockMode: ClockState.Mode, speed: Double, release: String? = nil,
                            hashLogN: Int = SecretHash.defaultLogN, behaviours: BehaviourPolicy = .init(), maxContexts: Int = 1000) {
        self.init(catalog: catalog, source: FixtureSource(fixture), clockMode: clockMode, speed: speed, release: release,
                  hashLogN: hashLogN, behaviours: behaviours, maxContexts: maxContexts)
    }

    public init(catalog: DRCatalog, source: FixtureSource, clockMode: ClockState.Mode, speed: Double, release: String? = nil,
                hashLogN: Int = SecretHash.defaultLogN, behaviours: BehaviourPolicy = .init(), maxContexts: Int = 1000) {
        self.behaviours = behaviours
        self.hashLogN = hashLogN
        self.catalog = catalog
        self.fixtureSource = source
        self.clockMode = clockMode
        self.speed = speed
        self.release = release
        self.maxContexts = maxContexts
        self.deployments = Mutex(LastFoundDictionary())
    }

    /// Opens `context` (from the catalog, or from the fixture the first time) and keeps it served.
    @discardableResult
    public func open(context: String) throws -> Deployment {
        try deployments.withLock { map in
            if let d = map.find(context) { return d }
            let d = try Deployment.open(context: context, catalog: catalog, source: fixtureSource, clockMode: clockMode, speed: speed,
                                        release: release, hashLogN: hashLogN, behaviours: behaviours)
            map[context] = d
            return d
        }
    }

    /// The deployment served at `context`, if it is open.
    public func deployment(for context: String) -> Deployment? {
        deployments.withLock { $0.find(context) }
    }

    /// Why a context is not served.
    public enum Refusal: Error, Sendable, Equatable {
        /// Not 1 to 64 letters, digits, `-` or `_` (or `_mock`).
        case invalidName
        /// ``maxContexts`` are open (`drmock serve --max-contexts`); ``remove(context:)`` frees one.
        case full(limit: Int)
        /// The catalog could not make or read it.
        case cannotOpen(String)
    }

    /// The deployment at `context`, opened on first use (isolation: each context is its own deployment,
    /// made from the fixture), or why it is not served.
    public func opening(context: String) -> Result<Deployment, Refusal> {
        if let d = deployment(for: context) { return .success(d) }
        guard Self.isValidContext(context) else { return .failure(.invalidName) }
        guard deployments.withLock({ $0.count }) < maxContexts else { return .failure(.full(limit: maxContexts)) }
        do { return .success(try open(context: context)) } catch { return .failure(.cannotOpen("\(error)")) }
    }

    /// ``opening(context:)``'s deployment; nil if the name is not a valid context or too many are open.
    public func serve(context: String) -> Deployment? {
        try? opening(context: context).get()
    }

    /// Removes `context`: its rows leave the catalog and it is no longer served (the next request to
    /// it makes it anew from the fixture). False if the catalog held nothing of it.
    @discardableResult
    public func remove(context: String) throws -> Bool {
        try deployments.withLock { map in
            let wasServed = map[context] != nil
            map[context] = nil
            let stored = try catalog.contexts().contains(context)
            if stored { try catalog.write { w in try w.deleteContext(context) } }
            return wasServed || stored
        }
    }

    /// The contexts open now, sorted.
    public var openContexts: [String] { deployments.withLock { $0.keys.sorted() } }

    /// Replaces `context` with a fresh deployment made from `fixture` (reset, or another fixture).
    @discardableResult
    public func recreate(context: String, from fixture: Fixture) throws -> Deployment {
        try deployments.withLock { map in
            let d = try Deployment.create(context: context, catalog: catalog, fixture: fixture, clockMode: clockMode, speed: speed, release: release,
                                        hashLogN: hashLogN, behaviours: behaviours)
            map[context] = d
            return d
        }
    }

    /// Reopens `context` from the catalog after its rows were replaced (a snapshot restored);
    /// `fixture` is the one its rows were made from. The rows' release stays (a snapshot taken after
    /// an upgrade comes back upgraded).
    @discardableResult
    public func reload(context: String, fixture: Fixture) throws -> Deployment {
        try deployments.withLock { map in
            let d = try Deployment.open(context: context, catalog: catalog, fixture: fixture, clockMode: clockMode, speed: speed, release: nil,
                                        hashLogN: hashLogN, behaviours: behaviours)
            map[context] = d
            return d
        }
    }

    /// Context names: 1 to 64 letters, digits, `-` or `_`, and never `_mock` (the control plane).
    public static func isValidContext(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64 && s.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95
        } && s != "_mock"
    }
}
