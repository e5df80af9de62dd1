internal import CSQLite

/// A failure reported by SQLite, or by this wrapper (code -1).
///
/// ```swift
/// do { try db.run("INSERT INTO store (id) VALUES (?)", [id]) }
/// catch let error as CatalogError where error.isConstraintViolation { /* already exists */ }
/// ```
public struct CatalogError: Error, CustomStringConvertible, Sendable {
    /// The SQLite result code (extended, e.g. 2067 for SQLITE_CONSTRAINT_UNIQUE), or -1 for errors
    /// detected by this wrapper (wrong parameter count, closed database, bad migrations...).
    public let code: Int32
    /// SQLite's message (`sqlite3_errmsg`) plus the context: which SQL (shortened) or which file.
    public let message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The primary result code (the low 8 bits of `code`), or -1.
    public var primaryCode: Int32 { code < 0 ? code : code & 0xFF }

    /// Any SQLITE_CONSTRAINT: unique, primary key, foreign key, not null, check...
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }
    /// SQLITE_CONSTRAINT_UNIQUE or SQLITE_CONSTRAINT_PRIMARYKEY: the row already exists.
    public var isUniqueViolation: Bool { code == Self.constraintUnique || code == Self.constraintPrimaryKey }
    /// SQLITE_CONSTRAINT_FOREIGNKEY.
    public var isForeignKeyViolation: Bool { code == Self.constraintForeignKey }
    /// SQLITE_BUSY (any variant): another connection held a lock for longer than the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY }

    public var description: String {
        code < 0 ? "Catalog error: \(message)" : "SQLite error \(code): \(message)"
    }

    // The extended codes are function-like macros in sqlite3.h; their values are fixed by SQLite's ABI.
    static let constraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)  // 787
    static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)  // 1555
    static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)  // 2067

    /// An error found by the wrapper itself, not by SQLite.
    static func wrapper(_ message: String) -> CatalogError {
        CatalogError(code: -1, message: message)
    }

    /// SQL shortened for messages: whitespace runs collapsed, at most `limit` characters.
    static func shorten(_ sql: String, limit: Int = 160) -> String {
        var out = ""
        var count = 0
        var pendingSpace = false
        for ch in sql {
            if ch.isWhitespace {
                pendingSpace = count > 0
                continue
            }
            if pendingSpace {
                out.append(" ")
                count += 1
                pendingSpace = false
            }
            if count >= limit { return out + "…" }
            out.append(ch)
            count += 1
        }
        return out
    }
}
