import DisasterRecovery
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DRMockServer {
    /// A fixture, or a scenario's fixture and fault plan, as `--fixture NAME|PATH` names it.
    public struct LoadedFixture: Sendable {
        public var fixture: Fixture
        /// The scenario's fault plan (JSON), if `--fixture` named a scenario.
        public var faultPlanJSON: String?
        public var scenario: String?
    }

    /// Loads `--fixture NAME|PATH`: a fixture, or a scenario file (`{"scenario": …, "fixture": …, "faults": …}`).
    public static func loadFixture(_ nameOrPath: String, executablePath: String = FixtureLocator.currentExecutable()) throws -> LoadedFixture {
        let path = try FixtureLocator.locate(nameOrPath, executablePath: executablePath)
        do {
            let s = try ScenarioFile.loadFile(path, executablePath: executablePath)
            return LoadedFixture(fixture: s.fixture, faultPlanJSON: s.plan?.source.serializedString(), scenario: s.scenario)
        } catch let e as ControlError {
            throw FixtureError(([e.message] + e.details).joined(separator: " "))
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
