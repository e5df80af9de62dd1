import AdminAPI
@testable import Conformance
import DisasterRecovery
import Foundation
import HTTPClient
import Testing

/// `drmock record` in front of a drmock upstream: the recording serves as a fixture that conformance
/// finds no difference in; restores are not forwarded; no secret reaches a report, a transcript or a fixture.
@Suite struct RecordingTests {
    static let passcode = "recorded-passcode-8271"

    /// A drmock upstream at 11.4, and a recording proxy in front of it writing into a new directory.
    final class Setup {
        let upstream: DRMockServer
        let dir = ConformanceHarness.temporaryDirectory()
        let proxy: RecordingProxy
        init() throws {
            upstream = try ConformanceHarness.server(release: "11.4")
            var options = RecordingProxy.Options(upstream: upstream.baseURL, fixturePath: dir + "/recording.json")
            options.port = 0
            options.baseFixture = ConformanceHarness.defaultFixturePath
            proxy = try RecordingProxy(options: options)
            try proxy.start()
        }
        deinit {
            proxy.stop()
            upstream.stop()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func aRecordingServedAgainFindsNoDifferenceAndHoldsNoSecret() throws {
        let setup = try Setup()
        let (upstream, dir, proxy) = (setup.upstream, setup.dir, setup.proxy)

        // A client through the proxy: conformance itself, then a backup with a passcode.
        let throughProxy = try ConformanceHarness.run(proxy.baseURL)
        #expect(ConformanceHarness.lines(throughProxy) == [], "the proxy answers as its upstream does")
        let origin = try #require(HTTPOrigin(url: proxy.baseURL))
        let client = HTTPClient()
        let token = try ConformanceHarness.token(at: origin)
        let created = try client.send("POST", "/arcgis/admin/system/disasterrecovery/stores/default/backups/create", to: origin,
                                      headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                      body: Array("name=recorded-one&passcode=\(Self.passcode)&f=json&token=\(token)".utf8))
        #expect(try JSONValue.parse(created.text)["status"]?.stringValue == "SUBMITTED")
        let listed = try client.send("GET", "/arcgis/admin/system/disasterrecovery/stores/default/backups?f=json&token=\(token)", to: origin)
        #expect(listed.status == 200)

        // The recording is a fixture drmock serves; conformance finds that deployment like drmock's.
        let fixtureText = try String(contentsOfFile: dir + "/recording.json", encoding: .utf8)
        let recorded = try Fixture.decode(Array(fixtureText.utf8), source: "recording.json")
        try recorded.validate(source: "recording.json")
        #expect(recorded.release == "11.4")
        #expect(recorded.users.map(\.username) == ["admin"])
        #expect(recorded.backups.map(\.backup.backupName) == ["backup_first", "schedule1-2021-10-22-20-00-09"])
        let replay = try ConformanceHarness.server(release: "11.4", fixture: recorded)
        defer { replay.stop() }
        let report = try ConformanceHarness.run(replay.baseURL)
        #expect(ConformanceHarness.lines(report) == [], "the recorded password signs in, and every read-only answer has drmock's shape")

        // No secret in the report, the transcript or the fixture; the upstream's host is replaced.
        let transcript = try String(contentsOfFile: proxy.transcriptPath, encoding: .utf8)
        let reportJSON = report.json.serializedString() + throughProxy.json.serializedString() + report.table
        for secret in [ConformanceHarness.password, token, Self.passcode] {
            for (name, text) in [("transcript", transcript), ("fixture", fixtureText), ("report", reportJSON)] {
                #expect(!text.contains(secret), "\(name) holds a secret")
            }
        }
        #expect(transcript.contains("\"passcode\": \"***\""))
        #expect(transcript.contains("<upstream>") && !transcript.contains("127.0.0.1:\(upstream.port)"))
    }

    @Test func aCloudStoreAsListedBecomesAFixtureStore() throws {
        // The 11.2+ list shape of an S3 store: bucket and region at the top level.
        let listed = try JSONValue.parse(#"{"default": false, "identity": "abcdefghij0123456789", "identityKey": "a2V5", "name": "s3", "rootDir": "dr", "type": "S3", "versionCreated": "11.3.0", "bucketName": "dr-bucket", "region": "us-west-2"}"#)
        let store = RecordedDeployment.fixtureStore(listed)
        #expect(store["bucketName"] == nil && store["region"] == nil)
        #expect(store["cloud"] == ["provider": "AWS", "bucketName": "dr-bucket", "region": "us-west-2"])
        let decoded = try JSONDecoder().decode(BackupStore.self, from: Data(store.serialized()))
        #expect(decoded.cloud?.bucketName == "dr-bucket" && decoded.versionCreated == "11.3.0")
    }

    @Test func aRestoreIsNotForwardedUnlessAllowed() throws {
        let setup = try Setup()
        let (upstream, proxy) = (setup.upstream, setup.proxy)
        let origin = try #require(HTTPOrigin(url: proxy.baseURL))
        let answer = try HTTPClient().send("POST", "/arcgis/admin/system/disasterrecovery/stores/default/backups/backup_first/restore",
                                           to: origin, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                           body: Array("passcode=whatever1&f=json".utf8))
        let error = try JSONValue.parse(answer.text)["error"]
        #expect(error?["code"] == .int(403))
        #expect(error?["message"]?.stringValue?.contains("does not forward a restore") == true)
        #expect(try upstream.deployment.jobIDs().isEmpty, "the upstream saw no restore")
        let transcript = try String(contentsOfFile: proxy.transcriptPath, encoding: .utf8)
        #expect(transcript.contains("\"forwarded\": false"), "the transcript shows the refused restore")
        #expect(!transcript.contains("whatever1"), "its passcode masked")
        // Whatever the method, letter case or trailing slash: the proxy refuses, the upstream never sees it.
        for (method, path) in [("GET", "/arcgis/admin/system/disasterrecovery/stores/default/backups/backup_first/restore/?passcode=whatever1"),
                               ("POST", "/arcgis/admin/system/disasterrecovery/stores/default/backups/backup_first/RESTORE")] {
            let refused = try HTTPClient().send(method, path, to: origin)
            #expect(try JSONValue.parse(refused.text)["error"]?["message"]?.stringValue?.contains("does not forward a restore") == true,
                    "\(method) \(path)")
        }
        #expect(try upstream.deployment.jobIDs().isEmpty)
        #expect(!(try String(contentsOfFile: proxy.transcriptPath, encoding: .utf8)).contains("whatever1"), "a passcode in a query masked too")
        #expect(!RecordingProxy.isRestore("/arcgis/admin/system/disasterrecovery/stores/default/backups/restored-one"))
    }
}
