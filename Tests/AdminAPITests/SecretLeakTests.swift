import Foundation
import Testing

/// Secrets a client sends never come back (issue #7): not in answers, error messages, the HTML
/// pages, the control plane's journal or its catalog dump; and sign-in takes as long for an unknown
/// user as for a wrong password.
@Suite struct SecretLeakTests {
    let dr = Harness.dr

    @Test func sentSecretsNeverComeBack() throws {
        let h = try Harness()
        let token = try h.token()
        let wrongPassword = "wrong-password-5c1f"
        let passcode = "backup-passcode-3e7a"
        let wrongPasscode = "not-the-passcode-9b2d"
        var answers: [String] = []
        /// HTML pages asked for with `?token=` carry it on in their links and forms, as ArcGIS's own
        /// directory does (`Referrer-Policy: same-origin` keeps it from other sites): not counted.
        var htmlPages: Set<Int> = []
        func keep(_ r: HTTPResult) {
            if r.header("Content-Type")?.hasPrefix("text/html") == true {
                #expect(r.header("Referrer-Policy") == "same-origin")
                htmlPages.insert(answers.count)
            }
            answers.append(r.body)
            answers += r.headers.map { "\($0.0): \($0.1)" }
        }
        // Wrong credentials, in the body and (wrongly) in the query of a POST.
        keep(h.post("/arcgis/sharing/rest/generateToken", [("username", "admin"), ("password", wrongPassword), ("f", "json")]))
        keep(h.post("/arcgis/sharing/rest/generateToken?password=\(wrongPassword)&username=admin&f=json", []))
        keep(h.post("/arcgis/sharing/rest/generateToken", [("username", wrongPassword), ("password", wrongPassword), ("f", "html")]))
        // A backup with a passcode, then a restore with the wrong one, as JSON and as HTML.
        keep(h.post("\(dr)/stores/default/backups/create", [("name", "leak"), ("passcode", passcode), ("f", "json"), ("token", token)]))
        try h.advance(10 * 60_000)
        for f in ["json", "html"] {
            keep(h.post("\(dr)/stores/default/backups/leak/restore", [("passcode", wrongPasscode), ("f", f), ("token", token)]))
            keep(h.get("\(dr)/stores/default/backups/leak?f=\(f)&token=\(token)"))
            keep(h.get("/arcgis/admin/jobs?f=\(f)&token=\(token)"))
        }
        let created = try h.getJSON("/arcgis/admin/jobs", token)["jobs"] as? [String] ?? []
        for id in created { keep(h.get("/arcgis/admin/jobs/\(id)?f=json&token=\(token)")) }
        // The control plane's views.
        keep(h.get("/_mock/requests?token=\(token)"))
        keep(h.get("/_mock/state?token=\(token)"))
        let all = answers.joined(separator: "\n")
        #expect(all.contains("leak"))   // the answers were real
        for secret in [wrongPassword, passcode, wrongPasscode, "drmock-admin-1"] {
            #expect(!all.contains(secret), "\(secret) came back")
        }
        // The token itself appears only where it was handed out (generateToken), never in a view.
        for (i, answer) in answers.enumerated() where !answer.contains("\"expires\"") && !htmlPages.contains(i) {
            #expect(!answer.contains(token), "answer \(i) shows the token: \(answer.prefix(2000))")
        }
    }
}
