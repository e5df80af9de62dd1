@testable import DisasterRecovery
import Testing

/// The in-memory token key is the catalog's hex digest in another form: same token, same key, same hex.
@Suite struct TokenDigestTests {
    @Test(arguments: ["", "a", "2Cu-sn1V2PPwl4cyzbQ6Q4ZmMrqSkeOxBZbZ6B7-Z9c", String(repeating: "x", count: 200), "tökén ☃", "t\u{0}k"])
    func keyAndHexAgreeWithTheCatalogDigest(token: String) throws {
        let key = TokenDigest(of: token)
        #expect(key.hex == SecretHash.digest(token))
        #expect(TokenDigest(hex: SecretHash.digest(token)) == key)
        #expect(TokenDigest(hex: SecretHash.digest(token))?.hashValue == key.hashValue)
    }

    @Test func differentTokensHaveDifferentKeys() {
        #expect(TokenDigest(of: "a") != TokenDigest(of: "b"))
        #expect(TokenDigest(of: "token") == TokenDigest(of: "token"))
    }

    /// Only what `SecretHash.digest` writes (64 lowercase hex digits) is a token's digest.
    @Test(arguments: ["", "abc", String(repeating: "0", count: 63), String(repeating: "0", count: 65),
                      String(repeating: "A", count: 64), String(repeating: "g", count: 64), String(repeating: "é", count: 32)])
    func otherTextIsNoDigest(hex: String) {
        #expect(TokenDigest(hex: hex) == nil)
    }
}
