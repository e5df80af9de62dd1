import HTTPServer
import DisasterRecovery

/// Small pieces every HTML page of the directory is made of: escaping, URL encoding and dates.
///
/// Everything that comes from a request or the catalog (backup names, descriptions, error details,
/// form values) goes through ``escape(_:)`` before it is written into a page.
enum HTML {
    /// Text or attribute-value escaping: `&`, `<`, `>`, `"` and `'`.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// ``escape(_:)`` on UTF-8 bytes, appended to `out` (the escaped characters are ASCII, so no
    /// multi-byte character is touched).
    static func escapeBytes(_ bytes: [UInt8], into out: inout [UInt8]) {
        out.reserveCapacity(out.count + bytes.count + bytes.count / 8)
        for b in bytes {
            switch b {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(b)
            }
        }
    }

    /// Percent-encodes everything but the unreserved characters, for a path segment or a query value.
    static func percentEncode(_ s: String) -> String { URLEncoding.encode(s) }

    /// `/seg/seg/...` with each segment percent-encoded.
    static func path<S: Sequence>(_ segments: S) -> String where S.Element: StringProtocol {
        segments.map { "/" + percentEncode(String($0)) }.joined()
    }

    /// `name=value&...` with names and values percent-encoded.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    /// Epoch milliseconds as `2021-10-22 20:00:09 UTC` (the domain's ``CivilTime``, no Foundation needed).
    static func dateText(_ millis: Int64) -> String {
        let t = CivilTime(epochMillis: millis)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(t.year)-\(two(t.month))-\(two(t.day)) \(two(t.hour)):\(two(t.minute)):\(two(t.second)) UTC"
    }

    /// Whether a property with this key holds epoch milliseconds (`startTime`, `retentionDate`, ...).
    static func isTimeKey(_ key: String) -> Bool {
        let k = key.lowercased()
        return k.hasSuffix("time") || k.hasSuffix("date") || k == "lastupdated" || k == "expires" || k == "when"
    }

    /// A time property's value: a `<time>` element, `never` for -1, an em dash for 0 (not yet).
    static func time(_ millis: Int64) -> String {
        if millis == -1 { return "<span class=\"muted\">never</span>" }
        if millis == 0 { return "<span class=\"muted\">—</span>" }
        guard millis > 100_000_000_000, millis < 100_000_000_000_000 else { return String(millis) }
        let text = dateText(millis)
        let iso = "\(text.prefix(10))T\(text.dropFirst(11).prefix(8))Z"
        return "<time datetime=\"\(iso)\" title=\"\(millis)\">\(text)</time>"
    }
}
