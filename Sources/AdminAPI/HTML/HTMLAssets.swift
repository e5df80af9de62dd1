import HTTPServer

/// The directory's stylesheet and script, compiled in and served by drmock itself at
/// `/<context>/admin/_assets/drmock.css` and `drmock.js` (no token needed; nothing comes from the
/// internet). The Content-Security-Policy of the pages allows only these (`'self'`), no inline code.
enum HTMLAssets {
    static func response(named name: String) -> Response? {
        let (body, type): (String, String)
        switch name {
        case "drmock.css": (body, type) = (css, "text/css; charset=utf-8")
        case "drmock.js": (body, type) = (js, "text/javascript; charset=utf-8")
        default: return nil
        }
        return Response(status: 200, headers: [
            ("Content-Type", type), ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
        ], body: Array(body.utf8))
    }

    static let css = #"""
        :root { --ink: #1d2733; --muted: #5f6b7a; --line: #d7dde5; --bg: #f4f6f9; --card: #fff;
                --accent: #0b6ab0; --accent-ink: #fff; --ok: #2d7d32; --warn: #a66300; --bad: #b3261e; --run: #0b6ab0; }
        * { box-sizing: border-box; }
        html { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
        body { margin: 0; }
        a { color: var(--accent); }
        code, pre, textarea.code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
        header.top { display: flex; align-items: center; justify-content: space-between; gap: 1rem;
                     padding: .6rem 1.5rem; background: #13293d; color: #fff; }
        header.top .brand { color: #fff; text-decoration: none; font-weight: 600; }
        header.top .tag { font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .05em;
                          background: #2f6b9a; border-radius: 3px; padding: 1px 6px; margin-left: .4rem; }
        header.top .signout { display: flex; align-items: center; gap: .6rem; margin: 0; }
        header.top .user { opacity: .85; }
        header.top button { background: transparent; color: #fff; border: 1px solid #6f8aa3; }
        nav.crumbs { padding: .55rem 1.5rem; background: #fff; border-bottom: 1px solid var(--line); font-size: 14px; }
        nav.crumbs .sep { color: var(--muted); margin: 0 .25rem; }
        nav.crumbs [aria-current] { font-weight: 600; }
        main { max-width: 1180px; margin: 0 auto; padding: 1rem 1.5rem 2rem; }
        h1 { font-size: 1.6rem; margin: .6rem 0 .2rem; }
        h1 .name { font-weight: 400; color: var(--muted); }
        h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
        h2 .count { font-size: 12px; font-weight: 600; color: var(--muted); background: var(--line); border-radius: 9px; padding: 0 7px; vertical-align: middle; }
        .formats { margin: 0 0 1rem; color: var(--muted); font-size: 14px; }
        .muted { color: var(--muted); }
        table { border-collapse: collapse; background: var(--card); }
        table.props { width: 100%; border: 1px solid var(--line); }
        table.props th { text-align: left; vertical-align: top; width: 14rem; font-weight: 600; color: #34495e; }
        table.props th, table.props td { padding: .35rem .6rem; border-bottom: 1px solid var(--line); }
        table.props.nested { border: 0; width: auto; }
        table.props.nested th { width: auto; font-weight: 500; }
        table.data { width: 100%; border: 1px solid var(--line); font-size: 14px; }
        table.data th { text-align: left; background: #eef2f6; font-weight: 600; }
        table.data th, table.data td { padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        table.data tbody tr:nth-child(even) { background: #fafbfc; }
        td table.data { font-size: 13px; }
        ul.inline { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem; }
        ul.inline li { background: #eef2f6; border-radius: 3px; padding: 0 .4rem; }
        ul.lines { margin: 0; padding-left: 1.1rem; }
        .badge { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; background: #e3e8ee; color: #34495e; }
        .state-success, .state-completed { background: #e3f3e4; color: var(--ok); }
        .state-in_progress, .state-executing, .state-submitted { background: #e1eefa; color: var(--run); }
        .state-failed, .state-timed_out { background: #fbe3e1; color: var(--bad); }
        .state-completed_with_warnings { background: #fff0d9; color: var(--warn); }
        section.links ul { margin: .2rem 0; padding-left: 1.2rem; columns: 2; }
        details.raw { margin-top: 2rem; }
        details.raw summary { cursor: pointer; color: var(--muted); }
        pre.json { background: var(--card); border: 1px solid var(--line); padding: .8rem; overflow: auto; max-height: 32rem; }
        .notice { border-radius: 6px; padding: .6rem .9rem; margin: .8rem 0; border: 1px solid; }
        .notice p { margin: .2rem 0; }
        .notice.error { background: #fdf0ef; border-color: #f0b9b4; color: #7a1c15; }
        .notice.ok { background: #eff8ef; border-color: #b9dcbb; }
        .notice .details { margin: .3rem 0 0; padding-left: 1.2rem; }
        form.op, .signin form, dialog form { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; max-width: 42rem; }
        .field { display: grid; grid-template-columns: 10rem 1fr; gap: .2rem .8rem; align-items: start; margin-bottom: .7rem; }
        .field label { font-weight: 600; padding-top: .35rem; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 14px; }
        .field small { grid-column: 2; color: var(--muted); font-size: 12px; }
        input[type=text], input[type=password], textarea, select { width: 100%; padding: .4rem .5rem; border: 1px solid #b8c2cc; border-radius: 4px; font: inherit; background: #fff; }
        textarea { resize: vertical; }
        button, a.button { font: inherit; padding: .4rem .9rem; border-radius: 4px; border: 1px solid #9aa8b6; background: #fff; color: var(--ink); cursor: pointer; text-decoration: none; display: inline-block; }
        button.primary, a.button.primary, form.op button[type=submit] { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
        .buttons { display: flex; gap: .5rem; margin-top: .4rem; }
        .actions { margin: .5rem 0 1rem; }
        .signin { max-width: 28rem; margin: 3rem auto; }
        .signin .field { grid-template-columns: 1fr; }
        .signin .field label { font-family: inherit; }
        dialog { border: 0; padding: 0; background: transparent; }
        dialog::backdrop { background: rgba(19, 41, 61, .45); }
        dialog form { min-width: 26rem; }
        dialog h2 { margin-top: 0; }
        section.live { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.2rem; }
        .live-head { display: flex; align-items: center; gap: .7rem; font-size: 1.1rem; margin-bottom: .6rem; }
        .live-head .badge { font-size: 14px; padding: 2px 12px; }
        .live-head .name { font-weight: 600; }
        progress { width: 100%; height: .5rem; margin: .2rem 0 .8rem; }
        dl.times { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0 .5rem; }
        dl.times dt { font-weight: 600; color: #34495e; }
        dl.times dd { margin: 0; }
        .message { color: var(--bad); font-weight: 600; }
        [hidden] { display: none !important; }
        footer { max-width: 1180px; margin: 0 auto; padding: 1rem 1.5rem 2rem; color: var(--muted); font-size: 12px; }
        """#

    static let js = #"""
        // drmock's directory script: the live status view and the one-click backup.
        // Served by drmock itself; the pages allow no inline script (Content-Security-Policy).
        (function () {
          "use strict";
          var meta = document.querySelector('meta[name="drmock-token"]');
          var token = meta ? meta.getAttribute("content") : "";

          function auth() { return token ? { "X-Esri-Authorization": "Bearer " + token } : {}; }
          function pad(n) { return n < 10 ? "0" + n : "" + n; }
          function dateText(ms) {
            var d = new Date(ms);
            return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
              pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) + " UTC";
          }
          function timeNode(ms) {
            if (ms === -1) { var n = document.createElement("span"); n.className = "muted"; n.textContent = "never"; return n; }
            if (!ms) { var z = document.createElement("span"); z.className = "muted"; z.textContent = "\u2014"; return z; }
            var t = document.createElement("time");
            t.dateTime = new Date(ms).toISOString().slice(0, 19) + "Z";
            t.title = String(ms);
            t.textContent = dateText(ms);
            return t;
          }
          function badge(state) {
            var b = document.createElement("span");
            b.className = "badge state-" + String(state).toLowerCase().replace(/[^a-z0-9]/g, "_").slice(0, 32);
            b.textContent = state;
            return b;
          }
          function setChild(el, node) { while (el.firstChild) el.removeChild(el.firstChild); el.appendChild(node); }
          function text(el, s) { if (el) el.textContent = s == null ? "" : String(s); }

          // --- The live status view -------------------------------------------------------------
          var live = document.getElementById("live");
          if (live) {
            var url = live.getAttribute("data-status-url");
            var storesURL = live.getAttribute("data-stores-url");
            var $ = function (id) { return document.getElementById(id); };
            var render = function (report) {
              var s = report.status || {};
              var state = s.state || "";
              live.setAttribute("data-state", state);
              setChild($("live-state"), badge(state));
              text($("live-operation"), s.operation);
              text($("live-name"), s.backupName);
              text($("live-store"), s.backupStore);
              $("live-store-wrap").hidden = !s.backupStore;
              $("live-progress").hidden = state !== "in_progress";
              var body = $("live-stages");
              while (body.firstChild) body.removeChild(body.firstChild);
              var rows = s.stages || (s.messages || []).map(function (m) {
                return { name: m.message, state: String(m.code), duration: "", lastUpdated: m.when };
              });
              rows.forEach(function (st) {
                var tr = document.createElement("tr");
                [st.name, null, st.duration, null].forEach(function (v, i) {
                  var td = document.createElement("td");
                  if (i === 1) td.appendChild(badge(st.state));
                  else if (i === 3) td.appendChild(timeNode(st.lastUpdated));
                  else td.textContent = v == null ? "" : v;
                  tr.appendChild(td);
                });
                body.appendChild(tr);
              });
              setChild($("live-start"), timeNode(s.startTime || 0));
              setChild($("live-complete"), timeNode(s.completeTime || 0));
              text($("live-overall"), s.overallDuration);
              text($("live-message"), s.message);
              $("live-message").hidden = !s.message;
              var made = s.operation === "Backup" && state === "success" && s.backupName;
              $("live-result").hidden = !made;
              if (made) {
                $("live-backup-link").href = storesURL + encodeURIComponent(s.backupStore) + "/backups/" + encodeURIComponent(s.backupName);
                text($("live-backup-name"), s.backupName);
              }
              return state;
            };
            var poll = function () {
              fetch(url, { headers: auth(), credentials: "same-origin", cache: "no-store" })
                .then(function (r) { return r.json(); })
                .then(function (report) {
                  if (report.error) {
                    text($("live-note"), "Error " + report.error.code + ": " + report.error.message +
                      (report.error.code === 498 || report.error.code === 499 ? " Sign in again to go on." : ""));
                    return;
                  }
                  var state = render(report);
                  text($("live-note"), "Updated " + new Date().toLocaleTimeString() + (state === "in_progress" ? "; updating every second." : "."));
                  setTimeout(poll, state === "in_progress" ? 1000 : 3000);
                })
                .catch(function () { text($("live-note"), "drmock did not answer; retrying."); setTimeout(poll, 3000); });
            };
            poll();
          }

          // --- One-click backup from the backups page ---------------------------------------
          var quick = document.getElementById("quick-backup");
          var dialog = document.getElementById("quick-dialog");
          if (quick && dialog && typeof dialog.showModal === "function") {
            var form = document.getElementById("quick-form");
            var error = document.getElementById("quick-error");
            quick.addEventListener("click", function (ev) {
              ev.preventDefault();
              var d = new Date();
              document.getElementById("quick-name").value = "backup-" + d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" +
                pad(d.getUTCDate()) + "-" + pad(d.getUTCHours()) + "-" + pad(d.getUTCMinutes()) + "-" + pad(d.getUTCSeconds());
              error.hidden = true;
              dialog.showModal();
              document.getElementById("quick-passcode").focus();
            });
            document.getElementById("quick-cancel").addEventListener("click", function () { dialog.close(); });
            form.addEventListener("submit", function (ev) {
              ev.preventDefault();
              var data = new URLSearchParams(new FormData(form));
              data.set("f", "json");
              fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin" })
                .then(function (r) { return r.json(); })
                .then(function (answer) {
                  if (answer.error) {
                    error.textContent = "Error " + answer.error.code + ": " + answer.error.message +
                      (answer.error.details && answer.error.details.length ? " (" + answer.error.details.join(" ") + ")" : "");
                    error.hidden = false;
                    return;
                  }
                  window.location.href = quick.getAttribute("data-status-url");
                })
                .catch(function () { error.textContent = "drmock did not answer."; error.hidden = false; });
            });
          }
        })();
        """#
}
