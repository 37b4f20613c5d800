//! Liquid biopsy: real callers' VCFs against `bcftools query`, the ingest / track / calls commands, and bad input.

use crate::util::{Run, Sandbox, shared_data};
use oncotrack::ingest::vcf::{CallReader, Options};
use std::path::{Path, PathBuf};

fn reference(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/liquid")
        .join(name)
}

fn opt_number(text: &str) -> Option<f64> {
    (text != ".").then(|| text.parse().expect("number in reference file"))
}

#[test]
fn every_real_vcf_matches_bcftools_query_call_by_call() {
    let Some(vcfs) = shared_data("vcf") else {
        return;
    };
    let mut files = 0;
    for path in caller_vcfs(&vcfs) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let expected_path = reference(&format!("vcf/{name}.tsv"));
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("no reference for {name}: run vcf_expected.sh"));
        let mut reader = CallReader::open(&path, &Options::default()).unwrap();
        let mut calls = Vec::new();
        let mut batch = Vec::new();
        while reader.next_calls(&mut batch).unwrap() {
            calls.append(&mut batch);
        }
        let rows: Vec<&str> = expected.lines().collect();
        assert_eq!(calls.len(), rows.len(), "{name}: number of calls");
        for (call, row) in calls.iter().zip(&rows) {
            let f: Vec<&str> = row.split('\t').collect();
            let at = format!("{name} {}:{} {}>{}", f[0], f[1], f[2], f[3]);
            assert_eq!(call.chrom_raw, f[0], "{at}");
            assert_eq!(call.locus.pos.to_string(), f[1], "{at}");
            assert_eq!(
                (call.locus.reference.as_str(), call.locus.alt.as_str()),
                (f[2], f[3]),
                "{at}"
            );
            assert_eq!(call.filter, f[4], "{at}");
            match (call.vaf, opt_number(f[5])) {
                (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-12, "{at}: vaf {a} vs {b}"),
                (a, b) => assert_eq!(a, b, "{at}: vaf"),
            }
            assert_eq!(
                call.alt_reads.map(f64::from),
                opt_number(f[6]),
                "{at}: alt reads"
            );
            assert_eq!(
                call.ref_reads.map(f64::from),
                opt_number(f[7]),
                "{at}: ref reads"
            );
            assert_eq!(call.depth.map(f64::from), opt_number(f[8]), "{at}: depth");
        }
        files += 1;
    }
    assert!(files >= 10, "only {files} VCFs checked");
}

#[test]
fn every_real_vcf_ingests_through_the_command_line() {
    let Some(vcfs) = shared_data("vcf") else {
        return;
    };
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let files = caller_vcfs(&vcfs);
    assert!(files.len() >= 10, "only {} VCFs found", files.len());
    for (day, path) in (1..).zip(files) {
        let date = format!("2024-01-{day:02}");
        let out = ingest_vcf(
            &sandbox,
            path.to_str().unwrap(),
            "P001",
            &date,
            &["--all-filters"],
        )
        .ok()
        .to_string();
        assert!(out.contains("detected from the header"), "{out}");
        let calls = sandbox
            .run(&["calls", "P001", "--date", &date, "--format", "json"])
            .json();
        assert!(!calls.is_empty(), "{}", path.display());
    }
}

/// The SNV/indel caller VCFs of the shared data, in name order (the `sv/` folder of
/// structural-variant callers is not among them).
fn caller_vcfs(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

/// `oncotrack ingest vcf FILE --patient PATIENT --date DATE EXTRA...` in the sandbox.
fn ingest_vcf(sandbox: &Sandbox, file: &str, patient: &str, date: &str, extra: &[&str]) -> Run {
    let mut args = vec!["ingest", "vcf", file, "--patient", patient, "--date", date];
    args.extend_from_slice(extra);
    sandbox.run(&args)
}

/// `oncotrack count BAM --loci LOCI --format FORMAT` in the sandbox.
fn count(sandbox: &Sandbox, bam: &str, loci: &str, format: &str) -> Run {
    sandbox.run_raw(&["count", bam, "--loci", loci, "--format", format])
}

const MUTECT2_HEAD: &str = "##fileformat=VCFv4.2\n##source=Mutect2\n##tumor_sample=TUMOR1\n\
##INFO=<ID=ANN,Number=.,Type=String,Description=\"SnpEff\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL1\tTUMOR1\n";

fn mutect2(records: &[&str]) -> String {
    let mut text = MUTECT2_HEAD.to_string();
    for r in records {
        text.push_str(r);
        text.push('\n');
    }
    text
}

#[test]
fn the_report_counts_records_and_the_calls_stored_from_them() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    // A record with two ALT alleles is one record and two calls.
    let vcf = sandbox.file(
        "multi.vcf",
        &mutect2(&[
            "chr1\t100\t.\tG\tA,T\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0,0:0.0,0.0:40\t0/1/2:60,30,10:0.3,0.1:100",
            "chr2\t200\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:80,20:0.2:100",
        ]),
    );
    let out = ingest_vcf(&sandbox, vcf.to_str().unwrap(), "P001", "2024-01-10", &[])
        .ok()
        .to_string();
    assert!(out.contains("2 vcf records read, 3 new"), "{out}");
}

#[test]
fn tracked_variants_are_reported_in_later_samples_detected_or_not() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let baseline = sandbox.file(
        "baseline.vcf",
        &mutect2(&[
            "chr17\t7577120\t.\tC\tT\t.\tPASS\tANN=T|missense_variant|MODERATE|TP53|g|t|f|b|8/11|c.818G>A|p.Arg273His\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:0.4:100",
            "chr12\t25398284\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:80,20:0.2:100",
            "chr1\t100\t.\tG\tA\t.\tweak_evidence\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:99,1:0.01:100",
        ]),
    );
    let out = ingest_vcf(
        &sandbox,
        baseline.to_str().unwrap(),
        "P001",
        "2024-01-10",
        &["--track", "--cfdna-ng-per-ml", "12.5"],
    )
    .ok()
    .to_string();
    assert!(out.contains("2 variants added to the tracked set"), "{out}");
    assert!(out.contains("1 calls failed a filter"), "{out}");
    let later = sandbox.file(
        "later.vcf",
        &mutect2(&[
            "17\t7577120\t.\tC\tT\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:190,10:0.05:200",
            "chr12\t25398284\t.\tC\tT\t.\tclustered_events\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:149,1:0.007:150",
        ]),
    );
    let out = ingest_vcf(&sandbox, later.to_str().unwrap(), "P001", "2024-03-10", &[])
        .ok()
        .to_string();
    assert!(out.contains("1 tracked variants not detected"), "{out}");
    let calls = sandbox
        .run(&["calls", "P001", "--date", "2024-03-10", "--format", "json"])
        .json();
    assert_eq!(calls.len(), 2);
    let keys: Vec<&str> = calls[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "chrom",
        "pos",
        "ref",
        "alt",
        "gene",
        "vaf",
        "alt_reads",
        "depth",
        "filter",
        "caller",
        "vaf_source",
        "sample",
        "date",
    ] {
        assert!(keys.contains(&key), "missing key {key}: {keys:?}");
    }
    let kras = calls.iter().find(|c| c["chrom"] == "12").unwrap();
    assert_eq!(kras["detected"], false);
    assert_eq!(kras["alt_reads"], 0);
    assert_eq!(
        kras["depth"], 150,
        "left-censored with the filtered record's depth"
    );
    assert_eq!(kras["filter"], "clustered_events");
    let tp53 = calls.iter().find(|c| c["chrom"] == "17").unwrap();
    assert_eq!(
        (tp53["vaf"].as_f64(), tp53["gene"].as_str()),
        (Some(0.05), Some("TP53"))
    );
    assert_eq!(
        (
            tp53["caller"].as_str(),
            tp53["vaf_source"].as_str(),
            tp53["sample"].as_str()
        ),
        (Some("mutect2"), Some("FORMAT/AF"), Some("TUMOR1"))
    );
    // A third draw whose VCF lacks both: both reported, none dropped. A VCF with no
    // records is refused unless --allow-empty says the caller found nothing.
    let empty = sandbox.file("empty.vcf", &mutect2(&[]));
    let before = sandbox.dump();
    ingest_vcf(&sandbox, empty.to_str().unwrap(), "P001", "2024-05-10", &[]).fails(
        1,
        "empty.vcf: line 10: field 'record': the VCF has a header and no records",
    );
    assert_eq!(sandbox.dump(), before);
    ingest_vcf(
        &sandbox,
        empty.to_str().unwrap(),
        "P001",
        "2024-05-10",
        &["--allow-empty"],
    )
    .ok();
    let calls = sandbox
        .run(&["calls", "P001", "--date", "2024-05-10", "--format", "json"])
        .json();
    assert_eq!(calls.len(), 2);
    assert!(
        calls
            .iter()
            .all(|c| c["detected"] == false && c["depth"].is_null())
    );
    // Nothing could be seen there: not evaluable, never clearance.
    let draws = sandbox.run(&["ctdna", "P001", "--format", "json"]).json();
    let empty_draw = draws.iter().find(|d| d["date"] == "2024-05-10").unwrap();
    assert_eq!(empty_draw["clearance"], false);
    assert_eq!(empty_draw["molecular_response"], "NE", "{empty_draw}");
    // Same file again: a no-op that says so.
    let again = ingest_vcf(&sandbox, later.to_str().unwrap(), "P001", "2024-03-10", &[])
        .ok()
        .to_string();
    assert!(again.contains("already ingested"), "{again}");
    // VCFs load without SQLite's row-by-row foreign-key checks: every key must still hold.
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let dangling: Vec<String> = conn
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(
        dangling.is_empty(),
        "rows with dangling keys in {dangling:?}"
    );
    let calls: i64 = conn
        .query_row("SELECT count(*) FROM variant_call", [], |r| r.get(0))
        .unwrap();
    assert_eq!(calls, 2 + 2 + 2);
}

#[test]
fn tracked_variants_a_vcf_does_not_call_are_stored_in_one_order_on_every_run() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    // Eight loci on eight contigs: each not-called row gets its own provenance row, whose
    // id says in which order they were written.
    let mut loci = String::from("chrom\tpos\tref\talt\n");
    for chrom in ["7", "2", "X", "5", "1", "8", "3", "6"] {
        loci.push_str(&format!("{chrom}\t1000\tC\tT\n"));
    }
    let loci = sandbox.file("loci.tsv", &loci);
    sandbox
        .run(&["track", "add", "P001", "--loci", loci.to_str().unwrap()])
        .ok();
    let empty = sandbox.file("empty.vcf", &mutect2(&[]));
    ingest_vcf(
        &sandbox,
        empty.to_str().unwrap(),
        "P001",
        "2024-05-10",
        &["--allow-empty"],
    )
    .ok();
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let written: Vec<i64> = conn
        .prepare(
            "SELECT c.variant_id FROM variant_call c JOIN call_provenance p USING (provenance_id)
              ORDER BY p.provenance_id",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut sorted = written.clone();
    sorted.sort_unstable();
    assert_eq!(written.len(), 8);
    assert_eq!(written, sorted, "written in a per-process order");
}

#[test]
fn track_add_reads_a_loci_list() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let loci = sandbox.file(
        "loci.tsv",
        "chrom\tpos\tref\talt\tgene\nchr17\t7577120\tC\tT\tTP53\n12\t25398284\tC\tT\n",
    );
    sandbox
        .run(&["track", "add", "P001", "--loci", loci.to_str().unwrap()])
        .ok();
    let tracked = sandbox
        .run(&["track", "list", "P001", "--format", "json"])
        .json();
    assert_eq!(tracked.len(), 2);
    assert_eq!(tracked[1]["gene"], "TP53");
    let bad = sandbox.file("bad.tsv", "1\t5\tC\tT\n1\tfive\tC\tT\n");
    let before = sandbox.dump();
    sandbox
        .run(&["track", "add", "P001", "--loci", bad.to_str().unwrap()])
        .fails(1, "line 2: field 'pos'");
    assert_eq!(sandbox.dump(), before);
}

#[test]
fn bad_vcfs_fail_naming_the_place_and_leave_the_database_untouched() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let good = "chr1\t100\t.\tG\tA\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:0.4:100";
    let cases = [
        (
            "short.vcf",
            mutect2(&[good, "chr1\t200\t.\tG\tA\t.\tPASS"]),
            "line 11: field 'record': record 2",
        ),
        (
            "af.vcf",
            mutect2(&[
                good,
                "chr1\t200\t.\tG\tA\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:abc:100",
            ]),
            "line 11: field 'FORMAT/AF': record 2",
        ),
        (
            "nosample.vcf",
            mutect2(&[good]).replace("\tTUMOR1\n", "\tTUMOR2\n"),
            "field 'sample'",
        ),
    ];
    for (name, text, needle) in cases {
        let path = sandbox.file(name, &text);
        let before = sandbox.dump();
        ingest_vcf(&sandbox, path.to_str().unwrap(), "P001", "2024-01-10", &[]).fails(1, needle);
        assert_eq!(sandbox.dump(), before, "{name} changed the database");
    }
    let path = sandbox.file("ok.vcf", &mutect2(&[good]));
    ingest_vcf(&sandbox, path.to_str().unwrap(), "P404", "2024-01-10", &[])
        .fails(1, "unknown patient 'P404'");
    ingest_vcf(
        &sandbox,
        path.to_str().unwrap(),
        "P001",
        "2024-01-10",
        &["--caller", "gatk"],
    )
    .fails(1, "invalid --caller 'gatk'");
}

#[test]
fn truncated_bgzf_is_an_error_naming_the_record() {
    use std::io::Write;
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let mut records = Vec::new();
    for i in 0..3000 {
        records.push(format!(
            "chr1\t{}\t.\tG\tA\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:0.4:100",
            i + 1
        ));
    }
    let refs: Vec<&str> = records.iter().map(String::as_str).collect();
    let mut writer = noodles::bgzf::io::Writer::new(Vec::new());
    writer.write_all(mutect2(&refs).as_bytes()).unwrap();
    let bytes = writer.finish().unwrap();
    let full = sandbox.path().join("full.vcf.gz");
    std::fs::write(&full, &bytes).unwrap();
    let cut = sandbox.path().join("cut.vcf.gz");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let before = sandbox.dump();
    ingest_vcf(&sandbox, cut.to_str().unwrap(), "P001", "2024-01-10", &[])
        .fails(1, "cut.vcf.gz: line");
    assert_eq!(sandbox.dump(), before);
    let out = ingest_vcf(&sandbox, full.to_str().unwrap(), "P001", "2024-01-10", &[])
        .ok()
        .to_string();
    assert!(out.contains("3000 vcf records read, 3000 new"), "{out}");
}

/// Calls are parsed on one thread and written on another in batches of thousands:
/// a bad record far into the file, after many batches were written, must still
/// leave the database as it was.
#[test]
fn bad_record_after_many_written_batches_leaves_the_database_untouched() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let mut records: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                "chr1\t{}\t.\tG\tA\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:0.4:100",
                i + 1
            )
        })
        .collect();
    records[18_000] = records[18_000].replace(":0.4:", ":1.5:");
    let refs: Vec<&str> = records.iter().map(String::as_str).collect();
    let path = sandbox.file("late.vcf", &mutect2(&refs));
    let before = sandbox.dump();
    ingest_vcf(&sandbox, path.to_str().unwrap(), "P001", "2024-01-10", &[])
        .fails(1, "line 18010: field 'FORMAT/AF': record 18001");
    assert_eq!(sandbox.dump(), before);
}

fn bam_references() -> Vec<(PathBuf, PathBuf)> {
    let mut bams = Vec::new();
    if let Some(data) = shared_data("bam") {
        for name in ["ctdnatools_T1.bam", "ctdnatools_N1.bam"] {
            bams.push(data.join(name));
        }
    }
    // Committed, so always checked (a missing file fails the test).
    bams.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/liquid/overlaps.bam"));
    bams.into_iter()
        .map(|bam| {
            let name = bam.file_name().unwrap().to_string_lossy().into_owned();
            (bam, reference(&format!("bam/{name}.loci.tsv")))
        })
        .collect()
}

#[test]
fn bam_counts_equal_samtools_mpileup_in_both_overlap_modes() {
    use oncotrack::ingest::bam::{Access, CountOptions, count_alleles};
    let mut checked = 0;
    let mut checked_bams = Vec::new();
    for (bam, loci_path) in bam_references() {
        let name = bam.file_name().unwrap().to_string_lossy().into_owned();
        checked_bams.push(name.clone());
        let loci = oncotrack::ingest::loci::read(&loci_path).unwrap();
        for (mq, bq) in [(20u8, 20u8), (0, 0), (30, 38)] {
            for (mode, fragment_level) in [("fragment", true), ("reads", false)] {
                let options = CountOptions {
                    min_mapq: mq,
                    min_bq: bq,
                    fragment_level,
                };
                let result = count_alleles(&bam, &loci_path, &loci, options).unwrap();
                assert!(
                    matches!(result.access, Access::Index(_)),
                    "{name}: {:?}",
                    result.access
                );
                let expected = std::fs::read_to_string(reference(&format!(
                    "bam/{name}.q{mq}.Q{bq}.{mode}.tsv"
                )))
                .unwrap();
                let rows: Vec<&str> = expected.lines().skip(1).collect();
                assert_eq!(result.counts.len(), rows.len(), "{name}");
                for (count, row) in result.counts.iter().zip(rows) {
                    let c = &count.counts.bases;
                    let got = format!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        count.row.chrom_raw,
                        count.row.locus.pos,
                        count.counts.depth(),
                        c[0],
                        c[1],
                        c[2],
                        c[3],
                        c[4]
                    );
                    assert_eq!(got, row, "{name} -q {mq} -Q {bq} {mode}");
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked_bams.iter().any(|n| n == "overlaps.bam"),
        "the committed fixtures/liquid/overlaps.bam was not checked: {checked_bams:?}"
    );
    assert_eq!(
        checked,
        6 * checked_bams.len(),
        "3 quality settings x 2 modes per BAM"
    );
}

#[test]
fn count_uses_the_index_or_scans_with_a_warning_and_names_unknown_contigs() {
    let bam = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/liquid/overlaps.bam");
    let loci = reference("bam/overlaps.bam.loci.tsv");
    let sandbox = Sandbox::new();
    let indexed = count(
        &sandbox,
        bam.to_str().unwrap(),
        loci.to_str().unwrap(),
        "json",
    );
    let rows = indexed.json();
    assert!(indexed.stderr.is_empty(), "{}", indexed.stderr);
    let keys: Vec<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "chrom",
            "pos",
            "ref",
            "alt",
            "depth",
            "a",
            "c",
            "g",
            "t",
            "n",
            "ref_count",
            "alt_count",
            "vaf"
        ]
    );
    // Without an index: the same counts, read by a full scan, with a warning.
    let copy = sandbox.path().join("copy.bam");
    std::fs::copy(&bam, &copy).unwrap();
    let scanned = count(
        &sandbox,
        copy.to_str().unwrap(),
        loci.to_str().unwrap(),
        "json",
    );
    assert_eq!(scanned.json(), rows);
    assert!(scanned.stderr.contains("no index"), "{}", scanned.stderr);
    // An index older than its BAM is not trusted.
    let index = sandbox.path().join("copy.bam.bai");
    std::fs::copy(bam.with_extension("bam.bai"), &index).unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&index)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let stale = count(
        &sandbox,
        copy.to_str().unwrap(),
        loci.to_str().unwrap(),
        "json",
    );
    assert_eq!(stale.json(), rows);
    assert!(
        stale.stderr.contains("older than the BAM"),
        "{}",
        stale.stderr
    );
    // A contig the BAM does not have, and an indel that is not counted.
    let bad = sandbox.file("bad.tsv", "chr1\t100\tA\tC\nchr9\t5\tA\tC\n");
    sandbox
        .run_raw(&[
            "count",
            bam.to_str().unwrap(),
            "--loci",
            bad.to_str().unwrap(),
        ])
        .fails(1, "bad.tsv: line 2: field 'chrom': contig 'chr9' is not in");
    let indel = sandbox.file("indel.tsv", "chr1\t100\tA\tC\nchr1\t200\tAT\tA\n");
    let run = count(
        &sandbox,
        bam.to_str().unwrap(),
        indel.to_str().unwrap(),
        "tsv",
    );
    assert_eq!(run.ok().lines().count(), 2, "header and the SNV");
    assert!(
        run.stderr.contains("line 2") && run.stderr.contains("not counted"),
        "{}",
        run.stderr
    );
}

#[test]
fn bam_counts_become_a_draw_and_ctdna_metrics_follow_tracked_variants() {
    let bam = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/liquid/overlaps.bam");
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    // Track three loci of the fixture, one of them with an ALT never seen.
    let loci = reference("bam/overlaps.bam.loci.tsv");
    let lines: Vec<String> = std::fs::read_to_string(&loci)
        .unwrap()
        .lines()
        .skip(1)
        .take(3)
        .map(str::to_string)
        .collect();
    let tracked = sandbox.file("tracked.tsv", &format!("{}\n", lines.join("\n")));
    sandbox
        .run(&["track", "add", "P001", "--loci", tracked.to_str().unwrap()])
        .ok();
    let out = sandbox
        .run(&[
            "ingest",
            "bam",
            bam.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            "2024-02-01",
            "--cfdna-ng-per-ml",
            "20",
        ])
        .ok()
        .to_string();
    assert!(out.contains("3 bam records read, 3 new"), "{out}");
    let counted = sandbox
        .run_raw(&[
            "count",
            bam.to_str().unwrap(),
            "--loci",
            tracked.to_str().unwrap(),
            "--format",
            "json",
        ])
        .json();
    let metrics = sandbox.run(&["ctdna", "P001", "--format", "json"]).json();
    assert_eq!(metrics.len(), 1);
    let depth_weighted: Vec<f64> = counted
        .iter()
        .map(|c| c["vaf"].as_f64().unwrap_or(0.0))
        .collect();
    let detected = counted
        .iter()
        .filter(|c| c["alt_count"].as_u64().unwrap() > 0)
        .count();
    let mean: f64 = counted
        .iter()
        .zip(&depth_weighted)
        .map(|(c, v)| {
            if c["alt_count"].as_u64().unwrap() > 0 {
                *v
            } else {
                0.0
            }
        })
        .sum::<f64>()
        / 3.0;
    assert_eq!(metrics[0]["tracked"], 3);
    assert_eq!(metrics[0]["detected"].as_u64().unwrap() as usize, detected);
    assert!((metrics[0]["mean_vaf"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert!(
        (metrics[0]["mutant_molecules_per_ml"].as_f64().unwrap() - mean * 20.0 * 303.0).abs()
            < 1e-9
    );
    assert_eq!(metrics[0]["molecular_response"], "baseline");
}

#[test]
fn demo_ctdna_falls_in_responders_and_rises_before_progression() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .run(&["demo", "--patients", "40", "--out", "files"])
        .ok()
        .to_string();
    assert!(
        out.contains("liquid biopsy: ") && out.contains("2 BAM"),
        "{out}"
    );
    // P001's nadir and last draws are sequenced deeply and tested for MRD: both positive
    // (ctDNA at ~0.1 % at the nadir is still above a 2e-4 background), the other draws untested.
    assert!(out.contains("MRD positive"), "{out}");
    let p001 = sandbox.run(&["ctdna", "P001", "--format", "json"]).json();
    let tested: Vec<&str> = p001.iter().filter_map(|d| d["mrd"].as_str()).collect();
    assert_eq!(tested, ["positive", "positive"], "{p001:?}");
    let files = sandbox.path().join("files");
    let dialects: std::collections::BTreeSet<String> = std::fs::read_dir(files.join("liquid"))
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.split('_')
                .nth(2)
                .map(|d| d.split('.').next().unwrap().to_string())
        })
        .collect();
    assert_eq!(
        dialects.into_iter().collect::<Vec<_>>(),
        ["freebayes", "mutect2", "strelka2", "varscan2"]
    );
    let mut truth = csv::Reader::from_path(files.join("truth.csv")).unwrap();
    let mut progression: std::collections::HashMap<String, String> =
        std::collections::HashMap::new();
    let mut events = csv::Reader::from_path(files.join("events.csv")).unwrap();
    for row in events.records() {
        let row = row.unwrap();
        if (&row[2] == "progression" || &row[2] == "relapse") && !progression.contains_key(&row[0])
        {
            progression.insert(row[0].to_string(), row[1].to_string());
        }
    }
    let (mut responders, mut responded, mut progressed, mut rose) = (0, 0, 0, 0);
    for row in truth.records() {
        let row = row.unwrap();
        let (id, pattern) = (&row[0], &row[3]);
        // Draws with a mean VAF (one that detected nothing and did not see every
        // tracked locus has none: NE).
        let draws: Vec<serde_json::Value> = sandbox
            .run(&["ctdna", id, "--format", "json"])
            .json()
            .into_iter()
            .filter(|d| d["mean_vaf"].is_number())
            .collect();
        if draws.len() < 3 {
            continue;
        }
        let mean = |d: &serde_json::Value| d["mean_vaf"].as_f64().unwrap();
        if pattern.ends_with("responder")
            && progression
                .get(id)
                .is_none_or(|p| p.as_str() >= draws[2]["date"].as_str().unwrap())
        {
            responders += 1;
            if mean(&draws[2]) < 0.5 * mean(&draws[0]) {
                responded += 1;
            }
        }
        if let Some(date) = progression.get(id) {
            // The last draw before progression versus the lowest level before it.
            let before: Vec<&serde_json::Value> = draws
                .iter()
                .filter(|d| d["date"].as_str().unwrap() <= date.as_str())
                .collect();
            if before.len() >= 3 {
                progressed += 1;
                let nadir = before.iter().map(|d| mean(d)).fold(f64::INFINITY, f64::min);
                if mean(before.last().unwrap()) > 2.0 * nadir {
                    rose += 1;
                }
            }
        }
    }
    assert!(
        responders >= 5 && responded * 10 >= responders * 8,
        "{responded}/{responders} responders fell"
    );
    assert!(
        progressed >= 3 && rose * 10 >= progressed * 7,
        "{rose}/{progressed} rose before progression"
    );
}

/// A VarDict tumour–normal VCF as VarDictJava's paired mode writes it.
fn vardict_paired(records: &[&str]) -> String {
    let mut text = "##fileformat=VCFv4.3\n##source=VarDict_v1.8.1\n\
##INFO=<ID=STATUS,Number=1,Type=String,Description=\"Somatic or germline status\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n\
##FORMAT=<ID=VD,Number=1,Type=Integer,Description=\"v\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ttumour\tnormal\n"
        .to_string();
    for r in records {
        text.push_str(r);
        text.push('\n');
    }
    text
}

#[test]
fn track_takes_somatic_calls_only_says_why_the_rest_were_left_out_and_lists_how_each_was_chosen() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let vcf = sandbox.file(
        "paired.vcf",
        &vardict_paired(&[
            "17\t7577120\t.\tC\tT\t50\tPASS\tSTATUS=StrongSomatic\tGT:DP:VD:AD:AF\t0/1:200:40:160,40:0.2\t0/0:100:0:100,0:0",
            "17\t7577538\t.\tC\tT\t50\tPASS\tSTATUS=LikelySomatic\tGT:DP:VD:AD:AF\t0/1:200:8:192,8:0.04\t0/0:100:1:99,1:0.01",
            "2\t100\t.\tA\tG\t50\tPASS\tSTATUS=Germline\tGT:DP:VD:AD:AF\t0/1:200:100:100,100:0.5\t0/1:100:50:50,50:0.5",
            "2\t200\t.\tA\tG\t50\tPASS\tSTATUS=StrongLOH\tGT:DP:VD:AD:AF\t0/0:491:0:491,0:0\t0/1:263:136:127,136:0.5171",
            "2\t300\t.\tA\tG\t50\tPASS\tSTATUS=StrongSomatic\tGT:DP:VD:AD:AF\t0/1:200:30:170,30:0.15\t0/0:100:6:94,6:0.06",
            "2\t400\t.\tA\tG\t50\tv3;f0.02\tSTATUS=StrongSomatic\tGT:DP:VD:AD:AF\t0/0:264:2:262,2:0.0076\t0/0:134:0:134,0:0",
        ]),
    );
    let out = ingest_vcf(
        &sandbox,
        vcf.to_str().unwrap(),
        "P001",
        "2024-01-10",
        &["--track"],
    )
    .ok()
    .to_string();
    assert!(out.contains("matched normal 'normal'"), "{out}");
    assert!(out.contains("2 variants added to the tracked set"), "{out}");
    assert!(
        out.contains(
            "4 calls left out of the tracked set: 1 failed a filter, \
             1 more than 2 alt reads in the matched normal, 1 not somatic (STATUS=Germline), \
             1 not somatic (STATUS=StrongLOH)"
        ),
        "{out}"
    );
    assert!(
        out.contains("1 calls with 0 alt reads or a 0/0 genotype stored as not detected"),
        "{out}"
    );
    let tracked = sandbox
        .run(&["track", "list", "P001", "--format", "json"])
        .json();
    assert_eq!(tracked.len(), 2);
    for t in &tracked {
        assert_eq!(t["chrom"], "17");
        assert_eq!(t["draw_date"], "2024-01-10");
        assert!(
            t["source_file"].as_str().unwrap().ends_with("paired.vcf"),
            "{t}"
        );
        assert!(t["added_at"].as_str().is_some(), "{t}");
    }
    assert_eq!(
        tracked[0]["chosen_by"],
        "somatic: FILTER PASS, STATUS=StrongSomatic, detected in the tumour, 0 alt reads in the matched normal"
    );
    // The StrongLOH call (0 alt reads in the tumour) is stored, not detected, with its depth.
    let calls = sandbox.run(&["calls", "P001", "--format", "json"]).json();
    let loh = calls.iter().find(|c| c["pos"] == 200).unwrap();
    assert_eq!(
        (&loh["detected"], &loh["depth"]),
        (&false.into(), &491.into())
    );
    assert!(
        calls
            .iter()
            .all(|c| c["alt_reads"] != 0 || c["detected"] == false),
        "no call with 0 alt reads is detected"
    );
    // --track-all takes every PASS call of another patient's file.
    let out = ingest_vcf(
        &sandbox,
        vcf.to_str().unwrap(),
        "P002",
        "2024-01-10",
        &["--track-all"],
    )
    .ok()
    .to_string();
    assert!(out.contains("5 variants added to the tracked set"), "{out}");
    let tracked = sandbox
        .run(&["track", "list", "P002", "--format", "json"])
        .json();
    assert!(
        tracked
            .iter()
            .all(|t| t["chosen_by"] == "--track-all: FILTER PASS"),
        "{tracked:?}"
    );
    // `track add --vcf` chooses the same way and stores no call.
    sandbox
        .run(&["patient", "add", "P003", "--diagnosis", "UPS"])
        .ok();
    let out = sandbox
        .run(&["track", "add", "P003", "--vcf", vcf.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(out.contains("6 vcf-track records read, 2 new"), "{out}");
    assert!(out.contains("4 calls left out of the tracked set"), "{out}");
    let tracked = sandbox
        .run(&["track", "list", "P003", "--format", "json"])
        .json();
    assert_eq!(tracked.len(), 2);
    assert!(tracked[1]["draw_date"].is_null());
    assert!(
        tracked[1]["chosen_by"]
            .as_str()
            .unwrap()
            .contains("STATUS=LikelySomatic"),
        "{tracked:?}"
    );
    let calls = sandbox.run(&["calls", "P003", "--format", "json"]).json();
    assert!(calls.is_empty());
}

#[test]
fn real_vcfs_track_no_germline_or_loh_call_and_store_no_zero_alt_call_as_detected() {
    let files: Vec<PathBuf> = shared_data("vcf")
        .map(|d| caller_vcfs(&d))
        .unwrap_or_default();
    // VarDictJava's paired-mode test output (tests/integration/expected/vardict.paired.vcf)
    // is checked by its numbers when the shared data holds it.
    if !files.is_empty() && !files.iter().any(|f| f.ends_with("vardict.paired.vcf")) {
        eprintln!(
            "skipped the VarDict paired checks: vcf/vardict.paired.vcf is not in the shared data"
        );
    }
    if files.is_empty() {
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let conn = || rusqlite::Connection::open(sandbox.db()).unwrap();
    let mut checked = 0;
    for (i, path) in files.iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let patient = format!("R{i:03}");
        sandbox
            .run(&["patient", "add", &patient, "--diagnosis", "UPS"])
            .ok();
        let out = ingest_vcf(
            &sandbox,
            path.to_str().unwrap(),
            &patient,
            "2024-01-10",
            &["--track", "--all-filters"],
        )
        .ok()
        .to_string();
        let db = conn();
        let zero_alt_detected: i64 = db
            .query_row(
                "SELECT count(*) FROM variant_call WHERE alt_reads = 0 AND detected = 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(zero_alt_detected, 0, "{name}");
        let tracked: Vec<String> = db
            .prepare(
                "SELECT c.chosen_by FROM tracked_variant t JOIN patient p USING (patient_id)
                   JOIN track_choice c USING (choice_id)
                  WHERE p.code = ?1",
            )
            .unwrap()
            .query_map([&patient], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for how in &tracked {
            let passed = ["somatic: FILTER PASS,", "somatic: FILTER .,"];
            assert!(passed.iter().any(|p| how.starts_with(p)), "{name}: {how}");
            for germline in ["Germline", "LOH", "AFDiff", "SS=1", "SS=3", "SS=5"] {
                assert!(!how.contains(germline), "{name}: {how}");
            }
        }
        if name.contains("vardict.paired") {
            // 729 PASS calls: 210 StrongSomatic + 8 LikelySomatic, 2 of them with more
            // than 2 alt reads in the matched normal; none of the 239 Germline, 265 LOH.
            assert_eq!(tracked.len(), 216, "{out}");
            assert!(out.contains("239 not somatic (STATUS=Germline)"), "{out}");
            assert!(out.contains("174 not somatic (STATUS=StrongLOH)"), "{out}");
        }
        if name.contains("varscan") {
            assert!(tracked.iter().all(|h| h.contains("SS=2")), "{name}");
            assert!(!tracked.is_empty(), "{name}: no SS=2 call tracked");
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} real VCFs checked");
}

#[test]
fn files_as_they_come_plain_gzip_duplicates_and_future_dates() {
    use std::io::Write;
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let good = "chr1\t100\t.\tG\tA\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:0.4:100";
    let text = mutect2(&[
        good,
        "chr1\t200\t.\tG\tA\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:60,40:0.4:100",
    ]);
    // `gzip file.vcf`: plain gzip, not BGZF.
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(text.as_bytes()).unwrap();
    let bytes = gzip.finish().unwrap();
    let plain = sandbox.path().join("plain.vcf.gz");
    std::fs::write(&plain, &bytes).unwrap();
    let out = ingest_vcf(&sandbox, plain.to_str().unwrap(), "P001", "2024-01-10", &[])
        .ok()
        .to_string();
    assert!(out.contains("2 vcf records read, 2 new"), "{out}");
    // A broken compressed file says what it is.
    let cut = sandbox.path().join("cut.vcf.gz");
    std::fs::write(&cut, &bytes[..bytes.len() - 12]).unwrap();
    ingest_vcf(&sandbox, cut.to_str().unwrap(), "P001", "2024-01-11", &[])
        .fails(1, "truncated or corrupt gzip stream at byte");
    // A record twice in one file is a duplicate, not "already in the database".
    let twice = sandbox.file("twice.vcf", &mutect2(&[good, good]));
    let out = ingest_vcf(&sandbox, twice.to_str().unwrap(), "P001", "2024-01-12", &[])
        .ok()
        .to_string();
    assert!(out.contains("2 vcf records read, 1 new"), "{out}");
    assert!(!out.contains("already in the database"), "{out}");
    assert!(
        out.contains("1 duplicate records repeat a variant of an earlier record of this file (first: line 11, 1:100 G>A)"),
        "{out}"
    );
    // A blood draw after today is refused, as for cytokines and lesions.
    let before = sandbox.dump();
    ingest_vcf(&sandbox, twice.to_str().unwrap(), "P001", "2999-01-01", &[])
        .fails(1, "invalid --date '2999-01-01': lies in the future");
    let bam = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/liquid/overlaps.bam");
    sandbox
        .run(&[
            "ingest",
            "bam",
            bam.to_str().unwrap(),
            "--patient",
            "P001",
            "--date",
            "2999-01-01",
        ])
        .fails(1, "invalid --date '2999-01-01': lies in the future");
    assert_eq!(sandbox.dump(), before);
}

#[test]
fn molecular_thresholds_are_flags_of_ctdna_and_response() {
    let sandbox = Sandbox::new();
    sandbox.with_patients();
    let draw = |name: &str, alt: u32, date: &str, extra: &[&str]| {
        let record = format!(
            "chr1\t100\t.\tG\tA\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:40,0:0.0:40\t0/1:{},{alt}:{}:1000",
            1000 - alt,
            f64::from(alt) / 1000.0
        );
        let path = sandbox.file(name, &mutect2(&[&record]));
        ingest_vcf(&sandbox, path.to_str().unwrap(), "P001", date, extra).ok();
    };
    draw("a.vcf", 100, "2024-01-10", &["--track"]);
    draw("b.vcf", 130, "2024-02-10", &[]);
    let category = |flags: &[&str]| -> String {
        let mut args = vec!["ctdna", "P001", "--format", "json"];
        args.extend_from_slice(flags);
        let rows = sandbox.run(&args).json();
        rows[1]["molecular_response"].as_str().unwrap().to_string()
    };
    // +30 % from the nadir: SD by default, PD with a 25 % rise (130/1000 against
    // 100/1000 reads is significant, one-sided Fisher p = 0.02).
    assert_eq!(category(&[]), "SD");
    assert_eq!(category(&["--ctdna-rise", "25"]), "PD");
    assert_eq!(
        category(&["--ctdna-rise", "25", "--ctdna-alpha", "0.01"]),
        "SD"
    );
    let response = sandbox
        .run(&[
            "response",
            "P001",
            "--criteria",
            "ctdna",
            "--ctdna-rise",
            "25",
            "--format",
            "json",
        ])
        .json();
    assert_eq!(response[0]["category"], "PD", "{response:?}");
    sandbox
        .run(&["ctdna", "P001", "--ctdna-alpha", "2"])
        .fails(2, "not a probability");
}
