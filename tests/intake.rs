//! A data manager's audit: each file kind as sites export it (BOM, CRLF, `;` with decimal commas, tabs, Latin-1, gzip, units in headers, dates as written), pushed through the real binary; what gets in is read right, what cannot is refused naming file, line and field, leaving the store as it was.

use crate::util::{Sandbox, shared_data};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixture(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/intake")
        .join(relative)
}

fn store_with_patient() -> Sandbox {
    let s = Sandbox::new();
    s.run(&["init"]).ok();
    s.run(&["patient", "add", "P1", "--diagnosis", "osteosarcoma"])
        .ok();
    s
}

fn gzip(path: &Path, to: &Path) {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&std::fs::read(path).unwrap()).unwrap();
    std::fs::write(to, encoder.finish().unwrap()).unwrap();
}

/// A stored cytokine value: (date, analyte, value, censor, bound).
type Value = (String, String, Option<f64>, String, Option<f64>);

/// A stored lesion measurement: (date, organ, longest diameter, mean HU).
type Measurement = (String, Option<String>, Option<f64>, Option<f64>);

/// Every stored cytokine value.
fn cytokines(s: &Sandbox) -> Vec<Value> {
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT date, analyte, value, censor, bound FROM cytokine_measurement
              ORDER BY date, analyte",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn row(date: &str, analyte: &str, value: Option<f64>, censor: &str, bound: Option<f64>) -> Value {
    (date.into(), analyte.into(), value, censor.into(), bound)
}

#[test]
fn a_german_excel_cytokine_export_gets_in_as_it_comes_plain_or_gzipped() {
    // BOM, CRLF, `;`, decimal commas, a dotted date, an ISO date-time, units in the
    // header (TNF-a in ng/mL), a limits row, `< 1,2`, `OOR <` and `***`.
    let expected = vec![
        row("2024-03-01", "IL-10", None, "left", Some(1.2)),
        row("2024-03-01", "IL-6", Some(3.5), "none", None),
        row("2024-03-01", "TNF-a", Some(250.0), "none", None),
        row("2024-04-02", "IL-6", Some(12.75), "none", None),
        row("2024-04-02", "TNF-a", None, "left", Some(2.0)),
    ];
    let s = store_with_patient();
    let plain = fixture("cytokines_de_excel.csv");
    let gz = s.path().join("cytokines_de_excel.csv.gz");
    gzip(&plain, &gz);
    for file in [plain, gz] {
        let s = store_with_patient();
        let out = s
            .run(&["ingest", "cytokines", file.to_str().unwrap(), "--strict"])
            .ok()
            .to_string();
        assert!(out.contains("1 cells were *** "), "{out}");
        assert_eq!(cytokines(&s), expected, "{}", file.display());
    }
}

#[test]
fn cytokine_cells_that_cannot_be_read_without_a_guess_are_refused_leaving_the_store_as_it_was() {
    let s = store_with_patient();
    for (name, content, needle) in [
        (
            "thousands.csv",
            "patient;date;analyte;value\nP1;2024-03-01;IL-6;3,5\nP1;2024-03-01;IL-8;1.234,5\n",
            "thousands.csv: line 3: field 'value': '1.234,5': the number groups thousands",
        ),
        (
            "comma.csv",
            "patient,date,analyte,value\nP1,2024-03-01,IL-6,3.5\nP1,2024-03-01,IL-8,\"3,5\"\n",
            "comma.csv: line 3: field 'value': '3,5': a number with a comma",
        ),
        (
            "slash.csv",
            "patient,date,analyte,value\nP1,2024-03-01,IL-6,3.5\nP1,01/03/2024,IL-8,2\n",
            "slash.csv: line 3: field 'date': '01/03/2024': ambiguous: the order of day and month",
        ),
        (
            "serial.csv",
            "patient,date,analyte,value\nP1,45352,IL-6,3.5\n",
            "serial.csv: line 2: field 'date': '45352': a number, not a date",
        ),
        (
            "header.csv",
            "patient,date,analyte,value\r\n",
            "header.csv: line 2: field '(file)': the file has a header and no rows",
        ),
        (
            "mgl.csv",
            "patient,date,CRP (mg/L)\nP1,2024-03-01,3\n",
            "mgl.csv: line 1: field 'CRP (mg/L)': the header gives the unit 'mg/L'",
        ),
    ] {
        let path = s.file(name, content);
        s.run(&["ingest", "cytokines", path.to_str().unwrap()])
            .fails(1, needle);
    }
    assert!(cytokines(&s).is_empty(), "a refused file stored nothing");
}

#[test]
fn a_tab_separated_latin1_lesion_export_with_spelled_out_headers_is_read_right() {
    let s = store_with_patient();
    let file = fixture("lesions_tab_latin1.tsv");
    s.run(&["ingest", "lesions", file.to_str().unwrap()]).ok();
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT st.date, l.organ, m.longest_diameter_mm, m.mean_hu
               FROM lesion_measurement m JOIN lesion l USING (lesion_id)
               JOIN imaging_study st USING (study_id) ORDER BY st.date",
        )
        .unwrap();
    let rows: Vec<Measurement> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        rows,
        vec![
            (
                "2024-03-01".into(),
                Some("Rücken".into()),
                Some(25.5),
                Some(41.0)
            ),
            (
                "2024-05-02".into(),
                Some("Rücken".into()),
                Some(20.0),
                Some(30.0)
            ),
        ]
    );
    // A diameter in cm is refused, never stored as "not measured".
    let cm = s.file(
        "cm.csv",
        "patient,date,modality,lesion,Longest diameter (cm)\nP1,2024-06-01,CT,L1,2.1\n",
    );
    s.run(&["ingest", "lesions", cm.to_str().unwrap()]).fails(
        1,
        "cm.csv: line 1: field 'Longest diameter (cm)': not a lesion column",
    );
}

#[test]
fn a_shared_vcf_with_crlf_and_a_trailing_empty_line_stores_the_calls_of_the_original() {
    let Some(original) = shared_data("vcf/deepvariant_NA12878_chr20.vcf") else {
        return;
    };
    let calls = |s: &Sandbox| -> Vec<(String, i64, Option<f64>, Option<i64>)> {
        let conn = rusqlite::Connection::open(s.db()).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT v.chrom, v.pos, c.vaf, c.depth FROM variant_call c
                   JOIN variant v USING (variant_id) ORDER BY v.chrom, v.pos, v.alt",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let ingest = |path: &Path| {
        let s = store_with_patient();
        s.run(&[
            "ingest",
            "vcf",
            path.to_str().unwrap(),
            "--patient",
            "P1",
            "--date",
            "2024-03-01",
        ])
        .ok();
        calls(&s)
    };
    let reference = ingest(&original);
    assert_eq!(reference.len(), 23, "DeepVariant's 23 calls");
    let text = std::fs::read_to_string(&original).unwrap();
    let scratch = Sandbox::new();
    let trailing = scratch.file("trailing.vcf", &format!("{text}\n"));
    let crlf = scratch.file("crlf.vcf", &format!("{}\r\n", text.replace('\n', "\r\n")));
    assert_eq!(ingest(&trailing), reference, "trailing empty line");
    assert_eq!(ingest(&crlf), reference, "CRLF and a trailing empty line");
}

#[test]
fn the_shared_cytoprofile_table_reexported_by_excel_in_a_german_locale_stores_the_same_values() {
    let Some(data) = shared_data("cytokines/cytoprofile_ExampleData2.csv") else {
        return;
    };
    let text = std::fs::read_to_string(&data).unwrap();
    // Excel (de): `;` between fields, `,` for the decimal point, CRLF, a BOM.
    let mut german = String::from("\u{feff}");
    for line in text.lines() {
        let cells: Vec<String> = line
            .split(',')
            .map(|c| {
                if c.parse::<f64>().is_ok() {
                    c.replace('.', ",")
                } else {
                    c.to_string()
                }
            })
            .collect();
        german.push_str(&cells.join(";"));
        german.push_str("\r\n");
    }
    assert!(german.contains(';') && german.matches(',').count() > 100);
    let ingest = |content: &str| {
        let s = Sandbox::new();
        s.run(&["init"]).ok();
        let mut patients = String::from("patient,diagnosis\n");
        let mut map = String::from("line,patient,date\n");
        for line in 2..=67 {
            patients.push_str(&format!("S{:02},unknown\n", line - 1));
            map.push_str(&format!("{line},S{:02},2022-01-01\n", line - 1));
        }
        let patients = s.file("samples.csv", &patients);
        s.run(&["ingest", "patients", patients.to_str().unwrap()])
            .ok();
        let map = s.file("map.csv", &map);
        let table = s.file("panel.csv", content);
        s.run(&[
            "ingest",
            "cytokines",
            table.to_str().unwrap(),
            "--sample-map",
            map.to_str().unwrap(),
            "--assay-col",
            "Stimulation",
            "--ignore-col",
            "Group",
            "--strict",
        ])
        .ok();
        let conn = rusqlite::Connection::open(s.db()).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT p.code, c.analyte, c.value FROM cytokine_measurement c
                   JOIN patient p USING (patient_id) ORDER BY 1, 2",
            )
            .unwrap();
        let rows: Vec<(String, String, Option<f64>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows
    };
    let reference = ingest(&text);
    assert_eq!(reference.len(), 1185, "CytoProfile's 1,185 values");
    assert_eq!(ingest(&german), reference);
}

/// The draw dates stored for P1.
fn draw_dates(s: &Sandbox) -> Vec<String> {
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let mut stmt = conn
        .prepare("SELECT date FROM lb_sample ORDER BY date")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn every_date_option_reads_and_refuses_dates_as_the_files_date_columns_do() {
    let s = store_with_patient();
    let vcf = fixture("filedate_20240305.vcf");
    let vcf = vcf.to_str().unwrap();
    // The dotted and date-time forms a file may hold are read by --date too.
    let out = s.run(&[
        "ingest",
        "vcf",
        vcf,
        "--patient",
        "P1",
        "--date",
        "01.03.2024",
    ]);
    out.ok();
    assert!(!out.stderr.contains("fileDate"), "{}", out.stderr);
    s.run(&[
        "event",
        "add",
        "P1",
        "--date",
        "2024-02-01T09:30",
        "--kind",
        "diagnosis",
    ])
    .ok();
    assert_eq!(draw_dates(&s), ["2024-03-01"]);
    let before = s.dump();
    let bam = s.path().join("absent.bam");
    let bam = bam.to_str().unwrap();
    for (args, needle) in [
        (
            vec![
                "ingest",
                "vcf",
                vcf,
                "--patient",
                "P1",
                "--date",
                "01/03/2024",
            ],
            "invalid --date '01/03/2024': ambiguous: the order of day and month is not written",
        ),
        (
            vec![
                "ingest",
                "bam",
                bam,
                "--patient",
                "P1",
                "--date",
                "03/01/2024",
            ],
            "invalid --date '03/01/2024': ambiguous: the order of day and month",
        ),
        (
            vec![
                "event", "add", "P1", "--date", "1/3/2024", "--kind", "surgery",
            ],
            "invalid --date '1/3/2024': ambiguous",
        ),
        (
            vec![
                "ingest",
                "vcf",
                vcf,
                "--patient",
                "P1",
                "--date",
                "1899-12-31",
            ],
            "invalid --date '1899-12-31': lies before 1900",
        ),
        (
            vec![
                "ingest",
                "bam",
                bam,
                "--patient",
                "P1",
                "--date",
                "01.03.1024",
            ],
            "invalid --date '01.03.1024': lies before 1900",
        ),
        (
            vec![
                "ingest",
                "vcf",
                vcf,
                "--patient",
                "P1",
                "--date",
                "01.03.24",
            ],
            "invalid --date '01.03.24': a two-digit year",
        ),
        (
            vec!["ingest", "vcf", vcf, "--patient", "P1", "--date", "45352"],
            "invalid --date '45352': a number, not a date",
        ),
        (
            vec![
                "ingest",
                "vcf",
                vcf,
                "--patient",
                "P1",
                "--date",
                "2999-01-01",
            ],
            "invalid --date '2999-01-01': lies in the future",
        ),
    ] {
        s.run(&args).fails(1, needle);
    }
    // A file's date column before 1900 is refused alike.
    let events = s.file(
        "old.csv",
        "patient,date,kind\nP1,2024-03-01,surgery\nP1,0024-03-01,death\n",
    );
    s.run(&["ingest", "events", events.to_str().unwrap()])
        .fails(
            1,
            "old.csv: line 3: field 'date': '0024-03-01' lies before 1900",
        );
    assert_eq!(s.dump(), before, "refused dates changed nothing");
}

#[test]
fn a_vcf_written_before_the_draw_date_given_says_so() {
    let s = store_with_patient();
    let vcf = fixture("filedate_20240305.vcf");
    let out = s.run(&[
        "ingest",
        "vcf",
        vcf.to_str().unwrap(),
        "--patient",
        "P1",
        "--date",
        "2024-03-06",
    ]);
    out.ok();
    assert!(
        out.stderr.contains(
            "the header's ##fileDate (2024-03-05) is before the draw date given with --date \
             (2024-03-06): calls are made after the blood is drawn; check --date"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(
        draw_dates(&s),
        ["2024-03-06"],
        "stored under --date, as given"
    );
}

#[test]
fn a_pet_date_that_differs_from_the_series_studydate_says_so() {
    let Some(sts) = shared_data("pet/sts/STS_002") else {
        return;
    };
    let s = store_with_patient();
    let image = sts.join("dicom/image");
    let mask = sts.join("nifti/PET_mask.nii.gz");
    let ingest = |date: Option<&str>| {
        let mut args = vec![
            "ingest",
            "pet",
            image.to_str().unwrap(),
            "--mask",
            mask.to_str().unwrap(),
            "--patient",
            "P1",
        ];
        if let Some(date) = date {
            args.extend(["--date", date]);
        }
        s.run(&args)
    };
    let own = ingest(None);
    own.ok();
    assert!(!own.stderr.contains("differs"), "{}", own.stderr);
    let out = ingest(Some("01.01.2024"));
    out.ok();
    assert!(
        out.stderr
            .contains("warning: --date 2024-01-01 differs from the series' own date ("),
        "{}",
        out.stderr
    );
}

#[test]
fn a_table_read_as_windows_1252_says_so_in_one_notice_without_its_cells() {
    let s = store_with_patient();
    let file = fixture("lesions_tab_latin1.tsv");
    let out = s.run(&["ingest", "lesions", file.to_str().unwrap()]);
    out.ok();
    let notices: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(notices.len(), 1, "{}", out.stderr);
    assert!(
        notices[0].starts_with("notice: ")
            && notices[0].ends_with(
                "lesions_tab_latin1.tsv: not UTF-8, read as Windows-1252 (Latin-1, as Excel and \
                 laboratory software on Windows save CSV): 1 cell with special characters \
                 (first: line 2, column 'Organ'); check that they read right (µ, ä, é …), or \
                 save the file as CSV UTF-8"
            ),
        "{}",
        notices[0]
    );
    assert!(!out.stderr.contains("Rücken"), "no cell's content");
    // A UTF-8 table, and the same table ingested again (nothing read), say nothing.
    let again = s.run(&["ingest", "lesions", file.to_str().unwrap()]);
    assert_eq!(again.ok().lines().count(), 1);
    assert_eq!(again.stderr, "");
    let events = s.file(
        "events.csv",
        "patient,date,kind,detail\nP1,2024-01-05,surgery,Rückenmarks-OP\n",
    );
    let utf8 = s.run(&["ingest", "events", events.to_str().unwrap()]);
    utf8.ok();
    assert_eq!(utf8.stderr, "");
    let latin1 = s.path().join("events_latin1.csv");
    std::fs::write(
        &latin1,
        b"patient,date,kind,detail\nP1,2024-01-06,surgery,R\xfcckenmarks-OP\n",
    )
    .unwrap();
    let out = s.run(&["ingest", "events", latin1.to_str().unwrap()]);
    out.ok();
    assert!(
        out.stderr
            .contains("1 cell with special characters (first: line 2, column 'detail')"),
        "{}",
        out.stderr
    );
}

#[test]
fn events_repeated_within_a_file_are_kept_once_and_said_so_not_counted_as_in_the_database() {
    let s = store_with_patient();
    let events = s.file(
        "events.csv",
        "patient,date,kind,detail\n\
         P1,2024-01-10,diagnosis,osteosarcoma\n\
         P1,2024-02-01,treatment-start,MAP\n\
         P1,2024-02-01,treatment-start,MAP\n\
         P1,2024-02-01,treatment-start,cisplatin\n\
         P1,10.01.2024,diagnosis,osteosarcoma\n",
    );
    let out = s
        .run(&["ingest", "events", events.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(
        out.contains("events.csv: 5 events records read, 3 new\n")
            && out.contains(
                "  2 duplicate rows within the file, kept once: line 4 repeats line 3, line 6 \
                 repeats line 2\n"
            )
            && !out.contains("already in the database"),
        "{out}"
    );
    // A later file: one row the store holds, one repeated within it.
    let later = s.file(
        "later.csv",
        "patient,date,kind,detail\n\
         P1,2024-02-01,treatment-start,MAP\n\
         P1,2024-06-01,surgery,resection\n\
         P1,2024-06-01,surgery,resection\n",
    );
    let out = s
        .run(&["ingest", "events", later.to_str().unwrap()])
        .ok()
        .to_string();
    assert!(
        out.contains("later.csv: 3 events records read, 1 new, 1 already in the database\n")
            && out.contains("  1 duplicate row within the file, kept once: line 4 repeats line 3"),
        "{out}"
    );
    let stored: i64 = rusqlite::Connection::open(s.db())
        .unwrap()
        .query_row("SELECT count(*) FROM clinical_event", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 4);
    // Rows that contradict each other are refused, naming both lines; nothing changes.
    let before = s.dump();
    let deaths = s.file(
        "deaths.csv",
        "patient,date,kind\nP1,2024-07-01,progression\nP1,2024-08-01,death\nP1,2024-08-11,death\n",
    );
    s.run(&["ingest", "events", deaths.to_str().unwrap()])
        .fails(
            1,
            "deaths.csv: line 4: field 'date': contradicts line 3: a second death of this patient, \
         on 2024-08-11 (line 3: 2024-08-01); keep the row that is right and remove the other \
         (nothing was ingested)",
        );
    assert_eq!(s.dump(), before);
}

#[test]
fn a_death_that_contradicts_the_stored_one_is_refused_from_a_file_and_from_event_add() {
    let s = store_with_patient();
    let death = |detail: &str| {
        s.run(&[
            "event",
            "add",
            "P1",
            "--date",
            "2024-08-01",
            "--kind",
            "death",
            "--detail",
            detail,
        ])
    };
    death("").ok();
    let before = s.dump();
    let later = s.file(
        "later.csv",
        "patient,date,kind\nP1,2024-07-01,progression\nP1,2024-09-01,death\n",
    );
    s.run(&["ingest", "events", later.to_str().unwrap()]).fails(
        1,
        "later.csv: line 3: field 'date': this patient's death is already recorded on \
         2024-08-01 (by `event add`); a patient dies once: keep the event that is right and \
         leave out the other",
    );
    assert_eq!(s.dump(), before);
    death("toxicity").fails(
        1,
        "this patient's death is already recorded with detail '' (by `event add`)",
    );
    assert_eq!(s.dump(), before);
    // The same death again is no conflict; nothing is recorded after it.
    let same = s.file("same.csv", "patient,date,kind\nP1,2024-08-01,death\n");
    s.run(&["ingest", "events", same.to_str().unwrap()]).ok();
    let before = s.dump();
    let after = s.file(
        "after.csv",
        "patient,date,kind\nP1,2024-08-01,last-contact\nP1,2024-10-01,surgery\n",
    );
    s.run(&["ingest", "events", after.to_str().unwrap()]).fails(
        1,
        "after.csv: line 3: field 'date': this patient's death is recorded on 2024-08-01 (by \
         `event add`), before this surgery: check which date is wrong",
    );
    assert_eq!(s.dump(), before);
}

/// Every stored allele count: (chrom, pos, ref, alt, depth, alt count).
fn allele_counts(s: &Sandbox) -> Vec<(String, i64, String, String, i64, i64)> {
    let conn = rusqlite::Connection::open(s.db()).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT v.chrom, v.pos, v.ref, v.alt, c.depth, c.alt_count FROM allele_count c
               JOIN variant v USING (variant_id) ORDER BY v.chrom, v.pos, v.alt",
        )
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

#[test]
fn the_ctdnatools_loci_as_other_tools_write_them_count_the_same_and_ambiguous_ones_are_refused() {
    let (Some(bam), Some(mutations)) = (
        shared_data("bam/ctdnatools_T1.bam"),
        shared_data("bam/ctdnatools_mutations.tsv"),
    ) else {
        return;
    };
    let bam = bam.to_str().unwrap();
    let ingest = |s: &Sandbox, loci: &Path| {
        s.run(&[
            "ingest",
            "bam",
            bam,
            "--patient",
            "P1",
            "--date",
            "2024-03-01",
            "--loci",
            loci.to_str().unwrap(),
        ])
    };
    let s = store_with_patient();
    ingest(&s, &mutations).ok();
    let reference = allele_counts(&s);
    assert_eq!(reference.len(), 10, "ctDNAtools' 10 mutations");
    let text = std::fs::read_to_string(&mutations).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    let table = |header: &str, row: &dyn Fn(&[&str]) -> String, end: &str| {
        let mut out = format!("{header}{end}");
        for cells in &rows {
            out.push_str(&row(cells));
            out.push_str(end);
        }
        out
    };
    let pos = |cells: &[&str]| cells[1].parse::<u64>().unwrap();
    let variants = [
        // R's write.csv of the data frame: a BOM, CRLF, quotes, upper-case names.
        table(
            "\u{feff}\"CHROM\",\"POS\",\"REF\",\"ALT\",\"PHASING\"",
            &|c| {
                format!(
                    "\"{}\",{},\"{}\",\"{}\",\"{}\"",
                    c[0],
                    c[1],
                    c[2],
                    c[3],
                    c.get(4).unwrap_or(&"")
                )
            },
            "\r\n",
        ),
        // Contigs without `chr` (the BAM's have it), alleles in lower case.
        table(
            "#CHROM\tPOS\tREF\tALT",
            &|c| {
                format!(
                    "{}\t{}\t{}\t{}",
                    &c[0][3..],
                    c[1],
                    c[2].to_lowercase(),
                    c[3].to_lowercase()
                )
            },
            "\n",
        ),
        // bedtools' 0-based half-open intervals, and R's 1-based inclusive ones.
        table(
            "chrom\tstart\tend\tref\talt",
            &|c| format!("{}\t{}\t{}\t{}\t{}", c[0], pos(c) - 1, pos(c), c[2], c[3]),
            "\n",
        ),
        table(
            "seqnames,start,end,REF,ALT",
            &|c| format!("{},{},{},{},{}", c[0], pos(c), pos(c), c[2], c[3]),
            "\n",
        ),
        // A MAF's columns.
        table(
            "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2",
            &|c| format!("IGH\t{}\t{}\t{}\t{}\t{}", c[0], c[1], c[1], c[2], c[3]),
            "\n",
        ),
    ];
    for (i, content) in variants.iter().enumerate() {
        let s = store_with_patient();
        let loci = s.file(&format!("loci{i}.tsv"), content);
        ingest(&s, &loci).ok();
        assert_eq!(allele_counts(&s), reference, "{content}");
    }
    // Refused, naming file, line and column; the store stays as it was.
    let first = &rows[0];
    let before = s.dump();
    for (name, content, needle) in [
        (
            "start.tsv",
            format!(
                "chrom\tstart\tref\talt\n{}\t{}\t{}\t{}\n",
                first[0], first[1], first[2], first[3]
            ),
            "start.tsv: line 1: field 'start': does not say whether positions are 0-based",
        ),
        (
            "twice.tsv",
            format!(
                "{text}{}\t{}\t{}\t{}\n",
                first[0], first[1], first[2], first[3]
            ),
            "twice.tsv: line 12: field 'pos': repeats the locus of line 2 (chr14 106327474 C>G)",
        ),
        (
            "chr99.tsv",
            "chrom\tpos\tref\talt\nchr99\t100\tC\tG\n".to_string(),
            "chr99.tsv: line 2: field 'chrom': contig 'chr99' is not in",
        ),
        (
            "header.tsv",
            "chrom\tpos\tref\talt\r\n".to_string(),
            "header.tsv: line 1: field 'record': the file holds no loci",
        ),
        (
            "empty.tsv",
            String::new(),
            "empty.tsv: line 1: field '(file)': the file is empty",
        ),
    ] {
        let loci = s.file(name, &content);
        ingest(&s, &loci).fails(1, needle);
    }
    assert_eq!(s.dump(), before);
}

#[test]
fn the_ctdnatools_targets_as_r_writes_them_are_refused_as_of_unknown_base() {
    let (Some(bam), Some(mutations)) = (
        shared_data("bam/ctdnatools_T1.bam"),
        shared_data("bam/ctdnatools_mutations.tsv"),
    ) else {
        return;
    };
    let s = store_with_patient();
    // ctDNAtools' `targets` data frame (1-based start), as write.table writes it.
    let targets = s.file(
        "targets.tsv",
        "chr\tstart\tend\r\nchr14\t106327422\t106328049\r\n",
    );
    s.run(&[
        "ingest",
        "bam",
        bam.to_str().unwrap(),
        "--patient",
        "P1",
        "--date",
        "2024-03-01",
        "--loci",
        mutations.to_str().unwrap(),
        "--targets",
        targets.to_str().unwrap(),
        "--simulations",
        "10",
    ])
    .fails(
        1,
        "targets.tsv: line 1: field 'start': a header line (chr start end) is not BED",
    );
    assert!(allele_counts(&s).is_empty());
}

#[test]
fn a_fusions_table_with_a_bom_crlf_and_commas_is_read_and_empty_or_repeated_ones_refused() {
    let s = Sandbox::new();
    let bam =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/liquid/fusion_junctions.bam");
    let count = |tsv: &Path| {
        s.run(&[
            "count",
            bam.to_str().unwrap(),
            "--fusions",
            tsv.to_str().unwrap(),
            "--format",
            "csv",
        ])
    };
    let plain = s.file(
        "plain.tsv",
        "chrom_a\tpos_a\tchrom_b\tpos_b\torientation\tgene\nchr22\t29683123\tchr11\t128651853\t+-\tEWSR1-FLI1\n",
    );
    let reference = count(&plain).ok().to_string();
    assert!(reference.contains("EWSR1-FLI1"), "{reference}");
    let excel = s.file(
        "excel.csv",
        "\u{feff}chrom1,pos1,chrom2,pos2,strands,fusion_name\r\n22,\"29,683,123\",11,128651853,+-,EWSR1-FLI1\r\n",
    );
    let out = count(&excel).ok().to_string();
    // The same counts (the contigs as the file writes them).
    let counts = |csv: &str| -> Vec<String> {
        let row = csv.lines().nth(1).unwrap_or_default();
        row.split(',').skip(4).map(str::to_string).collect()
    };
    assert_eq!(counts(&out), counts(&reference), "{out}");
    assert!(
        out.lines()
            .nth(1)
            .unwrap_or_default()
            .starts_with("22,29683123,11,"),
        "{out}"
    );
    for (name, content, needle) in [
        (
            "header.tsv",
            "chrom_a\tpos_a\tchrom_b\tpos_b\n",
            "header.tsv: line 1: field 'record': the file holds no junctions",
        ),
        (
            "twice.tsv",
            "chr22\t29683123\tchr11\t128651853\n22\t29683123\t11\t128651853\t+-\n",
            "twice.tsv: line 2: field 'pos_a': repeats the junction of line 1",
        ),
        (
            "bedpe.tsv",
            "chrom1\tstart1\tend1\tchrom2\tstart2\tend2\n",
            "bedpe.tsv: line 1: field 'start1': a BEDPE header",
        ),
    ] {
        let tsv = s.file(name, content);
        count(&tsv).fails(1, needle);
    }
}

#[test]
fn a_cytokine_export_with_a_printed_on_footer_and_nan_cells_gets_in_and_a_title_row_is_refused() {
    let s = store_with_patient();
    let export = s.file(
        "export.csv",
        "patient;date;IL-6 (pg/mL);IL-8 (pg/mL);IL-10 (pg/mL)\r\n\
         P1;01.03.2024;3,5;NaN;#N/A\r\n\
         P1;02.04.2024;< 1,2;12;N/A\r\n\
         ;;;;\r\n\
         Gedruckt am 05.04.2024 von LIS-Export;;;;\r\n\
         Seite 1 von 1;;;;\r\n",
    );
    let out = s.run(&["ingest", "cytokines", export.to_str().unwrap(), "--strict"]);
    out.ok();
    assert!(
        out.stderr.contains(
            "export.csv: lines 5-6 after the table hold notes (such as 'Printed on …'), not rows: not read"
        ) && !out.stderr.contains("Gedruckt"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout.contains("3 cells were NA or empty"),
        "{}",
        out.stdout
    );
    assert_eq!(
        cytokines(&s),
        vec![
            row("2024-03-01", "IL-6", Some(3.5), "none", None),
            row("2024-04-02", "IL-6", None, "left", Some(1.2)),
            row("2024-04-02", "IL-8", Some(12.0), "none", None),
        ]
    );
    let before = s.dump();
    let titled = s.file(
        "titled.csv",
        "Cytokine panel (ng/mL),,\npatient,date,IL-6\nP1,2024-05-01,3\n",
    );
    s.run(&["ingest", "cytokines", titled.to_str().unwrap()])
        .fails(
            1,
            "titled.csv: line 1: field '(header)': line 1 has 1 of 3 cells filled above line 2, \
         which has 3: a title or a merged header row over the header",
        );
    assert_eq!(s.dump(), before);
}

#[test]
fn a_sample_named_in_another_case_than_the_vcf_column_is_that_column() {
    let Some(lumpy) = shared_data("vcf/sv/lumpy_COLO829.somatic.vcf") else {
        return;
    };
    let s = store_with_patient();
    let ingest = |sample: &str, date: &str| {
        s.run(&[
            "ingest",
            "vcf",
            lumpy.to_str().unwrap(),
            "--patient",
            "P1",
            "--date",
            date,
            "--sample",
            sample,
        ])
    };
    let out = ingest("colo829t", "2024-03-01");
    assert!(
        out.ok().contains("tumour sample 'COLO829T'"),
        "{}",
        out.stdout
    );
    ingest("COLO829", "2024-03-02").fails(
        1,
        "field 'sample': sample 'COLO829' (--sample) is not a column of the VCF (columns: COLO829T, COLO829R)",
    );
}

#[test]
fn a_bam_sequenced_before_the_draw_date_given_says_so() {
    let s = store_with_patient();
    let sam = s.file(
        "run.sam",
        "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:100\n\
         @RG\tID:r1\tSM:T\tDT:2024-03-05T09:30:00\n\
         r1\t0\tchr1\t5\t60\t4M\t*\t0\t0\tACGT\tIIII\tRG:Z:r1\n",
    );
    let bam = s.path().join("run.bam");
    let made = std::process::Command::new("samtools")
        .args(["view", "-b", "-o"])
        .arg(&bam)
        .arg(&sam)
        .status()
        .is_ok_and(|status| status.success());
    if !made {
        eprintln!("skipped: samtools is not installed, so no BAM with @RG DT can be made");
        return;
    }
    let loci = s.file("loci.tsv", "chrom\tpos\tref\talt\n1\t6\tC\tT\n");
    let ingest = |date: &str| {
        s.run(&[
            "ingest",
            "bam",
            bam.to_str().unwrap(),
            "--patient",
            "P1",
            "--date",
            date,
            "--loci",
            loci.to_str().unwrap(),
        ])
    };
    let before = ingest("2024-03-01");
    before.ok();
    assert!(!before.stderr.contains("@RG DT"), "{}", before.stderr);
    let after = ingest("06.03.2024");
    after.ok();
    assert!(
        after.stderr.contains(
            "run.bam: its read group was sequenced on 2024-03-05 (@RG DT), before the draw date \
             given with --date (2024-03-06)"
        ),
        "{}",
        after.stderr
    );
    assert_eq!(draw_dates(&s), ["2024-03-01", "2024-03-06"]);
}
