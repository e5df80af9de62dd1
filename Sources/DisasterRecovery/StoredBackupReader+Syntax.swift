import FoundationEssentials

/// The JSON syntax ``StoredBackupReader`` reads a stored backup with: the keys, objects, arrays,
/// strings (with their escapes) and plain integers, each accepted only as `JSONDecoder` would read it.
extension StoredBackupReader {
    /// The keys a stored backup has.
    enum Key {
        case release, siteName, description, completeTime, backupStore, retentionDate, encryptKey, backupType
        case relationalStore, scheduleType, objectStore, namespace, startTime, infrastructures, category
        case backupName, status, passcodeHash, captured, detachedVolume
        case metadata, geodatabases, systemDatabases, clusterID, endTime, buckets, gdbName, egdbID
        case unknown

        /// Matched by length first, then compared with the few names of that length (no table to
        /// look up: this runs for every key of every stored backup).
        init(_ key: UnsafeBufferPointer<UInt8>) {
            // The names are 6 to 15 bytes long, and as long as `key` (the switch below): compared as
            // two words that overlap, no memcmp call.
            @inline(__always) func is_(_ name: StaticString) -> Bool {
                let n = key.count, k = UnsafeRawPointer(key.baseAddress!), m = UnsafeRawPointer(name.utf8Start)
                if n >= 8 {
                    return k.loadUnaligned(as: UInt64.self) == m.loadUnaligned(as: UInt64.self)
                        && k.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == m.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                }
                return k.loadUnaligned(as: UInt32.self) == m.loadUnaligned(as: UInt32.self)
                    && k.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == m.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            }
            guard key.count > 0 else { self = .unknown; return }
            switch key.count {
            case 6: self = is_("status") ? .status : is_("egdbID") ? .egdbID : .unknown
            case 7: self = is_("release") ? .release : is_("endTime") ? .endTime : is_("buckets") ? .buckets : is_("gdbName") ? .gdbName : .unknown
            case 8: self = is_("siteName") ? .siteName : is_("category") ? .category : is_("metadata") ? .metadata : is_("captured") ? .captured : .unknown
            case 9: self = is_("startTime") ? .startTime : is_("namespace") ? .namespace : is_("clusterID") ? .clusterID : .unknown
            case 10: self = is_("backupName") ? .backupName : is_("encryptKey") ? .encryptKey : is_("backupType") ? .backupType : .unknown
            case 11: self = is_("description") ? .description : is_("backupStore") ? .backupStore : is_("objectStore") ? .objectStore : .unknown
            case 12:
                self = is_("completeTime") ? .completeTime : is_("scheduleType") ? .scheduleType : is_("passcodeHash") ? .passcodeHash
                    : is_("geodatabases") ? .geodatabases : .unknown
            case 13: self = is_("retentionDate") ? .retentionDate : .unknown
            case 14: self = is_("detachedVolume") ? .detachedVolume : .unknown
            case 15:
                self = is_("relationalStore") ? .relationalStore : is_("infrastructures") ? .infrastructures
                    : is_("systemDatabases") ? .systemDatabases : .unknown
            default: self = .unknown
            }
        }
    }

    @inline(__always)
    mutating func skipSpace() {
        // The catalog writes no spaces: one look in the common case.
        guard position < bytes.count, bytes[position] <= 0x20 else { return }
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0a, 0x0d, 0x09: position += 1
            default: return
            }
        }
    }

    /// Skips spaces, then consumes `byte` if it comes next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    /// An object whose keys have no escapes; `member` reads each value (false: refused).
    mutating func members(_ member: (inout StoredBackupReader, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            guard consume(UInt8(ascii: "\"")) else { return false }
            let start = position
            guard scanPlain() else { return false }
            let key = UnsafeBufferPointer(rebasing: bytes[start..<position])
            position += 1
            guard consume(UInt8(ascii: ":")), member(&self, key) else { return false }
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// An array; `item` reads the element at each index. Room for `expecting` elements is made at
    /// once (the previous backup's count: no growing in the common case).
    mutating func array<T>(expecting: Int, _ item: (inout StoredBackupReader, Int) -> T?) -> [T]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var items: [T] = []
        if consume(UInt8(ascii: "]")) { return items }
        items.reserveCapacity(Swift.max(1, expecting))
        while true {
            guard let value = item(&self, items.count) else { return nil }
            items.append(consume value)
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "]")) ? items : nil
        }
    }

    /// `-?(0|[1-9][0-9]*)` that fits an Int64 and is not followed by a fraction or exponent.
    mutating func integer() -> Int64? {
        skipSpace()
        guard let p = bytes.baseAddress, position < bytes.count else { return nil }
        let end = bytes.count
        var i = position
        let negative = p[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        let digitsStart = i
        var magnitude: UInt64 = 0
        // Up to 18 digits cannot overflow: no checks for those.
        let unchecked = Swift.min(end, digitsStart + 18)
        while i < unchecked {
            let d = p[i] &- 48
            if d >= 10 { break }
            magnitude = magnitude &* 10 &+ UInt64(d)
            i += 1
        }
        while i < end, p[i] &- 48 < 10 {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(p[i] &- 48))
            guard !o1, !o2 else { return nil }
            magnitude = a
            i += 1
        }
        let digits = i - digitsStart
        guard digits > 0, !(digits > 1 && p[digitsStart] == 48) else { return nil }
        if i < end {
            let next = p[i]
            if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
        }
        position = i
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Reads a string into `value`, which is left as it is (its storage kept, nothing retained or
    /// released) when its UTF-8 bytes are the same; false if there is no string here.
    mutating func string(into value: inout String) -> Bool {
        guard consume(UInt8(ascii: "\"")) else { return false }
        let start = position
        if scanPlain() {
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
            position += 1
            if !sameBytes(value, raw) { value = String(decoding: raw, as: UTF8.self) }
            return true
        }
        position = start - 1
        guard let s = string(sharing: nil) else { return false }
        value = s
        return true
    }

    /// After a string's opening quote: moves to its closing quote and says true if no escape or
    /// control character comes first (else stops at that byte, or at the end, and says false).
    /// Eight bytes at a time while none of them is a quote, a backslash or a control character,
    /// then byte by byte from there.
    @inline(__always)
    mutating func scanPlain() -> Bool {
        if let base = bytes.baseAddress {
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while position + 8 <= bytes.count {
                // Little-endian, so that the first byte is the lowest: where the flag found is.
                let x = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
                let quote = x ^ (ones &* 0x22), backslash = x ^ (ones &* 0x5C)
                let special = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (x &- ones &* 0x20) & ~x) & highs
                if special != 0 {
                    // The lowest flagged byte is a real one (a false flag can only follow a real one).
                    position += special.trailingZeroBitCount >> 3
                    return bytes[position] == UInt8(ascii: "\"")
                }
                position += 8
            }
        }
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") { return true }
            if b == UInt8(ascii: "\\") || b < 0x20 { return false }
            position += 1
        }
        return false
    }

    /// A string; `shared` itself when its UTF-8 bytes are the same (no new storage).
    mutating func string(sharing shared: String?) -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = position
        if scanPlain() {
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<position])
            position += 1
            if let shared, sameBytes(shared, raw) { return shared }
            return String(decoding: raw, as: UTF8.self)
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

    mutating func hex4() -> UInt32? {
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

    /// Skips one JSON value (checked loosely: whoever reads its bytes checks them again); its range.
    mutating func skipValue(depth: Int = 0) -> Range<Int>? {
        skipSpace()
        guard position < bytes.count, depth < 64 else { return nil }
        let start = position
        switch bytes[position] {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = bytes[position] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            let isObject = close == UInt8(ascii: "}")
            position += 1
            if consume(close) { return start..<position }
            while true {
                if isObject {
                    guard string(sharing: nil) != nil, consume(UInt8(ascii: ":")) else { return nil }
                }
                guard skipValue(depth: depth + 1) != nil else { return nil }
                if consume(UInt8(ascii: ",")) { continue }
                return consume(close) ? start..<position : nil
            }
        case UInt8(ascii: "\""):
            return string(sharing: nil) != nil ? start..<position : nil
        default:
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), 48...57, 97...122, 65...90: position += 1
                default: return position > start ? start..<position : nil
                }
            }
            return position > start ? start..<position : nil
        }
    }
}
