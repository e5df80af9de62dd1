"""Start-up: exec to the first good answer, for drmock (catalogs old and new), nginx and the bare C program."""
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


class StartupMixin:
    def time_starts(self, label, argv_for_run, port, path, expect, prepare=None, starts=None):
        times, cpus = [], []
        for i in range(starts or self.a.starts):
            argv = argv_for_run(i)
            if prepare:
                prepare(i)
            p = subprocess.run([self.startup, str(port), path, expect, "--", *argv], capture_output=True, text=True,
                               env={**os.environ, "STARTUP_TIMEOUT_MS": "120000"})
            if p.returncode != 0:
                raise RuntimeError(f"start-up {label}: {p.stderr.strip()}")
            elapsed, cpu = p.stdout.split()
            times.append(float(elapsed))
            cpus.append(float(cpu))
        r = {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2),
             "min_ms": round(min(times), 2), "cpu_median_ms": round(statistics.median(cpus), 2), "runs": len(times),
             "load": loadavg()[0]}
        self.results["startup"][label] = r
        log(f"start-up {label}: median {r['median_ms']} ms, max {r['max_ms']} ms, CPU median {r['cpu_median_ms']} ms, load {r['load']}")
        return r

    def drmock_start(self, template, token, label, starts=None):
        """exec -> first authenticated GET status on a copy of `template`, made before each start."""
        port = free_port()
        db = os.path.join(self.work, "start.sqlite")
        return self.time_starts(label, lambda i: self.drmock_argv(port, db), port,
                                f"{DR}/status?f=json&token={token}", '"status"',
                                prepare=lambda i: self.copy_db(template, "start.sqlite"), starts=starts)

    def startups(self):
        port = free_port()
        status = f"{DR}/status?f=json&token="
        nginx_dir = self.nginx_dir

        def drmock_new(fixture, label):
            def prepare(i):
                for suffix in ("", "-wal", "-shm"):
                    p = os.path.join(self.work, "new.sqlite" + suffix)
                    if os.path.exists(p):
                        os.unlink(p)
            self.time_starts(label, lambda i: self.drmock_argv(port, os.path.join(self.work, "new.sqlite"), fixture),
                             port, status + "none", "Invalid token.", prepare=prepare)

        for round_ in range(self.a.rounds):
            suffix = f" (round {round_ + 1})"
            self.drmock_start(self.default_db, self.default_token, "drmock, default fixture, authenticated GET" + suffix)
            self.time_starts("nginx, static file" + suffix,
                             lambda i: ["nginx", "-c", self.write_nginx_conf(port), "-e", os.path.join(nginx_dir, "error.log")],
                             port, status + "x", '"status"')
            self.time_starts("bare libmicrohttpd" + suffix,
                             lambda i: [self.baseline, str(port), self.status_body_file, self.default_token, "2"],
                             port, status + self.default_token, '"status"')
        n = self.a.backups
        db, token = self.catalog(n)
        self.drmock_start(db, token, self.big_start_label(n))
        drmock_new("default", "drmock, new empty file loading the default fixture, first answer (498)")
        drmock_new(self.big_fixture(n), f"drmock, new empty file loading the {n:,}-backup fixture, first answer (498)")

    @staticmethod
    def big_start_label(n):
        return f"drmock, catalog holding {n:,} backups, authenticated GET"

    # ---- nginx ----
