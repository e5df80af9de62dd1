#!/usr/bin/env python3
"""Short alternating wrk rounds of drmock and the bare libmicrohttpd program, GET status at 64
connections, each on a fresh process: the server's CPU per request, req/s and the machine's CPU
split (user, system, softirq, steal, from /proc/stat) per round, and how drmock's and the C
program's CPU per request move together from one pair of rounds to the next.

It answers one question about the benchmark's drmock / bare ratio: when a round is slow, is it
drmock, or the machine (both programs slow in neighbouring rounds)? Standard library only.

    python3 Benchmarks/pairs.py --drmock .build/release/drmock --baseline .build/bench/baseline \\
        --rounds 10 --duration 3 --out pairs.json

Needs `wrk`; `scripts/bench` builds the two programs (`.build/release/drmock`, `.build/bench/baseline`).
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile

from bench import DR, ROOT, Client, Server, free_port  # the benchmark's own helpers (same folder)

STATUS = f"{DR}/status?f=json&token="


def machine():
    """The first line of /proc/stat: jiffies in user, nice, system, idle, iowait, irq, softirq, steal."""
    with open("/proc/stat") as f:
        return [int(x) for x in f.readline().split()[1:9]]


def round_of(name, argv, port, token, duration):
    server = Server(argv, port, name)
    try:
        if token is None:  # drmock: sign in
            token = Client(port).token()
        _, body = Client(port).get(f"{STATUS}{token}")
        m0, c0 = machine(), server.cpu_seconds()
        out = subprocess.run(["wrk", "-t2", "-c64", f"-d{duration}s", "--latency", f"http://127.0.0.1:{port}{STATUS}{token}"],
                             capture_output=True, text=True, check=True).stdout
        c1, m1 = server.cpu_seconds(), machine()
    finally:
        server.stop()
    n = int(re.search(r"(\d+) requests in", out).group(1))
    d = [b - a for a, b in zip(m0, m1)]
    total = sum(d) or 1
    return body, token, {
        "server": name, "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))),
        "cpu_us_per_request": round((c1 - c0) * 1e6 / max(1, n), 2), "p99": re.search(r"\s99%\s+(\S+)", out).group(1),
        "user_pct": round(100 * (d[0] + d[1]) / total, 1), "system_pct": round(100 * d[2] / total, 1),
        "softirq_pct": round(100 * d[6] / total, 1), "idle_pct": round(100 * d[3] / total, 1),
        "steal_pct": round(100 * d[7] / total, 2), "load": os.getloadavg()[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--drmock", default=os.path.join(ROOT, ".build/release/drmock"))
    ap.add_argument("--baseline", default=os.path.join(ROOT, ".build/bench/baseline"))
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    ap.add_argument("--out", help="write the rounds here as JSON")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="drmock-pairs-")
    body_file = os.path.join(work, "status.json")
    rows = []
    for r in range(a.rounds):
        port = free_port()
        db = os.path.join(work, f"round-{r}.sqlite")
        body, token, d = round_of("drmock", [a.drmock, "serve", "--port", str(port), "--db", db,
                                             "--fixture", os.path.join(ROOT, "fixtures/default.json")], port, None, a.duration)
        with open(body_file, "wb") as f:
            f.write(body)  # the C program answers drmock's very bytes
        port = free_port()
        _, _, b = round_of("bare", [a.baseline, str(port), body_file, token, "2"], port, token, a.duration)
        for row in (d, b):
            row["round"] = r + 1
            rows.append(row)
        print(f"round {r + 1:2d}: drmock {d['rps']:7d} req/s {d['cpu_us_per_request']:6.2f} µs/req | "
              f"bare {b['rps']:7d} req/s {b['cpu_us_per_request']:6.2f} µs/req | drmock / bare {d['rps'] / b['rps']:.2f}× | "
              f"steal {d['steal_pct']} / {b['steal_pct']} %", flush=True)
    du = [x["cpu_us_per_request"] for x in rows if x["server"] == "drmock"]
    bu = [x["cpu_us_per_request"] for x in rows if x["server"] == "bare"]
    ratios = [x["rps"] / y["rps"] for x, y in zip(rows[0::2], rows[1::2])]
    summary = {"rounds": a.rounds, "duration_s": a.duration,
               "cpu_us_correlation": round(statistics.correlation(du, bu), 2) if len(du) > 1 else None,
               "ratio_median": round(statistics.median(ratios), 2), "ratio_min": round(min(ratios), 2), "ratio_max": round(max(ratios), 2)}
    print(f"CPU per request, drmock against the C program over the pairs: Pearson r = {summary['cpu_us_correlation']}; "
          f"drmock / bare req/s median {summary['ratio_median']}× ({summary['ratio_min']}–{summary['ratio_max']}×)")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"summary": summary, "rounds": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
