//! `survival --cox` and `--at-risk` against lifelines (tests/reference/cox/): the Rossi recidivism data in file mode and the demo cohort in store mode.

use crate::util::{Sandbox, shared_data};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn expected(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/cox")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Equal to 1e-6, relative to the value (absolute below 1).
#[track_caller]
fn close(actual: &Value, expected: &Value, what: &str) {
    let (a, e) = (actual.as_f64().unwrap(), expected.as_f64().unwrap());
    assert!(
        (a - e).abs() <= 1e-6 * e.abs().max(1.0),
        "{what}: {a} vs lifelines {e}"
    );
}

/// Compares one `survival --cox --format json` output with a lifelines fit.
#[track_caller]
fn same_fit(out: &str, want: &Value, label: &str) {
    let got: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let model = &got["model"];
    assert_eq!(model["n"], want["n"], "{label} n");
    assert_eq!(model["events"], want["events"], "{label} events");
    assert_eq!(model["converged"], true, "{label}");
    for key in [
        "log_likelihood",
        "null_log_likelihood",
        "concordance",
        "partial_aic",
    ] {
        close(&model[key], &want[key], &format!("{label} {key}"));
    }
    close(
        &model["lr_test"]["statistic"],
        &want["lr_statistic"],
        &format!("{label} LR"),
    );
    close(
        &model["lr_test"]["p"],
        &want["lr_p"],
        &format!("{label} LR p"),
    );
    assert_eq!(model["lr_test"]["df"], want["lr_df"]);
    let rows = got["coefficients"].as_array().unwrap();
    let wanted = want["coefficients"].as_array().unwrap();
    assert_eq!(rows.len(), wanted.len(), "{label} coefficients");
    for (row, w) in rows.iter().zip(wanted) {
        assert_eq!(row["covariate"], w["name"], "{label}");
        for key in [
            "coef",
            "exp_coef",
            "se",
            "coef_lower_95",
            "coef_upper_95",
            "exp_coef_lower_95",
            "exp_coef_upper_95",
            "z",
            "p",
        ] {
            close(&row[key], &w[key], &format!("{label} {} {key}", w["name"]));
        }
    }
}

#[track_caller]
fn same_at_risk(out: &str, want: &Value, names: &[(&str, &str)]) {
    let got: Value = serde_json::from_str(out).unwrap();
    for (ours, theirs) in names {
        let group = got["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == *ours)
            .unwrap_or_else(|| panic!("no group {ours}"));
        let rows = group["numbers_at_risk"].as_array().unwrap();
        let wanted = want[*theirs].as_array().unwrap();
        assert_eq!(rows.len(), wanted.len());
        for (r, w) in rows.iter().zip(wanted) {
            for key in ["at_risk", "censored", "events"] {
                assert_eq!(r[key], w[key], "{ours} at {} {key}", w["time"]);
            }
        }
    }
}

fn rossi() -> Option<PathBuf> {
    shared_data("survival/rossi.csv")
}

#[test]
fn cox_on_rossi_equals_lifelines_and_r_with_and_without_strata() {
    let Some(csv) = rossi() else { return };
    let s = Sandbox::new();
    let want = expected("rossi_expected.json");
    let file = csv.to_str().unwrap();
    let base = [
        "--format",
        "json",
        "survival",
        "--input",
        file,
        "--time-col",
        "week",
        "--event-col",
        "arrest",
        "--cox",
    ];
    let all = "fin,age,race,wexp,mar,paro,prio";
    let run = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        s.run_raw(&args).ok().to_string()
    };
    let out = run(&[all]);
    same_fit(&out, &want["all"], "rossi");
    // R's coxph (Efron) coefficients, from the shared data's README.
    let got: Value = serde_json::from_str(&out).unwrap();
    let r = [
        -0.3794222, -0.0574377, 0.3138998, -0.1497957, -0.4337039, -0.0848711, 0.0914971,
    ];
    for (row, coef) in got["coefficients"].as_array().unwrap().iter().zip(r) {
        assert!((row["coef"].as_f64().unwrap() - coef).abs() < 5e-8, "{row}");
    }
    same_fit(
        &run(&["fin,age,wexp,mar,paro,prio", "--strata", "race"]),
        &want["strata_race"],
        "rossi strata race",
    );
    same_fit(&run(&["fin,age"]), &want["fin_age"], "rossi fin+age");
    // The table output names the model and its tests.
    let table = s
        .run_raw(&[
            "survival",
            "--input",
            file,
            "--time-col",
            "week",
            "--event-col",
            "arrest",
            "--cox",
            all,
        ])
        .ok()
        .to_string();
    assert!(
        table.contains("Efron") && table.contains("likelihood-ratio test = 33.26"),
        "{table}"
    );
}

#[test]
fn numbers_at_risk_on_rossi_equal_lifelines() {
    let Some(csv) = rossi() else { return };
    let s = Sandbox::new();
    let out = s
        .run_raw(&[
            "--format",
            "json",
            "survival",
            "--input",
            csv.to_str().unwrap(),
            "--time-col",
            "week",
            "--event-col",
            "arrest",
            "--group-col",
            "fin",
            "--at-risk",
            "0,10,20,30,40,52",
        ])
        .ok()
        .to_string();
    same_at_risk(
        &out,
        &expected("rossi_expected.json")["at_risk"],
        &[("0", "fin=0"), ("1", "fin=1")],
    );
}

#[test]
fn cox_errors_name_what_to_fix() {
    let s = Sandbox::new();
    let csv = s.file("t.csv", "t,e,x,k\n1,1,1,5\n2,0,1,6\n3,1,1,7\n");
    let file = csv.to_str().unwrap();
    let args = |cox: &str| {
        vec![
            "survival",
            "--input",
            file,
            "--time-col",
            "t",
            "--event-col",
            "e",
            "--cox",
        ]
        .into_iter()
        .chain([cox])
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run = |cox: &str| {
        let a = args(cox);
        s.run_raw(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    run("x").fails(1, "same for every subject");
    run("nope").fails(1, "no such column");
    s.run(&["init"]).ok();
    s.run(&["survival", "--cox", "endotype"])
        .fails(1, "--group cluster:RUN");
    s.run(&["survival", "--cox", "weight"])
        .fails(1, "store mode knows");
    s.run(&["survival", "--at-risk=-1"]).fails(2, "time >= 0");
}

#[test]
fn cox_and_numbers_at_risk_on_the_demo_cohort_equal_lifelines() {
    let s = Sandbox::new();
    s.run(&["demo", "--out", "files", "--no-tui"]).ok();
    let want = expected("demo_expected.json");
    let run = "cluster:demo-endotypes";
    let cox = |extra: &[&str]| {
        let mut args = vec!["--format", "json", "survival", "--group", run, "--cox"];
        args.extend_from_slice(extra);
        s.run(&args).ok().to_string()
    };
    // endotype[2] is absent: the least inflamed (quiescent) cluster is the reference.
    same_fit(&cox(&["endotype"]), &want["os_endotype"], "demo endotype");
    same_fit(
        &cox(&["endotype,age,sex"]),
        &want["os_endotype_age_sex"],
        "demo endotype+age+sex",
    );
    same_fit(
        &cox(&["age,endotype", "--strata", "sex", "--endpoint", "efs"]),
        &want["efs_endotype_age_strata_sex"],
        "demo EFS strata sex",
    );
    let out = s
        .run(&[
            "--format",
            "json",
            "survival",
            "--group",
            run,
            "--at-risk",
            "0,365,730,1095",
        ])
        .ok()
        .to_string();
    same_at_risk(
        &out,
        &want["at_risk"],
        &[
            ("cluster 1", "cluster 1"),
            ("cluster 2", "cluster 2"),
            ("cluster 3", "cluster 3"),
        ],
    );
}
