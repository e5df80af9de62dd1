/// A resource's JSON laid out for reading: scalars in a property table, lists of objects (backups,
/// stores, stages, tasks) as tables with one row per item, times as dates, states as badges.
struct HTMLProperties: Sendable {
    /// The link of a child resource named by an item of a list (a backup in `backups`), if there is one.
    var childHref: @Sendable (String) -> String? = { _ in nil }

    /// The columns a list shows first, by the list's key; other lists show their scalar fields.
    static let preferredColumns: [String: [String]] = [
        "backups": ["backupName", "status", "startTime", "completeTime", "retentionDate", "scheduleType", "backupType", "backupStore", "description"],
        "backupStores": ["name", "type", "default", "rootDir", "storageConfig", "identity"],
        "stages": ["name", "state", "duration", "lastUpdated"],
        "messages": ["code", "message", "when"],
    ]
    /// Keys that name an item of a list: its link to the child resource goes on that cell.
    static let nameKeys = ["name", "backupName", "storeName", "id", "taskId", "taskID", "jobid", "jobId"]

    /// The names of the items of the first list in `value` (`backups[].backupName`, `jobs[]`).
    static func itemNames(_ value: JSONValue) -> [String] {
        guard case .object(let pairs) = value else { return [] }
        for (_, v) in pairs {
            guard case .array(let items) = v else { continue }
            let names = items.compactMap { item -> String? in
                if case .string(let s) = item { return s }
                for k in nameKeys { if case .string(let s)? = item[k] { return s } }
                return nil
            }
            if !names.isEmpty { return names }
        }
        return []
    }

    /// The whole resource: a property table, then one section per list of objects.
    func render(_ value: JSONValue) -> String {
        guard case .object(let pairs) = value else { return "<pre class=\"json\">\(HTML.escape(value.serializedString(pretty: true)))</pre>" }
        var rows = "", sections = ""
        for (key, v) in pairs {
            if case .array(let items) = v, !items.isEmpty, items.allSatisfy({ if case .object = $0 { return true } else { return false } }) {
                sections += Self.listSection(key: key, count: items.count) + table(key: key, items: items) + Self.listSectionEnd
            } else {
                rows += row(key, v)
            }
        }
        let props = rows.isEmpty ? "" : "<table class=\"props\">\n\(rows)</table>\n"
        return props + sections
    }

    private func row(_ key: String, _ v: JSONValue) -> String {
        "<tr><th scope=\"row\">\(HTML.escape(key))</th><td>\(cell(key, v, linkNames: true))</td></tr>\n"
    }

    /// The start of a top-level list's section (its table follows, then ``listSectionEnd``).
    static func listSection(key: String, count: Int) -> String {
        "<section class=\"list\" id=\"list-\(HTML.escape(key))\"><h2>\(HTML.escape(key)) <span class=\"count\">\(count)</span></h2>\n"
    }
    static let listSectionEnd = "</section>\n"

    /// A list of objects as a table; the name column links to the item's resource.
    func table(key: String, items: [JSONValue]) -> String {
        let columns = Self.columns(key: key, items: items)
        let nameKey = Self.nameKey(columns)
        var s = Self.tableStart(key: key, columns: columns)
        for item in items { s += tableRow(item, columns: columns, nameKey: nameKey) }
        return s + Self.tableEnd
    }

    /// The columns of a list's table: the preferred ones any item has, else the first nine keys.
    static func columns(key: String, items: [JSONValue]) -> [String] {
        var columns: [String] = []
        let preferred = preferredColumns[key] ?? []
        for c in preferred where items.contains(where: { $0[c] != nil }) { columns.append(c) }
        if columns.isEmpty {
            for item in items {
                guard case .object(let pairs) = item else { continue }
                for (k, _) in pairs where !columns.contains(k) && columns.count < 9 { columns.append(k) }
            }
        }
        return columns
    }

    /// The column whose cell links to the item's resource.
    static func nameKey(_ columns: [String]) -> String? { columns.first { nameKeys.contains($0) } }

    static func tableStart(key: String, columns: [String]) -> String {
        "<table class=\"data\" data-list=\"\(HTML.escape(key))\"><thead><tr>"
            + columns.map { "<th scope=\"col\">\(HTML.escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
    }
    static let tableEnd = "</tbody></table>\n"

    /// One item of a list as a table row.
    func tableRow(_ item: JSONValue, columns: [String], nameKey: String?) -> String {
        var s = "<tr>"
        for c in columns {
            let v = item[c] ?? .null
            if c == nameKey, case .string(let name) = v, let href = childHref(name) {
                s += "<td><a href=\"\(HTML.escape(href))\">\(HTML.escape(name))</a></td>"
            } else {
                s += "<td>\(item[c] == nil ? "" : cell(c, v, linkNames: false))</td>"
            }
        }
        return s + "</tr>\n"
    }

    /// One value, by its key: times as dates, states as badges, nested values as nested tables.
    func cell(_ key: String, _ v: JSONValue, linkNames: Bool) -> String {
        switch v {
        case .null: return "<span class=\"muted\">null</span>"
        case .bool(let b): return "<span class=\"bool\">\(b)</span>"
        case .int(let i): return HTML.isTimeKey(key) ? HTML.time(i) : String(i)
        case .double(let d): return d.isFinite ? "\(d)" : "null"
        case .string(let s):
            if s.isEmpty { return "<span class=\"muted\">—</span>" }
            if key == "state" || key == "status" { return Self.badge(s) }
            return HTML.escape(s)
        case .array(let items):
            if items.isEmpty { return "<span class=\"muted\">none</span>" }
            if items.allSatisfy({ if case .object = $0 { return true } else { return false } }) {
                return table(key: key, items: items)
            }
            // Sentences (job messages) one per line; names and short values side by side.
            let sentences = items.contains { if case .string(let s) = $0 { return s.count > 32 || s.contains(" ") } else { return false } }
            return (sentences ? "<ul class=\"lines\">" : "<ul class=\"inline\">") + items.map { item -> String in
                if linkNames, case .string(let name) = item, let href = childHref(name) {
                    return "<li><a href=\"\(HTML.escape(href))\">\(HTML.escape(name))</a></li>"
                }
                return "<li>\(cell(key, item, linkNames: false))</li>"
            }.joined() + "</ul>"
        case .object(let pairs):
            if pairs.isEmpty { return "<span class=\"muted\">{}</span>" }
            return "<table class=\"props nested\">" + pairs.map { row($0.0, $0.1) }.joined() + "</table>"
        }
    }

    /// A state (`success`, `in_progress`, `COMPLETED` ...) as a coloured badge.
    static func badge(_ state: String) -> String {
        let cls = String(state.lowercased().unicodeScalars.map { ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) ? Character($0) : "_" })
        return "<span class=\"badge state-\(HTML.escape(String(cls.prefix(32))))\">\(HTML.escape(state))</span>"
    }
}
