"""pytest fixtures for testing a client of the ArcGIS Enterprise Administrator API against drmock.

One drmock per test session (`--port 0`, an in-memory catalog, a manual clock), started with
`--ready-file`: pytest waits for that file instead of sleeping or polling a port. Each test then gets
its own *context*, `/t_<random>/`: drmock makes a fresh deployment from the fixture the first time a
request names it (its own stores, backups, jobs, tokens, clock and faults), so tests never see each
other's state and can run in parallel (pytest-xdist) against the same server.

The binary is $DRMOCK_BIN, else `drmock` on PATH.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid

import pytest

DRMOCK = os.environ.get("DRMOCK_BIN") or shutil.which("drmock") or "drmock"


@pytest.fixture(scope="session")
def drmock_server():
    """The session's drmock: yields the start-up handshake (url, port, pid, release, ...)."""
    with tempfile.TemporaryDirectory() as tmp:
        ready_file = os.path.join(tmp, "ready.json")
        process = subprocess.Popen(
            [DRMOCK, "serve", "--port", "0", "--db", ":memory:", "--clock", "manual", "--ready-file", ready_file],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 15
        while not os.path.exists(ready_file):        # written atomically once the server answers
            if process.poll() is not None:
                pytest.fail(f"drmock exited: {process.stderr.read()}")
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("drmock did not become ready in 15 s")
            time.sleep(0.01)
        with open(ready_file) as f:
            yield json.load(f)
        process.terminate()
        process.wait(timeout=10)


class DRMock:
    """One test's deployment: `base_url` is http://127.0.0.1:PORT/<its own context>."""

    def __init__(self, port, context):
        self.root = f"http://127.0.0.1:{port}"
        self.context = context
        self.base_url = f"{self.root}/{context}"

    def _send(self, url, method, params):
        data = urllib.parse.urlencode(params)
        if method == "GET":
            request = urllib.request.Request(f"{url}?{data}")
        else:
            request = urllib.request.Request(url, data=data.encode(), method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)

    def call(self, path, token=None, method="GET", **params):
        """An Enterprise Administrator API call under this test's context."""
        return self._send(f"{self.base_url}/{path}", method, {"f": "json", **params, **({"token": token} if token else {})})

    def control(self, path, token, method="POST", **params):
        """A control-plane call (/_mock/...) addressed to this test's context."""
        return self._send(f"{self.root}/_mock/{path}", method, {**params, "context": self.context, "token": token})

    def token(self, username="admin", password="drmock-admin-1"):
        answer = self.call("sharing/rest/generateToken", method="POST", username=username,
                           password=password, client="referer", referer="pytest")
        return answer["token"]


@pytest.fixture
def drmock(drmock_server):
    """A fresh deployment for this test on the session's server: a unique context."""
    return DRMock(drmock_server["port"], "t_" + uuid.uuid4().hex[:12])
