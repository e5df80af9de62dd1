#!/usr/bin/env python3
"""Puts two bench results side by side (e.g. main before a change and after it):

    python3 Benchmarks/compare.py BEFORE/results.json AFTER/results.json

Start-up medians (elapsed and CPU), the create loop, and per wrk run req/s and the server's CPU
per request, which depends far less on the machine's load than req/s does."""
import json
import sys


def main():
    before, after = (json.load(open(p)) for p in sys.argv[1:3])
    print("| start-up | before: median ms | CPU ms | after: median ms | CPU ms |")
    print("|---|---:|---:|---:|---:|")
    for k, a in after["startup"].items():
        if not k.startswith("drmock"):
            continue
        b = before["startup"].get(k)
        if b:
            print(f"| {k} | {b['median_ms']} | {b['cpu_median_ms']} | {a['median_ms']} | {a['cpu_median_ms']} |")
    print()
    print("| drmock, wrk | conns | before: req/s | CPU µs/req | after: req/s | CPU µs/req |")
    print("|---|---:|---:|---:|---:|---:|")
    index = {(w["label"], w["connections"]): w for w in before["wrk"] if w["server"] == "drmock"}
    for w in after["wrk"]:
        b = index.get((w["label"], w["connections"]))
        if w["server"] == "drmock" and b:
            print(f"| {w['label']} | {w['connections']} | {b['rps']:.0f} | {b['cpu_us_per_request']} | "
                  f"{w['rps']:.0f} | {w['cpu_us_per_request']} |")
    print()
    for name, r in (("before", before), ("after", after)):
        c, bl = r.get("create") or {}, r.get("big_list") or {}
        if c:
            print(f"- {name}: {c['creates']} creates to COMPLETED in {c['total_s']} s, drmock CPU {c['drmock_cpu_s']} s; "
                  f"list of {bl.get('backups')} backups: first {bl.get('first_ms')} ms, then median {bl.get('median_ms')} ms")


if __name__ == "__main__":
    main()
