import DisasterRecovery

extension DRMockServer {
    func startTicker() {
        let registry = self.registry
        let context = options.context
        let task = Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                try? registry.deployment(for: context)?.tick()
            }
        }
        ticker.withLock { old in
            old?.cancel()
            old = task
        }
    }

    func stopTicker() {
        ticker.withLock { t in
            t?.cancel()
            t = nil
        }
    }
}
