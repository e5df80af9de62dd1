import DisasterRecovery

/// Every route table the router dispatches on. A feature with its own table adds one line here.
enum RouteTables {
    static var all: [Route] {
        AdminRoutes.all + DirectoryRoutes.all + SettingsRoutes.all + StoreRoutes.all + BackupRoutes.all + LegacyRoutes.all
            + TaskRoutes.all + PortalRoutes.all
    }
}

/// The emulated disaster-recovery endpoints, the jobs and the token service.
enum AdminRoutes {
    static let dr = "admin/system/disasterrecovery"
    static let security = Access.privilege(User.securityAndInfrastructure)

    static let all: [Route] = [
        Route("POST", "sharing/rest/generateToken", access: .open, title: "Generate Token", generateToken),
        Route("GET", "\(dr)/status", access: security, title: "Status", DirectoryRoutes.status).online.accepting().cachedAnswers.showingElapsedTime,
        Route("GET", "\(dr)/stores", access: security, title: "Backup Stores") { call in
            ["backupStores": .array(call.deployment.stores().map { $0.json(inList: true, release: call.release) })]
        }.accepting().cachedAnswers,
        Route("GET", "\(dr)/stores/{store}", access: security, title: "Backup Store") { call in
            try call.deployment.store(named: call.pathParameter("store")).json(inList: false, release: call.release)
        }.accepting().cachedAnswers,
        Route("GET", "\(dr)/stores/{store}/backups", access: security, title: "Backups") { call in
            ["backups": .array(try call.deployment.backups(inStore: call.pathParameter("store")).map(\.json))]
        }.writing { call, pretty in
            BackupList(try call.deployment.backups(inStore: call.pathParameter("store")), pretty: pretty)
        }.requiring(.storeBackups).accepting().cachedAnswers,
        Route("POST", "\(dr)/stores/{store}/backups/create", access: security, title: "Create Backup", createBackup)
            .requiring(.storeBackups).accepting("name", "passcode", "description", "retentionDate", "storeName"),   // storeName: legacy, still documented
        Route("GET", "\(dr)/stores/{store}/backups/{backup}", access: security, title: "Backup") { call in
            try call.deployment.backup(named: call.pathParameter("backup"), inStore: call.pathParameter("store")).json
        }.requiring(.storeBackups).accepting().cachedAnswers,
        Route("GET", "admin/jobs", access: security, title: "Jobs") { call in
            ["jobs": JSONValue(try call.deployment.jobIDs())]
        }.accepting().cachedAnswers,
        Route("GET", "admin/jobs/{job}", access: security, title: "Job") { call in
            try call.deployment.jobAsShown(id: call.pathParameter("job")).json
        }.accepting().cachedAnswers,
    ]

    // MARK: - Operations

    /// `POST /<context>/sharing/rest/generateToken`
    @Sendable static func generateToken(_ call: Call) throws -> JSONValue {
        guard let username = call.param("username") else { throw AdminError.unableToGenerateToken("'username' must be specified.") }
        guard let password = call.param("password") else { throw AdminError.unableToGenerateToken("'password' must be specified.") }
        let client = call.param("client")?.lowercased()
        if let client, !["referer", "ip", "requestip"].contains(client) {
            throw AdminError.unableToGenerateToken("'client' must be one of referer, ip, requestip.")
        }
        if client == "referer", call.param("referer") == nil {
            throw AdminError.unableToGenerateToken("'referer' must be specified.")
        }
        if client == "ip", call.param("ip") == nil {
            throw AdminError.unableToGenerateToken("'ip' must be specified.")
        }
        let minutes = try call.integer("expiration")
        let grant = try call.deployment.generateToken(
            username: username, password: password,
            expirationMinutes: minutes.map { Int(clamping: $0) })
        return ["token": .string(grant.token), "expires": .int(grant.expires), "ssl": .bool(call.request.isTLS)]
    }

    /// `POST <dr>/stores/<store>/backups/create`
    @Sendable static func createBackup(_ call: Call) throws -> JSONValue {
        try submitBackup(call, store: call.pathParameter("store"))
    }

    /// Creates a backup in `store` from the call's form (also the legacy `backuprestore/backup`).
    static func submitBackup(_ call: Call, store: String) throws -> JSONValue {
        _ = try call.deployment.store(named: store)
        let name = try call.required("name")
        let passcode = try call.required("passcode")
        let retention = try call.integer("retentionDate") ?? -1
        let job = try call.deployment.createBackup(.init(
            storeName: store, name: name, passcode: passcode,
            description: call.param("description") ?? "", retentionDate: retention,
            scheduleType: "MANUAL", username: call.user?.username ?? "",
            operationURI: call.path))
        return call.jobEnvelope(job)
    }
}
