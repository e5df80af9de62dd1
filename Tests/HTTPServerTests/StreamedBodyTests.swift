import Foundation
import HTTPServer
import Synchronization
import Testing

/// A ``BodyStream`` body is produced piece by piece while it is sent: chunked to HTTP/1.1 clients,
/// up to the connection's end for HTTP/1.0 ones, never for HEAD, and its producer is released
/// whether the client reads it all or goes away in the middle.
@Suite struct StreamedBodyTests {
    /// Counts the producers alive (each holds one), so that a test sees every one released.
    final class Tally: Sendable {
        let alive = Atomic<Int>(0)
        let started = Atomic<Int>(0)
    }

    final class Token {
        let tally: Tally
        init(_ tally: Tally) { self.tally = tally; tally.alive.add(1, ordering: .relaxed); tally.started.add(1, ordering: .relaxed) }
        deinit { tally.alive.subtract(1, ordering: .relaxed) }
    }

    /// The bytes `0..<count` as lines of text, in pieces of up to `piece` bytes.
    static func expected(_ count: Int) -> [UInt8] {
        Array((0..<count).map { "line \($0)\n" }.joined().utf8)
    }

    static func stream(_ count: Int, tally: Tally) -> BodyStream {
        BodyStream {
            let token = Token(tally)
            var next = 0
            return { piece in
                _ = token
                while next < count, piece.count < 10_000 {
                    piece.append(contentsOf: "line \(next)\n".utf8)
                    next += 1
                }
                return next < count
            }
        }
    }

    @Test func aStreamedBodyArrivesChunkedAndWhole() throws {
        let tally = Tally()
        let count = 100_000
        let handler: Handler = { _ in
            .now(Response(headers: [("Content-Type", "text/plain"), ("Content-Length", "5")], stream: Self.stream(count, tally: tally)))
        }
        try withServer(handler: handler) { server throws in
            let connection = try TestConnection(port: server.port)
            for _ in 0..<2 {  // the connection stays usable after a streamed answer
                let response = try connection.request("GET", "/")
                #expect(response.status == 200)
                #expect(response.header("Transfer-Encoding") == "chunked")
                #expect(response.header("Content-Length") == nil)  // the handler's is dropped: it would lie
                #expect(response.header("Content-Type") == "text/plain")
                #expect(response.body == Self.expected(count))
            }
            // HEAD: the headers with the exact length (counted, not sent), and the connection stays usable.
            let head = try connection.request("HEAD", "/")
            #expect(head.status == 200 && head.body.isEmpty)
            #expect(head.header("Content-Length") == String(Self.expected(count).count))
            #expect(head.header("Transfer-Encoding") == nil)
            #expect(try connection.request("GET", "/").body == Self.expected(count))
        }
        #expect(try waitUntil { tally.alive.load(ordering: .relaxed) == 0 })
    }

    @Test func anHTTP10ClientGetsTheBodyUpToTheClose() throws {
        let tally = Tally()
        try withServer(handler: { _ in .now(Response(stream: Self.stream(5_000, tally: tally))) }) { server throws in
            let connection = try TestConnection(port: server.port)
            try connection.send("GET / HTTP/1.0\r\nHost: test\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(response.body == Self.expected(5_000))
            #expect(connection.isClosedByPeer())
        }
        #expect(try waitUntil { tally.alive.load(ordering: .relaxed) == 0 })
    }

    @Test func clientsLeavingMidAnswerLeakNothingAndTheServerGoesOn() throws {
        let tally = Tally()
        let count = 2_000_000  // about 25 MB: far more than the socket buffers hold
        let handler: Handler = { request in .now(Response(stream: Self.stream(request.path == "/small" ? 1_000 : count, tally: tally))) }
        try withServer(handler: handler) { server throws in
            for _ in 0..<8 {
                let connection = try TestConnection(port: server.port)
                try connection.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
                try connection.readSome(100_000)
                // `connection` closes here, with most of the answer unsent.
            }
            #expect(try waitUntil { tally.alive.load(ordering: .relaxed) == 0 })
            #expect(tally.started.load(ordering: .relaxed) == 8)
            // Still serving streamed answers.
            #expect(try TestConnection(port: server.port).request("GET", "/small").body == Self.expected(1_000))
        }
        #expect(try waitUntil { tally.alive.load(ordering: .relaxed) == 0 })
    }

    @Test func aServerStoppingMidAnswerReleasesTheProducer() throws {
        let tally = Tally()
        let server = Server(configuration: .init()) { _ in .now(Response(stream: Self.stream(2_000_000, tally: tally))) }
        try server.start()
        let connection = try TestConnection(port: server.port)
        try connection.send("GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        try connection.readSome(50_000)
        server.stop()
        #expect(tally.alive.load(ordering: .relaxed) == 0)
        #expect(tally.started.load(ordering: .relaxed) == 1)
    }
}
