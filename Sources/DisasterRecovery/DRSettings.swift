/// The disaster-recovery settings (`<dr>/settings`): the staging volume and the job timeout.
public struct DRSettings: Codable, Sendable, Equatable {
    public struct StagingVolumeConfig: Codable, Sendable, Equatable {
        public var component: String
        public var storageClass: String
        public var size: String
        /// `DYNAMIC` or `STATIC`.
        public var provisioningType: String
        /// Only with `STATIC` (11.3 and later).
        public var labels: [String: String]?
        public init(component: String = "DR_JOB", storageClass: String, size: String, provisioningType: String,
                    labels: [String: String]? = nil) {
            self.component = component
            self.storageClass = storageClass
            self.size = size
            self.provisioningType = provisioningType
            self.labels = labels
        }
    }
    public var stagingVolumeConfig: StagingVolumeConfig
    /// A DR job running longer than this ends TIMED OUT (11.0 and later). Nil: no limit.
    public var timeoutInSeconds: Int64?

    public init(stagingVolumeConfig: StagingVolumeConfig, timeoutInSeconds: Int64?) {
        self.stagingVolumeConfig = stagingVolumeConfig
        self.timeoutInSeconds = timeoutInSeconds
    }

    /// The documentation's example, with the 7200 s timeout Esri's CLI assumes.
    public static let documented = DRSettings(
        stagingVolumeConfig: .init(storageClass: "default", size: "64Gi", provisioningType: "DYNAMIC"),
        timeoutInSeconds: 7200)
}

/// What a deployment keeps beside its stores and backups, and what a backup captures for a restore
/// to bring back: the DR settings and the scheduled tasks. `taskSeq` and `scheduledThrough` are
/// bookkeeping a restore keeps as they are.
public struct RestorableState: Codable, Sendable, Equatable {
    public var settings: DRSettings
    public var tasks: [ScheduledTask]
    /// The last task number handed out.
    public var taskSeq: Int
    /// Emulated time up to which the scheduler has fired due tasks; nil: not yet started.
    public var scheduledThrough: Int64?

    public init(settings: DRSettings = .documented, tasks: [ScheduledTask] = [], taskSeq: Int = 0, scheduledThrough: Int64? = nil) {
        self.settings = settings
        self.tasks = tasks
        self.taskSeq = taskSeq
        self.scheduledThrough = scheduledThrough
    }

    init(fixture: Fixture) { self.init(settings: fixture.drSettings ?? .documented) }

    /// The timeout a new job gets: the setting from 11.0 on, none before.
    func timeoutMs(release: String) -> Int64? {
        guard let r = try? Release.named(release), r.has(.asyncOperations), let t = settings.timeoutInSeconds, t > 0 else { return nil }
        return t * 1000
    }
}

extension Deployment.State {
    var restorable: RestorableState {
        get { profile.restorable ?? RestorableState() }
        set { profile.restorable = newValue }
    }
}
