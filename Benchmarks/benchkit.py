"""The benchmark's shared pieces: paths and constants, small helpers (free ports, logging, wrk's latency
histograms, the scrypt cost of a hash), an HTTP client, a server process with its memory and CPU, and a
memory sampler. bench.py and pairs.py build on them."""
import argparse
import gc
import http.client
import json
import math
import os
import re
import shlex
import shutil
import sqlite3
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "Benchmarks")
DR = "/arcgis/admin/system/disasterrecovery"
ADMIN = ("admin", "drmock-admin-1")
SECTIONS = ("startup", "status", "job", "lists", "create", "many", "catalogs", "contexts")
MB = 1_000_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def mib(kb):
    return round(kb / 1024, 1)


def histogram(text):
    """wrk's latency histogram as hist.lua prints it ("value:count ..."): {microseconds: count}."""
    out = {}
    for part in text.split():
        v, c = part.split(":")
        out[int(v)] = out.get(int(v), 0) + int(c)
    return out


def merge(hists):
    out = {}
    for h in hists:
        for v, c in h.items():
            out[v] = out.get(v, 0) + c
    return out


def percentile_ms(hist, p):
    """wrk 4.1's own percentile (stats_percentile): the smallest value whose cumulative count reaches
    round(p / 100 × count + 0.5)."""
    count = sum(hist.values())
    rank = math.floor(p / 100 * count + 0.5 + 0.5)   # C's round() of a positive number
    total = 0
    for v in sorted(hist):
        total += hist[v]
        if total >= rank:
            return v / 1000
    return 0.0


def hash_cost(passcode_hash):
    """'scrypt$12$8$1$salt$digest' -> 'scrypt N=2^12, r=8, p=1'."""
    parts = passcode_hash.split("$")
    if len(parts) >= 4 and parts[0] == "scrypt":
        return f"scrypt N=2^{parts[1]}, r={parts[2]}, p={parts[3]}"
    return parts[0]


class Client:
    """A keep-alive HTTP client for set-up steps, one-client timings and the create loop."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path):
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        return r.status, r.read()

    def post(self, path, form):
        body = urllib.parse.urlencode(form)
        self.conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = self.conn.getresponse()
        return r.status, r.read()

    def token(self, user=ADMIN, expiration=20160, context="arcgis"):
        _, body = self.post(f"/{context}/sharing/rest/generateToken", {
            "username": user[0], "password": user[1], "client": "referer", "referer": "bench",
            "expiration": str(expiration), "f": "json"})
        answer = json.loads(body)
        if "token" not in answer:
            raise RuntimeError(f"generateToken failed: {body[:200]!r}")
        return answer["token"]


class Server:
    """A process listening on a port: drmock, nginx or the baseline."""

    def __init__(self, argv, port, name, wait_s=60):
        self.argv, self.port, self.name = argv, port, name
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + wait_s
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.proc.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    self.listening_s = time.perf_counter() - self.started
                    return
            except OSError:
                time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"{name} did not listen on {port} within {wait_s} s")

    def rss_kb(self):
        """(VmRSS, VmHWM) in KiB, of the process (drmock and the baseline are one process)."""
        out = {}
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(("VmRSS:", "VmHWM:")):
                        k, v = line.split(":")
                        out[k] = int(v.split()[0])
        except OSError:
            pass
        return out.get("VmRSS", 0), out.get("VmHWM", 0)

    def memory(self):
        rss, hwm = self.rss_kb()
        return {"rss_kb": rss, "hwm_kb": hwm}

    def cpu_seconds(self):
        """CPU time (user + system) used so far by the process and its children (nginx's workers)."""
        ticks = os.sysconf("SC_CLK_TCK")
        pids = [self.proc.pid]
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                pids += [int(p) for p in f.read().split()]
        except OSError:
            pass
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])   # utime, stime
            except OSError:
                pass
        return total / ticks

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class RSSSampler:
    """Samples a server's VmRSS every `interval` seconds while a load runs: the peak while it runs
    (VmHWM alone keeps the peak since the start, so it cannot tell one load from another)."""

    def __init__(self, server, interval=0.01):
        self.server, self.interval = server, interval
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            rss, _ = self.server.rss_kb()
            self.peak = max(self.peak, rss)
            self.samples += 1
            self._stop.wait(self.interval)

    def __enter__(self):
        self.before = self.server.memory()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.after = self.server.memory()
        self.peak = max(self.peak, self.after["rss_kb"])

    def summary(self):
        return {"rss_before_kb": self.before["rss_kb"], "rss_peak_kb": self.peak, "rss_kb": self.after["rss_kb"],
                "hwm_kb": self.after["hwm_kb"], "rss_samples": self.samples}
