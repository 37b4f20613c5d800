//! Reads that assemble response-assessment and trend inputs: lesion scans, PET uptake, ctDNA samples and cytokine series.

use super::Store;
use crate::error::{Error, Result};
use crate::model::Censor;
use crate::model::Sex;
use crate::model::assessment::{
    ImagingVisit, Lesion, LesionSeries, Measurement, PetLesion, PetSeries, PetVisit,
};
use crate::model::{PatientRecord, Point, ResponseRecord};
use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

/// Segmentation methods preferred for PET volumes, in order (method, parameter).
const PET_METHOD_PREFERENCE: &str = "CASE method WHEN 'percist' THEN 0 WHEN 'relative' THEN 1 \
                                     WHEN 'background' THEN 2 WHEN 'absolute' THEN 3 ELSE 4 END";

use super::stored_date;

impl Store {
    /// The patient's lesions and CT/MR scans with their measurements.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn lesion_series(&self, code: &str) -> Result<LesionSeries> {
        let patient_id = self.patient_row_id(code)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT label, organ, is_nodal, is_target FROM lesion WHERE patient_id = ?1 ORDER BY label",
        )?;
        let lesions = stmt
            .query_map([patient_id], |r| {
                Ok(Lesion {
                    label: r.get(0)?,
                    organ: r.get(1)?,
                    nodal: r.get::<_, i64>(2)? == 1,
                    designated_target: r.get::<_, i64>(3)? == 1,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.date, l.label, m.longest_diameter_mm, m.short_axis_mm, m.mean_hu, m.is_new
               FROM imaging_study s
               LEFT JOIN lesion_measurement m ON m.study_id = s.study_id
               LEFT JOIN lesion l ON l.lesion_id = m.lesion_id
              WHERE s.patient_id = ?1 AND s.modality IN ('CT', 'MR')
              ORDER BY s.date, s.modality, l.label",
        )?;
        let rows = stmt.query_map([patient_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, Option<f64>>(3)?,
                r.get::<_, Option<f64>>(4)?,
                r.get::<_, Option<i64>>(5)?,
            ))
        })?;
        let mut visits: BTreeMap<NaiveDate, ImagingVisit> = BTreeMap::new();
        for row in rows {
            let (date, label, longest, short, hu, new) = row?;
            let date = stored_date(&date, "imaging_study")?;
            let visit = visits.entry(date).or_insert_with(|| ImagingVisit {
                date,
                measurements: Vec::new(),
            });
            // CT and MR on one date: the first (CT) reading of a lesion wins.
            if let Some(label) = label.filter(|l| !visit.measurements.iter().any(|m| &m.label == l))
            {
                visit.measurements.push(Measurement {
                    label,
                    longest_diameter_mm: longest,
                    short_axis_mm: short,
                    mean_hu: hu,
                    is_new: new == Some(1),
                });
            }
        }
        Ok(LesionSeries {
            lesions,
            visits: visits.into_values().collect(),
        })
    }

    /// The patient's PET scans with each lesion's uptake (one segmentation method
    /// for the whole course: the preferred method present on the first PET scan,
    /// in the order percist, relative, background, absolute), with height and sex.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn pet_series(&self, code: &str) -> Result<PetSeries> {
        let patient_id = self.patient_row_id(code)?;
        let (height_cm, sex): (Option<f64>, Option<String>) = self
            .conn
            .prepare_cached(
                // The patient's height and sex, else the latest PET series' (PatientSize, PatientSex).
                "SELECT coalesce(p.height_cm,
                        (SELECT s.height_m * 100 FROM imaging_study s
                          WHERE s.patient_id = p.patient_id AND s.height_m IS NOT NULL
                          ORDER BY s.date DESC LIMIT 1)),
                    CASE WHEN p.sex IN ('F', 'M') THEN p.sex
                         ELSE coalesce((SELECT s.sex FROM imaging_study s
                                         WHERE s.patient_id = p.patient_id AND s.sex IN ('F', 'M')
                                         ORDER BY s.date DESC LIMIT 1), p.sex) END
               FROM patient p WHERE p.patient_id = ?1",
            )?
            .query_row([patient_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        let (method, param) = self.pet_method(patient_id)?.unwrap_or_default();
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.date, s.weight_kg, s.liver_suv_mean, s.liver_suv_sd, s.blood_pool_suv,
                    l.label, u.suv_max, u.suv_peak, u.tlg,
                    coalesce((SELECT max(m.is_new) FROM lesion_measurement m
                               JOIN imaging_study c ON c.study_id = m.study_id
                              WHERE m.lesion_id = u.lesion_id AND c.patient_id = s.patient_id
                                AND c.date <= s.date), 0)
               FROM imaging_study s
               LEFT JOIN pet_uptake u ON u.study_id = s.study_id AND u.method = ?2
                                      AND u.method_param = ?3
               LEFT JOIN lesion l ON l.lesion_id = u.lesion_id
              WHERE s.patient_id = ?1 AND s.modality = 'PET'
              ORDER BY s.date, l.label",
        )?;
        let rows = stmt.query_map(rusqlite::params![patient_id, method, param], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<f64>>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, Option<f64>>(3)?,
                r.get::<_, Option<f64>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<f64>>(6)?,
                r.get::<_, Option<f64>>(7)?,
                r.get::<_, Option<f64>>(8)?,
                r.get::<_, i64>(9)?,
            ))
        })?;
        let mut visits: BTreeMap<NaiveDate, PetVisit> = BTreeMap::new();
        for row in rows {
            let (date, weight, liver, liver_sd, blood, label, suv_max, suv_peak, tlg, new) = row?;
            let date = stored_date(&date, "imaging_study")?;
            let visit = visits.entry(date).or_insert_with(|| PetVisit {
                date,
                weight_kg: weight,
                liver_suv_mean: liver,
                liver_suv_sd: liver_sd,
                blood_pool_suv: blood,
                cycles: None,
                lesions: Vec::new(),
            });
            if let Some(label) = label {
                visit.lesions.push(PetLesion {
                    label,
                    suv_max,
                    suv_peak,
                    tlg,
                    is_new: new == 1,
                });
            }
        }
        Ok(PetSeries {
            height_cm,
            sex: sex.and_then(|s| s.parse::<Sex>().ok()),
            visits: visits.into_values().collect(),
        })
    }

    /// Everything the response criteria read for one patient, as stored:
    /// [`Store::lesion_series`], [`Store::pet_series`] and [`Store::tracked_calls`]
    /// (the callers' rows; `analysis::response::PatientInputs::from_record` merges them).
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn response_record(&self, code: &str) -> Result<ResponseRecord> {
        Ok(ResponseRecord {
            lesions: self.lesion_series(code)?,
            pet: self.pet_series(code)?,
            draws: self.tracked_calls(code)?,
        })
    }

    /// Everything a patient's series are made from, each table read once: the
    /// response record, MTV per PET date and every cytokine's values
    /// (`analysis::series::SeriesInputs::from_record` makes the series inputs).
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn patient_record(&self, code: &str) -> Result<PatientRecord> {
        Ok(PatientRecord {
            response: self.response_record(code)?,
            pet_mtv: self.pet_mtv(code)?,
            cytokines: self.cytokine_points(code)?,
        })
    }

    /// The segmentation method (and its parameter) a patient's PET series uses: the
    /// preferred one present on the first PET scan; `None` without PET uptake.
    fn pet_method(&self, patient_id: i64) -> Result<Option<(String, f64)>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT method, method_param FROM pet_uptake
                  WHERE study_id = (SELECT study_id FROM imaging_study
                                     WHERE patient_id = ?1 AND modality = 'PET'
                                     ORDER BY date LIMIT 1)
                  ORDER BY {PET_METHOD_PREFERENCE}, method, method_param LIMIT 1"
            ))?
            .query_row([patient_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Total MTV per PET date, by the method [`Store::pet_series`] uses.
    fn pet_mtv(&self, code: &str) -> Result<BTreeMap<NaiveDate, f64>> {
        let patient_id = self.patient_row_id(code)?;
        let Some((method, param)) = self.pet_method(patient_id)? else {
            return Ok(BTreeMap::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.date, sum(u.mtv_ml) FROM imaging_study s
               JOIN pet_uptake u ON u.study_id = s.study_id
              WHERE s.patient_id = ?1 AND s.modality = 'PET'
                AND u.method = ?2 AND u.method_param = ?3
              GROUP BY s.study_id ORDER BY s.date",
        )?;
        let rows = stmt.query_map(rusqlite::params![patient_id, method, param], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?))
        })?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (date, mtv) = row?;
            out.insert(stored_date(&date, "imaging_study")?, mtv);
        }
        Ok(out)
    }

    /// Every analyte's values over time per assay, by (analyte, assay) as stored (one
    /// value per date: the key is unique per date); censored values at their bound.
    fn cytokine_points(&self, code: &str) -> Result<BTreeMap<(String, String), Vec<Point>>> {
        use crate::model::Censor as Stored;
        let mut analytes: BTreeMap<(String, String), Vec<Point>> = BTreeMap::new();
        // Listed by date, analyte and assay.
        for m in self.cytokines(code)? {
            let points = analytes.entry((m.analyte, m.assay)).or_default();
            let c = m.concentration;
            let (value, censor) = match (c.censor, c.value, c.bound) {
                (Stored::Left, _, Some(bound)) => (bound, Censor::Left),
                (Stored::Right, _, Some(bound)) => (bound, Censor::Right),
                (_, Some(value), _) => (value, Censor::None),
                _ => continue,
            };
            points.push(Point {
                date: m.date,
                value,
                censor,
            });
        }
        analytes.retain(|_, points| !points.is_empty());
        Ok(analytes)
    }

    /// The row id of the patient `code`; [`Error::UnknownPatient`] when there is none.
    pub(super) fn patient_row_id(&self, code: &str) -> Result<i64> {
        // Cached: `export cohort` asks this several times for each patient.
        self.conn
            .prepare_cached("SELECT patient_id FROM patient WHERE code = ?1")?
            .query_row([code], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::UnknownPatient(code.to_string()))
    }
}

impl super::Tx<'_> {
    /// Test support: runs SQL statements in this transaction. Tests use it to fill
    /// tables whose ingest lives in other modules (imaging, PET, ctDNA, cytokines);
    /// no command calls it.
    ///
    /// # Errors
    /// Whatever SQLite reports for the statements.
    #[doc(hidden)]
    pub fn execute_test_sql(&self, sql: &str) -> Result<()> {
        Ok(self.tx.execute_batch(sql)?)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::response::PatientInputs;
    use crate::analysis::response::{Criterion, molecular, percist, recist as recist_rules};
    use crate::analysis::series::SeriesInputs;
    use crate::store::patients::tests::patient;

    /// The example patient's criteria inputs, made from the stored record.
    fn inputs(store: &Store) -> PatientInputs {
        PatientInputs::from_record(&store.response_record("P001").unwrap())
    }

    /// A patient P001 (male, 171.5 cm) with CT scans, PET scans, ctDNA and IL-6.
    pub(crate) const EXAMPLE_SQL: &str = include_str!("../../fixtures/response/example.sql");

    pub(crate) fn example_store() -> Store {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        tx.execute_test_sql(EXAMPLE_SQL).unwrap();
        tx.commit().unwrap();
        store
    }

    #[test]
    fn lesion_series_reads_scans_measurements_and_new_lesions() {
        let store = example_store();
        let series = store.lesion_series("P001").unwrap();
        assert_eq!(series.lesions.len(), 3);
        assert_eq!(series.visits.len(), 3);
        assert!(
            series.visits[2]
                .measurements
                .iter()
                .any(|m| m.label == "M1" && m.is_new)
        );
        // T1 50 mm + N1 short axis 18 mm; M1 is new and not a target.
        assert_eq!(recist_rules::sum_series(&series)[0].1, Some(68.0));
        let codes: Vec<&str> = recist_rules::assess(&series)
            .iter()
            .map(|a| a.code())
            .collect();
        assert_eq!(codes, vec!["SD", "PD"]);
        assert!(matches!(
            store.lesion_series("P404"),
            Err(Error::UnknownPatient(_))
        ));
    }

    #[test]
    fn pet_series_takes_one_method_height_sex_and_weight() {
        let store = example_store();
        let pet = store.pet_series("P001").unwrap();
        assert_eq!(pet.height_cm, Some(171.5));
        assert_eq!(pet.sex, Some(Sex::Male));
        assert_eq!(pet.visits.len(), 2);
        // 'relative' preferred over 'absolute': TLG 300, not 360.
        assert_eq!(pet.visits[0].lesions[1].tlg, Some(300.0));
        assert_eq!(pet.visits[0].weight_kg, Some(80.0));
        let a = percist::assess(&pet);
        assert_eq!(a[0].criterion, Criterion::Percist);
        assert!(a[0].flags.is_empty(), "{:?}", a[0].flags);
    }

    #[test]
    fn ctdna_samples_merge_callers_and_count_undetected_variants_as_zero() {
        let store = example_store();
        let samples = inputs(&store).ctdna;
        assert_eq!(samples.len(), 4);
        // Variant 3 is not tracked; variant 1 is the mean of two callers (0.11).
        assert!((samples[0].mean_vaf.unwrap() - (0.11 + 0.06) / 2.0).abs() < 1e-12);
        assert_eq!((samples[1].detected, samples[1].tracked), (1, 2));
        assert!((samples[1].mean_vaf.unwrap() - 0.01).abs() < 1e-12);
        assert_eq!(samples[2].detected, 0);
        assert!((samples[2].detection_limit.unwrap() - (0.001 + 0.002) / 2.0).abs() < 1e-12);
        // VAF from reads when the caller gave none: 20 / 500.
        assert!((samples[3].mean_vaf.unwrap() - 0.02).abs() < 1e-12);
        let codes: Vec<&str> = molecular::assess(&samples)
            .iter()
            .map(|a| a.code())
            .collect();
        assert_eq!(codes, vec!["PR", "CR", "PD"]);
    }

    #[test]
    fn series_inputs_give_each_kind_of_series() {
        use crate::analysis::series::{Series, points};
        let store = example_store();
        let inputs = SeriesInputs::from_record(store.patient_record("P001").unwrap());
        // IL-6 is stored under assays 'a' and 'b': never mixed, never chosen silently.
        assert!(points(&"cytokine:il-6".parse().unwrap(), &inputs).is_empty());
        assert!(
            crate::analysis::series::check_assay(&"cytokine:il-6".parse().unwrap(), &inputs)
                .is_err()
        );
        let b = points(&"cytokine:il-6@b".parse().unwrap(), &inputs);
        assert_eq!(b.iter().map(|p| p.value).collect::<Vec<_>>(), vec![99.0]);
        let il6 = points(&"cytokine:il-6@a".parse().unwrap(), &inputs);
        assert_eq!(il6.len(), 3, "one value per date of assay a");
        assert_eq!(il6[0].value, 40.0);
        assert_eq!(il6[2].censor, Censor::Left);
        let vaf = points(&Series::CtdnaMeanVaf, &inputs);
        assert_eq!(vaf[2].censor, Censor::Left);
        let mtv = points(&Series::PetMtv, &inputs);
        assert_eq!(
            mtv.iter().map(|p| p.value).collect::<Vec<_>>(),
            vec![70.0, 45.0]
        );
        let suv = points(&Series::PetSuvMax, &inputs);
        assert_eq!(suv[1].value, 6.0);
        let sums = points(&Series::RecistSum, &inputs);
        assert_eq!(
            sums.iter().map(|p| p.value).collect::<Vec<_>>(),
            vec![68.0, 67.0, 79.0]
        );
        assert_eq!(inputs.response, self::inputs(&store));
        let calls = store.tracked_calls("P001").unwrap();
        assert_eq!(inputs.draws, crate::analysis::ctdna::merge_calls(&calls));
    }

    #[test]
    fn example_patient_shows_necrosis_metabolic_response_and_molecular_lead() {
        use crate::analysis::response::discordance::Kind;
        let store = example_store();
        let report = crate::analysis::response::assess_patient(&inputs(&store), &Criterion::ALL);
        let kinds: Vec<Kind> = report.discordances.iter().map(|d| d.kind).collect();
        assert!(kinds.contains(&Kind::NecrosisWithoutShrinkage), "{kinds:?}");
        assert!(
            kinds.contains(&Kind::MetabolicWithoutShrinkage),
            "{kinds:?}"
        );
        let lead = report
            .discordances
            .iter()
            .find(|d| d.kind == Kind::MolecularLead)
            .unwrap();
        // ctDNA detected again on 2024-04-08, RECIST PD on 2024-05-10.
        assert_eq!(lead.lead_time_days, Some(32));
        assert_eq!(
            report.best(Criterion::Recist).unwrap().progression_date,
            Some(crate::model::parse_date("2024-05-10").unwrap())
        );
    }
}
