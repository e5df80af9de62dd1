import Foundation
import HTTPServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What arrives on the wire for each ``SocketFault``, read with a raw socket.
@Suite struct SocketFaultTests {
    static let body = Array(#"{"status": "success", "padding": "0123456789abcdef0123456789abcdef"}"#.utf8)

    static func serving(_ fault: SocketFault) -> Handler {
        { _ in .now(Response(status: 200, headers: [(name: "Content-Type", value: "application/json")], body: body).broken(fault)) }
    }

    @Test func resetReachesTheClientAsECONNRESET() throws {
        try withServer(handler: Self.serving(.reset)) { server in
            let got = try RawExchange(port: server.port)
            #expect(got.bytes.isEmpty)
            #expect(got.endError == ECONNRESET)
        }
    }

    @Test func emptyClosesWithoutAByte() throws {
        try withServer(handler: Self.serving(.empty)) { server in
            let got = try RawExchange(port: server.port)
            #expect(got.bytes.isEmpty)
            #expect(got.endError == 0)  // an orderly end of stream, no reset
        }
    }

    @Test func garbageSendsBytesThatAreNotHTTPThenCloses() throws {
        try withServer(handler: Self.serving(.garbage)) { server in
            let got = try RawExchange(port: server.port)
            #expect(got.bytes == SocketFault.garbageBytes)
            #expect(!got.text.hasPrefix("HTTP/"))
            #expect(got.endError == 0)
        }
    }

    @Test func truncatedAnnouncesTheWholeBodyAndSendsHalf() throws {
        try withServer(handler: Self.serving(.truncated)) { server in
            let got = try RawExchange(port: server.port)
            let (head, rest) = got.split
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(head.lowercased().contains("content-length: \(Self.body.count)\r\n"))
            #expect(rest == Array(Self.body.prefix(Self.body.count / 2)))
            #expect(got.endError == 0 || got.endError == ECONNRESET)
        }
    }

    @Test func trickleSendsTheWholeAnswerInPiecesOverTheGivenTime() throws {
        try withServer(handler: Self.serving(.trickle(totalMs: 600))) { server in
            let got = try RawExchange(port: server.port, close: true)
            let (head, rest) = got.split
            #expect(head.hasPrefix("HTTP/1.1 200"))
            #expect(rest == Self.body)
            // Pieces arrive apart: the body takes most of the given time, in several reads.
            #expect(got.elapsedMs >= 450)
            #expect(got.reads >= 5)
        }
    }

    @Test func trickleHoldsNoServerThread() throws {
        // One server thread: while a trickle pauses, another client is answered at once.
        var configuration = Server.Configuration()
        configuration.threads = 1
        let handler: Handler = { request in
            request.path == "/slow" ? Self.serving(.trickle(totalMs: 1500))(request) : .now(.text("quick"))
        }
        try withServer(configuration, handler: handler) { server in
            let slow = Thread { _ = try? RawExchange(port: server.port, path: "/slow", close: true) }
            slow.start()
            Thread.sleep(forTimeInterval: 0.2)  // the client side: let the trickle begin (the server is not waited on)
            let started = Date()
            let quick = try TestConnection(port: server.port).request("GET", "/quick")
            #expect(quick.text == "quick")
            #expect(Date().timeIntervalSince(started) < 0.5)
        }
    }

    @Test func aTricklePauseLongerThanTheIdleTimeoutDoesNotCloseTheConnection() throws {
        // Two pieces 2.5 s apart on a server that closes connections idle for 1 s: a paused
        // (suspended) connection is not idle.
        var configuration = Server.Configuration()
        configuration.connectionTimeoutSeconds = 1
        let body = Array("0123456789abcdef0123456789".utf8)
        let handler: Handler = { _ in .now(Response(status: 200, body: body).broken(.trickle(totalMs: 2500))) }
        try withServer(configuration, handler: handler) { server in
            let got = try RawExchange(port: server.port, close: true)
            #expect(got.split.1 == body)
            #expect(got.elapsedMs >= 2400)
        }
    }

    @Test func trickleStepsCoverTheBody() {
        #expect(SocketFault.trickleSteps(count: 70, totalMs: 700) == (16, 175))  // 5 pieces, 4 pauses
        #expect(SocketFault.trickleSteps(count: 0, totalMs: 1000).pauseMs == 0)
        #expect(SocketFault.trickleSteps(count: 3, totalMs: 1000) == (16, 0))
    }
}

/// One request on a raw socket, and everything that came back until the connection ended.
struct RawExchange {
    var bytes: [UInt8] = []
    /// errno of the read that ended the exchange, 0 for an orderly end of stream.
    var endError: Int32 = 0
    var reads = 0
    var elapsedMs = 0.0

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The head (status line and headers) and the body bytes after it.
    var split: (String, [UInt8]) {
        let marker: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == marker }) else { return (text, []) }
        return (String(decoding: bytes[..<end], as: UTF8.self) + "\r\n", Array(bytes[(end + 4)...]))
    }

    init(port: UInt16, path: String = "/", close: Bool = false) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: \(errno)") }
        defer { Glibc.close(fd) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ClientError("connect: \(errno)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: test\r\n\(close ? "Connection: close\r\n" : "")\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        let started = Date()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                bytes += buffer[..<n]
                reads += 1
                continue
            }
            endError = n == 0 ? 0 : errno
            break
        }
        elapsedMs = Date().timeIntervalSince(started) * 1000
        if endError == EAGAIN { throw ClientError("timed out waiting for the server") }
    }
}
