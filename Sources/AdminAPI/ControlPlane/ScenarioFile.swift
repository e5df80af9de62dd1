import DisasterRecovery

/// A fixture, or a scenario (a fixture plus a fault plan), found by name in fixtures/.
///
/// A scenario file looks like
/// `{"scenario": "object-store-fails", "description": "…", "fixture": "default", "faults": {…plan…}}`.
struct ScenarioFile: Sendable {
    var fixture: Fixture
    var plan: FaultPlan?
    var scenario: String?

    /// Loads `name` (letters, digits, `-`, `_`; never a path) as a fixture or a scenario.
    static func load(_ name: String, executablePath: String = FixtureLocator.currentExecutable()) throws -> ScenarioFile {
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw AdminError(400, "Invalid value for parameter 'name'.", details: ["A fixture or scenario name is letters, digits, '-' or '_' (files in fixtures/)."])
        }
        let path: String
        do { path = try FixtureLocator.locate(name, executablePath: executablePath) } catch {
            throw AdminError(404, "No fixture or scenario named '\(name)'.", details: ["\(error)"])
        }
        return try loadFile(path, executablePath: executablePath)
    }

    /// Loads a file that holds a fixture or a scenario.
    static func loadFile(_ path: String, executablePath: String = FixtureLocator.currentExecutable()) throws -> ScenarioFile {
        guard let bytes = FixtureLocator.readFile(path) else { throw AdminError(500, "Cannot read \(path).") }
        return try load(bytes, path: path, executablePath: executablePath)
    }

    /// Loads the `bytes` of the file `path` (a fixture or a scenario).
    static func load(_ bytes: [UInt8], path: String, executablePath: String = FixtureLocator.currentExecutable()) throws -> ScenarioFile {
        let value: JSONValue
        do { value = try JSONValue.parse(String(decoding: bytes, as: UTF8.self)) } catch { throw AdminError(400, "\(path) is not valid JSON.", details: ["\(error)"]) }
        guard value["scenario"] != nil else {
            // The bytes already read: the file is not read a second time.
            do { return ScenarioFile(fixture: try FixtureLocator.fixture(bytes, source: path), plan: nil, scenario: nil) } catch {
                throw AdminError(400, "\(path) is not a valid fixture.", details: ["\(error)"])
            }
        }
        guard let name = value["scenario"]?.stringValue else { throw AdminError(400, "\(path): 'scenario' must be a name.") }
        let base = value["fixture"]?.stringValue ?? "default"
        guard base != name else { throw AdminError(400, "\(path): a scenario cannot be its own fixture.") }
        let fixture: Fixture
        do { fixture = try FixtureLocator.load(base, executablePath: executablePath) } catch {
            throw AdminError(400, "\(path): its fixture '\(base)' cannot be loaded.", details: ["\(error)"])
        }
        let plan: FaultPlan?
        do { plan = try value["faults"].map(FaultPlan.parse) } catch {
            throw AdminError(400, "\(path): invalid 'faults'.", details: ["\(error)"])
        }
        return ScenarioFile(fixture: fixture, plan: plan, scenario: name)
    }
}
