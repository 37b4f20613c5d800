//! Structured fuzzing of every ingest (patients, events, cytokines, lesions, radiomics CSV; VCFs, SNV and structural-variant; BAM and its loci; NIfTI) through the pipeline: mutated real files never panic, fail naming the file in words, and leave the database unchanged.
//!
//! The seeds are the demo's own input files (written by `demo::run`, the files a data
//! manager would have). Each case mutates one seed's bytes with a deterministic
//! generator (bit flips, truncation, duplicated, dropped and spliced lines, huge
//! numbers, NaN, negatives, unicode, zero bytes, a lost newline) and ingests it into a
//! store holding the demo cohort. The outcome must be an ingest, or an `Error` whose
//! message names the file; after an error the database must be exactly as before.
//! `cargo test` runs `FUZZ_CASES` cases per format; `ONCOTRACK_FUZZ_CASES=N` runs N
//! (e.g. 20000 for a long run), `ONCOTRACK_FUZZ_SEED=S` changes the seed.

use oncotrack::store::Store;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// Cases per format in the ordinary suite.
const FUZZ_CASES: usize = 300;

fn cases() -> usize {
    std::env::var("ONCOTRACK_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(FUZZ_CASES)
}

fn seed() -> u64 {
    std::env::var("ONCOTRACK_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(17)
}

/// Values that break parsers that trust their input.
const NASTY: &[&str] = &[
    "NaN",
    "inf",
    "-inf",
    "-1",
    "-0",
    "0",
    "1e309",
    "99999999999999999999999999",
    "-9223372036854775809",
    "18446744073709551616",
    "2024-02-30",
    "9999-12-31",
    "0000-00-00",
    "",
    "\"",
    "\"\"\"",
    ",",
    "\u{feff}",
    "\u{0}",
    "é",
    "💥",
    "\u{202e}",
    "<LLOQ",
    ">1e400",
    " ",
];

/// One deterministic mutation of `input`.
fn mutate(input: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = rng.random_range(1..=3);
    for _ in 0..rounds {
        let len = out.len().max(1);
        match rng.random_range(0..11) {
            0 => {
                // Flip a bit.
                if !out.is_empty() {
                    let i = rng.random_range(0..out.len());
                    out[i] ^= 1 << rng.random_range(0..8);
                }
            }
            1 => out.truncate(rng.random_range(0..len)),
            2..=4 => {
                // Replace one field of one line by a nasty value.
                let text = String::from_utf8_lossy(&out).into_owned();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                if lines.is_empty() {
                    continue;
                }
                let l = rng.random_range(0..lines.len());
                let mut fields: Vec<String> = lines[l].split(',').map(str::to_string).collect();
                let f = rng.random_range(0..fields.len());
                fields[f] = NASTY[rng.random_range(0..NASTY.len())].to_string();
                lines[l] = fields.join(",");
                out = (lines.join("\n") + "\n").into_bytes();
            }
            5 => {
                // Duplicate a line.
                let text = String::from_utf8_lossy(&out).into_owned();
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    let l = rng.random_range(0..lines.len());
                    lines.insert(rng.random_range(0..=lines.len()), lines[l]);
                }
                out = (lines.join("\n") + "\n").into_bytes();
            }
            6 => {
                // Drop a line (the header too).
                let text = String::from_utf8_lossy(&out).into_owned();
                let mut lines: Vec<&str> = text.lines().collect();
                if !lines.is_empty() {
                    lines.remove(rng.random_range(0..lines.len()));
                }
                out = (lines.join("\n") + "\n").into_bytes();
            }
            7 => {
                // Splice: the start of one line with the end of another.
                let text = String::from_utf8_lossy(&out).into_owned();
                let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
                if lines.len() >= 2 {
                    let a = rng.random_range(0..lines.len());
                    let b = rng.random_range(0..lines.len());
                    let cut_a = rng.random_range(0..=lines[a].len());
                    let cut_b = rng.random_range(0..=lines[b].len());
                    if lines[a].is_char_boundary(cut_a) && lines[b].is_char_boundary(cut_b) {
                        lines[a] = format!("{}{}", &lines[a][..cut_a], &lines[b][cut_b..]);
                    }
                }
                out = (lines.join("\n") + "\n").into_bytes();
            }
            8 => {
                // Insert random or zero bytes.
                let at = rng.random_range(0..=out.len());
                let n = rng.random_range(1..64);
                let zero = rng.random_bool(0.5);
                let bytes: Vec<u8> = (0..n)
                    .map(|_| if zero { 0 } else { rng.random() })
                    .collect();
                out.splice(at..at, bytes);
            }
            9 => {
                // Lose the last newline (a truncated last line).
                while out.last() == Some(&b'\n') {
                    out.pop();
                }
            }
            _ => {
                // A byte-order mark, or CRLF line ends.
                if rng.random_bool(0.5) {
                    out.splice(0..0, [0xEF, 0xBB, 0xBF]);
                } else {
                    out = String::from_utf8_lossy(&out)
                        .replace('\n', "\r\n")
                        .into_bytes();
                }
            }
        }
    }
    out
}

/// Every table's rows as text, for "unchanged" checks.
fn dump(db: &Path) -> String {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            out.push_str(&table);
            for i in 0..columns {
                let value: rusqlite::types::Value = row.get(i).unwrap();
                out.push_str(&format!("|{value:?}"));
            }
            out.push('\n');
        }
    }
    out
}

/// The demo's input files and a database holding its patients and events.
struct Corpus {
    _dir: tempfile::TempDir,
    db: PathBuf,
    files: PathBuf,
    scratch: PathBuf,
}

fn corpus() -> Corpus {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    let db = dir.path().join("fuzz.db");
    oncotrack::demo::run(&oncotrack::demo::Options {
        patients: 4,
        seed: 3,
        out_dir: files.clone(),
        db: dir.path().join("demo.db"),
    })
    .unwrap();
    let (mut store, _) = Store::create(&db).unwrap();
    oncotrack::pipeline::ingest_patients(&mut store, &files.join("patients.csv")).unwrap();
    oncotrack::pipeline::ingest_events(&mut store, &files.join("events.csv")).unwrap();
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    Corpus {
        _dir: dir,
        db,
        files,
        scratch,
    }
}

/// Runs `cases()` mutations of `seed_file` (a demo file; empty: its first VCF) through `ingest`.
fn fuzz(
    name: &str,
    salt: u64,
    seed_file: &str,
    ingest: impl Fn(&mut Store, &Path, usize) -> oncotrack::Result<()>,
) {
    let corpus = corpus();
    let seed_path = if seed_file.is_empty() {
        // The first plain VCF of the demo's blood draws.
        let mut vcfs: Vec<PathBuf> = std::fs::read_dir(corpus.files.join("liquid"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "vcf"))
            .collect();
        vcfs.sort();
        vcfs.into_iter().next().expect("the demo writes plain VCFs")
    } else if Path::new(seed_file).is_absolute() {
        // A fixture of the repository (the structural-variant VCF).
        PathBuf::from(seed_file)
    } else {
        corpus.files.join(seed_file)
    };
    let original = std::fs::read(seed_path).unwrap();
    let extension = if seed_file.is_empty() || seed_file.ends_with(".vcf") {
        "vcf"
    } else {
        "csv"
    };
    run_cases(&corpus, name, salt, &original, extension, mutate, ingest);
}

/// Runs `cases()` mutations of `original` (made by `mutator`, written as `*.extension`)
/// through `ingest` on the corpus's store, with the checks of the module comment.
fn run_cases(
    corpus: &Corpus,
    name: &str,
    salt: u64,
    original: &[u8],
    extension: &str,
    mutator: impl Fn(&[u8], &mut ChaCha8Rng) -> Vec<u8>,
    ingest: impl Fn(&mut Store, &Path, usize) -> oncotrack::Result<()>,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed() ^ salt);
    let mut store = Store::open(&corpus.db, oncotrack::store::Access::ReadWrite).unwrap();
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..cases() {
        let bytes = mutator(original, &mut rng);
        let path = corpus.scratch.join(format!("{name}_{case}.{extension}"));
        std::fs::write(&path, &bytes).unwrap();
        let before = dump(&corpus.db);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            ingest(&mut store, &path, case)
        }));
        let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]).into_owned();
        match outcome {
            Err(_) => panic!("{name} case {case} panicked on:\n{shown}"),
            Ok(Ok(())) => accepted += 1,
            Ok(Err(e)) => {
                refused += 1;
                let message = e.to_string();
                let file_name = path.file_name().unwrap().to_string_lossy();
                assert!(
                    message.contains(file_name.as_ref()),
                    "{name} case {case}: the error does not name the file: {message}\n{shown}"
                );
                assert!(
                    !message.contains("Custom {") && !message.contains("kind: "),
                    "{name} case {case}: Rust debug text in the message: {message}"
                );
                assert_eq!(
                    dump(&corpus.db),
                    before,
                    "{name} case {case}: a refused file changed the database: {message}"
                );
            }
        }
        std::fs::remove_file(&path).unwrap();
    }
    eprintln!(
        "fuzz {name}: {} cases, {accepted} accepted, {refused} refused",
        cases()
    );
    assert!(
        refused > 0,
        "{name}: no mutation was refused: the harness checked nothing"
    );
}

/// Values that break binary parsers trusting a length or a count (as little-endian i32/u32).
const NASTY_WORDS: &[u32] = &[0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0xffff, 0x10000];

/// One deterministic mutation of binary `input`: bit flips, truncation, inserted or
/// duplicated bytes, a 32-bit word replaced by an extreme value.
fn mutate_binary(input: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=3) {
        let len = out.len().max(1);
        match rng.random_range(0..6) {
            0 | 1 => {
                if !out.is_empty() {
                    let i = rng.random_range(0..out.len());
                    out[i] ^= 1 << rng.random_range(0..8);
                }
            }
            2 => out.truncate(rng.random_range(0..len)),
            3 => {
                let at = rng.random_range(0..=out.len());
                let n = rng.random_range(1..64);
                let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
                out.splice(at..at, bytes);
            }
            4 => {
                if out.len() > 8 {
                    let from = rng.random_range(0..out.len() - 4);
                    let to = (from + rng.random_range(1..256)).min(out.len());
                    let chunk = out[from..to].to_vec();
                    let at = rng.random_range(0..=out.len());
                    out.splice(at..at, chunk);
                }
            }
            _ => {
                // An extreme length, count or position where one is read.
                if out.len() >= 4 {
                    let at = rng.random_range(0..out.len() - 3);
                    let word = NASTY_WORDS[rng.random_range(0..NASTY_WORDS.len())];
                    out[at..at + 4].copy_from_slice(&word.to_le_bytes());
                }
            }
        }
    }
    out
}

/// The decompressed content of a BGZF or gzip file.
fn inflate(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).unwrap();
    out
}

/// `bytes` compressed as BGZF with its end-of-file block, as samtools writes a BAM.
fn bgzf(bytes: &[u8]) -> Vec<u8> {
    let mut writer = noodles::bgzf::io::Writer::new(Vec::new());
    std::io::Write::write_all(&mut writer, bytes).unwrap();
    writer.finish().unwrap()
}

fn fixture(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

#[test]
fn fuzz_patients_csv() {
    fuzz("patients", 1, "patients.csv", |store, path, _| {
        oncotrack::pipeline::ingest_patients(store, path).map(|_| ())
    });
}

#[test]
fn fuzz_events_csv() {
    fuzz("events", 2, "events.csv", |store, path, _| {
        oncotrack::pipeline::ingest_events(store, path).map(|_| ())
    });
}

#[test]
fn fuzz_cytokines_csv() {
    fuzz("cytokines", 3, "cytokines.csv", |store, path, _| {
        let options = oncotrack::ingest::cytokines::Options::new(today());
        oncotrack::pipeline::cytokines::ingest_cytokines(store, path, &options, None, None)
            .map(|_| ())
    });
}

#[test]
fn fuzz_lesions_csv() {
    fuzz("lesions", 4, "lesions_visit01.csv", |store, path, _| {
        oncotrack::pipeline::imaging::ingest_lesions(store, path, today()).map(|_| ())
    });
}

#[test]
fn fuzz_vcf() {
    fuzz("vcf", 5, "", |store, path, case| {
        // A draw date of its own per case: the same draw twice is a conflict, not a fuzz finding.
        let date =
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(case as u64);
        let request = oncotrack::pipeline::liquid::VcfIngest {
            patient: "P001".into(),
            date,
            options: oncotrack::ingest::vcf::Options::default(),
            all_filters: false,
            track: false,
            track_all: false,
            max_normal_alt_reads: oncotrack::pipeline::liquid::MAX_NORMAL_ALT_READS,
            allow_empty: false,
            cfdna_ng_per_ml: None,
        };
        oncotrack::pipeline::liquid::ingest_vcf(store, path, &request).map(|_| ())
    });
}

/// Mutated RTSTRUCTs and SEGs through the mask seam never panic and fail naming the file.
fn fuzz_mask(
    name: &str,
    salt: u64,
    original: &[u8],
    image: &oncotrack::pipeline::mask::ImageGrid<'_>,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed() ^ salt);
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..cases() {
        let bytes = mutate_binary(original, &mut rng);
        let path = dir.path().join(format!("{name}_{case}.dcm"));
        std::fs::write(&path, &bytes).unwrap();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            oncotrack::pipeline::mask::load_mask(&path, image, None)
        }));
        match outcome {
            Err(_) => panic!("{name} case {case} panicked ({} bytes)", bytes.len()),
            Ok(Ok(_)) => accepted += 1,
            Ok(Err(e)) => {
                refused += 1;
                let message = e.to_string();
                let file_name = path.file_name().unwrap().to_string_lossy();
                assert!(
                    message.contains(file_name.as_ref()) && !message.contains('\n'),
                    "{name} case {case}: not a one-line error naming the file: {message}"
                );
            }
        }
    }
    eprintln!(
        "fuzz {name}: {} cases, {accepted} accepted, {refused} refused",
        cases()
    );
    assert!(
        refused > 0,
        "{name}: no mutation was refused: the harness checked nothing"
    );
}

fn mask_image(path: &Path, dims: [usize; 3]) -> oncotrack::pipeline::mask::ImageGrid<'_> {
    oncotrack::pipeline::mask::ImageGrid {
        path,
        grid: oncotrack::model::Grid {
            dims,
            spacing_mm: [2.0, 2.0, 2.0],
        },
        geometry: Ok(oncotrack::model::Geometry {
            origin_mm: [0.0; 3],
            directions: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        }),
        sform: None,
        slice_uids: None,
        series_uid: None,
        frame_of_reference_uid: None,
    }
}

#[test]
fn fuzz_rtstruct() {
    let dir = tempfile::tempdir().unwrap();
    let seed_path = dir.path().join("rs.dcm");
    let square = |z: f64| {
        vec![
            [2.0, 2.0, z],
            [12.0, 2.0, z],
            [12.0, 12.0, z],
            [2.0, 12.0, z],
        ]
    };
    crate::dicom_mask::write_rtstruct(
        &seed_path,
        &[
            (1, "GTV", vec![square(2.0), square(4.0)]),
            (2, "node", vec![square(6.0)]),
        ],
        "1.2.3",
        "1.2.4",
    );
    let original = std::fs::read(&seed_path).unwrap();
    let label = Path::new("suv.nii");
    fuzz_mask("rtstruct", 11, &original, &mask_image(label, [10, 10, 5]));
}

#[test]
fn fuzz_seg() {
    let Some(seg) = crate::util::shared_data("pet/seg/seg_image_ct_binary_overlap.dcm") else {
        return;
    };
    let original = std::fs::read(seg).unwrap();
    let label = Path::new("ct");
    let mut image = mask_image(label, [16, 16, 165]);
    image.grid.spacing_mm = [0.488281, 0.488281, 1.25];
    if let Ok(geometry) = image.geometry.as_mut() {
        geometry.origin_mm = [-125.0, -128.100006, -99.480003];
    }
    fuzz_mask("seg", 12, &original, &image);
}

/// A blood draw of its own per case: the same draw twice is a conflict, not a fuzz finding.
fn draw_date(case: usize) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(case as u64)
}

fn bam_ingest(case: usize, loci: &Path) -> oncotrack::pipeline::liquid::BamIngest {
    oncotrack::pipeline::liquid::BamIngest {
        patient: "P001".into(),
        date: draw_date(case),
        loci: Some(loci.to_path_buf()),
        options: oncotrack::ingest::bam::CountOptions::default(),
        cfdna_ng_per_ml: None,
        mrd: None,
        fusion: oncotrack::ingest::bam::fusion::FusionOptions::default(),
        fusions_only: false,
    }
}

/// Loci of `fixtures/liquid/overlaps.bam` (chr1 and chr2 carry its reads).
const BAM_LOCI: &str =
    "chrom\tpos\tref\talt\tgene\nchr1\t10\tA\tC\tG1\nchr1\t25\tC\tT\tG1\nchr2\t40\tG\tA\tG2\n";

#[test]
fn fuzz_bam() {
    // The BAM mutated after decompression (recompressed as valid BGZF, so the record
    // decoder meets the damage) and, in one case of four, as compressed bytes.
    let corpus = corpus();
    let loci = corpus.scratch.join("bam_loci.tsv");
    std::fs::write(&loci, BAM_LOCI).unwrap();
    let original = std::fs::read(fixture("fixtures/liquid/overlaps.bam")).unwrap();
    let raw = inflate(&original);
    run_cases(
        &corpus,
        "bam",
        6,
        &original,
        "bam",
        |compressed, rng| {
            if rng.random_range(0..4) == 0 {
                mutate_binary(compressed, rng)
            } else {
                bgzf(&mutate_binary(&raw, rng))
            }
        },
        |store, path, case| {
            oncotrack::pipeline::liquid::ingest_bam(store, path, &bam_ingest(case, &loci))
                .map(|_| ())
        },
    );
}

#[test]
fn fuzz_loci() {
    let corpus = corpus();
    let bam = fixture("fixtures/liquid/overlaps.bam");
    run_cases(
        &corpus,
        "loci",
        7,
        BAM_LOCI.as_bytes(),
        "tsv",
        |text, rng| {
            // The CSV mutations split fields at commas: make the loci comma-separated for
            // them and tab-separated again after.
            let commas = String::from_utf8_lossy(text).replace('\t', ",");
            let mutated = mutate(commas.as_bytes(), rng);
            String::from_utf8_lossy(&mutated)
                .replace(',', "\t")
                .into_bytes()
        },
        |store, path, case| {
            oncotrack::pipeline::liquid::ingest_bam(store, &bam, &bam_ingest(case, path))
                .map(|_| ())
        },
    );
}

#[test]
fn fuzz_radiomics_csv() {
    let corpus = corpus();
    let manifest = corpus.files.join("radiomics_manifest.csv");
    let original = std::fs::read(corpus.files.join("radiomics.csv")).unwrap();
    run_cases(
        &corpus,
        "radiomics",
        8,
        &original,
        "csv",
        mutate,
        |store, path, _| {
            let options = oncotrack::ingest::radiomics::Options {
                case_col: oncotrack::ingest::radiomics::CaseColumn::Auto,
                modality: oncotrack::model::Modality::Ct,
                today: today(),
            };
            oncotrack::pipeline::imaging::ingest_radiomics(store, path, Some(&manifest), &options)
                .map(|_| ())
        },
    );
}

#[test]
fn fuzz_nifti() {
    // The clinical-like SUV fixture (the demo writes its PET as DICOM series), mutated
    // uncompressed (header fields and voxels) and, in one case of four, as gzip bytes;
    // measured against its own mask.
    let corpus = corpus();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pet");
    let suv = fixtures.join("clinical_suv.nii.gz");
    let mask = fixtures.join("clinical_mask.nii.gz");
    let compressed = std::fs::read(&suv).unwrap();
    let raw = inflate(&compressed);
    let dir = corpus.scratch.clone();
    run_cases(
        &corpus,
        "nifti",
        9,
        &raw,
        "nii",
        |plain, rng| {
            let mut out = plain.to_vec();
            // Most damage in the 348-byte header, where the dimensions and offsets are.
            if rng.random_bool(0.6) && out.len() > 352 {
                let header = mutate_binary(&out[..352], rng);
                out.splice(..352, header);
                out
            } else {
                mutate_binary(&out, rng)
            }
        },
        |store, path, case| {
            let mut input = path.to_path_buf();
            if case % 4 == 0 {
                // The same damage seen through gzip.
                let bytes = std::fs::read(path).unwrap();
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                std::io::Write::write_all(&mut gz, &bytes).unwrap();
                input = dir.join(format!(
                    "{}.gz",
                    path.file_name().unwrap().to_string_lossy()
                ));
                std::fs::write(&input, gz.finish().unwrap()).unwrap();
            }
            let target = oncotrack::pipeline::imaging::PetStudy {
                patient: "P001".into(),
                date: Some(draw_date(case)),
                scanner: "fuzz".into(),
                site: "Site A".into(),
                lesion_prefix: "L".into(),
            };
            let outcome = oncotrack::pipeline::imaging::ingest_pet(
                store,
                &input,
                &mask,
                &[oncotrack::model::imaging::Method::Relative(0.41)],
                &oncotrack::analysis::pet::ReferenceLabels::default(),
                &target,
                &Default::default(),
            )
            .map(|_| ());
            if input != path {
                std::fs::remove_file(&input).unwrap();
            }
            // `nifti_N.nii.gz` holds the case's file name, which the harness looks for.
            outcome
        },
    );
}

#[test]
fn fuzz_sv_vcf() {
    // Breakend pairs, a single breakend and PON-filtered records with two sample columns:
    // a mutated ALT, MATEID, END or support field must be stored or refused, never half-stored.
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sv/esvee.vcf");
    fuzz("sv_vcf", 10, seed.to_str().unwrap(), |store, path, case| {
        let date =
            chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Days::new(case as u64);
        let request = oncotrack::pipeline::liquid::VcfIngest {
            patient: "P001".into(),
            date,
            options: oncotrack::ingest::vcf::Options::default(),
            all_filters: case % 2 == 0,
            track: case % 3 == 0,
            track_all: false,
            max_normal_alt_reads: oncotrack::pipeline::liquid::MAX_NORMAL_ALT_READS,
            allow_empty: false,
            cfdna_ng_per_ml: None,
        };
        oncotrack::pipeline::liquid::ingest_vcf(store, path, &request).map(|_| ())
    });
}
/// A DICOM PET series (three slices of IBSI DRO_0_0, from the shared data; `cases()`/30
/// cases) with one slice mutated per
/// case, mostly in its header (the first 2 KiB: meta group, tags, lengths, values):
/// reading and converting never panics, and an error names a file of the series.
#[test]
fn fuzz_dicom_pet_series() {
    let Some(dro) = crate::util::shared_data("pet/suv_dro/DRO_0_0/PT") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dro)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    // Three slices make a series as well as twenty, and keep each case short.
    files.truncate(3);
    for f in &files {
        std::fs::copy(f, dir.path().join(f.file_name().unwrap())).unwrap();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed() ^ 6);
    let (mut accepted, mut refused) = (0, 0);
    let n = cases() / 30;
    for case in 0..n {
        let victim = &files[rng.random_range(0..files.len())];
        let original = std::fs::read(victim).unwrap();
        let mut bytes = original.clone();
        let header = bytes.len().min(2048);
        for _ in 0..rng.random_range(1..=4) {
            match rng.random_range(0..5) {
                0 => bytes.truncate(rng.random_range(0..bytes.len().max(1))),
                1 if !bytes.is_empty() => {
                    let i = rng.random_range(0..header.min(bytes.len()));
                    bytes[i] ^= 1 << rng.random_range(0..8);
                }
                2 if !bytes.is_empty() => {
                    let i = rng.random_range(0..header.min(bytes.len()));
                    bytes[i] = [0x00, 0xff, b'0', b'\\', b'.'][rng.random_range(0..5)];
                }
                3 if bytes.len() > 4 => {
                    // A length field to a huge value.
                    let i = rng.random_range(0..header.min(bytes.len()) - 4);
                    bytes[i..i + 4].copy_from_slice(&u32::MAX.to_le_bytes());
                }
                _ => {
                    let i = rng.random_range(0..bytes.len().max(1));
                    if i < bytes.len() {
                        bytes.remove(i);
                    }
                }
            }
        }
        let path = dir.path().join(victim.file_name().unwrap());
        std::fs::write(&path, &bytes).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            oncotrack::pipeline::imaging::load_pet(dir.path(), &Default::default()).map(|_| ())
        });
        match outcome {
            Err(_) => panic!(
                "dicom case {case} panicked ({})",
                victim.file_name().unwrap().to_string_lossy()
            ),
            Ok(Ok(())) => accepted += 1,
            Ok(Err(e)) => {
                refused += 1;
                let message = e.to_string();
                assert!(
                    message.contains(".dcm") || message.contains(&dir.path().display().to_string()),
                    "dicom case {case}: the error does not name a file: {message}"
                );
            }
        }
        std::fs::write(&path, &original).unwrap();
    }
    eprintln!("fuzz dicom: {n} cases, {accepted} accepted, {refused} refused");
    assert!(
        refused > 0,
        "dicom: no mutation was refused: the harness checked nothing"
    );
}
