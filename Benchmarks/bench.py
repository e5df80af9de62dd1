#!/usr/bin/env python3
"""drmock's benchmark: start-up and wrk throughput against nginx (static file) and a bare
libmicrohttpd C program, in one run, on loopback. Run it through scripts/bench, which builds
everything first. Standard library only.

Writes <out>/results.json and <out>/results.md (the table docs/benchmarks.md quotes).
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "Benchmarks")
DR = "/arcgis/admin/system/disasterrecovery"
ADMIN = ("admin", "drmock-admin-1")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


class Client:
    """A keep-alive HTTP client for set-up steps and the create loop."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path):
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        return r.status, r.read()

    def post(self, path, form):
        body = urllib.parse.urlencode(form)
        self.conn.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        r = self.conn.getresponse()
        return r.status, r.read()

    def token(self, user=ADMIN, expiration=20160):
        _, body = self.post("/arcgis/sharing/rest/generateToken", {
            "username": user[0], "password": user[1], "client": "referer", "referer": "bench",
            "expiration": str(expiration), "f": "json"})
        answer = json.loads(body)
        if "token" not in answer:
            raise RuntimeError(f"generateToken failed: {body[:200]!r}")
        return answer["token"]


class Server:
    """A process listening on a port: drmock, nginx or the baseline."""

    def __init__(self, argv, port, name):
        self.argv, self.port, self.name = argv, port, name
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited: {self.proc.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"{name} did not listen on {port}")

    def rss_kb(self):
        """(VmRSS, VmHWM) in KiB, of the process (drmock and the baseline are one process)."""
        out = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":")
                    out[k] = int(v.split()[0])
        return out.get("VmRSS", 0), out.get("VmHWM", 0)

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
        self.results = {"machine": self.machine(), "load_before": loadavg(), "duration_s": args.duration,
                        "starts": args.starts, "connections": args.connections, "startup": {}, "wrk": [],
                        "create": {}, "rss": {}}

    # ---- set-up ----

    @staticmethod
    def machine():
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
            except OSError:
                return "?"
        return {"cpu": model, "cores": os.cpu_count(), "kernel": os.uname().release,
                "nginx": version(["nginx", "-v"]), "wrk": version(["wrk", "-v"]),
                "libmicrohttpd": subprocess.run(["pkg-config", "--modversion", "libmicrohttpd"], capture_output=True, text=True).stdout.strip()}

    def make_fixtures(self):
        """bench-instant: the default fixture with zero stage timings (a create completes at once,
        tokens keep their normal life); bench-10k.json: the default fixture plus 10,000 backups."""
        with open(os.path.join(ROOT, "fixtures", "default.json")) as f:
            base = json.load(f)
        instant = json.loads(json.dumps(base))
        instant["name"] = "bench-instant"
        instant["timings"]["submitDelayMs"] = 0
        for key in ("backupStages", "restoreStages"):
            for stage in instant["timings"][key]:
                stage["durationMs"] = 0
        self.instant_fixture = os.path.join(self.work, "bench-instant.json")
        with open(self.instant_fixture, "w") as f:
            json.dump(instant, f)

        # One real passcode hash from `drmock hash`, shared by all generated backups.
        passcode_hash = subprocess.run([self.drmock, "hash"], input="bench-passcode\n", capture_output=True,
                                       text=True, check=True).stdout.strip()
        # Named "default": the catalog made from it is then served with the default fixture, as a
        # catalog that reached 10,000 backups through the API would be (the fixture file itself is
        # only read when a new catalog is made).
        big = json.loads(json.dumps(base))
        template = base["backups"][0]
        t0 = 1_650_000_000_000
        for i in range(self.a.backups):
            b = json.loads(json.dumps(template))
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
            b["passcodeHash"] = passcode_hash
            big["backups"].append(b)
        self.big_fixture = os.path.join(self.work, "bench-10k.json")
        with open(self.big_fixture, "w") as f:
            json.dump(big, f)

    def drmock_argv(self, port, db, fixture="default", extra=()):
        return [self.drmock, "serve", "--port", str(port), "--db", db, "--fixture", fixture, *extra]

    def make_template(self, name, fixture):
        """A catalog made from `fixture` holding one two-week admin token: copied before each start."""
        db = os.path.join(self.work, f"{name}.sqlite")
        port = free_port()
        s = Server(self.drmock_argv(port, db, fixture), port, "drmock")
        try:
            token = Client(port).token()
        finally:
            s.stop()
        return db, token

    def copy_db(self, template, name):
        db = os.path.join(self.work, name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
            if os.path.exists(template + suffix):
                shutil.copyfile(template + suffix, db + suffix)
        return db

    # ---- start-up ----

    def time_starts(self, label, argv_for_run, port, path, expect, prepare=None):
        times, cpus = [], []
        for i in range(self.a.starts):
            argv = argv_for_run(i)
            if prepare:
                prepare(i)
            p = subprocess.run([self.startup, str(port), path, expect, "--", *argv], capture_output=True, text=True)
            if p.returncode != 0:
                raise RuntimeError(f"start-up {label}: {p.stderr.strip()}")
            elapsed, cpu = p.stdout.split()
            times.append(float(elapsed))
            cpus.append(float(cpu))
        r = {"median_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2),
             "min_ms": round(min(times), 2), "cpu_median_ms": round(statistics.median(cpus), 2), "runs": len(times)}
        self.results["startup"][label] = r
        log(f"start-up {label}: median {r['median_ms']} ms, max {r['max_ms']} ms, CPU median {r['cpu_median_ms']} ms")

    def startups(self):
        port = free_port()
        status = f"{DR}/status?f=json&token="
        nginx_dir = self.nginx_dir

        def drmock_with(template, fixture, token, label):
            def argv(i):
                return self.drmock_argv(port, os.path.join(self.work, "start.sqlite"), fixture)
            self.time_starts(label, argv, port, status + token, '"status"',
                             prepare=lambda i: self.copy_db(template, "start.sqlite"))

        def drmock_new(fixture, label):
            def prepare(i):
                for suffix in ("", "-wal", "-shm"):
                    p = os.path.join(self.work, "new.sqlite" + suffix)
                    if os.path.exists(p):
                        os.unlink(p)
            self.time_starts(label, lambda i: self.drmock_argv(port, os.path.join(self.work, "new.sqlite"), fixture),
                             port, status + "none", "Invalid token.", prepare=prepare)

        for round_ in range(2 if self.a.starts > 1 else 1):
            suffix = f" (round {round_ + 1})"
            drmock_with(self.default_db, "default", self.default_token, "drmock, default fixture, authenticated GET" + suffix)
            self.time_starts("nginx, static file" + suffix,
                             lambda i: ["nginx", "-c", self.write_nginx_conf(port), "-e", os.path.join(nginx_dir, "error.log")],
                             port, status + "x", '"status"')
            self.time_starts("bare libmicrohttpd" + suffix,
                             lambda i: [self.baseline, str(port), self.status_body_file, self.default_token, "2"],
                             port, status + self.default_token, '"status"')
        drmock_with(self.big_db, "default", self.big_token, "drmock, catalog holding 10,000 backups, authenticated GET")
        drmock_new("default", "drmock, new empty file loading the default fixture, first answer (498)")
        drmock_new(self.big_fixture, "drmock, new empty file loading the 10,000-backup fixture, first answer (498)")

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

    def wrk(self, label, server, path, connections, script="get.lua", env=None, check=None):
        threads = min(2, connections)
        e = dict(os.environ)
        e.update(env or {})
        argv = ["wrk", "--latency", f"-t{threads}", f"-c{connections}", f"-d{self.a.duration}s", "--timeout", "10s",
                "-s", os.path.join(BENCH, script), f"http://127.0.0.1:{server.port}{path}"]
        cpu0 = server.cpu_seconds()
        p = subprocess.run(argv, capture_output=True, text=True, env=e)
        cpu = server.cpu_seconds() - cpu0
        line = [l for l in p.stdout.splitlines() if l.startswith("BENCH ")]
        if p.returncode != 0 or not line:
            raise RuntimeError(f"wrk failed for {label}: {p.stdout}\n{p.stderr}")
        r = json.loads(line[-1][6:])
        r.update(label=label, server=server.name, connections=connections, load=loadavg()[0],
                 server_cpu_s=round(cpu, 2), cpu_us_per_request=round(cpu * 1e6 / max(1, r["requests"]), 1))
        if server.name == "drmock":
            r["rss_kb"], r["hwm_kb"] = server.rss_kb()
        if check:
            r["check"] = check()
        self.results["wrk"].append(r)
        log(f"{label:45s} c={connections:<3d} {r['rps']:>10.0f} req/s  p50 {r['p50_ms']:.3f}  p99 {r['p99_ms']:.3f}  "
            f"p99.9 {r['p999_ms']:.3f} ms  errors {r['errors']}  server CPU {r['cpu_us_per_request']} µs/req  load {r['load']}")
        return r

    # ---- scenarios ----

    def run(self):
        log(f"load average before: {' '.join(loadavg())}")
        self.make_fixtures()
        self.default_db, self.default_token = self.make_template("default", "default")
        self.big_db, self.big_token = self.make_template("big", self.big_fixture)

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

        if not self.a.skip_startup:
            self.startups()

        conns = self.a.connections
        status = f"{DR}/status?f=json&token={self.default_token}"

        # The same GET: drmock, nginx, baseline, twice over, interleaved.
        rounds = 2
        for round_ in range(rounds):
            for c in conns:
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

        # While a job runs (default timings: the job takes 66 s on the system clock).
        d = self.serve_drmock(self.default_db, "running.sqlite")
        cl = Client(d.port)
        _, created = cl.post(f"{DR}/stores/default/backups/create",
                             {"name": "bench-running", "passcode": "bench-passcode", "f": "json", "token": self.default_token})
        jobid = json.loads(created)["jobid"]
        for c in conns:
            self.wrk("GET status while a job runs", d, status, c,
                     check=lambda: json.loads(Client(d.port).get(f"/arcgis/admin/jobs/{jobid}?f=json&token={self.default_token}")[1])["status"])
        self.wrk_paths(d, "GET backups list (fixture: 2)", f"{DR}/stores/default/backups?f=json&token={self.default_token}")
        self.results["rss"]["default fixture after its runs"] = dict(zip(("rss_kb", "hwm_kb"), d.rss_kb()))
        d.stop()

        # 10,000 backups.
        d = self.serve_drmock(self.big_db, "big-run.sqlite")
        self.results["rss"]["10,000 backups, idle"] = dict(zip(("rss_kb", "hwm_kb"), d.rss_kb()))
        path = f"{DR}/stores/default/backups?f=json&token={self.big_token}"
        # wrk reads 8 KiB at a time, so on a 9 MB answer it measures itself more than the server:
        # time whole requests with one keep-alive client too (the first one fills the cache).
        cl = Client(d.port)
        times = []
        for _ in range(21):
            t = time.perf_counter()
            _, body = cl.get(path)
            times.append((time.perf_counter() - t) * 1000)
        n = len(json.loads(body)["backups"])
        self.results["big_list"] = {"backups": n, "bytes": len(body), "first_ms": round(times[0], 2),
                                    "median_ms": round(statistics.median(times[1:]), 2), "max_ms": round(max(times[1:]), 2)}
        log(f"GET list of {n} backups ({len(body)} bytes), one client: first {times[0]:.1f} ms, "
            f"then median {statistics.median(times[1:]):.1f} ms, max {max(times[1:]):.1f} ms")
        self.wrk_paths(d, f"GET backups list ({n} backups)", path)
        self.wrk_paths(d, "GET one backup (of 10,002)", f"{DR}/stores/default/backups/bench-005000?f=json&token={self.big_token}")
        self.results["rss"]["10,000 backups, after its runs"] = dict(zip(("rss_kb", "hwm_kb"), d.rss_kb()))
        d.stop()

        # Instant timings: a job, generateToken, creates through to COMPLETED.
        self.create_loop()
        return self.results

    def wrk_paths(self, server, label, path):
        for c in self.a.connections:
            self.wrk(label, server, path, c)

    def serve_drmock(self, template, name, fixture="default", extra=()):
        db = self.copy_db(template, name)
        port = free_port()
        return Server(self.drmock_argv(port, db, fixture, extra), port, "drmock")

    def same_body(self, port, path):
        _, body = Client(port).get(path)
        with open(self.status_body_file, "rb") as f:
            return "identical body" if body == f.read() else "BODY DIFFERS"

    def create_loop(self):
        port = free_port()
        db = os.path.join(self.work, "instant.sqlite")
        d = Server(self.drmock_argv(port, db, self.instant_fixture), port, "drmock")
        cl = Client(port)
        token = cl.token()
        n = self.a.creates
        cycle = []
        cpu0 = d.cpu_seconds()
        t0 = time.perf_counter()
        for i in range(n):
            s = time.perf_counter()
            _, created = cl.post(f"{DR}/stores/default/backups/create",
                                 {"name": f"c-{i:06d}", "passcode": "bench-passcode", "f": "json", "token": token})
            answer = json.loads(created)
            if "jobid" not in answer:
                raise RuntimeError(f"create {i}: {created[:300]!r}")
            polls = 0
            while True:
                polls += 1
                _, job = cl.get(f"/arcgis/admin/jobs/{answer['jobid']}?f=json&token={token}")
                status = json.loads(job)["status"]
                if status == "COMPLETED":
                    break
                if status in ("FAILED", "TIMED OUT"):
                    raise RuntimeError(f"create {i}: {status}")
            cycle.append((time.perf_counter() - s) * 1000)
        total = time.perf_counter() - t0
        cpu = d.cpu_seconds() - cpu0
        cycle.sort()
        self.results["create"] = {
            "creates": n, "total_s": round(total, 3), "per_create_ms_p50": round(cycle[len(cycle) // 2], 3),
            "per_create_ms_p99": round(cycle[int(len(cycle) * 0.99) - 1], 3), "polls_last": polls,
            "drmock_cpu_s": round(cpu, 2),
            "hash": "scrypt N=2^12, r=8, p=1 (SecretHash.defaultLogN, the default)"}
        log(f"{n} creates to COMPLETED: {total:.2f} s (p50 {self.results['create']['per_create_ms_p50']} ms per create), "
            f"drmock CPU {cpu:.2f} s")
        self.results["rss"][f"after {n} creates"] = dict(zip(("rss_kb", "hwm_kb"), d.rss_kb()))
        jobid = answer["jobid"]
        self.wrk_paths(d, "GET a job (COMPLETED)", f"/arcgis/admin/jobs/{jobid}?f=json&token={token}")
        self.wrk_paths(d, f"GET backups list ({n + 2} backups)", f"{DR}/stores/default/backups?f=json&token={token}")
        for c in self.a.connections:
            self.wrk("POST generateToken", d, "/arcgis/sharing/rest/generateToken", c, script="post.lua",
                     env={"BENCH_BODY": "username=admin&password=drmock-admin-1&client=referer&referer=bench&f=json"})
        time.sleep(2)
        self.results["rss"]["settled, 2 s after all of the above"] = dict(zip(("rss_kb", "hwm_kb"), d.rss_kb()))
        d.stop()

    # ---- report ----

    def report(self):
        r = self.results
        r["load_after"] = loadavg()
        with open(os.path.join(self.out, "results.json"), "w") as f:
            json.dump(r, f, indent=2)
        lines = []
        m = r["machine"]
        lines.append(f"Machine: {m['cpu']}, {m['cores']} cores, Linux {m['kernel']}; {m['nginx']}; {m['wrk']}; "
                     f"libmicrohttpd {m['libmicrohttpd']}. Load average before {' '.join(r['load_before'])}, after {' '.join(r['load_after'])}.")
        lines.append(f"wrk runs of {r['duration_s']} s each; start-up: {r['starts']} starts each.")
        lines.append("")
        if r["startup"]:
            lines.append("| start-up: exec → first good answer | median ms | max ms | min ms | CPU ms, start to stop (median) |")
            lines.append("|---|---:|---:|---:|---:|")
            for k, v in r["startup"].items():
                lines.append(f"| {k} | {v['median_ms']} | {v['max_ms']} | {v['min_ms']} | {v['cpu_median_ms']} |")
            lines.append("")
        lines.append("| wrk | conns | req/s | p50 ms | p99 ms | p99.9 ms | errors | server CPU µs/req | load | RSS MiB |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for w in r["wrk"]:
            rss = f"{w['rss_kb'] / 1024:.1f}" if "rss_kb" in w else ""
            lines.append(f"| {w['label']} | {w['connections']} | {w['rps']:.0f} | {w['p50_ms']:.3f} | {w['p99_ms']:.3f} | "
                         f"{w['p999_ms']:.3f} | {w['errors']} | {w['cpu_us_per_request']} | {w['load']} | {rss} |")
        lines.append("")
        # Ratios on the same GET at each connection count, per round.
        lines.append("| ratio, same GET status | conns | drmock / nginx | drmock / bare libmicrohttpd |")
        lines.append("|---|---:|---:|---:|")
        for round_ in (1, 2):
            for c in r["connections"]:
                def pick(prefix):
                    for w in r["wrk"]:
                        if w["label"] == f"{prefix} (round {round_})" and w["connections"] == c:
                            return w["rps"]
                    return None
                d, n, b = pick("GET status idle"), pick("nginx static status.json"), pick("bare libmicrohttpd")
                if d and n and b:
                    lines.append(f"| round {round_} | {c} | {d / n:.2f} | {d / b:.2f} |")
        lines.append("")
        bl = r.get("big_list")
        if bl:
            lines.append(f"GET the list of {bl['backups']} backups ({bl['bytes']} bytes) with one keep-alive client: first request "
                         f"{bl['first_ms']} ms, the next 20 median {bl['median_ms']} ms, max {bl['max_ms']} ms.")
            lines.append("")
        cr = r["create"]
        if cr:
            lines.append(f"{cr['creates']} creates driven to COMPLETED (instant timings, one connection, {cr['hash']}): "
                         f"{cr['total_s']} s in all, {cr['per_create_ms_p50']} ms p50 and {cr['per_create_ms_p99']} ms p99 per create; "
                         f"drmock used {cr['drmock_cpu_s']} s of CPU for them.")
            lines.append("")
        lines.append("| drmock memory | RSS MiB | peak (VmHWM) MiB |")
        lines.append("|---|---:|---:|")
        for k, v in r["rss"].items():
            lines.append(f"| {k} | {v['rss_kb'] / 1024:.1f} | {v['hwm_kb'] / 1024:.1f} |")
        text = "\n".join(lines) + "\n"
        with open(os.path.join(self.out, "results.md"), "w") as f:
            f.write(text)
        print(text)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--duration", type=int, default=5, help="seconds per wrk run (default 5)")
    p.add_argument("--starts", type=int, default=20, help="starts per start-up figure (default 20)")
    p.add_argument("--connections", default="1,16,64")
    p.add_argument("--backups", type=int, default=10_000, help="backups in the big fixture (default 10,000)")
    p.add_argument("--creates", type=int, default=1000, help="creates driven to COMPLETED (default 1,000)")
    p.add_argument("--skip-startup", action="store_true")
    p.add_argument("--drmock", default=os.path.join(ROOT, ".build", "release", "drmock"),
                   help="the drmock binary to measure (default: the release build)")
    p.add_argument("--out", default=os.path.join(ROOT, ".build", "bench"))
    p.add_argument("--tools", default=os.path.join(ROOT, ".build", "bench"))
    a = p.parse_args()
    a.connections = [int(c) for c in a.connections.split(",")]
    b = Bench(a)
    try:
        b.run()
    finally:
        b.report()


if __name__ == "__main__":
    main()
