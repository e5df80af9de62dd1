@testable import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// Contexts as a lifecycle: removed with `DELETE /_mock/contexts/<name>` (or `removeContext`), limited
/// by `--max-contexts` with an error that names the limit and the option.
@Suite struct ContextLifecycleTests {
    @Test func aRemovedContextLeavesNothingAndComesBackFresh() throws {
        let h = try Harness()
        let t1 = try h.token(context: "c1")
        _ = try h.createBackup(t1, name: "in-c1", context: "c1")
        #expect(try h.json(h.control("GET", "contexts", token: try h.token()))["contexts"] as? [String] == ["arcgis", "c1"])

        #expect(h.control("DELETE", "contexts/c1", token: nil).status == 401)
        #expect(h.control("DELETE", "contexts/c1", token: try h.token()).status == 401)   // arcgis's token, for c1
        #expect(h.control("DELETE", "contexts/c1", token: try h.token(), context: "arcgis").status == 400)
        let own = h.control("DELETE", "contexts/arcgis", token: try h.token())
        #expect(own.status == 409)

        let removed = h.control("DELETE", "contexts/c1", token: t1)
        #expect(removed.status == 200)
        #expect(try h.json(removed)["removed"] as? Bool == true)
        #expect(try h.server.registry.catalog.contexts() == ["arcgis"])
        #expect(try h.json(h.control("GET", "contexts", token: try h.token()))["contexts"] as? [String] == ["arcgis"])
        // Its token went with it; a new sign-in makes it anew from the fixture, without the old backup.
        #expect(try h.json(h.get("/c1/admin/system/disasterrecovery/stores/default/backups?f=json&token=\(t1)"))["error"] != nil)
        let fresh = try h.token(context: "c1")
        let names = (try h.json(h.get("/c1/admin/system/disasterrecovery/stores/default/backups?f=json&token=\(fresh)"))["backups"] as? [[String: Any]])?
            .compactMap { $0["backupName"] as? String }
        #expect(names == ["backup_first", "schedule1-2021-10-22-20-00-09"])
    }

    @Test func theLimitNamesItselfAndItsOption() throws {
        let h = try Harness(maxContexts: 2)
        _ = try h.token(context: "c1")
        let full = try h.json(h.post("/c2/sharing/rest/generateToken", [("username", "admin"), ("password", "drmock-admin-1"), ("f", "json")]))
        let e = try #require(full["error"] as? [String: Any])
        #expect(e["code"] as? Int == 503)
        #expect(e["message"] as? String == "drmock serves at most 2 contexts at once.")
        #expect((e["details"] as? [String])?.first?.contains("--max-contexts") == true)
        #expect(try h.server.removeContext("c1"))
        #expect(try h.token(context: "c2").isEmpty == false)
        #expect(throws: (any Error).self) { try h.server.removeContext("arcgis") }
        #expect(throws: (any Error).self) { try DRMockServer(options: { var o = DRMockServer.Options(port: 0, fixture: h.server.options.fixture); o.maxContexts = 0; return o }()) }
    }

    /// Per-test contexts through one server: 300 made, used and removed (scripts/e2e/26-contexts runs 5,000 over HTTP and reads the memory),
    /// and what the server keeps stays as it was (deployments, control states, catalog rows, answers).
    @Test func perTestContextsLeaveNothingBehind() throws {
        let h = try Harness()
        let admin = try h.token()
        let plane = try #require(h.server.controlPlane)
        for i in 0..<300 {
            let name = "t\(i)"
            let d = try h.server.deployment(context: name)
            _ = try d.createBackup(.init(storeName: "default", name: "b", passcode: "secret123", username: "admin", operationURI: "/x"))
            try h.server.setFaultPlan(json: #"{"endpoints": [{"path": "admin/jobs/*", "code": 503}]}"#, context: name)
            if i % 100 == 0 {   // and now and then over HTTP, so the answer cache and the journal hold something of it
                let t = try h.token(context: name)
                _ = h.get("/\(name)/admin/system/disasterrecovery/stores?f=json&token=\(t)")
            }
            #expect(try h.server.removeContext(name))
        }
        #expect(h.server.registry.openContexts == ["arcgis"])
        #expect(try h.server.registry.catalog.contexts() == ["arcgis"])
        #expect(plane.controlledContexts <= 1)
        _ = h.get("/arcgis/admin/system/disasterrecovery/stores?f=json&token=\(admin)")
        #expect(h.server.service.cache.usage.entries <= 1)
    }
}
