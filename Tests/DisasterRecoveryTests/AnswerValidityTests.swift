import Catalog
import Testing
@testable import DisasterRecovery

/// `answerValidity()` keys cached answers: the same revision while nothing changes, a new one after
/// every change, and while a job runs a span that ends at the job's next change. And settling skips
/// the active job until its next change.
@Suite struct AnswerValidityTests {
    func open() throws -> (Deployment, ManualClock) {
        let d = try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: ":memory:"), fixture: try defaultFixture(),
                                    clockMode: .manual, speed: 1)
        return (d, d.clock as! ManualClock)
    }

    func request(_ name: String) -> Deployment.BackupRequest {
        .init(storeName: "default", name: name, passcode: "secret123", username: "admin", operationURI: "/arcgis/x")
    }

    /// `admit(token:privilege:)` tells what `user(forToken:)`, `User.has` and `answerValidity()` tell, in one lock.
    @Test func admissionAgreesWithTheSeparateReads() throws {
        let (d, clock) = try open()
        let admin = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: nil).token
        let viewer = try d.generateToken(username: "viewer", password: "drmock-viewer-1", expirationMinutes: nil).token
        let privilege = User.securityAndInfrastructure

        let a = try d.admit(token: admin, privilege: privilege)
        #expect(a.username == "admin" && a.allowed)
        let validity = try d.answerValidity()
        #expect(a.validity != nil && a.validity == validity && validity?.until == .max && validity?.now == clock.now())
        #expect(try d.admit(token: admin, privilege: nil).validity == a.validity)

        let v = try d.admit(token: viewer, privilege: privilege)
        #expect(v.username == "viewer" && !v.allowed && v.validity == nil)
        let viewerUser = try d.user(forToken: viewer)
        #expect(!viewerUser.has(privilege))
        #expect(try d.admit(token: viewer, privilege: nil).allowed)

        #expect(throws: AdminError.invalidToken()) { try d.admit(token: "not-a-token", privilege: nil) }

        // While a job runs the span ends at its next change; the job engine catches up as answerValidity() makes it.
        let job = try d.createBackup(.init(storeName: "default", name: "a1", passcode: "secret123", username: "admin", operationURI: "/x"))
        let running = try #require(try d.admit(token: admin, privilege: privilege).validity)
        let separately = try d.answerValidity()
        #expect(running.until == job.executionStart && running.jobActive && running == separately)
        clock.advance(by: job.finishTime - clock.now())
        let after = try #require(try d.admit(token: admin, privilege: privilege).validity)
        let validityAfter = try d.answerValidity()
        #expect(after.revision != a.validity?.revision && after.revision != running.revision && after == validityAfter && !after.jobActive)

        // An expired token is refused like an unknown one.
        clock.advance(by: 121 * 60_000)   // past the default lifetime, 120 minutes
        #expect(throws: AdminError.invalidToken()) { try d.admit(token: admin, privilege: privilege) }
    }

    /// Domain faults take the validity away (and the offline window shows) exactly while they are set,
    /// however they are set: the lock-free flag follows every change.
    @Test func domainFaultsTakeTheRevisionAwayWhileSet() throws {
        let (d, clock) = try open()
        let admin = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: nil).token
        let first = try #require(try d.answerValidity()?.revision)
        #expect(d.offlineUntil == nil)
        d.setFaults(DomainFaults(unavailableStores: ["default"]))
        #expect(try d.answerValidity()?.revision == nil)
        #expect(try d.admit(token: admin, privilege: nil).validity?.revision == nil)
        d.setFaults(DomainFaults())
        #expect(try d.answerValidity()?.revision == first)
        d.takeOffline(for: 5_000)
        #expect(d.offlineUntil == clock.now() + 5_000)
        #expect(try d.answerValidity()?.revision == nil)
        clock.advance(by: 5_000)
        #expect(d.offlineUntil == nil)   // the window has passed, the fault is still set
        #expect(try d.answerValidity()?.revision == nil)
        d.setFaults(DomainFaults(), keepFired: false)
        #expect(try d.answerValidity()?.revision == first)
        #expect(try d.admit(token: admin, privilege: nil).validity?.revision == first)
    }

    @Test func revisionIsStableUntilAChangeAndTheSpanEndsAtTheJobsNextChange() throws {
        let (d, clock) = try open()
        let first = try #require(try d.answerValidity())
        #expect(first.until == .max && !first.jobActive)
        _ = try d.backups(inStore: "default")
        _ = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: nil)
        #expect(try d.answerValidity()?.revision == first.revision)   // reads and tokens change nothing shown

        // Default timings: SUBMITTED for 1000 ms, then stages of 3096, 5149, 50405, 6517 and 0 ms.
        let job = try d.createBackup(request("r1"))
        let submitted = try #require(try d.answerValidity())
        #expect(submitted.revision != first.revision && submitted.until == job.executionStart)
        var boundaries: [Int64] = []
        var t = job.executionStart
        for stage in job.stages {
            t += stage.durationMs
            if boundaries.last != t { boundaries.append(t) }
        }
        #expect(boundaries.last == job.finishTime)
        // Just before the first stage starts: still the same; at its start EXECUTING is recorded.
        clock.advance(by: job.executionStart - 1 - clock.now())
        #expect(try d.answerValidity() == AnswerValidity(revision: submitted.revision, now: clock.now(), until: job.executionStart))
        clock.advance(by: 1)
        let executing = try #require(try d.answerValidity())
        #expect(executing.revision != submitted.revision && executing.until == boundaries[0] && executing.now == job.executionStart)
        // Within EXECUTING the state stays (the same revision); each span ends at the next stage boundary.
        for (i, boundary) in boundaries.dropLast().enumerated() {
            clock.advance(by: boundary - 1 - clock.now())
            #expect(try d.answerValidity() == AnswerValidity(revision: executing.revision, now: boundary - 1, until: boundary))
            clock.advance(by: 1)
            #expect(try d.answerValidity() == AnswerValidity(revision: executing.revision, now: boundary, until: boundaries[i + 1]))
        }
        #expect(try d.job(id: job.jobID).progress.status == .executing)
        clock.advance(by: job.finishTime - clock.now())
        let after = try #require(try d.answerValidity())
        #expect(after.revision != executing.revision && after.until == .max)
        #expect(try d.backups(inStore: "default").map(\.backupName).last == "r1")
        #expect(try d.answerValidity()?.revision == after.revision)
    }

    /// `until(showingElapsedTime:)`: the millisecond `now` only while a job is active.
    @Test func elapsedTimesHoldForOneMillisecondWhileAJobRuns() {
        let idle = AnswerValidity(revision: 1, now: 500, until: .max)
        #expect(idle.until(showingElapsedTime: true) == .max && idle.until(showingElapsedTime: false) == .max)
        let running = AnswerValidity(revision: 1, now: 500, until: 4096)
        #expect(running.until(showingElapsedTime: true) == 501 && running.until(showingElapsedTime: false) == 4096)
    }

    @Test func transitionsAreRecordedAtEveryStepWhateverTheStepSize() throws {
        // Small steps (most settles skip the job until its next change) and one big step must
        // record the same outcome.
        let (small, smallClock) = try open()
        let (big, bigClock) = try open()
        let a = try small.createBackup(request("s"))
        let b = try big.createBackup(request("s"))
        var seen: [JobStatus] = []
        while smallClock.now() < a.finishTime {
            smallClock.advance(by: 250)
            let status = try small.job(id: a.jobID).progress.status
            if seen.last != status { seen.append(status) }
        }
        #expect(seen == [.submitted, .executing, .completed])
        bigClock.advance(by: b.finishTime - bigClock.now())
        #expect(try big.job(id: b.jobID).progress.status == .completed)
        #expect(try small.backups(inStore: "default").map(\.backupName) == (try big.backups(inStore: "default").map(\.backupName)))
        // The next job is not held back by the finished one's skip point.
        let c = try small.createBackup(request("s2"))
        smallClock.advance(by: c.finishTime - smallClock.now())
        #expect(try small.job(id: c.jobID).progress.status == .completed)
        #expect(try small.backups(inStore: "default").map(\.backupName).suffix(2) == ["s", "s2"])
    }
}
