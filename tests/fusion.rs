//! Fusion junctions: `count --fusions` equals the independent pysam classifier exactly on the simulated junction BAM; bad input is refused or warned about by name; tracked fusions.

use crate::util::Sandbox;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn bam() -> String {
    root()
        .join("fixtures/liquid/fusion_junctions.bam")
        .display()
        .to_string()
}

fn fusions_tsv() -> String {
    root()
        .join("tests/reference/fusion/fusions.tsv")
        .display()
        .to_string()
}

fn expected() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("tests/reference/fusion/expected.json"))
        .expect("tests/reference/fusion/expected.json");
    serde_json::from_str(&text).expect("expected.json is JSON")
}

#[test]
fn count_fusions_equals_the_pysam_reference_for_every_option_set() {
    let sandbox = Sandbox::new();
    let expected = expected();
    let runs = expected["runs"].as_array().expect("runs");
    assert!(
        runs.len() >= 3,
        "the reference has {} option sets",
        runs.len()
    );
    let mut checked = 0;
    for run in runs {
        let o = &run["options"];
        let flag = |name: &str| o[name].as_u64().expect(name).to_string();
        let (mapq, w, window, k) = (
            flag("min_mapq"),
            flag("clip_window"),
            flag("insert_window"),
            flag("anchor"),
        );
        let bam = bam();
        let tsv = fusions_tsv();
        let out = sandbox.run_raw(&[
            "count",
            &bam,
            "--fusions",
            &tsv,
            "--format",
            "json",
            "--min-mapq",
            &mapq,
            "--clip-window",
            &w,
            "--insert-window",
            &window,
            "--anchor",
            &k,
        ]);
        let got = out.json();
        let want = run["counts"].as_array().expect("counts");
        assert_eq!(got.len(), want.len(), "options {o}");
        for (g, w) in got.iter().zip(want) {
            for key in [
                "chrom_a",
                "pos_a",
                "chrom_b",
                "pos_b",
                "orientation",
                "gene",
                "split",
                "discordant",
                "ref_a",
                "ref_b",
            ] {
                assert_eq!(g[key], w[key], "{key} of {} with options {o}", w["gene"]);
            }
            for key in ["depth", "fusion_fraction"] {
                let (g, w) = (g[key].as_f64().expect(key), w[key].as_f64().expect(key));
                assert!((g - w).abs() < 1e-12, "{key}: {g} vs {w} with options {o}");
            }
            checked += 1;
        }
        // Every read whose SA tag does not parse is named on standard error.
        for name in run["sa_warnings"].as_array().expect("sa_warnings") {
            let name = name.as_str().expect("read name");
            assert!(
                out.stderr.contains(&format!("read '{name}'"))
                    && out.stderr.contains("SA tag")
                    && out.stderr.contains("not counted as split"),
                "no warning names {name}: {}",
                out.stderr
            );
        }
    }
    assert!(checked >= 6, "checked {checked} fusion counts");
}

#[test]
fn a_fusion_on_a_contig_the_bam_lacks_is_refused_naming_the_line() {
    let sandbox = Sandbox::new();
    let tsv = sandbox.file(
        "fusions.tsv",
        "chrom_a\tpos_a\tchrom_b\tpos_b\tgene\nchr22\t29683123\tchr11\t128651853\tEWSR1-FLI1\nchr22\t29683123\tchr9\t1000\tEWSR1-X\n",
    );
    let bam = bam();
    let out = sandbox.run_raw(&[
        "count",
        &bam,
        "--fusions",
        tsv.to_str().unwrap(),
        "--format",
        "json",
    ]);
    out.fails(1, "line 3");
    assert!(
        out.stderr.contains("chrom_b") && out.stderr.contains("'chr9' is not in"),
        "{}",
        out.stderr
    );
    let tsv = sandbox.file("bad.tsv", "chr22\t29683123\tchr11\t128651853\t+*\n");
    let out = sandbox.run_raw(&["count", &bam, "--fusions", tsv.to_str().unwrap()]);
    out.fails(1, "orientation");
}

#[test]
fn a_tracked_fusion_is_counted_by_ingest_bam_and_shown_under_its_gene_pair() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let out = sandbox.run(&[
        "track",
        "add",
        "P002",
        "--fusion",
        "chr22:29683123-chr11:128651853",
        "--gene",
        "EWSR1-FLI1",
    ]);
    assert!(out.ok().contains("tracked"), "{}", out.stdout);
    // `--` as a value of --orientation.
    sandbox
        .run(&[
            "track",
            "add",
            "P002",
            "--fusion",
            "chr18:23632000-chrX:48120000",
            "--gene",
            "SS18-SSX1",
            "--orientation",
            "--",
        ])
        .ok();
    // The same junction spelt without `chr` is the same fusion; another gene pair is a conflict.
    let again = sandbox.run(&[
        "track",
        "add",
        "P002",
        "--fusion",
        "22:29683123-11:128651853",
    ]);
    assert!(again.ok().contains("already tracked"), "{}", again.stdout);
    sandbox
        .run(&[
            "track",
            "add",
            "P002",
            "--fusion",
            "chr22:29683123-chr11:128651853",
            "--gene",
            "EWSR1-ERG",
        ])
        .fails(1, "EWSR1-FLI1");
    let listed = sandbox
        .run(&["--format", "json", "track", "fusions", "P002"])
        .json();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[1]["orientation"], "--");

    let bam = bam();
    let out = sandbox.run(&[
        "ingest",
        "bam",
        &bam,
        "--patient",
        "P002",
        "--date",
        "2024-03-01",
    ]);
    assert!(
        out.ok()
            .contains("fusion EWSR1-FLI1: 23 split, 10 discordant"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("read 'bad_sa_1'"), "{}", out.stderr);

    let ctdna = sandbox.run(&["--format", "json", "ctdna", "P002"]).json();
    assert_eq!(ctdna.len(), 1);
    assert_eq!(ctdna[0]["tracked"], 2);
    let fusions = ctdna[0]["fusions"].as_str().unwrap();
    assert!(
        fusions.contains("EWSR1-FLI1 0.7097 (33 of 46.5 fragments)")
            && fusions.contains("SS18-SSX1"),
        "{fusions}"
    );
    let timeline = sandbox
        .run(&["--format", "json", "timeline", "P002"])
        .json();
    assert!(
        timeline.iter().any(|r| r["item"] == "EWSR1-FLI1 fusion"
            && r["detail"]
                .as_str()
                .unwrap()
                .starts_with("33 junction fragments")),
        "{timeline:?}"
    );
    // --fusions-only counts the fusions of a patient that also tracks SNVs; not with --loci.
    sandbox
        .run(&[
            "ingest",
            "bam",
            &bam,
            "--patient",
            "P002",
            "--date",
            "2024-03-01",
            "--fusions-only",
            "--loci",
            "x.tsv",
        ])
        .fails(2, "--loci");
    let again = sandbox.run(&[
        "ingest",
        "bam",
        &bam,
        "--patient",
        "P002",
        "--date",
        "2024-03-01",
        "--fusions-only",
    ]);
    assert!(
        again.ok().contains("fusion EWSR1-FLI1: 23 split"),
        "{}",
        again.stdout
    );
    // The UI's ctDNA chart: one series for the fusion, under its gene pair.
    let store =
        oncotrack::store::Store::open(&sandbox.db(), oncotrack::store::Access::ReadOnly).unwrap();
    let view = oncotrack::tui::data::load_patient(&store, "P002").unwrap();
    assert!(
        view.ctdna
            .iter()
            .any(|s| s.name.starts_with("EWSR1-FLI1 chr22:29683123")
                && s.points.len() == 1
                && (s.points[0].value - 33.0 / 46.5).abs() < 1e-12),
        "{:?}",
        view.ctdna.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    drop(store);
    let export = sandbox.run(&["export", "fusions", "--out", "-"]);
    assert!(
        export
            .ok()
            .contains("P002,2024-03-01,EWSR1-FLI1,chr22,29683123,chr11,128651853,+-,23,10,12,15,"),
        "{}",
        export.stdout
    );
}

#[test]
fn a_tracked_fusion_on_a_contig_the_bam_lacks_stores_nothing() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    sandbox
        .run(&[
            "track",
            "add",
            "P002",
            "--fusion",
            "chr9:1000-chr11:128651853",
        ])
        .ok();
    let before = sandbox.dump();
    let bam = bam();
    let out = sandbox.run(&[
        "ingest",
        "bam",
        &bam,
        "--patient",
        "P002",
        "--date",
        "2024-03-01",
    ]);
    out.fails(1, "'chr9' is not in");
    assert!(out.stderr.contains("tracked fusions"), "{}", out.stderr);
    assert_eq!(
        sandbox.dump(),
        before,
        "a failed ingest changed the database"
    );
    // With a fusion the BAM has, the other is left out with a warning naming it.
    sandbox
        .run(&[
            "track",
            "add",
            "P002",
            "--fusion",
            "chr22:29683123-chr11:128651853",
        ])
        .ok();
    let out = sandbox.run(&[
        "ingest",
        "bam",
        &bam,
        "--patient",
        "P002",
        "--date",
        "2024-03-01",
    ]);
    assert!(out.ok().contains("23 split"), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("fusion chr9:1000-chr11:128651853 +- not counted")
            && out.stderr.contains("'chr9' is not in"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_demo_ewing_patient_shows_its_fusion_over_time() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&["demo", "--patients", "20", "--out", "files"])
        .ok()
        .to_string();
    let line = out
        .lines()
        .find(|l| l.contains("fusions:"))
        .unwrap_or_else(|| panic!("no fusion line: {out}"));
    // "... junction BAMs counted (P010 SS18-SSX1, P015 EWSR1-FLI1: try ...)"
    let before = line
        .split(" EWSR1-FLI1")
        .next()
        .filter(|_| line.contains(" EWSR1-FLI1"))
        .unwrap_or_else(|| panic!("no Ewing patient with junction BAMs: {line}"));
    let ewing = before
        .rsplit([' ', '('])
        .next()
        .unwrap_or_default()
        .to_string();
    let draws = sandbox.run(&["--format", "json", "ctdna", &ewing]).json();
    let fractions: Vec<f64> = draws
        .iter()
        .filter_map(|d| {
            let text = d["fusions"].as_str()?;
            let rest = text.strip_prefix("EWSR1-FLI1 ")?;
            rest.split(' ').next()?.parse().ok()
        })
        .collect();
    assert!(
        fractions.len() >= 4 && fractions.len() == draws.len(),
        "{ewing}: {draws:?}"
    );
    // The fusion follows the tumour: not flat.
    let (lo, hi) = fractions
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &f| (lo.min(f), hi.max(f)));
    assert!(hi > 2.0 * lo.max(0.001), "{fractions:?}");
    let tracked = sandbox
        .run(&["--format", "json", "track", "fusions", &ewing])
        .json();
    assert_eq!(tracked[0]["gene"], "EWSR1-FLI1");
}
