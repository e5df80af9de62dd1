import Foundation
import Testing

/// Bad input over real HTTP at drmock's API (issue #7): always a parseable error envelope (or a
/// clean answer), never a 500, a crash or a half-written record; the server keeps answering.
@Suite struct HostileInputTests {
    let dr = Harness.dr

    func envelopeCode(_ h: Harness, _ r: HTTPResult) -> Int? {
        guard let obj = try? h.json(r), let e = obj["error"] as? [String: Any], e["details"] is [String] else { return nil }
        return e["code"] as? Int
    }

    @Test func invalidEncodingsAndHugeValuesGetEnvelopes() throws {
        let h = try Harness()
        let token = try h.token()
        let q = "f=json&token=\(token)"
        // Paths with invalid percent-encoding, invalid UTF-8, NUL, dot segments.
        for path in ["/arcgis/admin/jobs/%FF%FE", "/arcgis/admin/jobs/%ZZ", "/arcgis/admin/jobs/%00", "/arcgis/%C0%AF/jobs",
                     "/arcgis/admin/system/disasterrecovery/stores/..%2F..%2Fetc", "/arcgis/admin/../admin/jobs/x", "/%ED%A0%80"] {
            #expect(envelopeCode(h, h.get("\(path)?\(q)")) == 404, "\(path)")
        }
        #expect(envelopeCode(h, h.get("\(dr)/status?f=%FF%FE&token=\(token)")) == 400)
        #expect(envelopeCode(h, h.get("\(dr)/status?f=json&token=%00%FF")) == 498)
        #expect(envelopeCode(h, h.get("\(dr)/status?f=json&token=%")) == 498)
        // Numbers beyond Int64, negative, not numbers.
        let create = "\(dr)/stores/default/backups/create"
        for retention in ["99999999999999999999", "-2", "1e3", "0x10", "%FF", " 5"] {
            let r = h.post(create, [("name", "n-\(retention)"), ("passcode", "secret123"), ("retentionDate", retention), ("f", "json"), ("token", token)])
            if retention == " 5" {
                #expect(try h.json(r)["status"] as? String == "SUBMITTED")   // spaces around a number are forgiven
                try h.advance(10 * 60_000)
            } else {
                #expect(envelopeCode(h, r) == 400, "retentionDate \(retention): \(r.body)")
            }
        }
        for expiration in ["-99999999999999999999", "9223372036854775807", "NaN"] {
            let r = h.post("/arcgis/sharing/rest/generateToken", [("username", "admin"), ("password", "drmock-admin-1"), ("expiration", expiration), ("f", "json")])
            let obj = try h.json(r)
            #expect(obj["token"] is String || envelopeCode(h, r) == 400, "expiration \(expiration): \(r.body)")
        }
        // Names with control characters or slashes are refused; the replacement character is just a character.
        for name in ["a\u{0}b", "a\nb", "../x", "a\\b", String(repeating: "n", count: 129)] {
            #expect(envelopeCode(h, h.post(create, [("name", name), ("passcode", "secret123"), ("f", "json"), ("token", token)])) == 400, "\(name.debugDescription)")
        }
        let weird = h.post(create, [("f", "json")])   // no token, no fields
        #expect(envelopeCode(h, weird) == 499)
        let raw = HTTPClient.request(port: h.port, method: "POST", path: create,
                                     body: "name=%FF%FE%E2%82&passcode=secret123&f=json&token=\(token)")
        #expect(try h.json(raw)["status"] as? String == "SUBMITTED")
        try h.advance(10 * 60_000)
        let listed = try #require(try h.json(h.get("\(dr)/stores/default/backups?\(q)"))["backups"] as? [[String: Any]])
        #expect(listed.contains { $0["backupName"] as? String == "\u{FFFD}\u{FFFD}\u{FFFD}" })
        #expect(try h.json(h.get("\(dr)/stores/default/backups/%EF%BF%BD%EF%BF%BD%EF%BF%BD?\(q)"))["backupName"] as? String == "\u{FFFD}\u{FFFD}\u{FFFD}")
        // A hostile Host header does not reach the absolute jobsUrl.
        let hosted = HTTPClient.request(port: h.port, method: "POST", path: create,
                                        body: form([("name", "hosted"), ("passcode", "secret123"), ("f", "json"), ("token", token)]),
                                        host: "evil.example\"><script>")
        #expect((try h.json(hosted)["jobsUrl"] as? String)?.hasPrefix("http://localhost/arcgis/admin/jobs/j") == true)
    }

    @Test func anOversizeBodyGetsTheEnvelopeAndNothingIsWritten() throws {
        let h = try Harness()
        let token = try h.token()
        let huge = String(repeating: "d", count: 2 << 20)
        let r = h.post("\(dr)/stores/default/backups/create",
                       [("name", "huge"), ("passcode", "secret123"), ("description", huge), ("f", "json"), ("token", token)])
        #expect(r.status == 413)
        #expect(envelopeCode(h, r) == 413)
        #expect(try h.json(h.get("/arcgis/admin/jobs?f=json&token=\(token)"))["jobs"] as? [String] == [])
        // Just under the limit is fine.
        let big = String(repeating: "d", count: 900_000)
        let ok = h.post("\(dr)/stores/default/backups/create",
                        [("name", "big"), ("passcode", "secret123"), ("description", big), ("f", "json"), ("token", token)])
        #expect(try h.json(ok)["status"] as? String == "SUBMITTED")
    }
}
