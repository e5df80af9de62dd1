import DisasterRecovery
import HTTPServer

/// Decision 12: the part of Portal's `sharing/rest` that a client such as the ArcGIS API for Python
/// needs to sign in and to find out who it is: `info`, the OAuth 2 implicit and authorization-code
/// flows (`oauth2/authorize`, `oauth2/signin`, `oauth2/token`), `portals/self`, `community/self`,
/// `community/users/<u>` and `portals/self/roles`. Backed by the fixture's users and privileges and
/// by the same password check and token store as `generateToken`.
enum PortalRoutes {
    static let all: [Route] = [
        Route("GET", "sharing/rest/info", access: .open, title: "Info", info),
        Route.page("GET", "sharing/rest/oauth2/authorize", access: .open, title: "Sign In", authorize),
        Route.page("POST", "sharing/oauth2/signin", access: .open, title: "Sign In", signIn),
        Route("POST", "sharing/rest/oauth2/token", access: .open, title: "Token", token).answeringJSONByDefault,
    ] + getAndPost("sharing/rest/portals/self", title: "Portal Self", portalSelf)
      + getAndPost("sharing/rest/community/self", title: "User", communitySelf)
      + getAndPost("sharing/rest/community/users/{user}", title: "User", communityUser)
      + getAndPost("sharing/rest/portals/self/roles", title: "Roles", roles)

    /// Portal answers its resources to GET and POST alike (the Python client POSTs `portals/self`).
    private static func getAndPost(_ pattern: String, title: String, _ handler: @escaping @Sendable (Call) throws -> JSONValue) -> [Route] {
        ["GET", "POST"].map { Route($0, pattern, access: .signedIn, title: title, handler) }
    }

    /// The redirect URI for clients without a web page of their own (the code is shown in the page title).
    static let outOfBand = "urn:ietf:wg:oauth:2.0:oob"

    // MARK: - Resources

    /// `GET sharing/rest/info`: where to get tokens.
    @Sendable static func info(_ call: Call) -> JSONValue {
        let base = "\(call.origin)/\(call.context)"
        return [
            "owningSystemUrl": .string(base),
            "authInfo": ["tokenServicesUrl": .string("\(base)/sharing/rest/generateToken"), "isTokenBasedSecurity": true],
        ]
    }

    /// `portals/self`: the organization as the signed-in user sees it. `portalDeploymentType` is what
    /// makes clients treat drmock as ArcGIS Enterprise on Kubernetes.
    @Sendable static func portalSelf(_ call: Call) throws -> JSONValue {
        let user = try signedInUser(call)
        return [
            "portalName": "ArcGIS Enterprise",
            "portalDeploymentType": "ArcGISEnterpriseOnKubernetes",
            "portalMode": "singletenant",
            "isPortal": true,
            "allSSL": .bool(call.request.isTLS),
            "user": profile(user, roles: customRoles(call.deployment), full: true),
        ]
    }

    /// `community/self`: the signed-in user with role and privileges.
    @Sendable static func communitySelf(_ call: Call) throws -> JSONValue {
        profile(try signedInUser(call), roles: customRoles(call.deployment), full: true)
    }

    /// `community/users/<u>`: one user. Role and privileges are shown to the user themself and to
    /// users holding an administrative privilege; others see the name only.
    @Sendable static func communityUser(_ call: Call) throws -> JSONValue {
        let caller = try signedInUser(call)
        let name = call.pathParameter("user")
        guard let user = call.deployment.users().first(where: { $0.username == name }) else { throw AdminError.unknownUser(name) }
        let full = user.username == caller.username || caller.privileges.contains { $0.contains(":admin:") }
        return profile(user, roles: customRoles(call.deployment), full: full)
    }

    /// `portals/self/roles`: the organization's custom roles, that is the fixture's role names other
    /// than Portal's built-in ones, each with the privileges of its first user.
    @Sendable static func roles(_ call: Call) throws -> JSONValue {
        let all = customRoles(call.deployment)
        let start = max(1, Int(try call.integer("start") ?? 1))
        let num = min(100, max(0, Int(try call.integer("num") ?? 10)))
        let page = all.dropFirst(start - 1).prefix(num)
        let next = start - 1 + page.count < all.count ? start + page.count : -1
        return [
            "total": .int(Int64(all.count)), "start": .int(Int64(start)), "num": .int(Int64(num)),
            "nextStart": .int(Int64(next)),
            "roles": .array(page.map { r in
                ["id": .string(r.name), "name": .string(r.name), "description": "", "privileges": JSONValue(r.privileges)]
            }),
        ]
    }

    static let builtInRoles: Set<String> = ["org_admin", "org_publisher", "org_user", "org_viewer", "account_admin", "account_publisher", "account_user"]

    static func customRoles(_ deployment: Deployment) -> [(name: String, privileges: [String])] {
        var seen: Set<String> = []
        var out: [(name: String, privileges: [String])] = []
        for u in deployment.users() where !builtInRoles.contains(u.role) && seen.insert(u.role).inserted {
            out.append((u.role, u.privileges))
        }
        return out
    }

    static func profile(_ user: User, roles: [(name: String, privileges: [String])], full: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("username", .string(user.username))]
        if full {
            if roles.contains(where: { $0.name == user.role }) {
                // A custom role: Portal names the template it is based on, and the role by id.
                let base = user.privileges.contains { $0.contains(":admin:") } ? "org_admin"
                    : user.privileges.contains { $0.contains(":publisher:") } ? "org_publisher" : "org_user"
                pairs += [("role", .string(base)), ("roleId", .string(user.role))]
            } else {
                pairs.append(("role", .string(user.role)))
            }
            pairs += [("privileges", JSONValue(user.privileges)), ("provider", "arcgis")]
        }
        return .object(pairs)
    }

    private static func signedInUser(_ call: Call) throws -> User {
        guard let user = call.user else { throw AdminError.tokenRequired() }
        return user
    }

    // MARK: - OAuth 2

    /// `GET sharing/rest/oauth2/authorize`: checks the request, remembers it, and shows the sign-in page,
    /// whose `oAuthInfo` carries the `oauth_state` that `oauth2/signin` needs.
    @Sendable static func authorize(_ call: Call) throws -> Response {
        let clientID = try call.required("client_id")
        guard clientID.count <= 64, clientID.utf8.allSatisfy(isIDCharacter) else { throw AdminError.invalidClientID(clientID) }
        guard let responseType = OAuthSessions.ResponseType(rawValue: try call.required("response_type")) else {
            throw AdminError.unsupportedResponseType()
        }
        let redirectURI = try call.required("redirect_uri")
        try checkRedirectURI(redirectURI, call)
        let expiration = try expirationMinutes(call)
        let state = call.param("state")
        if let state, state.utf8.count > 512 { throw AdminError.invalidParameter("state", "'state' has at most 512 characters.") }
        let oauthState = call.deployment.beginSignIn(.init(
            clientID: clientID, redirectURI: redirectURI, responseType: responseType, state: state, expirationMinutes: expiration))
        return signInPage(call, oauthState: oauthState, clientID: clientID, expiration: expiration, messages: [])
    }

    /// `POST sharing/oauth2/signin`: checks the credentials for an `oauth_state` (used once). Implicit
    /// flow: a 302 to the redirect URI with `access_token`, `expires_in`, `username` and the client's
    /// `state` in the fragment. Code flow: a 302 with `code` in the query, or for the out-of-band
    /// redirect URI a page titled `SUCCESS code=<code>`. Wrong credentials: the sign-in page again
    /// (HTTP 200) with the message in `oAuthInfo.messages` and a fresh `oauth_state`.
    @Sendable static func signIn(_ call: Call) throws -> Response {
        // The directory offers a form for a GET on an operation; a sign-in only takes a POSTed form.
        guard call.request.method == "POST" else { throw AdminError.methodNotAllowed(call.request.method, allowed: ["POST"]) }
        let oauthState = try call.required("oauth_state")
        let expiration = try expirationMinutes(call)
        // Credentials only from the form body, never from the URL.
        let username = call.request.formValue("username").flatMap { $0.isEmpty ? nil : $0 }
        let password = call.request.formValue("password").flatMap { $0.isEmpty ? nil : $0 }
        let result: Deployment.SignInResult
        do {
            result = try call.deployment.signIn(oauthState: oauthState, username: username, password: password, expirationMinutes: expiration)
        } catch let refused as Deployment.SignInRefusal {
            return signInPage(call, oauthState: refused.retryState, clientID: refused.authorization.clientID,
                              expiration: refused.authorization.expirationMinutes,
                              messages: [refused.error.detailList.first ?? refused.error.message])
        }
        switch result {
        case .token(let grant, let username, let authorization):
            var fragment = [("access_token", grant.token), ("expires_in", String(secondsLeft(grant, call))),
                            ("username", username), ("ssl", String(call.request.isTLS))]
            if let s = authorization.state { fragment.append(("state", s)) }
            return redirect(to: authorization.redirectURI + "#" + formEncode(fragment))
        case .code(let code, let authorization):
            if authorization.redirectURI == outOfBand {
                return Response(status: 200, headers: Format.htmlHeaders, body: Array("""
                    <!DOCTYPE html>
                    <html lang="en"><head><meta charset="utf-8"><title>SUCCESS code=\(code)</title></head>
                    <body><p>Signed in. Copy this code into your application:</p><pre>\(code)</pre></body></html>
                    """.utf8))
            }
            var query = [("code", code)]
            if let s = authorization.state { query.append(("state", s)) }
            let separator = authorization.redirectURI.contains("?") ? "&" : "?"
            return redirect(to: authorization.redirectURI + separator + formEncode(query))
        }
    }

    /// `POST sharing/rest/oauth2/token` with `grant_type=authorization_code`: a code for a token.
    /// Answers JSON even without `f`, as OAuth clients send none.
    @Sendable static func token(_ call: Call) throws -> JSONValue {
        guard try call.required("grant_type") == "authorization_code" else { throw AdminError.unsupportedGrantType() }
        let (grant, username) = try call.deployment.redeemAuthorizationCode(
            try call.required("code"), clientID: try call.required("client_id"),
            redirectURI: try call.required("redirect_uri"), expirationMinutes: try expirationMinutes(call))
        return [
            "access_token": .string(grant.token), "expires_in": .int(secondsLeft(grant, call)),
            "username": .string(username), "ssl": .bool(call.request.isTLS),
        ]
    }

    // MARK: - Helpers

    /// `expiration` in minutes; -1 (Portal's "the longest allowed") means the maximum.
    private static func expirationMinutes(_ call: Call) throws -> Int? {
        guard let minutes = try call.integer("expiration") else { return nil }
        if minutes == -1 { return 20160 }
        guard minutes > 0 else { throw AdminError.invalidParameter("expiration", "'expiration' is a number of minutes, at least 1.") }
        return Int(clamping: minutes)
    }

    private static func secondsLeft(_ grant: TokenGrant, _ call: Call) -> Int64 {
        max(0, (grant.expires - call.deployment.clock.now()) / 1000)
    }

    private static func isIDCharacter(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 95 || c == 46
    }

    /// Accepted: the out-of-band URI, and http(s) URLs on the host the client addressed drmock by or
    /// on a loopback name (no user info, no fragment). Anything else is "Invalid redirect_uri", so a
    /// token never travels to a site other than the caller's own.
    static func checkRedirectURI(_ uri: String, _ call: Call) throws {
        if uri == outOfBand { return }
        guard uri.utf8.count <= 2048, !uri.contains("#") else {
            throw AdminError.invalidRedirectURI("redirect_uri must not hold a fragment.")
        }
        let lower = uri.lowercased()
        guard let scheme = ["https://", "http://"].first(where: { lower.hasPrefix($0) }) else {
            throw AdminError.invalidRedirectURI("redirect_uri must be '\(outOfBand)' or an http(s) URL.")
        }
        let authority = lower.dropFirst(scheme.count).prefix { $0 != "/" && $0 != "?" }
        guard !authority.contains("@") else { throw AdminError.invalidRedirectURI("redirect_uri must not hold user info.") }
        let host = hostName(String(authority))
        let own = hostName((call.request.header("host") ?? "").lowercased())
        guard host == own || ["localhost", "127.0.0.1", "[::1]"].contains(host) else {
            throw AdminError.invalidRedirectURI("redirect_uri must point to this host or a loopback address, not '\(host.prefix(128))'.")
        }
    }

    /// `host[:port]` → `host` (IPv6 literals keep their brackets).
    private static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") { return String(authority[...end]) }
        return String(authority.prefix { $0 != ":" })
    }

    private static func redirect(to location: String) -> Response {
        Response(status: 302, headers: [("Location", location), ("Cache-Control", "no-store"), ("Content-Type", "text/plain; charset=utf-8")],
                 body: Array("Redirecting.\n".utf8))
    }

    /// The sign-in page. Its first line holding a `{` is the one-line `var oAuthInfo = {...};` that
    /// clients parse (the Python client takes the first `{...}` of any line).
    static func signInPage(_ call: Call, oauthState: String, clientID: String, expiration: Int?, messages: [String]) -> Response {
        var info: [(String, JSONValue)] = [("oauth_state", .string(oauthState)), ("client_id", .string(clientID))]
        if let expiration { info.append(("expiration", .int(Int64(expiration)))) }
        info.append(("messages", JSONValue(messages)))
        // `<` escaped so that no value can close the script element.
        let json = JSONValue.object(info).serializedString().replacingAll("<", with: "\\u003c")
        let action = HTML.escape("/\(call.context)/sharing/oauth2/signin")
        let page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Sign In - drmock</title></head>
            <body>
            <script>var oAuthInfo = \(json);</script>
            <h1>Sign in to ArcGIS Enterprise (drmock)</h1>
            \(messages.map { "<p role=\"alert\">\(HTML.escape($0))</p>" }.joined(separator: "\n"))
            <form method="post" action="\(action)">
            <input type="hidden" name="oauth_state" value="\(HTML.escape(oauthState))">
            <p><label>Username <input name="username" autocomplete="username" required></label></p>
            <p><label>Password <input type="password" name="password" autocomplete="current-password" required></label></p>
            <p><button type="submit">Sign In</button></p>
            </form>
            </body></html>
            """
        return Response(status: 200, headers: Format.htmlHeaders, body: Array(page.utf8))
    }

    /// `application/x-www-form-urlencoded` text of the pairs (also the fragment format of OAuth 2).
    static func formEncode(_ pairs: [(String, String)]) -> String {
        URLEncoding.encodePairs(pairs)
    }
}

extension Route {
    /// A route that answers a whole HTTP response (a page, a redirect) instead of a JSON resource.
    /// Errors it throws are still rendered as the error envelope or page.
    static func page(_ method: String, _ pattern: String, access: Access, title: String,
                     _ body: @escaping @Sendable (Call) throws -> Response) -> Route {
        Route(method, pattern, access: access, title: title, answer: .page(body))
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for ch in self { if ch == target { out += replacement } else { out.append(ch) } }
        return out
    }
}

extension Route {
    /// This route, answering JSON when the request names no `f`.
    var answeringJSONByDefault: Route { var r = self; r.jsonByDefault = true; return r }
}
