/// A registered backup store (a persistent volume, or an S3 / Azure container from 11.1).
public struct BackupStore: Codable, Sendable, Equatable {
    public struct StorageConfig: Codable, Sendable, Equatable {
        public var storageClass: String
        public var size: String
        public var provisioningType: String
        public var labels: [String: String]?
        public init(storageClass: String, size: String, provisioningType: String, labels: [String: String]? = nil) {
            self.storageClass = storageClass
            self.size = size
            self.provisioningType = provisioningType
            self.labels = labels
        }
    }

    public var name: String
    /// `HOSTED`, `S3` or `AZURE_BLOBSTORE`.
    public var type: String
    public var isDefault: Bool
    public var storageConfig: StorageConfig?
    /// 20 lowercase letters and digits, e.g. `uhhbr2phophg8t0724pa`.
    public var identity: String
    public var identityKey: String
    public var rootDir: String
    public var autoShutdown: Bool?

    enum CodingKeys: String, CodingKey {
        case name, type, isDefault = "default", storageConfig, identity, identityKey, rootDir, autoShutdown
    }

    public init(name: String, type: String, isDefault: Bool, storageConfig: StorageConfig?,
                identity: String, identityKey: String, rootDir: String, autoShutdown: Bool? = nil) {
        self.name = name
        self.type = type
        self.isDefault = isDefault
        self.storageConfig = storageConfig
        self.identity = identity
        self.identityKey = identityKey
        self.rootDir = rootDir
        self.autoShutdown = autoShutdown
    }
}
