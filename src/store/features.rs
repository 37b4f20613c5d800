//! The cohort-wide reads behind the feature matrix, survival and harmonisation: observations per feature family, each patient's course, lesion-level imaging values.

use super::{Store, row_date};
use crate::error::Result;
use crate::model::{Censor, Course, FeatureFamily, ImagingValue, Observation};

const DAY: &str = "CAST(round(julianday(x.date) - julianday(i.index_date)) AS INTEGER)";

impl Store {
    /// Every observation of a feature family, ordered by patient, date and feature.
    /// Censored cytokines carry their bound as the value, and every cytokine its assay
    /// (choose one with [`crate::analysis::matrix::choose_assay`]).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn observations(&self, family: FeatureFamily) -> Result<Vec<Observation>> {
        let sql = match family {
            FeatureFamily::Cytokines => format!(
                "SELECT p.code, x.date, {DAY}, x.analyte,
                        CASE WHEN x.censor = 'none' THEN x.value ELSE x.bound END, x.censor,
                        x.assay
                   FROM cytokine_measurement x JOIN patient p USING (patient_id)
                   JOIN patient_index_date i USING (patient_id)
                  ORDER BY p.code, x.date, x.analyte, x.assay"
            ),
            FeatureFamily::Radiomics => format!(
                "SELECT p.code, x.date, {DAY}, 'rad_' || r.feature, avg(r.value), 'none', ''
                   FROM radiomic_feature r JOIN imaging_study x USING (study_id)
                   JOIN patient p ON p.patient_id = x.patient_id
                   JOIN patient_index_date i ON i.patient_id = x.patient_id
                  GROUP BY x.study_id, r.feature
                  ORDER BY p.code, x.date, r.feature"
            ),
            FeatureFamily::Pet => format!(
                "SELECT p.code, x.date, {DAY}, m.metric || '_' || u.method || '_' || u.method_param,
                        CASE m.metric WHEN 'pet_suvmax' THEN max(u.suv_max)
                                      WHEN 'pet_mtv' THEN sum(u.mtv_ml)
                                      ELSE sum(u.tlg) END, 'none', ''
                   FROM pet_uptake u JOIN imaging_study x USING (study_id)
                   JOIN patient p ON p.patient_id = x.patient_id
                   JOIN patient_index_date i ON i.patient_id = x.patient_id
                   CROSS JOIN (SELECT 'pet_suvmax' AS metric UNION ALL SELECT 'pet_mtv'
                               UNION ALL SELECT 'pet_tlg') m
                  GROUP BY x.study_id, u.method, u.method_param, m.metric
                  ORDER BY p.code, x.date, 4"
            ),
            FeatureFamily::Ctdna => format!(
                "SELECT p.code, x.date, {DAY}, m.metric,
                        CASE m.metric WHEN 'ctdna_mean_vaf' THEN avg(coalesce(c.vaf, 0))
                                      ELSE max(coalesce(c.vaf, 0)) END, 'none', ''
                   FROM variant_call c JOIN lb_sample x USING (sample_id)
                   JOIN patient p ON p.patient_id = x.patient_id
                   JOIN patient_index_date i ON i.patient_id = x.patient_id
                   CROSS JOIN (SELECT 'ctdna_mean_vaf' AS metric UNION ALL SELECT 'ctdna_max_vaf') m
                  -- A row at depth 0 saw nothing: its AF (0) is no measurement.
                  WHERE c.depth IS NULL OR c.depth > 0
                  GROUP BY x.sample_id, m.metric
                  ORDER BY p.code, x.date, 4"
            ),
        };
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            let censor: String = r.get(5)?;
            Ok(Observation {
                patient: r.get(0)?,
                date: row_date(r, 1, "a feature observation")?.unwrap_or_default(),
                day: r.get(2)?,
                feature: r.get(3)?,
                assay: r.get(6)?,
                value: r.get::<_, Option<f64>>(4)?.unwrap_or(f64::NAN),
                censor: Censor::parse(&censor).map_err(|m| {
                    rusqlite::Error::FromSqlConversionFailure(
                        5,
                        rusqlite::types::Type::Text,
                        Box::new(crate::error::CorruptValue(m)),
                    )
                })?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            if row.value.is_finite() {
                out.push(row);
            }
        }
        Ok(out)
    }

    /// Every patient's course for survival, ordered by patient code.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn courses(&self) -> Result<Vec<Course>> {
        let mut stmt = self.conn.prepare(
            "SELECT p.code, p.diagnosis, p.sex, p.site,
                    (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND kind = 'diagnosis'),
                    (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND kind = 'treatment-start'),
                    (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id
                        AND kind IN ('progression', 'relapse')),
                    (SELECT min(date) FROM clinical_event e WHERE e.patient_id = p.patient_id AND kind = 'death'),
                    (SELECT max(date) FROM clinical_event e WHERE e.patient_id = p.patient_id)
               FROM patient p ORDER BY p.code",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Course {
                patient: r.get(0)?,
                diagnosis: r.get(1)?,
                sex: r.get(2)?,
                site: r.get(3)?,
                diagnosis_date: row_date(r, 4, "a diagnosis event")?,
                treatment_start: row_date(r, 5, "a treatment-start event")?,
                progression: row_date(r, 6, "a progression event")?,
                death: row_date(r, 7, "a death event")?,
                last_follow_up: row_date(r, 8, "a clinical event")?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Lesion-level radiomic features (`rad_` prefix dropped) or PET metrics
    /// (`suv_max`, `suv_peak`, `suv_mean`, `mtv_ml`, `tlg` per method) with scanner and site.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn imaging_values(&self, family: FeatureFamily) -> Result<Vec<ImagingValue>> {
        let sql = match family {
            FeatureFamily::Pet => {
                "SELECT u.study_id, u.lesion_id, s.scanner, s.site,
                        m.metric || '@' || u.method || ':' || u.method_param,
                        CASE m.metric WHEN 'suv_max' THEN u.suv_max WHEN 'suv_peak' THEN u.suv_peak
                             WHEN 'suv_mean' THEN u.suv_mean WHEN 'mtv_ml' THEN u.mtv_ml ELSE u.tlg END
                   FROM pet_uptake u JOIN imaging_study s USING (study_id)
                   CROSS JOIN (SELECT 'suv_max' AS metric UNION ALL SELECT 'suv_peak' UNION ALL
                               SELECT 'suv_mean' UNION ALL SELECT 'mtv_ml' UNION ALL SELECT 'tlg') m
                  ORDER BY u.study_id, u.lesion_id, 5"
            }
            _ => {
                "SELECT r.study_id, r.lesion_id, s.scanner, s.site, r.feature, r.value
                   FROM radiomic_feature r JOIN imaging_study s USING (study_id)
                  ORDER BY r.study_id, r.lesion_id, r.feature"
            }
        };
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(ImagingValue {
                study_id: r.get(0)?,
                lesion_id: r.get(1)?,
                scanner: r.get(2)?,
                site: r.get(3)?,
                feature: r.get(4)?,
                value: r.get::<_, Option<f64>>(5)?.unwrap_or(f64::NAN),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Inserts rows the other areas' ingest code will write, for tests of the reads here.
    pub(crate) fn insert_fixture_rows(store: &Store) {
        store
            .conn
            .execute_batch(
                "INSERT INTO patient (patient_id, code, diagnosis, sex, site, created_at) VALUES
                   (1, 'P1', 'osteosarcoma', 'F', 'A', 'now'), (2, 'P2', 'Ewing sarcoma', 'M', 'B', 'now');
                 INSERT INTO clinical_event (patient_id, date, kind) VALUES
                   (1, '2024-01-01', 'diagnosis'), (1, '2024-06-01', 'progression'),
                   (1, '2025-01-01', 'death'), (2, '2024-02-01', 'diagnosis'),
                   (2, '2025-02-01', 'last-contact');
                 INSERT INTO cytokine_measurement (patient_id, date, analyte, analyte_raw, value, value_raw, censor, bound) VALUES
                   (1, '2024-01-05', 'IL6', 'IL-6', 12.0, '12', 'none', NULL),
                   (1, '2024-01-05', 'MIF', 'MIF', NULL, '<2', 'left', 2.0),
                   (2, '2024-02-03', 'IL6', 'IL-6', 3.0, '3', 'none', NULL);",
            )
            .unwrap();
    }

    #[test]
    fn censored_cytokine_reads_at_its_bound_with_day_since_index() {
        let store = Store::in_memory().unwrap();
        insert_fixture_rows(&store);
        let rows = store.observations(FeatureFamily::Cytokines).unwrap();
        assert_eq!(rows.len(), 3);
        let mif = rows.iter().find(|r| r.feature == "MIF").unwrap();
        assert_eq!(
            (mif.value, mif.censor, mif.day),
            (2.0, Censor::Left, Some(4))
        );
    }

    #[test]
    fn course_has_first_progression_death_and_last_follow_up() {
        let store = Store::in_memory().unwrap();
        insert_fixture_rows(&store);
        let courses = store.courses().unwrap();
        let date = |d| crate::model::parse_date(d).ok();
        assert_eq!(courses[0].progression, date("2024-06-01"));
        assert_eq!(courses[0].death, date("2025-01-01"));
        assert_eq!(courses[1].last_follow_up, date("2025-02-01"));
        assert_eq!(courses[1].death, None);
    }
}
