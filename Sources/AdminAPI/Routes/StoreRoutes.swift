import DisasterRecovery

/// Backup store operations: register, update, unregister, validate.
enum StoreRoutes {
    static let dr = AdminRoutes.dr
    static let security = AdminRoutes.security

    static let all: [Route] = [
        Route("POST", "\(dr)/stores/register", access: security, title: "Register Backup Store", register)
            .accepting("storeName", "settings", "isDefault", "async@asyncOperations"),
        Route("POST", "\(dr)/stores/{store}/update", access: security, title: "Update Backup Store") { call in
            let settings = try call.requiredObject("settings")
            var isDefault: Bool? = nil, bds: Bool? = nil
            for (key, value) in settings.objectPairs ?? [] {
                switch key {
                case "default":
                    guard let b = StoreSettings.bool(value) else { throw AdminError.invalidSettings("settings", "'default' must be true or false.") }
                    isDefault = b
                case "supportBDSBackup":
                    if call.strict && !call.release.has(.spatiotemporalBackups) { throw StoreSettings.unknown(key, call.release) }
                    guard let b = StoreSettings.bool(value) else { throw AdminError.invalidSettings("settings", "'supportBDSBackup' must be true or false.") }
                    bds = b
                default:
                    if call.strict { throw StoreSettings.unknown(key, call.release) }
                }
            }
            // Observed at 12.0 (https://github.com/Esri/arcgis-gitops/issues/268): the key is required.
            // (The store is found first: an unknown store is still a 404, as the resource comes before its operation.)
            if bds == nil, call.deployment.observes(.storeUpdateNeedsSupportBDSBackup) {
                _ = try call.deployment.store(named: call.pathParameter("store"))
                throw AdminError.jsonObjectKeyNotFound("supportBDSBackup")
            }
            _ = try call.deployment.updateStore(named: call.pathParameter("store"), isDefault: isDefault, supportBDSBackup: bds)
            return ["status": "success"]
        }.requiring(.storeBackups).accepting("settings"),
        Route("POST", "\(dr)/stores/{store}/unregister", access: security, title: "Unregister Backup Store") { call in
            try call.deployment.unregisterStore(named: call.pathParameter("store"))
            return ["status": "success"]
        },
        Route("POST", "\(dr)/stores/{store}/validate", access: security, title: "Validate Backup Store") { call in
            let store = try call.deployment.store(named: call.pathParameter("store"))
            // A store the fault plan made unavailable is not ready.
            let ready = !call.deployment.currentFaults.unavailableStores.contains(store.name)
            return ["isReady": .bool(ready), "status": "success"]
        }.requiring(.storeBackups),
    ]

    /// `POST <dr>/stores/register`: `storeName`, `settings` (JSON), `isDefault`, `async` (11.0).
    /// The 10.9 parameters the ArcGIS API for Python's `RecoveryManager.register` sends
    /// (`storageConfig`, `rootDirectory`, `credentials`) are read when `settings` is absent.
    @Sendable static func register(_ call: Call) throws -> JSONValue {
        let name = try call.required("storeName")
        try Deployment.validateStoreName(name)
        var registration: Deployment.StoreRegistration
        if let settings = try call.json("settings") {
            guard settings.objectPairs != nil else { throw AdminError.invalidJSON("settings", "'settings' must be a JSON object.") }
            registration = try StoreSettings.registration(name: name, settings, release: call.release, strict: call.strict)
        } else if !call.strict, let config = try call.json("storageConfig") {
            registration = try StoreSettings.registration(name: name, ["type": "HOSTED", "storageConfig": config], release: call.release, strict: false)
            if let root = call.param("rootDirectory") { registration.rootDir = root }
        } else {
            throw AdminError.missingParameter("settings")
        }
        registration.isDefault = try call.bool("isDefault") ?? false
        let async = try call.asyncRequested()
        let (store, job) = try call.deployment.registerStore(registration, asJob: async, username: call.user?.username ?? "",
                                                             operationURI: call.path)
        if let job { return call.jobEnvelope(job) }
        return ["status": "success", "name": .string(store.name)]
    }
}

/// Reading a store's `settings` JSON: HOSTED, S3 (11.1 beta and 11.2 shapes), AZURE_BLOBSTORE and GCS (12.0).
enum StoreSettings {
    static func unknown(_ key: String, _ release: Release) -> AdminError {
        AdminError.invalidSettings("settings", "'\(key)' is not a store setting at release \(release.name).")
    }

    static func bool(_ v: JSONValue) -> Bool? {
        if let b = v.boolValue { return b }
        switch v.stringValue?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }

    static func string(_ v: JSONValue?, _ field: String) throws -> String {
        guard let s = v?.stringValue, !s.isEmpty, s.count <= 1024 else {
            throw AdminError.invalidSettings("settings", "'\(field)' must be a non-empty string.")
        }
        return s
    }

    /// A store type the release does not have (cloud stores: 11.1 beta, 11.2; Google Cloud Storage: 12.0).
    static func typeNotInRelease(_ type: String, _ release: Release, since: String) -> AdminError {
        AdminError.invalidSettings("settings", "'type' \(type) is not a backup store type at release \(release.name) (it came at \(since)).")
    }

    /// The store types `release` registers, for messages.
    static func types(_ release: Release) -> String {
        var t = ["HOSTED"]
        if release.has(.cloudStoresBeta) || release.has(.cloudStores) { t.append("S3") }
        if release.has(.cloudStores) { t.append("AZURE_BLOBSTORE") }
        if release.has(.googleCloudStores) { t.append("GCS") }
        return t.joined(separator: ", ")
    }

    /// Reads a `settings` object as the release reads it: what came at a later release (a cloud store
    /// type, the other S3 shape) is refused at every release before it, with or without `--strict`.
    static func registration(name: String, _ settings: JSONValue, release: Release, strict: Bool) throws -> Deployment.StoreRegistration {
        guard let type = settings["type"]?.stringValue?.uppercased() else {
            throw AdminError.invalidSettings("settings", "'type' must be one of \(types(release)).")
        }
        var bds: Bool? = nil
        if let v = settings["supportBDSBackup"] {
            if strict && !release.has(.spatiotemporalBackups) { throw unknown("supportBDSBackup", release) }
            guard let b = bool(v) else { throw AdminError.invalidSettings("settings", "'supportBDSBackup' must be true or false.") }
            bds = b
        }
        switch type {
        case "HOSTED":
            guard let config = settings["storageConfig"], config.objectPairs != nil else {
                throw AdminError.invalidSettings("settings", "A HOSTED store needs 'storageConfig' (provisioningType, storageClass, size).")
            }
            let provisioning = (config["provisioningType"]?.stringValue ?? "DYNAMIC").uppercased()
            guard provisioning == "DYNAMIC" || provisioning == "STATIC" else {
                throw AdminError.invalidSettings("settings", "storageConfig.provisioningType must be DYNAMIC or STATIC.")
            }
            let storageClass = try string(config["storageClass"], "storageConfig.storageClass")
            let size = try SettingsInput.volumeSize(config["size"], field: "storageConfig.size")
            var labels: [String: String]? = nil
            if let l = config["labels"] { labels = try SettingsInput.labels(l, field: "storageConfig.labels") }
            // STATIC without labels is accepted: the documents make labels optional, and Esri's
            // enterprise-admin-cli registers STATIC stores without them by default.
            return .init(name: name, type: "HOSTED",
                         storageConfig: .init(storageClass: storageClass, size: size, provisioningType: provisioning,
                                              labels: provisioning == "STATIC" ? labels : nil),
                         cloud: nil, rootDir: "rootdir", supportBDSBackup: bds, isDefault: false)
        case "S3":
            guard release.has(.cloudStores) || release.has(.cloudStoresBeta) else { throw typeNotInRelease("S3", release, since: "11.1") }
            let connection: JSONValue
            let bucket: String, region: String, root: String
            if let services = settings["provider"]?["cloudServices"]?.arrayValue {
                guard release.has(.cloudStores) else {
                    throw AdminError.invalidSettings("settings", "Release \(release.name) reads the 11.1 S3 shape (service.connection.info); provider.cloudServices came at 11.2.")
                }
                guard let c = services.first?["connection"] else {
                    throw AdminError.invalidSettings("settings", "provider.cloudServices[0].connection is missing.")
                }
                connection = c
                bucket = try string(c["bucketName"], "connection.bucketName")
                region = try string(c["region"], "connection.region")
                root = c["rootDir"]?.stringValue ?? ""
            } else if let info = settings["service"]?["connection"]?["info"] {
                guard release.has(.cloudStoresBeta) else {
                    throw AdminError.invalidSettings("settings", "Release \(release.name) reads the 11.2 S3 shape (provider.cloudServices); service.connection.info was the 11.1 beta's.")
                }
                connection = info
                bucket = try string(info["bucket_name"], "service.connection.info.bucket_name")
                region = try string(info["region"], "service.connection.info.region")
                root = info["rootDir"]?.stringValue ?? ""
            } else {
                throw AdminError.invalidSettings("settings", release.has(.cloudStores)
                    ? "An S3 store needs provider.cloudServices[0].connection."
                    : "An S3 store needs service.connection.info (the 11.1 shape).")
            }
            let credential = connection["credential"]?["type"]?.stringValue ?? settings["provider"]?["connection"]?["type"]?.stringValue
            return .init(name: name, type: "S3", storageConfig: nil,
                         cloud: .init(provider: "AWS", bucketName: bucket, region: region, credentialType: credential),
                         rootDir: root, supportBDSBackup: bds, isDefault: false)
        case "AZURE_BLOBSTORE", "AZURE":
            guard release.has(.cloudStores) else { throw typeNotInRelease("AZURE_BLOBSTORE", release, since: "11.2") }
            guard let c = settings["provider"]?["cloudServices"]?.arrayValue?.first?["connection"] else {
                throw AdminError.invalidSettings("settings", "An Azure store needs provider.cloudServices[0].connection.")
            }
            let container = try string(c["containerName"], "connection.containerName")
            let endpoint = try string(c["accountEndpointUrl"], "connection.accountEndpointUrl")
            guard endpoint.hasPrefix("https://") else {
                throw AdminError.invalidSettings("settings", "connection.accountEndpointUrl must be an https:// URL.")
            }
            return .init(name: name, type: "AZURE_BLOBSTORE", storageConfig: nil,
                         cloud: .init(provider: "AZURE", containerName: container, accountEndpointUrl: endpoint,
                                      credentialType: c["credential"]?["type"]?.stringValue),
                         rootDir: c["rootDir"]?.stringValue ?? "", supportBDSBackup: bds, isDefault: false)
        case "GCS":
            // 12.0 lists Google Cloud Storage backup stores; no public source gives its settings, so the
            // shape follows S3's and Azure's (provider GCP, cloudServices[0].connection.bucketName): a decision.
            guard release.has(.googleCloudStores) else { throw typeNotInRelease("GCS", release, since: "12.0") }
            guard let c = settings["provider"]?["cloudServices"]?.arrayValue?.first?["connection"] else {
                throw AdminError.invalidSettings("settings", "A Google Cloud Storage store needs provider.cloudServices[0].connection.")
            }
            let bucket = try string(c["bucketName"], "connection.bucketName")
            return .init(name: name, type: "GCS", storageConfig: nil,
                         cloud: .init(provider: "GCP", bucketName: bucket, region: c["region"]?.stringValue,
                                      credentialType: c["credential"]?["type"]?.stringValue),
                         rootDir: c["rootDir"]?.stringValue ?? "", supportBDSBackup: bds, isDefault: false)
        default:
            throw AdminError.invalidSettings("settings", "'type' must be one of \(types(release)), not '\(type.prefix(32))'.")
        }
    }
}
