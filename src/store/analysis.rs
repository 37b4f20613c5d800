//! Cohort analytics in SQL: analysis runs, cluster assignments, harmonised features, and the reads behind the feature matrix, survival and export.

use super::{Store, Tx, now_utc, row_date};
use crate::error::{Error, Result};
use crate::model::{
    Assignment, Censor, ClusterRunRecord, Course, FeatureFamily, HarmonizedValue, ImagingValue,
    Observation,
};
use rusqlite::{OptionalExtension, params};

/// A saved analysis run.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisRun {
    /// Run name.
    pub name: String,
    /// 'cluster' or 'harmonize'.
    pub kind: String,
    /// Parameters as JSON text.
    pub params: String,
    /// Software and version that made it.
    pub software: String,
    /// When it was made (UTC RFC 3339).
    pub created_at: String,
}

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
}

/// A table read for export: typed columns and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportTable {
    /// Column names and kinds.
    pub columns: Vec<(&'static str, ColumnKind)>,
    /// Rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

/// The tables `oncotrack export` writes from SQL (survival is computed, not read).
pub const EXPORT_TABLES: [&str; 8] = [
    "patients",
    "timeline",
    "calls",
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
            "SELECT p.code, i.index_date, p.diagnosis, p.sex, p.birth_year, p.site, p.primary_site,
                    p.height_cm, i.index_date
               FROM patient p JOIN patient_index_date i USING (patient_id) ORDER BY p.code",
            vec![("patient", Patient), ("index_date", Date), ("diagnosis", Text), ("sex", Text),
                 ("birth_year", Integer), ("site", Text), ("primary_site", Text),
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
                    c.vaf, c.alt_reads, c.ref_reads, c.depth, o.vaf_source, c.filter, c.detected,
                    s.cfdna_ng_per_ml, i.index_date
               FROM variant_call c JOIN lb_sample s USING (sample_id) JOIN variant v USING (variant_id)
               JOIN call_provenance o USING (provenance_id)
               JOIN patient p ON p.patient_id = s.patient_id
               JOIN patient_index_date i ON i.patient_id = s.patient_id
              ORDER BY p.code, s.date, v.chrom, v.pos, v.alt, c.caller",
            vec![("patient", Patient), ("date", Date), ("chrom", Text), ("pos", Integer),
                 ("ref", Text), ("alt", Text), ("gene", Text), ("protein_change", Text),
                 ("caller", Text), ("vaf", Real), ("alt_reads", Integer), ("ref_reads", Integer),
                 ("depth", Integer), ("vaf_source", Text), ("filter", Text), ("detected", Integer),
                 ("cfdna_ng_per_ml", Real), ("", IndexDate)],
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
                 ("organ", Text), ("is_target", Integer), ("is_nodal", Integer),
                 ("longest_diameter_mm", Real), ("short_axis_mm", Real), ("mean_hu", Real),
                 ("is_new", Integer), ("", IndexDate)],
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
                 ("tlg", Real), ("scanner", Text), ("site", Text), ("", IndexDate)],
        ),
        "radiomics" => (
            "SELECT p.code, s.date, l.label, r.feature, r.value, s.modality, s.scanner, s.site,
                    i.index_date
               FROM radiomic_feature r JOIN lesion l USING (lesion_id)
               JOIN imaging_study s USING (study_id) JOIN patient p ON p.patient_id = s.patient_id
               JOIN patient_index_date i ON i.patient_id = s.patient_id
              ORDER BY p.code, s.date, l.label, r.feature",
            vec![("patient", Patient), ("date", Date), ("lesion", Text), ("feature", Text),
                 ("value", Real), ("modality", Text), ("scanner", Text), ("site", Text),
                 ("", IndexDate)],
        ),
        "clusters" => (
            "SELECT r.name, p.code, a.cluster, a.silhouette, a.pc1, a.pc2, r.params, r.created_at
               FROM cluster_assignment a JOIN analysis_run r USING (run_id)
               JOIN patient p USING (patient_id) ORDER BY r.name, p.code",
            vec![("run", Text), ("patient", Patient), ("cluster", Integer), ("silhouette", Real),
                 ("pc1", Real), ("pc2", Real), ("params", Text), ("created_at", Text)],
        ),
        _ => return None,
    })
}

const DAY: &str = "CAST(round(julianday(x.date) - julianday(i.index_date)) AS INTEGER)";

impl Store {
    /// Every observation of a feature family, ordered by patient, date and feature.
    /// Censored cytokines carry their bound as the value.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn observations(&self, family: FeatureFamily) -> Result<Vec<Observation>> {
        let sql = match family {
            FeatureFamily::Cytokines => format!(
                "SELECT p.code, x.date, {DAY}, x.analyte,
                        CASE WHEN x.censor = 'none' THEN x.value ELSE x.bound END, x.censor
                   FROM cytokine_measurement x JOIN patient p USING (patient_id)
                   JOIN patient_index_date i USING (patient_id)
                  ORDER BY p.code, x.date, x.analyte, x.assay"
            ),
            FeatureFamily::Radiomics => format!(
                "SELECT p.code, x.date, {DAY}, 'rad_' || r.feature, avg(r.value), 'none'
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
                                      ELSE sum(u.tlg) END, 'none'
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
                                      ELSE max(coalesce(c.vaf, 0)) END, 'none'
                   FROM variant_call c JOIN lb_sample x USING (sample_id)
                   JOIN patient p ON p.patient_id = x.patient_id
                   JOIN patient_index_date i ON i.patient_id = x.patient_id
                   CROSS JOIN (SELECT 'ctdna_mean_vaf' AS metric UNION ALL SELECT 'ctdna_max_vaf') m
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
        let width = columns.len();
        let rows = stmt.query_map([], |r| {
            (0..width)
                .map(|i| {
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
        Ok(ExportTable {
            columns,
            rows: rows.collect::<rusqlite::Result<_>>()?,
        })
    }

    /// Every analysis run, newest first.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn analysis_runs(&self) -> Result<Vec<AnalysisRun>> {
        let mut stmt = self.conn.prepare(
            "SELECT name, kind, params, software, created_at FROM analysis_run
              ORDER BY created_at DESC, run_id DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AnalysisRun {
                name: r.get(0)?,
                kind: r.get(1)?,
                params: r.get(2)?,
                software: r.get(3)?,
                created_at: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The record a cluster run saved of itself (its settings, matrix and profile).
    ///
    /// # Errors
    /// [`Error::Corrupt`] when the stored record is not one oncotrack writes.
    pub fn cluster_record(&self, run: &AnalysisRun) -> Result<ClusterRunRecord> {
        serde_json::from_str(&run.params)
            .map_err(|e| Error::Corrupt(format!("the record of cluster run '{}': {e}", run.name)))
    }

    /// The assignments of a cluster run, by patient code: cluster, silhouette and the
    /// patient's position on the first two principal components.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when there is no cluster run of that name.
    pub fn cluster_assignments(&self, run: &str) -> Result<Vec<Assignment>> {
        let run_id: Option<i64> = self
            .conn
            .query_row(
                "SELECT run_id FROM analysis_run WHERE name = ?1 AND kind = 'cluster'",
                [run],
                |r| r.get(0),
            )
            .optional()?;
        let run_id = run_id.ok_or_else(|| Error::InvalidValue {
            what: "cluster run",
            value: run.to_string(),
            reason: "no such cluster run (see `oncotrack cluster --list`)".to_string(),
        })?;
        let mut stmt = self.conn.prepare(
            "SELECT p.code, a.cluster, a.silhouette, a.pc1, a.pc2
               FROM cluster_assignment a JOIN patient p USING (patient_id)
              WHERE a.run_id = ?1 ORDER BY p.code",
        )?;
        let rows = stmt.query_map([run_id], |r| {
            let pc1: Option<f64> = r.get(3)?;
            let pc2: Option<f64> = r.get(4)?;
            Ok(Assignment {
                patient: r.get(0)?,
                cluster: usize::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                silhouette: r.get(2)?,
                pc: pc1.zip(pc2),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Tx<'_> {
    fn new_run(&self, kind: &str, name: &str, params: &str, software: &str) -> Result<i64> {
        let exists: Option<i64> = self
            .tx
            .query_row(
                "SELECT run_id FROM analysis_run WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(Error::conflict(format!(
                "an analysis run named '{name}' already exists; choose another --name"
            )));
        }
        self.tx.execute(
            "INSERT INTO analysis_run (kind, name, params, software, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![kind, name, params, software, now_utc()],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Saves a cluster run: its record (as JSON, including the profile) and each
    /// patient's cluster, silhouette and PCA coordinates.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the name is taken; [`Error::UnknownPatient`] for a
    /// patient code not in the store.
    pub fn save_cluster_run(
        &self,
        name: &str,
        record: &ClusterRunRecord,
        software: &str,
        assignments: &[Assignment],
    ) -> Result<i64> {
        let params = serde_json::to_string(record)
            .map_err(|e| Error::conflict(format!("cluster run record: {e}")))?;
        let run_id = self.new_run("cluster", name, &params, software)?;
        let mut stmt = self.tx.prepare(
            "INSERT INTO cluster_assignment (run_id, patient_id, cluster, silhouette, pc1, pc2)
             SELECT ?1, patient_id, ?3, ?4, ?5, ?6 FROM patient WHERE code = ?2",
        )?;
        for a in assignments {
            let written = stmt.execute(params![
                run_id,
                a.patient,
                a.cluster as i64,
                a.silhouette,
                a.pc.map(|p| p.0),
                a.pc.map(|p| p.1)
            ])?;
            if written == 0 {
                return Err(Error::UnknownPatient(a.patient.clone()));
            }
        }
        Ok(run_id)
    }

    /// Saves a harmonisation run and its harmonised values.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the name is taken; SQLite errors for unknown studies or lesions.
    pub fn save_harmonize_run(
        &self,
        name: &str,
        params: &str,
        software: &str,
        values: &[HarmonizedValue],
    ) -> Result<i64> {
        let run_id = self.new_run("harmonize", name, params, software)?;
        let mut stmt = self.tx.prepare(
            "INSERT INTO harmonized_feature (run_id, study_id, lesion_id, feature, value)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for v in values {
            stmt.execute(params![run_id, v.study_id, v.lesion_id, v.feature, v.value])?;
        }
        Ok(run_id)
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

    #[test]
    fn cluster_run_names_are_unique_and_read_back() {
        let mut store = Store::in_memory().unwrap();
        insert_fixture_rows(&store);
        let tx = store.transaction().unwrap();
        let assignment = |patient: &str, cluster| Assignment {
            patient: patient.into(),
            cluster,
            silhouette: None,
            pc: Some((0.5, -1.0)),
        };
        let rows = vec![assignment("P1", 1), assignment("P2", 2)];
        let record = ClusterRunRecord {
            method: "ward".into(),
            k: 2,
            ..ClusterRunRecord::default()
        };
        tx.save_cluster_run("run1", &record, "test", &rows).unwrap();
        assert!(matches!(
            tx.save_cluster_run("run1", &record, "test", &rows),
            Err(Error::Conflict { .. })
        ));
        tx.commit().unwrap();
        assert_eq!(
            store.cluster_assignments("run1").unwrap(),
            rows,
            "read back with PCA positions"
        );
        assert!(store.cluster_assignments("nope").is_err());
        let run = &store.analysis_runs().unwrap()[0];
        assert_eq!(
            store.cluster_record(run).unwrap(),
            record,
            "record read back"
        );
        let table = store.export_table("clusters").unwrap();
        assert_eq!(table.rows[0][4], Cell::Real(0.5), "pc1 saved");
    }
}
