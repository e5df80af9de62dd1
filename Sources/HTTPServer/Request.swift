/// An incoming HTTP request, fully read: the body is accumulated (up to
/// ``Server/Configuration/maxBodyBytes``) before the handler sees it.
public struct Request: Sendable {
    /// The method as sent, e.g. `"GET"` or `"POST"`.
    public let method: String
    /// The URL path, percent-decoded (`+` stays `+`), without the query string.
    public let path: String
    /// Query-string parameters in order, duplicates kept, percent-decoded with `+` as a space.
    public let query: [(name: String, value: String)]
    /// `application/x-www-form-urlencoded` body parameters in order; empty for other content types.
    public let form: [(name: String, value: String)]
    /// Request headers in the order received; names are lowercased.
    public let headers: [(name: String, value: String)]
    /// The raw request body.
    public let body: [UInt8]
    /// Whether the request came over HTTPS.
    public let isTLS: Bool
    /// The client's IP address, e.g. `"127.0.0.1"`, or `""` if unknown.
    public let remoteAddress: String

    /// Makes a request; useful for testing handlers without a server.
    public init(
        method: String,
        path: String,
        query: [(name: String, value: String)] = [],
        form: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = [],
        isTLS: Bool = false,
        remoteAddress: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.form = form
        self.headers = headers
        self.body = body
        self.isTLS = isTLS
        self.remoteAddress = remoteAddress
    }

    /// The value of the first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEquals($0.name, name) }?.value
    }

    /// The value of the first query parameter with exactly this name.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// The value of the first form parameter with exactly this name.
    public func formValue(_ name: String) -> String? {
        form.first { $0.name == name }?.value
    }
}

/// Whether a `Content-Type` value denotes a url-encoded form (ignoring case and parameters such as charset).
func isFormContentType(_ contentType: String) -> Bool {
    let expected = "application/x-www-form-urlencoded".utf8
    var value = contentType.utf8[...]
    while let first = value.first, first == ascii(" ") || first == ascii("\t") { value = value.dropFirst() }
    guard value.count >= expected.count else { return false }
    for (a, b) in zip(value, expected) where lowercasedASCII(a) != b { return false }
    guard let next = value.dropFirst(expected.count).first else { return true }
    return next == ascii(";") || next == ascii(" ") || next == ascii("\t")
}

@inline(__always)
func lowercasedASCII(_ byte: UInt8) -> UInt8 {
    byte >= ascii("A") && byte <= ascii("Z") ? byte | 0x20 : byte
}

func asciiCaseInsensitiveEquals(_ a: String, _ b: String) -> Bool {
    let a = a.utf8, b = b.utf8
    guard a.count == b.count else { return false }
    for (x, y) in zip(a, b) where lowercasedASCII(x) != lowercasedASCII(y) { return false }
    return true
}
