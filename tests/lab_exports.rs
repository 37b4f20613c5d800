//! Issue 18: cytokine panels and radiomics tables as laboratories and PyRadiomics write them (fixtures/cytokines, fixtures/radiomics), every stored value checked.

use crate::util::{Sandbox, shared_data};
use std::path::PathBuf;

fn fixture(relative: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(relative)
        .display()
        .to_string()
}

/// One stored cytokine value: (patient, date, analyte, assay, value, censor, bound, unit).
type Stored = (
    String,
    String,
    String,
    String,
    Option<f64>,
    String,
    Option<f64>,
    String,
);

fn stored(s: &Sandbox) -> Vec<Stored> {
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT p.code, c.date, c.analyte, c.assay, c.value, c.censor, c.bound, c.unit
               FROM cytokine_measurement c JOIN patient p USING (patient_id)
              ORDER BY p.code, c.date, c.assay, c.analyte",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn row(
    patient: &str,
    date: &str,
    analyte: &str,
    assay: &str,
    value: Option<f64>,
    censor: &str,
    bound: Option<f64>,
) -> Stored {
    (
        patient.into(),
        date.into(),
        analyte.into(),
        assay.into(),
        value,
        censor.into(),
        bound,
        "pg/mL".into(),
    )
}

/// A sandbox with P001 and P002 and the Bio-Plex panel of three stimulation conditions.
fn conditions() -> Sandbox {
    let s = Sandbox::new();
    s.with_patients();
    let out = s
        .run(&[
            "ingest",
            "cytokines",
            &fixture("cytokines/bioplex_wide_conditions.csv"),
            "--assay-col",
            "Stimulation",
            "--strict",
        ])
        .ok()
        .to_string();
    assert!(out.contains("43 cytokines records read, 43 new"), "{out}");
    assert!(
        out.contains("read as wide layout (one column per analyte): the header has no 'analyte' column; 5 analyte columns"),
        "{out}"
    );
    assert!(
        out.contains("2 limits rows (LLOQ/ULOQ/floor) read"),
        "{out}"
    );
    assert!(out.contains("1 cells were NA or empty"), "{out}");
    assert!(
        out.contains("1 cells were *** (no concentration computed"),
        "{out}"
    );
    assert!(out.contains("1 numbers lay beyond their limits"), "{out}");
    s
}

#[test]
fn bio_plex_panel_with_three_stimulation_conditions_keeps_every_condition() {
    let s = conditions();
    let (cd3, lps, unst) = ("CD3/CD28", "LPS", "unstimulated");
    let v = |x: f64| Some(x);
    let expected = vec![
        row("P001", "2024-01-10", "CCL20", cd3, v(410.7), "none", None),
        row("P001", "2024-01-10", "IL-12p70", cd3, v(55.2), "none", None),
        row("P001", "2024-01-10", "IL-25", cd3, v(88.1), "none", None),
        row("P001", "2024-01-10", "IL-6", cd3, v(1450.2), "none", None),
        row("P001", "2024-01-10", "TNF-a", cd3, v(320.5), "none", None),
        row("P001", "2024-01-10", "CCL20", lps, v(1020.4), "none", None),
        // 0.31 lies below the column's LLOQ (0.6): censored, not measured.
        row("P001", "2024-01-10", "IL-12p70", lps, None, "left", v(0.6)),
        row("P001", "2024-01-10", "IL-25", lps, v(4.1), "none", None),
        row("P001", "2024-01-10", "IL-6", lps, None, "right", v(8000.0)),
        row("P001", "2024-01-10", "TNF-a", lps, v(912.3), "none", None),
        row("P001", "2024-01-10", "CCL20", unst, v(12.5), "none", None),
        row("P001", "2024-01-10", "IL-12p70", unst, v(0.9), "none", None),
        // IL-25 unstimulated was *** (not stored).
        row("P001", "2024-01-10", "IL-6", unst, v(3.4), "none", None),
        row("P001", "2024-01-10", "TNF-a", unst, None, "left", v(0.8)),
        row("P001", "2024-04-02", "CCL20", cd3, v(395.5), "none", None),
        row("P001", "2024-04-02", "IL-12p70", cd3, v(48.8), "none", None),
        row("P001", "2024-04-02", "IL-25", cd3, v(70.2), "none", None),
        row("P001", "2024-04-02", "IL-6", cd3, v(1210.9), "none", None),
        row("P001", "2024-04-02", "TNF-a", cd3, v(290.4), "none", None),
        row("P001", "2024-04-02", "CCL20", lps, v(990.1), "none", None),
        row("P001", "2024-04-02", "IL-12p70", lps, v(0.8), "none", None),
        row("P001", "2024-04-02", "IL-25", lps, v(3.9), "none", None),
        row("P001", "2024-04-02", "IL-6", lps, v(6100.3), "none", None),
        row("P001", "2024-04-02", "TNF-a", lps, v(800.2), "none", None),
        row("P001", "2024-04-02", "CCL20", unst, v(14.2), "none", None),
        row("P001", "2024-04-02", "IL-12p70", unst, v(0.7), "none", None),
        row("P001", "2024-04-02", "IL-25", unst, v(2.6), "none", None),
        row("P001", "2024-04-02", "IL-6", unst, v(5.1), "none", None),
        row("P001", "2024-04-02", "TNF-a", unst, v(0.9), "none", None),
        row("P002", "2024-01-12", "CCL20", cd3, v(388.2), "none", None),
        row("P002", "2024-01-12", "IL-12p70", cd3, v(40.7), "none", None),
        row("P002", "2024-01-12", "IL-25", cd3, v(61.9), "none", None),
        row("P002", "2024-01-12", "IL-6", cd3, v(980.6), "none", None),
        row("P002", "2024-01-12", "TNF-a", cd3, v(210.0), "none", None),
        row("P002", "2024-01-12", "CCL20", lps, v(870.9), "none", None),
        row("P002", "2024-01-12", "IL-12p70", lps, v(1.2), "none", None),
        row("P002", "2024-01-12", "IL-25", lps, v(3.3), "none", None),
        row("P002", "2024-01-12", "IL-6", lps, v(7200.5), "none", None),
        row("P002", "2024-01-12", "TNF-a", lps, v(655.1), "none", None),
        row("P002", "2024-01-12", "CCL20", unst, v(8.8), "none", None),
        // IL-12p70 unstimulated was NA (not stored).
        row("P002", "2024-01-12", "IL-25", unst, None, "left", v(2.5)),
        row("P002", "2024-01-12", "IL-6", unst, v(2.2), "none", None),
        row("P002", "2024-01-12", "TNF-a", unst, v(1.1), "none", None),
    ];
    assert_eq!(stored(&s), expected);
    // Every value carries its column's limits.
    let limits: (f64, f64) = rusqlite::Connection::open(s.db())
        .unwrap()
        .query_row(
            "SELECT lloq, uloq FROM cytokine_measurement WHERE analyte = 'IL-25' LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(limits, (2.5, 12000.0));
    // The timeline counts analytes, not analyte x assay.
    let timeline = s.run(&["timeline", "P001", "--format", "json"]).json();
    let panel = timeline
        .iter()
        .find(|i| i["category"] == "cytokines")
        .unwrap();
    assert_eq!(panel["detail"], "5 analytes x 3 assays");
}

#[test]
fn matrix_trend_cluster_and_export_use_the_condition_named_or_refuse_with_the_list() {
    let s = conditions();
    let out = s.path().join("m.csv");
    let out = out.to_str().unwrap();
    let listed = "cytokines are stored under 3 assays ('CD3/CD28', 'LPS', 'unstimulated') and none was chosen";
    s.run(&["matrix", "--features", "cytokines", "--out", out])
        .fails(1, listed);
    s.run(&["cluster", "--features", "cytokines", "--k", "2"])
        .fails(1, listed);
    let done = s
        .run(&[
            "--format",
            "json",
            "matrix",
            "--features",
            "cytokines",
            "--assay",
            "LPS",
            "--transform",
            "none",
            "--scale",
            "none",
            "--out",
            out,
        ])
        .ok()
        .to_string();
    let done: serde_json::Value = serde_json::from_str(&done).unwrap();
    assert_eq!(done["assay"], "LPS");
    assert_eq!(done["patients"], 2);
    let csv = std::fs::read_to_string(out).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "patient,CCL20,IL-12p70,IL-25,IL-6,TNF-a"
    );
    // P001's baseline under LPS: IL-12p70 and IL-6 enter at their bounds.
    assert_eq!(lines.next().unwrap(), "P001,1020.4,0.6,4.1,8000,912.3");
    s.run(&["matrix", "--assay", "PMA", "--out", out]).fails(
        1,
        "no cytokine is stored under assay 'PMA'; the assays stored are 'CD3/CD28', 'LPS', 'unstimulated'",
    );
    let all = s
        .run(&["--format", "json", "matrix", "--assay", "all", "--out", out])
        .ok()
        .to_string();
    let all: serde_json::Value = serde_json::from_str(&all).unwrap();
    assert_eq!(all["features"].as_array().unwrap().len(), 15);
    assert!(
        all["features"]
            .as_array()
            .unwrap()
            .contains(&"IL-6@CD3/CD28".into())
    );

    s.run(&["trend", "P001", "--series", "cytokine:IL-6"])
        .fails(
            1,
            "IL-6 is stored under 3 assays ('CD3/CD28', 'LPS', 'unstimulated')",
        );
    let trend = s
        .run(&[
            "--format",
            "json",
            "trend",
            "P001",
            "--series",
            "cytokine:IL-6@CD3/CD28",
        ])
        .json();
    assert_eq!(trend[0]["series"], "cytokine:IL-6@CD3/CD28");
    assert_eq!(
        (&trend[0]["baseline"], &trend[0]["latest"]),
        (&1450.2.into(), &1210.9.into())
    );
    let by_flag = s
        .run(&[
            "--format",
            "json",
            "trend",
            "P001",
            "--series",
            "cytokine:IL-6",
            "--assay",
            "LPS",
        ])
        .json();
    assert_eq!(by_flag[0]["series"], "cytokine:IL-6@LPS");
    assert_eq!(by_flag[0]["censored"], 1);

    let rows = s
        .run(&[
            "--format",
            "json",
            "cytokines",
            "P002",
            "--assay",
            "unstimulated",
        ])
        .json();
    assert_eq!(rows.len(), 4);
    let export = s.path().join("cyto.csv");
    s.run(&[
        "export",
        "cytokines",
        "--assay",
        "CD3/CD28",
        "--out",
        export.to_str().unwrap(),
    ])
    .ok();
    let text = std::fs::read_to_string(&export).unwrap();
    assert_eq!(text.lines().count(), 1 + 15, "{text}");
    assert!(
        text.lines().skip(1).all(|l| l.contains("CD3/CD28")),
        "{text}"
    );
    s.run(&[
        "export",
        "cytokines",
        "--assay",
        "PMA",
        "--out",
        export.to_str().unwrap(),
    ])
    .fails(1, "the assays stored are 'CD3/CD28', 'LPS', 'unstimulated'");

    // The UI draws one series per analyte and assay.
    let screen = s
        .run(&["tui", "--snapshot", "patient:P001", "--size", "160x50"])
        .ok()
        .to_string();
    assert!(screen.contains("cytokine 1/15"), "{screen}");
    assert!(screen.contains("CCL20 @ CD3/CD28"), "{screen}");
    let lps = s
        .run(&[
            "tui",
            "--snapshot",
            "patient:P001",
            "--size",
            "160x50",
            "--assay",
            "LPS",
        ])
        .ok()
        .to_string();
    assert!(lps.contains("cytokine 1/5"), "{lps}");
    assert!(lps.contains("CCL20 @ LPS"), "{lps}");
}

#[test]
fn milliplex_long_file_with_two_kits_and_a_concentration_column() {
    let s = Sandbox::new();
    s.with_patients();
    let out = s
        .run(&[
            "ingest",
            "cytokines",
            &fixture("cytokines/milliplex_long_two_kits.csv"),
            "--strict",
        ])
        .ok()
        .to_string();
    assert!(out.contains("7 cytokines records read, 7 new"), "{out}");
    assert!(
        out.contains("long layout (one row per analyte): the header has an 'analyte' column; values in 'concentration'"),
        "{out}"
    );
    assert!(out.contains("1 numbers lay beyond their limits"), "{out}");
    let (a, b) = ("HCYTA-60K", "HTH17MAG-14K");
    assert_eq!(
        stored(&s),
        vec![
            row("P001", "2024-01-10", "CD40L", a, Some(1250.0), "none", None),
            row("P001", "2024-01-10", "IL-6", a, Some(4.21), "none", None),
            row("P001", "2024-01-10", "MIP-1a", a, Some(15.3), "none", None),
            row("P001", "2024-01-10", "IL-25", b, None, "left", Some(6.4)),
            row(
                "P001",
                "2024-01-10",
                "IL-28A",
                b,
                None,
                "right",
                Some(2000.0)
            ),
            row("P001", "2024-01-10", "IL-6", b, Some(5.02), "none", None),
            // The laboratory's 0.01 below an LLOQ of 3.2 is below range, not a value.
            row("P002", "2024-01-12", "IL-6", a, None, "left", Some(3.2)),
        ]
    );
    let raw: String = rusqlite::Connection::open(s.db())
        .unwrap()
        .query_row(
            "SELECT value_raw FROM cytokine_measurement WHERE analyte = 'IL-6' AND censor = 'left'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(raw, "0.01", "the cell as written is kept");
}

#[test]
fn a_limits_file_with_the_laboratory_floor_flags_its_placeholders() {
    let s = Sandbox::new();
    s.with_patients();
    let out = s
        .run(&[
            "ingest",
            "cytokines",
            &fixture("cytokines/floor_wide.csv"),
            "--limits",
            &fixture("cytokines/floor_limits.csv"),
        ])
        .ok()
        .to_string();
    assert!(
        out.contains("3 numbers lay beyond their limits (or at the floor)"),
        "{out}"
    );
    assert_eq!(
        stored(&s),
        vec![
            row("P001", "2024-01-10", "IL-10", "", None, "left", Some(0.5)),
            row("P001", "2024-01-10", "IL-6", "", None, "left", Some(1.5)),
            row("P001", "2024-01-10", "IL-8", "", Some(12.3), "none", None),
            row("P002", "2024-01-12", "IL-10", "", Some(4.4), "none", None),
            row("P002", "2024-01-12", "IL-6", "", Some(2.5), "none", None),
            row("P002", "2024-01-12", "IL-8", "", None, "left", Some(2.0)),
        ]
    );
}

#[test]
fn a_long_file_without_a_value_column_is_not_read_as_wide() {
    let s = Sandbox::new();
    s.with_patients();
    let file = s.file(
        "long.csv",
        "patient,date,analyte,pg_per_ml\nP001,2024-01-10,IL-6,3.2\n",
    );
    s.run(&["ingest", "cytokines", file.to_str().unwrap()]).fails(
        1,
        "long.csv: line 1: field 'value': read as a long table (one row per analyte) because the header has an 'analyte' column, but it has no value column",
    );
    let out = s
        .run(&[
            "ingest",
            "cytokines",
            file.to_str().unwrap(),
            "--value-col",
            "pg_per_ml",
        ])
        .ok()
        .to_string();
    assert!(out.contains("1 new"), "{out}");
}

#[test]
fn pandas_written_pyradiomics_batch_ingests_with_only_a_manifest() {
    let s = Sandbox::new();
    s.with_patients();
    let out = s
        .run(&[
            "ingest",
            "radiomics",
            &fixture("radiomics/pandas_batch.csv"),
            "--manifest",
            &fixture("radiomics/pandas_manifest.csv"),
        ])
        .ok()
        .to_string();
    assert!(out.contains("3 radiomics records read, 3 new"), "{out}");
    assert!(
        out.contains("case ids from the unnamed first column (the index pandas' to_csv writes)"),
        "{out}"
    );
    assert!(
        out.contains("kept as case metadata (study metadata <lesion>/<column>): class"),
        "{out}"
    );
    assert!(out.contains("1 feature values were empty or nan"), "{out}");
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/reference/radiomics/pandas_batch_expected.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // Case → (patient, lesion) as the manifest maps it (by path or by file name).
    let place = [
        ("5060090.nrrd", "P001", "T1"),
        ("5060091.nrrd", "P001", "T2"),
        ("5060092.nrrd", "P002", "T1"),
    ];
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let mut checked = 0;
    for (case, patient, lesion) in place {
        for (feature, value) in expected["features"][case].as_object().unwrap() {
            let got: f64 = conn
                .query_row(
                    "SELECT f.value FROM radiomic_feature f JOIN lesion l USING (lesion_id)
                       JOIN patient p USING (patient_id)
                      WHERE p.code = ?1 AND l.label = ?2 AND f.feature = ?3",
                    [patient, lesion, feature.as_str()],
                    |r| r.get(0),
                )
                .unwrap();
            // Written as text (repr): parsed here exactly, as the reader parses the CSV.
            let want: f64 = value.as_str().unwrap().parse().unwrap();
            assert_eq!(got, want, "{case} {feature}");
            checked += 1;
        }
        let class: String = conn
            .query_row(
                "SELECT m.value FROM study_metadata m JOIN imaging_study s USING (study_id)
                   JOIN patient p USING (patient_id) WHERE p.code = ?1 AND m.key = ?2",
                [patient, &format!("{lesion}/class")],
                |r| r.get(0),
            )
            .unwrap();
        assert!(["high", "low"].contains(&class.as_str()));
    }
    assert_eq!(checked, 14);
    let total: i64 = conn
        .query_row("SELECT count(*) FROM radiomic_feature", [], |r| r.get(0))
        .unwrap();
    assert_eq!(total, 14, "nothing beyond the features pandas wrote");
}

#[test]
fn shared_cytoprofile_panel_keeps_its_stimulation_as_the_assay() {
    let Some(data) = shared_data("cytokines/cytoprofile_ExampleData2.csv") else {
        return;
    };
    let s = Sandbox::new();
    s.run(&["init"]).ok();
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
    let out = s
        .run(&[
            "ingest",
            "cytokines",
            data.to_str().unwrap(),
            "--sample-map",
            map.to_str().unwrap(),
            "--assay-col",
            "Stimulation",
            "--ignore-col",
            "Group",
            "--strict",
        ])
        .ok()
        .to_string();
    assert!(out.contains("18 analyte columns"), "{out}");
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let (assays, ccl20): (String, i64) = conn
        .query_row(
            "SELECT group_concat(DISTINCT assay), sum(analyte = 'CCL20') FROM cytokine_measurement",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(assays, "CD3/CD28");
    assert!(ccl20 > 60, "CCL.20 resolves to CCL20");
    // One condition stored: the matrix uses it and says so.
    let out_file = s.path().join("m.csv");
    let done = s
        .run(&[
            "matrix",
            "--features",
            "cytokines",
            "--out",
            out_file.to_str().unwrap(),
        ])
        .ok()
        .to_string();
    assert!(done.contains("cytokines of assay 'CD3/CD28'"), "{done}");
    assert!(done.contains("66 patients x 18 features"), "{done}");
}
