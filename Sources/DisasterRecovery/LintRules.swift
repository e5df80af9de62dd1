/// The linter's ten rules. Each threshold says where its number comes from: a document or a client
/// of record (docs/releases.md, the reference notes on the ArcGIS API for Python and Esri's CLI), or
/// drmock's own decision.
public enum LintRules {
    public static let all: [LintRule] = [
        tokenPerCall, pollRate, pollAfterFailure, secretInQuery, postTokenInQuery,
        retryAfterConflict, legacyBackupRestore, htmlByAccident, offlineHammering, tokenLifetime,
    ]

    static let tokenPerCall = LintRule(
        id: "token-per-call", severity: .warning,
        summary: "Signs in (generateToken or OAuth) again for nearly every call instead of reusing its token.",
        why: "Each sign-in is a Portal round trip and a password check; a token lives 60 to 120 minutes, and portals throttle and lock out busy sign-ins.",
        threshold: "3 or more sign-ins that issued a token, with fewer than 3 other calls per sign-in (drmock's decision; generateToken's default lifetime is documented as 60 minutes, Portal's as 120).") { h in
        let signIns = h.requests.filter(\.issuedToken)
        let calls = h.requests.filter { !$0.isSignIn && !$0.isSignInStep }
        guard signIns.count >= 3, calls.count < 3 * signIns.count else { return [] }
        return [("signed in \(signIns.count) times for \(calls.count) other calls", signIns)]
    }

    static let pollRate = LintRule(
        id: "poll-rate", severity: .warning,
        summary: "Polls a job or the status resource faster than once a second, or for long without any backoff.",
        why: "A backup or restore runs for minutes to hours; tight polling loads the admin API while it is busiest, and a restore takes it offline.",
        threshold: "5 or more polls of one resource in a row less than 1 s apart on the emulated clock, or 20 or more polls all under 10 s apart whose last gaps are not half again as long as the first (median of 5) (Esri's CLI waits 60 s, then polls the status every 10 s: reference dr-admin-api.md; the 1 s floor is drmock's decision).") { h in
        var hits: [(String, [ClientRequest])] = []
        for (resource, polls) in h.polls {
            let gaps = zip(polls.dropFirst(), polls).map { $0.clock - $1.clock }
            if let run = longestRun(gaps, where: { $0 < 1000 }), run.count + 1 >= 5 {
                let evidence = Array(polls[run.lowerBound...run.upperBound])
                hits.append(("polled \(resource) \(evidence.count) times less than 1 s apart", evidence))
            } else if polls.count >= 20, (gaps.max() ?? 0) < 10_000, median(gaps.suffix(5)) * 2 < median(gaps.prefix(5)) * 3 {
                hits.append(("polled \(resource) \(polls.count) times without backing off (every \(gaps.max() ?? 0) ms or less)", polls))
            }
        }
        return hits
    }

    static let pollAfterFailure = LintRule(
        id: "poll-after-failure", severity: .error,
        summary: "Keeps polling a job (or the status resource showing it) after it ended FAILED, TIMED OUT or CANCELLED: it waits only for COMPLETED.",
        why: "A failed backup never completes: such a loop spins until its own timeout (Esri's CLI's is 7200 s) and reports a hang instead of the failure.",
        threshold: "3 or more polls of a job, or of the status resource while it shows that job, after one that saw it FAILED or TIMED OUT (drmock's decision; the job statuses are the documented ones).") { h in
        var hits: [(String, [ClientRequest])] = []
        for (resource, polls) in h.polls {
            // The job each poll saw: the one polled, or the one the status resource showed then.
            let seen = polls.map { p in resource.jobID ?? h.statusJob(p.clock) }
            func ended(_ i: Int) -> JobStatus? {
                guard let id = seen[i], let s = h.jobStatus(id, polls[i].clock), s == .failed || s == .timedOut else { return nil }
                return s
            }
            guard let first = polls.indices.first(where: { ended($0) != nil }), let id = seen[first], let status = ended(first) else { continue }
            // Polls after it that still saw the same job (a new job is a new wait).
            let after = polls.indices.dropFirst(first + 1).prefix { seen[$0] == id }
            if after.count >= 3 {
                let what = resource.jobID == nil ? "\(resource.path) (showing job \(id))" : "job \(id)"
                hits.append(("polled \(what) \(after.count) more times after it ended \(status.rawValue)", Array(polls[first...(after.last ?? first)])))
            }
        }
        return hits
    }

    static let secretNames: Set<String> = ["token", "password", "passcode", "client_secret", "refresh_token", "access_token", "secret"]

    static let secretInQuery = LintRule(
        id: "secret-in-query", severity: .warning,
        summary: "Puts a secret (token, password, passcode) in a URL's query string.",
        why: "Query strings are written to proxy, load-balancer and web-server access logs and browser histories, where anyone who reads the logs can reuse the secret.",
        threshold: "1 request (the names are matched, never the values; a passcode or password in a URL is never needed: the documents send them in the POST body).") { h in
        let leaking = h.requests.filter { r in r.queryNames.contains { secretNames.contains($0.lowercased()) } }
        guard !leaking.isEmpty else { return [] }
        let names = Set(leaking.flatMap { $0.queryNames.filter { secretNames.contains($0.lowercased()) } }).sorted()
        return [("sent \(names.joined(separator: ", ")) in the query string of \(leaking.count) request\(leaking.count == 1 ? "" : "s")", leaking)]
    }

    static let postTokenInQuery = LintRule(
        id: "post-token-in-query", severity: .error,
        summary: "POSTs with its token only in the query string.",
        why: "The documents require a POST's token in the request body (or an authorization header); the server answers 499 Token Required.",
        threshold: "1 request (documented on every operation's page: \"all POST requests must include a token in the request body\").") { h in
        let bad = h.requests.filter { $0.method == "POST" && $0.tokenPlaces == .query }
        return bad.isEmpty ? [] : [("sent \(bad.count) POST\(bad.count == 1 ? "" : "s") with the token only in the query string", bad)]
    }

    static let retryAfterConflict = LintRule(
        id: "retry-after-conflict", severity: .warning,
        summary: "Retries a backup create or a restore right after a 409 without reading the status.",
        why: "A 409 means another disaster-recovery job runs; retrying blind either fails again or, once it ends, starts a second job over the first one's outcome.",
        threshold: "1 create or restore sent again after a 409 with no read of the status resource or a job in between (the one-job-at-a-time rule is documented; the threshold is drmock's decision).") { h in
        var hits: [(String, [ClientRequest])] = []
        var conflict: ClientRequest? = nil
        for r in h.requests {
            if r.isStatusRead { conflict = nil; continue }
            guard r.isCreateOrRestore else { continue }
            if let c = conflict {
                hits.append(("sent \(r.method) \(r.path) again after a 409 without reading the status", [c, r]))
                conflict = nil
            }
            if r.errorCode == 409 { conflict = r }
        }
        return hits
    }

    static let legacyBackupRestore = LintRule(
        id: "legacy-backuprestore", severity: .warning,
        summary: "Uses the 10.9 `backuprestore` URLs on a release that has the store URLs.",
        why: "They are deprecated since 10.9.1 and answer 404 on releases that dropped them (drmock's --strict does so from 11.0); the store URLs are the documented way.",
        threshold: "1 request on 10.9.1 or later (documented: `backuprestore` deprecated at 10.9.1, docs/releases.md).") { h in
        guard h.release.has(.storeBackups) else { return [] }
        let old = h.requests.filter { $0.segments.contains("backuprestore") }
        return old.isEmpty ? [] : [("called \(old.count) `backuprestore` URL\(old.count == 1 ? "" : "s") on \(h.release.name)", old)]
    }

    static let htmlByAccident = LintRule(
        id: "html-by-accident", severity: .warning,
        summary: "Calls the API without f=json (or f=pjson) and gets the HTML directory back.",
        why: "Every resource answers HTML by default; a script that parses it breaks with each release's page layout and never sees the error envelope.",
        threshold: "1 answered call without f=json or f=pjson from a client that is not a browser (User-Agent without \"Mozilla\"); sign-in pages excluded (documented default f=html on every page).") { h in
        guard !(h.client.userAgent ?? "").contains("Mozilla") else { return [] }
        let html = h.requests.filter { r in
            r.status == 200 && !r.isSignInStep && !r.isSignIn && (r.format == nil || r.format?.lowercased() == "html")
                && (r.segments.first == "admin" || r.segments.starts(with: ["sharing", "rest"]))
        }
        return html.isEmpty ? [] : [("got \(html.count) answer\(html.count == 1 ? "" : "s") as HTML (no f=json)", html)]
    }

    static let offlineHammering = LintRule(
        id: "offline-hammering", severity: .warning,
        summary: "Keeps calling during a restore's offline window without handling the 503.",
        why: "The organization is unavailable until a restore completes (documented); a client that retries at once floods it and fails its own run instead of waiting on the status resource.",
        threshold: "3 or more offline 503 answers in a row less than 10 s apart on the emulated clock (Esri's CLI polls every 10 s during a restore: reference dr-admin-api.md).") { h in
        let offline = h.requests.filter(\.offline)
        let gaps = zip(offline.dropFirst(), offline).map { $0.clock - $1.clock }
        guard let run = longestRun(gaps, where: { $0 < 10_000 }), run.count + 1 >= 3 else { return [] }
        let evidence = Array(offline[run.lowerBound...run.upperBound])
        return [("called \(evidence.count) times while the organization was offline, less than 10 s apart", evidence)]
    }

    /// The documented longest token: "14 days (20,160 minutes)" (docs/releases.md, Portal's token expiration).
    static let longestTokenMinutes = 20_160

    static let tokenLifetime = LintRule(
        id: "token-lifetime", severity: .warning,
        summary: "Asks for a token longer than the release allows, or ignores `expires` and keeps using an expired token.",
        why: "A longer expiration is silently cut to the maximum, so a client that trusts its own number uses a dead token; one that ignores expires fails with 498 mid-run.",
        threshold: "a sign-in asking more than 20160 minutes (documented maximum, 14 days), or 2 or more 498 Invalid token answers with no sign-in between (drmock's decision).") { h in
        var hits: [(String, [ClientRequest])] = []
        let long = h.requests.filter { r in r.isSignIn && (r.expiration.flatMap { Int($0) }.map { $0 > longestTokenMinutes } ?? false) }
        if !long.isEmpty { hits.append(("asked for tokens of more than \(longestTokenMinutes) minutes", long)) }
        var expired: [ClientRequest] = []
        var reported = false
        for r in h.requests {
            if r.issuedToken { expired = []; reported = false; continue }
            guard r.errorCode == 498 else { continue }
            expired.append(r)
            if expired.count >= 2 && !reported {
                hits.append(("kept using an expired token (498 Invalid token) without signing in again", expired))
                reported = true
            }
        }
        return hits
    }

    static func median<C: Collection<Int64>>(_ values: C) -> Int64 {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// The longest run of consecutive gaps that satisfy `test`, as a range of the requests around them.
    static func longestRun(_ gaps: [Int64], where test: (Int64) -> Bool) -> ClosedRange<Int>? {
        var best: ClosedRange<Int>? = nil
        var start: Int? = nil
        for (i, g) in gaps.enumerated() {
            if test(g) {
                let s = start ?? i
                start = s
                if best == nil || (i + 1 - s) > best!.count - 1 { best = s...(i + 1) }
            } else {
                start = nil
            }
        }
        return best
    }
}

/// A polled resource: a job, or a status resource.
struct PolledResource: Hashable, CustomStringConvertible {
    var path: String
    var jobID: String?
    var description: String { path }
}

extension ClientHistory {
    /// The GETs of each job and status resource, oldest first.
    var polls: [(PolledResource, [ClientRequest])] {
        var order: [PolledResource] = []
        var byResource: [PolledResource: [ClientRequest]] = [:]
        for r in requests where r.method == "GET" || r.method == "HEAD" {
            let s = r.segments
            let resource: PolledResource
            if s.count == 3, s[0] == "admin", s[1] == "jobs" {
                resource = PolledResource(path: r.path, jobID: String(s[2]))
            } else if s.last == "status", s.contains("disasterrecovery") {
                resource = PolledResource(path: r.path, jobID: nil)
            } else {
                continue
            }
            if byResource[resource] == nil { order.append(resource) }
            byResource[resource, default: []].append(r)
        }
        return order.map { ($0, byResource[$0] ?? []) }
    }
}

extension ClientRequest {
    /// The path's segments after the context.
    var segments: [Substring] { Array(path.split(separator: "/").dropFirst()) }

    /// A sign-in that issues a token: generateToken, OAuth's sign-in or token exchange.
    var isSignIn: Bool {
        guard method == "POST" else { return false }
        return path.hasSuffix("/sharing/rest/generateToken") || path.hasSuffix("/sharing/oauth2/signin") || path.hasSuffix("/sharing/rest/oauth2/token")
    }

    /// A sign-in that succeeded: the journal names the user a sign-in signed in only then; the code
    /// flow's token exchange names none, and answers JSON that is no error.
    var issuedToken: Bool {
        guard isSignIn else { return false }
        if user != nil { return true }
        return path.hasSuffix("/sharing/rest/oauth2/token") && status == 200 && errorCode == nil && format?.lowercased() != "html"
    }

    /// A step of signing in that is not a call of the API (the OAuth page, `info` probes).
    var isSignInStep: Bool {
        path.hasSuffix("/sharing/rest/oauth2/authorize") || path.hasSuffix("/sharing/rest/info")
    }

    var isStatusRead: Bool {
        guard method == "GET" else { return false }
        let s = segments
        return (s.last == "status" && s.contains("disasterrecovery")) || (s.count == 3 && s[0] == "admin" && s[1] == "jobs")
    }

    var isCreateOrRestore: Bool {
        guard method == "POST" else { return false }
        let s = segments
        return (s.last == "create" && s.contains("backups")) || s.last == "restore" || (s.last == "backup" && s.contains("backuprestore"))
    }
}
