/// Signing in like Portal (decision 12): the OAuth 2 implicit and authorization-code flows on top
/// of the same credential check and token store as `generateToken`.
extension Deployment {
    /// Default OAuth token lifetime when the client asks none: 120 minutes (`expires_in` 7200).
    public static let defaultOAuthExpirationMinutes = 120

    /// What a successful `oauth2/signin` gives.
    public enum SignInResult: Sendable {
        /// Implicit flow: the token, to put in the redirect's fragment.
        case token(TokenGrant, username: String, authorization: OAuthSessions.Authorization)
        /// Code flow: a single-use code for `oauth2/token`.
        case code(String, authorization: OAuthSessions.Authorization)
    }

    /// A refused sign-in: why, and a fresh `oauth_state` for the same authorization so the sign-in
    /// page can be shown again (each `oauth_state` is used once, whatever the outcome).
    public struct SignInRefusal: Error, Sendable {
        public var error: AdminError
        public var retryState: String
        public var authorization: OAuthSessions.Authorization
    }

    /// `oauth2/authorize`: remembers the request; returns the `oauth_state` for the sign-in page.
    public func beginSignIn(_ authorization: OAuthSessions.Authorization) -> String {
        oauthSessions.begin(authorization, now: clock.now())
    }

    /// `oauth2/signin`: takes the authorization behind `oauthState` (once), checks the credentials and
    /// hands out a token (implicit flow) or a code (code flow).
    /// - Parameter expirationMinutes: the lifetime the sign-in form asks for, overriding authorize's.
    /// - Throws: ``AdminError`` for an unknown or expired `oauthState`; ``SignInRefusal`` for
    ///   missing or wrong credentials.
    public func signIn(oauthState: String, username: String?, password: String?, expirationMinutes: Int?) throws -> SignInResult {
        var authorization = try oauthSessions.take(oauthState, now: clock.now())
        if let expirationMinutes { authorization.expirationMinutes = expirationMinutes }
        let user: User
        do {
            guard let username else { throw AdminError.unableToGenerateToken("'username' must be specified.") }
            guard let password else { throw AdminError.unableToGenerateToken("'password' must be specified.") }
            user = try authenticate(username: username, password: password)
        } catch let e as AdminError {
            throw SignInRefusal(error: e, retryState: beginSignIn(authorization), authorization: authorization)
        }
        switch authorization.responseType {
        case .token:
            let grant = try issueToken(for: user, expirationMinutes: authorization.expirationMinutes ?? Self.defaultOAuthExpirationMinutes)
            return .token(grant, username: user.username, authorization: authorization)
        case .code:
            return .code(oauthSessions.issueCode(for: user.username, authorization: authorization, now: clock.now()),
                         authorization: authorization)
        }
    }

    /// `oauth2/token` with `grant_type=authorization_code`: redeems the code (once) for a token.
    /// - Parameter expirationMinutes: the lifetime asked for here, overriding the earlier requests'.
    public func redeemAuthorizationCode(_ code: String, clientID: String, redirectURI: String,
                                        expirationMinutes: Int?) throws -> (grant: TokenGrant, username: String) {
        let granted = try oauthSessions.redeem(code: code, clientID: clientID, redirectURI: redirectURI, now: clock.now())
        guard let user = users().first(where: { $0.username == granted.username }) else {
            throw AdminError.invalidGrant("The user of this authorization code no longer exists.")
        }
        let minutes = expirationMinutes ?? granted.authorization.expirationMinutes ?? Self.defaultOAuthExpirationMinutes
        return (try issueToken(for: user, expirationMinutes: minutes), user.username)
    }
}
