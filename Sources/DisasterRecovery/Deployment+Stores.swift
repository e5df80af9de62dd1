/// Registering, updating, unregistering and validating backup stores. Exactly one store is the
/// default whenever any is registered.
extension Deployment {
    /// What a client asks for when it registers a store.
    public struct StoreRegistration: Sendable {
        public var name: String
        /// `HOSTED`, `S3` or `AZURE_BLOBSTORE`.
        public var type: String
        public var storageConfig: BackupStore.StorageConfig?
        public var cloud: BackupStore.CloudLocation?
        public var rootDir: String
        public var supportBDSBackup: Bool?
        public var isDefault: Bool
        public init(name: String, type: String, storageConfig: BackupStore.StorageConfig?, cloud: BackupStore.CloudLocation?,
                    rootDir: String, supportBDSBackup: Bool?, isDefault: Bool) {
            self.name = name
            self.type = type
            self.storageConfig = storageConfig
            self.cloud = cloud
            self.rootDir = rootDir
            self.supportBDSBackup = supportBDSBackup
            self.isDefault = isDefault
        }
    }

    /// Store names: 1 to 64 letters, digits, `-`, `_` or `.` (they become URL segments).
    public static func validateStoreName(_ name: String) throws {
        if name.isEmpty { throw AdminError.missingParameter("storeName") }
        let ok = name.count <= 64 && name.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 || c == 46
        }
        guard ok else {
            throw AdminError.invalidParameter("storeName", "A store name has 1 to 64 letters, digits, '-', '_' or '.'.")
        }
    }

    /// Registers a store. Backups left on its volume by an unregistered store come back in it.
    /// With `asJob` (11.0 `async=true`) a job records the registration.
    public func registerStore(_ r: StoreRegistration, asJob: Bool, username: String, operationURI: String) throws -> (BackupStore, DRJob?) {
        try Self.validateStoreName(r.name)
        return try withSettledState { s in
            guard !s.stores.contains(where: { $0.name == r.name }) else { throw AdminError.duplicateStore(r.name) }
            var store = BackupStore(name: r.name, type: r.type, isDefault: r.isDefault || s.stores.isEmpty,
                                    storageConfig: r.storageConfig, identity: "", identityKey: SecretHash.randomToken(bytes: 24),
                                    rootDir: r.rootDir)
            store.cloud = r.cloud
            store.supportBDSBackup = r.supportBDSBackup
            store.versionCreated = s.profile.fullVersion
            let volume = store.volumeKey
            if let other = s.stores.first(where: { $0.volumeKey == volume }) { throw AdminError.volumeInUse(other.name) }
            let digest = SecretHash.digest(volume)
            store.identity = String(digest.prefix(20))
            store.providerID = String(SecretHash.digest("provider|" + volume).prefix(32))
            store.serviceID = String(SecretHash.digest("service|" + volume).prefix(32))
            var stores = s.stores
            if store.isDefault { for i in stores.indices { stores[i].isDefault = false } }
            stores.append(store)
            let returning = (try backups(&s).detached[volume] ?? []).map { b -> Backup in
                var b = b
                b.backupStore = r.name
                b.detachedVolume = nil
                return b
            }
            var profile = s.profile
            let seq = profile.storeSeq
            profile.storeSeq += 1
            let job = asJob ? instantJob(.register, store: r.name, backup: "", username: username, operationURI: operationURI, in: s) : nil
            if job != nil { profile.jobSeq += 1 }
            let jobSeq = profile.jobSeq
            let profileBody = try encode(profile)
            let storeBodies = try stores.map { try encode($0) }
            let backupBodies = try returning.map { try encode($0) }
            let jobBody = try job.map { try encode($0) }
            try catalog.write { w in
                try w.putDeployment(context: context, body: profileBody)
                for (i, st) in stores.enumerated() { try w.putStore(context: context, name: st.name, seq: st.name == r.name ? seq : i, body: storeBodies[i]) }
                for (i, b) in returning.enumerated() {
                    try w.deleteBackup(context: context, store: "#" + volume, name: b.backupName)
                    try w.putBackup(context: context, store: r.name, name: b.backupName, startTime: b.startTime, body: backupBodies[i])
                }
                if let job, let jobBody {
                    try w.putJob(context: context, jobID: job.jobID, seq: jobSeq, status: job.recordedStatus.rawValue, body: jobBody)
                }
            }
            s.profile = profile
            s.stores = stores
            try changeBackups(&s) { inventory in
                inventory.stores[r.name] = returning.sorted { ($0.startTime, $0.backupName) < ($1.startTime, $1.backupName) }
                inventory.detached[volume] = nil
            }
            if let job {
                s.jobs[job.jobID] = job
                s.jobOrder.append(job.jobID)
            }
            return (store, job)
        }
    }

    /// `stores/<s>/update`: `isDefault` true makes it the default (the old default stops being it);
    /// false on the default is refused. `supportBDSBackup` sets the 12.0 flag.
    public func updateStore(named name: String, isDefault: Bool?, supportBDSBackup: Bool?) throws -> BackupStore {
        try withSettledState { s in
            guard let index = s.stores.firstIndex(where: { $0.name == name }) else { throw AdminError.unknownStore(name) }
            var stores = s.stores
            if isDefault == false && stores[index].isDefault { throw AdminError.cannotUnsetDefault(name) }
            if isDefault == true { for i in stores.indices { stores[i].isDefault = (i == index) } }
            if let b = supportBDSBackup { stores[index].supportBDSBackup = b }
            let bodies = try stores.map { try encode($0) }
            try catalog.write { w in
                for (i, st) in stores.enumerated() where st != s.stores[i] {
                    try w.putStore(context: context, name: st.name, seq: i, body: bodies[i])
                }
            }
            s.stores = stores
            return stores[index]
        }
    }

    /// `stores/<s>/unregister`: the store goes; its backups stay on its volume (hidden) until a
    /// store on that volume is registered again. The default store cannot be unregistered, nor a
    /// store a running job uses.
    public func unregisterStore(named name: String) throws {
        try withSettledState { s in
            guard let store = s.stores.first(where: { $0.name == name }) else { throw AdminError.unknownStore(name) }
            if store.isDefault { throw AdminError.cannotUnregisterDefault(name) }
            if let id = s.activeJobID, let j = s.jobs[id], j.storeName == name { throw AdminError.jobAlreadyRunning(id) }
            let volume = store.volumeKey
            let leaving = (try backups(&s).stores[name] ?? []).map { b -> Backup in
                var b = b
                b.detachedVolume = volume
                return b
            }
            let bodies = try leaving.map { try encode($0) }
            try catalog.write { w in
                for (i, b) in leaving.enumerated() {
                    try w.deleteBackup(context: context, store: name, name: b.backupName)
                    try w.putBackup(context: context, store: "#" + volume, name: b.backupName, startTime: b.startTime, body: bodies[i])
                }
                try w.deleteStore(context: context, name: name)
            }
            s.stores.removeAll { $0.name == name }
            try changeBackups(&s) { inventory in
                inventory.stores[name] = nil
                inventory.detached[volume, default: []].append(contentsOf: leaving)
            }
        }
    }
}
