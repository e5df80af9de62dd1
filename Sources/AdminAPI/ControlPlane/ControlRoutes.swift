import Catalog
import DisasterRecovery
import HTTPServer

/// One control endpoint: `/_mock/<pattern>`.
struct ControlRoute: Sendable {
    enum Access: Sendable, Equatable {
        /// No token (health, readiness, the OpenAPI document).
        case open
        /// A token of the addressed context's deployment with the "Security and infrastructure" privilege.
        case authorized
    }
    /// A documented parameter (query for GET and DELETE, form body for POST; `context` is implied).
    struct Parameter: Sendable {
        var name: String
        var required: Bool
        var summary: String
        var integer: Bool = false
    }
    let method: String
    /// The path after `/_mock/` as written, e.g. `jobs/{job}/timeline`.
    let pattern: String
    let segments: [Route.Segment]
    /// The names of the `{name}` segments, in order.
    let parameterNames: [String]
    let access: Access
    let summary: String
    let parameters: [Parameter]
    let handler: @Sendable (ControlCall) throws -> Reply
    /// The path's one parameter names the addressed context (`contexts/{name}`) unless `context=` does.
    var contextInPath = false

    init(_ method: String, _ pattern: String, _ access: Access, _ summary: String, _ parameters: [Parameter] = [],
         _ handler: @escaping @Sendable (ControlCall) throws -> Reply) {
        self.method = method
        self.pattern = pattern
        segments = Route.shape(of: pattern).0
        parameterNames = Route.parameterNames(of: pattern)
        self.access = access
        self.summary = summary
        self.parameters = parameters
        self.handler = handler
    }


    /// This route, addressing the context its path names (``contextInPath``).
    var addressingThePathsContext: ControlRoute { var r = self; r.contextInPath = true; return r }
    func match(_ parts: ArraySlice<Substring>) -> [String]? { Route.match(segments, parts) }
}

/// One control request as a handler sees it.
struct ControlCall {
    let request: Request
    let plane: ControlPlane
    let service: AdminService
    /// The values of the route's `{name}` segments, by name: `call.pathParameter("job")`.
    let pathParameters: PathParameters
    /// The addressed context (`context=`, or the server's `--context`).
    let context: String

    init(request: Request, plane: ControlPlane, service: AdminService, pathParameters: PathParameters, contextInPath: Bool = false) throws {
        self.request = request
        self.plane = plane
        self.service = service
        self.pathParameters = pathParameters
        let given = request.formValue("context") ?? request.queryValue("context") ?? (contextInPath ? pathParameters.values.first : nil)
        if let given, !given.isEmpty {
            guard DeploymentRegistry.isValidContext(given) else {
                throw AdminError(400, "Invalid context '\(given.prefix(64))'.", details: ["A context is 1 to 64 letters, digits, '-' or '_'."])
            }
            context = given
        } else {
            context = plane.defaultContext
        }
    }

    /// The value of the route's `{name}` segment.
    func pathParameter(_ name: String) -> String { pathParameters[name] }

    func param(_ name: String) -> String? {
        let v = request.formValue(name) ?? request.queryValue(name)
        guard let v, !v.isEmpty else { return nil }
        return v
    }

    func required(_ name: String) throws -> String {
        guard let v = param(name) else { throw AdminError(400, "Missing required parameter '\(name)'.") }
        return v
    }

    func integer(_ name: String) throws -> Int64? {
        guard let v = param(name) else { return nil }
        guard let i = Int64(v) else { throw AdminError(400, "Invalid value for parameter '\(name)'.", details: ["'\(name)' must be a whole number."]) }
        return i
    }

    func requiredInteger(_ name: String) throws -> Int64 {
        guard let i = try integer(name) else { throw AdminError(400, "Missing required parameter '\(name)'.") }
        return i
    }

    /// The addressed deployment, made from the fixture on first use.
    func deployment() throws -> Deployment {
        switch plane.registry.opening(context: context) {
        case .success(let d): return d
        case .failure(.full(let limit)):
            let e = AdminError.tooManyContexts(limit)
            throw AdminError(503, e.message, details: e.detailList)
        case .failure(let refusal):
            throw AdminError(503, "The context '\(context)' cannot be opened.", details: ["\(refusal)"])
        }
    }

    /// A valid token of this context with the "Security and infrastructure" privilege, or 401/403.
    func authorize() throws {
        let d = try deployment()
        let user: User
        do {
            user = try d.user(forToken: try AdminService.token(of: request))
        } catch let e as AdminError {
            throw AdminError(401, e.message, details: e.detailList + ["The control plane needs a token of context '\(context)' (generateToken at /\(context)/sharing/rest/generateToken) as for the admin API."])
        }
        guard user.has(User.securityAndInfrastructure) else { throw AdminError(403, AdminError.forbidden().message) }
    }

    var pretty: Bool { (param("f") ?? "pjson") != "json" }

    func ok(_ value: JSONValue, status: Int = 200) -> Reply {
        .now(ControlPlane.json(value, status: status, pretty: pretty))
    }
}

/// The control endpoints, in the order the OpenAPI document lists them.
enum ControlRoutes {
    typealias P = ControlRoute.Parameter

    static let all: [ControlRoute] = [
        ControlRoute("GET", "health", .open, "Liveness: 200 while the server runs.") { call in
            call.ok(["status": "ok"])
        },
        ControlRoute("GET", "ready", .open, "Readiness: 200 once the catalog, the fixture and the job engine of the default context are loaded.") { call in
            guard let d = call.plane.registry.serve(context: call.plane.defaultContext) else {
                return call.ok(["ready": false], status: 503)
            }
            return call.ok(["ready": true, "context": .string(d.context), "release": .string(d.release),
                            "fixture": .string(d.fixtureName), "clock": .string(d.clock.state.mode.rawValue),
                            "contexts": JSONValue(call.plane.registry.openContexts)])
        },
        ControlRoute("GET", "openapi.json", .open, "This OpenAPI 3.1 document.") { call in
            .now(ControlPlane.json(OpenAPIDocument.make(service: call.service, plane: call.plane), pretty: call.pretty))
        },
        ControlRoute("GET", "contexts", .authorized, "The contexts (deployments) open now.") { call in
            call.ok(["contexts": JSONValue(call.plane.registry.openContexts)])
        },
        ControlRoute("DELETE", "contexts/{name}", .authorized, "Removes a context: its catalog rows, clock, fault plan, journal and snapshots (a later request makes it anew from the fixture). Needs a token of that context (or context= and its token). The server's own --context cannot be removed (409).") { call in
            let name = call.pathParameter("name")
            guard name != call.plane.defaultContext else {
                throw AdminError(409, "The context '\(name)' is the server's --context and cannot be removed.", details: ["Reset it instead: POST /_mock/reset."])
            }
            guard call.context == name else {
                throw AdminError(400, "The context to remove is '\(name)', but the request addresses '\(call.context)'.", details: ["Send a token of '\(name)', without context= or with context=\(name)."])
            }
            let removed = try call.plane.remove(context: name, service: call.service)
            return call.ok(["context": .string(name), "removed": .bool(removed), "contexts": .int(Int64(call.plane.registry.openContexts.count))])
        }.addressingThePathsContext,

        // MARK: Time
        ControlRoute("GET", "clock", .authorized, "The context's clock: mode, speed and emulated time (epoch ms).") { call in
            call.ok(clockJSON(try call.deployment()))
        },
        ControlRoute("POST", "clock/advance", .authorized, "Moves a manual clock forward by ms.",
                     [P(name: "ms", required: true, summary: "milliseconds to move forward (0 … 10 years)", integer: true)]) { call in
            let d = try manualDeployment(call)
            let ms = try call.requiredInteger("ms")
            guard ms >= 0, ms <= 10 * 365 * 86_400_000 else { throw AdminError(400, "Invalid value for parameter 'ms'.", details: ["'ms' must be between 0 and ten years."]) }
            try d.advanceClock(by: ms)
            call.plane.waiters.poke(context: call.context)
            return call.ok(clockJSON(d))
        },
        ControlRoute("POST", "clock/set", .authorized, "Sets a manual clock to epochMs (never backwards).",
                     [P(name: "epochMs", required: true, summary: "the new emulated time, epoch milliseconds", integer: true)]) { call in
            let d = try manualDeployment(call)
            let to = try call.requiredInteger("epochMs")
            guard to >= d.clock.now() else {
                throw AdminError(409, "Time never goes back.", details: ["The clock is at \(d.clock.now()); 'epochMs' must not be earlier."])
            }
            try d.setClock(to: to)
            call.plane.waiters.poke(context: call.context)
            return call.ok(clockJSON(d))
        },
        ControlRoute("POST", "clock/run-until", .authorized, "Moves a manual clock exactly as far as needed for a job to reach a status.",
                     [P(name: "job", required: true, summary: "the job id"),
                      P(name: "status", required: false, summary: "SUBMITTED, EXECUTING, COMPLETED (default), FAILED or TIMED OUT")]) { call in
            let d = try manualDeployment(call)
            let view = try d.job(id: try call.required("job"))
            let target = try status(call)
            let t = try JobWaiters.timeOf(view.job, target: target, from: d.clock.now()).get()
            try d.setClock(to: t)
            call.plane.waiters.poke(context: call.context)
            let after = try d.job(id: view.job.jobID)
            return call.ok(["clock": clockJSON(d), "job": after.json])
        },
        ControlRoute("GET", "wait", .authorized, "Long-polls until a job reaches a status (200), can no longer reach it (409) or the timeout passes (408). Holds no server thread.",
                     [P(name: "job", required: true, summary: "the job id"),
                      P(name: "status", required: false, summary: "SUBMITTED, EXECUTING, COMPLETED (default), FAILED or TIMED OUT"),
                      P(name: "timeout", required: false, summary: "real milliseconds to wait, default 30000, at most 600000", integer: true)]) { call in
            let d = try call.deployment()
            let jobID = try call.required("job")
            _ = try d.job(id: jobID)
            let target = try status(call)
            let timeout = try call.integer("timeout") ?? 30_000
            guard timeout >= 0, timeout <= 600_000 else {
                throw AdminError(400, "Invalid value for parameter 'timeout'.", details: ["'timeout' is 0 … 600000 milliseconds."])
            }
            let waiters = call.plane.waiters, context = call.context
            return .later { responder in
                waiters.add(context: context, jobID: jobID, target: target, timeoutMs: timeout, responder: responder)
            }
        },

        // MARK: State
        ControlRoute("POST", "reset", .authorized, "Puts the context back to its loaded fixture: catalog rows, clock, fault plan and journal (snapshots are kept).") { call in
            let d = try call.plane.reset(context: call.context)
            return call.ok(["context": .string(call.context), "fixture": .string(d.fixtureName), "clock": clockJSON(d)])
        },
        ControlRoute("POST", "fixture", .authorized, "Loads another fixture, or a scenario (a fixture plus a fault plan), from fixtures/ into the context.",
                     [P(name: "name", required: true, summary: "a fixture or scenario name, e.g. default or object-store-fails")]) { call in
            let name = try call.required("name")
            let loaded = try ScenarioFile.load(name)
            let d = try call.plane.registry.recreate(context: call.context, from: loaded.fixture)
            call.plane.withControl(call.context) { c in
                c.fixture = loaded.fixture
                c.plan = .empty
                c.journal.clear()
            }
            if let plan = loaded.plan { try call.plane.apply(plan, to: d, context: call.context) }
            call.plane.waiters.poke(context: call.context)
            return call.ok(["context": .string(call.context), "fixture": .string(loaded.fixture.name),
                            "scenario": loaded.scenario.map(JSONValue.string) ?? .null,
                            "faults": loaded.plan?.source ?? .null, "clock": clockJSON(d)])
        },
        ControlRoute("GET", "state", .authorized, "A JSON dump of the context's catalog rows (secrets and token digests left out).") { call in
            call.ok(try stateJSON(call))
        },
        ControlRoute("GET", "snapshots", .authorized, "The context's named snapshots.") { call in
            let list = call.plane.withControl(call.context) { c in
                c.snapshots.sorted { $0.key < $1.key }.map { (k, v) -> JSONValue in
                    ["name": .string(k), "takenAt": .int(v.takenAt), "fixture": .string(v.fixture.name), "rows": .int(Int64(v.rows.rowCount))]
                }
            }
            return call.ok(["snapshots": .array(list)])
        },
        ControlRoute("POST", "snapshot/{name}", .authorized, "Saves the context's catalog rows (clock included) as a named checkpoint, in memory.") { call in
            let name = try snapshotName(call)
            let d = try call.deployment()
            let rows = try d.snapshot()
            let now = d.clock.now()
            try call.plane.withControl(call.context) { c in
                if c.snapshots[name] == nil && c.snapshots.count >= 100 {
                    throw AdminError(409, "Too many snapshots.", details: ["A context keeps at most 100 snapshots."])
                }
                c.snapshots[name] = .init(rows: rows, fixture: c.fixture, takenAt: now)
            }
            return call.ok(["snapshot": .string(name), "context": .string(call.context), "takenAt": .int(now), "rows": .int(Int64(rows.rowCount))], status: 201)
        },
        ControlRoute("POST", "snapshot/{name}/restore", .authorized, "Puts the context back to a named snapshot (its clock too); the fault plan in force stays.") { call in
            let name = try snapshotName(call)
            guard let saved = call.plane.withControl(call.context, { $0.snapshots[name] }) else {
                throw AdminError(404, "No snapshot named '\(name)' in context '\(call.context)'.")
            }
            try call.plane.registry.catalog.restore(saved.rows, context: call.context)
            let d = try call.plane.registry.reload(context: call.context, fixture: saved.fixture)
            let plan = call.plane.withControl(call.context) { c in
                c.fixture = saved.fixture
                return c.plan
            }
            d.setFaults(plan.domain)
            call.plane.waiters.poke(context: call.context)
            return call.ok(["snapshot": .string(name), "context": .string(call.context), "clock": clockJSON(d)])
        },

        // MARK: Faults
        ControlRoute("GET", "faults", .authorized, "The fault plan in force and what has fired.") { call in
            call.ok(try call.plane.faultsJSON(context: call.context, deployment: call.deployment()))
        },
        ControlRoute("POST", "faults", .authorized, "Sets the fault plan (replacing the previous one).",
                     [P(name: "plan", required: true, summary: "the plan as JSON (see docs/control-plane.md)")]) { call in
            let plan = try FaultPlan.parse(try JSONValue.parse(try call.required("plan")))
            let d = try call.deployment()
            try call.plane.apply(plan, to: d, context: call.context)
            return call.ok(try call.plane.faultsJSON(context: call.context, deployment: d))
        },
        ControlRoute("DELETE", "faults", .authorized, "Clears the fault plan and what has fired (the organization is back online).") { call in
            let d = try call.deployment()
            call.plane.clearFaults(d, context: call.context)
            return call.ok(try call.plane.faultsJSON(context: call.context, deployment: d))
        },

        // MARK: Journal
        ControlRoute("GET", "requests", .authorized, "The journal of the context's admin API requests, oldest first.",
                     [P(name: "path", required: false, summary: "only requests whose path contains this"),
                      P(name: "since", required: false, summary: "only requests with a seq above this", integer: true)]) { call in
            let since = try call.integer("since").map { Int(clamping: $0) }
            let path = call.param("path")
            let entries = call.plane.withControl(call.context) { $0.journal.filtered(path: path, since: since) }
            return call.ok(["context": .string(call.context), "requests": .array(entries.map(\.json))])
        },
        ControlRoute("DELETE", "requests", .authorized, "Clears the context's journal.") { call in
            call.plane.withControl(call.context) { $0.journal.clear() }
            return call.ok(["context": .string(call.context), "requests": []])
        },
        ControlPlane.lintRoute,
        ControlRoute("GET", "jobs/{job}/timeline", .authorized, "Every transition of a job so far, and which request observed which status and stage.") { call in
            call.ok(try timelineJSON(call))
        },
        ControlRoute("POST", "upgrade", .authorized, "Upgrades the context's deployment in place to a newer release, with what real upgrades were observed to do; persisted (a restart keeps it). Downgrades are refused (409).",
                     [P(name: "release", required: true, summary: "the newer release, e.g. 11.3")]) { call in
            let name = try call.required("release")
            let target: Release
            do { target = try Release.named(name) } catch { throw AdminError(400, "Invalid value for parameter 'release'.", details: ["\(error)"]) }
            let report = try call.deployment().upgrade(to: target)
            return call.ok(upgradeJSON(report, context: call.context))
        },
    ]

    static func upgradeJSON(_ r: Deployment.UpgradeReport, context: String) -> JSONValue {
        ["context": .string(context), "from": .string(r.from), "to": .string(r.to),
         "storesToRegisterAgain": JSONValue(r.storesToRegisterAgain), "backupsOfOlderReleases": .int(Int64(r.backupsOfOlderReleases)),
         "effects": JSONValue(r.effects)]
    }

    // MARK: - Helpers

    static func clockJSON(_ d: Deployment) -> JSONValue {
        let s = d.clock.state
        return ["context": .string(d.context), "mode": .string(s.mode.rawValue),
                "speed": s.mode == .system ? .double(s.speed) : .null, "now": .int(d.clock.now())]
    }

    static func manualDeployment(_ call: ControlCall) throws -> Deployment {
        let d = try call.deployment()
        guard d.clock is ManualClock else {
            throw AdminError(409, "The clock of context '\(call.context)' is the system clock.",
                               details: ["Start drmock with --clock manual to move time by hand."])
        }
        return d
    }

    static func status(_ call: ControlCall) throws -> JobStatus {
        let raw = (call.param("status") ?? "COMPLETED").uppercased().replacingUnderscores
        guard let s = JobStatus(rawValue: raw) else {
            throw AdminError(400, "Invalid value for parameter 'status'.", details: ["Use SUBMITTED, EXECUTING, COMPLETED, FAILED or TIMED OUT."])
        }
        return s
    }

    static func snapshotName(_ call: ControlCall) throws -> String {
        let name = call.pathParameter("name")
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
            throw AdminError(400, "Invalid snapshot name.", details: ["A snapshot name is 1 to 64 letters, digits, '-', '_' or '.'."])
        }
        return name
    }

    static func stateJSON(_ call: ControlCall) throws -> JSONValue {
        let d = try call.deployment()
        guard let records = try d.storedRecords() else {
            throw AdminError(404, "Nothing stored for context '\(call.context)'.")
        }
        func parsed(_ bodies: [String]) throws -> JSONValue { .array(try bodies.map { masked(try JSONValue.parse($0)) }) }
        return [
            "context": .string(call.context),
            "clock": clockJSON(d),
            "deployment": masked(try JSONValue.parse(records.deployment)),
            "users": try parsed(records.users),
            "stores": try parsed(records.stores),
            "backups": try parsed(records.backups),
            "jobs": try parsed(records.jobs),
            "tokens": .array(records.tokens.map { ["username": .string($0.username), "expires": .int($0.expires)] }),
        ]
    }

    /// Leaves secrets and their hashes out of a dump.
    static func masked(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let pairs):
            return .object(pairs.map { (k, v) in
                let key = k.lowercased()
                let secret = ["hash", "secret", "password", "passcode", "token", "credential"].contains { key.contains($0) }
                return secret ? (k, "***") : (k, masked(v))
            })
        case .array(let items): return .array(items.map(masked))
        default: return v
        }
    }

    static func timelineJSON(_ call: ControlCall) throws -> JSONValue {
        let d = try call.deployment()
        let view = try d.job(id: call.pathParameter("job"))
        let job = view.job
        let now = d.clock.now()
        let p = job.progress(at: now)
        var events: [JSONValue] = [["at": .int(job.submittedAt), "event": "SUBMITTED"]]
        if now >= job.executionStart && p.status != .submitted {
            events.append(["at": .int(job.executionStart), "event": "EXECUTING"])
        }
        for st in p.stages {
            events.append(["at": .int(st.startTime), "event": "stage started", "stage": .string(st.name)])
            if st.state != "in_progress" {
                events.append(["at": .int(st.startTime + st.elapsedMs), "event": .string("stage \(st.state)"), "stage": .string(st.name)])
            }
        }
        if p.status.isFinished {
            var end: [(String, JSONValue)] = [("at", .int(p.endTime)), ("event", .string(p.status.rawValue))]
            if !p.message.isEmpty { end.append(("message", .string(p.message))) }
            events.append(.object(end))
        }
        // Status requests observe this job until the next one is submitted.
        let later = try d.jobIDs().compactMap { try? d.job(id: $0).job.submittedAt }.filter { $0 > job.submittedAt }.min()
        let entries = call.plane.withControl(call.context) { $0.journal.entries }
        var observed: [JSONValue] = []
        for e in entries where e.clock >= job.submittedAt && e.method != "POST" {
            let isJob = e.path.hasSuffix("/admin/jobs/\(job.jobID)")
            let isStatus = e.path.hasSuffix("/disasterrecovery/status") && (later.map { e.clock < $0 } ?? true)
            guard isJob || isStatus, e.errorCode == nil else { continue }
            let q = job.progress(at: e.clock)
            let stage = q.stages.last
            observed.append(["seq": .int(Int64(e.seq)), "clock": .int(e.clock), "method": .string(e.method), "path": .string(e.path),
                             "user": e.user.map(JSONValue.string) ?? .null, "status": .string(q.status.rawValue),
                             "stage": stage.map { .string($0.name) } ?? .null, "stageState": stage.map { .string($0.state) } ?? .null])
        }
        return ["job": .string(job.jobID), "status": .string(p.status.rawValue), "clock": .int(now),
                "transitions": .array(events), "observedBy": .array(observed)]
    }
}

extension String {
    /// `TIMED_OUT` → `TIMED OUT`.
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}

extension ControlPlane {
    /// Puts a plan in force for a context: HTTP faults here, domain faults in the deployment, and
    /// the one-shot actions (expire tokens, go offline) at once.
    func apply(_ plan: FaultPlan, to d: Deployment, context: String) throws {
        withControl(context) { c in
            c.plan = plan
            c.random = SeededGenerator(seed: plan.seed)
        }
        d.setFaults(plan.domain)
        if plan.expireTokens { try d.expireAllTokens() }
        if let ms = plan.offlineMs { d.takeOffline(for: ms) }
    }

    /// Back to the context's loaded fixture: catalog rows, clock, fault plan and journal (snapshots stay).
    @discardableResult
    func reset(context: String) throws -> Deployment {
        let fixture = withControl(context) { $0.fixture }
        let d = try registry.recreate(context: context, from: fixture)
        withControl(context) { c in
            c.plan = .empty
            c.journal.clear()
        }
        waiters.poke(context: context)
        return d
    }

    func clearFaults(_ d: Deployment, context: String) {
        withControl(context) { c in c.plan = .empty }
        d.setFaults(DomainFaults(), keepFired: false)
    }

    func faultsJSON(context: String, deployment d: Deployment) throws -> JSONValue {
        let plan = withControl(context) { $0.plan }
        let domain = d.currentFaults
        return [
            "context": .string(context),
            "plan": plan.source,
            "active": [
                "jobs": .array(domain.jobFaults.map { f in
                    ["kind": .string(f.kind.rawValue), "stage": .string(f.stage.description),
                     "operation": f.operation.map { .string($0.rawValue) } ?? .null,
                     "remaining": f.remaining.map { .int(Int64($0)) } ?? .null]
                }),
                "storeUnavailable": JSONValue(domain.unavailableStores.sorted()),
                "offlineUntil": d.offlineUntil.map(JSONValue.int) ?? .null,
                "endpoints": .array(plan.endpoints.map { e in
                    ["method": e.method.map(JSONValue.string) ?? .null, "path": .string(e.patternText),
                     "remaining": e.remaining.map { .int(Int64($0)) } ?? .null]
                }),
            ],
            "fired": .array(domain.fired.map { ["at": .int($0.at), "kind": .string($0.kind), "detail": .string($0.detail)] }),
        ]
    }
}
