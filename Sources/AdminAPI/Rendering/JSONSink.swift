/// What a wire shape is written to: JSONWriter (bytes, for the lists and streams) or JSONValueBuilder
/// (a value, for the f=html pages and one backup's answer). A shape written once to a sink is the one
/// copy of it.
protocol JSONSink: ~Copyable {
    mutating func beginObject()
    mutating func endObject()
    mutating func beginArray()
    mutating func endArray()
    mutating func key(_ k: StaticString)
    /// Before each element of an array.
    mutating func arrayItem()
    mutating func string(_ s: String)
    mutating func int(_ i: Int64)
}

extension JSONSink where Self: ~Copyable {
    mutating func field(_ k: StaticString, _ s: String) { key(k); string(s) }
    mutating func field(_ k: StaticString, _ i: Int64) { key(k); int(i) }

    mutating func strings(_ values: [String]) {
        beginArray()
        for v in values { arrayItem(); string(v) }
        endArray()
    }
}

/// Builds a ``JSONValue`` from what a shape writes (``JSONSink``). Each open container is changed in
/// place on its own stack (no copy of a growing array per member).
struct JSONValueBuilder: JSONSink {
    /// Open objects' members and open arrays' items, innermost last; `isObject` says which is innermost.
    private var objects: [[(String, JSONValue)]] = []
    private var arrays: [[JSONValue]] = []
    private var isObject: [Bool] = []
    /// The key the next value goes under, and the key each open container was opened under.
    private var pendingKey = ""
    private var keys: [String] = []
    /// The value written, once its outermost container has ended.
    private(set) var value: JSONValue = .null

    private mutating func add(_ v: JSONValue) {
        guard let inObject = isObject.last else { value = v; return }
        if inObject {
            objects[objects.count - 1].append((pendingKey, v))
        } else {
            arrays[arrays.count - 1].append(v)
        }
    }

    mutating func beginObject() { keys.append(pendingKey); objects.append([]); isObject.append(true) }
    mutating func endObject() {
        guard isObject.popLast() == true, let pairs = objects.popLast() else { return }
        pendingKey = keys.popLast() ?? ""
        add(.object(pairs))
    }
    mutating func beginArray() { keys.append(pendingKey); arrays.append([]); isObject.append(false) }
    mutating func endArray() {
        guard isObject.popLast() == false, let items = arrays.popLast() else { return }
        pendingKey = keys.popLast() ?? ""
        add(.array(items))
    }
    mutating func key(_ k: StaticString) { pendingKey = k.description }
    mutating func arrayItem() {}
    mutating func string(_ s: String) { add(.string(s)) }
    mutating func int(_ i: Int64) { add(.int(i)) }
}
