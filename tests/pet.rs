//! PET uptake through the real binary: equality with the nibabel+numpy reference, the NEMA phantom volumes, ingest, and bad images.

use crate::util::Sandbox;
use oncotrack::ingest::pet::{Voxels, write_volume};
use oncotrack::model::Grid;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// `a` equals `b` to 1e-9 relative (absolute near zero); both null is equal.
fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1e-12),
        _ => a == b,
    }
}

#[test]
fn pet_equals_the_nibabel_numpy_reference_on_the_same_files() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(repo("tests/reference/imaging/pet_expected.json")).unwrap(),
    )
    .unwrap();
    let s = Sandbox::new();
    for case in expected["cases"].as_array().unwrap() {
        let suv = repo(case["suv"].as_str().unwrap());
        let mask = repo(case["mask"].as_str().unwrap());
        let mut args: Vec<String> = vec![
            "pet".into(),
            suv.to_string_lossy().into(),
            "--mask".into(),
            mask.to_string_lossy().into(),
            "--format".into(),
            "json".into(),
        ];
        for m in case["methods"].as_array().unwrap() {
            args.extend(["--method".into(), m.as_str().unwrap().into()]);
        }
        for (flag, key) in [
            ("--liver-label", "liver_label"),
            ("--background-label", "background_label"),
        ] {
            if let Some(l) = case[key].as_u64() {
                args.extend([flag.into(), l.to_string()]);
            }
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let rows = s.run_raw(&refs).json();
        let want = case["rows"].as_array().unwrap();
        assert_eq!(rows.len(), want.len(), "{}", case["name"]);
        for (got, want) in rows.iter().zip(want) {
            for key in ["label", "method", "voxels"] {
                assert_eq!(got[key], want[key], "{} {key}", case["name"]);
            }
            for key in [
                "threshold",
                "suv_max",
                "suv_peak",
                "suv_mean",
                "mtv_ml",
                "tlg",
            ] {
                assert!(
                    close(&got[key], &want[key]),
                    "{} label {} {}: {key} {} vs reference {}",
                    case["name"],
                    want["label"],
                    want["method"],
                    got[key],
                    want[key]
                );
            }
        }
    }
}

/// NEMA IEC body phantom spheres (10..37 mm, centres 57.2 mm from the axis) at 4:1 on
/// 2 mm voxels, no blur; a voxel is in a sphere when its centre is. Labels 1..=6 are
/// boxes around the spheres.
fn nema_phantom(dir: &Path) -> (PathBuf, PathBuf, [f64; 6]) {
    let grid = Grid {
        dims: [110, 90, 30],
        spacing_mm: [2.0; 3],
    };
    let [nx, ny, nz] = grid.dims;
    let centre = [109.0, 89.0, 29.0];
    let diameters = [10.0, 13.0, 17.0, 22.0, 28.0, 37.0];
    let mut suv = vec![1.0f32; grid.len()];
    let mut mask = vec![0i16; grid.len()];
    for (n, d) in diameters.iter().enumerate() {
        let angle = (60.0 * n as f64).to_radians();
        let c = [
            centre[0] + 57.2 * angle.cos(),
            centre[1] + 57.2 * angle.sin(),
            centre[2],
        ];
        let r: f64 = d / 2.0;
        for k in 0..nz {
            for j in 0..ny {
                for i in 0..nx {
                    let p = [i as f64 * 2.0, j as f64 * 2.0, k as f64 * 2.0];
                    let d2: f64 = (0..3).map(|a| (p[a] - c[a]).powi(2)).sum();
                    let box_half = r * 1.5 + 4.0;
                    let index = i + nx * (j + ny * k);
                    if (0..3).all(|a| (p[a] - c[a]).abs() <= box_half) {
                        mask[index] = n as i16 + 1;
                    }
                    if d2 <= r * r {
                        suv[index] = 4.0;
                    }
                }
            }
        }
    }
    let (suv_path, mask_path) = (dir.join("nema_suv.nii.gz"), dir.join("nema_mask.nii"));
    write_volume(&suv_path, &grid, Voxels::Suv(&suv)).unwrap();
    write_volume(&mask_path, &grid, Voxels::Labels(&mask)).unwrap();
    (suv_path, mask_path, diameters)
}

#[test]
fn nema_spheres_of_17_mm_and_more_have_their_volume_at_an_absolute_threshold() {
    let s = Sandbox::new();
    let (suv, mask, diameters) = nema_phantom(s.path());
    let rows = s
        .run_raw(&[
            "pet",
            suv.to_str().unwrap(),
            "--mask",
            mask.to_str().unwrap(),
            "--method",
            "absolute:2.5",
            "--method",
            "relative:0.41",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(rows.len(), 12, "6 spheres x 2 methods");
    for row in rows.iter().filter(|r| r["method"] == "absolute:2.5") {
        let d = diameters[row["label"].as_u64().unwrap() as usize - 1];
        let truth_ml = 4.0 / 3.0 * std::f64::consts::PI * (d / 2.0f64).powi(3) / 1000.0;
        let mtv = row["mtv_ml"].as_f64().unwrap();
        assert_eq!(row["suv_max"], 4.0);
        if d >= 17.0 {
            assert!(
                (mtv - truth_ml).abs() <= 0.05 * truth_ml,
                "{d} mm sphere: MTV {mtv} mL vs {truth_ml} mL"
            );
        }
        // Uniform 4:1 spheres: every MTV voxel has SUV 4, so TLG = 4 x MTV.
        assert!((row["tlg"].as_f64().unwrap() - 4.0 * mtv).abs() < 1e-9);
    }
}

#[test]
fn ingest_pet_stores_every_lesion_and_method_once() {
    let s = Sandbox::new();
    s.with_patients();
    let suv = repo("fixtures/pet/clinical_suv.nii.gz");
    let mask = repo("fixtures/pet/clinical_mask.nii.gz");
    let args = [
        "ingest",
        "pet",
        suv.to_str().unwrap(),
        "--mask",
        mask.to_str().unwrap(),
        "--patient",
        "P001",
        "--date",
        "2024-03-01",
        "--method",
        "relative:0.41",
        "--method",
        "percist",
        "--liver-label",
        "9",
        "--scanner",
        "Siemens Biograph Vision",
    ];
    let out = s.run(&args).ok().to_string();
    assert!(out.contains("6 pet records read, 6 new"), "{out}");
    let again = s.run(&args).ok().to_string();
    assert!(again.contains("already ingested"), "{again}");
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let stored: Vec<(String, String, f64)> = conn
        .prepare(
            "SELECT l.label, u.method, u.method_param FROM pet_uptake u JOIN lesion l USING (lesion_id)
              ORDER BY l.label, u.method",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(stored.len(), 6);
    assert_eq!(stored[0], ("L1".to_string(), "percist".to_string(), 0.0));
    assert_eq!(stored[1], ("L1".to_string(), "relative".to_string(), 0.41));
    let (modality, liver): (String, Option<f64>) = conn
        .query_row(
            "SELECT modality, liver_suv_mean FROM imaging_study",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(modality, "PET");
    assert!(liver.is_some_and(|l| l > 1.5 && l < 2.7), "{liver:?}");
}

#[test]
fn bad_images_are_named_and_nothing_is_stored() {
    let s = Sandbox::new();
    s.with_patients();
    let grid = Grid {
        dims: [8, 8, 4],
        spacing_mm: [4.0, 4.0, 4.0],
    };
    let mut suv = vec![1.0f32; grid.len()];
    let mut labels = vec![0i16; grid.len()];
    labels[3 + 8 * (3 + 8 * 2)] = 1;
    let good_suv = s.path().join("suv.nii");
    write_volume(&good_suv, &grid, Voxels::Suv(&suv)).unwrap();
    let good_mask = s.path().join("mask.nii");
    write_volume(&good_mask, &grid, Voxels::Labels(&labels)).unwrap();

    suv[2 + 8 * (1 + 8 * 3)] = f32::NAN;
    let nan = s.path().join("nan.nii");
    write_volume(&nan, &grid, Voxels::Suv(&suv)).unwrap();
    suv[2 + 8 * (1 + 8 * 3)] = -0.5;
    let negative = s.path().join("negative.nii");
    write_volume(&negative, &grid, Voxels::Suv(&suv)).unwrap();
    let empty = s.path().join("empty.nii");
    write_volume(&empty, &grid, Voxels::Labels(&vec![0; grid.len()])).unwrap();
    let other_grid = Grid {
        dims: [8, 8, 5],
        ..grid
    };
    let wrong = s.path().join("wrong.nii");
    write_volume(
        &wrong,
        &other_grid,
        Voxels::Labels(&vec![1; other_grid.len()]),
    )
    .unwrap();
    let other_size = Grid {
        spacing_mm: [2.0, 4.0, 4.0],
        ..grid
    };
    let wrong_size = s.path().join("wrong_size.nii");
    write_volume(&wrong_size, &other_size, Voxels::Labels(&labels)).unwrap();
    let not_nifti = s.file("not.nii", "hello");

    let before = s.dump();
    let p = |p: &Path| p.to_str().unwrap().to_string();
    for (suv, mask, extra, needle) in [
        (
            p(&nan),
            p(&good_mask),
            vec![],
            "nan.nii: voxel (2, 1, 3): SUV is NaN".to_string(),
        ),
        (
            p(&negative),
            p(&good_mask),
            vec![],
            "negative.nii: voxel (2, 1, 3): SUV -0.5 is not a finite, non-negative value".into(),
        ),
        (
            p(&good_suv),
            p(&empty),
            vec![],
            "empty.nii: the mask has no labels".into(),
        ),
        (
            p(&good_suv),
            p(&wrong),
            vec![],
            "wrong.nii: mask grid [8, 8, 5] does not match the grid [8, 8, 4] of the SUV volume"
                .into(),
        ),
        (
            p(&good_suv),
            p(&wrong_size),
            vec![],
            "wrong_size.nii: mask voxel size [2.0, 4.0, 4.0] mm does not match".into(),
        ),
        (
            p(&not_nifti),
            p(&good_mask),
            vec![],
            "not.nii: not a NIfTI-1 file: it has 5 bytes".into(),
        ),
        (
            p(&good_suv),
            p(&good_mask),
            vec!["--method", "percist"],
            "percist needs the liver".into(),
        ),
        (
            p(&good_suv),
            p(&good_mask),
            vec!["--method", "percist", "--liver-label", "4"],
            "mask.nii: label 4 is not in the mask".into(),
        ),
    ] {
        let mut args = vec![
            "ingest",
            "pet",
            &suv,
            "--mask",
            &mask,
            "--patient",
            "P001",
            "--date",
            "2024-03-01",
        ];
        args.extend(extra);
        s.run(&args).fails(1, &needle);
    }
    s.run(&[
        "ingest",
        "pet",
        &p(&good_suv),
        "--mask",
        &p(&good_mask),
        "--patient",
        "P001",
        "--date",
        "2024-03-01",
        "--method",
        "relative:1.7",
    ])
    .fails(2, "relative takes a value in [0, 1]");
    assert_eq!(s.dump(), before, "a failed PET ingest must write nothing");
}
