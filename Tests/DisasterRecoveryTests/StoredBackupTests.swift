import FoundationEssentials
import Testing
@testable import DisasterRecovery

/// The catalog's fast backup reader gives exactly what JSONDecoder gives, or nil (then the caller
/// uses JSONDecoder).
@Suite struct StoredBackupTests {
    func encoded(_ b: Backup) throws -> String {
        String(decoding: try JSONEncoder().encode(b), as: UTF8.self)
    }

    func decoded(_ body: String) throws -> Backup {
        try JSONDecoder().decode(Backup.self, from: Data(body.utf8))
    }

    /// Reads `b`'s stored JSON after the backups `sharing` has seen, expecting `b` itself and what
    /// JSONDecoder reads from the same text.
    @discardableResult
    func readShared(_ b: Backup, _ sharing: inout StoredBackupSharing,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> Backup? {
        let body = try encoded(b)
        let got = Backup(storedJSON: body, sharing: &sharing)
        #expect(got == b, sourceLocation: sourceLocation)
        #expect(got == (try decoded(body)), sourceLocation: sourceLocation)
        return got
    }

    @Test func fixtureBackupsReadTheSameAsJSONDecoder() throws {
        for fb in try defaultFixture().backups {
            let body = try encoded(fb.backup)
            #expect(Backup(storedJSON: body) == fb.backup)
            #expect(Backup(storedJSON: body) == (try decoded(body)))
        }
    }

    @Test func escapesAndUnicodeReadTheSame() throws {
        var b = try defaultFixture().backups[0].backup
        b.description = "quote \" backslash \\ slash / nl \n tab \t cr \r ctl \u{1} del \u{7f} é ☃ 😀 \u{301}"
        b.backupName = "x\"y<é>"
        b.retentionDate = -1
        b.completeTime = Int64.max
        b.startTime = Int64.min
        let body = try encoded(b)
        #expect(Backup(storedJSON: body) == b)
        let handWritten = #"{"a":1}"#
        #expect(Backup(storedJSON: handWritten) == nil)
        // \u escapes, surrogate pairs and spaces, as another writer might produce them.
        let spaced = body.replacing("\"backupName\":", with: " \"backupName\" :\n ")
            .replacing("x\\\"y<é>", with: "x\\u0022y\\u003c\\u00e9\\u003E\\ud83d\\ude00")
        let expected = try decoded(spaced)
        #expect(expected.backupName == "x\"y<é>😀")
        #expect(Backup(storedJSON: spaced) == expected)
    }

    @Test(arguments: [
        ("\"completeTime\":", "\"completeTime\":1.5,\"x\":"),     // a fraction: JSONDecoder's call
        ("\"completeTime\":", "\"completeTime\":1e3,\"x\":"),     // an exponent
        ("\"completeTime\":", "\"completeTime\":null,\"x\":"),    // null for a number
        ("\"status\":", "\"status\":\"a\",\"status\":"),          // a key given twice
        ("\"passcodeHash\":", "\"passcodeHashX\":"),              // a missing key
        ("\"completeTime\":", "\"completeTime\":012,\"x\":"),     // a leading zero
        ("\"backupName\":\"", "\"backupName\":\"\\ud800"),        // a lone surrogate
    ])
    func unusualRecordsAreLeftToJSONDecoder(find: String, replace: String) throws {
        let body = try encoded(try defaultFixture().backups[0].backup)
        let changed = body.replacing(find, with: replace)
        #expect(changed != body)
        #expect(Backup(storedJSON: changed) == nil)
    }

    @Test func optionalPartsReadTheSame() throws {
        var b = try defaultFixture().backups[0].backup
        b.detachedVolume = "volume-1"
        b.captured = RestorableState(taskSeq: 3, scheduledThrough: 1_700_000_000_000)
        let body = try encoded(b)
        #expect(try decoded(body) == b)
        #expect(Backup(storedJSON: body) == b)
        // A null is JSONDecoder's to judge.
        #expect(Backup(storedJSON: body.replacing("\"detachedVolume\":\"volume-1\"", with: "\"detachedVolume\":null")) == nil)
    }

    @Test func valuesEqualToThePreviousBackupsAreShared() throws {
        let fixture = try defaultFixture().backups.map(\.backup)
        var sharing = StoredBackupSharing()
        var read: [Backup] = []
        for (i, var b) in (fixture + fixture).enumerated() {
            b.backupName = "b\(i)"
            b.captured = RestorableState(taskSeq: i / 2)
            if let got = try readShared(b, &sharing) { read.append(got) }
        }
        #expect(read.count == 4)
        // Every backup has the same system databases: the third's array is the second's storage.
        func storage(_ a: [String]) -> UnsafeRawPointer? { a.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        if read.count == 4 {
            #expect(storage(read[2].relationalStore[0].systemDatabases) == storage(read[1].relationalStore[0].systemDatabases))
        }
        // A canonically equal but differently encoded string is read as written, not shared.
        var composed = fixture[0], decomposed = fixture[0]
        composed.siteName = "caf\u{e9}"
        decomposed.siteName = "cafe\u{301}"
        sharing = StoredBackupSharing()
        _ = Backup(storedJSON: try encoded(composed), sharing: &sharing)
        let second = Backup(storedJSON: try encoded(decomposed), sharing: &sharing)
        #expect(second.map { Array($0.siteName.utf8) } == Array(decomposed.siteName.utf8))
    }

    /// The shared values are read into the sharing state in place: values that change from backup
    /// to backup (escaped ones too), and a record refused half way, leave every later read exact.
    @Test func sharedValuesThatChangeOrAreEscapedReadTheSame() throws {
        let base = try defaultFixture().backups[0].backup
        var sharing = StoredBackupSharing()
        var variants: [Backup] = []
        for i in 0..<6 {
            var b = base
            b.release = i % 2 == 0 ? base.release : "rel\\ease \"\(i)\""
            b.siteName = i % 3 == 0 ? "site\n\(i)" : base.siteName
            b.status = i == 4 ? "é ☃ \u{1}" : base.status
            b.encryptKey = "key-\(i % 2)"
            b.passcodeHash = i % 2 == 0 ? base.passcodeHash : ""
            b.infrastructures.status = i % 2 == 0 ? "completed" : "fail\\ed"
            b.category = i == 5 ? base.category + base.category : base.category
            // String arrays: the same, an escaped element, one more or one fewer, empty.
            let buckets = base.objectStore[0].buckets
            b.objectStore[0].buckets = [buckets, buckets.dropLast() + ["a\\b\"c"], buckets + ["more"], Array(buckets.dropFirst()), [], buckets][i]
            b.relationalStore[0].systemDatabases = i == 3 ? ["ctl \u{1}"] + base.relationalStore[0].systemDatabases : base.relationalStore[0].systemDatabases
            variants.append(b)
        }
        for b in variants + variants.reversed() {
            let body = try encoded(b)
            // Half of a record first: refused, and the next read is still exact.
            let broken = String(body.prefix(body.utf8.count * 2 / 3))
            #expect(Backup(storedJSON: broken, sharing: &sharing) == nil)
            #expect(Backup(storedJSON: body, sharing: &sharing) == b)
            #expect(Backup(storedJSON: body, sharing: &sharing) == b)
        }
    }

    @Test func arraysThatDifferFromThePreviousBackupsReadTheSame() throws {
        let base = try defaultFixture().backups[0].backup
        // Each backup's arrays longer, shorter, equal or different from the one read before it.
        let variants: [[String]] = [["a", "b"], ["a", "b", "c"], ["a"], [], ["a"], ["b", "a"], ["b", "a"], ["b"]]
        var sharing = StoredBackupSharing()
        for (i, names) in variants.enumerated() {
            var b = base
            b.relationalStore[0].systemDatabases = names
            b.relationalStore[0].geodatabases = names.map { .init(gdbName: $0, egdbID: "id-\($0)") }
            b.objectStore[0].buckets = names.reversed()
            b.backupName = "v\(i)"
            try readShared(b, &sharing)
        }
    }

    @Test func longStringsWithEscapesAtEveryOffsetReadTheSame() throws {
        var b = try defaultFixture().backups[0].backup
        var sharing = StoredBackupSharing()
        // The reader scans eight bytes at a time: put the escape or non-ASCII text at every offset.
        for offset in 0..<20 {
            for special in ["\"", "\\", "\n", "\u{1f}", "é", "😀"] {
                b.description = String(repeating: "d", count: offset) + special + String(repeating: "e", count: 9)
                b.passcodeHash = String(repeating: "h", count: offset + 9) + special
                try readShared(b, &sharing)
            }
        }
    }

    @Test func keysAndHashesEqualToThePreviousBackupsShareStorage() throws {
        var first = try defaultFixture().backups[0].backup
        first.passcodeHash = String(repeating: "p", count: 80)
        first.encryptKey = "XxxxxXxXX-XxxXXXXxXXxX.."
        var second = first
        second.backupName = "second"
        var sharing = StoredBackupSharing()
        let a = Backup(storedJSON: try encoded(first), sharing: &sharing)
        let b = Backup(storedJSON: try encoded(second), sharing: &sharing)
        #expect(a == first && b == second)
        func storage(_ s: String?) -> UnsafeRawPointer? { s?.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil }
        #expect(storage(a?.passcodeHash) != nil && storage(a?.passcodeHash) == storage(b?.passcodeHash))
        #expect(storage(a?.encryptKey) == storage(b?.encryptKey))
    }

    @Test func truncatedOrTrailingTextIsRefused() throws {
        let body = try encoded(try defaultFixture().backups[0].backup)
        #expect(Backup(storedJSON: String(body.dropLast())) == nil)
        #expect(Backup(storedJSON: body + "x") == nil)
        #expect(Backup(storedJSON: " " + body + " \n") == (try decoded(body)))
    }
}
