//! A clinician's audit: numbers right by their formula that would mislead at a tumour board, through the real CLI.

use crate::util::Sandbox;
use serde_json::Value;

/// A store with patient P001 and the lesion rows given (header added).
fn with_lesions(rows: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let file = sandbox.file(
        "lesions.csv",
        &format!("patient,date,modality,lesion,organ,target,longest_diameter_mm,mean_hu,new_lesion\n{rows}"),
    );
    sandbox
        .run(&["ingest", "lesions", file.to_str().unwrap()])
        .ok();
    sandbox
}

fn row<'a>(rows: &'a [Value], date: &str, criterion: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["date"] == date && r["criterion"] == criterion)
        .unwrap_or_else(|| panic!("no {criterion} row on {date}: {rows:?}"))
}

#[test]
fn a_change_just_short_of_a_threshold_is_not_printed_as_the_threshold() {
    let sandbox = with_lesions(
        "P001,2024-01-10,CT,L1,lung,y,100,40,n\n\
         P001,2024-03-10,CT,L1,lung,,119.96,34.5,n\n\
         P001,2024-05-10,CT,L1,lung,,70.04,34.5,n\n\
         P002,2024-01-10,CT,L1,lung,y,100,40,n\n\
         P002,2024-03-10,CT,L1,lung,,90.04,34.04,n\n",
    );
    let rows = sandbox
        .run(&[
            "response",
            "P001",
            "--criteria",
            "recist,choi",
            "--format",
            "json",
        ])
        .json();
    // +19.96 % is not RECIST PD: neither the reason nor the column may say +20.
    let pd_miss = row(&rows, "2024-03-10", "recist");
    assert_eq!(pd_miss["category"], "SD");
    assert_eq!(pd_miss["change_from_nadir_pct"], 19.96);
    let reason = pd_miss["reason"].as_str().unwrap();
    assert!(reason.contains("sum 119.96 mm is +19.96 %"), "{reason}");
    // -29.96 % is not a RECIST PR.
    let pr_miss = row(&rows, "2024-05-10", "recist");
    assert_eq!(pr_miss["category"], "SD");
    assert_eq!(pr_miss["change_from_baseline_pct"], -29.96);
    assert!(
        pr_miss["reason"].as_str().unwrap().contains("-29.96 %"),
        "{pr_miss}"
    );
    // Choi: -9.96 % size and -14.9 % density are neither of Choi's PR rules.
    let rows = sandbox
        .run(&["response", "P002", "--criteria", "choi", "--format", "json"])
        .json();
    let choi = row(&rows, "2024-03-10", "choi");
    assert_eq!(choi["category"], "SD");
    assert_eq!(choi["change_from_baseline_pct"], -9.96);
    assert_eq!(choi["secondary_change_pct"], -14.9);
    let reason = choi["reason"].as_str().unwrap();
    assert!(
        reason.contains("-9.96 % from baseline") && reason.contains("-14.9 % from baseline"),
        "{reason}"
    );
    // Far from a threshold the whole percent stays.
    let table = sandbox.run(&["response", "P001", "--criteria", "recist"]);
    assert!(!table.ok().contains("+20 %"), "{}", table.stdout);
}
