//! RTSTRUCT and SEG masks: the IBSI STS GTVs and SUV DROs against their NIfTI masks, highdicom's SEG fixtures, lesions kept by ROI name, and bad masks.

use crate::util::{Sandbox, shared_data};
use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::tags;
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use oncotrack::analysis::raster::dice;
use oncotrack::ingest::dicom::open::{Attributes, open_file};
use oncotrack::ingest::pet::{Voxels, read_mask, read_suv, write_volume};
use oncotrack::model::{Geometry, Grid, NamedMasks};
use oncotrack::pipeline::mask::{ImageGrid, load_mask};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn expected() -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/masks/mask_expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The mask of a NIfTI image and a mask file, through the one seam.
fn mask_on_nifti(image: &Path, mask: &Path, roi: Option<&str>) -> NamedMasks {
    let suv = read_suv(image).unwrap();
    load_mask(mask, &ImageGrid::of_nifti(image, &suv), roi)
        .unwrap_or_else(|e| panic!("{}: {e}", mask.display()))
}

/// The label voxels of a NIfTI mask, ascending.
fn nifti_voxels(path: &Path) -> (Grid, Vec<usize>) {
    let mask = read_mask(path).unwrap();
    let voxels = mask
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| **v != 0)
        .map(|(i, _)| i)
        .collect();
    (mask.grid, voxels)
}

#[test]
fn sts_gtv_rasterised_on_the_ibsi_grid_matches_ibsi_nifti_mask() {
    let Some(root) = shared_data("pet/sts") else {
        return;
    };
    let expected = expected();
    let mut checked = 0;
    for case in expected["sts"].as_array().unwrap() {
        let patient = case["patient"].as_str().unwrap();
        let dir = root.join(patient);
        let masks = mask_on_nifti(
            &dir.join("nifti/PET_image.nii.gz"),
            &dir.join("dicom/mask/RS.dcm"),
            Some("GTV_Mass_PET"),
        );
        assert_eq!(masks.regions.len(), 1);
        let got = &masks.regions[0].voxels;
        let (_, ibsi) = nifti_voxels(&dir.join("nifti/PET_mask.nii.gz"));
        let d = dice(got, &ibsi);
        eprintln!(
            "{patient}: GTV_Mass_PET {} voxels, IBSI mask {} voxels, Dice {d:.6}",
            got.len(),
            ibsi.len()
        );
        assert!(d >= 0.98, "{patient}: Dice {d} < 0.98");
        // The same rule written with numpy (tests/reference/masks/mask_reference.py).
        assert_eq!(
            got.len() as u64,
            case["voxels"].as_u64().unwrap(),
            "{patient}"
        );
        assert!(
            (d - case["dice"].as_f64().unwrap()).abs() < 1e-12,
            "{patient}"
        );
        checked += 1;
    }
    assert_eq!(checked, 12);
}

/// The grid and geometry of a DICOM series folder from its slices' ImagePositionPatient,
/// ImageOrientationPatient, PixelSpacing, Rows and Columns (sorted along the normal).
fn series_grid(folder: &Path) -> (Grid, Geometry) {
    // The product's series reader (checked against the IBSI data in tests/pet_dicom.rs);
    // the IBSI PT files lack (0002,0000) and must open all the same.
    let image = oncotrack::pipeline::pet::load_pet(folder, &Default::default())
        .unwrap_or_else(|e| panic!("{e}"));
    (
        image.suv.grid,
        image.geometry().expect("a DICOM series has a geometry"),
    )
}

#[test]
fn dro_rtstruct_on_the_pt_grid_is_the_shipped_mask_less_its_rim_and_end_slices() {
    let Some(root) = shared_data("pet/suv_dro") else {
        return;
    };
    let expected = expected();
    let mut checked = 0;
    let mut first: (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    for case in expected["dro"].as_array().unwrap() {
        let name = case["dro"].as_str().unwrap();
        let dir = root.join(name);
        let (grid, geometry) = series_grid(&dir.join("PT"));
        let rs = std::fs::read_dir(dir.join("RS"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let pt = dir.join("PT");
        let image = ImageGrid {
            path: &pt,
            grid,
            geometry: Ok(geometry),
            sform: None,
            slice_uids: None,
            series_uid: None,
            frame_of_reference_uid: None,
        };
        let masks = load_mask(&rs, &image, None).unwrap();
        assert_eq!(masks.regions.len(), 1, "{name}");
        let got = &masks.regions[0].voxels;
        let (mask_grid, reference) = nifti_voxels(&dir.join("mask/DRO_mask.nii.gz"));
        assert_eq!(
            mask_grid, grid,
            "{name}: the shipped mask lies on the PT grid"
        );
        assert_eq!(got.len() as u64, case["voxels"].as_u64().unwrap(), "{name}");
        assert_eq!(
            reference.len() as u64,
            case["reference_voxels"].as_u64().unwrap(),
            "{name}"
        );
        // Every rasterised voxel is in the shipped mask.
        let in_reference = |v: &usize| reference.binary_search(v).is_ok();
        assert!(got.iter().all(in_reference), "{name}");
        // The shipped mask is the phantom's region itself: a disc of radius 240 mm
        // about (512, 512) mm on slices 1..=18; the contours lie 3-6 mm inside it and
        // cover slices 2..=17. What differs is that rim and the two end slices.
        let slices = |voxels: &[usize]| {
            let mut s: Vec<usize> = voxels.iter().map(|v| grid.ijk(*v)[2]).collect();
            s.dedup();
            s
        };
        assert_eq!(slices(got), (2..=17).collect::<Vec<_>>(), "{name}");
        assert_eq!(slices(&reference), (1..=18).collect::<Vec<_>>(), "{name}");
        if checked == 0 {
            for index in 0..grid.len() {
                let [i, j, k] = grid.ijk(index);
                let p = geometry.to_patient(&grid, [i as f64, j as f64, k as f64]);
                let disc = (p[0] - 512.0).powi(2) + (p[1] - 512.0).powi(2) <= 240.0 * 240.0
                    && (1..=18).contains(&k);
                assert_eq!(disc, in_reference(&index), "{name}: voxel {:?}", [i, j, k]);
            }
            first = (got.clone(), reference.clone());
        } else {
            assert_eq!(got, &first.0, "{name}: the same region as DRO_0_0");
            assert_eq!(
                reference, first.1,
                "{name}: the same shipped mask as DRO_0_0"
            );
        }
        if checked == 0 {
            eprintln!(
                "{name}: RTSTRUCT {} voxels, shipped mask {} voxels: {} differ (the 2 end slices, \
                 {} voxels, and an in-plane rim of {})",
                got.len(),
                reference.len(),
                reference.len() - got.len(),
                2 * (reference.len() / 18),
                reference.len() - got.len() - 2 * (reference.len() / 18)
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 17);
}

#[test]
fn pet_with_the_rtstruct_equals_pet_with_ibsi_nifti_mask() {
    let Some(dir) = shared_data("pet/sts/STS_001") else {
        return;
    };
    let s = Sandbox::new();
    let image = dir.join("nifti/PET_image.nii.gz");
    let run = |mask: &str, extra: &[&str]| {
        let mask = dir.join(mask);
        let mut args = vec![
            "pet",
            image.to_str().unwrap(),
            "--mask",
            mask.to_str().unwrap(),
            "--method",
            "relative:0.41",
            "--method",
            "absolute:2.5",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        s.run_raw(&args)
    };
    let from_rs = run("dicom/mask/RS.dcm", &[]);
    assert!(
        from_rs.stderr.contains("cannot be checked"),
        "a NIfTI PET cannot say its series: {}",
        from_rs.stderr
    );
    let from_rs = from_rs.json();
    let from_nifti = run("nifti/PET_mask.nii.gz", &[]).json();
    assert_eq!(from_rs.len(), 2);
    for (a, b) in from_rs.iter().zip(&from_nifti) {
        assert_eq!(a["name"], "GTV_Mass_PET");
        assert_eq!(b["name"], Value::Null);
        for key in ["voxels", "suv_max", "suv_peak", "suv_mean", "mtv_ml", "tlg"] {
            assert_eq!(a[key], b[key], "{key}");
        }
    }
    assert_eq!(
        run("dicom/mask/RS.dcm", &["--roi", "GTV_Mass_PET"]).json(),
        from_rs
    );
    run("dicom/mask/RS.dcm", &["--roi", "GTV"]).fails(
        1,
        "RS.dcm: ROIName (3006,0026): no ROI is named 'GTV'; the ROIs are 'GTV_Mass_PET'",
    );
    run("nifti/PET_mask.nii.gz", &["--roi", "GTV"]).fails(1, "--roi chooses an RTSTRUCT's ROI");
}

#[test]
fn the_same_roi_name_keeps_the_lesion_across_visits() {
    let Some(root) = shared_data("pet/sts") else {
        return;
    };
    let s = Sandbox::new();
    s.with_patients();
    for (date, patient) in [("2024-01-10", "STS_001"), ("2024-04-10", "STS_002")] {
        let dir = root.join(patient);
        let image = dir.join("nifti/PET_image.nii.gz");
        let mask = dir.join("dicom/mask/RS.dcm");
        s.run(&[
            "ingest",
            "pet",
            image.to_str().unwrap(),
            "--mask",
            mask.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            date,
        ])
        .ok();
    }
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let lesions: Vec<String> = conn
        .prepare("SELECT label FROM lesion ORDER BY label")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(lesions, ["GTV_Mass_PET"]);
    let rows: i64 = conn
        .query_row(
            "SELECT count(*) FROM pet_uptake JOIN lesion USING (lesion_id) WHERE label = 'GTV_Mass_PET'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 2, "one uptake per visit, on one lesion");
}

/// A 16 × 16 grid of the highdicom CT fixtures' spacing whose slice 0 lies at `z0` mm.
fn ct_grid(slices: usize, z0: f64) -> (Grid, Geometry) {
    (
        Grid {
            dims: [16, 16, slices],
            spacing_mm: [0.488281, 0.488281, 1.25],
        },
        Geometry {
            origin_mm: [-125.0, -128.100006, z0],
            directions: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        },
    )
}

fn image_grid<'a>(path: &'a Path, grid: Grid, geometry: Geometry) -> ImageGrid<'a> {
    ImageGrid {
        path,
        grid,
        geometry: Ok(geometry),
        sform: None,
        slice_uids: None,
        series_uid: None,
        frame_of_reference_uid: None,
    }
}

#[test]
fn highdicom_seg_fixtures_read_as_the_masks_they_are() {
    let Some(root) = shared_data("pet/seg") else {
        return;
    };
    let expected = expected();
    let label = Path::new("ct");
    let mut checked = 0;
    for case in expected["seg"].as_array().unwrap() {
        let file = case["file"].as_str().unwrap();
        let path = root.join(file);
        let (grid, geometry) = match file {
            // The overlap fixture has a frame 202.5 mm below the others (slice 162 lower).
            "seg_image_ct_binary_overlap.dcm" => ct_grid(165, -99.480003),
            "seg_image_ct_binary_single_frame.dcm" => {
                let ct = root.join("ct_image.dcm");
                let (g, geo) = series_grid_of_file(&ct);
                (g, geo)
            }
            _ => ct_grid(3, 103.019997),
        };
        let masks = load_mask(&path, &image_grid(label, grid, geometry), None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let want = case["segments"].as_array().unwrap();
        assert_eq!(masks.regions.len(), want.len(), "{file}");
        for (region, want) in masks.regions.iter().zip(want) {
            assert_eq!(u64::from(region.label), want["number"].as_u64().unwrap());
            assert_eq!(region.name.as_deref(), want["label"].as_str());
            assert_eq!(
                region.voxels.len() as u64,
                want["voxels"].as_u64().unwrap(),
                "{file} segment {}",
                region.label
            );
        }
        let overlap = if masks.regions.len() == 2 {
            let (a, b) = (&masks.regions[0].voxels, &masks.regions[1].voxels);
            a.iter().filter(|v| b.binary_search(v).is_ok()).count()
        } else {
            0
        };
        assert_eq!(
            overlap as u64,
            case["overlap_voxels"].as_u64().unwrap(),
            "{file}"
        );
        checked += 1;
    }
    assert_eq!(checked, 5);
    // The overlapping segments cannot share one label image; each is measured alone.
    let (grid, geometry) = ct_grid(165, -99.480003);
    let overlap = load_mask(
        &root.join("seg_image_ct_binary_overlap.dcm"),
        &image_grid(label, grid, geometry),
        None,
    )
    .unwrap();
    assert_eq!(overlap.to_labels(), None);
    // Frames are placed by their source image when the series' SOP instance UIDs are
    // known, even on a grid whose position would not match.
    let ct = root.join("ct_image.dcm");
    let (grid, mut geometry) = series_grid_of_file(&ct);
    let object = open_file(&ct).unwrap();
    let uid = Attributes::top(&ct, &object)
        .required_text(tags::SOP_INSTANCE_UID)
        .unwrap();
    let by_position = load_mask(
        &root.join("seg_image_ct_binary_single_frame.dcm"),
        &image_grid(label, grid, geometry),
        None,
    )
    .unwrap();
    geometry.origin_mm[2] += 1000.0;
    let mut image = image_grid(label, grid, geometry);
    image.slice_uids = Some(vec![uid]);
    let by_uid = load_mask(
        &root.join("seg_image_ct_binary_single_frame.dcm"),
        &image,
        None,
    )
    .unwrap();
    assert_eq!(by_uid.regions, by_position.regions);
}

/// The grid of one DICOM image file (one slice of 1 mm thickness along the normal).
fn series_grid_of_file(path: &Path) -> (Grid, Geometry) {
    let object = open_file(path).unwrap();
    let a = Attributes::top(path, &object);
    let o = a.fixed::<6>(tags::IMAGE_ORIENTATION_PATIENT).unwrap();
    let s = a.fixed::<2>(tags::PIXEL_SPACING).unwrap();
    (
        Grid {
            dims: [
                a.count(tags::COLUMNS).unwrap() as usize,
                a.count(tags::ROWS).unwrap() as usize,
                1,
            ],
            spacing_mm: [s[1], s[0], 1.0],
        },
        Geometry {
            origin_mm: a.fixed::<3>(tags::IMAGE_POSITION_PATIENT).unwrap(),
            directions: [
                [o[0], o[1], o[2]],
                [o[3], o[4], o[5]],
                [
                    o[1] * o[5] - o[2] * o[4],
                    o[2] * o[3] - o[0] * o[5],
                    o[0] * o[4] - o[1] * o[3],
                ],
            ],
        },
    )
}

#[test]
fn a_seg_over_another_grid_is_refused_naming_the_tag() {
    let Some(root) = shared_data("pet/seg") else {
        return;
    };
    let ct = root.join("ct_image.dcm");
    let (grid, geometry) = series_grid_of_file(&ct);
    let label = Path::new("ct");
    let error = load_mask(
        &root.join("seg_image_ct_binary.dcm"),
        &image_grid(label, grid, geometry),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("seg_image_ct_binary.dcm: Rows (0028,0010) × Columns (0028,0011) = 16 × 16"),
        "{error}"
    );
    // Right size, wrong place: the frames' positions are off the grid.
    let (grid, geometry) = ct_grid(3, 0.0);
    let error = load_mask(
        &root.join("seg_image_ct_binary.dcm"),
        &image_grid(label, grid, geometry),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains(
            "frame 1: ImagePositionPatient (0020,0032) = [-125.0, -128.100006, 103.019997]"
        ),
        "{error}"
    );
    // A CT image is not a mask.
    let (grid, geometry) = ct_grid(3, 103.019997);
    let error = load_mask(&ct, &image_grid(label, grid, geometry), None)
        .unwrap_err()
        .to_string();
    assert!(error.contains("Modality (0008,0060) = 'CT'"), "{error}");
}

// ---- Synthetic RTSTRUCTs on a synthetic NIfTI SUV volume ----

fn text(tag: Tag, vr: VR, value: &str) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, vr, PrimitiveValue::from(value))
}

fn sequence(tag: Tag, items: Vec<InMemDicomObject>) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
}

/// One ROI of a synthetic RTSTRUCT: number, name, contours (LPS points).
pub(crate) type SyntheticRoi<'a> = (u32, &'a str, Vec<Vec<[f64; 3]>>);

/// Writes an RTSTRUCT (explicit VR little endian) referencing `series` in frame of reference `frame`.
pub(crate) fn write_rtstruct(path: &Path, rois: &[SyntheticRoi<'_>], series: &str, frame: &str) {
    let mut structure = Vec::new();
    let mut contours = Vec::new();
    for (number, name, polygons) in rois {
        structure.push(InMemDicomObject::from_element_iter([
            text(tags::ROI_NUMBER, VR::IS, &number.to_string()),
            text(tags::REFERENCED_FRAME_OF_REFERENCE_UID, VR::UI, frame),
            text(tags::ROI_NAME, VR::LO, name),
        ]));
        let items = polygons
            .iter()
            .map(|points| {
                let data = points
                    .iter()
                    .flatten()
                    .map(|v| format!("{v}"))
                    .collect::<Vec<_>>()
                    .join("\\");
                InMemDicomObject::from_element_iter([
                    text(tags::CONTOUR_GEOMETRIC_TYPE, VR::CS, "CLOSED_PLANAR"),
                    text(
                        tags::NUMBER_OF_CONTOUR_POINTS,
                        VR::IS,
                        &points.len().to_string(),
                    ),
                    text(tags::CONTOUR_DATA, VR::DS, &data),
                ])
            })
            .collect();
        contours.push(InMemDicomObject::from_element_iter([
            sequence(tags::CONTOUR_SEQUENCE, items),
            text(tags::REFERENCED_ROI_NUMBER, VR::IS, &number.to_string()),
        ]));
    }
    let referenced = InMemDicomObject::from_element_iter([
        text(tags::FRAME_OF_REFERENCE_UID, VR::UI, frame),
        sequence(
            tags::RT_REFERENCED_STUDY_SEQUENCE,
            vec![InMemDicomObject::from_element_iter([sequence(
                tags::RT_REFERENCED_SERIES_SEQUENCE,
                vec![InMemDicomObject::from_element_iter([text(
                    tags::SERIES_INSTANCE_UID,
                    VR::UI,
                    series,
                )])],
            )])],
        ),
    ]);
    let object = InMemDicomObject::from_element_iter([
        text(tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.481.3"),
        text(tags::SOP_INSTANCE_UID, VR::UI, "1.2.3.4.5.6.7"),
        text(tags::MODALITY, VR::CS, "RTSTRUCT"),
        sequence(
            tags::REFERENCED_FRAME_OF_REFERENCE_SEQUENCE,
            vec![referenced],
        ),
        sequence(tags::STRUCTURE_SET_ROI_SEQUENCE, structure),
        sequence(tags::ROI_CONTOUR_SEQUENCE, contours),
    ]);
    object
        .with_meta(FileMetaTableBuilder::new().transfer_syntax("1.2.840.10008.1.2.1"))
        .unwrap()
        .write_to_file(path)
        .unwrap();
}

/// A 12 × 12 × 3 SUV volume of 2 mm voxels (value 1, 4 at voxel (5, 5, 1)), written with
/// the default qform: voxel (i, j, k) at LPS (−2i, −2j, 2k) mm.
fn synthetic_suv(dir: &Path) -> (PathBuf, Geometry, Grid) {
    let grid = Grid {
        dims: [12, 12, 3],
        spacing_mm: [2.0; 3],
    };
    let mut values = vec![1.0f32; grid.len()];
    values[5 + 12 * (5 + 12)] = 4.0;
    let path = dir.join("suv.nii.gz");
    write_volume(&path, &grid, Voxels::Suv(&values)).unwrap();
    let geometry = read_suv(&path).unwrap().geometry.unwrap();
    (path, geometry, grid)
}

/// A square of voxel corners (i0, j0)..(i1, j1) on slice k, in patient space.
fn square(geometry: &Geometry, grid: &Grid, k: f64, [i0, j0, i1, j1]: [f64; 4]) -> Vec<[f64; 3]> {
    [[i0, j0], [i1, j0], [i1, j1], [i0, j1]]
        .iter()
        .map(|[i, j]| geometry.to_patient(grid, [*i, *j, k]))
        .collect()
}

#[test]
fn rtstruct_rois_holes_and_names_through_the_cli() {
    let s = Sandbox::new();
    let (suv, geometry, grid) = synthetic_suv(s.path());
    let rs = s.path().join("rs.dcm");
    // ROI 7 "ring": 6×6 centres with a 2×2 hole; ROI 9 "core": the 2×2 hole itself.
    let outer = square(&geometry, &grid, 1.0, [2.5, 2.5, 8.5, 8.5]);
    let inner = square(&geometry, &grid, 1.0, [4.5, 4.5, 6.5, 6.5]);
    write_rtstruct(
        &rs,
        &[
            (7, "ring", vec![outer, inner.clone()]),
            (9, "core", vec![inner]),
        ],
        "1.2.3",
        "1.2.4",
    );
    let rows = s
        .run_raw(&[
            "pet",
            suv.to_str().unwrap(),
            "--mask",
            rs.to_str().unwrap(),
            "--method",
            "absolute:0",
            "--format",
            "json",
        ])
        .json();
    let got: Vec<(u64, &str, u64, f64)> = rows
        .iter()
        .map(|r| {
            (
                r["label"].as_u64().unwrap(),
                r["name"].as_str().unwrap(),
                r["voxels"].as_u64().unwrap(),
                r["suv_max"].as_f64().unwrap(),
            )
        })
        .collect();
    // The hot voxel (5, 5, 1) is in the hole: the ring's maximum is the background.
    assert_eq!(got, [(7, "ring", 32, 1.0), (9, "core", 4, 4.0)]);
    let core = s
        .run_raw(&[
            "pet",
            suv.to_str().unwrap(),
            "--mask",
            rs.to_str().unwrap(),
            "--roi",
            "core",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(core.len(), 1);
    assert_eq!(core[0]["name"], "core");
}

#[test]
fn bad_rtstructs_are_refused_in_one_line_and_store_nothing() {
    let s = Sandbox::new();
    s.with_patients();
    let (suv, geometry, grid) = synthetic_suv(s.path());
    let good = square(&geometry, &grid, 1.0, [2.5, 2.5, 8.5, 8.5]);
    let cases: Vec<(&str, Vec<SyntheticRoi<'_>>, Vec<&str>, &str)> = vec![
        (
            "unknown ROI",
            vec![
                (1, "GTV", vec![good.clone()]),
                (2, "liver", vec![good.clone()]),
            ],
            vec!["--roi", "GTV2"],
            "ROIName (3006,0026): no ROI is named 'GTV2'; the ROIs are 'GTV', 'liver'",
        ),
        (
            "two points",
            vec![(1, "GTV", vec![good[..2].to_vec()])],
            vec![],
            "ROIContourSequence item 1 > ContourSequence item 1: ContourData (3006,0050) holds 2 \
             point(s): a CLOSED_PLANAR contour needs at least 3 (ROI 'GTV')",
        ),
        (
            "outside the grid",
            vec![(
                1,
                "GTV",
                vec![square(&geometry, &grid, 7.0, [2.5, 2.5, 8.5, 8.5])],
            )],
            vec![],
            "ROIContourSequence (3006,0039) of ROI 'GTV' (ROINumber 1): contour 0 lies on slice 7",
        ),
        (
            "oblique",
            vec![(
                1,
                "GTV",
                vec![{
                    let mut tilted = good.clone();
                    tilted[2][2] += 1.8;
                    tilted
                }],
            )],
            vec![],
            "does not lie in one slice plane",
        ),
    ];
    let before = s.dump();
    for (what, rois, extra, needle) in cases {
        let rs = s.path().join("bad.dcm");
        write_rtstruct(&rs, &rois, "1.2.3", "1.2.4");
        let mut args = vec![
            "ingest",
            "pet",
            suv.to_str().unwrap(),
            "--mask",
            rs.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            "2024-01-10",
        ];
        args.extend(extra);
        s.run(&args).fails(1, needle);
        assert_eq!(s.dump(), before, "{what}: nothing stored");
    }
}

#[test]
fn an_rtstruct_of_another_series_or_frame_of_reference_is_refused_when_the_image_says_its_own() {
    let s = Sandbox::new();
    let (suv, geometry, grid) = synthetic_suv(s.path());
    let rs = s.path().join("rs.dcm");
    write_rtstruct(
        &rs,
        &[(
            1,
            "GTV",
            vec![square(&geometry, &grid, 1.0, [2.5, 2.5, 8.5, 8.5])],
        )],
        "1.2.3",
        "1.2.4",
    );
    let image = read_suv(&suv).unwrap();
    let mut target = ImageGrid::of_nifti(&suv, &image);
    target.series_uid = Some("1.2.3".into());
    target.frame_of_reference_uid = Some("1.2.4".into());
    let masks = load_mask(&rs, &target, None).unwrap();
    assert!(masks.warnings.is_empty());
    assert_eq!(masks.references.series_uids, ["1.2.3"]);
    target.series_uid = Some("9.9.9".into());
    let error = load_mask(&rs, &target, None).unwrap_err().to_string();
    assert!(
        error.ends_with(
            "rs.dcm: SeriesInstanceUID (0020,000E) = 1.2.3: the mask references another series \
             than the image (9.9.9); give the series it was drawn on"
        ),
        "{error}"
    );
    target.frame_of_reference_uid = Some("9.9.8".into());
    let error = load_mask(&rs, &target, None).unwrap_err().to_string();
    assert!(
        error.contains("FrameOfReferenceUID (0020,0052) = 1.2.4: the mask was drawn in another frame of reference"),
        "{error}"
    );
}

#[test]
fn a_nifti_mask_on_a_dicom_grid_must_lie_where_the_image_lies() {
    let s = Sandbox::new();
    let (suv, geometry, grid) = synthetic_suv(s.path());
    let mask = s.path().join("mask.nii.gz");
    let mut labels = vec![0i16; grid.len()];
    labels[7] = 1;
    write_volume(&mask, &grid, Voxels::Labels(&labels)).unwrap();
    // As a DICOM series gives it: no sform, a geometry of its own.
    let mut image = image_grid(&suv, grid, geometry);
    let masks = load_mask(&mask, &image, None).unwrap();
    assert_eq!(masks.regions[0].voxels, [7]);
    if let Ok(g) = image.geometry.as_mut() {
        g.origin_mm[2] += 2.0;
    }
    let error = load_mask(&mask, &image, None).unwrap_err().to_string();
    assert!(
        error.contains("does not place it on the PET series"),
        "{error}"
    );
}

#[test]
fn overlapping_seg_segments_are_two_lesions_through_the_cli() {
    let Some(seg) = shared_data("pet/seg/seg_image_ct_binary_overlap.dcm") else {
        return;
    };
    let s = Sandbox::new();
    s.with_patients();
    // An SUV volume on the SEG's grid: 16 × 16 × 165, its sform (RAS) placing voxel 0 at
    // the SEG's first frame position (LPS −125, −128.1, −99.48).
    let (nx, ny, nz) = (16usize, 16usize, 165usize);
    let header = nifti::NiftiHeader {
        pixdim: [1.0, 0.488281, 0.488281, 1.25, 1.0, 1.0, 1.0, 1.0],
        xyzt_units: 2,
        sform_code: 1,
        srow_x: [-0.488281, 0.0, 0.0, 125.0],
        srow_y: [0.0, -0.488281, 0.0, 128.1],
        srow_z: [0.0, 0.0, 1.25, -99.48],
        ..nifti::NiftiHeader::default()
    };
    let values = ndarray::Array3::<f32>::from_elem(ndarray::ShapeBuilder::f((nx, ny, nz)), 1.0);
    let suv = s.path().join("suv.nii");
    nifti::writer::WriterOptions::new(&suv)
        .reference_header(&header)
        .write_nifti(&values)
        .unwrap();
    let rows = s
        .run_raw(&[
            "pet",
            suv.to_str().unwrap(),
            "--mask",
            seg.to_str().unwrap(),
            "--method",
            "absolute:0",
            "--format",
            "json",
        ])
        .json();
    let got: Vec<(u64, &str, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["label"].as_u64().unwrap(),
                r["name"].as_str().unwrap(),
                r["voxels"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, [(1, "first segment", 64), (2, "second segment", 16)]);
    s.run(&[
        "ingest",
        "pet",
        suv.to_str().unwrap(),
        "--mask",
        seg.to_str().unwrap(),
        "--patient",
        "P001",
        "--date",
        "2024-01-10",
    ])
    .ok();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let lesions: Vec<String> = conn
        .prepare("SELECT label FROM lesion ORDER BY label")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(lesions, ["first segment", "second segment"]);
}

/// Issue 14 §6: PERCIST's liver named by its ROI: found by itself when an ROI is named
/// like "liver" (any case), or named by `--liver-roi` (also beside `--roi`); never a
/// lesion, even when `--liver-mean/--liver-sd` give the reference instead.
#[test]
fn the_percist_liver_is_found_or_named_by_its_roi() {
    let s = Sandbox::new();
    s.with_patients();
    let (suv, geometry, grid) = synthetic_suv(s.path());
    // GTV: 6 × 6 centres on slice 1 around the hot voxel (SUV 4, the rest 1); the liver
    // 4 × 2 centres of SUV 1 on slice 0: mean 1, SD 0, so PERCIST's threshold is 1.5.
    let gtv = square(&geometry, &grid, 1.0, [2.5, 2.5, 8.5, 8.5]);
    let liver = square(&geometry, &grid, 0.0, [0.5, 9.5, 4.5, 11.5]);
    let pet = |rois: &[SyntheticRoi<'_>], extra: &[&str]| {
        let rs = s.path().join("rs.dcm");
        write_rtstruct(&rs, rois, "1.2.3", "1.2.4");
        let mut args = vec![
            "pet".to_string(),
            suv.to_str().unwrap().into(),
            "--mask".into(),
            rs.to_str().unwrap().into(),
            "--method".into(),
            "percist".into(),
            "--format".into(),
            "json".into(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        s.run(&args)
    };
    let rows = |out: &crate::util::Run| -> Vec<(String, f64, u64)> {
        out.json()
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    r["threshold"].as_f64().unwrap(),
                    r["voxels"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let only_gtv = vec![("GTV".to_string(), 1.5, 1)];
    let named_liver = [
        (3, "GTV", vec![gtv.clone()]),
        (8, " Liver", vec![liver.clone()]),
    ];
    assert_eq!(rows(&pet(&named_liver, &[])), only_gtv);
    let other_name = [
        (3, "GTV", vec![gtv.clone()]),
        (8, "LIV_REF", vec![liver.clone()]),
    ];
    pet(&other_name, &[]).fails(1, "percist needs the liver: give --liver-roi NAME");
    assert_eq!(
        rows(&pet(&other_name, &["--liver-roi", "LIV_REF"])),
        only_gtv
    );
    assert_eq!(
        rows(&pet(
            &other_name,
            &["--roi", "GTV", "--liver-roi", "LIV_REF"]
        )),
        only_gtv
    );
    // Numbers given: the liver ROI is still no lesion.
    assert_eq!(
        rows(&pet(
            &named_liver,
            &["--liver-mean", "0.5", "--liver-sd", "0"]
        )),
        vec![("GTV".to_string(), 0.75, 36)]
    );
    let two = [
        (3, "GTV", vec![gtv.clone()]),
        (8, "liver", vec![liver.clone()]),
        (9, "LIVER", vec![liver.clone()]),
    ];
    pet(&two, &[]).fails(
        1,
        "rs.dcm: 2 ROIs are named like 'liver' ('liver' = 8, 'LIVER' = 9): say which is the \
         PERCIST liver reference with --liver-roi NAME",
    );
    assert_eq!(rows(&pet(&two, &["--liver-roi", "LIVER"])).len(), 2);
    pet(
        &named_liver,
        &["--liver-roi", "Liver", "--liver-label", "8"],
    )
    .fails(2, "--liver-label");
    // A NIfTI label image has numbers, not names.
    let labels = s.path().join("labels.nii.gz");
    let mut values = vec![0i16; grid.len()];
    values[5 + 12 * (5 + 12)] = 1;
    write_volume(&labels, &grid, Voxels::Labels(&values)).unwrap();
    s.run(&[
        "pet",
        suv.to_str().unwrap(),
        "--mask",
        labels.to_str().unwrap(),
        "--liver-roi",
        "LIVER",
    ])
    .fails(1, "labels.nii.gz is a NIfTI label image: its regions have numbers, not names; give --liver-label N");
    // Stored: the liver is the study's reference, and only the GTV a lesion.
    let rs = s.path().join("rs.dcm");
    write_rtstruct(&rs, &named_liver, "1.2.3", "1.2.4");
    s.run(&[
        "ingest",
        "pet",
        suv.to_str().unwrap(),
        "--mask",
        rs.to_str().unwrap(),
        "--patient",
        "P001",
        "--date",
        "2024-01-10",
        "--method",
        "percist",
    ])
    .ok();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let (mean, sd): (f64, f64) = conn
        .query_row(
            "SELECT liver_suv_mean, liver_suv_sd FROM imaging_study WHERE modality = 'PET'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((mean, sd), (1.0, 0.0));
    let lesions: Vec<String> = conn
        .prepare("SELECT DISTINCT l.label FROM pet_uptake JOIN lesion l USING (lesion_id)")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(lesions, ["GTV"]);
}
