import Catalog
import FoundationEssentials

/// Jobs and the job engine: a job's view at the clock's time, the status resource's last job, and the
/// settling that records each transition (and a completed backup's new backup) in one transaction.
extension Deployment {

    /// A job and where it stands now.
    public struct JobView: Sendable {
        public var job: DRJob
        public var progress: JobProgress
        /// Whether `/admin/jobs/<id>` shows a completed job's `result` (decision 4); false where
        /// ``ObservedBehaviour/ID/completedBackupJobWithoutResult`` plays.
        public var showsResult = true
    }

    public func jobIDs() throws -> [String] { try withSettledState { $0.jobOrder } }

    public func job(id: String) throws -> JobView {
        try withSettledState { s in
            guard let j = s.jobs[id] else { throw AdminError.unknownJob(id) }
            return JobView(job: j, progress: j.progress(at: clock.now()))
        }
    }

    /// The job as `GET /admin/jobs/<id>` shows it on this release: ``job(id:)`` as the observed
    /// behaviours of real releases change it (a completed backup job without `result` at 12.0; at
    /// 11.4, when opted into, a backup job that reads COMPLETED while it still runs). The status
    /// resource, the backups and the control plane's waits follow the job as it really is.
    public func jobAsShown(id: String) throws -> JobView {
        let withoutResult = observes(.completedBackupJobWithoutResult)
        let completedAtOnce = observes(.backupJobReadsCompletedAtOnce)
        var view = try job(id: id)
        guard view.job.operation == .backup else { return view }
        if completedAtOnce && !view.progress.status.isFinished { view.progress.status = .completed }
        if withoutResult { view.showsResult = false }
        return view
    }

    /// The last submitted disaster-recovery job, for the status resource; nil before any.
    public func lastDRJob() throws -> JobView? {
        try withSettledState { s in
            guard let id = s.profile.lastDRJobID, let j = s.jobs[id] else { return nil }
            return JobView(job: j, progress: j.progress(at: clock.now()))
        }
    }

    /// For caching answers: after the job engine has caught up, what the resources show now and
    /// until when (see ``AnswerValidity``). Nil while domain faults are set.
    public func answerValidity() throws -> AnswerValidity? {
        if faultsSet.load(ordering: .acquiring) { return nil }
        return try state.withLock { s in
            let now = clock.now()
            try runScheduledWork(&s, until: now)
            return s.answerValidity(at: now)
        }
    }

    // MARK: - The job engine

    /// Runs `body` on the state after recording every job transition due by now.
    func withSettledState<T>(_ body: (inout State) throws -> T) throws -> T {
        try state.withLock { s in
            try runScheduledWork(&s, until: clock.now())
            return try body(&s)
        }
    }

    /// Records the active job's transition if its derived status moved on, and on completion
    /// adds the backup it made, in one transaction.
    func settle(_ s: inout State, now: Int64) throws {
        // The time first: before the next change, no job is looked up (hashing its id) or copied.
        guard let id = s.activeJobID, now >= s.activeJobNextChange, var job = s.jobs[id] else { return }
        let p = job.progress(at: now)
        guard p.status != job.recordedStatus else {
            s.activeJobNextChange = p.nextChange ?? .max
            return
        }
        job.recordedStatus = p.status
        // The active job is nearly always the last one: search from the end.
        let seq = (s.jobOrder.lastIndex(of: id) ?? 0) + 1
        let made: Backup? = (p.status == .completed && job.operation == .backup) ? makeBackup(job, p, s.profile) : nil
        let restored = (p.status == .completed && job.operation == .restore) ? try restoredProfile(job, &s) : nil
        let jobBody = try encode(job)
        let backupBody = try made.map { try encode($0) }
        let profileBody = try restored.map { try encode($0) }
        try catalog.write { w in
            if let body = profileBody { try w.putDeployment(context: context, body: body) }
            try w.putJob(context: context, jobID: id, seq: seq, status: p.status.rawValue, body: jobBody)
            if let b = made, let body = backupBody {
                try w.putBackup(context: context, store: b.backupStore, name: b.backupName, startTime: b.startTime, body: body)
            }
        }
        s.jobs[id] = job
        if let r = restored { s.profile = r }
        if let b = made {
            // Not read yet: they will be read with this one from the catalog.
            try changeBackupsIfRead(&s) { inventory in
                inventory.stores[b.backupStore, default: []].removeAll { $0.backupName == b.backupName }
                inventory.stores[b.backupStore, default: []].append(b)
            }
        }
        if p.status.isFinished { s.activeJobID = nil }
        s.activeJobNextChange = p.nextChange ?? .max
    }

    private func makeBackup(_ job: DRJob, _ p: JobProgress, _ profile: DeploymentProfile) -> Backup {
        func window(_ name: String) -> (Int64, Int64) {
            guard let st = p.stages.first(where: { $0.name == name }) else { return (p.startTime, p.endTime) }
            return (st.startTime, st.startTime + st.elapsedMs)
        }
        let rel = window("Stage Relational store"), obj = window("Stage Object store"), infra = window("Stage system configuration")
        let c = profile.cluster
        return Backup(
            release: profile.fullVersion, siteName: profile.siteName, description: job.description,
            completeTime: p.endTime, backupStore: job.storeName, retentionDate: job.retentionDate,
            encryptKey: Backup.maskedKey(SecretHash.randomToken(bytes: 24)), backupType: "FULL",
            relationalStore: [.init(metadata: "{crypt}..", geodatabases: c.geodatabases, systemDatabases: c.systemDatabases,
                                    startTime: rel.0, clusterID: c.relationalClusterID, endTime: rel.1, status: "completed")],
            scheduleType: job.scheduleType,
            objectStore: [.init(metadata: "{crypt}..", buckets: c.buckets, startTime: obj.0, clusterID: c.objectClusterID,
                                endTime: obj.1, status: "completed")],
            namespace: profile.namespace, startTime: p.startTime,
            infrastructures: .init(startTime: infra.0, endTime: infra.1, status: "completed"),
            category: "SYSTEM", backupName: job.backupName, status: "completed", passcodeHash: job.passcodeHash,
            captured: profile.restorable)
    }
}
