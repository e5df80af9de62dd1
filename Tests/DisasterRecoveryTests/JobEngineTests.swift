import Testing
@testable import DisasterRecovery

/// The job engine derives a job's state from its plan and the clock: no sleeping, only instants.
@Suite struct JobEngineTests {
    static let stages = [
        StagePlan(name: "Validation", durationMs: 3096),
        StagePlan(name: "Stage Relational store", durationMs: 5149),
        StagePlan(name: "Stage Object store", durationMs: 50405),
        StagePlan(name: "Stage system configuration", durationMs: 6517),
        StagePlan(name: "Post backup operation cleanup", durationMs: 0),
    ]

    func job(failure: PlannedFailure? = nil, timeoutMs: Int64? = nil) -> DRJob {
        DRJob(jobID: "j1", operation: .backup, operationURI: "/arcgis/admin/x", username: "admin",
              storeName: "default", backupName: "b1", description: "", retentionDate: -1,
              scheduleType: "MANUAL", passcodeHash: "", submittedAt: 1_000_000, startDelayMs: 1000,
              stages: Self.stages, failure: failure, timeoutMs: timeoutMs, recordedStatus: .submitted)
    }

    @Test func submittedUntilTheDelayPasses() {
        let p = job().progress(at: 1_000_999)
        #expect(p.status == .submitted)
        #expect(p.stages.isEmpty)
        #expect(p.endTime == 0)
        #expect(p.nextChange == 1_001_000)
    }

    @Test func stagesAdvanceInOrder() {
        let j = job()
        let atStart = j.progress(at: 1_001_000)
        #expect(atStart.status == .executing)
        #expect(atStart.stages.map(\.name) == ["Validation"])
        #expect(atStart.stages[0].state == "in_progress")

        let inObjectStore = j.progress(at: 1_001_000 + 3096 + 5149 + 10_000)
        #expect(inObjectStore.stages.map(\.state) == ["completed", "completed", "in_progress"])
        #expect(inObjectStore.stages[2].elapsedMs == 10_000)
        #expect(inObjectStore.stages[0].elapsedMs == 3096)
        #expect(inObjectStore.stages[1].lastUpdated == 1_001_000 + 3096 + 5149)
        #expect(inObjectStore.nextChange == Int64(1_059_650))
    }

    @Test func completesWithEveryStageAndExactTimes() {
        let j = job()
        let total: Int64 = 3096 + 5149 + 50405 + 6517
        #expect(j.progress(at: 1_001_000 + total - 1).status == .executing)
        let done = j.progress(at: 1_001_000 + total)
        #expect(done.status == .completed)
        #expect(done.endTime == 1_001_000 + total)
        #expect(done.stages.count == 5)
        #expect(done.stages.allSatisfy { $0.state == "completed" })
        #expect(done.nextChange == nil)
        #expect(done.messages.first == "Submitted backup job for backup 'b1' in backup store 'default'.")
        #expect(done.messages.last == "The backup of 'b1' completed.")
        // Later instants change nothing.
        #expect(j.progress(at: 9_999_999_999) == done)
    }

    @Test func plannedFailureStopsInItsStage() {
        let j = job(failure: PlannedFailure(stageIndex: 2, afterMs: 1000, message: "disk full"))
        let p = j.progress(at: 5_000_000)
        #expect(p.status == .failed)
        #expect(p.message == "disk full")
        #expect(p.stages.map(\.state) == ["completed", "completed", "failed"])
        #expect(p.endTime == 1_001_000 + 3096 + 5149 + 1000)
        #expect(p.messages.last == "disk full")
        #expect(StatusReport(p.status) == StatusReport(state: "failed", code: 4))
    }

    @Test func timeoutEndsTheJobTimedOut() {
        let j = job(timeoutMs: 20_000)
        let p = j.progress(at: 5_000_000)
        #expect(p.status == .timedOut)
        #expect(p.endTime == 1_021_000)
        #expect(p.stages.last?.name == "Stage Object store")
        #expect(p.stages.last?.state == "failed")
    }

    @Test func durationTextsMatchTheSeed() {
        #expect(JobProgress.durationText(3096) == "3096 millis (~ 0 minutes)")
        #expect(JobProgress.durationText(125_000) == "125000 millis (~ 2 minutes)")
        #expect(JobProgress.overallDurationText(64_221) == "00hr:01min:04sec:221millisec")
        #expect(JobProgress.overallDurationText(3_600_000 + 5) == "01hr:00min:00sec:5millisec")
    }

    @Test func statusCodesFollowTheDecisions() {
        #expect(StatusReport(.submitted) == StatusReport(state: "in_progress", code: 2))
        #expect(StatusReport(.executing).code == 2)
        #expect(StatusReport(.completed) == StatusReport(state: "success", code: 3))
        #expect(StatusReport.noOp.code == 0)
    }
}

@Suite struct ClockTests {
    @Test func manualClockMovesOnlyForward() {
        let c = ManualClock(startingAt: 100)
        #expect(c.now() == 100)
        c.advance(by: 50)
        #expect(c.now() == 150)
        c.advance(by: -10)
        #expect(c.now() == 150)
        #expect(c.set(to: 120) == 150)
        #expect(c.set(to: 500) == 500)
    }

    @Test func scaledClockRunsFasterAndContinuesItsTimeLine() {
        let real = wallClockMillis()
        let c = ScaledSystemClock(speed: 60, anchorReal: real - 1000, anchorEmulated: 0)
        #expect(c.now() >= 60_000)
        // A restart with the same speed keeps the anchors (downtime counts, at speed).
        let again = c.state.makeClock(mode: .system, speed: 60)
        #expect(again.state == c.state)
        // A different speed re-anchors at the current emulated time: time never goes back.
        let slower = c.state.makeClock(mode: .system, speed: 1)
        #expect(slower.now() >= 60_000)
        let manual = c.state.makeClock(mode: .manual, speed: 1)
        #expect(manual.now() >= 60_000)
    }
}

@Suite struct SecretHashTests {
    @Test func verifiesOnlyTheRightSecret() throws {
        let h = try SecretHash.make("secret123")
        #expect(h.hasPrefix("scrypt$"))
        #expect(!h.contains("secret123"))
        #expect(SecretHash.verify("secret123", against: h))
        #expect(!SecretHash.verify("secret124", against: h))
        #expect(!SecretHash.verify("secret123", against: "scrypt$12$8$1$zz$00"))
        #expect(!SecretHash.verify("secret123", against: ""))
        #expect(try SecretHash.make("secret123") != h)  // salted
    }

    @Test func identifiersHaveTheDocumentedShape() {
        let id = SecretHash.jobID()
        #expect(id.hasPrefix("j"))
        #expect(id.count == 37)
        #expect(id.split(separator: "-").map(\.count) == [9, 4, 4, 4, 12])
        #expect(SecretHash.randomToken().count == 43)  // 256 bits
        #expect(SecretHash.randomToken() != SecretHash.randomToken())
        #expect(Backup.maskedKey("Ab3d-Ef") == "Xxxx-Xx..")
    }
}
