import Foundation
import Testing

/// GET answers are cached per deployment revision: a change shows at once, nothing is cached while
/// a job runs, errors are never cached, and auth is checked before the cache.
@Suite struct AnswerCacheTests {
    @Test func changesShowAtOnceAndRunningJobsAreNeverStale() throws {
        let h = try Harness()
        let token = try h.token()
        let list = "\(Harness.dr)/stores/default/backups?f=json&token=\(token)"
        func names(_ f: String = "json") throws -> [String] {
            let body = try h.json(h.get("\(Harness.dr)/stores/default/backups?f=\(f)&token=\(token)"))
            return (body["backups"] as? [[String: Any]] ?? []).compactMap { $0["backupName"] as? String }
        }
        #expect(h.get(list).body == h.get(list).body)
        #expect(try names() == ["backup_first", "schedule1-2021-10-22-20-00-09"])
        let missing = "\(Harness.dr)/stores/default/backups/cache-1?f=json&token=\(token)"
        #expect(try h.errorCode(h.get(missing)) == 404)

        let created = try h.createBackup(token, name: "cache-1")
        let jobID = try #require(created["jobid"] as? String)
        let status = "\(Harness.dr)/status?f=json&token=\(token)"
        try h.advance(1000 + 3096 + 100)
        let early = h.get(status).body
        try h.advance(100)
        #expect(h.get(status).body != early)   // overallDuration moves with the clock
        #expect(try names() == ["backup_first", "schedule1-2021-10-22-20-00-09"])

        try h.advance(70_000)
        #expect(try names() == ["backup_first", "schedule1-2021-10-22-20-00-09", "cache-1"])
        #expect(try names("pjson") == ["backup_first", "schedule1-2021-10-22-20-00-09", "cache-1"])
        #expect(try h.errorCode(h.get(missing)) == nil)
        let job = try h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=json&token=\(token)"))
        #expect(job["status"] as? String == "COMPLETED")
        let done = try h.json(h.get(status))
        #expect((done["status"] as? [String: Any])?["state"] as? String == "success")
    }

    @Test func authIsCheckedBeforeTheCache() throws {
        let h = try Harness()
        let admin = try h.token()
        let viewer = try h.token("viewer", "drmock-viewer-1")
        let path = "\(Harness.dr)/stores/default/backups?f=json&token="
        #expect(try h.errorCode(h.get(path + admin)) == nil)
        #expect(try h.errorCode(h.get(path + viewer)) == 403)
        #expect(try h.errorCode(h.get(path + "not-a-token")) == 498)
        #expect(try h.errorCode(h.get(path + admin)) == nil)
    }
}
