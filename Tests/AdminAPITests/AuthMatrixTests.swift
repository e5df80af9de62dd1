import Foundation
import Testing
@testable import AdminAPI

/// Every route of the router's table × every way of coming without the right credentials gets the
/// documented refusal and never data (issue #7). New routes are covered as soon as they join
/// `RouteTables.all`.
@Suite struct AuthMatrixTests {
    /// A concrete path for a route's pattern, naming things that exist so a leak would show data.
    static func path(of route: Route, job: String) -> String {
        var parts: [String] = []
        for segment in route.segments {
            switch segment {
            case .literal(let l): parts.append(l)
            case .param:
                switch parts.last {
                case "stores": parts.append("default")
                case "backups": parts.append("backup_first")
                case "jobs": parts.append(job)
                default: parts.append("x")
                }
            }
        }
        return "/arcgis/" + parts.joined(separator: "/")
    }

    /// The pattern as written in the table, e.g. `admin/jobs/{}`.
    static func pattern(of route: Route) -> String {
        route.segments.map { if case .literal(let l) = $0 { l } else { "{}" } }.joined(separator: "/")
    }

    enum Credential: String, CaseIterable {
        case none, malformed, expired, unprivileged, queryOnlyPOST
    }

    @Test(arguments: [false, true])
    func everyRouteRefusesEveryBadCredential(httpErrorStatus: Bool) throws {
        let h = try Harness(httpErrorStatus: httpErrorStatus)
        let expiring = try h.token()
        // A real job, so `admin/jobs/{job}` names something that exists.
        let created = try h.createBackup(expiring, name: "matrix")
        let job = try #require(created["jobid"] as? String)
        try h.advance(121 * 60_000)   // the first token has expired now (120 minutes, the default)
        let admin = try h.token()
        let viewer = try h.token("viewer", "drmock-viewer-1")
        #expect(try h.json(h.get("/arcgis/admin/jobs/\(job)?f=json&token=\(admin)"))["jobid"] as? String == job)

        var checked = 0
        for route in RouteTables.all {
            let pattern = Self.pattern(of: route)
            if case .open = route.access {
                // Only the token service and the Portal sign-in subset may answer without a token.
                // (Portal's OAuth sign-in form posts to `sharing/oauth2/signin`, outside `sharing/rest/`.)
                #expect(pattern.hasPrefix("sharing/rest/") || pattern == "sharing/oauth2/signin", "route \(route.method) \(pattern) is open")
                continue
            }
            let path = Self.path(of: route, job: job)
            for credential in Credential.allCases {
                let expected: (Int, String)
                var query = ["f=json"], fields = [("f", "json")]
                func give(_ token: String) {
                    if route.method == "GET" { query.append("token=\(token.formEncoded)") } else { fields.append(("token", token)) }
                }
                switch credential {
                case .none:
                    expected = (499, "Token Required")
                case .malformed:
                    expected = (498, "Invalid token.")
                    give("\u{0}\u{FF}\"<not a token>")
                case .expired:
                    expected = (498, "Invalid token.")
                    give(expiring)
                case .unprivileged:
                    guard case .privilege = route.access else { continue }
                    expected = (403, "You do not have permissions to access this resource or perform this operation.")
                    give(viewer)
                case .queryOnlyPOST:
                    guard route.method == "POST" else { continue }
                    expected = (499, "Token Required")
                    query.append("token=\(admin)")
                }
                let target = path + "?" + query.joined(separator: "&")
                let r = route.method == "GET"
                    ? h.get(target)
                    : HTTPClient.request(port: h.port, method: route.method, path: target, body: form(fields))
                let label = "\(route.method) \(pattern) with \(credential)"
                let obj = try h.json(r)
                #expect(Array(obj.keys) == ["error"], "\(label): \(r.body)")
                let e = obj["error"] as? [String: Any]
                #expect(e?["code"] as? Int == expected.0, "\(label): \(r.body)")
                #expect(e?["message"] as? String == expected.1, "\(label): \(r.body)")
                #expect(r.status == (httpErrorStatus ? expected.0 : 200), "\(label)")
                // Nothing of what the route guards leaks into the refusal.
                for secret in ["backup_first", job, "identityKey", "ZHJtb2NrLWRlZmF1bHQtc3RvcmUta2V5", admin, viewer] {
                    #expect(!r.body.contains(secret), "\(label) leaks \(secret)")
                }
                // The HTML rendering refuses the same way.
                let html = route.method == "GET"
                    ? h.get(target.replacingOccurrences(of: "f=json", with: "f=html"))
                    : HTTPClient.request(port: h.port, method: route.method, path: target,
                                         body: form(fields.map { $0.0 == "f" ? ("f", "html") : $0 }))
                if route.method == "GET" && expected.0 != 403 {
                    // The HTML directory sends a browser without a valid session to sign in.
                    #expect(html.status == 303, "\(label) as html")
                    #expect(html.header("Location")?.hasPrefix("/arcgis/admin/login?next=") == true, "\(label) as html")
                } else {
                    #expect(html.body.contains("<h1>Error \(expected.0)</h1>"), "\(label) as html: \(html.body)")
                }
                // (The page may name the requested path, so only what the request did not carry counts.)
                for secret in ["backup_first", job, "ZHJtb2NrLWRlZmF1bHQtc3RvcmUta2V5", admin, viewer, expiring] where !target.contains(secret) {
                    #expect(!html.body.contains(secret), "\(label) as html leaks \(secret)")
                    #expect(html.header("Location")?.contains(secret) != true, "\(label) redirects with \(secret)")
                }
                checked += 1
            }
        }
        // At least every guarded route × its applicable credentials.
        #expect(checked >= 8 * 4 + 1)
    }
}
