/// What a deployment's resources show at one clock reading, and for how long it stays so: what the
/// answer cache keys its answers with.
///
/// The resources show the deployment's state (stores, backups, jobs, users, profile), which
/// `revision` names, and the jobs' progress on the clock. A finished job's progress no longer
/// moves; the active job's status, stages and messages change only at the instants its plan
/// fixes (``JobProgress/nextChange``), the first of which after `now` is `until`. So everything
/// a resource shows is the same at every clock reading from `now` to just before `until`, as long as
/// the revision stays -- except a running stage's elapsed time and the job's overall duration, which
/// move with every millisecond: a resource that shows them holds only for the millisecond `now`
/// (see ``until(showingElapsedTime:)``).
public struct AnswerValidity: Sendable, Equatable {
    /// Changes, to a value never used before in this process, whenever the state changes.
    public let revision: UInt64
    /// The clock reading the state was settled at.
    public let now: Int64
    /// The first instant at which the active job's progress moves on; `.max` while no job is active.
    public let until: Int64

    public init(revision: UInt64, now: Int64, until: Int64) {
        self.revision = revision
        self.now = now
        self.until = until
    }

    /// Whether a job is active (so that answers move with the clock).
    public var jobActive: Bool { until != .max }

    /// The end of the span (from `now`, exclusive) over which a resource's answer holds: `until`,
    /// or only the millisecond `now` for a resource that shows elapsed times while a job is active.
    public func until(showingElapsedTime: Bool) -> Int64 {
        showingElapsedTime && jobActive ? now + 1 : until
    }
}
