import DisasterRecovery

/// `<dr>/settings` and `<dr>/settings/update`: the staging volume and the job timeout.
enum SettingsRoutes {
    static let dr = AdminRoutes.dr
    static let security = AdminRoutes.security

    static let all: [Route] = [
        Route("GET", "\(dr)/settings", access: security, title: "Disaster Recovery Settings") { call in
            try call.deployment.drSettings().json(release: call.release)
        }.accepting(),
        Route("POST", "\(dr)/settings/update", access: security, title: "Update Settings", updateSettings).accepting("settings"),
    ]

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
