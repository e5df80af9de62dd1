import Catalog
@testable import DisasterRecovery
import Testing

@Suite struct TokenTableTests {
    @Test func holdsFindsAndDropsTokens() {
        var table: TokenTable = [:]
        let a = TokenDigest(of: "a"), b = TokenDigest(of: "b"), c = TokenDigest(of: "c")
        table.insert(a, username: "admin", expires: 100)
        table.insert(b, username: "a-user-with-a-rather-long-name", expires: 200)
        table.insert(TokenRecord(digest: c.hex, username: "admin", expires: 300))
        table.insert(TokenRecord(digest: "not hex", username: "admin", expires: 300))
        #expect(table.count == 3)
        #expect(table[a]?.username == "admin" && table[a]?.expires == 100)
        #expect(table[b]?.username == "a-user-with-a-rather-long-name" && table[b]?.expires == 200)
        #expect(table[c]?.username == "admin" && table[c]?.expires == 300)
        #expect(table[TokenDigest(of: "d")] == nil)
        // Only what expired before `now` goes (a token expiring at `now` stays, as before).
        table.removeExpired(before: 100)
        #expect(table.count == 3)
        table.removeExpired(before: 201)
        #expect(table.count == 1 && table[c] != nil && table[a] == nil && table[b] == nil)
        #expect(table.remove(c) && !table.remove(c) && table.count == 0)
        table.insert(a, username: "admin", expires: 10)
        table.removeAll()
        #expect(table.count == 0 && table[a] == nil)
    }

    /// 12,000 tokens (what 30 s of wrk on generateToken make) stay valid, and are found.
    @Test func manyTokensStayValid() {
        var table: TokenTable = [:]
        let tokens = (0..<12_000).map { "token-\($0)" }
        for (i, t) in tokens.enumerated() { table.insert(TokenDigest(of: t), username: i % 2 == 0 ? "admin" : "operator", expires: 1_000_000) }
        table.removeExpired(before: 999_999)
        #expect(table.count == 12_000)
        #expect(tokens.allSatisfy { table[TokenDigest(of: $0)]?.expires == 1_000_000 })
        #expect(table[TokenDigest(of: tokens[7])]?.username == "operator")
    }
}
