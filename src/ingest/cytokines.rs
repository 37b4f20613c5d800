//! Cytokine panel tables, long or wide layout: analyte names made canonical, units converted to pg/mL, censored values kept as bounds.
//!
//! Long layout: one row per analyte (`patient,date,analyte,value[,unit,lloq,uloq,assay,batch]`).
//! Wide layout: one row per sample, one column per analyte. The layout is detected
//! from the header (an `analyte` and a `value` column make it long). Values below or
//! above the assay's range (`<3.2`, `< LLOQ`, `OOR <`, `BLQ`, `ND`, `>ULOQ`, `OOR >`)
//! are kept as censored with their bound; `NA` and empty cells are missing (not
//! stored); anything else that is not a finite, non-negative number is an error.
//! Luminex xPONENT and Bio-Plex Manager exports use these censoring tokens.

use super::{CsvInput, CsvRecord};
use crate::error::{Error, Result};
use crate::model::cytokine::STORE_UNIT;
use crate::model::{Censor, Concentration, CytokineRow};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// How the table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Long when the header has `analyte` and `value` columns, else wide.
    #[default]
    Auto,
    /// One row per patient, date and analyte.
    Long,
    /// One row per patient and date, one column per analyte.
    Wide,
}

impl std::str::FromStr for Layout {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "auto" => Ok(Layout::Auto),
            "long" => Ok(Layout::Long),
            "wide" => Ok(Layout::Wide),
            _ => Err("expected auto, long or wide".into()),
        }
    }
}

/// Columns of a file without patient and date: data line → (patient, date).
pub type SampleMap = HashMap<u64, (String, NaiveDate)>;

/// How to read a cytokine table.
#[derive(Debug, Clone)]
pub struct Options {
    /// Layout (auto-detected by default).
    pub layout: Layout,
    /// Unit of values when the file has no `unit` column.
    pub unit: String,
    /// Column holding the patient identifier.
    pub patient_col: String,
    /// Column holding the date of the blood draw.
    pub date_col: String,
    /// Column holding the assay (or stimulation) name, if any.
    pub assay_col: String,
    /// Further columns of a wide table that are not analytes.
    pub ignore_cols: Vec<String>,
    /// Patient and date per data line, for files that have neither.
    pub sample_map: Option<SampleMap>,
    /// Unknown analytes are an error instead of a warning.
    pub strict: bool,
    /// Dates after this day are rejected.
    pub today: NaiveDate,
}

impl Options {
    /// Defaults: auto layout, pg/mL, columns `patient`, `date`, `assay`; not strict.
    pub fn new(today: NaiveDate) -> Options {
        Options {
            layout: Layout::Auto,
            unit: STORE_UNIT.to_string(),
            patient_col: "patient".into(),
            date_col: "date".into(),
            assay_col: "assay".into(),
            ignore_cols: Vec::new(),
            sample_map: None,
            strict: false,
            today,
        }
    }

    /// The options that change what a file means, as one canonical string for the ledger.
    pub fn params(&self, sample_map_sha256: Option<&str>) -> String {
        let mut ignore = self.ignore_cols.clone();
        ignore.sort();
        format!(
            "layout={:?};unit={};patient_col={};date_col={};assay_col={};ignore={};strict={};map={}",
            self.layout,
            self.unit,
            self.patient_col,
            self.date_col,
            self.assay_col,
            ignore.join("|"),
            self.strict,
            sample_map_sha256.unwrap_or("")
        )
    }
}

/// What a cytokine table held.
#[derive(Debug, Clone, PartialEq)]
pub struct CytokineTable {
    /// The values, one per patient, date, analyte and assay.
    pub rows: Vec<CytokineRow>,
    /// Analyte names not in the canonical table (kept as given).
    pub unknown_analytes: Vec<String>,
    /// Cells that were `NA` or empty.
    pub missing: usize,
}

/// The canonical name of an analyte, or `None` when it is not in the table.
///
/// Matching ignores case, spaces, dots, dashes and underscores, reads Greek letters
/// and their names as `a`, `b`, `g`, and "Interleukin" as `IL`: IL-6 = IL6 = IL.6 =
/// "Interleukin 6"; TNF-α = TNFa = TNF.A = TNF-alpha. Chemokine and growth-factor
/// gene symbols map to the names panels print (CXCL8 = IL-8, CXCL10 = IP-10,
/// CCL2 = MCP-1, CSF1 = M-CSF, CXCL9 = MIG, CCL11 = Eotaxin). Canonical names are ASCII.
///
/// # Examples
/// ```
/// use oncotrack::ingest::cytokines::canonical_analyte;
/// assert_eq!(canonical_analyte("Interleukin 6").as_deref(), Some("IL-6"));
/// assert_eq!(canonical_analyte("TNF.A").as_deref(), Some("TNF-a"));
/// assert_eq!(canonical_analyte("CXCL10").as_deref(), Some("IP-10"));
/// assert_eq!(canonical_analyte("Zyxin"), None);
/// ```
pub fn canonical_analyte(name: &str) -> Option<String> {
    let key = analyte_key(name);
    if let Some((_, canonical)) = ALIASES.iter().find(|(alias, _)| *alias == key) {
        return Some((*canonical).to_string());
    }
    // Interleukins by number: il6 -> IL-6, il17a -> IL-17A, il12p70 -> IL-12p70.
    let rest = key.strip_prefix("il")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number: u32 = digits.parse().ok()?;
    if !(1..=41).contains(&number) {
        return None;
    }
    let suffix = &rest[digits.len()..];
    match suffix {
        "" => Some(format!("IL-{number}")),
        "a" | "b" | "c" | "d" | "e" | "f" if number == 17 => {
            Some(format!("IL-{number}{}", suffix.to_ascii_uppercase()))
        }
        "p40" | "p70" => Some(format!("IL-{number}{suffix}")),
        _ => None,
    }
}

/// The matching key of an analyte name (see [`canonical_analyte`]).
fn analyte_key(name: &str) -> String {
    let mut key = name
        .trim()
        .to_lowercase()
        .replace('α', "a")
        .replace('β', "b")
        .replace('γ', "g")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>();
    if let Some(rest) = key.strip_prefix("interleukin") {
        key = format!("il{rest}");
    }
    for (word, letter) in [("alpha", "a"), ("beta", "b"), ("gamma", "g")] {
        if let Some(stem) = key.strip_suffix(word) {
            key = format!("{stem}{letter}");
        }
    }
    key
}

/// Matching keys (see [`analyte_key`]) of names that are not plain interleukin numbers.
const ALIASES: &[(&str, &str)] = &[
    ("il8", "IL-8"),
    ("cxcl8", "IL-8"),
    ("il1a", "IL-1a"),
    ("il1b", "IL-1b"),
    ("il1ra", "IL-1Ra"),
    ("il1rn", "IL-1Ra"),
    ("tnfa", "TNF-a"),
    ("tnf", "TNF-a"),
    ("tnfb", "TNF-b"),
    ("lta", "TNF-b"),
    ("lymphotoxina", "TNF-b"),
    ("ifng", "IFN-g"),
    ("ifna2", "IFN-a2"),
    ("ip10", "IP-10"),
    ("cxcl10", "IP-10"),
    ("mcp1", "MCP-1"),
    ("ccl2", "MCP-1"),
    ("mcsf", "M-CSF"),
    ("csf1", "M-CSF"),
    ("gmcsf", "GM-CSF"),
    ("csf2", "GM-CSF"),
    ("gcsf", "G-CSF"),
    ("csf3", "G-CSF"),
    ("mig", "MIG"),
    ("cxcl9", "MIG"),
    ("eotaxin", "Eotaxin"),
    ("ccl11", "Eotaxin"),
    ("cxcl5", "CXCL5"),
    ("ena78", "CXCL5"),
    ("cxcl12", "CXCL12"),
    ("sdf1", "CXCL12"),
    ("sdf1a", "CXCL12"),
    ("mif", "MIF"),
    ("ccl20", "CCL20"),
    ("mip3a", "CCL20"),
    ("mip1a", "MIP-1a"),
    ("ccl3", "MIP-1a"),
    ("mip1b", "MIP-1b"),
    ("ccl4", "MIP-1b"),
    ("rantes", "RANTES"),
    ("ccl5", "RANTES"),
    ("vegf", "VEGF-A"),
    ("vegfa", "VEGF-A"),
    ("crp", "CRP"),
];

/// The factor that converts a value in `unit` to pg/mL.
///
/// # Errors
/// When the unit is not a mass concentration per mL oncotrack knows (fg, pg, ng, µg per mL).
pub fn unit_factor(unit: &str) -> Result<f64, String> {
    let key: String = unit
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    match key.as_str() {
        "fg/ml" => Ok(1e-3),
        "pg/ml" => Ok(1.0),
        "ng/ml" => Ok(1e3),
        "µg/ml" | "μg/ml" | "ug/ml" => Ok(1e6),
        _ => Err("unknown unit (expected fg/mL, pg/mL, ng/mL or µg/mL)".into()),
    }
}

/// A cell read as a concentration (before unit conversion of limits).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Cell {
    Missing,
    Value(f64),
    /// Below range; the bound when the cell gives it (`<3.2`).
    Below(Option<f64>),
    /// Above range; the bound when the cell gives it (`>5000`).
    Above(Option<f64>),
}

/// Reads one cell: a number, a censoring token, or a missing marker.
fn parse_cell(text: &str) -> Result<Cell, String> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    match compact.as_str() {
        "" | "NA" | "N/A" => return Ok(Cell::Missing),
        "<LLOQ" | "<LOQ" | "<LOD" | "<LLOD" | "OOR<" | "BLQ" | "BLOQ" | "ND" => {
            return Ok(Cell::Below(None));
        }
        ">ULOQ" | ">LOQ" | "OOR>" | "ALQ" | "AQL" => return Ok(Cell::Above(None)),
        _ => {}
    }
    let bounded = |rest: &str| -> Result<f64, String> {
        let rest = rest.strip_prefix('=').unwrap_or(rest);
        number(rest)
    };
    if let Some(rest) = compact.strip_prefix('<') {
        return bounded(rest).map(|b| Cell::Below(Some(b)));
    }
    if let Some(rest) = compact.strip_prefix('>') {
        return bounded(rest).map(|b| Cell::Above(Some(b)));
    }
    number(&compact).map(Cell::Value)
}

/// A finite, non-negative decimal number.
fn number(text: &str) -> Result<f64, String> {
    let value: f64 = text.parse().map_err(|_| {
        "not a number, a censored value (<3.2, < LLOQ, OOR >, ND ...) or NA".to_string()
    })?;
    if !value.is_finite() {
        return Err("not a finite number".into());
    }
    if value < 0.0 {
        return Err("a concentration cannot be negative".into());
    }
    Ok(value)
}

/// Turns a cell into a concentration in pg/mL, taking missing bounds from the limits.
fn concentration(
    cell: Cell,
    factor: f64,
    lloq: Option<f64>,
    uloq: Option<f64>,
) -> Result<Option<Concentration>, String> {
    Ok(Some(match cell {
        Cell::Missing => return Ok(None),
        Cell::Value(v) => Concentration {
            value: Some(v * factor),
            censor: Censor::None,
            bound: None,
        },
        Cell::Below(bound) => Concentration {
            value: None,
            censor: Censor::Left,
            bound: Some(bound.map(|b| b * factor).or(lloq).ok_or(
                "below the lower limit, but neither the cell nor an lloq column gives the limit",
            )?),
        },
        Cell::Above(bound) => Concentration {
            value: None,
            censor: Censor::Right,
            bound: Some(bound.map(|b| b * factor).or(uloq).ok_or(
                "above the upper limit, but neither the cell nor a uloq column gives the limit",
            )?),
        },
    }))
}

/// Reads a map of data lines to patients and dates (`line,patient,date`), for tables
/// that carry neither (such as CytoProfile's example data).
///
/// # Errors
/// An invalid row, naming its line and field; a data line mapped twice.
pub fn read_sample_map(path: &Path, today: NaiveDate) -> Result<SampleMap> {
    let mut input = CsvInput::open(path, &["line", "patient", "date"])?;
    let mut map = SampleMap::new();
    input.for_each(|record| {
        let line = record
            .parse_opt("line", |t| {
                t.parse::<u64>()
                    .ok()
                    .filter(|l| *l >= 2)
                    .ok_or_else(|| "expected a data line number (2 or more)".to_string())
            })?
            .ok_or_else(|| record.error("line", "empty, a value is required"))?;
        let patient = record.required("patient")?.to_string();
        let date = record.past_date("date", today)?;
        if map.insert(line, (patient, date)).is_some() {
            return Err(record.error("line", format!("line {line} is mapped twice")));
        }
        Ok(())
    })?;
    Ok(map)
}

/// Reads and validates a cytokine table.
///
/// # Errors
/// The first invalid cell (file, line, column), an unknown unit, a date in the
/// future, the same patient, date, analyte and assay twice, or (with `strict`) an
/// unknown analyte.
pub fn read(path: &Path, options: &Options) -> Result<CytokineTable> {
    read_from(super::open_regular(path)?, path, options)
}

/// As [`read`], from any reader; `path` only names the input in errors (unit tests
/// pass inline bytes).
///
/// # Errors
/// As [`read`].
pub fn read_from(
    reader: impl std::io::Read,
    path: &Path,
    options: &Options,
) -> Result<CytokineTable> {
    let mut input = CsvInput::from_reader(reader, path, &[])?;
    let columns = SampleColumns::find(path, input.headers(), options)?;
    let default_factor = unit_factor(&options.unit).map_err(|m| Error::InvalidValue {
        what: "--unit",
        value: options.unit.clone(),
        reason: m,
    })?;
    let analyte_columns = columns.analyte_columns(path, input.headers(), options)?;
    let mut collected = Collected::new(options.strict, columns.long);
    let mut mapped_lines = 0usize;
    input.for_each(|record| {
        let (patient, date) = match &options.sample_map {
            Some(map) => {
                let (patient, date) = map.get(&record.line).ok_or_else(|| {
                    record.error("(record)", "this line is not in the sample map")
                })?;
                mapped_lines += 1;
                (patient.clone(), *date)
            }
            None => (
                record.required(&columns.patient)?.to_string(),
                record.past_date(&columns.date, options.today)?,
            ),
        };
        let sample = Sample {
            patient,
            date,
            assay: record.get(&columns.assay).unwrap_or("").to_string(),
            batch: record.get("batch").unwrap_or("").to_string(),
        };
        let (unit_raw, factor) = match record.get("unit") {
            Some(unit) => (
                unit,
                unit_factor(unit).map_err(|m| record.error("unit", format!("'{unit}': {m}")))?,
            ),
            None => (options.unit.as_str(), default_factor),
        };
        if columns.long {
            let limit = |column: &str| {
                record
                    .parse_opt(column, number)
                    .map(|v| v.map(|v| v * factor))
            };
            let value = Value {
                analyte_raw: record.required("analyte")?,
                column: "value",
                value_raw: record.get("value").unwrap_or(""),
                unit_raw,
                factor,
                lloq: limit("lloq")?,
                uloq: limit("uloq")?,
            };
            collected.push(record, &sample, &value)?;
        } else {
            for (index, name) in &analyte_columns {
                let value = Value {
                    analyte_raw: name,
                    column: name,
                    value_raw: record.get_at(*index).unwrap_or(""),
                    unit_raw,
                    factor,
                    lloq: None,
                    uloq: None,
                };
                collected.push(record, &sample, &value)?;
            }
        }
        Ok(())
    })?;
    if let Some(map) = &options.sample_map
        && mapped_lines != map.len()
    {
        return Err(Error::parse(
            path,
            1,
            "(sample map)",
            format!(
                "the sample map names {} lines but the file has {mapped_lines} data lines",
                map.len()
            ),
        ));
    }
    Ok(CytokineTable {
        rows: collected.rows,
        unknown_analytes: collected.unknown.into_iter().collect(),
        missing: collected.missing,
    })
}

/// The columns that say whose sample a line is, and the layout (long or wide).
struct SampleColumns {
    /// Long layout (`analyte`, `value` columns) rather than one column per analyte.
    long: bool,
    /// The patient column's name (lower case).
    patient: String,
    /// The date column's name (lower case).
    date: String,
    /// The assay column's name (lower case).
    assay: String,
}

impl SampleColumns {
    /// The layout and sample columns of a header under `options`; a required column
    /// that is missing is an error saying how to name it.
    fn find(path: &Path, headers: &[String], options: &Options) -> Result<SampleColumns> {
        let has = |name: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(name));
        let columns = SampleColumns {
            long: match options.layout {
                Layout::Long => true,
                Layout::Wide => false,
                Layout::Auto => has("analyte") && has("value"),
            },
            patient: options.patient_col.to_ascii_lowercase(),
            date: options.date_col.to_ascii_lowercase(),
            assay: options.assay_col.to_ascii_lowercase(),
        };
        let mut required: Vec<&str> = Vec::new();
        if options.sample_map.is_none() {
            required.extend([columns.patient.as_str(), columns.date.as_str()]);
        }
        if columns.long {
            required.extend(["analyte", "value"]);
        }
        if let Some(name) = required.into_iter().find(|name| !has(name)) {
            let hint = if options.sample_map.is_none()
                && (name == columns.patient || name == columns.date)
            {
                "; name the columns with --patient-col/--date-col or give --sample-map"
            } else {
                ""
            };
            return Err(Error::parse(
                path,
                1,
                name,
                format!(
                    "required column is missing (header has: {}){hint}",
                    headers.join(", ")
                ),
            ));
        }
        Ok(columns)
    }

    /// The analyte columns of a wide table, (index, name as written): every column that
    /// is not a sample column or ignored. Empty for a long table.
    fn analyte_columns(
        &self,
        path: &Path,
        headers: &[String],
        options: &Options,
    ) -> Result<Vec<(usize, String)>> {
        if self.long {
            return Ok(Vec::new());
        }
        let mut not_analytes: BTreeSet<String> = [
            self.patient.clone(),
            self.date.clone(),
            self.assay.clone(),
            "batch".into(),
            "sample".into(),
            "unit".into(),
        ]
        .into_iter()
        .collect();
        not_analytes.extend(
            options
                .ignore_cols
                .iter()
                .map(|c| c.trim().to_ascii_lowercase()),
        );
        let columns: Vec<(usize, String)> = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.is_empty() && !not_analytes.contains(&h.to_ascii_lowercase()))
            .map(|(i, h)| (i, h.clone()))
            .collect();
        if columns.is_empty() {
            return Err(Error::parse(
                path,
                1,
                "(header)",
                "no analyte columns in this wide table",
            ));
        }
        Ok(columns)
    }
}

/// Whose sample a line holds.
struct Sample {
    patient: String,
    date: NaiveDate,
    assay: String,
    batch: String,
}

/// One cell of a line: an analyte's value as written, with its unit and limits.
struct Value<'a> {
    /// The analyte as written.
    analyte_raw: &'a str,
    /// The column errors name (`value` in a long table, the analyte's in a wide one).
    column: &'a str,
    value_raw: &'a str,
    unit_raw: &'a str,
    /// To pg/mL.
    factor: f64,
    lloq: Option<f64>,
    uloq: Option<f64>,
}

/// The rows read so far, the unknown analyte names, the empty cells, and the
/// (patient, date, analyte, assay) keys already seen with their line.
struct Collected {
    strict: bool,
    long: bool,
    rows: Vec<CytokineRow>,
    unknown: BTreeSet<String>,
    missing: usize,
    seen: HashMap<(String, NaiveDate, String, String), u64>,
}

impl Collected {
    fn new(strict: bool, long: bool) -> Collected {
        Collected {
            strict,
            long,
            rows: Vec::new(),
            unknown: BTreeSet::new(),
            missing: 0,
            seen: HashMap::new(),
        }
    }

    /// Adds one value of `sample` read on `record`: an empty cell is counted as
    /// missing; an unknown analyte is kept under its own name (an error with
    /// `--strict`); the same analyte twice for one sample and assay is an error.
    fn push(&mut self, record: &CsvRecord<'_>, sample: &Sample, value: &Value<'_>) -> Result<()> {
        let Value {
            analyte_raw,
            column,
            value_raw,
            ..
        } = *value;
        let cell = parse_cell(value_raw)
            .map_err(|m| record.error(column, format!("'{value_raw}': {m}")))?;
        let Some(concentration) = concentration(cell, value.factor, value.lloq, value.uloq)
            .map_err(|m| record.error(column, format!("'{value_raw}': {m}")))?
        else {
            self.missing += 1;
            return Ok(());
        };
        let analyte_column = if self.long { "analyte" } else { column };
        let analyte = match canonical_analyte(analyte_raw) {
            Some(name) => name,
            None => {
                if self.strict {
                    return Err(record.error(
                        analyte_column,
                        format!("unknown analyte '{analyte_raw}' (--strict)"),
                    ));
                }
                self.unknown.insert(analyte_raw.trim().to_string());
                analyte_raw.trim().to_string()
            }
        };
        let Sample {
            patient,
            date,
            assay,
            batch,
        } = sample;
        let key = (patient.clone(), *date, analyte.clone(), assay.clone());
        if let Some(first) = self.seen.insert(key, record.line) {
            let assay = if assay.is_empty() {
                String::new()
            } else {
                format!(" ({assay})")
            };
            return Err(record.error(
                analyte_column,
                format!("{analyte} of {patient} on {date}{assay} already given on line {first}"),
            ));
        }
        self.rows.push(CytokineRow {
            line: record.line,
            patient: patient.clone(),
            date: *date,
            analyte,
            analyte_raw: analyte_raw.to_string(),
            concentration,
            value_raw: value_raw.to_string(),
            unit_raw: value.unit_raw.to_string(),
            lloq: value.lloq,
            uloq: value.uloq,
            assay: assay.clone(),
            batch: batch.clone(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::testing::{file, today};

    #[test]
    fn analyte_synonyms_map_to_one_canonical_name() {
        for (names, canonical) in [
            (
                &["IL-6", "IL6", "IL.6", "Interleukin 6", "il-6", "IL 6"][..],
                "IL-6",
            ),
            (
                &["TNF-α", "TNFa", "TNF.A", "TNF-alpha", "TNF alpha"][..],
                "TNF-a",
            ),
            (&["CXCL8", "IL-8", "IL8"][..], "IL-8"),
            (&["CXCL10", "IP-10"][..], "IP-10"),
            (&["CCL2", "MCP-1"][..], "MCP-1"),
            (&["CSF1", "M-CSF"][..], "M-CSF"),
            (&["CXCL9", "MIG"][..], "MIG"),
            (&["CCL11", "Eotaxin"][..], "Eotaxin"),
            (&["IL-1Ra", "IL1RA", "IL1RN"][..], "IL-1Ra"),
            (&["IL.17F", "IL-17F"][..], "IL-17F"),
            (&["IFN.G", "IFN-γ", "IFN gamma"][..], "IFN-g"),
            (&["IL.1B", "IL-1β"][..], "IL-1b"),
            (&["GM.CSF", "CSF2"][..], "GM-CSF"),
            (&["CCL.20"][..], "CCL20"),
            (&["SDF-1α", "CXCL12"][..], "CXCL12"),
        ] {
            for name in names {
                assert_eq!(
                    canonical_analyte(name).as_deref(),
                    Some(canonical),
                    "{name}"
                );
            }
        }
        for unknown in ["Stimulation", "IL-99", "IL-6x", "Zyxin"] {
            assert_eq!(canonical_analyte(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn units_convert_to_pg_per_ml_and_unknown_units_are_refused() {
        for (unit, factor) in [
            ("pg/mL", 1.0),
            ("ng/ml", 1e3),
            ("fg/mL", 1e-3),
            ("µg/mL", 1e6),
        ] {
            assert_eq!(unit_factor(unit), Ok(factor), "{unit}");
        }
        for bad in ["pmol/L", "U/mL", "mg/dL", ""] {
            assert!(unit_factor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn censored_cells_carry_side_and_bound_missing_cells_are_missing() {
        for (text, expected) in [
            ("3.2", Cell::Value(3.2)),
            ("<3.2", Cell::Below(Some(3.2))),
            ("< 3.2", Cell::Below(Some(3.2))),
            ("<=3.2", Cell::Below(Some(3.2))),
            ("< LLOQ", Cell::Below(None)),
            ("OOR <", Cell::Below(None)),
            ("BLQ", Cell::Below(None)),
            ("ND", Cell::Below(None)),
            (">ULOQ", Cell::Above(None)),
            ("OOR >", Cell::Above(None)),
            (">5000", Cell::Above(Some(5000.0))),
            ("NA", Cell::Missing),
            ("", Cell::Missing),
        ] {
            assert_eq!(parse_cell(text), Ok(expected), "{text}");
        }
        for bad in ["1,2e3x", "-1", "NaN", "inf", "<abc", "*3.2"] {
            assert!(parse_cell(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn censor_bound_comes_from_the_cell_or_the_limit_columns_never_zero() {
        let c = concentration(Cell::Below(Some(3.2)), 1e3, Some(1.0), None)
            .unwrap()
            .unwrap();
        assert_eq!(
            (c.value, c.censor, c.bound),
            (None, Censor::Left, Some(3200.0))
        );
        let c = concentration(Cell::Below(None), 1.0, Some(1.5), None)
            .unwrap()
            .unwrap();
        assert_eq!(c.bound, Some(1.5));
        let c = concentration(Cell::Above(None), 1.0, None, Some(9000.0))
            .unwrap()
            .unwrap();
        assert_eq!((c.censor, c.bound), (Censor::Right, Some(9000.0)));
        assert!(concentration(Cell::Below(None), 1.0, None, None).is_err());
        assert_eq!(concentration(Cell::Missing, 1.0, None, None), Ok(None));
    }

    #[test]
    fn long_layout_is_detected_converted_and_censored() {
        let f = file(
            "Patient ,Date,Analyte ,Value,Unit,LLOQ,ULOQ,assay\n\
             P001,2024-01-10,IL6,12.5,pg/mL,1.2,5000,Luminex\n\
             P001,2024-01-10,TNF-alpha,0.02,ng/mL,0.001,5,Luminex\n\
             P001,2024-01-10,CXCL5,< LLOQ,pg/mL,3.2,,Luminex\n\
             P001,2024-01-10,IL-8,NA,pg/mL,,,Luminex\n\
             P001,2024-01-10,Zyxin,4,pg/mL,,,Luminex\n",
        );
        let table = read(f.path(), &Options::new(today())).unwrap();
        assert_eq!(table.rows.len(), 4);
        assert_eq!(table.missing, 1);
        assert_eq!(table.unknown_analytes, vec!["Zyxin".to_string()]);
        let tnf = &table.rows[1];
        assert_eq!(tnf.analyte, "TNF-a");
        assert_eq!(tnf.concentration.value, Some(20.0));
        assert_eq!(tnf.lloq, Some(1.0));
        let cxcl5 = &table.rows[2];
        assert_eq!(cxcl5.concentration.censor, Censor::Left);
        assert_eq!(cxcl5.concentration.bound, Some(3.2));
        assert_eq!(cxcl5.line, 4);
    }

    #[test]
    fn wide_layout_reads_one_column_per_analyte() {
        let f = file(
            "patient,date,IL.6 ,TNF.A,Group\n\
             P001,2024-01-10,1.5,<0.8,Ob\n\
             P002,2024-01-11,NA,2.0,PD\n",
        );
        let mut options = Options::new(today());
        options.ignore_cols = vec!["Group".into()];
        options.unit = "ng/mL".into();
        let table = read(f.path(), &options).unwrap();
        let seen: Vec<(&str, &str, Option<f64>, Option<f64>)> = table
            .rows
            .iter()
            .map(|r| {
                (
                    r.patient.as_str(),
                    r.analyte.as_str(),
                    r.concentration.value,
                    r.concentration.bound,
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("P001", "IL-6", Some(1500.0), None),
                ("P001", "TNF-a", None, Some(800.0)),
                ("P002", "TNF-a", Some(2000.0), None),
            ]
        );
        assert!(table.unknown_analytes.is_empty());
    }

    #[test]
    fn bad_cells_name_the_line_and_column() {
        for (content, strict, needle) in [
            (
                "patient,date,IL6\nP001,2024-01-10,1\nP002,2024-01-10,\"1,2e3x\"\n",
                false,
                "line 3: field 'IL6': '1,2e3x'",
            ),
            (
                "patient,date,analyte,value,unit\nP001,2024-01-10,IL6,1,mmol/L\n",
                false,
                "line 2: field 'unit': 'mmol/L': unknown unit",
            ),
            (
                "patient,date,analyte,value\nP001,2024-01-10,IL6,1\nP001,2024-01-10,IL.6,2\n",
                false,
                "line 3: field 'analyte': IL-6 of P001 on 2024-01-10 already given on line 2",
            ),
            (
                "patient,date,IL6\nP001,2099-01-10,1\n",
                false,
                "line 2: field 'date': '2099-01-10' lies in the future",
            ),
            (
                "patient,date,analyte,value\nP001,2024-01-10,Zyxin,1\n",
                true,
                "line 2: field 'analyte': unknown analyte 'Zyxin' (--strict)",
            ),
            (
                "patient,date,analyte,value\nP001,2024-01-10,IL6,BLQ\n",
                false,
                "line 2: field 'value': 'BLQ': below the lower limit",
            ),
            ("Group,IL6\nOb,1\n", false, "line 1: field 'patient'"),
        ] {
            let mut options = Options::new(today());
            options.strict = strict;
            let err = read(file(content).path(), &options)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}\n  expected: {needle}");
        }
    }

    #[test]
    fn sample_map_gives_patient_and_date_by_line() {
        let data = file("Group,IL.6\nOb,1\nPD,2\n");
        let map = file("line,patient,date\n2,P001,2024-01-10\n3,P002,2024-01-11\n");
        let mut options = Options::new(today());
        options.sample_map = Some(read_sample_map(map.path(), today()).unwrap());
        options.ignore_cols = vec!["group".into()];
        let table = read(data.path(), &options).unwrap();
        assert_eq!(table.rows[1].patient, "P002");
        let short = file("line,patient,date\n2,P001,2024-01-10\n");
        options.sample_map = Some(read_sample_map(short.path(), today()).unwrap());
        let err = read(data.path(), &options).unwrap_err().to_string();
        assert!(
            err.contains("line 3: field '(record)': this line is not in the sample map"),
            "{err}"
        );
    }
}
