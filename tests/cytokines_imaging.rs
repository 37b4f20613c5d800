//! Cytokine, lesion and radiomics ingest through the real binary, on small synthetic files and on the real public files in ../shared/data.

use crate::util::{Sandbox, shared_data};
use std::path::PathBuf;

fn count(s: &Sandbox, sql: &str) -> i64 {
    rusqlite::Connection::open(s.db())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn cytokine_panel_round_trips_with_censoring_and_units() {
    let s = Sandbox::new();
    s.with_patients();
    let file = s.file(
        "panel.csv",
        "patient ,date,analyte,value,unit,lloq,uloq,assay\n\
         P001,2024-01-10,IL6,12.5,pg/mL,1.2,5000,Luminex\n\
         P001,2024-01-10,TNF-alpha,0.02,ng/mL,,,Luminex\n\
         P001,2024-01-10,CXCL5,< LLOQ,pg/mL,3.2,,Luminex\n\
         P001,2024-01-10,MIF,OOR >,ng/mL,,40,Luminex\n\
         P001,2024-01-10,IL-8,NA,pg/mL,,,Luminex\n\
         P001,2024-04-02,Interleukin 6,<3.2,pg/mL,,,Luminex\n\
         P001,2024-04-02,Zyxin,4,pg/mL,,,Luminex\n",
    );
    let run = s.run(&["ingest", "cytokines", file.to_str().unwrap()]);
    let out = run.ok();
    assert!(out.contains("6 cytokines records read, 6 new"), "{out}");
    assert!(out.contains("1 cells were NA or empty"), "{out}");
    assert!(
        run.stderr.contains("warning") && run.stderr.contains("Zyxin"),
        "{}",
        run.stderr
    );
    let rows = s.run(&["cytokines", "P001", "--format", "json"]).json();
    let find = |date: &str, analyte: &str| {
        rows.iter()
            .find(|r| r["date"] == date && r["analyte"] == analyte)
            .unwrap_or_else(|| panic!("{date} {analyte} missing"))
            .clone()
    };
    assert_eq!(find("2024-01-10", "TNF-a")["value"], 20.0);
    let cxcl5 = find("2024-01-10", "CXCL5");
    assert_eq!(
        (&cxcl5["value"], &cxcl5["censor"], &cxcl5["bound"]),
        (&serde_json::Value::Null, &"left".into(), &3.2.into())
    );
    let mif = find("2024-01-10", "MIF");
    assert_eq!(
        (&mif["censor"], &mif["bound"]),
        (&"right".into(), &40000.0.into())
    );
    assert_eq!(find("2024-04-02", "IL-6")["bound"], 3.2);
    let il6 = s
        .run(&["cytokines", "P001", "--analyte", "IL.6", "--format", "json"])
        .json();
    assert_eq!(il6.len(), 2);
    let again = s.run(&["ingest", "cytokines", file.to_str().unwrap()]);
    assert!(again.ok().contains("already ingested"));
}

#[test]
fn bad_cytokine_files_are_named_and_write_nothing() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    for (name, content, extra, needle) in [
        (
            "value.csv",
            "patient,date,IL6\nP001,2024-01-10,1\nP002,2024-01-10,\"1,2e3x\"\n",
            vec![],
            "value.csv: line 3: field 'IL6': '1,2e3x': not a number",
        ),
        (
            "unit.csv",
            "patient,date,analyte,value,unit\nP001,2024-01-10,IL6,1,mmol/L\n",
            vec![],
            "line 2: field 'unit': 'mmol/L': unknown unit",
        ),
        (
            "dup.csv",
            "patient,date,analyte,value\nP001,2024-01-10,IL6,1\nP001,2024-01-10,IL-6,2\n",
            vec![],
            "dup.csv: line 3: field 'analyte': IL-6 of P001 on 2024-01-10 already given on line 2",
        ),
        (
            "future.csv",
            "patient,date,IL6\nP001,2099-01-10,1\n",
            vec![],
            "line 2: field 'date': '2099-01-10' lies in the future",
        ),
        (
            "unknown.csv",
            "patient,date,IL6\nP001,2024-01-10,1\nP404,2024-01-10,1\n",
            vec![],
            "line 3: field 'patient': unknown patient 'P404'",
        ),
        (
            "strict.csv",
            "patient,date,Zyxin,IL6,Foo\nP001,2024-01-10,1,2,3\n",
            vec!["--strict"],
            "unknown analyte names (--strict; 2 not in the canonical table, all listed): 'Foo' (line 1), 'Zyxin' (line 1)",
        ),
    ] {
        let path = s.file(name, content);
        let mut args = vec!["ingest", "cytokines", path.to_str().unwrap()];
        args.extend(extra);
        s.run(&args).fails(1, needle);
    }
    assert_eq!(s.dump(), before);
}

#[test]
fn cytoprofile_example_data_ingests_with_a_sample_map() {
    let Some(data) = shared_data("cytokines/cytoprofile_ExampleData2.csv") else {
        return;
    };
    let s = Sandbox::new();
    s.run(&["init"]).ok();
    // The file has no patient or date: 66 samples, one per line 2..=67.
    let mut patients = String::from("patient,diagnosis\n");
    let mut map = String::from("line,patient,date\n");
    for line in 2..=67 {
        patients.push_str(&format!("S{:02},unknown\n", line - 1));
        map.push_str(&format!("{line},S{:02},2022-01-01\n", line - 1));
    }
    let patients = s.file("samples.csv", &patients);
    s.run(&["ingest", "patients", patients.to_str().unwrap()])
        .ok();
    let map = s.file("map.csv", &map);
    let run = s.run(&[
        "ingest",
        "cytokines",
        data.to_str().unwrap(),
        "--sample-map",
        map.to_str().unwrap(),
        "--assay-col",
        "Stimulation",
        "--ignore-col",
        "Group",
        "--unit",
        "pg/mL",
        "--strict",
    ]);
    let out = run.ok();
    // 66 samples x 18 analytes, 3 cells NA.
    assert!(
        out.contains("1185 cytokines records read, 1185 new"),
        "{out}"
    );
    assert!(out.contains("3 cells were NA"), "{out}");
    assert_eq!(
        count(
            &s,
            "SELECT count(DISTINCT analyte) FROM cytokine_measurement"
        ),
        18
    );
    let first = s
        .run(&["cytokines", "S01", "--analyte", "IFN-g", "--format", "json"])
        .json();
    assert_eq!(first[0]["value"], 83607.28);
    assert_eq!(first[0]["assay"], "CD3/CD28");
}

#[test]
fn lesions_ingest_and_conflicts_are_named() {
    let s = Sandbox::new();
    s.with_patients();
    let file = s.file(
        "lesions.csv",
        "patient,date,modality,scanner,site,lesion,organ,target,nodal,longest_diameter_mm,short_axis_mm,mean_hu,new_lesion\n\
         P001,2024-01-10,CT,Siemens Force,Site A,L1,lung,y,n,23.5,,41.2,n\n\
         P001,2024-01-10,CT,Siemens Force,Site A,L2,lymph node,y,y,18,16,,n\n\
         P001,2024-03-10,CT,Siemens Force,Site A,L1,,,,21.0,,30.1,n\n\
         P001,2024-03-10,CT,Siemens Force,Site A,L3,liver,n,n,8,,,y\n",
    );
    let out = s
        .run(&["ingest", "lesions", file.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(out.contains("4 lesions records read, 4 new"), "{out}");
    assert_eq!(count(&s, "SELECT count(*) FROM imaging_study"), 2);
    assert_eq!(
        count(&s, "SELECT count(*) FROM lesion WHERE is_target = 1"),
        2
    );
    let timeline = s.run(&["timeline", "P001", "--format", "json"]).json();
    assert!(timeline.iter().any(|i| i["category"] == "imaging"));

    let before = s.dump();
    let retarget = s.file(
        "retarget.csv",
        "patient,date,modality,lesion,target,longest_diameter_mm\n\
         P001,2024-05-10,CT,L3,y,9\n",
    );
    s.run(&["ingest", "lesions", retarget.to_str().unwrap()])
        .fails(
            1,
            "line 2: field 'lesion': lesion L3 is stored with target = n",
        );
    let rescanned = s.file(
        "scanner.csv",
        "patient,date,modality,scanner,lesion\nP001,2024-01-10,CT,GE Revolution,L1\n",
    );
    s.run(&["ingest", "lesions", rescanned.to_str().unwrap()])
        .fails(
            1,
            "is stored with scanner 'Siemens Force', not 'GE Revolution'",
        );
    assert_eq!(s.dump(), before);
}

#[test]
fn pyradiomics_baselines_ingest_in_transposed_layout_with_a_manifest() {
    let Some(firstorder) = shared_data("radiomics/pyradiomics_baseline_firstorder.csv") else {
        return;
    };
    let Some(shape) = shared_data("radiomics/pyradiomics_baseline_shape.csv") else {
        return;
    };
    let s = Sandbox::new();
    s.with_patients();
    let header = std::fs::read_to_string(&firstorder).unwrap();
    assert_eq!(
        header.lines().next().unwrap().split(',').count(),
        21,
        "20 cases"
    );
    // Every baseline class; their case columns differ (shape2D: brain1_shape2D ...; glcm
    // also brain1_2d ...). Each distinct case is its own lesion of P001 or P002, one
    // study (and scanner) per patient.
    let classes = [
        "firstorder",
        "shape",
        "shape2D",
        "glcm",
        "glrlm",
        "glszm",
        "gldm",
        "ngtdm",
    ];
    let files: Vec<PathBuf> = classes
        .iter()
        .map(|c| shape.with_file_name(format!("pyradiomics_baseline_{c}.csv")))
        .collect();
    let mut cases = std::collections::BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        cases.extend(
            text.lines()
                .next()
                .unwrap()
                .split(',')
                .skip(1)
                .map(str::to_string),
        );
    }
    let mut manifest = String::from("case,patient,date,lesion,scanner\n");
    for (n, case) in cases.iter().enumerate() {
        let patient = 1 + n % 2;
        manifest.push_str(&format!(
            "{case},P00{patient},2024-01-01,{case},scanner{patient}\n"
        ));
    }
    let manifest = s.file("manifest.csv", &manifest);
    for file in &files {
        let out = s
            .run(&[
                "ingest",
                "radiomics",
                file.to_str().unwrap(),
                "--manifest",
                manifest.to_str().unwrap(),
            ])
            .ok()
            .to_string();
        assert!(out.contains("radiomics records read"), "{out}");
    }
    let value: f64 = rusqlite::Connection::open(s.db())
        .unwrap()
        .query_row(
            "SELECT f.value FROM radiomic_feature f JOIN lesion l USING (lesion_id)
              WHERE l.label = 'brain1' AND f.feature = 'original_firstorder_Mean'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let line = header
        .lines()
        .find(|l| l.starts_with("original_firstorder_Mean,"))
        .unwrap();
    let expected: f64 = line.split(',').nth(1).unwrap().parse().unwrap();
    assert_eq!(value, expected);
    assert!(
        count(
            &s,
            "SELECT count(*) FROM radiomic_feature WHERE feature LIKE 'original_shape_%'"
        ) > 0
    );
    assert!(
        count(
            &s,
            "SELECT count(*) FROM study_metadata WHERE key = 'brain1/diagnostics_Versions_PyRadiomics'"
        ) == 1
    );
}

#[test]
fn radiomics_batch_rows_map_by_columns_and_bad_values_are_named() {
    let s = Sandbox::new();
    s.with_patients();
    let good = s.file(
        "batch.csv",
        "Image,Mask,patient,date,lesion,diagnostics_Versions_PyRadiomics,original_shape_MeshVolume,original_firstorder_Mean\n\
         a.nrrd,a_m.nrrd,P001,2024-01-10,L1,v3.1.0,3050.2,41.5\n\
         b.nrrd,b_m.nrrd,P002,2024-01-12,L1,v3.1.0,nan,12\n",
    );
    let out = s
        .run(&["ingest", "radiomics", good.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(out.contains("2 radiomics records read, 2 new"), "{out}");
    assert!(out.contains("1 feature values were empty or nan"), "{out}");
    let before = s.dump();
    let bad = s.file(
        "bad.csv",
        "patient,date,lesion,original_firstorder_Mean\nP001,2024-01-11,L1,12\nP001,2024-01-12,L1,\"(1, 2)\"\n",
    );
    s.run(&["ingest", "radiomics", bad.to_str().unwrap()])
        .fails(
            1,
            "bad.csv: line 3: field 'original_firstorder_Mean': '(1, 2)'",
        );
    assert_eq!(s.dump(), before);
}

#[test]
fn demo_ingests_cytokines_and_imaging_with_the_planted_patterns() {
    let s = Sandbox::new();
    s.run(&["demo", "--patients", "40", "--out", "files"]).ok();
    for name in [
        "cytokines.csv",
        "lesions_visit01.csv",
        "radiomics.csv",
        "radiomics_manifest.csv",
    ] {
        assert!(s.path().join("files").join(name).is_file(), "{name}");
    }
    assert!(s.path().join("files/pet/").read_dir().unwrap().count() >= 4);
    // Issue 14 §6: each PET is a DICOM series with its RTSTRUCT as the mask, nothing in
    // NIfTI; PERCIST's liver is the ROI named LIVER, so every PET study has its reference.
    for entry in s.path().join("files/pet/").read_dir().unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            name.ends_with("_pt") || name.ends_with("_rtstruct.dcm"),
            "{name}"
        );
    }
    let pet_studies = "SELECT count(*) FROM imaging_study WHERE modality = 'PET'";
    assert!(count(&s, pet_studies) > 0);
    assert_eq!(
        count(
            &s,
            &format!("{pet_studies} AND liver_suv_mean BETWEEN 1.9 AND 2.1")
        ),
        count(&s, pet_studies)
    );
    assert_eq!(
        count(
            &s,
            "SELECT count(*) FROM lesion l JOIN pet_uptake USING (lesion_id) WHERE l.label = 'LIVER'"
        ),
        0
    );
    // The timeline counts a PET study's lesions (it counted CT measurements only: 0).
    let pet: Vec<String> = s
        .run(&["timeline", "P001", "--format", "json"])
        .json()
        .iter()
        .filter(|i| i["item"] == "PET")
        .map(|i| i["detail"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(pet.len(), 2, "{pet:?}");
    assert!(
        pet.iter()
            .all(|d| d.ends_with(" lesions") && !d.ends_with(" 0 lesions")),
        "{pet:?}"
    );
    for table in [
        "cytokine_measurement",
        "lesion_measurement",
        "pet_uptake",
        "radiomic_feature",
    ] {
        assert!(
            count(&s, &format!("SELECT count(*) FROM {table}")) > 0,
            "{table} is empty"
        );
    }
    assert!(
        count(
            &s,
            "SELECT count(*) FROM cytokine_measurement WHERE censor = 'left'"
        ) > 0
    );
    let truth = std::fs::read_to_string(s.path().join("files/truth.csv")).unwrap();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    // Target sum and mean HU at the first and third visit (both before any progression
    // of responders and necrotic responders).
    let at = |code: &str, visit: usize| -> (f64, f64) {
        conn.query_row(
            "SELECT sum(CASE WHEN l.is_nodal = 1 THEN m.short_axis_mm ELSE m.longest_diameter_mm END),
                    avg(m.mean_hu)
               FROM lesion_measurement m JOIN imaging_study s USING (study_id)
               JOIN lesion l USING (lesion_id) JOIN patient p ON p.patient_id = s.patient_id
              WHERE p.code = ?1 AND l.is_target = 1 AND s.date =
                    (SELECT date FROM imaging_study s2 WHERE s2.patient_id = p.patient_id AND s2.modality = 'CT'
                      ORDER BY date LIMIT 1 OFFSET ?2)",
            rusqlite::params![code, visit as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let mut checked = [0, 0];
    for line in truth.lines().skip(1) {
        let code = line.split(',').next().unwrap();
        let (sum0, hu0) = at(code, 0);
        let (sum2, hu2) = at(code, 2);
        if line.contains(",responder,") {
            assert!(sum2 <= 0.7 * sum0, "{code}: {sum0} -> {sum2}");
            checked[0] += 1;
        } else if line.contains(",necrotic-responder,") {
            assert!(
                (sum2 - sum0).abs() < 0.2 * sum0,
                "{code}: RECIST SD {sum0} -> {sum2}"
            );
            assert!(hu2 <= 0.85 * hu0, "{code}: Choi PR {hu0} -> {hu2}");
            checked[1] += 1;
        }
    }
    assert!(checked[0] > 0 && checked[1] > 0, "{checked:?}");
    // The planted myeloid endotype (3) has higher CXCL5 and MIF than the quiescent one (1),
    // the acute-phase one (2) higher IL-6.
    let geomean = |endotype: &str, analyte: &str| -> f64 {
        let codes: Vec<&str> = truth
            .lines()
            .skip(1)
            .filter(|l| l.split(',').nth(1) == Some(endotype))
            .map(|l| l.split(',').next().unwrap())
            .collect();
        let mut logs = Vec::new();
        for code in codes {
            for row in s
                .run(&["cytokines", code, "--analyte", analyte, "--format", "json"])
                .json()
            {
                let v = row["value"].as_f64().or(row["bound"].as_f64()).unwrap();
                logs.push(v.ln());
            }
        }
        (logs.iter().sum::<f64>() / logs.len() as f64).exp()
    };
    for (high, analyte) in [("3", "CXCL5"), ("3", "MIF"), ("2", "IL-6")] {
        let (planted, quiescent) = (geomean(high, analyte), geomean("1", analyte));
        assert!(
            planted > 2.0 * quiescent,
            "{analyte}: {planted} vs {quiescent}"
        );
    }
}
