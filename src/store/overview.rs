//! Cohort overview for the terminal UI: one aggregate row per patient in a single query.

use super::Store;
use crate::error::Result;
use chrono::NaiveDate;

/// What the cohort table shows of a patient that the store holds directly.
#[derive(Debug, Clone, PartialEq)]
pub struct OverviewRow {
    /// Patient identifier.
    pub code: String,
    /// Diagnosis.
    pub diagnosis: String,
    /// Year of birth.
    pub birth_year: Option<i32>,
    /// Index date (first diagnosis, else first treatment start).
    pub index_date: Option<NaiveDate>,
    /// Latest date recorded for the patient: a measurement (blood draw, cytokines, imaging)
    /// or a clinical event (a `last_contact`, a treatment, death): the last contact.
    pub last_visit: Option<NaiveDate>,
    /// Date of death, if recorded.
    pub death_date: Option<NaiveDate>,
    /// Cluster in the latest cluster run, if any.
    pub endotype: Option<i64>,
}

impl Store {
    /// One row per patient, ordered by identifier, for the cohort screen.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn overview(&self) -> Result<Vec<OverviewRow>> {
        let mut stmt = self.conn.prepare(
            // One row of `patient_summary` per patient (kept by the triggers of migration
            // 0010): the cohort is read in work proportional to the patients, not to their
            // measurements (correlated maxima over the four dated tables took 1.6 s of
            // I/O-bound time at 50,000 patients; docs/benchmarks.md).
            "SELECT p.code, p.diagnosis, p.birth_year,
                    coalesce(s.first_diagnosis, s.first_treatment),
                    nullif(max(coalesce(s.last_event, ''), coalesce(s.last_draw, ''),
                               coalesce(s.last_cytokine, ''), coalesce(s.last_imaging, '')), '')
                      AS last_visit,
                    s.death_date,
                    c.cluster
               FROM patient p
               JOIN patient_summary s USING (patient_id)
               LEFT JOIN cluster_assignment c
                      ON c.patient_id = p.patient_id
                     AND c.run_id = (SELECT max(run_id) FROM analysis_run WHERE kind = 'cluster')
              ORDER BY p.code",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(OverviewRow {
                code: r.get(0)?,
                diagnosis: r.get(1)?,
                birth_year: r.get(2)?,
                index_date: super::row_date(r, 3, "the patient's index date")?,
                last_visit: super::row_date(r, 4, "the patient's last visit")?,
                death_date: super::row_date(r, 5, "a death event")?,
                endotype: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKind, parse_date};
    use crate::store::patients::tests::{add_events, patient};

    #[test]
    fn overview_aggregates_dates_death_and_latest_cluster() {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        tx.add_patient(&patient("P002"), None).unwrap();
        let id = tx.patient_id("P001").unwrap().unwrap();
        add_events(
            &tx,
            id,
            &[
                ("2024-01-10", EventKind::Diagnosis),
                ("2025-03-01", EventKind::Death),
            ],
        );
        tx.tx
            .execute_batch(
                "INSERT INTO imaging_study (patient_id, date, modality) VALUES (1, '2024-06-01', 'CT');
                 INSERT INTO analysis_run (kind, name, software, created_at) VALUES
                   ('cluster', 'old', 't', 'x'), ('cluster', 'new', 't', 'y');
                 INSERT INTO cluster_assignment (run_id, patient_id, cluster) VALUES
                   (1, 1, 1), (2, 1, 3), (2, 2, 1);",
            )
            .unwrap();
        tx.commit().unwrap();
        let rows = store.overview().unwrap();
        assert_eq!(rows.len(), 2);
        // The death, after the last scan, is the last contact.
        assert_eq!(rows[0].last_visit, Some(parse_date("2025-03-01").unwrap()));
        assert_eq!(rows[0].death_date, Some(parse_date("2025-03-01").unwrap()));
        assert_eq!(rows[0].endotype, Some(3), "the latest run wins");
        assert_eq!(rows[1].last_visit, None);
    }

    /// The summary as migration 0010's backfill computes it from the dated tables.
    const FULL_SUMMARY: &str = "SELECT p.patient_id,
       (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND e.kind = 'diagnosis'),
       (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND e.kind = 'treatment-start'),
       (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND e.kind = 'death'),
       (SELECT max(date) FROM clinical_event e WHERE e.patient_id = p.patient_id),
       (SELECT max(date) FROM lb_sample s WHERE s.patient_id = p.patient_id),
       (SELECT max(date) FROM cytokine_measurement c WHERE c.patient_id = p.patient_id),
       (SELECT max(date) FROM imaging_study m WHERE m.patient_id = p.patient_id)
  FROM patient p ORDER BY p.patient_id";

    const KEPT_SUMMARY: &str = "SELECT patient_id, first_diagnosis, first_treatment, death_date,
       last_event, last_draw, last_cytokine, last_imaging FROM patient_summary ORDER BY patient_id";

    type SummaryRow = (
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );

    /// Every patient's index date, as the `patient_index_date` view gives it.
    fn index_dates(conn: &rusqlite::Connection) -> Vec<(i64, Option<String>)> {
        conn.prepare("SELECT patient_id, index_date FROM patient_index_date ORDER BY patient_id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn summary_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<SummaryRow> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    /// A small deterministic generator (xorshift) for the sequence of writes.
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
        fn date(&mut self) -> String {
            format!("2024-{:02}-{:02}", 1 + self.below(12), 1 + self.below(28))
        }
    }

    #[test]
    fn the_kept_summary_equals_the_full_computation_after_ingests_deletes_and_edits() {
        use crate::model::{Modality, StudyKey};
        let mut store = Store::in_memory().unwrap();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let kinds = [
            EventKind::Diagnosis,
            EventKind::TreatmentStart,
            EventKind::Death,
            EventKind::LastContact,
            EventKind::Surgery,
        ];
        let mut next_code = 0;
        let mut checked = 0;
        for step in 0..600 {
            let tx = store.transaction().unwrap();
            let patients: i64 = tx
                .tx
                .query_row("SELECT count(*) FROM patient", [], |r| r.get(0))
                .unwrap();
            let pick = |rng: &mut Rng| -> i64 {
                tx.tx
                    .query_row(
                        "SELECT patient_id FROM patient ORDER BY patient_id LIMIT 1 OFFSET ?1",
                        [rng.below(patients.max(1) as u64) as i64],
                        |r| r.get(0),
                    )
                    .unwrap()
            };
            let action = if patients < 3 { 0 } else { rng.below(14) };
            match action {
                // Ingests, through the store's own writers.
                0 => {
                    next_code += 1;
                    tx.add_patient(&patient(&format!("P{next_code:03}")), None)
                        .unwrap();
                }
                1..=3 => {
                    let id = pick(&mut rng);
                    let date = rng.date();
                    let kind = kinds[rng.below(kinds.len() as u64) as usize];
                    let event = crate::model::ClinicalEvent {
                        patient: String::new(),
                        date: parse_date(&date).unwrap(),
                        kind,
                        detail: String::new(),
                    };
                    // An event that contradicts a stored death is refused, and leaves
                    // nothing (`Tx::add_event`); the date edits below still move deaths.
                    match tx.add_event(id, &event, None) {
                        Ok(_) | Err(crate::Error::Conflict { .. }) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
                4 | 5 => {
                    let id = pick(&mut rng);
                    let date = parse_date(&rng.date()).unwrap();
                    tx.lb_sample(id, date, Some(1.0)).unwrap();
                }
                6 | 7 => {
                    let id = pick(&mut rng);
                    let date = parse_date(&rng.date()).unwrap();
                    for analyte in ["IL-6", "IL-8"] {
                        let row = crate::model::CytokineRow {
                            line: 2,
                            patient: String::new(),
                            date,
                            analyte: analyte.into(),
                            analyte_raw: analyte.into(),
                            concentration: crate::model::Concentration {
                                value: Some(1.5),
                                censor: crate::model::Censor::None,
                                bound: None,
                            },
                            value_raw: "1.5".into(),
                            unit_raw: String::new(),
                            lloq: None,
                            uloq: None,
                            assay: String::new(),
                            batch: String::new(),
                        };
                        tx.add_cytokine(id, &row, None).unwrap();
                    }
                }
                8 => {
                    let id = pick(&mut rng);
                    let code: String = tx
                        .tx
                        .query_row(
                            "SELECT code FROM patient WHERE patient_id = ?1",
                            [id],
                            |r| r.get(0),
                        )
                        .unwrap();
                    let key = StudyKey {
                        patient: code,
                        date: parse_date(&rng.date()).unwrap(),
                        modality: Modality::Ct,
                        scanner: String::new(),
                        site: String::new(),
                    };
                    tx.study_id(id, &key).unwrap();
                }
                // Deletes: one row of a dated table (often the newest), or a whole patient.
                9 | 10 => {
                    let table = [
                        "clinical_event",
                        "lb_sample",
                        "cytokine_measurement",
                        "imaging_study",
                    ][rng.below(4) as usize];
                    let order = if rng.below(2) == 0 {
                        "date DESC"
                    } else {
                        "random()"
                    };
                    tx.tx
                        .execute(
                            &format!(
                                "DELETE FROM {table} WHERE rowid =
                                   (SELECT rowid FROM {table} WHERE patient_id = ?1 ORDER BY {order} LIMIT 1)"
                            ),
                            [pick(&mut rng)],
                        )
                        .unwrap();
                }
                11 => {
                    tx.tx
                        .execute(
                            "DELETE FROM patient WHERE patient_id = ?1",
                            [pick(&mut rng)],
                        )
                        .unwrap();
                }
                // Edits: a date moved, a kind changed, a row moved to another patient.
                12 => {
                    let table = [
                        "clinical_event",
                        "lb_sample",
                        "cytokine_measurement",
                        "imaging_study",
                    ][rng.below(4) as usize];
                    tx.tx
                        .execute(
                            &format!(
                                "UPDATE OR IGNORE {table} SET date = ?2 WHERE rowid =
                                   (SELECT rowid FROM {table} WHERE patient_id = ?1 ORDER BY date DESC LIMIT 1)"
                            ),
                            rusqlite::params![pick(&mut rng), rng.date()],
                        )
                        .unwrap();
                }
                _ => {
                    let (from, to) = (pick(&mut rng), pick(&mut rng));
                    tx.tx
                        .execute(
                            "UPDATE OR IGNORE clinical_event SET patient_id = ?2,
                                kind = CASE kind WHEN 'death' THEN 'diagnosis' ELSE 'death' END
                              WHERE rowid = (SELECT rowid FROM clinical_event WHERE patient_id = ?1
                                              ORDER BY date LIMIT 1)",
                            [from, to],
                        )
                        .unwrap();
                    tx.tx
                        .execute(
                            "UPDATE OR IGNORE lb_sample SET patient_id = ?2
                              WHERE rowid = (SELECT rowid FROM lb_sample WHERE patient_id = ?1
                                              ORDER BY date DESC LIMIT 1)",
                            [from, to],
                        )
                        .unwrap();
                }
            }
            let kept = summary_rows(&tx.tx, KEPT_SUMMARY);
            let full = summary_rows(&tx.tx, FULL_SUMMARY);
            assert_eq!(kept, full, "after step {step} (action {action})");
            if kept.iter().any(|r| r.4.is_some() && r.5.is_some()) {
                checked += 1;
            }
            tx.commit().unwrap();
        }
        assert!(
            checked > 300,
            "the sequence compared dated summaries {checked} times"
        );
        // And the screen reads it: the overview agrees with the full computation.
        let rows = store.overview().unwrap();
        let full = summary_rows(&store.conn, FULL_SUMMARY);
        assert_eq!(rows.len(), full.len());
    }

    #[test]
    fn migrating_a_store_fills_the_summary_from_what_it_holds() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        let before = &crate::store::migrations::MIGRATIONS[..9];
        crate::store::migrations::migrate(&mut conn, before).unwrap();
        conn.execute_batch(
            "INSERT INTO patient (patient_id, code, diagnosis, created_at) VALUES
               (1, 'P1', 'osteosarcoma', 'x'), (2, 'P2', 'osteosarcoma', 'x'), (3, 'P3', 'osteosarcoma', 'x');
             INSERT INTO clinical_event (patient_id, date, kind) VALUES
               (1, '2024-01-05', 'diagnosis'), (1, '2024-01-20', 'treatment-start'),
               (1, '2025-02-01', 'death'), (2, '2024-03-01', 'treatment-start');
             INSERT INTO lb_sample (patient_id, date) VALUES (1, '2024-06-01'), (2, '2025-06-01');
             INSERT INTO cytokine_measurement (patient_id, date, analyte, analyte_raw, value, value_raw)
               VALUES (2, '2025-07-01', 'IL-6', 'IL-6', 2.0, '2.0');
             INSERT INTO imaging_study (patient_id, date, modality) VALUES (1, '2024-09-01', 'CT');",
        )
        .unwrap();
        let index_before = index_dates(&conn);
        crate::store::migrations::migrate(&mut conn, crate::store::migrations::MIGRATIONS).unwrap();
        let kept = summary_rows(&conn, KEPT_SUMMARY);
        assert_eq!(kept, summary_rows(&conn, FULL_SUMMARY));
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[1].6.as_deref(), Some("2025-07-01"));
        let index_after = index_dates(&conn);
        assert_eq!(
            index_after, index_before,
            "the index date view is unchanged"
        );
        assert_eq!(index_after[1].1.as_deref(), Some("2024-03-01"));
    }
}
