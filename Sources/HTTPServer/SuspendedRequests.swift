import CMicroHTTPD
import Dispatch

/// The requests waiting for a ``Responder``, by responder id.
///
/// Kept apart from the `Dispatcher` so that a responder does not keep the handler alive: a handler
/// that stores responders would otherwise form a reference cycle with them.
final class SuspendedRequests: Sendable {
    private struct Waiting: @unchecked Sendable {
        let connection: OpaquePointer
        let context: RequestContext
        /// Being handled on another thread (``Server/Configuration/offload``): stopping waits for it
        /// (up to the grace period) instead of answering it 503 at once.
        let working: Bool
    }

    /// A connection paused in the middle of sending its answer (a trickled body).
    private struct Paused: @unchecked Sendable {
        let connection: OpaquePointer
    }

    private struct State {
        var stopping = false
        var lastID: UInt64 = 0
        var waiting: [UInt64: Waiting] = [:]
        var paused: [UInt64: Paused] = [:]
    }

    private let state = Lock(State())

    /// Suspends `connection` and returns the id to resume it with, or nil if the server is stopping.
    /// Must be called from the access handler of that connection.
    func suspend(_ connection: OpaquePointer, context: RequestContext, working: Bool = false) -> UInt64? {
        state.withLock { state in
            if state.stopping { return nil }
            state.lastID &+= 1
            MHD_suspend_connection(connection)
            state.waiting[state.lastID] = Waiting(connection: connection, context: context, working: working)
            return state.lastID
        }
    }

    /// Suspends `connection` in the middle of sending its answer and resumes it after `ms` real
    /// milliseconds, holding no thread meanwhile. Must be called from the connection's content reader.
    /// False if the server is stopping (then the caller goes on without a pause).
    func pause(_ connection: OpaquePointer, forMs ms: Int) -> Bool {
        let id: UInt64? = state.withLock { state in
            if state.stopping { return nil }
            state.lastID &+= 1
            MHD_suspend_connection(connection)
            state.paused[state.lastID] = Paused(connection: connection)
            return state.lastID
        }
        guard let id else { return false }
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(ms)) { [self] in
            state.withLock { state in
                if let paused = state.paused.removeValue(forKey: id) { MHD_resume_connection(paused.connection) }
            }
        }
        return true
    }

    /// Resumes request `id` with `response`; does nothing if it was already resumed.
    func resume(_ id: UInt64, with response: Response) {
        state.withLock { state in
            guard let request = state.waiting.removeValue(forKey: id) else { return }
            request.context.pendingResponse = response
            MHD_resume_connection(request.connection)
        }
    }

    /// Refuses new suspensions and resumes every waiting request with `response` but those being
    /// handled on another thread, which may still answer during the grace period.
    func resumeAllForShutdown(with response: Response) {
        _ = resume(with: response) { !$0.working }
    }

    /// Resumes every request still waiting with `response` (those being handled on another thread
    /// that did not answer within the grace period), as libmicrohttpd must not be stopped while
    /// connections are suspended. Returns how many there were.
    func resumeRemainingForShutdown(with response: Response) -> Int {
        resume(with: response) { _ in true }
    }

    /// Refuses new suspensions and resumes the waiting requests `which` picks; returns how many.
    private func resume(with response: Response, _ which: (Waiting) -> Bool) -> Int {
        state.withLock { state in
            state.stopping = true
            for (_, paused) in state.paused { MHD_resume_connection(paused.connection) }
            state.paused.removeAll()
            var count = 0
            for (id, request) in state.waiting where which(request) {
                request.context.pendingResponse = response
                MHD_resume_connection(request.connection)
                state.waiting.removeValue(forKey: id)
                count += 1
            }
            return count
        }
    }
}
