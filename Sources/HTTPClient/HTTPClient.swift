import CHTTPClient

/// A small HTTP/1.1 client (one request per connection, plain or TLS through GnuTLS): what
/// `drmock conformance` and `drmock record` use to talk to a deployment. No connection reuse, no
/// redirects followed, no cookies: each call is one exchange, answered as it came.
public struct HTTPClient: Sendable {
    /// PEM file of the CAs to trust (`--ca-bundle`); nil: the system's trust store.
    public var caBundle: String?
    /// Skip certificate verification (`--insecure`): only when asked.
    public var insecure: Bool
    public var timeoutMilliseconds: Int
    /// The most bytes an answer may have (head and body); a longer one fails the exchange with an
    /// error that says so. 256 MiB: a list of 10,000 backups is about 9 MB.
    public var maxAnswerBytes: Int

    public init(caBundle: String? = nil, insecure: Bool = false, timeoutMilliseconds: Int = 30_000,
                maxAnswerBytes: Int = 256 << 20) {
        self.caBundle = caBundle
        self.insecure = insecure
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxAnswerBytes = maxAnswerBytes
    }

    /// Sends `method target` (a path with its query) to `origin`, with `headers` and `body`.
    public func send(_ method: String, _ target: String, to origin: HTTPOrigin,
                     headers: [(name: String, value: String)] = [], body: [UInt8] = []) throws -> HTTPAnswer {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(origin.hostHeader)\r\nConnection: close\r\n"
        for (name, value) in headers where !HTTPClient.hopByHop.contains(name.lowercased()) {
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + body
        var response = chc_bytes(data: nil, length: 0)
        var error = [CChar](repeating: 0, count: 512)
        let rc = request.withUnsafeBufferPointer { bytes in
            chc_exchange(origin.host, Int32(origin.port), origin.isTLS ? 1 : 0, caBundle, insecure ? 1 : 0,
                         Int32(timeoutMilliseconds), bytes.baseAddress, bytes.count, max(0, maxAnswerBytes), &response,
                         &error, error.count)
        }
        guard rc == 0 else {
            throw HTTPClientError(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { chc_free(&response) }
        let bytes = response.data.map { Array(UnsafeBufferPointer(start: $0, count: response.length)) } ?? []
        return try HTTPAnswer(parsing: bytes)
    }

    /// Headers a forwarded request does not carry over: this client sets its own.
    static let hopByHop: Set<String> = ["host", "connection", "content-length", "transfer-encoding", "keep-alive",
                                        "te", "trailer", "upgrade", "proxy-connection", "accept-encoding"]
}

public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where requests go: scheme, host and port, and the path prefix (a deployment's `/<context>`).
public struct HTTPOrigin: Sendable, Equatable {
    public var isTLS: Bool
    public var host: String
    public var port: Int
    /// The URL's path without a trailing slash, e.g. `/arcgis`; empty for none.
    public var basePath: String

    /// Reads `http[s]://host[:port][/path]`; nil for anything else.
    public init?(url: String) {
        var rest = Substring(url)
        if rest.hasPrefix("https://") { isTLS = true; rest = rest.dropFirst(8) }
        else if rest.hasPrefix("http://") { isTLS = false; rest = rest.dropFirst(7) }
        else { return nil }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var path = rest.dropFirst(authority.count).prefix { $0 != "?" && $0 != "#" }
        while path.hasSuffix("/") { path = path.dropLast() }
        basePath = String(path)
        var hostPart = authority, portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains("@") else { return nil }
        host = String(hostPart)
        if let portPart {
            guard let p = Int(portPart), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            port = isTLS ? 443 : 80
        }
    }

    /// `scheme://host:port` (the URL without its path).
    public var root: String {
        "\(isTLS ? "https" : "http")://\(hostHeader)"
    }

    /// 443 for HTTPS, 80 for HTTP.
    public var hasDefaultPort: Bool { port == (isTLS ? 443 : 80) }

    var hostHeader: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return hasDefaultPort ? h : "\(h):\(port)"
    }
}
