/// What the server keeps for a request that has a body or waits for a ``Responder``.
///
/// A request without either needs no context: its `req_cls` is just a marker (see ``Dispatcher``).
/// The context is retained through `req_cls` and released when libmicrohttpd reports the request
/// completed.
///
/// `@unchecked Sendable`: libmicrohttpd calls back for one connection on one thread at a time.
/// The only cross-thread access is ``pendingResponse``, written by a ``Responder`` under the
/// dispatcher's lock before it resumes the connection and read by the connection's thread after
/// libmicrohttpd has resumed it (libmicrohttpd's own lock orders the two).
final class RequestContext: @unchecked Sendable {
    var body: [UInt8] = []
    /// The body exceeds the limit: the rest of it is read and discarded, and a 413 is sent.
    var bodyTooLarge = false
    /// The response of a suspended request, set just before the connection is resumed.
    var pendingResponse: Response?
}
