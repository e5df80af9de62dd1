/// The digests of the last few valid tokens a deployment was shown, so that a client that sends one
/// token again and again (a test suite polling a job, a load test) does not pay a SHA-256 and its
/// allocations on every request: about 3,600 of the 76,500 instructions of an authenticated GET
/// status (callgrind, `Benchmarks/README.md`).
///
/// A pure cache of ``TokenDigest/init(of:)``: a token's digest never changes, so nothing here is
/// ever stale. Revoked or expired tokens are still refused, because the caller looks the digest up
/// in the token table every time. Only tokens the table held when they were shown are remembered,
/// so that a stream of wrong tokens cannot push the good ones out; tokens longer than
/// ``longestToken`` bytes are never remembered.
///
/// The remembered tokens are held in memory only, as the requests that carried them were; they are
/// never written or logged. A token is compared with each remembered one in time that depends on
/// its length alone, not on how many leading bytes match, so that timing cannot be used to guess a
/// remembered token byte by byte.
struct RecentTokens: Sendable {
    static let capacity = 4
    /// Tokens drmock issues are 43 characters (32 random bytes, base64url); longer ones are hashed
    /// each time.
    static let longestToken = 256

    private var tokens: [String] = []
    private var digests: [TokenDigest] = []
    /// The place the next remembered token takes once all are used.
    private var next = 0

    init() {}

    /// The digest of `token` if it is remembered.
    func digest(of token: String) -> TokenDigest? {
        for i in tokens.indices where SecretHash.sameBytes(tokens[i], token) { return digests[i] }
        return nil
    }

    /// Remembers `token` with its digest, in place of the one remembered longest ago when full.
    mutating func remember(_ token: String, _ digest: TokenDigest) {
        guard token.utf8.count <= Self.longestToken, self.digest(of: token) == nil else { return }
        if tokens.count < Self.capacity {
            tokens.append(token)
            digests.append(digest)
        } else {
            tokens[next] = token
            digests[next] = digest
            next = (next + 1) % Self.capacity
        }
    }

    var count: Int { tokens.count }
}

extension Deployment.State {
    /// The name of the user holding `token`, if the table holds it unexpired at `now`. The digest is
    /// taken from ``RecentTokens`` when the token was shown lately, else computed (and remembered if
    /// the token is held).
    mutating func holder(of token: String, at now: Int64) -> String? {
        let remembered = recentTokens.digest(of: token)
        let digest = remembered ?? TokenDigest(of: token)
        guard let t = tokens[digest], t.expires > now else { return nil }
        if remembered == nil { recentTokens.remember(token, digest) }
        return t.username
    }
}
