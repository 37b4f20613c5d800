//! DICOM RT Structure Sets (RTSTRUCT): ROI names, their closed planar contours in patient space, and the frame of reference and series they were drawn on.
//!
//! Read: StructureSetROISequence (3006,0020) for ROINumber, ROIName and each ROI's
//! ReferencedFrameOfReferenceUID; ROIContourSequence (3006,0039) for the contours of each
//! ROI (ContourSequence, ContourGeometricType, ContourData as x\y\z triplets in mm, LPS);
//! ReferencedFrameOfReferenceSequence (3006,0010) for the frame of reference and the
//! RT referenced series. Only CLOSED_PLANAR contours are regions; POINT and OPEN_*
//! contours (markers, lines) are skipped. Reference: pydicom's reading of the same
//! attributes (the STS GTVs rasterised from these contours equal IBSI's NIfTI masks).

use super::open::{self, Attributes};
use crate::error::{Error, Result};
use dicom_dictionary_std::tags;
use std::path::Path;

/// One closed planar contour.
#[derive(Debug, Clone, PartialEq)]
pub struct Contour {
    /// Its points (x, y, z in mm, DICOM patient coordinates LPS).
    pub points: Vec<[f64; 3]>,
}

/// One ROI of a structure set.
#[derive(Debug, Clone, PartialEq)]
pub struct Roi {
    /// ROINumber (3006,0022).
    pub number: u32,
    /// ROIName (3006,0026).
    pub name: String,
    /// ReferencedFrameOfReferenceUID (3006,0024) of the ROI, when given.
    pub frame_of_reference_uid: Option<String>,
    /// Its CLOSED_PLANAR contours (empty when the ROI has none).
    pub contours: Vec<Contour>,
    /// Contours of other geometric types (POINT, OPEN_PLANAR …) that were skipped.
    pub skipped: usize,
}

/// A structure set: its ROIs and what it references.
#[derive(Debug, Clone, PartialEq)]
pub struct StructureSet {
    /// The ROIs in StructureSetROISequence order.
    pub rois: Vec<Roi>,
    /// FrameOfReferenceUID of every item of ReferencedFrameOfReferenceSequence.
    pub frame_of_reference_uids: Vec<String>,
    /// SeriesInstanceUID of every RT referenced series (the image series contoured).
    pub series_uids: Vec<String>,
}

/// The SOP Class UID of RT Structure Set Storage.
pub const RTSTRUCT_SOP_CLASS: &str = "1.2.840.10008.5.1.4.1.1.481.3";

/// Reads an RTSTRUCT file.
///
/// # Errors
/// [`Error::Image`] naming the file, the tag and its value: not DICOM, not an RTSTRUCT,
/// a missing ROINumber or ROIName, contours of an ROI that is not listed, ContourData
/// that is not x\y\z triplets, or a closed contour with fewer than 3 points.
pub fn read(path: &Path) -> Result<StructureSet> {
    let object = open::open_file(path)?;
    read_object(path, &object)
}

/// Reads the structure set of a parsed DICOM object (`path` names it in errors).
///
/// # Errors
/// As [`read`].
pub fn read_object(path: &Path, object: &open::Object) -> Result<StructureSet> {
    let top = Attributes::top(path, object);
    let modality = top.text(tags::MODALITY).unwrap_or_default();
    let sop_class = top.text(tags::SOP_CLASS_UID).unwrap_or_default();
    if modality != "RTSTRUCT" && sop_class != RTSTRUCT_SOP_CLASS {
        return Err(top.error(
            tags::MODALITY,
            format!(
                " = '{}': not an RT Structure Set (RTSTRUCT expected)",
                open::shown(&modality)
            ),
        ));
    }
    let mut frame_of_reference_uids = Vec::new();
    let mut series_uids = Vec::new();
    for frame in top.children(tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE) {
        if let Some(uid) = frame.text(tags::FRAME_OF_REFERENCE_UID) {
            frame_of_reference_uids.push(uid);
        }
        for study in frame.children(tags::RT_REFERENCED_STUDY_SEQUENCE) {
            for series in study.children(tags::RT_REFERENCED_SERIES_SEQUENCE) {
                if let Some(uid) = series.text(tags::SERIES_INSTANCE_UID) {
                    series_uids.push(uid);
                }
            }
        }
    }
    let mut rois = Vec::new();
    for item in top.children(tags::STRUCTURE_SET_ROI_SEQUENCE) {
        let number = item.count(tags::ROI_NUMBER)?;
        let name = item.required_name(tags::ROI_NAME)?;
        if let Some(twin) = rois.iter().find(|r: &&Roi| r.number == number) {
            return Err(item.error(
                tags::ROI_NUMBER,
                format!(
                    " = {number} is given twice (ROIs '{}' and '{name}')",
                    twin.name
                ),
            ));
        }
        rois.push(Roi {
            number,
            name,
            frame_of_reference_uid: item.text(tags::REFERENCED_FRAME_OF_REFERENCE_UID),
            contours: Vec::new(),
            skipped: 0,
        });
    }
    if rois.is_empty() {
        return Err(top.error(
            tags::STRUCTURE_SET_ROI_SEQUENCE,
            " lists no ROI: the structure set is empty",
        ));
    }
    for item in top.children(tags::ROI_CONTOUR_SEQUENCE) {
        let number = item.count(tags::REFERENCED_ROI_NUMBER)?;
        let Some(roi) = rois.iter_mut().find(|r| r.number == number) else {
            return Err(item.error(
                tags::REFERENCED_ROI_NUMBER,
                format!(" = {number} is not an ROINumber of StructureSetROISequence"),
            ));
        };
        for contour in item.children(tags::CONTOUR_SEQUENCE) {
            let kind = contour
                .text(tags::CONTOUR_GEOMETRIC_TYPE)
                .unwrap_or_default();
            if kind != "CLOSED_PLANAR" {
                roi.skipped += 1;
                continue;
            }
            let data = contour.numbers(tags::CONTOUR_DATA)?.unwrap_or_default();
            if data.len() % 3 != 0 {
                return Err(contour.error(
                    tags::CONTOUR_DATA,
                    format!(
                        " holds {} numbers, not x\\y\\z triplets (ROI '{}')",
                        data.len(),
                        roi.name
                    ),
                ));
            }
            let points: Vec<[f64; 3]> = data.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect();
            if points.len() < 3 {
                return Err(contour.error(
                    tags::CONTOUR_DATA,
                    format!(
                        " holds {} point(s): a CLOSED_PLANAR contour needs at least 3 (ROI '{}')",
                        points.len(),
                        roi.name
                    ),
                ));
            }
            roi.contours.push(Contour { points });
        }
    }
    Ok(StructureSet {
        rois,
        frame_of_reference_uids,
        series_uids,
    })
}

impl StructureSet {
    /// The ROIs to use: the one named `name` (exact match), or, without a name, every ROI
    /// that has closed contours (markers and empty ROIs are left out).
    ///
    /// # Errors
    /// [`Error::Image`] when no ROI has that name (the message lists the names present),
    /// when the name is given to two ROIs, when the named ROI has no closed contour, or
    /// when no ROI has one.
    pub fn select(&self, path: &Path, name: Option<&str>) -> Result<Vec<&Roi>> {
        let names = || {
            self.rois
                .iter()
                .map(|r| format!("'{}'", r.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match name {
            Some(name) => {
                let found: Vec<&Roi> = self.rois.iter().filter(|r| r.name == name).collect();
                match found.as_slice() {
                    [] => Err(Error::image(
                        path,
                        format!(
                            "ROIName (3006,0026): no ROI is named '{name}'; the ROIs are {}",
                            names()
                        ),
                    )),
                    [roi] if roi.contours.is_empty() => Err(Error::image(
                        path,
                        format!(
                            "ROI '{name}' (ROINumber {}) has no CLOSED_PLANAR contour in \
                             ROIContourSequence (3006,0039): it is not a region",
                            roi.number
                        ),
                    )),
                    [roi] => Ok(vec![*roi]),
                    _ => Err(Error::image(
                        path,
                        format!(
                            "ROIName (3006,0026): {} ROIs are named '{name}' (ROINumbers {}); \
                             rename one so the lesion is unambiguous",
                            found.len(),
                            found
                                .iter()
                                .map(|r| r.number.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                }
            }
            None => {
                let regions: Vec<&Roi> = self
                    .rois
                    .iter()
                    .filter(|r| !r.contours.is_empty())
                    .collect();
                if regions.is_empty() {
                    return Err(Error::image(
                        path,
                        format!(
                            "ROIContourSequence (3006,0039): no ROI has a CLOSED_PLANAR contour \
                             (the ROIs are {})",
                            names()
                        ),
                    ));
                }
                for (n, roi) in regions.iter().enumerate() {
                    if regions[..n].iter().any(|r| r.name == roi.name) {
                        return Err(Error::image(
                            path,
                            format!(
                                "ROIName (3006,0026): two ROIs are named '{}'; rename one, or \
                                 choose one with --roi (lesions are stored by ROI name)",
                                roi.name
                            ),
                        ));
                    }
                }
                Ok(regions)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> StructureSet {
        let square = Contour {
            points: vec![[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0]],
        };
        let roi = |number, name: &str, contours: Vec<Contour>| Roi {
            number,
            name: name.into(),
            frame_of_reference_uid: None,
            contours,
            skipped: 0,
        };
        StructureSet {
            rois: vec![
                roi(1, "GTV", vec![square.clone()]),
                roi(2, "marker", vec![]),
                roi(3, "liver", vec![square]),
            ],
            frame_of_reference_uids: vec![],
            series_uids: vec![],
        }
    }

    #[test]
    fn every_roi_with_contours_by_default_and_one_by_name() {
        let set = set();
        let path = Path::new("rs.dcm");
        let all: Vec<&str> = set
            .select(path, None)
            .unwrap()
            .iter()
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(all, ["GTV", "liver"]);
        assert_eq!(set.select(path, Some("liver")).unwrap()[0].number, 3);
    }

    #[test]
    fn an_unknown_roi_name_lists_the_names_present() {
        let error = set()
            .select(Path::new("rs.dcm"), Some("GTV_Mass"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "rs.dcm: ROIName (3006,0026): no ROI is named 'GTV_Mass'; the ROIs are 'GTV', \
             'marker', 'liver'"
        );
        let error = set()
            .select(Path::new("rs.dcm"), Some("marker"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("has no CLOSED_PLANAR contour"), "{error}");
    }
}
