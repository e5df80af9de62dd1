import FoundationEssentials
import Testing
@testable import DisasterRecovery

/// `drmock fixtures validate`'s logic: every problem, with the JSON path of what is wrong.
@Suite struct FixtureCheckTests {
    static let root = String(#filePath).components(separatedBy: "/Tests/").first!

    /// The default fixture's text, changed by `edit` (plain text replacement, so the tests read like the file).
    func defaultText(_ edits: [(String, String)] = []) throws -> [UInt8] {
        guard let bytes = FixtureLocator.readFile(Self.root + "/fixtures/default.json") else {
            throw FixtureError("cannot read fixtures/default.json")
        }
        var text = String(decoding: bytes, as: UTF8.self)
        for (old, new) in edits {
            guard let r = text.firstRange(of: old) else { throw FixtureError("'\(old)' is not in default.json") }
            text.replaceSubrange(r, with: new)
        }
        return Array(text.utf8)
    }

    func problems(_ edits: [(String, String)]) throws -> [String] {
        FixtureCheck.problems(in: try defaultText(edits)).map { "\($0.severity.rawValue) \($0)" }
    }

    @Test func theDefaultFixtureHasNoProblems() throws {
        #expect(FixtureCheck.problems(in: try defaultText()).isEmpty)
    }

    @Test func everyFixtureInTheRepositoryHasNoProblems() throws {
        let dir = Self.root + "/fixtures"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".json") }
        #expect(!files.isEmpty)
        for file in files {
            let bytes = try #require(FixtureLocator.readFile(dir + "/" + file))
            if FixtureCheck.isScenario(bytes) { continue }   // checked by loading (drmock fixtures validate, AdminAPI)
            #expect(FixtureCheck.problems(in: bytes).isEmpty, "\(file): \(FixtureCheck.problems(in: bytes))")
        }
    }

    @Test func invalidJSONSaysSo() {
        let p = FixtureCheck.problems(in: Array("{\"name\": \"x\",, }".utf8))
        #expect(p.count == 1)
        #expect(p.first?.path == "$")
        #expect(p.first?.message == "not valid JSON: line 1, column 14: expected a key in double quotes, found ','")
    }

    @Test func syntaxErrorsSayLineAndColumn() {
        func e(_ s: String) -> String? { JSONSyntax.firstError(in: Array(s.utf8)) }
        #expect(e("{\n  \"a\": }") == "line 2, column 8: expected a value, found '}'")
        #expect(e("{\"a\": [1, 2,]}") == "line 1, column 13: expected a value, found ']'")
        #expect(e("{\"a\": \"x\" \"b\": 1}") == "line 1, column 11: expected ',' or '}', found '\"'")
        #expect(e("{\"a\": tru}") == "line 1, column 7: expected a value, found 't'")
        #expect(e("{\"a\": \"x") == "line 1, column 7: unterminated string (it starts here)")
        #expect(e("{} x") == "line 1, column 4: unexpected text after the end of the document")
        #expect(e("[1e5, -0.5, true, false, null, \"\\\"\", {}, []]") == nil)
        #expect(e("{\"a\": 01.2.3}") == "line 1, column 7: not a number")
    }

    @Test func aMissingKeyDeepInsideABackupIsNamedByItsFullPath() throws {
        let p = try problems([("\"startTime\": 1634736146928,\n          \"clusterID\"", "\"clusterID\"")])
        #expect(p == ["error $.backups[0].relationalStore[0].startTime: required key is missing"])
    }

    @Test func aWrongTypeIsNamedByItsPathAndTheExpectedKind() throws {
        let p = try problems([("\"privileges\": [\"portal:user:viewOrgItems\"]", "\"privileges\": \"portal:user:viewOrgItems\"")])
        #expect(p.count == 1)
        #expect(p.first?.hasPrefix("error $.users[1].privileges: expected an array") == true)
        let q = try problems([("\"submitDelayMs\": ", "\"submitDelayMs\": \"soon\", \"x\": ")])
        #expect(q.first?.hasPrefix("error $.timings.submitDelayMs: expected an integer") == true)
    }

    @Test func aNullIsNamed() throws {
        let p = try problems([("\"siteName\": \"arcgis\",\n  \"namespace\"", "\"siteName\": null,\n  \"namespace\"")])
        #expect(p == ["error $.siteName: is null, expected a string"])
    }

    @Test func everyRuleBrokenIsReportedAtOnceWithItsPath() throws {
        let p = try problems([
            ("\"backupStore\": \"default\"", "\"backupStore\": \"nowhere\""),
            ("\"default\": true", "\"default\": false"),
            ("\"username\": \"viewer\"", "\"username\": \"admin\""),
            ("\"passwordHash\": \"scrypt$10$8$1$4b95", "\"passwordHash\": \"plain$10$8$1$4b95"),
            ("\"name\": \"default\",\n  \"siteName\"", "\"name\": \"default\", \"release\": \"9.9\",\n  \"siteName\""),
        ])
        #expect(p.contains("error $.backups[0].backupStore: 'nowhere' is not a store of this fixture"))
        #expect(p.contains("error $.stores: exactly one store must have \"default\": true (found 0)"))
        #expect(p.contains("error $.users[1].username: 'admin' is used twice"))
        #expect(p.contains { $0.hasPrefix("error $.users[1].passwordHash: not a drmock secret hash") })
        #expect(p.contains { $0.hasPrefix("error $.release: unknown release '9.9'") })
        #expect(p.count == 5)
    }

    @Test func stageRulesNameTheStage() throws {
        let fixture = try Fixture.decode(try defaultText(), source: "default.json")
        var f = fixture
        f.timings.backupStages[1].durationMs = -5
        f.timings.restoreStages = []
        #expect(f.problems().map(\.description) == [
            "$.timings.backupStages[1].durationMs: must not be negative (stage '\(fixture.timings.backupStages[1].name)')",
            "$.timings.restoreStages: needs at least one stage",
        ])
        #expect(throws: FixtureError.self) { try f.validate(source: "f.json") }
    }

    @Test func aMisspeltKeyIsAWarningNotAnError() throws {
        let p = FixtureCheck.problems(in: try defaultText([
            ("\"role\": \"org_admin\"", "\"role\": \"org_admin\", \"pasword\": \"x\""),
            ("\"name\": \"default\",\n  \"siteName\"", "\"name\": \"default\", \"comment\": null, \"relase\": \"11.1\",\n  \"siteName\""),
        ]))
        #expect(p.map(\.severity) == [.warning, .warning])
        #expect(p.map(\.description) == ["$.relase: unknown key, ignored", "$.users[0].pasword: unknown key, ignored"])
    }

    @Test func validateThrowsTheFirstErrorWithSourceAndPath() throws {
        let bytes = try defaultText([("\"backupName\": \"backup_first\"", "\"backupName\": \"a/b\"")])
        let f = try Fixture.decode(bytes, source: "x.json")
        #expect(throws: FixtureError.self) { try f.validate(source: "x.json") }
        do { try f.validate(source: "x.json") } catch {
            #expect("\(error)" == "x.json: $.backups[0].backupName: 'a/b' is not a valid backup name")
        }
    }

    @Test func secretHashShape() throws {
        #expect(SecretHash.isWellFormed(try SecretHash.make("secret123", logN: 4)))
        #expect(!SecretHash.isWellFormed("secret123"))
        #expect(!SecretHash.isWellFormed("scrypt$40$8$1$00$00"))
        #expect(!SecretHash.isWellFormed("scrypt$12$8$1$zz$00"))
    }

    @Test func theExecutableIsFoundEvenWhenArgv0IsABareName() {
        // `drmock` started through PATH has argv[0] == "drmock"; the lookup must still start from its real folder.
        #expect(FixtureLocator.currentExecutable().hasPrefix("/"))
        #expect(FixtureLocator.searchDirectories().count > 2)
    }

    @Test func listingFindsFixturesAndMarksShadowedOnes() throws {
        let a = "/tmp/drmock-fixtures-\(SecretHash.randomAlphanumeric(8))"
        let exe = a + "/bin/drmock"
        let fm = FileManager.default
        try fm.createDirectory(atPath: a + "/share/drmock/fixtures", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: a + "/bin", withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: a) }
        for file in ["default.json", "other.json", "notes.txt"] {
            #expect(fm.createFile(atPath: a + "/share/drmock/fixtures/" + file, contents: Data("{}".utf8)))
        }
        let entries = FixtureLocator.available(executablePath: exe)
        let mine = entries.filter { $0.path.hasPrefix(a) }
        #expect(mine.map(\.name) == ["default", "other"])
        // ./fixtures (the checkout's, when tests run from the package root) comes first and has "default".
        if let checkout = entries.first(where: { $0.name == "default" && !$0.path.hasPrefix(a) }) {
            #expect(mine.first?.shadowedBy == checkout.path)
        }
        #expect(mine.last?.shadowedBy == nil)
    }
}
