/// The DR settings and the default store.
extension Deployment {
    public func drSettings() throws -> DRSettings { try withSettledState { $0.restorable.settings } }

    /// Changes the settings through `change` (which validates) and records them.
    public func updateSettings(_ change: (inout DRSettings) throws -> Void) throws {
        try withSettledState { s in
            var restorable = s.restorable
            try change(&restorable.settings)
            var profile = s.profile
            profile.restorable = restorable
            let body = try encode(profile)
            try catalog.write { w in try w.putDeployment(context: context, body: body) }
            s.profile = profile
        }
    }

    /// The default store's name (legacy create without `storeName`).
    public func defaultStoreName() throws -> String {
        guard let name = state.withLock({ $0.stores.first(where: \.isDefault)?.name }) else {
            throw AdminError.missingParameter("storeName")
        }
        return name
    }
}
