import DisasterRecovery

/// A backup's operations (10.9.1 and later): `stores/<s>/backups/<b>/update`, `delete`, `restore` and
/// `validate`. The list, the backup and create are in ``AdminRoutes``.
enum BackupRoutes {
    static let dr = AdminRoutes.dr
    static let security = AdminRoutes.security

    static let all: [Route] = [
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
    ]

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
}
