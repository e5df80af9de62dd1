import Dispatch
import DisasterRecovery
import HTTPServer
import Synchronization

/// Long-polls of `GET /_mock/wait`: each waits, suspended (no server thread held), until its job
/// reaches a status, the status becomes impossible, or its timeout passes.
///
/// A waiter is checked when its context's clock is moved through the control plane (``poke(context:)``),
/// when the job's next change is due on a system clock, and at least every 100 ms of real time
/// (so a clock moved some other way is noticed too).
final class JobWaiters: Sendable {
    struct Waiter: Sendable {
        let context: String
        let jobID: String
        let target: JobStatus
        let deadline: ContinuousClock.Instant
        let started: ContinuousClock.Instant
        let responder: Responder
    }

    private let registry: DeploymentRegistry
    private let state = Mutex<(next: UInt64, waiting: [UInt64: Waiter])>((0, [:]))

    init(registry: DeploymentRegistry) { self.registry = registry }

    /// How many requests are waiting now.
    var count: Int { state.withLock { $0.waiting.count } }

    func add(context: String, jobID: String, target: JobStatus, timeoutMs: Int64, responder: Responder) {
        let now = ContinuousClock.now
        let w = Waiter(context: context, jobID: jobID, target: target, deadline: now + .milliseconds(timeoutMs),
                       started: now, responder: responder)
        let id = state.withLock { s in
            s.next += 1
            s.waiting[s.next] = w
            return s.next
        }
        tick(id)
    }

    /// Re-checks the waiters of `context` now (its clock moved, or it was reset).
    func poke(context: String) {
        let ids = state.withLock { s in s.waiting.filter { $0.value.context == context }.map(\.key) }
        for id in ids { _ = check(id) }
    }

    /// Checks a waiter and, while it still waits, schedules the next check.
    private func tick(_ id: UInt64) {
        guard let delayMs = check(id) else { return }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(delayMs))) { [self] in tick(id) }
    }

    /// Answers the waiter if it is done; otherwise returns how long to wait before looking again.
    private func check(_ id: UInt64) -> Int64? {
        guard let w = state.withLock({ $0.waiting[id] }) else { return nil }
        let evaluation = Self.evaluate(w, registry: registry)
        switch evaluation {
        case .answer(let response):
            // Only the first to remove it answers.
            if state.withLock({ $0.waiting.removeValue(forKey: id) }) != nil { w.responder.respond(response) }
            return nil
        case .pending(let dueMs):
            let left = w.deadline - ContinuousClock.now
            let leftMs = max(1, Int64(left.components.seconds) * 1000 + Int64(left.components.attoseconds / 1_000_000_000_000_000))
            return max(1, min(100, leftMs, dueMs ?? 100))
        }
    }

    enum Evaluation {
        case answer(Response)
        /// Still waiting; the real milliseconds until the job's next change, if known.
        case pending(Int64?)
    }

    static func evaluate(_ w: Waiter, registry: DeploymentRegistry) -> Evaluation {
        func answer(_ status: Int, _ outcome: String, _ view: Deployment.JobView?, now: Int64?, note: String? = nil) -> Evaluation {
            var pairs: [(String, JSONValue)] = [("outcome", .string(outcome)), ("wanted", .string(w.target.rawValue))]
            if let view { pairs.append(("status", .string(view.progress.status.rawValue))) }
            if let now { pairs.append(("clock", .int(now))) }
            let waited = ContinuousClock.now - w.started
            pairs.append(("waitedMs", .int(Int64(waited.components.seconds) * 1000 + Int64(waited.components.attoseconds / 1_000_000_000_000_000))))
            if let note { pairs.append(("message", .string(note))) }
            if let view { pairs.append(("job", view.json)) }
            return .answer(ControlPlane.json(.object(pairs), status: status))
        }
        guard let d = registry.deployment(for: w.context), let view = try? d.job(id: w.jobID) else {
            return answer(409, "impossible", nil, now: nil, note: "The job '\(w.jobID)' no longer exists in context '\(w.context)'.")
        }
        let now = d.clock.now()
        switch verdict(view.job, now: now, target: w.target) {
        case .reached: return answer(200, "reached", view, now: now)
        case .impossible(let why): return answer(409, "impossible", view, now: now, note: why)
        case .pending:
            if ContinuousClock.now >= w.deadline {
                return answer(408, "timeout", view, now: now, note: "The job did not reach \(w.target.rawValue) before the timeout.")
            }
            guard let next = view.progress.nextChange, let system = d.clock as? ScaledSystemClock else { return .pending(nil) }
            return .pending(Int64((Double(max(0, next - now)) / system.speed).rounded(.up)) + 1)
        }
    }

    enum Verdict: Equatable {
        case reached
        case impossible(String)
        case pending
    }

    /// Whether `job` is at `target` at time `now`, can never get there, or may still.
    static func verdict(_ job: DRJob, now: Int64, target: JobStatus) -> Verdict {
        let status = job.progress(at: now).status
        if status == target { return .reached }
        func rank(_ s: JobStatus) -> Int { s == .submitted ? 0 : s == .executing ? 1 : 2 }
        if rank(status) >= rank(target) {
            return .impossible("The job '\(job.jobID)' is \(status.rawValue); it will never be \(target.rawValue).")
        }
        let final = job.progress(at: job.finishTime).status
        if target.isFinished && final != target {
            return .impossible("The job '\(job.jobID)' is planned to end \(final.rawValue), not \(target.rawValue).")
        }
        return .pending
    }

    /// The earliest emulated time at or after `now` when `job` is at `target`, or why it never will be.
    static func timeOf(_ job: DRJob, target: JobStatus, from now: Int64) -> Result<Int64, AdminError> {
        var t = now
        for _ in 0..<(job.stages.count * 2 + 8) {
            switch verdict(job, now: t, target: target) {
            case .reached: return .success(t)
            case .impossible(let why): return .failure(AdminError(409, why))
            case .pending:
                guard let next = job.progress(at: t).nextChange, next > t else {
                    return .failure(AdminError(409, "The job '\(job.jobID)' does not move on from \(job.progress(at: t).status.rawValue)."))
                }
                t = next
            }
        }
        return .failure(AdminError(409, "The job '\(job.jobID)' did not reach \(target.rawValue)."))
    }
}
