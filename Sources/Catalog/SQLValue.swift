/// One SQLite value: a bound parameter or a column of a result row.
///
/// Literals make parameter lists short:
/// ```swift
/// try db.run("INSERT INTO store (id, name, size, note) VALUES (?, ?, ?, ?)", ["s1", "primary", 42, nil])
/// ```
public enum SQLValue: Sendable, Equatable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// Bytes; an empty array is stored as an empty blob, not as NULL.
    case blob([UInt8])

    public init(_ v: Int) { self = .integer(Int64(v)) }
    public init(_ v: Int64) { self = .integer(v) }
    public init(_ v: Double) { self = .real(v) }
    /// `nil` becomes `.null`.
    public init(_ s: String?) { self = s.map(SQLValue.text) ?? .null }
    /// Stored as 0 or 1.
    public init(_ b: Bool) { self = .integer(b ? 1 : 0) }
    public init(_ b: [UInt8]) { self = .blob(b) }

    public var isNull: Bool { self == .null }
}

extension SQLValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(floatLiteral value: Double) { self = .real(value) }
    public init(booleanLiteral value: Bool) { self = .integer(value ? 1 : 0) }
}

extension SQLValue {
    /// The integer, if this is `.integer`.
    var integerValue: Int64? {
        if case .integer(let v) = self { return v }
        return nil
    }

    /// The text, if this is `.text`.
    var textValue: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}

extension SQLValue: CustomStringConvertible {
    public var description: String {
        switch self {
        case .null: "NULL"
        case .integer(let v): String(v)
        case .real(let v): String(v)
        case .text(let s) where s.count > 80: "'" + s.prefix(80) + "…' (\(s.count) characters)"
        case .text(let s): "'" + s + "'"
        case .blob(let b): "blob(\(b.count) bytes)"
        }
    }
}

/// One result row. Columns are looked up by the name SQLite reports for them (the alias after
/// `AS` if there is one), exactly as spelled; a missing column reads as `.null`/`nil`.
///
/// ```swift
/// if let row = try db.queryOne("SELECT name, size FROM store WHERE id = ?", [id]) {
///     let name = row.text("name"), size = row.int("size")
/// }
/// ```
public struct Row: Sendable {
    /// Column names and their positions, shared by all rows of one query.
    final class Columns: Sendable {
        let names: [String]
        let index: [String: Int]

        init(_ names: [String]) {
            self.names = names
            var index: [String: Int] = [:]
            for (i, name) in names.enumerated() where index[name] == nil {
                index[name] = i  // the first of duplicate names wins
            }
            self.index = index
        }
    }

    let columns: Columns
    /// The values in column order.
    public let values: [SQLValue]

    init(columns: Columns, values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// A row built by hand (for tests of code that consumes rows).
    /// `columnNames` and `values` must have the same length.
    public init(columnNames: [String], values: [SQLValue]) {
        precondition(columnNames.count == values.count, "Row: \(columnNames.count) names for \(values.count) values")
        self.init(columns: Columns(columnNames), values: values)
    }

    /// The column names in result order.
    public var columnNames: [String] { columns.names }

    /// The value of the named column, or `.null` if there is no such column.
    public subscript(_ column: String) -> SQLValue {
        guard let i = columns.index[column] else { return .null }
        return values[i]
    }

    /// The value at a position, or `.null` if out of range.
    public subscript(index index: Int) -> SQLValue {
        values.indices.contains(index) ? values[index] : .null
    }

    /// An integer column; a real is truncated toward zero (nil if it does not fit in Int64).
    public func int(_ column: String) -> Int64? {
        switch self[column] {
        case .integer(let v): v
        case .real(let d): Int64(exactly: d.rounded(.towardZero))
        default: nil
        }
    }

    /// A text column (only text values: numbers are not converted).
    public func text(_ column: String) -> String? {
        if case .text(let s) = self[column] { return s }
        return nil
    }

    /// A real or integer column as Double.
    public func double(_ column: String) -> Double? {
        switch self[column] {
        case .real(let d): d
        case .integer(let v): Double(v)
        default: nil
        }
    }

    /// A blob column (an empty blob is `[]`, NULL is nil).
    public func blob(_ column: String) -> [UInt8]? {
        if case .blob(let b) = self[column] { return b }
        return nil
    }

    /// An integer column as Bool (`!= 0`).
    public func bool(_ column: String) -> Bool? {
        if case .integer(let v) = self[column] { return v != 0 }
        return nil
    }
}

extension Row: Equatable {
    public static func == (lhs: Row, rhs: Row) -> Bool {
        lhs.columns.names == rhs.columns.names && lhs.values == rhs.values
    }
}

extension Row: CustomStringConvertible {
    public var description: String {
        "[" + zip(columns.names, values).map { "\($0): \($1)" }.joined(separator: ", ") + "]"
    }
}

/// The current row of a ``Database/forEachTextRow(_:_:_:)`` query: its columns as text, by position.
/// Valid only inside the body it is given to.
public struct TextRow {
    let statement: Statement

    /// Column `index` (0-based) as text; "" for NULL.
    public func text(_ index: Int) -> String { statement.text(at: Int32(index)) }

    /// Calls `body` with column `index` as UTF-8 text, SQLite's own bytes (empty for NULL), valid
    /// only inside `body`.
    public func withBytes(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        try statement.withText(at: Int32(index), body)
    }
}
