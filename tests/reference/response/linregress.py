"""Expected log-linear trend numbers for src/analysis/trend.rs, from scipy.stats.linregress.

Run: python linregress.py > linregress.json  (scipy and numpy; versions are written into the output).
x = days since the first date, y = ln(value); slopes are reported per 30 days, the 95 % CI
uses t.ppf(0.975, n - 2), doubling/halving time = 30 ln 2 / |slope per 30 days|.
"""
import datetime as dt
import json
import math

import numpy
import scipy
from scipy import stats

CASES = [
    ("ctdna_rising", ["2024-01-01", "2024-02-12", "2024-03-25", "2024-05-06", "2024-06-17"],
     [0.004, 0.006, 0.011, 0.019, 0.041]),
    ("il6_falling_noisy", ["2023-11-20", "2023-12-18", "2024-01-29", "2024-03-11", "2024-04-22", "2024-07-01"],
     [48.0, 31.5, 35.2, 17.9, 12.4, 9.8]),
    ("mtv_three_points", ["2025-02-01", "2025-04-15", "2025-08-30"], [112.0, 64.0, 71.5]),
    ("recist_sum_uneven", ["2024-01-05", "2024-01-30", "2024-04-02", "2024-04-09", "2024-09-30"],
     [74.0, 70.0, 61.0, 66.0, 95.0]),
    ("tlg_flat_noise", ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01", "2024-06-01", "2024-07-01"],
     [300.0, 310.0, 290.0, 305.0, 298.0, 312.0, 301.0]),
]


def case(name, dates, values):
    d0 = dt.date.fromisoformat(dates[0])
    x = numpy.array([(dt.date.fromisoformat(d) - d0).days for d in dates], dtype=float)
    y = numpy.log(numpy.array(values))
    res = stats.linregress(x, y)
    q = stats.t.ppf(0.975, len(x) - 2)
    return {
        "name": name,
        "dates": dates,
        "values": values,
        "slope_per_30d": res.slope * 30,
        "intercept": res.intercept,
        "stderr_per_30d": res.stderr * 30,
        "ci_low_per_30d": (res.slope - q * res.stderr) * 30,
        "ci_high_per_30d": (res.slope + q * res.stderr) * 30,
        "p_value": res.pvalue,
        "r": res.rvalue,
        "doubling_days": 30 * math.log(2) / abs(res.slope * 30),
    }


print(json.dumps({
    "tool": f"scipy {scipy.__version__} stats.linregress, numpy {numpy.__version__}",
    "cases": [case(*c) for c in CASES],
}, indent=1))
