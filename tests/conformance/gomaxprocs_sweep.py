#!/usr/bin/env python3
"""The GOMAXPROCS=2 sweep of tests/conformance/gomaxprocs.md, rerunnable.

Runs each point against one nginx (started by hand as tests/support/nginx.h writes it:
worker_processes 1, keepalive_requests 100000, `return 200 "hello from nginx\\n"`), the
sides in turn (interleaved), RUNS times each, and records the 1-minute load average before
and after each row. Prints one markdown table (requests per connection, median (range);
dials per 1000 requests) and writes every run as JSON lines to --out.

    python3 tests/conformance/gomaxprocs_sweep.py --url http://127.0.0.1:18977/ \\
        --goref /tmp/goref --side go --side ps1=build/poolscope:1 --side ps2=build/poolscope:2

A side is `go` (GOMAXPROCS=2 goref), `go1` (GOMAXPROCS=1 goref) or NAME=BINARY:N[:VAR=VALUE...]
(poolscope run --json --no-kernel ... --gomaxprocs N, with those environment variables).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

# (label, workers, think, cap, extra flags for both sides)
POINTS = (
    [(f"10w think {t} cap {c}", 10, t, c, []) for t in ("1ms", "2ms", "5ms", "10ms")
     for c in (3, 5, 7, 8, 9)]
    + [("4w think 0 cap 2", 4, "0s", 2, []), ("3w think 0 cap 2", 3, "0s", 2, [])]
    + [(f"10w think 0 cap {c}", 10, "0s", c, []) for c in (3, 5, 9)]
    + [(f"10w rate {r} go cap 2", 10, "0s", 2, ["--rate", str(r), "--arrivals", "go"])
       for r in (500, 2000, 5000)]
)


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def command(side, args, workers, think, cap, extra):
    common = ["--url", args.url, "--workers", str(workers), "--think", think,
              "--max-idle-conns-per-host", str(cap), "--duration", args.duration, "--json"]
    env = dict(os.environ)
    if side in ("go", "go1"):
        env["GOMAXPROCS"] = "2" if side == "go" else "1"
        return [args.goref] + common + extra, env
    _, spec = side.split("=", 1)
    binary, n, *assignments = spec.split(":")
    for a in assignments:
        key, value = a.split("=", 1)
        env[key] = value
    return [binary, "run", "--no-kernel", "--gomaxprocs", n] + common + extra, env


def run_once(side, args, point):
    label, workers, think, cap, extra = point
    cmd, env = command(side, args, workers, think, cap, extra)
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    try:
        j = json.loads(out.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(f"{side} {label}: no JSON ({out.stderr.strip()[:200]})\n")
        return None
    return {"requests": j.get("requests", 0), "dials": j.get("dials", 0)}


def summary(runs):
    rpc = [r["requests"] / max(r["dials"], 1) for r in runs]
    per1000 = [1000.0 * r["dials"] / max(r["requests"], 1) for r in runs]
    reqs = [r["requests"] for r in runs]
    dials = [r["dials"] for r in runs]
    return (f"{statistics.median(rpc):.1f} ({min(rpc):.1f}-{max(rpc):.1f}); "
            f"{statistics.median(per1000):.0f}; {statistics.median(dials):.0f} dials, "
            f"{statistics.median(reqs):.0f} req")


def name(side):
    return side.split("=", 1)[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--goref", default="goref")
    p.add_argument("--side", action="append", required=True)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--duration", default="2s")
    p.add_argument("--only", action="append", default=[],
                   help="run only points whose label contains this (repeatable: any)")
    p.add_argument("--out", default="gomaxprocs_sweep.ndjson")
    args = p.parse_args()
    sides = args.side
    print("| point | " + " | ".join(name(s) for s in sides) + " | load |")
    print("|---" * (len(sides) + 2) + "|")
    with open(args.out, "a") as log:
        for point in POINTS:
            if args.only and not any(o in point[0] for o in args.only):
                continue
            before = load1()
            runs = {s: [] for s in sides}
            for _ in range(args.runs):
                for s in sides:
                    r = run_once(s, args, point)
                    if r:
                        runs[s].append(r)
                        log.write(json.dumps({"point": point[0], "side": name(s), **r}) + "\n")
            after = load1()
            cells = [summary(runs[s]) if runs[s] else "-" for s in sides]
            print(f"| {point[0]} | " + " | ".join(cells) + f" | {before:.1f}-{after:.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()
