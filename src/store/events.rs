//! Clinical events: insert (idempotent per identity) and list per patient.

use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::model::date::format_date;
use crate::model::{ClinicalEvent, EventKind};
use rusqlite::{OptionalExtension, params};

/// Whether an event was written or was already in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// A new row was written.
    New,
    /// The same patient, date, kind and detail were already recorded.
    Existing,
}

impl Store {
    /// A patient's clinical events in date order (ties in the order of a course).
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn events(&self, code: &str) -> Result<Vec<ClinicalEvent>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "SELECT e.date, e.kind, e.detail FROM clinical_event e
               JOIN patient p USING (patient_id)
              WHERE p.code = ?1 ORDER BY e.date, e.event_id",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?))
        })?;
        let mut events = Vec::new();
        for row in rows {
            let (date, kind, detail) = row?;
            events.push(ClinicalEvent {
                patient: code.to_string(),
                date: super::stored_date(&date, "a clinical event")?,
                kind: kind
                    .parse::<EventKind>()
                    .map_err(|m| Error::Corrupt(format!("stored event kind '{kind}': {m}")))?,
                detail,
            });
        }
        Ok(events)
    }
}

impl Tx<'_> {
    /// Records an event for a patient already looked up by [`Tx::patient_id`].
    /// An identical event (same date, kind and detail) is left as it is.
    ///
    /// # Errors
    /// [`Error::Conflict`] (in `date` or `detail`) for a death when the patient's death
    /// is already recorded on another date or with another detail: survival is counted
    /// to one date of death, and which one is right is for the data manager to say.
    /// Otherwise only if SQLite fails.
    pub fn add_event(
        &self,
        patient_id: i64,
        event: &ClinicalEvent,
        file_id: Option<i64>,
    ) -> Result<Inserted> {
        if event.kind == EventKind::Death {
            self.refuse_second_death(patient_id, event)?;
        }
        let changed = self.tx.execute(
            "INSERT INTO clinical_event (patient_id, date, kind, detail, file_id)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (patient_id, date, kind, detail) DO NOTHING",
            params![
                patient_id,
                format_date(event.date),
                event.kind.as_str(),
                event.detail,
                file_id
            ],
        )?;
        Ok(if changed == 1 {
            Inserted::New
        } else {
            Inserted::Existing
        })
    }

    /// [`Error::Conflict`] when the patient already has a death other than `death`.
    fn refuse_second_death(&self, patient_id: i64, death: &ClinicalEvent) -> Result<()> {
        let date = format_date(death.date);
        let stored: Option<(String, String, Option<String>)> = self
            .tx
            .query_row(
                "SELECT e.date, e.detail, f.path FROM clinical_event e
                   LEFT JOIN ingested_file f USING (file_id)
                  WHERE e.patient_id = ?1 AND e.kind = 'death'
                    AND NOT (e.date = ?2 AND e.detail = ?3)
                  ORDER BY e.date LIMIT 1",
                params![patient_id, date, death.detail],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((stored_date, stored_detail, source)) = stored else {
            return Ok(());
        };
        let source = match source {
            Some(path) => format!("from {path}"),
            None => "by `event add`".to_string(),
        };
        let (field, what) = if stored_date != date {
            ("date", format!("on {stored_date}"))
        } else {
            ("detail", format!("with detail '{stored_detail}'"))
        };
        Err(Error::conflict_in(
            field,
            format!(
                "this patient's death is already recorded {what} ({source}); a patient dies \
                 once: keep the event that is right and leave out the other"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::patients::tests::patient;

    fn event(date: &str, kind: EventKind, detail: &str) -> ClinicalEvent {
        ClinicalEvent {
            patient: "P001".into(),
            date: crate::model::parse_date(date).unwrap(),
            kind,
            detail: detail.into(),
        }
    }

    #[test]
    fn events_round_trip_in_date_order_and_set_the_index_date() {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        let id = tx.patient_id("P001").unwrap().unwrap();
        let later = event("2024-03-01", EventKind::TreatmentStart, "line 1: VDC/IE");
        let first = event("2024-02-10", EventKind::Diagnosis, "");
        assert_eq!(tx.add_event(id, &later, None).unwrap(), Inserted::New);
        assert_eq!(tx.add_event(id, &first, None).unwrap(), Inserted::New);
        assert_eq!(tx.add_event(id, &first, None).unwrap(), Inserted::Existing);
        tx.commit().unwrap();
        assert_eq!(store.events("P001").unwrap(), vec![first.clone(), later]);
        assert_eq!(store.patient("P001").unwrap().index_date, Some(first.date));
    }

    #[test]
    fn a_second_death_on_another_date_or_with_another_detail_is_a_conflict() {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        let id = tx.patient_id("P001").unwrap().unwrap();
        let death = event("2024-05-01", EventKind::Death, "disease");
        assert_eq!(tx.add_event(id, &death, None).unwrap(), Inserted::New);
        assert_eq!(tx.add_event(id, &death, None).unwrap(), Inserted::Existing);
        for (other, field, said) in [
            (
                event("2024-06-01", EventKind::Death, "disease"),
                "date",
                "on 2024-05-01",
            ),
            (
                event("2024-05-01", EventKind::Death, "toxicity"),
                "detail",
                "with detail 'disease'",
            ),
        ] {
            match tx.add_event(id, &other, None) {
                Err(Error::Conflict {
                    field: Some(named),
                    message,
                }) => {
                    assert_eq!(named, field);
                    assert!(
                        message.starts_with(&format!(
                            "this patient's death is already recorded {said} (by `event add`)"
                        )),
                        "{message}"
                    );
                }
                other => panic!("{other:?}"),
            }
        }
        // Other events after or on the day of death are not this check's business.
        let last = event("2024-05-01", EventKind::LastContact, "");
        assert_eq!(tx.add_event(id, &last, None).unwrap(), Inserted::New);
        tx.commit().unwrap();
        assert_eq!(store.events("P001").unwrap().len(), 2);
    }

    #[test]
    fn index_date_falls_back_to_first_treatment_start() {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        let id = tx.patient_id("P001").unwrap().unwrap();
        tx.add_event(id, &event("2024-05-01", EventKind::Surgery, ""), None)
            .unwrap();
        tx.add_event(
            id,
            &event("2024-06-01", EventKind::TreatmentStart, ""),
            None,
        )
        .unwrap();
        tx.commit().unwrap();
        assert_eq!(
            store.patient("P001").unwrap().index_date,
            Some(crate::model::parse_date("2024-06-01").unwrap())
        );
    }
}
