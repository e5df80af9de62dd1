/// An HTTP response as read off the wire: status, headers (names lowercased) and the body, with a
/// chunked transfer encoding undone.
public struct HTTPAnswer: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header of this name (case-insensitive).
    public func header(_ name: String) -> String? {
        let n = name.lowercased()
        return headers.first { $0.name == n }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// Parses a whole response (status line, headers, body up to the peer's close).
    init(parsing bytes: [UInt8]) throws {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = Self.find(separator, in: bytes, from: 0) else {
            throw HTTPClientError(bytes.isEmpty ? "the server closed the connection without answering" : "the answer has no complete head")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else {
            throw HTTPClientError("not an HTTP answer: \(lines.first.map(String.init) ?? "")")
        }
        self.status = status
        headers = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingSpaces)
        }
        let rest = Array(bytes[(end + 4)...])
        if headers.contains(where: { $0.name == "transfer-encoding" && $0.value.lowercased().contains("chunked") }) {
            body = try Self.unchunk(rest)
        } else if let length = headers.first(where: { $0.name == "content-length" }).flatMap({ Int($0.value) }), length <= rest.count {
            body = Array(rest.prefix(length))
        } else {
            body = rest
        }
    }

    static func unchunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < bytes.count {
            guard let lineEnd = find([13, 10], in: bytes, from: i) else { throw HTTPClientError("a chunked body ends early") }
            let sizeText = String(decoding: bytes[i..<lineEnd], as: UTF8.self).prefix { $0 != ";" }
            guard let size = Int(sizeText.trimmingSpaces, radix: 16) else { throw HTTPClientError("a bad chunk size '\(sizeText)'") }
            if size == 0 { return out }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { throw HTTPClientError("a chunk ends early") }
            out += bytes[start..<(start + size)]
            i = start + size + 2
        }
        return out
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
