#!/usr/bin/env python3
"""Draws the scaling figures of a bench result as one PNG (matplotlib; bench.py runs it with the
venv scripts/bench makes under .build/bench/venv):

    .build/bench/venv/bin/python Benchmarks/plot.py .build/bench/results.json .build/bench/scaling.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

STYLES = ("o-", "s--", "^:", "d-.")


def panel(ax, xs, series, title, xlabel, ylabel, logy=True, line=None):
    """One subplot: `series` is [(label, ys)]; `line` is (y, text), a target drawn as a grey line."""
    for (label, ys), style in zip(series, STYLES):
        ax.plot(xs, ys, style, label=label)
    if line:
        ax.axhline(line[0], color="grey", lw=0.8, ls="--")
        ax.text(xs[0], line[0], " " + line[1], va="bottom", fontsize=8, color="grey")
    ax.set(xscale="log", xlabel=xlabel, ylabel=ylabel, title=title)
    if logy:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        ax.set_ylim(bottom=0)
    ax.set_xticks(xs)
    ax.set_xticklabels([f"{x:,}" for x in xs])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, which="both", lw=0.3)
    ax.legend(fontsize=8)


def main():
    source, png = sys.argv[1:3]
    with open(source) as f:
        r = json.load(f)
    cat = r["scaling"]["catalog"]
    ctx = r["scaling"]["contexts"]
    fig, axes = plt.subplots(2, 3, figsize=(16, 9))
    load = f"load {' '.join(r['load_before'])} → {' '.join(r.get('load_after', []))}"
    fig.suptitle(f"drmock scaling — {r['machine']['cpu']}, {r['machine']['cores']} cores, {r.get('started_utc', '')} UTC, {load}",
                 fontsize=11)
    backups = "backups in the catalog"

    if cat:
        n = [c["backups"] for c in cat]

        def col(key, scale=1):
            return [c[key] / scale for c in cat]
        panel(axes[0][0], n, [("elapsed, median", col("startup_median_ms")), ("elapsed, max", col("startup_max_ms")),
                              ("CPU, median", col("startup_cpu_ms"))],
              "start-up: exec → first authenticated GET status", backups, "ms", line=(50, "target at 10,000: 50 ms"))
        panel(axes[0][1], n, [("first request", col("list_first_ms")), ("next ones, median", col("list_median_ms"))],
              "GET the backups list, one keep-alive client", backups, "ms", line=(20, "target at 10,000: 20 ms"))
        panel(axes[0][2], n, [("p50", col("one_p50_ms")), ("p99", col("one_p99_ms"))],
              "GET one backup, wrk at 1 connection", backups, "ms")
        panel(axes[1][0], n, [("RSS idle", col("rss_idle_kb", 1024)), ("RSS peak while lists are read", col("rss_peak_list_kb", 1024)),
                              ("RSS peak, clients reading the list at once", [c.get("rss_peak_list_clients_kb", 0) / 1024 for c in cat]),
                              ("VmHWM at the end", col("hwm_kb", 1024))],
              "drmock memory by catalog size", backups, "MiB", line=(25e6 / 1048576, "25 MB (the settled target)"))
    else:
        for ax in (axes[0][0], axes[0][1], axes[0][2], axes[1][0]):
            ax.text(0.5, 0.5, "catalog scaling not run", ha="center")

    if ctx:
        k = [c["contexts"] for c in ctx]
        contexts = "contexts open, GET status spread over all"
        panel(axes[1][1], k, [("req/s", [c["rps"] for c in ctx])],
              f"GET status at {ctx[0]['connections']} connections: req/s", contexts, "req/s", logy=False)
        ax2 = axes[1][1].twinx()
        ax2.plot(k, [c["p99_ms"] for c in ctx], "s--", color="tab:red", label="p99 ms")
        ax2.set_ylabel("p99 ms")
        ax2.set_ylim(bottom=0)
        ax2.legend(loc="lower right", fontsize=8)
        panel(axes[1][2], k, [("RSS with N contexts open, MiB", [c["rss_open_kb"] / 1024 for c in ctx]),
                              ("peak RSS during wrk, MiB", [c["rss_peak_kb"] / 1024 for c in ctx]),
                              ("open one context, median ms", [c["open_ms_median"] for c in ctx])],
              "memory and opening cost by contexts", "contexts open", "MiB / ms", logy=False)
    else:
        for ax in (axes[1][1], axes[1][2]):
            ax.text(0.5, 0.5, "contexts scaling not run", ha="center")

    fig.tight_layout(rect=(0, 0, 1, 0.96))
    fig.savefig(png, dpi=100)


if __name__ == "__main__":
    main()
