/// The live demo parts of the directory: the status resource as a stage-by-stage progress view that
/// drmock.js keeps up to date (polling the JSON with the page's token), and the backups page's
/// one-click backup (a dialog asking for a name and a passcode).
///
/// The server draws the same markup the script redraws, so the page is right without JavaScript too.
enum HTMLLiveStatus {
    /// Whether a resource is a status report: `{"status": {"state": ...}}`.
    static func isStatus(_ value: JSONValue) -> Bool {
        if case .string? = value["status"]?["state"] { return true }
        return false
    }

    /// The progress view of `value` (the status resource), polling `jsonURL`.
    static func view(_ value: JSONValue, jsonURL: String, storesURL: String) -> String {
        let e = HTML.escape
        let status = value["status"] ?? [:]
        func text(_ k: String) -> String { if case .string(let s)? = status[k] { return s } else { return "" } }
        func int(_ k: String) -> Int64 { if case .int(let i)? = status[k] { return i } else { return 0 } }
        let state = text("state")
        let running = state == "in_progress"
        var s = """
            <section class="live" id="live" data-state="\(e(state))" data-status-url="\(e(jsonURL))" data-stores-url="\(e(storesURL))" aria-live="polite">
            <div class="live-head"><span id="live-state">\(HTMLProperties.badge(state))</span>
            <span class="live-what"><span id="live-operation">\(e(text("operation")))</span>
            <span id="live-name" class="name">\(e(text("backupName")))</span>
            <span id="live-store-wrap"\(text("backupStore").isEmpty ? " hidden" : "")>in store <span id="live-store">\(e(text("backupStore")))</span></span></span></div>
            <progress id="live-progress"\(running ? "" : " hidden")></progress>
            <table class="data stages"><thead><tr><th scope="col">Stage</th><th scope="col">State</th><th scope="col">Duration</th><th scope="col">Last updated</th></tr></thead>
            <tbody id="live-stages">

            """
        if case .array(let stages)? = status["stages"] {
            for st in stages {
                func t(_ k: String) -> String { if case .string(let x)? = st[k] { return x } else { return "" } }
                let updated: Int64 = { if case .int(let i)? = st["lastUpdated"] { return i } else { return 0 } }()
                s += "<tr><td>\(e(t("name")))</td><td>\(HTMLProperties.badge(t("state")))</td><td>\(e(t("duration")))</td><td>\(HTML.time(updated))</td></tr>\n"
            }
        } else if case .array(let messages)? = status["messages"] {
            for m in messages {
                let msg: String = { if case .string(let x)? = m["message"] { return x } else { return "" } }()
                let code: Int64 = { if case .int(let i)? = m["code"] { return i } else { return 0 } }()
                let when: Int64 = { if case .int(let i)? = m["when"] { return i } else { return 0 } }()
                s += "<tr><td>\(e(msg))</td><td>\(code)</td><td></td><td>\(HTML.time(when))</td></tr>\n"
            }
        }
        s += """
            </tbody></table>
            <dl class="times"><dt>Started</dt><dd id="live-start">\(HTML.time(int("startTime")))</dd>
            <dt>Completed</dt><dd id="live-complete">\(HTML.time(int("completeTime")))</dd>
            <dt>Overall duration</dt><dd id="live-overall">\(e(text("overallDuration")))</dd></dl>
            <p id="live-message" class="message"\(text("message").isEmpty ? " hidden" : "")>\(e(text("message")))</p>

            """
        let made = text("operation") == "Backup" && state == "success" && !text("backupName").isEmpty
        let href = storesURL + HTML.percentEncode(text("backupStore")) + "/backups/" + HTML.percentEncode(text("backupName"))
        s += "<p id=\"live-result\"\(made ? "" : " hidden")><a id=\"live-backup-link\" href=\"\(made ? e(href) : "#")\">Open backup <span id=\"live-backup-name\">\(e(text("backupName")))</span></a></p>\n"
        s += "<p class=\"muted\" id=\"live-note\">This view updates itself while a job runs.</p>\n</section>\n"
        return s
    }

    /// The backups page's one-click backup: a button that opens a dialog for name and passcode.
    /// Without JavaScript the button is a link to the create form.
    static func quickBackup(createURL: String, statusURL: String, token: String?) -> String {
        let e = HTML.escape
        return """
            <div class="actions"><a class="button primary" id="quick-backup" href="\(e(createURL))" data-status-url="\(e(statusURL))">Start a backup…</a></div>
            <dialog id="quick-dialog" aria-labelledby="quick-title">
            <form id="quick-form" method="post" action="\(e(createURL))">
            <h2 id="quick-title">Start a backup</h2>
            <div class="field"><label for="quick-name">name</label><input type="text" id="quick-name" name="name" autocomplete="off"></div>
            <div class="field"><label for="quick-passcode">passcode</label><input type="password" id="quick-passcode" name="passcode" autocomplete="new-password"><small>At least 8 characters.</small></div>
            <div class="field"><label for="quick-description">description</label><input type="text" id="quick-description" name="description" value="Started from the backups page"></div>
            <input type="hidden" name="f" value="html">
            \(token.map { "<input type=\"hidden\" name=\"token\" value=\"\(e($0))\">" } ?? "")
            <p id="quick-error" class="notice error" role="alert" hidden></p>
            <div class="buttons"><button type="submit" class="primary" id="quick-start">Start backup</button> <button type="button" id="quick-cancel">Cancel</button></div>
            </form>
            </dialog>

            """
    }
}
