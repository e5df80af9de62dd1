import Testing
import Catalog
#if canImport(Glibc)
import Glibc
#endif

@Suite struct CatalogStoreTests {
    func tempPath() -> String { "/tmp/drmock-catalog-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).sqlite" }
    func remove(_ p: String) { for s in ["", "-wal", "-shm"] { unlink(p + s) } }

    @Test func writesLandTogetherAndLoadInOrder() throws {
        let path = tempPath()
        defer { remove(path) }
        do {
            let c = try DRCatalog(path: path)
            try c.write { w in
                try w.putDeployment(context: "a", body: #"{"p":1}"#)
                try w.putStore(context: "a", name: "s2", seq: 1, body: "S2")
                try w.putStore(context: "a", name: "s1", seq: 0, body: "S1")
                try w.insertBackup(context: "a", store: "s1", name: "late", startTime: 20, body: "B20")
                try w.insertBackup(context: "a", store: "s1", name: "early", startTime: 10, body: "B10")
                try w.putJob(context: "a", jobID: "j2", seq: 2, status: "SUBMITTED", body: "J2")
                try w.putJob(context: "a", jobID: "j1", seq: 1, status: "COMPLETED", body: "J1")
                try w.putToken(context: "a", TokenRecord(digest: "d1", username: "admin", expires: 99))
            }
            c.close()
        }
        let c = try DRCatalog(path: path)
        let r = try #require(try c.load(context: "a"))
        #expect(r.deployment == #"{"p":1}"#)
        #expect(r.stores == ["S1", "S2"])
        #expect(r.backups == ["B10", "B20"])
        #expect(r.jobs == ["J1", "J2"])
        #expect(r.tokens == [TokenRecord(digest: "d1", username: "admin", expires: 99)])
        #expect(try c.load(context: "b") == nil)
        #expect(try c.contexts() == ["a"])
        #expect(try c.integrityCheck() == ["ok"])
    }

    /// Migration 2 indexes backups by start time: a catalog written at version 1 keeps its rows, and
    /// loading a context's backups in order needs no sort (no temporary B-tree).
    @Test func backupsLoadInOrderThroughAnIndex() throws {
        let path = tempPath()
        defer { remove(path) }
        do {
            let db = try Database(path: path)
            try db.migrate(Array(CatalogSchema.migrations.prefix(1)))
            try db.run("INSERT INTO deployments(context, body) VALUES('a', '{}')")
            for (name, time) in [("b", 30), ("a", 30), ("c", 10)] {
                try db.run("INSERT INTO backups(context, store, name, start_time, body) VALUES('a', 's', ?, ?, ?)",
                           [.text(name), .integer(Int64(time)), .text(name.uppercased())])
            }
            db.close()
        }
        let c = try DRCatalog(path: path)
        #expect(try c.load(context: "a")?.backups == ["C", "A", "B"])
        c.close()
        let db = try Database(path: path)
        defer { db.close() }
        #expect(try db.userVersion == 2)
        let plan = try db.query("EXPLAIN QUERY PLAN SELECT body FROM backups WHERE context = ? ORDER BY start_time, name", ["a"])
            .compactMap { $0.text("detail") }
        #expect(plan.contains { $0.contains("backups_by_time") })
        #expect(!plan.contains { $0.contains("TEMP B-TREE") })
    }

    @Test func aFailedWriteChangesNothing() throws {
        let c = try DRCatalog(path: ":memory:")
        try c.write { w in
            try w.putDeployment(context: "a", body: "{}")
            try w.insertBackup(context: "a", store: "s", name: "b", startTime: 1, body: "B")
        }
        #expect(throws: CatalogError.self) {
            try c.write { w in
                try w.putJob(context: "a", jobID: "j", seq: 1, status: "COMPLETED", body: "J")
                try w.insertBackup(context: "a", store: "s", name: "b", startTime: 2, body: "dup")
            }
        }
        let r = try #require(try c.load(context: "a"))
        #expect(r.jobs.isEmpty)
        #expect(r.backups == ["B"])
    }

    @Test func deletingAContextRemovesItsRows() throws {
        let c = try DRCatalog(path: ":memory:")
        try c.write { w in
            try w.putDeployment(context: "a", body: "{}")
            try w.putUser(context: "a", username: "u", body: "U")
            try w.putToken(context: "a", TokenRecord(digest: "d", username: "u", expires: 5))
        }
        try c.write { w in try w.deleteContext("a") }
        #expect(try c.load(context: "a") == nil)
        try c.write { w in
            try w.putDeployment(context: "a", body: "{}")
        }
        let r = try #require(try c.load(context: "a"))
        #expect(r.users.isEmpty && r.tokens.isEmpty)
    }

    @Test func expiredTokensAreDeleted() throws {
        let c = try DRCatalog(path: ":memory:")
        try c.write { w in
            try w.putDeployment(context: "a", body: "{}")
            try w.putToken(context: "a", TokenRecord(digest: "old", username: "u", expires: 5))
            try w.putToken(context: "a", TokenRecord(digest: "new", username: "u", expires: 50))
            try w.deleteTokens(context: "a", expiredBefore: 10)
        }
        #expect(try c.load(context: "a")?.tokens.map(\.digest) == ["new"])
    }
}
