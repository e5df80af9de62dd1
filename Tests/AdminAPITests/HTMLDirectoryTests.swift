@testable import AdminAPI
import Foundation
import Testing

/// The `f=html` directory over real HTTP: sign-in and the session cookie, redirects, the
/// Content-Security-Policy, escaping on every page, operation forms and the live status view.
@Suite struct HTMLDirectoryTests {
    let dr = Harness.dr
    let login = "/arcgis/admin/login"

    /// Signs in through the sign-in form; returns the session cookie's token.
    func signIn(_ h: Harness, _ user: String = "admin", _ password: String = "drmock-admin-1") throws -> String {
        let r = h.post(login, [("username", user), ("password", password), ("next", "/arcgis/admin")])
        let cookie = try #require(r.header("set-cookie"), "no cookie: \(r.status) \(r.body)")
        let value = try #require(cookie.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last)
        return String(value)
    }

    func page(_ h: Harness, _ path: String, session: String) -> HTTPResult {
        h.get(path, headers: [("Cookie", "other=1; drmock_session=\(session)")])
    }

    @Test func signInSetsAnHttpOnlyStrictSessionCookie() throws {
        let h = try Harness()
        let form = h.get(login + "?next=%2Farcgis%2Fadmin%2Fjobs")
        #expect(form.status == 200)
        #expect(form.body.contains("name=\"password\""))
        #expect(form.body.contains("value=\"/arcgis/admin/jobs\""))

        let ok = h.post(login, [("username", "admin"), ("password", "drmock-admin-1"), ("next", "/arcgis/admin/jobs")])
        #expect(ok.status == 303)
        #expect(ok.header("location") == "/arcgis/admin/jobs")
        let cookie = try #require(ok.header("set-cookie"))
        #expect(cookie.hasPrefix("drmock_session="))
        #expect(cookie.contains("; HttpOnly"))
        #expect(cookie.contains("; SameSite=Strict"))
        #expect(cookie.contains("; Path=/arcgis/"))
        #expect(!cookie.contains("Max-Age"))  // a session cookie
        #expect(!cookie.contains("Secure"))   // plain HTTP here; over TLS it is Secure:
        #expect(HTMLSession.setCookie("t", context: "arcgis", tls: true).hasSuffix("; Secure"))

        // Wrong password: the sign-in page again with generateToken's error, no cookie.
        let wrong = h.post(login, [("username", "admin"), ("password", "nope")])
        #expect(wrong.status == 200)
        #expect(wrong.header("set-cookie") == nil)
        #expect(wrong.body.contains("Unable to generate token."))
        #expect(wrong.body.contains("Invalid username or password."))
        #expect(wrong.body.contains("value=\"admin\""))
        #expect(h.post(login, [("password", "x")]).body.contains("&#39;username&#39; must be specified."))

        // Another site cannot sign a visitor in or out (the browser's Origin must be this server).
        let fields = [("username", "admin"), ("password", "drmock-admin-1")]
        let foreign = h.post(login, fields, headers: [("Origin", "http://evil.example")])
        #expect(foreign.header("set-cookie") == nil)
        #expect(foreign.body.contains("Error 403"))
        #expect(h.post("/arcgis/admin/logout", [], headers: [("Origin", "null")]).body.contains("Error 403"))
        #expect(h.post(login, fields, headers: [("Origin", "http://127.0.0.1:\(h.port)")]).status == 303)

        // Only paths of this context are followed after sign-in.
        for evil in ["//evil.example/x", "https://evil.example/", "/other/admin", "/arcgis/\\evil"] {
            let r = h.post(login, [("username", "admin"), ("password", "drmock-admin-1"), ("next", evil)])
            #expect(r.header("location") == "/arcgis/admin", "next=\(evil)")
        }
    }

    @Test func withoutASessionHTMLPagesGoToSignIn() throws {
        let h = try Harness()
        let r = h.get("\(dr)/stores/default/backups?x=a%20b")
        #expect(r.status == 303)
        #expect(r.header("location") == "/arcgis/admin/login?next=%2Farcgis%2Fadmin%2Fsystem%2Fdisasterrecovery%2Fstores%2Fdefault%2Fbackups%3Fx%3Da%2520b")
        #expect(r.header("set-cookie") == nil)
        // A stale cookie: to sign-in, and the cookie is cleared.
        let stale = page(h, "\(dr)/status", session: "no-such-token")
        #expect(stale.status == 303)
        #expect(stale.header("set-cookie")?.contains("Max-Age=0") == true)
        // JSON clients are unchanged (decision 9): 499, not a redirect.
        #expect(h.get("\(dr)/status?f=json").status == 200)
        #expect(try h.errorCode(h.get("\(dr)/status?f=json")) == 499)
    }

    @Test func theCookieIsATokenOnlyForHTMLPages() throws {
        let h = try Harness()
        let session = try signIn(h)
        let backups = page(h, "\(dr)/stores/default/backups", session: session)
        #expect(backups.status == 200)
        #expect(backups.body.contains(">backup_first</a>"))
        // JSON with the cookie alone: Token Required.
        #expect(try h.errorCode(page(h, "\(dr)/status?f=json", session: session)) == 499)
        // A POST with the cookie alone (no token field): refused, nothing created.
        let cookie = [("Cookie", "drmock_session=\(session)")]
        let post = h.post("\(dr)/stores/default/backups/create", [("name", "x1"), ("passcode", "secret123")], headers: cookie)
        #expect(post.body.contains("Token Required"))
        #expect(try h.errorCode(h.post("\(dr)/stores/default/backups/create", [("name", "x1"), ("passcode", "secret123"), ("f", "json")], headers: cookie)) == 499)
        #expect(try h.json(h.get("/arcgis/admin/jobs?f=json&token=\(session)"))["jobs"] as? [String] == [])
        // The hidden token field (what the forms carry) works.
        let ok = h.post("\(dr)/stores/default/backups/create", [("name", "x1"), ("passcode", "secret123"), ("token", session)])
        #expect(ok.body.contains("id=\"job-link\""))
    }

    @Test func signOutEndsTheSession() throws {
        let h = try Harness()
        let session = try signIn(h)
        #expect(try h.json(h.get("\(dr)/status?f=json&token=\(session)"))["status"] != nil)
        let out = h.post("/arcgis/admin/logout", [], headers: [("Cookie", "drmock_session=\(session)")])
        #expect(out.status == 303)
        #expect(out.header("location") == login)
        #expect(out.header("set-cookie")?.contains("drmock_session=; Path=/arcgis/; Max-Age=0") == true)
        #expect(try h.errorCode(h.get("\(dr)/status?f=json&token=\(session)")) == 498)
        #expect(page(h, "\(dr)/status", session: session).status == 303)
    }

    @Test func everyPageHasTheCSPAndNoInlineCode() throws {
        let h = try Harness()
        let session = try signIn(h)
        for path in [login, "\(dr)/status", "\(dr)/stores/default/backups", "\(dr)/stores/default/backups/create", "/arcgis/admin/nothing"] {
            let r = page(h, path, session: session)
            let csp = try #require(r.header("content-security-policy"), "\(path)")
            #expect(csp.contains("default-src 'none'"))
            #expect(csp.contains("script-src 'self'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(!csp.contains("http"))
            try expectNoInlineCode(r.body, path)
        }
        let css = h.get("/arcgis/admin/_assets/drmock.css")
        #expect(css.status == 200)
        #expect(css.header("content-type") == "text/css; charset=utf-8")
        #expect(!css.body.contains("url("))
        let js = h.get("/arcgis/admin/_assets/drmock.js")
        #expect(js.status == 200)
        #expect(js.header("content-type") == "text/javascript; charset=utf-8")
        #expect(!js.body.contains("innerHTML"))  // the script builds the DOM with textContent only
        #expect(h.get("/arcgis/admin/_assets/nothing.js").body.contains("Resource not found."))
    }

    /// Every GET route of the table, reached by following the pages' own links from Home, answers
    /// well-formed HTML in which user input (a backup name, a description, a task title) is escaped.
    @Test func everyResourceAnswersValidEscapedHTML() throws {
        let h = try Harness()
        let t = try h.token()
        let evilName = "<img src=x onerror=alert(1)>"
        let made = try h.json(h.post("\(dr)/stores/default/backups/create",
                                     [("name", evilName), ("passcode", "secret123"), ("description", "<script>alert(\"d\")</script>"),
                                      ("f", "json"), ("token", t)]))
        #expect(made["jobid"] is String)
        try h.advance(Harness.backupMs)
        let task = try h.json(h.post("/arcgis/admin/system/tasks/createTask",
                                     [("title", "<script>alert('t')</script>"), ("type", "CreateBackup"),
                                      ("parameters", #"{"name": "nightly", "passcode": "secret123"}"#),
                                      ("minute", "0"), ("hour", "2"), ("startDate", "1600000000000"), ("f", "json"), ("token", t)]))
        #expect(task["status"] as? String == "success", "\(task)")

        let session = try signIn(h)
        var queue = ["/arcgis/admin"], seen = Set(queue), visited: [String] = []
        while let path = queue.first, visited.count < 300 {
            queue.removeFirst()
            let r = page(h, path, session: session)
            visited.append(path)
            #expect(r.status == 200, "\(path): \(r.status)")
            #expect(r.header("content-type") == "text/html; charset=utf-8", "\(path)")
            try expectWellFormed(r.body, path)
            try expectNoInlineCode(r.body, path)
            #expect(!r.body.contains("<img src=x"), "\(path)")
            #expect(!r.body.contains("<script>alert"), "\(path)")
            #expect(!r.body.contains("Error "), "\(path) is an error page")
            for href in hrefs(r.body) where href.hasPrefix("/arcgis/") && !href.contains("?") && !href.contains("/_assets/") && seen.insert(href).inserted {
                queue.append(href)
            }
        }
        // The evil name showed up escaped, as text and as a percent-encoded link.
        let backups = page(h, "\(dr)/stores/default/backups", session: session).body
        #expect(backups.contains("&lt;img src=x onerror=alert(1)&gt;</a>"))
        #expect(backups.contains("/backups/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E\""))
        let backup = page(h, "\(dr)/stores/default/backups/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E", session: session).body
        #expect(backup.contains("&lt;script&gt;alert(&quot;d&quot;)&lt;/script&gt;"))

        // Every route of the directory (under /admin) was reached by some page: each resource, each
        // operation's form. (The sharing/rest services are not part of the directory's tree.)
        let paths = visited.map { Array($0.removingPercentEncoding!.split(separator: "/").dropFirst())[...] }
        for route in RouteTables.all where route.segments.first == .literal("admin") {
            #expect(paths.contains { route.match($0) != nil }, "no page reached \(route.method) \(route.title)")
        }
    }

    @Test func operationFormsAndTheirAnswers() throws {
        let h = try Harness()
        let session = try signIn(h)
        let create = "\(dr)/stores/default/backups/create"
        let form = page(h, create, session: session)
        #expect(form.status == 200)
        for name in ["name", "passcode", "description", "retentionDate"] { #expect(form.body.contains("name=\"\(name)\""), "\(name)") }
        #expect(form.body.contains("<input type=\"password\" id=\"p-passcode\""))
        #expect(form.body.contains("<select id=\"p-f\" name=\"f\">"))
        #expect(form.body.contains("<input type=\"hidden\" name=\"token\" value=\"\(session)\">"))
        #expect(form.body.contains("method=\"post\" action=\"\(create)\""))
        // JSON clients still get 405 on GET.
        #expect(try h.errorCode(h.get("\(create)?f=json&token=\(session)")) == 405)

        // An error: the message, the details, the form kept (but never the passcode).
        let bad = h.post(create, [("name", "keep-me"), ("passcode", "short-1"), ("description", "a \"quoted\" <b>"), ("token", session)])
        #expect(bad.body.contains("Error 400:"))
        #expect(bad.body.contains("The passcode must be at least 8 characters in length."))
        #expect(bad.body.contains("value=\"keep-me\""))
        #expect(bad.body.contains(">a &quot;quoted&quot; &lt;b&gt;</textarea>"))
        #expect(!bad.body.contains("short-1"))

        // Success: the job's link and the status page's.
        let good = h.post(create, [("name", "b1"), ("passcode", "secret123"), ("token", session)])
        #expect(good.body.contains("id=\"result\""))
        #expect(good.body.contains("href=\"/arcgis/admin/jobs/j"))
        #expect(good.body.contains("href=\"\(dr)/status\""))
        // f=json chosen in the form: the JSON answer.
        #expect(try h.error(h.json(h.post(create, [("name", "b2"), ("passcode", "secret123"), ("f", "json"), ("token", session)]))).code == 409)
    }

    @Test func theStatusPageIsALiveProgressView() throws {
        let h = try Harness()
        let session = try signIn(h)
        let idle = page(h, "\(dr)/status", session: session).body
        #expect(idle.contains("id=\"live\" data-state=\"no_op\""))
        #expect(idle.contains("data-status-url=\"\(dr)/status?f=json\""))

        let t = try h.token()
        _ = try h.createBackup(t, name: "live 1")
        try h.advance(20_000)
        let running = page(h, "\(dr)/status", session: session).body
        #expect(running.contains("data-state=\"in_progress\""))
        #expect(running.contains("<progress id=\"live-progress\">"))
        #expect(running.contains("<td>Validation</td><td><span class=\"badge state-completed\">completed</span>"))
        #expect(running.contains("<span class=\"badge state-in_progress\">in_progress</span>"))
        #expect(running.contains("<p id=\"live-result\" hidden>"))

        try h.advance(Harness.backupMs)
        let done = page(h, "\(dr)/status", session: session).body
        #expect(done.contains("data-state=\"success\""))
        #expect(done.contains("<progress id=\"live-progress\" hidden>"))
        #expect(done.contains("<a id=\"live-backup-link\" href=\"\(dr)/stores/default/backups/live%201\">"))

        // The backups page offers the one-click backup.
        let backups = page(h, "\(dr)/stores/default/backups", session: session).body
        #expect(backups.contains("id=\"quick-backup\" href=\"\(dr)/stores/default/backups/create\" data-status-url=\"\(dr)/status\""))
        #expect(backups.contains("<dialog id=\"quick-dialog\""))
    }

    @Test func duringTheRestoreWindowSignInAnswers503AndStatusStaysLive() throws {
        let h = try Harness { f in f.timings.restoreOfflineWindow = .init(startMs: 10_000, durationMs: 20_000) }
        let session = try signIn(h)
        let restore = "\(dr)/stores/default/backups/backup_first/restore"
        let answer = h.post(restore, [("passcode", "backup-passcode"), ("token", session)])
        #expect(answer.body.contains("id=\"status-link\""))
        try h.advance(1000 + 10_000)
        let refused = h.post(login, [("username", "admin"), ("password", "drmock-admin-1")])
        #expect(refused.header("set-cookie") == nil)
        #expect(refused.body.contains("The organization is unavailable while a restore is in progress."))
        #expect(page(h, "\(dr)/stores", session: session).body.contains("Error 503"))
        let status = page(h, "\(dr)/status", session: session).body
        #expect(status.contains("data-state=\"in_progress\""))
        #expect(status.contains("<span id=\"live-operation\">Restore</span>"))
    }

    @Test func pagesShowTimesAsDatesAndLinkTheirChildren() throws {
        #expect(HTML.dateText(1_634_736_146_928) == "2021-10-20 13:22:26 UTC")
        #expect(HTML.dateText(0) == "1970-01-01 00:00:00 UTC")
        #expect(HTML.dateText(951_782_400_000) == "2000-02-29 00:00:00 UTC")
        #expect(HTML.escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;")
        let h = try Harness(release: "11.5")   // a completed job with its result (12.0 has none)
        let session = try signIn(h)
        let store = page(h, "\(dr)/stores/default", session: session).body
        #expect(store.contains("<a href=\"\(dr)/stores/default/backups\">Backups</a>"))
        #expect(store.contains("<a href=\"/arcgis/admin\">Home</a>"))
        #expect(store.contains("href=\"\(dr)/stores/default?f=json&amp;token=\(session)\""))
        let backups = page(h, "\(dr)/stores/default/backups", session: session).body
        #expect(backups.contains("<time datetime=\"2021-10-20T13:28:04Z\""))
        #expect(backups.contains("<a href=\"\(dr)/stores/default/backups/create\">Create Backup</a>"))
        // A job: its messages one per line, its stages as a table.
        let job = try #require(try h.createBackup(try h.token(), name: "j1")["jobid"] as? String)
        try h.advance(Harness.backupMs)
        let jobPage = page(h, "/arcgis/admin/jobs/\(job)", session: session).body
        #expect(jobPage.contains("<ul class=\"lines\"><li>Submitted backup job"))
        #expect(jobPage.contains("<table class=\"data\" data-list=\"stages\">"))
        #expect(jobPage.contains("<a href=\"/arcgis/admin/jobs\">Jobs</a>"))
    }

    @Test func aFailedJobShowsItsStageAndMessage() throws {
        let h = try Harness()
        #expect(h.control("POST", "fixture", [("name", "object-store-fails")], token: try h.token()).status == 200)
        let t = try h.token()
        let job = try h.createBackup(t, name: "doomed", context: "arcgis")
        #expect(h.control("POST", "clock/run-until", [("job", job), ("status", "FAILED")], token: t).status == 200)
        let status = page(h, "\(dr)/status", session: try signIn(h)).body
        #expect(status.contains("data-state=\"failed\""))
        #expect(status.contains("<td>Stage Object store</td><td><span class=\"badge state-failed\">failed</span>"))
        #expect(status.contains("<p id=\"live-message\" class=\"message\">Stage Object store failed: no space left on the backup volume.</p>"))
        #expect(status.contains("<p id=\"live-result\" hidden>"))
        #expect(status.contains("<progress id=\"live-progress\" hidden>"))
    }

    @Test func underStrictThePagesLinkOnlyWhatTheReleaseHas() throws {
        let old = try Harness(release: "10.9", strict: true)
        let store = page(old, "\(dr)/stores/default", session: try signIn(old)).body
        #expect(store.contains("<h1>Backup Store"))
        #expect(!store.contains("\(dr)/stores/default/backups\""))
        let lenient = try Harness(release: "10.9")
        #expect(page(lenient, "\(dr)/stores/default", session: try signIn(lenient)).body.contains("\(dr)/stores/default/backups\""))
        let new = try Harness(release: "11.0", strict: true)
        let root = page(new, dr, session: try signIn(new)).body
        #expect(root.contains("\(dr)/stores\""))
        #expect(!root.contains("\(dr)/backuprestore\""))
    }

    // MARK: - Checks on markup

    func hrefs(_ body: String) -> [String] {
        body.components(separatedBy: "href=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first.map(String.init) }
            .map { $0.replacingOccurrences(of: "&amp;", with: "&") }
    }

    /// No inline script, no inline event handler, no inline style: what the CSP would refuse anyway.
    func expectNoInlineCode(_ body: String, _ path: String) throws {
        let scripts = body.components(separatedBy: "<script").dropFirst()
        for s in scripts { #expect(s.hasPrefix(" src=\"/arcgis/admin/_assets/"), "\(path): inline script") }
        // Inside tags only (escaped text has no '<'): no `on...=` handler, no `style=`.
        let tags = body.split(separator: "<").dropFirst().map { $0.prefix { $0 != ">" } }
        for tag in tags {
            #expect(tag.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(path): event handler in <\(tag)>")
            #expect(tag.range(of: #"\sstyle\s*="#, options: .regularExpression) == nil, "\(path): inline style in <\(tag)>")
        }
    }

    /// Tags open and close in order (void elements aside), attributes are quoted, no stray `<`.
    func expectWellFormed(_ body: String, _ path: String) throws {
        let void: Set<String> = ["meta", "link", "input", "br", "hr", "img"]
        var stack: [String] = []
        var rest = body[...]
        #expect(rest.hasPrefix("<!DOCTYPE html>"), "\(path)")
        rest = rest.dropFirst("<!DOCTYPE html>".count)
        while let lt = rest.firstIndex(of: "<") {
            guard let gt = rest[lt...].firstIndex(of: ">") else { Issue.record("\(path): unclosed tag"); return }
            let tag = rest[rest.index(after: lt)..<gt]
            rest = rest[rest.index(after: gt)...]
            let closing = tag.hasPrefix("/")
            let name = String((closing ? tag.dropFirst() : tag).prefix { $0.isLetter || $0.isNumber }).lowercased()
            guard !name.isEmpty else { Issue.record("\(path): stray '<' before \(tag.prefix(20))"); return }
            let attrs = closing ? "" : String(tag.dropFirst(name.count))
            if attrs.range(of: #"^(\s+[a-zA-Z][a-zA-Z0-9-]*(="[^"<>]*")?)*\s*$"#, options: .regularExpression) == nil {
                Issue.record("\(path): malformed attributes in <\(tag)>")
            }
            if closing {
                guard stack.last == name else { Issue.record("\(path): </\(name)> closes <\(stack.last ?? "nothing")>"); return }
                stack.removeLast()
            } else if !void.contains(name) {
                stack.append(name)
            }
        }
        #expect(stack.isEmpty, "\(path): unclosed \(stack)")
    }

    /// The admin directory takes a token in an html page's query, as the real one does: `?token=` opens the
    /// page, not the sign-in form.
    @Test func aTokenInThePageQueryOpensThePage() throws {
        let h = try Harness()
        let t = try h.token()
        for (path, title) in [("/arcgis/admin", "Enterprise Administrator Directory"), ("\(Harness.dr)/stores", "Backup Stores"),
                              ("\(Harness.dr)/stores/default/backups/create", "Create Backup"), ("/arcgis/admin/system/tasks", "Tasks")] {
            for query in ["?token=\(t)", "?f=html&token=\(t)"] {
                let r = h.get(path + query)
                #expect(r.status == 200 && r.body.contains("<title>\(title) - drmock</title>"), "\(path)\(query)")
            }
        }
    }
}
