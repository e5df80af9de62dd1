import CMHDShim
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// libmicrohttpd's callbacks. They run on libmicrohttpd's threads, so they are plain nonisolated
// functions that reach the server's state only through the `cls` pointer (an unretained
// `Dispatcher`, kept alive by its `Server` until the daemon has stopped).

/// The request line has arrived: make the request's context, which becomes its `req_cls`.
func requestStarted(
    _ cls: UnsafeMutableRawPointer?,
    _ uri: UnsafePointer<CChar>?,
    _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    guard let cls else { return nil }
    let dispatcher = Unmanaged<Dispatcher>.fromOpaque(cls).takeUnretainedValue()
    var target: [UInt8] = []
    if let uri {
        let length = strlen(uri)
        target = uri.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }
    dispatcher.requestsInProgress.add(1, ordering: .relaxed)
    return Unmanaged.passRetained(RequestContext(target: target)).toOpaque()
}

/// One step of a request: headers, a chunk of body, or the end of the request.
func requestAccess(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?,
    _ version: UnsafePointer<CChar>?,
    _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int32 {
    guard let cls, let connection, let method, let uploadDataSize, let raw = requestContext?.pointee else {
        return 0
    }
    let dispatcher = Unmanaged<Dispatcher>.fromOpaque(cls).takeUnretainedValue()
    let context = Unmanaged<RequestContext>.fromOpaque(raw).takeUnretainedValue()
    return dispatcher.handle(
        connection: connection,
        method: method,
        uploadData: uploadData,
        uploadDataSize: uploadDataSize,
        context: context
    ) ? 1 : 0
}

/// The request is over (answered, failed or the connection closed): release its context.
func requestCompleted(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ terminationCode: Int32
) {
    guard let cls, let requestContext, let raw = requestContext.pointee else { return }
    requestContext.pointee = nil
    Unmanaged<RequestContext>.fromOpaque(raw).release()
    Unmanaged<Dispatcher>.fromOpaque(cls).takeUnretainedValue().requestsInProgress.subtract(1, ordering: .relaxed)
}
