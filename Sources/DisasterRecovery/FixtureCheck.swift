import FoundationEssentials

/// One thing wrong (or suspicious) in a fixture file, at a JSON path such as `$.backups[1].backupStore`.
public struct FixtureProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// drmock refuses the fixture.
        case error
        /// drmock loads the fixture, but probably not as its author meant (e.g. a misspelt key it ignores).
        case warning
    }
    public var severity: Severity
    /// `$` for the whole document, then `.key` and `[index]` steps.
    public var path: String
    public var message: String

    public init(_ severity: Severity, _ path: String, _ message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Checks a fixture file the way `drmock serve --fixture` loads it, but reports every problem
/// it can find instead of stopping at the first, each with the JSON path of what is wrong.
///
///     let problems = FixtureCheck.problems(in: bytes)
///     // [$.users[0].passwordHash: not a drmock secret hash (make one with `drmock hash`), ...]
public enum FixtureCheck {
    /// Everything wrong in `bytes`: a JSON syntax error or the first decoding error (a missing key,
    /// a wrong type), else every rule ``Fixture/problems()`` breaks; plus warnings for keys drmock ignores.
    public static func problems(in bytes: [UInt8]) -> [FixtureProblem] {
        let fixture: Fixture
        do {
            fixture = try JSONDecoder().decode(Fixture.self, from: Data(bytes))
        } catch let error as DecodingError {
            return [problem(for: error, syntaxError: JSONSyntax.firstError(in: bytes))]
        } catch {
            return [FixtureProblem(.error, "$", "cannot be read: \(error)")]
        }
        return fixture.problems() + unknownKeys(in: bytes, fixture: fixture)
    }

    /// True for a scenario file (a JSON object with a `"scenario"` key: a fixture plus a fault plan).
    public static func isScenario(_ bytes: [UInt8]) -> Bool {
        guard case .object(let fields)? = try? JSONDecoder().decode(JSONTree.self, from: Data(bytes)) else { return false }
        return fields["scenario"] != nil
    }

    /// The problem a decoding error stands for, at the JSON path where the decoder stopped.
    /// `syntaxError`: where the text stops being JSON, if known (``JSONSyntax/firstError(in:)``).
    static func problem(for error: DecodingError, syntaxError: String? = nil) -> FixtureProblem {
        switch error {
        case .keyNotFound(let key, let ctx):
            return FixtureProblem(.error, jsonPath(ctx.codingPath + [key]), "required key is missing")
        case .valueNotFound(let type, let ctx):
            return FixtureProblem(.error, jsonPath(ctx.codingPath), "is null, expected \(jsonKind(type))")
        case .typeMismatch(let type, let ctx):
            return FixtureProblem(.error, jsonPath(ctx.codingPath), "expected \(jsonKind(type)) (\(ctx.debugDescription))")
        case .dataCorrupted(let ctx):
            if ctx.codingPath.isEmpty {
                return FixtureProblem(.error, "$", "not valid JSON: \(syntaxError ?? ctx.debugDescription)")
            }
            return FixtureProblem(.error, jsonPath(ctx.codingPath), ctx.debugDescription)
        @unknown default:
            return FixtureProblem(.error, "$", "\(error)")
        }
    }

    /// `$`, then `.key` or `[index]` for each step.
    public static func jsonPath(_ keys: [any CodingKey]) -> String {
        "$" + keys.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined()
    }

    static func jsonKind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt16.Type: return "an integer"
        case is Double.Type: return "a number"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") || name.hasPrefix("[") && !name.contains(":") { return "an array" }
            return "an object"
        }
    }

    /// Keys in the file that decoding ignored (typically a misspelling: `pasword`). Found by comparing
    /// the document with the fixture encoded again: a key drmock reads comes back, an ignored one does not.
    static func unknownKeys(in bytes: [UInt8], fixture: Fixture) -> [FixtureProblem] {
        guard let given = try? JSONDecoder().decode(JSONTree.self, from: Data(bytes)),
              let encoded = try? JSONEncoder().encode(fixture),
              let known = try? JSONDecoder().decode(JSONTree.self, from: encoded)
        else { return [] }
        var out: [FixtureProblem] = []
        func walk(_ a: JSONTree, _ b: JSONTree, _ path: String) {
            switch (a, b) {
            case (.object(let fields), .object(let knownFields)):
                for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
                    if let k = knownFields[key] {
                        walk(value, k, path + "." + key)
                    } else if value != .null {
                        out.append(FixtureProblem(.warning, path + "." + key, "unknown key, ignored"))
                    }
                }
            case (.array(let items), .array(let knownItems)):
                for (i, pair) in zip(items, knownItems).enumerated() { walk(pair.0, pair.1, path + "[\(i)]") }
            default:
                break
            }
        }
        walk(given, known, "$")
        return out
    }
}

/// Any JSON document, for comparing key sets.
enum JSONTree: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONTree]), object([String: JSONTree])

    init(from decoder: any Decoder) throws {
        if let c = try? decoder.container(keyedBy: AnyKey.self) {
            var fields: [String: JSONTree] = [:]
            for k in c.allKeys { fields[k.stringValue] = try c.decode(JSONTree.self, forKey: k) }
            self = .object(fields)
        } else if var c = try? decoder.unkeyedContainer() {
            var items: [JSONTree] = []
            while !c.isAtEnd { items.append(try c.decode(JSONTree.self)) }
            self = .array(items)
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .null }
            else if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else { self = .string(try c.decode(String.self)) }
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }
}

extension Fixture {
    /// Every rule of a well-formed fixture that this one breaks, with JSON paths: unique names,
    /// exactly one default store, backups in known stores, users with a password or a well-formed
    /// hash, at least one stage of each kind, no negative durations.
    public func problems() -> [FixtureProblem] {
        var out: [FixtureProblem] = []
        func error(_ path: String, _ message: String) { out.append(FixtureProblem(.error, path, message)) }

        if name.isEmpty { error("$.name", "must not be empty") }
        if let r = release {
            do { _ = try Release.named(r) } catch { out.append(FixtureProblem(.error, "$.release", "\(error)")) }
        }
        var usernames = Set<String>()
        for (i, u) in users.enumerated() {
            let p = "$.users[\(i)]"
            if u.username.isEmpty { error(p + ".username", "must not be empty") }
            if !usernames.insert(u.username).inserted { error(p + ".username", "'\(u.username)' is used twice") }
            if u.password == nil && u.passwordHash == nil { error(p, "needs \"password\" or \"passwordHash\"") }
            if let h = u.passwordHash, !SecretHash.isWellFormed(h) {
                error(p + ".passwordHash", "not a drmock secret hash (scrypt$logN$r$p$salt$hash; make one with `drmock hash`)")
            }
        }
        var storeNames = Set<String>()
        for (i, s) in stores.enumerated() {
            if s.name.isEmpty { error("$.stores[\(i)].name", "must not be empty") }
            if !storeNames.insert(s.name).inserted { error("$.stores[\(i)].name", "'\(s.name)' is used twice") }
        }
        let defaults = stores.filter(\.isDefault).count
        if !stores.isEmpty && defaults != 1 {
            error("$.stores", "exactly one store must have \"default\": true (found \(defaults))")
        }
        var backupKeys = Set<String>()
        for (i, entry) in backups.enumerated() {
            let b = entry.backup
            let p = "$.backups[\(i)]"
            if !storeNames.contains(b.backupStore) {
                error(p + ".backupStore", "'\(b.backupStore)' is not a store of this fixture")
            }
            if b.backupName.isEmpty || b.backupName.contains("/") {
                error(p + ".backupName", "'\(b.backupName)' is not a valid backup name")
            }
            if !backupKeys.insert(b.backupStore + "/" + b.backupName).inserted {
                error(p + ".backupName", "'\(b.backupName)' is used twice in store '\(b.backupStore)'")
            }
            if !SecretHash.isWellFormed(b.passcodeHash) {
                error(p + ".passcodeHash", "not a drmock secret hash (scrypt$logN$r$p$salt$hash; make one with `drmock hash`)")
            }
        }
        if timings.submitDelayMs < 0 { error("$.timings.submitDelayMs", "must not be negative") }
        for (key, stages) in [("backupStages", timings.backupStages), ("restoreStages", timings.restoreStages)] {
            if stages.isEmpty { error("$.timings.\(key)", "needs at least one stage") }
            for (i, s) in stages.enumerated() {
                if s.name.isEmpty { error("$.timings.\(key)[\(i)].name", "must not be empty") }
                if s.durationMs < 0 { error("$.timings.\(key)[\(i)].durationMs", "must not be negative (stage '\(s.name)')") }
            }
        }
        return out
    }
}
