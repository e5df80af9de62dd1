import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// In-place upgrades: `POST /_mock/upgrade`, the Swift embedding API, a restart, and `--release` on a
/// catalog made at an older release.
@Suite struct UpgradeTests {
    /// https://github.com/Esri/arcgis-gitops/issues/91 and pull request 111: after an upgrade to 11.3 the
    /// store registered before is still listed and takes backups, but a new store has to be registered.
    @Test func upgradingTo11_3NamesTheStoresToRegisterAgain() throws {
        let h = try Harness(release: "11.2")
        let t = try h.token()
        _ = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "s3"), ("settings", StoreTests.s3)])
        let r = h.control("POST", "upgrade", [("release", "11.3")], token: t)
        #expect(r.status == 200)
        let body = try h.json(r)
        #expect(body["from"] as? String == "11.2" && body["to"] as? String == "11.3")
        #expect(body["storesToRegisterAgain"] as? [String] == ["default", "s3"])
        #expect((body["effects"] as? [String])?.contains { $0.contains("https://github.com/Esri/arcgis-gitops/issues/91") } == true)

        let root = try h.getJSON("/arcgis/admin", t)
        #expect(root["fullVersion"] as? String == "11.3.0" && root["currentVersion"] as? Double == 11.3)
        // The old stores stay listed with the release they were made at; a new one gets 11.3.0.
        let stores = try h.getJSON("\(Harness.dr)/stores", t)["backupStores"] as? [[String: Any]] ?? []
        #expect(stores.map { $0["versionCreated"] as? String } == ["11.2.0", "11.2.0"])
        _ = try h.postJSON("\(Harness.dr)/stores/register", t, [("storeName", "s3-11-3"), ("isDefault", "true"),
            ("settings", StoreTests.s3.replacingOccurrences(of: #""rootDir":"k8s""#, with: #""rootDir":"k8s/11.3.0""#))])
        #expect(try h.getJSON("\(Harness.dr)/stores/s3-11-3", t)["versionCreated"] as? String == "11.3.0")
        // The old store still takes backups, as seen in the issue.
        try h.makeBackup(t, name: "still-works", store: "s3")
        #expect(try h.backupNames(t, store: "s3") == ["still-works"])

        // Without the observed behaviour, the upgrade names no store.
        let documented = try Harness(release: "11.2", documentedOnly: true)
        #expect(try documented.server.upgrade(to: "11.3").storesToRegisterAgain.isEmpty)
        // 11.3 -> 11.4 crosses nothing observed.
        #expect(try h.server.upgrade(to: "11.4").storesToRegisterAgain.isEmpty)
    }

    @Test func downgradesAndUpgradesDuringAJobAreRefused() throws {
        let h = try Harness(release: "11.3")
        let t = try h.token()
        let down = h.control("POST", "upgrade", [("release", "11.2")], token: t)
        #expect(down.status == 409)
        #expect((try h.json(down)["error"] as? [String: Any])?["message"] as? String == "The deployment runs release 11.3 and cannot move to 11.2.")
        #expect(h.control("POST", "upgrade", [("release", "11.3")], token: t).status == 409)
        #expect(h.control("POST", "upgrade", [("release", "13.7")], token: t).status == 400)
        #expect(h.control("POST", "upgrade", [], token: t).status == 400)
        #expect(h.control("POST", "upgrade", [("release", "12.0")], token: nil).status == 401)
        _ = try h.createBackup(t, name: "running")
        #expect(h.control("POST", "upgrade", [("release", "12.0")], token: t).status == 409)
        try h.advance(Harness.backupMs)
        #expect(h.control("POST", "upgrade", [("release", "12.0")], token: t).status == 200)
    }

    /// The upgrade is persisted: a restart without --release keeps it, --release of a newer release
    /// upgrades the same way, and an older one is refused with a message that says why.
    @Test func anUpgradeSurvivesARestartAndReleaseNeverGoesBack() throws {
        let db = temporaryDatabasePath()
        defer { removeDatabase(db) }
        do {
            let h = try Harness(db: db, release: "11.2")
            _ = try h.server.upgrade(to: "11.3")
        }
        do {
            let h = try Harness(db: db)
            #expect(h.server.deployment.release == "11.3")
        }
        do {
            let h = try Harness(db: db, release: "12.0")
            #expect(h.server.deployment.release == "12.0")
            #expect(try h.getJSON("/arcgis/admin", try h.token())["fullVersion"] as? String == "12.0.0")
        }
        #expect { try Harness(db: db, release: "11.5") } throws: { error in
            "\(error)".contains("runs release 12.0; it cannot go back to 11.5")
        }
    }
}
