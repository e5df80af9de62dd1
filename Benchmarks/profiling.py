"""perf profiles of the scenarios whose targets were missed."""
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

from benchkit import *  # noqa: F401,F403  the constants, helpers, Client, Server and RSSSampler


class ProfilingMixin:
    def perf_top(self, data):
        """The top entries by DSO and symbol of drmock's threads (not the start-up timer's or sh's)."""
        p = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "-g", "none", "--sort", "comm"],
                           capture_output=True, text=True)
        comms = [l.split()[-1] for l in p.stdout.splitlines() if l.strip() and not l.startswith("#")]
        comms = [c for c in comms if c not in ("sh", "startup", "perf-exec")]
        p = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "-g", "none", "--comms", ",".join(comms),
                            "--sort", "dso,symbol", "--percent-limit", "0.5"], capture_output=True, text=True)
        text = p.stdout
        demangle = shutil.which("swift-demangle") or "/opt/swift/usr/bin/swift-demangle"
        if os.path.exists(demangle):   # $s... symbols as Swift names
            text = subprocess.run([demangle, "--simplified"], input=text, capture_output=True, text=True).stdout or text
        lines = []
        for l in text.splitlines():
            if not l.strip() or l.startswith("#"):
                continue
            l = re.sub(r"(\s+-)+\s*$", "", l.rstrip())   # the empty parent columns
            l = re.sub(r"\s{3,}", "  ", l)
            lines.append(l if len(l) <= 200 else l[:197] + "...")
        return lines[:self.a.profile_top]

    def perf_pid(self, name, server, load):
        """perf record of a running server while load() runs."""
        data = os.path.join(self.out, f"perf-{name}.data")
        rec = subprocess.Popen(["perf", "record", "-q", "-F", "999", "-g", "-o", data, "-p", str(server.proc.pid)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(0.5)
        try:
            load()
        finally:
            rec.send_signal(signal.SIGINT)
            rec.wait(timeout=60)
        return data

    def profiles(self):
        """Where a target is missed: the top entries of `perf report` for that scenario."""
        if shutil.which("perf") is None:
            self.results["profiles"]["note"] = ["perf is not installed (apt-get install linux-perf)"]
            return
        missed = []
        for t in self.results["targets"]:
            if t["verdict"] != "met" and t["verdict"] != "not measured" and t["key"] not in missed:
                missed.append(t["key"])
        dur = min(self.a.duration, 5)
        for key in missed:
            log(f"-- profile: {key}")
            try:
                if key == "status64":
                    d = self.serve_drmock(self.default_db, "profile.sqlite")
                    path = f"{DR}/status?f=json&token={self.default_token}"
                    data = self.perf_pid(key, d, lambda: self.wrk("profile", d, path, 64, duration=dur, record=False))
                    d.stop()
                elif key in ("startup_default", "startup_big"):
                    if key == "startup_default":
                        template, token = self.default_db, self.default_token
                    else:
                        template, token = self.catalog(10_000)
                    port = free_port()
                    dbs = [self.copy_db(template, f"profile-start-{i}.sqlite") for i in range(5)]
                    loop = "; ".join(shlex.join([self.startup, str(port), f"{DR}/status?f=json&token={token}", '"status"', "--",
                                                 *self.drmock_argv(port, db)]) for db in dbs)
                    data = os.path.join(self.out, f"perf-{key}.data")
                    subprocess.run(["perf", "record", "-q", "-F", "20000", "-g", "-o", data, "--", "sh", "-c", loop],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
                elif key == "list_big":
                    db, token = self.catalog(self.a.backups)
                    d = self.serve_drmock(db, "profile.sqlite")
                    path = f"{DR}/stores/default/backups?f=json&token={token}"
                    data = self.perf_pid(key, d, lambda: self.time_list(d.port, path, 21))
                    d.stop()
                elif key == "creates":
                    d, cl, token = self.instant_server("profile-instant")

                    def creates():
                        for i in range(100):
                            self.create_one(cl, token, f"p-{i:04d}")
                    data = self.perf_pid(key, d, creates)
                    d.stop()
                else:
                    self.results["profiles"][key] = ["(memory: no CPU profile; see the memory tables)"]
                    continue
                self.results["profiles"][key] = self.perf_top(data)
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                self.results["profiles"][key] = [f"profile failed: {e}"]

    # ---- report ----
