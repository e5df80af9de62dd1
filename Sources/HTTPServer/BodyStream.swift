/// A response body produced piece by piece while libmicrohttpd sends it, so that an answer of
/// many megabytes never exists whole: memory per client stays about one piece (plus libmicrohttpd's
/// own block of ``blockSize`` bytes), however big the answer.
///
/// Its length is not known in advance, so it goes out with `Transfer-Encoding: chunked` to HTTP/1.1
/// clients; an HTTP/1.0 client gets the body up to the end of the connection, which libmicrohttpd
/// then closes. A `HEAD` request gets the headers with the body's exact `Content-Length` (the body is
/// produced to count it, and not sent).
///
/// ```swift
/// let lines = Array(0..<1_000_000)
/// return .now(Response(stream: BodyStream {
///     var next = 0
///     return { buffer in                     // called again while it returns true
///         while next < lines.count, buffer.count < 65_536 {
///             buffer.append(contentsOf: "\(lines[next])\n".utf8)
///             next += 1
///         }
///         return next < lines.count
///     }
/// }))
/// ```
public struct BodyStream: Sendable {
    /// Appends the next piece of the body to the (empty) buffer it is given, and says whether more
    /// follows. Called on the server's threads, one call at a time for one send.
    public typealias Producer = (inout [UInt8]) -> Bool

    /// Makes a fresh producer for one send of the response (each client gets its own).
    public let start: @Sendable () -> Producer

    /// `start` is called once per send, when the response is queued; it should capture an immutable
    /// snapshot of what it renders (an array copy costs nothing), not take locks while producing.
    public init(_ start: @escaping @Sendable () -> Producer) {
        self.start = start
    }

    /// libmicrohttpd's block size for a streamed body: the most it asks for at a time.
    public static let blockSize = 64 * 1024
}
