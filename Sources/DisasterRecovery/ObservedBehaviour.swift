/// What a real release was seen to do in production where Esri's documents say otherwise (or say
/// nothing): the second of a release's three parts, beside what it documents (``Release/Feature``)
/// and drmock's own decisions (``Decision``).
///
/// Confirmed behaviours (stated by Esri's maintainers, or seen by several users) are on by default on
/// the releases they were seen on; `drmock serve --documented-only` turns them off. Suspected ones
/// (one report) are off unless a fault plan or a scenario names them in `observe`. Handlers ask the
/// deployment (`deployment.observes(.completedBackupJobWithoutResult)`), never compare versions.
public struct ObservedBehaviour: Sendable, Equatable {
    public enum ID: String, Sendable, CaseIterable, Codable {
        case completedBackupJobWithoutResult = "completed-backup-job-without-result"
        case storeUpdateNeedsSupportBDSBackup = "store-update-needs-supportBDSBackup"
        case backupJobReadsCompletedAtOnce = "backup-job-reads-completed-at-once"
        case storeRegisteredAgainAfterUpgrade = "store-registered-again-after-upgrade"
    }

    /// How sure the evidence is.
    public enum Evidence: String, Sendable, Codable {
        /// Stated by the vendor's maintainers, or seen by several users: on by default.
        case confirmed
        /// One report, not confirmed: off unless a fault plan or scenario names it (`observe`).
        case suspected
    }

    public let id: ID
    /// The releases it was seen on (names, as ``Release/name``). For an upgrade behaviour: the
    /// release an in-place upgrade moved to.
    public let releases: [String]
    /// What happens on the wire.
    public let wire: String
    /// Public sources (URLs), the first the main one.
    public let sources: [String]
    public let evidence: Evidence

    /// Whether it was seen on `release`.
    public func applies(to release: Release) -> Bool { releases.contains(release.name) }

    /// The table.
    public static let all: [ObservedBehaviour] = [
        ObservedBehaviour(
            id: .completedBackupJobWithoutResult, releases: ["12.0"],
            wire: "GET /admin/jobs/<id> of a COMPLETED backup job has no `result` member (decision 4 gives it `result.stages`).",
            sources: ["https://github.com/Esri/arcgis-gitops/issues/263"], evidence: .confirmed),
        ObservedBehaviour(
            id: .storeUpdateNeedsSupportBDSBackup, releases: ["12.0"],
            wire: "POST <dr>/stores/<s>/update whose `settings` lack `supportBDSBackup` answers the error envelope with code 500, message `JSONObject[\"supportBDSBackup\"] not found.` and `details` null (HTTP 200), and changes nothing.",
            sources: ["https://github.com/Esri/arcgis-gitops/issues/268"], evidence: .confirmed),
        ObservedBehaviour(
            id: .backupJobReadsCompletedAtOnce, releases: ["11.4"],
            wire: "GET /admin/jobs/<id> of a backup job reads COMPLETED (with its `result`) from its submission on, while the backup still runs: <dr>/status shows it in progress and the backup is listed only when it really ends.",
            sources: ["https://github.com/Esri/arcgis-gitops/issues/165"], evidence: .suspected),
        ObservedBehaviour(
            id: .storeRegisteredAgainAfterUpgrade, releases: ["11.3"],
            wire: "After an in-place upgrade to 11.3 from 11.2, the backup store registered before still appears in <dr>/stores and still takes backups, but Manager no longer shows it and Esri's product team asks for a new store (\"forcing an admin to register a new store\"): Esri's pipeline now registers a new default store at each release. drmock keeps the old stores listed with the versionCreated of their release, and POST /_mock/upgrade names them as stores to register again.",
            sources: ["https://github.com/Esri/arcgis-gitops/issues/91", "https://github.com/Esri/arcgis-gitops/pull/111"],
            evidence: .confirmed),
    ]

    /// The entry of `id`.
    public static func entry(_ id: ID) -> ObservedBehaviour {
        all.first { $0.id == id }!
    }

    /// The behaviour called `name` (its id), or an error that lists the known ones.
    public static func named(_ name: String) throws -> ObservedBehaviour {
        if let b = all.first(where: { $0.id.rawValue == name }) { return b }
        throw FixtureError("unknown observed behaviour '\(name)'; known: \(all.map(\.id.rawValue).joined(separator: ", "))")
    }
}

/// Which observed behaviours a server plays: `--documented-only` turns the confirmed ones off.
public struct BehaviourPolicy: Sendable, Equatable {
    /// `--documented-only`: only what the documents say (and what a fault plan opts into).
    public var documentedOnly: Bool
    public init(documentedOnly: Bool = false) { self.documentedOnly = documentedOnly }

    /// Whether `behaviour` is played at `release`, given the fault plan's opt-ins.
    public func plays(_ behaviour: ObservedBehaviour, at release: Release, optedIn: Set<ObservedBehaviour.ID>) -> Bool {
        guard behaviour.applies(to: release) else { return false }
        if optedIn.contains(behaviour.id) { return true }
        return behaviour.evidence == .confirmed && !documentedOnly
    }
}

extension Release {
    /// The behaviours observed on this release.
    public var observed: [ObservedBehaviour] { ObservedBehaviour.all.filter { $0.applies(to: self) } }
}
