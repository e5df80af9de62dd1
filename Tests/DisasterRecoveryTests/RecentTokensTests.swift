import Catalog
@testable import DisasterRecovery
import Testing

/// The remembered digests are a cache of `TokenDigest(of:)` that never lets a token through the
/// table would refuse.
@Suite struct RecentTokensTests {
    @Test func remembersValidTokensUpToItsCapacityOldestOutFirst() {
        var recent = RecentTokens()
        let tokens = (0..<(RecentTokens.capacity + 1)).map { "token-\($0)" }
        #expect(recent.digest(of: tokens[0]) == nil)
        for t in tokens.prefix(RecentTokens.capacity) { recent.remember(t, TokenDigest(of: t)) }
        #expect(recent.count == RecentTokens.capacity)
        for t in tokens.prefix(RecentTokens.capacity) { #expect(recent.digest(of: t) == TokenDigest(of: t)) }
        recent.remember(tokens[0], TokenDigest(of: tokens[0]))  // already there: nothing moves
        recent.remember(tokens.last!, TokenDigest(of: tokens.last!))
        #expect(recent.count == RecentTokens.capacity)
        #expect(recent.digest(of: tokens[0]) == nil)
        #expect(recent.digest(of: tokens[1]) == TokenDigest(of: tokens[1]))
        #expect(recent.digest(of: tokens.last!) == TokenDigest(of: tokens.last!))
        // A longer text, a prefix and a text that differs in its last byte are other tokens.
        #expect(recent.digest(of: tokens[1] + "x") == nil)
        #expect(recent.digest(of: String(tokens[1].dropLast())) == nil)
        #expect(recent.digest(of: "token-9") == nil)
        let long = String(repeating: "t", count: RecentTokens.longestToken + 1)
        recent.remember(long, TokenDigest(of: long))
        #expect(recent.digest(of: long) == nil)
    }

    @Test(arguments: [("", "", true), ("a", "a", true), ("a", "b", false), ("ab", "a", false), ("tökén", "tökén", true),
                      ("tökén", "token", false), ("same-length-1", "same-length-2", false),
                      ("0123456789abcdefgh", "0123456789abcdefgh", true), ("0123456789abcdefgX", "0123456789abcdefgY", false),
                      ("0123456789abcdefgh", "0123456789abcdeFgh", false), ("X123456789abcdefgh", "0123456789abcdefgh", false)])
    func comparesEveryByte(a: String, b: String, same: Bool) {
        #expect(SecretHash.sameBytes(a, b) == same)
        #expect(SecretHash.sameBytes(b, a) == same)
    }

    func open() throws -> (Deployment, ManualClock) {
        let d = try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: ":memory:"), fixture: try defaultFixture(),
                                    clockMode: .manual, speed: 1)
        return (d, d.clock as! ManualClock)
    }

    /// A remembered token is still refused once revoked or expired, by both ways a request is admitted.
    @Test func aRememberedTokenIsRefusedOnceRevokedOrExpired() throws {
        let (d, clock) = try open()
        let revoked = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: 60)
        let expiring = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: 60)
        for grant in [revoked, expiring] {
            #expect(try d.user(forToken: grant.token).username == "admin")
            #expect(try d.admit(token: grant.token, privilege: nil).allowed)
        }
        #expect(d.state.withLock { s in [revoked, expiring].allSatisfy { s.recentTokens.digest(of: $0.token) == TokenDigest(of: $0.token) } })

        try d.revokeToken(revoked.token)
        #expect(throws: AdminError.invalidToken()) { try d.user(forToken: revoked.token) }
        #expect(throws: AdminError.invalidToken()) { try d.admit(token: revoked.token, privilege: nil) }
        #expect(try d.user(forToken: expiring.token).username == "admin")

        clock.advance(by: 3_600_000)
        #expect(throws: AdminError.invalidToken()) { try d.user(forToken: expiring.token) }
        #expect(throws: AdminError.invalidToken()) { try d.admit(token: expiring.token, privilege: nil) }
    }

    /// Wrong tokens are not remembered, so a stream of them cannot push the valid ones out.
    @Test func wrongTokensAreNotRemembered() throws {
        let (d, _) = try open()
        let grant = try d.generateToken(username: "admin", password: "drmock-admin-1", expirationMinutes: 60)
        _ = try d.user(forToken: grant.token)
        // Same length, one byte off: compared in full and refused.
        let oneOff = String(grant.token.dropLast()) + (grant.token.hasSuffix("!") ? "?" : "!")
        for i in 0..<(RecentTokens.capacity * 3) {
            #expect(throws: AdminError.invalidToken()) { try d.admit(token: "wrong-\(i)", privilege: nil) }
            #expect(throws: AdminError.invalidToken()) { try d.user(forToken: oneOff) }
        }
        #expect(d.state.withLock { $0.recentTokens.count } == 1)
        #expect(try d.admit(token: grant.token, privilege: nil).username == "admin")
    }
}
