import DisasterRecovery
import HTTPServer

/// A fault plan as `POST /_mock/faults` (form `plan=<JSON>`) or a scenario file gives it.
///
/// ```json
/// {"seed": 7,
///  "failStage": "Stage Object store", "afterMs": 20000, "message": "disk full",
///  "hangStage": "Stage Relational store", "timeoutMs": 600000,
///  "jobs": [{"failStage": 2, "operation": "Backup", "times": 1, "message": "..."}],
///  "storeUnavailable": ["default"],
///  "expireTokens": true,
///  "offlineMs": 60000,
///  "observe": ["backup-job-reads-completed-at-once"],
///  "endpoints": [{"method": "GET", "path": "admin/jobs/*", "code": 500, "message": "boom",
///                 "httpStatus": 502, "times": 2, "probability": 0.5,
///                 "latencyMs": 250},
///                {"path": "admin/jobs/*", "socket": "trickle", "trickleMs": 5000, "times": 1}]}
/// ```
/// Every key is optional; an unknown key is refused (a typo must not pass silently).
struct FaultPlan: Sendable {
    var source: JSONValue
    var seed: UInt64
    var domain: DomainFaults
    var expireTokens: Bool
    var offlineMs: Int64?
    var endpoints: [EndpointFault]

    static let empty = FaultPlan(source: [:], seed: 0, domain: DomainFaults(), expireTokens: false, offlineMs: nil, endpoints: [])

    /// Parses and checks a plan; the error names the key at fault.
    static func parse(_ value: JSONValue) throws -> FaultPlan {
        guard let pairs = value.objectPairs else { throw PlanError("the plan must be a JSON object") }
        let known: Set<String> = ["seed", "failStage", "hangStage", "afterMs", "message", "timeoutMs", "operation", "times",
                                  "jobs", "storeUnavailable", "expireTokens", "offlineMs", "endpoints", "description", "observe"]
        try checkKeys(pairs, known, at: "plan")
        var plan = FaultPlan.empty
        plan.source = value
        if let s = value["seed"] {
            guard let i = s.int64Value else { throw PlanError("'seed' must be a whole number") }
            plan.seed = UInt64(bitPattern: i)
        }
        if value["failStage"] != nil || value["hangStage"] != nil {
            var single: [(String, JSONValue)] = []
            for key in ["failStage", "hangStage", "afterMs", "message", "timeoutMs", "operation", "times"] {
                if let v = value[key] { single.append((key, v)) }
            }
            plan.domain.jobFaults.append(try jobFault(.object(single), at: "plan"))
        }
        if let jobs = value["jobs"] {
            guard let items = jobs.arrayValue, items.count <= 100 else { throw PlanError("'jobs' must be an array of at most 100 job faults") }
            for (i, item) in items.enumerated() { plan.domain.jobFaults.append(try jobFault(item, at: "jobs[\(i)]")) }
        }
        if let stores = value["storeUnavailable"] {
            if let one = stores.stringValue {
                plan.domain.unavailableStores = [one]
            } else if let many = stores.arrayValue, many.count <= 100, many.allSatisfy({ $0.stringValue != nil }) {
                plan.domain.unavailableStores = Set(many.compactMap(\.stringValue))
            } else {
                throw PlanError("'storeUnavailable' must be a store name or an array of names")
            }
        }
        if let o = value["observe"] {
            // Behaviours of real releases to play (ObservedBehaviour): the suspected ones need this; a
            // confirmed one named here plays even under --documented-only.
            guard let names = o.arrayValue, names.count <= 100, names.allSatisfy({ $0.stringValue != nil }) else {
                throw PlanError("'observe' must be an array of observed behaviour ids")
            }
            for name in names.compactMap(\.stringValue) {
                do { plan.domain.observe.insert(try ObservedBehaviour.named(name).id) } catch { throw PlanError("\(error)") }
            }
        }
        if let e = value["expireTokens"] {
            guard let b = e.boolValue else { throw PlanError("'expireTokens' must be true or false") }
            plan.expireTokens = b
        }
        if let o = value["offlineMs"] {
            guard let ms = o.int64Value, ms >= 0 else { throw PlanError("'offlineMs' must be a whole number of milliseconds") }
            plan.offlineMs = ms
        }
        if let eps = value["endpoints"] {
            guard let items = eps.arrayValue, items.count <= 100 else { throw PlanError("'endpoints' must be an array of at most 100 endpoint faults") }
            plan.endpoints = try items.enumerated().map { try EndpointFault.parse($1, at: "endpoints[\($0)]") }
        }
        return plan
    }

    static func checkKeys(_ pairs: [(String, JSONValue)], _ known: Set<String>, at place: String) throws {
        for (k, _) in pairs where !known.contains(k) {
            throw PlanError("unknown key '\(k)' in \(place) (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    private static func jobFault(_ v: JSONValue, at place: String) throws -> JobFault {
        guard let pairs = v.objectPairs else { throw PlanError("\(place) must be an object") }
        try checkKeys(pairs, ["failStage", "hangStage", "afterMs", "message", "timeoutMs", "operation", "times"], at: place)
        let fail = v["failStage"], hang = v["hangStage"]
        guard (fail == nil) != (hang == nil) else { throw PlanError("\(place) needs exactly one of 'failStage' or 'hangStage'") }
        let raw = fail ?? hang!
        let stage: StageReference
        if let name = raw.stringValue, !name.isEmpty {
            stage = .name(name)
        } else if let i = raw.int64Value, i >= 0, i < 100 {
            stage = .index(Int(i))
        } else {
            throw PlanError("\(place): a stage is a stage name or a 0-based index")
        }
        var fault = JobFault(kind: fail != nil ? .fail : .hang, stage: stage)
        if let a = v["afterMs"] {
            guard let ms = a.int64Value, ms >= 0 else { throw PlanError("\(place): 'afterMs' must be a whole number ≥ 0") }
            fault.afterMs = ms
        }
        if let m = v["message"] {
            guard let s = m.stringValue, s.count <= 1000 else { throw PlanError("\(place): 'message' must be a string (at most 1000 characters)") }
            fault.message = s
        }
        if let t = v["timeoutMs"] {
            guard let ms = t.int64Value, ms > 0 else { throw PlanError("\(place): 'timeoutMs' must be a positive whole number") }
            fault.timeoutMs = ms
        }
        if let o = v["operation"] {
            guard let s = o.stringValue, let op = JobOperation.allCases.first(where: { $0.rawValue.lowercased() == s.lowercased() }) else {
                throw PlanError("\(place): 'operation' must be Backup or Restore")
            }
            fault.operation = op
        }
        if let t = v["times"] {
            guard let n = t.int64Value, n > 0 else { throw PlanError("\(place): 'times' must be a positive whole number") }
            fault.remaining = Int(n)
        }
        return fault
    }
}

extension JobOperation {
    static var allCases: [JobOperation] { [.backup, .restore] }
}

/// An HTTP-level fault: matching requests get an error answer (some times, or with a probability)
/// and/or a delay.
struct EndpointFault: Sendable {
    /// Nil for any method.
    var method: String?
    /// Path segments after the context; `*` matches one segment, a final `**` the rest.
    var pattern: [Substring]
    var patternText: String
    /// Error envelope code; nil for a delay-only fault.
    var code: Int?
    var message: String?
    /// Sent as the HTTP status (with the envelope) instead of decision 2's rendering.
    var httpStatus: Int?
    /// How many more times it fires; nil for unlimited.
    var remaining: Int?
    var probability: Double
    var latency: Latency?
    /// Sent broken instead of clean: reset, empty, garbage, truncated or trickle (see ``SocketFault``).
    var socket: SocketFault?

    enum Latency: Sendable {
        case fixed(Int64)
        case uniform(Int64, Int64)
    }

    static func parse(_ v: JSONValue, at place: String) throws -> EndpointFault {
        guard let pairs = v.objectPairs else { throw PlanError("\(place) must be an object") }
        try FaultPlan.checkKeys(pairs, ["method", "path", "code", "message", "httpStatus", "times", "probability", "latencyMs", "socket", "trickleMs"], at: place)
        guard let path = v["path"]?.stringValue, !path.isEmpty, path.count <= 500 else {
            throw PlanError("\(place): 'path' is required, e.g. \"admin/jobs/*\" (relative to the context)")
        }
        var f = EndpointFault(method: nil, pattern: path.split(separator: "/"), patternText: path, code: nil, message: nil,
                              httpStatus: nil, remaining: nil, probability: 1, latency: nil)
        if let m = v["method"] {
            guard let s = m.stringValue, !s.isEmpty else { throw PlanError("\(place): 'method' must be a string such as GET") }
            f.method = s.uppercased()
        }
        if let c = v["code"] {
            guard let i = c.int64Value, (100...999).contains(i) else { throw PlanError("\(place): 'code' must be 100…999") }
            f.code = Int(i)
        }
        if let s = v["httpStatus"] {
            guard let i = s.int64Value, (100...599).contains(i) else { throw PlanError("\(place): 'httpStatus' must be 100…599") }
            f.httpStatus = Int(i)
            if f.code == nil { f.code = Int(i) }
        }
        if let m = v["message"] {
            guard let s = m.stringValue, s.count <= 1000 else { throw PlanError("\(place): 'message' must be a string") }
            f.message = s
        }
        if let t = v["times"] {
            guard let n = t.int64Value, n > 0 else { throw PlanError("\(place): 'times' must be a positive whole number") }
            f.remaining = Int(n)
        }
        if let p = v["probability"] {
            guard let d = p.doubleValue, d >= 0, d <= 1 else { throw PlanError("\(place): 'probability' must be between 0 and 1") }
            f.probability = d
        }
        if let l = v["latencyMs"] {
            if let ms = l.int64Value, ms >= 0, ms <= 600_000 {
                f.latency = .fixed(ms)
            } else if let lp = l.objectPairs, let lo = l["min"]?.int64Value, let hi = l["max"]?.int64Value, lo >= 0, hi >= lo, hi <= 600_000 {
                try FaultPlan.checkKeys(lp, ["min", "max"], at: "\(place).latencyMs")
                f.latency = .uniform(lo, hi)
            } else {
                throw PlanError("\(place): 'latencyMs' is a number of milliseconds or {\"min\": a, \"max\": b} (at most 600000)")
            }
        }
        f.socket = try socketFault(v, at: place)
        if f.code == nil && f.latency == nil && f.socket == nil {
            throw PlanError("\(place) does nothing: give 'code', 'httpStatus', 'latencyMs' or 'socket'")
        }
        return f
    }

    static let socketKinds = ["reset", "empty", "garbage", "truncated", "trickle"]

    /// The entry's `socket` (with `trickleMs` for a trickle), if it has one.
    private static func socketFault(_ v: JSONValue, at place: String) throws -> SocketFault? {
        let trickleMs = v["trickleMs"]
        guard let raw = v["socket"] else {
            if trickleMs != nil { throw PlanError("\(place): 'trickleMs' goes with \"socket\": \"trickle\"") }
            return nil
        }
        guard let kind = raw.stringValue, socketKinds.contains(kind) else {
            throw PlanError("\(place): 'socket' is one of \(socketKinds.joined(separator: ", "))")
        }
        guard (kind == "trickle") == (trickleMs != nil) else {
            throw PlanError("\(place): a trickle needs 'trickleMs' (the answer's total time), and only a trickle takes it")
        }
        switch kind {
        case "reset": return .reset
        case "empty": return .empty
        case "garbage": return .garbage
        case "truncated": return .truncated
        default:
            guard let ms = trickleMs?.int64Value, ms > 0, ms <= 600_000 else {
                throw PlanError("\(place): 'trickleMs' is a whole number of milliseconds, 1 … 600000")
            }
            return .trickle(totalMs: Int(ms))
        }
    }

    func matches(method m: String, path: ArraySlice<Substring>) -> Bool {
        if let method, method != m { return false }
        var i = path.startIndex
        for (n, seg) in pattern.enumerated() {
            if seg == "**" && n == pattern.count - 1 { return true }
            guard i < path.endIndex else { return false }
            if seg != "*" && seg != path[i] { return false }
            i += 1
        }
        return i == path.endIndex
    }
}

/// A plan the control plane refuses, with the reason.
struct PlanError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A small seeded generator (SplitMix64), so a plan with a seed fires the same way every run.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension JSONValue {
    /// The value as a number, if it is one.
    var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}
