/// What one ArcGIS Enterprise on Kubernetes release offers on the disaster-recovery surface.
///
/// Releases are data: ``Release/all`` is the one table of what exists at each release and how it
/// looks; handlers ask the release (`release.has(.asyncOperations)`) instead of comparing versions.
public struct Release: Sendable, Equatable {
    /// Things that appeared (or, for ``legacyBackupRestore``, were dropped) at some release.
    public enum Feature: String, Sendable, CaseIterable {
        /// `<dr>/backuprestore/...` (10.9; deprecated at 10.9.1, gone from 11.0 under `--strict`).
        case legacyBackupRestore
        /// `<dr>/stores/<s>/backups[/...]`, `retentionDate`, store `update`/`validate`, backup
        /// `update`, `/admin/jobs`, `/admin/system/tasks` (10.9.1).
        case storeBackups
        /// `async` on register and delete, `timeoutInSeconds` in the DR settings (11.0).
        case asyncOperations
        /// S3 stores in the 11.1 (beta) settings shape (11.1).
        case cloudStoresBeta
        /// S3 and Azure stores in the 11.2 settings shape, and the cloud fields on every store (11.2).
        case cloudStores
        /// Static provisioning with `labels` for the staging volume (11.3).
        case stagingVolumeLabels
        /// The `supportBDSBackup` store setting (12.0).
        case spatiotemporalBackups
        /// Google Cloud Storage backup stores (12.0, "Register a backup store").
        case googleCloudStores
        /// The `CreateHealthCheckReports` task type of `createTask` (11.4).
        case healthCheckReportTasks
    }

    /// What a release's feature is, in a line (`drmock releases`).
    public static func summary(of feature: Feature) -> String {
        switch feature {
        case .legacyBackupRestore: return "`<dr>/backuprestore` URLs (deprecated at 10.9.1)"
        case .storeBackups: return "`stores/<s>/backups`, `retentionDate`, store `update` and `validate`, backup `update`, `/admin/jobs`, `system/tasks`"
        case .asyncOperations: return "`async` on register and delete; `timeoutInSeconds` in the DR settings"
        case .cloudStoresBeta: return "S3 backup stores in the 11.1 (beta) settings shape"
        case .cloudStores: return "S3 and Azure backup stores in the 11.2 shape; `versionCreated`, `providerID`, `serviceID` on every store"
        case .stagingVolumeLabels: return "STATIC provisioning (with `labels`) for the staging volume"
        case .spatiotemporalBackups: return "`supportBDSBackup` on backup stores"
        case .googleCloudStores: return "Google Cloud Storage backup stores"
        case .healthCheckReportTasks: return "`CreateHealthCheckReports` tasks"
        }
    }

    /// How `<dr>/status` reports a job: numbered `messages` (10.9) or `stages` (10.9.1 and later).
    public enum StatusFormat: String, Sendable { case messages, stages }

    /// `10.9`, `10.9.1`, `11.0` ...
    public let name: String
    /// The dotted `fullVersion` of `/admin`, e.g. `11.3.0`.
    public let fullVersion: String
    /// The numeric `currentVersion` of `/admin` (ArcGIS style: 10.9.1 is `10.91`).
    public let currentVersion: Double
    public let statusFormat: StatusFormat
    public let features: Set<Feature>

    public func has(_ feature: Feature) -> Bool { features.contains(feature) }

    /// The release's place in ``all``: a later release has a greater order.
    public var order: Int { Self.all.firstIndex { $0.name == name } ?? -1 }

    /// The table: each release lists what it has.
    public static let all: [Release] = {
        let r109: Set<Feature> = [.legacyBackupRestore]
        let r1091: Set<Feature> = [.legacyBackupRestore, .storeBackups]
        let r110: Set<Feature> = [.storeBackups, .asyncOperations]
        let r111 = r110.union([.cloudStoresBeta])
        let r112 = r110.union([.cloudStores])
        let r113 = r112.union([.stagingVolumeLabels])
        let r114 = r113.union([.healthCheckReportTasks])
        let r120 = r114.union([.spatiotemporalBackups, .googleCloudStores])
        return [
            Release(name: "10.9", fullVersion: "10.9.0", currentVersion: 10.9, statusFormat: .messages, features: r109),
            Release(name: "10.9.1", fullVersion: "10.9.1", currentVersion: 10.91, statusFormat: .stages, features: r1091),
            Release(name: "11.0", fullVersion: "11.0.0", currentVersion: 11.0, statusFormat: .stages, features: r110),
            Release(name: "11.1", fullVersion: "11.1.0", currentVersion: 11.1, statusFormat: .stages, features: r111),
            Release(name: "11.2", fullVersion: "11.2.0", currentVersion: 11.2, statusFormat: .stages, features: r112),
            Release(name: "11.3", fullVersion: "11.3.0", currentVersion: 11.3, statusFormat: .stages, features: r113),
            Release(name: "11.4", fullVersion: "11.4.0", currentVersion: 11.4, statusFormat: .stages, features: r114),
            Release(name: "11.5", fullVersion: "11.5.0", currentVersion: 11.5, statusFormat: .stages, features: r114),
            Release(name: "12.0", fullVersion: "12.0.0", currentVersion: 12.0, statusFormat: .stages, features: r120),
        ]
    }()

    /// Whether `a` and `b` name the same release (`11.3` and `11.3.0` do); false if either is unknown.
    public static func same(_ a: String, _ b: String) -> Bool {
        guard let x = try? named(a), let y = try? named(b) else { return false }
        return x.name == y.name
    }

    /// Where the documents say only backups of the running release can be restored.
    public static let sameReleaseRestoreSource = "https://enterprise-k8s.arcgis.com/en/12.0/administer/backup-and-restore.htm"

    /// The newest release: the default.
    public static var newest: Release { all[all.count - 1] }

    /// The release called `name` (`11.3` or `11.3.0`).
    public static func named(_ name: String) throws -> Release {
        if let r = all.first(where: { $0.name == name || $0.fullVersion == name }) { return r }
        throw FixtureError("unknown release '\(name)'; drmock emulates \(all.map(\.name).joined(separator: ", "))")
    }
}
