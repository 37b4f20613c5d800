//! SQL of the MRD test of a blood draw (`mrd_test`, one row per `lb_sample`).

use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::model::MrdDecision;
use chrono::NaiveDate;
use rusqlite::params;

/// An MRD test to store with its draw.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMrdTest<'a> {
    /// The call.
    pub decision: MrdDecision,
    /// Monte Carlo p-value (`None` when no reporter was left to test).
    pub p_value: Option<f64>,
    /// Background rate used by the simulations.
    pub background_rate: f64,
    /// Unique reads covering the reporters.
    pub informative_reads: u64,
    /// Reporters tested.
    pub n_mutations: u64,
    /// Events with ALT reads.
    pub n_nonzero: u64,
    /// Σ ALT reads.
    pub alt_reads: u64,
    /// Mean VAF over the events.
    pub mean_vaf: Option<f64>,
    /// Reporters dropped by the black list.
    pub n_filtered: u64,
    /// Why undetermined.
    pub reason: Option<&'a str>,
    /// Minimum mapping quality.
    pub min_mapq: u8,
    /// Minimum base quality.
    pub min_bq: u8,
    /// Simulations run.
    pub simulations: u32,
    /// Their seed.
    pub seed: u64,
    /// Informative reads required.
    pub informative_threshold: u64,
    /// Significance level.
    pub alpha: f64,
    /// Whether phased reporters were merged.
    pub merge_phased: bool,
    /// Normal BAMs in the panel.
    pub normals: usize,
    /// The targets file as given.
    pub targets: &'a str,
}

/// An MRD test as stored, with its draw's date.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMrd {
    /// The draw (`lb_sample.sample_id`).
    pub sample_id: i64,
    /// The draw's date.
    pub date: NaiveDate,
    /// The call.
    pub decision: MrdDecision,
    /// Monte Carlo p-value.
    pub p_value: Option<f64>,
    /// Background rate used.
    pub background_rate: f64,
    /// Unique reads covering the reporters.
    pub informative_reads: u64,
    /// Reporters tested.
    pub n_mutations: u64,
    /// Events with ALT reads.
    pub n_nonzero: u64,
    /// Σ ALT reads.
    pub alt_reads: u64,
    /// Mean VAF over the events.
    pub mean_vaf: Option<f64>,
    /// Why undetermined.
    pub reason: Option<String>,
}

/// Parses an MRD decision the store wrote; anything else is [`Error::Corrupt`].
pub(crate) fn stored_mrd(text: &str) -> Result<MrdDecision> {
    MrdDecision::parse(text).ok_or_else(|| {
        Error::Corrupt(format!(
            "stored MRD decision '{text}' in mrd_test is not known"
        ))
    })
}

impl Tx<'_> {
    /// Stores the MRD test of draw `sample_id`, replacing an earlier one.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn add_mrd_test(
        &self,
        sample_id: i64,
        test: &NewMrdTest<'_>,
        file_id: Option<i64>,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT OR REPLACE INTO mrd_test (sample_id, decision, p_value, background_rate,
                    informative_reads, n_mutations, n_nonzero, alt_reads, mean_vaf, n_filtered,
                    reason, min_mapq, min_bq, simulations, seed, informative_threshold, alpha,
                    merge_phased, normals, targets, file_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, ?19, ?20, ?21)",
            params![
                sample_id,
                test.decision.as_str(),
                test.p_value,
                test.background_rate,
                test.informative_reads as i64,
                test.n_mutations as i64,
                test.n_nonzero as i64,
                test.alt_reads as i64,
                test.mean_vaf,
                test.n_filtered as i64,
                test.reason,
                test.min_mapq,
                test.min_bq,
                test.simulations,
                // Stored as its 64 bits (SQLite integers are signed).
                test.seed as i64,
                test.informative_threshold as i64,
                test.alpha,
                test.merge_phased,
                test.normals as i64,
                test.targets,
                file_id
            ],
        )?;
        Ok(())
    }
}

impl Store {
    /// A patient's MRD tests in draw-date order.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`]; a stored value this oncotrack cannot read.
    pub fn mrd_tests(&self, code: &str) -> Result<Vec<StoredMrd>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "SELECT s.sample_id, s.date, m.decision, m.p_value, m.background_rate,
                    m.informative_reads, m.n_mutations, m.n_nonzero, m.alt_reads, m.mean_vaf,
                    m.reason
               FROM mrd_test m
               JOIN lb_sample s USING (sample_id)
               JOIN patient p USING (patient_id)
              WHERE p.code = ?1
              ORDER BY s.date",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                StoredMrd {
                    sample_id: r.get(0)?,
                    date: NaiveDate::MIN,
                    decision: MrdDecision::Undetermined,
                    p_value: r.get(3)?,
                    background_rate: r.get(4)?,
                    informative_reads: r.get::<_, i64>(5)?.max(0) as u64,
                    n_mutations: r.get::<_, i64>(6)?.max(0) as u64,
                    n_nonzero: r.get::<_, i64>(7)?.max(0) as u64,
                    alt_reads: r.get::<_, i64>(8)?.max(0) as u64,
                    mean_vaf: r.get(9)?,
                    reason: r.get(10)?,
                },
            ))
        })?;
        let mut tests = Vec::new();
        for row in rows {
            let (_, date, decision, mut test) = row?;
            test.date = super::stored_date(&date, "lb_sample")?;
            test.decision = stored_mrd(&decision)?;
            tests.push(test);
        }
        Ok(tests)
    }

    /// The MRD decision of each tested draw of a patient, in date order (what the
    /// molecular response needs: clearance requires an MRD-negative draw).
    ///
    /// # Errors
    /// As [`Store::mrd_tests`].
    pub fn mrd_decisions(&self, code: &str) -> Result<Vec<(NaiveDate, MrdDecision)>> {
        Ok(self
            .mrd_tests(code)?
            .into_iter()
            .map(|t| (t.date, t.decision))
            .collect())
    }
}
