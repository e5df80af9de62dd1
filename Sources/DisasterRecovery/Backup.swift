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
    public var captured: SurfaceState?
    /// Set while the backup's store is unregistered: the volume it waits on.
    public var detachedVolume: String?
}

extension Backup {
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
