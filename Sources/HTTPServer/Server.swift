import CMHDShim
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An HTTP/1.1 server on libmicrohttpd (epoll, a pool of internal threads). It knows nothing of
/// what it serves: every request goes to one ``Handler``.
///
/// ```swift
/// let server = Server(configuration: .init(port: 8080)) { request in
///     .now(.text("hello \(request.path)\n"))
/// }
/// try server.start()
/// print("listening on \(server.port)")
/// _ = waitForTerminationSignal()
/// server.stop()
/// ```
public final class Server: Sendable {
    /// The configuration the server was made with.
    public let configuration: Configuration
    private let dispatcher: Dispatcher
    private let lifecycle = Lock(Lifecycle.idle)
    private let boundPort = Atomic<UInt16>(0)

    private enum Lifecycle {
        case idle
        case running(Daemon)
        case stopped
    }

    /// A running `cmhd_server`.
    private struct Daemon: @unchecked Sendable {
        let handle: OpaquePointer
    }

    /// Makes a server; nothing is bound until ``start()``.
    public init(configuration: Configuration = Configuration(), handler: @escaping Handler) {
        self.configuration = configuration
        self.dispatcher = Dispatcher(
            handler: handler,
            offload: configuration.offload,
            maxBodyBytes: max(0, configuration.maxBodyBytes),
            bodyTooLarge: configuration.bodyTooLargeResponse,
            isTLS: configuration.tls != nil
        )
    }

    deinit {
        stop()
    }

    /// Binds the address and starts serving. A server starts at most once.
    ///
    /// - Throws: ``ServerError`` if the address is invalid or in use, the TLS material is rejected,
    ///   or the server was already started.
    public func start() throws {
        try lifecycle.withLock { state in
            switch state {
            case .idle: break
            case .running: throw ServerError("the server is already running")
            case .stopped: throw ServerError("a stopped server cannot be started again; make a new Server")
            }
            let daemon = try startDaemon()
            boundPort.store(cmhd_bound_port(daemon.handle), ordering: .releasing)
            state = .running(daemon)
        }
    }

    /// The bound port (the real one when ``Configuration/port`` is 0); 0 before ``start()``.
    public var port: UInt16 {
        boundPort.load(ordering: .acquiring)
    }

    /// Whether the server speaks HTTPS.
    public var isTLS: Bool {
        configuration.tls != nil
    }

    /// Requests whose headers have arrived and that are not completed yet. For diagnostics and tests.
    public var requestsInProgress: Int {
        dispatcher.requestsInProgress.load(ordering: .relaxed)
    }

    /// Stops the server: stops accepting connections, answers suspended requests with 503, waits up
    /// to ``Configuration/stopGracePeriodMilliseconds`` for requests in progress, then closes
    /// everything. Idempotent; also called when the server is released.
    ///
    /// Called from a handler (on one of the server's own threads, which stopping must wait for),
    /// it returns at once and the server stops on another thread.
    public func stop() {
        let daemon: Daemon? = lifecycle.withLock { state in
            defer { state = .stopped }
            guard case .running(let daemon) = state else { return nil }
            return daemon
        }
        guard let daemon else { return }
        let shutdown = Shutdown(
            daemon: daemon,
            dispatcher: dispatcher,
            gracePeriod: .milliseconds(max(0, configuration.stopGracePeriodMilliseconds))
        )
        if cmhd_is_daemon_thread() != 0 {
            let box = Unmanaged.passRetained(shutdown).toOpaque()
            let started = cmhd_spawn_thread({ box in
                guard let box else { return }
                Unmanaged<Shutdown>.fromOpaque(box).takeRetainedValue().run()
            }, box)
            if started == 0 { return }
            Unmanaged<Shutdown>.fromOpaque(box).release()
        }
        shutdown.run()
    }

    /// The steps of stopping, kept apart from the `Server` so they can run on another thread, or
    /// after the `Server` is gone.
    private final class Shutdown: Sendable {
        let daemon: Daemon
        let dispatcher: Dispatcher
        let gracePeriod: Duration

        init(daemon: Daemon, dispatcher: Dispatcher, gracePeriod: Duration) {
            self.daemon = daemon
            self.dispatcher = dispatcher
            self.gracePeriod = gracePeriod
        }

        func run() {
            // No MHD_quiesce_daemon here: with a thread pool and epoll, libmicrohttpd 0.9.75 removes the
            // listen socket from each worker's epoll set without synchronising with the workers, and a
            // race makes it abort the whole process ("Failed to remove listen FD from epoll set"), seen
            // in our test runs. Requests arriving during the grace period are still served; then the daemon stops.
            dispatcher.resumeAllForShutdown()
            waitForRequestsInProgress(until: ContinuousClock.now + gracePeriod)
            // Requests still being handled on another thread (Configuration.offload) get their 503
            // now; the server's threads need a moment to send it before the connections are closed.
            if dispatcher.resumeRemainingForShutdown() > 0 {
                waitForRequestsInProgress(until: ContinuousClock.now + .milliseconds(200))
            }
            cmhd_stop(daemon.handle)
        }

        private func waitForRequestsInProgress(until deadline: ContinuousClock.Instant) {
            while dispatcher.requestsInProgress.load(ordering: .relaxed) > 0 && ContinuousClock.now < deadline {
                usleep(1000)
            }
        }
    }

    private func startDaemon() throws -> Daemon {
        let configuration = self.configuration
        let host = configuration.host == "localhost" ? "127.0.0.1" : configuration.host
        guard configuration.threads >= 1 else { throw ServerError("threads must be at least 1, not \(configuration.threads)") }
        guard configuration.maxConnections >= 1 else {
            throw ServerError("maxConnections must be at least 1, not \(configuration.maxConnections)")
        }
        guard configuration.connectionTimeoutSeconds >= 0 else {
            throw ServerError("connectionTimeoutSeconds must not be negative")
        }
        let cls = Unmanaged.passUnretained(dispatcher).toOpaque()
        var message = [CChar](repeating: 0, count: 512)
        let handle: OpaquePointer? = host.withCString { host in
            withOptionalCString(configuration.tls?.certificatePEM) { certificate in
                withOptionalCString(configuration.tls?.keyPEM) { key in
                    var options = cmhd_config(
                        host: host,
                        port: configuration.port,
                        threads: UInt32(clamping: configuration.threads),
                        connection_limit: UInt32(clamping: configuration.maxConnections),
                        connection_timeout_seconds: UInt32(clamping: configuration.connectionTimeoutSeconds),
                        connection_memory_limit: max(0, configuration.connectionMemoryLimitBytes),
                        tls_certificate_pem: certificate,
                        tls_key_pem: key,
                        access_handler: requestAccess,
                        completed_handler: requestCompleted,
                        cls: cls
                    )
                    return message.withUnsafeMutableBufferPointer { buffer in
                        cmhd_start(&options, buffer.baseAddress, buffer.count)
                    }
                }
            }
        }
        guard let handle else {
            let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            let scheme = configuration.tls == nil ? "http" : "https"
            throw ServerError("cannot start the \(scheme) server on \(host):\(configuration.port): \(reason)")
        }
        return Daemon(handle: handle)
    }
}

/// Why a ``Server`` could not start.
public struct ServerError: Error, CustomStringConvertible {
    /// What went wrong, in words fit for a log or a terminal.
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

private func withOptionalCString<Result>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
