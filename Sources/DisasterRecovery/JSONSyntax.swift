/// Finds where a JSON text first goes wrong, with its line and column; JSONDecoder only says
/// "The given data was not valid JSON." A small recursive-descent checker, used only for that message.
///
///     JSONSyntax.firstError(in: Array("{\n  \"a\": }".utf8))   // "line 2, column 8: expected a value, found '}'"
public enum JSONSyntax {
    public static func firstError(in bytes: [UInt8]) -> String? {
        var c = Checker(b: bytes)
        do {
            c.skipSpace()
            try c.value(depth: 0)
            c.skipSpace()
            if c.i < bytes.count { throw c.fail("unexpected text after the end of the document") }
            return nil
        } catch let e as Checker.Failure {
            return e.message
        } catch {
            return "\(error)"
        }
    }

    struct Checker {
        struct Failure: Error { let message: String }
        let b: [UInt8]
        var i = 0

        func fail(_ what: String) -> Failure {
            var line = 1, column = 1
            for byte in b[0..<min(i, b.count)] {
                if byte == 10 { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
            }
            return Failure(message: "line \(line), column \(column): \(what)")
        }

        var found: String {
            guard i < b.count else { return "the end of the file" }
            let s = b[i]
            return s >= 0x20 && s < 0x7f ? "'\(Character(Unicode.Scalar(s)))'" : "byte \(s)"
        }

        mutating func skipSpace() {
            while i < b.count, [0x20, 0x09, 0x0A, 0x0D].contains(b[i]) { i += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws {
            skipSpace()
            guard i < b.count, b[i] == byte else { throw fail("expected \(what), found \(found)") }
            i += 1
        }

        mutating func value(depth: Int) throws {
            guard depth < 512 else { throw fail("nested too deeply") }
            skipSpace()
            guard i < b.count else { throw fail("expected a value, found the end of the file") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return }
                while true {
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a key in double quotes, found \(found)") }
                    try string()
                    try expect(UInt8(ascii: ":"), "':' after the key")
                    try value(depth: depth + 1)
                    skipSpace()
                    if i < b.count, b[i] == UInt8(ascii: ",") { i += 1; continue }
                    try expect(UInt8(ascii: "}"), "',' or '}'")
                    return
                }
            case UInt8(ascii: "["):
                i += 1
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return }
                while true {
                    try value(depth: depth + 1)
                    skipSpace()
                    if i < b.count, b[i] == UInt8(ascii: ",") { i += 1; continue }
                    try expect(UInt8(ascii: "]"), "',' or ']'")
                    return
                }
            case UInt8(ascii: "\""):
                try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                while i < b.count, "+-.eE0123456789".utf8.contains(b[i]) { i += 1 }
                if Double(String(decoding: b[start..<i], as: UTF8.self)) == nil { i = start; throw fail("not a number") }
            default:
                for word in ["true", "false", "null"] where b[i...].starts(with: word.utf8) {
                    i += word.utf8.count
                    return
                }
                throw fail("expected a value, found \(found)")
            }
        }

        mutating func string() throws {
            let start = i
            i += 1
            while i < b.count {
                switch b[i] {
                case UInt8(ascii: "\""): i += 1; return
                case UInt8(ascii: "\\"): i += 2
                case 0..<0x20: throw fail("control character in a string (write \\n, \\t, ...)")
                default: i += 1
                }
            }
            i = start
            throw fail("unterminated string (it starts here)")
        }
    }
}
