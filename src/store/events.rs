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
    /// [`Error::Conflict`] (in `date` or `detail`) when the event contradicts the
    /// patient's stored ones: a death when the death is already recorded on another
    /// date or with another detail (survival is counted to one date of death), a death
    /// before a stored event, or an event after the stored death. Which one is right is
    /// for the data manager to say. Otherwise only if SQLite fails.
    pub fn add_event(
        &self,
        patient_id: i64,
        event: &ClinicalEvent,
        file_id: Option<i64>,
    ) -> Result<Inserted> {
        self.refuse_contradiction(patient_id, event)?;
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

    /// [`Error::Conflict`] when `event` contradicts the patient's stored events: a
    /// death other than the stored one, a death before a stored event, or an event after
    /// the stored death.
    fn refuse_contradiction(&self, patient_id: i64, event: &ClinicalEvent) -> Result<()> {
        let date = format_date(event.date);
        let stored = |sql: &str, params: &[&dyn rusqlite::ToSql]| -> Result<Option<Stored>> {
            Ok(self
                .tx
                .query_row(sql, params, |r| {
                    Ok(Stored {
                        date: r.get(0)?,
                        kind: r.get(1)?,
                        detail: r.get(2)?,
                        path: r.get(3)?,
                    })
                })
                .optional()?)
        };
        const SELECT: &str = "SELECT e.date, e.kind, e.detail, f.path FROM clinical_event e
                                LEFT JOIN ingested_file f USING (file_id)
                               WHERE e.patient_id = ?1";
        if event.kind == EventKind::Death {
            let other_death = stored(
                &format!(
                    "{SELECT} AND e.kind = 'death' AND NOT (e.date = ?2 AND e.detail = ?3)
                      ORDER BY e.date LIMIT 1"
                ),
                &[&patient_id, &date, &event.detail],
            )?;
            if let Some(death) = other_death {
                let (field, what) = if death.date != date {
                    ("date", format!("on {}", death.date))
                } else {
                    ("detail", format!("with detail '{}'", death.detail))
                };
                return Err(Error::conflict_in(
                    field,
                    format!(
                        "this patient's death is already recorded {what} ({}); a patient dies \
                         once: keep the event that is right and leave out the other",
                        death.source()
                    ),
                ));
            }
            let later = stored(
                &format!("{SELECT} AND e.date > ?2 ORDER BY e.date DESC LIMIT 1"),
                &[&patient_id, &date],
            )?;
            if let Some(later) = later {
                return Err(Error::conflict_in(
                    "date",
                    format!(
                        "a {} of this patient is recorded on {} ({}), after this death: check \
                         which date is wrong",
                        later.kind,
                        later.date,
                        later.source()
                    ),
                ));
            }
        } else if let Some(death) = stored(
            &format!("{SELECT} AND e.kind = 'death' AND e.date < ?2 ORDER BY e.date LIMIT 1"),
            &[&patient_id, &date],
        )? {
            return Err(Error::conflict_in(
                "date",
                format!(
                    "this patient's death is recorded on {} ({}), before this {}: check which \
                     date is wrong",
                    death.date,
                    death.source(),
                    event.kind
                ),
            ));
        }
        Ok(())
    }
}

/// A stored event [`Tx::add_event`] found in contradiction, and where it came from.
struct Stored {
    date: String,
    kind: String,
    detail: String,
    path: Option<String>,
}

impl Stored {
    /// `from FILE`, or `by \`event add\``.
    fn source(&self) -> String {
        match &self.path {
            Some(path) => format!("from {path}"),
            None => "by `event add`".to_string(),
        }
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
    fn a_second_death_a_death_before_an_event_or_an_event_after_death_is_a_conflict() {
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
        // On the day of death, an event may be; after it, none; and a death cannot come
        // before what is recorded.
        let last = event("2024-05-01", EventKind::LastContact, "");
        assert_eq!(tx.add_event(id, &last, None).unwrap(), Inserted::New);
        let after = event("2024-05-02", EventKind::Surgery, "");
        assert!(matches!(
            tx.add_event(id, &after, None),
            Err(Error::Conflict { field: Some("date"), message })
                if message == "this patient's death is recorded on 2024-05-01 (by `event add`), \
                               before this surgery: check which date is wrong"
        ));
        tx.add_patient(&patient("P002"), None).unwrap();
        let other = tx.patient_id("P002").unwrap().unwrap();
        tx.add_event(
            other,
            &event("2024-03-01", EventKind::Progression, ""),
            None,
        )
        .unwrap();
        assert!(matches!(
            tx.add_event(other, &event("2024-02-01", EventKind::Death, ""), None),
            Err(Error::Conflict { field: Some("date"), message })
                if message == "a progression of this patient is recorded on 2024-03-01 \
                               (by `event add`), after this death: check which date is wrong"
        ));
        tx.commit().unwrap();
        assert_eq!(store.events("P001").unwrap().len(), 2);
        assert_eq!(store.events("P002").unwrap().len(), 1);
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
