import Catalog
import Dispatch
import DisasterRecovery
import HTTPServer
import Synchronization

/// The control plane under `/_mock/` (never an ArcGIS path): health and readiness, the clock,
/// long-polls on jobs, reset, fixtures and snapshots, faults, the request journal and the OpenAPI
/// document. It also stands around every request of the emulated API, to apply the fault plan's
/// HTTP-level faults and to write the journal.
///
/// Every context (`/<context>/`) has its own deployment, clock, fault plan and journal. Control
/// endpoints address one with `context=` (query or form), by default the server's `--context`.
/// They answer JSON with real HTTP statuses; all but `health`, `ready` and `openapi.json` need a
/// token of that context's deployment whose user has the "Security and infrastructure" privilege.
public final class ControlPlane: Sendable {
    let registry: DeploymentRegistry
    let defaultContext: String
    let waiters: JobWaiters
    /// Boxed, so that a request changes its context's control state in place instead of through the
    /// dictionary (whose in-place access copied the whole ContextControl, twice per request).
    let controls = Mutex(LastFoundDictionary<ControlBox>())

    final class ControlBox {
        var control: ContextControl
        init(_ control: ContextControl) { self.control = control }
    }
    let routes: [ControlRoute]
    let access: ControlAccess

    /// What the control plane keeps per context besides the deployment itself.
    struct ContextControl: Sendable {
        /// The context's loaded fixture, decoded when first read (``FixtureSource``).
        var fixture: Fixture {
            get { source.fixture }
            set { source = FixtureSource(newValue) }
        }
        private var source: FixtureSource
        init(source: FixtureSource) { self.source = source }
        var plan: FaultPlan = .empty
        var random = SeededGenerator(seed: 0)
        var journal = RequestJournal()
        var snapshots: [String: SavedSnapshot] = [:]
    }

    struct SavedSnapshot: Sendable {
        var rows: ContextSnapshot
        var fixture: Fixture
        var takenAt: Int64
    }

    init(registry: DeploymentRegistry, defaultContext: String, access: ControlAccess = .init()) {
        self.access = access
        self.registry = registry
        self.defaultContext = defaultContext
        self.waiters = JobWaiters(registry: registry)
        self.routes = ControlRoutes.all
    }

    /// How many contexts' fault plans have endpoint faults now: while none has, a request of the API
    /// decides no fault without taking the control lock. Kept exact by `withControl`, the only way
    /// to the control states.
    private let contextsWithEndpointFaults = Atomic<Int>(0)

    /// Runs `body` on a context's control state (made on first use).
    func withControl<T>(_ context: String, _ body: (inout ContextControl) throws -> T) rethrows -> T {
        try controls.withLock { map in
            let box: ControlBox
            if let known = map.find(context) {
                box = known
            } else {
                box = ControlBox(ContextControl(source: registry.fixtureSource))
                map[context] = box
            }
            let hadEndpointFaults = !box.control.plan.endpoints.isEmpty
            defer {
                let hasEndpointFaults = !box.control.plan.endpoints.isEmpty
                if hasEndpointFaults != hadEndpointFaults {
                    contextsWithEndpointFaults.add(hasEndpointFaults ? 1 : -1, ordering: .releasing)
                }
            }
            return try body(&box.control)
        }
    }

    /// Removes `context` from the server: its catalog rows and deployment (``DeploymentRegistry/remove(context:)``),
    /// its control state (fault plan, journal, snapshots), its kept answers; its long-polls are woken
    /// (and answer that the job is gone). False if there was nothing of it.
    func remove(context: String, service: AdminService) throws -> Bool {
        let removed = try registry.remove(context: context)
        let hadControl = controls.withLock { map -> Bool in
            guard let box = map[context] else { return false }
            if !box.control.plan.endpoints.isEmpty { contextsWithEndpointFaults.add(-1, ordering: .releasing) }
            map[context] = nil
            return true
        }
        service.cache.forget(context: context)
        waiters.poke(context: context)
        return removed || hadControl
    }

    /// How many contexts have control state (a fault plan, a journal, snapshots) now.
    var controlledContexts: Int { controls.withLock { $0.count } }

    // MARK: - Dispatch

    /// Every request comes here first when the control plane is on.
    func handle(_ request: Request, service: AdminService) -> Reply {
        let plan = service.plan(for: request.path)
        if plan.context == "_mock" { return control(request, parts: plan.rest, service: service) }
        return serveAPI(request, plan: plan, service: service)
    }

    private func control(_ request: Request, parts: ArraySlice<Substring>, service: AdminService) -> Reply {
        if let refusal = access.refusal(for: request, path: parts) { return .now(Self.error(refusal)) }
        let method = request.method == "HEAD" ? "GET" : request.method
        let matching = routes.compactMap { r in r.match(parts).map { (r, $0) } }
        guard !matching.isEmpty else {
            return .now(Self.error(AdminError(404, "No control endpoint at \(request.path).", details: ["See GET /_mock/openapi.json."])))
        }
        guard let (route, params) = matching.first(where: { $0.0.method == method }) else {
            return .now(Self.error(AdminError(405, "Method not supported.", details: ["Use \(matching.map(\.0.method).joined(separator: " or ")) on \(request.path)."]),
                                   extraHeaders: [("Allow", matching.map(\.0.method).joined(separator: ", "))]))
        }
        do {
            let call = try ControlCall(request: request, plane: self, service: service,
                                       pathParameters: PathParameters(names: route.parameterNames, values: params),
                                       contextInPath: route.contextInPath)
            if route.access == .authorized { try call.authorize() }
            return try route.handler(call)
        } catch let e as AdminError {
            return .now(Self.error(e))
        } catch let e as PlanError {
            return .now(Self.error(AdminError(400, "Invalid fault plan.", details: [e.description])))
        } catch let e as JSONValue.ParseError {
            return .now(Self.error(AdminError(400, "Invalid JSON.", details: [e.description])))
        } catch {
            return .now(Self.error(AdminError(500, "The control plane could not complete the request.", details: [String(describing: error)])))
        }
    }

    // MARK: - Around the emulated API: faults and journal

    private func serveAPI(_ request: Request, plan: PathPlan, service: AdminService) -> Reply {
        let started = ContinuousClock.now
        guard let context = plan.context, let deployment = registry.serve(context: context) else {
            return .now(service.respond(request))
        }
        let rest = plan.rest
        var format: Format { (try? Format.of(request).get()) ?? .json }
        var response: Response? = nil
        var fault: String? = nil
        var delayMs: Int64 = 0
        var socketFault: SocketFault? = nil
        if let until = deployment.offlineUntil, !service.routes.contains(where: { $0.staysOnline && $0.match(rest) != nil }) {
            response = service.render(error: .organizationUnavailable(), format: format)
            fault = "offline until \(until)"
        } else {
            let method = request.method == "HEAD" ? "GET" : request.method
            let decision = contextsWithEndpointFaults.load(ordering: .acquiring) == 0
                ? Decision() : withControl(context) { c in Self.decide(&c, method: method, path: rest) }
            delayMs = decision.delayMs
            if let f = decision.fault {
                let error = AdminError(code: f.code, message: f.message ?? Self.defaultMessage(f.code), details: ["Injected by the drmock fault plan."])
                if let status = f.httpStatus {
                    var r = service.render(error: error, format: format)
                    r.status = status
                    response = r
                } else {
                    response = service.render(error: error, format: format)
                }
                fault = "endpoint \(f.pattern): error \(f.code)"
                deployment.recordFired(kind: "endpointError", detail: "\(request.method) \(request.path) answered \(f.code)")
            }
            if let (socket, pattern) = decision.socket {
                // A reset, an empty close or garbage comes before the API sees the request: nothing is
                // done. A truncated or trickled answer is the real answer, sent broken.
                if socket.answersNothing { response = Response(status: 0).broken(socket) }
                fault = [fault, "endpoint \(pattern): socket \(socket.name)"].compactMap { $0 }.joined(separator: "; ")
                deployment.recordFired(kind: "endpointSocket", detail: "\(request.method) \(request.path): \(socket.name)")
            }
            if delayMs > 0 {
                fault = [fault, "latency \(delayMs) ms"].compactMap { $0 }.joined(separator: "; ")
            }
            socketFault = decision.socket?.0
        }
        var user: String? = nil
        var answer = response ?? service.respond(request, plan: plan, deployment: deployment, signedIn: &user)
        if let socketFault, answer.socketFault == nil { answer = answer.broken(socketFault) }
        let errorCode = Self.errorCode(of: answer)
        // A sign-in carries no token: the journal names the user it signed in, when it succeeded (a
        // redirect, or JSON that is no error: a failed one answers an envelope or a page again).
        if user == nil, request.method == "POST", errorCode == nil, answer.status == 302 || (answer.status == 200 && Self.isJSON(answer)) {
            user = request.formValue("username")
        }
        let elapsed = (ContinuousClock.now - started).components
        let latency = Double(elapsed.seconds) * 1000 + Double(elapsed.attoseconds) / 1e15 + Double(delayMs)
        // The record only borrows the request's strings; the journal masks and copies them only for a
        // request of a new shape. What it frees (a shape pushed out of a full journal) is freed after the lock.
        let fields = JournalEntry(seq: 0, time: wallClockMillis(), clock: deployment.clock.now(), method: request.method, path: request.path,
                                  query: [], formKeys: [], user: user, status: answer.status, errorCode: errorCode,
                                  latencyMs: latency, fault: fault, userAgent: request.header("user-agent"),
                                  tokenPlaces: Self.tokenPlaces(of: request), format: request.formValue("f") ?? request.queryValue("f"),
                                  expiration: request.formValue("expiration") ?? request.queryValue("expiration"))
        // Moved into the closure (a captured constant would be copied, and both copies destroyed).
        var record: JournalRecord? = JournalRecord(fields: fields, query: request.query, form: request.form)
        _ = withControl(context) { c -> JournalEntry? in
            guard let r = record.take() else { return nil }
            return c.journal.append(r)
        }
        let delay = delayMs, final = answer
        guard delay > 0 else { return .now(final) }
        return .later { responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(delay))) { responder.respond(final) }
        }
    }

    /// Where `request` carries a token (for the journal; the value is never looked at).
    static func tokenPlaces(of request: Request) -> TokenPlaces {
        var places: TokenPlaces = []
        if request.query.contains(where: { $0.name == "token" }) { places.insert(.query) }
        if request.form.contains(where: { $0.name == "token" }) { places.insert(.body) }
        for h in request.headers where h.name == "authorization" || h.name == "x-esri-authorization" { places.insert(.header) }
        return places
    }

    struct Decision {
        var fault: (code: Int, message: String?, httpStatus: Int?, pattern: String)?
        var delayMs: Int64 = 0
        var socket: (SocketFault, pattern: String)?
    }

    /// Which endpoint faults fire for this request (counting them down, drawing from the seeded generator).
    static func decide(_ c: inout ContextControl, method: String, path: ArraySlice<Substring>) -> Decision {
        var d = Decision()
        for i in c.plan.endpoints.indices where c.plan.endpoints[i].matches(method: method, path: path) {
            let f = c.plan.endpoints[i]
            if let r = f.remaining, r <= 0 { continue }
            if f.probability < 1 {
                let draw = Double(c.random.next() >> 11) / Double(1 << 53)
                if draw >= f.probability { continue }
            }
            if let r = f.remaining { c.plan.endpoints[i].remaining = r - 1 }
            switch f.latency {
            case .fixed(let ms): d.delayMs = max(d.delayMs, ms)
            case .uniform(let lo, let hi): d.delayMs = max(d.delayMs, lo + Int64(c.random.next() % UInt64(hi - lo + 1)))
            case nil: break
            }
            if d.fault == nil, let code = f.code {
                d.fault = (code, f.message, f.httpStatus, f.patternText)
            }
            if d.socket == nil, let socket = f.socket { d.socket = (socket, f.patternText) }
        }
        return d
    }

    static func defaultMessage(_ code: Int) -> String {
        switch code {
        case 400: return "Bad request."
        case 403: return AdminError.forbidden().message
        case 404: return "Resource not found."
        case 498: return AdminError.invalidToken().message
        case 499: return AdminError.tokenRequired().message
        case 503: return "The service is temporarily unavailable."
        default: return "The server could not complete the request."
        }
    }

    /// The error envelope's code in an answer, if it is one (JSON bodies only).
    static func errorCode(of response: Response) -> Int? {
        // Only bodies that start as an envelope (`{"error"`, compact or indented) are parsed.
        guard response.body.count < 65_536, startsAsEnvelope(response.body),
              let v = try? JSONValue.parse(String(decoding: response.body, as: UTF8.self)), let code = v["error"]?["code"]?.int64Value else {
            if response.status >= 400 { return response.status }
            return nil
        }
        return Int(code)
    }

    static func isJSON(_ response: Response) -> Bool {
        response.headers.contains { $0.name.lowercased() == "content-type" && $0.value.contains("json") }
    }

    private static let envelopeStart = Array(#"{"error""#.utf8)

    /// Whether the first 24 bytes, spaces and newlines left out, begin with `{"error"` (no allocation:
    /// this runs on every request of the emulated API).
    static func startsAsEnvelope(_ body: [UInt8]) -> Bool {
        var matched = 0
        for byte in body.prefix(24) where byte != 0x20 && byte != 0x0a {
            guard byte == envelopeStart[matched] else { return false }
            matched += 1
            if matched == envelopeStart.count { return true }
        }
        return false
    }

    // MARK: - Rendering

    static func json(_ value: JSONValue, status: Int = 200, pretty: Bool = true, extraHeaders: [(String, String)] = []) -> Response {
        var body = value.serialized(pretty: pretty)
        body.append(0x0a)
        return Response(status: status, headers: Format.jsonHeaders + extraHeaders.map { (name: $0.0, value: $0.1) }, body: body)
    }

    /// An error of the control plane: the envelope, with its code as the HTTP status (the control plane
    /// uses real statuses, decision 2 is the emulated API's).
    static func error(_ e: AdminError, extraHeaders: [(String, String)] = []) -> Response {
        json(["error": ["code": .int(Int64(e.code)), "message": .string(e.message), "details": JSONValue(e.detailList)]],
             status: e.code, extraHeaders: extraHeaders)
    }
}

extension SocketFault {
    /// Its name in a fault plan (`socket`).
    var name: String {
        switch self {
        case .reset: return "reset"
        case .empty: return "empty"
        case .garbage: return "garbage"
        case .truncated: return "truncated"
        case .trickle(let ms): return "trickle \(ms) ms"
        }
    }

    /// Whether the fault replaces the answer (the request is not served at all).
    var answersNothing: Bool {
        switch self {
        case .reset, .empty, .garbage: return true
        case .truncated, .trickle: return false
        }
    }
}

extension AdminError {
    /// A control-plane error (sent with `status` as the HTTP status): the one error type, built with the
    /// control plane's own texts.
    init(_ status: Int, _ message: String, details: [String] = []) {
        self.init(code: status, message: message, details: details)
    }
}
