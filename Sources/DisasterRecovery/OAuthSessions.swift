import Synchronization

/// The steps of Portal-style OAuth 2 sign-ins that are waiting for their next request (decision 12).
///
/// `oauth2/authorize` remembers what the client asked for (client, redirect URI, its `state`, the
/// token lifetime) under a fresh `oauth_state`; `oauth2/signin` takes it back exactly once. In the
/// authorization-code flow, sign-in hands out a code that `oauth2/token` redeems exactly once, for
/// the same client and redirect URI. Every entry expires, measured on the deployment's clock, and
/// only SHA-256 digests of the handles are kept. Held in memory only: a restart forgets sign-ins
/// that were half way (the tokens they produced are in the catalog).
public final class OAuthSessions: Sendable {
    /// `response_type`: `token` (implicit flow) or `code` (authorization-code flow).
    public enum ResponseType: String, Sendable, Equatable {
        case token, code
    }

    /// What one `oauth2/authorize` call asked for.
    public struct Authorization: Sendable, Equatable {
        public var clientID: String
        public var redirectURI: String
        public var responseType: ResponseType
        /// The client's own `state`, echoed back in the redirect; nil if it sent none.
        public var state: String?
        /// The token lifetime asked for, in minutes; nil for the default.
        public var expirationMinutes: Int?

        public init(clientID: String, redirectURI: String, responseType: ResponseType, state: String?, expirationMinutes: Int?) {
            self.clientID = clientID
            self.redirectURI = redirectURI
            self.responseType = responseType
            self.state = state
            self.expirationMinutes = expirationMinutes
        }
    }

    /// What a redeemed authorization code stands for.
    public struct CodeGrant: Sendable, Equatable {
        public var username: String
        public var authorization: Authorization
    }

    /// How long a sign-in page stays usable after `oauth2/authorize` (15 minutes).
    public static let authorizationLifetimeMs: Int64 = 15 * 60_000
    /// How long an authorization code can be redeemed (5 minutes).
    public static let codeLifetimeMs: Int64 = 5 * 60_000
    /// At most this many of each kind wait at once; the ones closest to expiry make room
    /// (authorize needs no token, so this bounds what anonymous callers can make drmock hold).
    public static let capacity = 10_000

    private struct Entry<Value: Sendable>: Sendable {
        var value: Value
        var expires: Int64
    }

    private struct State: Sendable {
        var authorizations: [String: Entry<Authorization>] = [:]
        var codes: [String: Entry<CodeGrant>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Remembers an authorization; returns its new `oauth_state` handle.
    public func begin(_ authorization: Authorization, now: Int64) -> String {
        let handle = SecretHash.randomToken(bytes: 24)
        state.withLock { s in
            Self.insert(&s.authorizations, SecretHash.digest(handle),
                        Entry(value: authorization, expires: now + Self.authorizationLifetimeMs), now: now)
        }
        return handle
    }

    /// Takes back the authorization behind `oauthState`: once only, and only before it expires.
    public func take(_ oauthState: String, now: Int64) throws -> Authorization {
        let key = SecretHash.digest(oauthState)
        let entry = state.withLock { $0.authorizations.removeValue(forKey: key) }
        guard let entry, entry.expires > now else { throw AdminError.invalidOAuthState() }
        return entry.value
    }

    /// Hands out a single-use authorization code for `username`.
    public func issueCode(for username: String, authorization: Authorization, now: Int64) -> String {
        let code = SecretHash.randomToken(bytes: 24)
        state.withLock { s in
            Self.insert(&s.codes, SecretHash.digest(code),
                        Entry(value: CodeGrant(username: username, authorization: authorization), expires: now + Self.codeLifetimeMs),
                        now: now)
        }
        return code
    }

    /// Redeems a code: once only, before it expires, by the client it was issued to and with the same
    /// redirect URI (RFC 6749, section 4.1.3).
    public func redeem(code: String, clientID: String, redirectURI: String, now: Int64) throws -> CodeGrant {
        let key = SecretHash.digest(code)
        let entry = state.withLock { $0.codes.removeValue(forKey: key) }
        guard let entry, entry.expires > now else {
            throw AdminError.invalidGrant("The authorization code is unknown, already used or expired.")
        }
        guard entry.value.authorization.clientID == clientID else {
            throw AdminError.invalidGrant("The authorization code was issued to another client_id.")
        }
        guard entry.value.authorization.redirectURI == redirectURI else {
            throw AdminError.invalidGrant("redirect_uri differs from the one given to oauth2/authorize.")
        }
        return entry.value
    }

    /// How many sign-ins and codes are waiting (expired ones included until the next insert prunes them).
    public var pendingCount: (authorizations: Int, codes: Int) {
        state.withLock { ($0.authorizations.count, $0.codes.count) }
    }

    private static func insert<V>(_ map: inout [String: Entry<V>], _ key: String, _ entry: Entry<V>, now: Int64) {
        if map.count >= capacity {
            map = map.filter { $0.value.expires > now }
            while map.count >= capacity, let soonest = map.min(by: { $0.value.expires < $1.value.expires }) {
                map.removeValue(forKey: soonest.key)
            }
        }
        map[key] = entry
    }
}
