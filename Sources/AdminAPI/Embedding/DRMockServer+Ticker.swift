import Dispatch
import DisasterRecovery

extension DRMockServer {
    /// Settles every open context once a second (a Dispatch timer on a utility queue). Not a Task
    /// sleeping in a loop: in Swift 6.2+ a task's first sleep asks whether its executor is a
    /// SchedulingExecutor, a dynamic cast whose conformance scan cost ~200,000 instructions at every
    /// start (issue #11).
    func startTicker() {
        let registry = self.registry
        ticker.withLock { old in
            old?.cancel()
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
            timer.schedule(deadline: .now() + .seconds(1), repeating: .seconds(1))
            timer.setEventHandler {
                // Every open context (isolation: each is its own deployment with its own tasks).
                for context in registry.openContexts { try? registry.deployment(for: context)?.tick() }
            }
            timer.activate()
            old = timer
        }
    }

    func stopTicker() {
        ticker.withLock { t in
            t?.cancel()
            t = nil
        }
    }
}
