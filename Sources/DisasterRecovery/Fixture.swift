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
    /// What a restart does to a job that was running (absent: ``RestartPolicy/resume``).
    public var onRestart: RestartPolicy?

    /// Decodes a fixture, with a message naming what is wrong where (`source: $.users[0].role: required key is missing`).
    public static func decode(_ bytes: [UInt8], source: String) throws -> Fixture {
        do {
            return try JSONDecoder().decode(Fixture.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw FixtureError("\(source): \(FixtureCheck.problem(for: error, syntaxError: JSONSyntax.firstError(in: bytes)))")
        }
    }

    /// Validates what JSON decoding cannot (see ``problems()``); throws the first error, with its JSON path.
    public func validate(source: String) throws {
        if let first = problems().first(where: { $0.severity == .error }) {
            throw FixtureError("\(source): \(first)")
        }
    }
}

public struct FixtureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
