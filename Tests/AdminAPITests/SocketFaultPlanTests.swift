import AdminAPI
import DisasterRecovery
import Foundation
import Testing

/// A fault plan's `socket` endpoint faults through the control plane: what each kind does to the
/// API's answer, `times`, what the journal and `fired` show, and the plan's checks.
@Suite struct SocketFaultPlanTests {
    static func plan(_ entry: String) -> [(String, String)] { [("plan", #"{"endpoints": [\#(entry)]}"#)] }

    @Test func aResetFiresTheGivenNumberOfTimesWithoutServingTheRequest() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(h.control("POST", "faults", Self.plan(#"{"method": "POST", "path": "admin/system/disasterrecovery/stores/*/backups/create", "socket": "reset", "times": 1}"#), token: t).status == 200)
        let create = [("name", "b1"), ("passcode", "secret123"), ("f", "json"), ("token", t)]
        let broken = h.post("\(Harness.dr)/stores/default/backups/create", create)
        #expect(broken.status == 0 && broken.body.isEmpty)
        // Nothing was done: the same create succeeds once the fault has run out.
        #expect(try h.json(h.post("\(Harness.dr)/stores/default/backups/create", create))["jobid"] != nil)
        let journal = try #require(try h.json(h.control("GET", "requests", [("path", "create")], token: t))["requests"] as? [[String: Any]])
        #expect(journal.first?["status"] as? Int == 0)
        #expect((journal.first?["fault"] as? String)?.contains("socket reset") == true)
        #expect(journal.last?["status"] as? Int == 200)
        let fired = try #require(try h.json(h.control("GET", "faults", token: t))["fired"] as? [[String: Any]])
        #expect(fired.map { $0["kind"] as? String } == ["endpointSocket"])
    }

    @Test func truncatedAndTrickleCarryTheRealAnswer() throws {
        let h = try Harness()
        let t = try h.token()
        let whole = h.get("\(Harness.dr)/stores?f=json&token=\(t)").body
        #expect(h.control("POST", "faults", Self.plan(#"{"path": "admin/system/disasterrecovery/stores", "socket": "truncated", "times": 1}"#), token: t).status == 200)
        let cut = h.get("\(Harness.dr)/stores?f=json&token=\(t)")
        #expect(cut.status == 200)
        #expect(cut.header("content-length") == "\(whole.utf8.count)")
        #expect(cut.body == String(whole.prefix(whole.utf8.count / 2)))
        #expect(h.control("POST", "faults", Self.plan(#"{"path": "admin/system/disasterrecovery/stores", "socket": "trickle", "trickleMs": 300}"#), token: t).status == 200)
        let started = Date()
        let slow = h.get("\(Harness.dr)/stores?f=json&token=\(t)")
        #expect(slow.body == whole)
        #expect(Date().timeIntervalSince(started) >= 0.25)
    }

    @Test func garbageAndEmptyAnswerNoHTTP() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(h.control("POST", "faults", Self.plan(#"{"path": "admin/jobs", "socket": "garbage"}"#), token: t).status == 200)
        let garbage = h.get("/arcgis/admin/jobs?f=json&token=\(t)")
        #expect(garbage.status == 0 && garbage.body.contains("not an HTTP response"))
        #expect(h.control("POST", "faults", Self.plan(#"{"path": "admin/jobs", "socket": "empty", "probability": 1}"#), token: t).status == 200)
        let empty = h.get("/arcgis/admin/jobs?f=json&token=\(t)")
        #expect(empty.status == 0 && empty.body.isEmpty)
    }

    @Test func badSocketEntriesAreRefused() throws {
        let h = try Harness()
        let t = try h.token()
        for (entry, says) in [(#"{"path": "admin/jobs", "socket": "explode"}"#, "'socket' is one of"),
                              (#"{"path": "admin/jobs", "socket": "trickle"}"#, "needs 'trickleMs'"),
                              (#"{"path": "admin/jobs", "socket": "reset", "trickleMs": 100}"#, "only a trickle"),
                              (#"{"path": "admin/jobs", "trickleMs": 100}"#, "goes with"),
                              (#"{"path": "admin/jobs", "socket": "trickle", "trickleMs": 0}"#, "1 … 600000")] {
            let r = h.control("POST", "faults", Self.plan(entry), token: t)
            #expect(r.status == 400)
            #expect(r.body.contains(says), "\(r.body)")
        }
    }
}
