"""The run's Markdown report (results.md): the tables docs/benchmarks.md quotes."""
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

from benchkit import *  # noqa: F401,F403


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
