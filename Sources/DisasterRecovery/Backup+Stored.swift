/// A fast path for reading the catalog's backup records at start-up.
///
/// `JSONDecoder` spends about 25 µs on each stored backup (its generic keyed containers), which
/// made a catalog of 10,000 backups take seconds to open. This reads the records the catalog
/// writes (plain JSON objects) directly. It accepts only what it is sure of: any record it cannot
/// read exactly as `JSONDecoder` would (a missing, duplicate or null key, a number that is not a
/// plain integer, anything unusual) gives nil, and the caller decodes that record with
/// `JSONDecoder`, so the result and the errors are the same as before.
extension Backup {
    init?(storedJSON body: String) {
        var body = body
        let parsed: StoredJSON? = body.withUTF8 { bytes in
            var reader = StoredJSONReader(bytes: bytes)
            guard let value = reader.value() else { return nil }
            reader.skipSpace()
            return reader.position == bytes.count ? value : nil
        }
        guard let object = parsed?.object else { return nil }
        do {
            release = try object.string("release")
            siteName = try object.string("siteName")
            description = try object.string("description")
            completeTime = try object.int("completeTime")
            backupStore = try object.string("backupStore")
            retentionDate = try object.int("retentionDate")
            encryptKey = try object.string("encryptKey")
            backupType = try object.string("backupType")
            relationalStore = try object.array("relationalStore").map { item in
                let r = try item.requireObject()
                return RelationalStorePart(
                    metadata: try r.string("metadata"),
                    geodatabases: try r.array("geodatabases").map { g in
                        let o = try g.requireObject()
                        return Geodatabase(gdbName: try o.string("gdbName"), egdbID: try o.string("egdbID"))
                    },
                    systemDatabases: try r.strings("systemDatabases"), startTime: try r.int("startTime"),
                    clusterID: try r.string("clusterID"), endTime: try r.int("endTime"), status: try r.string("status"))
            }
            scheduleType = try object.string("scheduleType")
            objectStore = try object.array("objectStore").map { item in
                let o = try item.requireObject()
                return ObjectStorePart(
                    metadata: try o.string("metadata"), buckets: try o.strings("buckets"), startTime: try o.int("startTime"),
                    clusterID: try o.string("clusterID"), endTime: try o.int("endTime"), status: try o.string("status"))
            }
            namespace = try object.string("namespace")
            startTime = try object.int("startTime")
            let infra = try object.object("infrastructures")
            infrastructures = Infrastructures(startTime: try infra.int("startTime"), endTime: try infra.int("endTime"),
                                              status: try infra.string("status"))
            category = try object.string("category")
            backupName = try object.string("backupName")
            status = try object.string("status")
            passcodeHash = try object.string("passcodeHash")
            // Optional parts (a restore's captured state, a detached volume) are left to JSONDecoder.
            guard !object.members.contains(where: { $0.key == "captured" || $0.key == "detachedVolume" }) else { return nil }
            captured = nil
            detachedVolume = nil
        } catch {
            return nil
        }
    }
}

/// What the fast path reads: JSON with integers only (anything else is refused).
enum StoredJSON {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    case array([StoredJSON])
    case object(StoredObject)

    struct Refused: Error {}

    var object: StoredObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    func requireObject() throws -> StoredObject {
        guard let o = object else { throw Refused() }
        return o
    }
}

/// An object's members; a key given twice is refused when read.
struct StoredObject {
    var members: [(key: String, value: StoredJSON)]

    func value(_ key: String) throws -> StoredJSON {
        var found: StoredJSON? = nil
        for m in members where m.key == key {
            guard found == nil else { throw StoredJSON.Refused() }
            found = m.value
        }
        guard let found else { throw StoredJSON.Refused() }
        return found
    }

    func string(_ key: String) throws -> String {
        guard case .string(let s) = try value(key) else { throw StoredJSON.Refused() }
        return s
    }

    func int(_ key: String) throws -> Int64 {
        guard case .int(let i) = try value(key) else { throw StoredJSON.Refused() }
        return i
    }

    func array(_ key: String) throws -> [StoredJSON] {
        guard case .array(let a) = try value(key) else { throw StoredJSON.Refused() }
        return a
    }

    func object(_ key: String) throws -> StoredObject {
        try value(key).requireObject()
    }

    func strings(_ key: String) throws -> [String] {
        try array(key).map { item in
            guard case .string(let s) = item else { throw StoredJSON.Refused() }
            return s
        }
    }
}

/// A strict reader of UTF-8 JSON text; nil for anything it does not accept.
struct StoredJSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    var depth = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x0a, 0x0d, 0x09].contains(bytes[position]) { position += 1 }
    }

    mutating func value() -> StoredJSON? {
        skipSpace()
        guard position < bytes.count else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string().map(StoredJSON.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return integer()
        }
    }

    private mutating func literal(_ word: StaticString, _ value: StoredJSON) -> StoredJSON? {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return nil }
        for i in 0..<count where bytes[position + i] != word.utf8Start[i] { return nil }
        position += count
        return value
    }

    /// `-?(0|[1-9][0-9]*)` that fits an Int64 and is not followed by a fraction or exponent.
    private mutating func integer() -> StoredJSON? {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 { position += 1 }
        let digits = position - digitsStart
        guard digits > 0, digits <= 19, !(digits > 1 && bytes[digitsStart] == 48) else { return nil }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) { return nil }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        return Int64(text).map(StoredJSON.int)
    }

    private mutating func string() -> String? {
        position += 1   // the opening quote
        let start = position
        // Fast: no escapes.
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            position += 1
        }
        // Slow: escapes.
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case 0..<0x20: return nil
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { return nil }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let unit = hex4() else { return nil }
                    var scalar: Unicode.Scalar?
                    if (0xD800...0xDBFF).contains(unit) {
                        guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else { return nil }
                        position += 2
                        guard let low = hex4(), (0xDC00...0xDFFF).contains(low) else { return nil }
                        scalar = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                    } else {
                        scalar = Unicode.Scalar(unit)   // nil for a lone low surrogate
                    }
                    guard let scalar else { return nil }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: return nil
                }
            default: out.append(b)
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            position += 1
            switch c {
            case 48...57: v = v << 4 | UInt32(c - 48)
            case 97...102: v = v << 4 | UInt32(c - 87)
            case 65...70: v = v << 4 | UInt32(c - 55)
            default: return nil
            }
        }
        return v
    }

    private mutating func array() -> StoredJSON? {
        depth += 1
        guard depth <= 32 else { return nil }
        defer { depth -= 1 }
        position += 1
        var items: [StoredJSON] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            guard let item = value() else { return nil }
            items.append(item)
            skipSpace()
            guard position < bytes.count else { return nil }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            return nil
        }
    }

    private mutating func object() -> StoredJSON? {
        depth += 1
        guard depth <= 32 else { return nil }
        defer { depth -= 1 }
        position += 1
        var members: [(key: String, value: StoredJSON)] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(StoredObject(members: members)) }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\""), let key = string() else { return nil }
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
            position += 1
            guard let item = value() else { return nil }
            members.append((key, item))
            skipSpace()
            guard position < bytes.count else { return nil }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(StoredObject(members: members)) }
            return nil
        }
    }
}
