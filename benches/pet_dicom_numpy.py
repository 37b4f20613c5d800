#!/usr/bin/env python3
"""pydicom+numpy counterpart of `oncotrack pet DICOM-FOLDER` for benches/pet_dicom.sh:
reads the series (sorted by ImagePositionPatient on the slice normal), converts BQML with
DecayCorrection START to SUVbw (weight, dose decayed from injection to SeriesTime), then the
uptake of benches/pet_numpy.py.   pet_dicom_numpy.py FOLDER MASK METHOD..."""
import glob
import json
import os
import sys
from datetime import datetime

import nibabel as nib
import numpy as np
import pydicom

sys.path.insert(0, os.path.dirname(__file__))
from pet_numpy import uptake  # noqa: E402


def main():
    folder, mask_path, methods = sys.argv[1], sys.argv[2], sys.argv[3:]
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
    spacing = [ps[1], ps[0], float(np.sort(steps)[len(steps) // 2])]
    labels = np.asanyarray(nib.load(mask_path).dataobj)
    json.dump(uptake(suv, labels, spacing, methods), sys.stdout, indent=1)


if __name__ == "__main__":
    main()
