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


from benchkit import *  # noqa: F401,F403  the constants, helpers, Client, Server and RSSSampler
from benchkit import DR, ROOT, Client, Server, free_port  # noqa: F401  (pairs.py imports these from here)
from profiling import ProfilingMixin
from report import markdown
from startup import StartupMixin
from throughput import ThroughputMixin
from workloads import WorkloadMixin


class Bench(StartupMixin, ThroughputMixin, WorkloadMixin, ProfilingMixin):
    """One run: what it measures is in the mixins (startup.py, throughput.py, workloads.py, profiling.py)."""
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
