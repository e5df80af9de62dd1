import Catalog
import Synchronization

/// The deployments a server emulates, one per `/<context>/`, all in one catalog.
public final class DeploymentRegistry: Sendable {
    public let catalog: DRCatalog
    public let fixture: Fixture
    public let clockMode: ClockState.Mode
    public let speed: Double
    /// `--release`, winning over the fixture's.
    public let release: String?
    private let deployments: Mutex<[String: Deployment]>

    public init(catalog: DRCatalog, fixture: Fixture, clockMode: ClockState.Mode, speed: Double, release: String? = nil) {
        self.catalog = catalog
        self.fixture = fixture
        self.clockMode = clockMode
        self.speed = speed
        self.release = release
        self.deployments = Mutex([:])
    }

    /// Opens `context` (from the catalog, or from the fixture the first time) and keeps it served.
    @discardableResult
    public func open(context: String) throws -> Deployment {
        try deployments.withLock { map in
            if let d = map[context] { return d }
            let d = try Deployment.open(context: context, catalog: catalog, fixture: fixture, clockMode: clockMode, speed: speed, release: release)
            map[context] = d
            return d
        }
    }

    /// The deployment served at `context`, if it is open.
    public func deployment(for context: String) -> Deployment? {
        deployments.withLock { $0[context] }
    }
}
