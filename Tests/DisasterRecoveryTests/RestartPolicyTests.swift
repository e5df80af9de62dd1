import Catalog
import Foundation
import Testing
@testable import DisasterRecovery

/// The fixture's `onRestart`: what a restart does to a job that was running (issue #7).
@Suite struct RestartPolicyTests {
    /// Opens (or reopens, as a restart does) the catalog at `path` with the default fixture and `policy`.
    func open(_ path: String, _ policy: RestartPolicy?) throws -> (Deployment, ManualClock) {
        var fixture = try defaultFixture()
        fixture.onRestart = policy
        let d = try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: path), fixture: fixture, clockMode: .manual, speed: 1)
        return (d, d.clock as! ManualClock)
    }

    func request(_ name: String) -> Deployment.BackupRequest {
        .init(storeName: "default", name: name, passcode: "secret123", username: "admin",
              operationURI: "/arcgis/admin/system/disasterrecovery/stores/default/backups/create")
    }

    /// Starts a backup and moves the clock `millis` past its submission; returns the job id.
    func startBackup(_ path: String, _ policy: RestartPolicy?, name: String, runFor millis: Int64) throws -> String {
        let (d, _) = try open(path, policy)
        let id = try d.createBackup(request(name)).jobID
        try d.advanceClock(by: millis)
        return id
    }

    @Test func resumeIsTheDefaultAndContinuesOnTheClock() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let id = try startBackup(path, nil, name: "r1", runFor: 10_000)
        let (d, clock) = try open(path, nil)
        let view = try d.job(id: id)
        #expect(view.progress.status == .executing)
        let running = try #require(view.progress.stages.last)
        #expect(running.name == "Stage Object store")
        #expect(running.state == "in_progress")
        #expect(running.elapsedMs == 10_000 - 1000 - 3096 - 5149)
        try d.advanceClock(by: 60_000)
        #expect(try d.job(id: id).progress.status == .completed)
        #expect(try d.backup(named: "r1", inStore: "default").completeTime <= clock.now())
        // An explicit "resume" behaves the same.
        let id2 = try startBackup(path, .resume, name: "r2", runFor: 5_000)
        #expect(try open(path, .resume).0.job(id: id2).progress.status == .executing)
    }

    @Test func failEndsTheRunningJobAtTheRestartWithItsStageFailed() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let id = try startBackup(path, .fail, name: "f1", runFor: 10_000)
        let (d, clock) = try open(path, .fail)
        let restartedAt = clock.now()
        let p = try d.job(id: id).progress
        #expect(p.status == .failed)
        #expect(p.endTime == restartedAt)
        #expect(p.message == RestartPolicy.interruptionMessage(.backup))
        #expect(p.messages.last == RestartPolicy.interruptionMessage(.backup))
        #expect(p.stages.map(\.state) == ["completed", "completed", "failed"])
        #expect(p.stages.last?.name == "Stage Object store")
        #expect(throws: AdminError.unknownBackup("f1", store: "default")) { try d.backup(named: "f1", inStore: "default") }
        #expect(try StatusReport(d.lastDRJob()!.progress.status).state == "failed")
        // Nothing moves afterwards, and the next backup may start (no job is left running).
        try d.advanceClock(by: 3_600_000)
        #expect(try d.job(id: id).progress == p)
        let next = try d.createBackup(request("f2")).jobID
        #expect(try d.lastDRJob()?.job.jobID == next)
        // The failure is recorded, not re-derived: reopening with "resume" keeps it.
        let (again, _) = try open(path, .resume)
        #expect(try again.job(id: id).progress == p)
        #expect(try again.job(id: id).job.recordedStatus == .failed)
    }

    @Test func failWhileSubmittedListsNoStages() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let id = try startBackup(path, .fail, name: "s1", runFor: 200)
        let (d, clock) = try open(path, .fail)
        try d.advanceClock(by: 120_000)
        let p = try d.job(id: id).progress
        #expect(p.status == .failed)
        #expect(p.stages.isEmpty)
        #expect(p.endTime == clock.now() - 120_000)
        #expect(try d.backups(inStore: "default").count == 2)
    }

    @Test func failKeepsTheOutcomeOfAJobThatFinishedOnTheClockMeanwhile() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        // The clock passes the job's end, but nothing reads the job before the "crash".
        let id = try startBackup(path, .fail, name: "m1", runFor: 10 * 60_000)
        let (d, _) = try open(path, .fail)
        #expect(try d.job(id: id).progress.status == .completed)
        #expect(try d.backup(named: "m1", inStore: "default").status == "completed")
    }

    @Test func theFixtureSpellsThePolicy() throws {
        func decode(_ value: String) throws -> Fixture {
            var json = try String(contentsOfFile: defaultFixturePath(), encoding: .utf8)
            json = json.replacingOccurrences(of: "\"timings\":", with: "\"onRestart\": \(value), \"timings\":")
            return try Fixture.decode(Array(json.utf8), source: "test.json")
        }
        #expect(try decode("\"fail\"").onRestart == .fail)
        #expect(try decode("\"resume\"").onRestart == .resume)
        #expect(try defaultFixture().onRestart == nil)
        #expect(throws: FixtureError.self) { try decode("\"sometimes\"") }
    }
}

func defaultFixturePath() -> String {
    String(#filePath).components(separatedBy: "/Tests/").first! + "/fixtures/default.json"
}

