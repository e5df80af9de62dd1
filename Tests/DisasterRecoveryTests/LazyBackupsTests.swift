import Catalog
import FoundationEssentials
import Synchronization
import Testing
@testable import DisasterRecovery

/// A context opened from the catalog reads its stored backups only when something first needs
/// them (issue #11: start-up with a big catalog); a stored backup that cannot be read then is a
/// clear error, logged, never a crash or a shorter list.
@Suite struct LazyBackupsTests {
    /// Lines a deployment reported through its problem log.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        var log: @Sendable (String) -> Void { { line in self.lines.withLock { $0.append(line) } } }
    }

    func open(_ path: String, log: @escaping @Sendable (String) -> Void = { _ in }) throws -> Deployment {
        try Deployment.open(context: "arcgis", catalog: try DRCatalog(path: path), fixture: try defaultFixture(), clockMode: .manual,
                            speed: 1, problemLog: log)
    }

    func isRead(_ d: Deployment) -> Bool { d.state.withLock { $0.backupShelf.isRead } }

    func request(_ name: String) -> Deployment.BackupRequest {
        .init(storeName: "default", name: name, passcode: "secret123", username: "admin",
              operationURI: "/arcgis/admin/system/disasterrecovery/stores/default/backups/create")
    }

    /// A catalog made from the default fixture, with one more backup made through the job engine.
    func makeCatalog(_ path: String) throws -> [Backup] {
        let d = try open(path)
        _ = try d.createBackup(request("made"))
        try d.advanceClock(by: 3_600_000)
        return try d.backups(inStore: "default")
    }

    /// Replaces the stored body of backup `name` (as a damaged file or a hand edit would).
    func damage(_ path: String, backup name: String, body: String) throws {
        let db = try Database(path: path)
        defer { db.close() }
        try db.run("UPDATE backups SET body = ? WHERE name = ?", [.text(body), .text(name)])
        #expect(db.changes == 1)
    }

    @Test func backupsAreReadOnFirstUseAndAreTheSame() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let before = try makeCatalog(path)
        #expect(before.count == 3)
        let d = try open(path)
        // What start-up and the status resource need reads no backup.
        #expect(try d.lastDRJob()?.job.backupName == "made")
        #expect(!(try d.jobIDs()).isEmpty)
        #expect(d.stores().count == 1)
        let revision = try d.answerValidity()?.revision
        #expect(!isRead(d))
        #expect(try d.backups(inStore: "default") == before)
        #expect(isRead(d))
        // Reading them changes nothing an answer shows: cached answers stay good.
        #expect(try d.answerValidity()?.revision == revision)
        #expect(try d.allBackups() == before)
    }

    @Test func aJobFinishingBeforeTheBackupsAreReadAddsItsBackupOnce() throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let before = try makeCatalog(path)
        let started = try open(path)
        let id = try started.createBackup(request("late")).jobID
        try started.advanceClock(by: 2_000)
        // A restart while the job runs; it completes on the clock before anything reads the backups.
        let d = try open(path)
        #expect(!isRead(d))
        try d.advanceClock(by: 3_600_000)
        #expect(try d.job(id: id).progress.status == .completed)
        #expect(!isRead(d))
        let after = try d.backups(inStore: "default")
        #expect(after.map(\.backupName) == before.map(\.backupName) + ["late"])
        // And a create after the read sees it (the duplicate check reads the backups too).
        #expect(throws: AdminError.duplicateBackup("late", store: "default")) { try d.createBackup(request("late")) }
    }

    @Test(arguments: [
        ("{\"release\":", "JSON that ends early"),
        ("{\"backupName\":7}", "a record without its fields"),
    ])
    func aDamagedStoredBackupIsAClearErrorWhenFirstNeeded(body: String, what: String) throws {
        let path = temporaryDatabasePath()
        defer { removeDatabase(path) }
        let before = try makeCatalog(path)
        let damaged = before[1].backupName
        try damage(path, backup: damaged, body: body)
        let lines = Lines()
        // Start-up does not read the backups: it succeeds, and so does everything that needs none.
        let d = try open(path, log: lines.log)
        #expect(try d.lastDRJob()?.job.backupName == "made")
        #expect(d.stores().count == 1)
        #expect(lines.all.isEmpty)
        // Every request that needs the backups gets the same error, naming the damaged record.
        let error = try #require(throws: AdminError.self, "\(what)") { try d.backups(inStore: "default") }
        #expect(error.code == 500)
        #expect(error.message == "The catalog's backups cannot be read.")
        #expect(error.detailList.first?.contains("'\(damaged)' of the backup store 'default' is damaged") == true)
        #expect(throws: error) { try d.backups(inStore: "default") }
        #expect(throws: error) { try d.allBackups() }
        #expect(throws: error) { try d.backup(named: before[0].backupName, inStore: "default") }
        #expect(throws: error) { try d.locateBackup(named: before[0].backupName, store: nil) }
        #expect(throws: error) { try d.createBackup(request("new")) }
        #expect(throws: error) { try d.deleteBackup(named: before[0].backupName, inStore: "default") }
        #expect(throws: error) {
            try d.restoreBackup(named: before[0].backupName, inStore: "default", passcode: "secret123", username: "admin", operationURI: "/x")
        }
        let store = Deployment.StoreRegistration(name: "second", type: "HOSTED", storageConfig: nil, cloud: nil, rootDir: "/second",
                                                 supportBDSBackup: nil, isDefault: false)
        #expect(throws: error) { try d.registerStore(store, asJob: false, username: "admin", operationURI: "/x") }
        #expect(d.stores().count == 1)
        // Logged once, when found, with the context and the record.
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.hasPrefix("drmock: context 'arcgis': The catalog's backups cannot be read.") == true)
        #expect(lines.all.first?.contains("'\(damaged)'") == true)
        // Nothing was written: the catalog still holds every backup, the damaged one as it was.
        let db = try Database(path: path)
        defer { db.close() }
        #expect(try db.query("SELECT name FROM backups").count == before.count)
        #expect(try db.queryOne("SELECT body FROM backups WHERE name = ?", [.text(damaged)])?.text("body") == body)
        // Things that need no backups go on.
        #expect(!(try d.jobIDs()).isEmpty)
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
    }

    @Test func theReasonSaysWhatAndWhere() throws {
        let missing = DecodingError.keyNotFound(Key(stringValue: "status"), .init(
            codingPath: [Key(stringValue: "relationalStore"), Key(intValue: 0)], debugDescription: "No value."))
        let error = AdminError.unreadableBackup("b", store: "s", Deployment.reason(missing))
        #expect(error.detailList[0] == "The stored backup 'b' of the backup store 's' is damaged: at $.relationalStore[0]: No value.")
        #expect(Deployment.reason(DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Not JSON."))) == "Not JSON.")
    }
}
