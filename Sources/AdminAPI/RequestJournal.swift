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
    /// The token's user, if the request carried a valid token.
    var user: String?
    var status: Int
    /// The error envelope's code, if the answer was an error.
    var errorCode: Int?
    /// Time spent answering, injected delay included (ms).
    var latencyMs: Double
    /// The fault that shaped the answer, if any.
    var fault: String?

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
        return .object(pairs)
    }
}

/// The last ``capacity`` requests of one context, in a ring (appending never moves the others).
struct RequestJournal: Sendable {
    static let capacity = 2000
    private var ring: [JournalEntry] = []
    /// Where the oldest entry is once the ring is full.
    private var start = 0
    private var nextSeq = 1

    /// The entries, oldest first.
    var entries: [JournalEntry] { Array(ring[start...] + ring[..<start]) }

    /// Names whose values are never shown.
    static let secretNames: Set<String> = ["token", "password", "passcode", "secret", "client_secret", "code", "refresh_token", "access_token"]

    static func mask(_ pairs: [(name: String, value: String)]) -> [(name: String, value: String)] {
        pairs.map { secretNames.contains($0.name.lowercased()) ? ($0.name, "***") : $0 }
    }

    mutating func append(_ make: (Int) -> JournalEntry) {
        let entry = make(nextSeq)
        nextSeq += 1
        if ring.count < Self.capacity {
            ring.append(entry)
        } else {
            ring[start] = entry
            start = (start + 1) % Self.capacity
        }
    }

    mutating func clear() {
        ring.removeAll()
        start = 0
    }

    /// Entries whose path contains `path` (if given) and whose seq is above `since`.
    func filtered(path: String?, since: Int?) -> [JournalEntry] {
        entries.filter { e in
            (since.map { e.seq > $0 } ?? true) && (path.map { e.path.contains($0) } ?? true)
        }
    }
}
