import AdminAPI

/// The shape of a JSON answer: the path of every field (`$.backupStores[].name`, array elements
/// merged under `[]`) and its JSON types. Values are left out: ids, times and names legitimately
/// differ between two deployments; field names and types do not.
struct AnswerShape: Equatable {
    /// Path -> JSON types seen there (`string`, `number`, `boolean`, `null`, `object`, `array`).
    var types: [String: Set<String>] = [:]
    /// Arrays that are empty: their elements' fields cannot be compared.
    var emptyArrays: Set<String> = []

    /// Objects whose keys are data, not field names (a store's `labels`): only their type counts.
    static let keyedByData: Set<String> = ["labels"]

    init(_ value: JSONValue) { walk(value, "$", key: "") }

    private mutating func walk(_ value: JSONValue, _ path: String, key: String) {
        types[path, default: []].insert(Self.typeName(value))
        switch value {
        case .object(let pairs) where !Self.keyedByData.contains(key):
            for (k, v) in pairs { walk(v, path + "." + k, key: k) }
        case .array(let items):
            if items.isEmpty { emptyArrays.insert(path) }
            for item in items { walk(item, path + "[]", key: key) }
        default:
            break
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The path one level up (`$.a.b[]` -> `$.a.b`, `$.a.b` -> `$.a`).
    static func parent(of path: String) -> String? {
        if path.hasSuffix("[]") { return String(path.dropLast(2)) }
        guard let dot = path.lastIndex(of: "."), path != "$" else { return nil }
        return String(path[..<dot])
    }

    /// Where `target` differs from `drmock`: fields missing or extra (only the outermost of a missing
    /// subtree), and types that differ. Fields under an array that is empty on either side are not
    /// compared.
    static func differences(target: AnswerShape, drmock: AnswerShape) -> [Difference] {
        let empty = target.emptyArrays.union(drmock.emptyArrays)
        var out: [Difference] = []
        for path in Set(target.types.keys).union(drmock.types.keys).sorted() {
            if empty.contains(where: { path.hasPrefix($0 + "[]") }) { continue }
            let t = target.types[path], d = drmock.types[path]
            switch (t, d) {
            case (nil, let d?):
                if let p = parent(of: path), target.types[p] == nil { continue }
                out.append(Difference(aspect: .field, path: path, target: "missing", drmock: describe(d)))
            case (let t?, nil):
                if let p = parent(of: path), drmock.types[p] == nil { continue }
                out.append(Difference(aspect: .field, path: path, target: describe(t), drmock: "missing"))
            case (let t?, let d?) where t != d:
                out.append(Difference(aspect: .type, path: path, target: describe(t), drmock: describe(d)))
            default:
                break
            }
        }
        return out
    }

    static func describe(_ types: Set<String>) -> String { types.sorted().joined(separator: " or ") }
}

/// Values whose form (not content) is part of the API: the stage names of a job, the format of
/// durations, and the error envelope's code, message and details type.
enum AnswerValues {
    /// Each value at a path ending in `.stages[].name`, in order.
    static func stageNames(_ value: JSONValue, path: String = "$") -> [String: [String]] {
        var out: [String: [String]] = [:]
        collect(value, path) { path, key, v in
            if key == "name", path.hasSuffix(".stages[].name"), let s = v.stringValue { out[path, default: []].append(s) }
        }
        return out
    }

    /// The formats of durations (fields named `…duration…`), digits folded to `N`:
    /// `3096 millis (~ 0 minutes)` is `N millis (~ N minutes)`.
    static func durationFormats(_ value: JSONValue) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        collect(value, "$") { path, key, v in
            guard key.lowercased().contains("duration") else { return }
            out[path, default: []].insert(v.stringValue.map(format) ?? AnswerShape.typeName(v))
        }
        return out
    }

    static func format(_ s: String) -> String {
        var out = "", inDigits = false
        for ch in s {
            if ch.isASCII && ch.isNumber {
                if !inDigits { out.append("N") }
                inDigits = true
            } else {
                out.append(ch)
                inDigits = false
            }
        }
        return out
    }

    private static func collect(_ value: JSONValue, _ path: String, key: String = "", _ visit: (String, String, JSONValue) -> Void) {
        visit(path, key, value)
        switch value {
        case .object(let pairs): for (k, v) in pairs { collect(v, path + "." + k, key: k, visit) }
        case .array(let items): for item in items { collect(item, path + "[]", key: key, visit) }
        default: break
        }
    }

    /// Child resources and operations a directory lists, stage names, duration formats and the error envelope, where `target` differs from `drmock`.
    static func differences(target: JSONValue, drmock: JSONValue) -> [Difference] {
        var out: [Difference] = []
        let ts = stageNames(target), ds = stageNames(drmock)
        for path in Set(ts.keys).intersection(ds.keys).sorted() where ts[path] != ds[path] {
            out.append(Difference(aspect: .stageNames, path: path, target: ts[path]!.joined(separator: ", "),
                                  drmock: ds[path]!.joined(separator: ", ")))
        }
        for key in ["resources", "operations"] {
            let t = Set(target[key]?.arrayValue?.compactMap(\.stringValue) ?? []), d = Set(drmock[key]?.arrayValue?.compactMap(\.stringValue) ?? [])
            for name in d.subtracting(t).sorted() {
                out.append(Difference(aspect: .childResource, path: "$.\(key)", target: "no '\(name)'", drmock: "'\(name)'"))
            }
            for name in t.subtracting(d).sorted() {
                out.append(Difference(aspect: .childResource, path: "$.\(key)", target: "'\(name)'", drmock: "no '\(name)'"))
            }
        }
        let tf = durationFormats(target), df = durationFormats(drmock)
        for path in Set(tf.keys).intersection(df.keys).sorted() where tf[path] != df[path] {
            out.append(Difference(aspect: .durationFormat, path: path, target: AnswerShape.describe(tf[path]!),
                                  drmock: AnswerShape.describe(df[path]!)))
        }
        out += envelopeDifferences(target: target["error"], drmock: drmock["error"])
        return out
    }

    static func envelopeDifferences(target: JSONValue?, drmock: JSONValue?) -> [Difference] {
        switch (target, drmock) {
        case (nil, nil):
            return []
        case (nil, _?):
            return [Difference(aspect: .errorEnvelope, path: "$.error", target: "no error", drmock: "an error")]
        case (_?, nil):
            return [Difference(aspect: .errorEnvelope, path: "$.error", target: "an error", drmock: "no error")]
        case (let t?, let d?):
            var out: [Difference] = []
            func text(_ v: JSONValue?) -> String { v.map { $0.stringValue ?? $0.serializedString() } ?? "missing" }
            if text(t["code"]) != text(d["code"]) {
                out.append(Difference(aspect: .errorCode, path: "$.error.code", target: text(t["code"]), drmock: text(d["code"])))
            }
            if text(t["message"]) != text(d["message"]) {
                out.append(Difference(aspect: .errorMessage, path: "$.error.message", target: text(t["message"]), drmock: text(d["message"])))
            }
            let tt = t["details"].map(detailsType) ?? "missing", dt = d["details"].map(detailsType) ?? "missing"
            let eitherEmpty = tt == "array" || dt == "array"
            if tt != dt && !(eitherEmpty && tt.hasPrefix("array") && dt.hasPrefix("array")) { out.append(Difference(aspect: .detailsType, path: "$.error.details", target: tt, drmock: dt)) }
            return out
        }
    }

    /// `array of string`, `array` (empty), `string`, …
    static func detailsType(_ v: JSONValue) -> String {
        guard case .array(let items) = v else { return AnswerShape.typeName(v) }
        let kinds = Set(items.map(AnswerShape.typeName))
        return kinds.isEmpty ? "array" : "array of " + AnswerShape.describe(kinds)
    }
}
