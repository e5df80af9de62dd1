/// Every row the catalog holds for one context, table by table: a named checkpoint the control
/// plane can put back later (`POST /_mock/snapshot/<name>` and `.../restore`).
public struct ContextSnapshot: Sendable {
    struct Table: Sendable {
        var name: String
        var columns: [String]
        var rows: [[SQLValue]]
    }
    var tables: [Table]

    /// How many rows it holds, all tables together.
    public var rowCount: Int { tables.reduce(0) { $0 + $1.rows.count } }
}

extension DRCatalog {
    /// Copies every row of `context` from every table that has a `context` column (tables added by
    /// later migrations included). The `deployments` table comes first, as the others refer to it.
    public func snapshot(context: String) throws -> ContextSnapshot {
        try database.withLock { db in
            var tables: [ContextSnapshot.Table] = []
            for (name, columns) in try Self.contextTables(db) {
                let rows = try db.query("SELECT * FROM \"\(name)\" WHERE context = ?", [.text(context)])
                let names = rows.first?.columnNames ?? columns
                tables.append(.init(name: name, columns: names, rows: rows.map(\.values)))
            }
            return ContextSnapshot(tables: tables)
        }
    }

    /// Replaces every row of `context` with the snapshot's, in one transaction.
    public func restore(_ snapshot: ContextSnapshot, context: String) throws {
        try database.withLock { db in
            try db.transaction {
                let tables = try Self.contextTables(db)
                for (name, _) in tables.reversed() {
                    try db.run("DELETE FROM \"\(name)\" WHERE context = ?", [.text(context)])
                }
                for table in snapshot.tables where tables.contains(where: { $0.name == table.name }) {
                    let columns = table.columns.map { "\"\($0)\"" }.joined(separator: ", ")
                    let marks = Array(repeating: "?", count: table.columns.count).joined(separator: ", ")
                    for row in table.rows {
                        try db.run("INSERT INTO \"\(table.name)\"(\(columns)) VALUES(\(marks))", row)
                    }
                }
            }
        }
    }

    /// The tables keyed by context, `deployments` first, with their column names.
    private static func contextTables(_ db: Database) throws -> [(name: String, columns: [String])] {
        let names = try db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .compactMap { $0.text("name") }
        var out: [(String, [String])] = []
        for name in names where name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            let columns = try db.query("SELECT name FROM pragma_table_info(?)", [.text(name)]).compactMap { $0.text("name") }
            guard columns.contains("context") else { continue }
            out.append((name, columns))
        }
        out.sort { ($0.0 == "deployments" ? 0 : 1, $0.0) < ($1.0 == "deployments" ? 0 : 1, $1.0) }
        return out
    }
}
