//! `response`, `trend` and `cohort response` on a store filled from fixtures/response/example.sql.

use crate::util::Sandbox;
use oncotrack::store::{Access, Store};
use std::path::Path;

/// P001 with the example scans, PET, ctDNA and IL-6; P002 with nothing recorded.
pub fn example() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.run(&["init"]).ok();
    sandbox
        .run(&[
            "patient",
            "add",
            "P001",
            "--diagnosis",
            "undifferentiated pleomorphic sarcoma",
            "--sex",
            "M",
            "--height-cm",
            "171.5",
        ])
        .ok();
    sandbox
        .run(&["patient", "add", "P002", "--diagnosis", "liposarcoma"])
        .ok();
    let sql = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/response/example.sql"),
    )
    .unwrap();
    let mut store = Store::open(&sandbox.db(), Access::ReadWrite).unwrap();
    let tx = store.transaction().unwrap();
    tx.execute_test_sql(&sql).unwrap();
    tx.commit().unwrap();
    sandbox
}

#[test]
fn response_json_has_one_row_per_visit_and_criterion_with_reasons() {
    let sandbox = example();
    let rows = sandbox
        .run(&["--format", "json", "response", "P001"])
        .json();
    let find = |date: &str, criterion: &str| {
        rows.iter()
            .find(|r| r["date"] == date && r["criterion"] == criterion)
            .unwrap_or_else(|| panic!("no {criterion} row on {date}: {rows:?}"))
    };
    let pd = find("2024-05-10", "recist");
    assert_eq!(pd["category"], "PD");
    assert_eq!(
        pd["reason"],
        "PD: new lesion M1 (sum 79 mm is +18 % over nadir 67 mm and +12 mm)"
    );
    assert_eq!(pd["discordant"], true);
    let sd = find("2024-03-10", "recist");
    assert_eq!(sd["category"], "SD");
    assert_eq!(sd["value"], 67.0);
    assert_eq!(sd["baseline"], 68.0);
    assert_eq!(sd["discordant"], true);
    let choi = find("2024-03-10", "choi");
    assert_eq!(choi["category"], "PR");
    assert_eq!(find("2024-03-12", "percist")["category"], "PMR");
    assert_eq!(find("2024-04-08", "ctdna")["category"], "PD");
    for key in [
        "change_from_baseline_pct",
        "change_from_nadir_pct",
        "change_from_nadir",
        "flags",
    ] {
        assert!(sd.get(key).is_some(), "missing {key}");
    }
    let lead = pd["discordance"].as_str().unwrap();
    assert!(
        lead.contains("preceded RECIST PD on 2024-05-10 by 32 days"),
        "{lead}"
    );
}

#[test]
fn response_criteria_option_filters_and_rejects_unknown_names() {
    let sandbox = example();
    let rows = sandbox
        .run(&[
            "--format",
            "json",
            "response",
            "P001",
            "--criteria",
            "ctdna,mchoi",
        ])
        .json();
    assert!(
        rows.iter()
            .all(|r| r["criterion"] == "ctdna" || r["criterion"] == "mchoi")
    );
    assert_eq!(rows.len(), 5);
    sandbox
        .run(&["response", "P001", "--criteria", "who"])
        .fails(2, "expected one of recist");
    sandbox
        .run(&["response", "P404"])
        .fails(1, "unknown patient 'P404'");
}

#[test]
fn response_best_lists_confirmed_best_response_and_progression_date() {
    let sandbox = example();
    let rows = sandbox
        .run(&["--format", "json", "response", "P001", "--best"])
        .json();
    let recist = rows.iter().find(|r| r["criterion"] == "recist").unwrap();
    // SD on day 60 (over 42 days), then PD.
    assert_eq!(recist["category"], "SD");
    assert_eq!(recist["progression_date"], "2024-05-10");
    let ctdna = rows.iter().find(|r| r["criterion"] == "ctdna").unwrap();
    // PR confirmed by the clearance at the next sample.
    assert_eq!(ctdna["category"], "PR");
    assert_eq!(ctdna["confirmed_on"], "2024-03-08");
}

#[test]
fn trend_reports_slope_and_censoring_per_series() {
    let sandbox = example();
    let rows = sandbox
        .run(&[
            "--format",
            "json",
            "trend",
            "P001",
            "--series",
            "cytokine:IL-6@a,recist.sum",
            "--series",
            "pet.mtv",
        ])
        .json();
    assert_eq!(rows.len(), 3);
    let il6 = &rows[0];
    assert_eq!(il6["series"], "cytokine:IL-6@a");
    assert_eq!(il6["censored"], 1);
    assert_eq!(il6["latest"], 0.75);
    // Falling, but its slope's 95 % CI reaches above 0: no halving to act on.
    assert_eq!(il6["direction"], "halving, CI includes no change");
    assert!(il6["slope_ci_low"].as_f64().unwrap() < 0.0);
    assert!(il6["slope_ci_high"].as_f64().unwrap() > 0.0);
    let excluded = sandbox
        .run(&[
            "--format",
            "json",
            "trend",
            "P001",
            "--series",
            "cytokine:IL-6",
            "--assay",
            "a",
            "--censored",
            "exclude",
        ])
        .json();
    assert_eq!(excluded[0]["series"], "cytokine:IL-6@a");
    assert_eq!(excluded[0]["used"], 2);
    // IL-6 is stored under two assays: naming none is refused with the list.
    sandbox
        .run(&["trend", "P001", "--series", "cytokine:IL-6"])
        .fails(1, "IL-6 is stored under 2 assays ('a', 'b')");
    assert_eq!(rows[2]["change_from_baseline"], -25.0);
    sandbox
        .run(&["trend", "P001", "--series", "pet.volume"])
        .fails(2, "expected ctdna.mean_vaf");
}

#[test]
fn cohort_response_csv_has_one_row_per_patient() {
    let sandbox = example();
    let out = sandbox
        .run(&["--format", "csv", "cohort", "response"])
        .ok()
        .to_string();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("patient,recist,recist_date,choi,choi_date,percist"));
    assert!(lines[1].starts_with("P001,SD,2024-03-10,"), "{}", lines[1]);
    assert!(lines[1].contains(",2024-05-10,32,"), "{}", lines[1]);
    assert!(lines[2].starts_with("P002,,,"), "{}", lines[2]);
    let last = sandbox
        .run(&["--format", "json", "cohort", "response", "--at", "last"])
        .json();
    assert_eq!(last[0]["recist"], "PD");
    assert_eq!(last[0]["ctdna"], "PD");
}
