//! The MRD test (`oncotrack mrd`, `ingest bam --targets`) against ctDNAtools' published results on its T1/N1 BAMs and the samtools-derived reference values.

use crate::util::{Sandbox, shared_data};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// ctDNAtools' vignette, `test_ctDNA(mutations, T1.bam, targets, informative_reads_threshold = 100)`.
const VIGNETTE_BACKGROUND: f64 = 0.0001404;
const VIGNETTE_INFORMATIVE: f64 = 1327.0;

fn expected() -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference/liquid/mrd/T1.expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The T1, N1, mutations and targets files, or `None` (the test says it skips).
fn inputs() -> Option<[PathBuf; 4]> {
    let data = shared_data("bam")?;
    let files = [
        "ctdnatools_T1.bam",
        "ctdnatools_N1.bam",
        "ctdnatools_mutations.tsv",
        "ctdnatools_targets.bed",
    ]
    .map(|f| data.join(f));
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        eprintln!("skipped: {} is absent", missing.display());
        return None;
    }
    Some(files)
}

fn mrd(sandbox: &Sandbox, bam: &Path, loci: &Path, targets: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "--format",
        "json",
        "mrd",
        bam.to_str().unwrap(),
        "--loci",
        loci.to_str().unwrap(),
        "--targets",
        targets.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let run = sandbox.run_raw(&args);
    serde_json::from_str(run.ok()).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn t1_is_positive_with_the_vignettes_background_and_informative_reads() {
    let Some([t1, _, loci, targets]) = inputs() else {
        return;
    };
    let sandbox = Sandbox::new();
    let out = mrd(
        &sandbox,
        &t1,
        &loci,
        &targets,
        &["--informative-reads", "100"],
    );
    assert_eq!(out["decision"], "positive", "{out:#}");
    let background = out["background_rate"].as_f64().unwrap();
    assert!(
        (background / VIGNETTE_BACKGROUND - 1.0).abs() < 0.05,
        "background {background} vs vignette {VIGNETTE_BACKGROUND}"
    );
    let informative = out["informative_reads"].as_f64().unwrap();
    assert!(
        (informative / VIGNETTE_INFORMATIVE - 1.0).abs() < 0.02,
        "informative reads {informative} vs vignette {VIGNETTE_INFORMATIVE}"
    );
    // The vignette's counts, and the reference values computed with samtools.
    assert_eq!(out["n_mutations"], 10);
    assert_eq!(out["n_nonzero"], 9);
    assert_eq!(out["alt_reads"], 13);
    let want = expected();
    let plain = &want["plain"];
    assert_eq!(out["informative_reads"], plain["informative_reads"]);
    assert_eq!(out["background"]["depth"], plain["background_depth"]);
    assert_eq!(
        out["background"]["non_reference"],
        plain["background_non_reference"]
    );
    let depths: Vec<&Value> = out["loci"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["depth"])
        .collect();
    let want_depths: Vec<&Value> = plain["depths"].as_array().unwrap().iter().collect();
    assert_eq!(depths, want_depths);
    // No simulation reaches 9 loci with ALT reads at this background: p = 1 / 10,001.
    assert_eq!(out["p_value"].as_f64().unwrap(), 1.0 / 10_001.0);
    assert_eq!(out["thresholds"]["min_mapq"], 40);
    assert_eq!(out["thresholds"]["min_bq"], 30);

    // ctDNAtools' default threshold of 10,000 informative reads: undetermined.
    let out = mrd(&sandbox, &t1, &loci, &targets, &[]);
    assert_eq!(out["decision"], "undetermined");
    assert!(
        out["reason"]
            .as_str()
            .unwrap()
            .contains("1327 informative reads")
    );
}

#[test]
fn n1_tested_for_t1s_mutations_is_negative() {
    let Some([_, n1, loci, targets]) = inputs() else {
        return;
    };
    let sandbox = Sandbox::new();
    let out = mrd(
        &sandbox,
        &n1,
        &loci,
        &targets,
        &["--informative-reads", "100"],
    );
    assert_eq!(out["decision"], "negative", "{out:#}");
    assert_eq!(out["n_nonzero"], 0);
    assert_eq!(out["alt_reads"], 0);
    assert_eq!(out["p_value"].as_f64(), Some(1.0));
    assert!(out["informative_reads"].as_u64().unwrap() >= 100);
}

#[test]
fn phased_reporters_merge_as_merge_mutations_in_phase() {
    let Some([t1, _, loci, targets]) = inputs() else {
        return;
    };
    let sandbox = Sandbox::new();
    let out = mrd(
        &sandbox,
        &t1,
        &loci,
        &targets,
        &["--informative-reads", "100", "--merge-phased"],
    );
    let want = &expected()["phased"];
    // The vignette's test5 (with a black list from N1-N3): 6 events of 7 with ALT
    // reads, 9 ALT reads, 1 multi-support read, 1,327 informative reads.
    assert_eq!(out["n_events"], 7);
    assert_eq!(out["n_nonzero"], 6);
    assert_eq!(out["alt_reads"], 9);
    assert_eq!(out["multi_support_reads"], 1);
    assert_eq!(out["informative_reads"], 1327);
    let purification = out["purification"].as_f64().unwrap();
    assert!((purification - want["purification"].as_f64().unwrap()).abs() < 1e-12);
    let rate = out["background_rate"].as_f64().unwrap();
    let before = out["background"]["rate_before_phasing"].as_f64().unwrap();
    assert!((rate - before * (1.0 - purification)).abs() < 1e-18);
    assert_eq!(out["decision"], "positive");
}

#[test]
fn the_same_seed_gives_the_same_p_value_and_options_are_reported() {
    let Some([t1, _, loci, targets]) = inputs() else {
        return;
    };
    let sandbox = Sandbox::new();
    let args = [
        "--informative-reads",
        "100",
        "--simulations",
        "500",
        "--seed",
        "9",
        "--exclude-reporters",
    ];
    let a = mrd(&sandbox, &t1, &loci, &targets, &args);
    let b = mrd(&sandbox, &t1, &loci, &targets, &args);
    assert_eq!(a["p_value"], b["p_value"]);
    assert_eq!(a["p_value"].as_f64(), Some(1.0 / 501.0));
    assert_eq!(a["thresholds"]["simulations"], 500);
    assert_eq!(a["thresholds"]["exclude_reporters"], true);
    // Without the reporter positions the background is lower (their ALT reads are out).
    let excluded = a["background_rate"].as_f64().unwrap();
    assert!(excluded < VIGNETTE_BACKGROUND * 0.9, "{excluded}");
    assert_eq!(a["decision"], "positive");
}

#[test]
fn a_panel_of_normals_builds_a_black_list() {
    let Some([t1, n1, loci, targets]) = inputs() else {
        return;
    };
    let sandbox = Sandbox::new();
    let n1 = n1.to_str().unwrap();
    // With ctDNAtools' defaults for two normals (one read in 3 of them, two reads in 2,
    // the 0.95 quantile of mean VAFs, which is 0 here) N1's few errors list nothing.
    let out = mrd(
        &sandbox,
        &t1,
        &loci,
        &targets,
        &["--informative-reads", "100", "--normals", n1, n1],
    );
    assert_eq!(out["black_list"], serde_json::json!([]), "{out:#}");
    assert_eq!(out["background_rate"].as_f64(), Some(34.0 / 242_251.0));
    let out = mrd(
        &sandbox,
        &t1,
        &loci,
        &targets,
        &[
            "--informative-reads",
            "100",
            "--normals",
            n1,
            n1,
            "--black-list-one-read",
            "2",
        ],
    );
    let list = out["black_list"].as_array().unwrap();
    assert!(!list.is_empty(), "{out:#}");
    assert!(
        list.iter()
            .all(|e| e.as_str().unwrap().split('_').count() == 4)
    );
    assert_eq!(out["thresholds"]["normals"], 2);
    assert_eq!(out["decision"], "positive");
    let by_locus = mrd(
        &sandbox,
        &t1,
        &loci,
        &targets,
        &[
            "--informative-reads",
            "100",
            "--normals",
            n1,
            n1,
            "--black-list-by",
            "locus",
        ],
    );
    let list = by_locus["black_list"].as_array().unwrap();
    assert!(
        list.iter()
            .all(|e| e.as_str().unwrap().split('_').count() == 2)
    );
    // One normal is not a panel (ctDNAtools refuses fewer than two): a usage error.
    sandbox
        .run_raw(&[
            "mrd",
            t1.to_str().unwrap(),
            "--loci",
            loci.to_str().unwrap(),
            "--targets",
            targets.to_str().unwrap(),
            "--normals",
            n1,
        ])
        .fails(2, "--normals");
}

#[test]
fn bad_targets_and_loci_are_named() {
    let Some([t1, _, loci, _]) = inputs() else {
        return;
    };
    let sandbox = Sandbox::new();
    let bed = sandbox.file("t.bed", "chr14\t106327421\n");
    sandbox
        .run_raw(&[
            "mrd",
            t1.to_str().unwrap(),
            "--loci",
            loci.to_str().unwrap(),
            "--targets",
            bed.to_str().unwrap(),
        ])
        .fails(1, "t.bed: line 1: field 'end': missing");
    let bed = sandbox.file("u.bed", "chrUn\t1\t100\n");
    sandbox
        .run_raw(&[
            "mrd",
            t1.to_str().unwrap(),
            "--loci",
            loci.to_str().unwrap(),
            "--targets",
            bed.to_str().unwrap(),
        ])
        .fails(1, "u.bed: line 1: field 'chrom': contig 'chrUn' is not in");
    let genome = sandbox.file("genome.bed", "chr14\t0\t4000000000\n");
    sandbox
        .run_raw(&[
            "mrd",
            t1.to_str().unwrap(),
            "--loci",
            loci.to_str().unwrap(),
            "--targets",
            genome.to_str().unwrap(),
        ])
        .fails(
            1,
            "genome.bed: line 1: field 'end': the targets cover 107349540 bp",
        );
    let twice = sandbox.file(
        "twice.tsv",
        "chrom\tpos\tref\talt\nchr14\t106327474\tC\tG\nchr14\t106327474\tC\tG\n",
    );
    let targets = shared_data("bam").unwrap().join("ctdnatools_targets.bed");
    sandbox
        .run_raw(&[
            "mrd",
            t1.to_str().unwrap(),
            "--loci",
            twice.to_str().unwrap(),
            "--targets",
            targets.to_str().unwrap(),
        ])
        .fails(1, "twice.tsv: line 3: field 'pos'");
    sandbox
        .run_raw(&[
            "mrd",
            t1.to_str().unwrap(),
            "--loci",
            loci.to_str().unwrap(),
            "--targets",
            targets.to_str().unwrap(),
            "--alpha",
            "2",
        ])
        .fails(2, "--alpha");
}

#[test]
fn ingest_bam_with_targets_stores_the_mrd_decision_with_the_draw() {
    let Some([t1, n1, loci, targets]) = inputs() else {
        return;
    };
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    for (bam, date) in [(&t1, "2024-03-01"), (&n1, "2024-06-01")] {
        let out = sandbox.run(&[
            "ingest",
            "bam",
            bam.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            date,
            "--loci",
            loci.to_str().unwrap(),
            "--targets",
            targets.to_str().unwrap(),
            "--informative-reads",
            "100",
        ]);
        let text = out.ok();
        assert!(text.contains("MRD "), "{text}");
    }
    let store =
        oncotrack::store::Store::open(&sandbox.db(), oncotrack::store::Access::ReadOnly).unwrap();
    let decisions = store.mrd_decisions("P001").unwrap();
    let dates: Vec<String> = decisions.iter().map(|(d, _)| d.to_string()).collect();
    assert_eq!(dates, ["2024-03-01", "2024-06-01"]);
    use oncotrack::model::MrdDecision;
    assert_eq!(decisions[0].1, MrdDecision::Positive);
    assert_eq!(decisions[1].1, MrdDecision::Negative);
    let tests = store.mrd_tests("P001").unwrap();
    assert_eq!(tests[0].informative_reads, 1327);
    assert_eq!((tests[0].n_nonzero, tests[0].alt_reads), (9, 13));
    // `ctdna` shows the decision per draw (the tracked set of P002 is T1's mutations).
    sandbox
        .run(&["track", "add", "P002", "--loci", loci.to_str().unwrap()])
        .ok();
    for (bam, date) in [(&t1, "2024-03-01"), (&n1, "2024-06-01")] {
        sandbox
            .run(&[
                "ingest",
                "bam",
                bam.to_str().unwrap(),
                "--patient",
                "P002",
                "--date",
                date,
                "--targets",
                targets.to_str().unwrap(),
                "--informative-reads",
                "100",
            ])
            .ok();
    }
    // Each draw read back for the molecular response carries its decision.
    let store =
        oncotrack::store::Store::open(&sandbox.db(), oncotrack::store::Access::ReadOnly).unwrap();
    let draws = store.tracked_calls("P002").unwrap();
    let carried: Vec<Option<MrdDecision>> = draws.iter().map(|d| d.mrd).collect();
    assert_eq!(
        carried,
        [Some(MrdDecision::Positive), Some(MrdDecision::Negative)]
    );
    let rows = sandbox.run(&["--format", "json", "ctdna", "P002"]).json();
    let mrd: Vec<&Value> = rows.iter().map(|r| &r["mrd"]).collect();
    assert_eq!(mrd, ["positive", "negative"], "{rows:#?}");
    // The MRD-negative draw is clearance because the test said so.
    assert_eq!(rows[1]["molecular_response"], "CR", "{rows:#?}");
    assert!(
        rows[1]["molecular_reason"]
            .as_str()
            .unwrap()
            .contains("MRD-negative"),
        "{rows:#?}"
    );
    // Without --targets nothing is tested: the draw carries no decision.
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    sandbox
        .run(&["track", "add", "P001", "--loci", loci.to_str().unwrap()])
        .ok();
    sandbox
        .run(&[
            "ingest",
            "bam",
            t1.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            "2024-03-01",
            "--loci",
            loci.to_str().unwrap(),
        ])
        .ok();
    let store =
        oncotrack::store::Store::open(&sandbox.db(), oncotrack::store::Access::ReadOnly).unwrap();
    assert!(store.mrd_decisions("P001").unwrap().is_empty());
    let draws = store.tracked_calls("P001").unwrap();
    assert_eq!(draws.len(), 1);
    assert_eq!(draws[0].mrd, None);
}

#[test]
fn a_failing_mrd_test_leaves_the_draw_unwritten() {
    let Some([t1, _, loci, _]) = inputs() else {
        return;
    };
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let before = sandbox.dump();
    let bed = sandbox.file("bad.bed", "chr14\t200\t100\n");
    sandbox
        .run(&[
            "ingest",
            "bam",
            t1.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            "2024-03-01",
            "--loci",
            loci.to_str().unwrap(),
            "--targets",
            bed.to_str().unwrap(),
        ])
        .fails(1, "bad.bed: line 1: field 'end'");
    assert_eq!(sandbox.dump(), before, "counts and MRD are one transaction");
}
