import CMicroHTTPD

/// The requests waiting for a ``Responder``, by responder id.
///
/// Kept apart from the `Dispatcher` so that a responder does not keep the handler alive: a handler
/// that stores responders would otherwise form a reference cycle with them.
final class SuspendedRequests: Sendable {
    private struct Waiting: @unchecked Sendable {
        let connection: OpaquePointer
        let context: RequestContext
    }

    private struct State {
        var stopping = false
        var lastID: UInt64 = 0
        var waiting: [UInt64: Waiting] = [:]
    }

    private let state = Lock(State())

    /// Suspends `connection` and returns the id to resume it with, or nil if the server is stopping.
    /// Must be called from the access handler of that connection.
    func suspend(_ connection: OpaquePointer, context: RequestContext) -> UInt64? {
        state.withLock { state in
            if state.stopping { return nil }
            state.lastID &+= 1
            MHD_suspend_connection(connection)
            state.waiting[state.lastID] = Waiting(connection: connection, context: context)
            return state.lastID
        }
    }

    /// Resumes request `id` with `response`; does nothing if it was already resumed.
    func resume(_ id: UInt64, with response: Response) {
        state.withLock { state in
            guard let request = state.waiting.removeValue(forKey: id) else { return }
            request.context.pendingResponse = response
            MHD_resume_connection(request.connection)
        }
    }

    /// Refuses new suspensions and resumes every waiting request with `response`, as libmicrohttpd
    /// must not be stopped while connections are suspended.
    func resumeAllForShutdown(with response: Response) {
        state.withLock { state in
            state.stopping = true
            for request in state.waiting.values {
                request.context.pendingResponse = response
                MHD_resume_connection(request.connection)
            }
            state.waiting.removeAll()
        }
    }
}
