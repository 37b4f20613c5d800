#!/usr/bin/env python3
"""Independent reference for `oncotrack pet`: writes NIfTI test images with nibabel and
computes SUVmax, SUVpeak, SUVmean, MTV and TLG per lesion and method with numpy.

Run from the repository root (venv with nibabel and numpy):
    python tests/reference/imaging/pet_reference.py
It (re)writes fixtures/pet/*.nii.gz and tests/reference/imaging/pet_expected.json.
Definitions (docs/methods.md, ## Imaging): MTV voxels = label voxels with SUV >= threshold
(inclusive); SUVpeak = max over label voxels of the mean SUV of the voxels whose centres lie
within 6.2 mm (voxels outside the image left out); SD of reference regions with ddof=0.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(ROOT, "fixtures", "pet")
EXPECTED = os.path.join(ROOT, "tests", "reference", "imaging", "pet_expected.json")
PEAK_RADIUS_MM = 6.2


def affine(spacing, shape):
    a = np.diag([spacing[0], spacing[1], spacing[2], 1.0])
    a[:3, 3] = [-(shape[i] - 1) * spacing[i] / 2 for i in range(3)]
    return a


def gaussian_blur(volume, fwhm_mm, spacing):
    out = volume.astype(np.float64)
    for axis in range(3):
        sigma = fwhm_mm / (2 * np.sqrt(2 * np.log(2))) / spacing[axis]
        radius = int(np.ceil(4 * sigma))
        x = np.arange(-radius, radius + 1)
        kernel = np.exp(-0.5 * (x / sigma) ** 2)
        kernel /= kernel.sum()
        out = np.apply_along_axis(lambda v: np.convolve(v, kernel, mode="same"), axis, out)
    return out


def nema_phantom(blur):
    """NEMA IEC body phantom spheres (10..37 mm) at 4:1 in a 220x180x60 mm box of 2 mm voxels."""
    spacing = (2.0, 2.0, 2.0)
    shape = (110, 90, 30)
    centre = np.array([(s - 1) / 2 * spacing[i] for i, s in enumerate(shape)])
    # Supersample 3x3x3 per voxel for partial-volume sphere edges.
    sub = (np.arange(3) - 1) / 3.0
    idx = np.indices(shape).reshape(3, -1).T.astype(np.float64)
    suv = np.ones(shape, dtype=np.float64)
    mask = np.zeros(shape, dtype=np.int16)
    diameters = [10, 13, 17, 22, 28, 37]
    for n, d in enumerate(diameters):
        angle = np.deg2rad(60 * n)
        c = centre + np.array([57.2 * np.cos(angle), 57.2 * np.sin(angle), 0.0])
        r = d / 2
        frac = np.zeros(idx.shape[0])
        for ox in sub:
            for oy in sub:
                for oz in sub:
                    p = (idx + [ox, oy, oz]) * spacing
                    frac += (np.sum((p - c) ** 2, axis=1) <= r * r)
        frac = (frac / 27).reshape(shape)
        suv += 3.0 * frac
        # VOI: a box around the sphere, 1.5 x radius + 4 mm.
        half = r * 1.5 + 4
        lo = np.floor((c - half) / spacing).astype(int)
        hi = np.ceil((c + half) / spacing).astype(int)
        mask[lo[0]:hi[0] + 1, lo[1]:hi[1] + 1, max(lo[2], 0):min(hi[2] + 1, shape[2])] = n + 1
    if blur:
        suv = gaussian_blur(suv, 6.0, spacing)
    # Background (7) and "liver" (8) reference regions away from the spheres.
    mask[2:12, 2:12, 10:20] = 7
    mask[98:108, 78:88, 10:20] = 8
    return suv, mask, spacing


def clinical_like():
    """32x32x24 voxels of 4 x 4 x 3.27 mm, int16 SUV with scl_slope 0.001, three lesions,
    a liver region; deterministic noise."""
    rng = np.random.default_rng(20261128)
    spacing = (4.0, 4.0, 3.27)
    shape = (32, 32, 24)
    suv = np.clip(rng.normal(0.9, 0.15, shape), 0.05, None)
    mask = np.zeros(shape, dtype=np.uint8)
    grid = np.indices(shape).transpose(1, 2, 3, 0) * spacing
    lesions = [((30.0, 40.0, 30.0), 9.0, 8.5), ((80.0, 90.0, 40.0), 14.0, 5.0), ((60.0, 30.0, 50.0), 6.0, 3.2)]
    for label, (c, r, peak) in enumerate(lesions, start=1):
        d = np.sqrt(np.sum((grid - c) ** 2, axis=-1))
        inside = d <= r
        suv = np.where(inside, peak * np.exp(-(d / r) ** 2) + rng.normal(0, 0.2, shape).clip(-0.3, 0.3) + 1.0, suv)
        mask[d <= r + 4.0] = label
    liver = np.zeros(shape, dtype=bool)
    liver[2:10, 20:30, 4:12] = True
    suv[liver] = rng.normal(2.1, 0.25, liver.sum()).clip(0.5, None)
    mask[liver] = 9
    suv = np.clip(suv, 0, None)
    raw = np.round(suv / 0.001).astype(np.int16)
    return raw, mask, spacing


def sphere_offsets(spacing):
    reach = [int(np.floor(PEAK_RADIUS_MM / s)) for s in spacing]
    offsets = []
    for dz in range(-reach[2], reach[2] + 1):
        for dy in range(-reach[1], reach[1] + 1):
            for dx in range(-reach[0], reach[0] + 1):
                d2 = (dx * spacing[0]) ** 2 + (dy * spacing[1]) ** 2 + (dz * spacing[2]) ** 2
                if d2 <= PEAK_RADIUS_MM * PEAK_RADIUS_MM:
                    offsets.append((dx, dy, dz))
    return offsets


def sphere_means(suv, spacing):
    total = np.zeros_like(suv)
    count = np.zeros(suv.shape)
    shape = suv.shape
    for off in sphere_offsets(spacing):
        src = []
        dst = []
        for axis, o in enumerate(off):
            n = shape[axis]
            if o >= 0:
                dst.append(slice(0, n - o))
                src.append(slice(o, n))
            else:
                dst.append(slice(-o, n))
                src.append(slice(0, n + o))
        total[tuple(dst)] += suv[tuple(src)]
        count[tuple(dst)] += 1
    return total / count


def measure(suv_path, mask_path, methods, liver_label=None, background_label=None):
    suv_img = nib.load(suv_path)
    suv = suv_img.get_fdata(dtype=np.float64)
    labels = np.asanyarray(nib.load(mask_path).dataobj).astype(np.int64)
    spacing = [float(z) for z in suv_img.header.get_zooms()[:3]]
    voxel_ml = spacing[0] * spacing[1] * spacing[2] / 1000.0
    peaks = sphere_means(suv, spacing)
    liver = None
    if liver_label is not None:
        v = suv[labels == liver_label]
        liver = (float(v.mean()), float(v.std()))
    background = float(suv[labels == background_label].mean()) if background_label is not None else None
    rows = []
    for label in sorted(int(l) for l in np.unique(labels) if l != 0):
        if label in (liver_label, background_label):
            continue
        inside = labels == label
        values = suv[inside]
        suv_max = float(values.max())
        suv_peak = float(peaks[inside].max())
        for method in methods:
            name, _, param = method.partition(":")
            if name == "relative":
                threshold = float(param) * suv_max
            elif name == "absolute":
                threshold = float(param)
            elif name == "percist":
                threshold = 1.5 * liver[0] + 2.0 * liver[1]
            elif name == "background":
                threshold = background + float(param) * (suv_max - background)
            selected = values[values >= threshold]
            n = int(selected.size)
            mtv = n * voxel_ml
            mean = float(selected.mean()) if n else None
            rows.append({
                "label": label, "method": method, "threshold": threshold, "voxels": n,
                "suv_max": suv_max, "suv_peak": suv_peak, "suv_mean": mean,
                "mtv_ml": mtv, "tlg": mean * mtv if n else 0.0,
            })
    return rows


def main():
    os.makedirs(FIXTURES, exist_ok=True)
    cases = []
    for name, blur in [("nema_sharp", False), ("nema_blur6mm", True)]:
        suv, mask, spacing = nema_phantom(blur)
        img = nib.Nifti1Image(suv.astype(np.float32), affine(spacing, suv.shape))
        img.header.set_xyzt_units("mm")
        nib.save(img, os.path.join(FIXTURES, f"{name}_suv.nii.gz"))
        m = nib.Nifti1Image(mask, affine(spacing, suv.shape))
        nib.save(m, os.path.join(FIXTURES, f"{name}_mask.nii.gz"))
        cases.append((name, ["relative:0.41", "relative:0.5", "absolute:2.5", "percist", "background:0.41"], 8, 7))
    raw, mask, spacing = clinical_like()
    img = nib.Nifti1Image(raw, affine(spacing, raw.shape))
    img.header.set_slope_inter(0.001, 0.0)
    img.header.set_xyzt_units("mm")
    nib.save(img, os.path.join(FIXTURES, "clinical_suv.nii.gz"))
    nib.save(nib.Nifti1Image(mask, affine(spacing, raw.shape)), os.path.join(FIXTURES, "clinical_mask.nii.gz"))
    cases.append(("clinical", ["relative:0.41", "absolute:2.5", "percist"], 9, None))

    out = {
        "tool": f"nibabel {nib.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}",
        "cases": [],
    }
    for name, methods, liver, background in cases:
        suv_path = os.path.join(FIXTURES, f"{name}_suv.nii.gz")
        mask_path = os.path.join(FIXTURES, f"{name}_mask.nii.gz")
        out["cases"].append({
            "name": name,
            "suv": os.path.relpath(suv_path, ROOT),
            "mask": os.path.relpath(mask_path, ROOT),
            "methods": methods,
            "liver_label": liver,
            "background_label": background,
            "rows": measure(suv_path, mask_path, methods, liver, background),
        })
    with open(EXPECTED, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
