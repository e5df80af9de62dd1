#!/usr/bin/env python3
"""Puts two bench results side by side (e.g. main before a change and after it):

    python3 Benchmarks/compare.py BEFORE/results.json AFTER/results.json

Start-up medians (elapsed and CPU), the create loop, per wrk run req/s and the server's CPU per
request (which depends far less on the machine's load than req/s does), the scaling tables and the
callgrind instruction counts where both runs have them."""
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
    sb = {c["backups"]: c for c in (before.get("scaling") or {}).get("catalog", [])}
    rows = [(sb[c["backups"]], c) for c in (after.get("scaling") or {}).get("catalog", []) if c["backups"] in sb]
    if rows:
        print("| catalog | before: start-up CPU ms | list median ms | RSS idle MiB | after: start-up CPU ms | list median ms | RSS idle MiB |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for b, a in rows:
            print(f"| {a['backups']:,} | {b['startup_cpu_ms']} | {b['list_median_ms']} | {b['rss_idle_kb'] / 1024:.1f} | "
                  f"{a['startup_cpu_ms']} | {a['list_median_ms']} | {a['rss_idle_kb'] / 1024:.1f} |")
        print()
    xb = {c["contexts"]: c for c in (before.get("scaling") or {}).get("contexts", [])}
    rows = [(xb[c["contexts"]], c) for c in (after.get("scaling") or {}).get("contexts", []) if c["contexts"] in xb]
    if rows:
        print("| contexts | before: CPU µs/req | RSS open MiB | peak MiB | after: CPU µs/req | RSS open MiB | peak MiB |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for b, a in rows:
            print(f"| {a['contexts']} | {b['cpu_us']} | {b['rss_open_kb'] / 1024:.1f} | {b['rss_peak_kb'] / 1024:.1f} | "
                  f"{a['cpu_us']} | {a['rss_open_kb'] / 1024:.1f} | {a['rss_peak_kb'] / 1024:.1f} |")
        print()
    cb, ca = (before.get("callgrind") or {}).get("drmock", {}), (after.get("callgrind") or {}).get("drmock", {})
    if cb and ca:
        print("| callgrind, drmock instructions | before | after |")
        print("|---|---:|---:|")
        for k, v in ca.items():
            if k in cb:
                print(f"| {k} | {cb[k]:,} | {v:,} |")
        print()
    for name, r in (("before", before), ("after", after)):
        c, bl = r.get("create") or {}, r.get("big_list") or {}
        if c:
            print(f"- {name}: {c['creates']} creates to COMPLETED in {c['total_s']} s, drmock CPU {c['drmock_cpu_s']} s; "
                  f"list of {bl.get('backups')} backups: first {bl.get('first_ms')} ms, then median {bl.get('median_ms')} ms")


if __name__ == "__main__":
    main()
