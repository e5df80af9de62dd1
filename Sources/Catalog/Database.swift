internal import CSQLite

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// One SQLite connection.
///
/// Not thread-safe by itself: callers serialize all access (the domain holds a lock around every
/// use). It is `@unchecked Sendable` so that it can be stored in a `Sendable` type that provides
/// that serialization; it must never be used from two threads at once.
///
/// ```swift
/// let db = try Database(path: "/var/lib/drmock/catalog.sqlite")
/// try db.migrate(schema)
/// try db.transaction {
///     try db.run("INSERT INTO store (id, name) VALUES (?, ?)", [id, name])
/// }
/// let rows = try db.query("SELECT id, name FROM store ORDER BY name")
/// ```
///
/// Every statement run through `run`, `query`, `queryOne` and `forEach` is prepared once per
/// distinct SQL string and cached until `close()`, so SQL must be constant text with `?`
/// parameters, never built from values.
public final class Database: @unchecked Sendable {
    /// The file the connection was opened on, or ":memory:".
    public let path: String

    private var connection: OpaquePointer?
    /// Prepared statements by SQL text.
    private var cache: [String: Statement] = [:]
    /// Statements prepared outside the cache and still in use (finalized by `close()` too).
    private var uncached: [ObjectIdentifier: Statement] = [:]
    /// Beyond this many distinct SQL strings, statements are prepared per use instead of cached
    /// (a guard against SQL accidentally built from values; never reached by constant SQL).
    static let statementCacheLimit = 512
    /// The page cache's size in KiB (`PRAGMA cache_size`, see ``init(path:durable:)``).
    public static let pageCacheKiB = 512

    /// Opens (creating if needed, and creating missing parent directories) a database file, or
    /// ":memory:" for a private in-memory database.
    ///
    /// Settings:
    /// - `journal_mode=WAL` (file databases): readers do not block the writer, and a commit is one
    ///   append to the log.
    /// - `synchronous=NORMAL`: in WAL mode a committed transaction survives a crash of the
    ///   process (the log is in the OS page cache); only a power loss or OS crash can lose the
    ///   last transactions, never corrupt the file. Surviving a process crash is what drmock
    ///   promises. `durable: true` sets `synchronous=FULL` (fsync on every commit) for the rest.
    /// - `cache_size=-512`: at most 512 KiB of page cache (SQLite's default is 2 MiB). drmock reads
    ///   the catalog once at start-up and keeps its state in memory; afterwards it mostly appends,
    ///   which touches few pages, and a bigger cache only kept 2 MiB of pages nobody reads again.
    /// - `foreign_keys=ON`, `busy_timeout=5000` ms, extended result codes.
    ///
    /// Throws `CatalogError` with the path in its message on failure.
    public init(path: String, durable: Bool = false) throws {
        self.path = path
        let inMemory = Self.isInMemory(path)
        if !inMemory {
            try Self.createParentDirectory(of: path)
        }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let code = handle.map { sqlite3_extended_errcode($0) } ?? rc
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close_v2(handle)
            throw CatalogError(code: code, message: "\(message) (opening \(path))")
        }
        connection = handle
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 5000)
        do {
            if !inMemory {
                // Its answer (the mode in effect) is ignored: "wal" unless the file system cannot
                // do WAL; `journalMode` tells.
                try execute("PRAGMA journal_mode = WAL")
            }
            try execute(durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
            try execute("PRAGMA foreign_keys = ON")
            try execute("PRAGMA cache_size = -\(Self.pageCacheKiB)")
        } catch let error as CatalogError {
            close()
            throw CatalogError(code: error.code, message: "\(error.message) (opening \(path))")
        }
    }

    deinit {
        close()
    }

    /// Closes the connection, finalizing every cached statement. Idempotent; later calls on this
    /// object throw "database is closed".
    public func close() {
        guard let db = connection else { return }
        for statement in cache.values { statement.finalize() }
        for statement in uncached.values { statement.finalize() }
        cache = [:]
        uncached = [:]
        sqlite3_close_v2(db)
        connection = nil
    }

    /// True until `close()`.
    public var isOpen: Bool { connection != nil }

    // MARK: - Statements

    /// Runs one or more `;`-separated statements without parameters (DDL, PRAGMA). Not cached.
    public func execute(_ sql: String) throws {
        let db = try open()
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else {
            throw Self.error(db, rc, context: "in: \(CatalogError.shorten(sql))")
        }
    }

    /// Runs one statement with positional `?` parameters. Result rows, if any, are ignored.
    public func run(_ sql: String, _ params: [SQLValue] = []) throws {
        try withStatement(sql, params) { statement, db in
            while try statement.step(connection: db) {}
        }
    }

    /// Runs one statement and returns all its rows.
    public func query(_ sql: String, _ params: [SQLValue] = []) throws -> [Row] {
        var rows: [Row] = []
        try forEach(sql, params) { rows.append($0) }
        return rows
    }

    /// Runs one statement and returns its first row, or nil if it has none (the rest are not read).
    public func queryOne(_ sql: String, _ params: [SQLValue] = []) throws -> Row? {
        try withStatement(sql, params) { statement, db in
            guard try statement.step(connection: db) else { return nil }
            return try statement.row(statement.columns())
        }
    }

    /// Runs one statement and calls `body` for each row as it is read (nothing is collected).
    /// An error thrown by `body` stops the iteration and is rethrown.
    public func forEach(_ sql: String, _ params: [SQLValue] = [], _ body: (Row) throws -> Void) throws {
        try withStatement(sql, params) { statement, db in
            var columns: Row.Columns?
            while try statement.step(connection: db) {
                let names = try columns ?? statement.columns()
                columns = names
                try body(statement.row(names))
            }
        }
    }

    /// Like ``forEach(_:_:_:)`` for a query of text columns read by position: no ``Row`` (an array
    /// of values and the column names) is built per row. For big reads (a context's backups).
    public func forEachTextRow(_ sql: String, _ params: [SQLValue] = [], _ body: (TextRow) throws -> Void) throws {
        try withStatement(sql, params) { statement, db in
            while try statement.step(connection: db) {
                try body(TextRow(statement: statement))
            }
        }
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE (`sqlite3_changes`).
    public var changes: Int {
        connection.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 {
        connection.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Number of prepared statements currently cached (for diagnostics and tests).
    public var cachedStatementCount: Int { cache.count }

    // MARK: - Transactions

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool {
        connection.map { sqlite3_get_autocommit($0) == 0 } ?? false
    }

    /// Runs `body` in a transaction: `BEGIN IMMEDIATE` ... `COMMIT`, or `ROLLBACK` if `body`
    /// throws (the error is rethrown) or the commit fails.
    ///
    /// Called inside a transaction, it uses a SAVEPOINT instead, so a failing inner part is rolled
    /// back alone and the outer body may catch its error and go on:
    /// ```swift
    /// try db.transaction {
    ///     try db.run("INSERT ...")                   // kept
    ///     try? db.transaction { try db.run("..."); throw failure }   // undone
    /// }
    /// ```
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let db = try open()
        if sqlite3_get_autocommit(db) != 0 {
            try run("BEGIN IMMEDIATE")
            let result: T
            do {
                result = try body()
                try run("COMMIT")
            } catch {
                rollbackIfActive()
                throw error
            }
            return result
        } else {
            // One fixed name is enough: savepoints nest, and ROLLBACK TO / RELEASE act on the
            // innermost savepoint with that name.
            try run("SAVEPOINT drmock_nested")
            let result: T
            do {
                result = try body()
                try run("RELEASE drmock_nested")
            } catch {
                if isInTransaction {  // SQLite may already have rolled back everything (e.g. SQLITE_FULL)
                    try? run("ROLLBACK TO drmock_nested")
                    try? run("RELEASE drmock_nested")
                }
                throw error
            }
            return result
        }
    }

    private func rollbackIfActive() {
        if isInTransaction {
            try? run("ROLLBACK")
        }
    }

    // MARK: - Pragmas

    /// `PRAGMA user_version`: the schema version `migrate` maintains.
    public var userVersion: Int {
        get throws {
            Int(try queryOne("PRAGMA user_version")?[index: 0].integerValue ?? 0)
        }
    }

    /// Sets `PRAGMA user_version`. PRAGMA takes no bound parameters, so this is the one statement
    /// whose text is built: from an `Int32`, which cannot carry anything but digits.
    func setUserVersion(_ version: Int) throws {
        guard let value = Int32(exactly: version) else {
            throw CatalogError.wrapper("user_version \(version) is out of range")
        }
        try execute("PRAGMA user_version = \(value)")
    }

    /// The journal mode in effect ("wal" for file databases, "memory" for ":memory:").
    public var journalMode: String {
        get throws {
            try queryOne("PRAGMA journal_mode")?[index: 0].textValue ?? ""
        }
    }

    /// `PRAGMA integrity_check`: `["ok"]` when the database is sound, otherwise the problems found.
    public func integrityCheck() throws -> [String] {
        try query("PRAGMA integrity_check").map { $0[index: 0].textValue ?? "\($0[index: 0])" }
    }

    // MARK: - Internals

    private func open() throws -> OpaquePointer {
        guard let connection else { throw CatalogError.wrapper("database is closed (\(path))") }
        return connection
    }

    /// Borrows the cached statement for `sql` (preparing it on first use), binds `params`, runs
    /// `body`, then resets it. A statement already in use (re-entrant call with the same SQL)
    /// is not shared: a fresh one is prepared and finalized afterwards.
    private func withStatement<T>(
        _ sql: String, _ params: [SQLValue], _ body: (Statement, OpaquePointer) throws -> T
    ) throws -> T {
        let db = try open()
        let statement: Statement
        let cached: Bool
        if let hit = cache[sql], !hit.inUse {
            statement = hit
            cached = true
        } else if cache[sql] == nil && cache.count < Self.statementCacheLimit {
            statement = try prepare(sql, db, persistent: true)
            cache[sql] = statement
            cached = true
        } else {
            statement = try prepare(sql, db, persistent: false)
            uncached[ObjectIdentifier(statement)] = statement
            cached = false
        }
        statement.inUse = true
        defer {
            statement.reset()
            statement.inUse = false
            if !cached {
                uncached[ObjectIdentifier(statement)] = nil
                statement.finalize()
            }
        }
        try statement.bind(params, connection: db)
        return try body(statement, db)
    }

    /// Prepares exactly one statement; more than one (or none) is an error.
    private func prepare(_ sql: String, _ db: OpaquePointer, persistent: Bool) throws -> Statement {
        var handle: OpaquePointer?
        var trailingStatement = false
        let rc = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
            let rc = sqlite3_prepare_v3(db, text, -1, flags, &handle, &tail)
            if rc == SQLITE_OK, let tail, tail.pointee != 0 {
                // Only whitespace and comments may follow (they prepare to no statement).
                var next: OpaquePointer?
                let nextRC = sqlite3_prepare_v2(db, tail, -1, &next, nil)
                trailingStatement = nextRC != SQLITE_OK || next != nil
                sqlite3_finalize(next)
            }
            return rc
        }
        guard rc == SQLITE_OK else {
            throw Self.error(db, rc, context: "in: \(CatalogError.shorten(sql))")
        }
        guard let handle else {
            throw CatalogError.wrapper("no SQL statement in: \(CatalogError.shorten(sql))")
        }
        if trailingStatement {
            sqlite3_finalize(handle)
            throw CatalogError.wrapper(
                "more than one statement (use execute() for scripts) in: \(CatalogError.shorten(sql))")
        }
        return Statement(handle: handle, sql: sql)
    }

    /// A `CatalogError` for result code `rc` on connection `db`, with SQLite's message.
    static func error(_ db: OpaquePointer, _ rc: Int32, context: String) -> CatalogError {
        let extended = sqlite3_extended_errcode(db)
        // Misuse codes returned by an API call are not always recorded on the connection.
        if extended & 0xFF == rc & 0xFF {
            return CatalogError(code: extended, message: "\(String(cString: sqlite3_errmsg(db))) (\(context))")
        }
        return CatalogError(code: rc, message: "\(String(cString: sqlite3_errstr(rc))) (\(context))")
    }

    static func isInMemory(_ path: String) -> Bool {
        path == ":memory:" || path.isEmpty
    }

    /// `mkdir -p` of the directory part of `path`.
    static func createParentDirectory(of path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = path[..<slash]
        // The usual case, a folder that exists: one stat, not a mkdir per component.
        var st = stat()
        if !directory.isEmpty, stat(String(directory), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { return }
        var current = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            if !current.isEmpty && !current.hasSuffix("/") { current += "/" }
            current += component
            if mkdir(current, 0o755) != 0 {
                let code = errno
                if code == EEXIST || access(current, F_OK) == 0 { continue }
                throw CatalogError(
                    code: SQLITE_CANTOPEN,
                    message: "cannot create directory \(current): \(String(cString: strerror(code))) (opening \(path))")
            }
        }
    }
}
