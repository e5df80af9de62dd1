import CMHDShim
import CMicroHTTPD
import Dispatch
import Synchronization

/// The state libmicrohttpd's callbacks reach through their `cls` pointer: the handler, the limits
/// and the suspended requests. It turns libmicrohttpd's callback sequence into one handler call per
/// request.
final class Dispatcher: Sendable {
    let handler: Handler
    /// Which requests are handled on libdispatch's threads instead of the server's (see
    /// ``Server/Configuration/offload``).
    let offload: (@Sendable (Request) -> Bool)?
    let maxBodyBytes: Int
    /// The answer to a body over the limit.
    private let payloadTooLarge: Response
    let isTLS: Bool
    /// Requests whose headers have arrived and that have not completed yet.
    let requestsInProgress = Atomic<Int>(0)
    let suspended = SuspendedRequests()

    init(handler: @escaping Handler, offload: (@Sendable (Request) -> Bool)? = nil, maxBodyBytes: Int, bodyTooLarge: Response? = nil, isTLS: Bool) {
        self.handler = handler
        self.offload = offload
        self.maxBodyBytes = maxBodyBytes
        self.payloadTooLarge = bodyTooLarge ?? .text("request body too large (limit \(maxBodyBytes) bytes)\n", status: 413)
        self.isTLS = isTLS
    }

    // MARK: Callback sequence
    //
    // libmicrohttpd calls the access handler once with the headers (`*state` is nil), then once per
    // chunk of body, then once more with no data: that last call makes the request. `*state` is
    // nil before the first call, this dispatcher's own address after it (a request with no body so
    // far, which needs no allocation), or a retained `RequestContext`.

    /// One access-handler call. Returns false to make libmicrohttpd close the connection.
    func handle(
        connection: OpaquePointer,
        url: UnsafePointer<CChar>,
        method: UnsafePointer<CChar>,
        uploadData: UnsafePointer<CChar>?,
        uploadDataSize: UnsafeMutablePointer<Int>,
        state: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> Bool {
        guard let current = state.pointee else {
            // First call: headers only.
            requestsInProgress.add(1, ordering: .relaxed)
            state.pointee = marker
            // Refuse a body announced too large before it is sent, if the client waits for our go-ahead.
            if let length = lookupHeader(connection, "Content-Length").flatMap({ Int($0) }), length > maxBodyBytes {
                context(for: state).bodyTooLarge = true
                if lookupHeader(connection, "Expect").map({ asciiCaseInsensitiveEquals($0, "100-continue") }) == true {
                    return queue(payloadTooLarge, on: connection)
                }
            }
            return true
        }
        let size = uploadDataSize.pointee
        if size > 0 {
            let context = context(for: state)
            if !context.bodyTooLarge {
                if size > maxBodyBytes - context.body.count {
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
        // The whole request is here, or a suspended request was resumed.
        var body: [UInt8] = []
        if current != marker {
            let context = Unmanaged<RequestContext>.fromOpaque(current).takeUnretainedValue()
            if let response = context.pendingResponse {
                context.pendingResponse = nil
                return queue(response, on: connection, method: method)
            }
            if context.bodyTooLarge {
                return queue(payloadTooLarge, on: connection)
            }
            body = context.body
            context.body = []
        }
        let request = makeRequest(connection: connection, url: url, method: method, body: body)
        if let offload, offload(request) {
            return work(on: request, connection: connection, context: context(for: state))
        }
        switch handler(request) {
        case .now(let response):
            return queue(response, on: connection, method: method)
        case .later(let start):
            return suspend(connection: connection, context: context(for: state), start: start)
        }
    }

    /// The request is over: release its context, if it has one.
    func complete(state: UnsafeMutablePointer<UnsafeMutableRawPointer?>) {
        guard let current = state.pointee else { return }
        state.pointee = nil
        if current != marker {
            Unmanaged<RequestContext>.fromOpaque(current).release()
        }
        requestsInProgress.subtract(1, ordering: .relaxed)
    }

    /// Marks a request whose headers have been seen and that has no context (yet).
    private var marker: UnsafeMutableRawPointer {
        Unmanaged.passUnretained(self).toOpaque()
    }

    /// The request's context, made on first use.
    private func context(for state: UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> RequestContext {
        if let current = state.pointee, current != marker {
            return Unmanaged<RequestContext>.fromOpaque(current).takeUnretainedValue()
        }
        let context = RequestContext()
        state.pointee = Unmanaged.passRetained(context).toOpaque()
        return context
    }


    // MARK: Suspension

    private func suspend(connection: OpaquePointer, context: RequestContext, working: Bool = false,
                         start: @Sendable (Responder) -> Void) -> Bool {
        guard let id = suspended.suspend(connection, context: context, working: working) else {
            return queue(serverStopping, on: connection)
        }
        start(Responder(requests: suspended, id: id))
        return true
    }

    /// Suspends the connection and calls the handler on one of libdispatch's threads; its answer,
    /// now or later, resumes the connection.
    private func work(on request: Request, connection: OpaquePointer, context: RequestContext) -> Bool {
        let handler = self.handler
        return suspend(connection: connection, context: context, working: true) { responder in
            DispatchQueue.global(qos: .userInitiated).async {
                switch handler(request) {
                case .now(let response): responder.respond(response)
                case .later(let start): start(responder)
                }
            }
        }
    }

    /// Answers every suspended request with a 503, but those being handled on another thread, and
    /// refuses new suspensions.
    func resumeAllForShutdown() {
        suspended.resumeAllForShutdown(with: serverStopping)
    }

    /// Answers the requests still being handled on another thread with a 503 (after the grace
    /// period); returns how many there were.
    func resumeRemainingForShutdown() -> Int {
        suspended.resumeRemainingForShutdown(with: serverStopping)
    }

    private var serverStopping: Response {
        .text("server is stopping\n", status: 503)
    }

    // MARK: Reading and answering

    private func makeRequest(connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>, body: [UInt8]) -> Request {
        let headers = collectValues(connection, .HEADER_KIND)
        var form: [(name: String, value: String)] = []
        if !body.isEmpty,
           let contentType = headers.first(where: { $0.name == "content-type" })?.value,
           isFormContentType(contentType) {
            form = URLEncoding.decodePairs(body)
        }
        return Request(
            method: String(cString: method),
            path: decodePath(url),
            query: collectValues(connection, .GET_ARGUMENT_KIND),
            form: form,
            headers: headers,
            body: body,
            isTLS: isTLS,
            remoteAddress: clientAddress(connection)
        )
    }

    /// Bodies at least this large are sent from the response's own bytes instead of a copy.
    static let sharedBodyThreshold = 16 * 1024

    /// Queues `response`; `method` (the request's) matters only for a streamed body.
    private func queue(_ response: Response, on connection: OpaquePointer, method: UnsafePointer<CChar>? = nil) -> Bool {
        // 1xx are not final responses: libmicrohttpd would send the status line and nothing more.
        let status = (200...999).contains(response.status) ? UInt32(response.status) : 500
        if let fault = response.socketFault { return queueBroken(response, fault, status: status, on: connection) }
        if let stream = response.stream {
            let isHead = method.map { String(cString: $0) == "HEAD" } ?? false
            guard let mhdResponse = Self.makeStreamedMHDResponse(response, stream, isHead: isHead) else { return false }
            defer { MHD_destroy_response(mhdResponse) }
            return MHD_queue_response(connection, status, mhdResponse) == .YES
        }
        if let prepared = response.prepared {
            // A repeated response: libmicrohttpd counts the connections that hold it, so one object serves all.
            guard let shared = prepared.handle(making: { Self.makeMHDResponse(response, shareBody: !response.body.isEmpty) }) else { return false }
            return MHD_queue_response(connection, status, shared) == .YES
        }
        guard let mhdResponse = Self.makeMHDResponse(response, shareBody: response.body.count >= Self.sharedBodyThreshold) else { return false }
        defer { MHD_destroy_response(mhdResponse) }
        return MHD_queue_response(connection, status, mhdResponse) == .YES
    }

    /// libmicrohttpd's response object for `response`, headers added; the caller destroys it. With
    /// `shareBody`, libmicrohttpd sends from the response's own bytes instead of a copy.
    private static func makeMHDResponse(_ response: Response, shareBody: Bool) -> OpaquePointer? {
        let created: OpaquePointer?
        if shareBody {
            // No copy: libmicrohttpd reads the array's storage, which the retained box keeps alive and
            // unchanged (a `let` array is never mutated or moved) until libmicrohttpd releases it.
            // A cached answer of 10 MB is then sent to 64 clients without 64 copies.
            let box = Unmanaged.passRetained(SharedBody(response.body))
            created = box.takeUnretainedValue().bytes.withUnsafeBytes { body in
                MHD_create_response_from_buffer_with_free_callback_cls(
                    body.count, UnsafeMutableRawPointer(mutating: body.baseAddress),
                    { cls in if let cls { Unmanaged<SharedBody>.fromOpaque(cls).release() } },
                    box.toOpaque())
            }
            if created == nil { box.release() }
        } else {
            created = response.body.withUnsafeBytes { body in
                MHD_create_response_from_buffer(body.count, UnsafeMutableRawPointer(mutating: body.baseAddress), .RESPMEM_MUST_COPY)
            }
        }
        guard let mhdResponse = created else { return nil }
        addHeaders(response, to: mhdResponse)
        return mhdResponse
    }

    static func addHeaders(_ response: Response, to mhdResponse: OpaquePointer) {
        for header in response.headers where !isFramingHeader(header.name) {
            // Refused (and so dropped) if the name or value contains CR, LF or other forbidden characters.
            _ = MHD_add_response_header(mhdResponse, header.name, header.value)
        }
    }

    /// libmicrohttpd's response object for a streamed body, of unknown size (chunked for HTTP/1.1).
    /// The object is this send's alone: it owns a retained ``StreamedBody`` that libmicrohttpd reads
    /// through `streamRead` and releases through `streamFree` when it destroys the object, which it
    /// does once the answer is sent or the client has gone (whichever comes first), so a client that
    /// disconnects mid-answer leaks nothing.
    ///
    /// For `HEAD` the body is produced and counted but not kept, and the answer announces its exact
    /// `Content-Length`: libmicrohttpd 0.9.75 sends a chunked answer's closing `0\r\n\r\n` even to
    /// a `HEAD` request, which a keep-alive client would take for the start of its next response.
    private static func makeStreamedMHDResponse(_ response: Response, _ stream: BodyStream, isHead: Bool) -> OpaquePointer? {
        // MHD_SIZE_UNKNOWN is `((uint64_t) -1)`, a macro Swift does not import.
        var size = UInt64.max
        var produce = stream.start()
        if isHead {
            size = 0
            var piece: [UInt8] = []
            var more = true
            while more {
                piece.removeAll(keepingCapacity: true)
                more = produce(&piece)
                size += UInt64(piece.count)
            }
            produce = { _ in false }  // never asked for: libmicrohttpd sends no body to HEAD
        }
        let box = Unmanaged<ContentReader>.passRetained(StreamedBody(produce))
        guard let mhdResponse = MHD_create_response_from_callback(size, BodyStream.blockSize, contentRead, box.toOpaque(), contentFree) else {
            box.release()
            return nil
        }
        addHeaders(response, to: mhdResponse)
        return mhdResponse
    }
}

/// A body libmicrohttpd reads through a callback (a streamed body, a truncated or trickled one):
/// each subclass hands over up to `max` bytes per call.
class ContentReader {
    func read(into destination: UnsafeMutableRawPointer, max: Int) -> Int { StreamedBody.endWithError }
}

/// libmicrohttpd's content reader for a callback body: up to `max` bytes at `buffer`.
func contentRead(_ cls: UnsafeMutableRawPointer?, _ position: UInt64, _ buffer: UnsafeMutablePointer<CChar>?, _ max: Int) -> Int {
    guard let cls, let buffer else { return StreamedBody.endWithError }
    return Unmanaged<ContentReader>.fromOpaque(cls).takeUnretainedValue().read(into: UnsafeMutableRawPointer(buffer), max: max)
}

/// libmicrohttpd is done with a callback body (sent, failed or abandoned): release it.
func contentFree(_ cls: UnsafeMutableRawPointer?) {
    if let cls { Unmanaged<ContentReader>.fromOpaque(cls).release() }
}

/// One send of a streamed body: the producer and the piece it made last, handed to libmicrohttpd as
/// it asks (libmicrohttpd calls `read` for one connection at a time).
final class StreamedBody: ContentReader {
    /// libmicrohttpd's MHD_CONTENT_READER_END_OF_STREAM and _END_WITH_ERROR (macros Swift does not import).
    static let endOfStream = -1
    static let endWithError = -2

    private let produce: BodyStream.Producer
    private var piece: [UInt8] = []
    private var offset = 0
    private var more = true

    init(_ produce: @escaping BodyStream.Producer) {
        self.produce = produce
        piece.reserveCapacity(BodyStream.blockSize + 4096)
    }

    override func read(into destination: UnsafeMutableRawPointer, max: Int) -> Int {
        while offset == piece.count {
            guard more else { return Self.endOfStream }
            piece.removeAll(keepingCapacity: true)
            offset = 0
            more = produce(&piece)
        }
        let count = min(max, piece.count - offset)
        piece.withUnsafeBytes { bytes in
            destination.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}

/// The libmicrohttpd response object of a ``Response/repeated`` response, made once at its first
/// send and destroyed with the last copy of the response (libmicrohttpd frees it when the last
/// connection sending it is done too).
final class PreparedResponse: Sendable {
    /// The object's address, 0 until it is made.
    private let address = Atomic<UInt>(0)

    /// The object, made by `make` if it does not exist yet (two threads may both make one: one is kept).
    func handle(making make: () -> OpaquePointer?) -> OpaquePointer? {
        if let existing = OpaquePointer(bitPattern: address.load(ordering: .acquiring)) { return existing }
        guard let made = make() else { return nil }
        let (stored, current) = address.compareExchange(expected: 0, desired: UInt(bitPattern: Int(bitPattern: made)),
                                                        ordering: .acquiringAndReleasing)
        if stored { return made }
        MHD_destroy_response(made)
        return OpaquePointer(bitPattern: current)
    }

    deinit {
        if let made = OpaquePointer(bitPattern: address.load(ordering: .acquiring)) { MHD_destroy_response(made) }
    }
}

/// A response body that libmicrohttpd sends without copying it (see `Dispatcher.queue`).
private final class SharedBody {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

// MARK: - Reading from libmicrohttpd

/// Content-Length and Transfer-Encoding are libmicrohttpd's to set: a handler's would contradict
/// the body actually sent.
private func isFramingHeader(_ name: String) -> Bool {
    asciiCaseInsensitiveEquals(name, "content-length") || asciiCaseInsensitiveEquals(name, "transfer-encoding")
}

/// Decodes the raw path libmicrohttpd hands over (it does not decode, see CMHDShim), dropping the
/// scheme and authority of an absolute-form target (`http://host/path`).
func decodePath(_ url: UnsafePointer<CChar>) -> String {
    url.withMemoryRebound(to: UInt8.self, capacity: 1) { start in
        var count = 0
        while start[count] != 0 { count += 1 }
        var bytes = UnsafeBufferPointer(start: start, count: count)
        if let first = bytes.first, first != ascii("/"), let authority = absoluteFormPathStart(bytes) {
            bytes = UnsafeBufferPointer(rebasing: bytes[authority...])
        }
        return bytes.isEmpty ? "/" : URLEncoding.decode(bytes, plusIsSpace: false)
    }
}

/// Where the path starts in `scheme://authority/path`, or nil if `bytes` is not of that form.
private func absoluteFormPathStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    var i = 0
    while i + 2 < bytes.count, bytes[i] != ascii("/") {
        if bytes[i] == ascii(":") && bytes[i + 1] == ascii("/") && bytes[i + 2] == ascii("/") {
            var j = i + 3
            while j < bytes.count && bytes[j] != ascii("/") { j += 1 }
            return j
        }
        i += 1
    }
    return nil
}

private func lookupHeader(_ connection: OpaquePointer, _ name: String) -> String? {
    MHD_lookup_connection_value(connection, .HEADER_KIND, name).map { String(cString: $0) }
}

/// Headers (names lowercased) or query arguments (percent-decoded), in the order received.
private func collectValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(name: String, value: String)] {
    var values: [(name: String, value: String)] = []
    // Counted first, so that the array is allocated once.
    let count = MHD_get_connection_values_n(connection, kind, nil, nil)
    guard count > 0 else { return values }
    values.reserveCapacity(Int(count))
    withUnsafeMutablePointer(to: &values) { pointer in
        let iterator: MHD_KeyValueIteratorN = { cls, kind, key, keySize, value, valueSize in
            guard let cls, let key else { return .YES }
            let values = cls.assumingMemoryBound(to: [(name: String, value: String)].self)
            let name = UnsafeRawPointer(key).assumingMemoryBound(to: UInt8.self)
            let nameBytes = UnsafeBufferPointer(start: name, count: keySize)
            let valueBytes = value.map { UnsafeBufferPointer(start: UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self), count: valueSize) }
            if kind == .HEADER_KIND {
                let lowercased = String(unsafeUninitializedCapacity: keySize) { buffer in
                    for i in 0..<keySize { buffer[i] = lowercasedASCII(nameBytes[i]) }
                    return keySize
                }
                values.pointee.append((lowercased, valueBytes.map { String(decoding: $0, as: UTF8.self) } ?? ""))
            } else {
                // An empty segment ("a=1&&b=2") arrives as an empty name without value: skip it.
                if keySize == 0 && valueBytes == nil { return .YES }
                values.pointee.append((
                    URLEncoding.decode(nameBytes, plusIsSpace: true),
                    valueBytes.map { URLEncoding.decode($0, plusIsSpace: true) } ?? ""
                ))
            }
            return .YES
        }
        _ = MHD_get_connection_values_n(connection, kind, iterator, pointer)
    }
    return values
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
