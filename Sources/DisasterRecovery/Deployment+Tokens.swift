import Catalog
import FoundationEssentials

/// Tokens: generateToken's grants on the deployment's clock, and who holds a token.
extension Deployment {

    /// Checks a user's password and hands out a token valid for `expirationMinutes` on this
    /// deployment's clock: by default ``defaultTokenMinutes``, at most ``maxTokenMinutes`` (a longer
    /// request gets the maximum), and as short as asked (Esri documents no minimum; a value of 0 or
    /// less is read as not given).
    public func generateToken(username: String, password: String, expirationMinutes: Int?) throws -> TokenGrant {
        let user = try authenticate(username: username, password: password)
        return try issueToken(for: user, expirationMinutes: expirationMinutes.flatMap { $0 > 0 ? $0 : nil } ?? Self.defaultTokenMinutes)
    }

    /// "If an expiration time isn't specified when generating a token, a default value is used ...
    /// ArcGIS token—120 minutes" (Portal, "Specify the default token expiration time",
    /// https://enterprise.arcgis.com/en/portal/11.4/administer/windows/specify-the-default-token-expiration-time.htm).
    public static let defaultTokenMinutes = 120
    /// The same page: "ArcGIS token—14 days (20,160 minutes)"; "If a user specifies an expiration time
    /// that is greater than the maximum, the token will be generated with an expiration matching the maximum".
    public static let maxTokenMinutes = 20160

    /// The user whose password this is; 400 "Unable to generate token." otherwise.
    public func authenticate(username: String, password: String) throws -> User {
        let (stored, decoy) = state.withLock { s in (s.users[username], Self.signInDecoy(s.users.values, hashLogN: hashLogN)) }
        // An unknown user costs one scrypt too (against the decoy): no user enumeration by timing.
        guard SecretHash.verify(password, against: stored?.passwordHash ?? decoy), let user = stored else {
            throw AdminError.unableToGenerateToken("Invalid username or password.")
        }
        return user
    }

    /// What an unknown user name's password is checked against: a decoy as costly as the dearest
    /// stored password hash (users may come with hashes of another cost than `hashLogN`), so that
    /// the check takes as long as a known user's.
    static func signInDecoy<Users: Sequence<User>>(_ users: Users, hashLogN: Int) -> String {
        SecretHash.decoy(logN: users.compactMap { SecretHash.logN(of: $0.passwordHash) }.max() ?? hashLogN)
    }

    /// A new token for an authenticated user, valid for `expirationMinutes` clamped to 1...``maxTokenMinutes``.
    public func issueToken(for user: User, expirationMinutes: Int) throws -> TokenGrant {
        let minutes = Int64(min(Self.maxTokenMinutes, max(1, expirationMinutes)))
        let token = SecretHash.randomToken()
        let now = clock.now()
        let digest = TokenDigest(of: token)
        let record = TokenRecord(digest: digest.hex, username: user.username, expires: now + minutes * 60_000)
        try state.withLock { s in
            try catalog.write { w in
                try w.deleteTokens(context: context, expiredBefore: now)
                try w.putToken(context: context, record)
            }
            s.tokens.removeExpired(before: now)
            s.tokens.insert(digest, username: record.username, expires: record.expires)
        }
        return TokenGrant(token: token, expires: record.expires)
    }

    /// Ends a token before its time (the directory's sign-out); unknown tokens are ignored.
    public func revokeToken(_ token: String) throws {
        let digest = TokenDigest(of: token)
        try state.withLock { s in
            guard s.tokens[digest] != nil else { return }
            try catalog.write { w in try w.deleteToken(context: context, digest: digest.hex) }
            s.tokens.remove(digest)
        }
    }

    /// The user a token belongs to; 498 if the token is unknown or expired.
    public func user(forToken token: String) throws -> User {
        let now = clock.now()
        let found: User? = state.withLock { s in
            guard let username = s.holder(of: token, at: now) else { return nil }
            return s.users[username]
        }
        guard let user = found else { throw AdminError.invalidToken() }
        return user
    }

    /// The organization's users, by name.
    public func users() -> [User] { state.withLock { $0.users.values.sorted { $0.username < $1.username } } }
}
