import HTTPServer
import Synchronization

/// Keeps the requests a handler saw.
final class Recorder: Sendable {
    private let requests = Mutex<[Request]>([])

    func record(_ request: Request) {
        requests.withLock { $0.append(request) }
    }

    var last: Request? { requests.withLock { $0.last } }
    var count: Int { requests.withLock { $0.count } }
}

/// Starts a server on a free port, runs `body`, stops the server.
func withServer(
    _ configuration: Server.Configuration = Server.Configuration(),
    handler: @escaping Handler,
    _ body: (Server) throws -> Void
) throws {
    let server = Server(configuration: configuration, handler: handler)
    try server.start()
    defer { server.stop() }
    try body(server)
}

/// A handler that records each request and answers 200 "ok".
func recording(_ recorder: Recorder) -> Handler {
    { request in
        recorder.record(request)
        return .now(.text("ok"))
    }
}
