import DisasterRecovery

/// Form tolerance (decision 8): values as real clients send them.
extension Call {
    /// A boolean parameter: `true/false` in any case (Python sends `True`/`False`), also `1/0` and
    /// `yes/no`; `None`, `null` or empty mean "not given" (nil).
    func bool(_ name: String) throws -> Bool? {
        guard let v = param(name) else { return nil }
        switch v.trimmingSpaces.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw AdminError.invalidParameter(name, "'\(name)' must be true or false, not '\(v.prefix(64))'.")
        }
    }

    /// `async` on register and delete: a parameter of 11.0 and later. A release before it does not
    /// know the parameter, so the operation answers as it always did there (at once, no job).
    func asyncRequested() throws -> Bool {
        guard release.has(.asyncOperations) else { return false }
        return try bool("async") ?? false
    }

    /// A JSON-valued parameter (sent as JSON text in the form); nil when not given.
    func json(_ name: String) throws -> JSONValue? {
        guard let v = param(name) else { return nil }
        do { return try JSONValue.parse(v) } catch { throw AdminError.invalidJSON(name, "\(error)") }
    }

    /// A JSON object parameter that must be given.
    func requiredObject(_ name: String) throws -> JSONValue {
        guard let v = try json(name) else { throw AdminError.missingParameter(name) }
        guard v.objectPairs != nil else { throw AdminError.invalidJSON(name, "'\(name)' must be a JSON object.") }
        return v
    }

    var release: Release { deployment.releaseProfile }

    /// The async submit envelope for a job.
    func jobEnvelope(_ job: DRJob) -> JSONValue {
        [
            "jobsUrl": .string("\(origin)/\(context)/admin/jobs/\(job.jobID)"),
            "jobid": .string(job.jobID),
            "status": "SUBMITTED",
        ]
    }
}
