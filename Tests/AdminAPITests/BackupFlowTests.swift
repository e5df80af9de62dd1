import Foundation
import Testing

/// The first user story over real HTTP: token, create, job, status, backups, restart.
@Suite struct BackupFlowTests {
    static let stageNames = ["Validation", "Stage Relational store", "Stage Object store",
                             "Stage system configuration", "Post backup operation cleanup"]

    @Test func generateTokenAnswersTheDocumentedShape() throws {
        let h = try Harness()
        let r = h.post("/arcgis/sharing/rest/generateToken",
                       [("username", "admin"), ("password", "drmock-admin-1"), ("client", "referer"), ("referer", "x"), ("f", "json")])
        #expect(r.status == 200)
        #expect(r.header("content-type")?.hasPrefix("application/json") == true)
        let body = try h.json(r)
        #expect((body["token"] as? String)?.count == 43)
        #expect(body["expires"] as? Int == Int(h.clock.now() + 7_200_000))   // 120 minutes: Portal's documented default
        #expect(body["ssl"] as? Bool == false)
        #expect(Array(body.keys).sorted() == ["expires", "ssl", "token"])
    }

    /// At 11.5: a completed job carries `result.stages` (decision 4); 12.0 leaves it out (ObservedBehaviourTests).
    @Test func wholeBackupFlowOnTheManualClock() throws {
        let h = try Harness(release: "11.5")
        let token = try h.token()
        let status0 = try h.json(h.get("\(Harness.dr)/status?f=json&token=\(token)"))
        #expect((status0["status"] as? [String: Any])?["state"] as? String == "no_op")
        #expect((status0["status"] as? [String: Any])?["code"] as? Int == 0)

        let created = try h.createBackup(token, name: "nightly-1")
        #expect(created["status"] as? String == "SUBMITTED")
        let jobID = try #require(created["jobid"] as? String)
        #expect(jobID.hasPrefix("j") && jobID.count == 37)
        #expect(created["jobsUrl"] as? String == "http://127.0.0.1:\(h.port)/arcgis/admin/jobs/\(jobID)")

        let submitted = try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))
        #expect(submitted["status"] as? String == "SUBMITTED")
        #expect(submitted["endtime"] as? Int == 0)
        #expect((submitted["messages"] as? [String])?.isEmpty == false)
        #expect(submitted["result"] == nil)
        #expect(submitted["operationURI"] as? String == "/arcgis/admin/system/disasterrecovery/stores/default/backups/create")
        #expect(submitted["username"] as? String == "admin")

        h.clock.advance(by: 1000 + 3096 + 5149 + 20_000)   // inside "Stage Object store"
        let running = try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))
        #expect(running["status"] as? String == "EXECUTING")
        let live = try #require(try h.json(h.get("\(Harness.dr)/status?f=pjson&token=\(token)"))["status"] as? [String: Any])
        #expect(live["state"] as? String == "in_progress")
        #expect(live["code"] as? Int == 2)
        #expect(live["completeTime"] as? Int == 0)
        let liveStages = try #require(live["stages"] as? [[String: Any]])
        #expect(liveStages.map { $0["name"] as? String } == Array(Self.stageNames.prefix(3)))
        #expect(liveStages.map { $0["state"] as? String } == ["completed", "completed", "in_progress"])
        #expect(liveStages[0]["duration"] as? String == "3096 millis (~ 0 minutes)")
        #expect(liveStages[2]["duration"] as? String == "20000 millis (~ 0 minutes)")

        try h.advance(50_405 - 20_000 + 6517)
        let done = try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))
        #expect(done["status"] as? String == "COMPLETED")
        #expect((done["endtime"] as? Int ?? 0) > 0)
        let resultStages = try #require((done["result"] as? [String: Any])?["stages"] as? [[String: Any]])
        #expect(resultStages.map { $0["name"] as? String } == Self.stageNames)
        #expect(resultStages.allSatisfy { $0["state"] as? String == "completed" && $0["duration"] is String })

        let final = try #require(try h.json(h.get("\(Harness.dr)/status?f=json&token=\(token)"))["status"] as? [String: Any])
        #expect(final["state"] as? String == "success")
        #expect(final["code"] as? Int == 3)
        #expect(final["operation"] as? String == "Backup")
        #expect(final["backupName"] as? String == "nightly-1")
        #expect(final["backupStore"] as? String == "default")
        #expect(final["scheduleType"] as? String == "MANUAL")
        #expect(final["message"] as? String == "")
        #expect(final["overallDuration"] as? String == "00hr:01min:05sec:167millisec")
        #expect((final["completeTime"] as? Int ?? 0) - (final["startTime"] as? Int ?? 0) == 65_167)

        let list = try #require(try h.json(h.get("\(Harness.dr)/stores/default/backups?f=json&token=\(token)"))["backups"] as? [[String: Any]])
        let made = try #require(list.first { $0["backupName"] as? String == "nightly-1" })
        let seedKeys = Set(try #require(list.first { $0["backupName"] as? String == "backup_first" }).keys)
        #expect(Set(made.keys) == seedKeys)
        #expect(seedKeys.count == 17)
        #expect(made["status"] as? String == "completed")
        #expect(made["backupType"] as? String == "FULL")
        #expect(made["scheduleType"] as? String == "MANUAL")
        #expect(made["category"] as? String == "SYSTEM")
        #expect(made["retentionDate"] as? Int == -1)
        #expect(made["description"] as? String == "demo")
        #expect((made["encryptKey"] as? String)?.hasSuffix("..") == true)
        #expect((made["relationalStore"] as? [[String: Any]])?.first?["systemDatabases"] as? [String] == ["arcgis", "datastoreconfig", "gwdb", "metrics"])
        #expect((made["infrastructures"] as? [String: Any])?["status"] as? String == "completed")
        #expect(made["passcodeHash"] == nil)

        let one = try h.json(h.get("\(Harness.dr)/stores/default/backups/nightly-1?f=json&token=\(token)"))
        #expect(one["backupName"] as? String == "nightly-1")
        #expect(Set(one.keys) == seedKeys)

        let jobs = try h.json(h.get("/arcgis/admin/jobs?f=json&token=\(token)"))
        #expect(jobs["jobs"] as? [String] == [jobID])
    }

    /// At 10.9.1, the seed's release: the fixture's backups carry the release they are served at.
    @Test func seedBackupsAreServedInTheDocumentedFieldOrder() throws {
        let h = try Harness(release: "10.9.1")
        let token = try h.token()
        let r = h.get("\(Harness.dr)/stores/default/backups?f=json&token=\(token)")
        #expect(r.body.hasPrefix(#"{"backups":[{"release":"10.9.1","siteName":"arcgis","description":"","completeTime":1634736484933,"backupStore":"default","retentionDate":1635945710988,"encryptKey":"XxxxxXxXX-XxxXXXXxXXxX..","backupType":"FULL","relationalStore":[{"metadata":"{crypt}..","geodatabases":[{"gdbName":"hgdb_wqlxr","egdbID":"ed6980a1d5d34b56880836d4373b0051"}],"systemDatabases":["arcgis","datastoreconfig","gwdb","metrics"],"startTime":1634736146928,"clusterID":"wqlxr","endTime":1634736196269,"status":"completed"}],"scheduleType":"MANUAL","objectStore":"#))
        #expect(r.body.contains(#""category":"SYSTEM","backupName":"schedule1-2021-10-22-20-00-09","status":"completed"}]}"#))
    }

    @Test func formatsHtmlJsonPjson() throws {
        let h = try Harness()
        let token = try h.token()
        let pjson = h.get("\(Harness.dr)/status?f=pjson&token=\(token)")
        #expect(pjson.body.contains("\n  \"status\": {\n"))
        let html = h.get("\(Harness.dr)/status?token=\(token)")
        #expect(html.header("content-type")?.hasPrefix("text/html") == true)
        #expect(html.header("content-security-policy") != nil)
        #expect(html.body.contains("<title>Status"))
        #expect(html.body.contains("?f=pjson"))
        #expect(html.body.contains("&quot;no_op&quot;"))
        let bad = h.get("\(Harness.dr)/status?f=xml&token=\(token)")
        #expect(try h.errorCode(bad) == 400)
    }

    @Test func restartKeepsBackupJobAndStatus() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let jobID: String
        do {
            let h = try Harness(db: path)
            let token = try h.token()
            jobID = try #require(try h.createBackup(token, name: "kept")["jobid"] as? String)
            try h.advance(10 * 60_000)
            #expect(try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))["status"] as? String == "COMPLETED")
        }
        let h = try Harness(db: path)
        let token = try h.token()
        #expect(try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))["status"] as? String == "COMPLETED")
        #expect(try h.json(h.get("/arcgis/admin/jobs?f=json&token=\(token)"))["jobs"] as? [String] == [jobID])
        let status = try #require(try h.json(h.get("\(Harness.dr)/status?f=json&token=\(token)"))["status"] as? [String: Any])
        #expect(status["state"] as? String == "success")
        #expect(status["backupName"] as? String == "kept")
        #expect(try h.json(h.get("\(Harness.dr)/stores/default/backups/kept?f=json&token=\(token)"))["status"] as? String == "completed")
    }

    @Test func restartInTheMiddleOfAJobResumesOnTheClock() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let jobID: String
        do {
            let h = try Harness(db: path)
            let token = try h.token()
            jobID = try #require(try h.createBackup(token, name: "resumed")["jobid"] as? String)
            try h.advance(15_000)
            #expect(try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))["status"] as? String == "EXECUTING")
        }
        let h = try Harness(db: path)
        let token = try h.token()
        #expect(try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))["status"] as? String == "EXECUTING")
        #expect(try h.errorCode(h.post("\(Harness.dr)/stores/default/backups/create",
                                       [("name", "x"), ("passcode", "secret123"), ("f", "json"), ("token", token)])) == 409)
        try h.advance(60_000)
        #expect(try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))["status"] as? String == "COMPLETED")
    }
}
