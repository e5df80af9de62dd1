/// An HTTP response. `Content-Length` and `Date` are added by the server.
public struct Response: Sendable {
    /// The status code, 200...999; anything else (1xx included) is sent as 500.
    public var status: Int
    /// Headers to send, in order. Headers containing CR or LF are dropped, and so are
    /// `Content-Length` and `Transfer-Encoding`, which the server sets from the body.
    public var headers: [(name: String, value: String)] { didSet { prepared = nil } }
    /// The body. For `HEAD` requests it is not sent, but its length is announced.
    public var body: [UInt8] { didSet { prepared = nil } }
    /// A body made piece by piece while it is sent, instead of ``body`` (which is then ignored): for an
    /// answer too big to build whole per client. See ``BodyStream``.
    public var stream: BodyStream? { didSet { prepared = nil } }
    /// Sent broken instead of clean (a reset, a truncated body, …): see ``SocketFault``. Nil for an
    /// ordinary answer.
    public var socketFault: SocketFault?
    /// libmicrohttpd's response object for these headers and body, shared by every send of a
    /// ``repeated`` response (dropped when the headers or body change).
    var prepared: PreparedResponse?

    public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response whose body is produced while it is sent (see ``BodyStream``).
    public init(status: Int = 200, headers: [(name: String, value: String)] = [], stream: BodyStream) {
        self.status = status
        self.headers = headers
        self.body = []
        self.stream = stream
    }

    /// This response, to be sent many times unchanged (an answer kept in a cache): its copies share one
    /// libmicrohttpd response object, made at the first send, so later sends neither copy the body nor
    /// build the headers again. Changing the headers or body of a copy makes it an ordinary response.
    public var repeated: Response {
        var r = self
        // A streamed body is made anew for every send: its libmicrohttpd object cannot be shared.
        if stream == nil { r.prepared = PreparedResponse() }
        return r
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
