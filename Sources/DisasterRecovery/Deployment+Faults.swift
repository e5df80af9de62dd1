/// Faults at the domain level: jobs that fail or hang, stores that refuse work, tokens that expire
/// at once, an organization that goes offline. Set through the control plane (`/_mock/faults`).
extension Deployment {
    /// Replaces the fault plan's domain part (what has fired so far is kept unless `keepFired` is false).
    public func setFaults(_ plan: DomainFaults, keepFired: Bool = true) {
        let observeChanged = withFaults { f in
            let fired = keepFired ? f.fired : []
            let before = f.observe
            f = plan
            f.fired = fired + plan.fired
            return before != plan.observe
        }
        // What the API shows changes with the behaviours played: answers kept before do not hold.
        if observeChanged { state.withLock { $0.revision = Deployment.nextRevision() } }
    }

    /// The domain faults in force and what has fired.
    public var currentFaults: DomainFaults { faults.withLock { $0 } }

    /// The suspected behaviours the fault plan opts into (its `observe`).
    var optedInBehaviours: Set<ObservedBehaviour.ID> {
        guard faultsSet.load(ordering: .acquiring) else { return [] }
        return faults.withLock { $0.observe }
    }

    /// Whether this deployment plays `id` now: a confirmed behaviour of its release unless
    /// `--documented-only`, a suspected one only when the fault plan opts into it (``BehaviourPolicy``).
    public func observes(_ id: ObservedBehaviour.ID) -> Bool {
        behaviours.plays(ObservedBehaviour.entry(id), at: releaseProfile, optedIn: optedInBehaviours)
    }

    /// Notes a fault that fired outside the domain (for example an injected HTTP error), at the clock's time.
    public func recordFired(kind: String, detail: String) {
        let now = clock.now()
        faults.withLock { $0.fired.append(FiredFault(at: now, kind: kind, detail: detail)) }
    }

    /// Shapes a new job by the plan: a failing or hanging stage, or a refused store (throws 503).
    func applyFaults(to job: inout DRJob, now: Int64) throws {
        _ = try withFaults { try $0.shape(&job, now: now) }
    }

    /// Expires every token of this deployment now; returns how many there were.
    @discardableResult
    public func expireAllTokens() throws -> Int {
        let now = clock.now()
        let count: Int = try state.withLock { s in
            try catalog.write { w in try w.deleteTokens(context: context, expiredBefore: Int64.max) }
            defer { s.tokens.removeAll() }
            return s.tokens.count
        }
        faults.withLock { $0.fired.append(FiredFault(at: now, kind: "expireTokens", detail: "\(count) token(s) expired")) }
        return count
    }

    /// Takes the organization offline for `millis` of emulated time from now.
    public func takeOffline(for millis: Int64) {
        let now = clock.now()
        withFaults { f in
            f.offlineUntil = now + max(0, millis)
            f.fired.append(FiredFault(at: now, kind: "offline", detail: "organization offline until \(now + max(0, millis))"))
        }
    }

    /// Whether the organization is offline now (a fault), and until when.
    public var offlineUntil: Int64? {
        guard faultsSet.load(ordering: .acquiring) else { return nil }
        let now = clock.now()
        return faults.withLock { f in
            guard let until = f.offlineUntil, now < until else { return nil }
            return until
        }
    }

    /// Runs `body` on the domain faults under their lock, and keeps ``faultsSet`` in step: every
    /// change of the job faults, refused stores or offline window goes through here.
    func withFaults<T>(_ body: (inout DomainFaults) throws -> T) rethrows -> T {
        try faults.withLock { f in
            defer { faultsSet.store(f.isSet, ordering: .releasing) }
            return try body(&f)
        }
    }
}

extension DomainFaults {
    /// Whether any fault is set that changes what the deployment answers (what has fired does not).
    var isSet: Bool { !jobFaults.isEmpty || !unavailableStores.isEmpty || offlineUntil != nil || !observe.isEmpty }
}
