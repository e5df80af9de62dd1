#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 client over a loopback socket, enough to talk real HTTP to drmock.
struct HTTPResult {
    var status: Int
    var headers: [(String, String)]
    var body: String
    func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
}

enum HTTPClient {
    static func request(port: UInt16, method: String, path: String, headers: [(String, String)] = [],
                        body: String = "", host: String = "127.0.0.1") -> HTTPResult {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(ok == 0, "connect failed")
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if method == "POST" || !body.isEmpty {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                head += "Content-Type: application/x-www-form-urlencoded\r\n"
            }
            head += "Content-Length: \(body.utf8.count)\r\n"
        }
        let bytes = Array((head + "\r\n" + body).utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            precondition(n > 0)
            sent += n
        }
        var raw: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            raw.append(contentsOf: buf[0..<n])
        }
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return HTTPResult(status: 0, headers: [], body: text) }
        let lines = text[..<split.lowerBound].split(separator: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let hs = lines.dropFirst().compactMap { l -> (String, String)? in
            guard let c = l.firstIndex(of: ":") else { return nil }
            return (String(l[..<c]), String(l[l.index(after: c)...]).trimmingCharacters())
        }
        var result = HTTPResult(status: status, headers: hs, body: String(text[split.upperBound...]))
        if result.header("transfer-encoding")?.lowercased() == "chunked" {
            let start = raw.count - result.body.utf8.count  // the head is ASCII: its bytes are its characters
            result.body = String(decoding: dechunked(raw[start...]), as: UTF8.self)
        }
        return result
    }

    /// A `Transfer-Encoding: chunked` body's bytes (hex size, CRLF, bytes, CRLF; size 0 ends it).
    /// Malformed framing gives what was decoded so far followed by a marker a test will not mistake for JSON.
    static func dechunked(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        var body: [UInt8] = []
        var i = raw.startIndex
        while true {
            guard let lineEnd = raw[i...].firstIndex(of: 13), lineEnd + 1 < raw.endIndex, raw[lineEnd + 1] == 10,
                  let size = Int(String(decoding: raw[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16),
                  lineEnd + 2 + size + 2 <= raw.endIndex
            else { return body + Array("<bad chunked framing>".utf8) }
            if size == 0 { return body }
            body.append(contentsOf: raw[(lineEnd + 2)..<(lineEnd + 2 + size)])
            i = lineEnd + 2 + size + 2
        }
    }
}

extension String {
    func trimmingCharacters() -> String {
        var s = self[...]
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
    /// Form / query encoding of a value.
    var formEncoded: String {
        var out = ""
        for b in utf8 {
            switch b {
            case 48...57, 65...90, 97...122, 45, 46, 95, 126: out.append(Character(Unicode.Scalar(b)))
            default: out += "%" + String(b, radix: 16, uppercase: true).leftPadded
            }
        }
        return out
    }
    var leftPadded: String { count == 1 ? "0" + self : self }
}

func form(_ pairs: [(String, String)]) -> String {
    pairs.map { "\($0.0.formEncoded)=\($0.1.formEncoded)" }.joined(separator: "&")
}
