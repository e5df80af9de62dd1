import DisasterRecovery
import HTTPServer

/// Writes JSON straight into a byte buffer, without building a ``JSONValue`` first, in exactly the
/// bytes ``JSONValue/serialized(pretty:)`` gives for the same value (compact, or indented by two
/// spaces with `": "` after keys; an empty array or object as `[]` or `{}`). Used where an answer is
/// big (a list of thousands of backups), so that rendering it makes no tree of small values.
///
/// It writes through a pointer into a buffer of its own (grown when a write would not fit), so a
/// byte costs a store and a key or a string one copy, with no array bookkeeping per write; the
/// owner moves what was written into an answer with ``flush(into:)`` (after each backup of a list:
/// the buffer stays small and in the cache, and the answer gets one copy per backup).
struct JSONWriter: JSONSink, ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written since the last ``flush(into:)``.
    private(set) var count = 0
    let pretty: Bool
    /// How deep the writer is in arrays and objects.
    private(set) var depth: Int
    /// Bit `d` is set once the container at depth `d` has an item (then the next needs a comma).
    private(set) var hasItems: UInt64

    /// A writer that goes on where another left off (`depth` and `hasItems` as it left them).
    init(pretty: Bool, depth: Int = 0, hasItems: UInt64 = 0, capacity: Int = 4096) {
        self.pretty = pretty
        self.depth = depth
        self.hasItems = hasItems
        self.capacity = Swift.max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Appends what was written since the last flush to `out`, and empties the writer's buffer.
    mutating func flush(into out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        count = 0
    }

    /// What was written since the last flush.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    // MARK: - Room and raw bytes

    /// Makes room for `n` more bytes.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count &+ n > capacity { grow(n) }
    }

    @inline(never)
    private mutating func grow(_ n: Int) {
        let newCapacity = Swift.max(capacity * 2, count + n + 64)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.initialize(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }

    /// One byte; room for it was reserved.
    @inline(__always)
    private mutating func put(_ b: UInt8) {
        base[count] = b
        count &+= 1
    }

    /// `n` bytes from `p`; room for them was reserved. Up to 16 bytes (most keys and values) as
    /// two words that overlap, no memcpy call.
    @inline(__always)
    private mutating func put(_ p: UnsafePointer<UInt8>, _ n: Int) {
        let to = UnsafeMutableRawPointer(base + count), from = UnsafeRawPointer(p)
        if n >= 8, n <= 16 {
            let a = from.loadUnaligned(as: UInt64.self), b = from.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)
            to.storeBytes(of: a, as: UInt64.self)
            to.storeBytes(of: b, toByteOffset: n &- 8, as: UInt64.self)
        } else if n >= 4, n < 8 {
            let a = from.loadUnaligned(as: UInt32.self), b = from.loadUnaligned(fromByteOffset: n &- 4, as: UInt32.self)
            to.storeBytes(of: a, as: UInt32.self)
            to.storeBytes(of: b, toByteOffset: n &- 4, as: UInt32.self)
        } else {
            (base + count).update(from: p, count: n)
        }
        count &+= n
    }

    // MARK: - Structure

    /// Before an array item or an object key: the comma and, when pretty, the new line.
    @inline(__always)
    private mutating func item() {
        let bit: UInt64 = 1 << UInt64(depth & 63)
        reserve(2 &+ 2 &* depth)
        if hasItems & bit != 0 { put(UInt8(ascii: ",")) } else { hasItems |= bit }
        if pretty { newline(depth) }
    }

    /// A new line and `indent` levels of two spaces; room for them was reserved.
    @inline(__always)
    private mutating func newline(_ indent: Int) {
        put(UInt8(ascii: "\n"))
        (base + count).update(repeating: UInt8(ascii: " "), count: indent &* 2)
        count &+= indent &* 2
    }

    private mutating func open(_ c: UInt8) {
        reserve(1)
        put(c)
        depth += 1
        hasItems &= ~(1 << UInt64(depth & 63))
    }

    private mutating func close(_ c: UInt8) {
        let hadItems = hasItems & (1 << UInt64(depth & 63)) != 0
        depth -= 1
        reserve(2 &+ 2 &* depth)
        if pretty, hadItems { newline(depth) }
        put(c)
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// An object's key (written as it is: the keys given here need no escapes); its value follows.
    mutating func key(_ k: StaticString) {
        item()
        let n = k.utf8CodeUnitCount
        reserve(n &+ 4)
        put(UInt8(ascii: "\""))
        put(k.utf8Start, n)
        put(UInt8(ascii: "\""))
        put(UInt8(ascii: ":"))
        if pretty { put(UInt8(ascii: " ")) }
    }

    /// Before each value in an array.
    mutating func arrayItem() { item() }

    // MARK: - Values

    /// A string (JSONValue's too): `"` and `\` escaped with a backslash, new line, return and tab
    /// as `\n`, `\r`, `\t`, other control characters and DEL as `\u00xx`; everything else (UTF-8
    /// beyond ASCII too) as it is.
    mutating func string(_ s: String) {
        // The string's own UTF-8 (small strings' too) without a copy of the string; any other kind
        // of string is made contiguous first.
        if s.utf8.withContiguousStorageIfAvailable({ string(utf8: $0) }) == nil {
            var s = s
            s.withUTF8 { string(utf8: $0) }
        }
    }

    private mutating func string(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        reserve(n &+ 2)
        put(UInt8(ascii: "\""))
        guard let p = bytes.baseAddress else { put(UInt8(ascii: "\"")); return }
        let clean = Self.cleanPrefix(p, n)
        put(p, clean)
        if clean < n { escaping(UnsafeBufferPointer(rebasing: bytes[clean...])) }
        reserve(1)
        put(UInt8(ascii: "\""))
    }

    /// How many bytes from `p` on need no escape: eight at a time while none of them is a control
    /// character, DEL, `"` or `\`, then byte by byte.
    @inline(__always)
    private static func cleanPrefix(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int {
        let raw = UnsafeRawPointer(p)
        var i = 0
        while i &+ 8 <= n {
            if hasSpecial(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { break }
            i &+= 8
        }
        // The last few bytes as one word that overlaps the ones already checked.
        if i < n, n >= 8, i &+ 8 > n, !hasSpecial(raw.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self)) { return n }
        while i < n, !Self.needsEscape(p[i]) { i &+= 1 }
        return i
    }

    /// Whether any of the eight bytes of `x` is below 0x20, `"`, `\` or DEL: each such byte sets
    /// its high bit in the result (a byte of 0x80 or above never does: `~x` clears it).
    @inline(__always)
    private static func hasSpecial(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let quote = x ^ (ones &* 0x22), backslash = x ^ (ones &* 0x5C), del = x ^ (ones &* 0x7F)
        return ((x &- ones &* 0x20) & ~x | (quote &- ones) & ~quote | (backslash &- ones) & ~backslash
                | (del &- ones) & ~del) & highs != 0
    }

    @inline(__always)
    private static func needsEscape(_ b: UInt8) -> Bool {
        b < 0x20 || b == 0x7f || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\")
    }

    /// The rest of a string from its first byte that needs an escape.
    @inline(never)
    private mutating func escaping(_ bytes: UnsafeBufferPointer<UInt8>) {
        let hex: StaticString = "0123456789abcdef"
        for b in bytes {
            reserve(6)
            guard Self.needsEscape(b) else { put(b); continue }
            put(92)
            switch b {
            case UInt8(ascii: "\""): put(34)
            case UInt8(ascii: "\\"): put(92)
            case 0x0a: put(UInt8(ascii: "n"))
            case 0x0d: put(UInt8(ascii: "r"))
            case 0x09: put(UInt8(ascii: "t"))
            default:
                put(UInt8(ascii: "u")); put(48); put(48)
                put(hex.utf8Start[Int(b >> 4)]); put(hex.utf8Start[Int(b & 15)])
            }
        }
    }

    /// Decimal digits, two at a time.
    mutating func int(_ i: Int64) {
        reserve(20)
        if i < 0 { put(UInt8(ascii: "-")) }
        var m = i.magnitude
        if m < 10 { put(48 &+ UInt8(truncatingIfNeeded: m)); return }
        let pairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
        let table = pairs.utf8Start
        var digits = 2
        var limit: UInt64 = 100
        while digits < 20, m >= limit { digits &+= 1; limit &*= 10 }
        var end = count &+ digits
        count = end
        while m >= 100 {
            let r = Int(truncatingIfNeeded: m % 100)
            m /= 100
            end &-= 2
            base[end] = table[r &* 2]
            base[end &+ 1] = table[r &* 2 &+ 1]
        }
        if m >= 10 {
            base[end &- 2] = table[Int(truncatingIfNeeded: m) &* 2]
            base[end &- 1] = table[Int(truncatingIfNeeded: m) &* 2 &+ 1]
        } else {
            base[end &- 1] = 48 &+ UInt8(truncatingIfNeeded: m)
        }
    }

    /// Text as it is, with no escapes (`null`, `true`, a number's digits).
    mutating func literal(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        reserve(n)
        put(s.utf8Start, n)
    }

    /// Text as it is, with no escapes (a number's text).
    mutating func literal(_ s: String) {
        var s = s
        s.withUTF8 { bytes in
            reserve(bytes.count)
            if let p = bytes.baseAddress { put(p, bytes.count) }
        }
    }

    // MARK: - Bytes for JSONValue

    /// One structural byte (`[`, `,`, `:`, ...) as it is. JSONValue places its own commas and new
    /// lines, so its values nest deeper than this writer's 64 levels of ``item()`` bookkeeping.
    mutating func byte(_ b: UInt8) {
        reserve(1)
        put(b)
    }

    /// A new line and `indent` levels of two spaces.
    mutating func lineBreak(indent: Int) {
        reserve(1 &+ 2 &* indent)
        newline(indent)
    }

}

extension Backup {
    /// Writes the backup's wire shape, field for field in the documentation's order: the one place it
    /// is written (to bytes by JSONWriter, to a value by ``json``).
    func write<Sink: JSONSink & ~Copyable>(to w: inout Sink) {
        w.beginObject()
        w.field("release", release)
        w.field("siteName", siteName)
        w.field("description", description)
        w.field("completeTime", completeTime)
        w.field("backupStore", backupStore)
        w.field("retentionDate", retentionDate)
        w.field("encryptKey", encryptKey)
        w.field("backupType", backupType)
        w.key("relationalStore")
        w.beginArray()
        for r in relationalStore {
            w.arrayItem()
            w.beginObject()
            w.field("metadata", r.metadata)
            w.key("geodatabases")
            w.beginArray()
            for g in r.geodatabases {
                w.arrayItem()
                w.beginObject()
                w.field("gdbName", g.gdbName)
                w.field("egdbID", g.egdbID)
                w.endObject()
            }
            w.endArray()
            w.key("systemDatabases")
            w.strings(r.systemDatabases)
            w.field("startTime", r.startTime)
            w.field("clusterID", r.clusterID)
            w.field("endTime", r.endTime)
            w.field("status", r.status)
            w.endObject()
        }
        w.endArray()
        w.field("scheduleType", scheduleType)
        w.key("objectStore")
        w.beginArray()
        for o in objectStore {
            w.arrayItem()
            w.beginObject()
            w.field("metadata", o.metadata)
            w.key("buckets")
            w.strings(o.buckets)
            w.field("startTime", o.startTime)
            w.field("clusterID", o.clusterID)
            w.field("endTime", o.endTime)
            w.field("status", o.status)
            w.endObject()
        }
        w.endArray()
        w.field("namespace", namespace)
        w.field("startTime", startTime)
        w.key("infrastructures")
        w.beginObject()
        w.field("startTime", infrastructures.startTime)
        w.field("endTime", infrastructures.endTime)
        w.field("status", infrastructures.status)
        w.endObject()
        w.field("category", category)
        w.field("backupName", backupName)
        w.field("status", status)
        w.endObject()
    }

    /// `{"backups": [...]}`.
    static func listAnswer(_ backups: [Backup], pretty: Bool) -> [UInt8] {
        BackupList(backups, pretty: pretty).whole()
    }
}

/// The answer `{"backups": [...]}` to a list request, from a snapshot of the backups (an array copy,
/// which costs nothing and holds no lock): written whole (for the answer cache), or in pieces of
/// about ``BodyStream/blockSize`` bytes while it is sent, when it is too big to keep (a list of
/// 100,000 backups is about 92 MB). Both give the same bytes.
struct BackupList: Sendable {
    let backups: [Backup]
    let pretty: Bool
    /// The answer's bytes up to the end of the first backup (indented as in the list).
    private let first: Int

    init(_ backups: [Backup], pretty: Bool) {
        self.backups = backups
        self.pretty = pretty
        var w = JSONWriter(pretty: pretty, capacity: 2048)
        w.beginObject()
        w.key("backups")
        w.beginArray()
        if let b = backups.first {
            w.arrayItem()
            b.write(to: &w)
        }
        first = w.count
    }

    /// About how many bytes the answer is: the first backup's size times their number.
    var estimatedBytes: Int { 64 + backups.count * first }

    func whole() -> [UInt8] {
        // The first backup's size plus room for longer names and descriptions.
        var out = ProcessMemory.bodyBuffer(capacity: 64 + backups.count * (first + 64))
        var state = Progress()
        write(into: &out, &state, upTo: .max)
        return out
    }

    /// The answer as a streamed body: each send writes it anew from this snapshot, a piece at a time.
    var stream: BodyStream {
        BodyStream {
            var state = Progress()
            return { piece in write(into: &piece, &state, upTo: BodyStream.blockSize) }
        }
    }

    /// How far a write of the answer has come: the next backup (0: nothing written yet; past the
    /// end: all written), and the writer's nesting where it stopped.
    private struct Progress {
        var next = 0
        var depth = 0
        var hasItems: UInt64 = 0
    }

    /// Appends the answer's next part to `out`, from the backup at `state.next`, until `out` holds at
    /// least `limit` bytes; says whether anything is left. At the start comes the opening; after the
    /// last backup the closing brackets, and `next` goes past the end.
    @discardableResult
    private func write(into out: inout [UInt8], _ state: inout Progress, upTo limit: Int) -> Bool {
        if state.next > backups.count { return false }
        var w = JSONWriter(pretty: pretty, depth: state.depth, hasItems: state.hasItems)
        if state.next == 0 {
            w.beginObject()
            w.key("backups")
            w.beginArray()
        }
        // Moved into `out` after each backup: the writer's buffer stays about one backup big.
        // Each backup written where the array holds it (through the buffer: not copied first).
        backups.withUnsafeBufferPointer { all in
            while state.next < all.count, out.count + w.count < limit {
                w.arrayItem()
                all[state.next].write(to: &w)
                w.flush(into: &out)
                state.next += 1
            }
        }
        let more = state.next < backups.count
        if !more {
            w.endArray()
            w.endObject()
            state.next += 1
        }
        w.flush(into: &out)
        state.depth = w.depth
        state.hasItems = w.hasItems
        return more
    }
}
