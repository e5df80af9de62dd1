import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A response as read by ``TestConnection``.
struct ClientResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

struct ClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A tiny blocking HTTP/1.1 client over one TCP connection, able to send malformed bytes.
final class TestConnection {
    private var fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16, host: String = "127.0.0.1", timeoutSeconds: Int = 10) throws {
        let isIPv6 = host.contains(":")
        fd = socket(isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, host, &address.sin6_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            inet_pton(AF_INET, host, &address.sin_addr)
            result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            fd = -1  // deinit runs after a throwing init too: never close a number another thread may reuse
            throw ClientError("connect to \(host):\(port) failed: \(String(cString: strerror(code)))")
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Shuts the sending side (the server sees end of stream) while still reading.
    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw ClientError("send failed: \(String(cString: strerror(errno)))") }
            offset += sent
        }
    }

    /// Sends a request and reads its response.
    func request(
        _ method: String = "GET",
        _ target: String,
        headers: [(String, String)] = [],
        body: [UInt8] = []
    ) throws -> ClientResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse(isHead: method == "HEAD")
    }

    /// Reads one response; skips `100 Continue` interim responses.
    func readResponse(isHead: Bool = false) throws -> ClientResponse {
        while true {
            let headEnd = try readUntilHeaderEnd()
            let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
            buffer.removeFirst(headEnd + 4)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { throw ClientError("bad status line: \(statusLine)") }
            if status == 100 { continue }
            var headers: [(name: String, value: String)] = []
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            var response = ClientResponse(status: status, headers: headers, body: [])
            if isHead || status == 204 || status == 304 { return response }
            if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
                response.body = try readChunkedBody()
            } else if let length = response.header("Content-Length").flatMap({ Int($0) }) {
                try fill(length)
                response.body = Array(buffer[..<length])
                buffer.removeFirst(length)
            } else {
                while try readMore() {}
                response.body = buffer
                buffer = []
            }
            return response
        }
    }

    /// A `Transfer-Encoding: chunked` body: each chunk is its size in hex, CRLF, the bytes, CRLF; a
    /// chunk of size 0 ends it (then optional trailers and an empty line).
    private func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let line = try readLine()
            guard let size = Int(line.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
                throw ClientError("bad chunk size line: \(line)")
            }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            try fill(size + 2)
            guard buffer[size] == 13, buffer[size + 1] == 10 else { throw ClientError("chunk not followed by CRLF") }
            body.append(contentsOf: buffer[..<size])
            buffer.removeFirst(size + 2)
        }
    }

    private func readLine() throws -> String {
        while true {
            if let end = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            guard try readMore() else { throw ClientError("connection closed in a chunked body") }
        }
    }

    /// Reads at least `count` bytes of whatever comes (for a client that gives up mid-answer).
    func readSome(_ count: Int) throws {
        try fill(count)
    }

    /// Whether the server has closed the connection (reads until EOF or timeout).
    func isClosedByPeer() -> Bool {
        (try? readMore()) == false
    }

    private func readUntilHeaderEnd() throws -> Int {
        while true {
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4)
                where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    return i
                }
            }
            guard try readMore() else { throw ClientError("connection closed before the response head") }
        }
    }

    private func fill(_ count: Int) throws {
        while buffer.count < count {
            guard try readMore() else { throw ClientError("connection closed in the body") }
        }
    }

    /// Reads some bytes; false at end of stream.
    private func readMore() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let got = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if got < 0 { throw ClientError("recv failed: \(String(cString: strerror(errno)))") }
        if got == 0 { return false }
        buffer.append(contentsOf: chunk[..<got])
        return true
    }
}

/// Runs `body` on `count` real threads (not the Swift concurrency pool, which blocking sockets would starve)
/// and waits for all of them.
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

/// Runs `body` on a new thread after `milliseconds`.
func afterDelay(milliseconds: Int, _ body: @escaping @Sendable () -> Void) {
    Thread {
        usleep(UInt32(milliseconds * 1000))
        body()
    }.start()
}
