import DisasterRecovery

/// The 10.9 `backuprestore` URLs, deprecated at 10.9.1: they answer on every release (the ArcGIS API for
/// Python still calls them) unless `--strict`, which keeps only the delete URL the delete-backup page
/// still documents (decision 7).
enum LegacyRoutes {
    static let legacy = "\(AdminRoutes.dr)/backuprestore"
    static let security = AdminRoutes.security

    static let all: [Route] = [
        Route("GET", legacy, access: security, title: "Backup and Restore") { _ in
            ["operations": ["backup"], "resources": ["status", "backups"]]
        }.requiring(.legacyBackupRestore).accepting(),
        Route("POST", "\(legacy)/backup", access: security, title: "Create Backup") { call in
            let store = try call.param("storeName") ?? call.deployment.defaultStoreName()
            return try AdminRoutes.submitBackup(call, store: store)
        }.requiring(.legacyBackupRestore).accepting("name", "storeName", "passcode", "description", "retentionDate@storeBackups"),
        Route("GET", "\(legacy)/status", access: security, title: "Status", DirectoryRoutes.status).requiring(.legacyBackupRestore).online.accepting(),
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
            return try BackupRoutes.deleteBackup(call, name: b.backupName, store: b.backupStore)
        }.accepting("storeName", "async@asyncOperations"),   // the delete-backup page documents this URL on every release
        Route("POST", "\(legacy)/backups/{backup}/restore", access: security, title: "Restore Backup") { call in
            let b = try call.deployment.locateBackup(named: call.pathParameter("backup"), store: call.param("storeName"))
            return try BackupRoutes.restoreBackup(call, name: b.backupName, store: b.backupStore)
        }.requiring(.legacyBackupRestore).accepting("storeName", "passcode"),
        Route("POST", "\(legacy)/backups/{backup}/validate", access: security, title: "Validate Backup") { call in
            _ = try call.deployment.locateBackup(named: call.pathParameter("backup"), store: call.param("storeName"))
            return ["status": "success"]
        }.requiring(.legacyBackupRestore).accepting("storeName"),
    ]
}
