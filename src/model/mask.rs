//! Masks as named regions of a voxel grid: one region per lesion or reference, each a set of voxels, so regions may overlap.

use super::Grid;

/// Where a mask came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskSource {
    /// A NIfTI label image: one integer label per voxel.
    Nifti,
    /// A DICOM RT Structure Set: ROIs of closed planar contours, rasterised.
    RtStruct,
    /// A DICOM Segmentation: one segment per region, frames of binary or fractional pixels.
    Seg,
}

impl MaskSource {
    /// The name shown to the user.
    pub fn as_str(self) -> &'static str {
        match self {
            MaskSource::Nifti => "NIfTI",
            MaskSource::RtStruct => "RTSTRUCT",
            MaskSource::Seg => "SEG",
        }
    }
}

/// One region of a mask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Its number: the NIfTI label, the RTSTRUCT ROINumber or the SEG SegmentNumber.
    pub label: u32,
    /// Its name: the ROIName or SegmentLabel (`None` for a NIfTI label, which has none).
    pub name: Option<String>,
    /// Flat indices (`i + nx·(j + ny·k)`) of its voxels, ascending, without repeats.
    pub voxels: Vec<usize>,
}

/// What a DICOM mask says it was drawn on, for the caller to check against the PET.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MaskReferences {
    /// FrameOfReferenceUID (0020,0052) of the mask (an RTSTRUCT's referenced frame of reference).
    pub frame_of_reference_uids: Vec<String>,
    /// SeriesInstanceUID of every series the mask references.
    pub series_uids: Vec<String>,
}

/// A mask on a grid: its regions, in the order they are listed (label order for NIfTI,
/// file order for RTSTRUCT and SEG). A voxel may belong to several regions (overlapping
/// SEG segments or RTSTRUCT ROIs): each region is measured on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedMasks {
    /// The grid the regions lie on.
    pub grid: Grid,
    /// The regions.
    pub regions: Vec<Region>,
    /// The kind of file the mask came from.
    pub source: MaskSource,
    /// What the mask references (empty for NIfTI).
    pub references: MaskReferences,
    /// Things the user should know (e.g. a reference that could not be checked).
    pub warnings: Vec<String>,
}

impl NamedMasks {
    /// The region with label `label`.
    pub fn region(&self, label: u32) -> Option<&Region> {
        self.regions.iter().find(|r| r.label == label)
    }

    /// The mask as one label per voxel (`0` outside every region), or `None` when two
    /// regions overlap and so cannot share one label image.
    pub fn to_labels(&self) -> Option<Vec<u32>> {
        let mut labels = vec![0u32; self.grid.len()];
        for region in &self.regions {
            for &v in &region.voxels {
                let slot = labels.get_mut(v)?;
                if *slot != 0 {
                    return None;
                }
                *slot = region.label;
            }
        }
        Some(labels)
    }
}
