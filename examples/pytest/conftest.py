"""pytest fixtures that give each test its own drmock.

drmock starts in milliseconds, so each test gets its own process with an in-memory catalog and a
context named after the test: nothing one test does is seen by another, and tests can run in
parallel (pytest-xdist). The binary is $DRMOCK_BIN, else `drmock` on PATH.
"""
import json
import os
import re
import select
import shutil
import subprocess
import urllib.parse
import urllib.request
import uuid

import pytest

DRMOCK = os.environ.get("DRMOCK_BIN") or shutil.which("drmock") or "drmock"


class DRMock:
    """A running drmock: its base URL (`http://127.0.0.1:PORT/<context>`) and a tiny client."""

    def __init__(self, base_url, process):
        self.base_url = base_url
        self.process = process

    def call(self, path, token=None, method="GET", **params):
        params = {"f": "json", **params}
        if token:
            params["token"] = token
        data = urllib.parse.urlencode(params)
        url = f"{self.base_url}/{path}"
        if method == "GET":
            request = urllib.request.Request(f"{url}?{data}")
        else:
            request = urllib.request.Request(url, data=data.encode(), method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)

    def token(self, username="admin", password="drmock-admin-1"):
        answer = self.call("sharing/rest/generateToken", method="POST", username=username,
                           password=password, client="referer", referer="pytest")
        return answer["token"]


@pytest.fixture
def drmock(request):
    # A unique context per test (letters, digits, '-' and '_').
    context = "t_" + uuid.uuid4().hex[:12]
    process = subprocess.Popen(
        [DRMOCK, "serve", "--port", "0", "--db", ":memory:", "--context", context, "--speed", "600"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Ready once it prints "drmock listening on http://127.0.0.1:PORT/<context> (...)".
    ready, _, _ = select.select([process.stdout], [], [], 10)
    line = process.stdout.readline() if ready else ""
    match = re.match(r"drmock listening on (\S+) ", line)
    if not match:
        process.kill()
        pytest.fail(f"drmock did not start: {line!r}")
    yield DRMock(match.group(1), process)
    process.terminate()
    process.wait(timeout=10)
