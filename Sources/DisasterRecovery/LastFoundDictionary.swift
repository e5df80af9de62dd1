/// A dictionary keyed by text that remembers the entry it found last, so that a run of lookups of
/// one key (every request of a client polling one path, in one context) costs one comparison of
/// the texts instead of hashing one (Swift's SipHash over every byte) and probing the table. Keys
/// are compared as `Dictionary` compares them (`==`, canonical equivalence), so it finds exactly what
/// the dictionary would; a key whose text is the same object as the remembered one is equal at once.
public struct LastFoundDictionary<Value> {
    @usableFromInline var entries: [String: Value] = [:]
    @usableFromInline var last: (key: String, value: Value)?

    // Inlinable, so that each module's use is specialized for its value type (no generic calls per request).
    @inlinable public init() {}

    /// The value for `key`, if any; remembered when found in the table.
    @inlinable public mutating func find(_ key: String) -> Value? {
        if let last, last.key == key { return last.value }
        guard let value = entries[key] else { return nil }
        last = (key, value)
        return value
    }

    /// The value for `key`. Setting it (or nil, to remove it) keeps the remembered entry true.
    @inlinable public subscript(key: String) -> Value? {
        get {
            if let last, last.key == key { return last.value }
            return entries[key]
        }
        set {
            entries[key] = newValue
            if let last, last.key == key { self.last = newValue.map { (key, $0) } }
        }
    }

    @inlinable public var count: Int { entries.count }
    @inlinable public var keys: Dictionary<String, Value>.Keys { entries.keys }

    @inlinable public mutating func removeAll() {
        entries.removeAll()
        last = nil
    }
}

extension LastFoundDictionary: Sendable where Value: Sendable {}
