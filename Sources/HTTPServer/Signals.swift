import CMHDShim

/// Blocks the calling thread until SIGINT or SIGTERM arrives, then returns the signal's number.
///
/// Meant for an executable's main thread, after starting its servers:
/// ```swift
/// try server.start()
/// let signal = waitForTerminationSignal()
/// server.stop()
/// ```
/// While waiting, the two signals no longer terminate the process; the default behaviour is back
/// once this returns. Returns -1 if the wait could not be set up. Call from one thread at a time.
public func waitForTerminationSignal() -> Int32 {
    cmhd_wait_for_termination_signal()
}
