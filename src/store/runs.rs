//! Saved analysis runs: cluster runs (their record and each patient's assignment) and harmonisation runs (the harmonised values).

use super::{Store, Tx, now_utc};
use crate::error::{Error, Result};
use crate::model::{Assignment, ClusterRunRecord, HarmonizedValue};
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

impl Store {
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
mod tests {
    use super::*;
    use crate::store::export::Cell;
    use crate::store::features::tests::insert_fixture_rows;

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
