#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Decoding of percent-encoded URL parts and `application/x-www-form-urlencoded` data.
///
/// The decoder is lenient and never traps: a `%` that is not followed by two hexadecimal digits is
/// kept as it is, and bytes that do not form valid UTF-8 after decoding become U+FFFD.
///
/// ```swift
/// URLEncoding.decodePairs("a=1&b=x+y&a=%E2%9C%93")
/// // [("a", "1"), ("b", "x y"), ("a", "✓")]
/// ```
public enum URLEncoding {
    /// Splits `name=value&name=value` into pairs, in order and keeping duplicates.
    ///
    /// `+` decodes to a space and `%XX` to the byte XX, in names and values alike. Empty segments
    /// (`a=1&&b=2`) are skipped; a segment without `=` is a name with the value `""`.
    public static func decodePairs(_ string: String) -> [(name: String, value: String)] {
        var string = string
        return string.withUTF8 { decodePairs(bytes: $0) }
    }

    /// Splits url-encoded bytes (a query string or a form body) into pairs, by the same rules as for a `String`.
    public static func decodePairs(_ bytes: [UInt8]) -> [(name: String, value: String)] {
        bytes.withUnsafeBufferPointer { decodePairs(bytes: $0) }
    }

    /// Percent-encodes everything but the unreserved characters (RFC 3986), for a path segment, a query
    /// value or a form value.
    public static func encode(_ s: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case 48...57, 65...90, 97...122, 45, 46, 95, 126: out.append(b)
            default: out += [37, hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `name=value&name=value`, each part percent-encoded: a query string or an
    /// `application/x-www-form-urlencoded` body.
    public static func encodePairs(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// Percent-decodes one component. With `plusIsSpace` (query strings and forms), `+` becomes a space;
    /// without it (paths), `+` stays `+`.
    public static func decode(_ string: String, plusIsSpace: Bool) -> String {
        var string = string
        return string.withUTF8 { decode($0, plusIsSpace: plusIsSpace) }
    }

    static func decodePairs(bytes: UnsafeBufferPointer<UInt8>) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        var start = 0
        let end = bytes.count
        while start < end {
            var stop = start
            var equals = -1
            while stop < end && bytes[stop] != ascii("&") {
                if equals < 0 && bytes[stop] == ascii("=") { equals = stop }
                stop += 1
            }
            if stop > start {
                if equals < 0 {
                    pairs.append((decode(slice(bytes, start, stop), plusIsSpace: true), ""))
                } else {
                    pairs.append((decode(slice(bytes, start, equals), plusIsSpace: true),
                                  decode(slice(bytes, equals + 1, stop), plusIsSpace: true)))
                }
            }
            start = stop + 1
        }
        return pairs
    }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> String {
        // Fast path: nothing to decode (memchr looks at many bytes at a time: this runs for the path
        // and every query parameter of every request).
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return "" }
        if memchr(base, Int32(ascii("%")), bytes.count) == nil, !plusIsSpace || memchr(base, Int32(ascii("+")), bytes.count) == nil {
            return String(decoding: bytes, as: UTF8.self)
        }

        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == ascii("%"), i + 2 < bytes.count,
               let high = hexValue(bytes[i + 1]), let low = hexValue(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else if plusIsSpace && byte == ascii("+") {
                out.append(ascii(" "))
                i += 1
            } else {
                out.append(byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func slice(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[from..<to])
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case ascii("0")...ascii("9"): return byte - ascii("0")
        case ascii("a")...ascii("f"): return byte - ascii("a") + 10
        case ascii("A")...ascii("F"): return byte - ascii("A") + 10
        default: return nil
        }
    }
}

/// The byte of an ASCII character literal.
@inline(__always)
func ascii(_ character: Unicode.Scalar) -> UInt8 { UInt8(truncatingIfNeeded: character.value) }
