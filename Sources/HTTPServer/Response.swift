/// An HTTP response. `Content-Length` and `Date` are added by the server.
public struct Response: Sendable {
    /// The status code, 200...999; anything else (1xx included) is sent as 500.
    public var status: Int
    /// Headers to send, in order. Headers containing CR or LF are dropped, and so are
    /// `Content-Length` and `Transfer-Encoding`, which the server sets from the body.
    public var headers: [(name: String, value: String)]
    /// The body. For `HEAD` requests it is not sent, but its length is announced.
    public var body: [UInt8]

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A text response, UTF-8 encoded.
    ///
    /// ```swift
    /// return .now(.text("not found\n", status: 404))
    /// ```
    public static func text(_ s: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [(name: "Content-Type", value: contentType)], body: Array(s.utf8))
    }
}

/// What a handler gives back: a response now, or one later from any thread.
public enum Reply: Sendable {
    /// Answer immediately.
    case now(Response)
    /// Answer later (long-poll, injected latency). The server suspends the connection, without
    /// blocking any of its threads, and calls the closure with a ``Responder``; whoever holds the
    /// responder calls ``Responder/respond(_:)`` exactly once, from any thread, at any time.
    ///
    /// ```swift
    /// return .later { responder in
    ///     jobs.whenFinished { responder.respond(.text("done\n")) }
    /// }
    /// ```
    case later(@Sendable (Responder) -> Void)
}

/// Handles every request. Called on the server's threads, concurrently: it must not block for long
/// (use ``Reply/later(_:)`` to wait).
public typealias Handler = @Sendable (Request) -> Reply
