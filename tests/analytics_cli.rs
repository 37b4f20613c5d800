//! Cohort analytics through the binary: file-mode JSON against the reference values, and store mode (matrix, cluster run, survival by cluster, de-identified export) on a demo cohort with cytokine rows inserted here.

use crate::util::Sandbox;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/analytics")
        .join(name)
}

fn object(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("invalid JSON ({e}): {stdout}"))
}

fn expected(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(reference(name)).unwrap()).unwrap()
}

#[test]
fn survival_file_mode_prints_the_documented_json_equal_to_lifelines() {
    let s = Sandbox::new();
    let input = reference("survival.csv");
    let run = s.run_raw(&[
        "--format",
        "json",
        "survival",
        "--input",
        input.to_str().unwrap(),
        "--time-col",
        "time",
        "--event-col",
        "event",
        "--group-col",
        "group",
    ]);
    let out = object(run.ok());
    let want = expected("survival_expected.json");
    let groups = out["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 4);
    for group in groups {
        let name = group["group"].as_str().unwrap();
        let w = &want["groups"][name];
        assert_eq!(group["median"], w["median"]);
        assert_eq!(group["median_ci"], w["median_ci"]);
        for (a, e) in group["km"]
            .as_array()
            .unwrap()
            .iter()
            .zip(w["km"].as_array().unwrap())
        {
            for key in ["survival", "ci_lower", "ci_upper"] {
                let (a, e) = (a[key].as_f64().unwrap(), e[key].as_f64().unwrap());
                assert!((a - e).abs() <= 1e-9, "{name} {key}: {a} vs {e}");
            }
            assert_eq!(a["at_risk"], e["at_risk"]);
        }
    }
    // Four groups: 3 degrees of freedom (A, B, C and D).
    assert_eq!(out["logrank"]["df"], 3);
}

#[test]
fn survival_rejects_a_negative_time_naming_line_and_column() {
    let s = Sandbox::new();
    let input = s.file("t.csv", "time,event\n5,1\n-2,0\n");
    s.run_raw(&[
        "survival",
        "--input",
        input.to_str().unwrap(),
        "--time-col",
        "time",
        "--event-col",
        "event",
    ])
    .fails(1, "line 3");
}

#[test]
fn cluster_file_mode_json_matches_scipy_heights_and_sklearn_silhouette() {
    let s = Sandbox::new();
    let input = reference("cluster_matrix.csv");
    let run = s.run_raw(&[
        "--format",
        "json",
        "cluster",
        "--input",
        input.to_str().unwrap(),
        "--method",
        "average",
        "--k",
        "3",
        "--bootstrap",
        "5",
    ]);
    let out = object(run.ok());
    let want = &expected("cluster_expected.json")["hierarchical"]["average-euclidean"];
    assert_eq!(out["k"], 3);
    assert_eq!(out["method"], "average");
    let heights = out["heights"].as_array().unwrap();
    for (a, e) in heights.iter().zip(want["heights"].as_array().unwrap()) {
        assert!((a.as_f64().unwrap() - e.as_f64().unwrap()).abs() <= 1e-9);
    }
    let silhouette = out["silhouette"].as_f64().unwrap();
    assert!((silhouette - want["silhouette"]["3"].as_f64().unwrap()).abs() <= 1e-9);
    let ids: Vec<&str> = out["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "S000");
    assert_eq!(out["profiles"].as_array().unwrap().len(), 3);
}

/// Issue 11: k-means always runs Euclidean, so a run saved with another `--distance`
/// claimed a distance that never ran. The combination is a usage error (exit 2) that
/// says why, before anything is read or saved.
#[test]
fn kmeans_with_a_distance_other_than_euclidean_is_a_usage_error() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    let input = reference("cluster_matrix.csv");
    let input = input.to_str().unwrap();
    for store_mode in [true, false] {
        let mut args = vec!["cluster", "--method", "kmeans", "--k", "3"];
        args.extend(if store_mode {
            ["--name", "km"]
        } else {
            ["--input", input]
        });
        let with = |distance: &'static str| {
            let mut a = args.clone();
            a.extend(["--distance", distance]);
            s.run(&a)
        };
        with("correlation").fails(
            2,
            "--method kmeans cannot use --distance correlation: k-means minimises Euclidean distances",
        );
        with("manhattan").fails(2, "invalid value 'manhattan' for '--distance");
        assert_eq!(s.dump(), before, "no cluster run saved");
    }
    // Without --distance (or with euclidean) k-means runs, and says Euclidean.
    for extra in [&[][..], &["--distance", "euclidean"][..]] {
        let mut args = vec![
            "--format",
            "json",
            "cluster",
            "--input",
            input,
            "--method",
            "kmeans",
            "--k",
            "3",
            "--bootstrap",
            "2",
        ];
        args.extend(extra);
        let out = object(s.run(&args).ok());
        assert_eq!(out["method"], "kmeans");
        assert_eq!(out["distance"], "euclidean");
    }
    // Typed flags: values outside their sets are usage errors too.
    for (flag, value, needle) in [
        ("--k", "1", "at least 2 clusters"),
        ("--k", "three", "expected a whole number of clusters"),
        ("--method", "median", "invalid value 'median' for '--method"),
        ("--scale", "minmax", "invalid value 'minmax' for '--scale"),
        (
            "--features",
            "genes",
            "invalid value 'genes' for '--features",
        ),
        ("--at", "visit:0", "visits are numbered from 1"),
        (
            "--transform",
            "sqrt",
            "invalid value 'sqrt' for '--transform",
        ),
        ("--impute", "mean", "invalid value 'mean' for '--impute"),
    ] {
        s.run(&["cluster", flag, value]).fails(2, needle);
    }
    for (args, needle) in [
        (["--endpoint", "pfs"], "invalid value 'pfs' for '--endpoint"),
        (
            ["--index", "surgery"],
            "invalid value 'surgery' for '--index",
        ),
        (["--group", "cluster:"], "needs the name of a cluster run"),
        (
            ["--group", "age"],
            "expected cluster:RUN, diagnosis, sex or site",
        ),
    ] {
        let mut a = vec!["survival"];
        a.extend(args);
        s.run(&a).fails(2, needle);
    }
    for (args, needle) in [
        (
            ["--features", "cytokines"],
            "invalid value 'cytokines' for '--features",
        ),
        (
            ["--batch-by", "vendor"],
            "invalid value 'vendor' for '--batch-by",
        ),
    ] {
        let mut a = vec!["harmonize", "--name", "h"];
        a.extend(args);
        s.run(&a).fails(2, needle);
    }
    assert_eq!(s.dump(), before);
}

#[test]
fn harmonize_file_mode_writes_neurocombat_values_in_the_same_columns() {
    let s = Sandbox::new();
    let input = reference("combat_input.csv");
    let out = s.path().join("harmonised.csv");
    s.run_raw(&[
        "harmonize",
        "--input",
        input.to_str().unwrap(),
        "--batch-col",
        "site",
        "--continuous",
        "age",
        "--categorical",
        "sex",
        "--non-parametric",
        "--out",
        out.to_str().unwrap(),
    ])
    .ok();
    let read = |p: &Path| -> Vec<Vec<String>> {
        let mut reader = csv::Reader::from_path(p).unwrap();
        let mut rows = vec![reader.headers().unwrap().iter().map(String::from).collect()];
        rows.extend(
            reader
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect()),
        );
        rows
    };
    let ours = read(&out);
    let want = read(&reference("combat_expected_nonparametric.csv"));
    assert_eq!(ours[0], want[0], "same columns in the same order");
    for (a, e) in ours[1..].iter().zip(&want[1..]) {
        assert_eq!(a[..4], e[..4], "id, batch and covariates unchanged");
        for (x, y) in a[4..].iter().zip(&e[4..]) {
            let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
            assert!((x - y).abs() <= 1e-6 * y.abs(), "{x} vs {y}");
        }
    }
}

#[test]
fn harmonize_refuses_a_batch_with_one_sample() {
    let s = Sandbox::new();
    let input = s.file("one.csv", "id,batch,f\na,x,1\nb,x,2\nc,y,3\n");
    let out = s.path().join("o.csv");
    s.run_raw(&[
        "harmonize",
        "--input",
        input.to_str().unwrap(),
        "--batch-col",
        "batch",
        "--out",
        out.to_str().unwrap(),
    ])
    .fails(1, "single sample");
    assert!(!out.exists());
}

/// A demo cohort (its cytokines carry the planted endotypes) and each patient's planted endotype.
fn demo_cohort(s: &Sandbox) -> Vec<(String, usize)> {
    s.run(&["demo", "--patients", "60", "--out", "files", "--no-tui"])
        .ok();
    let truth = std::fs::read_to_string(s.path().join("files/truth.csv")).unwrap();
    truth
        .lines()
        .skip(1)
        .map(|line| {
            let mut fields = line.split(',');
            let code = fields.next().unwrap().to_string();
            (code, fields.next().unwrap().parse().unwrap())
        })
        .collect()
}

fn ari(a: &[usize], b: &[usize]) -> f64 {
    oncotrack::analysis::cluster::adjusted_rand_index(a, b)
}

#[test]
fn store_mode_matrix_cluster_run_survival_and_deidentified_export() {
    let s = Sandbox::new();
    let planted = demo_cohort(&s);

    let matrix = s.path().join("m.parquet");
    let out = s.run(&[
        "matrix",
        "--features",
        "cytokines",
        "--out",
        matrix.to_str().unwrap(),
    ]);
    assert!(out.ok().contains("60 patients x "), "{}", out.stdout);
    assert!(std::fs::metadata(&matrix).unwrap().len() > 0);

    let run = s.run(&[
        "--format",
        "json",
        "cluster",
        "--k",
        "3",
        "--name",
        "endotypes",
        "--bootstrap",
        "10",
    ]);
    let out = object(run.ok());
    let ours: Vec<usize> = planted
        .iter()
        .map(|(code, _)| {
            out["assignments"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["id"] == code.as_str())
                .unwrap()["cluster"]
                .as_u64()
                .unwrap() as usize
        })
        .collect();
    let truth: Vec<usize> = planted.iter().map(|(_, e)| *e).collect();
    assert!(ari(&ours, &truth) >= 0.8, "ARI {}", ari(&ours, &truth));
    let described: Vec<&str> = out["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["description"].as_str().unwrap())
        .collect();
    assert!(
        described
            .iter()
            .any(|d| d.contains("CXCL5 ↑") && d.contains("MIF ↑")),
        "{described:?}"
    );

    let survival = object(
        s.run(&[
            "--format",
            "json",
            "survival",
            "--group",
            "cluster:endotypes",
        ])
        .ok(),
    );
    assert_eq!(survival["groups"].as_array().unwrap().len(), 3);
    assert_eq!(survival["logrank"]["df"], 2);
    s.run(&["survival", "--group", "cluster:nope"])
        .fails(1, "no such cluster run");

    // Store-mode ComBat of the demo's radiomic features across scanners, saved as a run.
    let run = s.run(&["--format", "json", "harmonize", "--name", "rad-by-scanner"]);
    let summary = object(run.ok());
    assert!(
        summary["params"]["samples"].as_u64().unwrap() > 0,
        "{summary}"
    );
    assert!(summary["params"]["batches"].as_array().unwrap().len() >= 2);
    s.run(&["harmonize", "--name", "rad-by-scanner"])
        .fails(1, "already exists");

    // De-identified export of every table: no original ID nor date survives.
    let key = s.key_file("a-secret-key-of-32-bytes-or-more!!");
    let folder = s.path().join("export");
    s.run(&[
        "--format",
        "csv",
        "export",
        "all",
        "--out",
        folder.to_str().unwrap(),
        "--deidentify",
        "--key-file",
        key.to_str().unwrap(),
    ])
    .ok();
    let events = std::fs::read_to_string(s.path().join("files/events.csv")).unwrap();
    let dates: Vec<&str> = events
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    let mut files = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        files += 1;
        for (code, _) in &planted {
            assert!(!text.contains(code.as_str()), "{code} found in export");
        }
        for date in &dates {
            assert!(!text.contains(date), "{date} found in export");
        }
    }
    assert_eq!(files, 10); // nine store tables (fusions included) and survival
    let survival_csv = std::fs::read_to_string(folder.join("survival.csv")).unwrap();
    assert!(survival_csv.starts_with("patient,os_days,os_event,efs_days,efs_event"));

    // Parquet and IPC are readable back by polars.
    for (format, name) in [("parquet", "clusters.parquet"), ("ipc", "clusters.arrow")] {
        let path = s.path().join(name);
        s.run(&[
            "--format",
            format,
            "export",
            "clusters",
            "--out",
            path.to_str().unwrap(),
        ])
        .ok();
        // Read with the Arrow/Parquet readers under polars (polars itself is built
        // without the date and time types the export writes).
        let mut file = std::fs::File::open(&path).unwrap();
        let rows = if format == "parquet" {
            polars_parquet::read::read_metadata(&mut file)
                .unwrap()
                .num_rows
        } else {
            use polars_arrow::io::ipc::read::{FileReader, read_file_metadata};
            let metadata = read_file_metadata(&mut file).unwrap();
            FileReader::new(file, metadata, None, None)
                .map(|batch| batch.unwrap().height())
                .sum()
        };
        assert_eq!(rows, 120, "two runs of 60 patients");
    }

    // The run's parameters name the flags as the user types them (typed flags since
    // issue 11; the stored JSON is as when they were strings).
    let params = |name: &str| -> Value {
        let text: String = rusqlite::Connection::open(s.db())
            .unwrap()
            .query_row(
                "SELECT params FROM analysis_run WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap();
        object(&text)
    };
    let stored = params("endotypes");
    for (key, value) in [
        ("method", "ward"),
        ("distance", "euclidean"),
        ("k_arg", "3"),
        ("at", "baseline"),
        ("transform", "log1p"),
        ("impute", "median"),
        ("scale", "z"),
    ] {
        assert_eq!(stored[key], value, "{key}: {stored}");
    }
    assert_eq!(stored["k"], 3);
    assert_eq!(stored["features"], serde_json::json!(["cytokines"]));
    let stored = params("rad-by-scanner");
    assert_eq!(stored["features"], "radiomics", "{stored}");
    assert_eq!(stored["batch_by"], "scanner", "{stored}");

    // A k-means run records the Euclidean distance it ran.
    s.run(&[
        "cluster",
        "--method",
        "kmeans",
        "--k",
        "3",
        "--name",
        "km",
        "--bootstrap",
        "2",
        "--at",
        "days:0+-400",
    ])
    .ok();
    let stored = params("km");
    assert_eq!(stored["method"], "kmeans", "{stored}");
    assert_eq!(stored["distance"], "euclidean", "{stored}");
    assert_eq!(stored["at"], "days:0±400", "{stored}");
}
