"""Drives headless Chromium over the Chrome DevTools Protocol against a running drmock.

Run by scripts/e2e/30-browser (which installs chromium and websocket-client). Asserts on the DOM,
never on pixels; saves a screenshot of each step. Prints "N passed, N failed" last.
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import websocket

PASSED, FAILED = [], []


def check(name, ok, detail=""):
    (PASSED if ok else FAILED).append(name)
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else f"  ({detail})"), flush=True)
    return ok


class CDPError(Exception):
    pass


class Page:
    """One browser tab, spoken to over its DevTools websocket."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise CDPError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise CDPError(f"{expression}: {r['exceptionDetails'].get('text')} {r['exceptionDetails'].get('exception', {}).get('description', '')}")
        return r.get("result", {}).get("value")

    def wait_for(self, expression, timeout=15.0):
        """Polls `expression` until it is truthy (navigations in between are fine)."""
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            try:
                last = self.eval(expression)
                if last:
                    return last
            except CDPError as e:  # the page is navigating
                last = str(e)
            time.sleep(0.1)
        return None

    def goto(self, url):
        self.call("Page.navigate", url=url)
        return self.loaded()

    def act_and_wait(self, expression, timeout=15.0):
        """Runs `expression` (a click, a submit) and waits for the next page to finish loading."""
        self.eval("window.__drmockOld = true")
        self.eval(expression)
        return self.wait_for("!window.__drmockOld && document.readyState === 'complete'", timeout)

    def loaded(self, timeout=15.0):
        return self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'", timeout)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def text(self, selector):
        return self.eval(f"(document.querySelector({json.dumps(selector)}) || {{}}).textContent || ''")

    def exists(self, selector):
        return bool(self.eval(f"!!document.querySelector({json.dumps(selector)})"))

    def fill(self, selector, value):
        self.eval(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")

    def click(self, selector):
        return f"document.querySelector({json.dumps(selector)}).click()"

    def path(self):
        return self.eval("location.pathname")


def start_drmock(binary, *extra):
    proc = subprocess.Popen([binary, "serve", "--port", "0", "--db", ":memory:", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    if "listening on " not in line:
        proc.kill()
        raise SystemExit(f"drmock did not start: {line}{proc.stdout.read()}")
    base = line.split("listening on ", 1)[1].split(" ", 1)[0]
    return proc, base


def start_chromium(profile):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    args = [exe, "--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--remote-debugging-port=0",
            f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"]
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.time() + 30
    while time.time() < deadline:
        if os.path.exists(port_file):
            with open(port_file) as f:
                lines = f.read().split()
            if lines:
                port = int(lines[0])
                try:
                    targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5))
                    pages = [t for t in targets if t.get("type") == "page"]
                    if pages:
                        return proc, pages[0]["webSocketDebuggerUrl"]
                except OSError:
                    pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("chromium did not start (no DevToolsActivePort)")


def run(page, base, out):
    dr = urllib.parse.urlparse(base).path + "/admin/system/disasterrecovery"
    origin = base[: -len(urllib.parse.urlparse(base).path)]
    backups = origin + dr + "/stores/default/backups"
    shot = lambda name: page.screenshot(os.path.join(out, name + ".png"))

    # 1. Without a session, an HTML page redirects to sign-in (and comes back afterwards).
    page.goto(backups)
    check("no session: redirected to sign-in", page.path().endswith("/admin/login"), page.path())
    check("sign-in remembers the page asked for", page.eval("document.querySelector('input[name=next]').value").endswith("/stores/default/backups"))
    shot("01-sign-in")

    # 2. Wrong password: the error, the username kept.
    page.fill("#username", "admin")
    page.fill("#password", "not-the-password")
    page.act_and_wait(page.click("#sign-in"))
    check("wrong password: error shown", "Invalid username or password." in page.text("#error"), page.text("main"))
    check("wrong password: username kept", page.eval("document.getElementById('username').value") == "admin")
    shot("02-sign-in-error")

    # 3. Sign in: back at the backups page, with an HttpOnly SameSite=Strict session cookie.
    page.fill("#password", "drmock-admin-1")
    page.act_and_wait(page.click("#sign-in"))
    check("signed in: at the backups page", page.path() == dr + "/stores/default/backups", page.path())
    check("backups table lists the seed backups", "backup_first" in page.text("table.data[data-list=backups]"))
    check("times shown as dates", "UTC" in page.text("table.data[data-list=backups]"))
    check("signed-in user shown", page.text("#signed-in-user") == "admin")
    cookies = page.call("Network.getCookies", urls=[backups])["cookies"]
    session = [c for c in cookies if c["name"] == "drmock_session"]
    check("session cookie is HttpOnly and SameSite=Strict",
          len(session) == 1 and session[0]["httpOnly"] and session[0].get("sameSite") == "Strict", str(session))
    check("script cannot read the session cookie", page.eval("document.cookie") == "")
    crumbs = page.eval("Array.from(document.querySelectorAll('nav.crumbs a')).map(a => a.textContent)")
    check("breadcrumbs from Home", bool(crumbs) and crumbs[0] == "Home", str(crumbs))
    check("JSON and PJSON links", page.exists("#json-link") and page.exists("#pjson-link"))
    shot("03-backups")

    # 4. The create operation's form, from the page's "Supported operations".
    page.act_and_wait("Array.from(document.querySelectorAll('#supported-operations a')).find(a => a.textContent === 'Create Backup').click()")
    check("create form: one field per parameter",
          all(page.exists(f"#operation-form [name={n}]") for n in ["name", "passcode", "description", "retentionDate", "f"]))
    check("create form: hidden token", page.eval("document.querySelector('#operation-form input[name=token]').type") == "hidden")
    shot("04-create-form")

    # 5. A short passcode: the error, and the form keeps what was typed.
    page.fill("#p-name", "browser-1")
    page.fill("#p-passcode", "short")
    page.fill("#p-description", "<script>window.__xss = 1</script><b>bold</b>")
    page.act_and_wait(page.click("#submit"))
    check("short passcode: error shown", "at least 8 characters" in page.text("#error"), page.text("#error"))
    check("short passcode: form kept filled in", page.eval("document.getElementById('p-name').value") == "browser-1"
          and page.eval("document.getElementById('p-description').value").startswith("<script>"))
    shot("05-create-error")

    # 6. Start the backup through the form.
    page.fill("#p-passcode", "secret123")
    page.act_and_wait(page.click("#submit"))
    check("create: success page with a job link", page.exists("#result") and page.exists("#job-link"), page.text("main")[:300])
    shot("06-created")

    # 7. The live status page reaches success and links to the new backup.
    page.act_and_wait(page.click("#status-link"))
    ok = page.wait_for("document.getElementById('live').dataset.state === 'success' && document.getElementById('live-name').textContent === 'browser-1'", 30)
    check("status page reaches success", bool(ok), page.text("#live"))
    stages = page.eval("Array.from(document.querySelectorAll('#live-stages tr')).map(r => r.cells[1].textContent)")
    check("status shows every stage completed", bool(stages) and len(stages) >= 5 and all(s == "completed" for s in stages), str(stages))
    check("status links to the resulting backup",
          page.eval("!document.getElementById('live-result').hidden && document.getElementById('live-backup-link').pathname")
          == dr + "/stores/default/backups/browser-1")
    shot("07-status-success")

    # 8. The backup's page shows the description as text (escaped), not as markup.
    page.act_and_wait(page.click("#live-backup-link"))
    check("backup page", page.text("h1 .name") == "browser-1", page.text("h1"))
    check("description is escaped", "<script>window.__xss = 1</script>" in page.text("table.props")
          and page.eval("window.__xss === undefined && !document.querySelector('table.props b')"))
    ops = page.eval("Array.from(document.querySelectorAll('#supported-operations a')).map(a => a.textContent)")
    shot("08-backup")

    # 9. The new backup is listed.
    page.goto(backups)
    check("new backup listed", "browser-1" in page.text("table.data[data-list=backups]"))

    # 10. The status page updates itself: start a backup from it and watch, without reloading.
    page.goto(origin + dr + "/status")
    page.eval("window.__samePage = true")
    page.eval(f"""fetch({json.dumps(backups + '/create')}, {{method: 'POST', body: new URLSearchParams({{
        name: 'browser-2', passcode: 'secret123', f: 'json',
        token: document.querySelector('meta[name=drmock-token]').content}})}}).then(r => r.json())""")
    ok = page.wait_for("document.getElementById('live-name').textContent === 'browser-2' && document.getElementById('live').dataset.state === 'success'", 30)
    check("status page updates itself while a job runs", bool(ok) and page.eval("window.__samePage === true"), page.text("#live"))

    # 11. One click from the backups page: a dialog asks for name and passcode, then status.
    page.goto(backups)
    page.eval(page.click("#quick-backup"))
    check("one-click backup: dialog open", page.wait_for("document.getElementById('quick-dialog').open", 5) is True)
    check("one-click backup: name suggested", page.eval("document.getElementById('quick-name').value").startswith("backup-"))
    page.fill("#quick-name", "browser-quick")
    page.fill("#quick-passcode", "secret123")
    shot("09-quick-dialog")
    page.act_and_wait(page.click("#quick-start"))
    ok = page.wait_for("location.pathname.endsWith('/status') && document.getElementById('live').dataset.state === 'success' && document.getElementById('live-name').textContent === 'browser-quick'", 30)
    check("one-click backup: status reaches success", bool(ok), page.path())
    shot("10-quick-status")

    # 12. A wrong passcode on restore: the error, on the restore form.
    if "Restore Backup" in (ops or []):
        page.goto(backups + "/browser-1")
        page.act_and_wait("Array.from(document.querySelectorAll('#supported-operations a')).find(a => a.textContent === 'Restore Backup').click()")
        page.fill("#p-passcode", "wrong-passcode")
        page.act_and_wait(page.click("#submit"))
        check("restore with a wrong passcode: error shown", "passcode is incorrect" in page.text("#error"), page.text("#error"))
        check("restore error keeps the form", page.exists("#operation-form #p-passcode"))
        shot("11-restore-error")
    else:
        check("backup page lists its restore operation", False, str(ops))

    # 13. Sign out: the session ends, pages go to sign-in again.
    page.act_and_wait(page.click("#sign-out"))
    check("signed out: at sign-in", page.path().endswith("/admin/login"))
    page.goto(backups)
    check("after sign-out: redirected to sign-in", page.path().endswith("/admin/login"))
    shot("12-signed-out")


def post_form(url, fields):
    data = urllib.parse.urlencode(fields).encode()
    return json.load(urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10))


def run_stage_by_stage(page, base, out):
    """On a manual clock: the status page shows the job stage by stage as the clock moves, unreloaded."""
    path = urllib.parse.urlparse(base).path
    origin = base[: -len(path)]
    dr = path + "/admin/system/disasterrecovery"
    token = post_form(base + "/sharing/rest/generateToken",
                      {"username": "admin", "password": "drmock-admin-1", "client": "referer", "referer": "x", "f": "json"})["token"]
    advance = lambda ms: post_form(origin + "/_mock/clock/advance", {"ms": str(ms), "token": token})
    page.goto(origin + dr + "/stores/default/backups/create")
    if page.path().endswith("/admin/login"):
        page.fill("#username", "admin")
        page.fill("#password", "drmock-admin-1")
        page.act_and_wait(page.click("#sign-in"))
    page.fill("#p-name", "stage-by-stage")
    page.fill("#p-passcode", "secret123")
    page.act_and_wait(page.click("#submit"))
    page.act_and_wait(page.click("#status-link"))
    page.eval("window.__samePage = true")
    advance(20_000)  # 1 s submitted, Validation (3.1 s) and Relational (5.1 s) done, in the object store stage
    ok = page.wait_for("document.getElementById('live').dataset.state === 'in_progress' && "
                       "document.querySelectorAll('#live-stages tr').length === 3", 10)
    states = page.eval("Array.from(document.querySelectorAll('#live-stages tr')).map(r => r.cells[1].textContent)")
    check("manual clock: the status page shows the running stage", bool(ok) and states == ["completed", "completed", "in_progress"], str(states))
    check("manual clock: progress bar while running", page.eval("!document.getElementById('live-progress').hidden"))
    check("manual clock: no backup link yet", page.eval("document.getElementById('live-result').hidden"))
    shot = os.path.join(out, "13-status-in-progress.png")
    page.screenshot(shot)
    advance(60_000)
    ok = page.wait_for("document.getElementById('live').dataset.state === 'success'", 10)
    check("manual clock: the same page reaches success as the clock moves", bool(ok) and page.eval("window.__samePage === true"))
    check("manual clock: progress bar gone, backup linked", page.eval("document.getElementById('live-progress').hidden && "
          "!document.getElementById('live-result').hidden"))
    page.screenshot(os.path.join(out, "14-status-done.png"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--drmock", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for f in os.listdir(args.out):
        if f.endswith(".png"):
            os.remove(os.path.join(args.out, f))
    drmock, base = start_drmock(args.drmock, "--speed", "600")
    manual, manual_base = start_drmock(args.drmock, "--clock", "manual")
    profile = tempfile.mkdtemp(prefix="drmock-chromium-")
    chromium = None
    try:
        chromium, ws_url = start_chromium(profile)
        page = Page(ws_url)
        for domain in ["Page", "Runtime", "Network", "Log"]:
            page.call(domain + ".enable")
        try:
            run(page, base, args.out)
        except Exception as e:  # a step that could not even run is a failure, not a crash
            check("browser steps ran to the end", False, repr(e))
        try:
            run_stage_by_stage(page, manual_base, args.out)
        except Exception as e:
            check("manual-clock steps ran to the end", False, repr(e))
        # Every HTML page carried a CSP without unsafe-inline, and nothing broke in the page.
        docs = [e["params"]["response"] for e in page.events
                if e.get("method") == "Network.responseReceived" and e["params"].get("type") == "Document"]
        csp = [{k.lower(): v for k, v in r["headers"].items()}.get("content-security-policy", "") for r in docs if r.get("status") == 200]
        check("every page sent a Content-Security-Policy without unsafe-inline",
              bool(csp) and all(c and "unsafe-inline" not in c and "script-src 'self'" in c for c in csp), str(csp[:3]))
        logs = [e["params"]["entry"]["text"] for e in page.events
                if e.get("method") == "Log.entryAdded" and e["params"]["entry"].get("level") == "error"
                and "Content Security Policy" in e["params"]["entry"].get("text", "")]
        check("no Content-Security-Policy violations", not logs, str(logs[:3]))
        errors = [e["params"]["exceptionDetails"].get("text") for e in page.events if e.get("method") == "Runtime.exceptionThrown"]
        check("no script errors", not errors, str(errors[:3]))
    finally:
        if chromium:
            chromium.terminate()
            try:
                chromium.wait(10)
            except subprocess.TimeoutExpired:
                chromium.kill()
        for p in (drmock, manual):
            p.terminate()
            p.wait(10)
        shutil.rmtree(profile, ignore_errors=True)
    print(f"screenshots in {args.out}")
    print(f"{len(PASSED)} passed, {len(FAILED)} failed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
