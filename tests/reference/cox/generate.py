"""Expected values of oncotrack's Cox regression and Kaplan-Meier numbers at risk, from lifelines.

Run with a scratch venv outside the repo (lifelines 0.30.3, scipy 1.17.1, numpy 2.4.6,
pandas 2.3.3, matplotlib for lifelines' at-risk table):
    /work/venv-analyst/bin/python tests/reference/cox/generate.py [ROSSI_CSV] [COHORT_CSV]
ROSSI_CSV defaults to /work/shared/data/survival/rossi.csv (lifelines' own rossi data).
COHORT_CSV, when given, is `oncotrack export cohort --cluster demo-endotypes` of the
default demo (`oncotrack demo`: 120 patients, seed 2026); the columns the models use are
written to demo_cohort.csv beside this script (synthetic patients, no codes, no dates).
Writes rossi_expected.json, demo_expected.json and versions.json.
"""
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import lifelines
import scipy
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.plotting import add_at_risk_counts

HERE = os.path.dirname(os.path.abspath(__file__))
ROSSI = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/survival/rossi.csv"
COHORT = sys.argv[2] if len(sys.argv) > 2 else None

# The demo's quiescent endotype: the cluster of the run whose mean z-score over the
# run's cytokines is lowest (oncotrack's default reference level of `endotype`).
QUIESCENT = 2


# lifelines' defaults stop Newton-Raphson when the log-likelihood changes by less than
# 1e-9 relatively (R's rule), which can leave a coefficient ~4e-6 short of the maximum
# (the demo's stratified EFS model); oncotrack iterates until the step is below 1e-11.
# The reference asks lifelines to converge as far (the same maximum, a higher
# likelihood); the coefficients of the default settings are kept for comparison.
TIGHT = {"precision": 1e-12, "r_precision": 1e-14}


def cox(df, duration, event, strata=None):
    """lifelines' CoxPHFitter (Efron ties, the default) and everything oncotrack reports."""
    default = CoxPHFitter().fit(df, duration_col=duration, event_col=event, strata=strata)
    cph = CoxPHFitter()
    cph.fit(df, duration_col=duration, event_col=event, strata=strata, fit_options=TIGHT)
    s = cph.summary
    lr = cph.log_likelihood_ratio_test()
    return {
        "strata": strata,
        "n": int(len(df)),
        "events": int(df[event].sum()),
        "log_likelihood": float(cph.log_likelihood_),
        "null_log_likelihood": float(cph._ll_null_),
        "lr_statistic": float(lr.test_statistic),
        "lr_df": int(lr.degrees_freedom),
        "lr_p": float(lr.p_value),
        "concordance": float(cph.concordance_index_),
        "partial_aic": float(cph.AIC_partial_),
        "default_options_coef": {str(k): float(v) for k, v in default.params_.items()},
        "coefficients": [
            {
                "name": str(name),
                "coef": float(row["coef"]),
                "exp_coef": float(row["exp(coef)"]),
                "se": float(row["se(coef)"]),
                "coef_lower_95": float(row["coef lower 95%"]),
                "coef_upper_95": float(row["coef upper 95%"]),
                "exp_coef_lower_95": float(row["exp(coef) lower 95%"]),
                "exp_coef_upper_95": float(row["exp(coef) upper 95%"]),
                "z": float(row["z"]),
                "p": float(row["p"]),
            }
            for name, row in s.iterrows()
        ],
    }


def at_risk(time, event, ticks):
    """Numbers at risk, censored and events at `ticks` as lifelines' add_at_risk_counts
    prints them under a Kaplan-Meier plot (read back from the tick labels it makes)."""
    km = KaplanMeierFitter().fit(time, event)
    rows = {}
    for row in ("At risk", "Censored", "Events"):
        fig, ax = plt.subplots()
        km.plot_survival_function(ax=ax)
        add_at_risk_counts(km, ax=ax, rows_to_show=[row], xticks=ticks, labels=["g"])
        table = fig.axes[-1]  # the axis add_at_risk_counts adds below the plot
        labels = [t.get_text() for t in table.get_xticklabels()]
        rows[row] = [int(re.findall(r"\d+", label)[-1]) for label in labels]
        plt.close(fig)
    return [
        {"time": float(t), "at_risk": a, "censored": c, "events": e}
        for t, a, c, e in zip(ticks, rows["At risk"], rows["Censored"], rows["Events"])
    ]


# ------------------------------------------------------------------ rossi
rossi = pd.read_csv(ROSSI)
covariates = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
rossi_expected = {
    "all": cox(rossi[["week", "arrest"] + covariates], "week", "arrest"),
    "strata_race": cox(rossi[["week", "arrest"] + covariates], "week", "arrest", strata=["race"]),
    "fin_age": cox(rossi[["week", "arrest", "fin", "age"]], "week", "arrest"),
    "at_risk": {
        f"fin={g}": at_risk(d["week"], d["arrest"], [0, 10, 20, 30, 40, 52])
        for g, d in rossi.groupby("fin")
    },
}
with open(os.path.join(HERE, "rossi_expected.json"), "w") as f:
    json.dump(rossi_expected, f, indent=1)

# ------------------------------------------------------------------ demo cohort
demo_csv = os.path.join(HERE, "demo_cohort.csv")
if COHORT:
    cohort = pd.read_csv(COHORT)
    keep = cohort[["os_days", "os_event", "efs_days", "efs_event", "cluster", "age_at_index", "sex"]]
    keep = keep.assign(
        os_event=keep["os_event"].astype(str).str.lower().eq("true").astype(int),
        efs_event=keep["efs_event"].astype(str).str.lower().eq("true").astype(int),
    )
    keep.to_csv(demo_csv, index=False)
demo = pd.read_csv(demo_csv)
for level in sorted(demo["cluster"].unique()):
    if level != QUIESCENT:
        demo[f"endotype[{level}]"] = (demo["cluster"] == level).astype(int)
demo["sex[M]"] = (demo["sex"] == "M").astype(int)
demo["age"] = demo["age_at_index"]  # oncotrack's store-mode name
endotype = [c for c in demo.columns if c.startswith("endotype[")]
demo_expected = {
    "reference_cluster": QUIESCENT,
    "os_endotype": cox(demo[["os_days", "os_event"] + endotype], "os_days", "os_event"),
    "os_endotype_age_sex": cox(
        demo[["os_days", "os_event"] + endotype + ["age", "sex[M]"]], "os_days", "os_event"
    ),
    "efs_endotype_age_strata_sex": cox(
        demo[["efs_days", "efs_event", "age", "sex"] + endotype], "efs_days", "efs_event",
        strata=["sex"],
    ),
    "at_risk": {
        f"cluster {g}": at_risk(d["os_days"], d["os_event"], [0, 365, 730, 1095])
        for g, d in demo.groupby("cluster")
    },
}
with open(os.path.join(HERE, "demo_expected.json"), "w") as f:
    json.dump(demo_expected, f, indent=1)

versions = {
    "python": sys.version.split()[0],
    "lifelines": lifelines.__version__,
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "pandas": pd.__version__,
    "matplotlib": matplotlib.__version__,
}
with open(os.path.join(HERE, "versions.json"), "w") as f:
    json.dump(versions, f, indent=1)
print(json.dumps(versions))
