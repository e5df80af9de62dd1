import DisasterRecovery

extension DRMockServer {
    func startTicker() {
        let registry = self.registry
        let task = Task.detached(priority: .utility) {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if Task.isCancelled { break }
                // Every open context (isolation: each is its own deployment with its own tasks).
                for context in registry.openContexts { try? registry.deployment(for: context)?.tick() }
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
