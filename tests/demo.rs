//! The demo cohort end to end: generate, ingest through the CLI's code paths, read back; determinism and replacement rules.

use crate::util::Sandbox;

#[test]
fn demo_with_30_patients_end_to_end() {
    let s = Sandbox::new();
    let out = s
        .run(&["demo", "--patients", "30", "--out", "files"])
        .ok()
        .to_string();
    assert!(out.contains("30 patients"), "{out}");
    for name in ["patients.csv", "events.csv", "truth.csv"] {
        assert!(
            s.path().join("files").join(name).is_file(),
            "{name} not written"
        );
    }
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(s.db()).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    let patients = s.run(&["patient", "list", "--format", "json"]).json();
    assert_eq!(patients.len(), 30);
    assert!(
        patients.iter().all(|p| p["index_date"].is_string()),
        "every demo patient has a diagnosis date"
    );
    let diagnoses: std::collections::BTreeSet<&str> = patients
        .iter()
        .map(|p| p["diagnosis"].as_str().unwrap())
        .collect();
    assert!(diagnoses.len() >= 4, "{diagnoses:?}");

    let timeline = s.run(&["timeline", "P001", "--format", "json"]).json();
    assert_eq!(timeline[0]["item"], "diagnosis");
    assert_eq!(timeline[0]["day"], 0);
    let last = timeline.last().unwrap()["item"].as_str().unwrap();
    assert!(
        last == "death" || last == "last-contact",
        "course ends with {last}"
    );

    // Every patient's course ends in death or last contact: survival needs it.
    for p in &patients {
        let id = p["id"].as_str().unwrap();
        let items = s.run(&["timeline", id, "--format", "json"]).json();
        let ends = items
            .iter()
            .filter(|i| i["item"] == "death" || i["item"] == "last-contact")
            .count();
        assert_eq!(ends, 1, "{id}");
    }
}

#[test]
fn demo_is_deterministic_and_replaces_only_its_own_database() {
    let s = Sandbox::new();
    s.run(&["demo", "--patients", "12", "--seed", "5", "--out", "a"])
        .ok();
    let first = s
        .run(&["timeline", "P007", "--format", "json"])
        .ok()
        .to_string();
    let events_a = std::fs::read(s.path().join("a/events.csv")).unwrap();
    s.run(&["demo", "--patients", "12", "--seed", "5", "--out", "b"])
        .ok();
    assert_eq!(s.run(&["timeline", "P007", "--format", "json"]).ok(), first);
    assert_eq!(
        std::fs::read(s.path().join("b/events.csv")).unwrap(),
        events_a
    );

    let user = s.path().join("user.db");
    let user_arg = user.to_str().unwrap();
    s.run_raw(&["--db", user_arg, "init"]).ok();
    s.run_raw(&["--db", user_arg, "demo", "--patients", "3"])
        .fails(1, "was not made by `oncotrack demo`");
    assert_eq!(
        s.run_raw(&["--db", user_arg, "patient", "list", "--format", "json"])
            .json()
            .len(),
        0
    );
}

#[test]
fn demo_default_database_name() {
    let s = Sandbox::new();
    s.run_raw(&["demo", "--patients", "3"]).ok();
    assert!(s.path().join("oncotrack-demo.db").is_file());
    assert!(s.path().join("oncotrack-demo/events.csv").is_file());
}

#[test]
fn demo_shows_every_criterion_necrosis_and_ctdna_leading_progression() {
    let s = Sandbox::new();
    s.run(&["demo", "--patients", "30", "--no-tui"]).ok();
    let cohort = s.run(&["cohort", "response", "--format", "json"]).json();
    assert_eq!(cohort.len(), 30);
    for criterion in ["recist", "choi", "percist", "eortc", "ctdna"] {
        assert!(
            cohort.iter().any(|r| r[criterion].is_string()),
            "no {criterion} response in the demo"
        );
    }
    let leads: Vec<i64> = cohort
        .iter()
        .filter_map(|r| r["ctdna_lead_days"].as_i64())
        .collect();
    assert!(
        leads.iter().any(|d| *d >= 30),
        "ctDNA should lead RECIST PD by weeks: {leads:?}"
    );

    // A necrotic responder: Choi PR while RECIST says SD at the same visit.
    let truth = std::fs::read_to_string(s.path().join("oncotrack-demo/truth.csv")).unwrap();
    let necrotic: Vec<&str> = truth
        .lines()
        .filter(|l| l.contains("necrotic-responder"))
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(!necrotic.is_empty(), "the demo plants necrotic responders");
    let found = necrotic.iter().any(|id| {
        s.run(&["response", id, "--format", "json"])
            .json()
            .iter()
            .any(|r| {
                r["criterion"] == "recist"
                    && r["category"] == "SD"
                    && r["discordance"]
                        .as_str()
                        .is_some_and(|d| d.contains("Choi PR"))
            })
    });
    assert!(found, "no necrotic responder shows RECIST SD with Choi PR");
}

/// Issue 11: survival by cluster has one implementation; `survival`, the demo's summary
/// and the UI's cluster screen report the same medians and log-rank test.
#[test]
fn survival_by_cluster_is_the_same_in_the_cli_the_demo_and_the_ui() {
    let s = Sandbox::new();
    let demo = s
        .run(&["demo", "--patients", "60", "--seed", "3", "--out", "files"])
        .ok()
        .to_string();
    let run = "demo-endotypes";
    let cli: serde_json::Value = serde_json::from_str(
        s.run(&[
            "survival",
            "--group",
            &format!("cluster:{run}"),
            "--format",
            "json",
        ])
        .ok(),
    )
    .unwrap();
    let groups = cli["groups"].as_array().unwrap();
    assert!(groups.len() >= 2, "{cli}");

    // The demo prints each cluster's median OS in days and the log-rank test.
    let demo_medians: Vec<&str> = demo
        .lines()
        .filter_map(|l| l.split("; median OS ").nth(1))
        .collect();
    let cli_medians: Vec<String> = groups
        .iter()
        .map(|g| match g["median"].as_f64() {
            Some(m) => format!("{m} days"),
            None => "not reached".to_string(),
        })
        .collect();
    assert_eq!(demo_medians, cli_medians, "{demo}");
    let test = &cli["logrank"];
    let line = format!(
        "log-rank chi2 = {:.2}, df = {}, p = {:.3e}",
        test["statistic"].as_f64().unwrap(),
        test["df"],
        test["p"].as_f64().unwrap()
    );
    assert!(demo.contains(&line), "{line} not in\n{demo}");

    // The UI's loader, on the same database.
    let store = oncotrack::store::Store::open(&s.db(), oncotrack::store::Access::ReadOnly).unwrap();
    let views = oncotrack::tui::data::load_cluster_runs(&store).unwrap();
    let view = views.iter().find(|v| v.name == run).unwrap();
    assert_eq!(view.logrank_p, test["p"].as_f64());
    assert_eq!(view.survival.len(), groups.len());
    for (curve, group) in view.survival.iter().zip(groups) {
        assert_eq!(group["group"], format!("cluster {}", curve.cluster));
        match (curve.median, group["median"].as_f64()) {
            (Some(months), Some(days)) => assert!((months * 30.4375 - days).abs() < 1e-9),
            (a, b) => assert_eq!(a.is_none(), b.is_none(), "median {a:?} vs {b:?}"),
        }
    }
}
