import CMHDShim
import CMicroHTTPD
import Synchronization

/// The state libmicrohttpd's callbacks reach through their `cls` pointer: the handler, the limits
/// and the suspended requests. It turns libmicrohttpd's callback sequence into one handler call per
/// request.
final class Dispatcher: Sendable {
    let handler: Handler
    let maxBodyBytes: Int
    let isTLS: Bool
    /// Requests whose request line has arrived and that have not completed yet.
    let requestsInProgress = Atomic<Int>(0)
    private let suspended = Mutex(SuspendedRequests())

    private struct SuspendedRequests: ~Copyable {
        var stopping = false
        var lastID: UInt64 = 0
        var waiting: [UInt64: SuspendedRequest] = [:]
    }

    private struct SuspendedRequest: @unchecked Sendable {
        let connection: OpaquePointer
        let context: RequestContext
    }

    init(handler: @escaping Handler, maxBodyBytes: Int, isTLS: Bool) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        self.isTLS = isTLS
    }

    // MARK: Callback sequence

    /// One access-handler call. Returns false to make libmicrohttpd close the connection.
    func handle(
        connection: OpaquePointer,
        method: UnsafePointer<CChar>,
        uploadData: UnsafePointer<CChar>?,
        uploadDataSize: UnsafeMutablePointer<Int>,
        context: RequestContext
    ) -> Bool {
        if !context.headersSeen {
            // First call: headers only. Refuse an announced oversized body before it is sent.
            context.headersSeen = true
            if let length = lookupHeader(connection, "Content-Length").flatMap({ Int($0) }), length > maxBodyBytes {
                context.bodyTooLarge = true
                if lookupHeader(connection, "Expect").map({ asciiCaseInsensitiveEquals($0, "100-continue") }) == true {
                    return queue(payloadTooLarge, on: connection)
                }
            }
            return true
        }
        let size = uploadDataSize.pointee
        if size > 0 {
            if !context.bodyTooLarge {
                if context.body.count + size > maxBodyBytes {
                    context.bodyTooLarge = true
                    context.body = []
                } else if let uploadData {
                    uploadData.withMemoryRebound(to: UInt8.self, capacity: size) {
                        context.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: size))
                    }
                }
            }
            uploadDataSize.pointee = 0
            return true
        }
        // The whole request is here (or a suspended request was resumed).
        if let response = context.pendingResponse {
            context.pendingResponse = nil
            return queue(response, on: connection)
        }
        if context.bodyTooLarge {
            return queue(payloadTooLarge, on: connection)
        }
        let request = makeRequest(connection: connection, method: method, context: context)
        switch handler(request) {
        case .now(let response):
            return queue(response, on: connection)
        case .later(let start):
            return suspend(connection: connection, context: context, start: start)
        }
    }

    private var payloadTooLarge: Response {
        .text("request body too large (limit \(maxBodyBytes) bytes)\n", status: 413)
    }

    // MARK: Suspension

    private func suspend(connection: OpaquePointer, context: RequestContext, start: @Sendable (Responder) -> Void) -> Bool {
        let responder: Responder? = suspended.withLock { state in
            if state.stopping { return nil }
            state.lastID &+= 1
            MHD_suspend_connection(connection)
            state.waiting[state.lastID] = SuspendedRequest(connection: connection, context: context)
            return Responder(dispatcher: self, id: state.lastID)
        }
        guard let responder else {
            return queue(.text("server is stopping\n", status: 503), on: connection)
        }
        start(responder)
        return true
    }

    /// Resumes the suspended request `id` with `response`; does nothing if it was already resumed.
    func resume(_ id: UInt64, with response: Response) {
        suspended.withLock { state in
            guard let request = state.waiting.removeValue(forKey: id) else { return }
            request.context.pendingResponse = response
            MHD_resume_connection(request.connection)
        }
    }

    /// Refuses new suspensions and resumes every suspended request with a 503, as libmicrohttpd
    /// must not be stopped while connections are suspended.
    func resumeAllForShutdown() {
        suspended.withLock { state in
            state.stopping = true
            for request in state.waiting.values {
                request.context.pendingResponse = .text("server is stopping\n", status: 503)
                MHD_resume_connection(request.connection)
            }
            state.waiting.removeAll()
        }
    }

    // MARK: Reading and answering

    private func makeRequest(connection: OpaquePointer, method: UnsafePointer<CChar>, context: RequestContext) -> Request {
        let (path, query) = context.target.withUnsafeBufferPointer { target in
            splitTarget(target)
        }
        let headers = collectHeaders(connection)
        var form: [(name: String, value: String)] = []
        if !context.body.isEmpty,
           let contentType = headers.first(where: { $0.name == "content-type" })?.value,
           isFormContentType(contentType) {
            form = URLEncoding.decodePairs(context.body)
        }
        return Request(
            method: String(cString: method),
            path: path,
            query: query,
            form: form,
            headers: headers,
            body: context.body,
            isTLS: isTLS,
            remoteAddress: clientAddress(connection)
        )
    }

    private func queue(_ response: Response, on connection: OpaquePointer) -> Bool {
        let created = response.body.withUnsafeBytes { body in
            MHD_create_response_from_buffer(body.count, UnsafeMutableRawPointer(mutating: body.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let mhdResponse = created else { return false }
        defer { MHD_destroy_response(mhdResponse) }
        for header in response.headers {
            // Refused (and so dropped) if the name or value contains CR, LF or other forbidden characters.
            _ = MHD_add_response_header(mhdResponse, header.name, header.value)
        }
        let status = (100...999).contains(response.status) ? UInt32(response.status) : 500
        return MHD_queue_response(connection, status, mhdResponse) == .YES
    }
}

// MARK: - Parsing helpers

/// Splits a raw request target into the decoded path and the query parameters.
func splitTarget(_ target: UnsafeBufferPointer<UInt8>) -> (path: String, query: [(name: String, value: String)]) {
    var pathStart = 0
    // Absolute form ("http://host/path"): drop the scheme and authority.
    if let first = target.first, first != ascii("/") {
        var i = 0
        while i + 2 < target.count {
            if target[i] == ascii(":") && target[i + 1] == ascii("/") && target[i + 2] == ascii("/") {
                var j = i + 3
                while j < target.count && target[j] != ascii("/") && target[j] != ascii("?") { j += 1 }
                pathStart = j
                break
            }
            if target[i] == ascii("/") || target[i] == ascii("?") { break }
            i += 1
        }
    }
    var queryStart = pathStart
    while queryStart < target.count && target[queryStart] != ascii("?") { queryStart += 1 }
    let path = queryStart > pathStart
        ? URLEncoding.decode(UnsafeBufferPointer(rebasing: target[pathStart..<queryStart]), plusIsSpace: false)
        : "/"
    guard queryStart < target.count else { return (path, []) }
    let query = URLEncoding.decodePairs(bytes: UnsafeBufferPointer(rebasing: target[(queryStart + 1)...]))
    return (path, query)
}

private func lookupHeader(_ connection: OpaquePointer, _ name: String) -> String? {
    MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
}

private func collectHeaders(_ connection: OpaquePointer) -> [(name: String, value: String)] {
    var headers: [(name: String, value: String)] = []
    withUnsafeMutablePointer(to: &headers) { pointer in
        _ = MHD_get_connection_values_n(connection, .HEADER_KIND, { cls, _, key, keySize, value, valueSize in
            guard let cls, let key else { return .YES }
            let headers = cls.assumingMemoryBound(to: [(name: String, value: String)].self)
            let name = key.withMemoryRebound(to: UInt8.self, capacity: keySize) { key in
                String(unsafeUninitializedCapacity: keySize) { buffer in
                    for i in 0..<keySize { buffer[i] = lowercasedASCII(key[i]) }
                    return keySize
                }
            }
            let text = value.map { value in
                value.withMemoryRebound(to: UInt8.self, capacity: valueSize) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: valueSize), as: UTF8.self)
                }
            } ?? ""
            headers.pointee.append((name, text))
            return .YES
        }, pointer)
    }
    return headers
}

private func clientAddress(_ connection: OpaquePointer) -> String {
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
        let length = cmhd_client_address(connection, buffer.baseAddress, buffer.count)
        guard length > 0, let base = buffer.baseAddress else { return "" }
        return base.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
