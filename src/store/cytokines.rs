//! Cytokine measurements: insert (idempotent per patient, date, analyte and assay) and list a patient's panels.

use super::events::Inserted;
use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::model::{Censor, Concentration, CytokineRow};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

/// One stored cytokine value.
#[derive(Debug, Clone, PartialEq)]
pub struct CytokineMeasurement {
    /// Date of the blood draw.
    pub date: NaiveDate,
    /// Canonical analyte name.
    pub analyte: String,
    /// Value in pg/mL with its censoring.
    pub concentration: Concentration,
    /// The cell as written in the file.
    pub value_raw: String,
    /// The unit as written.
    pub unit_raw: String,
    /// Assay or panel.
    pub assay: String,
    /// Plate or batch.
    pub batch: String,
}

impl Store {
    /// A patient's cytokine values by date, analyte and assay.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn cytokines(&self, code: &str) -> Result<Vec<CytokineMeasurement>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "SELECT c.date, c.analyte, c.value, c.censor, c.bound, c.value_raw, c.unit_raw,
                    c.assay, c.batch
               FROM cytokine_measurement c JOIN patient p USING (patient_id)
              WHERE p.code = ?1 ORDER BY c.date, c.analyte, c.assay",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<f64>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (date, analyte, value, censor, bound, value_raw, unit_raw, assay, batch) = row?;
            out.push(CytokineMeasurement {
                date: super::stored_date(&date, "a cytokine measurement")?,
                analyte,
                concentration: Concentration {
                    value,
                    censor: Censor::parse(&censor).map_err(Error::Corrupt)?,
                    bound,
                },
                value_raw,
                unit_raw,
                assay,
                batch,
            });
        }
        Ok(out)
    }
}

impl Tx<'_> {
    /// Stores one cytokine value of a patient already looked up. The same patient,
    /// date, analyte and assay with the same value is left alone.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the store holds another value for that key.
    pub fn add_cytokine(
        &self,
        patient_id: i64,
        row: &CytokineRow,
        file_id: Option<i64>,
    ) -> Result<Inserted> {
        let date = crate::model::date::format_date(row.date);
        let c = &row.concentration;
        let existing: Option<(Option<f64>, String, Option<f64>)> = self
            .tx
            .prepare_cached(
                "SELECT value, censor, bound FROM cytokine_measurement
                  WHERE patient_id = ?1 AND date = ?2 AND analyte = ?3 AND assay = ?4",
            )?
            .query_row(params![patient_id, date, row.analyte, row.assay], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if let Some((value, censor, bound)) = existing {
            if value == c.value && censor == c.censor.as_str() && bound == c.bound {
                return Ok(Inserted::Existing);
            }
            let assay = if row.assay.is_empty() {
                String::new()
            } else {
                format!(" (assay {})", row.assay)
            };
            return Err(Error::conflict(format!(
                "{}{assay} on {date} is already stored with another value",
                row.analyte
            )));
        }
        self.tx
            .prepare_cached(
                "INSERT INTO cytokine_measurement (patient_id, date, analyte, analyte_raw, value,
                    unit, value_raw, unit_raw, censor, bound, lloq, uloq, assay, batch, file_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )?
            .execute(params![
                patient_id,
                date,
                row.analyte,
                row.analyte_raw,
                c.value,
                crate::model::cytokine::STORE_UNIT,
                row.value_raw,
                row.unit_raw,
                c.censor.as_str(),
                c.bound,
                row.lloq,
                row.uloq,
                row.assay,
                row.batch,
                file_id
            ])?;
        // The patient's latest cytokine date in `patient_summary` (migration 0010 has no
        // insert trigger on this table: see there), in the same transaction.
        self.tx
            .prepare_cached(
                "UPDATE patient_summary SET last_cytokine = ?2
                  WHERE patient_id = ?1 AND (last_cytokine IS NULL OR last_cytokine < ?2)",
            )?
            .execute(params![patient_id, date])?;
        Ok(Inserted::New)
    }
}
