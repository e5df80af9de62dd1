import AdminAPI
import Conformance
import DisasterRecovery
import Testing

/// `drmock conformance` against drmock servers over real HTTP: what differs between releases and
/// fixtures is found, exactly; a server against itself differs in nothing.
@Suite struct ConformanceTests {
    @Test func aServerAgainstItsOwnReleaseDiffersInNothing() throws {
        let server = try ConformanceHarness.server(release: "11.3")
        defer { server.stop() }
        let report = try ConformanceHarness.run(server.baseURL)
        #expect(report.release == "11.3", "the release is read from the deployment's /admin")
        #expect(ConformanceHarness.lines(report) == [])
        #expect(report.exitStatus == 0)
        let names = report.results.map(\.name)
        for expected in ["admin root", "admin root (pjson)", "admin root (html)", "no token", "invalid token", "status", "stores",
                         "store", "store backups", "backup", "settings", "generateToken", "generateToken, wrong password"] {
            #expect(names.contains(expected))
        }
        #expect(report.results.filter { $0.outcome == .same }.count >= 20, "most checks compare answers (the default fixture has no job or task)")
    }

    @Test func twoReleasesDifferExactlyWhereTheReleaseTableSays() throws {
        // 12.0 adds spatiotemporal backups (`supportBDSBackup` on every store) to 11.4's features.
        let server = try ConformanceHarness.server(release: "12.0")
        defer { server.stop() }
        let report = try ConformanceHarness.run(server.baseURL, release: "11.4")
        #expect(ConformanceHarness.lines(report) == [
            "store: field $.supportBDSBackup (deployment boolean, drmock missing)",
            "stores: field $.backupStores[].supportBDSBackup (deployment boolean, drmock missing)",
        ])
        #expect(report.exitStatus == 1)
    }

    @Test func aDeploymentNewerThanTheReleaseAskedForShowsWhatThatReleaseLacks() throws {
        // 10.9.1 lacks async operations (timeoutInSeconds) and the 11.2 store fields; both serve the
        // legacy backuprestore directory resource only at 10.9.
        let server = try ConformanceHarness.server(release: "11.3")
        defer { server.stop() }
        let report = try ConformanceHarness.run(server.baseURL, release: "10.9")
        #expect(ConformanceHarness.lines(report) == [
            "disaster recovery: listed resource $.resources (deployment no 'backuprestore', drmock 'backuprestore')",
            "settings: field $.timeoutInSeconds (deployment number, drmock missing)",
            "store: field $.providerID (deployment string, drmock missing)",
            "store: field $.serviceID (deployment string, drmock missing)",
            "store: field $.versionCreated (deployment string, drmock missing)",
            "stores: field $.backupStores[].providerID (deployment string, drmock missing)",
            "stores: field $.backupStores[].serviceID (deployment string, drmock missing)",
            "stores: field $.backupStores[].versionCreated (deployment string, drmock missing)",
        ])
    }

    @Test func aFixtureWithADeliberateDifferenceGivesExactlyThatDifference() throws {
        // A store without autoShutdown: the list leaves the field out, where drmock's default store has it.
        let fixture = try ConformanceHarness.fixture { $0.stores[0].autoShutdown = nil }
        let server = try ConformanceHarness.server(release: "11.3", fixture: fixture)
        defer { server.stop() }
        let report = try ConformanceHarness.run(server.baseURL)
        #expect(ConformanceHarness.lines(report) == ["stores: field $.backupStores[].autoShutdown (deployment missing, drmock boolean)"])
        let json = report.json.serializedString()
        #expect(json.contains("\"result\":\"differs\""))
        #expect(json.contains("\"answers\":{\"deployment\":{\"status\":200"), "the JSON report carries both answers")
    }

    @Test func theWriteChecksMakePollAndDeleteAScratchBackupAlike() throws {
        let server = try DRMockServer(options: .init(port: 0, databasePath: ":memory:", fixture: ConformanceHarness.fixture(),
                                                     clockMode: .system, speed: 200, release: "12.0"))
        try server.start()
        defer { server.stop() }
        let report = try ConformanceHarness.run(server.baseURL) { options in
            options.write = true
            options.store = "default"
            options.pollMilliseconds = 100
            options.writeTimeoutSeconds = 20
        }
        let names = ["create backup", "backup job", "status after the backup", "scratch backup", "delete backup", "expired token"]
        let writes = report.results.filter { names.contains($0.name) }
        #expect(writes.map(\.name) == names)
        #expect(writes.allSatisfy { $0.outcome == .same }, "\(writes.map { "\($0.name): \($0.outcome)" })")
        let backups = try server.deployment.backups(inStore: "default").map(\.backupName)
        #expect(!backups.contains { $0.hasPrefix("drmock-conformance-") }, "the scratch backup is deleted")
        #expect(backups.count == 2)
    }

    @Test func itCannotRunWithoutTheDeploymentOrItsSignIn() throws {
        let server = try ConformanceHarness.server(release: "11.3")
        defer { server.stop() }
        #expect {
            try ConformanceHarness.run(server.baseURL, password: "not-the-password")
        } throws: { error in
            guard case ConformanceError.signInRefused(let why) = error else { return false }
            return why.contains("Unable to generate token") && !why.contains("not-the-password")
        }
        let port = server.port
        server.stop()
        #expect {
            try ConformanceHarness.run("http://127.0.0.1:\(port)/arcgis")
        } throws: { error in
            guard case ConformanceError.unreachable(let why) = error else { return false }
            return why.contains("<deployment>") && !why.contains("127.0.0.1")
        }
        #expect(throws: ConformanceError.self) { try ConformanceHarness.run("ftp://example.com/arcgis") }
    }
}
