/// Backups beyond create: the legacy (10.9) lookups, update, delete, restore, and the offline
/// window of a restore (decision 6).
extension Deployment {
    /// The release this deployment emulates.
    public var releaseProfile: Release { (try? Release.named(release)) ?? .newest }

    /// Legacy `backuprestore/backups`: the backups of every registered store, store by store
    /// (in registration order), each store's oldest first.
    public func allBackups() throws -> [Backup] {
        try withSettledState { s in
            let inventory = try backups(&s)
            return s.stores.flatMap { inventory.stores[$0.name] ?? [] }
        }
    }

    /// Legacy `backuprestore/backups/<b>`: in `store` when given; otherwise the default store's
    /// backup of that name, else the first store (in registration order) that has one.
    public func locateBackup(named name: String, store: String?) throws -> Backup {
        try withSettledState { s in try locate(name, store: store, in: &s) }
    }

    func locate(_ name: String, store: String?, in s: inout State) throws -> Backup {
        if let store {
            guard s.stores.contains(where: { $0.name == store }) else { throw AdminError.unknownStore(store) }
            guard let b = try backups(&s).stores[store]?.first(where: { $0.backupName == name }) else { throw AdminError.unknownBackup(name, store: store) }
            return b
        }
        let inventory = try backups(&s)
        let order = s.stores.filter(\.isDefault) + s.stores.filter { !$0.isDefault }
        for st in order {
            if let b = inventory.stores[st.name]?.first(where: { $0.backupName == name }) { return b }
        }
        throw AdminError.backupNotFound(name)
    }

    /// `backups/<b>/update`: sets the retention date (epoch ms, or -1 for never).
    public func updateBackup(named name: String, inStore store: String, retentionDate: Int64) throws -> Backup {
        guard retentionDate >= -1 else {
            throw AdminError.invalidParameter("retentionDate", "retentionDate must be epoch milliseconds, or -1 for never.")
        }
        return try withSettledState { s in
            var b = try locate(name, store: store, in: &s)
            b.retentionDate = retentionDate
            let body = try encode(b)
            try catalog.write { w in try w.putBackup(context: context, store: store, name: name, startTime: b.startTime, body: body) }
            try changeBackups(&s) { inventory in
                if let i = inventory.stores[store]?.firstIndex(where: { $0.backupName == name }) { inventory.stores[store]?[i] = b }
            }
            return b
        }
    }

    /// `backups/<b>/delete`: removes the backup at once. Refused (409) while it is being restored.
    /// With `asJob` (11.0 `async=true`) the answer is a job that records the deletion.
    @discardableResult
    public func deleteBackup(named name: String, inStore store: String, asJob: Bool = false,
                             username: String = "", operationURI: String = "") throws -> DRJob? {
        try withSettledState { s in
            _ = try locate(name, store: store, in: &s)
            if let id = s.activeJobID, let j = s.jobs[id], j.operation == .restore, j.storeName == store, j.backupName == name {
                throw AdminError.backupBeingRestored(name)
            }
            let job = asJob ? instantJob(.delete, store: store, backup: name, username: username, operationURI: operationURI, in: s) : nil
            var profile = s.profile
            if job != nil { profile.jobSeq += 1 }
            let seq = profile.jobSeq
            let profileBody = try encode(profile)
            let jobBody = try job.map { try encode($0) }
            try catalog.write { w in
                try w.deleteBackup(context: context, store: store, name: name)
                if let job, let jobBody {
                    try w.putJob(context: context, jobID: job.jobID, seq: seq, status: job.recordedStatus.rawValue, body: jobBody)
                    try w.putDeployment(context: context, body: profileBody)
                }
            }
            try changeBackups(&s) { $0.stores[store]?.removeAll { $0.backupName == name } }
            if let job {
                s.profile = profile
                s.jobs[job.jobID] = job
                s.jobOrder.append(job.jobID)
            }
            return job
        }
    }

    /// A job for a change made while answering (async delete, async register): recorded COMPLETED
    /// at once, with no stages; it never blocks or shows in the status resource.
    func instantJob(_ operation: JobOperation, store: String, backup: String, username: String, operationURI: String, in s: State) -> DRJob {
        DRJob(jobID: SecretHash.jobID(), operation: operation, operationURI: operationURI, username: username,
              storeName: store, backupName: backup, description: "", retentionDate: -1, scheduleType: "MANUAL",
              passcodeHash: "", submittedAt: clock.now(), startDelayMs: 0, stages: [], failure: nil, timeoutMs: nil,
              recordedStatus: .completed)
    }

    /// `backups/<b>/restore`: checks the passcode against the creation passcode's hash and starts a
    /// restore job (one DR job at a time). The status resource then reports `operation: "Restore"`.
    public func restoreBackup(named name: String, inStore store: String, passcode: String,
                              username: String, operationURI: String) throws -> DRJob {
        let hash = try withSettledState { s in
            let b = try locate(name, store: store, in: &s)
            if let active = s.activeJobID { throw AdminError.jobAlreadyRunning(active) }
            // Documented (Release.sameReleaseRestoreSource): only a backup of the running release.
            guard Release.same(b.release, s.profile.release) else {
                throw AdminError.backupOfAnotherRelease(name, made: b.release, running: s.profile.release)
            }
            return b.passcodeHash
        }
        guard SecretHash.verify(passcode, against: hash) else { throw AdminError.wrongPasscode() }
        return try withSettledState { s in
            let b = try locate(name, store: store, in: &s)
            if let active = s.activeJobID { throw AdminError.jobAlreadyRunning(active) }
            let job = DRJob(
                jobID: SecretHash.jobID(), operation: .restore, operationURI: operationURI, username: username,
                storeName: store, backupName: name, description: b.description, retentionDate: b.retentionDate,
                scheduleType: "MANUAL", passcodeHash: b.passcodeHash, submittedAt: clock.now(),
                startDelayMs: s.profile.timings.submitDelayMs, stages: s.profile.timings.restoreStages,
                failure: nil, timeoutMs: s.restorable.timeoutMs(release: s.profile.release), recordedStatus: .submitted)
            try recordDRJob(job, in: &s)
            return job
        }
    }

    /// Stores a newly submitted backup or restore job as the active one and the status resource's,
    /// after the fault plan shaped it (see `Deployment+Faults.swift`) and with the fixture's
    /// completion warning for its kind, if any; returns the job as stored.
    @discardableResult
    func recordDRJob(_ planned: DRJob, in s: inout State) throws -> DRJob {
        var job = planned
        try applyFaults(to: &job, now: clock.now())
        if job.warning == nil {
            job.warning = job.operation == .restore ? s.profile.timings.restoreWarning : s.profile.timings.backupWarning
        }
        var profile = s.profile
        profile.clock = clock.state
        profile.jobSeq += 1
        profile.lastDRJobID = job.jobID
        let seq = profile.jobSeq
        let profileBody = try encode(profile)
        let jobBody = try encode(job)
        try catalog.write { w in
            try w.putJob(context: context, jobID: job.jobID, seq: seq, status: job.recordedStatus.rawValue, body: jobBody)
            try w.putDeployment(context: context, body: profileBody)
        }
        s.profile = profile
        s.jobs[job.jobID] = job
        s.jobOrder.append(job.jobID)
        s.activeJobID = job.jobID
        return job
    }

    /// The profile after `job` (a restore) completed: the backup's captured settings and tasks are
    /// back; the scheduler's bookkeeping stays current so past firings do not repeat.
    func restoredProfile(_ job: DRJob, _ s: inout State) throws -> DeploymentProfile? {
        guard let b = try backups(&s).stores[job.storeName]?.first(where: { $0.backupName == job.backupName }) else { return nil }
        let captured = b.captured ?? RestorableState()
        var profile = s.profile
        var restorable = s.restorable
        restorable.settings = captured.settings
        restorable.tasks = captured.tasks
        restorable.taskSeq = max(restorable.taskSeq, captured.taskSeq)
        profile.restorable = restorable
        return profile
    }

    /// Decision 6: whether the organization is offline now (inside a running restore's window).
    public func isOffline() throws -> Bool {
        try withSettledState { s in
            guard let window = s.profile.timings.restoreOfflineWindow, let id = s.activeJobID,
                  let job = s.jobs[id], job.operation == .restore else { return false }
            let now = clock.now()
            let start = job.executionStart + window.startMs
            return now >= start && now < start + window.durationMs && now < job.finishTime
        }
    }
}
