import FoundationEssentials

/// A deployment described as JSON (`fixtures/*.json`): release, site, users, stores, existing
/// backups in the documentation's shape, and stage timings. `--fixture NAME|PATH` picks one.
public struct Fixture: Codable, Sendable {
    public struct FixtureUser: Codable, Sendable {
        public var username: String
        /// Either a plain password (hashed when loaded) or a ``SecretHash`` string.
        public var password: String?
        public var passwordHash: String?
        public var role: String
        public var privileges: [String]
    }
    public struct Timings: Codable, Sendable, Equatable {
        /// How long a job stays SUBMITTED before its first stage.
        public var submitDelayMs: Int64
        public var backupStages: [StagePlan]
        public var restoreStages: [StagePlan]
        /// Decision 6: while a restore runs, the organization is offline from `startMs` after the
        /// first restore stage starts, for `durationMs` (every admin and sharing endpoint but the
        /// status answers 503). Absent: no offline window.
        public var restoreOfflineWindow: OfflineWindow?
        /// When set, every backup (restore) job completes with this warning: the status reports
        /// `completed_with_warnings` (code 5) with it as `message`.
        public var backupWarning: String?
        public var restoreWarning: String?
    }
    public struct OfflineWindow: Codable, Sendable, Equatable {
        public var startMs: Int64
        public var durationMs: Int64
        public init(startMs: Int64, durationMs: Int64) {
            self.startMs = startMs
            self.durationMs = durationMs
        }
    }
    /// What new backups record about the emulated cluster.
    public struct Cluster: Codable, Sendable, Equatable {
        public var relationalClusterID: String
        public var objectClusterID: String
        public var geodatabases: [Backup.Geodatabase]
        public var systemDatabases: [String]
        public var buckets: [String]
    }
    public struct FixtureBackup: Codable, Sendable {
        public var backup: Backup
        public init(from decoder: any Decoder) throws { backup = try Backup(from: decoder) }
        public func encode(to encoder: any Encoder) throws { try backup.encode(to: encoder) }
    }

    public var name: String
    /// e.g. `11.3`; the newest release when absent. `--release` wins over it.
    public var release: String?
    /// Ignored: the release table (``Release``) decides the full version. Kept so older fixtures load.
    public var fullVersion: String?
    public var siteName: String
    public var namespace: String
    /// Emulated time at which a manual clock starts (epoch ms); the real time if absent.
    public var clockStart: Int64?
    public var users: [FixtureUser]
    public var stores: [BackupStore]
    /// Each backup as in the documentation, plus `passcodeHash` (see ``SecretHash``).
    public var backups: [FixtureBackup]
    public var timings: Timings
    public var cluster: Cluster
    /// The DR settings the deployment starts with (the documented example when absent).
    public var drSettings: DRSettings?

    /// Decodes a fixture, with a message naming what is wrong where.
    public static func decode(_ bytes: [UInt8], source: String) throws -> Fixture {
        do {
            return try JSONDecoder().decode(Fixture.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw FixtureError("\(source): missing key '\(key.stringValue)' at \(path(ctx.codingPath))")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw FixtureError("\(source): wrong type at \(path(ctx.codingPath)): \(ctx.debugDescription)")
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw FixtureError("\(source): null value at \(path(ctx.codingPath))")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw FixtureError("\(source): invalid JSON at \(path(ctx.codingPath)): \(ctx.debugDescription)")
        }
    }

    /// Validates what JSON decoding cannot: unique names, one default store, known stores, hashes present.
    public func validate(source: String) throws {
        func fail(_ s: String) -> FixtureError { FixtureError("\(source): \(s)") }
        var names = Set<String>()
        for (i, s) in stores.enumerated() where !names.insert(s.name).inserted {
            throw fail("stores[\(i)].name '\(s.name)' is used twice")
        }
        if !stores.isEmpty && stores.filter(\.isDefault).count != 1 {
            throw fail("exactly one store must have \"default\": true")
        }
        var backupKeys = Set<String>()
        for (i, b) in backups.enumerated() {
            if !names.contains(b.backup.backupStore) {
                throw fail("backups[\(i)].backupStore '\(b.backup.backupStore)' is not a store of this fixture")
            }
            if !backupKeys.insert(b.backup.backupStore + "/" + b.backup.backupName).inserted {
                throw fail("backups[\(i)].backupName '\(b.backup.backupName)' is used twice in its store")
            }
        }
        for (i, u) in users.enumerated() where u.password == nil && u.passwordHash == nil {
            throw fail("users[\(i)] needs \"password\" or \"passwordHash\"")
        }
        if let r = release { _ = try Release.named(r) }
        if timings.backupStages.isEmpty { throw fail("timings.backupStages is empty") }
        if timings.restoreStages.isEmpty { throw fail("timings.restoreStages is empty") }
        for (i, s) in (timings.backupStages + timings.restoreStages).enumerated() where s.durationMs < 0 {
            throw fail("stage \(i) '\(s.name)' has a negative duration")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "$" : "$" + keys.map { k in k.intValue.map { "[\($0)]" } ?? ".\(k.stringValue)" }.joined()
    }
}

public struct FixtureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
