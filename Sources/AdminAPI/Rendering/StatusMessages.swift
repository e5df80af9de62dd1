import DisasterRecovery

/// The 10.9 format of the status resource: numbered messages as each step happens (decision 3).
///
/// A job's stages map onto the three phases of the documentation's 10.9 example by name
/// (relational, object store, runtime infrastructure & configuration); each phase has its
/// started / failed / completed / persisted codes, failure taking the codes the example skips
/// (4016, 4020, 4024). A restore uses the same codes with "restore" in the texts.
extension Deployment.JobView {
    struct Phase {
        let started: Int, failed: Int, completed: Int, persisted: Int
        let noun: String, completedNoun: String, persistedNoun: String, persistedSuffix: String

        static let relational = Phase(started: 4015, failed: 4016, completed: 4017, persisted: 4018,
                                      noun: "relational data store", completedNoun: "relational data store",
                                      persistedNoun: "relational data store", persistedSuffix: " results")
        static let object = Phase(started: 4019, failed: 4020, completed: 4021, persisted: 4022,
                                  noun: "object store", completedNoun: "objectstore", persistedNoun: "objectstore", persistedSuffix: "")
        static let infrastructure = Phase(started: 4023, failed: 4024, completed: 4025, persisted: 4026,
                                          noun: "runtime infrastructure & configuration",
                                          completedNoun: "runtime infrastructure & configuration",
                                          persistedNoun: "runtime infrastructure & configuration", persistedSuffix: " results")
        static let ordered = [relational, object, infrastructure]

        static func of(_ stage: String) -> Int? {
            let n = stage.lowercased()
            if n.contains("relational") { return 0 }
            if n.contains("object") { return 1 }
            if n.contains("configuration") || n.contains("infrastructure") { return 2 }
            return nil
        }
    }

    func messagesStatusJSON() -> JSONValue {
        let p = progress
        let report = StatusReport(p)
        let verb = job.operation == .restore ? "restore" : "backup"
        var messages: [JSONValue] = []
        func add(_ code: Int, _ text: String, _ when: Int64) {
            messages.append(["code": .int(Int64(code)), "message": .string(text), "when": .int(when)])
        }
        if p.status != .submitted { add(4014, "Started \(verb) process.", p.startTime) }
        for (i, st) in p.stages.enumerated() {
            let ended = st.startTime + st.elapsedMs
            guard let index = Phase.of(st.name) else {
                if st.state == "failed" {
                    // A failure outside the three phases reports the next phase's code (or the last).
                    let later = job.stages.dropFirst(i + 1).compactMap { Phase.of($0.name) }.first ?? 2
                    let ph = Phase.ordered[later]
                    add(ph.failed, failText(ph.noun, verb, p.message), ended)
                }
                continue
            }
            let ph = Phase.ordered[index]
            add(ph.started, "Started \(ph.noun) \(verb).", st.startTime)
            switch st.state {
            case "completed":
                add(ph.completed, "Completed \(ph.completedNoun) \(verb).", ended)
                add(ph.persisted, "Persisted \(ph.persistedNoun) \(verb)\(ph.persistedSuffix).", ended)
            case "failed":
                add(ph.failed, failText(ph.noun, verb, p.message), ended)
            default: break
            }
        }
        if p.status == .completed {
            add(4027, "Persisted \(verb) results.", p.endTime)
            add(4028, "Completed \(verb) results.", p.endTime)
        }
        return ["status": ["code": .int(Int64(report.code)), "messages": .array(messages), "state": .string(report.state)]]
    }

    private func failText(_ noun: String, _ verb: String, _ why: String) -> String {
        why.isEmpty ? "Failed \(noun) \(verb)." : "Failed \(noun) \(verb): \(why)"
    }
}

