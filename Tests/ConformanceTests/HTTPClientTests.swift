import AdminAPI
import Conformance
import DevCertificate
import DisasterRecovery
import Foundation
import HTTPClient
import Testing

/// The conformance kit's own HTTP client: TLS verified against a CA bundle, skipped only when asked.
@Suite struct HTTPClientTests {
    @Test func httpsIsVerifiedAgainstTheCABundleAndSkippedOnlyWhenAsked() throws {
        let dir = ConformanceHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pair = try DevelopmentCertificate.make()
        let paths = try pair.write(to: dir)
        let server = try DRMockServer(options: .init(port: 0, databasePath: ":memory:", fixture: ConformanceHarness.fixture(),
                                                     clockMode: .manual, release: "11.3",
                                                     tls: .init(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM)))
        try server.start()
        defer { server.stop() }
        #expect(server.baseURL.hasPrefix("https://"))

        let trusted = try ConformanceHarness.run(server.baseURL) { $0.caBundle = paths.certificate }
        #expect(ConformanceHarness.lines(trusted) == [])
        #expect {
            try ConformanceHarness.run(server.baseURL) { $0.caBundle = "/etc/ssl/certs/ca-certificates.crt" }
        } throws: { error in
            "\(error)".contains("not trusted") && "\(error)".contains("--insecure")
        }
        let insecure = try ConformanceHarness.run(server.baseURL) { $0.insecure = true }
        #expect(insecure.exitStatus == 0)
    }

    @Test func aStreamedListIsReadThroughItsChunks() throws {
        var options = DRMockServer.Options(port: 0, databasePath: ":memory:", fixture: try ConformanceHarness.fixture(),
                                           clockMode: .manual, release: "11.3")
        options.answerCacheBytes = 1_000  // the default fixture's two backups are about 2 KB: streamed
        let server = try DRMockServer(options: options)
        try server.start()
        defer { server.stop() }
        let origin = try #require(HTTPOrigin(url: server.baseURL))
        let client = HTTPClient()
        let token = try ConformanceHarness.token(at: origin)
        let list = try client.send("GET", "/arcgis/admin/system/disasterrecovery/stores/default/backups?f=json&token=\(token)", to: origin)
        #expect(list.header("transfer-encoding") == "chunked")
        let backups = try JSONValue.parse(list.text)["backups"]?.arrayValue
        #expect(backups?.compactMap { $0["backupName"]?.stringValue } == ["backup_first", "schedule1-2021-10-22-20-00-09"])
        // And conformance reads it like the unstreamed list of drmock's own side.
        #expect(ConformanceHarness.lines(try ConformanceHarness.run(server.baseURL)) == [])
    }

    @Test func anAnswerLongerThanTheLimitIsRefusedWithAnErrorThatSaysSo() throws {
        let server = try DRMockServer(options: DRMockServer.Options(port: 0, databasePath: ":memory:",
                                                                    fixture: try ConformanceHarness.fixture(), clockMode: .manual))
        try server.start()
        defer { server.stop() }
        let origin = try #require(HTTPOrigin(url: server.baseURL))
        let token = try ConformanceHarness.token(at: origin)
        let path = "/arcgis/admin/system/disasterrecovery/stores/default/backups?f=json&token=\(token)"
        let whole = try HTTPClient().send("GET", path, to: origin)
        #expect(whole.status == 200 && whole.text.contains("backup_first"))
        #expect {
            try HTTPClient(maxAnswerBytes: 1_000).send("GET", path, to: origin)
        } throws: { error in
            "\(error)" == "the answer is larger than 1000 bytes, the most this client reads"
        }
    }

    @Test func urlsAreReadWithTheirPortsAndPaths() {
        let a = HTTPOrigin(url: "https://gis.example.com/arcgis/")
        #expect(a?.isTLS == true && a?.host == "gis.example.com" && a?.port == 443 && a?.basePath == "/arcgis" && a?.hasDefaultPort == true)
        let b = HTTPOrigin(url: "http://[::1]:7443/ctx")
        #expect(b?.host == "::1" && b?.port == 7443 && b?.root == "http://[::1]:7443")
        #expect(HTTPOrigin(url: "ftp://x/y") == nil)
        #expect(HTTPOrigin(url: "http://host:99999/") == nil)
        #expect(HTTPOrigin(url: "http://user@host/") == nil)
    }
}
