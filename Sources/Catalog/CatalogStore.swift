import Synchronization

/// Everything the catalog holds for one context, as stored JSON bodies in their stored order.
public struct ContextRecords: Sendable {
    public var deployment: String
    public var users: [String]
    public var stores: [String]
    public var backups: [String]
    public var jobs: [String]
    public var tokens: [TokenRecord]
}

/// One row of the backups table while it is read (see ``DRCatalog/forEachBackup(context:_:)``):
/// the key it is stored under, and the backup's JSON as SQLite holds it. Valid only inside the
/// body it is given to (its bytes are SQLite's, until the next row is read).
public struct StoredBackupRow {
    let row: TextRow

    /// The store's name, or `#` and the volume for a backup of an unregistered store.
    public var store: String { row.text(0) }
    public var name: String { row.text(1) }

    /// Calls `body` with the backup's JSON as UTF-8 bytes, not copied (valid only inside `body`).
    /// Not generic (it returns nothing): a value made in `body` is not passed back through a
    /// generic result, which across modules would copy it field by field.
    public func withBody(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try row.withBytes(2, body)
    }

    /// The backup's JSON as a string.
    public var body: String { row.text(2) }
}

/// A stored token: only its digest, never the token itself.
public struct TokenRecord: Sendable, Equatable {
    public var digest: String
    public var username: String
    public var expires: Int64
    public init(digest: String, username: String, expires: Int64) {
        self.digest = digest
        self.username = username
        self.expires = expires
    }
}

/// The disaster-recovery catalog: one SQLite database, safe to use from any thread.
///
/// Reads and writes go through ``read(_:)`` and ``write(_:)``; a write is one transaction, so a
/// multi-row change (a job's completion and its new backup) lands whole or not at all.
public final class DRCatalog: Sendable {
    let database: Mutex<Database>
    public let path: String

    /// Opens (or creates) the catalog at `path` (`:memory:` for a throw-away one) and migrates it.
    public init(path: String) throws {
        let db = try Database(path: path)
        try db.migrate(CatalogSchema.migrations)
        self.path = path
        self.database = Mutex(db)
    }

    /// Runs `body` in one transaction; everything it wrote is rolled back if it throws.
    public func write<T: Sendable>(_ body: (CatalogWriter) throws -> T) throws -> T {
        try database.withLock { db in
            try db.transaction { try body(CatalogWriter(db: db)) }
        }
    }

    /// Loads everything stored for `context`, or nil if the context has never been created.
    /// Without `includingBackups` its `backups` are left empty: ``forEachBackup(context:_:)`` reads
    /// them when they are needed (a big catalog's backups are most of its bytes).
    public func load(context: String, includingBackups: Bool = true) throws -> ContextRecords? {
        try database.withLock { db in
            guard let dep = try db.queryOne("SELECT body FROM deployments WHERE context = ?", [.text(context)]) else {
                return nil
            }
            func bodies(_ sql: String) throws -> [String] {
                try db.query(sql, [.text(context)]).compactMap { $0.text("body") }
            }
            let tokens = try db.query("SELECT digest, username, expires FROM tokens WHERE context = ? ORDER BY expires", [.text(context)])
                .map { TokenRecord(digest: $0.text("digest") ?? "", username: $0.text("username") ?? "", expires: $0.int("expires") ?? 0) }
            return ContextRecords(
                deployment: dep.text("body") ?? "{}",
                users: try bodies("SELECT body FROM users WHERE context = ? ORDER BY username"),
                stores: try bodies("SELECT body FROM stores WHERE context = ? ORDER BY seq"),
                backups: includingBackups ? try bodies("SELECT body FROM backups WHERE context = ? ORDER BY start_time, name") : [],
                jobs: try bodies("SELECT body FROM jobs WHERE context = ? ORDER BY seq"),
                tokens: tokens)
        }
    }

    /// Calls `body` with each backup stored for `context`, in start-time order (then by name), one
    /// row at a time as it is read: the rows are never all in memory at once, and a row's JSON is
    /// handed over as SQLite's bytes (no string made of it). An error thrown by `body` stops the
    /// reading and is rethrown.
    public func forEachBackup(context: String, _ body: (StoredBackupRow) throws -> Void) throws {
        try database.withLock { db in
            // Read through a memory map of the file's first ``backupReadMapBytes`` for this one big
            // read (10,000 backups are about 14 MB): SQLite then takes those pages where the kernel
            // keeps them, instead of one read() call and one 4 KB copy per page (about 2 ms of the
            // 40 ms this read and its list take). Only while it lasts: writes and small reads go on
            // as before, and the mapped pages leave the process's RSS when it ends.
            try? db.execute("PRAGMA mmap_size = \(Self.backupReadMapBytes)")
            defer { try? db.execute("PRAGMA mmap_size = 0") }
            try db.forEachTextRow("SELECT store, name, body FROM backups WHERE context = ? ORDER BY start_time, name", [.text(context)]) { row in
                try body(StoredBackupRow(row: row))
            }
        }
    }

    /// At most how much of the file ``forEachBackup(context:_:)`` maps (the rest is read as usual).
    /// The mapped pages count in the process's RSS while it reads (the kernel's page cache, not
    /// memory of its own): 16 MiB holds a catalog of 10,000 backups and keeps that peak small for
    /// bigger ones (a whole 145 MB catalog of 100,000 mapped raised VmHWM from 87 to 222 MiB).
    static let backupReadMapBytes = 16 << 20

    /// How many backups are stored for `context`, per value of their `store` key (see
    /// ``StoredBackupRow/store``): room to make before ``forEachBackup(context:_:)`` reads them.
    public func backupCounts(context: String) throws -> [String: Int] {
        try database.withLock { db in
            var counts: [String: Int] = [:]
            for row in try db.query("SELECT store, count(*) FROM backups WHERE context = ? GROUP BY store", [.text(context)]) {
                if let store = row[index: 0].textValue, let n = row[index: 1].integerValue { counts[store] = Int(n) }
            }
            return counts
        }
    }

    /// Values of a context's stored deployment body (SQLite's `json_extract` of each of `jsonPaths`,
    /// e.g. `$.name`), without reading the rest: nil if the context is absent, and nil for a value
    /// that is absent (or JSON null). At most four paths.
    public func deploymentValues(context: String, jsonPaths: [String]) throws -> [String?]? {
        precondition((1...4).contains(jsonPaths.count), "deploymentValues takes 1 to 4 paths")
        let sql = [
            "SELECT json_extract(body, ?) FROM deployments WHERE context = ?",
            "SELECT json_extract(body, ?), json_extract(body, ?) FROM deployments WHERE context = ?",
            "SELECT json_extract(body, ?), json_extract(body, ?), json_extract(body, ?) FROM deployments WHERE context = ?",
            "SELECT json_extract(body, ?), json_extract(body, ?), json_extract(body, ?), json_extract(body, ?) FROM deployments WHERE context = ?",
        ][jsonPaths.count - 1]
        return try database.withLock { db in
            try db.queryOne(sql, jsonPaths.map { .text($0) } + [.text(context)]).map { row in
                jsonPaths.indices.map { i -> String? in if case .text(let t) = row[index: i] { t } else { nil } }
            }
        }
    }

    /// The contexts stored in this catalog.
    public func contexts() throws -> [String] {
        try database.withLock { db in
            try db.query("SELECT context FROM deployments ORDER BY context").compactMap { $0.text("context") }
        }
    }

    /// `PRAGMA integrity_check`: `["ok"]` when the file is sound.
    public func integrityCheck() throws -> [String] {
        try database.withLock { db in try db.integrityCheck() }
    }

    public func close() {
        database.withLock { db in db.close() }
    }
}

/// The writes a transaction may make. Obtained only inside ``DRCatalog/write(_:)``.
public struct CatalogWriter {
    fileprivate let db: Database

    public func putDeployment(context: String, body: String) throws {
        try db.run("INSERT INTO deployments(context, body) VALUES(?, ?) ON CONFLICT(context) DO UPDATE SET body = excluded.body",
                   [.text(context), .text(body)])
    }
    public func deleteContext(_ context: String) throws {
        try db.run("DELETE FROM deployments WHERE context = ?", [.text(context)])
    }
    public func putUser(context: String, username: String, body: String) throws {
        try db.run("INSERT INTO users(context, username, body) VALUES(?, ?, ?) ON CONFLICT(context, username) DO UPDATE SET body = excluded.body",
                   [.text(context), .text(username), .text(body)])
    }
    public func putStore(context: String, name: String, seq: Int, body: String) throws {
        try db.run("INSERT INTO stores(context, name, seq, body) VALUES(?, ?, ?, ?) ON CONFLICT(context, name) DO UPDATE SET body = excluded.body",
                   [.text(context), .text(name), .integer(Int64(seq)), .text(body)])
    }
    public func deleteStore(context: String, name: String) throws {
        try db.run("DELETE FROM stores WHERE context = ? AND name = ?", [.text(context), .text(name)])
    }
    public func putBackup(context: String, store: String, name: String, startTime: Int64, body: String) throws {
        try db.run("INSERT INTO backups(context, store, name, start_time, body) VALUES(?, ?, ?, ?, ?) ON CONFLICT(context, store, name) DO UPDATE SET start_time = excluded.start_time, body = excluded.body",
                   [.text(context), .text(store), .text(name), .integer(startTime), .text(body)])
    }
    /// Inserts a backup that must not exist yet; a duplicate is a constraint violation.
    public func insertBackup(context: String, store: String, name: String, startTime: Int64, body: String) throws {
        try db.run("INSERT INTO backups(context, store, name, start_time, body) VALUES(?, ?, ?, ?, ?)",
                   [.text(context), .text(store), .text(name), .integer(startTime), .text(body)])
    }
    public func deleteBackup(context: String, store: String, name: String) throws {
        try db.run("DELETE FROM backups WHERE context = ? AND store = ? AND name = ?", [.text(context), .text(store), .text(name)])
    }
    public func putJob(context: String, jobID: String, seq: Int, status: String, body: String) throws {
        try db.run("INSERT INTO jobs(context, jobid, seq, status, body) VALUES(?, ?, ?, ?, ?) ON CONFLICT(context, jobid) DO UPDATE SET status = excluded.status, body = excluded.body",
                   [.text(context), .text(jobID), .integer(Int64(seq)), .text(status), .text(body)])
    }
    public func putToken(context: String, _ token: TokenRecord) throws {
        try db.run("INSERT INTO tokens(digest, context, username, expires) VALUES(?, ?, ?, ?) ON CONFLICT(digest) DO UPDATE SET expires = excluded.expires",
                   [.text(token.digest), .text(context), .text(token.username), .integer(token.expires)])
    }
    public func deleteToken(context: String, digest: String) throws {
        try db.run("DELETE FROM tokens WHERE context = ? AND digest = ?", [.text(context), .text(digest)])
    }
    public func deleteTokens(context: String, expiredBefore millis: Int64) throws {
        try db.run("DELETE FROM tokens WHERE context = ? AND expires < ?", [.text(context), .integer(millis)])
    }
}
