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
    /// Where an S3 or Azure store keeps its backups (nil for HOSTED).
    public var cloud: CloudLocation?
    /// The full version of the release that registered the store (11.2+ shows it).
    public var versionCreated: String?
    public var providerID: String?
    public var serviceID: String?
    /// 12.0: whether the store also takes spatiotemporal (BDS) backups.
    public var supportBDSBackup: Bool?

    /// The bucket or container of a cloud store.
    public struct CloudLocation: Codable, Sendable, Equatable {
        /// `AWS` or `AZURE`.
        public var provider: String
        public var bucketName: String?
        public var region: String?
        public var containerName: String?
        public var accountEndpointUrl: String?
        public var credentialType: String?
        public init(provider: String, bucketName: String? = nil, region: String? = nil, containerName: String? = nil,
                    accountEndpointUrl: String? = nil, credentialType: String? = nil) {
            self.provider = provider
            self.bucketName = bucketName
            self.region = region
            self.containerName = containerName
            self.accountEndpointUrl = accountEndpointUrl
            self.credentialType = credentialType
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, type, isDefault = "default", storageConfig, identity, identityKey, rootDir, autoShutdown
        case cloud, versionCreated, providerID, serviceID, supportBDSBackup
    }

    /// The storage a store's backups live on: they stay there when the store is unregistered and
    /// come back when a store on the same volume is registered again. A dynamically provisioned
    /// volume is bound to its store's name (its claim is named after it); a static one is found by
    /// storage class and labels; a cloud store is its bucket or container and root folder.
    public var volumeKey: String {
        if let c = cloud {
            return [type, c.bucketName ?? c.accountEndpointUrl ?? "", c.region ?? c.containerName ?? "", rootDir].joined(separator: "|")
        }
        let sc = storageConfig
        if sc?.provisioningType == "STATIC" {
            let labels = (sc?.labels ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            return ["HOSTED", "STATIC", sc?.storageClass ?? "", labels].joined(separator: "|")
        }
        return ["HOSTED", "DYNAMIC", sc?.storageClass ?? "", name].joined(separator: "|")
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
