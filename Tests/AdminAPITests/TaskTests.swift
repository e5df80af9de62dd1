import DisasterRecovery
import Foundation
import Testing

/// `/admin/system/tasks`: scheduled backups and the retention cleaner on the emulator's clock.
@Suite struct TaskTests {
    /// 2023-11-14 22:13:20 UTC.
    static let start: Int64 = 1_700_000_000_000
    static let tasks = "/arcgis/admin/system/tasks"
    static let hour: Int64 = 3_600_000

    func harness(release: String? = nil, strict: Bool = false) throws -> Harness {
        try Harness(release: release, strict: strict) { f in f.clockStart = Self.start }
    }

    func createTask(_ h: Harness, _ t: String, _ fields: [(String, String)]) throws -> String {
        let r = try h.postJSON("\(Self.tasks)/createTask", t, fields)
        guard let id = r["id"] as? String, r["status"] as? String == "success" else { throw HarnessError("createTask: \(r)") }
        return id
    }

    @Test func aDailyTaskFiresOnTheClockAndNamesItsBackups() throws {
        let h = try harness()
        var t = try h.token()
        let id = try createTask(h, t, [
            ("title", "Nightly"), ("type", "CreateBackup"), ("minute", "0"), ("hour", "23"), ("dayOfMonth", "*"), ("month", "*"), ("dayOfWeek", "*"),
            ("parameters", #"{"name": "nightly", "passcode": "nightly-pass", "storeName": "default", "metaData": {"recurring": true, "startTime": "23:00", "retention": {"type": "day", "value": 2}}}"#)])
        let task = try h.getJSON("\(Self.tasks)/\(id)", t)
        #expect(task["type"] as? String == "CreateBackup")
        #expect(task["title"] as? String == "Nightly")
        #expect(task["enabled"] as? Bool == true)
        #expect(task["nextRun"] as? Int == 1_700_002_800_000)   // 23:00:00 the same day
        let params = try #require(task["parameters"] as? [String: Any])
        #expect(params["passcode"] == nil && params["passcodeHash"] == nil)
        #expect(params["retentionOffset"] as? Int == 2 * 24 * Int(Self.hour))
        #expect((params["metaData"] as? [String: Any])?["startTime"] as? String == "23:00")
        #expect((try h.getJSON(Self.tasks, t)["tasks"] as? [[String: Any]])?.count == 1)

        try h.advance(2 * 24 * Self.hour)
        t = try h.token()   // a token lives one hour of emulated time

        t = try h.token()   // tokens live an hour of emulated time
        let names = try h.backupNames(t).filter { $0.hasPrefix("nightly-") }
        #expect(names == ["nightly-2023-11-14-23-00-00", "nightly-2023-11-15-23-00-00"])
        let first = try h.getJSON("\(Harness.dr)/stores/default/backups/nightly-2023-11-14-23-00-00", t)
        #expect(first["scheduleType"] as? String == "SCHEDULED")
        #expect(first["startTime"] as? Int == 1_700_002_800_000 + 1000)
        #expect(first["retentionDate"] as? Int == 1_700_002_800_000 + 2 * 24 * Int(Self.hour))
        #expect(first["description"] as? String == "Scheduled Backup")
        let status = try h.status(t)
        #expect(status["scheduleType"] as? String == "SCHEDULED")
        #expect(status["backupName"] as? String == "nightly-2023-11-15-23-00-00")
        let after = try h.getJSON("\(Self.tasks)/\(id)", t)
        #expect(after["occurrences"] as? Int == 2)
        let runs = try #require(try h.getJSON("\(Self.tasks)/\(id)/runs", t)["runs"] as? [[String: Any]])
        #expect(runs.map { $0["status"] as? String } == ["SUBMITTED", "SUBMITTED"])
        let jobID = try #require(runs[0]["jobid"] as? String)
        let job = try h.getJSON("/arcgis/admin/jobs/\(jobID)", t)
        #expect(job["status"] as? String == "COMPLETED")
        #expect(job["operationURI"] as? String == "/arcgis/admin/system/tasks/\(id)")
        // The backup's passcode is the task's.
        #expect(try h.postJSON("\(Harness.dr)/stores/default/backups/nightly-2023-11-14-23-00-00/restore", t,
                               [("passcode", "nightly-pass")])["status"] as? String == "success")
    }

    @Test func disableEnableDeleteAndLimits() throws {
        let h = try harness()
        var t = try h.token()
        let id = try createTask(h, t, [("type", "CreateBackup"), ("minute", "*/30"), ("hour", "*"), ("maxOccurrences", "3"),
                                       ("parameters", #"{"name": "often", "passcode": "often-pass1"}"#)])
        #expect(try h.postJSON("\(Self.tasks)/\(id)/disable", t)["status"] as? String == "success")
        try h.advance(5 * Self.hour)
        t = try h.token()   // a token lives one hour of emulated time
        t = try h.token()   // tokens live an hour of emulated time
        #expect(try h.backupNames(t).filter { $0.hasPrefix("often-") }.isEmpty)
        #expect(try h.postJSON("\(Self.tasks)/\(id)/enable", t)["status"] as? String == "success")
        // Enabling never fires the times already past.
        #expect(try h.backupNames(t).filter { $0.hasPrefix("often-") }.isEmpty)
        try h.advance(4 * Self.hour)
        t = try h.token()   // a token lives one hour of emulated time
        t = try h.token()   // tokens live an hour of emulated time
        #expect(try h.backupNames(t).filter { $0.hasPrefix("often-") }.count == 3)
        #expect(try h.getJSON("\(Self.tasks)/\(id)", t)["nextRun"] is NSNull)
        #expect(try h.postJSON("\(Self.tasks)/\(id)/update", t, [("maxOccurrences", "0"), ("hour", "3")])["status"] as? String == "success")
        let updated = try h.getJSON("\(Self.tasks)/\(id)", t)
        #expect(updated["hour"] as? String == "3")
        #expect(updated["minute"] as? String == "*/30")
        #expect(updated["maxOccurrences"] is NSNull)
        #expect(try h.postJSON("\(Self.tasks)/\(id)/delete", t)["status"] as? String == "success")
        #expect(h.error(try h.getJSON("\(Self.tasks)/\(id)", t)).message == "The task '\(id)' does not exist.")
        #expect(h.error(try h.postJSON("\(Self.tasks)/\(id)/enable", t)).code == 404)
        #expect((try h.getJSON(Self.tasks, t)["tasks"] as? [Any])?.isEmpty == true)
    }

    @Test func aTaskFiringWhileAJobRunsIsSkipped() throws {
        let h = try harness()
        let t = try h.token()
        let id = try createTask(h, t, [("type", "CreateBackup"), ("minute", "15"), ("hour", "22"),
                                       ("parameters", #"{"name": "clash", "passcode": "clash-pass1"}"#)])
        try h.advance(60_000)   // 22:14:20
        _ = try h.createBackup(t, name: "manual")
        try h.advance(2 * 60_000)
        let runs = try #require(try h.getJSON("\(Self.tasks)/\(id)/runs", t)["runs"] as? [[String: Any]])
        #expect(runs.first?["status"] as? String == "SKIPPED")
        #expect(runs.first?["message"] as? String == "Another disaster recovery job is already running.")
        #expect(try h.backupNames(t).contains("manual"))
    }

    @Test func createTaskErrors() throws {
        let h = try harness()
        let t = try h.token()
        let path = "\(Self.tasks)/createTask"
        let good = #"{"name": "n", "passcode": "pass-word1"}"#
        func err(_ f: [(String, String)]) throws -> (code: Int, message: String, details: [String]) { h.error(try h.postJSON(path, t, f)) }
        #expect(try err([("minute", "0"), ("hour", "1"), ("parameters", good)]).message == "Missing required parameter 'type'.")
        #expect(try err([("type", "Reboot"), ("minute", "0"), ("hour", "1")]).message == "Invalid value for parameter 'type'.")
        #expect(try err([("type", "CreateBackup"), ("hour", "1"), ("parameters", good)]).message == "Missing required parameter 'minute'.")
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("parameters", good)]).message == "Missing required parameter 'hour'.")
        #expect(try err([("type", "CreateBackup"), ("minute", "61"), ("hour", "1"), ("parameters", good)]).message == "Invalid value for parameter 'minute'.")
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("hour", "1-x"), ("parameters", good)]).message == "Invalid value for parameter 'hour'.")
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("hour", "1")]).message == "Missing required parameter 'parameters'.")
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("hour", "1"), ("parameters", "{nope")]).message == "Invalid JSON in parameter 'parameters'.")
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("hour", "1"), ("parameters", #"{"name": "n", "passcode": "short"}"#)]).message
                == "The passcode must be at least 8 characters in length.")
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("hour", "1"), ("parameters", #"{"passcode": "pass-word1"}"#)]).code == 400)
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("hour", "1"), ("parameters", #"{"name": "n", "passcode": "pass-word1", "storeName": "nope"}"#)]).code == 404)
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("hour", "1"), ("parameters", #"{"name": "n", "passcode": "pass-word1", "metaData": {"retention": {"type": "year", "value": 1}}}"#)]).code == 400)
        #expect(try err([("type", "CreateBackup"), ("minute", "0"), ("hour", "1"), ("enabled", "sometimes"), ("parameters", good)]).message == "Invalid value for parameter 'enabled'.")
        let viewer = try h.token("viewer", "drmock-viewer-1")
        #expect(h.error(try h.postJSON(path, viewer, [("type", "CreateBackup"), ("minute", "0"), ("hour", "1"), ("parameters", good)])).code == 403)
        #expect(h.error(try h.getJSON("\(Self.tasks)/nope", t)).code == 404)
        #expect((try h.getJSON(Self.tasks, t)["tasks"] as? [Any])?.isEmpty == true)
        let strict = try harness(release: "10.9", strict: true)
        #expect(strict.error(try strict.getJSON(Self.tasks, try strict.token())).code == 404)
    }

    /// The issue's whole lifecycle: register a store, make it default, schedule, fire twice, restore the
    /// first backup (settings roll back), and let the retention cleaner remove the expired backup.
    @Test func wholeLifecycle() throws {
        let h = try harness()
        var t = try h.token()
        let dr = Harness.dr
        #expect(try h.postJSON("\(dr)/stores/register", t, [("storeName", "nightly-store"), ("settings", StoreTests.hosted), ("isDefault", "False")])["status"] as? String == "success")
        #expect(try h.postJSON("\(dr)/stores/nightly-store/update", t, [("settings", #"{"default": true, "supportBDSBackup": false}"#)])["status"] as? String == "success")
        let id = try createTask(h, t, [("type", "CreateBackup"), ("minute", "0"), ("hour", "23"),
                                       ("parameters", #"{"name": "nightly", "passcode": "nightly-pass", "retentionOffset": 86400000}"#)])

        try h.advance(47 * 60_000 + Harness.backupMs)   // 23:00 + the backup
        t = try h.token()   // a token lives one hour of emulated time
        #expect(try h.backupNames(t, store: "nightly-store") == ["nightly-2023-11-14-23-00-00"])
        #expect(try h.postJSON("\(dr)/settings/update", t, [("settings", #"{"timeoutInSeconds": 1800}"#)])["status"] as? String == "success")
        try h.advance(24 * Self.hour)
        t = try h.token()   // a token lives one hour of emulated time
        t = try h.token()   // tokens live an hour of emulated time
        #expect(try h.backupNames(t, store: "nightly-store") == ["nightly-2023-11-14-23-00-00", "nightly-2023-11-15-23-00-00"])

        #expect(try h.postJSON("\(dr)/stores/nightly-store/backups/nightly-2023-11-14-23-00-00/restore", t,
                               [("passcode", "nightly-pass")])["status"] as? String == "success")
        try h.advance(Harness.restoreMs)
        #expect(try h.status(t)["state"] as? String == "success")
        #expect(try h.getJSON("\(dr)/settings", t)["timeoutInSeconds"] as? Int == 7200)
        // The task as the first backup captured it (one occurrence) is back and still scheduled.
        let restoredTask = try h.getJSON("\(Self.tasks)/\(id)", t)
        #expect(restoredTask["occurrences"] as? Int == 1)

        let cleaner = try createTask(h, t, [("type", "BackupRetentionCleaner"), ("minute", "30"), ("hour", "*")])
        try h.advance(30 * 60_000)
        t = try h.token()   // a token lives one hour of emulated time
        t = try h.token()   // tokens live an hour of emulated time
        #expect(try h.backupNames(t, store: "nightly-store") == ["nightly-2023-11-15-23-00-00"])
        // The fixture's seed backups expired in 2021: gone too. A backup that never expires stays.
        let runs = try #require(try h.getJSON("\(Self.tasks)/\(cleaner)/runs", t)["runs"] as? [[String: Any]])
        #expect(runs.last?["message"] as? String == "Removed 3 expired backup(s): backup_first, schedule1-2021-10-22-20-00-09, nightly-2023-11-14-23-00-00.")
        try h.makeBackup(t, name: "forever", store: "nightly-store")
        try h.advance(3 * 24 * Self.hour)
        t = try h.token()   // a token lives one hour of emulated time
        t = try h.token()   // tokens live an hour of emulated time
        #expect(try h.backupNames(t, store: "nightly-store").contains("forever"))
        #expect(!(try h.backupNames(t, store: "nightly-store").contains("nightly-2023-11-15-23-00-00")))
    }

    @Test func aHugeClockJumpMakesUpAtMostFiveHundredFirings() throws {
        let h = try harness()
        var t = try h.token()
        let id = try createTask(h, t, [("type", "BackupRetentionCleaner"), ("minute", "*"), ("hour", "*")])
        try h.advance(10 * 24 * Self.hour)   // 14 400 minutes
        t = try h.token()
        let task = try h.getJSON("\(Self.tasks)/\(id)", t)
        #expect(task["occurrences"] as? Int == 500)
        #expect(task["nextRun"] as? Int == Int(Self.start + 10 * 24 * Self.hour) / 60_000 * 60_000 + 60_000)
        try h.advance(5 * 60_000)
        #expect(try h.getJSON("\(Self.tasks)/\(id)", try h.token())["occurrences"] as? Int == 505)
    }

    @Test func aDeploymentKeepsAtMostAHundredTasks() throws {
        let h = try harness()
        let t = try h.token()
        for _ in 0..<100 { _ = try createTask(h, t, [("type", "BackupRetentionCleaner"), ("minute", "0"), ("hour", "4")]) }
        let refused = h.error(try h.postJSON("\(Self.tasks)/createTask", t, [("type", "BackupRetentionCleaner"), ("minute", "0"), ("hour", "4")]))
        #expect(refused.code == 409)
        #expect(refused.message == "The deployment already has 100 tasks.")
    }

    /// The CRON characters and names the createTask and update-task pages document (read as Quartz reads
    /// them, as the tasks resource's example `"0 0 4 ? * 7"` shows): each parses and fires when it says.
    /// https://developers.arcgis.com/rest/enterprise-administration/enterprise/create-task
    @Test func quartzCharactersAndNames() throws {
        let h = try harness()
        let t = try h.token()
        let backup = #"{"name": "q", "passcode": "pass-word1"}"#
        let cases: [[(String, String)]] = [
            [("dayOfMonth", "?"), ("dayOfWeek", "MON-FRI")],
            [("dayOfMonth", "L"), ("dayOfWeek", "?")],
            [("dayOfMonth", "LW"), ("dayOfWeek", "?")],
            [("dayOfMonth", "15W"), ("dayOfWeek", "?")],
            [("dayOfMonth", "?"), ("dayOfWeek", "6#3"), ("month", "JAN,JUL")],
            [("dayOfMonth", "?"), ("dayOfWeek", "2L")],
            [("dayOfMonth", "?"), ("dayOfWeek", "7")],
        ]
        for extra in cases {
            #expect((try? createTask(h, t, [("type", "CreateBackup"), ("minute", "0"), ("hour", "4"), ("parameters", backup)] + extra)) != nil, "\(extra)")
        }
        #expect(h.error(try h.postJSON("\(Self.tasks)/createTask", t, [("type", "CreateBackup"), ("minute", "0"), ("hour", "4"), ("dayOfWeek", "8#2"), ("parameters", backup)])).code == 400)

        // 2023-11-14 (the fixture's start) is a Tuesday: 7 is Saturday (the 18th), L the 30th, LW Thursday the
        // 30th, 15W Wednesday the 15th, 6#3 the third Friday (17th of November), 2L the last Monday (27th).
        func next(_ dom: String, _ dow: String) throws -> String {
            let s = try CronSchedule(minute: "0", hour: "4", dayOfMonth: dom, month: "*", dayOfWeek: dow)
            return CivilTime(epochMillis: try #require(s.next(after: Self.start))).nameStamp
        }
        #expect(try next("?", "7") == "2023-11-18-04-00-00")
        #expect(try next("?", "SAT") == "2023-11-18-04-00-00")
        #expect(try next("L", "?") == "2023-11-30-04-00-00")
        #expect(try next("LW", "?") == "2023-11-30-04-00-00")
        #expect(try next("15W", "?") == "2023-11-15-04-00-00")
        #expect(try next("18W", "?") == "2023-11-17-04-00-00")   // Saturday the 18th: Friday before
        #expect(try next("?", "6#3") == "2023-11-17-04-00-00")
        #expect(try next("?", "2L") == "2023-11-27-04-00-00")
        #expect(try next("L-2", "?") == "2023-11-28-04-00-00")
    }

    /// 11.4: "this parameter can specify either CreateBackup or CreateHealthCheckReports"
    /// (https://developers.arcgis.com/rest/enterprise-administration/enterprise/create-task).
    @Test func healthCheckReportTasksFrom11_4() throws {
        let h = try harness(release: "11.4")
        let t = try h.token()
        let id = try createTask(h, t, [("type", "CreateHealthCheckReports"), ("minute", "0"), ("hour", "23"),
                                        ("parameters", #"{"name": "weekly-health", "suiteIds": ["BSHC-001"]}"#)])
        let task = try h.getJSON("\(Self.tasks)/\(id)", t)
        #expect(task["type"] as? String == "CreateHealthCheckReports")
        #expect((task["parameters"] as? [String: Any])?["suiteIds"] as? [String] == ["BSHC-001"])
        try h.advance(47 * 60_000)
        let runs = try #require(try h.getJSON("\(Self.tasks)/\(id)/runs", t)["runs"] as? [[String: Any]])
        #expect(runs.first?["message"] as? String == "Created health check report 'weekly-health-2023-11-14-23-00-00'.")
        #expect(h.error(try h.postJSON("\(Self.tasks)/createTask", t, [("type", "CreateHealthCheckReports"), ("minute", "0"), ("hour", "1")])).message == "Missing required parameter 'parameters'.")

        let old = try harness(release: "11.3")
        let refused = old.error(try old.postJSON("\(Self.tasks)/createTask", try old.token(), [("type", "CreateHealthCheckReports"), ("minute", "0"), ("hour", "1"), ("parameters", #"{"name": "h"}"#)]))
        #expect(refused.details == ["'type' must be CreateBackup, BackupRetentionCleaner at release 11.3."])
    }
}
