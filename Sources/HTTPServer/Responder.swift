/// Answers one suspended request (see ``Reply/later(_:)``).
///
/// The first call to ``respond(_:)`` resumes the connection and sends the response; later calls are
/// ignored. If the responder is released without having responded, the client gets a 500, so a
/// forgotten request never hangs. If the server stops first, the client gets a 503 and the call is
/// ignored.
public final class Responder: Sendable {
    private let requests: SuspendedRequests
    private let id: UInt64

    init(requests: SuspendedRequests, id: UInt64) {
        self.requests = requests
        self.id = id
    }

    /// Sends `response` to the client. Safe from any thread; only the first call has an effect.
    public func respond(_ response: Response) {
        requests.resume(id, with: response)
    }

    deinit {
        requests.resume(id, with: .text("the request was dropped without a response\n", status: 500))
    }
}
