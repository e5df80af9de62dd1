/// One step of the schema: SQL that takes the database from `version - 1` to `version`.
///
/// ```swift
/// let schema = [
///     Migration(1, "CREATE TABLE store (id TEXT PRIMARY KEY, name TEXT NOT NULL);"),
///     Migration(2, "ALTER TABLE store ADD COLUMN created_at INTEGER;"),
/// ]
/// try db.migrate(schema)
/// ```
/// The SQL runs with `Database.execute` inside a transaction, so it must not contain
/// BEGIN/COMMIT, and `PRAGMA foreign_keys` cannot be changed in it (SQLite ignores that inside a
/// transaction).
public struct Migration: Sendable {
    public let version: Int
    /// Executed with `Database.execute` (may hold several `;`-separated statements).
    public let sql: String

    public init(_ version: Int, _ sql: String) {
        self.version = version
        self.sql = sql
    }
}

extension Database {
    /// Applies the migrations whose version is greater than `PRAGMA user_version`, in order,
    /// each in its own transaction that also sets `user_version`, so a failed migration leaves
    /// the database at the previous version. Returns the resulting version.
    ///
    /// Throws `CatalogError` if the versions are not exactly 1...N (in any order), if the
    /// database is at a version newer than N (written by a newer drmock), or if a migration fails
    /// (the message names its version).
    @discardableResult
    public func migrate(_ migrations: [Migration]) throws -> Int {
        let ordered = migrations.sorted { $0.version < $1.version }
        for (offset, migration) in ordered.enumerated() where migration.version != offset + 1 {
            throw CatalogError.wrapper(
                "migrations must be numbered 1...\(ordered.count) without gaps or duplicates, got \(ordered.map(\.version))")
        }
        let current = try userVersion
        guard current <= ordered.count else {
            throw CatalogError.wrapper(
                "database \(path) is at schema version \(current), newer than the \(ordered.count) this build knows")
        }
        for migration in ordered where migration.version > current {
            do {
                try transaction {
                    // Re-read under the write lock: another process may have migrated meanwhile.
                    guard try userVersion < migration.version else { return }
                    try execute(migration.sql)
                    try setUserVersion(migration.version)
                }
            } catch let error as CatalogError {
                throw CatalogError(code: error.code, message: "migration \(migration.version) failed: \(error.message)")
            }
        }
        return try userVersion
    }
}
