//! Structured fuzzing of the CSV ingests (patients, events, cytokines, lesions) through the pipeline: mutated real files never panic, fail naming the file, and leave the database unchanged.
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

/// Runs `cases()` mutations of `seed_file` through `ingest`.
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
    } else {
        corpus.files.join(seed_file)
    };
    let original = std::fs::read(seed_path).unwrap();
    let extension = if seed_file.is_empty() { "vcf" } else { "csv" };
    let mut rng = ChaCha8Rng::seed_from_u64(seed() ^ salt);
    let mut store = Store::open(&corpus.db, oncotrack::store::Access::ReadWrite).unwrap();
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..cases() {
        let bytes = mutate(&original, &mut rng);
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
        oncotrack::pipeline::cytokines::ingest_cytokines(store, path, &options, None).map(|_| ())
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

/// One deterministic mutation of a binary file: bit flips, a 32-bit value overwritten
/// by an extreme one (lengths, counts), truncation, inserted or duplicated bytes.
fn mutate_binary(input: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        if out.is_empty() {
            break;
        }
        let at = rng.random_range(0..out.len());
        match rng.random_range(0..5) {
            0 => out[at] ^= 1 << rng.random_range(0..8),
            1 => {
                let value: u32 = [0, 1, 2, 3, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF, rng.random()]
                    [rng.random_range(0..8)];
                for (i, b) in value.to_le_bytes().iter().enumerate() {
                    if let Some(slot) = out.get_mut(at + i) {
                        *slot = *b;
                    }
                }
            }
            2 => out.truncate(at),
            3 => {
                let n = rng.random_range(1..32);
                out.splice(at..at, std::iter::repeat_n(0u8, n));
            }
            _ => {
                let end = (at + rng.random_range(1..64)).min(out.len());
                let chunk = out[at..end].to_vec();
                out.splice(at..at, chunk);
            }
        }
    }
    out
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
    fuzz_mask("rtstruct", 6, &original, &mask_image(label, [10, 10, 5]));
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
    fuzz_mask("seg", 7, &original, &image);
}
