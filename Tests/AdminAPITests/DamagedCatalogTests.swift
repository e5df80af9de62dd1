import Catalog
import DisasterRecovery
import Foundation
import Testing

/// A stored backup damaged in the catalog file, found when a request first needs the backups
/// (start-up no longer reads them): the error envelope over real HTTP, the rest of the API unharmed.
@Suite struct DamagedCatalogTests {
    @Test func aDamagedBackupRowAnswersAnEnvelopeNotACrash() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(db) }
        var token = ""
        do {
            let h = try Harness(db: db)
            token = try h.token()
            try h.makeBackup(token, name: "kept")
            #expect(try h.backupNames(token).count == 3)
        }
        let catalog = try Database(path: db)
        try catalog.run("UPDATE backups SET body = ? WHERE name = ?", [.text("{\"backupName\": \"kept\", "), .text("kept")])
        #expect(catalog.changes == 1)
        catalog.close()

        let h = try Harness(db: db)
        let dr = Harness.dr
        // Start-up, tokens, the status resource and jobs need no backups.
        #expect(try h.getJSON("\(dr)/status", token)["status"] != nil)
        #expect(try h.getJSON("/arcgis/admin/jobs", token)["error"] == nil)
        for path in ["\(dr)/stores/default/backups", "\(dr)/stores/default/backups/kept"] {
            for _ in 0..<2 {
                let e = try #require(try h.getJSON(path, token)["error"] as? [String: Any], "\(path)")
                #expect(e["code"] as? Int == 500)
                #expect(e["message"] as? String == "The catalog's backups cannot be read.")
                let details = try #require(e["details"] as? [String])
                #expect(details.first?.contains("'kept' of the backup store 'default' is damaged") == true)
            }
        }
        let create = try h.postJSON("\(dr)/stores/default/backups/create", token, [("name", "new"), ("passcode", "secret123")])
        #expect((create["error"] as? [String: Any])?["code"] as? Int == 500)
        // The server is still up and answering.
        #expect(try h.getJSON("\(dr)/status", token)["status"] != nil)
    }
}
