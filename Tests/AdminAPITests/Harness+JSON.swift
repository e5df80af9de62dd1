import Foundation
import Testing

/// Helpers for the API tests: JSON in, JSON out, with a token.
extension Harness {
    static let legacy = "\(dr)/backuprestore"
    /// The default timings: 1 s submitted, then the backup stages (65 167 ms) / restore stages (67 941 ms).
    static let backupMs: Int64 = 1000 + 65_167
    static let restoreMs: Int64 = 1000 + 2870 + 7311 + 48_208 + 9140 + 412

    func getJSON(_ path: String, _ token: String) throws -> [String: Any] {
        let sep = path.contains("?") ? "&" : "?"
        return try json(get("\(path)\(sep)f=json&token=\(token)"))
    }

    func postJSON(_ path: String, _ token: String, _ fields: [(String, String)] = []) throws -> [String: Any] {
        try json(post(path, fields + [("f", "json"), ("token", token)]))
    }

    /// The error envelope of an answer (fails the test when the answer is not an error).
    func error(_ body: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) -> (code: Int, message: String, details: [String]) {
        guard let e = body["error"] as? [String: Any] else {
            Issue.record("expected an error, got \(body)", sourceLocation: sourceLocation)
            return (0, "", [])
        }
        return (e["code"] as? Int ?? 0, e["message"] as? String ?? "", e["details"] as? [String] ?? [])
    }

    func status(_ token: String, legacy: Bool = false) throws -> [String: Any] {
        try getJSON(legacy ? "\(Self.legacy)/status" : "\(Self.dr)/status", token)["status"] as? [String: Any] ?? [:]
    }

    func backupNames(_ token: String, store: String = "default") throws -> [String] {
        (try getJSON("\(Self.dr)/stores/\(store)/backups", token)["backups"] as? [[String: Any]] ?? []).compactMap { $0["backupName"] as? String }
    }

    /// Creates a backup and runs the clock until its job completed.
    func makeBackup(_ token: String, name: String, store: String = "default", passcode: String = "secret123") throws {
        let r = try createBackup(token, name: name, passcode: passcode, store: store)
        guard r["jobid"] is String else { throw HarnessError("create failed: \(r)") }
        try advance(Self.backupMs)
    }
}
