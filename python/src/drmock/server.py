"""`drmock.Server`: one `drmock serve` process for a test session, a script or a notebook.

    with drmock.Server() as server:             # port 0, in-memory catalog, manual clock
        ctx = server.context()                  # a fresh context of its own (drmock.Context)
        job = ctx.post("admin/system/disasterrecovery/stores/default/backups/create",
                       name="b1", passcode="secret123", retentionDate="-1")
        ctx.clock.run_until(job, "COMPLETED")

The pytest plugin's `drmock_proc` fixture starts its server with this very class.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.parse
import uuid
from typing import Optional, Sequence

from . import _launcher
from .client import Context, DRMockError, Transport


def new_context_name(prefix="t_"):
    return prefix + uuid.uuid4().hex[:12]


class _Endpoint:
    """What Server and RemoteServer share: where the server is, and its contexts."""

    url: str            # the server's default context, e.g. http://127.0.0.1:40123/arcgis
    root: str           # http(s)://host:port
    ca_bundle: Optional[str] = None
    ready: dict

    @property
    def release(self) -> str:
        return self.ready.get("release", "")

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.root).port

    def context(self, name: Optional[str] = None) -> Context:
        """A client for context `name` (default: a new unique one, made on its first request)."""
        return Context(self.root, name or new_context_name(), ca_bundle=self.ca_bundle)

    def _set_url(self, url):
        self.url = url.rstrip("/")
        parts = urllib.parse.urlsplit(self.url)
        self.root = f"{parts.scheme}://{parts.netloc}"


class Server(_Endpoint):
    """Starts the bundled drmock binary (or `binary`) on port 0 with a ready file and an in-memory
    catalog; stops it on exit. `clock="manual"` (default) or "system" (with `speed`); `tls=True` serves
    HTTPS with a development certificate (`ca_bundle` is its path); `args` adds `drmock serve` options."""

    def __init__(self, *, binary: Optional[str] = None, release: Optional[str] = None, fixture: Optional[str] = None,
                 clock: str = "manual", speed: Optional[float] = None, tls: bool = False,
                 cert_dir: Optional[str] = None, host: str = "127.0.0.1", context: Optional[str] = None,
                 db: str = ":memory:", args: Sequence[str] = (), startup_timeout: float = 30.0, env: Optional[dict] = None):
        if speed is not None:
            clock = "system"
        if clock not in ("manual", "system"):
            raise ValueError("clock is 'manual' or 'system'")
        self.binary = binary or _launcher.binary_path()
        self.options = dict(release=release, fixture=fixture, clock=clock, speed=speed, tls=tls, host=host,
                            context=context, db=db)
        self.cert_dir = cert_dir
        self.args = list(args)
        self.startup_timeout = startup_timeout
        self.env = _launcher.environment(env)
        self.process: Optional[subprocess.Popen] = None
        self._workdir: Optional[str] = None

    def command(self, ready_file):
        o = self.options
        cmd = [self.binary, "serve", "--host", o["host"], "--port", "0", "--db", o["db"], "--clock", o["clock"],
               "--ready-file", ready_file]
        for flag, key in (("--release", "release"), ("--fixture", "fixture"), ("--context", "context"), ("--speed", "speed")):
            if o[key] is not None:
                cmd += [flag, str(o[key])]
        if o["tls"]:
            cmd += ["--tls-dev-cert", self.cert_dir]
        return cmd + self.args

    def start(self) -> "Server":
        if self.process is not None:
            return self
        self._workdir = tempfile.mkdtemp(prefix="drmock-")
        if self.options["tls"] and not self.cert_dir:
            self.cert_dir = os.path.join(self._workdir, "tls")   # serve --tls-dev-cert makes the pair there
        ready_file = os.path.join(self._workdir, "ready.json")
        self.log_path = os.path.join(self._workdir, "drmock.log")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command(ready_file), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, env=self.env)
        deadline = time.monotonic() + self.startup_timeout
        while not os.path.exists(ready_file):   # written atomically once the server answers
            if self.process.poll() is not None or time.monotonic() > deadline:
                why = "exited" if self.process.poll() is not None else f"was not ready in {self.startup_timeout:g} s"
                log_text = self.log()
                self.stop()
                raise RuntimeError(f"drmock {why}: {' '.join(self.command(ready_file))}\n{log_text}")
            time.sleep(0.005)
        with open(ready_file) as f:
            self.ready = json.loads(f.readline())
        self._set_url(self.ready["url"])
        self.ca_bundle = os.path.join(self.cert_dir, "cert.pem") if self.options["tls"] else None
        return self

    def log(self) -> str:
        """What the process printed so far."""
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        return f"<drmock.Server {getattr(self, 'url', '(not started)')}>"


class RemoteServer(_Endpoint):
    """A drmock someone else runs (a CI service container, `drmock serve` in another shell): `url` is
    its base URL (http://host:7443, with or without the context); `ca_bundle` to verify its TLS."""

    def __init__(self, url: str, ca_bundle: Optional[str] = None, timeout: float = 30.0):
        parts = urllib.parse.urlsplit(url)
        self.root = f"{parts.scheme}://{parts.netloc}"
        self.ca_bundle = ca_bundle
        http = Transport(ca_bundle)
        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = http.send("GET", f"{self.root}/_mock/ready", timeout=5)
                if answer.status == 200 and isinstance(answer.body, dict):
                    break
                error = DRMockError("GET", f"{self.root}/_mock/ready", answer.status, answer.body)
            except OSError as e:
                error = e
            if time.monotonic() > deadline:
                raise RuntimeError(f"no drmock ready at {self.root} within {timeout:g} s: {error}")
            time.sleep(0.1)
        self.ready = answer.body
        self._set_url(f"{self.root}/{self.ready.get('context', 'arcgis')}")

    def __repr__(self):
        return f"<drmock.RemoteServer {self.url}>"
