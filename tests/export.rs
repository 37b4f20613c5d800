//! `export` and `matrix`: de-identification that holds (pseudonym order, no calendar date, ages, sites), standard output, refusals and partitioned datasets.

use crate::util::Sandbox;

/// Whether `text` holds anything shaped like a calendar date (`dddd-dd-dd`).
fn has_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(10).any(|w| {
        w.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
    })
}

fn column(csv: &str, name: &str) -> Vec<String> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let i = header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    lines
        .map(|l| l.split(',').nth(i).unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_deidentified_export_keeps_no_code_order_date_site_nor_exact_old_age() {
    let s = Sandbox::new();
    s.run(&["demo", "--patients", "20", "--out", "files", "--no-tui"])
        .ok();
    // One patient older than 90 at the index date.
    s.run(&[
        "patient",
        "add",
        "P900",
        "--diagnosis",
        "chondrosarcoma",
        "--birth-year",
        "1920",
        "--site",
        "Site Z",
    ])
    .ok();
    s.run(&[
        "event",
        "add",
        "P900",
        "--date",
        "2024-03-05",
        "--kind",
        "diagnosis",
    ])
    .ok();
    let key = s.key_file("0123456789abcdef0123456789abcdef\n");
    let key = key.to_str().unwrap();
    let folder = s.path().join("deid");
    s.run(&[
        "--format",
        "csv",
        "export",
        "all",
        "--out",
        folder.to_str().unwrap(),
        "--deidentify",
        "--key-file",
        key,
    ])
    .ok();
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!has_date(&text), "a calendar date in {}", path.display());
        assert!(
            !text.contains("P0") && !text.contains("P900"),
            "a code in {}",
            path.display()
        );
        assert!(!text.contains("Site "), "a site name in {}", path.display());
        let patients = column(&text, "patient");
        let mut sorted = patients.clone();
        sorted.sort();
        assert_eq!(
            patients,
            sorted,
            "{} not in pseudonym order",
            path.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 10); // fusions included
    let patients = std::fs::read_to_string(folder.join("patients.csv")).unwrap();
    assert_eq!(
        patients.lines().next().unwrap(),
        "patient,diagnosis,sex,age_at_index,primary_site,height_cm"
    );
    let ages: Vec<i64> = column(&patients, "age_at_index")
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    assert_eq!(ages.len(), 21);
    assert_eq!(
        ages.iter().max(),
        Some(&90),
        "P900 (104 at index) reported as 90"
    );
    let clusters = std::fs::read_to_string(folder.join("clusters.csv")).unwrap();
    assert!(!clusters.lines().next().unwrap().contains("created_at"));

    // The matrix takes the same flags and gives the same pseudonyms.
    let matrix = s.path().join("m.csv");
    s.run(&[
        "matrix",
        "--out",
        matrix.to_str().unwrap(),
        "--deidentify",
        "--key-file",
        key,
    ])
    .ok();
    let matrix = std::fs::read_to_string(&matrix).unwrap();
    let in_matrix = column(&matrix, "patient");
    let mut sorted = in_matrix.clone();
    sorted.sort();
    assert_eq!(in_matrix, sorted, "matrix not in pseudonym order");
    let known = column(&patients, "patient");
    assert!(!in_matrix.is_empty());
    assert!(
        in_matrix.iter().all(|p| known.contains(p)),
        "matrix pseudonyms differ"
    );

    // The analysis-ready cohort: one row per patient, the run's clusters, survival as in
    // the survival table, no calendar date.
    let cohort = s.path().join("cohort.csv");
    s.run(&[
        "--format",
        "csv",
        "export",
        "cohort",
        "--cluster",
        "demo-endotypes",
        "--out",
        cohort.to_str().unwrap(),
        "--deidentify",
        "--key-file",
        key,
    ])
    .ok();
    let cohort = std::fs::read_to_string(&cohort).unwrap();
    assert!(!has_date(&cohort));
    assert_eq!(column(&cohort, "patient"), column(&patients, "patient"));
    let survival = std::fs::read_to_string(folder.join("survival.csv")).unwrap();
    for name in ["os_days", "os_event", "efs_days", "efs_event"] {
        assert_eq!(column(&cohort, name), column(&survival, name), "{name}");
    }
    let labelled = column(&cohort, "cluster")
        .iter()
        .filter(|c| !c.is_empty())
        .count();
    assert_eq!(labelled, column(&clusters, "patient").len());
    assert!(column(&cohort, "recist_best").iter().any(|c| !c.is_empty()));
    assert!(
        column(&cohort, "last_draw_day")
            .iter()
            .any(|c| !c.is_empty())
    );

    // Site names stay only when asked for.
    let kept = s.path().join("kept.csv");
    s.run(&[
        "--format",
        "csv",
        "export",
        "patients",
        "--out",
        kept.to_str().unwrap(),
        "--deidentify",
        "--key-file",
        key,
        "--keep-site",
    ])
    .ok();
    let kept = std::fs::read_to_string(&kept).unwrap();
    assert!(column(&kept, "site").iter().any(|v| v == "Site Z"));
}

#[test]
fn export_writes_to_standard_output_refuses_what_disagrees_and_writes_empty_tables_as_headers() {
    let s = Sandbox::new();
    s.with_patients();
    let run = s.run(&["--format", "csv", "export", "clusters", "--out", "-"]);
    assert_eq!(
        run.ok(),
        "run,patient,cluster,silhouette,pc1,pc2,params,created_at\n",
        "an empty table is its header"
    );
    let run = s.run(&["--format", "csv", "export", "patients", "--out", "-"]);
    assert!(
        run.ok().starts_with("patient,index_date,diagnosis"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("P001,,osteosarcoma,F,,2007,Site A,"),
        "{}",
        run.stdout
    );
    let out = s.path().join("x.csv");
    s.run(&[
        "--format",
        "parquet",
        "export",
        "patients",
        "--out",
        out.to_str().unwrap(),
    ])
    .fails(1, "its extension says csv but the format is parquet");
    assert!(!out.exists());
    // Without --format the extension decides.
    let parquet = s.path().join("p.parquet");
    s.run(&["export", "patients", "--out", parquet.to_str().unwrap()])
        .ok();
    let mut file = std::fs::File::open(&parquet).unwrap();
    assert_eq!(
        polars_parquet::read::read_metadata(&mut file)
            .unwrap()
            .num_rows,
        2
    );
    s.run(&["--format", "csv", "export", "all", "--out", "-"])
        .fails(1, "name a folder");
    let key = s.key_file("0123456789abcdef0123456789abcdef\n");
    let key = key.to_str().unwrap();
    for (by, needle) in [("year", "a calendar year"), ("site", "--keep-site")] {
        s.run(&[
            "--format",
            "parquet",
            "export",
            "patients",
            "--out",
            "ds",
            "--partition-by",
            by,
            "--deidentify",
            "--key-file",
            key,
        ])
        .fails(1, needle);
    }
}

#[test]
fn a_partitioned_export_writes_one_parquet_file_per_value_without_the_column() {
    let s = Sandbox::new();
    s.with_patients();
    let ds = s.path().join("ds");
    s.run(&[
        "--format",
        "parquet",
        "export",
        "patients",
        "--out",
        ds.to_str().unwrap(),
        "--partition-by",
        "site",
    ])
    .ok();
    for (folder, rows) in [("site=Site A", 1), ("site=__HIVE_DEFAULT_PARTITION__", 1)] {
        let path = ds.join(folder).join("part-0.parquet");
        let mut file = std::fs::File::open(&path).unwrap();
        let metadata = polars_parquet::read::read_metadata(&mut file).unwrap();
        assert_eq!(metadata.num_rows, rows, "{}", path.display());
        let names: Vec<String> = metadata
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().to_string())
            .collect();
        assert!(!names.contains(&"site".to_string()), "{names:?}");
        assert!(names.contains(&"patient".to_string()), "{names:?}");
    }
}
