//! A cBioPortal study folder from the store: meta files, cancer type, clinical patient and sample files, a MAF of the ctDNA calls, timelines and case lists.
//!
//! File formats as cBioPortal's importer reads them (cBioPortal "File Formats"
//! documentation; checked with cBioPortal's own `validateData.py`, see docs/export.md).
//! No calendar date is written in any mode: timelines count days from the patient's
//! index date, as cBioPortal expects. De-identified, patient identifiers are the export's
//! pseudonyms (so the study joins the other de-identified outputs), rows are ordered by
//! pseudonym, ages of 90 and over are written as 90, sites are left out unless kept, and
//! free text (treatment agents, procedure names) is left out.

use super::deidentify::Deidentify;
use super::frame::AGE_CAP;
use super::owned::{Entry, Found, Owner};
use crate::analysis::ctdna::merge_variant;
use crate::analysis::response::molecular::CtdnaSample;
use crate::analysis::response::{Criterion, Report};
use crate::error::{Error, Result};
use crate::model::cluster::{Assignment, ClusterRunRecord};
use crate::model::liquid::StoredCall;
use crate::store::export::{Cell, ExportTable};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

/// Days per month in cBioPortal's `*_MONTHS` (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// The marker file of a study folder oncotrack wrote (hidden: the validator and the
/// importer skip names starting with a dot).
pub const MARKER: &str = ".oncotrack-cbioportal";

/// First line of the marker; the files written follow, one a line.
const MARKER_HEAD: &str = "made by `oncotrack export cbioportal`; replaced by the next such export";

/// The reference genome of the study's coordinates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Genome {
    /// GRCh37 (`hg19`).
    Hg19,
    /// GRCh38 (`hg38`).
    Hg38,
}

impl Genome {
    fn meta(self) -> &'static str {
        match self {
            Genome::Hg19 => "hg19",
            Genome::Hg38 => "hg38",
        }
    }

    fn ncbi(self) -> &'static str {
        match self {
            Genome::Hg19 => "GRCh37",
            Genome::Hg38 => "GRCh38",
        }
    }
}

/// How the study is named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyOptions {
    /// `cancer_study_identifier`: lower-case letters, digits and `_`.
    pub study_id: String,
    /// The genome the variant positions are on.
    pub genome: Genome,
}

/// What the study needs of one patient beyond the store tables.
#[derive(Debug, Clone)]
pub struct PatientExtras {
    /// The response assessment (RECIST and PERCIST categories per scan, best responses).
    pub report: Report,
    /// The patient's blood draws summarised over the tracked variants.
    pub draws: Vec<CtdnaSample>,
}

/// A cluster run giving each patient's endotype.
#[derive(Debug, Clone, Copy)]
pub struct Endotypes<'a> {
    /// The run's name.
    pub run: &'a str,
    /// Its record (the clusters' descriptions).
    pub record: &'a ClusterRunRecord,
    /// Each patient's cluster.
    pub assignments: &'a [Assignment],
}

/// The store tables the study is made from (`Store::export_table` and
/// `export::survival_table`).
#[derive(Debug, Clone, Copy)]
pub struct StudyInput<'a> {
    /// `patients`.
    pub patients: &'a ExportTable,
    /// `timeline` (clinical events).
    pub timeline: &'a ExportTable,
    /// `calls`.
    pub calls: &'a ExportTable,
    /// `cytokines`.
    pub cytokines: &'a ExportTable,
    /// `lesions`.
    pub lesions: &'a ExportTable,
    /// `pet`.
    pub pet: &'a ExportTable,
    /// The survival endpoints.
    pub survival: &'a ExportTable,
    /// Per patient code: response report and draws.
    pub extras: &'a HashMap<String, PatientExtras>,
    /// The endotypes, when a cluster run is given.
    pub endotypes: Option<Endotypes<'a>>,
}

/// One file of the study: its path inside the folder and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyFile {
    /// Path relative to the study folder (`case_lists/cases_all.txt` …).
    pub path: String,
    /// The file's content.
    pub text: String,
}

/// Column index by name.
fn at(table: &ExportTable, name: &str) -> Option<usize> {
    table.columns.iter().position(|(n, _)| *n == name)
}

/// A cell of `row` by column name.
fn cell<'r>(table: &ExportTable, row: &'r [Cell], name: &str) -> Option<&'r Cell> {
    at(table, name).and_then(|i| row.get(i))
}

fn text_of(table: &ExportTable, row: &[Cell], name: &str) -> Option<String> {
    cell(table, row, name).and_then(Cell::text)
}

fn date_of(table: &ExportTable, row: &[Cell], name: &str) -> Option<NaiveDate> {
    cell(table, row, name).and_then(Cell::date)
}

fn int_of(table: &ExportTable, row: &[Cell], name: &str) -> Option<i64> {
    match cell(table, row, name) {
        Some(Cell::Integer(v)) => Some(*v),
        Some(Cell::Real(v)) if v.fract() == 0.0 => Some(*v as i64),
        _ => None,
    }
}

fn real_of(table: &ExportTable, row: &[Cell], name: &str) -> Option<f64> {
    match cell(table, row, name) {
        Some(Cell::Integer(v)) => Some(*v as f64),
        Some(Cell::Real(v)) => Some(*v),
        _ => None,
    }
}

/// A TSV cell: tabs and line breaks become spaces; empty is `NA`.
fn tsv(value: &str) -> String {
    let clean: String = value
        .chars()
        .map(|c| {
            if c == '\t' || c == '\n' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() { "NA".into() } else { clean }
}

fn na<T: ToString>(value: Option<T>) -> String {
    value.map_or("NA".into(), |v| tsv(&v.to_string()))
}

/// A real number with up to 6 decimals, trailing zeros trimmed.
fn decimal(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// Lines of a TSV table.
struct Tsv {
    text: String,
}

impl Tsv {
    fn new(header: &[&str]) -> Tsv {
        let mut tsv = Tsv {
            text: String::new(),
        };
        tsv.row(header.iter().map(|h| h.to_string()).collect());
        tsv
    }

    fn row(&mut self, cells: Vec<String>) {
        self.text.push_str(&cells.join("\t"));
        self.text.push('\n');
    }
}

/// A clinical attribute: column, display name, description, datatype.
type Attribute = (&'static str, &'static str, &'static str, &'static str);

/// A clinical data file with its four metadata lines.
fn clinical(attributes: &[Attribute], rows: &[Vec<String>]) -> String {
    let line =
        |f: &dyn Fn(&Attribute) -> String| attributes.iter().map(f).collect::<Vec<_>>().join("\t");
    let mut text = String::new();
    let _ = writeln!(text, "#{}", line(&|a| a.1.to_string()));
    let _ = writeln!(text, "#{}", line(&|a| a.2.to_string()));
    let _ = writeln!(text, "#{}", line(&|a| a.3.to_string()));
    let _ = writeln!(text, "#{}", line(&|_| "1".to_string()));
    let _ = writeln!(text, "{}", line(&|a| a.0.to_string()));
    for row in rows {
        let _ = writeln!(text, "{}", row.join("\t"));
    }
    text
}

fn meta(fields: &[(&str, &str)]) -> String {
    fields.iter().fold(String::new(), |mut text, (k, v)| {
        let _ = writeln!(text, "{k}: {v}");
        text
    })
}

/// A patient of the study: code, study identifier, index date.
#[derive(Debug, Clone)]
struct StudyPatient {
    code: String,
    id: String,
    index: Option<NaiveDate>,
}

/// Checks a patient or sample identifier against cBioPortal's allowed characters.
fn check_id(id: &str, code: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._()[]',+-:;".contains(c);
    if id.is_empty() || !id.chars().all(allowed) || id.len() > 60 {
        return Err(Error::InvalidValue {
            what: "patient code",
            value: code.to_string(),
            reason:
                "cBioPortal identifiers take letters, digits and ._()[]',+-:; only (at most 60): \
                     export with --deidentify (pseudonyms) or rename the patient"
                    .to_string(),
        });
    }
    Ok(())
}

/// The sample identifier of a patient's `n`-th blood draw (1-based) and of the tissue baseline.
fn draw_sample(patient: &str, n: usize) -> String {
    format!("{patient}-B{n:02}")
}

fn tissue_sample(patient: &str) -> String {
    format!("{patient}-T")
}

/// Three-letter amino acid codes and their one-letter codes (IUPAC), `Ter` as `*`.
const AMINO_ACIDS: [(&str, &str); 23] = [
    ("Ala", "A"),
    ("Arg", "R"),
    ("Asn", "N"),
    ("Asp", "D"),
    ("Cys", "C"),
    ("Gln", "Q"),
    ("Glu", "E"),
    ("Gly", "G"),
    ("His", "H"),
    ("Ile", "I"),
    ("Leu", "L"),
    ("Lys", "K"),
    ("Met", "M"),
    ("Phe", "F"),
    ("Pro", "P"),
    ("Ser", "S"),
    ("Thr", "T"),
    ("Trp", "W"),
    ("Tyr", "Y"),
    ("Val", "V"),
    ("Sec", "U"),
    ("Ter", "*"),
    ("Xaa", "X"),
];

/// HGVS protein change in one-letter codes (`p.Arg273His` → `p.R273H`), as MAF's
/// `HGVSp_Short`; a change already in one-letter codes is kept.
pub fn hgvsp_short(change: &str) -> String {
    let mut text = change.trim().to_string();
    if !text.starts_with("p.") && !text.is_empty() {
        text = format!("p.{text}");
    }
    for (three, one) in AMINO_ACIDS {
        text = text.replace(three, one);
    }
    text
}

/// MAF alleles and positions from VCF-style ones: the shared leading base is dropped
/// (`-` for an empty allele); (start, end, ref, alt, variant type).
pub fn maf_alleles(
    pos: i64,
    reference: &str,
    alt: &str,
) -> (i64, i64, String, String, &'static str) {
    let (mut r, mut a, mut start) = (reference.to_string(), alt.to_string(), pos);
    while r.len() != a.len() && !r.is_empty() && !a.is_empty() && r.as_bytes()[0] == a.as_bytes()[0]
    {
        r.remove(0);
        a.remove(0);
        start += 1;
    }
    if r.is_empty() {
        // Insertion: MAF gives the bases on either side.
        return (start - 1, start, "-".into(), a, "INS");
    }
    if a.is_empty() {
        let end = start + r.len() as i64 - 1;
        return (start, end, r, "-".into(), "DEL");
    }
    let end = start + r.len() as i64 - 1;
    let kind = match (r.len(), a.len()) {
        (1, 1) => "SNP",
        (2, 2) => "DNP",
        (3, 3) => "TNP",
        (x, y) if x == y => "ONP",
        (x, y) if x > y => "DEL",
        _ => "INS",
    };
    (start, end, r, a, kind)
}

/// The MAF `Variant_Classification` of a protein change (one-letter) and variant type;
/// `Unknown` when no protein change is known.
pub fn classification(short: &str, kind: &str) -> &'static str {
    let change = short.strip_prefix("p.").unwrap_or(short);
    if change.is_empty() || change == "?" {
        return "Unknown";
    }
    if change.contains("fs") {
        return if kind == "INS" {
            "Frame_Shift_Ins"
        } else {
            "Frame_Shift_Del"
        };
    }
    if change.contains("delins") || change.contains("del") {
        return "In_Frame_Del";
    }
    if change.contains("ins") || change.contains("dup") {
        return "In_Frame_Ins";
    }
    if change.ends_with('=') {
        return "Silent";
    }
    if change.starts_with('*') {
        return "Nonstop_Mutation";
    }
    if change.ends_with('*') {
        return "Nonsense_Mutation";
    }
    let first = change.chars().next();
    let last = change.chars().last();
    if first == last {
        return "Silent";
    }
    if change.len() > 2
        && change[1..change.len() - 1]
            .chars()
            .all(|c| c.is_ascii_digit())
    {
        if change.starts_with("M1") && change.len() == 3 {
            return "Translation_Start_Site";
        }
        return "Missense_Mutation";
    }
    "Unknown"
}

/// The study's files.
///
/// # Errors
/// [`Error::InvalidValue`] when a patient code is not a valid cBioPortal identifier
/// (identified export) or the study identifier is invalid.
pub fn study_files(
    input: &StudyInput,
    options: &StudyOptions,
    deidentify: Option<&Deidentify>,
) -> Result<Vec<StudyFile>> {
    let study = options.study_id.as_str();
    if study.is_empty()
        || !study
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(Error::InvalidValue {
            what: "--study-id",
            value: study.to_string(),
            reason: "cBioPortal study identifiers take lower-case letters, digits and _ only"
                .into(),
        });
    }
    let patients = study_patients(input.patients, deidentify)?;
    let mut files = Vec::new();
    let mut add = |path: &str, text: String| {
        files.push(StudyFile {
            path: path.to_string(),
            text,
        })
    };
    let kind = if deidentify.is_some() {
        "De-identified (keyed pseudonyms, days since index, ages 90+ as 90)"
    } else {
        "Identified"
    };
    add(
        "meta_study.txt",
        meta(&[
            ("type_of_cancer", "sarc"),
            ("cancer_study_identifier", study),
            ("name", "Sarcoma cohort followed with oncotrack"),
            (
                "description",
                &format!(
                    "{kind} export of an oncotrack store: {} patients, ctDNA (one sample per blood draw), serum cytokines, imaging responses and the clinical course.",
                    patients.len()
                ),
            ),
            ("reference_genome", options.genome.meta()),
        ]),
    );
    add(
        "meta_cancer_type.txt",
        meta(&[
            ("genetic_alteration_type", "CANCER_TYPE"),
            ("datatype", "CANCER_TYPE"),
            ("data_filename", "cancer_type.txt"),
        ]),
    );
    add(
        "cancer_type.txt",
        "sarc\tSarcoma\tLightYellow\ttissue\n".into(),
    );

    // Per patient, the draws in date order (sample numbers) and the calls' draws.
    let by_code: HashMap<&str, &StudyPatient> =
        patients.iter().map(|p| (p.code.as_str(), p)).collect();
    let draw_ids = draw_samples(&patients, input);

    add_clinical(&mut add, input, &patients, &draw_ids, deidentify, study);
    let (maf, sequenced) = mutations(input, &by_code, &draw_ids, options.genome);
    add(
        "meta_mutations_extended.txt",
        meta(&[
            ("cancer_study_identifier", study),
            ("genetic_alteration_type", "MUTATION_EXTENDED"),
            ("datatype", "MAF"),
            ("stable_id", "mutations"),
            ("show_profile_in_analysis_tab", "true"),
            (
                "profile_name",
                "Mutations (ctDNA, tumour-informed tracked variants)",
            ),
            (
                "profile_description",
                "Tracked variants detected in each blood draw's cell-free DNA (callers merged: detected by any caller, counts of the deepest caller).",
            ),
            ("data_filename", "data_mutations.txt"),
        ]),
    );
    add("data_mutations.txt", maf);
    for (name, text) in timelines(input, &patients, &by_code, &draw_ids, deidentify) {
        add(
            &format!("meta_timeline_{name}.txt"),
            meta(&[
                ("cancer_study_identifier", study),
                ("genetic_alteration_type", "CLINICAL"),
                ("datatype", "TIMELINE"),
                ("data_filename", &format!("data_timeline_{name}.txt")),
            ]),
        );
        add(&format!("data_timeline_{name}.txt"), text);
    }
    let mut all: Vec<String> = Vec::new();
    for p in &patients {
        all.push(tissue_sample(&p.id));
        if let Some(draws) = draw_ids.get(&p.code) {
            all.extend(draws.values().cloned());
        }
    }
    add(
        "case_lists/cases_all.txt",
        case_list(
            study,
            "all",
            "All samples",
            "Every sample: one tissue baseline per patient and one per blood draw.",
            "all_cases_in_study",
            &all,
        ),
    );
    add(
        "case_lists/cases_sequenced.txt",
        case_list(
            study,
            "sequenced",
            "Blood draws with ctDNA data",
            "Blood draws whose tracked variants were looked for (profiled for mutations).",
            "all_cases_with_mutation_data",
            &sequenced,
        ),
    );
    Ok(files)
}

fn case_list(
    study: &str,
    suffix: &str,
    name: &str,
    description: &str,
    category: &str,
    ids: &[String],
) -> String {
    meta(&[
        ("cancer_study_identifier", study),
        ("stable_id", &format!("{study}_{suffix}")),
        ("case_list_name", name),
        (
            "case_list_description",
            &format!("{description} ({} samples)", ids.len()),
        ),
        ("case_list_category", category),
        ("case_list_ids", &ids.join("\t")),
    ])
}

/// The study's patients in output order (by pseudonym when de-identified, else by code).
fn study_patients(
    table: &ExportTable,
    deidentify: Option<&Deidentify>,
) -> Result<Vec<StudyPatient>> {
    let mut patients = Vec::new();
    for row in &table.rows {
        let Some(code) = text_of(table, row, "patient") else {
            continue;
        };
        let id = match deidentify {
            Some(d) => d.key.pseudonym(&code),
            None => code.clone(),
        };
        check_id(&id, &code)?;
        patients.push(StudyPatient {
            index: date_of(table, row, "index_date"),
            code,
            id,
        });
    }
    patients.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(patients)
}

/// Per patient code: draw date → sample identifier, numbered in date order over the
/// dates of the calls table and of the patient's summarised draws.
fn draw_samples(
    patients: &[StudyPatient],
    input: &StudyInput,
) -> HashMap<String, BTreeMap<NaiveDate, String>> {
    let mut dates: HashMap<&str, std::collections::BTreeSet<NaiveDate>> = HashMap::new();
    for row in &input.calls.rows {
        if let (Some(code), Some(date)) = (
            cell(input.calls, row, "patient").and_then(|c| match c {
                Cell::Text(t) => Some(t.as_str()),
                _ => None,
            }),
            date_of(input.calls, row, "date"),
        ) {
            dates.entry(code).or_default().insert(date);
        }
    }
    for (code, extras) in input.extras {
        for draw in &extras.draws {
            dates.entry(code.as_str()).or_default().insert(draw.date);
        }
    }
    patients
        .iter()
        .filter_map(|p| {
            let set = dates.get(p.code.as_str())?;
            Some((
                p.code.clone(),
                set.iter()
                    .enumerate()
                    .map(|(i, d)| (*d, draw_sample(&p.id, i + 1)))
                    .collect(),
            ))
        })
        .collect()
}

fn days(date: Option<NaiveDate>, index: Option<NaiveDate>) -> Option<i64> {
    Some((date? - index?).num_days())
}

fn sex_name(code: Option<String>) -> String {
    match code.as_deref() {
        Some("F") => "Female".into(),
        Some("M") => "Male".into(),
        Some("U") => "Unknown".into(),
        other => na(other),
    }
}

/// The clinical patient and sample files.
fn add_clinical(
    add: &mut impl FnMut(&str, String),
    input: &StudyInput,
    patients: &[StudyPatient],
    draw_ids: &HashMap<String, BTreeMap<NaiveDate, String>>,
    deidentify: Option<&Deidentify>,
    study: &str,
) {
    let keep_site = deidentify.is_none_or(|d| d.keep_site);
    let rows: HashMap<String, &Vec<Cell>> = input
        .patients
        .rows
        .iter()
        .filter_map(|r| Some((text_of(input.patients, r, "patient")?, r)))
        .collect();
    let survival: HashMap<String, &Vec<Cell>> = input
        .survival
        .rows
        .iter()
        .filter_map(|r| Some((text_of(input.survival, r, "patient")?, r)))
        .collect();
    let clusters: HashMap<&str, usize> = input
        .endotypes
        .map(|e| {
            e.assignments
                .iter()
                .map(|a| (a.patient.as_str(), a.cluster))
                .collect()
        })
        .unwrap_or_default();
    let describe = |cluster: usize| -> String {
        input
            .endotypes
            .and_then(|e| {
                e.record
                    .profile
                    .clusters
                    .iter()
                    .find(|c| c.cluster == cluster)
            })
            .map(|c| c.description.replace('↑', "high").replace('↓', "low"))
            .unwrap_or_default()
    };
    let mut attributes: Vec<Attribute> = vec![
        (
            "PATIENT_ID",
            "Patient Identifier",
            "Patient identifier (a keyed pseudonym when de-identified)",
            "STRING",
        ),
        (
            "OS_STATUS",
            "Overall Survival Status",
            "Overall survival status: 1:DECEASED, 0:LIVING (censored at last follow-up)",
            "STRING",
        ),
        (
            "OS_MONTHS",
            "Overall Survival (Months)",
            "Index date to death or last follow-up, in months of 30.4375 days",
            "NUMBER",
        ),
        (
            "PFS_STATUS",
            "Progression Free Status",
            "1:PROGRESSION (first progression, relapse or death), 0:CENSORED",
            "STRING",
        ),
        (
            "PFS_MONTHS",
            "Progress Free Survival (Months)",
            "Index date to the first progression, relapse or death, or last follow-up, in months",
            "NUMBER",
        ),
        (
            "DIAGNOSIS",
            "Diagnosis",
            "Diagnosis as entered in oncotrack",
            "STRING",
        ),
        ("SEX", "Sex", "Sex", "STRING"),
        (
            "AGE",
            "Age at Index",
            "Age at the index date in years (index year minus birth year; 90 means 90 or older when de-identified)",
            "NUMBER",
        ),
    ];
    if keep_site {
        attributes.push(("SITE", "Treating Site", "Treating site (centre)", "STRING"));
    }
    if input.endotypes.is_some() {
        attributes.push((
            "ENDOTYPE",
            "Endotype",
            "Cluster of the endotype cluster run",
            "STRING",
        ));
        attributes.push((
            "ENDOTYPE_PROFILE",
            "Endotype Profile",
            "Features the endotype's cluster raises or lowers",
            "STRING",
        ));
    }
    attributes.extend([
        (
            "RECIST_BEST",
            "Best Response (RECIST 1.1)",
            "Best overall response by RECIST 1.1",
            "STRING",
        ),
        (
            "PERCIST_BEST",
            "Best Metabolic Response (PERCIST)",
            "Best metabolic response by PERCIST 1.0",
            "STRING",
        ),
        (
            "CTDNA_BEST",
            "Best Molecular Response (ctDNA)",
            "Best molecular response by the ctDNA criterion",
            "STRING",
        ),
        (
            "MRD_LAST_DRAW",
            "MRD of Last Draw",
            "Tumour-informed MRD decision of the last blood draw (NA: not tested)",
            "STRING",
        ),
    ]);
    let mut patient_rows = Vec::new();
    let mut sample_rows = Vec::new();
    for p in patients {
        let row = rows.get(&p.code).map(|r| r.as_slice()).unwrap_or_default();
        let table = input.patients;
        let surv = survival
            .get(&p.code)
            .map(|r| r.as_slice())
            .unwrap_or_default();
        let months = |name: &str| {
            int_of(input.survival, surv, name).map(|d| decimal(d as f64 / DAYS_PER_MONTH))
        };
        let flag = |name: &str| match cell(input.survival, surv, name) {
            Some(Cell::Integer(v)) => Some(*v != 0),
            Some(Cell::Text(t)) => Some(t == "true" || t == "1"),
            _ => None,
        };
        let os_status = flag("os_event").map(|e| if e { "1:DECEASED" } else { "0:LIVING" });
        let pfs_status = flag("efs_event").map(|e| if e { "1:PROGRESSION" } else { "0:CENSORED" });
        let age = int_of(table, row, "age_at_index").map(|a| {
            if deidentify.is_some() {
                a.min(AGE_CAP)
            } else {
                a
            }
        });
        let extras = input.extras.get(&p.code);
        let best = |criterion: Criterion| {
            na(extras
                .and_then(|e| e.report.best(criterion))
                .map(|b| b.category.code(criterion)))
        };
        let mrd = extras
            .and_then(|e| e.draws.iter().max_by_key(|d| d.date))
            .and_then(|d| d.mrd)
            .map(|m| m.as_str());
        let mut cells = vec![
            p.id.clone(),
            na(os_status),
            na(os_status.and(months("os_days"))),
            na(pfs_status),
            na(pfs_status.and(months("efs_days"))),
            na(text_of(table, row, "diagnosis")),
            sex_name(text_of(table, row, "sex")),
            na(age),
        ];
        if keep_site {
            cells.push(na(text_of(table, row, "site")));
        }
        if input.endotypes.is_some() {
            let cluster = clusters.get(p.code.as_str()).copied();
            cells.push(na(cluster.map(|c| format!("cluster {c}"))));
            cells.push(na(cluster.map(describe).filter(|d| !d.is_empty())));
        }
        cells.extend([
            best(Criterion::Recist),
            best(Criterion::Percist),
            best(Criterion::Ctdna),
            na(mrd),
        ]);
        patient_rows.push(cells);

        let diagnosis = na(text_of(table, row, "diagnosis"));
        let primary = na(text_of(table, row, "primary_site"));
        sample_rows.push(vec![
            p.id.clone(),
            tissue_sample(&p.id),
            "Primary".into(),
            "Tumor".into(),
            "Sarcoma".into(),
            diagnosis.clone(),
            primary.clone(),
            "tumour tissue (baseline)".into(),
            "NA".into(),
            "NA".into(),
            "NA".into(),
            "NA".into(),
            "NA".into(),
        ]);
        let draws: HashMap<NaiveDate, &CtdnaSample> = extras
            .map(|e| e.draws.iter().map(|d| (d.date, d)).collect())
            .unwrap_or_default();
        for (date, sample) in draw_ids.get(&p.code).into_iter().flatten() {
            let draw = draws.get(date);
            sample_rows.push(vec![
                p.id.clone(),
                sample.clone(),
                "cfDNA".into(),
                "Liquid Biopsy".into(),
                "Sarcoma".into(),
                diagnosis.clone(),
                primary.clone(),
                "plasma cell-free DNA".into(),
                na(days(Some(*date), p.index)),
                na(draw.and_then(|d| d.mean_vaf).map(decimal)),
                na(draw.map(|d| d.detected)),
                na(draw.map(|d| d.tracked)),
                na(draw.and_then(|d| d.mrd).map(|m| m.as_str())),
            ]);
        }
    }
    add(
        "meta_clinical_patient.txt",
        meta(&[
            ("cancer_study_identifier", study),
            ("genetic_alteration_type", "CLINICAL"),
            ("datatype", "PATIENT_ATTRIBUTES"),
            ("data_filename", "data_clinical_patient.txt"),
        ]),
    );
    add(
        "data_clinical_patient.txt",
        clinical(&attributes, &patient_rows),
    );
    let sample_attributes: [Attribute; 13] = [
        (
            "PATIENT_ID",
            "Patient Identifier",
            "Patient identifier",
            "STRING",
        ),
        (
            "SAMPLE_ID",
            "Sample Identifier",
            "Tissue baseline (-T) or blood draw in date order (-B01, -B02 ...)",
            "STRING",
        ),
        (
            "SAMPLE_TYPE",
            "Sample Type",
            "Primary (tumour tissue at baseline) or cfDNA (blood draw)",
            "STRING",
        ),
        (
            "SAMPLE_CLASS",
            "Sample Class",
            "Tumor or Liquid Biopsy",
            "STRING",
        ),
        ("CANCER_TYPE", "Cancer Type", "Cancer type", "STRING"),
        (
            "CANCER_TYPE_DETAILED",
            "Cancer Type Detailed",
            "Diagnosis as entered in oncotrack",
            "STRING",
        ),
        (
            "PRIMARY_SITE",
            "Primary Site",
            "Anatomical site of the primary tumour",
            "STRING",
        ),
        ("SPECIMEN", "Specimen", "What the sample is", "STRING"),
        (
            "DAYS_FROM_INDEX",
            "Days from Index",
            "Day of the blood draw counted from the index date",
            "NUMBER",
        ),
        (
            "MEAN_VAF",
            "Mean VAF",
            "Mean variant allele fraction over the tracked variants (undetected count as 0)",
            "NUMBER",
        ),
        (
            "TRACKED_DETECTED",
            "Tracked Variants Detected",
            "Tracked variants detected in the draw",
            "NUMBER",
        ),
        (
            "TRACKED_VARIANTS",
            "Tracked Variants",
            "Tracked variants looked for in the draw",
            "NUMBER",
        ),
        (
            "MRD_STATUS",
            "MRD Status",
            "Tumour-informed MRD decision of the draw (NA: not tested)",
            "STRING",
        ),
    ];
    add(
        "meta_clinical_sample.txt",
        meta(&[
            ("cancer_study_identifier", study),
            ("genetic_alteration_type", "CLINICAL"),
            ("datatype", "SAMPLE_ATTRIBUTES"),
            ("data_filename", "data_clinical_sample.txt"),
        ]),
    );
    add(
        "data_clinical_sample.txt",
        clinical(&sample_attributes, &sample_rows),
    );
}

/// The MAF of the detected tracked variants (one row per variant and draw, callers
/// merged) and the draws profiled.
fn mutations(
    input: &StudyInput,
    by_code: &HashMap<&str, &StudyPatient>,
    draw_ids: &HashMap<String, BTreeMap<NaiveDate, String>>,
    genome: Genome,
) -> (String, Vec<String>) {
    let calls = input.calls;
    type Key = (String, NaiveDate, String, i64, String, String);
    // Gene, protein change and every caller's row of one variant in one draw.
    type Rows = (Option<String>, Option<String>, Vec<StoredCall>);
    let mut grouped: BTreeMap<Key, Rows> = BTreeMap::new();
    for row in &calls.rows {
        let (Some(code), Some(date), Some(chrom), Some(pos), Some(reference), Some(alt)) = (
            text_of(calls, row, "patient"),
            date_of(calls, row, "date"),
            text_of(calls, row, "chrom"),
            int_of(calls, row, "pos"),
            text_of(calls, row, "ref"),
            text_of(calls, row, "alt"),
        ) else {
            continue;
        };
        let detected = match cell(calls, row, "detected") {
            Some(Cell::Integer(v)) => *v != 0,
            Some(Cell::Text(t)) => t == "true" || t == "1",
            _ => false,
        };
        let entry = grouped
            .entry((code, date, chrom, pos, reference, alt))
            .or_insert_with(|| {
                (
                    text_of(calls, row, "gene"),
                    text_of(calls, row, "protein_change"),
                    Vec::new(),
                )
            });
        entry.2.push(StoredCall {
            caller: text_of(calls, row, "caller").unwrap_or_default(),
            detected,
            vaf: real_of(calls, row, "vaf"),
            alt_reads: int_of(calls, row, "alt_reads"),
            ref_reads: int_of(calls, row, "ref_reads"),
            depth: int_of(calls, row, "depth"),
        });
    }
    let mut maf = Tsv::new(&[
        "Hugo_Symbol",
        "Center",
        "NCBI_Build",
        "Chromosome",
        "Start_Position",
        "End_Position",
        "Strand",
        "Variant_Classification",
        "Variant_Type",
        "Reference_Allele",
        "Tumor_Seq_Allele1",
        "Tumor_Seq_Allele2",
        "Tumor_Sample_Barcode",
        "HGVSp_Short",
        "t_alt_count",
        "t_ref_count",
        "t_depth",
        "t_vaf",
        "callers",
    ]);
    let mut lines: Vec<(String, Vec<String>)> = Vec::new();
    let mut sequenced = std::collections::BTreeSet::new();
    for ((code, date, chrom, pos, reference, alt), (gene, change, rows)) in &grouped {
        let (Some(patient), Some(sample)) = (
            by_code.get(code.as_str()),
            draw_ids.get(code).and_then(|d| d.get(date)),
        ) else {
            continue;
        };
        sequenced.insert((patient.id.clone(), sample.clone()));
        let merged = merge_variant("", rows);
        if !merged.detected {
            continue;
        }
        let (start, end, r, a, kind) = maf_alleles(*pos, reference, alt);
        let short = change.as_deref().map(hgvsp_short).unwrap_or_default();
        let callers: Vec<&str> = rows
            .iter()
            .filter(|c| c.detected)
            .map(|c| c.caller.as_str())
            .collect();
        let ref_count = match (merged.depth, merged.alt_reads) {
            (Some(d), Some(a)) if d >= a => Some(d - a),
            _ => None,
        };
        let chromosome = chrom.strip_prefix("chr").unwrap_or(chrom);
        lines.push((
            sample.clone(),
            vec![
                na(gene.clone().or(Some("Unknown".into()))),
                "oncotrack".into(),
                genome.ncbi().into(),
                tsv(chromosome),
                start.to_string(),
                end.to_string(),
                "+".into(),
                classification(&short, kind).into(),
                kind.into(),
                tsv(&r),
                tsv(&r),
                tsv(&a),
                sample.clone(),
                if short.is_empty() {
                    "NA".into()
                } else {
                    tsv(&short)
                },
                na(merged.alt_reads),
                na(ref_count),
                na(merged.depth),
                na(merged.vaf.map(decimal)),
                tsv(&callers.join(",")),
            ],
        ));
    }
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, cells) in lines {
        maf.row(cells);
    }
    (
        maf.text,
        sequenced.into_iter().map(|(_, sample)| sample).collect(),
    )
}

/// The timeline files: (name, text).
fn timelines(
    input: &StudyInput,
    patients: &[StudyPatient],
    by_code: &HashMap<&str, &StudyPatient>,
    draw_ids: &HashMap<String, BTreeMap<NaiveDate, String>>,
    deidentify: Option<&Deidentify>,
) -> Vec<(&'static str, String)> {
    let free_text = deidentify.is_none();
    let base = ["PATIENT_ID", "START_DATE", "STOP_DATE", "EVENT_TYPE"];
    let header = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    };
    // Rows per file, keyed by (patient id, start) for output order.
    let mut treatment: Vec<(String, i64, Vec<String>)> = Vec::new();
    let mut surgery = Vec::new();
    let mut status = Vec::new();
    let timeline = input.timeline;
    let mut open: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut events: Vec<(&StudyPatient, i64, String, String)> = timeline
        .rows
        .iter()
        .filter_map(|row| {
            let code = text_of(timeline, row, "patient")?;
            let patient = *by_code.get(code.as_str())?;
            let day = days(date_of(timeline, row, "date"), patient.index)?;
            Some((
                patient,
                day,
                text_of(timeline, row, "kind").unwrap_or_default(),
                text_of(timeline, row, "detail").unwrap_or_default(),
            ))
        })
        .collect();
    events.sort_by(|a, b| (a.0.id.as_str(), a.1).cmp(&(b.0.id.as_str(), b.1)));
    let line_of = |detail: &str| -> Option<i64> {
        let rest = detail.trim().strip_prefix("line ")?;
        rest.split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()
    };
    let agent_of = |detail: &str| -> String {
        let agent = match detail.split_once(':') {
            Some((head, rest)) if head.trim().starts_with("line") => rest,
            _ => detail,
        };
        if free_text { tsv(agent) } else { "NA".into() }
    };
    for (patient, day, kind, detail) in &events {
        let id = patient.id.clone();
        match kind.as_str() {
            "treatment-start" => {
                treatment.push((
                    id.clone(),
                    *day,
                    vec![
                        id.clone(),
                        day.to_string(),
                        String::new(),
                        "TREATMENT".into(),
                        "Systemic Therapy".into(),
                        na(line_of(detail)),
                        agent_of(detail),
                    ],
                ));
                open.entry((id, detail.clone()))
                    .or_default()
                    .push(treatment.len() - 1);
            }
            "treatment-end" => {
                if let Some(i) = open
                    .get_mut(&(id.clone(), detail.clone()))
                    .and_then(|v| (!v.is_empty()).then(|| v.remove(0)))
                {
                    treatment[i].2[2] = day.to_string();
                }
            }
            "radiotherapy" => treatment.push((
                id.clone(),
                *day,
                vec![
                    id.clone(),
                    day.to_string(),
                    String::new(),
                    "TREATMENT".into(),
                    "Radiation Therapy".into(),
                    "NA".into(),
                    agent_of(detail),
                ],
            )),
            "surgery" => surgery.push(vec![
                id.clone(),
                day.to_string(),
                String::new(),
                "SURGERY".into(),
                if free_text { tsv(detail) } else { "NA".into() },
            ]),
            other => {
                let label = match other {
                    "diagnosis" => "Diagnosis",
                    "progression" => "Progression",
                    "relapse" => "Relapse",
                    "death" => "Death",
                    "last-contact" => "Last contact",
                    _ => continue,
                };
                status.push(vec![
                    id.clone(),
                    day.to_string(),
                    String::new(),
                    "STATUS".into(),
                    label.into(),
                ]);
            }
        }
    }
    let mut files = Vec::new();
    let mut t = Tsv::new(&header(&["TREATMENT_TYPE", "LINE", "AGENT"]));
    treatment.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    for (_, _, cells) in treatment {
        t.row(cells);
    }
    files.push(("treatment", t.text));
    let mut s = Tsv::new(&header(&["PROCEDURE"]));
    for cells in surgery {
        s.row(cells);
    }
    files.push(("surgery", s.text));
    let mut st = Tsv::new(&header(&["STATUS"]));
    for cells in status {
        st.row(cells);
    }
    files.push(("status", st.text));
    files.push(("imaging", imaging(input, by_code)));
    files.push(("specimen", specimens(input, patients, draw_ids)));
    files.push(("labtest", lab_tests(input, by_code)));
    files
}

/// One IMAGING event per scan (date and modality) with the RECIST or PERCIST category
/// assessed at it.
fn imaging(input: &StudyInput, by_code: &HashMap<&str, &StudyPatient>) -> String {
    // (patient code, date, modality) → lesions seen.
    let mut scans: BTreeMap<(String, NaiveDate, String), usize> = BTreeMap::new();
    for row in &input.lesions.rows {
        if let (Some(code), Some(date)) = (
            text_of(input.lesions, row, "patient"),
            date_of(input.lesions, row, "date"),
        ) {
            let modality = text_of(input.lesions, row, "modality").unwrap_or_else(|| "CT".into());
            *scans.entry((code, date, modality)).or_default() += 1;
        }
    }
    let mut pet: BTreeMap<(String, NaiveDate, String), std::collections::BTreeSet<String>> =
        BTreeMap::new();
    for row in &input.pet.rows {
        if let (Some(code), Some(date)) = (
            text_of(input.pet, row, "patient"),
            date_of(input.pet, row, "date"),
        ) {
            pet.entry((code, date, "PET".into()))
                .or_default()
                .insert(text_of(input.pet, row, "lesion").unwrap_or_default());
        }
    }
    for (key, lesions) in pet {
        scans.insert(key, lesions.len());
    }
    let category = |code: &str, date: NaiveDate, criterion: Criterion| -> String {
        input
            .extras
            .get(code)
            .and_then(|e| {
                e.report
                    .assessments
                    .iter()
                    .find(|a| a.criterion == criterion && a.date == date)
            })
            .map_or("NA".into(), |a| a.code().to_string())
    };
    let mut rows: Vec<(String, i64, Vec<String>)> = Vec::new();
    for ((code, date, modality), lesions) in &scans {
        let Some(patient) = by_code.get(code.as_str()) else {
            continue;
        };
        let Some(day) = days(Some(*date), patient.index) else {
            continue;
        };
        let (recist, percist) = if modality == "PET" {
            ("NA".to_string(), category(code, *date, Criterion::Percist))
        } else {
            (category(code, *date, Criterion::Recist), "NA".to_string())
        };
        rows.push((
            patient.id.clone(),
            day,
            vec![
                patient.id.clone(),
                day.to_string(),
                String::new(),
                "IMAGING".into(),
                tsv(modality),
                lesions.to_string(),
                recist,
                percist,
            ],
        ));
    }
    rows.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    let mut t = Tsv::new(&[
        "PATIENT_ID",
        "START_DATE",
        "STOP_DATE",
        "EVENT_TYPE",
        "DIAGNOSTIC_TYPE",
        "LESIONS",
        "RECIST",
        "PERCIST",
    ]);
    for (_, _, cells) in rows {
        t.row(cells);
    }
    t.text
}

/// One SPECIMEN event per blood draw, with its sample, mean VAF and MRD decision.
fn specimens(
    input: &StudyInput,
    patients: &[StudyPatient],
    draw_ids: &HashMap<String, BTreeMap<NaiveDate, String>>,
) -> String {
    let mut t = Tsv::new(&[
        "PATIENT_ID",
        "START_DATE",
        "STOP_DATE",
        "EVENT_TYPE",
        "SAMPLE_ID",
        "SPECIMEN_TYPE",
        "MEAN_VAF",
        "DETECTED",
        "MRD",
    ]);
    for p in patients {
        let draws: HashMap<NaiveDate, &CtdnaSample> = input
            .extras
            .get(&p.code)
            .map(|e| e.draws.iter().map(|d| (d.date, d)).collect())
            .unwrap_or_default();
        for (date, sample) in draw_ids.get(&p.code).into_iter().flatten() {
            let Some(day) = days(Some(*date), p.index) else {
                continue;
            };
            let draw = draws.get(date);
            t.row(vec![
                p.id.clone(),
                day.to_string(),
                String::new(),
                "SPECIMEN".into(),
                sample.clone(),
                "plasma cfDNA".into(),
                na(draw.and_then(|d| d.mean_vaf).map(decimal)),
                na(draw.map(|d| format!("{}/{}", d.detected, d.tracked))),
                na(draw.and_then(|d| d.mrd).map(|m| m.as_str())),
            ]);
        }
    }
    t.text
}

/// One LAB_TEST event per cytokine measurement (censored values as `<bound` / `>bound`).
fn lab_tests(input: &StudyInput, by_code: &HashMap<&str, &StudyPatient>) -> String {
    let table = input.cytokines;
    let mut rows: Vec<(String, i64, String, Vec<String>)> = Vec::new();
    for row in &table.rows {
        let Some(patient) =
            text_of(table, row, "patient").and_then(|c| by_code.get(c.as_str()).copied())
        else {
            continue;
        };
        let Some(day) = days(date_of(table, row, "date"), patient.index) else {
            continue;
        };
        let analyte = text_of(table, row, "analyte").unwrap_or_default();
        let result = match (
            text_of(table, row, "censor").as_deref(),
            real_of(table, row, "value"),
            real_of(table, row, "bound"),
        ) {
            (Some("left"), _, Some(b)) => format!("<{}", decimal(b)),
            (Some("right"), _, Some(b)) => format!(">{}", decimal(b)),
            (_, Some(v), _) => decimal(v),
            _ => "NA".into(),
        };
        rows.push((
            patient.id.clone(),
            day,
            analyte.clone(),
            vec![
                patient.id.clone(),
                day.to_string(),
                String::new(),
                "LAB_TEST".into(),
                tsv(&analyte),
                result,
                na(text_of(table, row, "unit")),
            ],
        ));
    }
    rows.sort_by(|a, b| (a.0.as_str(), a.1, a.2.as_str()).cmp(&(b.0.as_str(), b.1, b.2.as_str())));
    let mut t = Tsv::new(&[
        "PATIENT_ID",
        "START_DATE",
        "STOP_DATE",
        "EVENT_TYPE",
        "TEST",
        "RESULT",
        "UNIT",
    ]);
    for (_, _, _, cells) in rows {
        t.row(cells);
    }
    t.text
}

/// `export cbioportal` as the owner of its study folders.
const OWNER: Owner = Owner {
    marker: MARKER,
    head: MARKER_HEAD,
    who: "export cbioportal",
};

/// Checks that `out` is absent, an empty folder, or a folder an earlier
/// `export cbioportal` made holding only what its marker lists.
///
/// # Errors
/// [`Error::Conflict`] naming what is there.
fn check_folder(out: &Path) -> Result<()> {
    let (listed, entries) = match OWNER.inspect(out)? {
        Found::Nothing => return Ok(()),
        Found::Owned { listed, entries } => (listed, entries),
    };
    let listed: std::collections::HashSet<&str> = listed.iter().map(String::as_str).collect();
    for (relative, kind) in entries {
        let name = relative.to_string_lossy();
        match kind {
            Entry::Link => {
                return Err(OWNER.refuse(out, &format!("holds a symbolic link: {name}")));
            }
            Entry::Dir if name == "case_lists" => {}
            Entry::File if name == MARKER || listed.contains(name.as_ref()) => {}
            _ => {
                return Err(
                    OWNER.refuse(out, &format!("holds {name}, which oncotrack did not write"))
                );
            }
        }
    }
    Ok(())
}

/// Writes the study into `out` (created when absent, mode 0700): each file 0600 under a
/// temporary name and renamed into place, never through a symbolic link; an existing
/// folder is replaced only when an earlier `export cbioportal` made it (its marker
/// lists every file in it), and files of that earlier export that this one does not
/// write are removed.
///
/// # Errors
/// [`Error::Conflict`] when `out` holds what oncotrack did not write; [`Error::Io`].
pub fn write_study(out: &Path, files: &[StudyFile]) -> Result<()> {
    check_folder(out)?;
    let make_dir = |dir: &Path| -> Result<()> {
        if std::fs::symlink_metadata(dir).is_ok() {
            return Ok(());
        }
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(|e| Error::io(dir, e))
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    make_dir(out)?;
    make_dir(&out.join("case_lists"))?;
    // The marker first (head only while writing): a folder left by a failed export is
    // still recognised as oncotrack's.
    let previous: Vec<String> = std::fs::read_to_string(out.join(MARKER))
        .map(|t| t.lines().skip(1).map(String::from).collect())
        .unwrap_or_default();
    let mut listing = format!("{MARKER_HEAD}\n");
    for name in previous
        .iter()
        .map(String::as_str)
        .chain(files.iter().map(|f| f.path.as_str()))
    {
        listing.push_str(name);
        listing.push('\n');
    }
    super::frame::write_private_file(&out.join(MARKER), listing.as_bytes())?;
    for file in files {
        super::frame::write_private_file(&out.join(&file.path), file.text.as_bytes())?;
    }
    let written: std::collections::HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for stale in previous.iter().filter(|p| !written.contains(p.as_str())) {
        let path = out.join(stale);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    let mut listing = format!("{MARKER_HEAD}\n");
    for file in files {
        listing.push_str(&file.path);
        listing.push('\n');
    }
    super::frame::write_private_file(&out.join(MARKER), listing.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protein_changes_become_one_letter_codes_and_maf_classes() {
        assert_eq!(hgvsp_short("p.Arg273His"), "p.R273H");
        assert_eq!(hgvsp_short("p.Arg1306Ter"), "p.R1306*");
        assert_eq!(hgvsp_short("R175H"), "p.R175H");
        assert_eq!(classification("p.R273H", "SNP"), "Missense_Mutation");
        assert_eq!(classification("p.R1306*", "SNP"), "Nonsense_Mutation");
        assert_eq!(classification("p.K120fs", "DEL"), "Frame_Shift_Del");
        assert_eq!(classification("p.K120fs", "INS"), "Frame_Shift_Ins");
        assert_eq!(classification("p.E746_A750del", "DEL"), "In_Frame_Del");
        assert_eq!(classification("p.R273=", "SNP"), "Silent");
        assert_eq!(classification("", "SNP"), "Unknown");
    }

    #[test]
    fn vcf_alleles_become_maf_alleles() {
        assert_eq!(
            maf_alleles(100, "C", "T"),
            (100, 100, "C".into(), "T".into(), "SNP")
        );
        // Deletion of AG after the anchor C at 100.
        assert_eq!(
            maf_alleles(100, "CAG", "C"),
            (101, 102, "AG".into(), "-".into(), "DEL")
        );
        // Insertion of TT between 100 and 101.
        assert_eq!(
            maf_alleles(100, "C", "CTT"),
            (100, 101, "-".into(), "TT".into(), "INS")
        );
        assert_eq!(
            maf_alleles(100, "CA", "TG"),
            (100, 101, "CA".into(), "TG".into(), "DNP")
        );
    }

    #[test]
    fn a_folder_with_foreign_files_is_refused_and_one_it_made_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("study");
        let files = vec![
            StudyFile {
                path: "meta_study.txt".into(),
                text: "a: b\n".into(),
            },
            StudyFile {
                path: "case_lists/cases_all.txt".into(),
                text: "x\n".into(),
            },
        ];
        write_study(&out, &files).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(out.join("meta_study.txt"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        write_study(&out, &files[..1]).unwrap();
        assert!(!out.join("case_lists/cases_all.txt").exists());
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = write_study(&out, &files).unwrap_err().to_string();
        assert!(err.contains("notes.txt"), "{err}");
        let foreign = dir.path().join("foreign");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("data.txt"), "x").unwrap();
        assert!(write_study(&foreign, &files).is_err());
        assert_eq!(
            std::fs::read_to_string(foreign.join("data.txt")).unwrap(),
            "x"
        );
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&foreign, &link).unwrap();
            assert!(write_study(&link, &files).is_err());
        }
    }
}
