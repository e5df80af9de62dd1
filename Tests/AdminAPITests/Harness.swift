import AdminAPI
import DisasterRecovery
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One drmock server on port 0 with a manual clock, and helpers to talk to it.
final class Harness: Sendable {
    static let root = String(#filePath).components(separatedBy: "/Tests/").first!
    static let dr = "/arcgis/admin/system/disasterrecovery"

    let server: DRMockServer
    var port: UInt16 { server.port }
    var clock: ManualClock { server.deployment.clock as! ManualClock }
    var root: String { Self.root }

    init(db: String = ":memory:", httpErrorStatus: Bool = false, release: String? = nil, strict: Bool = false,
         clockMode: ClockState.Mode = .manual, speed: Double = 1, controlPlane: Bool = true, threads: Int = 2,
         controlAccess: ControlAccess = .init(), answerCacheBytes: Int? = nil, documentedOnly: Bool = false, maxContexts: Int? = nil,
         fixture edit: ((inout Fixture) -> Void)? = nil) throws {
        var fixture = try FixtureLocator.load(Self.root + "/fixtures/default.json")
        edit?(&fixture)
        var options = DRMockServer.Options(port: 0, databasePath: db, fixture: fixture, clockMode: clockMode, speed: speed,
                                           httpErrorStatus: httpErrorStatus, threads: threads, release: release, strict: strict,
                                           controlPlane: controlPlane)
        options.controlAccess = controlAccess
        options.documentedOnly = documentedOnly
        if let maxContexts { options.maxContexts = maxContexts }
        if let answerCacheBytes { options.answerCacheBytes = answerCacheBytes }
        server = try DRMockServer(options: options)
        try server.start()
    }

    deinit { server.stop() }

    /// Moves the deployment's manual clock (and records it, as the control plane will).
    func advance(_ millis: Int64) throws { try server.deployment.advanceClock(by: millis) }

    func get(_ path: String, headers: [(String, String)] = []) -> HTTPResult {
        HTTPClient.request(port: port, method: "GET", path: path, headers: headers)
    }

    func post(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) -> HTTPResult {
        HTTPClient.request(port: port, method: "POST", path: path, headers: headers, body: form(fields))
    }

    func token(_ user: String = "admin", _ password: String = "drmock-admin-1") throws -> String {
        let r = post("/arcgis/sharing/rest/generateToken",
                     [("username", user), ("password", password), ("client", "referer"), ("referer", "x"), ("f", "json")])
        guard let t = try json(r)["token"] as? String else { throw HarnessError("no token in \(r.body)") }
        return t
    }

    func json(_ r: HTTPResult) throws -> [String: Any] {
        guard let obj = try JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(r.body)")
        }
        return obj
    }

    /// The error envelope's code, or nil if the answer is not an error.
    func errorCode(_ r: HTTPResult) throws -> Int? {
        (try json(r)["error"] as? [String: Any])?["code"] as? Int
    }

    func createBackup(_ token: String, name: String, passcode: String = "secret123", store: String = "default") throws -> [String: Any] {
        try json(post("\(Self.dr)/stores/\(store)/backups/create",
                      [("name", name), ("passcode", passcode), ("description", "demo"), ("retentionDate", "-1"),
                       ("f", "json"), ("token", token)]))
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func temporaryDatabasePath() -> String {
    "/tmp/drmock-api-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).sqlite"
}

func removeDatabase(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
}
