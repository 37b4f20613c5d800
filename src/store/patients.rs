//! Patients: insert, look up, list and summarise.

use super::{Store, Tx, now_utc};
use crate::error::{Error, Result};
use crate::model::{NewPatient, Patient, Sex};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Row, params};

/// What `patient show` tells about one patient: the stored fields and counts of
/// everything recorded for them.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientSummary {
    /// The patient and their index date.
    pub patient: Patient,
    /// Number of clinical events.
    pub events: i64,
    /// Number of treatment lines started.
    pub treatment_lines: i64,
    /// Date of death, if recorded.
    pub death_date: Option<NaiveDate>,
    /// The latest date of anything recorded for the patient.
    pub last_date: Option<NaiveDate>,
    /// Liquid-biopsy samples.
    pub lb_samples: i64,
    /// Dates with cytokine measurements.
    pub cytokine_panels: i64,
    /// Imaging studies.
    pub imaging_studies: i64,
}

const PATIENT_COLUMNS: &str = "p.code, p.diagnosis, p.sex, p.birth_year, p.site, p.primary_site, \
                               p.height_cm, i.index_date";

fn patient_from_row(row: &Row<'_>) -> rusqlite::Result<Patient> {
    let sex: Option<String> = row.get(2)?;
    Ok(Patient {
        fields: NewPatient {
            code: row.get(0)?,
            diagnosis: row.get(1)?,
            sex: sex.and_then(|s| s.parse::<Sex>().ok()),
            birth_year: row.get(3)?,
            site: row.get(4)?,
            primary_site: row.get(5)?,
            height_cm: row.get(6)?,
        },
        index_date: super::row_date(row, 7, "the patient's index date")?,
    })
}

impl Store {
    /// Every patient, ordered by identifier.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn patients(&self) -> Result<Vec<Patient>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PATIENT_COLUMNS} FROM patient p JOIN patient_index_date i USING (patient_id)
              ORDER BY p.code"
        ))?;
        let rows = stmt.query_map([], patient_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One patient by identifier.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is none.
    pub fn patient(&self, code: &str) -> Result<Patient> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {PATIENT_COLUMNS} FROM patient p JOIN patient_index_date i USING (patient_id)
                      WHERE p.code = ?1"
                ),
                [code],
                patient_from_row,
            )
            .optional()?
            .ok_or_else(|| Error::UnknownPatient(code.to_string()))
    }

    /// The patient with counts of everything recorded for them.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is none.
    pub fn patient_summary(&self, code: &str) -> Result<PatientSummary> {
        let patient = self.patient(code)?;
        let summary = self.conn.query_row(
            "SELECT
               (SELECT count(*) FROM clinical_event e WHERE e.patient_id = p.patient_id),
               (SELECT count(*) FROM clinical_event e WHERE e.patient_id = p.patient_id
                   AND e.kind = 'treatment-start'),
               (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id
                   AND e.kind = 'death'),
               (SELECT max(d) FROM (
                    SELECT max(date) AS d FROM clinical_event WHERE patient_id = p.patient_id
                    UNION ALL SELECT max(date) FROM lb_sample WHERE patient_id = p.patient_id
                    UNION ALL SELECT max(date) FROM cytokine_measurement WHERE patient_id = p.patient_id
                    UNION ALL SELECT max(date) FROM imaging_study WHERE patient_id = p.patient_id)),
               (SELECT count(*) FROM lb_sample s WHERE s.patient_id = p.patient_id),
               (SELECT count(DISTINCT date) FROM cytokine_measurement c WHERE c.patient_id = p.patient_id),
               (SELECT count(*) FROM imaging_study s WHERE s.patient_id = p.patient_id)
             FROM patient p WHERE p.code = ?1",
            [code],
            |r| {
                Ok(PatientSummary {
                    patient: patient.clone(),
                    events: r.get(0)?,
                    treatment_lines: r.get(1)?,
                    death_date: super::row_date(r, 2, "a death event")?,
                    last_date: super::row_date(r, 3, "the patient's latest date")?,
                    lb_samples: r.get(4)?,
                    cytokine_panels: r.get(5)?,
                    imaging_studies: r.get(6)?,
                })
            },
        )?;
        Ok(summary)
    }
}

impl Tx<'_> {
    /// Adds a patient.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the identifier exists already; [`Error::InvalidValue`]
    /// for a field the store would reject.
    pub fn add_patient(&self, patient: &NewPatient, file_id: Option<i64>) -> Result<()> {
        if let Err((field, reason)) = patient.validate() {
            return Err(Error::InvalidValue {
                what: field,
                value: patient.code.clone(),
                reason,
            });
        }
        if self.patient_id(&patient.code)?.is_some() {
            return Err(Error::conflict(format!(
                "patient '{}' already exists",
                patient.code
            )));
        }
        self.tx.execute(
            "INSERT INTO patient (code, diagnosis, sex, birth_year, site, primary_site, height_cm,
                                  file_id, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                patient.code,
                patient.diagnosis,
                patient.sex.map(Sex::code),
                patient.birth_year,
                patient.site,
                patient.primary_site,
                patient.height_cm,
                file_id,
                now_utc()
            ],
        )?;
        Ok(())
    }

    /// The stored fields of a patient, if the identifier exists.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn existing_patient(&self, code: &str) -> Result<Option<NewPatient>> {
        Ok(self
            .tx
            .query_row(
                "SELECT p.code, p.diagnosis, p.sex, p.birth_year, p.site, p.primary_site,
                        p.height_cm, NULL FROM patient p WHERE p.code = ?1",
                [code],
                patient_from_row,
            )
            .optional()?
            .map(|p| p.fields))
    }

    /// The internal row id of a patient, if the identifier exists.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn patient_id(&self, code: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .query_row(
                "SELECT patient_id FROM patient WHERE code = ?1",
                [code],
                |r| r.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Records `events` (date, kind) without detail for the patient with row id `id`.
    pub(crate) fn add_events(tx: &Tx<'_>, id: i64, events: &[(&str, crate::model::EventKind)]) {
        for (date, kind) in events {
            let event = crate::model::ClinicalEvent {
                patient: String::new(),
                date: crate::model::parse_date(date).unwrap(),
                kind: *kind,
                detail: String::new(),
            };
            tx.add_event(id, &event, None).unwrap();
        }
    }

    pub(crate) fn patient(code: &str) -> NewPatient {
        NewPatient {
            code: code.into(),
            diagnosis: "Ewing sarcoma".into(),
            sex: Some(Sex::Male),
            birth_year: Some(2008),
            site: Some("Centre A".into()),
            primary_site: Some("pelvis".into()),
            height_cm: Some(171.5),
        }
    }

    #[test]
    fn patient_round_trips_through_the_store() {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P002"), None).unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        tx.commit().unwrap();
        let all = store.patients().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].fields, patient("P001"));
        assert_eq!(all[0].index_date, None);
        assert_eq!(store.patient("P002").unwrap().fields.code, "P002");
        assert!(matches!(
            store.patient("P003"),
            Err(Error::UnknownPatient(code)) if code == "P003"
        ));
    }

    #[test]
    fn duplicate_patient_is_a_conflict_and_rolls_back() {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        tx.commit().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P009"), None).unwrap();
        let err = tx.add_patient(&patient("P001"), None).unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        drop(tx);
        assert_eq!(store.patients().unwrap().len(), 1);
    }
}
