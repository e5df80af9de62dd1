/// One stage of a disaster-recovery job's plan: its name and how long it takes on the emulated clock.
public struct StagePlan: Codable, Sendable, Equatable {
    public var name: String
    public var durationMs: Int64
    public init(name: String, durationMs: Int64) {
        self.name = name
        self.durationMs = durationMs
    }
}

/// A planned failure: the stage at `stageIndex` fails after `afterMs` of running, with `message`.
public struct PlannedFailure: Codable, Sendable, Equatable {
    public var stageIndex: Int
    public var afterMs: Int64
    public var message: String
    public init(stageIndex: Int, afterMs: Int64, message: String) {
        self.stageIndex = stageIndex
        self.afterMs = afterMs
        self.message = message
    }
}

public enum JobOperation: String, Codable, Sendable {
    case backup = "Backup", restore = "Restore"
    /// Async delete of a backup and async registration of a store (11.0): recorded as done at once.
    case delete = "Delete", register = "Register"
}

/// The statuses of an `/admin/jobs/<id>` job.
public enum JobStatus: String, Codable, Sendable {
    case submitted = "SUBMITTED"
    case executing = "EXECUTING"
    case completed = "COMPLETED"
    case failed = "FAILED"
    case timedOut = "TIMED OUT"

    public var isFinished: Bool { self == .completed || self == .failed || self == .timedOut }
}

/// A backup or restore job: what was asked, and its plan on the clock.
///
/// Its progress is never stored tick by tick: ``progress(at:)`` derives it from the plan and the
/// time, so a manual clock moved by an hour lands exactly where a real hour would, and a restart
/// continues where it stopped. `recordedStatus` is the last transition written to the catalog.
public struct DRJob: Codable, Sendable, Equatable {
    public var jobID: String
    public var operation: JobOperation
    public var operationURI: String
    public var username: String
    public var storeName: String
    public var backupName: String
    public var description: String
    public var retentionDate: Int64
    /// `MANUAL` or `SCHEDULED`.
    public var scheduleType: String
    public var passcodeHash: String
    public var submittedAt: Int64
    /// Time spent SUBMITTED before the first stage starts.
    public var startDelayMs: Int64
    public var stages: [StagePlan]
    public var failure: PlannedFailure?
    /// The DR settings' timeout when the job was submitted (nil: none).
    public var timeoutMs: Int64?
    public var recordedStatus: JobStatus
    /// A job that completes with this warning reports `completed_with_warnings` (code 5) with it as
    /// the status `message` (the fixture's `timings.backupWarning` / `restoreWarning`).
    public var warning: String? = nil
    /// Set when a restart under ``RestartPolicy/fail`` ended the job: the instant it failed.
    public var interruptedAt: Int64? = nil
}

/// Where a job stands at one instant.
public struct JobProgress: Sendable, Equatable {
    public struct StageState: Sendable, Equatable {
        public var name: String
        /// `in_progress`, `completed` or `failed`.
        public var state: String
        public var startTime: Int64
        /// Time spent in the stage so far (or in all, once it ended).
        public var elapsedMs: Int64
        /// When the stage last changed state.
        public var lastUpdated: Int64
    }
    public var status: JobStatus
    /// When the first stage started (or will start).
    public var startTime: Int64
    /// When the job ended; 0 while it runs.
    public var endTime: Int64
    /// The stages that have started, in order.
    public var stages: [StageState]
    /// Failure or time-out text; empty otherwise.
    public var message: String
    /// The job's messages so far, oldest first.
    public var messages: [String]
    /// The next instant at which something changes, or nil when finished.
    public var nextChange: Int64?
    /// Completed, with a warning in `message`.
    public var withWarnings = false
}

extension DRJob {
    /// The instant the first stage starts.
    public var executionStart: Int64 { submittedAt + startDelayMs }

    /// Start and end of every stage in the plan, ignoring failures and time-outs.
    private var stageWindows: [(start: Int64, end: Int64)] {
        var t = executionStart
        return stages.map { stage in
            defer { t += stage.durationMs }
            return (t, t + stage.durationMs)
        }
    }

    /// How the job ends: its final status, when, and the stage it stopped in (if it stopped early).
    private var ending: (status: JobStatus, at: Int64, stoppedStage: Int?, message: String) {
        let windows = stageWindows
        let planned = windows.last?.end ?? executionStart
        var end: (JobStatus, Int64, Int?, String) = (.completed, planned, nil, "")
        if let f = failure, f.stageIndex >= 0, f.stageIndex < windows.count {
            let w = windows[f.stageIndex]
            end = (.failed, min(w.start + max(0, f.afterMs), w.end), f.stageIndex, f.message)
        }
        if let timeout = timeoutMs, executionStart + timeout < end.1 {
            let at = executionStart + timeout
            let stage = windows.firstIndex { $0.start <= at && at < $0.end }
            end = (.timedOut, at, stage, "The \(operation.rawValue.lowercased()) job did not finish within the timeout of \(timeout / 1000) seconds.")
        }
        if let cut = interruptedAt, cut < end.1 {
            let stage = windows.firstIndex { $0.start <= cut && cut < $0.end }
            end = (.failed, cut, stage, RestartPolicy.interruptionMessage(operation))
        }
        return end
    }

    /// The job's state at time `t`, derived from its plan.
    public func progress(at t: Int64) -> JobProgress {
        let windows = stageWindows
        let end = ending
        let finished = t >= end.at
        let noun = operation.rawValue.lowercased()
        let subject = backupName.isEmpty ? "backup store '\(storeName)'" : "backup '\(backupName)' in backup store '\(storeName)'"
        var messages = ["Submitted \(noun) job for \(subject)."]
        var states: [JobProgress.StageState] = []
        var next: Int64? = nil
        if t < executionStart && !finished {
            return JobProgress(status: .submitted, startTime: executionStart, endTime: 0, stages: [],
                               message: "", messages: messages, nextChange: executionStart)
        }
        // A job that ended before its next stage began (e.g. interrupted while SUBMITTED) lists no more stages.
        for (i, w) in windows.enumerated() where w.start <= min(t, end.at) {
            if let stopped = end.stoppedStage, i > stopped { break }
            let isStopped = end.stoppedStage == i
            let stageEnd = isStopped ? end.at : w.end
            messages.append("Started stage '\(stages[i].name)'.")
            if t >= stageEnd {
                states.append(.init(name: stages[i].name, state: isStopped ? "failed" : "completed", startTime: w.start,
                                    elapsedMs: stageEnd - w.start, lastUpdated: stageEnd))
                if !isStopped { messages.append("Completed stage '\(stages[i].name)'.") }
            } else {
                states.append(.init(name: stages[i].name, state: "in_progress", startTime: w.start,
                                    elapsedMs: t - w.start, lastUpdated: w.start))
                next = stageEnd
            }
        }
        if finished {
            switch end.status {
            case .completed:
                if let w = warning, !w.isEmpty { messages.append(w) }
                messages.append(backupName.isEmpty ? "The \(noun) of \(subject) completed." : "The \(noun) of '\(backupName)' completed.")
            default: messages.append(end.message)
            }
            let warned = end.status == .completed && !(warning ?? "").isEmpty
            return JobProgress(status: end.status, startTime: executionStart, endTime: end.at, stages: states,
                               message: warned ? warning ?? "" : end.message, messages: messages, nextChange: nil,
                               withWarnings: warned)
        }
        return JobProgress(status: .executing, startTime: executionStart, endTime: 0, stages: states,
                           message: "", messages: messages, nextChange: next ?? end.at)
    }

    /// When the job finishes (whatever its outcome).
    public var finishTime: Int64 { ending.at }
}

extension JobProgress {
    /// The seed's stage duration text: `3096 millis (~ 0 minutes)`.
    public static func durationText(_ ms: Int64) -> String {
        "\(ms) millis (~ \(ms / 60_000) minutes)"
    }

    /// The seed's overall duration text: `00hr:01min:04sec:221millisec`.
    public static func overallDurationText(_ ms: Int64) -> String {
        let ms = max(0, ms)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let h = ms / 3_600_000, m = (ms / 60_000) % 60, s = (ms / 1000) % 60, r = ms % 1000
        return "\(two(h))hr:\(two(m))min:\(two(s))sec:\(r)millisec"
    }
}
