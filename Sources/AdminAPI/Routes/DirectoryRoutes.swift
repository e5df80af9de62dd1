import DisasterRecovery

/// The directory's roots and the status resource: `GET /<context>/admin` (decision 11), `GET <dr>`, and
/// `GET <dr>/status` (the route is in ``AdminRoutes``; the legacy one in ``LegacyRoutes``).
enum DirectoryRoutes {
    static let dr = AdminRoutes.dr
    static let security = AdminRoutes.security

    static let all: [Route] = [
        Route("GET", "admin", access: security, title: "Enterprise Administrator Directory", adminRoot).accepting(),
        Route("GET", dr, access: security, title: "Disaster Recovery") { call in
            var resources: [JSONValue] = ["stores", "settings"]
            if call.release.has(.legacyBackupRestore) { resources.insert("backuprestore", at: 1) }
            return ["operations": ["status"], "resources": .array(resources)]
        }.accepting(),
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
}
