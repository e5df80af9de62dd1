import CMHDShim
import CMicroHTTPD
import Dispatch

/// A broken answer: what a client meets when the network or a proxy fails it, instead of a clean
/// HTTP response. Set ``Response/socketFault`` on a response to send it that way; the server does
/// the socket work (the caller only says which fault).
public enum SocketFault: Sendable, Equatable {
    /// The connection is reset (TCP RST) before any answer: the client's read fails with ECONNRESET.
    case reset
    /// The request is read, then the connection is closed (FIN) with no answer at all.
    case empty
    /// ``garbageBytes``, which are not HTTP, then the connection is closed.
    case garbage
    /// The response's status line and headers with a `Content-Length` of the whole body, then only the
    /// first half of the body, then the connection is closed.
    case truncated
    /// The response sent whole, but its body 16 bytes at a time over about `totalMs` milliseconds,
    /// without holding a server thread in between (the connection is suspended between pieces).
    case trickle(totalMs: Int)

    /// What ``garbage`` sends: binary bytes and a line that is not an HTTP status line.
    public static let garbageBytes: [UInt8] = [0x15, 0x03, 0x01, 0x00, 0x02] + Array("drmock: these bytes are not an HTTP response\r\n".utf8)

    /// How a ``trickle`` of `count` body bytes over `totalMs` is cut: pieces of `step` bytes (16, "a
    /// few bytes") with `pauseMs` between them, so that the last piece goes out about `totalMs` after
    /// the first.
    public static func trickleSteps(count: Int, totalMs: Int) -> (step: Int, pauseMs: Int) {
        let step = 16
        let pieces = max(1, (count + step - 1) / step)
        return (step, pieces > 1 ? totalMs / (pieces - 1) : 0)
    }
}

extension Response {
    /// `fault`, sent in place of a clean answer; ``SocketFault/truncated`` and ``SocketFault/trickle(totalMs:)``
    /// send this response's status, headers and body the broken way.
    public func broken(_ fault: SocketFault) -> Response {
        var r = self
        r.socketFault = fault
        return r
    }
}

extension Dispatcher {
    /// Sends `response` the way its ``Response/socketFault`` says. Returns what the access handler
    /// returns: false makes libmicrohttpd close the connection.
    func queueBroken(_ response: Response, _ fault: SocketFault, status: UInt32, on connection: OpaquePointer) -> Bool {
        switch fault {
        case .reset:
            _ = cmhd_reset_connection(connection)
            return false
        case .empty:
            return false
        case .garbage:
            _ = SocketFault.garbageBytes.withUnsafeBytes { cmhd_send_raw(connection, $0.baseAddress, $0.count) }
            return false
        case .truncated:
            // A body shorter than two bytes has no half to send: announce 16 more than there are.
            let announced = response.body.count < 2 ? response.body.count + 16 : response.body.count
            let piece = BrokenBody(Array(response.body.prefix(response.body.count / 2)), step: Int.max, endsInError: true)
            return queueCallback(piece, size: announced, response, status: status, on: connection)
        case .trickle(let totalMs):
            let (step, pauseMs) = SocketFault.trickleSteps(count: response.body.count, totalMs: totalMs)
            let piece = BrokenBody(response.body, step: step, endsInError: false,
                                   pause: pauseMs > 0 ? (suspended, connection, pauseMs) : nil)
            return queueCallback(piece, size: response.body.count, response, status: status, on: connection)
        }
    }

    private func queueCallback(_ body: BrokenBody, size: Int, _ response: Response, status: UInt32, on connection: OpaquePointer) -> Bool {
        let box = Unmanaged<ContentReader>.passRetained(body)
        guard let mhdResponse = MHD_create_response_from_callback(UInt64(size), 4096, contentRead, box.toOpaque(), contentFree) else {
            box.release()
            return false
        }
        defer { MHD_destroy_response(mhdResponse) }
        Self.addHeaders(response, to: mhdResponse)
        return MHD_queue_response(connection, status, mhdResponse) == .YES
    }
}

/// The body of a truncated or trickled answer, handed to libmicrohttpd piece by piece.
/// `@unchecked Sendable`: libmicrohttpd reads one response of one connection on one thread at a time.
final class BrokenBody: ContentReader, @unchecked Sendable {
    private let bytes: [UInt8]
    private let step: Int
    private let endsInError: Bool
    /// Where to pause between pieces (the trickle): the connection is suspended for `ms`.
    private let pause: (requests: SuspendedRequests, connection: OpaquePointer, ms: Int)?
    private var offset = 0
    private var pauseBeforeNext = false

    init(_ bytes: [UInt8], step: Int, endsInError: Bool, pause: (SuspendedRequests, OpaquePointer, Int)? = nil) {
        self.bytes = bytes
        self.step = step
        self.endsInError = endsInError
        self.pause = pause
    }

    override func read(into destination: UnsafeMutableRawPointer, max: Int) -> Int {
        if offset >= bytes.count { return endsInError ? StreamedBody.endWithError : StreamedBody.endOfStream }
        if pauseBeforeNext, let pause {
            pauseBeforeNext = false
            // Suspended from the content reader (libmicrohttpd allows it); 0 bytes now, more once resumed.
            if pause.requests.pause(pause.connection, forMs: pause.ms) { return 0 }
        }
        let count = min(step, max, bytes.count - offset)
        bytes.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress! + offset, byteCount: count) }
        offset += count
        pauseBeforeNext = true
        return count
    }
}
