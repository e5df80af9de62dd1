import Dispatch
import HTTPServer
import Synchronization
import Testing

/// `Configuration.offload`: requests handled on libdispatch's threads, their connection suspended meanwhile.
@Suite struct OffloadTests {
    /// A gate a handler waits at until the test opens it (and that says when a handler is waiting).
    final class Gate: Sendable {
        private let semaphore = DispatchSemaphore(value: 0)
        private let waiting = Atomic<Int>(0)
        func wait() {
            waiting.add(1, ordering: .sequentiallyConsistent)
            semaphore.wait()
        }
        var waiters: Int { waiting.load(ordering: .sequentiallyConsistent) }
        func open(_ count: Int = 1) { for _ in 0..<count { semaphore.signal() } }
    }

    /// POSTs wait at the gate, then answer "done"; anything else answers "quick" at once.
    static func handler(_ gate: Gate) -> Handler {
        { request in
            if request.method == "POST" {
                gate.wait()
                return .now(.text("done \(request.path)"))
            }
            return .now(.text("quick"))
        }
    }

    static func configuration(grace: Int = 1000) -> Server.Configuration {
        var c = Server.Configuration(threads: 1, stopGracePeriodMilliseconds: grace)
        c.offload = { $0.method == "POST" }
        return c
    }

    @Test func aLongRequestOffloadedDoesNotHoldUpTheServerThread() throws {
        let gate = Gate()
        // One server thread: if the waiting POST ran on it, the GETs could not be answered.
        try withServer(Self.configuration(), handler: Self.handler(gate)) { server throws in
            defer { gate.open(2) }
            let slow = try TestConnection(port: server.port)
            try slow.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            #expect(try waitUntil { gate.waiters == 1 })
            for _ in 0..<5 {
                let quick = try TestConnection(port: server.port, timeoutSeconds: 3)
                #expect(try quick.request("GET", "/quick").text == "quick")
            }
            gate.open()
            let answer = try slow.readResponse()
            #expect(answer.status == 200)
            #expect(answer.text == "done /slow")
            // The connection goes on.
            #expect(try slow.request("GET", "/again").text == "quick")
        }
    }

    @Test func anOffloadedHandlerMayAnswerLater() throws {
        var c = Server.Configuration(threads: 1)
        c.offload = { _ in true }
        let handler: Handler = { request in
            .later { responder in afterDelay(milliseconds: 5) { responder.respond(.text("later \(request.path)", status: 202)) } }
        }
        try withServer(c, handler: handler) { server throws in
            let connection = try TestConnection(port: server.port)
            for i in 0..<3 {
                let answer = try connection.request("GET", "/x\(i)")
                #expect(answer.status == 202)
                #expect(answer.text == "later /x\(i)")
            }
            #expect(try connection.request("HEAD", "/h").status == 202)
        }
    }

    @Test func manyOffloadedRequestsAtOnceAreEachAnsweredTheirOwn() throws {
        var c = Server.Configuration(threads: 1)
        c.offload = { $0.method == "POST" }
        let handler: Handler = { request in .now(.text(String(decoding: request.body, as: UTF8.self))) }
        try withServer(c, handler: handler) { server throws in
            let failures = Atomic<Int>(0)
            let port = server.port
            onThreads(8) { thread in
                guard let connection = try? TestConnection(port: port) else { failures.add(1, ordering: .relaxed); return }
                for i in 0..<50 {
                    let body = "\(thread)-\(i)"
                    let sent = "POST / HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                    guard (try? connection.send(sent)) != nil, (try? connection.readResponse().text) == body else {
                        failures.add(1, ordering: .relaxed)
                        continue
                    }
                }
            }
            #expect(failures.load(ordering: .relaxed) == 0)
        }
    }

    /// Stopping answers suspended requests 503 at once, but lets an offloaded one that is still being
    /// handled answer within the grace period (its work is done: the client must not be told it failed).
    @Test func stopLetsAnOffloadedRequestFinishWithinTheGracePeriod() throws {
        let gate = Gate()
        var c = Self.configuration(grace: 10_000)
        let base = Self.handler(gate)
        let handler: Handler = { request in
            // A GET to /probe is a suspension: refused with 503 once the server is stopping.
            request.path == "/probe" ? .later { $0.respond(.text("probe")) } : base(request)
        }
        c.offload = { $0.method == "POST" }
        let server = Server(configuration: c, handler: handler)
        try server.start()
        let slow = try TestConnection(port: server.port)
        try slow.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(try waitUntil { gate.waiters == 1 })
        let stopped = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { server.stop(); stopped.signal() }
        // Wait until the server is stopping: a new suspension is then refused with 503.
        #expect(try waitUntil { (try? TestConnection(port: server.port, timeoutSeconds: 2).request("GET", "/probe").status) == 503 })
        gate.open()
        let answer = try slow.readResponse()
        #expect(answer.status == 200)
        #expect(answer.text == "done /slow")
        stopped.wait()
    }

    @Test func stopAnswers503ToAnOffloadedRequestThatOutlivesTheGracePeriod() throws {
        let gate = Gate()
        let server = Server(configuration: Self.configuration(grace: 50), handler: Self.handler(gate))
        try server.start()
        let slow = try TestConnection(port: server.port)
        try slow.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
        #expect(try waitUntil { gate.waiters == 1 })
        server.stop()
        #expect(try slow.readResponse().status == 503)
        // The handler finishing afterwards is harmless.
        gate.open()
    }
}
