"""Interleaved latency of short commands (docs/benchmarks.md, "Per-patient commands"): one call
of each command in turn, in an order shuffled every round (the first call after a switch
runs slower on this VM), so that the machine's drift hits every command alike; after 5 warm-up
rounds prints min, p50 and p95 of the wall time per label. One process per call, as a user runs
them (the harness's own fork and exec are in every figure: measure `true=/bin/true` beside).

Usage:
  python3 benches/interleave.py commands ROUNDS 'label=command args' ...
  python3 benches/interleave.py patients DB N K label=BINARY ...
      (timeline, patient show and response for K random patients of an N-patient store made
       by benches/scale_db.py, the same seeded patients as benches/scale_measure.py)
"""
import os
import random
import shlex
import statistics
import subprocess
import sys
import time

DEVNULL = open(os.devnull, "w")
WARM_UP = 5


def timed(argv):
    start = time.perf_counter()
    subprocess.run(argv, stdout=DEVNULL, check=True)
    return (time.perf_counter() - start) * 1e3


def summary(times):
    t = sorted(times)
    p95 = t[min(len(t) - 1, int(round(0.95 * len(t))) - 1)]
    return f"min {t[0]:.2f}  p50 {statistics.median(t):.2f}  p95 {p95:.2f} ms"


def commands(rounds, specs):
    runs = [(label, shlex.split(cmd)) for label, cmd in (s.split("=", 1) for s in specs)]
    times = {label: [] for label, _ in runs}
    order = random.Random(16)
    for i in range(rounds + WARM_UP):
        for label, argv in order.sample(runs, len(runs)):
            t = timed(argv)
            if i >= WARM_UP:
                times[label].append(t)
    for label, _ in runs:
        print(f"{label:14s} {summary(times[label])}")


def patients(db, n, k, specs):
    bins = [s.split("=", 1) for s in specs]
    width = max(5, len(str(n)))
    rng = random.Random(16)
    codes = [f"P{rng.randrange(1, n + 1):0{width}d}" for _ in range(k)]
    cmds = {"timeline": ["timeline"], "patient show": ["patient", "show"], "response": ["response"]}
    times = {(label, c): [] for label, _ in bins for c in cmds}
    for i, code in enumerate(codes[:WARM_UP] + codes):
        for c, args in cmds.items():
            for label, binary in rng.sample(bins, len(bins)):
                t = timed([binary, "--db", db, "--format", "json", *args, code])
                if i >= WARM_UP:
                    times[(label, c)].append(t)
    for c in cmds:
        for label, _ in bins:
            print(f"{c:13s} {label:10s} {summary(times[(label, c)])}")


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "commands" and len(sys.argv) > 3:
        commands(int(sys.argv[2]), sys.argv[3:])
    elif mode == "patients" and len(sys.argv) > 5:
        patients(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:])
    else:
        sys.exit(__doc__)
