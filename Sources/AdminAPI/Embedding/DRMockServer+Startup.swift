import Catalog
import DisasterRecovery
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DRMockServer {
    /// A fixture, or a scenario's fixture and fault plan, as `--fixture NAME|PATH` names it.
    public struct LoadedFixture: Sendable {
        /// The fixture (decoded on first use when it is a stamped file: ``FixtureSource``).
        public var source: FixtureSource
        public var fixture: Fixture { source.fixture }
        /// The scenario's fault plan (JSON), if `--fixture` named a scenario.
        public var faultPlanJSON: String?
        public var scenario: String?
    }

    /// Loads `--fixture NAME|PATH`: a fixture, or a scenario file (`{"scenario": …, "fixture": …, "faults": …}`).
    public static func loadFixture(_ nameOrPath: String, executablePath: String = FixtureLocator.currentExecutable()) throws -> LoadedFixture {
        try loadFixture(nameOrPath, catalog: nil, context: "", build: [], executablePath: executablePath)
    }

    /// ``loadFixture(_:executablePath:)`` for a server on `catalog` (already open, if its file existed)
    /// at `context`, run by the build `build` (``ExecutableImage/buildID``; empty: unknown). A plain
    /// fixture file gets a ``FixtureStamp``, which opening the context keeps in the catalog; when the
    /// catalog already holds the context with the stamp of these very bytes, they are not decoded
    /// (the answers and errors are the same: this build decoded them without error before).
    public static func loadFixture(_ nameOrPath: String, catalog: DRCatalog?, context: String, build: [UInt8],
                                   executablePath: String = FixtureLocator.currentExecutable()) throws -> LoadedFixture {
        let path = try FixtureLocator.locate(nameOrPath, executablePath: executablePath)
        do {
            guard !build.isEmpty, let bytes = FixtureLocator.readFile(path) else {
                let s = try ScenarioFile.loadFile(path, executablePath: executablePath)
                return LoadedFixture(source: FixtureSource(s.fixture), faultPlanJSON: s.plan?.source.serializedString(), scenario: s.scenario)
            }
            let digest = FixtureStamp.digest(of: bytes, build: build)
            if let catalog, let stamp = FixtureStamp.stored(in: catalog, context: context), stamp.digest == digest {
                return LoadedFixture(source: FixtureSource(stamped: stamp, bytes: bytes, source: path), faultPlanJSON: nil, scenario: nil)
            }
            let s = try ScenarioFile.load(bytes, path: path, executablePath: executablePath)
            // A scenario names its fixture by name (another file): only a plain fixture is stamped.
            let stamp = s.scenario == nil ? FixtureStamp(digest: digest, fixture: s.fixture) : nil
            return LoadedFixture(source: FixtureSource(s.fixture, stamp: stamp), faultPlanJSON: s.plan?.source.serializedString(),
                                 scenario: s.scenario)
        } catch let e as AdminError {
            throw FixtureError(([e.message] + e.detailList).joined(separator: " "))
        }
    }

    /// Waits until the server answers on its own address (see `Server.waitUntilAnswering`).
    public func waitUntilAnswering(timeoutMilliseconds: Int = 5000) -> Bool {
        server.waitUntilAnswering(path: "/_mock/health", timeoutMilliseconds: timeoutMilliseconds)
    }

    /// The start-up handshake line (`--ready-file`, and stdout): one JSON object.
    public func readyLine(scenario: String? = nil) -> String {
        let d = deployment
        let s = d.clock.state
        let value: JSONValue = [
            "url": .string(baseURL),
            "port": .int(Int64(port)),
            "pid": .int(Int64(getpid())),
            "context": .string(options.context),
            "release": .string(d.release),
            "fixture": .string(d.fixtureName),
            "scenario": scenario.map(JSONValue.string) ?? .null,
            "clock": .string(s.mode.rawValue),
            "speed": s.mode == .system ? .double(s.speed) : .null,
            "control": .bool(controlPlane != nil),
            "db": .string(options.databasePath),
        ]
        return value.serializedString()
    }
}
