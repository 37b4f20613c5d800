"""Generates the inputs and expected values of oncotrack's cohort-analytics reference tests.

Run with the scratch venv (not part of the repo):
    /work/venv-analytics/bin/python tests/reference/analytics/generate.py
Tools: lifelines, scipy, scikit-learn, neuroCombat (versions are written to versions.json).
"""
import json
import os
import sys

import numpy as np
import pandas as pd

np.int = int  # neuroCombat 0.2.12 uses np.int (removed in numpy 2) on the ref_batch path

import lifelines
import neuroCombat as nc_pkg
import scipy
import sklearn
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test, multivariate_logrank_test
from neuroCombat import neuroCombat
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261128)


def finite(x):
    x = float(x)
    return None if not np.isfinite(x) else x


# ---------------------------------------------------------------- survival
rows = []
for group, scale, n in (("A", 400.0, 45), ("B", 250.0, 40), ("C", 150.0, 35)):
    t_event = rng.exponential(scale, n)
    t_censor = rng.uniform(50, 900, n)
    time = np.ceil(np.minimum(t_event, t_censor) / 7.0) * 7.0  # weekly: ties on purpose
    event = (t_event <= t_censor).astype(int)
    rows += [(f"{group}{i:02d}", t, e, group) for i, (t, e) in enumerate(zip(time, event))]
# A group whose last subject dies (S reaches 0) and one with no event before 0.5.
rows += [("D01", 10.0, 1, "D"), ("D02", 20.0, 0, "D"), ("D03", 30.0, 1, "D"), ("D04", 30.0, 1, "D")]
surv = pd.DataFrame(rows, columns=["id", "time", "event", "group"])
surv.to_csv(os.path.join(HERE, "survival.csv"), index=False)

expected = {"groups": {}}
for group, df in surv.groupby("group"):
    km = KaplanMeierFitter().fit(df["time"], df["event"])
    sf = km.survival_function_.iloc[:, 0]
    ci = km.confidence_interval_
    table = km.event_table
    points = []
    for t in table.index:
        if table.loc[t, "observed"] == 0:
            continue
        points.append({
            "time": float(t),
            "survival": float(sf.loc[t]),
            "ci_lower": finite(ci.iloc[:, 0].loc[t]),
            "ci_upper": finite(ci.iloc[:, 1].loc[t]),
            "at_risk": int(table.loc[t, "at_risk"]),
            "events": int(table.loc[t, "observed"]),
        })
    from lifelines.utils import median_survival_times
    mci = median_survival_times(km.confidence_interval_)
    expected["groups"][group] = {
        "n": int(len(df)),
        "events": int(df["event"].sum()),
        "median": finite(km.median_survival_time_),
        "median_ci": [finite(mci.iloc[0, 0]), finite(mci.iloc[0, 1])],
        "km": points,
    }
abc = surv[surv.group.isin(["A", "B", "C"])]
mv = multivariate_logrank_test(abc["time"], abc["group"], abc["event"])
expected["logrank_abc"] = {"statistic": float(mv.test_statistic), "df": int(mv.degrees_of_freedom), "p": float(mv.p_value)}
a, b = surv[surv.group == "A"], surv[surv.group == "B"]
lr = logrank_test(a["time"], b["time"], a["event"], b["event"])
expected["logrank_ab"] = {"statistic": float(lr.test_statistic), "df": 1, "p": float(lr.p_value)}
with open(os.path.join(HERE, "survival_expected.json"), "w") as f:
    json.dump(expected, f, indent=1)

# ---------------------------------------------------------------- clustering
centres = rng.normal(0, 3, (3, 6))
blobs = np.vstack([c + rng.normal(0, 1.2, (20 + 5 * i, 6)) for i, c in enumerate(centres)])
order = rng.permutation(len(blobs))
blobs = blobs[order]
ids = [f"S{i:03d}" for i in range(len(blobs))]
pd.DataFrame(blobs, columns=[f"f{j+1}" for j in range(6)], index=pd.Index(ids, name="id")).to_csv(
    os.path.join(HERE, "cluster_matrix.csv"), float_format="%.17g")
X = pd.read_csv(os.path.join(HERE, "cluster_matrix.csv"), index_col=0).to_numpy()
clusters = {}
for metric in ("euclidean", "correlation"):
    y = pdist(X, metric=metric)
    for method in ("ward", "average", "complete", "single"):
        Z = linkage(y, method=method)
        result = {"heights": Z[:, 2].tolist(), "labels": {}, "silhouette": {}}
        for k in range(2, 9):
            labels = fcluster(Z, k, criterion="maxclust")
            result["labels"][str(k)] = labels.tolist()
            if len(set(labels)) > 1:
                result["silhouette"][str(k)] = float(silhouette_score(X, labels, metric=metric))
        clusters[f"{method}-{metric}"] = result
kmeans = {}
for k in (2, 3, 4):
    fit = KMeans(n_clusters=k, n_init=10, random_state=0).fit(X)
    kmeans[str(k)] = {"inertia": float(fit.inertia_), "labels": fit.labels_.tolist()}
pca = PCA(n_components=3).fit(X)
with open(os.path.join(HERE, "cluster_expected.json"), "w") as f:
    json.dump({"hierarchical": clusters, "kmeans": kmeans,
               "pca_explained_variance_ratio": pca.explained_variance_ratio_.tolist()}, f, indent=1)

# ---------------------------------------------------------------- ComBat
n_feat, sizes = 40, {"siteA": 18, "siteB": 25, "siteC": 14, "siteD": 21}
batch = np.concatenate([[b] * n for b, n in sizes.items()])
n = len(batch)
age = rng.integers(18, 80, n).astype(float)  # integers: neuroCombat casts continuous covariates to float32
sex = rng.choice(["F", "M"], n)
shift = {b: rng.normal(0, 1.5, n_feat) for b in sizes}
scale = {b: rng.uniform(0.6, 1.8, n_feat) for b in sizes}
base = rng.normal(10, 2, n_feat)
data = np.empty((n, n_feat))
for s in range(n):
    b = batch[s]
    data[s] = base + 0.03 * age[s] + (0.8 if sex[s] == "M" else 0) + shift[b] + scale[b] * rng.normal(0, 1, n_feat)
feat_names = [f"feat{j+1}" for j in range(n_feat)]
frame = pd.DataFrame(data, columns=feat_names)
frame.insert(0, "sample", [f"X{i:03d}" for i in range(n)])
frame.insert(1, "site", batch)
frame.insert(2, "age", age)
frame.insert(3, "sex", sex)
frame.to_csv(os.path.join(HERE, "combat_input.csv"), index=False, float_format="%.17g")
frame = pd.read_csv(os.path.join(HERE, "combat_input.csv"))
dat = frame[feat_names].to_numpy(dtype=np.float64).T
covars = frame[["site", "age", "sex"]]
modes = {
    "parametric": dict(),
    "nonparametric": dict(parametric=False),
    "noeb": dict(eb=False),
    "meanonly": dict(mean_only=True),
    "meanonly-nonparametric": dict(mean_only=True, parametric=False),
    "ref": dict(ref_batch="siteB"),
}
import contextlib, io
for name, kwargs in modes.items():
    with contextlib.redirect_stdout(io.StringIO()):
        out = neuroCombat(dat=dat.copy(), covars=covars.copy(), batch_col="site",
                          categorical_cols=["sex"], continuous_cols=["age"], **kwargs)["data"]
    result = frame.copy()
    result[feat_names] = out.T
    result.to_csv(os.path.join(HERE, f"combat_expected_{name}.csv"), index=False, float_format="%.17g")

with open(os.path.join(HERE, "versions.json"), "w") as f:
    json.dump({"python": sys.version.split()[0], "numpy": np.__version__, "pandas": pd.__version__,
               "scipy": scipy.__version__, "scikit-learn": sklearn.__version__,
               "lifelines": lifelines.__version__, "neuroCombat": "0.2.12"}, f, indent=1)
print("ok")
