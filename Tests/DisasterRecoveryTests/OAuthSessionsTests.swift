import DisasterRecovery
import Testing

/// The memory of pending OAuth sign-ins: single use, expiry, binding of codes, and its bound.
@Suite struct OAuthSessionsTests {
    let auth = OAuthSessions.Authorization(clientID: "pythonapi", redirectURI: "urn:ietf:wg:oauth:2.0:oob",
                                           responseType: .code, state: "s1", expirationMinutes: 600)

    @Test func anAuthorizationIsTakenOnceAndOnlyBeforeItExpires() throws {
        let sessions = OAuthSessions()
        let handle = sessions.begin(auth, now: 0)
        #expect(try sessions.take(handle, now: OAuthSessions.authorizationLifetimeMs - 1) == auth)
        #expect(throws: AdminError.invalidOAuthState()) { try sessions.take(handle, now: 1) }
        let late = sessions.begin(auth, now: 0)
        #expect(throws: AdminError.invalidOAuthState()) { try sessions.take(late, now: OAuthSessions.authorizationLifetimeMs) }
        #expect(throws: AdminError.invalidOAuthState()) { try sessions.take("never-issued", now: 0) }
    }

    @Test func aCodeIsBoundToItsClientAndRedirectAndUsedOnce() throws {
        let sessions = OAuthSessions()
        let code = sessions.issueCode(for: "admin", authorization: auth, now: 0)
        #expect(throws: AdminError.self) { try sessions.redeem(code: code, clientID: "other", redirectURI: auth.redirectURI, now: 1) }
        // The failed attempt spent it.
        #expect(throws: AdminError.self) { try sessions.redeem(code: code, clientID: "pythonapi", redirectURI: auth.redirectURI, now: 1) }
        let good = sessions.issueCode(for: "admin", authorization: auth, now: 0)
        #expect(throws: AdminError.self) { try sessions.redeem(code: good, clientID: "pythonapi", redirectURI: "https://localhost", now: 1) }
        let fresh = sessions.issueCode(for: "admin", authorization: auth, now: 0)
        #expect(try sessions.redeem(code: fresh, clientID: "pythonapi", redirectURI: auth.redirectURI, now: 2).username == "admin")
        let old = sessions.issueCode(for: "admin", authorization: auth, now: 0)
        #expect(throws: AdminError.self) { try sessions.redeem(code: old, clientID: "pythonapi", redirectURI: auth.redirectURI, now: OAuthSessions.codeLifetimeMs) }
    }

    @Test func pendingSignInsAreBounded() throws {
        let sessions = OAuthSessions()
        let first = sessions.begin(auth, now: 0)
        for i in 1...OAuthSessions.capacity { _ = sessions.begin(auth, now: Int64(i)) }
        #expect(sessions.pendingCount.authorizations == OAuthSessions.capacity)
        // The one closest to expiry made room; a newer one is still there.
        #expect(throws: AdminError.invalidOAuthState()) { try sessions.take(first, now: 10) }
        let last = sessions.begin(auth, now: 20_000)
        #expect(try sessions.take(last, now: 20_001) == auth)
    }
}
