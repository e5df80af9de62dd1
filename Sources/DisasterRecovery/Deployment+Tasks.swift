/// Scheduled tasks (decision 10): `CreateBackup` schedules and the `BackupRetentionCleaner`, fired
/// on the deployment's clock. Every read settles the state first (``runScheduledWork(_:until:)``):
/// job transitions and task firings are applied in time order up to now, so moving a manual clock
/// by two days fires a daily task twice, each backup finishing before the next starts.
extension Deployment {
    /// What a client asks for when it creates or updates a task.
    public struct TaskRequest: Sendable {
        public var title: String?
        public var kind: ScheduledTask.Kind?
        public var parameters: ScheduledTask.BackupParameters?
        public var reportParameters: ScheduledTask.ReportParameters?
        public var schedule: CronSchedule?
        public var startDate: Int64??
        public var endDate: Int64??
        public var maxOccurrences: Int??
        public var enabled: Bool?
        public init(title: String? = nil, kind: ScheduledTask.Kind? = nil, parameters: ScheduledTask.BackupParameters? = nil,
                    schedule: CronSchedule? = nil, startDate: Int64?? = nil, endDate: Int64?? = nil,
                    maxOccurrences: Int?? = nil, enabled: Bool? = nil) {
            self.title = title
            self.kind = kind
            self.parameters = parameters
            self.schedule = schedule
            self.startDate = startDate
            self.endDate = endDate
            self.maxOccurrences = maxOccurrences
            self.enabled = enabled
        }
    }

    public func tasks() throws -> [ScheduledTask] { try withSettledState { $0.restorable.tasks } }

    public func task(id: String) throws -> ScheduledTask {
        try withSettledState { s in
            guard let t = s.restorable.tasks.first(where: { $0.id == id }) else { throw AdminError.unknownTask(id) }
            return t
        }
    }

    public func createTask(_ r: TaskRequest, owner: String) throws -> ScheduledTask {
        guard let kind = r.kind else { throw AdminError.missingParameter("type") }
        guard let schedule = r.schedule else { throw AdminError.missingParameter("minute") }
        if kind == .createBackup && r.parameters == nil { throw AdminError.missingParameter("parameters") }
        if kind == .createHealthCheckReports && r.reportParameters == nil { throw AdminError.missingParameter("parameters") }
        return try changeTasks { tasks, seq, now in
            guard tasks.count < Self.maxTasks else { throw AdminError.tooManyTasks(Self.maxTasks) }
            seq += 1
            var task = ScheduledTask(
                id: String(SecretHash.jobID().dropFirst()), title: r.title ?? "\(kind.rawValue) \(seq)", kind: kind,
                parameters: kind == .createBackup ? r.parameters : nil, schedule: schedule,
                startDate: r.startDate ?? nil, endDate: r.endDate ?? nil, maxOccurrences: r.maxOccurrences ?? nil,
                enabled: r.enabled ?? true, occurrences: 0, created: now, updated: now, owner: owner, runs: [])
            if kind == .createHealthCheckReports { task.reportParameters = r.reportParameters }
            tasks.append(task)
            return task
        }
    }

    /// Changes the given fields of a task (and enables or disables it).
    public func updateTask(id: String, _ r: TaskRequest) throws -> ScheduledTask {
        try changeTasks { tasks, _, now in
            guard let i = tasks.firstIndex(where: { $0.id == id }) else { throw AdminError.unknownTask(id) }
            var t = tasks[i]
            if let v = r.title { t.title = v }
            if let v = r.schedule { t.schedule = v }
            if let v = r.parameters, t.kind == .createBackup { t.parameters = v }
            if let v = r.reportParameters, t.kind == .createHealthCheckReports { t.reportParameters = v }
            if let v = r.startDate { t.startDate = v }
            if let v = r.endDate { t.endDate = v }
            if let v = r.maxOccurrences { t.maxOccurrences = v }
            if let v = r.enabled { t.enabled = v }
            t.updated = now
            tasks[i] = t
            return t
        }
    }

    public func deleteTask(id: String) throws {
        _ = try changeTasks { tasks, _, _ in
            guard tasks.contains(where: { $0.id == id }) else { throw AdminError.unknownTask(id) }
            tasks.removeAll { $0.id == id }
            return ()
        }
    }

    /// Applies a change to the tasks and records it. The scheduler restarts its window at now, so a
    /// new or re-enabled task never fires for times already past.
    private func changeTasks<T>(_ change: (inout [ScheduledTask], inout Int, Int64) throws -> T) throws -> T {
        try withSettledState { s in
            let now = clock.now()
            var restorable = s.restorable
            let result = try change(&restorable.tasks, &restorable.taskSeq, now)
            restorable.scheduledThrough = max(restorable.scheduledThrough ?? now, now)
            var profile = s.profile
            profile.restorable = restorable
            let body = try encode(profile)
            try catalog.write { w in try w.putDeployment(context: context, body: body) }
            s.profile = profile
            return result
        }
    }

    /// Records the job transitions and fires the tasks due up to `t`, in time order.
    func runScheduledWork(_ s: inout State, until t: Int64) throws {
        var firings = 0
        while let from = s.restorable.scheduledThrough {
            let due = s.restorable.tasks.compactMap { $0.nextFire(after: from) }.filter { $0 <= t }.min()
            guard let at = due else { break }
            if firings == Self.maxFiringsAtOnce {
                // A huge clock jump: skip what is left rather than hold the deployment for minutes.
                try settle(&s, now: at)
                s.profile.restorable?.scheduledThrough = t
                let body = try encode(s.profile)
                try catalog.write { w in try w.putDeployment(context: context, body: body) }
                break
            }
            try settle(&s, now: at)
            try fireTasks(at: at, &s)
            firings += 1
        }
        try settle(&s, now: t)
    }

    /// How many task firings one settling makes up at most; the rest of a longer jump is skipped.
    static let maxFiringsAtOnce = 500
    /// How many tasks a deployment keeps at most (every request looks at each).
    public static let maxTasks = 100

    /// Fires every task due exactly at `at`, and records them with what they did.
    private func fireTasks(at: Int64, _ s: inout State) throws {
        let from = s.restorable.scheduledThrough ?? at
        var restorable = s.restorable
        restorable.scheduledThrough = at
        var newJob: DRJob? = nil
        var removed: [Backup] = []
        for i in restorable.tasks.indices where restorable.tasks[i].nextFire(after: from) == at {
            var task = restorable.tasks[i]
            task.occurrences += 1
            var run = ScheduledTask.Run(time: at, status: "COMPLETED", message: "", jobID: nil)
            switch task.kind {
            case .createBackup:
                if newJob != nil || s.activeJobID != nil {
                    run.status = "SKIPPED"
                    run.message = "Another disaster recovery job is already running."
                } else {
                    let inventory = try backups(&s)
                    do {
                        let job = try scheduledBackupJob(task, at: at, in: s, inventory)
                        newJob = job
                        run.status = "SUBMITTED"
                        run.jobID = job.jobID
                        run.message = "Submitted backup '\(job.backupName)'."
                    } catch let e as AdminError {
                        run.status = "SKIPPED"
                        run.message = e.message
                    }
                }
            case .backupRetentionCleaner:
                let restoring: (String, String)? = s.activeJobID.flatMap { s.jobs[$0] }.flatMap {
                    $0.operation == .restore ? ($0.storeName, $0.backupName) : nil
                }
                let inventory = try backups(&s)
                let candidates: [Backup] = s.stores.flatMap { inventory.stores[$0.name] ?? [] }
                let expired = candidates.filter { b in
                    guard b.retentionDate != -1, b.retentionDate <= at else { return false }
                    if let r = restoring, r.0 == b.backupStore, r.1 == b.backupName { return false }
                    return !removed.contains { $0.backupStore == b.backupStore && $0.backupName == b.backupName }
                }
                removed += expired
                run.message = expired.isEmpty ? "No expired backups." : "Removed \(expired.count) expired backup(s): \(expired.map(\.backupName).joined(separator: ", "))."
            case .createHealthCheckReports:
                // drmock serves no health check reports resource: the run records the report it made.
                let prefix = task.reportParameters?.name ?? "healthcheck"
                run.message = "Created health check report '\(prefix)-\(CivilTime(epochMillis: at).nameStamp)'."
            }
            task.runs.append(run)
            if task.runs.count > ScheduledTask.keptRuns { task.runs.removeFirst(task.runs.count - ScheduledTask.keptRuns) }
            restorable.tasks[i] = task
        }
        s.profile.restorable = restorable
        if !removed.isEmpty {
            let gone = removed
            try catalog.write { w in
                for b in gone { try w.deleteBackup(context: context, store: b.backupStore, name: b.backupName) }
            }
            try changeBackups(&s) { inventory in
                for b in removed { inventory.stores[b.backupStore]?.removeAll { $0.backupName == b.backupName } }
            }
        }
        if let job = newJob {
            try recordDRJob(job, in: &s)
        } else {
            let body = try encode(s.profile)
            try catalog.write { w in try w.putDeployment(context: context, body: body) }
        }
    }

    private func scheduledBackupJob(_ task: ScheduledTask, at: Int64, in s: State, _ inventory: BackupInventory) throws -> DRJob {
        guard let p = task.parameters else { throw AdminError.missingParameter("parameters") }
        guard let store = p.storeName ?? s.stores.first(where: \.isDefault)?.name else { throw AdminError.missingParameter("storeName") }
        let name = "\(p.name)-\(CivilTime(epochMillis: at).nameStamp)"
        try Self.validateBackupName(name)
        let request = BackupRequest(storeName: store, name: name, passcode: "", description: p.description,
                                    retentionDate: p.retentionOffsetMs.map { at + $0 } ?? -1, scheduleType: "SCHEDULED",
                                    username: task.owner, operationURI: "/\(context)/admin/system/tasks/\(task.id)")
        try checkCanCreate(request, in: s, inventory)
        return DRJob(
            jobID: SecretHash.jobID(), operation: .backup, operationURI: request.operationURI, username: task.owner,
            storeName: store, backupName: name, description: p.description, retentionDate: request.retentionDate,
            scheduleType: "SCHEDULED", passcodeHash: p.passcodeHash, submittedAt: at,
            startDelayMs: s.profile.timings.submitDelayMs, stages: s.profile.timings.backupStages,
            failure: nil, timeoutMs: s.restorable.timeoutMs(release: s.profile.release), recordedStatus: .submitted)
    }

    /// Settles the state now (the background ticker of a system clock calls this, so tasks fire
    /// without requests).
    public func tick() throws { try withSettledState { _ in } }
}
