import DisasterRecovery
import HTTPServer

/// One request of the emulated API as the journal (`GET /_mock/requests`) keeps it: never a secret,
/// only the names of form fields, query values masked where they are secrets.
struct JournalEntry: Sendable {
    var seq: Int
    /// Wall-clock time the request arrived (epoch ms).
    var time: Int64
    /// The deployment's emulated time at that moment (epoch ms).
    var clock: Int64
    var method: String
    var path: String
    var query: [(name: String, value: String)]
    var formKeys: [String]
    /// The token's user, if the request carried a valid token; for a sign-in that succeeded, the
    /// user it signed in (its `username`).
    var user: String?
    var status: Int
    /// The error envelope's code, if the answer was an error.
    var errorCode: Int?
    /// Time spent answering, injected delay included (ms).
    var latencyMs: Double
    /// The fault that shaped the answer, if any.
    var fault: String?
    /// The client's User-Agent header.
    var userAgent: String? = nil
    /// Where it carried a token (query, body, header).
    var tokenPlaces: TokenPlaces = []
    /// Its `f` (query or form), and a sign-in's `expiration` (minutes): values the linter reads.
    var format: String? = nil
    var expiration: String? = nil

    /// The request as the client-behaviour linter reads it. `offline`: the 503 of the organization
    /// offline (a restore's window, or a plan's `offlineMs`), not an injected endpoint error.
    var clientRequest: ClientRequest {
        ClientRequest(seq: seq, clock: clock, method: method, path: path, queryNames: query.map(\.name), formKeys: formKeys,
                      format: format, expiration: expiration, user: user, userAgent: userAgent, tokenPlaces: tokenPlaces,
                      status: status, errorCode: errorCode,
                      offline: errorCode == 503 && (fault == nil || fault?.hasPrefix("offline") == true))
    }

    var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("seq", .int(Int64(seq))), ("time", .int(time)), ("clock", .int(clock)),
            ("method", .string(method)), ("path", .string(path)),
            ("query", .object(query.map { ($0.name, .string($0.value)) })),
            ("formKeys", JSONValue(formKeys)),
            ("user", user.map(JSONValue.string) ?? .null),
            ("status", .int(Int64(status))),
            ("errorCode", errorCode.map { .int(Int64($0)) } ?? .null),
            ("latencyMs", .double((latencyMs * 1000).rounded() / 1000)),
        ]
        if let fault { pairs.append(("fault", .string(fault))) }
        pairs.append(("userAgent", userAgent.map(JSONValue.string) ?? .null))
        pairs.append(("tokenIn", JSONValue(tokenPlaces.names)))
        if let format { pairs.append(("f", .string(format))) }
        if let expiration { pairs.append(("expiration", .string(expiration))) }
        return .object(pairs)
    }
}

/// A request of the emulated API as the control plane hands it to the journal: every field of its
/// entry but the query and the form, which are the request's own (not yet masked, nothing copied).
/// ``entry`` is what is kept.
struct JournalRecord: Sendable {
    /// The entry without its query and form keys (both left empty).
    var fields: JournalEntry
    var query: [(name: String, value: String)]
    var form: [(name: String, value: String)]

    /// The entry kept for this request: secret query values masked, only the form's field names.
    var entry: JournalEntry {
        var e = fields
        (e.query, e.formKeys) = (RequestJournal.mask(query), form.map(\.name))
        return e
    }
}

/// The last ``capacity`` requests of one context, in a ring (appending never moves the others).
///
/// Kept compact, because every context has one and a busy one fills it: a request is kept in 24
/// bytes, its times, its latency in whole microseconds (what the JSON shows) and the index of its
/// *shape* — method, path, masked query, form
/// keys, user, status, error code and fault — which is kept once however many requests share it
/// (a test polling one resource, or a load on one path, makes one shape for the whole ring). A
/// shape is dropped with the last request that uses it. Sequence numbers are not stored: they run
/// without gaps from the oldest entry kept.
struct RequestJournal: Sendable {
    static let capacity = 2000
    private var ring: [Slot] = []
    /// Where the oldest entry is once the ring is full.
    private var start = 0
    private var nextSeq = 1
    private var shapes = ShapeTable()

    /// One request as kept.
    private struct Slot: Sendable {
        var time: Int64
        var clock: Int64
        /// The latency rounded to microseconds, as `JournalEntry.json` shows it (an injected delay is
        /// at most 10 minutes; a UInt32 holds 71).
        var latencyMicros: UInt32
        var shape: Int32

        static func micros(_ ms: Double) -> UInt32 {
            let us = (ms * 1000).rounded()
            return us.isNaN || us <= 0 ? 0 : us >= Double(UInt32.max) ? .max : UInt32(us)
        }
    }

    /// The entries, oldest first.
    var entries: [JournalEntry] {
        var out: [JournalEntry] = []
        out.reserveCapacity(ring.count)
        let first = nextSeq - ring.count
        for i in 0..<ring.count {
            let slot = ring[(start + i) % ring.count]
            var e = shapes[slot.shape].entry
            (e.seq, e.time, e.clock, e.latencyMs) = (first + i, slot.time, slot.clock, Double(slot.latencyMicros) / 1000)
            out.append(e)
        }
        return out
    }

    /// Names whose values are never shown.
    static let secretNames: Set<String> = ["token", "password", "passcode", "secret", "client_secret", "code", "refresh_token", "access_token"]

    static func mask(_ pairs: [(name: String, value: String)]) -> [(name: String, value: String)] {
        guard let first = pairs.firstIndex(where: { isSecret($0.name) }) else { return pairs }
        var masked = pairs
        masked[first].value = "***"
        for i in pairs.indices.dropFirst(first + 1) where isSecret(pairs[i].name) { masked[i].value = "***" }
        return masked
    }

    /// Whether `name`, lowercased, is one of ``secretNames``. An ASCII name (the usual case: this runs
    /// for every query parameter of every request) is lowercased into two words and compared with the
    /// secret names packed the same way; any other goes through `lowercased()` and the set, because
    /// lowercasing non-ASCII text can change its length (the Kelvin sign K lowercases to k).
    static func isSecret(_ name: String) -> Bool {
        var copy = name
        let ascii: Bool? = copy.withUTF8 { bytes in
            var words: (UInt64, UInt64) = (0, 0)
            for (i, byte) in bytes.enumerated() {
                guard byte < 0x80 else { return nil }
                guard i < 16 else { continue }  // longer than any secret name: only checked for ASCII
                let lower = UInt64(byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte)
                if i < 8 { words.0 |= lower << (8 * UInt64(i)) } else { words.1 |= lower << (8 * UInt64(i - 8)) }
            }
            guard bytes.count <= 16 else { return false }
            return SecretWords.all.contains { $0.count == bytes.count && $0.words == words }
        }
        return ascii ?? secretNames.contains(name.lowercased())
    }

    /// ``secretNames`` packed as `isSecret` packs a name (all are ASCII and at most 16 bytes).
    private enum SecretWords {
        static let all: [(count: Int, words: (UInt64, UInt64))] = secretNames.map { name in
            var words: (UInt64, UInt64) = (0, 0)
            for (i, byte) in name.utf8.enumerated() {
                precondition(byte < 0x80 && i < 16, "secret names are short ASCII")
                if i < 8 { words.0 |= UInt64(byte) << (8 * UInt64(i)) } else { words.1 |= UInt64(byte) << (8 * UInt64(i - 8)) }
            }
            return (name.utf8.count, words)
        }
    }

    /// Appends `entry` under the next sequence number. Returns what the journal no longer needs, so
    /// that the caller frees it after leaving its lock: the entry itself when a kept request already
    /// has its shape (the usual case), else the shape of the oldest request if this one pushed out its
    /// last use; nil when there is nothing to free.
    mutating func append(_ entry: consuming JournalEntry) -> JournalEntry? {
        let at = (entry.time, entry.clock, entry.latencyMs)
        let shape = Shape(entry)
        guard let id = recentShape(where: { $0 == shape }) else { return keep(at, newShape: shape) }
        _ = keep(at, shape: shapes.retain(id))
        return shape.entry
    }

    /// Appends a request under the next sequence number, as `append(record.entry)` would. When one
    /// of the newest two requests has its shape (a poll: the usual case), nothing is masked, copied
    /// or allocated. Returns what the journal no longer needs, for the caller to free after its lock.
    mutating func append(_ record: JournalRecord) -> JournalEntry? {
        let at = (record.fields.time, record.fields.clock, record.fields.latencyMs)
        guard let id = recentShape(where: { $0.matches(record) }) else { return keep(at, newShape: Shape(record.entry)) }
        return keep(at, shape: shapes.retain(id))
    }

    /// Keeps a request whose shape the newest two have not: the shape is found in the table, or
    /// added to it. Returns the shape when the table already had it, else what ``keep(_:shape:)`` returns.
    private mutating func keep(_ at: Moment, newShape shape: Shape) -> JournalEntry? {
        let (id, unneeded) = shapes.intern(shape)
        let dropped = keep(at, shape: id)
        return unneeded ?? dropped
    }

    /// The newest two requests are the likeliest to share a new one's shape (a poll, or a create and
    /// its job's poll in turn): compared before the table is searched.
    private func recentShape(where matches: (Shape) -> Bool) -> Int32? {
        guard !ring.isEmpty else { return nil }
        let newest = ring[(start + ring.count - 1) % ring.count].shape
        if shapes.holds(newest, where: matches) { return newest }
        guard ring.count > 1 else { return nil }
        let before = ring[(start + ring.count - 2) % ring.count].shape
        return before != newest && shapes.holds(before, where: matches) ? before : nil
    }

    /// When a request came, by the wall clock and the emulated one, and how long its answer took.
    private typealias Moment = (time: Int64, clock: Int64, latencyMs: Double)

    /// Keeps a request of shape `id` (already counted as used) as the newest, under the next sequence
    /// number; returns the shape of the oldest request if this pushed out its last use.
    private mutating func keep(_ at: Moment, shape id: Int32) -> JournalEntry? {
        let slot = Slot(time: at.time, clock: at.clock, latencyMicros: Slot.micros(at.latencyMs), shape: id)
        nextSeq += 1
        if ring.count < Self.capacity {
            ring.append(slot)
            return nil
        }
        let dropped = shapes.release(ring[start].shape)
        ring[start] = slot
        start = (start + 1) % Self.capacity
        if shapes.places >= 64 && shapes.live * 4 < shapes.places { compactShapes() }
        return dropped
    }

    /// Renumbers the shapes in use into a new table, so that a burst of distinct requests (a
    /// thousand job ids) leaves no table sized for it once they have left the ring.
    private mutating func compactShapes() {
        var table = ShapeTable()
        var renamed = [Int32](repeating: -1, count: shapes.places)
        for k in ring.indices {
            let old = Int(ring[k].shape)
            renamed[old] = renamed[old] < 0 ? table.intern(shapes[ring[k].shape]).id : table.retain(renamed[old])
            ring[k].shape = renamed[old]
        }
        shapes = table
    }

    mutating func clear() {
        ring.removeAll()
        start = 0
        shapes = ShapeTable()
    }

    /// Bytes the kept entries take (the ring's slots and the distinct shapes' strings and arrays,
    /// allocation headers left out): for tests and the figure in docs/performance.md.
    var approximateBytes: Int {
        ring.capacity * MemoryLayout<Slot>.stride + shapes.approximateBytes
    }

    /// Entries whose path contains `path` (if given) and whose seq is above `since`.
    func filtered(path: String?, since: Int?) -> [JournalEntry] {
        entries.filter { e in
            (since.map { e.seq > $0 } ?? true) && (path.map { e.path.contains($0) } ?? true)
        }
    }
}

/// What requests share, kept once per distinct value: an entry without its sequence number, times
/// and latency (those are left zero here and not compared).
private struct Shape: Hashable, Sendable {
    private(set) var entry: JournalEntry

    init(_ e: JournalEntry) {
        entry = e
        (entry.seq, entry.time, entry.clock, entry.latencyMs) = (0, 0, 0, 0)
    }

    static let none = Shape(JournalEntry(seq: 0, time: 0, clock: 0, method: "", path: "", query: [], formKeys: [], user: nil,
                                         status: 0, errorCode: nil, latencyMs: 0, fault: nil))

    static func == (x: Shape, y: Shape) -> Bool {
        let a = x.entry, b = y.entry
        return a.status == b.status && a.userAgent == b.userAgent && a.tokenPlaces == b.tokenPlaces
            && a.format == b.format && a.expiration == b.expiration && a.errorCode == b.errorCode && a.path == b.path && a.method == b.method && a.user == b.user
            && a.formKeys == b.formKeys && a.fault == b.fault
            && a.query.count == b.query.count && zip(a.query, b.query).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Whether `record`, masked, has this shape: `self == Shape(record.entry)`, without masking or copying.
    func matches(_ record: JournalRecord) -> Bool {
        guard entry.status == record.fields.status, entry.errorCode == record.fields.errorCode, entry.path == record.fields.path,
              entry.method == record.fields.method, entry.user == record.fields.user, entry.fault == record.fields.fault,
              entry.userAgent == record.fields.userAgent, entry.tokenPlaces == record.fields.tokenPlaces,
              entry.format == record.fields.format, entry.expiration == record.fields.expiration,
              entry.formKeys.count == record.form.count, entry.query.count == record.query.count else { return false }
        for (key, field) in zip(entry.formKeys, record.form) where key != field.name { return false }
        for (kept, given) in zip(entry.query, record.query) {
            guard kept.name == given.name else { return false }
            // A secret's value is kept as "***" whatever it was.
            if kept.value != given.value && !RequestJournal.isSecret(given.name) { return false }
        }
        return true
    }

    func hash(into h: inout Hasher) {
        h.combine(entry.path)
        h.combine(entry.method)
        h.combine(entry.status)
        h.combine(entry.query.count)
        for q in entry.query {
            h.combine(q.name)
            h.combine(q.value)
        }
        h.combine(entry.formKeys)
        h.combine(entry.user)
        h.combine(entry.errorCode)
        h.combine(entry.fault)
        h.combine(entry.userAgent)
        h.combine(entry.tokenPlaces)
    }

    var approximateBytes: Int {
        func heap(_ s: String) -> Int { s.utf8.count > 15 ? s.utf8.count : 0 }
        let e = entry
        return heap(e.method) + heap(e.path) + e.query.reduce(0) { $0 + heap($1.name) + heap($1.value) } + e.query.count * 32
            + e.formKeys.reduce(0) { $0 + heap($1) } + e.formKeys.count * 16 + heap(e.user ?? "") + heap(e.fault ?? "")
            + heap(e.userAgent ?? "") + heap(e.format ?? "") + heap(e.expiration ?? "")
    }
}

/// Distinct shapes with how many kept requests use each; a freed place is reused.
private struct ShapeTable: Sendable {
    private var shapes: [Shape] = []
    private var uses: [Int32] = []
    private var free: [Int32] = []
    private var index: [Shape: Int32] = [:]

    subscript(id: Int32) -> Shape { shapes[Int(id)] }

    /// Places for shapes (used or free), and how many are used.
    var places: Int { shapes.count }
    var live: Int { shapes.count - free.count }

    /// Whether shape `id` is one that `matches` (looked at in place).
    func holds(_ id: Int32, where matches: (Shape) -> Bool) -> Bool { matches(shapes[Int(id)]) }

    /// One more request uses shape `id`.
    mutating func retain(_ id: Int32) -> Int32 {
        uses[Int(id)] += 1
        return id
    }

    /// The id of `shape` (found or added), counting one more use, and `shape`'s entry when it was
    /// found (then this copy is not needed).
    mutating func intern(_ shape: Shape) -> (id: Int32, unneeded: JournalEntry?) {
        if let id = index[shape] { return (retain(id), shape.entry) }
        let id: Int32
        if let reused = free.popLast() {
            id = reused
            shapes[Int(id)] = shape
            uses[Int(id)] = 1
        } else {
            id = Int32(shapes.count)
            shapes.append(shape)
            uses.append(1)
        }
        index[shape] = id
        return (id, nil)
    }

    /// One request fewer uses shape `id`; the last one drops it (and gets its entry back, to free).
    mutating func release(_ id: Int32) -> JournalEntry? {
        let i = Int(id)
        uses[i] -= 1
        guard uses[i] == 0 else { return nil }
        index[shapes[i]] = nil
        let dropped = shapes[i].entry
        shapes[i] = .none
        free.append(id)
        return dropped
    }

    var approximateBytes: Int {
        shapes.capacity * MemoryLayout<Shape>.stride + uses.capacity * 4 + free.capacity * 4
            + index.capacity * (MemoryLayout<Shape>.stride + 4) + index.keys.reduce(0) { $0 + $1.approximateBytes }
    }
}
