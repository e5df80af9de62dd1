import AdminAPI
import Conformance
import DisasterRecovery
import Foundation
import HTTPClient

/// drmock servers on port 0 (in-memory catalog, manual clock) for the conformance kit to look at.
enum ConformanceHarness {
    static let root = String(#filePath).components(separatedBy: "/Tests/").first!
    static let defaultFixturePath = root + "/fixtures/default.json"
    static let password = "drmock-admin-1"

    static func fixture(_ edit: (inout Fixture) -> Void = { _ in }) throws -> Fixture {
        var f = try FixtureLocator.load(defaultFixturePath)
        edit(&f)
        return f
    }

    static func server(release: String, fixture: Fixture? = nil) throws -> DRMockServer {
        let server = try DRMockServer(options: .init(port: 0, databasePath: ":memory:", fixture: fixture ?? self.fixture(),
                                                     clockMode: .manual, release: release))
        try server.start()
        return server
    }

    /// Runs the read-only suite against `url` (drmock's side: the default fixture).
    static func run(_ url: String, release: String? = nil, password: String = password,
                    configure: (inout ConformanceOptions) -> Void = { _ in }) throws -> ConformanceReport {
        var options = ConformanceOptions(url: url, username: "admin", password: password, release: release)
        configure(&options)
        return try ConformanceRun(options, referenceFixture: fixture()).run()
    }

    /// `check: aspect path (deployment X, drmock Y)` for each difference, sorted: what a test compares.
    static func lines(_ report: ConformanceReport) -> [String] {
        report.results.flatMap { r in r.differences.map { "\(r.name): \($0.aspect.rawValue) \($0.path) (deployment \($0.target), drmock \($0.drmock))" } }.sorted()
    }

    /// A token from `generateToken` at `origin`, signed in as the default fixture's admin.
    static func token(at origin: HTTPOrigin) throws -> String {
        let answer = try HTTPClient().send("POST", origin.basePath + "/sharing/rest/generateToken", to: origin,
                                           headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                           body: Array("username=admin&password=\(password)&client=requestip&f=json".utf8))
        guard let token = try JSONValue.parse(answer.text)["token"]?.stringValue else { throw FixtureError("no token: \(answer.text)") }
        return token
    }

    static func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "drmock-conformance-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
