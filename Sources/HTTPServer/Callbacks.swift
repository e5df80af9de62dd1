// libmicrohttpd's callbacks. They run on libmicrohttpd's threads, so they are plain nonisolated
// functions that reach the server's state only through the `cls` pointer (an unretained
// `Dispatcher`, kept alive by its `Server` until the daemon has stopped).

/// One step of a request: its headers, a chunk of its body, or its end.
func requestAccess(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?,
    _ version: UnsafePointer<CChar>?,
    _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?,
    _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int32 {
    guard let cls, let connection, let url, let method, let uploadDataSize, let requestState else { return 0 }
    // Borrowed, not retained: the Server keeps the dispatcher alive until the daemon has stopped, and a
    // retain here would count up and down a reference every worker thread shares, on every call.
    return Unmanaged<Dispatcher>.fromOpaque(cls)._withUnsafeGuaranteedRef { dispatcher in
        dispatcher.handle(
            connection: connection,
            url: url,
            method: method,
            uploadData: uploadData,
            uploadDataSize: uploadDataSize,
            state: requestState
        )
    } ? 1 : 0
}

/// The request is over (answered, failed, or the connection closed). libmicrohttpd calls this
/// exactly once for every request the access handler has seen.
func requestCompleted(
    _ cls: UnsafeMutableRawPointer?,
    _ connection: OpaquePointer?,
    _ requestState: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    _ terminationCode: Int32
) {
    guard let cls, let requestState else { return }
    Unmanaged<Dispatcher>.fromOpaque(cls)._withUnsafeGuaranteedRef { $0.complete(state: requestState) }
}
