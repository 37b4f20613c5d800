//! Cytokine panel tables, long or wide layout: analyte names made canonical, units converted to pg/mL, censored values kept as bounds.
//!
//! Long layout: one row per analyte (`patient,date,analyte,value[,unit,lloq,uloq,assay,batch]`;
//! the value column may also be `concentration`, `conc`, `result` …). Wide layout: one
//! row per sample, one column per analyte. The layout is detected from the header (an
//! `analyte` column makes it long) and the reader says which it assumed and why. Values
//! below or above the assay's range (`<3.2`, `< LLOQ`, `OOR <`, `<OOR`, `BLQ`, `ND`,
//! `>ULOQ`, `OOR >`, `>OOR`) are kept as censored with their bound; `NA` and empty
//! cells are missing and `***` (no concentration computed) is not reportable (neither
//! is stored); anything else that is not a finite, non-negative number is an error.
//! Limits come from `lloq`/`uloq` columns, from `LLOQ`/`ULOQ`/`floor` rows of a wide
//! table, or from a limits file; a number beyond them is censored at the limit.
//! Luminex xPONENT, Bio-Plex Manager and MILLIPLEX Analyst exports use these tokens.

use super::{CsvInput, CsvRecord};
use crate::error::{Error, Result};
use crate::model::cytokine::STORE_UNIT;
use crate::model::{Censor, Concentration, CytokineRow};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

mod names;
pub use names::canonical_analyte;

/// How the table is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// Long when the header has an `analyte` column, else wide.
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

/// The names a long table's value column goes by, in the order they are looked for.
pub const VALUE_COLUMNS: [&str; 6] = [
    "value",
    "concentration",
    "conc",
    "result",
    "obs conc",
    "calc conc",
];

/// The limits of one analyte in one assay (pg/mL).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Limit {
    /// Lower limit of quantification.
    pub lloq: Option<f64>,
    /// Upper limit of quantification.
    pub uloq: Option<f64>,
    /// The number the laboratory writes for "below range" (0.01 …): a value at or
    /// below it is below the lower limit, not a measurement.
    pub floor: Option<f64>,
}

impl Limit {
    /// `self` with the limits it lacks taken from `other`.
    fn or(self, other: Limit) -> Limit {
        Limit {
            lloq: self.lloq.or(other.lloq),
            uloq: self.uloq.or(other.uloq),
            floor: self.floor.or(other.floor),
        }
    }
}

/// Limits of quantification per analyte and assay, as a `--limits` file gives them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Limits {
    /// (canonical analyte, assay) → limits; an empty assay holds for every assay.
    entries: HashMap<(String, String), Limit>,
}

impl Limits {
    /// The limits of `analyte` (canonical) in `assay`, else those given for any assay.
    pub fn get(&self, analyte: &str, assay: &str) -> Limit {
        if self.entries.is_empty() {
            return Limit::default();
        }
        self.entries
            .get(&(analyte.to_string(), assay.to_string()))
            .or_else(|| self.entries.get(&(analyte.to_string(), String::new())))
            .copied()
            .unwrap_or_default()
    }

    /// How many analyte and assay pairs have limits.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no limits are given.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Reads a limits file: `analyte[,assay],lloq,uloq[,unit,floor]` (one of lloq, uloq,
/// floor at least), values in `unit` (pg/mL when absent), converted to pg/mL.
///
/// # Errors
/// An invalid row (line, field), an unknown unit, an analyte and assay given twice.
pub fn read_limits(path: &Path) -> Result<Limits> {
    let mut input = CsvInput::open(path, &["analyte"])?;
    let headers: Vec<String> = input.headers().iter().map(|h| h.to_lowercase()).collect();
    if !["lloq", "uloq", "floor"]
        .iter()
        .any(|c| headers.iter().any(|h| h == c))
    {
        return Err(Error::parse(
            path,
            1,
            "lloq",
            "a limits file needs an lloq, uloq or floor column (analyte,assay,lloq,uloq,unit[,floor])",
        ));
    }
    let mut limits = Limits::default();
    let mut lines: HashMap<(String, String), u64> = HashMap::new();
    input.for_each(|record| {
        let raw = record.required("analyte")?;
        let analyte = canonical_analyte(raw).unwrap_or_else(|| raw.to_string());
        let assay = record.get("assay").unwrap_or("").to_string();
        let factor = match record.get("unit") {
            Some(unit) => {
                unit_factor(unit).map_err(|m| record.error("unit", format!("'{unit}': {m}")))?
            }
            None => 1.0,
        };
        let value = |column: &str| {
            record
                .parse_opt(column, number)
                .map(|v| v.map(|v| v * factor))
        };
        let limit = Limit {
            lloq: value("lloq")?,
            uloq: value("uloq")?,
            floor: value("floor")?,
        };
        if let (Some(l), Some(u)) = (limit.lloq, limit.uloq)
            && l > u
        {
            return Err(record.error("uloq", "the upper limit lies below the lower limit"));
        }
        let key = (analyte.clone(), assay.clone());
        if let Some(first) = lines.insert(key.clone(), record.line) {
            return Err(record.error(
                "analyte",
                format!("limits of {analyte} (assay '{assay}') already given on line {first}"),
            ));
        }
        limits.entries.insert(key, limit);
        Ok(())
    })?;
    Ok(limits)
}

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
    /// The assay of rows whose file has no assay column (or an empty cell in it).
    pub assay: String,
    /// Column holding a long table's values (else the first of [`VALUE_COLUMNS`]).
    pub value_col: Option<String>,
    /// Further columns of a wide table that are not analytes.
    pub ignore_cols: Vec<String>,
    /// Patient and date per data line, for files that have neither.
    pub sample_map: Option<SampleMap>,
    /// Limits of quantification per analyte and assay (`--limits`).
    pub limits: Option<Limits>,
    /// Unknown analytes are an error (all of them named at once) instead of a warning.
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
            assay: String::new(),
            value_col: None,
            ignore_cols: Vec::new(),
            sample_map: None,
            limits: None,
            strict: false,
            today,
        }
    }

    /// The options that change what a file means, as one canonical string for the
    /// ledger (the sample map and limits files by their SHA-256).
    pub fn params(&self, sample_map_sha256: Option<&str>, limits_sha256: Option<&str>) -> String {
        let mut ignore = self.ignore_cols.clone();
        ignore.sort();
        let mut params = format!(
            "layout={:?};unit={};patient_col={};date_col={};assay_col={};ignore={};strict={};map={}",
            self.layout,
            self.unit,
            self.patient_col,
            self.date_col,
            self.assay_col,
            ignore.join("|"),
            self.strict,
            sample_map_sha256.unwrap_or("")
        );
        // Added after the first release: absent when unset, so earlier ledgers still match.
        if !self.assay.is_empty() {
            params.push_str(&format!(";assay={}", self.assay));
        }
        if let Some(column) = &self.value_col {
            params.push_str(&format!(";value_col={column}"));
        }
        if let Some(sha) = limits_sha256 {
            params.push_str(&format!(";limits={sha}"));
        }
        params
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
    /// Cells for which the reader software gave no concentration (`***`): not stored.
    pub not_reportable: usize,
    /// Numbers outside their limits (or at or below the laboratory's floor), stored
    /// as censored at the limit instead of as measured.
    pub outside_limits: usize,
    /// Rows of a wide table giving each column's limits (`LLOQ`, `ULOQ`, `floor`).
    pub limit_rows: usize,
    /// The layout read and why (`long: the header has an 'analyte' column …`).
    pub layout: String,
}

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
    /// `***`: the reader software gave no concentration (Bio-Plex-style exports).
    NotReportable,
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
        // NaN is how pandas, numpy and some plate readers write "no value", #N/A Excel.
        "" | "NA" | "N/A" | "NAN" | "#N/A" => return Ok(Cell::Missing),
        "***" => return Ok(Cell::NotReportable),
        "<LLOQ" | "<LOQ" | "<LOD" | "<LLOD" | "OOR<" | "<OOR" | "BLQ" | "BLOQ" | "ND" => {
            return Ok(Cell::Below(None));
        }
        ">ULOQ" | ">LOQ" | "OOR>" | ">OOR" | "ALQ" | "AQL" => return Ok(Cell::Above(None)),
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
        if super::is_comma_number(text) {
            super::COMMA_IN_NUMBER.to_string()
        } else {
            "not a number, a censored value (<3.2, < LLOQ, OOR >, <OOR, ND ...), *** or NA"
                .to_string()
        }
    })?;
    if !value.is_finite() {
        return Err("not a finite number".into());
    }
    if value < 0.0 {
        return Err("a concentration cannot be negative".into());
    }
    Ok(value)
}

/// What a cell stores.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stored {
    /// Empty or `NA`.
    Missing,
    /// `***`.
    NotReportable,
    /// A concentration, and whether a number was censored because it lies outside
    /// its limits (or at or below the laboratory's floor).
    Value(Concentration, bool),
}

/// Turns a cell into a concentration in pg/mL, taking missing bounds from the limits
/// (pg/mL). A number at or below the floor, below the LLOQ or above the ULOQ is
/// censored at that limit: it is the laboratory's placeholder or an extrapolation,
/// not a measurement.
fn concentration(cell: Cell, factor: f64, limit: Limit) -> Result<Stored, String> {
    let below = |bound: f64| Concentration {
        value: None,
        censor: Censor::Left,
        bound: Some(bound),
    };
    let above = |bound: f64| Concentration {
        value: None,
        censor: Censor::Right,
        bound: Some(bound),
    };
    Ok(match cell {
        Cell::Missing => Stored::Missing,
        Cell::NotReportable => Stored::NotReportable,
        Cell::Value(v) => {
            let v = v * factor;
            match (limit.floor, limit.lloq, limit.uloq) {
                (Some(floor), lloq, _) if v <= floor => {
                    Stored::Value(below(lloq.unwrap_or(floor)), true)
                }
                (_, Some(lloq), _) if v < lloq => Stored::Value(below(lloq), true),
                (_, _, Some(uloq)) if v > uloq => Stored::Value(above(uloq), true),
                _ => Stored::Value(
                    Concentration {
                        value: Some(v),
                        censor: Censor::None,
                        bound: None,
                    },
                    false,
                ),
            }
        }
        Cell::Below(bound) => Stored::Value(
            below(bound.map(|b| b * factor).or(limit.lloq).ok_or(
                "below the lower limit, but neither the cell, an lloq column, a limits row \
                 nor --limits gives the limit",
            )?),
            false,
        ),
        Cell::Above(bound) => Stored::Value(
            above(bound.map(|b| b * factor).or(limit.uloq).ok_or(
                "above the upper limit, but neither the cell, a uloq column, a limits row \
                 nor --limits gives the limit",
            )?),
            false,
        ),
    })
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
/// future, the same patient, date, analyte and assay twice, a long table without a
/// value column (naming the layout assumed and why), or (with `strict`) every
/// unknown analyte in one message.
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
    // A wide column's header may carry its unit (`IL-6 (pg/mL)`, `TNF-a [ng/mL]`): that
    // unit is the column's, and the name without it is the analyte.
    let header_units: Vec<Option<HeaderUnit>> = analyte_columns
        .iter()
        .map(|(_, name)| header_unit(name).map_err(|m| Error::parse(path, 1, name, m)))
        .collect::<Result<_>>()?;
    let no_limits = Limits::default();
    let file_limits = options.limits.as_ref().unwrap_or(&no_limits);
    let mut collected = Collected::new(columns.long);
    for ((_, name), unit) in analyte_columns.iter().zip(&header_units) {
        collected.check_name(unit.as_ref().map_or(name, |u| &u.analyte), 1, name);
    }
    // Each wide column's canonical name, resolved once.
    let canonical: Vec<String> = analyte_columns
        .iter()
        .zip(&header_units)
        .map(|((_, name), unit)| canonical_or_given(unit.as_ref().map_or(name, |u| &u.analyte)))
        .collect();
    // Two columns naming one analyte (`IL-6` and `IL6`, `IL-6 (pg/mL)` and
    // `Interleukin-6`) would give each sample two values: refused at the header.
    let mut first_column: HashMap<&str, &str> = HashMap::new();
    for ((_, name), analyte) in analyte_columns.iter().zip(&canonical) {
        if let Some(first) = first_column.insert(analyte, name) {
            return Err(Error::parse(
                path,
                1,
                name,
                format!(
                    "columns '{first}' and '{name}' both name the analyte {analyte}: keep one, \
                     or leave one out with --ignore-col"
                ),
            ));
        }
    }
    let mut column_limits: HashMap<usize, Limit> = HashMap::new();
    let mut data_lines = 0usize;
    let mut mapped_lines = 0usize;
    input.for_each(|record| {
        let unit_of = |record: &CsvRecord<'_>| -> Result<(String, f64)> {
            match record.get("unit") {
                Some(unit) => Ok((
                    unit.to_string(),
                    unit_factor(unit)
                        .map_err(|m| record.error("unit", format!("'{unit}': {m}")))?,
                )),
                None => Ok((options.unit.clone(), default_factor)),
            }
        };
        if !columns.long
            && let Some(kind) = limits_row_kind(record, &columns, options)
        {
            if data_lines > 0 {
                return Err(record.error(
                    &columns.label_column(options),
                    format!("a {kind} row must come before the first sample (line 2 on)"),
                ));
            }
            let row_unit = unit_of(record)?;
            for ((index, name), header) in analyte_columns.iter().zip(&header_units) {
                let text = record.get_at(*index).unwrap_or("");
                if text.is_empty() {
                    continue;
                }
                let (_, factor) = column_unit(record, name, header.as_ref(), &row_unit)?;
                let value =
                    number(text.trim_start_matches('<').trim_start_matches('>')).map_err(|m| {
                        record.error(&name.to_ascii_lowercase(), format!("{kind} '{text}': {m}"))
                    })? * factor;
                let limit = column_limits.entry(*index).or_default();
                match kind {
                    "LLOQ" => limit.lloq = Some(value),
                    "ULOQ" => limit.uloq = Some(value),
                    _ => limit.floor = Some(value),
                }
            }
            collected.limit_rows += 1;
            return Ok(());
        }
        data_lines += 1;
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
            assay: record
                .get(&columns.assay)
                .unwrap_or(&options.assay)
                .to_string(),
            batch: record.get("batch").unwrap_or("").to_string(),
        };
        let (unit_raw, factor) = unit_of(record)?;
        if let Some(value_col) = &columns.value {
            let row_unit = (unit_raw, factor);
            let (unit_raw, factor) =
                column_unit(record, value_col, columns.value_unit.as_ref(), &row_unit)?;
            let limit = |column: &str| {
                record
                    .parse_opt(column, number)
                    .map(|v| v.map(|v| v * factor))
            };
            let analyte_raw = record.required("analyte")?;
            collected.check_name(analyte_raw, record.line, "analyte");
            let analyte = canonical_or_given(analyte_raw);
            let value = Value {
                analyte_raw,
                analyte: &analyte,
                column: value_col,
                value_raw: record.get(value_col).unwrap_or(""),
                unit_raw,
                factor,
                own: Limit {
                    lloq: limit("lloq")?,
                    uloq: limit("uloq")?,
                    floor: None,
                },
            };
            collected.push(record, &sample, &value, file_limits)?;
        } else {
            let row_unit = (unit_raw, factor);
            for (((index, name), analyte), header) in
                analyte_columns.iter().zip(&canonical).zip(&header_units)
            {
                let (unit_raw, factor) = column_unit(record, name, header.as_ref(), &row_unit)?;
                let value = Value {
                    analyte_raw: name,
                    analyte,
                    column: name,
                    value_raw: record.get_at(*index).unwrap_or(""),
                    unit_raw,
                    factor,
                    own: column_limits.get(index).copied().unwrap_or_default(),
                };
                collected.push(record, &sample, &value, file_limits)?;
            }
        }
        Ok(())
    })?;
    if data_lines == 0 {
        // A header (and limits rows) with no sample: nothing measured is not "none".
        input.require_rows("samples")?;
        return Err(Error::parse(
            path,
            2,
            "(file)",
            format!(
                "the file has {} limits rows and no sample rows: nothing was ingested (an \
                 export cut short? export it again)",
                collected.limit_rows
            ),
        ));
    }
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
    if options.strict && !collected.unknown.is_empty() {
        let (first_line, first_field) = collected
            .unknown
            .values()
            .min()
            .cloned()
            .unwrap_or((1, "analyte".into()));
        let names: Vec<String> = collected
            .unknown
            .iter()
            .map(|(name, (line, _))| format!("'{name}' (line {line})"))
            .collect();
        return Err(Error::parse(
            path,
            first_line,
            &first_field,
            format!(
                "unknown analyte names (--strict; {} not in the canonical table, all listed): \
                 {}; see docs/formats.md for the names and synonyms known, or leave out \
                 --strict to store them as given",
                names.len(),
                names.join(", ")
            ),
        ));
    }
    Ok(CytokineTable {
        rows: collected.rows,
        unknown_analytes: collected.unknown.into_keys().collect(),
        missing: collected.missing,
        not_reportable: collected.not_reportable,
        outside_limits: collected.outside_limits,
        limit_rows: collected.limit_rows,
        layout: columns.why(analyte_columns.len()),
    })
}

/// Whether a wide table's line gives the columns' limits instead of a sample: its
/// label (the patient cell, or the first cell when a sample map gives the patients)
/// reads `LLOQ`, `ULOQ` or `floor` (also `LLOQ (pg/mL)`, `Lower limit`, `Upper limit`).
fn limits_row_kind(
    record: &CsvRecord<'_>,
    columns: &SampleColumns,
    options: &Options,
) -> Option<&'static str> {
    let label = if options.sample_map.is_some() {
        record.get_at(0)
    } else {
        record.get(&columns.patient).or_else(|| record.get_at(0))
    }?;
    let key: String = label
        .split('(')
        .next()
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    match key.as_str() {
        "lloq" | "lowerlimit" | "lowerlimitofquantification" => Some("LLOQ"),
        "uloq" | "upperlimit" | "upperlimitofquantification" => Some("ULOQ"),
        "floor" => Some("floor"),
        _ => None,
    }
}

/// The columns that say whose sample a line is, and the layout (long or wide).
struct SampleColumns {
    /// A long table's value column (lower case); `None` for a wide table.
    value: Option<String>,
    /// The unit the value column's header gives (`Concentration (ng/mL)`).
    value_unit: Option<HeaderUnit>,
    /// Whether the layout was chosen with `--layout` rather than detected.
    chosen: bool,
    /// Long layout (`analyte` column) rather than one column per analyte.
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
    /// that is missing is an error saying which layout was assumed, why, and how to
    /// name the column.
    fn find(path: &Path, headers: &[String], options: &Options) -> Result<SampleColumns> {
        let has = |name: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(name));
        let long = match options.layout {
            Layout::Long => true,
            Layout::Wide => false,
            Layout::Auto => has("analyte"),
        };
        // A value column's header may carry the unit (`Concentration (ng/mL)`): it is
        // found by its name without it, and the unit is the column's.
        let without_unit = |h: &str| match header_unit(h) {
            Ok(Some(unit)) => unit.analyte.to_lowercase(),
            _ => h.to_lowercase(),
        };
        let named = |column: &str| {
            headers
                .iter()
                .find(|h| h.eq_ignore_ascii_case(column))
                .or_else(|| headers.iter().find(|h| without_unit(h) == column))
        };
        let mut value_unit = None;
        let value = if long {
            let wanted = options.value_col.as_ref().map(|c| c.trim().to_lowercase());
            let header = match &wanted {
                Some(column) => named(column),
                None => VALUE_COLUMNS.iter().find_map(|c| named(c)),
            };
            if let Some(header) = header {
                value_unit = header_unit(header).map_err(|m| Error::parse(path, 1, header, m))?;
            }
            let found = header.map(|h| h.to_lowercase());
            let why = if options.layout == Layout::Long {
                "read as a long table (--layout long)".to_string()
            } else {
                "read as a long table (one row per analyte) because the header has an \
                 'analyte' column"
                    .to_string()
            };
            if !has("analyte") {
                return Err(Error::parse(
                    path,
                    1,
                    "analyte",
                    format!(
                        "{why}, but it has no 'analyte' column (header has: {}); \
                         leave out --layout long for a wide table",
                        headers.join(", ")
                    ),
                ));
            }
            let Some(found) = found else {
                let expected = match &wanted {
                    Some(column) => format!("no column '{column}' (--value-col)"),
                    None => format!("no value column ({})", VALUE_COLUMNS.join(", ")),
                };
                return Err(Error::parse(
                    path,
                    1,
                    wanted.as_deref().unwrap_or("value"),
                    format!(
                        "{why}, but it has {expected} (header has: {}); name the value \
                         column with --value-col, or give --layout wide if every analyte \
                         has a column of its own",
                        headers.join(", ")
                    ),
                ));
            };
            Some(found)
        } else {
            None
        };
        let columns = SampleColumns {
            value,
            value_unit,
            chosen: options.layout != Layout::Auto,
            long,
            patient: options.patient_col.to_ascii_lowercase(),
            date: options.date_col.to_ascii_lowercase(),
            assay: options.assay_col.to_ascii_lowercase(),
        };
        if options.sample_map.is_none()
            && let Some(name) = [columns.patient.as_str(), columns.date.as_str()]
                .into_iter()
                .find(|name| !has(name))
        {
            return Err(Error::parse(
                path,
                1,
                name,
                format!(
                    "required column is missing (header has: {}); name the columns with \
                     --patient-col/--date-col or give --sample-map",
                    headers.join(", ")
                ),
            ));
        }
        Ok(columns)
    }

    /// The column a limits row's label is in, for errors.
    fn label_column(&self, options: &Options) -> String {
        if options.sample_map.is_some() {
            "(record)".into()
        } else {
            self.patient.clone()
        }
    }

    /// The layout read and why, for the user.
    fn why(&self, analyte_columns: usize) -> String {
        match (&self.value, self.chosen) {
            (Some(value), true) => format!("long layout (--layout long), values in '{value}'"),
            (Some(value), false) => format!(
                "long layout (one row per analyte): the header has an 'analyte' column; \
                 values in '{value}'"
            ),
            (None, true) => {
                format!("wide layout (--layout wide), {analyte_columns} analyte columns")
            }
            (None, false) => format!(
                "wide layout (one column per analyte): the header has no 'analyte' column; \
                 {analyte_columns} analyte columns"
            ),
        }
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
                "no analyte columns in this wide table (read as wide: the header has no \
                 'analyte' column)",
            ));
        }
        Ok(columns)
    }
}

/// A unit written in a wide table's analyte header (`IL-6 (pg/mL)`).
#[derive(Debug, Clone, PartialEq)]
struct HeaderUnit {
    /// The header without the unit (`IL-6`).
    analyte: String,
    /// The unit as written (`pg/mL`).
    unit: String,
    /// To pg/mL.
    factor: f64,
}

/// The unit a wide table's analyte header ends with, in brackets (`IL-6 (pg/mL)`,
/// `IL-6 [ng/ml]`) or after a comma (`IL-6, pg/mL`); `None` when the header names
/// none (a bead region `(BR13)` or a synonym `MCP-1(MCAF)` is no unit).
///
/// # Errors
/// A unit-like group (`(mg/L)`, `(U/mL)`, `(NPX)`) that is not one oncotrack converts
/// to pg/mL: its values cannot be stored as pg/mL, so the column is refused.
fn header_unit(name: &str) -> Result<Option<HeaderUnit>, String> {
    let trimmed = name.trim_end();
    let (analyte, group) = if let Some(rest) = trimmed.strip_suffix(')') {
        match rest.rfind('(') {
            Some(open) => (&rest[..open], &rest[open + 1..]),
            None => return Ok(None),
        }
    } else if let Some(rest) = trimmed.strip_suffix(']') {
        match rest.rfind('[') {
            Some(open) => (&rest[..open], &rest[open + 1..]),
            None => return Ok(None),
        }
    } else if let Some(comma) = trimmed.rfind(',') {
        (&trimmed[..comma], &trimmed[comma + 1..])
    } else {
        return Ok(None);
    };
    let group = group.trim();
    let key: String = group
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase();
    let looks_like_unit = (key.contains('/')
        && (key.ends_with("ml") || key.ends_with("/l") || key.ends_with("dl")))
        || matches!(key.as_str(), "npx" | "mfi" | "%" | "au" | "a.u.");
    if !looks_like_unit {
        return Ok(None);
    }
    match unit_factor(group) {
        Ok(factor) => Ok(Some(HeaderUnit {
            analyte: analyte.trim().to_string(),
            unit: group.to_string(),
            factor,
        })),
        Err(_) => Err(format!(
            "the header gives the unit '{group}', which oncotrack does not convert to pg/mL \
             (it converts fg/mL, pg/mL, ng/mL and µg/mL): convert the column, or leave it \
             out with --ignore-col '{name}'"
        )),
    }
}

/// The unit of one wide column on `record`: the header's when it gives one (a `unit`
/// cell of the row naming another unit is an error), else the row's (`unit` column or
/// `--unit`).
fn column_unit<'a>(
    record: &CsvRecord<'_>,
    column: &str,
    header: Option<&'a HeaderUnit>,
    row: &'a (String, f64),
) -> Result<(&'a str, f64)> {
    let Some(header) = header else {
        return Ok((row.0.as_str(), row.1));
    };
    if let Some(cell) = record.get("unit")
        && unit_factor(cell).ok() != Some(header.factor)
    {
        return Err(record.error(
            "unit",
            format!(
                "'{cell}' contradicts the unit '{}' that the header of column '{column}' gives; \
                 correct one of them",
                header.unit
            ),
        ));
    }
    Ok((header.unit.as_str(), header.factor))
}

/// Whose sample a line holds.
struct Sample {
    patient: String,
    date: NaiveDate,
    assay: String,
    batch: String,
}

/// The canonical name of an analyte, or the name as given (trimmed) when unknown.
fn canonical_or_given(raw: &str) -> String {
    canonical_analyte(raw).unwrap_or_else(|| raw.trim().to_string())
}

/// One cell of a line: an analyte's value as written, with its unit and limits.
struct Value<'a> {
    /// The analyte as written.
    analyte_raw: &'a str,
    /// Its canonical name (or the name as given when unknown).
    analyte: &'a str,
    /// The column errors name (the value column in a long table, the analyte's in a wide one).
    column: &'a str,
    value_raw: &'a str,
    unit_raw: &'a str,
    /// To pg/mL.
    factor: f64,
    /// Limits the file gives itself (lloq/uloq columns, limits rows), pg/mL.
    own: Limit,
}

/// The rows read so far, the unknown analyte names (with where each was first seen),
/// the cells not stored, and the (patient, date, analyte, assay) keys already seen
/// with their line.
struct Collected {
    long: bool,
    rows: Vec<CytokineRow>,
    unknown: BTreeMap<String, (u64, String)>,
    missing: usize,
    not_reportable: usize,
    outside_limits: usize,
    limit_rows: usize,
    seen: HashMap<(String, NaiveDate, String, String), u64>,
}

impl Collected {
    fn new(long: bool) -> Collected {
        Collected {
            long,
            rows: Vec::new(),
            unknown: BTreeMap::new(),
            missing: 0,
            not_reportable: 0,
            outside_limits: 0,
            limit_rows: 0,
            seen: HashMap::new(),
        }
    }

    /// Notes an analyte name the canonical table does not know, where first seen.
    fn check_name(&mut self, raw: &str, line: u64, field: &str) {
        if canonical_analyte(raw).is_none() {
            self.unknown
                .entry(raw.trim().to_string())
                .or_insert_with(|| (line, field.to_string()));
        }
    }

    /// Adds one value of `sample` read on `record`: an empty cell is counted as
    /// missing; an unknown analyte is kept under its own name; a number beyond its
    /// limits is censored at the limit; the same analyte twice for one sample and
    /// assay is an error.
    fn push(
        &mut self,
        record: &CsvRecord<'_>,
        sample: &Sample,
        value: &Value<'_>,
        limits: &Limits,
    ) -> Result<()> {
        let Value {
            analyte_raw,
            column,
            value_raw,
            ..
        } = *value;
        let column_key = column.to_ascii_lowercase();
        let cell = parse_cell(value_raw)
            .map_err(|m| record.error(&column_key, format!("'{value_raw}': {m}")))?;
        let analyte = value.analyte.to_string();
        let Sample {
            patient,
            date,
            assay,
            batch,
        } = sample;
        let limit = value.own.or(limits.get(&analyte, assay));
        let (concentration, outside) = match concentration(cell, value.factor, limit)
            .map_err(|m| record.error(&column_key, format!("'{value_raw}': {m}")))?
        {
            Stored::Value(c, outside) => (c, outside),
            Stored::Missing => {
                self.missing += 1;
                return Ok(());
            }
            Stored::NotReportable => {
                self.not_reportable += 1;
                return Ok(());
            }
        };
        if outside {
            self.outside_limits += 1;
        }
        let analyte_column = if self.long { "analyte" } else { &column_key };
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
            lloq: limit.lloq,
            uloq: limit.uloq,
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
            ("NaN", Cell::Missing),
            ("nan", Cell::Missing),
            ("#N/A", Cell::Missing),
            ("", Cell::Missing),
        ] {
            assert_eq!(parse_cell(text), Ok(expected), "{text}");
        }
        for bad in ["1,2e3x", "-1", "inf", "<abc", "*3.2"] {
            assert!(parse_cell(bad).is_err(), "{bad} accepted");
        }
    }

    fn limit(lloq: Option<f64>, uloq: Option<f64>, floor: Option<f64>) -> Limit {
        Limit { lloq, uloq, floor }
    }

    fn stored(cell: Cell, factor: f64, l: Limit) -> (Concentration, bool) {
        match concentration(cell, factor, l).unwrap() {
            Stored::Value(c, outside) => (c, outside),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn censor_bound_comes_from_the_cell_or_the_limit_columns_never_zero() {
        let (c, _) = stored(Cell::Below(Some(3.2)), 1e3, limit(Some(1.0), None, None));
        assert_eq!(
            (c.value, c.censor, c.bound),
            (None, Censor::Left, Some(3200.0))
        );
        let (c, _) = stored(Cell::Below(None), 1.0, limit(Some(1.5), None, None));
        assert_eq!(c.bound, Some(1.5));
        let (c, _) = stored(Cell::Above(None), 1.0, limit(None, Some(9000.0), None));
        assert_eq!((c.censor, c.bound), (Censor::Right, Some(9000.0)));
        assert!(concentration(Cell::Below(None), 1.0, Limit::default()).is_err());
        assert_eq!(
            concentration(Cell::Missing, 1.0, Limit::default()),
            Ok(Stored::Missing)
        );
        assert_eq!(
            concentration(Cell::NotReportable, 1.0, Limit::default()),
            Ok(Stored::NotReportable)
        );
    }

    #[test]
    fn numbers_beyond_their_limits_or_at_the_floor_are_censored_not_measured() {
        // The lab writes 0.01 for "below range": with a floor of 0.01 it is below the LLOQ.
        let (c, outside) = stored(Cell::Value(0.01), 1.0, limit(Some(3.2), None, Some(0.01)));
        assert_eq!(
            (c.value, c.censor, c.bound, outside),
            (None, Censor::Left, Some(3.2), true)
        );
        // A floor without an LLOQ censors at the floor itself.
        let (c, _) = stored(Cell::Value(0.01), 1.0, limit(None, None, Some(0.01)));
        assert_eq!((c.censor, c.bound), (Censor::Left, Some(0.01)));
        // Below the LLOQ (an extrapolation), above the ULOQ.
        let (c, outside) = stored(Cell::Value(1.0), 1.0, limit(Some(3.2), Some(100.0), None));
        assert_eq!(
            (c.censor, c.bound, outside),
            (Censor::Left, Some(3.2), true)
        );
        let (c, _) = stored(Cell::Value(0.2), 1e3, limit(Some(3.2), Some(100.0), None));
        assert_eq!((c.censor, c.bound), (Censor::Right, Some(100.0)));
        // At the LLOQ and inside the range: measured.
        let (c, outside) = stored(
            Cell::Value(3.2),
            1.0,
            limit(Some(3.2), Some(100.0), Some(0.01)),
        );
        assert_eq!(
            (c.value, c.censor, outside),
            (Some(3.2), Censor::None, false)
        );
        // No limit known: a number is what it says.
        let (c, outside) = stored(Cell::Value(0.01), 1.0, Limit::default());
        assert_eq!((c.value, outside), (Some(0.01), false));
    }

    #[test]
    fn bio_plex_and_milliplex_tokens_are_read() {
        for (text, expected) in [
            ("<OOR", Cell::Below(None)),
            ("> OOR", Cell::Above(None)),
            ("***", Cell::NotReportable),
        ] {
            assert_eq!(parse_cell(text), Ok(expected), "{text}");
        }
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
    fn a_unit_in_a_wide_header_is_the_columns_unit_and_not_part_of_the_name() {
        let f = file(
            "patient,date,Il 6 (pg/mL),TNF-a [ng/mL],\"IFN-g, ng/ml\",IL-10 (BR13) (13)\n\
             LLOQ,,,0.5,,\n\
             P001,2024-01-10,1.5,2,0.004,\n",
        );
        let table = read(f.path(), &Options::new(today())).unwrap();
        let seen: Vec<(&str, Option<f64>, Option<f64>, &str)> = table
            .rows
            .iter()
            .map(|r| {
                (
                    r.analyte.as_str(),
                    r.concentration.value,
                    r.lloq,
                    r.unit_raw.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                ("IL-6", Some(1.5), None, "pg/mL"),
                ("TNF-a", Some(2000.0), Some(500.0), "ng/mL"),
                ("IFN-g", Some(4.0), None, "ng/ml"),
            ]
        );
        assert!(
            table.unknown_analytes.is_empty(),
            "{:?}",
            table.unknown_analytes
        );
        // A unit oncotrack cannot convert is refused, not stored as pg/mL.
        let f = file("patient,date,CRP (mg/L)\nP001,2024-01-10,3\n");
        let error = read(f.path(), &Options::new(today()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 1: field 'CRP (mg/L)': the header gives the unit 'mg/L'"),
            "{error}"
        );
        // A unit column that contradicts the header is refused.
        let f = file("patient,date,unit,IL-6 (ng/mL)\nP001,2024-01-10,pg/mL,3\n");
        let error = read(f.path(), &Options::new(today()))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 2: field 'unit': 'pg/mL' contradicts"),
            "{error}"
        );
    }

    #[test]
    fn a_unit_in_a_long_tables_value_header_is_the_values_unit() {
        for value_col in [None, Some("Concentration (ng/mL)")] {
            let f = file(
                "patient,date,analyte,Concentration (ng/mL),LLOQ\n\
                 P001,2024-01-10,IL-6,2,0.5\nP001,2024-01-10,IL-8,0.1,0.5\n",
            );
            let mut options = Options::new(today());
            options.value_col = value_col.map(str::to_string);
            let table = read(f.path(), &options).unwrap();
            let seen: Vec<(Option<f64>, Option<f64>, Option<f64>)> = table
                .rows
                .iter()
                .map(|r| (r.concentration.value, r.concentration.bound, r.lloq))
                .collect();
            assert_eq!(
                seen,
                vec![
                    (Some(2000.0), None, Some(500.0)),
                    (None, Some(500.0), Some(500.0))
                ],
                "{value_col:?}"
            );
        }
    }

    #[test]
    fn two_wide_columns_naming_one_analyte_are_refused_at_the_header() {
        for (header, second) in [
            ("IL-6,IL6", "IL6"),
            ("IL-6 (pg/mL),Interleukin-6", "Interleukin-6"),
        ] {
            let f = file(&format!("patient,date,{header}\nP001,2024-01-10,1,2\n"));
            let error = read(f.path(), &Options::new(today()))
                .unwrap_err()
                .to_string();
            assert!(
                error.contains(&format!("line 1: field '{second}': columns '"))
                    && error.contains("both name the analyte IL-6"),
                "{error}"
            );
        }
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
                "patient,date,analyte,value\nP001,2024-01-10,Zyxin,1\nP001,2024-01-10,IL6,2\nP001,2024-01-10,Foo,NA\n",
                true,
                "line 2: field 'analyte': unknown analyte names (--strict; 2 not in the canonical table, all listed): 'Foo' (line 4), 'Zyxin' (line 2)",
            ),
            (
                "patient,date,Zyxin,IL6,Foo\nP001,2024-01-10,1,2,3\n",
                true,
                "line 1: field 'Foo': unknown analyte names (--strict; 2 not in the canonical table, all listed): 'Foo' (line 1), 'Zyxin' (line 1)",
            ),
            (
                "patient,date,analyte,conc_pg_ml\nP001,2024-01-10,IL6,1\n",
                false,
                "line 1: field 'value': read as a long table (one row per analyte) because the header has an 'analyte' column, but it has no value column",
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
    fn limits_rows_give_each_column_its_limits_and_must_come_first() {
        let f = file(
            "patient,date,IL-6,TNF-a\n\
             LLOQ (pg/mL),,1.2,0.8\n\
             Upper limit,,800,500\n\
             P001,2024-01-10,OOR <,0.5\n\
             P002,2024-01-10,900,2\n",
        );
        let table = read(f.path(), &Options::new(today())).unwrap();
        assert_eq!(table.limit_rows, 2);
        assert_eq!(table.outside_limits, 2);
        type Seen<'a> = (&'a str, Censor, Option<f64>, Option<f64>, Option<f64>);
        let got: Vec<Seen> = table
            .rows
            .iter()
            .map(|r| {
                (
                    r.analyte.as_str(),
                    r.concentration.censor,
                    r.concentration.bound,
                    r.lloq,
                    r.uloq,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("IL-6", Censor::Left, Some(1.2), Some(1.2), Some(800.0)),
                ("TNF-a", Censor::Left, Some(0.8), Some(0.8), Some(500.0)),
                ("IL-6", Censor::Right, Some(800.0), Some(1.2), Some(800.0)),
                ("TNF-a", Censor::None, None, Some(0.8), Some(500.0)),
            ]
        );
        let late = file("patient,date,IL-6\nP001,2024-01-10,3\nLLOQ,,1.2\n");
        let err = read(late.path(), &Options::new(today()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3: field 'patient': a LLOQ row must come before the first sample"),
            "{err}"
        );
    }

    #[test]
    fn a_limits_file_holds_per_assay_limits_in_any_unit_and_is_checked() {
        let f = file("analyte,assay,lloq,uloq,unit\nIL6,,1.5,5000,pg/mL\nIL-6,LPS,0.002,8,ng/mL\n");
        let limits = read_limits(f.path()).unwrap();
        assert_eq!(limits.get("IL-6", "CD3/CD28").lloq, Some(1.5));
        assert_eq!(limits.get("IL-6", "LPS").lloq, Some(2.0));
        assert_eq!(limits.get("IL-6", "LPS").uloq, Some(8000.0));
        assert_eq!(limits.get("TNF-a", "LPS"), Limit::default());
        for (content, needle) in [
            (
                "analyte,value\nIL6,1\n",
                "needs an lloq, uloq or floor column",
            ),
            (
                "analyte,lloq,uloq\nIL6,10,1\n",
                "line 2: field 'uloq': the upper limit lies below the lower limit",
            ),
            (
                "analyte,lloq\nIL6,1\nIL-6,2\n",
                "line 3: field 'analyte': limits of IL-6 (assay '') already given on line 2",
            ),
            (
                "analyte,lloq,unit\nIL6,1,mmol/L\n",
                "line 2: field 'unit': 'mmol/L': unknown unit",
            ),
        ] {
            let err = read_limits(file(content).path()).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}\n  expected: {needle}");
        }
    }

    #[test]
    fn the_assay_option_and_value_column_name_what_the_file_does_not() {
        let f = file("patient,date,analyte,result\nP001,2024-01-10,IL6,3\n");
        let mut options = Options::new(today());
        options.assay = "HCYTA-60K".into();
        let table = read(f.path(), &options).unwrap();
        assert_eq!(table.rows[0].assay, "HCYTA-60K");
        assert!(
            table.layout.contains("values in 'result'"),
            "{}",
            table.layout
        );
        options.value_col = Some("Result".into());
        options.layout = Layout::Long;
        let table = read(f.path(), &options).unwrap();
        assert_eq!(
            table.layout,
            "long layout (--layout long), values in 'result'"
        );
        options.value_col = Some("conc".into());
        let err = read(f.path(), &options).unwrap_err().to_string();
        assert!(err.contains("no column 'conc' (--value-col)"), "{err}");
        let wide = file("patient,date,IL6\nP001,2024-01-10,3\n");
        let mut options = Options::new(today());
        options.layout = Layout::Long;
        let err = read(wide.path(), &options).unwrap_err().to_string();
        assert!(
            err.contains("(--layout long), but it has no 'analyte' column"),
            "{err}"
        );
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
