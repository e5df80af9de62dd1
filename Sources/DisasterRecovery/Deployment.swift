import Catalog
import FoundationEssentials
import Synchronization

/// What the catalog keeps about a deployment besides its rows: where it came from, its release,
/// timings, and its clock's time line.
struct DeploymentProfile: Codable, Sendable, Equatable {
    var fixtureName: String
    var release: String
    var fullVersion: String
    var siteName: String
    var namespace: String
    var timings: Fixture.Timings
    var cluster: Fixture.Cluster
    var clock: ClockState
    var jobSeq: Int
    var storeSeq: Int
    /// The last submitted disaster-recovery job: what the status resource reports.
    var lastDRJobID: String?
    /// The fixture file the context was last opened with (see ``FixtureStamp``); optional, so
    /// catalogs written before it existed still load.
    var fixtureStamp: FixtureStamp?
    /// Disaster-recovery settings, scheduled tasks and their bookkeeping (see ``RestorableState``,
    /// `Deployment+Settings.swift` and `Deployment+Tasks.swift`); optional so catalogs written before
    /// they existed still load.
    var restorable: RestorableState?

    /// The catalog's keys; `restorable` is stored as `surface`, as catalogs written before its rename have it.
    enum CodingKeys: String, CodingKey {
        case fixtureName, release, fullVersion, siteName, namespace, timings, cluster, clock, jobSeq, storeSeq, lastDRJobID, fixtureStamp
        case restorable = "surface"
    }
}

/// One emulated ArcGIS Enterprise on Kubernetes deployment (one `/<context>/`): its users, backup
/// stores, backups and jobs, on its own clock.
///
/// All state lives in memory for fast reads and is written through to the ``DRCatalog`` before a
/// change is acknowledged, so a crash loses nothing that a client was told about. Methods are safe
/// to call from any thread.
public final class Deployment: Sendable {
    public let context: String
    public let clock: any SimulationClock
    /// The scrypt cost (log2 N) of the hashes this deployment makes: passwords loaded from the
    /// fixture in plain text, and every new passcode. Stored hashes keep the cost they were made with.
    public let hashLogN: Int
    /// OAuth sign-ins between `oauth2/authorize`, `oauth2/signin` and `oauth2/token` (memory only).
    public let oauthSessions = OAuthSessions()
    /// Where problems found while serving are reported (a stored backup that cannot be read): the
    /// standard error unless the opener says otherwise.
    let problemLog: @Sendable (String) -> Void
    let catalog: DRCatalog
    let state: Mutex<State>
    /// The fault plan's domain part (see `Deployment+Faults.swift`).
    let faults = Mutex(DomainFaults())
    /// Whether a domain fault is set (`DomainFaults.isSet`), kept in step by `withFaults`: while none
    /// is, a request reads no fault state under the lock.
    let faultsSet = Atomic<Bool>(false)
    /// Which observed behaviours of real releases it plays (`--documented-only`; see ``observes(_:)``).
    public let behaviours: BehaviourPolicy

    struct State: Sendable {
        var profile: DeploymentProfile { didSet { revision = Deployment.nextRevision() } }
        var users: [String: User] { didSet { revision = Deployment.nextRevision() } }
        var stores: [BackupStore] { didSet { revision = Deployment.nextRevision() } }
        /// The backups, read from the catalog when first needed: reached only through
        /// ``Deployment/backups(_:)`` and ``Deployment/changeBackups(_:_:)`` (which move `revision` on).
        var backupShelf: BackupShelf
        /// Any change to a job (a transition, an injected fault) also makes the engine look at it again.
        var jobs: [String: DRJob] { didSet { revision = Deployment.nextRevision(); activeJobNextChange = .min } }
        var jobOrder: [String] { didSet { revision = Deployment.nextRevision() } }
        /// The tokens, by digest.
        var tokens: TokenTable
        /// The digests of the last valid tokens shown (``holder(of:at:)``).
        var recentTokens = RecentTokens()
        /// The job that has not yet been recorded as finished, if any.
        var activeJobID: String? { didSet { revision = Deployment.nextRevision(); activeJobNextChange = .min } }
        /// Changes, to a value never used before in this process, whenever anything but the tokens
        /// changes: see ``Deployment/answerValidity()``.
        var revision: UInt64 = Deployment.nextRevision()
        /// Before this instant the active job cannot change, so settling skips it (no per-request work).
        var activeJobNextChange: Int64 = .min

        /// What answers may be kept for, on the state settled at `now`: nil when the active job's next
        /// change is not ahead (a settling cut short by ``Deployment/maxFiringsAtOnce``).
        func answerValidity(at now: Int64) -> AnswerValidity? {
            guard activeJobID != nil else { return AnswerValidity(revision: revision, now: now, until: .max) }
            guard activeJobNextChange > now else { return nil }
            return AnswerValidity(revision: revision, now: now, until: activeJobNextChange)
        }
    }

    private static let revisionCounter = Atomic<UInt64>(0)
    static func nextRevision() -> UInt64 { revisionCounter.add(1, ordering: .relaxed).newValue }

    // MARK: - Opening

    /// Opens `context` from the catalog, or creates it from `fixture` if the catalog has never seen it.
    /// Its stored backups are read when something first needs them (see ``BackupShelf``).
    /// - Parameters:
    ///   - clockMode: `.system` (scaled by `speed`) or `.manual`. A stored time line is continued.
    ///   - hashLogN: the scrypt cost of new hashes (``hashLogN``).
    ///   - problemLog: where a problem found later is reported (a stored backup that cannot be read).
    public static func open(context: String, catalog: DRCatalog, fixture: Fixture,
                            clockMode: ClockState.Mode, speed: Double, release: String? = nil,
                            hashLogN: Int = SecretHash.defaultLogN, behaviours: BehaviourPolicy = .init(),
                            problemLog: @escaping @Sendable (String) -> Void = Deployment.standardErrorLog) throws -> Deployment {
        try open(context: context, catalog: catalog, source: FixtureSource(fixture), clockMode: clockMode, speed: speed,
                 release: release, hashLogN: hashLogN, behaviours: behaviours, problemLog: problemLog)
    }

    /// ``open(context:catalog:fixture:clockMode:speed:release:hashLogN:problemLog:)`` from a
    /// ``FixtureSource``: a context the catalog holds needs only its name, release and restart
    /// policy, so stamped bytes are not decoded for it. The source's stamp is kept in the profile.
    ///
    /// A context the catalog holds keeps its stored release unless `release` names another: a newer
    /// one is reached by an in-place upgrade (``upgrade(to:)``, with its observed effects), an older
    /// one is refused (releases are never downgraded in place).
    public static func open(context: String, catalog: DRCatalog, source: FixtureSource,
                            clockMode: ClockState.Mode, speed: Double, release: String? = nil,
                            hashLogN: Int = SecretHash.defaultLogN, behaviours: BehaviourPolicy = .init(),
                            problemLog: @escaping @Sendable (String) -> Void = Deployment.standardErrorLog) throws -> Deployment {
        let fixture = source
        let asked = try release.map(Release.named)
        if let records = try catalog.load(context: context, includingBackups: false) {
            let profile = try decode(DeploymentProfile.self, records.deployment)
            if profile.fixtureName != fixture.name {
                throw FixtureError("the catalog already holds context '\(context)' made from fixture '\(profile.fixtureName)', not '\(fixture.name)'; start with --reset (or another --db) to load '\(fixture.name)'")
            }
            var state = State(profile: profile, users: [:], stores: [], backupShelf: .unread, jobs: [:], jobOrder: [], tokens: [:], activeJobID: nil)
            for body in records.users { let u = try decode(User.self, body); state.users[u.username] = u }
            state.stores = try records.stores.map { try decode(BackupStore.self, $0) }
            for body in records.jobs {
                let j = try decode(DRJob.self, body)
                state.jobs[j.jobID] = j
                state.jobOrder.append(j.jobID)
                if !j.recordedStatus.isFinished { state.activeJobID = j.jobID }
            }
            for t in records.tokens { state.tokens.insert(t) }
            let stored = try Release.named(profile.release)
            if let asked, asked.order < stored.order {
                throw FixtureError("context '\(context)' of the catalog runs release \(stored.name); it cannot go back to \(asked.name) (releases are upgraded in place, never downgraded). Start with --reset (or another --db) to make it anew at \(asked.name).")
            }
            let clock = profile.clock.makeClock(mode: clockMode, speed: speed)
            state.profile.clock = clock.state
            state.profile.release = stored.name
            state.profile.fullVersion = stored.fullVersion
            if let stamp = source.stamp { state.profile.fixtureStamp = stamp }
            let deployment = try Deployment(context: context, clock: clock, catalog: catalog, state: state, hashLogN: hashLogN,
                                            behaviours: behaviours, problemLog: problemLog)
            // Only when the clock or release changed: an unchanged profile would be rewritten as it is,
            // and that first write after opening costs two fsyncs (WAL header, directory) before serving.
            if state.profile != profile { try deployment.persistProfile() }
            if fixture.onRestart == .fail { try deployment.failInterruptedJob() }
            if let asked, asked.order > stored.order {
                let report = try deployment.upgrade(to: asked)
                problemLog("drmock: context '\(context)' upgraded in place from \(report.from) to \(report.to): \(report.effects.joined(separator: " "))")
            }
            return deployment
        }
        return try create(context: context, catalog: catalog, fixture: source.fixture, stamp: source.stamp, clockMode: clockMode,
                          speed: speed, release: release, hashLogN: hashLogN, behaviours: behaviours, problemLog: problemLog)
    }

    /// Creates `context` afresh from `fixture`, replacing whatever the catalog held for it, in one transaction.
    /// - Parameter stamp: the ``FixtureStamp`` of the file `fixture` was decoded from, if known.
    public static func create(context: String, catalog: DRCatalog, fixture: Fixture, stamp: FixtureStamp? = nil,
                              clockMode: ClockState.Mode, speed: Double, release: String? = nil,
                              hashLogN: Int = SecretHash.defaultLogN, behaviours: BehaviourPolicy = .init(),
                              problemLog: @escaping @Sendable (String) -> Void = Deployment.standardErrorLog) throws -> Deployment {
        let chosen = try Release.named(release ?? fixture.release ?? Release.newest.name)
        try checkHashCost(hashLogN)
        try fixture.validate(source: "fixture '\(fixture.name)'")
        let start = fixture.clockStart ?? wallClockMillis()
        let clock: any SimulationClock = clockMode == .manual
            ? ManualClock(startingAt: start)
            : ScaledSystemClock(speed: speed)
        let profile = DeploymentProfile(
            fixtureName: fixture.name, release: chosen.name, fullVersion: chosen.fullVersion,
            siteName: fixture.siteName, namespace: fixture.namespace, timings: fixture.timings,
            cluster: fixture.cluster, clock: clock.state, jobSeq: 0, storeSeq: fixture.stores.count, lastDRJobID: nil,
            fixtureStamp: stamp, restorable: RestorableState(fixture: fixture))
        var inventory = BackupInventory()
        for fb in fixture.backups {
            var b = fb.backup
            if b.release.isEmpty { b.release = chosen.fullVersion }
            inventory.stores[b.backupStore, default: []].append(b)
        }
        for key in inventory.stores.keys { inventory.stores[key]?.sort { ($0.startTime, $0.backupName) < ($1.startTime, $1.backupName) } }
        var state = State(profile: profile, users: [:], stores: fixture.stores, backupShelf: BackupShelf(inventory), jobs: [:], jobOrder: [],
                          tokens: [:], activeJobID: nil)
        for u in fixture.users {
            let hash = try u.passwordHash ?? SecretHash.make(u.password ?? "", logN: hashLogN)
            state.users[u.username] = User(username: u.username, passwordHash: hash, role: u.role, privileges: u.privileges)
        }
        let snapshot = state
        try catalog.write { w in
            try w.deleteContext(context)
            try w.putDeployment(context: context, body: encode(snapshot.profile))
            for u in snapshot.users.values { try w.putUser(context: context, username: u.username, body: encode(u)) }
            for (i, s) in snapshot.stores.enumerated() { try w.putStore(context: context, name: s.name, seq: i, body: encode(s)) }
            for b in inventory.stores.values.joined() {
                try w.insertBackup(context: context, store: b.backupStore, name: b.backupName, startTime: b.startTime, body: encode(b))
            }
        }
        return try Deployment(context: context, clock: clock, catalog: catalog, state: state, hashLogN: hashLogN,
                              behaviours: behaviours, problemLog: problemLog)
    }

    private init(context: String, clock: any SimulationClock, catalog: DRCatalog, state: State, hashLogN: Int,
                 behaviours: BehaviourPolicy, problemLog: @escaping @Sendable (String) -> Void) throws {
        try Self.checkHashCost(hashLogN)
        self.behaviours = behaviours
        self.problemLog = problemLog
        self.hashLogN = hashLogN
        self.context = context
        self.clock = clock
        self.catalog = catalog
        self.state = Mutex(state)
    }

    /// Refuses a hash cost outside ``SecretHash/allowedLogN``.
    static func checkHashCost(_ logN: Int) throws {
        guard SecretHash.allowedLogN.contains(logN) else {
            throw FixtureError("the hash cost must be log2 N from \(SecretHash.allowedLogN.lowerBound) to \(SecretHash.allowedLogN.upperBound), not \(logN)")
        }
    }

    /// A new salted hash of a password or passcode at this deployment's cost (``hashLogN``).
    public func hashSecret(_ secret: String) throws -> String {
        try SecretHash.make(secret, logN: hashLogN)
    }

    func persistProfile() throws {
        try state.withLock { s in
            let body = try encode(s.profile)
            try catalog.write { w in try w.putDeployment(context: context, body: body) }
        }
    }

    /// ``RestartPolicy/fail``: the job still running on the clock ends FAILED now, in one transaction.
    private func failInterruptedJob() throws {
        try withSettledState { s in
            guard let id = s.activeJobID, var job = s.jobs[id] else { return }
            let now = clock.now()
            job.interruptedAt = now
            s.jobs[id] = job
            try settle(&s, now: now)
        }
    }

    // MARK: - Clock

    /// Moves a manual clock forward and records the new time, so a restart continues from it.
    /// Does nothing on a system clock.
    public func advanceClock(by millis: Int64) throws {
        guard let manual = clock as? ManualClock else { return }
        manual.advance(by: millis)
        try recordClock()
    }

    /// Sets a manual clock to `millis` (never backwards) and records it; returns the new time.
    @discardableResult
    public func setClock(to millis: Int64) throws -> Int64 {
        guard let manual = clock as? ManualClock else { return clock.now() }
        let now = manual.set(to: millis)
        try recordClock()
        return now
    }

    private func recordClock() throws {
        try withSettledState { s in
            s.profile.clock = clock.state
            let body = try encode(s.profile)
            try catalog.write { w in try w.putDeployment(context: context, body: body) }
        }
    }

    // MARK: - Facts

    public var release: String { state.withLock { $0.profile.release } }
    public var fullVersion: String { state.withLock { $0.profile.fullVersion } }
    public var fixtureName: String { state.withLock { $0.profile.fixtureName } }

    // MARK: - Stores and backups

    /// The deployment's catalog rows, with every transition due by now recorded first: a checkpoint
    /// to put back later (the control plane's snapshots).
    public func snapshot() throws -> ContextSnapshot {
        try withSettledState { _ in try catalog.snapshot(context: context) }
    }

    /// The rows as stored, with every transition due by now recorded first (the control plane's state dump).
    public func storedRecords() throws -> ContextRecords? {
        try withSettledState { _ in try catalog.load(context: context) }
    }

    public func stores() -> [BackupStore] { state.withLock { $0.stores } }

    public func store(named name: String) throws -> BackupStore {
        guard let s = state.withLock({ $0.stores.first { $0.name == name } }) else { throw AdminError.unknownStore(name) }
        return s
    }

    /// The completed backups of a store, oldest first.
    public func backups(inStore store: String) throws -> [Backup] {
        try withSettledState { s in
            guard s.stores.contains(where: { $0.name == store }) else { throw AdminError.unknownStore(store) }
            return try backups(&s).stores[store] ?? []
        }
    }

    public func backup(named name: String, inStore store: String) throws -> Backup {
        try withSettledState { s in
            guard s.stores.contains(where: { $0.name == store }) else { throw AdminError.unknownStore(store) }
            guard let b = try backups(&s).stores[store]?.first(where: { $0.backupName == name }) else {
                throw AdminError.unknownBackup(name, store: store)
            }
            return b
        }
    }

    /// What a client asks for when it creates a backup.
    public struct BackupRequest: Sendable {
        public var storeName: String
        public var name: String
        public var passcode: String
        public var description: String
        /// Epoch ms, or -1 for never.
        public var retentionDate: Int64
        public var scheduleType: String
        public var username: String
        public var operationURI: String
        public init(storeName: String, name: String, passcode: String, description: String = "",
                    retentionDate: Int64 = -1, scheduleType: String = "MANUAL", username: String, operationURI: String) {
            self.storeName = storeName
            self.name = name
            self.passcode = passcode
            self.description = description
            self.retentionDate = retentionDate
            self.scheduleType = scheduleType
            self.username = username
            self.operationURI = operationURI
        }
    }

    /// Submits a backup job. The backup appears in its store when the job completes.
    public func createBackup(_ request: BackupRequest) throws -> DRJob {
        try Self.validateBackupName(request.name)
        guard request.passcode.count >= 8 else { throw AdminError.passcodeTooShort() }
        guard request.retentionDate >= -1 else {
            throw AdminError.invalidParameter("retentionDate", "retentionDate must be epoch milliseconds, or -1 for never.")
        }
        // Cheap checks first, so a refused request costs no hashing; checked again below.
        try withSettledState { s in try checkCanCreate(request, in: &s) }
        // Hashed outside the deployment's lock: other requests go on meanwhile.
        let hash = try hashSecret(request.passcode)
        return try withSettledState { s in
            try checkCanCreate(request, in: &s)
            let now = clock.now()
            let job = DRJob(
                jobID: SecretHash.jobID(), operation: .backup, operationURI: request.operationURI,
                username: request.username, storeName: request.storeName, backupName: request.name,
                description: request.description, retentionDate: request.retentionDate,
                scheduleType: request.scheduleType, passcodeHash: hash, submittedAt: now,
                startDelayMs: s.profile.timings.submitDelayMs, stages: s.profile.timings.backupStages,
                failure: nil, timeoutMs: s.restorable.timeoutMs(release: s.profile.release), recordedStatus: .submitted)
            return try recordDRJob(job, in: &s)
        }
    }

    func checkCanCreate(_ r: BackupRequest, in s: inout State) throws {
        try checkCanCreate(r, in: s, nil)   // the store and the active job first: they need no backups read
        let inventory = try backups(&s)
        try checkCanCreate(r, in: s, inventory)
    }

    /// The checks of a create; the duplicate name only with `inventory`.
    func checkCanCreate(_ r: BackupRequest, in s: State, _ inventory: BackupInventory?) throws {
        guard s.stores.contains(where: { $0.name == r.storeName }) else { throw AdminError.unknownStore(r.storeName) }
        if let active = s.activeJobID { throw AdminError.jobAlreadyRunning(active) }
        if inventory?.stores[r.storeName]?.contains(where: { $0.backupName == r.name }) == true {
            throw AdminError.duplicateBackup(r.name, store: r.storeName)
        }
    }

    /// Backup names: 1 to 128 characters, no `/`, `\` or control characters (they become URL segments).
    public static func validateBackupName(_ name: String) throws {
        if name.isEmpty { throw AdminError.missingParameter("name") }
        if name.count > 128 || name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f || $0 == "/" || $0 == "\\" }) {
            throw AdminError.invalidParameter("name", "A backup name has 1 to 128 characters and no '/', '\\' or control characters.")
        }
    }

}

// MARK: - Storage encoding (the catalog keeps records as JSON bodies)

func encode<T: Encodable>(_ value: T) throws -> String {
    String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
}

func decode<T: Decodable>(_ type: T.Type, _ body: String) throws -> T {
    // Copied from the string's UTF-8 buffer in one go (Data(body.utf8) goes byte by byte: ~56,000
    // instructions for a profile at every start).
    var body = body
    return try JSONDecoder().decode(type, from: body.withUTF8 { Data(buffer: $0) })
}
