/// A JSON value whose objects keep their keys in order, so answers match the documentation's
/// field order byte for byte. Serialized straight to UTF-8 bytes.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value at `key` of an object (first match), or nil.
    public subscript(key: String) -> JSONValue? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }

    /// Compact (`f=json`) or indented (`f=pjson`) UTF-8 bytes.
    public func serialized(pretty: Bool = false) -> [UInt8] {
        var w = JSONWriter(pretty: pretty, capacity: 512)
        write(to: &w, indent: 0)
        return w.bytes
    }

    public func serializedString(pretty: Bool = false) -> String {
        String(decoding: serialized(pretty: pretty), as: UTF8.self)
    }

    /// Strings and integers as ``JSONWriter`` writes them (one escaper for every answer); commas and
    /// new lines placed here, at any depth.
    private func write(to w: inout JSONWriter, indent: Int) {
        switch self {
        case .null: w.literal("null")
        case .bool(let b): w.literal(b ? "true" : "false")
        case .int(let i): w.int(i)
        case .double(let d):
            if d.isFinite {
                if d == d.rounded(), abs(d) < 1e15 { w.int(Int64(d)) } else { w.literal("\(d)") }
            } else { w.literal("null") }
        case .string(let s): w.string(s)
        case .array(let items):
            if items.isEmpty { w.literal("[]"); return }
            w.byte(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                if w.pretty { w.lineBreak(indent: indent + 1) }
                item.write(to: &w, indent: indent + 1)
            }
            if w.pretty { w.lineBreak(indent: indent) }
            w.byte(UInt8(ascii: "]"))
        case .object(let pairs):
            if pairs.isEmpty { w.literal("{}"); return }
            w.byte(UInt8(ascii: "{"))
            for (i, (k, v)) in pairs.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                if w.pretty { w.lineBreak(indent: indent + 1) }
                w.string(k)
                w.byte(UInt8(ascii: ":"))
                if w.pretty { w.byte(UInt8(ascii: " ")) }
                v.write(to: &w, indent: indent + 1)
            }
            if w.pretty { w.lineBreak(indent: indent) }
            w.byte(UInt8(ascii: "}"))
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Keeps the literal's key order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    public init(_ s: String) { self = .string(s) }
    public init(_ i: Int64) { self = .int(i) }
    public init(_ i: Int) { self = .int(Int64(i)) }
    public init(_ strings: [String]) { self = .array(strings.map(JSONValue.string)) }
}
