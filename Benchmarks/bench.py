#!/usr/bin/env python3
"""drmock's benchmark (issue #11): start-up and wrk throughput against nginx (static file) and a
bare libmicrohttpd C program, in one run, on loopback; the issue's targets checked; how the figures
grow with the catalog (backups) and with concurrent contexts; memory while a big list streams.
Run it through scripts/bench, which builds everything first. Python standard library only (the
PNG plot is drawn by Benchmarks/plot.py with matplotlib from a venv, if there is one).

Writes <out>/results.json, <out>/results.md (the tables docs/benchmarks.md quotes) and
<out>/scaling.png.
"""
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


class Bench:
    def __init__(self, args):
        self.a = args
        self.out = os.path.abspath(args.out)
        self.work = os.path.join(self.out, "work")
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        self.drmock = os.path.abspath(args.drmock)
        self.baseline = os.path.join(args.tools, "baseline")
        self.startup = os.path.join(args.tools, "startup")
        self.catalogs = {}
        self.results = {"machine": self.machine(), "load_before": loadavg(), "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
                        "options": {k: sorted(v) if isinstance(v, set) else v for k, v in vars(args).items()},
                        "duration_s": args.duration, "starts": args.starts, "connections": args.connections,
                        "startup": {}, "wrk": [], "create": {}, "rss": {}, "streaming": [],
                        "scaling": {"catalog": [], "contexts": []}, "targets": [], "profiles": {}}

    # ---- set-up ----

    def machine(self):
        model = ""
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break

        def version(argv):
            try:
                p = subprocess.run(argv, capture_output=True, text=True)
                return (p.stdout + p.stderr).strip().splitlines()[0]
            except (OSError, IndexError):
                return "?"
        git = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True, text=True).stdout.strip()
        return {"cpu": model, "cores": os.cpu_count(), "kernel": os.uname().release,
                "nginx": version(["nginx", "-v"]), "wrk": version(["wrk", "-v"]),
                "libmicrohttpd": subprocess.run(["pkg-config", "--modversion", "libmicrohttpd"], capture_output=True, text=True).stdout.strip(),
                "drmock": self.a.drmock, "drmock_version": version([os.path.abspath(self.a.drmock), "--version"]),
                "git": git}

    def make_fixtures(self):
        """bench-instant: the default fixture with zero stage timings (a create completes at once,
        tokens keep their normal life). One real passcode hash from `drmock hash`, made once and shared
        by every generated backup of the big catalogs."""
        with open(os.path.join(ROOT, "fixtures", "default.json")) as f:
            self.base_fixture = json.load(f)
        instant = json.loads(json.dumps(self.base_fixture))
        instant["name"] = "bench-instant"
        instant["timings"]["submitDelayMs"] = 0
        for key in ("backupStages", "restoreStages"):
            for stage in instant["timings"][key]:
                stage["durationMs"] = 0
        self.instant_fixture = os.path.join(self.work, "bench-instant.json")
        with open(self.instant_fixture, "w") as f:
            json.dump(instant, f)
        self.passcode_hash = self.drmock_hash(self.cost_args())
        self.results["default_hash_cost"] = hash_cost(self.drmock_hash([]))
        self.results["hash_cost"] = hash_cost(self.passcode_hash)

    def drmock_hash(self, args):
        p = subprocess.run([self.drmock, "hash", *args], input="bench-passcode\n", capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"drmock hash {' '.join(args)}: {p.stderr.strip()}")
        return p.stdout.strip()

    def cost_args(self):
        return ["--hash-cost", str(self.a.hash_cost)] if self.a.hash_cost is not None else []

    def big_fixture(self, n):
        """The default fixture grown to `n` backups in all (its own plus generated ones, each with the
        real passcode hash made once). Named "default": the catalog made from it is then served with the
        default fixture, as a catalog that reached n backups through the API would be (the fixture file
        itself is only read when a new catalog is made)."""
        path = os.path.join(self.work, f"bench-{n}.json")
        if os.path.exists(path):
            return path
        big = dict(self.base_fixture)
        template = self.base_fixture["backups"][0]
        backups = list(self.base_fixture["backups"])
        t0 = 1_650_000_000_000
        gc.disable()   # 100,000 new dicts: the collector's passes would cost more than making them
        for i in range(max(0, n - len(backups))):
            # Shallow copies of the template (its unchanged nested values are shared: only written out).
            b = dict(template)
            b["relationalStore"] = [dict(template["relationalStore"][0])]
            b["objectStore"] = [dict(template["objectStore"][0])]
            start = t0 + i * 3_600_000
            b["backupName"] = f"bench-{i:06d}"
            b["description"] = f"generated backup {i}"
            b["startTime"] = start
            b["relationalStore"][0]["startTime"] = start + 2_000
            b["relationalStore"][0]["endTime"] = start + 50_000
            b["objectStore"][0]["startTime"] = start + 50_200
            b["objectStore"][0]["endTime"] = start + 320_000
            b["infrastructures"] = {"startTime": start + 320_200, "endTime": start + 340_000, "status": "completed"}
            b["completeTime"] = start + 340_100
            b["passcodeHash"] = self.passcode_hash
            backups.append(b)
        big["backups"] = backups
        with open(path, "w") as f:
            f.write(json.dumps(big))
        gc.enable()
        return path

    def catalog(self, n):
        """A catalog file holding n backups and a two-week admin token, made once (drmock loads the
        fixture into a new file) and copied before each use."""
        if n not in self.catalogs:
            t = time.perf_counter()
            fixture = self.big_fixture(n)
            made_fixture = time.perf_counter() - t
            db, token, load_s = self.make_template(f"catalog-{n}", fixture)
            self.catalogs[n] = {"db": db, "token": token, "fixture": fixture, "fixture_s": round(made_fixture, 2),
                                "load_s": round(load_s, 2), "db_bytes": os.path.getsize(db)}
            log(f"catalog of {n:,} backups: fixture written in {made_fixture:.1f} s, loaded by drmock in {load_s:.1f} s "
                f"(to the first token), {os.path.getsize(db) / MB:.1f} MB")
        c = self.catalogs[n]
        return c["db"], c["token"]

    def drmock_argv(self, port, db, fixture="default", extra=()):
        return [self.drmock, "serve", "--port", str(port), "--db", db, "--fixture", fixture, *self.cost_args(),
                *self.a.serve_arg, *extra]

    def make_template(self, name, fixture):
        """A catalog made from `fixture` holding one two-week admin token: copied before each start."""
        db = os.path.join(self.work, f"{name}.sqlite")
        port = free_port()
        t = time.perf_counter()
        s = Server(self.drmock_argv(port, db, fixture), port, "drmock", wait_s=900)
        try:
            token = Client(port).token()
            load_s = time.perf_counter() - t
        finally:
            s.stop()
        # Every start copies the template: a write-ahead log left beside it (a drmock stopped before
        # its last checkpoint) would be replayed at each start and counted as start-up. Fold it in.
        if os.path.exists(db + "-wal"):
            con = sqlite3.connect(db)
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()
            for suffix in ("-wal", "-shm"):
                if os.path.exists(db + suffix) and os.path.getsize(db + suffix) == 0:
                    os.unlink(db + suffix)
        return db, token, load_s

    def copy_db(self, template, name):
        db = os.path.join(self.work, name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
            if os.path.exists(template + suffix):
                shutil.copyfile(template + suffix, db + suffix)
        return db

    def serve_drmock(self, template, name, fixture="default", extra=()):
        db = self.copy_db(template, name)
        port = free_port()
        return Server(self.drmock_argv(port, db, fixture, extra), port, "drmock")

    # ---- start-up ----

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

    def write_nginx_conf(self, port):
        path = os.path.join(self.nginx_dir, f"nginx-{port}.conf")
        if not os.path.exists(path):
            with open(os.path.join(BENCH, "nginx.conf.template")) as f:
                conf = f.read()
            conf = conf.replace("@ROOT@", self.nginx_dir).replace("@PORT@", str(port)).replace("@DIR@", self.nginx_dir)
            with open(path, "w") as f:
                f.write(conf)
        return path

    def start_nginx(self):
        port = free_port()
        return Server(["nginx", "-c", self.write_nginx_conf(port), "-e", os.path.join(self.nginx_dir, "error.log")], port, "nginx")

    # ---- wrk ----

    def wrk(self, label, server, path, connections, script="get.lua", env=None, check=None, duration=None, record=True, quiet=False):
        threads = min(2, connections)
        e = dict(os.environ)
        e.update(env or {})
        duration = duration or self.a.duration
        argv = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
                "-s", os.path.join(BENCH, script), f"http://127.0.0.1:{server.port}{path}"]
        cpu0 = server.cpu_seconds()
        sampler = RSSSampler(server)
        with sampler:
            p = subprocess.run(argv, capture_output=True, text=True, env=e)
        cpu = server.cpu_seconds() - cpu0
        line = [l for l in p.stdout.splitlines() if l.startswith("BENCH ")]
        if p.returncode != 0 or not line:
            raise RuntimeError(f"wrk failed for {label}: {p.stdout}\n{p.stderr}")
        r = json.loads(line[-1][6:])
        if script == "hist.lua":
            hist = [l for l in p.stdout.splitlines() if l.startswith("HIST")]
            r["hist"] = histogram(hist[-1][5:]) if hist else {}
        r.update(label=label, server=server.name, connections=connections, duration_s=duration, load=loadavg()[0],
                 server_cpu_s=round(cpu, 2), cpu_us_per_request=round(cpu * 1e6 / max(1, r["requests"]), 1))
        if server.name == "drmock":
            r.update(sampler.summary())
        if check:
            r["check"] = check()
        if record:
            self.results["wrk"].append(r)
        if quiet:
            return r
        rss = f"  RSS {mib(r['rss_before_kb'])} -> peak {mib(r['rss_peak_kb'])} MiB" if "rss_peak_kb" in r else ""
        log(f"{label:45s} c={connections:<3d} {r['rps']:>10.0f} req/s  p50 {r['p50_ms']:.3f}  p99 {r['p99_ms']:.3f}  "
            f"p99.9 {r['p999_ms']:.3f} ms  errors {r['errors']}  server CPU {r['cpu_us_per_request']} µs/req  load {r['load']}{rss}")
        return r

    def wrk_paths(self, server, label, path, **kw):
        return [self.wrk(label, server, path, c, **kw) for c in self.a.connections]

    def same_body(self, port, path):
        _, body = Client(port).get(path)
        with open(self.status_body_file, "rb") as f:
            return "identical body" if body == f.read() else "BODY DIFFERS"

    def time_list(self, port, path, requests):
        """Whole requests of one keep-alive client: the first one (which may render and fill a cache)
        and the median and max of the next ones."""
        cl = Client(port)
        times = []
        body = b""
        for _ in range(requests):
            t = time.perf_counter()
            _, body = cl.get(path)
            times.append((time.perf_counter() - t) * 1000)
        try:
            n = len(json.loads(body)["backups"])
        except (ValueError, KeyError):
            n = None
        rest = times[1:] or times
        return {"backups": n, "bytes": len(body), "first_ms": round(times[0], 2),
                "median_ms": round(statistics.median(rest), 2), "max_ms": round(max(rest), 2), "requests": len(times)}

    # ---- the sections ----

    def run(self):
        log(f"load average before: {' '.join(loadavg())}")
        self.make_fixtures()
        self.default_db, self.default_token, _ = self.make_template("default", "default")

        # The status body drmock answers on an idle deployment: nginx and the baseline serve these bytes.
        port = free_port()
        s = Server(self.drmock_argv(port, self.copy_db(self.default_db, "probe.sqlite")), port, "drmock")
        _, body = Client(port).get(f"{DR}/status?f=json&token={self.default_token}")
        s.stop()
        self.status_body_file = os.path.join(self.work, "status.json")
        with open(self.status_body_file, "wb") as f:
            f.write(body)
        self.nginx_dir = os.path.join(self.work, "nginx")
        os.makedirs(os.path.join(self.nginx_dir, "tmp"), exist_ok=True)
        shutil.copyfile(self.status_body_file, os.path.join(self.nginx_dir, "status.json"))
        self.results["status_body"] = body.decode()

        steps = [("startup", self.startups), ("status", self.status), ("job", self.while_job),
                 ("lists", self.big_list), ("create", self.create_loop), ("many", self.many_created), ("catalogs", self.scale_catalogs),
                 ("contexts", self.scale_contexts)]
        for name, step in steps:
            if name in self.a.skip:
                log(f"-- {name}: skipped")
                continue
            log(f"-- {name} (load {' '.join(loadavg())})")
            try:
                step()
            except (RuntimeError, OSError, subprocess.SubprocessError, ValueError, KeyError, http.client.HTTPException) as e:
                # One failed section does not lose the others' figures: the report names it.
                log(f"-- {name} FAILED: {e}")
                self.results.setdefault("failed", {})[name] = str(e)[-2000:]
        self.results["targets"] = self.targets()
        if self.a.profile:
            self.profiles()
        if self.a.callgrind:
            try:
                self.callgrind()
            except (RuntimeError, OSError, subprocess.SubprocessError, http.client.HTTPException) as e:
                log(f"-- callgrind FAILED: {e}")
                self.results.setdefault("failed", {})["callgrind"] = str(e)[-2000:]
        return self.results

    # ---- instruction counts ----

    def callgrind_totals(self, prefix, pid, name):
        """Dumps the running callgrind's counters (`callgrind_control --dump`) and returns the
        instructions counted since the last zeroing."""
        before = set(os.listdir(self.out))
        subprocess.run(["callgrind_control", f"--dump={name}", str(pid)], capture_output=True, text=True, check=True)
        new = sorted((f for f in set(os.listdir(self.out)) - before if f.startswith(os.path.basename(prefix))),
                     key=lambda f: int(f.rsplit(".", 1)[1]) if f.rsplit(".", 1)[1].isdigit() else 0)
        if not new:
            raise RuntimeError(f"callgrind wrote no dump for {name}")
        with open(os.path.join(self.out, new[-1])) as f:
            for line in f:
                if line.startswith(("totals:", "summary:")):
                    return int(line.split()[1])
        raise RuntimeError(f"no totals in {new[-1]}")

    def callgrind(self):
        """Instructions (user space, valgrind --tool=callgrind) per start and per request of drmock
        and of the bare libmicrohttpd program: repeatable on a busy machine, unlike times."""
        if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
            self.results["callgrind"] = {"note": "valgrind is not installed (apt-get install valgrind)"}
            return
        log("-- callgrind (instruction counts)")
        # valgrind 3.19 cannot read the DWARF 5 of Swift's release build: count on a copy without it
        # (the symbol table stays, so the code is the same bytes).
        binary = os.path.join(self.work, "drmock-nodebug")
        subprocess.run(["strip", "--strip-debug", "-o", binary, self.drmock], check=True)
        n = self.a.callgrind_requests
        out = {"requests_each": n, "drmock": {}, "baseline": {}}
        for who in ("drmock", "baseline"):
            for f in os.listdir(self.out):
                if f.startswith(f"callgrind-{who}."):
                    os.unlink(os.path.join(self.out, f))
            prefix = os.path.join(self.out, f"callgrind-{who}.out")
            port = free_port()
            if who == "drmock":
                db = self.copy_db(self.default_db, "callgrind.sqlite")
                target = [binary, "serve", "--port", str(port), "--db", db, *self.cost_args(), *self.a.serve_arg]
            else:
                target = [self.baseline, str(port), self.status_body_file, self.default_token, "2"]
            s = Server(["valgrind", "--tool=callgrind", f"--callgrind-out-file={prefix}", *target], port, who, wait_s=300)
            try:
                cl = Client(port)
                status = f"{DR}/status?f=json&token={self.default_token}"
                cl.get(status)
                out[who]["exec to first answer"] = self.callgrind_totals(prefix, s.proc.pid, "startup")
                paths = [("GET status", status)]
                if who == "drmock":
                    paths += [("GET backups list (fixture: 2)", f"{DR}/stores/default/backups?f=json&token={self.default_token}"),
                              ("GET one backup", f"{DR}/stores/default/backups/{self.base_fixture['backups'][0]['backupName']}?f=json&token={self.default_token}")]
                for i, (label, path) in enumerate(paths):
                    cl.get(path)   # the first one may fill a cache
                    subprocess.run(["callgrind_control", "--zero", str(s.proc.pid)], capture_output=True, check=True)
                    for _ in range(n):
                        cl.get(path)
                    out[who][f"{label}, per request"] = round(self.callgrind_totals(prefix, s.proc.pid, f"path{i}") / n)
            finally:
                s.stop()
        self.results["callgrind"] = out
        log(f"callgrind: {out}")

    def status(self):
        self.status_trio()
        if self.a.slices:
            self.status_slices()

    def status_trio(self):
        """The same GET: drmock, nginx, baseline at each connection count, `rounds` times, interleaved."""
        status = f"{DR}/status?f=json&token={self.default_token}"
        for round_ in range(self.a.rounds):
            for c in self.a.connections:
                d = self.serve_drmock(self.default_db, "idle.sqlite")
                self.wrk(f"GET status idle (round {round_ + 1})", d, status, c,
                         check=lambda: self.same_body(d.port, status))
                d.stop()
                n = self.start_nginx()
                self.wrk(f"nginx static status.json (round {round_ + 1})", n, status, c)
                n.stop()
                bport = free_port()
                b = Server([self.baseline, str(bport), self.status_body_file, self.default_token, "2"], bport, "baseline")
                self.wrk(f"bare libmicrohttpd (round {round_ + 1})", b, status, c)
                b.stop()

    def status_slices(self):
        """The same GET at `--slice-connections` (64) with drmock, nginx and the baseline all running, measured
        in `--slices` short wrk runs of `--slice-duration` s per server, taken in turn with the order rotating.
        The 10 s rounds of `status_trio` are minutes apart, so their ratios also carry the machine's swings
        between them; here every server sees the same mixture of the machine's states. Per server: all its
        slices' requests over all their time, the CPU per request, and percentiles of the merged latency
        histograms (wrk's own, corrected for coordinated omission in each slice, as its percentiles are)."""
        status = f"{DR}/status?f=json&token={self.default_token}"
        c, n_slices, slice_s = self.a.slice_connections, self.a.slices, self.a.slice_duration
        bport = free_port()
        servers = []
        try:
            servers.append(("drmock", self.serve_drmock(self.default_db, "slices.sqlite")))
            servers.append(("nginx", self.start_nginx()))
            servers.append(("baseline", Server([self.baseline, str(bport), self.status_body_file, self.default_token, "2"], bport, "baseline")))
            # --slice-variant: more drmock servers with other serve options, in the same rotation.
            for i, args in enumerate(self.a.slice_variant):
                servers.append((f"drmock {args}", self.serve_drmock(self.default_db, f"slices-{i + 1}.sqlite", extra=shlex.split(args))))
            checks = {name: self.same_body(srv.port, status) for name, srv in servers}
            if any(v != "identical body" for v in checks.values()):
                raise RuntimeError(f"the servers do not answer the same bytes: {checks}")
            per_slice, hists = [], {name: [] for name, _ in servers}
            totals = {name: {"requests": 0, "duration_s": 0.0, "cpu_s": 0.0, "errors": 0} for name, _ in servers}
            for k in range(n_slices):
                order = servers[k % len(servers):] + servers[:k % len(servers)]
                row = {"slice": k + 1, "order": [name for name, _ in order], "load": loadavg()[0]}
                for name, srv in order:
                    w = self.wrk(f"slice {k + 1}: {name}", srv, status, c, script="hist.lua", duration=slice_s, record=False, quiet=True)
                    h = w.pop("hist")
                    if abs(percentile_ms(h, 99) - w["p99_ms"]) > 0.0015:   # the histogram is the one wrk's p99 came from
                        raise RuntimeError(f"{name}, slice {k + 1}: the histogram gives p99 {percentile_ms(h, 99)} ms, wrk {w['p99_ms']} ms")
                    hists[name].append(h)
                    t = totals[name]
                    t["requests"] += w["requests"]
                    t["duration_s"] += w["requests"] / w["rps"] if w["rps"] else 0.0
                    t["cpu_s"] += w["server_cpu_s"]
                    t["errors"] += w["errors"]
                    row[name] = {"rps": w["rps"], "p99_ms": w["p99_ms"], "cpu_us_per_request": w["cpu_us_per_request"]}
                per_slice.append(row)
                log(f"slice {k + 1:2d} ({', '.join(row['order'])}): " + "  ".join(
                    f"{name} {row[name]['rps']:>7.0f} req/s p99 {row[name]['p99_ms']:.2f} ms" for name, _ in servers) +
                    f"  drmock/bare {row['drmock']['rps'] / row['baseline']['rps']:.2f}×")
        finally:
            for _, srv in servers:
                srv.stop()
        merged = {}
        for name, t in totals.items():
            h = merge(hists[name])
            merged[name] = {"requests": t["requests"], "duration_s": round(t["duration_s"], 3),
                            "rps": round(t["requests"] / t["duration_s"], 1) if t["duration_s"] else 0.0,
                            "p50_ms": percentile_ms(h, 50), "p99_ms": percentile_ms(h, 99), "p999_ms": percentile_ms(h, 99.9),
                            "cpu_us_per_request": round(t["cpu_s"] * 1e6 / max(1, t["requests"]), 1), "errors": t["errors"]}
        self.results["status_slices"] = {"connections": c, "slices": n_slices, "slice_s": slice_s, "servers": merged, "per_slice": per_slice,
                                         "names": [name for name, _ in servers]}
        d, n, b = merged["drmock"], merged["nginx"], merged["baseline"]
        log(f"slices merged: drmock {d['rps']:.0f} req/s p99 {d['p99_ms']:.3f}; nginx {n['rps']:.0f} p99 {n['p99_ms']:.3f}; "
            f"bare {b['rps']:.0f} p99 {b['p99_ms']:.3f}; drmock/nginx {d['rps'] / n['rps']:.2f}×, drmock/bare {d['rps'] / b['rps']:.2f}×")
        for name in list(merged)[3:]:
            v = merged[name]
            log(f"slices merged: {name} {v['rps']:.0f} req/s p99 {v['p99_ms']:.3f}; {name}/bare {v['rps'] / b['rps']:.2f}×")

    def while_job(self):
        """GET status while a job runs (default timings: the job takes 66 s on the system clock), then
        the fixture's list."""
        status = f"{DR}/status?f=json&token={self.default_token}"
        d = self.serve_drmock(self.default_db, "running.sqlite")
        cl = Client(d.port)
        _, created = cl.post(f"{DR}/stores/default/backups/create",
                             {"name": "bench-running", "passcode": "bench-passcode", "f": "json", "token": self.default_token})
        jobid = json.loads(created)["jobid"]
        for c in self.a.connections:
            self.wrk("GET status while a job runs", d, status, c,
                     check=lambda: json.loads(Client(d.port).get(f"/arcgis/admin/jobs/{jobid}?f=json&token={self.default_token}")[1])["status"])
        self.wrk_paths(d, "GET backups list (fixture: 2)", f"{DR}/stores/default/backups?f=json&token={self.default_token}")
        self.results["rss"]["default fixture after its runs"] = d.memory()
        d.stop()

    def big_list(self):
        """The list of `backups` backups: one keep-alive client, then wrk at each connection count with
        VmRSS sampled while the answers stream; one backup of that catalog."""
        n = self.a.backups
        db, token = self.catalog(n)
        d = self.serve_drmock(db, "big-run.sqlite")
        Client(d.port).get(f"{DR}/status?f=json&token={token}")
        self.results["rss"][f"{n:,} backups, idle"] = d.memory()
        path = f"{DR}/stores/default/backups?f=json&token={token}"
        # wrk reads 8 KiB at a time, so on a 9 MB answer it measures itself more than the server:
        # time whole requests with one keep-alive client too (the first one may fill a cache).
        bl = self.time_list(d.port, path, 21)
        self.results["big_list"] = bl
        log(f"GET list of {bl['backups']} backups ({bl['bytes']} bytes), one client: first {bl['first_ms']} ms, "
            f"then median {bl['median_ms']} ms, max {bl['max_ms']} ms")
        self.results["rss"][f"{n:,} backups, after one client's 21 lists"] = d.memory()
        for r in self.wrk_paths(d, f"GET backups list ({bl['backups']} backups)", path):
            self.results["streaming"].append({"connections": r["connections"], "backups": bl["backups"], "bytes": bl["bytes"],
                                              "rps": r["rps"], "rss_before_kb": r["rss_before_kb"],
                                              "rss_peak_kb": r["rss_peak_kb"], "rss_after_kb": r["rss_kb"],
                                              "hwm_kb": r["hwm_kb"], "samples": r["rss_samples"], "load": r["load"]})
        self.wrk_paths(d, f"GET one backup (of {bl['backups']})", f"{DR}/stores/default/backups/{self.middle_backup(n)}?f=json&token={token}")
        # The f=html page of the list (the table, the links and the JSON: about three times the
        # answer's size), streamed too: one keep-alive client, VmRSS sampled while it runs.
        sampler = RSSSampler(d)
        with sampler:
            page = self.time_list(d.port, f"{DR}/stores/default/backups?f=html&token={token}", 6)
        page.update(sampler.summary())
        page["backups"] = bl["backups"]
        self.results["big_list_html"] = page
        log(f"GET the f=html page of {bl['backups']} backups ({page['bytes']} bytes), one client: first {page['first_ms']} ms, "
            f"then median {page['median_ms']} ms; RSS {mib(page['rss_before_kb'])} -> peak {mib(page['rss_peak_kb'])} MiB")
        self.results["rss"][f"{n:,} backups, after its runs"] = d.memory()
        d.stop()

    def middle_backup(self, n):
        generated = n - len(self.base_fixture["backups"])
        return f"bench-{generated // 2:06d}" if generated > 0 else self.base_fixture["backups"][0]["backupName"]

    @staticmethod
    def create_one(cl, token, name):
        """POST create, then GET its job until COMPLETED: (job id, polls)."""
        _, created = cl.post(f"{DR}/stores/default/backups/create",
                             {"name": name, "passcode": "bench-passcode", "f": "json", "token": token})
        answer = json.loads(created)
        if "jobid" not in answer:
            raise RuntimeError(f"create {name}: {created[:300]!r}")
        polls = 0
        while True:
            polls += 1
            _, job = cl.get(f"/arcgis/admin/jobs/{answer['jobid']}?f=json&token={token}")
            status = json.loads(job)["status"]
            if status == "COMPLETED":
                return answer["jobid"], polls
            if status in ("FAILED", "TIMED OUT"):
                raise RuntimeError(f"create {name}: {status}")

    def instant_server(self, name):
        port = free_port()
        db = os.path.join(self.work, f"{name}.sqlite")
        d = Server(self.drmock_argv(port, db, self.instant_fixture), port, "drmock")
        cl = Client(port)
        return d, cl, cl.token()

    def many_created(self):
        """A catalog grown through the API: `created_backups` creates driven to COMPLETED (instant
        timings) on a new drmock; its RSS before, at peak while they are made, after, and settled."""
        n = self.a.created_backups
        d, cl, token = self.instant_server("many")
        cpu0 = d.cpu_seconds()
        t0 = time.perf_counter()
        with RSSSampler(d, interval=0.05) as sampler:
            for i in range(n):
                self.create_one(cl, token, f"m-{i:06d}")
        total = time.perf_counter() - t0
        cpu = d.cpu_seconds() - cpu0
        time.sleep(self.a.settle)
        settled = d.memory()
        self.results["created_backups"] = {"backups": n, "total_s": round(total, 2), "drmock_cpu_s": round(cpu, 2),
                                           **sampler.summary(), "settled_kb": settled["rss_kb"], "settle_s": self.a.settle,
                                           "hash": self.results["hash_cost"], "load": loadavg()[0]}
        self.results["rss"][f"{n:,} backups created through the API, settled {self.a.settle:g} s"] = settled
        log(f"{n} backups created through the API in {total:.1f} s (drmock CPU {cpu:.1f} s): RSS {mib(sampler.before['rss_kb'])} "
            f"-> peak {mib(sampler.peak)} MiB, settled {mib(settled['rss_kb'])} MiB, load {loadavg()[0]}")
        d.stop()

    def create_loop(self):
        """Instant timings: creates through to COMPLETED, then a job, the grown list, generateToken,
        and the memory settled after all of it."""
        d, cl, token = self.instant_server("instant")
        n = self.a.creates
        cycle = []
        cpu0 = d.cpu_seconds()
        client0 = time.process_time()
        t0 = time.perf_counter()
        with RSSSampler(d) as sampler:
            for i in range(n):
                s = time.perf_counter()
                jobid, polls = self.create_one(cl, token, f"c-{i:06d}")
                cycle.append((time.perf_counter() - s) * 1000)
        total = time.perf_counter() - t0
        cpu = d.cpu_seconds() - cpu0
        client_cpu = time.process_time() - client0
        cycle.sort()
        extra = " ".join(self.cost_args() + self.a.serve_arg)
        cost = self.results["hash_cost"]
        which = "the default" if cost == self.results["default_hash_cost"] else f"NOT the default, {self.results['default_hash_cost']}"
        self.results["create"] = {
            "creates": n, "total_s": round(total, 3), "per_create_ms_p50": round(cycle[len(cycle) // 2], 3),
            "per_create_ms_p99": round(cycle[max(0, int(len(cycle) * 0.99) - 1)], 3),
            "per_create_ms_p999": round(cycle[max(0, int(len(cycle) * 0.999) - 1)], 3), "polls_last": polls,
            "creates_per_s": round(n / total, 1),
            "drmock_cpu_s": round(cpu, 2), "client_cpu_s": round(client_cpu, 2), "load": loadavg()[0],
            "hash": f"passcode hash cost {cost} ({which})" + (f"; drmock serve {extra}" if extra else ""),
            "default_cost": cost == self.results["default_hash_cost"]}
        self.results["create"].update(sampler.summary())
        log(f"{n} creates to COMPLETED: {total:.2f} s (p50 {self.results['create']['per_create_ms_p50']} ms per create), "
            f"drmock CPU {cpu:.2f} s, load {loadavg()[0]}")
        self.results["rss"][f"after {n} creates"] = d.memory()
        self.wrk_paths(d, "GET a job (COMPLETED)", f"/arcgis/admin/jobs/{jobid}?f=json&token={token}")
        self.wrk_paths(d, f"GET backups list ({n + len(self.base_fixture['backups'])} backups)", f"{DR}/stores/default/backups?f=json&token={token}")
        for c in self.a.connections:
            self.wrk("POST generateToken", d, "/arcgis/sharing/rest/generateToken", c, script="post.lua",
                     env={"BENCH_BODY": "username=admin&password=drmock-admin-1&client=referer&referer=bench&f=json"})
        # The same server also takes the GET status load, so that "settled after all of the above"
        # covers every kind of request in one process.
        self.wrk_paths(d, "GET status (the create loop's server)", f"{DR}/status?f=json&token={token}")
        time.sleep(self.a.settle)
        conns = "/".join(map(str, self.a.connections))
        self.results["rss"][f"settled, {self.a.settle:g} s after all of the above"] = d.memory()
        self.results["settled"] = {**d.memory(), "settle_s": self.a.settle,
                                   "after": f"{n} creates, then wrk at {conns} connections on GET a job, the list, "
                                            f"generateToken and GET status, and {self.a.settle:g} s idle"}
        d.stop()

    # ---- scaling ----

    def scale_catalogs(self):
        """Per catalog size: start-up, the list at one client, one backup at one connection, RSS idle
        and peak."""
        for n in self.a.scale_sizes:
            db, token = self.catalog(n)
            label = self.big_start_label(n)
            st = self.results["startup"].get(label) or self.drmock_start(db, token, label, starts=self.a.scale_starts)
            d = self.serve_drmock(db, f"scale-{n}.sqlite")
            Client(d.port).get(f"{DR}/status?f=json&token={token}")
            idle = d.memory()
            with RSSSampler(d) as sampler:
                lst = self.time_list(d.port, f"{DR}/stores/default/backups?f=json&token={token}", self.a.list_requests)
            # Several clients reading the list at once: a list too big for the answer cache is sent
            # to each of them, so this is where memory would grow with the clients if it were not flat.
            many = self.wrk(f"GET backups list (catalog of {n:,})", d, f"{DR}/stores/default/backups?f=json&token={token}",
                            self.a.scale_list_connections, duration=self.a.scale_duration, record=False)
            one = self.wrk(f"GET one backup (catalog of {n:,})", d,
                           f"{DR}/stores/default/backups/{self.middle_backup(n)}?f=json&token={token}", 1,
                           duration=self.a.scale_duration, record=False)
            after = d.memory()
            d.stop()
            c = self.catalogs[n]
            row = {"backups": n, "db_bytes": c["db_bytes"], "fixture_load_s": c["load_s"],
                   "startup_median_ms": st["median_ms"], "startup_max_ms": st["max_ms"], "startup_cpu_ms": st["cpu_median_ms"],
                   "starts": st["runs"],
                   "list_first_ms": lst["first_ms"], "list_median_ms": lst["median_ms"], "list_max_ms": lst["max_ms"],
                   "list_bytes": lst["bytes"], "list_backups": lst["backups"], "list_requests": lst["requests"],
                   "one_rps": one["rps"], "one_p50_ms": one["p50_ms"], "one_p99_ms": one["p99_ms"],
                   "one_cpu_us": one["cpu_us_per_request"],
                   "rss_idle_kb": idle["rss_kb"], "rss_peak_list_kb": sampler.peak, "hwm_kb": after["hwm_kb"],
                   "list_clients": self.a.scale_list_connections, "list_clients_rps": many["rps"],
                   "list_clients_p50_ms": many["p50_ms"], "rss_peak_list_clients_kb": many["rss_peak_kb"],
                   "rss_after_kb": after["rss_kb"], "load": loadavg()[0]}
            self.results["scaling"]["catalog"].append(row)
            log(f"catalog {n:>7,}: start-up {row['startup_median_ms']} ms, list first {row['list_first_ms']} ms then "
                f"{row['list_median_ms']} ms ({row['list_bytes']} bytes), one backup p50 {row['one_p50_ms']} ms, "
                f"RSS idle {mib(row['rss_idle_kb'])} MiB, peak {mib(row['hwm_kb'])} MiB, load {row['load']}")

    def scale_contexts(self):
        """Per count N of contexts open at once: the cost of opening one (first request to it), RSS with
        N open, and wrk spreading GET status over the N contexts (each with its own token)."""
        conns = self.a.context_connections
        for n in self.a.contexts:
            d = self.serve_drmock(self.default_db, f"contexts-{n}.sqlite")
            cl = Client(d.port)
            cl.get(f"{DR}/status?f=json&token={self.default_token}")
            before = d.memory()
            open_ms, paths = [], []
            for i in range(n):
                ctx = f"bench{i:03d}"
                t = time.perf_counter()
                cl.get(f"/{ctx}/admin/system/disasterrecovery/status?f=json&token=none")
                open_ms.append((time.perf_counter() - t) * 1000)
                token = cl.token(context=ctx)
                paths.append(f"/{ctx}/admin/system/disasterrecovery/status?f=json&token={token}")
            opened = d.memory()
            paths_file = os.path.join(self.work, f"contexts-{n}.txt")
            with open(paths_file, "w") as f:
                f.write("\n".join(paths) + "\n")
            # Every path answers as the first context's does, its own token included: check one.
            status, body = cl.get(paths[-1])
            ok = status == 200 and b'"status"' in body and b"error" not in body
            r = self.wrk(f"GET status spread over {n} context{'s' if n != 1 else ''}", d, paths[0], conns, script="ctx.lua",
                         env={"BENCH_PATHS": paths_file}, duration=self.a.scale_duration, record=False)
            row = {"contexts": n, "connections": conns, "open_ms_median": round(statistics.median(open_ms), 2),
                   "open_ms_max": round(max(open_ms), 2), "rss_one_context_kb": before["rss_kb"],
                   "rss_open_kb": opened["rss_kb"], "rps": r["rps"], "p50_ms": r["p50_ms"], "p99_ms": r["p99_ms"],
                   "p999_ms": r["p999_ms"], "errors": r["errors"], "non2xx": r["non2xx"], "cpu_us": r["cpu_us_per_request"],
                   "rss_peak_kb": r["rss_peak_kb"], "rss_after_kb": r["rss_kb"], "hwm_kb": r["hwm_kb"],
                   "answer_ok": ok, "load": r["load"]}
            d.stop()
            self.results["scaling"]["contexts"].append(row)
            log(f"contexts {n:>4}: open {row['open_ms_median']} ms median, RSS {mib(row['rss_one_context_kb'])} -> "
                f"{mib(row['rss_open_kb'])} MiB open, wrk c={conns} {row['rps']:.0f} req/s p99 {row['p99_ms']} ms, "
                f"peak {mib(row['rss_peak_kb'])} MiB")

    # ---- targets ----

    def find_wrk(self, label, connections):
        for w in self.results["wrk"]:
            if w["label"] == label and w["connections"] == connections:
                return w
        return None

    def targets(self):
        """Each target of issue #11: what was measured, and whether it is met (in every round)."""
        r = self.results
        out = []

        def add(key, target, measured, oks):
            oks = [o for o in oks if o is not None]
            if not oks:
                verdict = "not measured"
            elif all(oks):
                verdict = "met"
            elif any(oks):
                verdict = f"met in {sum(oks)} of {len(oks)} rounds"
            else:
                verdict = "not met"
            out.append({"key": key, "target": target, "measured": measured, "verdict": verdict})

        # GET status at 64 connections.
        trio = []
        for round_ in range(1, self.a.rounds + 1):
            d = self.find_wrk(f"GET status idle (round {round_})", 64)
            n = self.find_wrk(f"nginx static status.json (round {round_})", 64)
            b = self.find_wrk(f"bare libmicrohttpd (round {round_})", 64)
            if d and n and b:
                trio.append((round_, d, n, b))
        add("status64", "GET status at 64 connections: ≥ 1.2× nginx-static req/s",
            "; ".join(f"round {i}: {d['rps']:.0f} / {n['rps']:.0f} = {d['rps'] / n['rps']:.2f}× "
                      f"(CPU per request {d['cpu_us_per_request']} vs {n['cpu_us_per_request']} µs)" for i, d, n, b in trio) or "—",
            [d["rps"] >= 1.2 * n["rps"] for i, d, n, b in trio])
        add("status64", "GET status at 64 connections: ≥ 0.8× bare-libmicrohttpd req/s",
            "; ".join(f"round {i}: {d['rps']:.0f} / {b['rps']:.0f} = {d['rps'] / b['rps']:.2f}× "
                      f"(CPU per request {d['cpu_us_per_request']} vs {b['cpu_us_per_request']} µs)" for i, d, n, b in trio) or "—",
            [d["rps"] >= 0.8 * b["rps"] for i, d, n, b in trio])
        add("status64", "GET status at 64 connections: p99 ≤ nginx's p99",
            "; ".join(f"round {i}: {d['p99_ms']:.2f} vs {n['p99_ms']:.2f} ms" for i, d, n, b in trio) or "—",
            [d["p99_ms"] <= n["p99_ms"] for i, d, n, b in trio])

        # The same three, from the interleaved slices (status_slices).
        sl = r.get("status_slices")
        if sl and sl["connections"] == 64:
            d, n, b = (sl["servers"][k] for k in ("drmock", "nginx", "baseline"))
            per = sl["per_slice"]
            head = f"{sl['slices']} interleaved slices of {sl['slice_s']} s per server"

            def spread(other):
                ratios = sorted(row["drmock"]["rps"] / row[other]["rps"] for row in per)
                return f"per slice {ratios[0]:.2f}–{ratios[-1]:.2f}×, median {statistics.median(ratios):.2f}×"
            add("status64_slices", "GET status at 64 connections: ≥ 1.2× nginx-static req/s (interleaved slices)",
                f"{head}: {d['rps']:.0f} / {n['rps']:.0f} = {d['rps'] / n['rps']:.2f}× "
                f"(CPU per request {d['cpu_us_per_request']} vs {n['cpu_us_per_request']} µs; {spread('nginx')})",
                [d["rps"] >= 1.2 * n["rps"]])
            add("status64_slices", "GET status at 64 connections: ≥ 0.8× bare-libmicrohttpd req/s (interleaved slices)",
                f"{head}: {d['rps']:.0f} / {b['rps']:.0f} = {d['rps'] / b['rps']:.2f}× "
                f"(CPU per request {d['cpu_us_per_request']} vs {b['cpu_us_per_request']} µs; {spread('baseline')})",
                [d["rps"] >= 0.8 * b["rps"]])
            under = sum(row["drmock"]["p99_ms"] <= row["nginx"]["p99_ms"] for row in per)
            add("status64_slices", "GET status at 64 connections: p99 ≤ nginx's p99 (interleaved slices)",
                f"{head}, percentiles of the merged latency histograms: {d['p99_ms']:.2f} vs {n['p99_ms']:.2f} ms "
                f"(bare {b['p99_ms']:.2f} ms; drmock's p99 at or under nginx's in {under} of {len(per)} slices)",
                [d["p99_ms"] <= n["p99_ms"]])

        # Start-up.
        st = r["startup"]
        pairs = []
        for round_ in range(1, self.a.rounds + 1):
            d = st.get(f"drmock, default fixture, authenticated GET (round {round_})")
            n = st.get(f"nginx, static file (round {round_})")
            if d:
                pairs.append((round_, d, n))
        add("startup_default", "Start-up median ≤ 10 ms, default fixture",
            "; ".join(f"round {i}: {d['median_ms']} ms (max {d['max_ms']}, CPU {d['cpu_median_ms']} ms)" for i, d, n in pairs) or "—",
            [d["median_ms"] <= 10 for i, d, n in pairs])
        add("startup_default", "Start-up median ≤ 2× nginx's in the same run",
            "; ".join(f"round {i}: {d['median_ms']} / {n['median_ms']} = {d['median_ms'] / n['median_ms']:.1f}×" for i, d, n in pairs if n) or "—",
            [d["median_ms"] <= 2 * n["median_ms"] for i, d, n in pairs if n])
        big = st.get(self.big_start_label(10_000))
        add("startup_big", "Start-up median ≤ 50 ms with 10,000 backups",
            f"{big['median_ms']} ms (max {big['max_ms']}, CPU {big['cpu_median_ms']} ms)" if big else "—",
            [big["median_ms"] <= 50] if big else [])

        # The list of 10,000.
        bl = r.get("big_list")
        ten = bl and self.a.backups == 10_000
        add("list_big", "List of 10,000 backups: < 20 ms per request at 1 connection",
            (f"{bl['median_ms']} ms median of 20 requests, one keep-alive client (first request {bl['first_ms']} ms; "
             f"{bl['backups']} backups, {bl['bytes']:,} bytes)") if ten else "—",
            [bl["median_ms"] < 20] if ten else [])
        streams = r["streaming"] if ten else []
        add("list_memory", "List of 10,000 backups: memory flat while it streams (VmRSS rise < one answer's size)",
            "; ".join(f"c={s['connections']}: +{(s['rss_peak_kb'] - s['rss_before_kb']) / 1024:.1f} MiB peak "
                      f"({mib(s['rss_before_kb'])} → {mib(s['rss_peak_kb'])} MiB)" for s in streams) +
            (f"; one answer {bl['bytes'] / 1048576:.1f} MiB" if streams else "—"),
            [(s["rss_peak_kb"] - s["rss_before_kb"]) * 1024 < s["bytes"] for s in streams])

        # Creates.
        cr = r.get("create") or {}
        add("creates", "1,000 creates driven to COMPLETED at instant speed: < 5 s in all, default hash cost",
            (f"{cr['total_s']} s ({cr['drmock_cpu_s']} s of drmock CPU, {cr.get('client_cpu_s', '?')} s of the Python client's; "
             f"load {cr.get('load', '?')}), {cr['hash']}") if cr.get("creates") == 1000 else
            (f"{cr['creates']} creates only: {cr['total_s']} s" if cr else "—"),
            [cr["total_s"] < 5] if cr.get("creates") == 1000 and cr.get("default_cost") else [])

        # Settled RSS.
        se = r.get("settled")
        add("rss", "RSS < 25 MB settled after all of the above",
            f"{se['rss_kb'] * 1024 / MB:.1f} MB ({mib(se['rss_kb'])} MiB) after {se['after']}" if se else "—",
            [se["rss_kb"] * 1024 < 25 * MB] if se else [])
        return out

    # ---- profiles ----

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

    def report(self):
        r = self.results
        r["load_after"] = loadavg()
        r["finished_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
        if not r["targets"]:
            try:
                r["targets"] = self.targets()
            except Exception as e:   # a partial run: report what there is
                log(f"targets: {e}")
        with open(os.path.join(self.out, "results.json"), "w") as f:
            json.dump(r, f, indent=2)
        text = markdown(r)
        with open(os.path.join(self.out, "results.md"), "w") as f:
            f.write(text)
        print(text)
        self.plot()

    def plot(self):
        png = os.path.join(self.out, "scaling.png")
        py = self.a.plot_python
        if not (self.results["scaling"]["catalog"] or self.results["scaling"]["contexts"]):
            return
        if not os.path.exists(py):
            log(f"no PNG plot: {py} does not exist. scripts/bench makes it with "
                f"`python3 -m venv .build/bench/venv && .build/bench/venv/bin/pip install matplotlib`; then run "
                f"`{py} Benchmarks/plot.py {os.path.join(self.out, 'results.json')} {png}`")
            return
        p = subprocess.run([py, os.path.join(BENCH, "plot.py"), os.path.join(self.out, "results.json"), png],
                           capture_output=True, text=True)
        if p.returncode != 0:
            log(f"no PNG plot: plot.py failed: {p.stderr.strip()[-1000:]}")
        else:
            log(f"plot: {png}")


def markdown(r):
    lines = []
    m = r["machine"]
    lines.append(f"Machine: {m['cpu']}, {m['cores']} cores, Linux {m['kernel']}; {m['nginx']}; {m['wrk']}; "
                 f"libmicrohttpd {m['libmicrohttpd']}. drmock {m.get('drmock_version', '?')} (`{m.get('drmock')}`, "
                 f"tree {m.get('git', '?')}). {r.get('started_utc', '?')} to {r.get('finished_utc', '?')} UTC; load average before "
                 f"{' '.join(r['load_before'])}, after {' '.join(r.get('load_after', []))}.")
    lines.append(f"wrk runs of {r['duration_s']} s each; start-up: {r['starts']} starts each; default passcode hash cost: "
                 f"{r.get('default_hash_cost', '?')}; used: {r.get('hash_cost', '?')}.")
    lines.append("")
    for name, error in (r.get("failed") or {}).items():
        lines.append(f"**Section `{name}` failed** (its figures are missing): {error.strip().splitlines()[0] if error.strip() else '?'} (the whole message is in results.json)")
        lines.append("")
    if r.get("targets"):
        lines.append("| target (issue #11) | measured | verdict |")
        lines.append("|---|---|---|")
        for t in r["targets"]:
            lines.append(f"| {t['target']} | {t['measured']} | **{t['verdict']}** |")
        lines.append("")
    if r["startup"]:
        lines.append("| start-up: exec → first good answer | median ms | max ms | min ms | CPU ms, start to stop (median) | load |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for k, v in r["startup"].items():
            lines.append(f"| {k} | {v['median_ms']} | {v['max_ms']} | {v['min_ms']} | {v['cpu_median_ms']} | {v.get('load', '')} |")
        lines.append("")
    if r["wrk"]:
        lines.append("| wrk | conns | req/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU µs/req | load | RSS MiB | peak RSS during run MiB |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for w in r["wrk"]:
            rss = f"{mib(w['rss_kb'])}" if "rss_kb" in w else ""
            peak = f"{mib(w['rss_peak_kb'])}" if "rss_peak_kb" in w else ""
            lines.append(f"| {w['label']} | {w['connections']} | {w['rps']:.0f} | {w['p50_ms']:.3f} | {w['p99_ms']:.3f} | "
                         f"{w['p999_ms']:.3f} | {w['errors']} | {w['cpu_us_per_request']} | {w['load']} | {rss} | {peak} |")
        lines.append("")
        ratios = []
        rounds = sorted({int(w["label"].rsplit("round ", 1)[1].rstrip(")")) for w in r["wrk"] if "(round " in w["label"]})
        for round_ in rounds:
            for c in r["connections"]:
                def pick(prefix):
                    for w in r["wrk"]:
                        if w["label"] == f"{prefix} (round {round_})" and w["connections"] == c:
                            return w
                    return None
                d, n, b = pick("GET status idle"), pick("nginx static status.json"), pick("bare libmicrohttpd")
                if d and n and b:
                    ratios.append(f"| round {round_} | {c} | {d['rps'] / n['rps']:.2f} | {d['rps'] / b['rps']:.2f} | "
                                  f"{d['cpu_us_per_request'] / n['cpu_us_per_request']:.2f} | {d['cpu_us_per_request'] / b['cpu_us_per_request']:.2f} |")
        if ratios:
            lines.append("| ratio, same GET status | conns | req/s drmock / nginx | req/s drmock / bare libmicrohttpd | CPU per request drmock / nginx | CPU per request drmock / bare |")
            lines.append("|---|---:|---:|---:|---:|---:|")
            lines += ratios
            lines.append("")
    sl = r.get("status_slices")
    if sl:
        names = sl.get("names", ["drmock", "nginx", "baseline"])
        labels = {"nginx": "nginx static status.json", "baseline": "bare libmicrohttpd"}
        short = {"nginx": "nginx", "baseline": "bare"}
        lines.append(f"GET status at {sl['connections']} connections in {sl['slices']} interleaved slices of {sl['slice_s']} s per server "
                     f"(the servers running side by side, one wrk run at a time, the order rotating; per server: all its requests "
                     f"over all its time, percentiles of its slices' merged latency histograms):")
        lines.append("")
        lines.append("| slices | req/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU µs/req | requests |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for k in names:
            v = sl["servers"][k]
            lines.append(f"| {labels.get(k, k)} | {v['rps']:.0f} | {v['p50_ms']:.3f} | {v['p99_ms']:.3f} | {v['p999_ms']:.3f} | {v['errors']} | "
                         f"{v['cpu_us_per_request']} | {v['requests']:,} |")
        lines.append("")
        drmocks = [k for k in names if k.startswith("drmock")]
        ratios = [("drmock", "nginx")] + [(k, "baseline") for k in drmocks]
        lines.append("| slice | order | " + " | ".join(f"{short.get(k, k)} req/s" for k in names) + " | " +
                     " | ".join(f"{a} / {short[b]}" for a, b in ratios) + " | " + " | ".join(f"p99 ms {short.get(k, k)}" for k in names) + " | load |")
        lines.append("|---:|---|" + "---:|" * (2 * len(names) + len(ratios) + 1))
        for row in sl["per_slice"]:
            lines.append(f"| {row['slice']} | {', '.join(row['order'])} | " + " | ".join(f"{row[k]['rps']:.0f}" for k in names) + " | " +
                         " | ".join(f"{row[a]['rps'] / row[b]['rps']:.2f}" for a, b in ratios) + " | " +
                         " | ".join(f"{row[k]['p99_ms']:.2f}" for k in names) + f" | {row['load']} |")
        lines.append("")
    bl = r.get("big_list")
    if bl:
        lines.append(f"GET the list of {bl['backups']} backups ({bl['bytes']} bytes) with one keep-alive client: first request "
                     f"{bl['first_ms']} ms, the next {bl['requests'] - 1} median {bl['median_ms']} ms, max {bl['max_ms']} ms.")
        lines.append("")
    hp = r.get("big_list_html")
    if hp:
        lines.append(f"The f=html page of that list ({hp['bytes']:,} bytes: table, links and JSON; streamed) with one keep-alive client: "
                     f"first request {hp['first_ms']} ms, the next {hp['requests'] - 1} median {hp['median_ms']} ms, max {hp['max_ms']} ms; "
                     f"VmRSS {mib(hp['rss_before_kb'])} MiB before, {mib(hp['rss_peak_kb'])} MiB at the peak (sampled every 10 ms).")
        lines.append("")
    if r["streaming"]:
        lines.append(f"| drmock memory while the list of {r['streaming'][0]['backups']} backups ({r['streaming'][0]['bytes'] / 1048576:.1f} MiB) "
                     f"streams (VmRSS sampled every 10 ms) | req/s | RSS before MiB | peak RSS MiB | RSS after MiB | VmHWM MiB | load |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for s in r["streaming"]:
            lines.append(f"| wrk, {s['connections']} connections | {s['rps']:.0f} | {mib(s['rss_before_kb'])} | {mib(s['rss_peak_kb'])} | "
                         f"{mib(s['rss_after_kb'])} | {mib(s['hwm_kb'])} | {s['load']} |")
        lines.append("")
    cr = r["create"]
    if cr:
        lines.append(f"{cr['creates']} creates driven to COMPLETED (instant timings, one connection, {cr['hash']}): "
                     f"{cr['total_s']} s in all ({cr.get('creates_per_s', '?')} creates/s), {cr['per_create_ms_p50']} ms p50, "
                     f"{cr['per_create_ms_p99']} ms p99 and {cr.get('per_create_ms_p999', '?')} ms p99.9 per create (create + job polls); "
                     f"drmock used {cr['drmock_cpu_s']} s of CPU for them, the Python client {cr.get('client_cpu_s', '?')} s; peak RSS during them {mib(cr.get('rss_peak_kb', 0))} MiB; load {cr.get('load', '?')}.")
        lines.append("")
    cb = r.get("created_backups")
    if cb:
        lines.append(f"{cb['backups']:,} backups created through the API (instant timings, one client, {cb['hash']}) in {cb['total_s']} s "
                     f"({cb['drmock_cpu_s']} s of drmock CPU; load {cb['load']}): RSS {mib(cb['rss_before_kb'])} MiB before, "
                     f"{mib(cb['rss_peak_kb'])} MiB at peak while they were made (VmRSS sampled every 50 ms), {mib(cb['rss_kb'])} MiB after, "
                     f"{mib(cb['settled_kb'])} MiB settled {cb['settle_s']:g} s later.")
        lines.append("")
    if r["rss"]:
        lines.append("| drmock memory | RSS MiB | peak (VmHWM) MiB |")
        lines.append("|---|---:|---:|")
        for k, v in r["rss"].items():
            lines.append(f"| {k} | {mib(v['rss_kb'])} | {mib(v['hwm_kb'])} |")
        lines.append("")
    sc = r["scaling"]["catalog"]
    if sc:
        lines.append("Scaling with the catalog (backups in all; the catalog made once by loading a generated fixture, copied before each start):")
        lines.append("")
        lines.append(f"| backups | catalog file MB | start-up median ms | max ms | CPU ms | list: first request ms | list: median ms | list MB | one backup p50 ms (wrk, 1 conn) | one backup CPU µs/req | RSS idle MiB | RSS peak during lists MiB | list, {sc[0].get('list_clients', '?')} clients at once: req/s | p50 ms | RSS peak MiB | VmHWM MiB | load |")
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in sc:
            lines.append(f"| {s['backups']:,} | {s['db_bytes'] / MB:.1f} | {s['startup_median_ms']} | {s['startup_max_ms']} | {s['startup_cpu_ms']} | "
                         f"{s['list_first_ms']} | {s['list_median_ms']} | {s['list_bytes'] / MB:.1f} | {s['one_p50_ms']:.3f} | {s['one_cpu_us']} | "
                         f"{mib(s['rss_idle_kb'])} | {mib(s['rss_peak_list_kb'])} | {format(s['list_clients_rps'], '.0f') if 'list_clients_rps' in s else ''} | "
                         f"{s.get('list_clients_p50_ms', '')} | {mib(s['rss_peak_list_clients_kb']) if 'rss_peak_list_clients_kb' in s else ''} | "
                         f"{mib(s['hwm_kb'])} | {s['load']} |")
        lines.append("")
    sx = r["scaling"]["contexts"]
    if sx:
        lines.append(f"Scaling with concurrent contexts (each opened on first use under /<context>/, its own token; wrk at "
                     f"{sx[0]['connections']} connections spreads GET status over all of them):")
        lines.append("")
        lines.append("| contexts | open one: median ms | max ms | RSS, 1 context MiB | RSS, all open MiB | req/s | p50 ms | p99 ms | p99.9 ms | errors | CPU µs/req | peak RSS during wrk MiB | load |")
        lines.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for s in sx:
            lines.append(f"| {s['contexts']} | {s['open_ms_median']} | {s['open_ms_max']} | {mib(s['rss_one_context_kb'])} | {mib(s['rss_open_kb'])} | "
                         f"{s['rps']:.0f} | {s['p50_ms']:.3f} | {s['p99_ms']:.3f} | {s['p999_ms']:.3f} | {s['errors'] + s['non2xx']} | {s['cpu_us']} | "
                         f"{mib(s['rss_peak_kb'])} | {s['load']} |")
        lines.append("")
    cg = r.get("callgrind")
    if cg and "drmock" in cg:
        lines.append(f"Instructions counted by callgrind (user space only: the kernel's TCP work is not in them; "
                     f"{cg['requests_each']} keep-alive requests of one client per path, after one uncounted):")
        lines.append("")
        lines.append("| callgrind | drmock | bare libmicrohttpd | ratio |")
        lines.append("|---|---:|---:|---:|")
        for k, v in cg["drmock"].items():
            b = cg["baseline"].get(k)
            lines.append(f"| {k} | {v:,} | {f'{b:,}' if b else ''} | {f'{v / b:.1f}×' if b else ''} |")
        lines.append("")
    elif cg:
        lines.append(f"callgrind: {cg.get('note')}")
        lines.append("")
    if r.get("profiles"):
        lines.append("Profiles of the missed targets (`perf record -g` of drmock in that scenario, `perf report --stdio --no-children --sort dso,symbol` of drmock's threads, top entries; percentages of all samples):")
        lines.append("")
        for k, v in r["profiles"].items():
            lines.append(f"{k}:")
            lines.append("```")
            lines += v
            lines.append("```")
        lines.append("")
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Sections (for --skip): " + ", ".join(SECTIONS) + ". Quick smoke: --quick.")
    p.add_argument("--quick", action="store_true",
                   help="a smoke run of about a minute on a 2-core machine: 1 s wrk runs, 3 starts, one round, 1,000 backups, "
                        "50 creates, catalogs 100 and 1,000, contexts 1 and 10 (explicit options still win)")
    p.add_argument("--duration", type=int, help="seconds per wrk run (default 10, the issue's; --quick: 1)")
    p.add_argument("--starts", type=int, help="starts per start-up figure (default 20; --quick: 3)")
    p.add_argument("--rounds", type=int, help="rounds of the drmock / nginx / baseline comparison (default 2; --quick: 1)")
    p.add_argument("--connections", default="1,16,64")
    p.add_argument("--slices", type=int,
                   help="interleaved wrk slices per server of the sliced GET status comparison (default 10; --quick: 3; 0: none)")
    p.add_argument("--slice-duration", type=int, default=1, help="seconds per slice (default 1: 10 slices make the issue's 10 s)")
    p.add_argument("--slice-connections", type=int, default=64, help="wrk connections of the slices (default 64)")
    p.add_argument("--slice-variant", action="append", default=[], metavar="ARGS",
                   help="one more drmock in the slices, served with these extra options (e.g. '--threads 1'); repeatable; "
                        "the targets are judged on the plain drmock")
    p.add_argument("--backups", type=int, help="backups in the big catalog (default 10,000; --quick: 1,000)")
    p.add_argument("--creates", type=int, help="creates driven to COMPLETED (default 1,000; --quick: 50)")
    p.add_argument("--created-backups", type=int,
                   help="backups created through the API for the memory figures of section many (default 10,000; --quick: 100)")
    p.add_argument("--scale-sizes", help="catalog sizes for the scaling table (default 100,1000,10000,100000; --quick: 100,1000)")
    p.add_argument("--scale-starts", type=int, help="starts per catalog size (default: --starts)")
    p.add_argument("--scale-duration", type=int, help="seconds per wrk run of the scaling tables (default 5; --quick: 1)")
    p.add_argument("--list-requests", type=int, default=11, help="one-client list requests per catalog size (default 11)")
    p.add_argument("--contexts", help="context counts for the scaling table (default 1,10,100; --quick: 1,10)")
    p.add_argument("--context-connections", type=int, default=64, help="wrk connections of the contexts runs (default 64)")
    p.add_argument("--scale-list-connections", type=int, default=16,
                   help="wrk connections reading the list at once, per catalog size (default 16)")
    p.add_argument("--settle", type=float, default=3, help="seconds idle before the settled RSS (default 3)")
    p.add_argument("--skip", default="", help="comma-separated sections to leave out")
    p.add_argument("--skip-startup", action="store_true", help="same as --skip startup")
    p.add_argument("--profile", action="store_true", help="for each missed target, perf record its scenario and keep the top entries")
    p.add_argument("--profile-top", type=int, default=25, help="perf report lines kept per profile (default 25)")
    p.add_argument("--callgrind", action="store_true",
                   help="count instructions with valgrind --tool=callgrind: exec to first answer and per request "
                        "(GET status, the fixture's list, one backup) of drmock, and of the bare libmicrohttpd program")
    p.add_argument("--callgrind-requests", type=int, default=200, help="requests counted per path (default 200)")
    p.add_argument("--hash-cost", type=int,
                   help="`drmock serve --hash-cost N` and `drmock hash --hash-cost N` (log2 of scrypt's N) for every server "
                        "and the generated catalogs; the report names the cost (default: drmock's default)")
    p.add_argument("--serve-arg", action="append", default=[],
                   help="an extra argument for every `drmock serve` (repeat it for several)")
    p.add_argument("--drmock", default=os.path.join(ROOT, ".build", "release", "drmock"),
                   help="the drmock binary to measure (default: the release build)")
    p.add_argument("--out", default=os.path.join(ROOT, ".build", "bench"))
    p.add_argument("--tools", default=os.path.join(ROOT, ".build", "bench"))
    p.add_argument("--plot-python", default=os.path.join(ROOT, ".build", "bench", "venv", "bin", "python"),
                   help="a Python with matplotlib for the PNG (default: the venv scripts/bench makes)")
    a = p.parse_args()
    q = a.quick
    defaults = {"duration": (10, 1), "starts": (20, 3), "rounds": (2, 1), "slices": (10, 3), "backups": (10_000, 1_000), "creates": (1000, 50), "created_backups": (10_000, 100),
                "scale_sizes": ("100,1000,10000,100000", "100,1000"), "scale_duration": (5, 1), "contexts": ("1,10,100", "1,10")}
    for k, (full, quick) in defaults.items():
        if getattr(a, k) is None:
            setattr(a, k, quick if q else full)
    if a.scale_starts is None:
        a.scale_starts = a.starts
    if q and a.list_requests == 11:
        a.list_requests = 5
    a.connections = [int(c) for c in str(a.connections).split(",")]
    a.scale_sizes = [int(c) for c in str(a.scale_sizes).split(",") if c]
    a.contexts = [int(c) for c in str(a.contexts).split(",") if c]
    a.skip = {s.strip() for s in a.skip.split(",") if s.strip()} | ({"startup"} if a.skip_startup else set())
    unknown = a.skip - set(SECTIONS)
    if unknown:
        p.error(f"unknown sections {sorted(unknown)}; the sections are {', '.join(SECTIONS)}")
    b = Bench(a)
    try:
        b.run()
    finally:
        b.report()


if __name__ == "__main__":
    main()
