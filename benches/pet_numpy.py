#!/usr/bin/env python3
"""numpy+nibabel counterpart of `oncotrack pet` for benchmarks (benches/imaging.sh):
same definitions as tests/reference/imaging/pet_reference.py, but vectorised per lesion
(bounding-box crops) so that it is a fair, fast reference on large volumes.

    pet_numpy.py SUV MASK METHOD...   (methods: relative:F, absolute:S)
Prints JSON rows like `oncotrack pet --format json`.
"""
import json
import sys

import nibabel as nib
import numpy as np

R = 6.2


def offsets(spacing):
    reach = [int(np.floor(R / s)) for s in spacing]
    out = []
    for dz in range(-reach[2], reach[2] + 1):
        for dy in range(-reach[1], reach[1] + 1):
            for dx in range(-reach[0], reach[0] + 1):
                if (dx * spacing[0]) ** 2 + (dy * spacing[1]) ** 2 + (dz * spacing[2]) ** 2 <= R * R:
                    out.append((dx, dy, dz))
    return out, reach


def main():
    suv_path, mask_path, methods = sys.argv[1], sys.argv[2], sys.argv[3:]
    img = nib.load(suv_path)
    suv = img.get_fdata(dtype=np.float64)
    labels = np.asanyarray(nib.load(mask_path).dataobj)
    spacing = [float(z) for z in img.header.get_zooms()[:3]]
    json.dump(uptake(suv, labels, spacing, methods), sys.stdout, indent=1)


def uptake(suv, labels, spacing, methods):
    """The rows of `oncotrack pet --format json` for an SUV array and its label mask."""
    voxel_ml = spacing[0] * spacing[1] * spacing[2] / 1000.0
    offs, reach = offsets(spacing)
    coords = np.array(np.nonzero(labels)).T
    values_at = labels[tuple(coords.T)]
    order = np.argsort(values_at, kind="stable")
    coords, values_at = coords[order], values_at[order]
    splits = np.flatnonzero(np.diff(values_at)) + 1
    rows = []
    for group in np.split(np.arange(len(values_at)), splits):
        label = int(values_at[group[0]])
        c = coords[group]
        lo = np.maximum(c.min(axis=0) - reach, 0)
        hi = np.minimum(c.max(axis=0) + np.array(reach) + 1, suv.shape)
        crop = suv[lo[0]:hi[0], lo[1]:hi[1], lo[2]:hi[2]]
        local = c - lo
        total = np.zeros(len(c))
        count = np.zeros(len(c))
        for off in offs:
            p = local + off
            g = p + lo
            ok = np.all((g >= 0) & (g < suv.shape), axis=1)
            total[ok] += crop[p[ok, 0], p[ok, 1], p[ok, 2]]
            count[ok] += 1
        v = suv[tuple(c.T)]
        suv_max = float(v.max())
        suv_peak = float((total / count).max())
        for method in methods:
            name, _, param = method.partition(":")
            threshold = float(param) * suv_max if name == "relative" else float(param)
            sel = v[v >= threshold]
            n = int(sel.size)
            mtv = n * voxel_ml
            mean = float(sel.mean()) if n else None
            rows.append({"label": label, "method": method, "threshold": threshold, "voxels": n,
                         "suv_max": suv_max, "suv_peak": suv_peak, "suv_mean": mean,
                         "mtv_ml": mtv, "tlg": mean * mtv if n else 0.0})
    return rows


if __name__ == "__main__":
    main()
