//! One cytokine measurement as read from a laboratory's file, before it is stored.

use super::measure::Concentration;
use chrono::NaiveDate;

/// The unit every stored concentration is in.
pub const STORE_UNIT: &str = "pg/mL";

/// One analyte of one sample, as read and normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct CytokineRow {
    /// 1-based line in the file.
    pub line: u64,
    /// Patient identifier.
    pub patient: String,
    /// Date of the blood draw.
    pub date: NaiveDate,
    /// Canonical analyte name (or the given name, trimmed, when unknown).
    pub analyte: String,
    /// The analyte as written in the file.
    pub analyte_raw: String,
    /// The value in pg/mL with its censoring.
    pub concentration: Concentration,
    /// The cell as written.
    pub value_raw: String,
    /// The unit as written (or given with `--unit`).
    pub unit_raw: String,
    /// Lower limit of quantification (pg/mL), when given.
    pub lloq: Option<f64>,
    /// Upper limit of quantification (pg/mL), when given.
    pub uloq: Option<f64>,
    /// Assay or panel (part of the key: one analyte may be measured by two assays).
    pub assay: String,
    /// Plate or batch.
    pub batch: String,
}
