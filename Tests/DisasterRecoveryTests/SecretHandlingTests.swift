import Catalog
import Foundation
import Testing
@testable import DisasterRecovery

/// Secrets at rest and sign-in (issue #7): what the catalog file holds, tokens, the decoy hash.
@Suite struct SecretHandlingTests {
    @Test func theCatalogFileNeverHoldsAPlainSecret() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let catalog = try DRCatalog(path: path)
        var fixture = try defaultFixture()
        fixture.users[0].passwordHash = nil
        fixture.users[0].password = "plain-fixture-password-7"
        let d = try Deployment.open(context: "arcgis", catalog: catalog, fixture: fixture, clockMode: .manual, speed: 1)
        let token = try d.generateToken(username: fixture.users[0].username, password: "plain-fixture-password-7", expirationMinutes: nil).token
        _ = try d.createBackup(.init(storeName: "default", name: "s1", passcode: "very-secret-passcode-9", username: "admin", operationURI: "/x"))
        try d.advanceClock(by: 10 * 60_000)
        _ = try d.backups(inStore: "default")   // the completed backup is written too
        var bytes = Data()
        for suffix in ["", "-wal"] { bytes += (FileManager.default.contents(atPath: path + suffix) ?? Data()) }
        #expect(bytes.count > 0)
        for secret in ["plain-fixture-password-7", "very-secret-passcode-9", token] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "the catalog holds \(secret)")
        }
        #expect(bytes.range(of: Data(SecretHash.digest(token).utf8)) != nil)   // only the digest
        catalog.close()
    }

    @Test func tokensAre256RandomBits() {
        let tokens = (0..<1000).map { _ in SecretHash.randomToken() }
        #expect(Set(tokens).count == 1000)
        #expect(tokens.allSatisfy { $0.count == 43 && $0.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 } })
        // Every bit position takes both values across the sample (a stuck bit would show).
        var ones = [Int](repeating: 0, count: 256)
        for t in tokens.prefix(200) {
            let raw = Array(Data(base64Encoded: t.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=") ?? Data())
            #expect(raw.count == 32)
            for (i, byte) in raw.enumerated() { for b in 0..<8 where byte >> b & 1 == 1 { ones[i * 8 + b] += 1 } }
        }
        #expect(ones.allSatisfy { $0 > 40 && $0 < 160 })
    }

    @Test func theDecoyIsAWellFormedHashThatNothingMatches() throws {
        let parts = SecretHash.decoy.split(separator: "$")
        #expect(parts.count == 6 && parts[1] == "\(SecretHash.defaultLogN)")
        for guess in ["", "0", "admin", "drmock-admin-1", String(repeating: "\u{0}", count: 32)] {
            #expect(!SecretHash.verify(guess, against: SecretHash.decoy))
        }
        // Same cost parameters as a real hash: the unknown-user path does the same work.
        let real = try SecretHash.make("x")
        #expect(real.split(separator: "$").prefix(4) == parts.prefix(4))
    }
}
