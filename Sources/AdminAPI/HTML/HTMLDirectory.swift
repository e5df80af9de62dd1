import DisasterRecovery
import HTTPServer

/// The `f=html` face of the API for one request: the Enterprise Administrator Directory.
///
/// - sign-in and sign-out (`/<context>/admin/login`, `/<context>/admin/logout`) and the static
///   assets (`/<context>/admin/_assets/drmock.css`, `.js`, no token needed);
/// - every resource as a page: breadcrumbs from Home, JSON/PJSON links, its properties, its child
///   resources and supported operations, all derived from the route table;
/// - every operation's form (GET on the operation's URL) and its answer as a page (POST);
/// - GET pages without a session go to sign-in.
struct HTMLDirectory {
    let service: AdminService
    let request: Request
    let deployment: Deployment
    let context: String

    var home: String { "/\(context)/admin" }
    var statusPath: String { "/\(context)/\(AdminRoutes.dr)/status" }
    private var isGET: Bool { request.method == "GET" || request.method == "HEAD" }

    /// The session cookie's token; a token source for GET pages only.
    var sessionToken: String? { isGET ? HTMLSession.token(in: request) : nil }

    /// The token this page acts with: what authenticated it, for hidden fields, JSON links and the script.
    var token: String? { try? AdminService.token(of: request, session: sessionToken) }

    // MARK: - Outside the route table

    /// Assets, sign-in and sign-out; nil for everything else.
    func respondOutsideRoutes(_ rest: ArraySlice<Substring>) -> Response? {
        let parts = Array(rest)
        guard parts.count >= 2, parts[0] == "admin" else { return nil }
        switch (isGET ? "GET" : request.method, parts.count, parts[1]) {
        case ("GET", 3, "_assets"): return HTMLAssets.response(named: String(parts[2]))
        case ("GET", 2, "login"): return signInPage(next: HTMLSession.safeNext(request.queryValue("next"), context: context))
        case ("POST", 2, "login"): return sameOrigin ? signIn() : errorPage(.forbidden())
        case ("POST", 2, "logout"): return sameOrigin ? signOut() : errorPage(.forbidden())
        default: return nil
        }
    }

    /// Sign-in and sign-out are forms without a token: a browser's `Origin`, when sent, must be
    /// this server (no other site signs a visitor in or out).
    private var sameOrigin: Bool {
        guard let origin = request.header("origin") else { return true }
        let parts = origin.split(separator: "/")  // "http:", "host:port"
        guard let host = request.header("host"), parts.count == 2, parts[0].hasSuffix(":") else { return false }
        return parts[1] == host[...]
    }

    private func signInPage(next: String, username: String = "", error: AdminError? = nil) -> Response {
        let e = HTML.escape
        let main = """
            <div class="signin"><h1>Sign in</h1>
            <p class="muted">to the Enterprise Administrator Directory of <code>/\(e(context))</code>, emulated by drmock.</p>
            \(error.map(HTMLLayout.errorNotice) ?? "")
            <form method="post" action="\(home)/login" id="sign-in-form">
            <div class="field"><label for="username">Username</label><input type="text" id="username" name="username" value="\(e(username))" autocomplete="username" autofocus></div>
            <div class="field"><label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password"></div>
            <input type="hidden" name="next" value="\(e(next))">
            <div class="buttons"><button type="submit" class="primary" id="sign-in">Sign in</button></div>
            </form></div>
            """
        let page = layout(username: nil, token: nil).page(title: "Sign in", crumbs: nil, main: main)
        return Self.response(page, status: error.map(errorStatus) ?? 200)
    }

    private func signIn() -> Response {
        let username = request.formValue("username") ?? ""
        let next = HTMLSession.safeNext(request.formValue("next"), context: context)
        do {
            guard !username.isEmpty else { throw AdminError.unableToGenerateToken("'username' must be specified.") }
            guard let password = request.formValue("password"), !password.isEmpty else {
                throw AdminError.unableToGenerateToken("'password' must be specified.")
            }
            if try deployment.isOffline() { throw AdminError.organizationOffline() }
            let grant = try deployment.generateToken(username: username, password: password, expirationMinutes: HTMLSession.minutes)
            return redirect(to: next, cookie: HTMLSession.setCookie(grant.token, context: context, tls: request.isTLS))
        } catch let e as AdminError {
            return signInPage(next: next, username: username, error: e)
        } catch {
            return signInPage(next: next, username: username, error: .internalError(String(describing: error)))
        }
    }

    private func signOut() -> Response {
        if let t = HTMLSession.token(in: request) { try? deployment.revokeToken(t) }
        return redirect(to: "\(home)/login", cookie: HTMLSession.clearCookie(context: context, tls: request.isTLS))
    }

    // MARK: - Routes

    /// On a GET for an operation (a POST route), the route whose form to show.
    func formRoute(_ shaped: [(Route, [String])]) -> (Route, [String])? {
        isGET ? shaped.first { $0.0.method == "POST" } : nil
    }

    /// The page of a route the request was authorized for: the resource, the operation's form,
    /// or the operation's answer.
    func page(_ route: Route, _ call: Call) -> Response {
        let isOperation = route.method == "POST"
        if isOperation && isGET { return operationPage(route, call, answer: nil) }
        let value: JSONValue
        do {
            if !isOperation, let writer = route.writer, let page = streamedListPage(route, call, try writer(call, true)) { return page }
            value = try route.resource(call)
        } catch let e as AdminError {
            return isOperation ? operationPage(route, call, answer: .failure(e)) : errorPage(e, user: call.user)
        } catch {
            let e = AdminError.internalError(String(describing: error))
            return isOperation ? operationPage(route, call, answer: .failure(e)) : errorPage(e, user: call.user)
        }
        return isOperation ? operationPage(route, call, answer: .success(value)) : resourcePage(route, call, value)
    }

    /// An error as a page. A GET without a (valid) session goes to sign-in instead.
    func errorPage(_ e: AdminError, user: User? = nil) -> Response {
        if isGET, e.code == 499 || e.code == 498 {
            let stale = HTMLSession.token(in: request) != nil
            return redirect(to: "\(home)/login?next=" + HTML.percentEncode(HTMLSession.nextValue(of: request)),
                            cookie: stale ? HTMLSession.clearCookie(context: context, tls: request.isTLS) : nil)
        }
        let who = user ?? token.flatMap { try? deployment.user(forToken: $0) }
        var main = "<h1>Error \(e.code)</h1>\n" + HTMLLayout.errorNotice(e)
        if e.code == 403 { main += "<p>Sign out and sign in as a user with the Security and infrastructure privilege.</p>" }
        let page = layout(username: who?.username, token: nil).page(title: "Error \(e.code)", crumbs: breadcrumbs(), main: main)
        return Self.response(page, status: errorStatus(e))
    }

    /// A list of backups bigger than this (its pretty JSON, estimated) is a page streamed while it is sent:
    /// the page has the list three times (table, links, JSON), so 10,000 backups make about 28 MB.
    static let streamedListBytes = BodyStream.blockSize

    /// The page of a list of backups (a route with a writer), streamed a piece at a time from the
    /// list's snapshot, in exactly the bytes ``resourcePage`` writes for the list's JSON value. The
    /// page is never held whole: a client costs about one piece, plus the URLs of the links written
    /// so far (names repeat in the legacy list of all stores, and the page links each URL once).
    /// Nil when the list is small (or empty), which ``resourcePage`` then shows.
    private func streamedListPage(_ route: Route, _ call: Call, _ list: BackupList) -> Response? {
        let backups = list.backups
        guard let first = backups.first, list.estimatedBytes > min(service.cache.maxBytes, Self.streamedListBytes) else { return nil }
        let parts = pathParts
        let here = url(parts)
        let found = routeLinks(parts)
        let itemBase = found.itemBase
        let itemHref: @Sendable (String) -> String? = { name in itemBase.map { $0 + "/" + HTML.percentEncode(name) } }
        // As `links` deduplicates: literal children, then the items (a name may repeat in the legacy
        // list of all stores), then the operations, each dropped if its URL came before.
        var childSeen = Set<String>()
        let children = found.children.filter { childSeen.insert($0.href).inserted }
        var itemURLs: Set<String> = []
        for op in found.operations where backups.contains(where: { itemHref($0.backupName) == op.href }) { itemURLs.insert(op.href) }
        var opSeen = childSeen.union(itemURLs)
        let operations = found.operations.filter { opSeen.insert($0.href).inserted }

        let (before, after) = layout(username: call.user?.username, token: token).frame(title: route.title, crumbs: breadcrumbs())
        let columns = HTMLProperties.columns(key: "backups", items: [first.json])  // every backup has the same keys
        let nameKey = HTMLProperties.nameKey(columns)
        let start = before + heading(route, parts, here) + quickBackup(operations)
            + HTMLProperties.listSection(key: "backups", count: backups.count) + HTMLProperties.tableStart(key: "backups", columns: columns)
        let properties = HTMLProperties(childHref: itemHref)
        let childURLs = childSeen
        let hasChildren = !children.isEmpty || itemBase != nil
        let afterRows = HTMLProperties.tableEnd + HTMLProperties.listSectionEnd
            + (hasChildren ? Self.linkListStart("Child resources", id: "child-resources") + children.map(Self.linkItem).joined() : "")
        let afterItems = (hasChildren ? Self.linkListEnd : "") + linkList("Supported operations", id: "supported-operations", operations)
            + Self.rawJSONStart
        let tail = Self.rawJSONEnd + after
        let json = list.stream
        let stream = BodyStream {
            var step = 0, next = 0
            var itemSeen = childURLs
            var jsonPiece: BodyStream.Producer? = nil
            var piece: [UInt8] = []
            return { out in
                while out.count < BodyStream.blockSize {
                    switch step {
                    case 0:
                        out += start.utf8
                        step = 1
                    case 1 where next < backups.count:
                        out += properties.tableRow(backups[next].json, columns: columns, nameKey: nameKey).utf8
                        next += 1
                    case 1:
                        out += afterRows.utf8
                        (step, next) = (2, 0)
                    case 2 where next < backups.count && itemBase != nil:
                        let name = backups[next].backupName
                        if let href = itemHref(name), itemSeen.insert(href).inserted { out += Self.linkItem(Link(label: name, href: href)).utf8 }
                        next += 1
                    case 2:
                        out += afterItems.utf8
                        itemSeen = []
                        step = 3
                        jsonPiece = json.start()
                    case 3:
                        piece.removeAll(keepingCapacity: true)
                        let more = jsonPiece?(&piece) ?? false
                        HTML.escapeBytes(piece, into: &out)
                        if !more { step = 4; jsonPiece = nil }
                    default:
                        out += tail.utf8
                        return false
                    }
                }
                return true
            }
        }
        return Response(status: 200, headers: Format.htmlHeaders, stream: stream)
    }

    /// A resource page's title (with the item's name under a `{param}` route) and its JSON / PJSON links.
    private func heading(_ route: Route, _ parts: [Substring], _ here: String) -> String {
        var h = "<h1>\(HTML.escape(route.title))"
        if let last = parts.last, case .param? = route.segments.last { h += " <span class=\"name\">\(HTML.escape(String(last)))</span>" }
        return h + "</h1>\n" + formatLinks(here)
    }

    /// The quick-backup button and dialog of a list of backups, when it has a create operation.
    private func quickBackup(_ operations: [Link]) -> String {
        guard let create = operations.first(where: { $0.href.hasSuffix("/create") }) else { return "" }
        return HTMLLiveStatus.quickBackup(createURL: create.href, statusURL: statusPath, token: token)
    }

    /// Around the resource's pretty JSON (escaped) at the foot of its page.
    private static let rawJSONStart = "<details class=\"raw\"><summary>JSON</summary><pre class=\"json\">"
    private static let rawJSONEnd = "</pre></details>\n"

    private func resourcePage(_ route: Route, _ call: Call, _ value: JSONValue) -> Response {
        let e = HTML.escape
        let parts = pathParts
        let here = url(parts)
        let links = self.links(parts, value)
        var main = heading(route, parts, here)
        if HTMLLiveStatus.isStatus(value) {
            main += HTMLLiveStatus.view(value, jsonURL: here + "?f=json", storesURL: "/\(context)/\(AdminRoutes.dr)/stores/")
        } else {
            if value["backups"] != nil { main += quickBackup(links.operations) }
            let itemHref = Dictionary((links.items ?? []).map { ($0.label, $0.href) }, uniquingKeysWith: { a, _ in a })
            main += HTMLProperties(childHref: { itemHref[$0] }).render(value)
        }
        main += linkList("Child resources", id: "child-resources", links.children)
        main += linkList("Supported operations", id: "supported-operations", links.operations)
        main += Self.rawJSONStart + e(value.serializedString(pretty: true)) + Self.rawJSONEnd
        let page = layout(username: call.user?.username, token: token).page(title: route.title, crumbs: breadcrumbs(), main: main)
        return Self.response(page)
    }

    /// An operation's form, and under it the answer to a POST: success (with job links) or the
    /// error, the form keeping what was typed (but no secret).
    private func operationPage(_ route: Route, _ call: Call, answer: Result<JSONValue, AdminError>?) -> Response {
        let e = HTML.escape
        let parts = pathParts
        let here = url(parts)
        var main = "<h1>\(e(route.title))</h1>\n<p class=\"muted\">Operation: <code>POST \(e(here))</code></p>\n"
        var status = 200
        switch answer {
        case .success(let value)?:
            main += "<div class=\"notice ok\" role=\"status\" id=\"result\"><p><strong>Done.</strong></p>"
            var next: [String] = []
            if case .string(let job)? = value["jobid"] {
                next.append("<a id=\"job-link\" href=\"\(home)/jobs/\(HTML.percentEncode(job))\">Job \(e(job))</a>")
            }
            if here.contains("/disasterrecovery/") {
                next.append("<a id=\"status-link\" href=\"\(statusPath)\">Follow it on the status page</a>")
            }
            if !next.isEmpty { main += "<p>" + next.joined(separator: " · ") + "</p>" }
            main += HTMLProperties().render(value) + "</div>\n"
        case .failure(let error)?:
            main += HTMLLayout.errorNotice(error) + "\n"
            status = errorStatus(error)
        case nil:
            break
        }
        let filled = answer != nil
        main += HTMLForms.form(title: route.title, action: here, parameters: route.formParameters(for: deployment.releaseProfile),
                               values: { filled ? request.formValue($0) : request.queryValue($0) },
                               format: "html", token: token)
        let page = layout(username: call.user?.username, token: token).page(title: route.title, crumbs: breadcrumbs(), main: main)
        return Self.response(page, status: status)
    }

    // MARK: - Links from the route table

    /// `/<context>/...` for a path after the context (the context is letters, digits, `-` and `_`).
    private func url<C: Collection>(_ parts: C) -> String where C.Element == Substring { "/\(context)" + HTML.path(parts) }

    /// The request's path after the context.
    private var pathParts: [Substring] { Array(request.path.split(separator: "/").dropFirst()) }

    /// The GET route at `parts`, if any (the most specific, as the router picks).
    private func resourceRoute(_ parts: ArraySlice<Substring>) -> Route? {
        service.routes.first { $0.method == "GET" && $0.match(parts) != nil }
    }

    struct Link { var label: String; var href: String }

    /// A resource's children (GET routes one level down, or deeper where nothing is in between;
    /// the items of a `{param}` child from the resource's own list) and operations (POST routes one
    /// literal segment down).
    private func links(_ parts: [Substring], _ value: JSONValue) -> (children: [Link], operations: [Link], items: [Link]?) {
        let found = routeLinks(parts)
        let items = found.itemBase.map { base in HTMLProperties.itemNames(value).map { Link(label: $0, href: base + "/" + HTML.percentEncode($0)) } }
        var seen = Set<String>()
        let children = (found.children + (items ?? [])).filter { seen.insert($0.href).inserted }
        let operations = found.operations.filter { seen.insert($0.href).inserted }
        return (children, operations, items)
    }

    /// The links the route table gives a resource: its children with literal paths and its operations
    /// (neither deduplicated), and, when a `{param}` child exists, the URL its items' links start with.
    private func routeLinks(_ parts: [Substring]) -> (children: [Link], operations: [Link], itemBase: String?) {
        let n = parts.count
        let here = url(parts)
        var children: [Link] = [], operations: [Link] = [], itemBase: String? = nil
        let release = deployment.releaseProfile
        for r in service.routes where r.segments.count > n {
            // Under --strict, what the release lacks answers 404: no link to it.
            if service.configuration.strict, let feature = r.requires, !release.has(feature) { continue }
            let matches = zip(r.segments, parts).allSatisfy { seg, p in
                if case .literal(let l) = seg { return l == p } else { return true }
            }
            guard matches else { continue }
            let extra = r.segments[n...]
            let literals = extra.compactMap { seg -> String? in if case .literal(let l) = seg { return l } else { return nil } }
            if r.method == "POST" {
                if extra.count == 1, literals.count == 1 { operations.append(Link(label: r.title, href: here + "/" + HTML.percentEncode(literals[0]))) }
                continue
            }
            guard r.method == "GET" else { continue }
            if literals.count == extra.count {
                // A child unless a resource lies in between (admin → admin/system/disasterrecovery skips `system`).
                let between = (n + 1..<r.segments.count).contains { k in resourceRoute((parts + literals[0..<(k - n)].map { Substring($0) })[...]) != nil }
                if !between { children.append(Link(label: r.title, href: here + literals.map { "/" + HTML.percentEncode($0) }.joined())) }
            } else if extra.count == 1 {
                itemBase = here
            }
        }
        return (children, operations, itemBase)
    }

    private func linkList(_ title: String, id: String, _ links: [Link]) -> String {
        guard !links.isEmpty else { return "" }
        return Self.linkListStart(title, id: id) + links.map(Self.linkItem).joined() + Self.linkListEnd
    }
    private static func linkListStart(_ title: String, id: String) -> String { "<section class=\"links\" id=\"\(id)\"><h2>\(title)</h2><ul>" }
    private static func linkItem(_ link: Link) -> String { "<li><a href=\"\(HTML.escape(link.href))\">\(HTML.escape(link.label))</a></li>" }
    private static let linkListEnd = "</ul></section>\n"

    private func formatLinks(_ here: String) -> String {
        let t = token.map { "&amp;token=" + HTML.percentEncode($0) } ?? ""
        return "<p class=\"formats\">View as <a id=\"json-link\" href=\"\(here)?f=json\(t)\">JSON</a> · <a id=\"pjson-link\" href=\"\(here)?f=pjson\(t)\">PJSON</a></p>\n"
    }

    /// Home (`/<context>/admin`) and each segment below; a segment links where it is a resource.
    func breadcrumbs() -> String {
        let parts = pathParts
        let atHome = parts.count == 1 && parts[0] == "admin"
        var items = [atHome ? "<span aria-current=\"page\">Home</span>" : "<a href=\"\(home)\">Home</a>"]
        let start = parts.first == "admin" ? 1 : 0
        if start < parts.count {
            for i in start..<parts.count {
                let prefix = parts[0...i]
                let route = resourceRoute(prefix)
                var label = String(parts[i])
                let named = route ?? (i == parts.count - 1 ? service.routes.first { $0.match(prefix) != nil } : nil)
                if let named, case .literal? = named.segments.last { label = named.title }
                let e = HTML.escape(label)
                if i == parts.count - 1 {
                    items.append("<span aria-current=\"page\">\(e)</span>")
                } else if route != nil {
                    items.append("<a href=\"\(HTML.escape(url(prefix)))\">\(e)</a>")
                } else {
                    items.append("<span>\(e)</span>")
                }
            }
        }
        return items.joined(separator: " <span class=\"sep\">›</span> ")
    }

    // MARK: - Responses

    private func layout(username: String?, token: String?) -> HTMLLayout {
        HTMLLayout(context: context, username: username, token: token, release: deployment.release, now: deployment.clock.now())
    }

    private func errorStatus(_ e: AdminError) -> Int { service.configuration.httpErrorStatus ? e.code : 200 }

    static func response(_ page: String, status: Int = 200, headers: [(name: String, value: String)] = []) -> Response {
        Response(status: status, headers: Format.htmlHeaders + headers, body: Array(page.utf8))
    }

    private func redirect(to location: String, cookie: String?) -> Response {
        var headers: [(name: String, value: String)] = [("Location", location)]
        if let cookie { headers.append(("Set-Cookie", cookie)) }
        let e = HTML.escape(location)
        return Self.response("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Redirect</title></head><body><p><a href=\"\(e)\">Continue</a></p></body></html>",
                             status: 303, headers: headers)
    }
}
