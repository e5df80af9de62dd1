import Foundation
import HTTPServer
import Synchronization
import Testing
@testable import AdminAPI

/// GET answers are cached per deployment revision and clock span: a change shows at once, answers
/// kept while a job runs are never stale, errors are never cached, and auth is checked before the cache.
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

    /// While a job runs, answers are kept until the job's next change (the status, which shows elapsed
    /// times, for its millisecond only): at every clock reading around each stage boundary, cached or
    /// not, each is exactly what a server without the cache answers at the same reading. The clocks
    /// are moved without recording them, so the deployments' state stays between transitions.
    @Test func whileAJobRunsEveryAnswerIsWhatAServerWithoutTheCacheAnswers() throws {
        let start: Int64 = 1_700_000_000_000
        let cached = try Harness { $0.clockStart = start }
        let plain = try Harness(answerCacheBytes: 0) { $0.clockStart = start }
        let (ct, pt) = (try cached.token(), try plain.token())
        let a = try #require(try cached.createBackup(ct, name: "boundaries")["jobid"] as? String)
        let b = try #require(try plain.createBackup(pt, name: "boundaries")["jobid"] as? String)
        let job = try cached.server.deployment.job(id: a).job
        let other = try plain.server.deployment.job(id: b).job
        #expect(job.submittedAt == start && other.submittedAt == start)
        var marks = [job.executionStart]
        for stage in job.stages { marks.append(marks.last! + stage.durationMs) }
        var instants: Set<Int64> = [start, job.finishTime + 1_000, job.finishTime + 1_001]
        for m in marks { instants.formUnion([m - 1, m, m + 1]) }
        for (x, y) in zip(marks, marks.dropFirst()) { instants.formUnion([(x + y) / 2, (x + y) / 2 + 1]) }
        let paths = ["\(Harness.dr)/status", "/arcgis/admin/jobs/JOB", "/arcgis/admin/jobs", "\(Harness.dr)/stores/default/backups"]
        // A created backup's key is random: the two servers' differ (in the HTML page too, escaped).
        let key = try NSRegularExpression(pattern: #"encryptKey("|&quot;)\s*:\s*("|&quot;)[^"&]*("|&quot;)"#)
        func same(_ text: String) -> String {
            key.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "KEY")
        }
        for instant in instants.sorted() {
            cached.clock.set(to: instant)
            plain.clock.set(to: instant)
            for path in paths {
                for f in ["json", "pjson", "html"] {
                    let expected = plain.get("\(path.replacingOccurrences(of: "JOB", with: b))?f=\(f)&token=\(pt)").body
                        .replacingOccurrences(of: b, with: a).replacingOccurrences(of: pt, with: ct)
                    let ask = "\(path.replacingOccurrences(of: "JOB", with: a))?f=\(f)&token=\(ct)"
                    for _ in 0..<2 {
                        let got = cached.get(ask).body
                        #expect(same(got) == same(expected), "\(path) f=\(f) at \(instant - start) ms")
                    }
                }
            }
            // Every json and pjson answer was kept, while the job ran too.
            #expect(cached.server.service.cache.usage.entries == 2 * paths.count)
            #expect(plain.server.service.cache.usage.entries == 0)
        }
        #expect(try cached.server.deployment.job(id: a).progress.status == .completed)
    }

    /// On the system clock (100× fast: the job takes 0.66 s), clients asking at once never see the
    /// status or the job go back, and each sees the job through to its end: an answer is served only
    /// for the clock readings it holds for.
    @Test func onTheSystemClockAnswersNeverGoBack() throws {
        let h = try Harness(clockMode: .system, speed: 100)
        let token = try h.token()
        let jobID = try #require(try h.createBackup(token, name: "never-back")["jobid"] as? String)
        let order = ["SUBMITTED", "EXECUTING", "COMPLETED"]
        @Sendable func millis(_ text: String) -> Int64? {   // 00hr:00min:01sec:548millisec
            let n = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int64($0) }
            guard n.count == 4 else { return nil }
            return ((n[0] * 60 + n[1]) * 60 + n[2]) * 1000 + n[3]
        }
        let problems = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { client in
            var lastElapsed: Int64 = -1, lastStatus = -1, lastStages = 0
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                let status = (try? h.json(h.get("\(Harness.dr)/status?f=json&token=\(token)")))?["status"] as? [String: Any]
                let job = try? h.json(h.get("/arcgis/admin/jobs/\(jobID)?f=\(client % 2 == 0 ? "json" : "pjson")&token=\(token)"))
                guard let status, let elapsed = millis(status["overallDuration"] as? String ?? ""),
                      let stages = (status["stages"] as? [Any])?.count,
                      let at = order.firstIndex(of: job?["status"] as? String ?? "") else {
                    problems.withLock { $0.append("client \(client): an answer without its fields") }
                    return
                }
                if elapsed < lastElapsed || stages < lastStages || at < lastStatus {
                    problems.withLock { $0.append("client \(client): \(lastElapsed) ms, \(lastStages) stages, \(lastStatus) then \(elapsed), \(stages), \(at)") }
                }
                (lastElapsed, lastStages, lastStatus) = (elapsed, stages, at)
                if at == 2 && status["state"] as? String == "success" { return }
            }
            problems.withLock { $0.append("client \(client): the job did not complete") }
        }
        #expect(problems.withLock { $0 } == [])
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

/// Only the newest revision's answers are kept per context (issue #11: no stale big lists in memory).
@Suite struct AnswerCacheMemoryTests {
    func answer(_ text: String) -> Response { Response(body: Array(text.utf8)) }
    func key(_ path: String) -> AnswerCache.Key { AnswerCache.key(path: path, format: .json) }

    @Test func aNewerRevisionDropsTheContextsOlderAnswers() {
        let cache = AnswerCache()
        cache.store(answer("list at 1"), key("/a/list"), context: "a", revision: 1)
        cache.store(answer("job at 1"), key("/a/job"), context: "a", revision: 1)
        cache.store(answer("list of b"), key("/b/list"), context: "b", revision: 2)
        #expect(cache.usage.entries == 3)
        #expect(cache.answer(key("/a/list"), context: "a", revision: 1)?.body == Array("list at 1".utf8))

        cache.store(answer("list at 3"), key("/a/list"), context: "a", revision: 3)
        #expect(cache.usage.entries == 2)   // a's job answer at 1 is gone; b's answer stays
        #expect(cache.usage.bytes == "list at 3".utf8.count + "list of b".utf8.count)
        #expect(cache.answer(key("/a/job"), context: "a", revision: 1) == nil)
        #expect(cache.answer(key("/a/list"), context: "a", revision: 3)?.body == Array("list at 3".utf8))
        #expect(cache.answer(key("/b/list"), context: "b", revision: 2)?.body == Array("list of b".utf8))

        // An answer rendered from an older state, stored late, is not kept.
        cache.store(answer("job at 1, late"), key("/a/job"), context: "a", revision: 1)
        #expect(cache.answer(key("/a/job"), context: "a", revision: 1) == nil)
        #expect(cache.answer(key("/a/list"), context: "a", revision: 3) != nil)
        #expect(cache.usage.entries == 2)

        // Storing the same key again replaces it.
        cache.store(answer("list at 3 again"), key("/a/list"), context: "a", revision: 3)
        #expect(cache.usage.entries == 2)
        #expect(cache.usage.bytes == "list at 3 again".utf8.count + "list of b".utf8.count)
    }

    @Test func afterACreateTheOldListIsNotKept() throws {
        let h = try Harness()
        let token = try h.token()
        let list = "\(Harness.dr)/stores/default/backups?f=json&token=\(token)"
        _ = h.get(list)
        _ = h.get(list.replacingOccurrences(of: "f=json", with: "f=pjson"))
        let before = h.server.service.cache.usage
        #expect(before.entries == 2)
        _ = try h.createBackup(token, name: "memory-1")
        try h.advance(70_000)
        _ = h.get("\(Harness.dr)/status?f=json&token=\(token)")
        #expect(h.server.service.cache.usage.entries == 1)   // the status answer; both lists were dropped
        #expect(h.server.service.cache.usage.bytes < before.bytes)
    }
}
