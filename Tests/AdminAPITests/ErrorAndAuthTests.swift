import DisasterRecovery
import Foundation
import Testing

/// Every refusal of tokens, sign-in and parameters, over real HTTP, with the envelope of decision 1.
@Suite struct ErrorAndAuthTests {
    let dr = Harness.dr

    func envelope(_ h: Harness, _ r: HTTPResult) throws -> (code: Int, message: String, details: [String]) {
        let e = try #require(try h.json(r)["error"] as? [String: Any], "no error in \(r.body)")
        return (e["code"] as? Int ?? -1, e["message"] as? String ?? "", try #require(e["details"] as? [String]))
    }

    @Test func tokenRules() throws {
        let h = try Harness()
        let admin = try h.token()
        let viewer = try h.token("viewer", "drmock-viewer-1")
        let status = "\(dr)/status?f=json"

        let none = try envelope(h, h.get(status))
        #expect(none.code == 499)
        #expect(none.message == "Token Required")
        #expect(try envelope(h, h.get(status + "&token=garbage")).code == 498)
        #expect(try envelope(h, h.get(status + "&token=garbage")).message.contains("Invalid token"))
        #expect(try envelope(h, h.get(status + "&token=\(viewer)")).code == 403)

        // Headers: X-Esri-Authorization (ArcGIS API for Python) and Authorization (Esri's CLI).
        #expect(try h.json(h.get(status, headers: [("X-Esri-Authorization", "Bearer \(admin)")]))["status"] != nil)
        #expect(try h.json(h.get(status, headers: [("Authorization", "Bearer \(admin)")]))["status"] != nil)
        #expect(try envelope(h, h.get(status, headers: [("Authorization", "Basic abc")])).code == 499)

        // A POST with its token only in the query string is refused; in the body or a header it is fine.
        let create = "\(dr)/stores/default/backups/create"
        let fields = [("name", "q1"), ("passcode", "secret123"), ("f", "json")]
        let inQuery = try envelope(h, h.post(create + "?token=\(admin)", fields))
        #expect(inQuery.code == 499)
        #expect(inQuery.details.first?.contains("request body") == true)
        #expect(try h.json(h.post(create, fields, headers: [("X-Esri-Authorization", "Bearer \(admin)")]))["jobid"] is String)

        // An expired token: 498 once the clock passes its expiry.
        try h.advance(Int64(Deployment.defaultTokenMinutes) * 60_000)
        #expect(try envelope(h, h.get(status + "&token=\(admin)")).code == 498)
    }

    @Test func signInFailures() throws {
        let h = try Harness()
        let url = "/arcgis/sharing/rest/generateToken"
        let wrong = try envelope(h, h.post(url, [("username", "admin"), ("password", "nope"), ("f", "json")]))
        #expect(wrong.code == 400)
        #expect(wrong.message == "Unable to generate token.")
        #expect(wrong.details == ["Invalid username or password."])
        #expect(try envelope(h, h.post(url, [("password", "x"), ("f", "json")])).details == ["'username' must be specified."])
        #expect(try envelope(h, h.post(url, [("username", "admin"), ("f", "json")])).details == ["'password' must be specified."])
        #expect(try envelope(h, h.post(url, [("username", "admin"), ("password", "drmock-admin-1"), ("client", "referer"), ("f", "json")])).details
                == ["'referer' must be specified."])
        #expect(try envelope(h, h.post(url, [("username", "admin"), ("password", "drmock-admin-1"), ("expiration", "soon"), ("f", "json")])).code == 400)
        #expect(try envelope(h, h.get(url + "?username=admin&password=drmock-admin-1&f=json")).code == 405)
    }

    @Test func notFoundAndWrongMethod() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(try envelope(h, h.get("\(dr)/stores/nope/backups?f=json&token=\(t)")).message == "The backup store 'nope' does not exist.")
        #expect(try envelope(h, h.get("\(dr)/stores/default/backups/nope?f=json&token=\(t)")).code == 404)
        #expect(try envelope(h, h.get("/arcgis/admin/jobs/jnope?f=json&token=\(t)")).message == "The job 'jnope' does not exist.")
        #expect(try envelope(h, h.get("/arcgis/admin/nothing/here?f=json&token=\(t)")).code == 404)
        // A context that is not a valid name is not a resource; a valid new one is its own deployment
        // (made on first use), where this context's token is unknown.
        #expect(try envelope(h, h.get("/other.context/admin/jobs?f=json&token=\(t)")).code == 404)
        #expect(try envelope(h, h.get("/othercontext/admin/jobs?f=json&token=\(t)")).code == 498)
        #expect(try envelope(h, h.get("\(dr)/stores/default/backups/create?f=json&token=\(t)")).code == 405)
        #expect(try envelope(h, h.post("\(dr)/status", [("f", "json"), ("token", t)])).code == 405)
        #expect(try envelope(h, HTTPClient.request(port: h.port, method: "DELETE", path: "/arcgis/admin/jobs?f=json&token=\(t)")).code == 405)
    }

    @Test func badParametersAndConflicts() throws {
        let h = try Harness()
        let t = try h.token()
        let create = "\(dr)/stores/default/backups/create"
        let short = try envelope(h, h.post(create, [("name", "b"), ("passcode", "1234567"), ("f", "json"), ("token", t)]))
        #expect(short.code == 400)
        #expect(short.message.contains("at least 8 characters"))
        let noName = try envelope(h, h.post(create, [("passcode", "12345678"), ("f", "json"), ("token", t)]))
        #expect(noName.code == 400)
        #expect(noName.message.contains("'name'"))
        #expect(try envelope(h, h.post(create, [("name", "None"), ("passcode", "12345678"), ("f", "json"), ("token", t)])).code == 400)
        #expect(try envelope(h, h.post(create, [("name", "b"), ("passcode", "12345678"), ("retentionDate", "tomorrow"), ("f", "json"), ("token", t)])).code == 400)
        #expect(try envelope(h, h.post(create, [("name", "b"), ("passcode", "12345678"), ("retentionDate", "-5"), ("f", "json"), ("token", t)])).code == 400)
        #expect(try envelope(h, h.post("\(dr)/stores/nope/backups/create", [("name", "b"), ("passcode", "12345678"), ("f", "json"), ("token", t)])).code == 404)
        #expect(try envelope(h, h.post(create, [("name", "backup_first"), ("passcode", "12345678"), ("f", "json"), ("token", t)])).code == 409)
        // Nothing of the refused requests was kept.
        #expect(try h.json(h.get("/arcgis/admin/jobs?f=json&token=\(t)"))["jobs"] as? [String] == [])

        // description=None and retentionDate=None are "not given" (decision 8).
        let ok = try h.json(h.post(create, [("name", "b"), ("passcode", "12345678"), ("description", "None"), ("retentionDate", "None"), ("f", "json"), ("token", t)]))
        #expect(ok["status"] as? String == "SUBMITTED")
        let busy = try envelope(h, h.post(create, [("name", "c"), ("passcode", "12345678"), ("f", "json"), ("token", t)]))
        #expect(busy.code == 409)
        #expect(busy.message == "Another disaster recovery job is already running.")
    }

    @Test func errorsComeWithHTTP200UnlessAskedOtherwise() throws {
        let h = try Harness()
        #expect(h.get("\(dr)/status?f=json").status == 200)
        let strict = try Harness(httpErrorStatus: true)
        #expect(strict.get("\(dr)/status?f=json").status == 499)
        #expect(strict.get("\(dr)/status?f=json&token=bad").status == 498)
        #expect(strict.get("/arcgis/nothing?f=json").status == 404)
    }

    @Test func htmlEscapesUserInput() throws {
        let h = try Harness()
        let t = try h.token()
        #expect(try h.createBackup(t, name: "<img src=x onerror=alert(1)>")["jobid"] is String)
        try h.advance(10 * 60_000)
        let page = h.get("\(dr)/stores/default/backups?token=\(t)")
        #expect(page.body.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!page.body.contains("<img"))
    }

    /// Portal's documented lifetimes: 120 minutes by default, at most 20160 (longer requests get the
    /// maximum), and no minimum (a one-minute token lives one minute).
    /// https://enterprise.arcgis.com/en/portal/11.4/administer/windows/specify-the-default-token-expiration-time.htm
    @Test func tokenLifetimesFollowPortalsDocuments() throws {
        let h = try Harness()
        func expires(_ expiration: String?) throws -> Int64 {
            var fields = [("username", "admin"), ("password", "drmock-admin-1"), ("f", "json")]
            if let expiration { fields.append(("expiration", expiration)) }
            let body = try h.json(h.post("/arcgis/sharing/rest/generateToken", fields))
            return Int64(try #require(body["expires"] as? Int)) - h.clock.now()
        }
        #expect(try expires(nil) == 120 * 60_000)
        #expect(try expires("1") == 60_000)
        #expect(try expires("30") == 30 * 60_000)
        #expect(try expires("100000") == 20160 * 60_000)
        #expect(try expires("0") == 120 * 60_000)
        let short = try #require(try h.json(h.post("/arcgis/sharing/rest/generateToken",
            [("username", "admin"), ("password", "drmock-admin-1"), ("expiration", "1"), ("f", "json")]))["token"] as? String)
        try h.advance(60_000)
        #expect(try envelope(h, h.get("\(Harness.dr)/status?f=json&token=\(short)")).code == 498)
    }
}
