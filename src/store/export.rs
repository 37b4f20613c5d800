//! The store's tables as typed columns for export: what each column holds decides what de-identification does to it.

use super::Store;
use crate::error::{Error, Result};

/// What a column of an exported table holds (decides what de-identification does to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// The patient code: replaced by a pseudonym.
    Patient,
    /// A calendar date: replaced by days since the patient's index date.
    Date,
    /// The patient's index date (needed to turn dates into days; dropped when de-identified).
    IndexDate,
    /// Free text (event details): dropped when de-identified.
    FreeText,
    /// Other text.
    Text,
    /// An integer.
    Integer,
    /// A real number.
    Real,
    /// A yes/no flag stored as 0/1: written as a boolean.
    Boolean,
    /// A UTC time (RFC 3339 text): written as a timestamp in microseconds; dropped
    /// when de-identified (a calendar time).
    Timestamp,
    /// A site (centre) name: dropped when de-identified unless the site is kept.
    Site,
    /// The year of birth: dropped when de-identified (the age at index stays).
    BirthYear,
    /// The age at the index date in whole years: capped at 90 when de-identified
    /// (90 means 90 or older, as HIPAA Safe Harbor asks).
    Age,
}

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Null,
    /// An integer.
    Integer(i64),
    /// A real number.
    Real(f64),
    /// Text.
    Text(String),
    /// A calendar date (read through the store's one reader of stored dates).
    Date(chrono::NaiveDate),
}

impl Cell {
    /// The cell as text (`None` for no value; a date as `YYYY-MM-DD`).
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Text(t) => Some(t.clone()),
            Cell::Integer(v) => Some(v.to_string()),
            Cell::Real(v) => Some(v.to_string()),
            Cell::Date(d) => Some(crate::model::date::format_date(*d)),
            Cell::Null => None,
        }
    }

    /// The date of a date cell.
    pub fn date(&self) -> Option<chrono::NaiveDate> {
        match self {
            Cell::Date(d) => Some(*d),
            _ => None,
        }
    }
}

/// A table read for export: typed columns and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportTable {
    /// Column names and kinds.
    pub columns: Vec<(&'static str, ColumnKind)>,
    /// Rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl ExportTable {
    /// The distinct texts of a text column, sorted (empty when there is no such column).
    pub fn text_values(&self, column: &str) -> std::collections::BTreeSet<String> {
        let Some(index) = self.columns.iter().position(|(c, _)| *c == column) else {
            return Default::default();
        };
        self.rows
            .iter()
            .filter_map(|row| match row.get(index) {
                Some(Cell::Text(text)) => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// Keeps the rows whose text column `column` holds `value`.
    pub fn retain_text(&mut self, column: &str, value: &str) {
        if let Some(index) = self.columns.iter().position(|(c, _)| *c == column) {
            self.rows
                .retain(|row| matches!(row.get(index), Some(Cell::Text(t)) if t == value));
        }
    }
}

/// The tables `oncotrack export` writes from SQL (survival is computed, not read).
pub const EXPORT_TABLES: [&str; 9] = [
    "patients",
    "timeline",
    "calls",
    "fusions",
    "cytokines",
    "lesions",
    "pet",
    "radiomics",
    "clusters",
];

fn export_sql(table: &str) -> Option<(&'static str, Vec<(&'static str, ColumnKind)>)> {
    use ColumnKind::*;
    Some(match table {
        "patients" => (
            "SELECT p.code, i.index_date, p.diagnosis, p.sex,
                    CAST(substr(i.index_date, 1, 4) AS INTEGER) - p.birth_year, p.birth_year,
                    p.site, p.primary_site, p.height_cm, i.index_date
               FROM patient p JOIN patient_index_date i USING (patient_id) ORDER BY p.code",
            vec![("patient", Patient), ("index_date", Date), ("diagnosis", Text), ("sex", Text),
                 ("age_at_index", Age), ("birth_year", BirthYear), ("site", Site), ("primary_site", Text),
                 ("height_cm", Real), ("", IndexDate)],
        ),
        "timeline" => (
            "SELECT p.code, e.date, e.kind, e.detail, i.index_date
               FROM clinical_event e JOIN patient p USING (patient_id)
               JOIN patient_index_date i USING (patient_id) ORDER BY p.code, e.date, e.event_id",
            vec![("patient", Patient), ("date", Date), ("kind", Text), ("detail", FreeText),
                 ("", IndexDate)],
        ),
        "calls" => (
            "SELECT p.code, s.date, v.chrom, v.pos, v.ref, v.alt, v.gene, v.protein_change, c.caller,
                    CASE WHEN c.depth = 0 THEN NULL ELSE c.vaf END, c.alt_reads, c.ref_reads, c.depth, o.vaf_source, c.filter, c.detected,
                    s.cfdna_ng_per_ml, i.index_date
               FROM variant_call c JOIN lb_sample s USING (sample_id) JOIN variant v USING (variant_id)
               JOIN call_provenance o USING (provenance_id)
               JOIN patient p ON p.patient_id = s.patient_id
               JOIN patient_index_date i ON i.patient_id = s.patient_id
              ORDER BY p.code, s.date, v.chrom, v.pos, v.alt, c.caller",
            vec![("patient", Patient), ("date", Date), ("chrom", Text), ("pos", Integer),
                 ("ref", Text), ("alt", Text), ("gene", Text), ("protein_change", Text),
                 ("caller", Text), ("vaf", Real), ("alt_reads", Integer), ("ref_reads", Integer),
                 ("depth", Integer), ("vaf_source", Text), ("filter", Text), ("detected", Boolean),
                 ("cfdna_ng_per_ml", Real), ("", IndexDate)],
        ),
        "fusions" => (
            "SELECT p.code, s.date, t.genes, t.chrom_a_raw, t.pos_a, t.chrom_b_raw, t.pos_b,
                    t.orientation, c.split, c.discordant, c.ref_a, c.ref_b, c.fusion_fraction,
                    c.min_mapq, c.clip_window, c.insert_window, c.anchor, s.cfdna_ng_per_ml,
                    i.index_date
               FROM fusion_count c JOIN lb_sample s USING (sample_id)
               JOIN tracked_fusion t USING (fusion_id)
               JOIN patient p ON p.patient_id = s.patient_id
               JOIN patient_index_date i ON i.patient_id = s.patient_id
              ORDER BY p.code, s.date, t.fusion_id",
            vec![("patient", Patient), ("date", Date), ("gene", Text), ("chrom_a", Text),
                 ("pos_a", Integer), ("chrom_b", Text), ("pos_b", Integer),
                 ("orientation", Text), ("split", Integer), ("discordant", Integer),
                 ("ref_a", Integer), ("ref_b", Integer), ("fusion_fraction", Real),
                 ("min_mapq", Integer), ("clip_window", Integer), ("insert_window", Integer),
                 ("anchor", Integer), ("cfdna_ng_per_ml", Real), ("", IndexDate)],
        ),
        "cytokines" => (
            "SELECT p.code, x.date, x.analyte, x.value, x.unit, x.censor, x.bound, x.lloq, x.uloq,
                    x.assay, x.batch, i.index_date
               FROM cytokine_measurement x JOIN patient p USING (patient_id)
               JOIN patient_index_date i USING (patient_id) ORDER BY p.code, x.date, x.analyte",
            vec![("patient", Patient), ("date", Date), ("analyte", Text), ("value", Real),
                 ("unit", Text), ("censor", Text), ("bound", Real), ("lloq", Real), ("uloq", Real),
                 ("assay", Text), ("batch", Text), ("", IndexDate)],
        ),
        "lesions" => (
            "SELECT p.code, s.date, s.modality, l.label, l.organ, l.is_target, l.is_nodal,
                    m.longest_diameter_mm, m.short_axis_mm, m.mean_hu, m.is_new, i.index_date
               FROM lesion_measurement m JOIN lesion l USING (lesion_id)
               JOIN imaging_study s USING (study_id) JOIN patient p ON p.patient_id = s.patient_id
               JOIN patient_index_date i ON i.patient_id = s.patient_id
              ORDER BY p.code, s.date, l.label",
            vec![("patient", Patient), ("date", Date), ("modality", Text), ("lesion", Text),
                 ("organ", Text), ("is_target", Boolean), ("is_nodal", Boolean),
                 ("longest_diameter_mm", Real), ("short_axis_mm", Real), ("mean_hu", Real),
                 ("is_new", Boolean), ("", IndexDate)],
        ),
        "pet" => (
            "SELECT p.code, s.date, l.label, u.method, u.method_param, u.threshold, u.voxels,
                    u.suv_max, u.suv_peak, u.suv_mean, u.mtv_ml, u.tlg, s.scanner, s.site, i.index_date
               FROM pet_uptake u JOIN lesion l USING (lesion_id)
               JOIN imaging_study s USING (study_id) JOIN patient p ON p.patient_id = s.patient_id
               JOIN patient_index_date i ON i.patient_id = s.patient_id
              ORDER BY p.code, s.date, l.label, u.method, u.method_param",
            vec![("patient", Patient), ("date", Date), ("lesion", Text), ("method", Text),
                 ("method_param", Real), ("threshold", Real), ("voxels", Integer),
                 ("suv_max", Real), ("suv_peak", Real), ("suv_mean", Real), ("mtv_ml", Real),
                 ("tlg", Real), ("scanner", Text), ("imaging_site", Site), ("", IndexDate)],
        ),
        "radiomics" => (
            "SELECT p.code, s.date, l.label, r.feature, r.value, s.modality, s.scanner, s.site,
                    i.index_date
               FROM radiomic_feature r JOIN lesion l USING (lesion_id)
               JOIN imaging_study s USING (study_id) JOIN patient p ON p.patient_id = s.patient_id
               JOIN patient_index_date i ON i.patient_id = s.patient_id
              ORDER BY p.code, s.date, l.label, r.feature",
            vec![("patient", Patient), ("date", Date), ("lesion", Text), ("feature", Text),
                 ("value", Real), ("modality", Text), ("scanner", Text), ("imaging_site", Site),
                 ("", IndexDate)],
        ),
        "clusters" => (
            "SELECT r.name, p.code, a.cluster, a.silhouette, a.pc1, a.pc2, r.params, r.created_at
               FROM cluster_assignment a JOIN analysis_run r USING (run_id)
               JOIN patient p USING (patient_id) ORDER BY r.name, p.code",
            vec![("run", Text), ("patient", Patient), ("cluster", Integer), ("silhouette", Real),
                 ("pc1", Real), ("pc2", Real), ("params", Text), ("created_at", Timestamp)],
        ),
        _ => return None,
    })
}

impl Store {
    /// Reads one of [`EXPORT_TABLES`] with its typed columns.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for an unknown table name; SQLite errors.
    pub fn export_table(&self, table: &str) -> Result<ExportTable> {
        let (sql, columns) = export_sql(table).ok_or_else(|| Error::InvalidValue {
            what: "export table",
            value: table.to_string(),
            reason: format!("expected one of {}", EXPORT_TABLES.join(", ")),
        })?;
        let mut stmt = self.conn.prepare(sql)?;
        let dates: Vec<bool> = columns
            .iter()
            .map(|(_, kind)| matches!(kind, ColumnKind::Date | ColumnKind::IndexDate))
            .collect();
        let rows = stmt.query_map([], |r| {
            (0..dates.len())
                .map(|i| {
                    if dates[i] {
                        return Ok(super::row_date(r, i, table)?.map_or(Cell::Null, Cell::Date));
                    }
                    Ok(match r.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => Cell::Null,
                        rusqlite::types::ValueRef::Integer(v) => Cell::Integer(v),
                        rusqlite::types::ValueRef::Real(v) => Cell::Real(v),
                        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                            Cell::Text(String::from_utf8_lossy(t).into_owned())
                        }
                    })
                })
                .collect::<rusqlite::Result<Vec<Cell>>>()
        })?;
        let rows = rows.collect::<rusqlite::Result<_>>()?;
        Ok(ExportTable { columns, rows })
    }
}
