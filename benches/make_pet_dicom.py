#!/usr/bin/env python3
"""Writes a 400-slice 200x200 DICOM PET series (BQML, DecayCorrection START, int16 with a
RescaleSlope per slice, explicit VR little endian, 2 x 2 x 2.5 mm) with 20 spherical
lesions, and its NIfTI label mask on the same grid (affine RAS = the series' LPS with x and
y negated), for benches/pet_dicom.sh.  make_pet_dicom.py OUT_DIR [SLICES]"""
import os
import sys

import nibabel as nib
import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, PositronEmissionTomographyImageStorage, generate_uid

out = sys.argv[1]
slices = int(sys.argv[2]) if len(sys.argv) > 2 else 400
rng = np.random.default_rng(14)
shape = (200, 200, slices)  # i (column), j (row), k
spacing = (2.0, 2.0, 2.5)
origin = np.array([-200.0, -200.0, -500.0])
suv = rng.gamma(9.0, 0.1, shape)
mask = np.zeros(shape, dtype=np.int16)
for label in range(1, 21):
    c = rng.uniform([25, 25, min(25, slices // 2 - 1)], [175, 175, max(slices - 25, slices // 2 + 1)])
    r = rng.uniform(4, 10)
    lo = np.maximum((c - r - 2).astype(int), 0)
    hi = np.minimum((c + r + 3).astype(int), shape)
    idx = np.indices(hi - lo).reshape(3, -1).T + lo
    d = np.sqrt(np.sum((idx - c) ** 2, axis=1))
    mask[tuple(idx[d <= r + 1.5].T)] = label
    core, dd = idx[d <= r], d[d <= r]
    suv[tuple(core.T)] += rng.uniform(4, 15) * np.exp(-(dd / r) ** 2)
weight, dose, half_life = 72.0, 350e6, 6586.2
decayed = dose * np.exp(-np.log(2) / half_life * 3600.0)
bqml = suv * decayed / (weight * 1000.0)
series = generate_uid()
study = generate_uid()
frame = generate_uid()
for k in range(slices):
    plane = bqml[:, :, k].T  # [row, column]
    slope = float(plane.max()) / 32000.0
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = PositronEmissionTomographyImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "PT"
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study, series, frame
    ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = "20250101"
    ds.SeriesTime = ds.AcquisitionTime = "110000"
    ds.PatientWeight, ds.PatientSize, ds.PatientSex = weight, 1.78, "M"
    ds.Units, ds.DecayCorrection = "BQML", "START"
    ds.ActualFrameDuration, ds.FrameReferenceTime = 120000, 60000.0
    rp = Dataset()
    rp.RadiopharmaceuticalStartDateTime = "20250101100000"
    rp.RadionuclideTotalDose, rp.RadionuclideHalfLife = dose, half_life
    ds.RadiopharmaceuticalInformationSequence = [rp]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [float(origin[0]), float(origin[1]), float(origin[2] + k * spacing[2])]
    ds.PixelSpacing = [spacing[1], spacing[0]]
    ds.SliceThickness = spacing[2]
    ds.Rows, ds.Columns = shape[1], shape[0]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit, ds.PixelRepresentation = 15, 1
    ds.RescaleSlope, ds.RescaleIntercept = f"{slope:.10g}", 0
    stored = np.round(plane / float(f"{slope:.10g}")).astype(np.int16)
    ds.PixelData = stored.tobytes()
    # Files named in reverse slice order: the reader must sort by position, not name.
    ds.save_as(os.path.join(out, f"{slices - k:04d}.dcm"), enforce_file_format=True)
aff = np.diag([-spacing[0], -spacing[1], spacing[2], 1.0])
aff[:3, 3] = [-origin[0], -origin[1], origin[2]]
nib.save(nib.Nifti1Image(mask, aff), os.path.join(out, "mask.nii.gz"))
