import Catalog
import DisasterRecovery
import Foundation
import Testing

/// Many clients at once (issue #7): one DR job at a time holds under a storm of creates, readers
/// never see a torn or backwards state, and contexts stay apart.
@Suite struct ConcurrencyTests {
    let dr = Harness.dr

    /// The job id, or the error envelope's code and message.
    enum Answer: Equatable {
        case submitted(String)
        case refused(Int, String)
    }

    func create(_ h: Harness, token: String, name: String, context: String = "arcgis") -> Answer {
        let r = h.post("/\(context)/admin/system/disasterrecovery/stores/default/backups/create",
                       [("name", name), ("passcode", "secret123"), ("f", "json"), ("token", token)])
        guard let obj = try? h.json(r) else { return .refused(-1, "not JSON: \(r.body)") }
        if obj["status"] as? String == "SUBMITTED", let id = obj["jobid"] as? String { return .submitted(id) }
        let e = obj["error"] as? [String: Any]
        return .refused(e?["code"] as? Int ?? -1, e?["message"] as? String ?? r.body)
    }

    @Test func sixtyFourParallelCreatesAcceptExactlyOne() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(db) }
        let h = try Harness(db: db, threads: 8)
        let token = try h.token()
        // Distinct names: all race for the one DR job slot.
        let answers = inParallel(64) { i in self.create(h, token: token, name: "storm-\(i)") }
        let accepted = answers.compactMap { if case .submitted(let id) = $0 { id } else { nil } }
        #expect(accepted.count == 1)
        for a in answers where a != .submitted(accepted.first ?? "") {
            #expect(a == .refused(409, "Another disaster recovery job is already running."))
        }
        #expect(try h.json(h.get("/arcgis/admin/jobs?f=json&token=\(token)"))["jobs"] as? [String] == accepted)

        // The same name from 64 clients while nothing runs: one job, then one backup of that name.
        try h.advance(10 * 60_000)
        let same = inParallel(64) { _ in self.create(h, token: token, name: "twin") }
        let twins = same.compactMap { if case .submitted(let id) = $0 { id } else { nil } }
        #expect(twins.count == 1)
        #expect(same.filter { if case .refused(409, _) = $0 { true } else { false } }.count == 63)
        try h.advance(10 * 60_000)
        let names = try backupNames(h, token)
        #expect(names.filter { $0 == "twin" }.count == 1)
        #expect(Set(names).count == names.count)

        // Now the name exists: every one of 64 parallel creates is the duplicate-name 409.
        let dup = inParallel(64) { _ in self.create(h, token: token, name: "twin") }
        #expect(dup.allSatisfy { $0 == .refused(409, "A backup with the name 'twin' already exists in the backup store 'default'.") })

        // No torn rows: the catalog holds exactly what was acknowledged, each row whole.
        let catalog = try DRCatalog(path: db)
        #expect(try catalog.integrityCheck() == ["ok"])
        let records = try #require(try catalog.load(context: "arcgis"))
        #expect(records.jobs.count == 2)
        let jobs = try records.jobs.map { try JSONDecoder().decode(DRJob.self, from: Data($0.utf8)) }
        #expect(Set(jobs.map(\.jobID)) == Set(accepted + twins))
        #expect(jobs.allSatisfy { $0.recordedStatus == .completed })
        let backups = try records.backups.map { try JSONDecoder().decode(Backup.self, from: Data($0.utf8)) }
        #expect(backups.map(\.backupName).sorted() == names.sorted())
        catalog.close()
    }

    @Test func readersDuringWritesSeeAConsistentState() throws {
        let h = try Harness(threads: 4)
        let token = try h.token()
        let rounds = 12
        let done = Locked(false)
        let problems = Locked<[String]>([])
        let problem: @Sendable (String) -> Void = { s in problems.withLock { $0.append(s) } }
        let reads = Locked(0)

        let readersDone = DispatchGroup()
        let readers = (0..<6).map { _ in
            Thread {
                defer { readersDone.leave() }
                var lastBackups = 0, lastJobs = 0
                while !done.withLock({ $0 }) {
                    // Backups first, then jobs: every backup beyond the seed's has a job listed.
                    guard let b = try? h.json(h.get("\(dr)/stores/default/backups?f=json&token=\(token)")),
                          let backups = b["backups"] as? [[String: Any]],
                          let j = try? h.json(h.get("/arcgis/admin/jobs?f=json&token=\(token)")),
                          let jobs = j["jobs"] as? [String]
                    else { problem("unreadable answer"); continue }
                    let names = backups.compactMap { $0["backupName"] as? String }
                    if Set(names).count != names.count { problem("duplicate backup names \(names)") }
                    if names.count - 2 > jobs.count { problem("\(names.count) backups but \(jobs.count) jobs") }
                    if names.count < lastBackups || jobs.count < lastJobs { problem("went backwards") }
                    if backups.contains(where: { $0["status"] as? String != "completed" }) { problem("an unfinished backup is listed") }
                    lastBackups = names.count
                    lastJobs = jobs.count
                    // A status that says success names a backup that is listed from then on.
                    if let s = (try? h.json(h.get("\(dr)/status?f=json&token=\(token)")))?["status"] as? [String: Any],
                       s["state"] as? String == "success", let name = s["backupName"] as? String,
                       let again = try? h.json(h.get("\(dr)/stores/default/backups?f=json&token=\(token)")),
                       !((again["backups"] as? [[String: Any]]) ?? []).contains(where: { $0["backupName"] as? String == name }) {
                        problem("status says \(name) succeeded but it is not listed")
                    }
                    reads.withLock { $0 += 1 }
                }
            }
        }
        readers.forEach { readersDone.enter(); $0.start() }
        for i in 0..<rounds {
            guard case .submitted = create(h, token: token, name: "rw-\(i)") else {
                Issue.record("create \(i) was refused")
                break
            }
            for _ in 0..<8 { try h.advance(9_000) }   // through the stages to completion (66 s)
            usleep(2000)
        }
        done.withLock { $0 = true }
        readersDone.wait()
        #expect(problems.withLock { $0 } == [])
        #expect(reads.withLock { $0 } > rounds)
        #expect(try backupNames(h, token).count == 2 + rounds)
    }

    @Test func contextsInParallelStayIsolated() throws {
        let h = try Harness(threads: 4)
        let contexts = ["arcgis", "second", "third"]
        for c in contexts.dropFirst() { try h.server.registry.open(context: c) }
        let tokens = try contexts.map { c in
            let r = h.post("/\(c)/sharing/rest/generateToken",
                           [("username", "admin"), ("password", "drmock-admin-1"), ("client", "referer"), ("referer", "x"), ("f", "json")])
            return try #require(try h.json(r)["token"] as? String)
        }
        let answers = inParallel(48) { i in
            self.create(h, token: tokens[i % 3], name: "iso-\(i)", context: contexts[i % 3])
        }
        for (k, c) in contexts.enumerated() {
            let mine = answers.enumerated().filter { $0.offset % 3 == k }.map(\.element)
            let ids = mine.compactMap { if case .submitted(let id) = $0 { id } else { nil } }
            #expect(ids.count == 1, "context \(c)")
            let listed = try h.json(h.get("/\(c)/admin/jobs?f=json&token=\(tokens[k])"))["jobs"] as? [String]
            #expect(listed == ids, "context \(c)")
            // A token of one context means nothing in another.
            let other = tokens[(k + 1) % 3]
            #expect(try (h.json(h.get("/\(c)/admin/jobs?f=json&token=\(other)"))["error"] as? [String: Any])?["code"] as? Int == 498)
        }
    }

    func backupNames(_ h: Harness, _ token: String) throws -> [String] {
        let list = try #require(try h.json(h.get("\(dr)/stores/default/backups?f=json&token=\(token)"))["backups"] as? [[String: Any]])
        return list.compactMap { $0["backupName"] as? String }
    }
}

/// Runs `body` on `count` real threads that start together (a barrier), and returns the results in order.
func inParallel<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = Locked<[Int: T]>([:])
    let ready = Locked(0)
    let finished = DispatchGroup()
    let threads = (0..<count).map { i in
        Thread {
            ready.withLock { $0 += 1 }
            while ready.withLock({ $0 }) < count { sched_yield() }
            let value = body(i)
            results.withLock { $0[i] = value }
            finished.leave()
        }
    }
    threads.forEach { finished.enter(); $0.start() }
    finished.wait()
    return results.withLock { r in (0..<count).map { r[$0]! } }
}

/// A value shared between threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
