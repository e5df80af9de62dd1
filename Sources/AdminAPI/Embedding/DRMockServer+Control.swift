import DisasterRecovery

/// Driving an in-process drmock from Swift tests: the clock and the faults through typed methods
/// rather than HTTP. Each takes the context (default: the server's `--context`).
///
///     let server = try DRMockServer(options: .init(port: 0, fixture: fixture, clockMode: .manual))
///     try server.start()
///     try server.failStage("Stage Object store", message: "disk full")
///     // … the client under test creates a backup …
///     try server.advanceClock(by: 120_000)
extension DRMockServer {
    /// The control plane; nil when started with `controlPlane: false`.
    public var controlPlane: ControlPlane? { service.control }

    /// The deployment of `context` (made from the fixture on first use).
    public func deployment(context: String) throws -> Deployment {
        guard let d = registry.serve(context: context) else { throw FixtureError("context '\(context)' cannot be opened") }
        return d
    }

    /// The emulated time of a context (epoch ms).
    public func now(context: String? = nil) throws -> Int64 {
        try deployment(context: context ?? options.context).clock.now()
    }

    /// Moves a manual clock forward (waiting long-polls are woken).
    public func advanceClock(by millis: Int64, context: String? = nil) throws {
        let ctx = context ?? options.context
        try deployment(context: ctx).advanceClock(by: millis)
        controlPlane?.waiters.poke(context: ctx)
    }

    /// Sets a manual clock (never backwards).
    public func setClock(to millis: Int64, context: String? = nil) throws {
        let ctx = context ?? options.context
        try deployment(context: ctx).setClock(to: millis)
        controlPlane?.waiters.poke(context: ctx)
    }

    /// Moves a manual clock exactly as far as needed for `jobID` to reach `status`; returns the new time.
    @discardableResult
    public func runUntil(job jobID: String, reaches status: JobStatus = .completed, context: String? = nil) throws -> Int64 {
        let ctx = context ?? options.context
        let d = try deployment(context: ctx)
        let job = try d.job(id: jobID).job
        switch JobWaiters.timeOf(job, target: status, from: d.clock.now()) {
        case .success(let t):
            try setClock(to: t, context: ctx)
            return t
        case .failure(let e):
            throw e
        }
    }

    /// Removes a context (not the server's own), as `DELETE /_mock/contexts/<name>` does: its rows,
    /// clock, fault plan, journal and snapshots. False if there was nothing of it.
    @discardableResult
    public func removeContext(_ context: String) throws -> Bool {
        guard context != options.context else { throw FixtureError("the server's own context '\(context)' cannot be removed; reset it instead") }
        guard let control = controlPlane else { return try registry.remove(context: context) }
        return try control.remove(context: context, service: service)
    }

    /// Upgrades a context's deployment in place to `release` (newer than its own), as
    /// `POST /_mock/upgrade` does: persisted, with the observed effects of real upgrades.
    @discardableResult
    public func upgrade(to release: String, context: String? = nil) throws -> Deployment.UpgradeReport {
        try deployment(context: context ?? options.context).upgrade(to: try Release.named(release))
    }

    /// Puts a fault plan (the JSON format of `POST /_mock/faults`) in force, replacing the previous one.
    public func setFaultPlan(json: String, context: String? = nil) throws {
        let ctx = context ?? options.context
        let plan = try FaultPlan.parse(try JSONValue.parse(json))
        guard let control = controlPlane else { throw FixtureError("the control plane is off") }
        try control.apply(plan, to: deployment(context: ctx), context: ctx)
    }

    /// From now on, stage `stage` (a name such as "Stage Object store") of new jobs fails with `message`.
    public func failStage(_ stage: String, message: String, afterMs: Int64 = 0, operation: JobOperation? = nil,
                          times: Int? = nil, context: String? = nil) throws {
        try addJobFault(JobFault(kind: .fail, operation: operation, stage: .name(stage), afterMs: afterMs,
                                 message: message, remaining: times), context: context)
    }

    /// From now on, stage `stage` of new jobs hangs until the timeout (`timeoutMs`, or 7200 s); the job ends TIMED OUT.
    public func hangStage(_ stage: String, timeoutMs: Int64? = nil, operation: JobOperation? = nil,
                          times: Int? = nil, context: String? = nil) throws {
        try addJobFault(JobFault(kind: .hang, operation: operation, stage: .name(stage), timeoutMs: timeoutMs,
                                 remaining: times), context: context)
    }

    /// New backups in `store` are refused with 503 until the faults are cleared.
    public func makeStoreUnavailable(_ store: String, context: String? = nil) throws {
        let d = try deployment(context: context ?? options.context)
        var f = d.currentFaults
        f.unavailableStores.insert(store)
        f.fired = []
        d.setFaults(f)
    }

    /// Expires every token of the context now.
    public func expireAllTokens(context: String? = nil) throws {
        try deployment(context: context ?? options.context).expireAllTokens()
    }

    /// Takes the organization offline for `millis` of emulated time (its admin and sharing endpoints answer 503).
    public func takeOrganizationOffline(forMillis millis: Int64, context: String? = nil) throws {
        try deployment(context: context ?? options.context).takeOffline(for: millis)
    }

    /// Clears every fault of the context.
    public func clearFaults(context: String? = nil) throws {
        let ctx = context ?? options.context
        let d = try deployment(context: ctx)
        if let control = controlPlane { control.clearFaults(d, context: ctx) } else { d.setFaults(DomainFaults(), keepFired: false) }
    }

    /// What has fired so far in the context.
    public func firedFaults(context: String? = nil) throws -> [FiredFault] {
        try deployment(context: context ?? options.context).currentFaults.fired
    }

    /// Puts the context back to its loaded fixture (as `POST /_mock/reset`).
    public func reset(context: String? = nil) throws {
        let ctx = context ?? options.context
        if let control = controlPlane { try control.reset(context: ctx) } else { try registry.recreate(context: ctx, from: registry.fixture) }
    }

    private func addJobFault(_ fault: JobFault, context: String?) throws {
        let d = try deployment(context: context ?? options.context)
        var f = d.currentFaults
        f.jobFaults.append(fault)
        f.fired = []
        d.setFaults(f)
    }
}
