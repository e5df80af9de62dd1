"""Throughput and latency: wrk runs, the GET status comparison in rounds and interleaved slices, big lists, callgrind's counts."""
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


class ThroughputMixin:
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


    def find_wrk(self, label, connections):
        for w in self.results["wrk"]:
            if w["label"] == label and w["connections"] == connections:
                return w
        return None
