"""Writes fixtures/radiomics/pandas_batch.csv as pandas writes PyRadiomics batch results.

PyRadiomics batch results are often collected as one result dict per case and
written with pandas, `pandas.DataFrame(results, index=cases).to_csv(path)` (the real
PyRadiomics 3.0.1 batch file of issue 18 was). `to_csv` writes the
index as an unnamed first column (header ''), here the image file name of each case,
and quotes the diagnostics that hold tuples or dicts. Three synthetic cases, one
feature left undefined (nan, written as an empty cell), and a `class` column that is
neither a feature nor a diagnostic (it must be kept as case metadata).

Also writes tests/reference/radiomics/pandas_batch_expected.json: every feature value
as pandas wrote it (read back with pandas, kept as the shortest decimal text), the reference the integration test checks
each stored value against.

Run: /work/venv-lab/bin/python tests/reference/radiomics/make_pandas_batch.py
(pandas 3.1.1, numpy 2.4.6).
"""

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
rng = np.random.default_rng(18)
cases = ["5060090.nrrd", "5060091.nrrd", "5060092.nrrd"]
rows = []
for i, case in enumerate(cases):
    rows.append(
        {
            "diagnostics_Versions_PyRadiomics": "v3.0.1",
            "diagnostics_Image-original_Spacing": "(0.7, 0.7, 5.0)",
            "diagnostics_Mask-original_BoundingBox": f"({10 + i}, 20, 3, 40, 38, 7)",
            "diagnostics_Configuration_EnabledImageTypes": "{'Original': {}, 'Wavelet': {}}",
            "class": ["high", "low", "high"][i],
            "original_shape_MeshVolume": float(rng.uniform(1000, 90000)),
            "original_firstorder_Mean": float(rng.normal(40, 15)),
            "original_glcm_Contrast": float(rng.gamma(2.0, 3.0)),
            "original_glszm_ZoneEntropy": float("nan") if i == 1 else float(rng.uniform(4, 8)),
            "wavelet-LLH_firstorder_Mean": float(rng.normal(0, 1)),
        }
    )
frame = pd.DataFrame(rows, index=cases)
out = ROOT / "fixtures/radiomics/pandas_batch.csv"
frame.to_csv(out)
(ROOT / "fixtures/radiomics/pandas_manifest.csv").write_text(
    "case,patient,date,lesion,scanner\n"
    "/data/ct/5060090.nrrd,P001,2024-01-10,T1,scanner A\n"
    "5060091.nrrd,P001,2024-01-10,T2,scanner A\n"
    "/data/ct/5060092.nrrd,P002,2024-01-12,T1,scanner B\n"
)
back = pd.read_csv(out, index_col=0)
expected = {
    case: {
        # As text (Python's shortest repr of the double pandas read back): JSON
        # readers may round numbers, a decimal string parses exactly.
        column: repr(float(back.loc[case, column]))
        for column in back.columns
        if "_" in column
        and not column.startswith("diagnostics_")
        and not math.isnan(float(back.loc[case, column]))
    }
    for case in back.index
}
(ROOT / "tests/reference/radiomics/pandas_batch_expected.json").write_text(
    json.dumps({"pandas": pd.__version__, "numpy": np.__version__, "features": expected}, indent=1)
    + "\n"
)
