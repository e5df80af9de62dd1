import AdminAPI
import DisasterRecovery
import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// `--write`: a scratch backup made, polled to its end, read and deleted, on the deployment (in the
/// store the user names) and on drmock alike; then a one-minute token used after its minute. Never a restore (it replaces the organization), never a
/// change of settings or stores.
struct WriteChecks {
    let run: ConformanceRun
    let target: DeploymentSession
    let reference: DeploymentSession
    let server: DRMockServer
    let release: Release

    mutating func run(mask: inout SecretMask) -> [CheckResult] {
        guard release.has(.storeBackups) else {
            return [CheckResult(name: "create backup", request: "", outcome: .skipped("the write checks need stores/<s>/backups (10.9.1 or later)"))]
        }
        guard let store = run.options.store, let referenceStore = reference.names["store"] else {
            return [CheckResult(name: "create backup", request: "", outcome: .skipped("--write needs --store"))]
        }
        let name = "drmock-conformance-" + Self.randomText(8, alphabet: "0123456789abcdef")
        let passcode = Self.randomText(24, alphabet: "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        mask.add(secret: passcode)
        // A token for one minute on each side, tried again once the backup is done (decision 9: expired is refused).
        let shortLived = [(target, run.options.username, run.options.password),
                          (reference, ConformanceRun.referenceUser.0, ConformanceRun.referenceUser.1)].map { session, user, password in
            let token = (try? session.generateToken(username: user, password: password, expiration: 1, mask: mask))?.json?["token"]?.stringValue
            if let token { mask.add(secret: token) }
            return token
        }
        let issued = ContinuousClock.now
        let dr = Probe.dr, mask = mask
        let tStore = "\(dr)/stores/\(URLEncoding.encode(store))", dStore = "\(dr)/stores/\(URLEncoding.encode(referenceStore))"
        let form = [("name", name), ("passcode", passcode), ("description", "drmock conformance scratch backup"), ("f", "json")]
        var tJob: String?, dJob: String?
        var results = [run.compare(name: "create backup", kind: .json, mask: mask,
                                   target: {
                                       let e = try target.send("POST", "\(tStore)/backups/create", query: [], form: form, mask: mask)
                                       tJob = e.json?["jobid"]?.stringValue
                                       return e
                                   },
                                   drmock: {
                                       let e = try reference.send("POST", "\(dStore)/backups/create", query: [], form: form, mask: mask)
                                       dJob = e.json?["jobid"]?.stringValue
                                       return e
                                   })]
        guard let tJob, let dJob else {
            results.append(CheckResult(name: "backup job", request: "", outcome: .skipped("\(tJob == nil ? "the deployment" : "drmock") started no backup job")))
            return results
        }
        guard pollUntilDone(tJob, mask: mask) else {
            results.append(CheckResult(name: "backup job", request: "GET /admin/jobs/\(tJob)",
                                       outcome: .skipped("the job did not end within \(run.options.writeTimeoutSeconds) s; delete the backup '\(name)' in '\(store)' when it does")))
            return results
        }
        _ = try? server.runUntil(job: dJob, reaches: .completed)
        let tJobPath = "/admin/jobs/\(URLEncoding.encode(tJob))", dJobPath = "/admin/jobs/\(URLEncoding.encode(dJob))"
        let steps: [(String, String, String)] = [
            ("backup job", tJobPath, dJobPath),
            ("status after the backup", "\(dr)/status", "\(dr)/status"),
            ("scratch backup", "\(tStore)/backups/\(URLEncoding.encode(name))", "\(dStore)/backups/\(URLEncoding.encode(name))"),
        ]
        for (check, t, d) in steps {
            results.append(run.compare(name: check, kind: .json, mask: mask,
                                       target: { try target.send("GET", t, mask: mask) },
                                       drmock: { try reference.send("GET", d, mask: mask) }))
        }
        results.append(run.compare(name: "delete backup", kind: .json, mask: mask,
                                   target: { try target.send("POST", "\(tStore)/backups/\(URLEncoding.encode(name))/delete", query: [], form: [("f", "json")], mask: mask) },
                                   drmock: { try reference.send("POST", "\(dStore)/backups/\(URLEncoding.encode(name))/delete", query: [], form: [("f", "json")], mask: mask) }))
        results.append(expiredTokenCheck(shortLived, issued: issued, mask: mask))
        return results
    }

    /// The one-minute tokens once expired: the deployment's is tried until it is refused (at most 90 s
    /// after it was issued, however fast its clock runs); drmock's clock is moved past its minute.
    func expiredTokenCheck(_ tokens: [String?], issued: ContinuousClock.Instant, mask: SecretMask) -> CheckResult {
        guard let t = tokens[0], let d = tokens[1] else {
            return CheckResult(name: "expired token", request: "", outcome: .skipped("no one-minute token was issued"))
        }
        var expiredTarget = target, expiredReference = reference
        expiredTarget.token = t
        expiredReference.token = d
        let path = "\(Probe.dr)/stores"
        return run.compare(name: "expired token", kind: .json, mask: mask,
                           target: {
                               var answer = try expiredTarget.send("GET", path, mask: mask)
                               while answer.json?["error"] == nil, ContinuousClock.now - issued < .seconds(90) {
                                   usleep(UInt32(run.options.pollMilliseconds) * 1000)
                                   answer = try expiredTarget.send("GET", path, mask: mask)
                               }
                               return answer
                           },
                           drmock: {
                               try server.advanceClock(by: 61_000)
                               return try expiredReference.send("GET", path, mask: mask)
                           })
    }

    /// Polls the deployment's job until it is COMPLETED, FAILED or TIMED OUT; false at the time limit.
    func pollUntilDone(_ job: String, mask: SecretMask) -> Bool {
        let path = "/admin/jobs/\(URLEncoding.encode(job))"
        var waited = 0
        while waited <= run.options.writeTimeoutSeconds * 1000 {
            if let status = (try? target.send("GET", path, mask: mask))?.json?["status"]?.stringValue,
               ["COMPLETED", "FAILED", "TIMED OUT"].contains(status.uppercased()) {
                return true
            }
            usleep(UInt32(run.options.pollMilliseconds) * 1000)
            waited += run.options.pollMilliseconds
        }
        return false
    }

    static func randomText(_ count: Int, alphabet: String) -> String {
        let letters = Array(alphabet)
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in letters[Int.random(in: 0..<letters.count, using: &generator)] })
    }
}
