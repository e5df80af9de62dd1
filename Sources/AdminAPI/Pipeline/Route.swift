import DisasterRecovery
import HTTPServer

/// One request as a handler sees it: the request, the deployment it addresses, the path's
/// parameters, and the signed-in user.
struct Call {
    let request: Request
    let deployment: Deployment
    let context: String
    /// The values of the route's `{name}` segments, by name: `call.pathParameter("store")`.
    let pathParameters: PathParameters
    let user: User?
    /// `--strict` is on: unknown settings keys are refused too.
    var strict = false

    /// A parameter from the form body, or else the query string. `None` and empty mean "not given" (decision 8).
    func param(_ name: String) -> String? {
        let raw = request.formValue(name) ?? request.queryValue(name)
        guard let v = raw, !v.isEmpty, v != "None", v != "null" else { return nil }
        return v
    }

    /// The value of the route's `{name}` segment (e.g. `store` in `stores/{store}/update`).
    func pathParameter(_ name: String) -> String { pathParameters[name] }

    func required(_ name: String) throws -> String {
        guard let v = param(name) else { throw AdminError.missingParameter(name) }
        return v
    }

    /// An integer parameter; throws 400 naming it when it is not a whole number.
    func integer(_ name: String) throws -> Int64? {
        guard let v = param(name) else { return nil }
        guard let i = Int64(v.trimmingSpaces) else {
            throw AdminError.invalidParameter(name, "'\(name)' must be a whole number, not '\(v.prefix(64))'.")
        }
        return i
    }

    /// `http(s)://host[:port]` as the client addressed us (Host header), for absolute URLs such as `jobsUrl`.
    var origin: String {
        let scheme = request.isTLS ? "https" : "http"
        let host = request.header("host") ?? ""
        let allowed = host.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 58 || c == 91 || c == 93 || c == 95
        }
        return "\(scheme)://\(host.isEmpty || !allowed || host.count > 255 ? "localhost" : host)"
    }

    /// The request path with the context, e.g. `/arcgis/admin/jobs`.
    var path: String { request.path }
}

extension String {
    var trimmingSpaces: Substring {
        var s = self[...]
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}

/// The values of a route's `{name}` segments, found by name (Hummingbird's `parameters.get`).
struct PathParameters: Sendable {
    let names: [String]
    let values: [String]

    /// The value of `{name}`; a route asking for a name its pattern lacks is a programming error.
    subscript(name: String) -> String {
        guard let i = names.firstIndex(of: name), i < values.count else {
            preconditionFailure("the route has no path parameter {\(name)} (it has \(names))")
        }
        return values[i]
    }
}

/// Who may call a route.
enum Access: Sendable {
    /// No token needed (the token service itself).
    case open
    /// A valid token of any user (the Portal sign-in resources, e.g. `community/self`).
    case signedIn
    /// A valid token of a user holding this privilege.
    case privilege(String)
}

/// One resource or operation of the emulated API.
struct Route: Sendable {
    enum Segment: Sendable, Equatable {
        case literal(String)
        case param
    }
    let method: String
    /// The path after the context as written, e.g. `admin/jobs/{job}` (for the OpenAPI document).
    let pattern: String
    let segments: [Segment]
    let access: Access
    /// The HTML page title.
    let title: String
    /// What the route answers: a JSON resource (rendered as json, pjson or an html page), or a whole
    /// HTTP response (sign-in pages, redirects).
    enum Answer: Sendable {
        case resource(@Sendable (Call) throws -> JSONValue)
        case page(@Sendable (Call) throws -> Response)
    }
    let answer: Answer
    /// The release feature this route needs; under `--strict` it is a 404 at releases without it.
    var requires: Release.Feature? = nil
    /// Under `--strict`, the parameters this route accepts besides `f` and `token`; a name may end in
    /// `@feature` (e.g. `async@asyncOperations`) when only some releases know it. Nil: not checked.
    var parameters: [String]? = nil
    /// Decision 6: answers even while a restore has the organization offline (the status resources).
    var staysOnline = false
    /// The whole-response handler of a ``Answer/page`` route; nil for a resource.
    var page: (@Sendable (Call) throws -> Response)? {
        if case .page(let body) = answer { return body }
        return nil
    }
    /// Answer JSON when the request names no `f` (OAuth clients send none), instead of html.
    var jsonByDefault = false
    /// The rendered answer may be kept in the ``AnswerCache`` and served again while the deployment's
    /// answer validity holds (see ``AnswerCache``). Only for a GET whose answer depends on nothing but
    /// the path, the format, the deployment's stores, backups, jobs, users and profile, and the jobs'
    /// progress on the clock.
    var cached = false
    /// The answer shows elapsed times (a running stage's, the job's overall duration), which move with
    /// every millisecond while a job runs: a cached answer then holds for its millisecond only.
    var showsElapsedTime = false
    /// For a big answer: the `f=json`/`f=pjson` body (the flag: pretty), written directly in the very
    /// bytes the resource's value would serialize to, whole or streamed; the resource still makes the HTML page.
    var writer: (@Sendable (Call, Bool) throws -> BackupList)? = nil
    /// Routes with more literal segments win (`backups/create` before `backups/{backup}`).
    let literalCount: Int
    /// The names of the `{name}` segments, in order.
    let parameterNames: [String]

    /// `pattern` is the path after the context, with `{name}` for parameters, e.g. `admin/jobs/{job}`.
    init(_ method: String, _ pattern: String, access: Access, title: String,
         _ handler: @escaping @Sendable (Call) throws -> JSONValue) {
        self.init(method, pattern, access: access, title: title, answer: .resource(handler))
    }

    init(_ method: String, _ pattern: String, access: Access, title: String, answer: Answer) {
        self.method = method
        self.pattern = pattern
        (segments, literalCount) = Self.shape(of: pattern)
        parameterNames = Self.parameterNames(of: pattern)
        self.access = access
        self.title = title
        self.answer = answer
    }

    /// The resource this route answers for `call` (a page route has none: it answers a response).
    func resource(_ call: Call) throws -> JSONValue {
        guard case .resource(let handler) = answer else {
            throw AdminError.internalError("'\(pattern)' answers a page, not a resource.")
        }
        return try handler(call)
    }

    /// The names of a pattern's `{name}` segments, in order.
    static func parameterNames(of pattern: String) -> [String] {
        pattern.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
    }

    /// A pattern's segments (`{name}`: a parameter) and how many are literal, read from its bytes in
    /// one pass (about a hundred routes are made at every start). Patterns are ASCII.
    static func shape(of pattern: String) -> ([Segment], Int) {
        var pattern = pattern
        return pattern.withUTF8 { bytes in
            precondition(!bytes.contains { $0 >= 0x80 }, "route patterns are ASCII")
            var segments: [Segment] = []
            segments.reserveCapacity(bytes.count / 4 + 1)
            var literals = 0, start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                if start != i {
                    if bytes[start] == UInt8(ascii: "{") {
                        segments.append(.param)
                    } else {
                        segments.append(.literal(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)))
                        literals += 1
                    }
                }
                start = i + 1
            }
            return (segments, literals)
        }
    }

    /// The non-empty `/`-separated segments of a path, as `path.split(separator: "/")` gives them.
    /// An ASCII path (the usual case) is split on its bytes, without Character processing.
    static func segments(of path: String) -> [Substring] {
        let utf8 = path.utf8
        let split: [Substring]?? = utf8.withContiguousStorageIfAvailable { bytes -> [Substring]? in
            guard !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            var parts: [Substring] = []
            var start = 0
            for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: "/") {
                if start != i {
                    parts.append(path[utf8.index(utf8.startIndex, offsetBy: start)..<utf8.index(utf8.startIndex, offsetBy: i)])
                }
                start = i + 1
            }
            return parts
        }
        if let split, let parts = split { return parts }
        return path.split(separator: "/")
    }

    /// The parameter values if `path` (split, after the context) fits this route's shape.
    func match(_ path: ArraySlice<Substring>) -> [String]? {
        Self.match(segments, path)
    }

    /// The parameter values if `path` fits the shape `segments`.
    static func match(_ segments: [Segment], _ path: ArraySlice<Substring>) -> [String]? {
        guard path.count == segments.count else { return nil }
        var params: [String] = []
        var part = path.startIndex
        for segment in segments {
            defer { part += 1 }
            switch segment {
            case .literal(let literal): if !Self.literal(literal, matches: path[part]) { return nil }
            case .param: params.append(String(path[part]))
            }
        }
        return params
    }

    /// Whether a path segment equals a literal segment (ASCII, see `init`) as Strings compare. A part of
    /// the same UTF-8 length is equal exactly when its bytes are, and a shorter one never is; only a
    /// longer (non-ASCII) one needs String's comparison, which treats canonically equivalent text
    /// (e.g. U+212A KELVIN SIGN for K) as equal.
    static func literal(_ literal: String, matches part: Substring) -> Bool {
        var literal = literal, part = part
        let literalCount = literal.utf8.count, partCount = part.utf8.count
        if literalCount == partCount {
            return literal.withUTF8 { a in
                part.withUTF8 { b in
                    for i in 0..<a.count where a[i] != b[i] { return false }
                    return true
                }
            }
        }
        return partCount > literalCount && literal == part
    }

    /// This route, needing `feature` at the chosen release (checked under `--strict`).
    func requiring(_ feature: Release.Feature) -> Route { var r = self; r.requires = feature; return r }
    /// This route, accepting only `names` (besides `f` and `token`) under `--strict`.
    func accepting(_ names: String...) -> Route { var r = self; r.parameters = names; return r }
    /// This route, answering during a restore's offline window.
    var online: Route { var r = self; r.staysOnline = true; return r }
    /// This route, with its answers kept in the ``AnswerCache``.
    var cachedAnswers: Route { var r = self; r.cached = true; return r }
    /// This route, showing elapsed times (see ``showsElapsedTime``).
    var showingElapsedTime: Route { var r = self; r.showsElapsedTime = true; return r }
    /// This route, writing its json and pjson bodies with `write` (see ``writer``).
    func writing(_ write: @escaping @Sendable (Call, Bool) throws -> BackupList) -> Route { var r = self; r.writer = write; return r }
}
