#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Server {
    /// How a ``Server`` listens and what it accepts.
    public struct Configuration: Sendable {
        /// The address to bind: an IPv4 literal, `"0.0.0.0"` for all interfaces, `"localhost"`
        /// (meaning 127.0.0.1), or an IPv6 literal such as `"::1"` or `"::"`.
        public var host: String
        /// The port; 0 picks a free one (read it from ``Server/port`` after ``Server/start()``).
        public var port: UInt16
        /// Worker threads, each with its own epoll loop; 1 means a single internal thread.
        public var threads: Int
        /// Largest accepted request body; a larger one gets a 413 (and the connection is still answered).
        public var maxBodyBytes: Int
        /// The answer to a body over ``maxBodyBytes``; `nil` for a plain-text 413.
        public var bodyTooLargeResponse: Response?
        /// Most simultaneous connections; more are refused.
        public var maxConnections: Int
        /// Idle connections are closed after this many seconds (0 = never). Suspended requests
        /// (``Reply/later(_:)``) do not time out.
        public var connectionTimeoutSeconds: Int
        /// Memory per connection for the request line, headers and read buffer (libmicrohttpd's
        /// `MHD_OPTION_CONNECTION_MEMORY_LIMIT`). It bounds the size of a request's head (larger
        /// ones get a 431 or 414), and libmicrohttpd zeroes all of it between keep-alive requests,
        /// so bigger costs throughput (in a wrk benchmark the zeroing took about 7% of the server's
        /// CPU time at 32 KiB, 13% at 64 KiB). The default, 16 KiB, takes a browser's head with a
        /// Cookie header of about 7,600 bytes, a single header of about 15,900 bytes, or about 95
        /// headers of 100 bytes (docs/operations.md, "HTTP limits"): libmicrohttpd 0.9.75 reads a head of several
        /// lines into about half of this memory.
        public var connectionMemoryLimitBytes: Int
        /// How long ``Server/stop()`` waits for requests in progress before closing connections.
        public var stopGracePeriodMilliseconds: Int
        /// Serve HTTPS with this certificate and key; `nil` for plain HTTP.
        public var tls: TLS?
        /// Requests for which this says yes are handled on libdispatch's global threads, their
        /// connection suspended meanwhile, instead of on the server's own threads: for handlers that
        /// take long (password hashing, writes), so that they do not hold up the requests that share a
        /// server thread with them. ``Server/stop()`` waits for them (and for those of them that
        /// answer later) up to the grace period before answering them 503. `nil`: every request on
        /// the server's threads.
        public var offload: (@Sendable (Request) -> Bool)?

        /// A certificate and its private key, both PEM text.
        public struct TLS: Sendable {
            public var certificatePEM: String
            public var keyPEM: String

            public init(certificatePEM: String, keyPEM: String) {
                self.certificatePEM = certificatePEM
                self.keyPEM = keyPEM
            }
        }

        public init(
            host: String = "127.0.0.1",
            port: UInt16 = 0,
            threads: Int = Configuration.processorCount,
            maxBodyBytes: Int = 1 << 20,
            maxConnections: Int = 1024,
            connectionTimeoutSeconds: Int = 30,
            connectionMemoryLimitBytes: Int = 16 * 1024,
            stopGracePeriodMilliseconds: Int = 1000,
            tls: TLS? = nil
        ) {
            self.host = host
            self.port = port
            self.threads = threads
            self.maxBodyBytes = maxBodyBytes
            self.bodyTooLargeResponse = nil
            self.maxConnections = maxConnections
            self.connectionTimeoutSeconds = connectionTimeoutSeconds
            self.connectionMemoryLimitBytes = connectionMemoryLimitBytes
            self.stopGracePeriodMilliseconds = stopGracePeriodMilliseconds
            self.tls = tls
        }

        /// The number of online processors (at least 1): the default for ``threads``.
        public static var processorCount: Int {
            max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        }
    }
}
