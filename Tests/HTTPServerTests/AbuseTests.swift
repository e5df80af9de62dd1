import Foundation
import Synchronization
import Testing
@testable import HTTPServer
#if canImport(Glibc)
import Glibc
#endif

/// Raw HTTP abuse on loopback (issue #7): the limits of ``Server/Configuration`` hold, and while
/// they are being tested the server keeps answering other clients promptly.
@Suite struct AbuseTests {
    /// A well-behaved client's round trip, in milliseconds; throws if it is not answered 200.
    func probe(_ server: Server) throws -> Double {
        let start = ContinuousClock.now
        let r = try TestConnection(port: server.port, timeoutSeconds: 5).request("GET", "/probe")
        guard r.status == 200, r.text == "ok" else { throw ClientError("probe answered \(r.status)") }
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    @Test func oversizeHeadersAreRefusedAndOthersStillServed() throws {
        try withServer(.init(connectionMemoryLimitBytes: 32 * 1024), handler: { _ in .now(.text("ok")) }) { server throws in
            // One huge header, many small ones, a huge request line: each refused with a 4xx or a close.
            let attempts = [
                "GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 100_000))\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\n" + (0..<4000).map { "X-\($0): v\r\n" }.joined() + "\r\n",
                "GET /\(String(repeating: "p", count: 100_000)) HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /?\(String(repeating: "q=1&", count: 25_000)) HTTP/1.1\r\nHost: x\r\n\r\n",
            ]
            for attempt in attempts {
                let c = try TestConnection(port: server.port, timeoutSeconds: 5)
                try? c.send(attempt)
                if let r = try? c.readResponse() {
                    #expect((400..<500).contains(r.status), "answered \(r.status) to \(attempt.prefix(40))")
                }
                _ = try probe(server)
            }
        }
    }

    /// The default connection memory (16 KiB) takes the head of a browser sending a 4 KB cookie (a
    /// browser's limit for one cookie) and refuses one with 9 KB of cookies with libmicrohttpd's 431,
    /// as docs/operations.md's "HTTP limits" says; the next client is served.
    @Test func theDefaultHeadLimitTakesBrowserSizedHeadsAndRefusesLarger() throws {
        #expect(Server.Configuration().connectionMemoryLimitBytes == 16 * 1024)
        func browserHead(cookieBytes: Int) -> [(String, String)] {
            [("User-Agent", String(repeating: "u", count: 150)), ("Accept", "text/html,application/json"),
             ("Accept-Language", "en-US,en;q=0.9"), ("Referer", "http://127.0.0.1/arcgis/admin"),
             ("Cookie", String(repeating: "c", count: cookieBytes))]
        }
        try withServer(handler: { request in .now(.text(request.path == "/probe" ? "ok" : "\(request.headers.count)")) }) { server throws in
            let c = try TestConnection(port: server.port, timeoutSeconds: 5)
            let r = try c.request("GET", "/arcgis/admin/system/disasterrecovery/status?f=html", headers: browserHead(cookieBytes: 4_096))
            #expect(r.status == 200)
            #expect(r.text == "6")   // the five and Host
            let ninety = (0..<90).map { ("X-\($0)", String(repeating: "v", count: 90)) }
            #expect(try c.request("GET", "/ninety", headers: ninety).status == 200)
            let big = try TestConnection(port: server.port, timeoutSeconds: 5)
            #expect((try? big.request("GET", "/", headers: browserHead(cookieBytes: 9_000)))?.status == 431)
            #expect(try probe(server) >= 0)
        }
    }

    @Test func oversizeBodiesAreRefusedWithoutBeingKept() throws {
        let recorder = Recorder()
        try withServer(.init(maxBodyBytes: 64 * 1024), handler: recording(recorder)) { server throws in
            // Announced and actually sent: 413, body never reaches the handler.
            let big = [UInt8](repeating: 65, count: 1 << 20)
            let c = try TestConnection(port: server.port)
            let r = try c.request("POST", "/upload", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: big)
            #expect(r.status == 413)
            #expect(recorder.count == 0)
            // Announced as 10 GB, then the client goes quiet: nothing reaches the handler, others are served.
            let liar = try TestConnection(port: server.port, timeoutSeconds: 5)
            try liar.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\nabc")
            _ = try probe(server)
            #expect(recorder.count == 1)
            #expect(recorder.last?.path == "/probe")
        }
    }

    @Test func slowSendersDoNotStarveOtherClients() throws {
        // Slowloris: many connections that dribble a request a byte at a time and never finish it.
        try withServer(.init(threads: 2, connectionTimeoutSeconds: 30), handler: { _ in .now(.text("ok")) }) { server throws in
            nonisolated(unsafe) let slow = try (0..<200).map { _ in try TestConnection(port: server.port, timeoutSeconds: 5) }
            let dribbler = Thread {
                let head = Array("POST /slow HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
                var i = 0
                while !Thread.current.isCancelled {
                    for c in slow { try? c.send([head[min(i, head.count - 1)]]) }
                    i += 1
                    usleep(20_000)
                }
            }
            dribbler.start()
            defer { dribbler.cancel() }
            var worst = 0.0
            for _ in 0..<50 { worst = max(worst, try probe(server)) }
            #expect(worst < 1000, "slowest well-behaved request took \(worst) ms")
        }
    }

    @Test func halfOpenAndIdleConnectionsAreClosedAtTheTimeout() throws {
        try withServer(.init(connectionTimeoutSeconds: 1), handler: { _ in .now(.text("ok")) }) { server throws in
            // Connected and silent; half a request line; headers without the blank line; write side shut.
            let silent = try TestConnection(port: server.port, timeoutSeconds: 5)
            let halfLine = try TestConnection(port: server.port, timeoutSeconds: 5)
            try halfLine.send("GET /par")
            let noEnd = try TestConnection(port: server.port, timeoutSeconds: 5)
            try noEnd.send("GET / HTTP/1.1\r\nHost: x\r\n")
            let shut = try TestConnection(port: server.port, timeoutSeconds: 5)
            try shut.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nabc")
            shut.shutdownWrite()
            let start = ContinuousClock.now
            for c in [silent, halfLine, noEnd, shut] {
                #expect(c.isClosedByPeer(), "a stalled connection was kept open")
            }
            #expect(ContinuousClock.now - start < .seconds(4))
            _ = try probe(server)
            try waitUntil { server.requestsInProgress == 0 }
            #expect(server.requestsInProgress == 0)
        }
    }

    @Test func theConnectionLimitHoldsAndServiceResumes() throws {
        try withServer(.init(maxConnections: 32, connectionTimeoutSeconds: 30), handler: { _ in .now(.text("ok")) }) { server throws in
            var held = try (0..<32).map { _ in try TestConnection(port: server.port, timeoutSeconds: 2) }
            for c in held { try c.send("GET /held HTTP/1.1\r\nHost: x\r\n") }   // incomplete: they stay
            usleep(100_000)
            // Over the limit: refused (closed at once), not queued forever.
            let extra = try TestConnection(port: server.port, timeoutSeconds: 2)
            let refused = (try? extra.request("GET", "/extra")) == nil
            #expect(refused)
            held.removeAll()   // closing the hogs frees the slots
            var answered = false
            for _ in 0..<50 where !answered {
                answered = (try? probe(server)) != nil
                if !answered { usleep(20_000) }
            }
            #expect(answered)
        }
    }

    @Test func manyConnectionsAtOnceAreAllAnswered() throws {
        let answered = Tally()
        try withServer(.init(threads: 2), handler: { _ in .now(.text("ok")) }) { server throws in
            nonisolated(unsafe) let connections = try (0..<300).map { _ in try TestConnection(port: server.port, timeoutSeconds: 10) }
            onThreads(6) { t in
                for (i, c) in connections.enumerated() where i % 6 == t {
                    if (try? c.request("GET", "/many?i=\(i)"))?.status == 200 { answered.add() }
                }
            }
            #expect(answered.count == 300)
            _ = try probe(server)
        }
    }

    @Test func invalidEncodingsReachTheHandlerDecodedAndHarmless() throws {
        let recorder = Recorder()
        try withServer(handler: recording(recorder)) { server throws in
            let c = try TestConnection(port: server.port)
            let body = Array("a=%ZZ&b=%E2%82&%FF=%C0%AF&c=\u{0}".utf8) + [0xff, 0xfe]
            let r = try c.request("POST", "/p%ZZ/%C0%AF/%ED%A0%80?q=%&r=%%41&%E2=x", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: body)
            #expect(r.status == 200)
            let req = try #require(recorder.last)
            #expect(req.path == "/p%ZZ/\u{FFFD}\u{FFFD}/\u{FFFD}\u{FFFD}\u{FFFD}")
            #expect(req.query.map(\.name) == ["q", "r", "\u{FFFD}"])
            #expect(req.queryValue("r") == "%A")
            #expect(req.formValue("a") == "%ZZ")
            #expect(req.formValue("b") == "\u{FFFD}")
            #expect(req.form.last?.value == "\u{0}\u{FFFD}\u{FFFD}")
        }
    }
}

/// A count kept across threads.
final class Tally: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
