import Catalog
import Testing
@testable import DisasterRecovery
#if canImport(Glibc)
import Glibc
#endif

/// The repository's default fixture, read from the checkout.
func defaultFixture() throws -> Fixture {
    let here = String(#filePath)
    let root = here.components(separatedBy: "/Tests/").first!
    return try FixtureLocator.load(root + "/fixtures/default.json")
}

func temporaryDatabasePath() -> String {
    "/tmp/drmock-test-\(getpid())-\(SecretHash.randomAlphanumeric(10)).sqlite"
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
}

@Suite struct DeploymentTests {
    func open(_ path: String = ":memory:") throws -> (Deployment, ManualClock) {
        let catalog = try DRCatalog(path: path)
        let d = try Deployment.open(context: "arcgis", catalog: catalog, fixture: try defaultFixture(), clockMode: .manual, speed: 1)
        return (d, d.clock as! ManualClock)
    }

    func request(_ name: String, passcode: String = "secret123", store: String = "default") -> Deployment.BackupRequest {
        .init(storeName: store, name: name, passcode: passcode, description: "d", retentionDate: -1,
              username: "admin", operationURI: "/arcgis/admin/system/disasterrecovery/stores/\(store)/backups/create")
    }

    @Test func fixtureIsLoaded() throws {
        let (d, _) = try open()
        #expect(d.stores().map(\.name) == ["default"])
        #expect(try d.backups(inStore: "default").map(\.backupName) == ["backup_first", "schedule1-2021-10-22-20-00-09"])
        #expect(try d.lastDRJob() == nil)
    }

    @Test func tokensCheckPasswordAndExpireOnTheClock() throws {
        let (d, clock) = try open()
        #expect(throws: AdminError.unableToGenerateToken("Invalid username or password.")) {
            try d.generateToken(username: "admin", password: "wrong", expirationMinutes: nil)
        }
        #expect(throws: AdminError.self) { try d.generateToken(username: "Admin", password: "drmock-admin-1", expirationMinutes: nil) }
        let grant = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: 60)
        #expect(grant.expires == clock.now() + 3_600_000)
        #expect(try d.user(forToken: grant.token).username == "admin")
        try d.advanceClock(by: 3_600_000)
        #expect(throws: AdminError.invalidToken()) { try d.user(forToken: grant.token) }
        #expect(throws: AdminError.invalidToken()) { try d.user(forToken: "not-a-token") }
    }

    @Test func backupRunsOnTheManualClockAndLandsInItsStore() throws {
        let (d, clock) = try open()
        let job = try d.createBackup(request("b1"))
        #expect(try d.job(id: job.jobID).progress.status == .submitted)
        #expect(try d.backups(inStore: "default").count == 2)
        try d.advanceClock(by: 1000)
        #expect(try d.job(id: job.jobID).progress.status == .executing)
        try d.advanceClock(by: 3096 + 5149 + 50405 + 6517)
        let view = try d.job(id: job.jobID)
        #expect(view.progress.status == .completed)
        let b = try d.backup(named: "b1", inStore: "default")
        #expect(b.status == "completed")
        #expect(b.scheduleType == "MANUAL")
        #expect(b.completeTime == view.progress.endTime)
        #expect(b.startTime == job.submittedAt + 1000)
        #expect(b.relationalStore[0].startTime == b.startTime + 3096)
        #expect(b.encryptKey.hasSuffix(".."))
        #expect(SecretHash.verify("secret123", against: b.passcodeHash))
        #expect(try d.lastDRJob()?.job.jobID == job.jobID)
    }

    @Test func validationRules() throws {
        let (d, clock) = try open()
        #expect(throws: AdminError.passcodeTooShort()) { try d.createBackup(request("x", passcode: "1234567")) }
        #expect(throws: AdminError.unknownStore("nope")) { try d.createBackup(request("x", store: "nope")) }
        #expect(throws: AdminError.missingParameter("name")) { try d.createBackup(request("")) }
        #expect(throws: AdminError.self) { try d.createBackup(request("a/b")) }
        #expect(throws: AdminError.duplicateBackup("backup_first", store: "default")) { try d.createBackup(request("backup_first")) }
        let first = try d.createBackup(request("one"))
        #expect(throws: AdminError.jobAlreadyRunning(first.jobID)) { try d.createBackup(request("two")) }
        try d.advanceClock(by: 10 * 60_000)
        _ = try d.createBackup(request("two"))
        #expect(try d.jobIDs().count == 2)
    }

    @Test func restartKeepsBackupsJobsTokensAndTheRunningJob() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let jobID: String
        let token: String
        let at: Int64
        do {
            let (d, clock) = try open(path)
            token = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: nil).token
            _ = try d.createBackup(request("done"))
            try d.advanceClock(by: 10 * 60_000)
            jobID = try d.createBackup(request("half")).jobID
            try d.advanceClock(by: 20_000)
            #expect(try d.job(id: jobID).progress.status == .executing)
            at = clock.now()
        }
        let (d, clock) = try open(path)
        #expect(clock.now() == at)
        #expect(try d.user(forToken: token).username == "admin")
        #expect(try d.backups(inStore: "default").map(\.backupName).contains("done"))
        #expect(try d.job(id: jobID).progress.status == .executing)
        #expect(try d.lastDRJob()?.job.jobID == jobID)
        try d.advanceClock(by: 10 * 60_000)
        #expect(try d.job(id: jobID).progress.status == .completed)
        #expect(try d.backup(named: "half", inStore: "default").status == "completed")
    }

    @Test func aCatalogFromAnotherFixtureIsNotSilentlyReused() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        _ = try open(path)
        var other = try defaultFixture()
        other.name = "other"
        #expect(throws: FixtureError.self) {
            try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: path), fixture: other, clockMode: .manual, speed: 1)
        }
    }

    @Test func fixtureValidationNamesTheProblem() throws {
        var f = try defaultFixture()
        f.stores[0].isDefault = false
        #expect(throws: FixtureError.self) { try f.validate(source: "x") }
        let bad = Array(#"{"name": "x", "release": 11}"#.utf8)
        do {
            _ = try Fixture.decode(bad, source: "bad.json")
            Issue.record("decoding should fail")
        } catch let e as FixtureError {
            #expect(e.description.contains("bad.json"))
        }
    }
}
