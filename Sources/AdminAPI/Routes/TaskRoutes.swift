import DisasterRecovery

/// `/admin/system/tasks` (10.9.1): scheduled backups and the retention cleaner (decision 10).
enum TaskRoutes {
    static let tasks = "admin/system/tasks"
    static let security = AdminRoutes.security
    static let fields = ["title", "type", "parameters", "startDate", "endDate", "minute", "hour", "dayOfMonth",
                         "month", "dayOfWeek", "maxOccurrences", "enabled"]

    static let all: [Route] = [
        Route("GET", tasks, access: security, title: "Tasks") { call in
            ["tasks": .array(try call.deployment.tasks().map { $0.json(now: call.deployment.clock.now()) })]
        }.requiring(.storeBackups).accepting(),
        Route("POST", "\(tasks)/createTask", access: security, title: "Create Task") { call in
            let task = try call.deployment.createTask(try request(call, creating: true), owner: call.user?.username ?? "")
            return ["status": "success", "id": .string(task.id)]
        }.requiring(.storeBackups).withParameters(fields),
        Route("GET", "\(tasks)/{task}", access: security, title: "Task") { call in
            try call.deployment.task(id: call.pathParameter("task")).json(now: call.deployment.clock.now())
        }.requiring(.storeBackups).accepting(),
        Route("GET", "\(tasks)/{task}/runs", access: security, title: "Task Runs") { call in
            ["runs": .array(try call.deployment.task(id: call.pathParameter("task")).runs.map(\.json))]
        }.requiring(.storeBackups).accepting(),
        Route("POST", "\(tasks)/{task}/update", access: security, title: "Update Task") { call in
            _ = try call.deployment.updateTask(id: call.pathParameter("task"), try request(call, creating: false))
            return ["status": "success"]
        }.requiring(.storeBackups).withParameters(fields),
        Route("POST", "\(tasks)/{task}/enable", access: security, title: "Enable Task") { call in
            _ = try call.deployment.updateTask(id: call.pathParameter("task"), .init(enabled: true))
            return ["status": "success"]
        }.requiring(.storeBackups),
        Route("POST", "\(tasks)/{task}/disable", access: security, title: "Disable Task") { call in
            _ = try call.deployment.updateTask(id: call.pathParameter("task"), .init(enabled: false))
            return ["status": "success"]
        }.requiring(.storeBackups),
        Route("POST", "\(tasks)/{task}/delete", access: security, title: "Delete Task") { call in
            try call.deployment.deleteTask(id: call.pathParameter("task"))
            return ["status": "success"]
        }.requiring(.storeBackups),
    ]

    /// Reads a task's form. On create, `type`, `minute` and `hour` are required (the other CRON
    /// fields default to `*`); on update every field is optional.
    static func request(_ call: Call, creating: Bool) throws -> Deployment.TaskRequest {
        var r = Deployment.TaskRequest()
        r.title = call.param("title")
        if let type = call.param("type") {
            // CreateHealthCheckReports came at 11.4 ("Prior to 11.4, this parameter only supported CreateBackup").
            let kinds = ScheduledTask.Kind.allCases.filter { $0 != .createHealthCheckReports || call.release.has(.healthCheckReportTasks) }
            guard let kind = kinds.first(where: { $0.rawValue.lowercased() == type.lowercased() }) else {
                throw AdminError.invalidParameter("type", "'type' must be \(kinds.map(\.rawValue).joined(separator: ", ")) at release \(call.release.name).")
            }
            r.kind = kind
        } else if creating {
            throw AdminError.missingParameter("type")
        }
        let cron = ["minute", "hour", "dayOfMonth", "month", "dayOfWeek"].map { call.param($0) }
        if cron.contains(where: { $0 != nil }) || creating {
            if creating {
                if cron[0] == nil { throw AdminError.missingParameter("minute") }
                if cron[1] == nil { throw AdminError.missingParameter("hour") }
            }
            let current = creating ? nil : try call.deployment.task(id: call.pathParameter("task")).schedule
            r.schedule = try CronSchedule(minute: cron[0] ?? current?.minute ?? "*", hour: cron[1] ?? current?.hour ?? "*",
                                          dayOfMonth: cron[2] ?? current?.dayOfMonth ?? "*", month: cron[3] ?? current?.month ?? "*",
                                          dayOfWeek: cron[4] ?? current?.dayOfWeek ?? "*")
        }
        if let v = try call.integer("startDate") { r.startDate = .some(v) }
        if let v = try call.integer("endDate") { r.endDate = .some(v) }
        if let v = try call.integer("maxOccurrences") {
            guard v >= 0, v <= 1_000_000 else { throw AdminError.invalidParameter("maxOccurrences", "'maxOccurrences' must be 0 (no limit) or more.") }
            r.maxOccurrences = .some(v == 0 ? nil : Int(v))
        }
        if let v = try call.bool("enabled") { r.enabled = v }
        if let p = try call.json("parameters") {
            let kind = try r.kind ?? call.deployment.task(id: call.pathParameter("task")).kind
            if kind == .createHealthCheckReports {
                r.reportParameters = try reportParameters(p)
            } else {
                r.parameters = try backupParameters(p, call)
            }
        }
        return r
    }

    /// A `CreateHealthCheckReports` task's `parameters`: `name` (the report name prefix) and,
    /// optionally, `suiteIds` (as `healthCheck/run` takes them).
    static func reportParameters(_ p: JSONValue) throws -> ScheduledTask.ReportParameters {
        guard p.objectPairs != nil else { throw AdminError.invalidJSON("parameters", "'parameters' must be a JSON object.") }
        guard let name = p["name"]?.stringValue, !name.isEmpty, name.count <= 128 else {
            throw AdminError.invalidSettings("parameters", "'name' (the health check report name prefix) is required.")
        }
        var suites: [String]? = nil
        if let s = p["suiteIds"] {
            guard let list = s.arrayValue, list.count <= 100, list.allSatisfy({ ($0.stringValue?.count ?? 0) > 0 }) else {
                throw AdminError.invalidSettings("parameters", "'suiteIds' must be an array of suite ids, e.g. [\"BSHC-001\"].")
            }
            suites = list.compactMap(\.stringValue)
        }
        return .init(name: name, suiteIDs: suites)
    }

    static func backupParameters(_ p: JSONValue, _ call: Call) throws -> ScheduledTask.BackupParameters {
        guard p.objectPairs != nil else { throw AdminError.invalidJSON("parameters", "'parameters' must be a JSON object.") }
        guard let name = p["name"]?.stringValue, !name.isEmpty else {
            throw AdminError.invalidSettings("parameters", "'name' (the backup name prefix) is required.")
        }
        try Deployment.validateBackupName(name + "-2000-01-01-00-00-00")
        guard let passcode = p["passcode"]?.stringValue else { throw AdminError.invalidSettings("parameters", "'passcode' is required.") }
        guard passcode.count >= 8 else { throw AdminError.passcodeTooShort() }
        let store = p["storeName"]?.stringValue
        if let store { _ = try call.deployment.store(named: store) }
        var offset: Int64? = nil
        if let o = p["retentionOffset"] {
            guard let ms = o.int64Value, ms >= 0 else {
                throw AdminError.invalidSettings("parameters", "'retentionOffset' must be milliseconds (0 or more).")
            }
            offset = ms
        } else if let retention = p["metaData"]?["retention"] {
            let day: Int64 = 86_400_000
            guard let value = retention["value"]?.int64Value, value > 0, value < 100_000,
                  let unit = ["day": day, "week": 7 * day, "month": 30 * day][retention["type"]?.stringValue?.lowercased() ?? ""] else {
                throw AdminError.invalidSettings("parameters", "metaData.retention must be {\"type\": \"day|week|month\", \"value\": n}.")
            }
            offset = value * unit
        }
        return .init(name: name, passcodeHash: try call.deployment.hashSecret(passcode), storeName: store,
                     description: p["description"]?.stringValue ?? "Scheduled Backup", retentionOffsetMs: offset,
                     metaDataJSON: p["metaData"].map { $0.serializedString() })
    }
}

extension Route {
    /// ``accepting(_:)`` with a list.
    func withParameters(_ names: [String]) -> Route { var r = self; r.parameters = names; return r }
}

extension ScheduledTask {
    func json(now: Int64) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("id", .string(id)), ("title", .string(title)), ("type", .string(kind.rawValue)),
        ]
        if let p = reportParameters {
            var params: [(String, JSONValue)] = [("name", .string(p.name))]
            if let ids = p.suiteIDs { params.append(("suiteIds", JSONValue(ids))) }
            pairs.append(("parameters", .object(params)))
        }
        if let p = parameters {
            var params: [(String, JSONValue)] = [("name", .string(p.name))]
            if let s = p.storeName { params.append(("storeName", .string(s))) }
            params.append(("description", .string(p.description)))
            if let o = p.retentionOffsetMs { params.append(("retentionOffset", .int(o))) }
            if let m = p.metaDataJSON, let v = try? JSONValue.parse(m) { params.append(("metaData", v)) }
            pairs.append(("parameters", .object(params)))
        }
        pairs += [
            ("minute", .string(schedule.minute)), ("hour", .string(schedule.hour)), ("dayOfMonth", .string(schedule.dayOfMonth)),
            ("month", .string(schedule.month)), ("dayOfWeek", .string(schedule.dayOfWeek)),
            ("startDate", startDate.map(JSONValue.int) ?? .null), ("endDate", endDate.map(JSONValue.int) ?? .null),
            ("maxOccurrences", maxOccurrences.map { .int(Int64($0)) } ?? .null), ("occurrences", .int(Int64(occurrences))),
            ("enabled", .bool(enabled)), ("owner", .string(owner)), ("created", .int(created)), ("updated", .int(updated)),
            ("lastRun", runs.last.map { .int($0.time) } ?? .null),
            ("nextRun", nextFire(after: now).map(JSONValue.int) ?? .null),
        ]
        return .object(pairs)
    }
}

extension ScheduledTask.Run {
    var json: JSONValue {
        ["time": .int(time), "status": .string(status), "message": .string(message), "jobid": jobID.map(JSONValue.string) ?? .null]
    }
}
