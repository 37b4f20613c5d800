#!/usr/bin/env python3
"""Independent reference for the RTSTRUCT and SEG masks: pydicom + numpy (+ nibabel for
IBSI's NIfTI masks) on the shared data in ../shared/data/pet.

Run from the repository root (a venv with pydicom, numpy and nibabel):
    python tests/reference/masks/mask_reference.py
It (re)writes tests/reference/masks/mask_expected.json.

- RTSTRUCT: the rule of docs/methods.md ("Contours to voxels"), written again with numpy:
  contour points mapped to voxel indices through the image affine, a contour put on the
  slice round(mean k), voxel centres inside by the even-odd crossing test (a crossing
  counts when the edge's ends lie on either side of the row, half-open; the centre is
  inside when an odd number of crossings lie at x > i). STS: on IBSI's NIfTI PET grid
  (affine RAS -> LPS by negating the x and y rows), compared with IBSI's PET_mask.nii.gz
  (Dice). DRO: on the PT series grid read from the slices' ImagePositionPatient,
  ImageOrientationPatient and PixelSpacing, compared with mask/DRO_mask.nii.gz.
- SEG: pydicom's pixel_array per frame (1-bit unpacked, fractional in stored values),
  fractional pixels in the segment when value >= MaximumFractionalValue / 2.
"""
import glob
import json
import os

import nibabel as nib
import numpy as np
import pydicom

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DATA = os.path.join(ROOT, "..", "shared", "data", "pet")
EXPECTED = os.path.join(ROOT, "tests", "reference", "masks", "mask_expected.json")


def inside(nx, ny, polygons):
    """Even-odd rule over all polygons (lists of (i, j)) of one slice: a (nx, ny) bool array."""
    ii, jj = np.meshgrid(np.arange(nx, dtype=float), np.arange(ny, dtype=float), indexing="ij")
    out = np.zeros((nx, ny), bool)
    for poly in polygons:
        n = len(poly)
        for a in range(n):
            x1, y1 = poly[a]
            x2, y2 = poly[(a + 1) % n]
            cond = (y1 > jj) != (y2 > jj)
            with np.errstate(divide="ignore", invalid="ignore"):
                x = x1 + (jj - y1) * (x2 - x1) / (y2 - y1)
            out ^= cond & (ii < x)
    return out


def rasterise(rs, roi_number, shape, lps_affine):
    inv = np.linalg.inv(lps_affine)
    out = np.zeros(shape, bool)
    per_slice = {}
    for rc in rs.ROIContourSequence:
        if int(rc.ReferencedROINumber) != roi_number:
            continue
        for c in rc.ContourSequence:
            if c.ContourGeometricType != "CLOSED_PLANAR":
                continue
            pts = np.array(c.ContourData, float).reshape(-1, 3)
            v = (inv @ np.c_[pts, np.ones(len(pts))].T).T[:, :3]
            k = int(np.round(v[:, 2].mean()))
            assert np.all(np.abs(v[:, 2] - k) <= 0.5 + 1e-6) and 0 <= k < shape[2]
            per_slice.setdefault(k, []).append(v[:, :2])
    for k, polygons in per_slice.items():
        out[:, :, k] = inside(shape[0], shape[1], polygons)
    return out


def lps(affine):
    a = affine.copy()
    a[0] *= -1
    a[1] *= -1
    return a


def series_affine(folder):
    slices = [pydicom.dcmread(f, force=True) for f in glob.glob(os.path.join(folder, "*.dcm"))]
    iop = np.array(slices[0].ImageOrientationPatient, float)
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    slices.sort(key=lambda s: float(np.dot(normal, np.array(s.ImagePositionPatient, float))))
    p0 = np.array(slices[0].ImagePositionPatient, float)
    p1 = np.array(slices[1].ImagePositionPatient, float)
    dr, dc = (float(v) for v in slices[0].PixelSpacing)
    a = np.eye(4)
    a[:3, 0] = row * dc
    a[:3, 1] = col * dr
    a[:3, 2] = p1 - p0
    a[:3, 3] = p0
    return a, (int(slices[0].Columns), int(slices[0].Rows), len(slices))


def dice(a, b):
    return float(2 * (a & b).sum() / (a.sum() + b.sum()))


def main():
    out = {
        "versions": {
            "pydicom": pydicom.__version__,
            "numpy": np.__version__,
            "nibabel": nib.__version__,
        },
        "sts": [],
        "dro": [],
        "seg": [],
    }
    for n in range(1, 13):
        d = os.path.join(DATA, "sts", f"STS_{n:03d}")
        ref_img = nib.load(os.path.join(d, "nifti", "PET_mask.nii.gz"))
        ref = ref_img.get_fdata() > 0.5
        rs = pydicom.dcmread(os.path.join(d, "dicom", "mask", "RS.dcm"))
        roi = next(int(r.ROINumber) for r in rs.StructureSetROISequence if r.ROIName == "GTV_Mass_PET")
        got = rasterise(rs, roi, ref.shape, lps(ref_img.affine))
        out["sts"].append({
            "patient": f"STS_{n:03d}",
            "voxels": int(got.sum()),
            "ibsi_voxels": int(ref.sum()),
            "dice": dice(got, ref),
        })
    for d in sorted(d for d in glob.glob(os.path.join(DATA, "suv_dro", "DRO_*")) if os.path.isdir(d)):
        affine, shape = series_affine(os.path.join(d, "PT"))
        ref = nib.load(os.path.join(d, "mask", "DRO_mask.nii.gz")).get_fdata() > 0.5
        rs = pydicom.dcmread(glob.glob(os.path.join(d, "RS", "*.dcm"))[0])
        roi = int(rs.StructureSetROISequence[0].ROINumber)
        got = rasterise(rs, roi, shape, affine)
        out["dro"].append({
            "dro": os.path.basename(d),
            "voxels": int(got.sum()),
            "reference_voxels": int(ref.sum()),
            "outside_reference": int((got & ~ref).sum()),
            "contour_slices": [int(k) for k in np.nonzero(got.any(axis=(0, 1)))[0]],
            "reference_slices": [int(k) for k in np.nonzero(ref.any(axis=(0, 1)))[0]],
        })
    for f in sorted(glob.glob(os.path.join(DATA, "seg", "seg_*.dcm"))):
        s = pydicom.dcmread(f)
        arr = s.pixel_array
        if arr.ndim == 2:
            arr = arr[None]
        if s.SegmentationType == "FRACTIONAL":
            on = 2 * arr.astype(int) >= int(s.MaximumFractionalValue)
        else:
            on = arr > 0
        segments = []
        voxels = {}
        for seg in s.SegmentSequence:
            number = int(seg.SegmentNumber)
            frames = [
                i for i, pf in enumerate(s.PerFrameFunctionalGroupsSequence)
                if int(pf.SegmentIdentificationSequence[0].ReferencedSegmentNumber) == number
            ]
            # A voxel is (frame position, row, column).
            cells = set()
            for i in frames:
                z = tuple(float(v) for v in s.PerFrameFunctionalGroupsSequence[i].PlanePositionSequence[0].ImagePositionPatient)
                for r, c in zip(*np.nonzero(on[i])):
                    cells.add((z, int(r), int(c)))
            voxels[number] = cells
            segments.append({
                "number": number,
                "label": str(seg.SegmentLabel),
                "voxels": len(cells),
                "frame_voxels": [int(on[i].sum()) for i in frames],
            })
        both = set.intersection(*voxels.values()) if len(voxels) > 1 else set()
        out["seg"].append({
            "file": os.path.basename(f),
            "type": str(s.SegmentationType),
            "segments": segments,
            "overlap_voxels": len(both),
        })
    with open(EXPECTED, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
