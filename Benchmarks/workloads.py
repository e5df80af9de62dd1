"""Workloads beyond GET status: reads while a job runs, the big list and its memory, creates to COMPLETED, many backups, catalogs and contexts as they grow."""
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


class WorkloadMixin:
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
