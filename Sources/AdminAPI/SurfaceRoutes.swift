import DisasterRecovery

/// The disaster-recovery surface beyond the foundation: the admin and DR roots, settings, backup
/// update/delete/restore, and the legacy 10.9 `backuprestore` URLs.
enum SurfaceRoutes {
    static let dr = AdminRoutes.dr
    static let legacy = "\(AdminRoutes.dr)/backuprestore"
    static let security = AdminRoutes.security

    static let all: [Route] = [
        Route("GET", "admin", access: security, title: "Enterprise Administrator Directory", adminRoot).accepting(),
        Route("GET", dr, access: security, title: "Disaster Recovery") { call in
            var resources: [JSONValue] = ["stores", "settings"]
            if call.release.has(.legacyBackupRestore) { resources.insert("backuprestore", at: 1) }
            return ["operations": ["status"], "resources": .array(resources)]
        }.accepting(),
        Route("GET", "\(dr)/settings", access: security, title: "Disaster Recovery Settings") { call in
            try call.deployment.drSettings().json(release: call.release)
        }.accepting(),
        Route("POST", "\(dr)/settings/update", access: security, title: "Update Settings", updateSettings).accepting("settings"),

        // 10.9.1 and later: a backup's operations.
        Route("POST", "\(dr)/stores/{store}/backups/{backup}/update", access: security, title: "Update Backup") { call in
            let retention = try call.integer("retentionDate") ?? { throw AdminError.missingParameter("retentionDate") }()
            _ = try call.deployment.updateBackup(named: call.pathParameter("backup"), inStore: call.pathParameter("store"), retentionDate: retention)
            return ["status": "success"]
        }.requiring(.storeBackups).accepting("retentionDate"),
        Route("POST", "\(dr)/stores/{store}/backups/{backup}/delete", access: security, title: "Delete Backup") { call in
            try deleteBackup(call, name: call.pathParameter("backup"), store: call.pathParameter("store"))
        }.requiring(.storeBackups).accepting("async@asyncOperations"),
        Route("POST", "\(dr)/stores/{store}/backups/{backup}/restore", access: security, title: "Restore Backup") { call in
            try restoreBackup(call, name: call.pathParameter("backup"), store: call.pathParameter("store"))
        }.requiring(.storeBackups).accepting("passcode", "storeName"),
        Route("POST", "\(dr)/stores/{store}/backups/{backup}/validate", access: security, title: "Validate Backup") { call in
            _ = try call.deployment.backup(named: call.pathParameter("backup"), inStore: call.pathParameter("store"))
            return ["status": "success"]
        }.requiring(.legacyBackupRestore),

        // 10.9: the legacy URLs (answering on every release unless --strict).
        Route("GET", legacy, access: security, title: "Backup and Restore") { _ in
            ["operations": ["backup"], "resources": ["status", "backups"]]
        }.requiring(.legacyBackupRestore).accepting(),
        Route("POST", "\(legacy)/backup", access: security, title: "Create Backup") { call in
            let store = try call.param("storeName") ?? call.deployment.defaultStoreName()
            return try AdminRoutes.submitBackup(call, store: store)
        }.requiring(.legacyBackupRestore).accepting("name", "storeName", "passcode", "description", "retentionDate@storeBackups"),
        Route("GET", "\(legacy)/status", access: security, title: "Status", status).requiring(.legacyBackupRestore).online.accepting(),
        Route("GET", "\(legacy)/backups", access: security, title: "Backups") { call in
            ["backups": .array(try call.deployment.allBackups().map(\.json))]
        }.writing { call, pretty in
            BackupList(try call.deployment.allBackups(), pretty: pretty)
        }.requiring(.legacyBackupRestore).accepting(),
        Route("GET", "\(legacy)/backups/{backup}", access: security, title: "Backup") { call in
            try call.deployment.locateBackup(named: call.pathParameter("backup"), store: call.param("storeName")).json
        }.requiring(.legacyBackupRestore).accepting("storeName"),
        Route("POST", "\(legacy)/backups/{backup}/delete", access: security, title: "Delete Backup") { call in
            let b = try call.deployment.locateBackup(named: call.pathParameter("backup"), store: call.param("storeName"))
            return try deleteBackup(call, name: b.backupName, store: b.backupStore)
        }.accepting("storeName", "async@asyncOperations"),   // the delete-backup page documents this URL on every release
        Route("POST", "\(legacy)/backups/{backup}/restore", access: security, title: "Restore Backup") { call in
            let b = try call.deployment.locateBackup(named: call.pathParameter("backup"), store: call.param("storeName"))
            return try restoreBackup(call, name: b.backupName, store: b.backupStore)
        }.requiring(.legacyBackupRestore).accepting("storeName", "passcode"),
        Route("POST", "\(legacy)/backups/{backup}/validate", access: security, title: "Validate Backup") { call in
            _ = try call.deployment.locateBackup(named: call.pathParameter("backup"), store: call.param("storeName"))
            return ["status": "success"]
        }.requiring(.legacyBackupRestore).accepting("storeName"),
    ]

    /// `GET <dr>/status` and `<dr>/backuprestore/status`: the last DR job in the release's format.
    @Sendable static func status(_ call: Call) throws -> JSONValue {
        guard let view = try call.deployment.lastDRJob() else { return Deployment.JobView.noOpStatus }
        switch call.release.statusFormat {
        case .stages: return view.statusJSON(now: call.deployment.clock.now())
        case .messages: return view.messagesStatusJSON()
        }
    }

    /// `GET /<context>/admin` (decision 11): `fullVersion` dotted, `currentVersion` numeric.
    @Sendable static func adminRoot(_ call: Call) throws -> JSONValue {
        let now = call.deployment.clock.now()
        let stages = ["License validation", "Configuration store", "Relational store", "Object store", "Organization"]
        return [
            "fullVersion": .string(call.release.fullVersion),
            "currentVersion": .double(call.release.currentVersion),
            "resources": ["orgs", "logs", "system", "datastores", "uploads", "services", "jobs"],
            "status": ["stages": .array(stages.map { ["lastUpdated": .int(now), "name": .string($0), "state": "completed"] })],
        ]
    }

    static func deleteBackup(_ call: Call, name: String, store: String) throws -> JSONValue {
        let async = try call.asyncRequested()
        let job = try call.deployment.deleteBackup(named: name, inStore: store, asJob: async,
                                                   username: call.user?.username ?? "", operationURI: call.path)
        if let job { return call.jobEnvelope(job) }
        return ["status": "success"]
    }

    static func restoreBackup(_ call: Call, name: String, store: String) throws -> JSONValue {
        let passcode = try call.required("passcode")
        _ = try call.deployment.restoreBackup(named: name, inStore: store, passcode: passcode,
                                              username: call.user?.username ?? "", operationURI: call.path)
        return ["status": "success"]
    }

    /// `POST <dr>/settings/update`: `settings` JSON with `stagingVolumeConfig` and/or `timeoutInSeconds`.
    @Sendable static func updateSettings(_ call: Call) throws -> JSONValue {
        let settings = try call.requiredObject("settings")
        let strict = call.strict
        let release = call.release
        try call.deployment.updateSettings { s in
            try SettingsInput.apply(settings, to: &s, release: release, strict: strict)
        }
        return ["status": "success"]
    }
}
