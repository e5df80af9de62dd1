internal import CSQLite

/// SQLite's SQLITE_TRANSIENT (a macro Swift cannot import): SQLite copies the bytes before the bind
/// call returns. The only place this cast is spelled.
private var sqliteTransient: sqlite3_destructor_type {
    unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// One prepared statement (`sqlite3_stmt`). Internal: the public face is `Database`.
///
/// Owned by its `Database`, which finalizes it on close; after `finalize()` every use throws.
final class Statement {
    private(set) var handle: OpaquePointer?
    let sql: String
    /// Set while a caller is stepping it, so a re-entrant use of the same SQL (e.g. a query
    /// inside a `forEach` body) gets a fresh statement instead of clobbering this one.
    var inUse = false

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    /// Binds `params` to the positional parameters (1-based), after checking the count.
    func bind(_ params: [SQLValue], connection db: OpaquePointer) throws {
        let stmt = try live()
        let expected = Int(sqlite3_bind_parameter_count(stmt))
        guard expected == params.count else {
            throw CatalogError.wrapper(
                "\(params.count) parameter(s) given, \(expected) expected (in: \(CatalogError.shorten(sql)))")
        }
        for (offset, value) in params.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .null:
                rc = sqlite3_bind_null(stmt, index)
            case .integer(let v):
                rc = sqlite3_bind_int64(stmt, index, v)
            case .real(let d):
                rc = sqlite3_bind_double(stmt, index, d)
            case .text(let s):
                var s = s
                rc = s.withUTF8 { buffer in
                    // A nil base address would bind NULL; an empty string must stay an empty string.
                    guard let base = buffer.baseAddress, buffer.count > 0 else {
                        return sqlite3_bind_text(stmt, index, "", 0, sqliteTransient)
                    }
                    return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                        sqlite3_bind_text64(
                            stmt, index, $0, sqlite3_uint64(buffer.count), sqliteTransient, UInt8(SQLITE_UTF8))
                    }
                }
            case .blob(let bytes):
                if bytes.isEmpty {
                    // An empty blob, not NULL (sqlite3_bind_blob with a nil pointer would bind NULL).
                    rc = sqlite3_bind_zeroblob(stmt, index, 0)
                } else {
                    rc = bytes.withUnsafeBytes { raw in
                        sqlite3_bind_blob64(stmt, index, raw.baseAddress, sqlite3_uint64(raw.count), sqliteTransient)
                    }
                }
            }
            guard rc == SQLITE_OK else {
                throw Database.error(db, rc, context: "binding parameter \(index) (in: \(CatalogError.shorten(sql)))")
            }
        }
    }

    /// Steps once: true if a row is available, false when done.
    func step(connection db: OpaquePointer) throws -> Bool {
        let stmt = try live()
        let rc = sqlite3_step(stmt)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw Database.error(db, rc, context: "in: \(CatalogError.shorten(sql))")
        }
    }

    /// The column names of the current result (computed once per execution: a schema change can
    /// re-prepare the statement and change what `SELECT *` returns).
    func columns() throws -> Row.Columns {
        let stmt = try live()
        let count = sqlite3_column_count(stmt)
        var names: [String] = []
        names.reserveCapacity(Int(count))
        for i in 0..<count {
            names.append(sqlite3_column_name(stmt, i).map { String(cString: $0) } ?? "")
        }
        return Row.Columns(names)
    }

    /// The current row's values (call after `step` returned true).
    func row(_ columns: Row.Columns) throws -> Row {
        let stmt = try live()
        let count = sqlite3_column_count(stmt)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(count))
        for i in 0..<count {
            values.append(Self.value(stmt, i))
        }
        return Row(columns: columns, values: values)
    }

    /// The current row's column `i` as text (SQLite converts other types; NULL is ""), without
    /// building a ``Row``.
    func text(at i: Int32) -> String {
        guard let stmt = handle, let text = sqlite3_column_text(stmt, i) else { return "" }
        let length = Int(sqlite3_column_bytes(stmt, i))
        return String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)
    }

    /// Calls `body` with the current row's column `i` as text, SQLite's bytes (valid until the
    /// next step; empty for NULL), without copying them into a `String`.
    func withText<R>(at i: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard let stmt = handle, let text = sqlite3_column_text(stmt, i) else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let length = Int(sqlite3_column_bytes(stmt, i))
        return try body(UnsafeBufferPointer(start: text, count: length))
    }

    private static func value(_ stmt: OpaquePointer, _ i: Int32) -> SQLValue {
        switch sqlite3_column_type(stmt, i) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(stmt, i))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(stmt, i))
        case SQLITE_TEXT:
            // Ask for the text first, then its length (the order SQLite documents).
            guard let text = sqlite3_column_text(stmt, i) else { return .text("") }
            let length = Int(sqlite3_column_bytes(stmt, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            guard let bytes = sqlite3_column_blob(stmt, i) else { return .blob([]) }  // empty blob
            let length = Int(sqlite3_column_bytes(stmt, i))
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: length)))
        default:
            return .null
        }
    }

    /// Makes the statement ready for its next use: reset and drop the bindings. Errors from
    /// reset only repeat the error the last step already reported, so they are ignored.
    func reset() {
        guard let stmt = handle else { return }
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    /// Idempotent.
    func finalize() {
        guard let stmt = handle else { return }
        sqlite3_finalize(stmt)
        handle = nil
    }

    private func live() throws -> OpaquePointer {
        guard let handle else { throw CatalogError.wrapper("database is closed (in: \(CatalogError.shorten(sql)))") }
        return handle
    }
}
