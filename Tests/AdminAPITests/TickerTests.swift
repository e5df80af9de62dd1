@testable import AdminAPI
import DisasterRecovery
import Testing

/// The background ticker that settles a system-clock deployment without requests.
@Suite struct TickerTests {
    @Test func onlyASystemClockGetsATickerAndStopEndsIt() throws {
        let fixture = try FixtureLocator.load(Harness.root + "/fixtures/default.json")
        let system = try DRMockServer(options: .init(port: 0, databasePath: ":memory:", fixture: fixture, clockMode: .system, threads: 1))
        try system.start()
        #expect(system.ticker.withLock { $0 != nil })
        system.stop()
        #expect(system.ticker.withLock { $0 == nil })
        let manual = try DRMockServer(options: .init(port: 0, databasePath: ":memory:", fixture: fixture, clockMode: .manual, threads: 1))
        try manual.start()
        defer { manual.stop() }
        #expect(manual.ticker.withLock { $0 == nil })
        // What the ticker calls: settling fires nothing when nothing is due, and leaves the state as it was.
        try manual.deployment.tick()
        #expect(try manual.deployment.lastDRJob() == nil)
    }
}
