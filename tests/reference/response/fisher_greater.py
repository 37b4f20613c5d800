"""Expected one-sided Fisher exact p-values for src/analysis/response/molecular/fisher.rs.

Run: python fisher_greater.py > fisher_greater.json  (scipy; its version is written into the output).
Each case is the pooled reads of two blood draws: alt_1 alt reads of depth_1 at the later
draw, alt_2 of depth_2 at the nadir; p = fisher_exact([[alt_1, depth_1 - alt_1],
[alt_2, depth_2 - alt_2]], alternative="greater").pvalue (a rise of the alt fraction).
"""
import json

import scipy
from scipy import stats

CASES = [
    ("no_rise", 10, 1000, 10, 1000),
    ("small_rise_not_significant", 14, 1000, 10, 1000),
    ("doubling_at_low_depth", 4, 200, 2, 200),
    ("doubling_at_depth", 40, 2000, 20, 2000),
    ("tripling_few_reads", 6, 500, 2, 500),
    ("reappearance_from_zero", 5, 800, 0, 900),
    ("fall", 2, 1000, 30, 1000),
    ("deep_panel_rise", 130, 60000, 80, 55000),
    ("deep_panel_small_rise", 90, 60000, 80, 60000),
    ("high_vaf_rise", 640, 1000, 520, 1000),
    ("unequal_depths", 12, 300, 25, 2500),
    ("every_read_alt", 50, 50, 40, 50),
    ("one_read", 1, 100, 0, 100),
    ("tiny_p", 400, 2000, 100, 2000),
]


def case(name, alt_1, depth_1, alt_2, depth_2):
    res = stats.fisher_exact([[alt_1, depth_1 - alt_1], [alt_2, depth_2 - alt_2]], alternative="greater")
    return {"name": name, "alt_1": alt_1, "depth_1": depth_1, "alt_2": alt_2, "depth_2": depth_2,
            "p": float(res.pvalue)}


print(json.dumps({
    "tool": f"scipy {scipy.__version__} stats.fisher_exact(alternative='greater')",
    "cases": [case(*c) for c in CASES],
}, indent=1))
