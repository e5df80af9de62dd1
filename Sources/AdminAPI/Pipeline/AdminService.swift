import DisasterRecovery
import HTTPServer
import Synchronization

/// How the emulated API answers beyond what the documents fix.
public struct AdminConfiguration: Sendable {
    /// Decision 2: errors come with HTTP 200 (as Portal does) unless this is on; then the HTTP
    /// status equals the envelope's code.
    public var httpErrorStatus: Bool
    /// `--strict`: what the chosen release lacks is a 404, and unknown parameters are refused.
    public var strict: Bool
    /// Serve the control plane under `/_mock/` (off: `--no-control`).
    public var controlPlane: Bool
    /// The context control endpoints address when given no `context=`.
    public var defaultContext: String
    /// Who may reach the control plane besides holders of an admin token (`--control-key`, `--control-loopback-only`).
    public var controlAccess: ControlAccess
    /// The most bytes of answers the answer cache keeps; a list answer estimated bigger is streamed.
    public var answerCacheBytes: Int
    public static let defaultAnswerCacheBytes = 32 << 20
    public init(httpErrorStatus: Bool = false, strict: Bool = false, controlPlane: Bool = true, defaultContext: String = "arcgis",
                controlAccess: ControlAccess = .init(), answerCacheBytes: Int = Self.defaultAnswerCacheBytes) {
        self.answerCacheBytes = answerCacheBytes
        self.controlAccess = controlAccess
        self.httpErrorStatus = httpErrorStatus
        self.strict = strict
        self.controlPlane = controlPlane
        self.defaultContext = defaultContext
    }
}

/// The emulated Enterprise Administrator API: routes a request to its deployment and handler,
/// checks the token and privilege, and renders the answer as html, json or pjson.
public final class AdminService: Sendable {
    public let registry: DeploymentRegistry
    public let configuration: AdminConfiguration
    let routes: [Route]
    /// What routing reads of each route, in the same order (copying one costs two references, a Route a dozen).
    private let shapes: [(segments: [Route.Segment], literalCount: Int, method: String)]
    /// The same routes, each in a box: a request reads its route's fields through one reference instead of
    /// copying the Route (a dozen references counted up and down, on objects every thread shares).
    private let boxes: [RouteBox]
    /// What each request path means, by path (see `plan(for:)`).
    private let plans = Mutex(LastFoundDictionary<PathPlan>())
    /// The control plane (`/_mock/...`, faults and journal around the API), unless turned off.
    public let control: ControlPlane?
    let cache: AnswerCache

    public init(registry: DeploymentRegistry, configuration: AdminConfiguration = .init()) {
        self.registry = registry
        self.configuration = configuration
        self.cache = AnswerCache(maxBytes: configuration.answerCacheBytes)
        self.routes = RouteTables.all.sorted { $0.literalCount > $1.literalCount }
        self.shapes = routes.map { ($0.segments, $0.literalCount, $0.method) }
        self.boxes = routes.map(RouteBox.init)
        self.control = configuration.controlPlane ? ControlPlane(registry: registry, defaultContext: configuration.defaultContext, access: configuration.controlAccess) : nil
    }

    /// The HTTPServer handler.
    public func handle(_ request: Request) -> Reply {
        if let control { return control.handle(request, service: self) }  // `/_mock/...` before any context
        return .now(respond(request))
    }

    func respond(_ request: Request) -> Response {
        var signedIn: String?
        return respond(request, signedIn: &signedIn)
    }

    /// Answers `request`; `signedIn` is set to the token's user once the token is checked (for the journal).
    func respond(_ request: Request, signedIn: inout String?) -> Response {
        respond(request, plan: plan(for: request.path), deployment: nil, signedIn: &signedIn)
    }

    /// The same, for a caller that already has the path's plan and found the deployment its context names.
    func respond(_ request: Request, plan: PathPlan, deployment served: Deployment?, signedIn: inout String?) -> Response {
        var format: Format
        switch Format.of(request) {
        case .success(let f): format = f
        case .failure(let e): return render(error: e, format: .json)
        }
        guard let context = plan.context else { return render(error: .notFound(request.path), format: format) }
        let deployment: Deployment
        if let served {
            deployment = served
        } else {
            switch registry.opening(context: context) {
            case .success(let d): deployment = d
            case .failure(.full(let limit)): return render(error: .tooManyContexts(limit), format: format)
            case .failure: return render(error: .notFound(request.path), format: format)
            }
        }
        let rest = plan.rest
        // f=html: the directory (sign-in, assets, pages and forms; see HTMLDirectory).
        var html = format == .html ? HTMLDirectory(service: self, request: request, deployment: deployment, context: context) : nil
        if let page = html?.respondOutsideRoutes(rest) { return page }
        // The most specific shape decides: GET on `backups/create` is a wrong method, not a backup named "create".
        let method = request.method == "HEAD" ? "GET" : request.method
        let matched = plan.matches
        let chosen = matched.first { shapes[$0.index].method == method }
        guard !matched.isEmpty else { return html?.errorPage(.notFound(request.path)) ?? render(error: .notFound(request.path), format: format) }
        var shaped: [(Route, [String])] { matched.map { (routes[$0.index], $0.params) } }
        guard let (box, params) = chosen.map({ (boxes[$0.index], $0.params) }) ?? html?.formRoute(shaped).map({ (RouteBox($0.0), $0.1) }) else {
            let e = AdminError.methodNotAllowed(request.method, allowed: shaped.map(\.0.method))
            return html?.errorPage(e) ?? render(error: e, format: format)
        }
        if box.route.jsonByDefault, request.formValue("f") == nil, request.queryValue("f") == nil { format = .json; html = nil }
        do {
            if !box.route.staysOnline, try deployment.isOffline() { throw AdminError.organizationOffline() }
            if configuration.strict { try checkRelease(box.route, request, deployment) }
            // HTML pages are never cached: they may show who is signed in. A cached route has no page of its own.
            let cacheable = box.route.cached && box.route.page == nil && format != .html
            var user: User? = nil
            var token: String? = nil
            // For a cached resource, the token, the privilege and the answer validity are read in one
            // lock, and the user only on a miss (for the call that renders the answer).
            var admitted: AnswerValidity?? = nil
            switch box.route.access {
            case .open: break
            case .signedIn, .privilege:
                let given = try Self.token(of: request, session: html?.sessionToken)
                let privilege: String? = if case .privilege(let p) = box.route.access { p } else { nil }
                if cacheable {
                    let admission = try deployment.admit(token: given, privilege: privilege)
                    signedIn = admission.username
                    guard admission.allowed else { throw AdminError.forbidden() }
                    admitted = .some(admission.validity)
                    token = given
                } else {
                    let u = try deployment.user(forToken: given)
                    signedIn = u.username
                    if let privilege, !u.has(privilege) { throw AdminError.forbidden() }
                    user = u
                }
            }
            var keep: (key: AnswerCache.Key, validity: AnswerValidity, until: Int64)? = nil
            if cacheable, let validity = try admitted ?? deployment.answerValidity() {
                // The plan is the one of this path (or of a canonically equivalent one): the same hash value.
                let key = AnswerCache.key(path: request.path, format: format, pathHash: plan.pathHash)
                if let cached = cache.answer(key, context: context, revision: validity.revision, at: validity.now) { return cached }
                keep = (key, validity, validity.until(showingElapsedTime: box.route.showsElapsedTime))
            }
            if let token { user = try deployment.user(forToken: token) }
            let call = Call(request: request, deployment: deployment, context: context,
                            pathParameters: PathParameters(names: box.route.parameterNames, values: params), user: user, strict: configuration.strict)
            if let page = box.route.page { return try page(call) }
            if let html { return html.page(box.route, call) }
            if let keep {
                // Sent again and again while it holds: libmicrohttpd's copy is made once (see `Response.repeated`).
                let response = try render(box.route, call, format: format).repeated
                if response.stream != nil { return response }  // too big to keep: streamed to each client
                // Rendered at clock readings from `validity.now` on: kept only if they were all before
                // `until` (the clock never goes back), so that it shows what any reading in the span shows.
                if keep.until == .max || deployment.clock.now() < keep.until {
                    cache.store(response, keep.key, context: context, revision: keep.validity.revision,
                                from: keep.validity.now, until: keep.until)
                }
                return response
            }
            return try render(box.route, call, format: format)
        } catch let e as AdminError {
            return html?.errorPage(e) ?? render(error: e, format: format)
        } catch {
            return html?.errorPage(.internalError(String(describing: error))) ?? render(error: .internalError(String(describing: error)), format: format)
        }
    }

    /// What `path` means: its segments, its context and the routes of the most specific shape that
    /// fits the rest. Remembered per path: it depends on nothing else, and a known path costs one hash
    /// instead of splitting it and matching the route table.
    func plan(for path: String) -> PathPlan {
        if let known = plans.withLock({ $0.find(path) }) { return known }
        let parts = Route.segments(of: path)
        // `routes` is sorted by literal count, most first: the matches of the best count come first, together.
        // Matched on `shapes` and kept as indices, so that no Route (which holds many references) is copied.
        var matched: [(index: Int, params: [String])] = []
        for i in shapes.indices {
            if let best = matched.first?.index, shapes[i].literalCount < shapes[best].literalCount { break }
            if let params = Route.match(shapes[i].segments, parts.dropFirst()) { matched.append((i, params)) }
        }
        let plan = PathPlan(path: path, parts: parts, matches: matched)
        guard path.utf8.count <= Self.planMemoryPathBytes else { return plan }
        plans.withLock { known in
            if known.count >= Self.planMemory { known.removeAll() }
            known[path] = plan
        }
        return plan
    }

    /// Most paths whose plan is remembered (beyond, the memory starts again empty), and the longest
    /// path remembered: at most about 500 KB, whatever paths clients send.
    static let planMemory = 1024
    static let planMemoryPathBytes = 256

    /// Decision 9: the token from the form body, the query (GET only), `X-Esri-Authorization: Bearer`
    /// or `Authorization: Bearer`. A POST whose token is only in the query string is refused.
    /// `session` is the directory's session cookie, which only f=html GET pages pass (last resort).
    static func token(of request: Request, session: String? = nil) throws -> String {
        if let t = request.formValue("token"), !t.isEmpty { return t }
        if let t = bearer(request.header("x-esri-authorization")) ?? bearer(request.header("authorization")) { return t }
        if let t = request.queryValue("token"), !t.isEmpty {
            if request.method == "POST" {
                throw AdminError.tokenRequired("A POST request must carry its token in the request body or an authorization header, not in the query string.")
            }
            return t
        }
        if let session, !session.isEmpty { return session }
        throw AdminError.tokenRequired()
    }

    /// The token of an `Authorization: Bearer <token>` value.
    private static func bearer(_ value: String?) -> String? {
        guard let value else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else { return nil }
        return String(parts[1])
    }

    // MARK: - Rendering

    /// The route's answer to `call`: written directly when the route has a writer (json, pjson), and
    /// streamed, not built whole, when it is too big for the answer cache.
    func render(_ route: Route, _ call: Call, format: Format) throws -> Response {
        if let writer = route.writer, format != .html {
            let answer = try writer(call, format == .pjson)
            if answer.estimatedBytes > cache.maxBytes { return Response(status: 200, headers: Format.jsonHeaders, stream: answer.stream) }
            return Response(status: 200, headers: Format.jsonHeaders, body: answer.whole())
        }
        return render(try route.resource(call), title: route.title, format: format, request: call.request)
    }

    func render(_ value: JSONValue, title: String, format: Format, request: Request) -> Response {
        switch format {
        case .json: return Response(status: 200, headers: Format.jsonHeaders, body: value.serialized())
        case .pjson: return Response(status: 200, headers: Format.jsonHeaders, body: value.serialized(pretty: true))
        case .html: return Response(status: 200, headers: Format.htmlHeaders, body: Array(HTMLPage.resource(title: title, path: request.path, value: value).utf8))
        }
    }

    func render(error: AdminError, format: Format) -> Response {
        let status = configuration.httpErrorStatus ? error.code : 200
        let envelope: JSONValue = ["error": ["code": .int(Int64(error.code)), "message": .string(error.message), "details": error.details.map { JSONValue($0) } ?? .null]]
        switch format {
        case .json: return Response(status: status, headers: Format.jsonHeaders, body: envelope.serialized())
        case .pjson: return Response(status: status, headers: Format.jsonHeaders, body: envelope.serialized(pretty: true))
        case .html: return Response(status: status, headers: Format.htmlHeaders, body: Array(HTMLPage.error(error).utf8))
        }
    }
}

/// The `f` parameter: html (the documented default), json or pjson.
enum Format: Sendable {
    case html, json, pjson

    static func of(_ request: Request) -> Result<Format, AdminError> {
        let raw = request.formValue("f") ?? request.queryValue("f") ?? ""
        // The usual spellings without lowercasing (a new string per request).
        switch raw {
        case "json": return .success(.json)
        case "pjson": return .success(.pjson)
        case "", "html": return .success(.html)
        default: break
        }
        switch raw.lowercased() {
        case "", "html": return .success(.html)
        case "json": return .success(.json)
        case "pjson": return .success(.pjson)
        default: return .failure(.invalidFormat(String(raw.prefix(32))))
        }
    }

    static let jsonHeaders: [(name: String, value: String)] = [
        ("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"),
    ]
    static let htmlHeaders: [(name: String, value: String)] = [
        ("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        // A token in a page's URL (`?token=`) is never sent to another site in a Referer.
        ("Referrer-Policy", "same-origin"),
    ]
}

/// One route in a box, shared by every request it serves (see `AdminService.boxes`).
final class RouteBox: Sendable {
    let route: Route
    init(_ route: Route) { self.route = route }
}

/// What a request path means, worked out once per path (see ``AdminService/plan(for:)``).
final class PathPlan: Sendable {
    /// The non-empty `/`-separated segments (``Route/segments(of:)``).
    let parts: [Substring]
    /// The first segment: the context (or `_mock`); nil for `/`.
    let context: String?
    /// The routes of the most specific shape that fits the segments after the context, as indices
    /// into ``AdminService/routes``, with the path's parameters.
    let matches: [(index: Int, params: [String])]

    /// The path, and its hash value (``AnswerCache/Key`` uses it).
    let path: String
    let pathHash: Int

    init(path: String, parts: [Substring], matches: [(index: Int, params: [String])]) {
        self.path = path
        self.pathHash = path.hashValue
        self.parts = parts
        self.context = parts.first.map(String.init)
        self.matches = matches
    }

    /// The segments after the context.
    var rest: ArraySlice<Substring> { parts.dropFirst() }
}
