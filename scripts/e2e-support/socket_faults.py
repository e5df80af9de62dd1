"""Which exception each socket fault raises in Python's urllib and in requests, and a retrying
client recovering once the fault's `times` run out. Run by scripts/e2e/22-socket-faults:

    python socket_faults.py <drmock binary>

Prints a table (fault, client, exception) and "N passed, N failed"; exits non-zero on a failure.
The expected exceptions are the ones measured with requests 2.34.2 / urllib3 2.8.0 on Python 3.11
(docs/control-plane.md lists them): a change in either library shows here first.
"""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

BIN = sys.argv[1]
PATH = "admin/system/disasterrecovery/stores"
# What each fault is expected to raise, (urllib, requests): the exception's class and the class of
# what it wraps (requests wraps urllib3's, which wraps http.client's), as measured.
EXPECTED = {
    "reset": ("ConnectionResetError", "ConnectionError(ProtocolError(ConnectionResetError))"),
    "empty": ("RemoteDisconnected", "ConnectionError(ProtocolError(RemoteDisconnected))"),
    "garbage": ("BadStatusLine", "ConnectionError(ProtocolError(BadStatusLine))"),
    "truncated": ("IncompleteRead", "ChunkedEncodingError(ProtocolError(IncompleteRead))"),
    "trickle": ("TimeoutError", "ConnectionError(ReadTimeoutError)"),
}
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}")


def chain(e):
    """The exception's class and the classes it wraps: ConnectionError(ProtocolError(RemoteDisconnected))."""
    name = type(e).__name__
    inner = e.args[0] if e.args and isinstance(e.args[0], BaseException) else None
    if inner is None and e.args and len(e.args) > 1 and isinstance(e.args[1], BaseException):
        inner = e.args[1]  # urllib3's ProtocolError('Connection aborted.', RemoteDisconnected(...))
    if inner is None and getattr(e, "reason", None) is not None and isinstance(e.reason, BaseException):
        inner = e.reason
    return f"{name}({chain(inner)})" if inner is not None else name


def start():
    work = tempfile.mkdtemp()
    ready = os.path.join(work, "ready.json")
    proc = subprocess.Popen([BIN, "serve", "--port", "0", "--db", ":memory:", "--ready-file", ready],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(ready):
            break
        time.sleep(0.05)
    info = json.load(open(ready))
    return proc, info["url"], f"http://127.0.0.1:{info['port']}"


def main():
    proc, base, root = start()
    try:
        token = requests.post(f"{base}/sharing/rest/generateToken", data={
            "username": "admin", "password": "drmock-admin-1", "client": "referer", "referer": "x", "f": "json"}).json()["token"]
        auth = {"X-Esri-Authorization": f"Bearer {token}", "User-Agent": "drmock-socket-faults-e2e"}
        url = f"{base}/{PATH}?f=json"

        def plan(entry):
            r = requests.post(f"{root}/_mock/faults", data={"token": token, "plan": json.dumps({"endpoints": [entry]})})
            check(r.status_code == 200, f"plan {entry} accepted: {r.text}")

        def fault(kind):
            entry = {"path": PATH, "socket": kind}
            if kind == "trickle":
                # 16 bytes at a time: gaps of about 20000 / (pieces - 1) ms, longer than the 0.5 s read timeout
                entry["trickleMs"] = 20000
            plan(entry)

        print(f"{'fault':<10} {'urllib (Python ' + sys.version.split()[0] + ')':<28} requests {requests.__version__} / urllib3")
        seen = {}
        for kind, (want_urllib, want_requests) in EXPECTED.items():
            fault(kind)
            got = []
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=auth), timeout=0.5) as r:
                    r.read()
                got.append("no error")
            except Exception as e:  # noqa: BLE001 - measuring what is raised
                got.append(chain(e))
            try:
                requests.get(url, headers=auth, timeout=(2, 0.5)).json()
                got.append("no error")
            except Exception as e:  # noqa: BLE001
                got.append(chain(e))
            print(f"{kind:<10} {got[0]:<28} {got[1]}")
            check(got[0] == want_urllib, f"{kind}: urllib raised {got[0]}, expected {want_urllib}")
            check(got[1] == want_requests, f"{kind}: requests raised {got[1]}, expected {want_requests}")
            seen[kind] = tuple(got)
        check(len(set(seen.values())) == len(EXPECTED), "every fault reaches each client as its own error")

        # A read timeout is per read: a trickle with gaps shorter than it never times out, it is only
        # slow. Only a deadline on the whole answer catches that.
        plan({"path": PATH, "socket": "trickle", "trickleMs": 3000})
        started = time.monotonic()
        body = requests.get(url, headers=auth, timeout=(2, 0.5)).json()
        took = time.monotonic() - started
        print(f"trickle of 3 s, read timeout 0.5 s: no error, whole answer ({len(body.get('backupStores', []))} stores) in {took:.1f} s")
        check("backupStores" in body and 2.5 <= took <= 10, f"trickle delivers slowly ({took:.1f} s)")

        # A retrying client: requests with urllib3's Retry gets through once the fault's 2 times run out.
        for kind in ("reset", "empty", "garbage"):
            plan({"path": PATH, "socket": kind, "times": 2})
            requests.delete(f"{root}/_mock/requests", params={"token": token})
            session = requests.Session()
            session.mount("http://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.05)))
            try:
                stores = session.get(url, headers=auth, timeout=(2, 2)).json()
                ok = "backupStores" in stores
            except Exception as e:  # noqa: BLE001
                ok, stores = False, chain(e)
            journal = requests.get(f"{root}/_mock/requests", params={"token": token, "path": "stores"}).json()["requests"]
            tries = [(j["status"], j.get("fault", "")) for j in journal]
            print(f"Retry(total=3) through {kind} x2: {'recovered' if ok else stores} after {len(tries)} tries {[s for s, _ in tries]}")
            check(ok and len(tries) == 3 and [s for s, _ in tries] == [0, 0, 200], f"retry recovers from {kind}: {tries}")

        # urllib3's Retry does not cover the body: requests reads it after the response is handed over,
        # so a truncated answer fails on the first try.
        plan({"path": PATH, "socket": "truncated", "times": 2})
        session = requests.Session()
        session.mount("http://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.05)))
        try:
            session.get(url, headers=auth, timeout=(2, 2)).json()
            got = "no error"
        except Exception as e:  # noqa: BLE001
            got = chain(e)
        print(f"Retry(total=3) through truncated x2: {got} on the first try")
        check(got == EXPECTED["truncated"][1], f"Retry does not retry a truncated body: {got}")

        # A plain loop with urllib gets through it (the fault has one time left, then a clean answer).
        plan({"path": PATH, "socket": "truncated", "times": 2})
        attempts = 0
        for attempts in range(1, 5):
            try:
                with urllib.request.urlopen(urllib.request.Request(url, headers=auth), timeout=2) as r:
                    stores = json.loads(r.read())
                break
            except (http.client.IncompleteRead, ConnectionError, urllib.error.URLError):
                time.sleep(0.05)
        print(f"urllib retry loop through truncated x2: recovered after {attempts} tries")
        check(attempts == 3 and "backupStores" in stores, f"urllib loop recovers after 3 tries (got {attempts})")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
