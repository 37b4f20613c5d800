//! DICOM Segmentation objects (SEG): binary and fractional segments, frame by frame, placed on an image grid.
//!
//! Read: SegmentationType (0062,0001) BINARY (BitsAllocated 1, bits packed from the least
//! significant bit, frames following each other without padding) or FRACTIONAL
//! (BitsAllocated 8; a pixel belongs to the segment when its value is at least half of
//! MaximumFractionalValue (0062,000E), so 128 of 255 is in and 127 out);
//! SegmentSequence (0062,0002) for SegmentNumber and SegmentLabel; per frame
//! (PerFrameFunctionalGroupsSequence, falling back on SharedFunctionalGroupsSequence)
//! the ReferencedSegmentNumber, PlanePositionSequence > ImagePositionPatient,
//! PlaneOrientationSequence, PixelMeasuresSequence and DerivationImageSequence >
//! SourceImageSequence > ReferencedSOPInstanceUID. Segments may overlap: each is a region
//! of its own. Reference: highdicom's test fixtures (docs/formats.md lists what each holds).

use super::open::{self, Attributes};
use crate::error::{Error, Result};
use crate::model::{Geometry, Grid, Region};
use dicom_core::Tag;
use dicom_dictionary_std::tags;
use std::path::Path;

/// How the pixels of a segmentation are coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentationType {
    /// One bit per pixel.
    Binary,
    /// One byte per pixel, a fraction of `maximum`.
    Fractional {
        /// MaximumFractionalValue (0062,000E).
        maximum: u32,
    },
}

/// One segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// SegmentNumber (0062,0004).
    pub number: u32,
    /// SegmentLabel (0062,0005).
    pub label: String,
}

/// One frame: a slice of one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// The segment it belongs to (ReferencedSegmentNumber).
    pub segment: u32,
    /// ImagePositionPatient of its first pixel (mm, LPS), when given.
    pub position: Option<[f64; 3]>,
    /// ImageOrientationPatient (row, then column direction), when given.
    pub orientation: Option<[f64; 6]>,
    /// PixelSpacing (between rows, between columns; mm), when given.
    pub pixel_spacing: Option<[f64; 2]>,
    /// ReferencedSOPInstanceUID of its source images.
    pub source_uids: Vec<String>,
    /// Pixels in the segment, row by row (`column + columns·row`).
    pub pixels: Vec<bool>,
}

/// A segmentation read from a SEG file.
#[derive(Debug, Clone, PartialEq)]
pub struct Segmentation {
    /// Rows of every frame.
    pub rows: usize,
    /// Columns of every frame.
    pub columns: usize,
    /// Binary or fractional.
    pub kind: SegmentationType,
    /// The segments in SegmentSequence order.
    pub segments: Vec<Segment>,
    /// The frames in file order.
    pub frames: Vec<Frame>,
    /// FrameOfReferenceUID (0020,0052).
    pub frame_of_reference_uid: Option<String>,
    /// SeriesInstanceUID of every series of ReferencedSeriesSequence (0008,1115).
    pub series_uids: Vec<String>,
}

/// The SOP Class UID of Segmentation Storage.
pub const SEG_SOP_CLASS: &str = "1.2.840.10008.5.1.4.1.1.66.4";

/// Reads a SEG file.
///
/// # Errors
/// [`Error::Image`] naming the file, the tag and its value: not DICOM, not a SEG, an
/// unsupported SegmentationType or BitsAllocated, pixel data shorter than its frames, or
/// a frame of a segment that is not listed.
pub fn read(path: &Path) -> Result<Segmentation> {
    let object = open::open_file(path)?;
    read_object(path, &object)
}

/// The first item of sequence `outer` > `inner` in a per-frame item, else in the shared one.
fn group<'a>(
    frame: &Attributes<'a>,
    shared: Option<&Attributes<'a>>,
    sequence: Tag,
) -> Option<Attributes<'a>> {
    frame
        .children(sequence)
        .into_iter()
        .next()
        .or_else(|| shared.and_then(|s| s.children(sequence).into_iter().next()))
}

/// Reads the segmentation of a parsed DICOM object (`path` names it in errors).
///
/// # Errors
/// As [`read`].
pub fn read_object(path: &Path, object: &open::Object) -> Result<Segmentation> {
    let top = Attributes::top(path, object);
    let modality = top.text(tags::MODALITY).unwrap_or_default();
    let sop_class = top.text(tags::SOP_CLASS_UID).unwrap_or_default();
    if modality != "SEG" && sop_class != SEG_SOP_CLASS {
        return Err(top.error(
            tags::MODALITY,
            format!(
                " = '{}': not a DICOM Segmentation (SEG expected)",
                open::shown(&modality)
            ),
        ));
    }
    let kind_text = top.required_text(tags::SEGMENTATION_TYPE)?;
    let bits = top.count(tags::BITS_ALLOCATED)?;
    let kind = match (kind_text.as_str(), bits) {
        ("BINARY", 1) => SegmentationType::Binary,
        ("FRACTIONAL", 8) => {
            let maximum = top.count(tags::MAXIMUM_FRACTIONAL_VALUE)?;
            if maximum == 0 {
                return Err(top.error(
                    tags::MAXIMUM_FRACTIONAL_VALUE,
                    " = 0: a fraction needs a maximum above 0",
                ));
            }
            SegmentationType::Fractional { maximum }
        }
        ("BINARY" | "FRACTIONAL", _) => {
            return Err(top.error(
                tags::BITS_ALLOCATED,
                format!(
                    " = {bits} for SegmentationType {}: expected 1 (BINARY) or 8 (FRACTIONAL)",
                    open::shown(&kind_text)
                ),
            ));
        }
        _ => {
            return Err(top.error(
                tags::SEGMENTATION_TYPE,
                format!(
                    " = '{}': only BINARY and FRACTIONAL segmentations are read",
                    open::shown(&kind_text)
                ),
            ));
        }
    };
    let rows = top.count(tags::ROWS)? as usize;
    let columns = top.count(tags::COLUMNS)? as usize;
    let frames = match top.numbers(tags::NUMBER_OF_FRAMES)? {
        Some(_) => top.count(tags::NUMBER_OF_FRAMES)? as usize,
        None => 1,
    };
    let mut segments = Vec::new();
    for item in top.children(tags::SEGMENT_SEQUENCE) {
        let number = item.count(tags::SEGMENT_NUMBER)?;
        let label = item.required_name(tags::SEGMENT_LABEL)?;
        if segments.iter().any(|s: &Segment| s.number == number) {
            return Err(item.error(tags::SEGMENT_NUMBER, format!(" = {number} is given twice")));
        }
        segments.push(Segment { number, label });
    }
    if segments.is_empty() {
        return Err(top.error(tags::SEGMENT_SEQUENCE, " lists no segment"));
    }
    let pixels_per_frame = rows * columns;
    let data = top
        .set
        .get(tags::PIXEL_DATA)
        .ok_or_else(|| top.error(tags::PIXEL_DATA, " is missing"))?;
    let bytes = data.to_bytes().map_err(|e| {
        top.error(
            tags::PIXEL_DATA,
            format!(" cannot be read as native pixel data ({e})"),
        )
    })?;
    let needed = match kind {
        SegmentationType::Binary => (frames * pixels_per_frame).div_ceil(8),
        SegmentationType::Fractional { .. } => frames * pixels_per_frame,
    };
    if bytes.len() < needed {
        return Err(top.error(
            tags::PIXEL_DATA,
            format!(
                " holds {} bytes where {frames} frames of {rows}×{columns} need {needed}",
                bytes.len()
            ),
        ));
    }
    let shared = top
        .children(tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE)
        .into_iter()
        .next();
    let per_frame = top.children(tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE);
    let mut out = Vec::with_capacity(frames);
    for f in 0..frames {
        let item = per_frame.get(f).cloned().unwrap_or_else(|| Attributes {
            path,
            set: top.set,
            at: format!("frame {}", f + 1),
        });
        let segment = match group(
            &item,
            shared.as_ref(),
            tags::SEGMENT_IDENTIFICATION_SEQUENCE,
        ) {
            Some(id) => id.count(tags::REFERENCED_SEGMENT_NUMBER)?,
            None if segments.len() == 1 => segments[0].number,
            None => {
                return Err(item.error(
                    tags::SEGMENT_IDENTIFICATION_SEQUENCE,
                    format!(" is missing for frame {}: its segment is unknown", f + 1),
                ));
            }
        };
        if !segments.iter().any(|s| s.number == segment) {
            return Err(item.error(
                tags::REFERENCED_SEGMENT_NUMBER,
                format!(" = {segment} is not a SegmentNumber of SegmentSequence"),
            ));
        }
        let position = match group(&item, shared.as_ref(), tags::PLANE_POSITION_SEQUENCE) {
            Some(p) => Some(p.fixed::<3>(tags::IMAGE_POSITION_PATIENT)?),
            None => None,
        };
        let orientation = match group(&item, shared.as_ref(), tags::PLANE_ORIENTATION_SEQUENCE) {
            Some(p) => Some(p.fixed::<6>(tags::IMAGE_ORIENTATION_PATIENT)?),
            None => None,
        };
        let pixel_spacing = match group(&item, shared.as_ref(), tags::PIXEL_MEASURES_SEQUENCE) {
            Some(p) => match p.numbers(tags::PIXEL_SPACING)? {
                Some(_) => Some(p.fixed::<2>(tags::PIXEL_SPACING)?),
                None => None,
            },
            None => None,
        };
        let mut source_uids = Vec::new();
        for derivation in item.children(tags::DERIVATION_IMAGE_SEQUENCE) {
            for source in derivation.children(tags::SOURCE_IMAGE_SEQUENCE) {
                if let Some(uid) = source.text(tags::REFERENCED_SOP_INSTANCE_UID) {
                    source_uids.push(uid);
                }
            }
        }
        let start = f * pixels_per_frame;
        let pixels: Vec<bool> = match kind {
            SegmentationType::Binary => (start..start + pixels_per_frame)
                .map(|bit| bytes[bit / 8] >> (bit % 8) & 1 == 1)
                .collect(),
            SegmentationType::Fractional { maximum } => bytes[start..start + pixels_per_frame]
                .iter()
                .map(|v| 2 * u32::from(*v) >= maximum)
                .collect(),
        };
        out.push(Frame {
            segment,
            position,
            orientation,
            pixel_spacing,
            source_uids,
            pixels,
        });
    }
    let mut series_uids = Vec::new();
    for series in top.children(tags::REFERENCED_SERIES_SEQUENCE) {
        if let Some(uid) = series.text(tags::SERIES_INSTANCE_UID) {
            series_uids.push(uid);
        }
    }
    Ok(Segmentation {
        rows,
        columns,
        kind,
        segments,
        frames: out,
        frame_of_reference_uid: top.text(tags::FRAME_OF_REFERENCE_UID),
        series_uids,
    })
}

impl Segmentation {
    /// Places every frame on `grid` and returns one region per segment (label = its
    /// SegmentNumber, name = its SegmentLabel), in SegmentSequence order. A frame is put on
    /// slice `k` when `slice_uids[k]` (the SOPInstanceUIDs of the image series, when the
    /// caller has them) is one of its source images, else by its ImagePositionPatient,
    /// which must fall on the first voxel of a slice (within 0.01 voxel in plane and half
    /// a slice across).
    ///
    /// # Errors
    /// [`Error::Image`] naming the frame, tag and value when the frames are not on `grid`:
    /// other rows or columns, another orientation or pixel spacing, a position off the
    /// grid, or neither a known source image nor a position.
    pub fn to_regions(
        &self,
        path: &Path,
        grid: &Grid,
        geometry: &Geometry,
        slice_uids: Option<&[String]>,
    ) -> Result<Vec<Region>> {
        let [nx, ny, nz] = grid.dims;
        let at =
            |f: usize, message: String| Error::image(path, format!("frame {}: {message}", f + 1));
        if self.rows != ny || self.columns != nx {
            return Err(Error::image(
                path,
                format!(
                    "Rows (0028,0010) × Columns (0028,0011) = {} × {}: the SEG lies on another \
                     grid than the image's {ny} × {nx}",
                    self.rows, self.columns
                ),
            ));
        }
        let mut voxels: Vec<Vec<usize>> = vec![Vec::new(); self.segments.len()];
        for (f, frame) in self.frames.iter().enumerate() {
            if let Some(o) = frame.orientation {
                let same = (0..3).all(|a| {
                    (o[a] - geometry.directions[0][a]).abs() <= 1e-4
                        && (o[a + 3] - geometry.directions[1][a]).abs() <= 1e-4
                });
                if !same {
                    return Err(at(
                        f,
                        format!(
                            "ImageOrientationPatient (0020,0037) = {o:?} differs from the image's \
                             {:?} {:?}: the SEG lies on another grid",
                            geometry.directions[0], geometry.directions[1]
                        ),
                    ));
                }
            }
            if let Some([row, column]) = frame.pixel_spacing {
                let close = |x: f64, y: f64| (x - y).abs() <= 1e-3 * y.abs().max(1e-9);
                if !(close(row, grid.spacing_mm[1]) && close(column, grid.spacing_mm[0])) {
                    return Err(at(
                        f,
                        format!(
                            "PixelSpacing (0028,0030) = {row}\\{column} mm differs from the \
                             image's {}\\{} mm: the SEG lies on another grid",
                            grid.spacing_mm[1], grid.spacing_mm[0]
                        ),
                    ));
                }
            }
            let by_uid = slice_uids.and_then(|uids| {
                frame
                    .source_uids
                    .iter()
                    .find_map(|u| uids.iter().position(|s| s == u))
            });
            let k = match (by_uid, frame.position) {
                (Some(k), _) => k,
                (None, Some(p)) => {
                    let [i, j, k] = geometry
                        .to_voxel(grid, p)
                        .ok_or_else(|| at(f, "the image grid's axes are degenerate".into()))?;
                    let slice = k.round();
                    if i.abs() > 0.01
                        || j.abs() > 0.01
                        || (k - slice).abs() > 0.5 + 1e-6
                        || slice < 0.0
                        || slice >= nz as f64
                    {
                        return Err(at(
                            f,
                            format!(
                                "ImagePositionPatient (0020,0032) = {p:?} mm is voxel \
                                 ({i:.2}, {j:.2}, {k:.2}) of the image, not the first voxel of \
                                 one of its {nz} slices: the SEG lies on another grid"
                            ),
                        ));
                    }
                    slice as usize
                }
                (None, None) => {
                    return Err(at(
                        f,
                        "has no PlanePositionSequence > ImagePositionPatient (0020,0032) and \
                         no source image of the series: it cannot be placed"
                            .into(),
                    ));
                }
            };
            let Some(s) = self.segments.iter().position(|s| s.number == frame.segment) else {
                continue;
            };
            let slice = &mut voxels[s];
            for (p, on) in frame.pixels.iter().enumerate() {
                if *on {
                    let (row, column) = (p / nx, p % nx);
                    slice.push(column + nx * (row + ny * k));
                }
            }
        }
        Ok(self
            .segments
            .iter()
            .zip(voxels)
            .map(|(segment, mut voxels)| {
                voxels.sort_unstable();
                voxels.dedup();
                Region {
                    label: segment.number,
                    name: Some(segment.label.clone()),
                    voxels,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::dicom::open::testing::{file_bytes, sequence, text};
    use dicom_core::{DataElement, PrimitiveValue, VR};
    use dicom_object::InMemDicomObject;

    fn us(tag: Tag, value: u16) -> DataElement<InMemDicomObject> {
        DataElement::new(tag, VR::US, PrimitiveValue::from(value))
    }

    /// A 3 × 3 SEG of two segments and three frames (segment 1 on z = 0 and 1, segment 2
    /// on z = 0), its frames' pixels `pixel_data`.
    fn seg(kind: &str, bits: u16, pixel_data: Vec<u8>) -> Vec<u8> {
        let frame = |segment: u16, z: &str| {
            InMemDicomObject::from_element_iter([
                sequence(
                    tags::SEGMENT_IDENTIFICATION_SEQUENCE,
                    vec![InMemDicomObject::from_element_iter([us(
                        tags::REFERENCED_SEGMENT_NUMBER,
                        segment,
                    )])],
                ),
                sequence(
                    tags::PLANE_POSITION_SEQUENCE,
                    vec![InMemDicomObject::from_element_iter([text(
                        tags::IMAGE_POSITION_PATIENT,
                        VR::DS,
                        &format!("0\\0\\{z}"),
                    )])],
                ),
            ])
        };
        let segment = |number: u16, label: &str| {
            InMemDicomObject::from_element_iter([
                us(tags::SEGMENT_NUMBER, number),
                text(tags::SEGMENT_LABEL, VR::LO, label),
            ])
        };
        file_bytes(
            vec![
                text(tags::SOP_CLASS_UID, VR::UI, SEG_SOP_CLASS),
                text(tags::SOP_INSTANCE_UID, VR::UI, "1.2.3"),
                text(tags::MODALITY, VR::CS, "SEG"),
                text(tags::NUMBER_OF_FRAMES, VR::IS, "3"),
                us(tags::ROWS, 3),
                us(tags::COLUMNS, 3),
                us(tags::BITS_ALLOCATED, bits),
                sequence(
                    tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE,
                    vec![InMemDicomObject::from_element_iter([
                        sequence(
                            tags::PLANE_ORIENTATION_SEQUENCE,
                            vec![InMemDicomObject::from_element_iter([text(
                                tags::IMAGE_ORIENTATION_PATIENT,
                                VR::DS,
                                "1\\0\\0\\0\\1\\0",
                            )])],
                        ),
                        sequence(
                            tags::PIXEL_MEASURES_SEQUENCE,
                            vec![InMemDicomObject::from_element_iter([text(
                                tags::PIXEL_SPACING,
                                VR::DS,
                                "1\\1",
                            )])],
                        ),
                    ])],
                ),
                text(tags::SEGMENTATION_TYPE, VR::CS, kind),
                us(tags::MAXIMUM_FRACTIONAL_VALUE, 255),
                sequence(
                    tags::SEGMENT_SEQUENCE,
                    vec![segment(1, "tumour"), segment(2, "node")],
                ),
                sequence(
                    tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE,
                    vec![frame(1, "0"), frame(1, "1"), frame(2, "0")],
                ),
                DataElement::new(tags::PIXEL_DATA, VR::OB, PrimitiveValue::from(pixel_data)),
            ],
            "1.2.840.10008.1.2.1",
        )
    }

    fn grid() -> (Grid, Geometry) {
        (
            Grid {
                dims: [3, 3, 2],
                spacing_mm: [1.0; 3],
            },
            Geometry {
                origin_mm: [0.0; 3],
                directions: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            },
        )
    }

    fn regions(bytes: &[u8]) -> Result<Vec<(u32, String, Vec<usize>)>> {
        let path = Path::new("seg.dcm");
        let object = open::from_bytes(path, bytes)?;
        let (grid, geometry) = grid();
        Ok(read_object(path, &object)?
            .to_regions(path, &grid, &geometry, None)?
            .into_iter()
            .map(|r| (r.label, r.name.unwrap_or_default(), r.voxels))
            .collect())
    }

    #[test]
    fn binary_frames_are_bits_packed_across_frame_boundaries() {
        // Pixels: frame 1 bits 0, 1; frame 2 bit 9 + 8; frame 3 bits 18 + 1, 18 + 4.
        let got = regions(&seg("BINARY", 1, vec![0b11, 0, 0b0100_1010, 0])).unwrap();
        assert_eq!(
            got,
            [
                (1, "tumour".to_string(), vec![0, 1, 17]),
                (2, "node".to_string(), vec![1, 4]),
            ],
            "overlapping segments are regions of their own"
        );
    }

    #[test]
    fn fractional_pixels_are_in_from_half_the_maximum() {
        let mut pixels = vec![0u8; 27];
        pixels[0] = 128; // in: 128 / 255 ≥ 0.5
        pixels[1] = 127; // out
        pixels[9 + 8] = 255;
        pixels[18 + 4] = 200;
        let got = regions(&seg("FRACTIONAL", 8, pixels)).unwrap();
        assert_eq!(got[0].2, [0, 17]);
        assert_eq!(got[1].2, [4]);
    }

    #[test]
    fn bad_segs_name_the_tag_and_value() {
        let short = regions(&seg("BINARY", 1, vec![0b11]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            short,
            "seg.dcm: PixelData (7FE0,0010) holds 2 bytes where 3 frames of 3×3 need 4"
        );
        let labelmap = regions(&seg("LABELMAP", 8, vec![0; 27]))
            .unwrap_err()
            .to_string();
        assert!(
            labelmap.contains("SegmentationType (0062,0001) = 'LABELMAP'"),
            "{labelmap}"
        );
        let bits = regions(&seg("BINARY", 8, vec![0; 27]))
            .unwrap_err()
            .to_string();
        assert!(bits.contains("BitsAllocated (0028,0100) = 8"), "{bits}");
    }
}
