import AdminAPI

/// One way a deployment's answer differs from drmock's for the same request.
public struct Difference: Sendable, Equatable {
    public enum Aspect: String, Sendable, CaseIterable {
        case status = "HTTP status"
        case contentType = "content type"
        case notJSON = "not JSON"
        case field
        case type = "JSON type"
        /// A child resource or operation a directory resource lists.
        case childResource = "listed resource"
        case stageNames = "stage names"
        case durationFormat = "duration format"
        case errorEnvelope = "error envelope"
        case errorCode = "error code"
        case errorMessage = "error message"
        case detailsType = "details type"
        case tokenLifetime = "token lifetime"
    }
    public var aspect: Aspect
    /// Where in the answer (`$.backupStores[].supportBDSBackup`), or "" for the whole answer.
    public var path: String
    /// What the deployment answered there, and what drmock answered.
    public var target: String
    public var drmock: String

    var json: JSONValue {
        ["aspect": .string(aspect.rawValue), "path": .string(path), "target": .string(target), "drmock": .string(drmock)]
    }
}

/// What one check found.
public struct CheckResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case same
        case differs([Difference])
        /// Not compared, and why (e.g. the deployment has no job to read).
        case skipped(String)
    }
    /// The check's name, e.g. `stores`.
    public var name: String
    /// The request as sent to the deployment, masked (`GET /<context>/admin/...?f=json&token=***`).
    public var request: String
    public var outcome: Outcome
    /// Both answers (masked), kept for the JSON report when they differ.
    public var targetAnswer: JSONValue = .null
    public var drmockAnswer: JSONValue = .null

    public var differences: [Difference] {
        if case .differs(let d) = outcome { return d }
        return []
    }
}

/// A run's results: the table, the JSON report and the exit status.
public struct ConformanceReport: Sendable {
    public var target: String
    public var release: String
    public var drmockVersion: String
    public var results: [CheckResult]

    public var differenceCount: Int { results.reduce(0) { $0 + $1.differences.count } }
    /// 0: nothing differs; 1: something does (2, could not run, is the caller's).
    public var exitStatus: Int32 { differenceCount == 0 ? 0 : 1 }

    /// The readable table: one line per check, each difference under its check.
    public var table: String {
        let width = max(28, (results.map(\.name.count).max() ?? 0) + 2)
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
        var out = "drmock conformance: \(target) (release \(release)) against drmock \(drmockVersion)\n\n"
        out += pad("CHECK", width) + "RESULT\n"
        for r in results {
            switch r.outcome {
            case .same: out += pad(r.name, width) + "same\n"
            case .skipped(let why): out += pad(r.name, width) + "skipped: \(why)\n"
            case .differs(let ds):
                out += pad(r.name, width) + (ds.count == 1 ? "1 difference" : "\(ds.count) differences") + "  (\(r.request))\n"
                for d in ds {
                    let place = d.path.isEmpty ? "" : " \(d.path)"
                    out += "    \(d.aspect.rawValue)\(place): deployment \(d.target), drmock \(d.drmock)\n"
                }
            }
        }
        let differing = results.filter { !$0.differences.isEmpty }.count
        let skipped = results.filter { if case .skipped = $0.outcome { true } else { false } }.count
        out += "\n\(results.count) checks: \(results.count - differing - skipped) same, \(differing) differ (\(differenceCount) differences), \(skipped) skipped\n"
        return out
    }

    /// `--json FILE`: every check, and for each difference its request and both answers, masked.
    public var json: JSONValue {
        .object([
            ("target", .string(target)), ("release", .string(release)), ("drmockVersion", .string(drmockVersion)),
            ("differences", .int(Int64(differenceCount))),
            ("checks", .array(results.map { r in
                var pairs: [(String, JSONValue)] = [("name", .string(r.name)), ("request", .string(r.request))]
                switch r.outcome {
                case .same: pairs.append(("result", "same"))
                case .skipped(let why): pairs += [("result", "skipped"), ("reason", .string(why))]
                case .differs(let ds):
                    pairs += [("result", "differs"), ("differences", .array(ds.map(\.json))),
                              ("answers", ["deployment": r.targetAnswer, "drmock": r.drmockAnswer])]
                }
                return .object(pairs)
            })),
        ])
    }
}
