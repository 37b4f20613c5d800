#!/usr/bin/env python3
"""Writes a 400-slice 200x200 DICOM PET series (BQML, DecayCorrection START, int16 with a
RescaleSlope per slice, explicit VR little endian, 2 x 2 x 2.5 mm, files named in reverse
slice order) with 20 spherical lesions, and an RTSTRUCT of 20 ROIs (L1 ... L20) drawn on
it, for benches/pet_dicom.sh.

Each ROI is a sphere (patient space, mm) a little larger than its lesion's uptake; it has
one CLOSED_PLANAR contour on every slice whose plane cuts the sphere: a 36-gon of the
circle's radius, at a random phase, at the slice's z, naming the slice's SOPInstanceUID.
The RTSTRUCT references the series (RTReferencedSeriesSequence) and its frame of reference.
ROIs may overlap: each is measured on its own voxels.

    make_pet_dicom.py SERIES_DIR RTSTRUCT_FILE [SLICES]
"""
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (
    ExplicitVRLittleEndian,
    PositronEmissionTomographyImageStorage,
    RTStructureSetStorage,
    generate_uid,
)

out, rtstruct_path = sys.argv[1], sys.argv[2]
slices = int(sys.argv[3]) if len(sys.argv) > 3 else 400
ROIS = 20
POINTS = 36
rng = np.random.default_rng(14)
shape = (200, 200, slices)  # i (column), j (row), k
spacing = np.array([2.0, 2.0, 2.5])
origin = np.array([-200.0, -200.0, -500.0])
suv = rng.gamma(9.0, 0.1, shape)
centre_of = lambda ijk: origin + ijk * spacing  # noqa: E731  voxel index -> patient mm
lesions = []
for label in range(1, ROIS + 1):
    c_vox = rng.uniform([25, 25, min(25, slices // 2 - 1)], [175, 175, max(slices - 25, slices // 2 + 1)])
    centre = centre_of(c_vox)
    radius = rng.uniform(8.0, 20.0)  # mm, of the uptake
    roi_radius = radius + 3.0  # mm, of the contoured sphere
    lo = np.maximum(np.floor(c_vox - radius / spacing).astype(int) - 1, 0)
    hi = np.minimum(np.ceil(c_vox + radius / spacing).astype(int) + 2, shape)
    idx = np.indices(hi - lo).reshape(3, -1).T + lo
    d = np.sqrt(np.sum(((idx - c_vox) * spacing) ** 2, axis=1))
    core, dd = idx[d <= radius], d[d <= radius]
    suv[tuple(core.T)] += rng.uniform(4, 15) * np.exp(-((dd / radius) ** 2))
    lesions.append((f"L{label}", centre, roi_radius, rng.uniform(0, 2 * np.pi / POINTS)))
weight, dose, half_life = 72.0, 350e6, 6586.2
decayed = dose * np.exp(-np.log(2) / half_life * 3600.0)
bqml = suv * decayed / (weight * 1000.0)
series = generate_uid()
study = generate_uid()
frame = generate_uid()
instances = [generate_uid() for _ in range(slices)]
for k in range(slices):
    plane = bqml[:, :, k].T  # [row, column]
    slope = float(plane.max()) / 32000.0
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = PositronEmissionTomographyImageStorage
    meta.MediaStorageSOPInstanceUID = instances[k]
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
    ds.PixelSpacing = [float(spacing[1]), float(spacing[0])]
    ds.SliceThickness = float(spacing[2])
    ds.Rows, ds.Columns = shape[1], shape[0]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit, ds.PixelRepresentation = 15, 1
    ds.RescaleSlope, ds.RescaleIntercept = f"{slope:.10g}", 0
    stored = np.round(plane / float(f"{slope:.10g}")).astype(np.int16)
    ds.PixelData = stored.tobytes()
    # Files named in reverse slice order: the reader must sort by position, not name.
    ds.save_as(os.path.join(out, f"{slices - k:04d}.dcm"), enforce_file_format=True)


def ref_image(k):
    item = Dataset()
    item.ReferencedSOPClassUID = PositronEmissionTomographyImageStorage
    item.ReferencedSOPInstanceUID = instances[k]
    return item


meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = RTStructureSetStorage
meta.MediaStorageSOPInstanceUID = generate_uid()
meta.TransferSyntaxUID = ExplicitVRLittleEndian
rt = Dataset()
rt.file_meta = meta
rt.SOPClassUID, rt.SOPInstanceUID = RTStructureSetStorage, meta.MediaStorageSOPInstanceUID
rt.Modality = "RTSTRUCT"
rt.StudyInstanceUID, rt.SeriesInstanceUID = study, generate_uid()
rt.StudyDate, rt.StructureSetLabel = "20250101", "BENCH"
referenced_series = Dataset()
referenced_series.SeriesInstanceUID = series
referenced_series.ContourImageSequence = Sequence([ref_image(k) for k in range(slices)])
referenced_study = Dataset()
referenced_study.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
referenced_study.ReferencedSOPInstanceUID = study
referenced_study.RTReferencedSeriesSequence = Sequence([referenced_series])
referenced_frame = Dataset()
referenced_frame.FrameOfReferenceUID = frame
referenced_frame.RTReferencedStudySequence = Sequence([referenced_study])
rt.ReferencedFrameOfReferenceSequence = Sequence([referenced_frame])
set_rois, roi_contours = [], []
for number, (name, centre, radius, phase) in enumerate(lesions, start=1):
    s = Dataset()
    s.ROINumber, s.ReferencedFrameOfReferenceUID, s.ROIName = number, frame, name
    s.ROIGenerationAlgorithm = "MANUAL"
    set_rois.append(s)
    contours = []
    for k in range(slices):
        z = origin[2] + k * spacing[2]
        r2 = radius**2 - (z - centre[2]) ** 2
        if r2 <= 0:
            continue
        r = np.sqrt(r2)
        t = phase + 2 * np.pi * np.arange(POINTS) / POINTS
        points = np.stack([centre[0] + r * np.cos(t), centre[1] + r * np.sin(t), np.full(POINTS, z)], axis=1)
        c = Dataset()
        c.ContourGeometricType = "CLOSED_PLANAR"
        c.NumberOfContourPoints = POINTS
        c.ContourData = [f"{v:.6f}" for v in points.ravel()]
        c.ContourImageSequence = Sequence([ref_image(k)])
        contours.append(c)
    rc = Dataset()
    rc.ROIDisplayColor = [255, 0, 0]
    rc.ReferencedROINumber = number
    rc.ContourSequence = Sequence(contours)
    roi_contours.append(rc)
rt.StructureSetROISequence = Sequence(set_rois)
rt.ROIContourSequence = Sequence(roi_contours)
rt.save_as(rtstruct_path, enforce_file_format=True)
