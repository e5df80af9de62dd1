import DisasterRecovery

/// The frame of every directory page: head (drmock's own stylesheet and script, nothing from
/// elsewhere), top bar with the signed-in user and sign-out, breadcrumbs, footer.
struct HTMLLayout {
    let context: String
    /// Who is signed in, shown with a sign-out button.
    var username: String? = nil
    /// The token the page acts with, for the page's script (live status, quick backup).
    var token: String? = nil
    /// Footer facts: release and the emulated clock.
    var release: String? = nil
    var now: Int64? = nil

    var home: String { "/\(context)/admin" }

    func page(title: String, crumbs: String?, main: String) -> String {
        let (before, after) = frame(title: title, crumbs: crumbs)
        return before + main + after
    }

    /// The page around its `<main>` content: what comes before it and what comes after it (a page
    /// streamed in pieces writes its content between the two).
    func frame(title: String, crumbs: String?) -> (before: String, after: String) {
        let e = HTML.escape
        var head = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title)) - drmock</title>
            <link rel="stylesheet" href="\(home)/_assets/drmock.css">
            <script src="\(home)/_assets/drmock.js" defer></script>

            """
        if let token { head += "<meta name=\"drmock-token\" content=\"\(e(token))\">\n" }
        var top = "<header class=\"top\"><a class=\"brand\" href=\"\(home)\">ArcGIS Enterprise Administrator Directory <span class=\"tag\">drmock</span></a>"
        if let username {
            top += """
                <form class="signout" method="post" action="\(home)/logout"><span class="user" id="signed-in-user">\(e(username))</span> \
                <button type="submit" id="sign-out">Sign out</button></form>
                """
        }
        top += "</header>\n"
        var foot = "<footer>drmock · context /\(e(context))"
        if let release { foot += " · release \(e(release))" }
        if let now { foot += " · emulated clock \(HTML.dateText(now))" }
        foot += "</footer>\n"
        return (head + "</head>\n<body>\n" + top + (crumbs.map { "<nav class=\"crumbs\" aria-label=\"Breadcrumbs\">\($0)</nav>\n" } ?? "")
            + "<main>\n", "\n</main>\n" + foot + "</body></html>\n")
    }

    /// An error envelope as a notice: code, message, details.
    static func errorNotice(_ error: AdminError) -> String {
        var s = "<div class=\"notice error\" role=\"alert\" id=\"error\"><p><strong>Error \(error.code):</strong> <span id=\"error-message\">\(HTML.escape(error.message))</span></p>"
        if !error.detailList.isEmpty {
            s += "<ul class=\"details\">" + error.detailList.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>"
        }
        return s + "</div>"
    }
}

/// Pages rendered without a deployment at hand (an unknown context, or `render` called directly):
/// the same look, no session.
enum HTMLPage {
    static func resource(title: String, path: String, value: JSONValue) -> String {
        let context = path.split(separator: "/").first.map(String.init) ?? "arcgis"
        let main = "<h1>\(HTML.escape(title))</h1>\n<pre class=\"json\">\(HTML.escape(value.serializedString(pretty: true)))</pre>"
        return HTMLLayout(context: context).page(title: title, crumbs: nil, main: main)
    }

    static func error(_ e: AdminError, context: String = "arcgis") -> String {
        HTMLLayout(context: context).page(title: "Error \(e.code)", crumbs: nil, main: "<h1>Error \(e.code)</h1>\n" + HTMLLayout.errorNotice(e))
    }
}
