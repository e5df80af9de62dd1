import AdminAPI
import Catalog
import DisasterRecovery
import Foundation
import Testing

/// A fixture file whose stamp (digest of its bytes for this build) the catalog holds for the context
/// is not decoded at start; anything else is loaded as before, with the same errors.
@Suite struct FixtureStampTests {
    static let build: [UInt8] = [1, 2, 3, 4]

    /// A copy of the default fixture in a file of its own, so that a test can change it.
    static func fixtureFile(_ edit: (String) -> String = { $0 }) throws -> String {
        let text = try String(contentsOfFile: Harness.root + "/fixtures/default.json", encoding: .utf8)
        let path = "/tmp/drmock-stamp-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).json"
        try edit(text).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Loads `file` as `drmock serve` does on `db` (the catalog opened first if the file exists) and
    /// serves it with a manual clock; returns the server and whether the fixture came undecoded.
    static func serve(_ file: String, db: String, build: [UInt8] = build) throws -> (DRMockServer, Bool) {
        let catalog = FileManager.default.fileExists(atPath: db) ? try DRCatalog(path: db) : nil
        let loaded = try DRMockServer.loadFixture(file, catalog: catalog, context: "arcgis", build: build)
        let pending = loaded.source.isPending
        var options = DRMockServer.Options(port: 0, databasePath: db, fixtureSource: loaded.source, clockMode: .manual)
        options.catalog = catalog
        let server = try DRMockServer(options: options)
        try server.start()
        return (server, pending)
    }

    static func status(_ server: DRMockServer, _ token: String) -> HTTPResult {
        HTTPClient.request(port: server.port, method: "GET", path: "\(Harness.dr)/status?f=json&token=\(token)")
    }

    static func token(_ server: DRMockServer) throws -> String {
        let r = HTTPClient.request(port: server.port, method: "POST", path: "/arcgis/sharing/rest/generateToken",
                                   body: "username=admin&password=drmock-admin-1&client=referer&referer=x&expiration=60&f=json")
        let object = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
        return try #require(object?["token"] as? String)
    }

    @Test func theSameFileOnTheSameCatalogIsNotDecodedAndAnswersTheSame() throws {
        let db = temporaryDatabasePath(), file = try Self.fixtureFile()
        defer { removeDatabase(db); unlink(file) }
        let (first, firstPending) = try Self.serve(file, db: db)
        #expect(!firstPending)
        let token = try Self.token(first)
        let before = Self.status(first, token)
        let listBefore = HTTPClient.request(port: first.port, method: "GET", path: "\(Harness.dr)/stores/default/backups?f=json&token=\(token)")
        first.stop()

        let (second, secondPending) = try Self.serve(file, db: db)
        defer { second.stop() }
        #expect(secondPending)
        #expect(second.registry.fixtureSource.isPending)
        #expect(Self.status(second, token).body == before.body)
        #expect(HTTPClient.request(port: second.port, method: "GET", path: "\(Harness.dr)/stores/default/backups?f=json&token=\(token)").body
                == listBefore.body)
        // Still not decoded after requests; a reset (or another context) decodes it, once.
        #expect(second.registry.fixtureSource.isPending)
        try second.reset()
        #expect(!second.registry.fixtureSource.isPending)
        #expect(second.registry.fixture.name == "default")
        #expect(second.deployment.fixtureName == "default")
    }

    @Test func anotherBuildOrChangedBytesAreDecodedAsBefore() throws {
        let db = temporaryDatabasePath(), file = try Self.fixtureFile()
        defer { removeDatabase(db); unlink(file) }
        let (first, _) = try Self.serve(file, db: db)
        first.stop()
        let (other, otherPending) = try Self.serve(file, db: db, build: [9])
        other.stop()
        #expect(!otherPending)
        // That start stamped the catalog for its own build: the first build decodes again, once.
        let (again, againPending) = try Self.serve(file, db: db)
        again.stop()
        #expect(!againPending)
        let (stamped, stampedPending) = try Self.serve(file, db: db)
        stamped.stop()
        #expect(stampedPending)

        // Changed bytes (same name) are decoded; an invalid file fails with today's error.
        let changed = try Self.fixtureFile { $0.replacingOccurrences(of: "\"siteName\"", with: " \"siteName\"") }
        defer { unlink(changed) }
        let (c, changedPending) = try Self.serve(changed, db: db)
        c.stop()
        #expect(!changedPending)
        let broken = try Self.fixtureFile { $0.replacingOccurrences(of: "\"siteName\"", with: "\"siteNameX\"") }
        defer { unlink(broken) }
        let catalog = try DRCatalog(path: db)
        var plain = ""
        do { _ = try DRMockServer.loadFixture(broken) } catch { plain = "\(error)" }
        var stampedError = ""
        do { _ = try DRMockServer.loadFixture(broken, catalog: catalog, context: "arcgis", build: Self.build) } catch { stampedError = "\(error)" }
        #expect(!plain.isEmpty && plain == stampedError)
    }

    @Test func aFixtureOfAnotherNameIsRefusedWithTheSameError() throws {
        let db = temporaryDatabasePath(), file = try Self.fixtureFile()
        defer { removeDatabase(db); unlink(file) }
        let (first, _) = try Self.serve(file, db: db)
        first.stop()
        let renamed = try Self.fixtureFile { $0.replacingOccurrences(of: "\"name\": \"default\",\n  \"siteName\"", with: "\"name\": \"other\",\n  \"siteName\"") }
        defer { unlink(renamed) }
        #expect(try String(contentsOfFile: renamed, encoding: .utf8).contains("\"name\": \"other\""))
        var message = ""
        do { _ = try Self.serve(renamed, db: db) } catch { message = "\(error)" }
        #expect(message.contains("made from fixture 'default', not 'other'"))
    }
}
