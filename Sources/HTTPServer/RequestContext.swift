/// What the server keeps for one request while it is being received and answered.
///
/// Created when the request line arrives (libmicrohttpd's URI log callback), retained through the
/// request's `req_cls` pointer, released when libmicrohttpd reports the request completed.
///
/// `@unchecked Sendable`: libmicrohttpd calls back for one connection on one thread at a time.
/// The only cross-thread access is ``pendingResponse``, written by a ``Responder`` under the
/// dispatcher's lock before it resumes the connection and read by the connection's thread after
/// libmicrohttpd has resumed it (libmicrohttpd's own lock orders the two).
final class RequestContext: @unchecked Sendable {
    /// The request target as sent: path and query, not decoded.
    let target: [UInt8]
    /// Set after the first access-handler call (the headers).
    var headersSeen = false
    var body: [UInt8] = []
    /// The body exceeded the limit; the rest of it is read and discarded, and a 413 is sent.
    var bodyTooLarge = false
    /// The response of a suspended request, set just before the connection is resumed.
    var pendingResponse: Response?

    init(target: [UInt8]) {
        self.target = target
    }
}
