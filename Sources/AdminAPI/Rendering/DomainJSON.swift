import DisasterRecovery

/// The wire shapes of the domain's values, field for field in the documentation's order.
extension Backup {
    /// The backup as a value (for the f=html pages and one backup's answer), from the one description
    /// of its wire shape, ``write(to:)`` (JSONWriter.swift), which the lists write as bytes.
    var json: JSONValue {
        var builder = JSONValueBuilder()
        write(to: &builder)
        return builder.value
    }
}

extension BackupStore {
    /// The store as `stores` lists it; `detailed: false` is the single-store resource's shape.
    func json(inList: Bool, release: Release) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("default", .bool(isDefault))]
        if let c = storageConfig {
            var config: [(String, JSONValue)] = [
                ("storageClass", .string(c.storageClass)), ("size", .string(c.size)),
                ("provisioningType", .string(c.provisioningType)),
            ]
            if let labels = c.labels {
                config.append(("labels", .object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
            }
            pairs.append(("storageConfig", .object(config)))
        }
        pairs.append(("identity", .string(identity)))
        if inList { pairs.append(("identityKey", .string(identityKey))) }
        pairs += [("name", .string(name)), ("rootDir", .string(rootDir)), ("type", .string(type))]
        if inList, let a = autoShutdown { pairs.append(("autoShutdown", .bool(a))) }
        pairs += releaseFields(release)
        return .object(pairs)
    }
}

extension JobProgress.StageState {
    var json: JSONValue {
        [
            "duration": .string(JobProgress.durationText(elapsedMs)),
            "lastUpdated": .int(lastUpdated),
            "name": .string(name),
            "state": .string(state),
        ]
    }
}

extension Deployment.JobView {
    /// `/admin/jobs/<id>`: the documented job fields, `messages` always, `result.stages` once completed
    /// (unless the release is observed to leave it out: ``showsResult``).
    var json: JSONValue {
        let p = progress
        let updated = p.endTime != 0 ? p.endTime : max(job.submittedAt, p.stages.map(\.lastUpdated).max() ?? job.submittedAt)
        var pairs: [(String, JSONValue)] = [
            ("updatedtime", .int(updated)),
            ("jobid", .string(job.jobID)),
            ("endtime", .int(p.endTime)),
            ("starttime", .int(job.submittedAt)),
            ("operationURI", .string(job.operationURI)),
            ("status", .string(p.status.rawValue)),
            ("username", .string(job.username)),
            ("messages", JSONValue(p.messages)),
        ]
        if p.status == .completed && showsResult {
            pairs.append(("result", ["stages": .array(p.stages.map(\.json))]))
        }
        return .object(pairs)
    }

    /// The status resource's `status` object in the stages format (10.9.1 and later).
    func statusJSON(now: Int64) -> JSONValue {
        let p = progress
        let report = StatusReport(p)
        let overall: Int64 = p.endTime != 0 ? p.endTime - p.startTime : max(0, now - p.startTime)
        return [
            "status": [
                "code": .int(Int64(report.code)),
                "scheduleType": .string(job.scheduleType),
                "stages": .array(p.stages.map(\.json)),
                "completeTime": .int(p.endTime),
                "startTime": .int(p.startTime),
                "state": .string(report.state),
                "backupStore": .string(job.storeName),
                "message": .string(p.message),
                "operation": .string(job.operation.rawValue),
                "overallDuration": .string(JobProgress.overallDurationText(overall)),
                "backupName": .string(job.backupName),
            ],
        ]
    }

    /// The status resource before any disaster-recovery job.
    static let noOpStatus: JSONValue = ["status": ["code": 0, "messages": [], "state": "no_op"]]
}
