import DisasterRecovery

/// The HTML form of an operation: one field per parameter the route declares, the `f` select, the
/// token as a hidden field, and a submit button.
///
/// The fields come from the route table (``Route/formParameters``), so every operation gets a form
/// without code of its own; how a field is drawn (password, text area, yes/no) and its hint depend
/// only on the parameter's name, from the table below.
enum HTMLForms {
    enum Kind: Equatable {
        case text
        /// Never echoed back into a page.
        case secret
        case longText
        case json
        case choice([String])
    }

    struct Field {
        var kind: Kind
        var hint: String
    }

    static let fields: [String: Field] = [
        "name": Field(kind: .text, hint: "1 to 128 characters, no '/' or '\\'."),
        "passcode": Field(kind: .secret, hint: "At least 8 characters. A restore needs the same passcode."),
        "password": Field(kind: .secret, hint: ""),
        "description": Field(kind: .longText, hint: ""),
        "retentionDate": Field(kind: .text, hint: "Epoch milliseconds, or -1 for never (the default)."),
        "startDate": Field(kind: .text, hint: "Epoch milliseconds."),
        "endDate": Field(kind: .text, hint: "Epoch milliseconds."),
        "settings": Field(kind: .json, hint: "A JSON object."),
        "parameters": Field(kind: .json, hint: "A JSON object."),
        "async": Field(kind: .choice(["", "false", "true"]), hint: "true answers with a job at once."),
        "isDefault": Field(kind: .choice(["", "false", "true"]), hint: ""),
        "enabled": Field(kind: .choice(["", "true", "false"]), hint: ""),
        "client": Field(kind: .choice(["", "referer", "ip", "requestip"]), hint: ""),
        "expiration": Field(kind: .text, hint: "Minutes, 60 to 20160."),
        "storeName": Field(kind: .text, hint: "The backup store (legacy 10.9 parameter)."),
        "minute": Field(kind: .text, hint: "CRON field, e.g. 0"),
        "hour": Field(kind: .text, hint: "CRON field, e.g. 2"),
        "dayOfMonth": Field(kind: .text, hint: "CRON field, * for every day"),
        "month": Field(kind: .text, hint: "CRON field, * for every month"),
        "dayOfWeek": Field(kind: .text, hint: "CRON field, * for every day of the week"),
    ]

    static func field(_ name: String) -> Field { fields[name] ?? Field(kind: .text, hint: "") }

    /// The form of `route` at `action`, filled in from `values` (secrets are never filled in).
    static func form(title: String, action: String, parameters: [String], values: (String) -> String?,
                     format: String, token: String?) -> String {
        let e = HTML.escape
        var s = "<form class=\"op\" id=\"operation-form\" method=\"post\" action=\"\(e(action))\">\n"
        for name in parameters {
            let f = field(name)
            let id = "p-" + HTML.percentEncode(name)
            let value = f.kind == .secret ? "" : (values(name) ?? "")
            s += "<div class=\"field\"><label for=\"\(id)\">\(e(name))</label>"
            switch f.kind {
            case .text:
                s += "<input type=\"text\" id=\"\(id)\" name=\"\(e(name))\" value=\"\(e(value))\" autocomplete=\"off\">"
            case .secret:
                s += "<input type=\"password\" id=\"\(id)\" name=\"\(e(name))\" value=\"\" autocomplete=\"new-password\">"
            case .longText:
                s += "<textarea id=\"\(id)\" name=\"\(e(name))\" rows=\"3\">\(e(value))</textarea>"
            case .json:
                s += "<textarea class=\"code\" id=\"\(id)\" name=\"\(e(name))\" rows=\"6\" spellcheck=\"false\">\(e(value))</textarea>"
            case .choice(let options):
                s += "<select id=\"\(id)\" name=\"\(e(name))\">" + options.map { o in
                    "<option value=\"\(e(o))\"\(o == value ? " selected" : "")>\(o.isEmpty ? "(not given)" : e(o))</option>"
                }.joined() + "</select>"
            }
            if !f.hint.isEmpty { s += "<small>\(e(f.hint))</small>" }
            s += "</div>\n"
        }
        s += "<div class=\"field\"><label for=\"p-f\">f</label><select id=\"p-f\" name=\"f\">"
        s += ["html", "json", "pjson"].map { "<option\($0 == format ? " selected" : "")>\($0)</option>" }.joined()
        s += "</select><small>The answer's format.</small></div>\n"
        if let token { s += "<input type=\"hidden\" name=\"token\" value=\"\(e(token))\">\n" }
        s += "<div class=\"buttons\"><button type=\"submit\" id=\"submit\">\(e(title))</button></div>\n</form>\n"
        return s
    }
}

extension Route {
    /// The parameters an operation's form shows: those the route table declares for it
    /// (``Route/parameters``), less those the deployment's release does not know (`async@asyncOperations`).
    func formParameters(for release: Release) -> [String] {
        (parameters ?? []).compactMap { entry in
            let parts = entry.split(separator: "@", maxSplits: 1).map(String.init)
            if parts.count == 2, let feature = Release.Feature(rawValue: parts[1]), !release.has(feature) { return nil }
            return parts[0]
        }
    }
}
