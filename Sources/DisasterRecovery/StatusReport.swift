/// The status resource's view of the last disaster-recovery job (decision 3 of the reference).
public struct StatusReport: Sendable, Equatable {
    /// `no_op`, `in_progress`, `success`, `failed` or `completed_with_warnings`.
    public var state: String
    /// 0 no_op, 2 in_progress, 3 success, 4 failed, 5 completed_with_warnings.
    public var code: Int

    public static let noOp = StatusReport(state: "no_op", code: 0)

    public init(state: String, code: Int) {
        self.state = state
        self.code = code
    }

    public init(_ status: JobStatus) {
        switch status {
        case .submitted, .executing: self.init(state: "in_progress", code: 2)
        case .completed: self.init(state: "success", code: 3)
        case .failed, .timedOut: self.init(state: "failed", code: 4)
        }
    }

    /// The report for a job at one instant: as its status, but `completed_with_warnings` (5) when
    /// it completed with a warning.
    public init(_ progress: JobProgress) {
        if progress.status == .completed && progress.withWarnings {
            self.init(state: "completed_with_warnings", code: 5)
        } else {
            self.init(progress.status)
        }
    }
}
