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

const MUTECT2_HEAD: &str = "##fileformat=VCFv4.2\n##source=Mutect2\n##tumor_sample=TUMOR1\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL1\tTUMOR1\n";

/// A Mutect2 VCF whose two tracked loci have the tumour column `tumour` each.
fn two_loci(sandbox: &Sandbox, name: &str, tumour: [&str; 2]) -> String {
    let text = format!(
        "{MUTECT2_HEAD}chr17\t7577120\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t{}\n\
         chr12\t25398284\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t{}\n",
        tumour[0], tumour[1]
    );
    sandbox.file(name, &text).to_str().unwrap().to_string()
}

/// Ingests each `(file name, date, tumour columns)` as a draw of P001, the first with
/// `--track` (it defines the tracked variants).
fn ingest_draws(sandbox: &Sandbox, draws: &[(&str, &str, [&str; 2])]) {
    for (i, (name, date, tumour)) in draws.iter().enumerate() {
        let file = two_loci(sandbox, name, *tumour);
        let mut args = vec!["ingest", "vcf", &file, "--patient", "P001", "--date", date];
        if i == 0 {
            args.push("--track");
        }
        sandbox.run(&args).ok();
    }
}

/// P001 with a baseline draw tracking two variants, a draw with 0 alt reads at depth
/// 2000 at both (a real absence), and a draw with no read at either (nothing seen).
fn with_draws() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let draws = [
        (
            "b.vcf",
            "2024-01-10",
            ["0/1:60,40:0.4:100", "0/1:80,20:0.2:100"],
        ),
        (
            "absent.vcf",
            "2024-03-10",
            ["0/0:2000,0:0.0:2000", "0/0:2000,0:0.0:2000"],
        ),
        (
            "unseen.vcf",
            "2024-05-10",
            ["0/0:0,0:0.0:0", "0/0:0,0:0.0:0"],
        ),
    ];
    ingest_draws(&sandbox, &draws);
    sandbox
}

#[test]
fn a_draw_that_saw_nothing_has_no_vaf_while_a_real_absence_keeps_its_zero() {
    let sandbox = with_draws();
    let rows = sandbox.run(&["ctdna", "P001", "--format", "json"]).json();
    let on = |date: &str| rows.iter().find(|r| r["date"] == date).unwrap().clone();
    let absent = on("2024-03-10");
    assert_eq!(absent["molecular_response"], "CR");
    assert_eq!(absent["mean_vaf"], 0.0);
    assert_eq!(absent["change_from_baseline_pct"], -100.0);
    let unseen = on("2024-05-10");
    assert_eq!(unseen["molecular_response"], "NE");
    for key in ["mean_vaf", "max_vaf", "change_from_baseline_pct"] {
        assert!(
            unseen[key].is_null(),
            "{key} of a draw with no read: {unseen}"
        );
    }
}

#[test]
fn the_timeline_does_not_read_a_draw_without_reads_as_a_negative() {
    let sandbox = with_draws();
    let items = sandbox
        .run(&["timeline", "P001", "--format", "json"])
        .json();
    let detail = |date: &str| {
        items
            .iter()
            .find(|i| i["date"] == date)
            .map(|i| i["detail"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(detail("2024-03-10"), "0 variants detected");
    assert_eq!(
        detail("2024-05-10"),
        "0 variants detected, no read at any locus: not a negative result"
    );
}

#[test]
fn a_raw_cytokine_value_is_listed_with_its_own_unit() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let file = sandbox.file(
        "panel.csv",
        "patient,date,analyte,value,unit\nP001,2024-01-10,CXCL12,5.793,ng/mL\n",
    );
    sandbox
        .run(&["ingest", "cytokines", file.to_str().unwrap()])
        .ok();
    let rows = sandbox
        .run(&["cytokines", "P001", "--format", "json"])
        .json();
    assert_eq!(rows[0]["value"], 5793.0);
    assert_eq!(rows[0]["unit"], "pg/mL");
    assert_eq!(rows[0]["value_raw"], "5.793");
    assert_eq!(rows[0]["unit_raw"], "ng/mL", "{}", rows[0]);
}

/// `oncotrack [EXTRA] survival --input km.csv --time-col t --event-col e --group-col g`
/// on a table of `(id, t, e, g)` rows: its standard output.
fn km_of(csv: &str, extra: &[&str]) -> String {
    let sandbox = Sandbox::new();
    let file = sandbox.file("km.csv", csv);
    let mut args = extra.to_vec();
    args.extend([
        "survival",
        "--input",
        file.to_str().unwrap(),
        "--time-col",
        "t",
        "--event-col",
        "e",
        "--group-col",
        "g",
    ]);
    sandbox.run_raw(&args).ok().to_string()
}

#[test]
fn a_survival_table_says_what_its_times_are_and_why_a_test_is_missing() {
    let out = km_of("id,t,e,g\na,10,0,x\nb,20,0,x\nc,30,0,y\nd,40,0,y\n", &[]);
    assert!(
        out.starts_with("Kaplan-Meier of 't' (event 'e'), times in the file's unit\n"),
        "{out}"
    );
    // Everyone censored: medians not reached, and no test rather than silence.
    assert!(out.contains("NR      NR - NR"), "{out}");
    assert!(
        out.contains("log-rank: not computed (no events to compare)"),
        "{out}"
    );
    // Store mode: the endpoint, the index date and the unit.
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    for (code, date, kind) in [
        ("P001", "2024-01-10", "diagnosis"),
        ("P001", "2024-09-10", "death"),
        ("P002", "2024-02-10", "diagnosis"),
        ("P002", "2024-06-10", "last-contact"),
    ] {
        sandbox
            .run(&["event", "add", code, "--date", date, "--kind", kind])
            .ok();
    }
    let out = sandbox.run(&["survival"]).ok().to_string();
    assert!(
        out.starts_with("overall survival (to death) from diagnosis, times in days"),
        "{out}"
    );
}

#[test]
fn each_response_value_says_its_unit() {
    let sandbox = with_draws();
    let file = sandbox.file(
        "lesions.csv",
        "patient,date,modality,lesion,organ,target,longest_diameter_mm\n\
         P001,2024-01-10,CT,L1,lung,y,50\nP001,2024-03-10,CT,L1,lung,,40\n",
    );
    sandbox
        .run(&["ingest", "lesions", file.to_str().unwrap()])
        .ok();
    let rows = sandbox
        .run(&["response", "P001", "--format", "json"])
        .json();
    assert_eq!(row(&rows, "2024-03-10", "recist")["unit"], "mm");
    let ctdna = row(&rows, "2024-03-10", "ctdna");
    assert_eq!(
        (ctdna["value"].as_f64(), ctdna["unit"].as_str()),
        (Some(0.0), Some("VAF fraction"))
    );
    // No value, no unit.
    let unseen = row(&rows, "2024-05-10", "ctdna");
    assert!(
        unseen["value"].is_null() && unseen["unit"].is_null(),
        "{unseen}"
    );
}

#[test]
fn an_mrd_p_value_at_its_monte_carlo_floor_reads_as_a_bound() {
    let sandbox = Sandbox::new();
    let demo = sandbox
        .run(&["demo", "--patients", "2", "--out", "files"])
        .ok()
        .to_string();
    // P001's deep draws: no simulation of 10,000 reaches them, p = 1 / 10,001.
    assert!(
        demo.contains("MRD positive: p ≤ 1.00e-4 (none of 10000 simulations as extreme)"),
        "{demo}"
    );
    let tracked = sandbox
        .run(&["--format", "tsv", "track", "list", "P001"])
        .ok()
        .to_string();
    let loci: String = tracked
        .lines()
        .skip(1)
        .map(|l| l.split('\t').take(5).collect::<Vec<_>>().join("\t") + "\n")
        .collect();
    let loci = sandbox.file("loci.tsv", &loci);
    let bam = sandbox.path().join("files/liquid/P001_2022-09-06.bam");
    let targets = sandbox.path().join("files/liquid/panel_targets.bed");
    let args = [
        "mrd",
        bam.to_str().unwrap(),
        "--loci",
        loci.to_str().unwrap(),
        "--targets",
        targets.to_str().unwrap(),
        "--simulations",
        "200",
    ];
    let table = sandbox.run_raw(&args).ok().to_string();
    assert!(
        table.contains("p_value            ≤ 0.005 (none of 200 simulations as extreme)"),
        "{table}"
    );
    // JSON keeps the number.
    let mut json = vec!["--format", "json"];
    json.extend(args);
    let out: Value = serde_json::from_str(sandbox.run_raw(&json).ok()).unwrap();
    assert_eq!(out["p_value"].as_f64(), Some(1.0 / 201.0));
}

#[test]
fn a_strong_trend_has_a_small_p_value_not_zero() {
    // Ten scans growing 10 % each: the log-linear fit is nearly exact.
    let rows: String = (0..10)
        .map(|i| {
            format!(
                "P001,2024-{:02}-10,CT,L1,lung,y,{:.1},,n\n",
                i + 1,
                50.0 * 1.1f64.powi(i)
            )
        })
        .collect();
    let sandbox = with_lesions(&rows);
    let rows = sandbox
        .run(&[
            "trend",
            "P001",
            "--series",
            "recist.sum",
            "--format",
            "json",
        ])
        .json();
    let p = rows[0]["p_value"].as_f64().unwrap();
    assert!(p > 0.0 && p < 1e-6, "p = {p}: {}", rows[0]);
}

#[test]
fn a_tiny_detected_vaf_is_not_rounded_to_the_zero_of_a_clearance() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let draws = [
        (
            "b.vcf",
            "2024-01-10",
            ["0/1:60,40:0.4:100", "0/1:80,20:0.2:100"],
        ),
        (
            "low.vcf",
            "2024-03-10",
            ["0/1:99996,4:0.00004:100000", "0/1:99996,4:0.00004:100000"],
        ),
    ];
    ingest_draws(&sandbox, &draws);
    let rows = sandbox
        .run(&[
            "response",
            "P001",
            "--criteria",
            "ctdna",
            "--format",
            "json",
        ])
        .json();
    let low = row(&rows, "2024-03-10", "ctdna");
    assert_eq!(low["category"], "PR");
    assert_eq!(low["value"].as_f64(), Some(0.00004), "{low}");
    assert_eq!(low["baseline"].as_f64(), Some(0.3));
    // -99.99 %, not the -100 % of a disappearance.
    assert_eq!(
        low["change_from_baseline_pct"].as_f64(),
        Some(-99.99),
        "{low}"
    );
    let reason = low["reason"].as_str().unwrap();
    assert!(reason.contains("is -99.99 % from baseline"), "{reason}");
}

#[test]
fn a_follow_up_pet_measured_by_another_method_is_ne_not_a_complete_metabolic_response() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pet");
    let suv = root.join("clinical_suv.nii.gz");
    let mask = root.join("clinical_mask.nii.gz");
    for (date, method) in [
        ("2024-01-10", "relative:0.41"),
        ("2024-03-10", "absolute:2.5"),
    ] {
        sandbox
            .run(&[
                "ingest",
                "pet",
                suv.to_str().unwrap(),
                "--mask",
                mask.to_str().unwrap(),
                "--patient",
                "P001",
                "--date",
                date,
                "--method",
                method,
                "--liver-label",
                "9",
            ])
            .ok();
    }
    let rows = sandbox
        .run(&[
            "response",
            "P001",
            "--criteria",
            "percist,eortc",
            "--format",
            "json",
        ])
        .json();
    for criterion in ["percist", "eortc"] {
        let a = row(&rows, "2024-03-10", criterion);
        assert_eq!(a["category"], "NE", "{a}");
        assert!(a["value"].is_null(), "{a}");
        assert!(
            a["reason"]
                .as_str()
                .unwrap()
                .contains("not a metabolic response"),
            "{a}"
        );
    }
}

#[test]
fn a_patient_with_only_a_baseline_is_told_so_not_shown_an_unexplained_empty_table() {
    let sandbox = with_lesions("P001,2024-01-10,CT,L1,lung,y,50,,n\n");
    let run = sandbox.run(&["response", "P001"]);
    assert_eq!(run.ok().lines().count(), 2, "headers only: {}", run.stdout);
    assert!(
        run.stderr.contains(
            "CT/MR scans: the baseline only (2024-01-10); PET scans: none; blood draws: none"
        ),
        "{}",
        run.stderr
    );
    // JSON stays an empty array on standard output.
    assert!(
        sandbox
            .run(&["response", "P001", "--format", "json"])
            .json()
            .is_empty()
    );
}

#[test]
fn a_call_at_a_locus_without_reads_has_no_vaf_not_a_measured_zero() {
    let sandbox = with_draws();
    let rows = sandbox.run(&["calls", "P001", "--format", "json"]).json();
    let on =
        |date: &str| -> Vec<Value> { rows.iter().filter(|r| r["date"] == date).cloned().collect() };
    // Depth 2000, 0 alt reads: a real absence keeps its 0.
    for call in on("2024-03-10") {
        assert_eq!(call["vaf"], 0.0, "{call}");
    }
    // Depth 0: the caller's AF 0 is no measurement.
    let unseen = on("2024-05-10");
    assert_eq!(unseen.len(), 2, "{rows:?}");
    for call in unseen {
        assert_eq!(call["depth"], 0, "{call}");
        assert!(call["vaf"].is_null(), "{call}");
        assert_eq!(call["vaf_source"], "no reads (depth 0): no VAF measured");
    }
    // The analysts' export says the same.
    let csv = sandbox
        .run(&["export", "calls", "--format", "csv", "--out", "-"])
        .ok()
        .to_string();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for line in csv.lines().skip(1).filter(|l| l.contains("2024-05-10")) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[column("depth")], "0", "{line}");
        assert_eq!(cells[column("vaf")], "", "{line}");
    }
    assert!(csv.contains("2024-05-10"), "{csv}");
}

#[test]
fn ctdna_changes_are_percentages_like_every_other_change() {
    let sandbox = with_draws();
    let rows = sandbox.run(&["ctdna", "P001", "--format", "json"]).json();
    assert!(rows[0].get("change_from_baseline").is_none(), "{}", rows[0]);
    assert_eq!(rows[0]["change_from_baseline_pct"], 0.0);
    assert_eq!(rows[1]["change_from_baseline_pct"], -100.0, "{}", rows[1]);
}

#[test]
fn a_change_near_a_users_own_ctdna_threshold_is_not_rounded_onto_it() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    // Mean VAF 0.25, then 0.15001: a fall of 39.996 %, short of `--ctdna-fall 40`.
    let draws = [
        (
            "b.vcf",
            "2024-01-10",
            ["0/1:75,25:0.25:100", "0/1:75,25:0.25:100"],
        ),
        (
            "f.vcf",
            "2024-03-10",
            ["0/1:85,15:0.15001:100", "0/1:85,15:0.15001:100"],
        ),
    ];
    ingest_draws(&sandbox, &draws);
    let args = ["--ctdna-fall", "40", "--format", "json"];
    let mut response = vec!["response", "P001", "--criteria", "ctdna"];
    response.extend(args);
    let rows = sandbox.run(&response).json();
    let a = row(&rows, "2024-03-10", "ctdna");
    assert_eq!(a["category"], "SD", "{a}");
    assert_eq!(a["change_from_baseline_pct"].as_f64(), Some(-39.996), "{a}");
    let reason = a["reason"].as_str().unwrap();
    assert!(reason.contains("is -39.996 % from baseline"), "{reason}");
    let mut ctdna = vec!["ctdna", "P001"];
    ctdna.extend(args);
    let rows = sandbox.run(&ctdna).json();
    assert_eq!(rows[1]["change_from_baseline_pct"].as_f64(), Some(-39.996));
    assert!(
        rows[1]["molecular_reason"]
            .as_str()
            .unwrap()
            .contains("-39.996 %"),
        "{}",
        rows[1]
    );
}

#[test]
fn an_unbounded_doubling_time_ci_says_so_in_a_table() {
    // Three scans up and down: the slope's CI spans 0, the time's CI has no upper end.
    let sandbox = with_lesions(
        "P001,2024-01-10,CT,L1,lung,y,50,,n\n\
         P001,2024-02-10,CT,L1,lung,y,60,,n\n\
         P001,2024-03-10,CT,L1,lung,y,52,,n\n",
    );
    let args = ["trend", "P001", "--series", "recist.sum"];
    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let rows = sandbox.run(&json).json();
    assert!(rows[0]["time_ci_low"].is_number(), "{}", rows[0]);
    assert!(rows[0]["time_ci_high"].is_null(), "{}", rows[0]);
    let table = sandbox.run(&args).ok().to_string();
    let last = table.lines().last().unwrap();
    assert!(last.trim_end().ends_with("unbounded"), "{table}");
}

#[test]
fn the_report_header_says_a_best_response_may_still_become_a_response() {
    // SD at day 60, then a PR on the latest scan: best SD, the PR awaiting confirmation.
    let sandbox = with_lesions(
        "P001,2024-01-10,CT,L1,lung,y,100,,n\n\
         P001,2024-03-10,CT,L1,lung,y,95,,n\n\
         P001,2024-05-10,CT,L1,lung,y,60,,n\n",
    );
    let out = sandbox.path().join("p001.svg");
    sandbox
        .run(&["report", "P001", "--out", out.to_str().unwrap()])
        .ok();
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(
        svg.contains("best response: recist SD (PR of 2024-05-10 awaits confirmation)"),
        "{}",
        svg.lines()
            .filter(|l| l.contains("best response"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The cohort table has the same news for the board's triage.
    let rows = sandbox
        .run(&["cohort", "response", "--format", "json"])
        .json();
    let p001 = rows.iter().find(|r| r["patient"] == "P001").unwrap();
    assert_eq!(p001["recist"], "SD");
    assert_eq!(
        p001["awaiting_confirmation"], "recist PR of 2024-05-10; choi PR of 2024-05-10",
        "{p001}"
    );
}

#[test]
fn a_log_rank_p_from_groups_of_two_says_it_is_unreliable() {
    let km = "id,t,e,g\na,10,1,x\nb,20,1,x\nc,300,1,y\nd,400,1,y\n";
    let out = km_of(km, &[]);
    assert!(out.contains("log-rank: chi2 = "), "{out}");
    assert!(
        out.contains("  caution: a group of 2 subjects, the p-value is unreliable"),
        "{out}"
    );
    // JSON keeps the number and says the same.
    let report: Value = serde_json::from_str(&km_of(km, &["--format", "json"])).unwrap();
    let test = &report["logrank"];
    assert!(
        test["p"].as_f64().is_some_and(|p| p > 0.0 && p < 1.0),
        "{test}"
    );
    assert_eq!(test["smallest_group"], 2);
    assert_eq!(
        test["caution"],
        "caution: a group of 2 subjects, the p-value is unreliable"
    );
}

#[test]
fn the_timeline_counts_variants_not_the_callers_that_saw_them() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["demo", "--patients", "2", "--out", "files"])
        .ok();
    let items = sandbox
        .run(&["timeline", "P001", "--format", "json"])
        .json();
    // P001's 2022-09-06 draw has a VCF and a BAM: five variants detected, by eight rows
    // (most variants by both).
    let detail = items
        .iter()
        .find(|i| i["date"] == "2022-09-06" && i["item"] == "blood draw")
        .map(|i| i["detail"].as_str().unwrap().to_string())
        .unwrap();
    assert_eq!(detail, "5 variants detected");
    let calls = sandbox
        .run(&["calls", "P001", "--date", "2022-09-06", "--format", "json"])
        .json();
    let mut detected: Vec<String> = calls
        .iter()
        .filter(|c| c["detected"] == true)
        .map(|c| format!("{}:{}", c["chrom"], c["pos"]))
        .collect();
    assert!(detected.len() > 5, "{calls:?}");
    detected.sort();
    detected.dedup();
    assert_eq!(detected.len(), 5);
}

#[test]
fn a_draw_whose_caller_was_silent_at_the_tracked_loci_has_no_vaf_either() {
    let sandbox = with_draws();
    // A fourth draw: the caller wrote a record elsewhere, none at the tracked loci.
    let text = format!(
        "{MUTECT2_HEAD}chr1\t1000\t.\tA\tG\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:50,50:0.5:100\n"
    );
    let file = sandbox.file("silent.vcf", &text);
    sandbox
        .run(&[
            "ingest",
            "vcf",
            file.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            "2024-07-10",
        ])
        .ok();
    let rows = sandbox.run(&["ctdna", "P001", "--format", "json"]).json();
    let silent = rows.iter().find(|r| r["date"] == "2024-07-10").unwrap();
    assert_eq!(silent["molecular_response"], "NE", "{silent}");
    assert_eq!(silent["clearance"], false);
    for key in ["mean_vaf", "max_vaf", "change_from_baseline_pct"] {
        assert!(silent[key].is_null(), "{key}: {silent}");
    }
    // The real absence keeps its 0.
    let absent = rows.iter().find(|r| r["date"] == "2024-03-10").unwrap();
    assert_eq!(absent["mean_vaf"], 0.0);
}

#[test]
fn a_median_interval_of_no_width_is_not_shown_as_a_precise_one() {
    let out = km_of(
        "id,t,e,g\na,10,1,x\nb,20,1,y\nc,30,0,y\nd,40,1,y\ne,50,0,y\n",
        &[],
    );
    // One subject who died at 10: lifelines' interval is [10, 10].
    let x = out.lines().find(|l| l.starts_with("x ")).unwrap();
    assert!(x.contains("10 - 10 (no width: n = 1, no real CI)"), "{out}");
}

#[test]
fn a_ctdna_feature_is_not_a_measured_zero_from_a_draw_without_reads() {
    let sandbox = with_draws();
    sandbox
        .run(&[
            "event",
            "add",
            "P001",
            "--date",
            "2024-01-01",
            "--kind",
            "diagnosis",
        ])
        .ok();
    let args = |at: &'static str, out: &str| -> Vec<String> {
        [
            "matrix",
            "--features",
            "ctdna",
            "--at",
            at,
            "--transform",
            "none",
            "--scale",
            "none",
            "--impute",
            "drop",
            "--out",
            out,
        ]
        .iter()
        .map(|a| a.to_string())
        .collect()
    };
    let out = sandbox.path().join("m.csv");
    let out = out.to_str().unwrap();
    // The real absence (depth 2000, 0 alt reads) is a 0.
    let absent = args("days:69±5", out);
    let absent: Vec<&str> = absent.iter().map(String::as_str).collect();
    sandbox.run(&absent).ok();
    let csv = std::fs::read_to_string(out).unwrap();
    assert!(csv.contains("P001,0,0"), "{csv}");
    // The draw without a read has no value: no feature, not a 0.
    let unseen = args("days:130±5", out);
    let unseen: Vec<&str> = unseen.iter().map(String::as_str).collect();
    sandbox
        .run(&unseen)
        .fails(1, "no patient has features at this time point");
}
