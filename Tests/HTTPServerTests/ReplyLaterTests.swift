import Foundation
import HTTPServer
import Synchronization
import Testing

@Suite struct ReplyLaterTests {
    @Test func answeredFromAnotherThreadAfterADelay() throws {
        let handler: Handler = { request in
            .later { responder in
                afterDelay(milliseconds: 50) {
                    responder.respond(.text("later \(request.path)", status: 202))
                }
            }
        }
        try withServer(handler: handler) { server throws in
            let connection = try TestConnection(port: server.port)
            let response = try connection.request("GET", "/slow")
            #expect(response.status == 202)
            #expect(response.text == "later /slow")
            // The connection is usable afterwards.
            #expect(try connection.request("GET", "/again").text == "later /again")
        }
    }

    @Test func answeredSynchronouslyInsideStart() throws {
        try withServer(handler: { _ in .later { $0.respond(.text("at once")) } }) { server throws in
            #expect(try TestConnection(port: server.port).request("GET", "/").text == "at once")
        }
    }

    @Test func secondRespondIsIgnored() throws {
        let handler: Handler = { _ in
            .later { responder in
                afterDelay(milliseconds: 10) {
                    responder.respond(.text("first"))
                    responder.respond(.text("second"))
                }
            }
        }
        try withServer(handler: handler) { server throws in
            let connection = try TestConnection(port: server.port)
            #expect(try connection.request("GET", "/").text == "first")
            #expect(try connection.request("GET", "/").text == "first")
        }
    }

    @Test func droppedResponderAnswers500() throws {
        try withServer(handler: { _ in .later { _ in } }) { server throws in
            #expect(try TestConnection(port: server.port).request("GET", "/").status == 500)
        }
    }

    @Test func suspendedRequestDoesNotBlockOthers() throws {
        let held = Mutex<Responder?>(nil)
        let handler: Handler = { request in
            if request.path == "/wait" {
                return .later { responder in held.withLock { $0 = responder } }
            }
            return .now(.text("quick"))
        }
        // One thread only: if a waiting request blocked it, the quick one could not be answered.
        try withServer(.init(threads: 1), handler: handler) { server throws in
            let waiting = try TestConnection(port: server.port)
            try waiting.send("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
            try waitUntil { held.withLock { $0 != nil } }
            for _ in 0..<5 {
                #expect(try TestConnection(port: server.port).request("GET", "/quick").text == "quick")
            }
            held.withLock { $0?.respond(.text("released")) }
            #expect(try waiting.readResponse().text == "released")
        }
    }

    @Test func stopAnswersSuspendedRequestsWith503() throws {
        let held = Mutex<[Responder]>([])
        let server = Server(configuration: .init()) { _ in
            .later { responder in held.withLock { $0.append(responder) } }
        }
        try server.start()
        let connections = try (0..<3).map { _ in try TestConnection(port: server.port) }
        for connection in connections { try connection.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n") }
        try waitUntil { held.withLock { $0.count } == 3 }
        server.stop()
        for connection in connections {
            #expect(try connection.readResponse().status == 503)
        }
        // Responding after stop is harmless.
        held.withLock { $0.forEach { $0.respond(.text("too late")) } }
    }

    @Test func manyConcurrentLaterReplies() throws {
        let handler: Handler = { request in
            .later { responder in
                afterDelay(milliseconds: 1) { responder.respond(.text(request.queryValue("i") ?? "")) }
            }
        }
        try withServer(handler: handler) { server throws in
            let failures = Atomic<Int>(0)
            let port = server.port
            onThreads(8) { thread in
                guard let connection = try? TestConnection(port: port) else {
                    failures.add(1, ordering: .relaxed)
                    return
                }
                for i in 0..<25 {
                    let value = "\(thread)-\(i)"
                    if (try? connection.request("GET", "/?i=\(value)").text) != value { failures.add(1, ordering: .relaxed) }
                }
            }
            #expect(failures.load(ordering: .relaxed) == 0)
        }
    }
}

@Suite struct ConcurrencyTests {
    @Test func manyConcurrentRequestsAreAllAnswered() throws {
        let handled = Atomic<Int>(0)
        let handler: Handler = { request in
            handled.add(1, ordering: .relaxed)
            return .now(.text("\(request.queryValue("t") ?? "")/\(request.queryValue("i") ?? "")"))
        }
        try withServer(handler: handler) { server throws in
            let failures = Atomic<Int>(0)
            let port = server.port
            onThreads(8) { thread in
                // Half the threads reuse one connection, half open a new one per request.
                var shared = thread.isMultiple(of: 2) ? try? TestConnection(port: port) : nil
                for i in 0..<200 {
                    let connection = shared ?? (try? TestConnection(port: port))
                    let text = try? connection?.request("GET", "/?t=\(thread)&i=\(i)").text
                    if text != "\(thread)/\(i)" { failures.add(1, ordering: .relaxed) }
                    if shared == nil { _ = connection } else { shared = connection }
                }
            }
            #expect(failures.load(ordering: .relaxed) == 0)
            #expect(handled.load(ordering: .relaxed) == 1600)
        }
    }
}
