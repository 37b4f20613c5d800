"""Times neuroCombat (parametric) and scipy linkage(ward) on the benchmark inputs, in-process.

Usage: python benches/analytics_reference.py DIR   (DIR holds combat.csv and ward.csv from analytics.rs --generate)
Prints one line per method: "name seconds" (median of the runs).
"""
import contextlib
import io
import statistics
import sys
import time

import numpy as np
import pandas as pd
from neuroCombat import neuroCombat
from scipy.cluster.hierarchy import linkage

folder = sys.argv[1]
combat = pd.read_csv(f"{folder}/combat.csv")
dat = combat.iloc[:, 2:].to_numpy(dtype=np.float64).T
covars = combat[["batch"]].astype(str)
times = []
for _ in range(3):
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        neuroCombat(dat=dat.copy(), covars=covars.copy(), batch_col="batch")
    times.append(time.perf_counter() - start)
print(f"combat {statistics.median(times):.4f}")

ward = pd.read_csv(f"{folder}/ward.csv").iloc[:, 1:].to_numpy(dtype=np.float64)
times = []
for _ in range(3):
    start = time.perf_counter()
    linkage(ward, method="ward")
    times.append(time.perf_counter() - start)
print(f"ward {statistics.median(times):.4f}")
