/// In-place upgrades: a deployment moves to a newer release, as `helm upgrade` moves a real one,
/// with what real upgrades were observed to do (``ObservedBehaviour``).
extension Deployment {
    /// What an upgrade did.
    public struct UpgradeReport: Sendable, Equatable {
        public var from: String
        public var to: String
        /// The stores registered before the upgrade that a new store should replace (the observed
        /// ``ObservedBehaviour/ID/storeRegisteredAgainAfterUpgrade``); empty when it does not play.
        public var storesToRegisterAgain: [String]
        /// The backups listed now that the new release cannot restore (made at an older release).
        public var backupsOfOlderReleases: Int
        /// One line per effect, each with its source where it rests on one.
        public var effects: [String]
    }

    /// Moves the deployment to `target`, a newer release, and persists it (a restart keeps it):
    /// `fullVersion` and `currentVersion` follow; the stores registered before keep the
    /// `versionCreated` of the release they were made at; backups stay listed but, being of an older
    /// release, can no longer be restored ("only backups from the same release as the running
    /// deployment"); and where ``ObservedBehaviour/ID/storeRegisteredAgainAfterUpgrade`` plays, the
    /// report names the stores a new one should replace. A downgrade, or an upgrade while a
    /// backup or restore runs, is refused.
    public func upgrade(to target: Release) throws -> UpgradeReport {
        try withSettledState { s in
            let current = try Release.named(s.profile.release)
            guard target.order > current.order else {
                throw AdminError.cannotUpgrade(from: current.name, to: target.name)
            }
            if let active = s.activeJobID { throw AdminError.jobAlreadyRunning(active) }
            var stores = s.stores
            for i in stores.indices where stores[i].versionCreated == nil { stores[i].versionCreated = current.fullVersion }
            var profile = s.profile
            profile.release = target.name
            profile.fullVersion = target.fullVersion
            let older = try backups(&s).stores.values.joined().filter { !Release.same($0.release, target.name) }.count
            let profileBody = try encode(profile)
            let storeBodies = try stores.map { try encode($0) }
            try catalog.write { w in
                try w.putDeployment(context: context, body: profileBody)
                for (i, st) in stores.enumerated() where st != s.stores[i] {
                    try w.putStore(context: context, name: st.name, seq: i, body: storeBodies[i])
                }
            }
            s.profile = profile
            s.stores = stores
            var report = UpgradeReport(from: current.name, to: target.name, storesToRegisterAgain: [], backupsOfOlderReleases: older,
                                       effects: ["fullVersion \(target.fullVersion), currentVersion \(target.currentVersion)."])
            if older > 0 {
                report.effects.append("\(older) backup(s) of older releases stay listed and cannot be restored: only backups from the same release as the running deployment can (\(Release.sameReleaseRestoreSource)).")
            }
            let reRegister = ObservedBehaviour.entry(.storeRegisteredAgainAfterUpgrade)
            let crossed = Release.all.filter { $0.order > current.order && $0.order <= target.order }
            if crossed.contains(where: { behaviours.plays(reRegister, at: $0, optedIn: optedInBehaviours) }), !stores.isEmpty {
                report.storesToRegisterAgain = stores.map(\.name)
                report.effects.append("Register a new backup store (and make it the default) to replace \(stores.map { "'\($0.name)'" }.joined(separator: ", ")): an in-place upgrade to \(reRegister.releases.joined(separator: ", ")) does not carry a backup store over, although the admin API still lists it and still takes backups into it (\(reRegister.sources.joined(separator: ", "))).")
            }
            return report
        }
    }
}
