"""lifelines on the benchmark inputs of benches/cox.sh: `cox CSV` fits CoxPHFitter on
time, event and x1..x5; `km CSV` fits KaplanMeierFitter per group and the multivariate
log-rank test. Prints the fit time (without Python's start-up and imports) on stderr and
the numbers on stdout, to compare with oncotrack's.
Also `make N DIR`: writes DIR/cox.csv (N rows x 5 covariates, Weibull times with ties by
rounding to days, ~30 % censored) and DIR/km.csv (N rows, 4 groups), seeded."""
import json
import sys
import time

import numpy as np
import pandas as pd


def make(n, out):
    rng = np.random.default_rng(20261201)
    x = rng.normal(size=(n, 5))
    x[:, 3] = rng.integers(0, 2, n)  # a binary covariate
    beta = np.array([0.5, -0.3, 0.2, 0.7, 0.0])
    t = rng.weibull(1.3, n) * 900.0 / np.exp(x @ beta / 1.3)
    c = rng.uniform(100, 2500, n)
    time_ = np.ceil(np.minimum(t, c))
    event = (t <= c).astype(int)
    df = pd.DataFrame(x, columns=[f"x{i}" for i in range(1, 6)])
    df.insert(0, "event", event)
    df.insert(0, "time", time_)
    df.to_csv(f"{out}/cox.csv", index=False, float_format="%.6f")
    group = rng.integers(0, 4, n)
    tk = rng.exponential(600.0 * (1 + group / 3), n)
    ck = rng.uniform(50, 2500, n)
    pd.DataFrame({
        "time": np.ceil(np.minimum(tk, ck)),
        "event": (tk <= ck).astype(int),
        "group": [f"g{g}" for g in group],
    }).to_csv(f"{out}/km.csv", index=False)


def cox(path):
    from lifelines import CoxPHFitter
    df = pd.read_csv(path)
    start = time.perf_counter()
    cph = CoxPHFitter().fit(df, "time", "event")
    c = cph.concordance_index_
    elapsed = time.perf_counter() - start
    print(f"lifelines CoxPHFitter fit + concordance: {elapsed:.3f} s", file=sys.stderr)
    print(json.dumps({"coef": cph.params_.to_dict(), "log_likelihood": cph.log_likelihood_, "concordance": c}))


def km(path):
    from lifelines import KaplanMeierFitter
    from lifelines.statistics import multivariate_logrank_test
    df = pd.read_csv(path)
    start = time.perf_counter()
    medians = {}
    for g, d in df.groupby("group"):
        k = KaplanMeierFitter().fit(d["time"], d["event"])
        medians[g] = float(k.median_survival_time_)
        k.confidence_interval_
    test = multivariate_logrank_test(df["time"], df["group"], df["event"])
    elapsed = time.perf_counter() - start
    print(f"lifelines Kaplan-Meier per group + log-rank: {elapsed:.3f} s", file=sys.stderr)
    print(json.dumps({"medians": medians, "logrank": float(test.test_statistic)}))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "cox":
        cox(sys.argv[2])
    else:
        km(sys.argv[2])
