//! A patient's timeline: every dated item (events, blood draws, cytokine panels, imaging studies) in date order.

use super::Store;
use crate::error::Result;
use chrono::NaiveDate;

/// One dated item of a patient's course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineItem {
    /// When.
    pub date: NaiveDate,
    /// Days since the patient's index date (negative before it), when there is one.
    pub day: Option<i64>,
    /// `event`, `liquid-biopsy`, `cytokines` or `imaging`.
    pub category: String,
    /// The event kind, or what was measured (`blood draw`, `panel`, `CT` ...).
    pub item: String,
    /// Detail: event text, or a count of what the item holds.
    pub detail: String,
}

impl Store {
    /// Every dated item of a patient in date order; on one date, clinical events
    /// come first, then liquid biopsy (the blood draw, then each tracked fusion's
    /// junction fragments under its gene pair), cytokines and imaging.
    ///
    /// # Errors
    /// [`crate::Error::UnknownPatient`] when there is no such patient.
    pub fn timeline(&self, code: &str) -> Result<Vec<TimelineItem>> {
        let patient = self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "WITH me AS (SELECT patient_id FROM patient WHERE code = ?1)
             SELECT date, category, item, detail FROM (
               SELECT e.date, 0 AS rank, e.event_id AS seq, 'event' AS category, e.kind AS item,
                      e.detail AS detail
                 FROM clinical_event e WHERE e.patient_id = (SELECT patient_id FROM me)
               UNION ALL
               SELECT s.date, 1, s.sample_id, 'liquid-biopsy', 'blood draw',
                      (SELECT count(DISTINCT c.variant_id) FROM variant_call c
                        WHERE c.sample_id = s.sample_id AND c.detected = 1)
                        || ' variants detected' ||
                      CASE WHEN EXISTS (SELECT 1 FROM variant_call c
                                         WHERE c.sample_id = s.sample_id
                                           AND (c.detected = 1 OR c.depth > 0))
                                OR EXISTS (SELECT 1 FROM fusion_count f
                                            WHERE f.sample_id = s.sample_id)
                           THEN ''
                           ELSE ', no read at any locus: not a negative result' END
                 FROM lb_sample s WHERE s.patient_id = (SELECT patient_id FROM me)
               UNION ALL
               SELECT s.date, 1.5, t.fusion_id, 'liquid-biopsy',
                      coalesce(t.genes, t.chrom_a_raw || ':' || t.pos_a || '-' || t.chrom_b_raw
                               || ':' || t.pos_b) || ' fusion',
                      (c.split + c.discordant) || ' junction fragments (' || c.split || ' split, '
                      || c.discordant || ' discordant), reference ' || c.ref_a || ' / ' || c.ref_b
                      || coalesce(', fraction ' || printf('%.4f', c.fusion_fraction), '')
                 FROM fusion_count c JOIN lb_sample s USING (sample_id)
                 JOIN tracked_fusion t USING (fusion_id)
                WHERE s.patient_id = (SELECT patient_id FROM me)
               UNION ALL
               SELECT c.date, 2, min(c.measurement_id), 'cytokines', 'panel',
                      count(DISTINCT c.analyte) || ' analytes' ||
                      CASE WHEN count(DISTINCT c.assay) > 1
                           THEN ' x ' || count(DISTINCT c.assay) || ' assays' ELSE '' END
                 FROM cytokine_measurement c WHERE c.patient_id = (SELECT patient_id FROM me)
                GROUP BY c.date
               UNION ALL
               SELECT s.date, 3, s.study_id, 'imaging', s.modality,
                      trim(s.scanner || ' ' || ((SELECT count(*) FROM lesion_measurement m
                                                  WHERE m.study_id = s.study_id)
                                                + (SELECT count(DISTINCT u.lesion_id) FROM pet_uptake u
                                                    WHERE u.study_id = s.study_id)) || ' lesions')
                 FROM imaging_study s WHERE s.patient_id = (SELECT patient_id FROM me)
             ) ORDER BY date, rank, seq",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut items = Vec::new();
        for row in rows {
            let (date, category, item, detail) = row?;
            let date = super::stored_date(&date, &category)?;
            items.push(TimelineItem {
                date,
                day: patient.index_date.map(|index| (date - index).num_days()),
                category,
                item,
                detail,
            });
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventKind;
    use crate::store::patients::tests::{add_events, patient};

    #[test]
    fn timeline_orders_items_and_counts_days_from_the_index_date() {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        let id = tx.patient_id("P001").unwrap().unwrap();
        add_events(
            &tx,
            id,
            &[
                ("2024-04-01", EventKind::Surgery),
                ("2024-01-10", EventKind::Diagnosis),
            ],
        );
        tx.tx
            .execute(
                "INSERT INTO lb_sample (patient_id, date) VALUES (?1, '2024-04-01')",
                [id],
            )
            .unwrap();
        tx.commit().unwrap();
        let items = store.timeline("P001").unwrap();
        let seen: Vec<(Option<i64>, &str, &str)> = items
            .iter()
            .map(|i| (i.day, i.category.as_str(), i.item.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                (Some(0), "event", "diagnosis"),
                (Some(82), "event", "surgery"),
                (Some(82), "liquid-biopsy", "blood draw"),
            ]
        );
        // A draw with no call at all (an empty file) saw nothing: not a negative.
        assert_eq!(
            items[2].detail,
            "0 variants detected, no read at any locus: not a negative result"
        );
    }
}
