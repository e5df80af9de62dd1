import AdminAPI
import DisasterRecovery
import Foundation

/// Control-plane helpers on top of ``Harness``.
extension Harness {
    /// A control request with the admin token of `context` (in the form body for POST, the query otherwise).
    func control(_ method: String, _ path: String, _ fields: [(String, String)] = [], token: String?,
                 context: String? = nil) -> HTTPResult {
        var fields = fields
        if let context { fields.append(("context", context)) }
        if method == "POST" {
            if let token { fields.append(("token", token)) }
            return HTTPClient.request(port: port, method: "POST", path: "/_mock/\(path)", body: form(fields))
        }
        if let token { fields.append(("token", token)) }
        let query = fields.isEmpty ? "" : "?" + form(fields)
        return HTTPClient.request(port: port, method: method, path: "/_mock/\(path)\(query)")
    }

    /// A token of another context (made from the fixture on first use).
    func token(context: String) throws -> String {
        let r = post("/\(context)/sharing/rest/generateToken",
                     [("username", "admin"), ("password", "drmock-admin-1"), ("client", "referer"), ("referer", "x"), ("f", "json")])
        guard let t = try json(r)["token"] as? String else { throw HarnessError("no token in \(r.body)") }
        return t
    }

    func createBackup(_ token: String, name: String, context: String) throws -> String {
        let r = try json(post("/\(context)/admin/system/disasterrecovery/stores/default/backups/create",
                              [("name", name), ("passcode", "secret123"), ("f", "json"), ("token", token)]))
        guard let id = r["jobid"] as? String else { throw HarnessError("no jobid: \(r)") }
        return id
    }

    func jobStatus(_ token: String, _ jobID: String, context: String = "arcgis") throws -> String? {
        try json(get("/\(context)/admin/jobs/\(jobID)?f=json&token=\(token)"))["status"] as? String
    }
}

/// Runs `body` on another thread; `wait()` returns its result.
final class Background<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: T?

    init(_ body: @escaping @Sendable () -> T) {
        Thread.detachNewThread { [self] in
            result = body()
            done.signal()
        }
    }

    /// The result, or nil if it did not come within `seconds`.
    func wait(seconds: Double = 10) -> T? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return result
    }
}
extension Harness: @unchecked Sendable {}
