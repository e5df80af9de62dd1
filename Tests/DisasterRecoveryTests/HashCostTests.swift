import Catalog
import Testing
@testable import DisasterRecovery

/// The passcode and password hash cost (`--hash-cost`): new hashes take the deployment's cost,
/// stored hashes keep verifying with the cost they carry.
@Suite struct HashCostTests {
    /// `drmock-admin-1` as the default fixture stored it before the default cost went from 2^12 to 2^10.
    static let oldDefaultAdminHash =
        "scrypt$12$8$1$a0b9f6fc0a98a285a07d6dc7d6e80b21$0e50a8a203159e250e5dca85204e789f714df306cd6be579f3afbc406c4f4857"

    @Test func aHashCarriesItsCost() throws {
        for logN in [1, 4, 10] {
            let h = try SecretHash.make("secret123", logN: logN)
            #expect(h.hasPrefix("scrypt$\(logN)$8$1$"))
            #expect(SecretHash.logN(of: h) == logN)
            #expect(SecretHash.verify("secret123", against: h))
            #expect(!SecretHash.verify("secret124", against: h))
        }
        #expect(SecretHash.logN(of: "plain") == nil)
        #expect(SecretHash.logN(of: "scrypt$21$8$1$00$00") == nil)
        #expect(SecretHash.logN(of: "scrypt$x$8$1$00$00") == nil)
        #expect(SecretHash.defaultLogN == 10)
    }

    @Test func hashesMadeWithTheOldDefaultCostStillVerify() {
        #expect(SecretHash.verify("drmock-admin-1", against: Self.oldDefaultAdminHash))
        #expect(!SecretHash.verify("drmock-admin-2", against: Self.oldDefaultAdminHash))
    }

    @Test func newHashesTakeTheDeploymentsCostAndOldOnesKeepTheirs() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        var fixture = try defaultFixture()
        fixture.users[0].passwordHash = nil
        fixture.users[0].password = "plain-password-1"
        fixture.users[1].passwordHash = Self.oldDefaultAdminHash   // the viewer, with a 2^12 hash
        let admin = fixture.users[0].username, viewer = fixture.users[1].username

        let first = try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: path), fixture: fixture,
                                        clockMode: .manual, speed: 1, hashLogN: 5)
        #expect(first.hashLogN == 5)
        #expect(first.users().first { $0.username == admin }.map { SecretHash.logN(of: $0.passwordHash) } == 5)
        _ = try first.createBackup(.init(storeName: "default", name: "at-5", passcode: "passcode-at-5",
                                         username: admin, operationURI: "/x"))
        try first.advanceClock(by: 10 * 60_000)
        let at5 = try #require(try first.backups(inStore: "default").first { $0.backupName == "at-5" })
        #expect(SecretHash.logN(of: at5.passcodeHash) == 5)

        // Started again on the same catalog with another cost: what is stored keeps verifying.
        let again = try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: path), fixture: fixture,
                                        clockMode: .manual, speed: 1, hashLogN: 7)
        _ = try again.generateToken(username: admin, password: "plain-password-1", expirationMinutes: nil)
        _ = try again.generateToken(username: viewer, password: "drmock-admin-1", expirationMinutes: nil)
        #expect(throws: AdminError.self) { try again.generateToken(username: admin, password: "wrong", expirationMinutes: nil) }
        _ = try again.restoreBackup(named: "at-5", inStore: "default", passcode: "passcode-at-5", username: admin, operationURI: "/x")
        try again.advanceClock(by: 60 * 60_000)
        _ = try again.createBackup(.init(storeName: "default", name: "at-7", passcode: "passcode-at-7",
                                         username: admin, operationURI: "/x"))
        try again.advanceClock(by: 10 * 60_000)
        let at7 = try #require(try again.backups(inStore: "default").first { $0.backupName == "at-7" })
        #expect(SecretHash.logN(of: at7.passcodeHash) == 7)
        #expect(SecretHash.verify("passcode-at-7", against: at7.passcodeHash))
        #expect(try again.hashSecret("x").hasPrefix("scrypt$7$"))
    }

    @Test func aCostOutsideTheRangeIsRefused() throws {
        for logN in [0, 21] {
            #expect(throws: FixtureError.self) {
                _ = try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: ":memory:"), fixture: try defaultFixture(),
                                        clockMode: .manual, speed: 1, hashLogN: logN)
            }
        }
    }

    /// An unknown user's password is checked against a decoy as costly as the dearest stored hash.
    @Test func theSignInDecoyCostsWhatTheDearestPasswordCosts() throws {
        func user(_ hash: String) -> User { User(username: "u", passwordHash: hash, role: "", privileges: []) }
        let decoy = Deployment.signInDecoy([user(try SecretHash.make("a", logN: 4)), user(Self.oldDefaultAdminHash)], hashLogN: 6)
        #expect(SecretHash.logN(of: decoy) == 12)
        #expect(SecretHash.isWellFormed(decoy))
        #expect(SecretHash.logN(of: Deployment.signInDecoy([User](), hashLogN: 6)) == 6)
        #expect(!SecretHash.verify("drmock-admin-1", against: decoy))
    }
}
