import DisasterRecovery

extension BackupStore {
    /// The fields a store carries from 11.2 (on every store, as Esri's CLI reads them
    /// unconditionally): `versionCreated`, `providerID`, `serviceID`, and the bucket or container of
    /// a cloud store; from 12.0 `supportBDSBackup`.
    func releaseFields(_ release: Release) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = []
        if release.has(.cloudStores) || (release.has(.cloudStoresBeta) && cloud != nil) {
            pairs.append(("versionCreated", .string(versionCreated ?? release.fullVersion)))
            pairs.append(("providerID", .string(providerID ?? String(identity.prefix(20)) + "provider")))
            pairs.append(("serviceID", .string(serviceID ?? String(identity.prefix(20)) + "service")))
            if let c = cloud {
                if let b = c.bucketName { pairs.append(("bucketName", .string(b))) }
                if let r = c.region { pairs.append(("region", .string(r))) }
                if let n = c.containerName { pairs.append(("containerName", .string(n))) }
                if let u = c.accountEndpointUrl { pairs.append(("accountEndpointUrl", .string(u))) }
            }
        }
        if release.has(.spatiotemporalBackups) { pairs.append(("supportBDSBackup", .bool(supportBDSBackup ?? false))) }
        return pairs
    }
}
