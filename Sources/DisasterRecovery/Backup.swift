/// A completed backup, in the shape of the documentation's examples.
///
/// `encryptKey` is only ever kept masked (`XxxxxXxXX-XxxXXXXxXXxX..`), and the passcode only as a
/// salted scrypt hash (``SecretHash``).
public struct Backup: Codable, Sendable, Equatable {
    public struct Geodatabase: Codable, Sendable, Equatable {
        public var gdbName: String
        public var egdbID: String
        public init(gdbName: String, egdbID: String) { self.gdbName = gdbName; self.egdbID = egdbID }
    }
    public struct RelationalStorePart: Codable, Sendable, Equatable {
        public var metadata: String
        public var geodatabases: [Geodatabase]
        public var systemDatabases: [String]
        public var startTime: Int64
        public var clusterID: String
        public var endTime: Int64
        public var status: String
    }
    public struct ObjectStorePart: Codable, Sendable, Equatable {
        public var metadata: String
        public var buckets: [String]
        public var startTime: Int64
        public var clusterID: String
        public var endTime: Int64
        public var status: String
    }
    public struct Infrastructures: Codable, Sendable, Equatable {
        public var startTime: Int64
        public var endTime: Int64
        public var status: String
    }

    public var release: String
    public var siteName: String
    public var description: String
    public var completeTime: Int64
    public var backupStore: String
    /// Epoch ms when the backup may be cleaned up; -1 = never.
    public var retentionDate: Int64
    public var encryptKey: String
    public var backupType: String
    public var relationalStore: [RelationalStorePart]
    /// `MANUAL` or `SCHEDULED`.
    public var scheduleType: String
    public var objectStore: [ObjectStorePart]
    public var namespace: String
    public var startTime: Int64
    public var infrastructures: Infrastructures
    public var category: String
    public var backupName: String
    public var status: String
    /// Salted hash of the passcode given at creation (never the passcode itself).
    public var passcodeHash: String
    /// The deployment state this backup captured (DR settings, scheduled tasks); a restore brings it
    /// back. Nil for fixture backups (their restore brings back the default settings and no tasks).
    public var captured: RestorableState?
    /// Set while the backup's store is unregistered: the volume it waits on.
    public var detachedVolume: String?
}

extension Backup {
    /// Decodes a backup; a missing `release` is read as empty: a fixture's backup without one was made
    /// by the deployment's own release (``Deployment/create(context:catalog:fixture:stamp:clockMode:speed:release:hashLogN:behaviours:problemLog:)``
    /// fills it in), so that it can be restored whichever release the fixture is served at.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        release = try c.decodeIfPresent(String.self, forKey: .release) ?? ""
        siteName = try c.decode(String.self, forKey: .siteName)
        description = try c.decode(String.self, forKey: .description)
        completeTime = try c.decode(Int64.self, forKey: .completeTime)
        backupStore = try c.decode(String.self, forKey: .backupStore)
        retentionDate = try c.decode(Int64.self, forKey: .retentionDate)
        encryptKey = try c.decode(String.self, forKey: .encryptKey)
        backupType = try c.decode(String.self, forKey: .backupType)
        relationalStore = try c.decode([RelationalStorePart].self, forKey: .relationalStore)
        scheduleType = try c.decode(String.self, forKey: .scheduleType)
        objectStore = try c.decode([ObjectStorePart].self, forKey: .objectStore)
        namespace = try c.decode(String.self, forKey: .namespace)
        startTime = try c.decode(Int64.self, forKey: .startTime)
        infrastructures = try c.decode(Infrastructures.self, forKey: .infrastructures)
        category = try c.decode(String.self, forKey: .category)
        backupName = try c.decode(String.self, forKey: .backupName)
        status = try c.decode(String.self, forKey: .status)
        passcodeHash = try c.decode(String.self, forKey: .passcodeHash)
        captured = try c.decodeIfPresent(RestorableState.self, forKey: .captured)
        detachedVolume = try c.decodeIfPresent(String.self, forKey: .detachedVolume)
    }

    /// Masks a key the way the documentation shows it: letters become `X`/`x` by case, digits `x`,
    /// other characters stay; at most 22 characters, then `..`.
    public static func maskedKey(_ key: String) -> String {
        var out = ""
        for ch in key.prefix(22) {
            if ch.isUppercase { out.append("X") } else if ch.isLetter || ch.isNumber { out.append("x") } else { out.append(ch) }
        }
        return out + ".."
    }
}
