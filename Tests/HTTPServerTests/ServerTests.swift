import Foundation
import HTTPServer
import Synchronization
import Testing

@Suite struct ServerLifecycleTests {
    @Test func portZeroGivesARealPort() throws {
        let server = Server(configuration: .init()) { _ in .now(.text("ok")) }
        #expect(server.port == 0)
        try server.start()
        defer { server.stop() }
        #expect(server.port > 0)
        #expect(!server.isTLS)
        let response = try TestConnection(port: server.port).request("GET", "/")
        #expect(response.status == 200)
        #expect(response.text == "ok")
    }

    @Test func portInUseThrowsServerError() throws {
        try withServer(handler: { _ in .now(.text("first")) }) { first throws in
            let second = Server(configuration: .init(port: first.port)) { _ in .now(.text("second")) }
            let error = #expect(throws: ServerError.self) { try second.start() }
            #expect(error?.description.contains("\(first.port)") == true)
            #expect(error?.description.lowercased().contains("in use") == true)
            // The first server is unaffected.
            #expect(try TestConnection(port: first.port).request("GET", "/").text == "first")
        }
    }

    @Test func invalidHostThrows() {
        let server = Server(configuration: .init(host: "not-an-address")) { _ in .now(.text("")) }
        #expect(throws: ServerError.self) { try server.start() }
    }

    @Test func localhostMeansLoopback() throws {
        try withServer(.init(host: "localhost"), handler: { _ in .now(.text("ok")) }) { server throws in
            #expect(try TestConnection(port: server.port).request("GET", "/").status == 200)
        }
    }

    @Test func ipv6Loopback() throws {
        let server = Server(configuration: .init(host: "::1")) { request in .now(.text(request.remoteAddress)) }
        do {
            try server.start()
        } catch {
            return  // no IPv6 on this machine
        }
        defer { server.stop() }
        #expect(try TestConnection(port: server.port, host: "::1").request("GET", "/").text == "::1")
    }

    @Test func startTwiceThrows() throws {
        try withServer(handler: { _ in .now(.text("")) }) { server throws in
            #expect(throws: ServerError.self) { try server.start() }
        }
    }

    @Test func stopIsIdempotentAndClosesThePort() throws {
        let server = Server(configuration: .init()) { _ in .now(.text("ok")) }
        server.stop()  // before start: harmless
        #expect(throws: ServerError.self) { try server.start() }  // a stopped server stays stopped

        let running = Server(configuration: .init()) { _ in .now(.text("ok")) }
        try running.start()
        let port = running.port
        #expect(try TestConnection(port: port).request("GET", "/").status == 200)
        running.stop()
        running.stop()
        #expect(throws: (any Error).self) { _ = try TestConnection(port: port).request("GET", "/") }
    }

    @Test func releasingARunningServerStopsIt() throws {
        var port: UInt16 = 0
        do {
            let server = Server(configuration: .init()) { _ in .now(.text("ok")) }
            try server.start()
            port = server.port
            #expect(try TestConnection(port: port).request("GET", "/").status == 200)
        }
        #expect(throws: (any Error).self) { _ = try TestConnection(port: port).request("GET", "/") }
    }

    @Test func stopFromAHandlerAnswersThenStops() throws {
        let box = Mutex<Server?>(nil)
        let server = Server(configuration: .init()) { request in
            if request.path == "/shutdown" { box.withLock { $0?.stop() } }
            return .now(.text("bye"))
        }
        box.withLock { $0 = server }
        defer { box.withLock { $0 = nil } }
        try server.start()
        let port = server.port
        #expect(try TestConnection(port: port).request("GET", "/shutdown").text == "bye")
        try waitUntil { (try? TestConnection(port: port)) == nil }
        #expect(throws: (any Error).self) { _ = try TestConnection(port: port).request("GET", "/") }
        server.stop()
    }

    @Test func singleThreadConfiguration() throws {
        try withServer(.init(threads: 1), handler: { _ in .now(.text("one")) }) { server throws in
            #expect(try TestConnection(port: server.port).request("GET", "/").text == "one")
        }
    }
}

@Suite struct RequestParsingTests {
    @Test func queryKeepsOrderDuplicatesAndDecodes() throws {
        let recorder = Recorder()
        try withServer(handler: recording(recorder)) { server throws in
            let response = try TestConnection(port: server.port)
                .request("GET", "/items?b=2&a=1&b=x+y&c=%E2%9C%93&d=%ZZ&e=%FF&&flag")
            #expect(response.status == 200)
        }
        let request = try #require(recorder.last)
        #expect(request.method == "GET")
        #expect(request.path == "/items")
        #expect(request.query.map(\.name) == ["b", "a", "b", "c", "d", "e", "flag"])
        #expect(request.query.map(\.value) == ["2", "1", "x y", "✓", "%ZZ", "\u{FFFD}", ""])
        #expect(request.queryValue("b") == "2")
        #expect(request.form.isEmpty)
        #expect(request.remoteAddress == "127.0.0.1")
        #expect(!request.isTLS)
    }

    @Test func pathIsPercentDecodedWithoutQuery() throws {
        let recorder = Recorder()
        try withServer(handler: recording(recorder)) { server throws in
            let connection = try TestConnection(port: server.port)
            _ = try connection.request("GET", "/a%20b/c+d/%ZZ/%C3%A9?x=1")
            #expect(recorder.last?.path == "/a b/c+d/%ZZ/é")
            _ = try connection.request("GET", "/bad%FFutf8")
            #expect(recorder.last?.path == "/bad\u{FFFD}utf8")
            _ = try connection.request("GET", "http://example.com/absolute?q=1")
            #expect(recorder.last?.path == "/absolute")
            #expect(recorder.last?.queryValue("q") == "1")
        }
    }

    @Test func formBodyIsParsed() throws {
        let recorder = Recorder()
        try withServer(handler: recording(recorder)) { server throws in
            let connection = try TestConnection(port: server.port)
            _ = try connection.request(
                "POST", "/generateToken?f=json",
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Array("username=admin&password=p%40ss+word&username=again".utf8)
            )
            let request = try #require(recorder.last)
            #expect(request.method == "POST")
            #expect(request.form.map(\.name) == ["username", "password", "username"])
            #expect(request.formValue("password") == "p@ss word")
            #expect(request.formValue("username") == "admin")
            #expect(request.queryValue("f") == "json")

            _ = try connection.request(
                "POST", "/",
                headers: [("content-type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8")],
                body: Array("a=1".utf8)
            )
            #expect(recorder.last?.formValue("a") == "1")
        }
    }

    @Test func otherContentTypesAreNotParsedAsForms() throws {
        let recorder = Recorder()
        try withServer(handler: recording(recorder)) { server throws in
            let connection = try TestConnection(port: server.port)
            _ = try connection.request("POST", "/", headers: [("Content-Type", "application/json")], body: Array("a=1".utf8))
            #expect(recorder.last?.form.isEmpty == true)
            #expect(recorder.last?.body == Array("a=1".utf8))
            _ = try connection.request("POST", "/", headers: [("Content-Type", "application/x-www-form-urlencodedX")],
                                       body: Array("a=1".utf8))
            #expect(recorder.last?.form.isEmpty == true)
        }
    }

    @Test func headersAreLowercasedAndCaseInsensitive() throws {
        let recorder = Recorder()
        try withServer(handler: recording(recorder)) { server throws in
            _ = try TestConnection(port: server.port).request(
                "GET", "/", headers: [("X-Custom-Header", "Some Value"), ("X-Dup", "1"), ("x-dup", "2")]
            )
        }
        let request = try #require(recorder.last)
        #expect(request.headers.contains { $0.name == "x-custom-header" && $0.value == "Some Value" })
        #expect(request.header("x-CUSTOM-header") == "Some Value")
        #expect(request.headers.filter { $0.name == "x-dup" }.map(\.value) == ["1", "2"])
        #expect(request.header("host") == "test")
    }

    @Test func bodyIsAccumulatedAcrossChunks() throws {
        let recorder = Recorder()
        let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try withServer(handler: recording(recorder)) { server throws in
            let response = try TestConnection(port: server.port)
                .request("PUT", "/upload", headers: [("Content-Type", "application/octet-stream")], body: body)
            #expect(response.status == 200)
        }
        #expect(recorder.last?.body == body)
    }
}

@Suite struct BodyLimitTests {
    @Test func oversizedBodyGets413AndTheConnectionStillAnswers() throws {
        let recorder = Recorder()
        try withServer(.init(maxBodyBytes: 1000), handler: recording(recorder)) { server throws in
            let connection = try TestConnection(port: server.port)
            let big = try connection.request("POST", "/", body: [UInt8](repeating: 65, count: 5000))
            #expect(big.status == 413)
            #expect(big.text.contains("1000"))
            // Same connection: the next request is answered normally.
            let next = try connection.request("POST", "/", body: [UInt8](repeating: 66, count: 1000))
            #expect(next.status == 200)
            #expect(recorder.count == 1)
            #expect(recorder.last?.body.count == 1000)
        }
    }

    @Test func chunkedBodyOverTheLimitGets413() throws {
        try withServer(.init(maxBodyBytes: 100), handler: { _ in .now(.text("ok")) }) { server throws in
            let connection = try TestConnection(port: server.port)
            let chunk = String(repeating: "x", count: 80)
            try connection.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n\(chunk)\r\n50\r\n\(chunk)\r\n0\r\n\r\n")
            #expect(try connection.readResponse().status == 413)
            #expect(try connection.request("GET", "/").status == 200)
        }
    }

    @Test func announcedOversizedBodyWithExpectContinueIsRefusedBeforeSending() throws {
        try withServer(.init(maxBodyBytes: 1000), handler: { _ in .now(.text("ok")) }) { server throws in
            let connection = try TestConnection(port: server.port)
            try connection.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\nExpect: 100-continue\r\n\r\n")
            let response = try connection.readResponse()
            #expect(response.status == 413)
            // A fresh connection is served.
            #expect(try TestConnection(port: server.port).request("GET", "/").status == 200)
        }
    }
}

@Suite struct ResponseTests {
    @Test func statusHeadersAndBodyArePassedThrough() throws {
        let handler: Handler = { _ in
            .now(Response(status: 201, headers: [(name: "X-One", value: "1"), (name: "Set-Cookie", value: "a=1"),
                                                 (name: "Set-Cookie", value: "b=2")], body: Array("created".utf8)))
        }
        try withServer(handler: handler) { server throws in
            let response = try TestConnection(port: server.port).request("GET", "/")
            #expect(response.status == 201)
            #expect(response.header("x-one") == "1")
            #expect(response.headers.filter { $0.name == "Set-Cookie" }.map(\.value) == ["a=1", "b=2"])
            #expect(response.header("Content-Length") == "7")
            #expect(response.text == "created")
        }
    }

    @Test func headRequestsGetHeadersWithoutBody() throws {
        try withServer(handler: { _ in .now(.text("twelve bytes")) }) { server throws in
            let connection = try TestConnection(port: server.port)
            let head = try connection.request("HEAD", "/")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "12")
            // The connection is in sync: no body bytes were sent.
            #expect(try connection.request("GET", "/").text == "twelve bytes")
        }
    }

    @Test func badHeadersAreDroppedAndBadStatusBecomes500() throws {
        let handler: Handler = { request in
            switch request.path {
            case "/status": return .now(Response(status: 42))
            case "/informational": return .now(Response(status: 101))
            case "/framing":
                return .now(Response(status: 200, headers: [(name: "Content-Length", value: "999"),
                                                            (name: "transfer-encoding", value: "chunked")],
                                     body: Array("hello".utf8)))
            default:
                return .now(Response(status: 200, headers: [(name: "X-Evil", value: "a\r\nInjected: yes"), (name: "X-Good", value: "ok")]))
            }
        }
        try withServer(handler: handler) { server throws in
            let connection = try TestConnection(port: server.port)
            let response = try connection.request("GET", "/")
            #expect(response.status == 200)
            #expect(response.header("Injected") == nil)
            #expect(response.header("X-Good") == "ok")
            #expect(try connection.request("GET", "/status").status == 500)
            #expect(try connection.request("GET", "/informational").status == 500)
            let framed = try connection.request("GET", "/framing")
            #expect(framed.header("Content-Length") == "5")
            #expect(framed.header("Transfer-Encoding") == nil)
            #expect(framed.text == "hello")
            #expect(try connection.request("GET", "/status").status == 500)
        }
    }

    @Test func emptyBody() throws {
        try withServer(handler: { _ in .now(Response(status: 204)) }) { server throws in
            let connection = try TestConnection(port: server.port)
            #expect(try connection.request("DELETE", "/x").status == 204)
            #expect(try connection.request("GET", "/y").status == 204)
        }
    }
}

@Suite struct MalformedInputTests {
    @Test func garbageDoesNotHurtTheServer() throws {
        let recorder = Recorder()
        try withServer(.init(connectionMemoryLimitBytes: 16 * 1024), handler: recording(recorder)) { server throws in
            let inputs: [[UInt8]] = [
                Array("GARBAGE\r\n\r\n".utf8),
                Array("GET\r\n\r\n".utf8),
                Array("GET / HTTP/1.1\r\nNo colon here\r\n\r\n".utf8),
                Array("GET / HTTP/9.9\r\nHost: x\r\n\r\n".utf8),
                Array("GET /\u{0}nul HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                Array("GET /%%%%?%=%&&==&%FF%FE=%C0%80 HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                [0x47, 0x45, 0x54, 0x20, 0x2F, 0xFF, 0xFE, 0x20] + Array("HTTP/1.1\r\nHost: \u{FF}\r\nX: \u{1}\r\n\r\n".utf8),
                Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".utf8),
                Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n".utf8),
                Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n".utf8),
                Array("GET /\(String(repeating: "a", count: 40_000)) HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                Array("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "b", count: 40_000))\r\n\r\n".utf8),
            ]
            for input in inputs {
                let connection = try TestConnection(port: server.port, timeoutSeconds: 3)
                try? connection.send(input)
                _ = try? connection.readResponse()
            }
            // Half-sent requests, abandoned.
            for _ in 0..<5 {
                let connection = try TestConnection(port: server.port)
                try connection.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
            }
            #expect(try TestConnection(port: server.port).request("GET", "/still-alive").status == 200)
        }
    }

    @Test func requestContextsAreReleased() throws {
        // libmicrohttpd 0.9.75 notices some client aborts (request and close sent at once) only when
        // the connection times out, so time out quickly here.
        try withServer(.init(connectionTimeoutSeconds: 1), handler: { _ in .now(.text("ok")) }) { server throws in
            let connection = try TestConnection(port: server.port)
            for i in 0..<2000 {
                _ = try connection.request(i.isMultiple(of: 2) ? "GET" : "POST", "/n?i=\(i)", body: i.isMultiple(of: 2) ? [] : [1, 2, 3])
            }
            for _ in 0..<20 {
                let aborted = try TestConnection(port: server.port)
                try aborted.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
            }
            try waitUntil { server.requestsInProgress == 0 }
            #expect(server.requestsInProgress == 0)
        }
    }
}

/// Polls `condition` for up to five seconds; whether it holds in the end.
@discardableResult
func waitUntil(_ condition: () -> Bool) throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(5)
    while !condition() && ContinuousClock.now < deadline { usleep(2000) }
    return condition()
}
