#!/usr/bin/env python3
"""pydicom+numpy counterpart of `oncotrack pet DICOM-FOLDER --mask RTSTRUCT` for
benches/pet_dicom.sh: reads the series (sorted by ImagePositionPatient on the slice
normal), converts BQML with DecayCorrection START to SUVbw (weight, dose decayed from
injection to SeriesTime), rasterises every ROI of the RTSTRUCT on the series' grid by
oncotrack's rule (docs/methods.md, "Contours to voxels"), and measures each ROI on its own
voxels with the uptake definitions of benches/pet_numpy.py.

The rule, written independently of oncotrack's src/analysis/raster.rs: every contour point
is mapped to a continuous voxel index (i, j, k) by solving origin + M (i, j, k) = point, M's
columns the axis directions times the spacing; a contour belongs to slice round(mean k) and
all its points must lie within half a slice of it; on each slice all contours of an ROI
decide together by the even-odd rule on voxel centres: centre (i, j) is inside when an odd
number of edge crossings of row j lie at x <= i, an edge crossing row j when one end lies
above j and the other at or below it.

    pet_dicom_numpy.py FOLDER RTSTRUCT METHOD...   (methods: relative:F, absolute:S)
Prints JSON rows like `oncotrack pet --format json`.
"""
import glob
import json
import os
import sys
from datetime import datetime

import numpy as np
import pydicom

sys.path.insert(0, os.path.dirname(__file__))
from pet_numpy import offsets  # noqa: E402


def read_series(folder):
    slices = [pydicom.dcmread(f) for f in glob.glob(os.path.join(folder, "*.dcm"))]
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(iop[:3], iop[3:])
    slices.sort(key=lambda s: float(np.dot(np.array(s.ImagePositionPatient, dtype=float), normal)))
    pos = [float(np.dot(np.array(s.ImagePositionPatient, dtype=float), normal)) for s in slices]
    steps = np.diff(pos)
    first = slices[0]
    assert first.Units == "BQML" and first.DecayCorrection == "START"
    rp = first.RadiopharmaceuticalInformationSequence[0]
    injection = datetime.strptime(str(rp.RadiopharmaceuticalStartDateTime)[:14], "%Y%m%d%H%M%S")
    reference = datetime.strptime(first.SeriesDate + str(first.SeriesTime)[:6], "%Y%m%d%H%M%S")
    decay = np.exp(-np.log(2) / float(rp.RadionuclideHalfLife) * (reference - injection).total_seconds())
    factor = float(first.PatientWeight) * 1000.0 / (float(rp.RadionuclideTotalDose) * decay)
    suv = np.stack(
        [(s.pixel_array * float(s.RescaleSlope) + float(s.RescaleIntercept)).T * factor for s in slices],
        axis=2,
    )
    ps = [float(v) for v in first.PixelSpacing]
    spacing = np.array([ps[1], ps[0], float(np.sort(steps)[len(steps) // 2])])
    origin = np.array(first.ImagePositionPatient, dtype=float)
    axes = np.stack([iop[:3], iop[3:], normal], axis=1) * spacing  # columns: axis x spacing
    return suv, spacing, origin, axes, first


def rasterise(contours, shape, origin, axes):
    """Voxel mask of an ROI's closed planar contours (list of (n, 3) arrays, LPS mm)."""
    nx, ny, nz = shape
    inverse = np.linalg.inv(axes)
    by_slice = {}
    for points in contours:
        ijk = (points - origin) @ inverse.T
        k = float(np.floor(ijk[:, 2].mean() + 0.5))
        assert np.all(np.abs(ijk[:, 2] - k) <= 0.5 + 1e-6), "contour off its slice"
        assert 0 <= k < nz, "contour outside the grid"
        by_slice.setdefault(int(k), []).append(ijk[:, :2])
    mask = np.zeros(shape, dtype=bool)
    for k, polygons in by_slice.items():
        edges = np.concatenate([np.concatenate([p, np.roll(p, -1, axis=0)], axis=1) for p in polygons])
        x1, y1, x2, y2 = edges.T
        lo = np.vstack(polygons).min(axis=0)
        hi = np.vstack(polygons).max(axis=0)
        j = np.arange(max(int(np.ceil(lo[1])), 0), min(int(np.floor(hi[1])), ny - 1) + 1, dtype=float)
        i = np.arange(max(int(np.ceil(lo[0])), 0), min(int(np.floor(hi[0])), nx - 1) + 1, dtype=float)
        if j.size == 0 or i.size == 0:
            continue
        y = j[:, None]
        crosses = (y1 > y) != (y2 > y)  # rows x edges
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(crosses, x1 + (y - y1) * (x2 - x1) / (y2 - y1), np.inf)
        count = (x[:, :, None] <= i[None, None, :]).sum(axis=1)  # rows x columns
        inside = count % 2 == 1
        jj, ii = np.nonzero(inside)
        mask[i[ii].astype(int), j[jj].astype(int), k] = True
    return mask


def main():
    folder, rtstruct, methods = sys.argv[1], sys.argv[2], sys.argv[3:]
    suv, spacing, origin, axes, first = read_series(folder)
    rt = pydicom.dcmread(rtstruct)
    referenced = [
        s.SeriesInstanceUID
        for f in rt.ReferencedFrameOfReferenceSequence
        for st in f.RTReferencedStudySequence
        for s in st.RTReferencedSeriesSequence
    ]
    assert first.SeriesInstanceUID in referenced, "the RTSTRUCT references another series"
    contours_of = {
        int(rc.ReferencedROINumber): [
            np.array(c.ContourData, dtype=float).reshape(-1, 3)
            for c in rc.ContourSequence
            if c.ContourGeometricType == "CLOSED_PLANAR"
        ]
        for rc in rt.ROIContourSequence
    }
    voxel_ml = float(np.prod(spacing)) / 1000.0
    offs, _ = offsets(spacing)
    offs = np.array(offs)
    rows = []
    for roi in rt.StructureSetROISequence:
        number = int(roi.ROINumber)
        mask = rasterise(contours_of[number], suv.shape, origin, axes)
        c = np.argwhere(mask)
        v = suv[mask]
        # SUVpeak: each voxel's sphere mean (voxel centres within 6.2 mm, inside the image).
        total = np.zeros(len(c))
        count = np.zeros(len(c))
        for off in offs:
            p = c + off
            ok = np.all((p >= 0) & (p < suv.shape), axis=1)
            total[ok] += suv[tuple(p[ok].T)]
            count[ok] += 1
        suv_max = float(v.max())
        suv_peak = float((total / count).max())
        for method in methods:
            name, _, param = method.partition(":")
            threshold = float(param) * suv_max if name == "relative" else float(param)
            sel = v[v >= threshold]
            n = int(sel.size)
            mtv = n * voxel_ml
            mean = float(sel.mean()) if n else None
            rows.append({"label": number, "name": str(roi.ROIName), "method": method,
                         "threshold": threshold, "voxels": n, "suv_max": suv_max,
                         "suv_peak": suv_peak, "suv_mean": mean, "mtv_ml": mtv,
                         "tlg": mean * mtv if n else 0.0})
    json.dump(rows, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
