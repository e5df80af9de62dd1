import Foundation
import HTTPServer
import Synchronization
import Testing

@Suite struct SignalTests {
    @Test func waitReturnsTheSignalNumber() throws {
        let received = Atomic<Int32>(0)
        let done = DispatchSemaphore(value: 0)
        Thread {
            received.store(waitForTerminationSignal(), ordering: .relaxed)
            done.signal()
        }.start()
        // Send only once the handler is installed, or the default action would end the test process.
        let deadline = ContinuousClock.now + .seconds(5)
        var installed = false
        while !installed && ContinuousClock.now < deadline {
            var current = sigaction()
            sigaction(SIGTERM, nil, &current)
            installed = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) > 1
            if !installed { usleep(1000) }
        }
        try #require(installed)
        kill(getpid(), SIGTERM)
        #expect(done.wait(timeout: .now() + 5) == .success)
        #expect(received.load(ordering: .relaxed) == SIGTERM)
    }
}
