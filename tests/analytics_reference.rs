//! Cohort analytics against the reference tools (lifelines, scipy, scikit-learn, neuroCombat) on the committed inputs of tests/reference/analytics/.

use oncotrack::analysis::cluster::{self, Distance, Method};
use oncotrack::analysis::harmonize::{self, ComBatSettings, Covariate};
use oncotrack::analysis::survival::{self, Subject};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/analytics")
        .join(name)
}

fn json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(reference(name)).unwrap()).unwrap()
}

fn read_csv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(reference(name)).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[track_caller]
fn close(actual: f64, expected: f64, tolerance: f64, what: &str) {
    let scale = expected.abs().max(1.0);
    assert!(
        (actual - expected).abs() <= tolerance * scale,
        "{what}: {actual} vs {expected}"
    );
}

fn opt(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[test]
fn kaplan_meier_and_logrank_equal_lifelines() {
    let (_, rows) = read_csv("survival.csv");
    let mut groups: BTreeMap<String, Vec<Subject>> = BTreeMap::new();
    for row in &rows {
        groups.entry(row[3].clone()).or_default().push(Subject {
            time: row[1].parse().unwrap(),
            event: row[2] == "1",
        });
    }
    let expected = json("survival_expected.json");
    for (name, subjects) in &groups {
        let want = &expected["groups"][name];
        let km = survival::kaplan_meier(subjects).unwrap();
        assert_eq!(km.n as u64, want["n"].as_u64().unwrap());
        assert_eq!(km.events as u64, want["events"].as_u64().unwrap());
        assert_eq!(km.median, opt(&want["median"]), "median of {name}");
        assert_eq!(
            km.median_ci.0,
            opt(&want["median_ci"][0]),
            "median lower {name}"
        );
        assert_eq!(
            km.median_ci.1,
            opt(&want["median_ci"][1]),
            "median upper {name}"
        );
        let points = want["km"].as_array().unwrap();
        assert_eq!(km.points.len(), points.len(), "points of {name}");
        for (p, w) in km.points.iter().zip(points) {
            close(p.time, w["time"].as_f64().unwrap(), 0.0, "time");
            close(
                p.survival,
                w["survival"].as_f64().unwrap(),
                1e-12,
                "survival",
            );
            close(
                p.ci_lower,
                w["ci_lower"].as_f64().unwrap(),
                1e-9,
                "ci_lower",
            );
            close(
                p.ci_upper,
                w["ci_upper"].as_f64().unwrap(),
                1e-9,
                "ci_upper",
            );
            assert_eq!(p.at_risk as u64, w["at_risk"].as_u64().unwrap());
            assert_eq!(p.events as u64, w["events"].as_u64().unwrap());
        }
    }
    let abc: Vec<Vec<Subject>> = ["A", "B", "C"].iter().map(|g| groups[*g].clone()).collect();
    let test = survival::logrank(&abc).unwrap();
    let want = &expected["logrank_abc"];
    close(
        test.statistic,
        want["statistic"].as_f64().unwrap(),
        1e-9,
        "chi2",
    );
    assert_eq!(test.df, 2);
    close(test.p, want["p"].as_f64().unwrap(), 1e-9, "p");
    let ab = survival::logrank(&abc[..2]).unwrap();
    let want = &expected["logrank_ab"];
    close(
        ab.statistic,
        want["statistic"].as_f64().unwrap(),
        1e-9,
        "chi2 A-B",
    );
    close(ab.p, want["p"].as_f64().unwrap(), 1e-9, "p A-B");
}

fn cluster_matrix() -> Vec<Vec<f64>> {
    let (_, rows) = read_csv("cluster_matrix.csv");
    rows.iter()
        .map(|r| r[1..].iter().map(|v| v.parse().unwrap()).collect())
        .collect()
}

#[test]
fn hierarchical_clustering_and_silhouette_equal_scipy_and_sklearn() {
    let rows = cluster_matrix();
    let expected = json("cluster_expected.json");
    for (distance, metric) in [
        (Distance::Euclidean, "euclidean"),
        (Distance::Correlation, "correlation"),
    ] {
        let condensed = cluster::condensed_distances(&rows, distance).unwrap();
        for method in [
            Method::Ward,
            Method::Average,
            Method::Complete,
            Method::Single,
        ] {
            let key = format!("{}-{metric}", method.as_str());
            let want = &expected["hierarchical"][&key];
            let tree = cluster::hierarchical(&rows, method, distance).unwrap();
            let heights: Vec<f64> = want["heights"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(tree.heights().len(), heights.len());
            for (a, e) in tree.heights().iter().zip(&heights) {
                close(*a, *e, 1e-9, &format!("{key} height"));
            }
            for k in 2..=8 {
                let labels = tree.cut(k).unwrap();
                let scipy: Vec<usize> = want["labels"][k.to_string()]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap() as usize)
                    .collect();
                let ari = cluster::adjusted_rand_index(&labels, &scipy);
                assert!((ari - 1.0).abs() < 1e-12, "{key} k={k}: ARI {ari}");
                if let Some(s) = want["silhouette"][k.to_string()].as_f64() {
                    let ours = cluster::silhouette(&condensed, &labels).unwrap();
                    close(ours, s, 1e-9, &format!("{key} silhouette k={k}"));
                }
            }
        }
    }
}

#[test]
fn kmeans_reaches_sklearn_inertia_and_pca_its_variance_ratios() {
    let rows = cluster_matrix();
    let expected = json("cluster_expected.json");
    for k in [2usize, 3, 4] {
        let want = &expected["kmeans"][k.to_string()];
        let fit = cluster::kmeans(&rows, k, 0, 10).unwrap();
        let inertia = want["inertia"].as_f64().unwrap();
        assert!(
            fit.inertia <= inertia * (1.0 + 1e-9),
            "k={k}: inertia {} above scikit-learn's {inertia}",
            fit.inertia
        );
    }
    let pca = cluster::pca(&rows, 3).unwrap();
    for (a, e) in pca
        .explained_variance_ratio
        .iter()
        .zip(expected["pca_explained_variance_ratio"].as_array().unwrap())
    {
        close(*a, e.as_f64().unwrap(), 1e-9, "explained variance ratio");
    }
}

#[test]
fn combat_equals_neurocombat_in_every_mode() {
    let (header, rows) = read_csv("combat_input.csv");
    let batch: Vec<String> = rows.iter().map(|r| r[1].clone()).collect();
    let covariates = vec![
        Covariate::Continuous(rows.iter().map(|r| r[2].parse().unwrap()).collect()),
        Covariate::Categorical(rows.iter().map(|r| r[3].clone()).collect()),
    ];
    let features: Vec<Vec<f64>> = (4..header.len())
        .map(|c| rows.iter().map(|r| r[c].parse().unwrap()).collect())
        .collect();
    let modes: [(&str, ComBatSettings); 6] = [
        ("parametric", ComBatSettings::default()),
        (
            "nonparametric",
            ComBatSettings {
                non_parametric: true,
                ..Default::default()
            },
        ),
        (
            "noeb",
            ComBatSettings {
                no_eb: true,
                ..Default::default()
            },
        ),
        (
            "meanonly",
            ComBatSettings {
                mean_only: true,
                ..Default::default()
            },
        ),
        (
            "meanonly-nonparametric",
            ComBatSettings {
                mean_only: true,
                non_parametric: true,
                ..Default::default()
            },
        ),
        (
            "ref",
            ComBatSettings {
                ref_batch: Some("siteB".into()),
                ..Default::default()
            },
        ),
    ];
    for (name, settings) in modes {
        let out = harmonize::combat(&features, &batch, &covariates, &settings).unwrap();
        let (_, want) = read_csv(&format!("combat_expected_{name}.csv"));
        let mut worst = 0.0_f64;
        for (f, row) in out.data.iter().enumerate() {
            for (s, value) in row.iter().enumerate() {
                let e: f64 = want[s][f + 4].parse().unwrap();
                worst = worst.max((value - e).abs() / e.abs().max(1e-12));
            }
        }
        eprintln!("ComBat {name}: worst relative difference {worst:e}");
        assert!(worst <= 1e-6, "{name}: worst relative difference {worst:e}");
    }
}
