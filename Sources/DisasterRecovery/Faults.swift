/// The domain part of a fault plan (see the control plane's `POST /_mock/faults`): what new jobs do,
/// which stores refuse work, and whether the organization is offline. HTTP-level faults (error
/// answers, latency) live in the AdminAPI layer.
public struct DomainFaults: Sendable, Equatable {
    /// Faults applied to jobs submitted from now on, first match wins.
    public var jobFaults: [JobFault]
    /// Stores whose new backups are refused with 503 ("The backup store 'S' is not available.").
    public var unavailableStores: Set<String>
    /// Emulated time (epoch ms) until which the organization is offline; nil when online.
    public var offlineUntil: Int64?
    /// What has fired so far, oldest first.
    public var fired: [FiredFault]
    /// Suspected behaviours of real releases to play (``ObservedBehaviour``, evidence `suspected`): a
    /// plan's `observe`, e.g. `["backup-job-reads-completed-at-once"]`.
    public var observe: Set<ObservedBehaviour.ID>

    public init(jobFaults: [JobFault] = [], unavailableStores: Set<String> = [], offlineUntil: Int64? = nil,
                fired: [FiredFault] = [], observe: Set<ObservedBehaviour.ID> = []) {
        self.observe = observe
        self.jobFaults = jobFaults
        self.unavailableStores = unavailableStores
        self.offlineUntil = offlineUntil
        self.fired = fired
    }
}

/// A stage of a job's plan, by name (`"Stage Object store"`) or by 0-based index.
public enum StageReference: Sendable, Equatable {
    case name(String)
    case index(Int)

    /// The index of this stage in `stages`, or nil if it has no such stage.
    public func resolve(in stages: [StagePlan]) -> Int? {
        switch self {
        case .name(let n): return stages.firstIndex { $0.name.lowercased() == n.lowercased() }
        case .index(let i): return stages.indices.contains(i) ? i : nil
        }
    }

    public var description: String {
        switch self {
        case .name(let n): return "'\(n)'"
        case .index(let i): return "#\(i)"
        }
    }
}

/// What happens to a new job: a stage fails with a message, or hangs until the DR timeout.
public struct JobFault: Sendable, Equatable {
    public enum Kind: String, Sendable { case fail, hang }
    public var kind: Kind
    /// The operation it applies to; nil for every operation.
    public var operation: JobOperation?
    public var stage: StageReference
    /// Fail: time into the stage before it fails.
    public var afterMs: Int64
    /// Fail: the failure text (job `messages`, status `message`).
    public var message: String
    /// Hang: the timeout the job gets (nil: the deployment's, or 7200 s).
    public var timeoutMs: Int64?
    /// How many jobs it still applies to; nil for every job.
    public var remaining: Int?

    public init(kind: Kind, operation: JobOperation? = nil, stage: StageReference, afterMs: Int64 = 0,
                message: String = "", timeoutMs: Int64? = nil, remaining: Int? = nil) {
        self.kind = kind
        self.operation = operation
        self.stage = stage
        self.afterMs = afterMs
        self.message = message
        self.timeoutMs = timeoutMs
        self.remaining = remaining
    }
}

/// One fault that took effect: when (emulated epoch ms), what, and on what.
public struct FiredFault: Sendable, Equatable {
    public var at: Int64
    public var kind: String
    public var detail: String
    public init(at: Int64, kind: String, detail: String) {
        self.at = at
        self.kind = kind
        self.detail = detail
    }
}

extension DomainFaults {
    /// The DR timeout a hanging job gets when the fault names none (the documented default, 7200 s).
    public static let defaultTimeoutMs: Int64 = 7_200_000
    /// How long a hanging stage would last if nothing stopped it (ten years).
    static let hangDurationMs: Int64 = 10 * 365 * 86_400_000

    /// Applies the first matching job fault to `job` (and counts it down). Returns what fired.
    mutating func shape(_ job: inout DRJob, now: Int64) throws -> FiredFault? {
        if unavailableStores.contains(job.storeName) {
            fired.append(FiredFault(at: now, kind: "storeUnavailable", detail: "refused a \(job.operation.rawValue.lowercased()) in store '\(job.storeName)'"))
            throw AdminError.storeUnavailable(job.storeName)
        }
        for (i, f) in jobFaults.enumerated() {
            if let op = f.operation, op != job.operation { continue }
            if let r = f.remaining, r <= 0 { continue }
            guard let stage = f.stage.resolve(in: job.stages) else { continue }
            switch f.kind {
            case .fail:
                job.failure = PlannedFailure(stageIndex: stage, afterMs: max(0, f.afterMs),
                                             message: f.message.isEmpty ? "Stage '\(job.stages[stage].name)' failed." : f.message)
            case .hang:
                job.stages[stage].durationMs = Self.hangDurationMs
                job.timeoutMs = f.timeoutMs ?? job.timeoutMs ?? Self.defaultTimeoutMs
            }
            if let r = f.remaining { jobFaults[i].remaining = r - 1 }
            let event = FiredFault(at: now, kind: f.kind == .fail ? "failStage" : "hangStage",
                                   detail: "job \(job.jobID): stage '\(job.stages[stage].name)'" + (f.kind == .fail ? " fails: \(job.failure?.message ?? "")" : " hangs until the timeout"))
            fired.append(event)
            return event
        }
        return nil
    }
}
