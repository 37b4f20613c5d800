#!/usr/bin/env python3
"""Writes a 256x256x300 float32 SUV volume (2.73 x 2.73 x 2.0 mm) with 20 spherical
lesions and its int16 mask, for benches/imaging.sh.  make_pet_volume.py OUT_DIR"""
import os
import sys

import nibabel as nib
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
shape = (256, 256, 300)
spacing = (2.73, 2.73, 2.0)
suv = rng.gamma(9.0, 0.1, shape).astype(np.float32)
mask = np.zeros(shape, dtype=np.int16)
for label in range(1, 21):
    c = rng.uniform([30, 30, 30], [226, 226, 270])
    r = rng.uniform(4, 12)  # voxels
    lo = np.maximum((c - r - 2).astype(int), 0)
    hi = np.minimum((c + r + 3).astype(int), shape)
    idx = np.indices(hi - lo).reshape(3, -1).T + lo
    d = np.sqrt(np.sum((idx - c) ** 2, axis=1))
    inside = idx[d <= r + 1.5]
    mask[tuple(inside.T)] = label
    core = idx[d <= r]
    dd = d[d <= r]
    suv[tuple(core.T)] += (rng.uniform(4, 15) * np.exp(-(dd / r) ** 2)).astype(np.float32)
aff = np.diag(list(spacing) + [1.0])
nib.save(nib.Nifti1Image(suv, aff), os.path.join(out, "bench_suv.nii"))
nib.save(nib.Nifti1Image(mask, aff), os.path.join(out, "bench_mask.nii"))
