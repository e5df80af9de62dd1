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

    /// Appends `entry` under the next sequence number. Returns the entry it pushed out of a full ring,
    /// so that the caller frees it after leaving its lock.
    mutating func append(_ entry: consuming JournalEntry) -> JournalEntry? {
        entry.seq = nextSeq
        nextSeq += 1
        if ring.count < Self.capacity {
            ring.append(entry)
            return nil
        }
        swap(&ring[start], &entry)
        start = (start + 1) % Self.capacity
        return entry
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
