"""Per-patient command latency for benches/scale.sh: runs each command once for each of
K random patients (seeded; after 5 warm-up runs) as a user would, one process per call,
and prints p50 and p95 of the wall time in milliseconds.

Usage: python3 scale_measure.py BIN DB N [K=100]
"""
import random
import statistics
import subprocess
import sys
import time

bin_, db, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
k = int(sys.argv[4]) if len(sys.argv) > 4 else 100
width = max(5, len(str(n)))
rng = random.Random(16)
codes = [f"P{rng.randrange(1, n + 1):0{width}d}" for _ in range(k)]
commands = {
    "timeline": lambda c: ["timeline", c],
    "patient show": lambda c: ["patient", "show", c],
    "response": lambda c: ["response", c],
}
for name, args in commands.items():
    for c in codes[:5]:
        subprocess.run([bin_, "--db", db, "--format", "json", *args(c)], check=True,
                       stdout=subprocess.DEVNULL)
    times = []
    for c in codes:
        start = time.perf_counter()
        subprocess.run([bin_, "--db", db, "--format", "json", *args(c)], check=True,
                       stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(f"{name}: p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms over {k} patients")
