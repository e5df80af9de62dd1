import Catalog

/// The deployment's tokens in memory, kept small because a busy client may hold thousands at once
/// (wrk on generateToken for 30 s makes about 12,000, every one valid for its whole life): per
/// token a 32-byte digest, the expiry and the user's place in a list of names, 48 bytes a
/// dictionary bucket, where a digest as hex text and a record with two strings took about 170.
/// Expired tokens go at the next issue, in one sweep only when one has expired (not a pass over
/// every token per issue).
struct TokenTable: Sendable, ExpressibleByDictionaryLiteral {
    private struct Life: Sendable {
        var expires: Int64
        var user: UInt32
    }

    private var byDigest: [TokenDigest: Life] = [:]
    private var names: [String] = []
    /// No token expires before this (`Int64.max` when there are none).
    private var earliestExpiry = Int64.max

    init(dictionaryLiteral elements: (String, TokenRecord)...) {
        for (_, record) in elements { insert(record) }
    }

    var count: Int { byDigest.count }

    /// The user and expiry of a token, if it is held (expired or not).
    subscript(digest: TokenDigest) -> (username: String, expires: Int64)? {
        byDigest[digest].map { (names[Int($0.user)], $0.expires) }
    }

    /// Holds `record` (a row whose digest is not a token's, 64 lowercase hex digits, could never match one: ignored).
    mutating func insert(_ record: TokenRecord) {
        guard let digest = TokenDigest(hex: record.digest) else { return }
        insert(digest, username: record.username, expires: record.expires)
    }

    mutating func insert(_ digest: TokenDigest, username: String, expires: Int64) {
        let user: Int
        if let known = names.firstIndex(of: username) {
            user = known
        } else {
            user = names.count
            names.append(username)
        }
        byDigest[digest] = Life(expires: expires, user: UInt32(user))
        earliestExpiry = min(earliestExpiry, expires)
    }

    @discardableResult
    mutating func remove(_ digest: TokenDigest) -> Bool {
        byDigest.removeValue(forKey: digest) != nil
    }

    /// Drops the tokens that expired before `now` (a sweep only when one has).
    mutating func removeExpired(before now: Int64) {
        guard earliestExpiry < now else { return }
        byDigest = byDigest.filter { $0.value.expires >= now }
        earliestExpiry = byDigest.values.lazy.map(\.expires).min() ?? .max
    }

    mutating func removeAll() {
        self = TokenTable()
    }
}
