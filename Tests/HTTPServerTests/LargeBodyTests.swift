import HTTPServer
import Testing

/// Bodies above `Dispatcher.sharedBodyThreshold` are handed to libmicrohttpd without a copy; the
/// bytes on the wire must still be exactly the handler's, also when many requests share one array.
@Suite struct LargeBodyTests {
    static let body: [UInt8] = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }

    @Test func largeSharedBodyArrivesWholeOnEveryRequest() throws {
        let shared = Self.body
        try withServer(handler: { _ in .now(Response(status: 200, body: shared)) }) { server throws in
            let connection = try TestConnection(port: server.port)
            for _ in 0..<3 {
                let response = try connection.request("GET", "/")
                #expect(response.status == 200)
                #expect(response.header("Content-Length") == String(shared.count))
                #expect(response.body == shared)
            }
            let head = try connection.request("HEAD", "/")
            #expect(head.header("Content-Length") == String(shared.count))
            #expect(try connection.request("GET", "/").body == shared)
        }
    }

    @Test func bodiesAtTheThresholdEitherSideArriveWhole() throws {
        for size in [16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1] {
            let bytes = Array(Self.body.prefix(size))
            try withServer(handler: { _ in .now(Response(body: bytes)) }) { server throws in
                let response = try TestConnection(port: server.port).request("GET", "/")
                #expect(response.body == bytes)
            }
        }
    }
}
