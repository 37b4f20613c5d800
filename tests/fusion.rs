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
