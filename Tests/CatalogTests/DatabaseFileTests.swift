import Catalog
import Testing
import FoundationEssentials  // FileManager for the temporary directories
import Foundation

/// Migrations, and databases in files: settings, persistence across reopening, paths.
@Suite("Database files and migrations")
struct DatabaseFileTests {
    // MARK: - Migrations


    @Test func migrateFromZeroAndReopen() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/catalog.sqlite"
            do {
                let db = try Database(path: path)
                #expect(try db.userVersion == 0)
                #expect(try db.migrate(Array(schema.prefix(2))) == 2)
                #expect(try db.userVersion == 2)
                try db.run("INSERT INTO store (id, name, size) VALUES (?, ?, ?)", ["s1", "one", 5])
                db.close()
            }
            do {
                let db = try Database(path: path)
                #expect(try db.userVersion == 2)
                // Only migration 3 runs; given in any order.
                #expect(try db.migrate(schema.reversed()) == 3)
                #expect(try db.migrate(schema) == 3)
                #expect(try db.query("SELECT version FROM migration_log ORDER BY rowid").map { $0.int("version") } == [1, 2, 3])
                #expect(try db.queryOne("SELECT size FROM store WHERE id = ?", ["s1"])?.int("size") == 5)
                db.close()
            }
            let db = try Database(path: path)
            defer { db.close() }
            #expect(try db.userVersion == 3)
            #expect(try db.migrate(schema) == 3)
            #expect(try db.query("SELECT version FROM migration_log").count == 3)
            #expect(try db.integrityCheck() == ["ok"])
        }
    }

    @Test func migrationNumberingIsChecked() throws {
        let db = try Database(path: ":memory:")
        let gap = #expect(throws: CatalogError.self) { try db.migrate([Migration(1, "CREATE TABLE a (x)"), Migration(3, "CREATE TABLE b (x)")]) }
        #expect(gap?.code == -1)
        #expect(gap?.message.contains("without gaps") == true)
        #expect(throws: CatalogError.self) { try db.migrate([Migration(2, "CREATE TABLE a (x)")]) }
        #expect(throws: CatalogError.self) { try db.migrate([Migration(1, "CREATE TABLE a (x)"), Migration(1, "CREATE TABLE b (x)")]) }
        #expect(throws: CatalogError.self) { try db.migrate([Migration(0, "CREATE TABLE a (x)")]) }
        // Nothing was applied.
        #expect(try db.userVersion == 0)
        #expect(try db.query("SELECT name FROM sqlite_master").isEmpty)
        #expect(try db.migrate([]) == 0)
    }

    @Test func failedMigrationLeavesPreviousVersion() throws {
        let db = try Database(path: ":memory:")
        let broken = schema.prefix(2) + [Migration(3, "CREATE TABLE ok (x); CREATE TABLE store (dup);")]
        let error = #expect(throws: CatalogError.self) { try db.migrate(Array(broken)) }
        #expect(error?.message.contains("migration 3 failed") == true)
        #expect(error?.message.contains("already exists") == true)
        #expect(try db.userVersion == 2)
        #expect(try db.queryOne("SELECT name FROM sqlite_master WHERE name = ?", ["ok"]) == nil)
        #expect(db.isInTransaction == false)
        // A database newer than the migrations known is refused.
        let newer = #expect(throws: CatalogError.self) { try db.migrate(Array(schema.prefix(1))) }
        #expect(newer?.message.contains("newer") == true)
    }

    // MARK: - Files

    @Test func fileDatabaseSettings() throws {
        try withTemporaryDirectory { directory in
            let db = try Database(path: directory + "/settings.sqlite")
            defer { db.close() }
            #expect(db.path == directory + "/settings.sqlite")
            #expect(try db.queryOne("PRAGMA journal_mode")?.text("journal_mode") == "wal")
            #expect(try db.journalMode == "wal")
            #expect(try db.queryOne("PRAGMA synchronous")?.int("synchronous") == 1)  // NORMAL
            #expect(try db.queryOne("PRAGMA foreign_keys")?.int("foreign_keys") == 1)
            #expect(try db.queryOne("PRAGMA busy_timeout")?.int("timeout") == 5000)
            #expect(try db.integrityCheck() == ["ok"])

            let durable = try Database(path: directory + "/durable.sqlite", durable: true)
            defer { durable.close() }
            #expect(try durable.queryOne("PRAGMA synchronous")?.int("synchronous") == 2)  // FULL
            #expect(try durable.journalMode == "wal")
        }
        let memory = try Database(path: ":memory:")
        #expect(try memory.journalMode == "memory")
        #expect(try memory.queryOne("PRAGMA foreign_keys")?.int("foreign_keys") == 1)
        #expect(try memory.integrityCheck() == ["ok"])
    }

    @Test func dataPersistsAfterCloseAndReopen() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/persist.sqlite"
            let text = "persisted ✓ ünïcödé"
            do {
                let db = try Database(path: path)
                try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT, b BLOB, n INTEGER)")
                try db.transaction {
                    try db.run("INSERT INTO t (id, s, b, n) VALUES (?, ?, ?, ?)", [1, .text(text), .blob([]), .integer(Int64.max)])
                }
                try db.run("INSERT INTO t (id, s, b, n) VALUES (?, ?, ?, ?)", [2, nil, .blob([9]), .integer(Int64.min)])
                db.close()
                db.close()  // idempotent
                #expect(db.isOpen == false)
                let closed = #expect(throws: CatalogError.self) { try db.query("SELECT 1") }
                #expect(closed?.message.contains("closed") == true)
            }
            #expect(FileManager.default.fileExists(atPath: path))
            let db = try Database(path: path)
            defer { db.close() }
            let rows = try db.query("SELECT s, b, n FROM t ORDER BY id")
            #expect(rows.count == 2)
            #expect(rows[0].text("s") == text)
            #expect(rows[0].blob("b") == [])
            #expect(rows[0].int("n") == Int64.max)
            #expect(rows[1]["s"] == .null)
            #expect(rows[1].blob("b") == [9])
            #expect(rows[1].int("n") == Int64.min)
            #expect(try db.integrityCheck() == ["ok"])
        }
    }

    @Test func parentDirectoryIsCreated() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/a/b/c/catalog.sqlite"
            #expect(!FileManager.default.fileExists(atPath: directory + "/a"))
            let db = try Database(path: path)
            try db.execute("CREATE TABLE t (x)")
            db.close()
            var isDirectory = false
            #expect(FileManager.default.fileExists(atPath: directory + "/a/b/c", isDirectory: &isDirectory))
            #expect(isDirectory)
            #expect(FileManager.default.fileExists(atPath: path))
            // Opening again with the directories present works too.
            let again = try Database(path: path)
            #expect(try again.query("SELECT name FROM sqlite_master").count == 1)
            again.close()
        }
    }

    @Test func openFailureNamesThePath() throws {
        try withTemporaryDirectory { directory in
            // A directory where the file should be.
            try FileManager.default.createDirectory(atPath: directory + "/dir.sqlite", withIntermediateDirectories: false)
            let isDirectory = #expect(throws: CatalogError.self) { try Database(path: directory + "/dir.sqlite") }
            #expect(isDirectory?.message.contains(directory + "/dir.sqlite") == true)

            // A file that is not a database.
            let junk = directory + "/junk.sqlite"
            _ = FileManager.default.createFile(atPath: junk, contents: Data(repeating: 0x41, count: 4096))
            let notADatabase = #expect(throws: CatalogError.self) { try Database(path: junk) }
            #expect(notADatabase?.code == 26)  // SQLITE_NOTADB
            #expect(notADatabase?.message.contains(junk) == true)

            // A parent that is a file.
            let file = directory + "/plain"
            _ = FileManager.default.createFile(atPath: file, contents: Data())
            let parentIsFile = #expect(throws: CatalogError.self) { try Database(path: file + "/sub/db.sqlite") }
            #expect(parentIsFile?.message.contains(file + "/sub") == true)
        }
    }
}
