import Catalog
import Testing
@testable import DisasterRecovery

/// `answerRevision()` keys cached answers: the same while nothing changes, none while a job runs,
/// a new one after every change. And settling skips the active job until its next change.
@Suite struct AnswerRevisionTests {
    func open() throws -> (Deployment, ManualClock) {
        let d = try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: ":memory:"), fixture: try defaultFixture(),
                                    clockMode: .manual, speed: 1)
        return (d, d.clock as! ManualClock)
    }

    func request(_ name: String) -> Deployment.BackupRequest {
        .init(storeName: "default", name: name, passcode: "secret123", username: "admin", operationURI: "/arcgis/x")
    }

    /// `admit(token:privilege:)` tells what `user(forToken:)`, `User.has` and `answerRevision()` tell, in one lock.
    @Test func admissionAgreesWithTheSeparateReads() throws {
        let (d, clock) = try open()
        let admin = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: nil).token
        let viewer = try d.generateToken(username: "viewer", password: "drmock-viewer-1", expirationMinutes: nil).token
        let privilege = User.securityAndInfrastructure

        let a = try d.admit(token: admin, privilege: privilege)
        #expect(a.username == "admin" && a.allowed)
        let revision = try d.answerRevision()
        #expect(a.revision != nil && a.revision == revision)
        #expect(try d.admit(token: admin, privilege: nil).revision == a.revision)

        let v = try d.admit(token: viewer, privilege: privilege)
        #expect(v.username == "viewer" && !v.allowed && v.revision == nil)
        let viewerUser = try d.user(forToken: viewer)
        #expect(!viewerUser.has(privilege))
        #expect(try d.admit(token: viewer, privilege: nil).allowed)

        #expect(throws: AdminError.invalidToken()) { try d.admit(token: "not-a-token", privilege: nil) }

        // While a job runs there is no revision; the job engine catches up as answerRevision() makes it.
        let job = try d.createBackup(.init(storeName: "default", name: "a1", passcode: "secret123", username: "admin", operationURI: "/x"))
        #expect(try d.admit(token: admin, privilege: privilege).revision == nil)
        clock.advance(by: job.finishTime - clock.now())
        let after = try #require(try d.admit(token: admin, privilege: privilege).revision)
        let revisionAfter = try d.answerRevision()
        #expect(after != a.revision && after == revisionAfter)

        // An expired token is refused like an unknown one.
        clock.advance(by: 61 * 60_000)
        #expect(throws: AdminError.invalidToken()) { try d.admit(token: admin, privilege: privilege) }
    }

    /// Domain faults take the revision away (and the offline window shows) exactly while they are set,
    /// however they are set: the lock-free flag follows every change.
    @Test func domainFaultsTakeTheRevisionAwayWhileSet() throws {
        let (d, clock) = try open()
        let admin = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: nil).token
        let first = try #require(try d.answerRevision())
        #expect(d.offlineUntil == nil)
        d.setFaults(DomainFaults(unavailableStores: ["default"]))
        #expect(try d.answerRevision() == nil)
        #expect(try d.admit(token: admin, privilege: nil).revision == nil)
        d.setFaults(DomainFaults())
        #expect(try d.answerRevision() == first)
        d.takeOffline(for: 5_000)
        #expect(d.offlineUntil == clock.now() + 5_000)
        #expect(try d.answerRevision() == nil)
        clock.advance(by: 5_000)
        #expect(d.offlineUntil == nil)   // the window has passed, the fault is still set
        #expect(try d.answerRevision() == nil)
        d.setFaults(DomainFaults(), keepFired: false)
        #expect(try d.answerRevision() == first)
        #expect(try d.admit(token: admin, privilege: nil).revision == first)
    }

    @Test func revisionIsStableUntilAChangeAndAbsentWhileAJobRuns() throws {
        let (d, clock) = try open()
        let first = try #require(try d.answerRevision())
        _ = try d.backups(inStore: "default")
        _ = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: nil)
        #expect(try d.answerRevision() == first)   // reads and tokens change nothing shown

        let job = try d.createBackup(request("r1"))
        #expect(try d.answerRevision() == nil)
        clock.advance(by: 30_000)
        #expect(try d.answerRevision() == nil)
        clock.advance(by: job.finishTime - clock.now())
        let after = try #require(try d.answerRevision())
        #expect(after != first)
        #expect(try d.backups(inStore: "default").map(\.backupName).last == "r1")
        #expect(try d.answerRevision() == after)
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
