import AdminAPI
import DevCertificate
import DisasterRecovery
import Foundation
import Testing

/// Decision 12: the Portal sign-in subset, over real HTTP, with the shapes the ArcGIS API for Python reads.
@Suite struct PortalSignInTests {
    static let sharing = "/arcgis/sharing/rest"
    let sharing = Self.sharing
    let own = "https://127.0.0.1"

    func envelope(_ h: Harness, _ r: HTTPResult) throws -> (code: Int, message: String, details: [String]) {
        let e = try #require(try h.json(r)["error"] as? [String: Any], "no error in \(r.body)")
        return (e["code"] as? Int ?? -1, e["message"] as? String ?? "", try #require(e["details"] as? [String]))
    }

    /// The JSON on the first line of a page that holds a `{`, as the Python client finds it.
    func oAuthInfo(_ page: String) throws -> [String: Any] {
        let line = try #require(page.split(separator: "\n").first { $0.contains("{") }, "no JSON line in \(page)")
        #expect(line.hasPrefix("<script>var oAuthInfo = {"))
        let json = line[try #require(line.firstIndex(of: "{"))...line.lastIndex(of: "}")!]
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    func authorize(_ h: Harness, type: String = "token", redirect: String? = nil, state: String = "client-state-123",
                   expiration: String? = "600", client: String = "pythonapi") -> HTTPResult {
        var q = [("response_type", type), ("client_id", client), ("redirect_uri", redirect ?? own), ("state", state),
                 ("allow_verification", "false"), ("style", "dark"), ("locale", "en-US")]
        if let expiration { q.append(("expiration", expiration)) }
        return h.get("\(sharing)/oauth2/authorize?\(form(q))")
    }

    func oauthState(_ h: Harness, _ r: HTTPResult) throws -> String {
        #expect(r.status == 200)
        #expect(r.header("Content-Type")?.hasPrefix("text/html") == true)
        return try #require(try oAuthInfo(r.body)["oauth_state"] as? String)
    }

    func signIn(_ h: Harness, _ state: String, user: String = "admin", password: String = "drmock-admin-1",
                extra: [(String, String)] = []) -> HTTPResult {
        h.post("/arcgis/sharing/oauth2/signin", [("expiration", "600"), ("oauth_state", state), ("username", user), ("password", password)] + extra)
    }

    /// The fragment (or query) of a redirect as pairs.
    func parameters(_ location: String, after separator: Character) -> [String: String] {
        guard let i = location.firstIndex(of: separator) else { return [:] }
        var out: [String: String] = [:]
        for pair in location[location.index(after: i)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if kv.count == 2 { out[kv[0]] = kv[1] }
        }
        return out
    }

    @Test func infoNamesTheTokenService() throws {
        let h = try Harness()
        let r = h.get("\(sharing)/info?f=json")
        let info = try h.json(r)
        let auth = try #require(info["authInfo"] as? [String: Any])
        #expect(auth["isTokenBasedSecurity"] as? Bool == true)
        #expect(auth["tokenServicesUrl"] as? String == "http://127.0.0.1:\(h.port)/arcgis/sharing/rest/generateToken")
        #expect(info["error"] == nil)
        #expect(r.header("WWW-Authenticate") == nil)
    }

    @Test func implicitFlowRedirectsWithTheTokenAndTheClientsState() throws {
        let h = try Harness()
        let state = try oauthState(h, authorize(h))
        let r = signIn(h, state)
        #expect(r.status == 302)
        let location = try #require(r.header("Location"))
        #expect(location.hasPrefix("\(own)#"))
        let f = parameters(location, after: "#")
        #expect(f["state"] == "client-state-123")
        #expect(f["username"] == "admin")
        #expect(f["expires_in"] == String(600 * 60))
        let token = try #require(f["access_token"])
        let me = try h.json(h.get("\(sharing)/community/self?f=json", headers: [("X-Esri-Authorization", "Bearer \(token)")]))
        #expect(me["username"] as? String == "admin")
        #expect((me["privileges"] as? [String])?.contains("portal:admin:manageSecurity") == true)
        // The token opens the DR endpoints like a generateToken one.
        #expect(try h.json(h.get("\(Harness.dr)/stores?f=json&token=\(token)"))["backupStores"] != nil)
    }

    @Test func oauthStateIsSingleUseAndExpires() throws {
        let h = try Harness()
        let state = try oauthState(h, authorize(h))
        #expect(signIn(h, state).status == 302)
        let again = try envelope(h, signIn(h, state, extra: [("f", "json")]))
        #expect(again.code == 400)
        #expect(again.message == "Invalid oauth_state.")

        let late = try oauthState(h, authorize(h))
        try h.advance(OAuthSessions.authorizationLifetimeMs + 1)
        #expect(try envelope(h, signIn(h, late, extra: [("f", "json")])).message == "Invalid oauth_state.")
        // Without f the refusal is a page that says so.
        let page = signIn(h, "made-up")
        #expect(page.status == 200 && page.body.contains("Invalid oauth_state."))
    }

    @Test func wrongCredentialsShowTheSignInPageAgainWithAFreshState() throws {
        let h = try Harness()
        let state = try oauthState(h, authorize(h))
        let wrong = signIn(h, state, password: "nope")
        #expect(wrong.status == 200)
        let info = try oAuthInfo(wrong.body)
        #expect(info["messages"] as? [String] == ["Invalid username or password."])
        let retry = try #require(info["oauth_state"] as? String)
        #expect(retry != state)
        #expect(signIn(h, state).status == 200)                       // the first state is spent
        let ok = signIn(h, retry)
        #expect(ok.status == 302)
        #expect(parameters(ok.header("Location") ?? "", after: "#")["state"] == "client-state-123")
        // Missing credentials are refused the same way, never with a token.
        let noPassword = h.post("/arcgis/sharing/oauth2/signin", [("oauth_state", try oauthState(h, authorize(h))), ("username", "admin")])
        #expect(try oAuthInfo(noPassword.body)["messages"] as? [String] == ["'password' must be specified."])
    }

    @Test func authorizeChecksItsParameters() throws {
        let h = try Harness()
        #expect(authorize(h, redirect: "https://www.arcgis.com").body.contains("Invalid redirect_uri"))
        #expect(authorize(h, redirect: "https://evil.example@127.0.0.1").body.contains("Invalid redirect_uri"))
        #expect(authorize(h, redirect: "ftp://127.0.0.1").body.contains("Invalid redirect_uri"))
        #expect(try oauthState(h, authorize(h, redirect: "urn:ietf:wg:oauth:2.0:oob")).count > 20)
        #expect(try oauthState(h, authorize(h, redirect: "http://localhost:8080/callback?x=1")).count > 20)
        #expect(authorize(h, type: "id_token").body.contains("Invalid response_type"))
        #expect(authorize(h, client: "bad id!").body.contains("Invalid client_id"))
        let json = try envelope(h, h.get("\(sharing)/oauth2/authorize?f=json&response_type=token&redirect_uri=\(own)"))
        #expect(json.message == "Missing required parameter 'client_id'.")
        // The page's values cannot break out of its script element.
        let tricky = try oauthState(h, authorize(h, state: "</script><script>alert(1)</script>"))
        #expect(!tricky.isEmpty)
    }

    @Test func codeFlowOutOfBandThenTokenOnce() throws {
        let h = try Harness()
        let oob = "urn:ietf:wg:oauth:2.0:oob"
        let state = try oauthState(h, authorize(h, type: "code", redirect: oob, expiration: "20160"))
        let page = signIn(h, state, extra: [("authorize", "True")])
        #expect(page.status == 200)
        let code = try successCode(page)
        let exchange = [("grant_type", "authorization_code"), ("client_id", "pythonapi"), ("code", code),
                        ("redirect_uri", oob), ("expiration", "20160")]
        let wrongRedirect = try envelope(h, h.post("\(sharing)/oauth2/token", exchange.map { $0.0 == "redirect_uri" ? ($0.0, own) : $0 }))
        #expect(wrongRedirect.message == "Invalid authorization code.")
        // That attempt spent the code.
        #expect(try envelope(h, h.post("\(sharing)/oauth2/token", exchange)).code == 400)

        let state2 = try oauthState(h, authorize(h, type: "code", redirect: oob))
        let code2 = try successCode(signIn(h, state2, extra: [("authorize", "True")]))
        let r = h.post("\(sharing)/oauth2/token", exchange.map { $0.0 == "code" ? ($0.0, code2) : $0 })
        #expect(r.header("Content-Type")?.hasPrefix("application/json") == true)  // JSON without f
        let t = try h.json(r)
        #expect(t["expires_in"] as? Int == 20160 * 60)
        #expect(t["username"] as? String == "admin")
        let token = try #require(t["access_token"] as? String)
        #expect(try h.json(h.get("\(sharing)/portals/self?f=json&token=\(token)"))["portalName"] != nil)
        #expect(try envelope(h, h.post("\(sharing)/oauth2/token", exchange.map { $0.0 == "code" ? ($0.0, code2) : $0 })).code == 400)
        #expect(try envelope(h, h.post("\(sharing)/oauth2/token", [("grant_type", "password"), ("f", "json")])).message == "Invalid grant_type")
    }

    func successCode(_ page: HTTPResult) throws -> String {
        let title = try #require(page.body.range(of: "<title>SUCCESS code="), "no SUCCESS title in \(page.body)").upperBound
        return String(page.body[title...].prefix { $0 != "<" })
    }

    @Test func codeFlowWithAWebRedirect() throws {
        let h = try Harness()
        let state = try oauthState(h, authorize(h, type: "code", redirect: "http://localhost:9/cb"))
        let r = signIn(h, state)
        #expect(r.status == 302)
        let q = parameters(r.header("Location") ?? "", after: "?")
        #expect(q["state"] == "client-state-123")
        #expect(q["code"] != nil)
        #expect(r.header("Location")?.hasPrefix("http://localhost:9/cb?code=") == true)
    }

    @Test func tokenLifetimesFollowGenerateTokensRules() throws {
        let h = try Harness()
        func expiresIn(_ expiration: String?) throws -> String? {
            let r = signIn(h, try oauthState(h, authorize(h, expiration: expiration)), extra: [])
            return parameters(r.header("Location") ?? "", after: "#")["expires_in"]
        }
        // The sign-in form's expiration (600 here) wins over authorize's; without any, 7200 s.
        #expect(try expiresIn("5") == "36000")
        let bare = h.post("/arcgis/sharing/oauth2/signin", [("oauth_state", try oauthState(h, authorize(h, expiration: nil))),
                                                           ("username", "admin"), ("password", "drmock-admin-1")])
        #expect(parameters(bare.header("Location") ?? "", after: "#")["expires_in"] == "7200")
        let short = h.post("/arcgis/sharing/oauth2/signin", [("oauth_state", try oauthState(h, authorize(h, expiration: "1"))),
                                                            ("username", "admin"), ("password", "drmock-admin-1")])
        #expect(parameters(short.header("Location") ?? "", after: "#")["expires_in"] == "60")  // as short as asked: Esri documents no minimum
        let long = h.post("/arcgis/sharing/oauth2/signin", [("oauth_state", try oauthState(h, authorize(h, expiration: "-1"))),
                                                           ("username", "admin"), ("password", "drmock-admin-1")])
        #expect(parameters(long.header("Location") ?? "", after: "#")["expires_in"] == String(20160 * 60))
    }

    @Test func portalSelfAndUsers() throws {
        let h = try Harness()
        let admin = try h.token(), viewer = try h.token("viewer", "drmock-viewer-1")
        let bearer = [("X-Esri-Authorization", "Bearer \(admin)")]
        for r in [h.get("\(sharing)/portals/self?f=json", headers: bearer), h.post("\(sharing)/portals/self", [("f", "json")], headers: bearer)] {
            let p = try h.json(r)
            #expect(p["portalName"] as? String == "ArcGIS Enterprise")
            #expect(p["portalDeploymentType"] as? String == "ArcGISEnterpriseOnKubernetes")
            #expect((p["user"] as? [String: Any])?["username"] as? String == "admin")
        }
        #expect(try envelope(h, h.get("\(sharing)/portals/self?f=json")).code == 499)
        #expect(try envelope(h, h.get("\(sharing)/community/self?f=json&token=nope")).code == 498)

        let v = try h.json(h.get("\(sharing)/community/self?f=json&returnUserLicensedItems=true&token=\(viewer)"))
        #expect(v["username"] as? String == "viewer")
        #expect(v["role"] as? String == "org_user")
        #expect((v["privileges"] as? [String])?.contains { $0.contains(":admin:") } == false)

        let seenByAdmin = try h.json(h.get("\(sharing)/community/users/viewer?f=json&token=\(admin)"))
        #expect(seenByAdmin["privileges"] as? [String] == ["portal:user:viewOrgItems"])
        let seenByViewer = try h.json(h.get("\(sharing)/community/users/admin?f=json&token=\(viewer)"))
        #expect(seenByViewer["username"] as? String == "admin")
        #expect(seenByViewer["privileges"] == nil)
        let unknown = try envelope(h, h.get("\(sharing)/community/users/nobody?f=json&token=\(admin)"))
        #expect(unknown.code == 400 && unknown.message == "User not found.")

        let roles = try h.json(h.post("\(sharing)/portals/self/roles", [("f", "json"), ("start", "1"), ("num", "100"), ("token", admin)]))
        #expect(roles["total"] as? Int == 0)
        #expect((roles["roles"] as? [Any])?.isEmpty == true)
        #expect(roles["nextStart"] as? Int == -1)

        // An expired token is refused here as everywhere (and sign-in pages stay open).
        try h.advance(Int64(Deployment.defaultTokenMinutes) * 60_000)
        #expect(try envelope(h, h.get("\(sharing)/community/self?f=json&token=\(admin)")).code == 498)
        #expect(authorize(h).status == 200)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
    func servesHTTPSWithADevelopmentCertificateThatVerifies() throws {
        let pair = try DevelopmentCertificate.make()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drmock-tls-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let paths = try pair.write(to: dir)
        let keyMode = try FileManager.default.attributesOfItem(atPath: paths.key)[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let fixture = try FixtureLocator.load(Harness.root + "/fixtures/default.json")
        let server = try DRMockServer(options: .init(port: 0, databasePath: ":memory:", fixture: fixture, clockMode: .manual,
                                                     threads: 2, tls: .init(certificatePEM: pair.certificatePEM, keyPEM: pair.keyPEM)))
        try server.start()
        defer { server.stop() }
        #expect(server.baseURL.hasPrefix("https://"))
        for host in ["localhost", "127.0.0.1"] {
            let out = try curl(["-s", "--cacert", paths.certificate, "https://\(host):\(server.port)/arcgis/sharing/rest/info?f=json"])
            #expect(out.status == 0, "curl exit \(out.status) for \(host)")
            #expect(out.output.contains("\"tokenServicesUrl\":\"https://\(host):\(server.port)/arcgis/sharing/rest/generateToken\""))
        }
        // Another certificate is not trusted for this server.
        let other = try DevelopmentCertificate.make().write(to: dir + "/other")
        #expect(try curl(["-s", "--cacert", other.certificate, "https://localhost:\(server.port)/arcgis/sharing/rest/info"]).status != 0)
    }

    func curl(_ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
