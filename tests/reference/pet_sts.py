"""Reference uptake of the IBSI soft-tissue-sarcoma PET (STS_001..012) from the DICOM series, by pydicom + numpy.

For `tests/pet_dicom.rs`: oncotrack's `pet DICOM-FOLDER --mask nifti/PET_mask.nii.gz
--method relative:0.41 --method absolute:2.5` must equal these values to 1e-6.
The same definitions as oncotrack (docs/methods.md), written independently:
- slices sorted by ImagePositionPatient projected on the ImageOrientationPatient
  normal; slice spacing the median step of those positions; value = stored ×
  RescaleSlope + RescaleIntercept (Units GML, SUVType BW: already SUVbw);
- voxel (i, j, k) = column i, row j of sorted slice k; the NIfTI mask (nibabel) is
  indexed [i, j, k] and its affine, made LPS by negating the x and y rows, must place
  it on the DICOM grid (checked);
- SUVmax over the label; SUVpeak the best mean of a sphere of 6.2 mm radius (voxel
  centres within the radius, voxels outside the image left out) centred on a voxel
  of the label; MTV the label's voxels with SUV >= threshold (0.41 x SUVmax, or 2.5);
  SUVmean over the MTV; TLG = SUVmean x MTV (mL).

Run: python tests/reference/pet_sts.py ../shared/data/pet/sts > tests/reference/pet_sts.tsv
"""

import glob
import os
import sys

import nibabel
import numpy as np
import pydicom

RADIUS = 6.2


def read_series(folder):
    files = sorted(glob.glob(os.path.join(folder, "*.dcm")))
    slices = [pydicom.dcmread(f) for f in files]
    iop = np.array(slices[0].ImageOrientationPatient, dtype=float)
    row, col = iop[:3], iop[3:]
    normal = np.cross(row, col)
    pos = [float(np.dot(np.array(s.ImagePositionPatient, dtype=float), normal)) for s in slices]
    order = np.argsort(pos, kind="stable")
    steps = np.diff(np.array(pos)[order])
    spacing_k = float(np.sort(steps)[len(steps) // 2])
    first = slices[order[0]]
    assert first.Units == "GML" and first.get("SUVType", "BW") == "BW", first.Units
    planes = []
    for k in order:
        s = slices[k]
        values = s.pixel_array.astype(np.float64) * float(s.RescaleSlope) + float(s.RescaleIntercept)
        planes.append(values.T)  # [row, col] -> [i = col, j = row]
    volume = np.stack(planes, axis=2)
    ps = [float(v) for v in first.PixelSpacing]
    spacing = np.array([ps[1], ps[0], spacing_k])
    origin = np.array(first.ImagePositionPatient, dtype=float)
    directions = np.stack([row, col, normal])
    return volume, spacing, origin, directions


def check_mask_geometry(mask_image, spacing, origin, directions):
    affine = mask_image.affine.copy()
    affine[0, :] *= -1
    affine[1, :] *= -1
    assert np.allclose(affine[:3, 3], origin, atol=0.01), (affine[:3, 3], origin)
    for axis in range(3):
        assert np.allclose(affine[:3, axis] / spacing[axis], directions[axis], atol=1e-4)


def sphere(spacing):
    reach = [int(np.floor(RADIUS / s)) for s in spacing]
    offsets = []
    for dz in range(-reach[2], reach[2] + 1):
        for dy in range(-reach[1], reach[1] + 1):
            for dx in range(-reach[0], reach[0] + 1):
                d2 = (dx * spacing[0]) ** 2 + (dy * spacing[1]) ** 2 + (dz * spacing[2]) ** 2
                if d2 <= RADIUS * RADIUS:
                    offsets.append((dx, dy, dz))
    return offsets


def suv_peak(volume, voxels, spacing):
    offsets = sphere(spacing)
    n = volume.shape
    best = -np.inf
    for i, j, k in voxels:
        total, count = 0.0, 0
        for dx, dy, dz in offsets:
            x, y, z = i + dx, j + dy, k + dz
            if 0 <= x < n[0] and 0 <= y < n[1] and 0 <= z < n[2]:
                total += volume[x, y, z]
                count += 1
        best = max(best, float(total / count))
    return best


def main(root):
    print("patient\tlabel\tmethod\tvoxels\tsuv_max\tsuv_peak\tsuv_mean\tmtv_ml\ttlg")
    for patient in sorted(os.listdir(root)):
        folder = os.path.join(root, patient)
        if not patient.startswith("STS_"):
            continue
        volume, spacing, origin, directions = read_series(os.path.join(folder, "dicom", "image"))
        mask_image = nibabel.load(os.path.join(folder, "nifti", "PET_mask.nii.gz"))
        mask = np.asarray(mask_image.dataobj)
        assert mask.shape == volume.shape, (mask.shape, volume.shape)
        assert np.allclose(mask_image.header["pixdim"][1:4], spacing, rtol=1e-4)
        check_mask_geometry(mask_image, spacing, origin, directions)
        voxel_ml = float(np.prod(spacing)) / 1000.0
        for label in sorted(int(v) for v in np.unique(mask) if v != 0):
            inside = mask == label
            voxels = np.argwhere(inside)
            suv_max = float(volume[inside].max())
            peak = suv_peak(volume, voxels, spacing)
            for method, threshold in (("relative:0.41", 0.41 * suv_max), ("absolute:2.5", 2.5)):
                mtv = inside & (volume >= threshold)
                count = int(mtv.sum())
                mean = float(volume[mtv].mean()) if count else float("nan")
                mtv_ml = count * voxel_ml
                tlg = mean * mtv_ml if count else 0.0
                print(f"{patient}\t{label}\t{method}\t{count}\t{suv_max!r}\t{peak!r}\t{mean!r}\t{mtv_ml!r}\t{tlg!r}")


if __name__ == "__main__":
    main(sys.argv[1])
