import Catalog
import Testing

#if canImport(FoundationEssentials)
import FoundationEssentials  // FileManager for the temporary directories
#else
import Foundation
#endif

/// A fresh directory under /tmp, removed after `body` (whether it throws or not).
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let directory = "/tmp/drmock-catalog-test-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    return try body(directory)
}

/// Runs `body` on a fresh database: ":memory:" or a file in a temporary directory.
func withDatabase(_ kind: DatabaseTests.Kind, _ body: (Database) throws -> Void) throws {
    switch kind {
    case .memory:
        let db = try Database(path: ":memory:")
        defer { db.close() }
        try body(db)
    case .file:
        try withTemporaryDirectory { directory in
            let db = try Database(path: directory + "/catalog.sqlite")
            defer { db.close() }
            try body(db)
        }
    }
}

struct Failure: Error, Equatable {}

let schema = [
    Migration(1, """
        CREATE TABLE store (id TEXT PRIMARY KEY, name TEXT NOT NULL);
        CREATE TABLE migration_log (version INTEGER NOT NULL);
        INSERT INTO migration_log (version) VALUES (1);
        """),
    Migration(2, """
        ALTER TABLE store ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
        INSERT INTO migration_log (version) VALUES (2);
        """),
    Migration(3, """
        CREATE INDEX store_name ON store(name);
        INSERT INTO migration_log (version) VALUES (3);
        """),
]

@Suite("Database")
struct DatabaseTests {
    /// Where a test database lives.
    enum Kind: String, CaseIterable, Sendable { case memory, file }

    // MARK: - Values

    @Test("every SQLValue kind round-trips", arguments: Kind.allCases)
    func roundTripEveryKind(kind: Kind) throws {
        try withDatabase(kind) { db in
            try db.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, x)")  // no affinity: stored as given
            let values: [SQLValue] = [
                .null,
                .integer(0), .integer(-1), .integer(Int64.min), .integer(Int64.max),
                .real(0.5), .real(-1e300), .real(Double.greatestFiniteMagnitude),
                .text(""), .text("plain"), .text("Grüße, 日本語, emoji 👩🏽‍💻, RTL שלום, combining é"),
                .text(String(repeating: "long ", count: 10_000)),
                .blob([]), .blob([0]), .blob([0, 1, 2, 255, 0, 128]), .blob(Array(repeating: 7, count: 100_000)),
            ]
            for (i, value) in values.enumerated() {
                try db.run("INSERT INTO v (id, x) VALUES (?, ?)", [SQLValue(i), value])
            }
            let rows = try db.query("SELECT x FROM v ORDER BY id")
            #expect(rows.map { $0["x"] } == values)
            // The stored types are the ones bound (an empty blob is a blob, not NULL; "" is text).
            let types = try db.query("SELECT typeof(x) AS t FROM v ORDER BY id").compactMap { $0.text("t") }
            #expect(types[0] == "null")
            #expect(types[1...4].allSatisfy { $0 == "integer" })
            #expect(types[8] == "text")
            #expect(types[12] == "blob")
            #expect(try db.queryOne("SELECT length(x) AS n FROM v WHERE id = 12")?.int("n") == 0)
            // Parameters compare equal inside SQL too.
            #expect(try db.queryOne("SELECT id FROM v WHERE x = ?", [.integer(Int64.min)])?.int("id") == 3)
            #expect(try db.queryOne("SELECT id FROM v WHERE x = ?", [values[10]])?.int("id") == 10)
        #expect(try db.queryOne("SELECT length(x) AS n FROM v WHERE id = 11")?.int("n") == 50_000)
        }
    }

    @Test func literalsAndInitializers() {
        let values: [SQLValue] = ["text", 42, nil, 1.5, true, false]
        #expect(values == [.text("text"), .integer(42), .null, .real(1.5), .integer(1), .integer(0)])
        #expect(SQLValue(7) == .integer(7))
        #expect(SQLValue(Int64.min) == .integer(Int64.min))
        #expect(SQLValue("a" as String?) == .text("a"))
        #expect(SQLValue(nil as String?) == .null)
        #expect(SQLValue(true) == .integer(1))
        #expect(SQLValue(false) == .integer(0))
        #expect(SQLValue(2.5) == .real(2.5))
        #expect(SQLValue([1, 2] as [UInt8]) == .blob([1, 2]))
    }

    @Test func rowAccessors() throws {
        let db = try Database(path: ":memory:")
        let row = try #require(
            try db.queryOne(
                "SELECT 42 AS i, 2.9 AS r, -2.9 AS nr, 'hi' AS t, x'00ff' AS b, x'' AS eb, NULL AS n, 0 AS f, 5 AS tr, 1e300 AS big"))
        #expect(row.columnNames == ["i", "r", "nr", "t", "b", "eb", "n", "f", "tr", "big"])
        #expect(row.int("i") == 42)
        #expect(row.int("r") == 2)  // truncated
        #expect(row.int("nr") == -2)
        #expect(row.int("big") == nil)  // does not fit
        #expect(row.int("t") == nil)
        #expect(row.double("r") == 2.9)
        #expect(row.double("i") == 42)
        #expect(row.text("t") == "hi")
        #expect(row.text("i") == nil)
        #expect(row.blob("b") == [0, 255])
        #expect(row.blob("eb") == [])
        #expect(row.blob("n") == nil)
        #expect(row.bool("f") == false)
        #expect(row.bool("tr") == true)
        #expect(row.bool("n") == nil)
        #expect(row["n"] == .null)
        #expect(row["no such column"] == .null)
        #expect(row.int("no such column") == nil)
        #expect(row[index: 0] == .integer(42))
        #expect(row[index: 99] == .null)
    }

    // MARK: - Statements

    @Test("query, queryOne, forEach", arguments: Kind.allCases)
    func queryKinds(kind: Kind) throws {
        try withDatabase(kind) { db in
            try db.execute("""
                CREATE TABLE store (id TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER);
                CREATE INDEX store_name ON store(name);
                """)
            for i in 1...10 {
                try db.run("INSERT INTO store (id, name, size) VALUES (?, ?, ?)", [.text("s\(i)"), .text("store \(i)"), SQLValue(i * 100)])
                #expect(db.changes == 1)
                #expect(db.lastInsertRowID == Int64(i))
            }
            let big = try db.query("SELECT id, size FROM store WHERE size > ? ORDER BY size", [500])
            #expect(big.map { $0.text("id") } == ["s6", "s7", "s8", "s9", "s10"])
            #expect(try db.query("SELECT id FROM store WHERE size > ?", [10_000]).isEmpty)

            #expect(try db.queryOne("SELECT name FROM store WHERE id = ?", ["s3"])?.text("name") == "store 3")
            #expect(try db.queryOne("SELECT name FROM store WHERE id = ?", ["nope"]) == nil)
            // queryOne on a many-row result returns the first and leaves the statement reusable.
            #expect(try db.queryOne("SELECT id FROM store ORDER BY size DESC")?.text("id") == "s10")
            #expect(try db.queryOne("SELECT id FROM store ORDER BY size DESC")?.text("id") == "s10")

            var seen: [Int64] = []
            try db.forEach("SELECT size FROM store ORDER BY size", []) { seen.append($0.int("size") ?? -1) }
            #expect(seen == (1...10).map { Int64($0 * 100) })

            // An error from the body stops the iteration and comes out unchanged.
            var count = 0
            #expect(throws: Failure.self) {
                try db.forEach("SELECT size FROM store ORDER BY size") { _ in
                    count += 1
                    if count == 3 { throw Failure() }
                }
            }
            #expect(count == 3)

            try db.run("UPDATE store SET size = size + 1 WHERE size >= ?", [800])
            #expect(db.changes == 3)
            try db.run("DELETE FROM store WHERE id = ?", ["nope"])
            #expect(db.changes == 0)
        }
    }

    @Test func statementCacheReuse() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        #expect(db.cachedStatementCount == 0)
        for i in 0..<2_000 {
            try db.run("INSERT INTO t (id, v) VALUES (?, ?)", [SQLValue(i), .text("v\(i)")])
        }
        for i in stride(from: 0, to: 2_000, by: 7) {
            #expect(try db.queryOne("SELECT v FROM t WHERE id = ?", [SQLValue(i)])?.text("v") == "v\(i)")
        }
        #expect(db.cachedStatementCount == 2)
        // Bindings are cleared after each use: a failed bind does not leak into the next call.
        #expect(throws: CatalogError.self) { try db.run("INSERT INTO t (id, v) VALUES (?, ?)", [1]) }
        try db.run("INSERT INTO t (id, v) VALUES (?, ?)", [5000, "after"])
        #expect(try db.queryOne("SELECT v FROM t WHERE id = 5000")?.text("v") == "after")

        // Re-entrant use of the same SQL inside forEach gets its own statement.
        var pairs = 0
        try db.forEach("SELECT id FROM t WHERE id < ? ORDER BY id", [3]) { outer in
            try db.forEach("SELECT id FROM t WHERE id < ? ORDER BY id", [3]) { inner in
                pairs += 1
                _ = (outer, inner)
            }
        }
        #expect(pairs == 9)
        #expect(db.cachedStatementCount == 4)
    }

    @Test func statementMisuseIsReported() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        let tooFew = #expect(throws: CatalogError.self) { try db.run("INSERT INTO t (id) VALUES (?)") }
        #expect(tooFew?.code == -1)
        #expect(tooFew?.message.contains("INSERT INTO t") == true)
        #expect(throws: CatalogError.self) { try db.run("INSERT INTO t (id) VALUES (?)", [1, 2]) }
        let two = #expect(throws: CatalogError.self) { try db.run("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)") }
        #expect(two?.message.contains("more than one statement") == true)
        #expect(try db.query("SELECT id FROM t").isEmpty)
        // Trailing whitespace, semicolons and comments are fine.
        try db.run("INSERT INTO t (id) VALUES (?);  -- a comment\n ", [1])
        let syntax = #expect(throws: CatalogError.self) { try db.query("SELEC id FROM t") }
        #expect(syntax?.code == 1)  // SQLITE_ERROR
        #expect(syntax?.isConstraintViolation == false)
        #expect(syntax?.message.contains("syntax error") == true)
        #expect(syntax?.message.contains("SELEC id FROM t") == true)
        let missing = #expect(throws: CatalogError.self) { try db.execute("CREATE TABLE a (x); SELECT * FROM nowhere") }
        #expect(missing?.message.contains("no such table: nowhere") == true)
    }

    // MARK: - Errors

    @Test("constraint violations are reported as such", arguments: Kind.allCases)
    func constraintViolation(kind: Kind) throws {
        try withDatabase(kind) { db in
            try db.execute("""
                CREATE TABLE store (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, size INTEGER CHECK (size >= 0));
                CREATE TABLE backup (id TEXT PRIMARY KEY, store_id TEXT NOT NULL REFERENCES store(id));
                """)
            try db.run("INSERT INTO store (id, name, size) VALUES (?, ?, ?)", ["s1", "one", 1])

            let primaryKey = #expect(throws: CatalogError.self) {
                try db.run("INSERT INTO store (id, name, size) VALUES (?, ?, ?)", ["s1", "other", 1])
            }
            #expect(primaryKey?.isConstraintViolation == true)
            #expect(primaryKey?.isUniqueViolation == true)
            #expect(primaryKey?.code == 1555)  // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(primaryKey?.message.contains("UNIQUE constraint failed: store.id") == true)

            let unique = #expect(throws: CatalogError.self) {
                try db.run("INSERT INTO store (id, name, size) VALUES (?, ?, ?)", ["s2", "one", 1])
            }
            #expect(unique?.code == 2067)  // SQLITE_CONSTRAINT_UNIQUE
            #expect(unique?.isUniqueViolation == true)

            let notNull = #expect(throws: CatalogError.self) {
                try db.run("INSERT INTO store (id, name, size) VALUES (?, ?, ?)", ["s3", nil, 1])
            }
            #expect(notNull?.isConstraintViolation == true)
            #expect(notNull?.isUniqueViolation == false)

            let check = #expect(throws: CatalogError.self) {
                try db.run("INSERT INTO store (id, name, size) VALUES (?, ?, ?)", ["s4", "four", -1])
            }
            #expect(check?.isConstraintViolation == true)

            // foreign_keys is on.
            let foreignKey = #expect(throws: CatalogError.self) {
                try db.run("INSERT INTO backup (id, store_id) VALUES (?, ?)", ["b1", "no such store"])
            }
            #expect(foreignKey?.isConstraintViolation == true)
            #expect(foreignKey?.isForeignKeyViolation == true)
            #expect(foreignKey?.isBusy == false)
            #expect(foreignKey.map { "\($0)" }?.contains("FOREIGN KEY constraint failed") == true)

            // The connection is fine afterwards.
            #expect(try db.query("SELECT id FROM store").count == 1)
        }
    }

    @Test func busyIsReported() throws {
        try withTemporaryDirectory { directory in
            let path = directory + "/busy.sqlite"
            let first = try Database(path: path)
            let second = try Database(path: path)
            try first.execute("CREATE TABLE t (x)")
            try second.execute("PRAGMA busy_timeout = 0")  // fail at once instead of waiting 5 s
            try first.transaction {
                try first.run("INSERT INTO t (x) VALUES (1)")
                let busy = #expect(throws: CatalogError.self) { try second.transaction { try second.run("INSERT INTO t (x) VALUES (2)") } }
                #expect(busy?.isBusy == true)
                #expect(busy?.isConstraintViolation == false)
                // WAL: a reader is not blocked by the writer, and sees the last committed state.
                #expect(try second.query("SELECT x FROM t").isEmpty)
            }
            #expect(try second.query("SELECT x FROM t").count == 1)
            #expect(second.isInTransaction == false)
        }
    }

    // MARK: - Transactions

    @Test("transaction commits", arguments: Kind.allCases)
    func transactionCommit(kind: Kind) throws {
        try withDatabase(kind) { db in
            try db.execute("CREATE TABLE t (x INTEGER)")
            let sum = try db.transaction { () throws -> Int64 in
                #expect(db.isInTransaction)
                for i in 1...5 { try db.run("INSERT INTO t (x) VALUES (?)", [SQLValue(i)]) }
                return try db.queryOne("SELECT sum(x) AS s FROM t")?.int("s") ?? 0
            }
            #expect(sum == 15)
            #expect(db.isInTransaction == false)
            #expect(try db.query("SELECT x FROM t").count == 5)
        }
    }

    @Test("transaction rolls back when the body throws", arguments: Kind.allCases)
    func transactionRollback(kind: Kind) throws {
        try withDatabase(kind) { db in
            try db.execute("CREATE TABLE t (x INTEGER UNIQUE)")
            try db.run("INSERT INTO t (x) VALUES (?)", [1])
            #expect(throws: Failure.self) {
                try db.transaction {
                    try db.run("INSERT INTO t (x) VALUES (?)", [2])
                    try db.run("UPDATE t SET x = x + 10")
                    throw Failure()
                }
            }
            #expect(db.isInTransaction == false)
            #expect(try db.query("SELECT x FROM t").map { $0.int("x") } == [1])

            // A failing statement inside the body rolls back the earlier ones too.
            let error = #expect(throws: CatalogError.self) {
                try db.transaction {
                    try db.run("INSERT INTO t (x) VALUES (?)", [3])
                    try db.run("INSERT INTO t (x) VALUES (?)", [1])  // duplicate
                }
            }
            #expect(error?.isConstraintViolation == true)
            #expect(try db.query("SELECT x FROM t").map { $0.int("x") } == [1])
        }
    }

    @Test("nested transaction: inner failure rolls back only the inner part", arguments: Kind.allCases)
    func nestedTransaction(kind: Kind) throws {
        try withDatabase(kind) { db in
            try db.execute("CREATE TABLE t (x TEXT)")
            try db.transaction {
                try db.run("INSERT INTO t (x) VALUES (?)", ["outer before"])
                #expect(throws: Failure.self) {
                    try db.transaction {
                        try db.run("INSERT INTO t (x) VALUES (?)", ["inner"])
                        try db.transaction { try db.run("INSERT INTO t (x) VALUES (?)", ["innermost"]) }
                        throw Failure()
                    }
                }
                #expect(db.isInTransaction)
                try db.transaction { try db.run("INSERT INTO t (x) VALUES (?)", ["inner kept"]) }
                try db.run("INSERT INTO t (x) VALUES (?)", ["outer after"])
            }
            #expect(try db.query("SELECT x FROM t ORDER BY rowid").map { $0.text("x") }
                    == ["outer before", "inner kept", "outer after"])

            // The outer failing after an inner success undoes both.
            #expect(throws: Failure.self) {
                try db.transaction {
                    try db.transaction { try db.run("DELETE FROM t") }
                    throw Failure()
                }
            }
            #expect(try db.query("SELECT x FROM t").count == 3)
            #expect(db.isInTransaction == false)
        }
    }
}
