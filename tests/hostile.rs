//! Hostile and damaged VCF, BAM and NIfTI files (issue 17 §3): each is refused in one line naming the file, the position and what to do, at once and in bounded memory, and nothing is stored.

use crate::util::Sandbox;
use std::path::{Path, PathBuf};

const HEAD: &str = "##fileformat=VCFv4.2\n##source=Mutect2\n##tumor_sample=TUMOR1\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL1\tTUMOR1\n";

const RECORD: &str = "chr17\t7577120\t.\tC\tT\t.\tPASS\t.\tGT:AD:DP\t0/0:40,0:40\t0/1:120,34:154";

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn ingest_vcf(s: &Sandbox, path: &Path) -> crate::util::Run {
    s.run(&[
        "ingest",
        "vcf",
        path.to_str().unwrap(),
        "--patient",
        "P001",
        "--date",
        "2024-01-10",
    ])
}

fn write(s: &Sandbox, name: &str, bytes: &[u8]) -> PathBuf {
    let path = s.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn vcf_header_followed_by_zero_bytes_fails_at_the_first_zero_naming_its_byte() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    let mut bytes = HEAD.as_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(0u8, 64 << 20));
    let path = write(&s, "zeros.vcf", &bytes);
    ingest_vcf(&s, &path).fails(
        1,
        &format!(
            "zeros.vcf: line 8: field 'header': byte {}: a NUL byte",
            HEAD.len()
        ),
    );
    // The same bytes compressed: the limit holds on the decompressed text.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &bytes).unwrap();
    let path = write(&s, "zeros.vcf.gz", &gz.finish().unwrap());
    ingest_vcf(&s, &path).fails(1, "zeros.vcf.gz: line 8: field 'header': byte");
    assert_eq!(s.dump(), before);
}

#[test]
fn vcf_line_longer_than_16_mib_is_refused_where_it_starts() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    let mut bytes = HEAD.as_bytes().to_vec();
    bytes.extend(std::iter::repeat_n(b'A', (16 << 20) + 10));
    let path = write(&s, "long.vcf", &bytes);
    ingest_vcf(&s, &path).fails(
        1,
        &format!(
            "long.vcf: line 8: field 'record': record 1: byte {}: the line starting here is longer than 16 MiB",
            HEAD.len()
        ),
    );
    assert_eq!(s.dump(), before);
}

#[test]
fn truncated_last_vcf_line_is_an_error_not_a_stored_record() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    // Cut inside the columns, inside the last value, and a complete line without its newline.
    let cases = [
        (&RECORD[..30], "the file ends in the middle of this record"),
        (
            &RECORD[..RECORD.len() - 2],
            "ends without a newline after this line, so it looks truncated (its 11 columns are there, but its last value may be cut short)",
        ),
        (
            RECORD.rsplit_once('\t').unwrap().0,
            "it has 10 of the 11 columns the header declares",
        ),
        (RECORD, "its 11 columns are there"),
    ];
    for (i, (record, needle)) in cases.iter().enumerate() {
        let text = format!("{HEAD}{RECORD}\n{record}");
        let path = write(&s, &format!("cut{i}.vcf"), text.as_bytes());
        ingest_vcf(&s, &path).fails(
            1,
            &format!("cut{i}.vcf: line 9: field 'record': record 2: "),
        );
        ingest_vcf(&s, &path).fails(1, needle);
    }
    assert_eq!(s.dump(), before);
    // With its newline the same file is ingested.
    let path = write(&s, "whole.vcf", format!("{HEAD}{RECORD}\n").as_bytes());
    ingest_vcf(&s, &path).ok();
}

#[test]
fn vcf_that_is_empty_binary_or_another_text_is_named_not_empty_input() {
    let s = Sandbox::new();
    s.with_patients();
    let before = s.dump();
    let random: Vec<u8> = (1..4097u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (name, bytes, needle) in [
        (
            "empty.vcf",
            b"".to_vec(),
            "empty.vcf: line 1: field 'header': the file holds no text: it is empty",
        ),
        (
            "random.vcf",
            random,
            "random.vcf: line 1: field 'header': not a VCF: it starts with binary data",
        ),
        (
            "zeros.vcf",
            vec![0u8; 4096],
            "zeros.vcf: line 1: field 'header': byte 0: a NUL byte",
        ),
        (
            "table.vcf",
            b"chrom,pos,ref,alt\nchr1,5,A,T\n".to_vec(),
            "table.vcf: line 1: field 'header': not a VCF: its first line starts with 'chrom,pos,ref,alt',",
        ),
    ] {
        let path = write(&s, name, &bytes);
        ingest_vcf(&s, &path).fails(1, needle);
    }
    assert_eq!(s.dump(), before);
    // A UTF-8 byte-order mark before a valid VCF is skipped.
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(format!("{HEAD}{RECORD}\n").as_bytes());
    let path = write(&s, "bom.vcf", &bom);
    ingest_vcf(&s, &path).ok();
}

fn loci(s: &Sandbox) -> PathBuf {
    s.file("loci.tsv", "chrom\tpos\tref\talt\nchr1\t20\tA\tC\n")
}

fn count(s: &Sandbox, bam: &Path) -> crate::util::Run {
    let loci = loci(s);
    s.run(&[
        "count",
        bam.to_str().unwrap(),
        "--loci",
        loci.to_str().unwrap(),
    ])
}

#[test]
fn bam_that_is_truncated_text_sam_cram_or_plain_gzip_is_named_before_counting() {
    let s = Sandbox::new();
    let good = std::fs::read(fixture("fixtures/liquid/overlaps.bam")).unwrap();
    let index = std::fs::read(fixture("fixtures/liquid/overlaps.bam.bai")).unwrap();
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gzip, b"@HD\tVN:1.6\n").unwrap();
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        (
            "cut.bam",
            good[..good.len() / 2].to_vec(),
            format!(
                "cut.bam: byte {}: the BAM has no end-of-file block: it is truncated",
                good.len() / 2
            ),
        ),
        (
            "notes.bam",
            b"hello, this is text\n".to_vec(),
            "notes.bam: byte 0: not a BAM file: this is a text file".into(),
        ),
        (
            "empty.bam",
            Vec::new(),
            "empty.bam: byte 0: not a BAM file: the file is empty".into(),
        ),
        (
            "aligned.bam",
            b"@HD\tVN:1.6\tSO:coordinate\n".to_vec(),
            "aligned.bam: byte 0: not a BAM file: this looks like a SAM text file".into(),
        ),
        (
            "reads.bam",
            b"CRAM\x03\x01rest".to_vec(),
            "reads.bam: byte 0: not a BAM file: this is a CRAM file".into(),
        ),
        (
            "zipped.bam",
            gzip.finish().unwrap(),
            "zipped.bam: byte 0: not a BAM file: this is plain gzip, not BGZF".into(),
        ),
    ];
    for (name, bytes, needle) in cases {
        let path = write(&s, name, &bytes);
        // With the good file's index beside it, as a copy interrupted after the index would be.
        write(&s, &format!("{name}.bai"), &index);
        count(&s, &path).fails(1, &needle);
    }
}

#[test]
fn bam_with_another_bams_index_is_not_used_and_counts_stay_right() {
    let s = Sandbox::new();
    let bam = write(
        &s,
        "sample.bam",
        &std::fs::read(fixture("fixtures/liquid/overlaps.bam")).unwrap(),
    );
    let expected = count(&s, &bam).ok().to_string();
    // An index of a BAM with other contigs (made for this test with the same samtools).
    let other = s.path().join("other.sam");
    std::fs::write(
        &other,
        "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:c1\tLN:100\n@SQ\tSN:c2\tLN:100\n@SQ\tSN:c3\tLN:100\nr1\t0\tc3\t5\t60\t4M\t*\t0\t0\tACGT\tIIII\n",
    )
    .unwrap();
    let index = match other_index(&other) {
        Some(index) => index,
        None => {
            eprintln!("skipped: samtools is not installed, so no foreign index can be made");
            return;
        }
    };
    std::fs::copy(index, s.path().join("sample.bam.bai")).unwrap();
    let run = count(&s, &bam);
    assert_eq!(
        run.ok(),
        expected,
        "the counts through a foreign index differ"
    );
    assert!(
        run.stderr.contains("index") && run.stderr.contains("sample.bam.bai does not belong to this BAM (it indexes 3 reference sequences, the BAM header has 2); reading the whole file (re-index with `samtools index`)"),
        "no warning: {}",
        run.stderr
    );
}

/// `samtools view -b` + `samtools index` of a SAM, or `None` without samtools.
fn other_index(sam: &Path) -> Option<PathBuf> {
    let bam = sam.with_extension("bam");
    let ok = std::process::Command::new("samtools")
        .args(["view", "-b", "-o"])
        .arg(&bam)
        .arg(sam)
        .status()
        .ok()?
        .success()
        && std::process::Command::new("samtools")
            .arg("index")
            .arg(&bam)
            .status()
            .ok()?
            .success();
    ok.then(|| bam.with_extension("bam.bai"))
}

#[test]
fn truncated_or_foreign_nifti_is_named_in_words_not_debug_text() {
    let s = Sandbox::new();
    let suv = std::fs::read(fixture("fixtures/pet/clinical_suv.nii.gz")).unwrap();
    let mask = fixture("fixtures/pet/clinical_mask.nii.gz");
    let mut plain = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&suv[..]), &mut plain).unwrap();
    let mut huge = plain[..352].to_vec();
    // dim = [3, 30000, 30000, 30000]: 2.7e13 voxels declared by a damaged header.
    for (i, d) in [3u16, 30000, 30000, 30000].iter().enumerate() {
        huge[40 + 2 * i..42 + 2 * i].copy_from_slice(&d.to_le_bytes());
    }
    for (name, bytes, needle) in [
        (
            "cut.nii.gz",
            suv[..suv.len() / 2].to_vec(),
            "cut.nii.gz: the file ends early: it is truncated".to_string(),
        ),
        (
            "cut.nii",
            plain[..plain.len() / 2].to_vec(),
            "cut.nii: the file is truncated: its header declares".to_string(),
        ),
        (
            "tiny.nii",
            b"hello".to_vec(),
            "tiny.nii: not a NIfTI-1 file: it has 5 bytes".into(),
        ),
        (
            "zeros.nii",
            vec![0u8; 4096],
            "zeros.nii: not a NIfTI-1 file: its header lacks".into(),
        ),
        (
            "huge.nii",
            huge,
            "huge.nii: the header declares 27000000000000 voxels".into(),
        ),
    ] {
        let path = write(&s, name, &bytes);
        let run = s.run(&[
            "pet",
            path.to_str().unwrap(),
            "--mask",
            mask.to_str().unwrap(),
        ]);
        assert!(
            !run.stderr.contains("Custom {") && !run.stderr.contains("kind:"),
            "{name}: Rust debug text in the message: {}",
            run.stderr
        );
        run.fails(1, &needle);
    }
}

#[test]
fn vcf_ingest_killed_at_any_point_is_all_or_nothing() {
    let s = Sandbox::new();
    // 30,000 calls: long enough (about a second in a debug build) to be killed inside.
    let mut text = HEAD.to_string();
    for i in 0..30_000u64 {
        text.push_str(&format!(
            "chr1\t{}\t.\tC\tT\t.\tPASS\t.\tGT:AD:DP\t0/0:40,0:40\t0/1:120,{}:{}\n",
            1_000 + 10 * i,
            1 + i % 50,
            121 + i % 50
        ));
    }
    let vcf = write(&s, "big.vcf", text.as_bytes());
    let vcf = vcf.to_str().unwrap();
    let calls = |db: &Path| -> i64 {
        rusqlite::Connection::open(db)
            .unwrap()
            .query_row("SELECT count(*) FROM variant_call", [], |r| r.get(0))
            .unwrap()
    };
    fn ingest<'a>(db: &'a str, vcf: &'a str) -> Vec<&'a str> {
        vec![
            "--db",
            db,
            "ingest",
            "vcf",
            vcf,
            "--patient",
            "P001",
            "--date",
            "2024-01-10",
        ]
    }
    let prepare = |db: &str| {
        s.run_raw(&["--db", db, "init"]).ok();
        s.run_raw(&[
            "--db",
            db,
            "patient",
            "add",
            "P001",
            "--diagnosis",
            "Ewing sarcoma",
        ])
        .ok();
    };
    let full = s.path().join("full.db");
    let full = full.to_str().unwrap();
    prepare(full);
    s.run_raw(&ingest(full, vcf)).ok();
    let all = calls(Path::new(full));
    assert_eq!(all, 30_000);
    let mut killed = 0;
    for (trial, delay_ms) in [0u64, 30, 100, 250, 500, 900].into_iter().enumerate() {
        let db = s.path().join(format!("k{trial}.db"));
        let db_arg = db.to_str().unwrap();
        prepare(db_arg);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oncotrack"))
            .args(ingest(db_arg, vcf))
            .current_dir(s.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        let conn = rusqlite::Connection::open(&db).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "killed after {delay_ms} ms");
        let n = calls(&db);
        assert!(
            n == 0 || n == all,
            "killed after {delay_ms} ms: {n} of {all} calls stored"
        );
        s.run_raw(&ingest(db_arg, vcf)).ok();
        assert_eq!(calls(&db), all, "re-ingest after a kill at {delay_ms} ms");
    }
    assert!(
        killed > 0,
        "no ingest was killed before it ended: the test checked nothing"
    );
}
