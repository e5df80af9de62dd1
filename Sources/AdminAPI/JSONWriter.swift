import DisasterRecovery
import HTTPServer

/// Writes JSON straight into a byte buffer, without building a ``JSONValue`` first, in exactly the
/// bytes ``JSONValue/serialized(pretty:)`` gives for the same value (compact, or indented by two
/// spaces with `": "` after keys; an empty array or object as `[]` or `{}`). Used where an answer is
/// big (a list of thousands of backups), so that rendering it makes no tree of small values.
struct JSONWriter {
    var out: [UInt8] = []
    let pretty: Bool
    /// How deep the writer is in arrays and objects.
    private var depth = 0
    /// Bit `d` is set once the container at depth `d` has an item (then the next needs a comma).
    private var hasItems: UInt64 = 0

    init(pretty: Bool, capacity: Int = 512) {
        self.pretty = pretty
        out.reserveCapacity(capacity)
    }

    /// Before an array item or an object key: the comma and, when pretty, the new line.
    private mutating func item() {
        let bit: UInt64 = 1 << UInt64(depth & 63)
        if hasItems & bit != 0 { out.append(UInt8(ascii: ",")) } else { hasItems |= bit }
        if pretty { newline(depth) }
    }

    private mutating func newline(_ indent: Int) {
        out.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent * 2) { out.append(UInt8(ascii: " ")) }
    }

    private mutating func open(_ c: UInt8) {
        out.append(c)
        depth += 1
        hasItems &= ~(1 << UInt64(depth & 63))
    }

    private mutating func close(_ c: UInt8) {
        let hadItems = hasItems & (1 << UInt64(depth & 63)) != 0
        depth -= 1
        if pretty, hadItems { newline(depth) }
        out.append(c)
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// An object's key; its value follows.
    mutating func key(_ k: StaticString) {
        item()
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
        if pretty { out.append(UInt8(ascii: " ")) }
    }

    /// Before each value in an array.
    mutating func arrayItem() { item() }

    mutating func string(_ s: String) { JSONValue.writeString(s, to: &out) }
    mutating func int(_ i: Int64) { JSONValue.writeInt(i, to: &out) }

    mutating func field(_ k: StaticString, _ s: String) { key(k); string(s) }
    mutating func field(_ k: StaticString, _ i: Int64) { key(k); int(i) }

    mutating func strings(_ values: [String]) {
        beginArray()
        for v in values { arrayItem(); string(v) }
        endArray()
    }
}

extension Backup {
    /// Writes the backup as ``json`` renders it, byte for byte.
    func write(to w: inout JSONWriter) {
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

    /// `{"backups": [...]}` as `["backups": .array(backups.map(\.json))]` serializes, written
    /// directly into one buffer sized from the first backup (a 10,000-backup list is about 9 MB).
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
        var w = JSONWriter(pretty: pretty)
        w.beginObject()
        w.key("backups")
        w.beginArray()
        if let b = backups.first {
            w.arrayItem()
            b.write(to: &w)
        }
        first = w.out.count
    }

    /// About how many bytes the answer is: the first backup's size times their number.
    var estimatedBytes: Int { 64 + backups.count * first }

    func whole() -> [UInt8] {
        // The first backup's size plus room for longer names and descriptions.
        var w = JSONWriter(pretty: pretty, capacity: 64 + backups.count * (first + 64))
        var next = 0
        write(to: &w, from: &next, upTo: .max)
        return w.out
    }

    /// The answer as a streamed body: each send writes it anew from this snapshot, a piece at a time.
    var stream: BodyStream {
        BodyStream {
            var w = JSONWriter(pretty: pretty, capacity: 0)
            var next = 0
            return { piece in
                // The writer keeps its nesting across pieces; only its bytes move out.
                swap(&w.out, &piece)
                let more = write(to: &w, from: &next, upTo: BodyStream.blockSize)
                swap(&w.out, &piece)
                return more
            }
        }
    }

    /// Writes the answer's next part, from the backup at `next`, until `w` holds at least `limit`
    /// bytes; says whether anything is left. `next == 0` starts with the opening; after the last
    /// backup come the closing brackets and `next` goes past the end.
    @discardableResult
    private func write(to w: inout JSONWriter, from next: inout Int, upTo limit: Int) -> Bool {
        if next > backups.count { return false }
        if next == 0 {
            w.beginObject()
            w.key("backups")
            w.beginArray()
        }
        while next < backups.count, w.out.count < limit {
            w.arrayItem()
            backups[next].write(to: &w)
            next += 1
        }
        guard next == backups.count else { return true }
        w.endArray()
        w.endObject()
        next += 1
        return false
    }
}
