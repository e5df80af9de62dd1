import HTTPServer

/// The browser session of the HTML directory: a token from the same credential check as
/// `generateToken`, kept in an HttpOnly, SameSite=Strict cookie scoped to `/<context>/`.
///
/// The cookie is a token source only for `f=html` GET pages (see ``AdminService/token(of:session:)``);
/// a form POST authenticates with the hidden `token` field the page put in it, and JSON clients
/// never get in with the cookie.
enum HTMLSession {
    static let cookieName = "drmock_session"
    /// Emulated minutes a sign-in lasts: the longest `generateToken` allows (two weeks), so that a
    /// fast clock (`--speed 600`) does not sign a demo out after a few real seconds.
    static let minutes = 20160

    /// The session cookie's value, if the request carries one.
    static func token(in request: Request) -> String? {
        guard let header = request.header("cookie") else { return nil }
        for part in header.split(separator: ";") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: " \t") == cookieName else { continue }
            let value = pair[1].trimmingCharacters(in: " \t\"")
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// The `Set-Cookie` value that starts a session (a session cookie: no Max-Age).
    static func setCookie(_ token: String, context: String, tls: Bool) -> String {
        "\(cookieName)=\(token); Path=/\(context)/; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "")
    }

    /// The `Set-Cookie` value that ends it.
    static func clearCookie(context: String, tls: Bool) -> String {
        "\(cookieName)=; Path=/\(context)/; Max-Age=0; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "")
    }

    /// Where sign-in may send the browser afterwards: a path of this context only (no other host,
    /// no `//`, no backslash or control characters); anything else means Home.
    static func safeNext(_ next: String?, context: String) -> String {
        let home = "/\(context)/admin"
        guard let next, next.hasPrefix("/\(context)/"), !next.contains("//"),
              !next.unicodeScalars.contains(where: { $0 == "\\" || $0.value < 0x20 || $0.value == 0x7f }) else { return home }
        return next
    }

    /// The page the browser asked for, as a `next` value: its path and query, less any token.
    static func nextValue(of request: Request) -> String {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true)
        let query = request.query.filter { $0.name != "token" }.map { ($0.name, $0.value) }
        return HTML.path(segments) + (query.isEmpty ? "" : "?" + HTML.query(query))
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
