//! What the screens show, as plain data, and the loaders that read it from the store (called from the run loop, never from render).

use crate::analysis::response::discordance::Kind;
use crate::analysis::response::{Criterion, DEFAULT_CRITERIA, Report, assess_patient};
use crate::error::Result;
use crate::model::EventKind;
use crate::store::Store;
use chrono::{Datelike, NaiveDate};

mod clusters;
mod patient;

pub use clusters::{ClusterView, SurvivalCurve, load_cluster_runs};
pub use patient::{load_patient, load_patient_for, trend_text};

/// Direction of the latest change of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Rose since the previous point.
    Up,
    /// Fell since the previous point.
    Down,
    /// Unchanged (within 10 %).
    Flat,
}

/// One row of the cohort table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CohortRow {
    /// Patient identifier.
    pub code: String,
    /// Diagnosis.
    pub diagnosis: String,
    /// Age at the index date, in whole years (from the birth year).
    pub age: Option<i32>,
    /// Index date (first diagnosis, else first treatment).
    pub index_date: Option<NaiveDate>,
    /// Days of follow-up: from the index date to death, else to the last contact (not
    /// to today, which would grow for a patient lost to follow-up).
    pub days_since_diagnosis: Option<i64>,
    /// Latest dated contact: any event, blood draw, cytokine panel or imaging study
    /// (what the "last visit" and "since last contact" columns show).
    pub last_visit: Option<NaiveDate>,
    /// Latest ctDNA mean VAF and its direction.
    pub mean_vaf: Option<(f64, Option<Direction>)>,
    /// The draw of `mean_vaf` detected none of its tracked variants: its 0 % is "not
    /// detected" (below that draw's limit of detection), not a measured zero.
    pub vaf_not_detected: bool,
    /// The draw of `mean_vaf` detected nothing and does not show absence either (no
    /// read, or no known depth, at some tracked locus: NE): neither a 0 % nor "not
    /// detected".
    pub vaf_not_evaluable: bool,
    /// Date of the draw of `mean_vaf` (shown with its month, as PERCIST: a draw can be
    /// months older than the last scan).
    pub vaf_date: Option<NaiveDate>,
    /// Latest RECIST 1.1 category.
    pub recist: Option<String>,
    /// Date of the latest RECIST assessment.
    pub recist_date: Option<NaiveDate>,
    /// RECIST 1.1 best overall response (confirmed CR/PR, SD at 6 weeks).
    pub best: Option<String>,
    /// A RECIST CR or PR awaits confirmation (no evaluable scan after it): the best
    /// response may still become it.
    pub best_awaiting: bool,
    /// Latest PERCIST category.
    pub percist: Option<String>,
    /// Date of the latest PERCIST assessment (PET is often rarer than CT: the
    /// category is shown with its month, so an old PMR is not read as today's).
    pub percist_date: Option<NaiveDate>,
    /// Latest Choi category.
    pub choi: Option<String>,
    /// ctDNA molecular status (response, clearance, progression ...).
    pub ctdna_status: Option<String>,
    /// Date of the draw of that status.
    pub ctdna_date: Option<NaiveDate>,
    /// What RECIST disagrees with at some visit: `C` Choi, `M` ctDNA (molecular),
    /// `P` PET; empty when nothing disagrees.
    pub discordance: Option<String>,
    /// Days by which ctDNA progression preceded RECIST progression.
    pub lead_days: Option<i64>,
    /// The MRD decision of the latest blood draw that had an MRD test (`positive`,
    /// `negative`, `undetermined`).
    pub mrd: Option<String>,
    /// Cluster in the latest cluster run.
    pub endotype: Option<i64>,
    /// Alive (no death recorded).
    pub alive: bool,
    /// Marked for the next tumour board on this day (`m`).
    pub board: Option<NaiveDate>,
    /// The background assessment has filled the response columns (until then they
    /// show `…`, still computing, where `-` means no data).
    pub assessed: bool,
}

/// One point of a series over time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Days since the patient's index date.
    pub day: f64,
    /// The value (for a censored point: its limit).
    pub value: f64,
    /// Below the limit of detection or quantification: drawn distinctly.
    pub censored: bool,
}

/// A named series of values over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name shown in the legend.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Points in time order.
    pub points: Vec<Point>,
}

/// A clinical event on the patient's time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMark {
    /// Date.
    pub date: NaiveDate,
    /// Days since the index date.
    pub day: f64,
    /// Kind.
    pub kind: EventKind,
    /// Detail text.
    pub detail: String,
}

/// One response assessment at a visit.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseRow {
    /// Visit date.
    pub date: NaiveDate,
    /// Criterion (`recist`, `choi`, `percist`, `eortc`, `ctdna`).
    pub criterion: String,
    /// Category (CR, PR, SD, PD, NE; CMR, PMR, SMD, PMD).
    pub category: String,
    /// One-sentence reason.
    pub reason: String,
    /// Disagrees with another criterion at this visit.
    pub discordant: bool,
}

/// Everything the patient screen shows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatientView {
    /// Identifier.
    pub code: String,
    /// Diagnosis.
    pub diagnosis: String,
    /// Index date.
    pub index_date: Option<NaiveDate>,
    /// Treatment lines as started (`line 1: MAP` ...).
    pub treatment_lines: Vec<String>,
    /// Date of death, if recorded.
    pub death_date: Option<NaiveDate>,
    /// Clinical events.
    pub events: Vec<EventMark>,
    /// ctDNA: mean VAF first, then each tracked variant (drawn on a log axis).
    pub ctdna: Vec<Series>,
    /// PET: MTV, TLG, SUVmax.
    pub pet: Vec<Series>,
    /// RECIST sum of diameters.
    pub recist_sum: Option<Series>,
    /// Cytokines, one series per analyte.
    pub cytokines: Vec<Series>,
    /// Response assessments per visit and criterion.
    pub responses: Vec<ResponseRow>,
    /// Trend lines (`mean VAF: +12 %/30 d, doubling 48 d (95 % CI ...)`).
    pub trends: Vec<String>,
}

/// Loads the cohort table.
///
/// # Errors
/// Only if the store fails.
pub fn load_cohort(store: &Store, today: NaiveDate) -> Result<Vec<CohortRow>> {
    let rows = store.overview()?;
    let marks: std::collections::HashMap<String, NaiveDate> =
        store.board_marks()?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let end = row.death_date.or(row.last_visit).unwrap_or(today);
            CohortRow {
                index_date: row.index_date,
                age: row
                    .birth_year
                    .zip(row.index_date)
                    .map(|(born, index)| index.year() - born),
                days_since_diagnosis: row.index_date.map(|index| (end - index).num_days()),
                last_visit: row.last_visit,
                endotype: row.endotype,
                alive: row.death_date.is_none(),
                board: marks.get(&row.code).copied(),
                code: row.code,
                diagnosis: row.diagnosis,
                ..CohortRow::default()
            }
        })
        .collect())
}

/// Marks a patient for the next board on `date` (or removes the mark with `None`):
/// the UI's one write, through a read-write connection of its own, in one transaction.
///
/// # Errors
/// When the database cannot be opened for writing (a read-only file is refused), the
/// patient does not exist, or SQLite fails.
pub fn set_board_mark(
    db: &std::path::Path,
    code: &str,
    date: Option<NaiveDate>,
) -> Result<Option<NaiveDate>> {
    let mut store = Store::open(db, crate::store::Access::ReadWrite)?;
    let tx = store.transaction()?;
    let mark = tx.set_board_mark(code, date)?;
    tx.commit()?;
    Ok(mark)
}

/// The names of the saved cluster runs, newest first (the cohort's Endo column shows the
/// first; `e` switches).
///
/// # Errors
/// Only if the store fails.
pub fn cluster_run_names(store: &Store) -> Result<Vec<String>> {
    Ok(store
        .analysis_runs()?
        .into_iter()
        .filter(|r| r.kind == "cluster")
        .map(|r| r.name)
        .collect())
}

/// Each patient's cluster in the run `name`, as `(patient, cluster)`.
///
/// # Errors
/// When the run does not exist or the store fails.
pub fn load_endotypes(store: &Store, name: &str) -> Result<Vec<(String, i64)>> {
    Ok(store
        .cluster_assignments(name)?
        .into_iter()
        .map(|a| (a.patient, a.cluster as i64))
        .collect())
}

/// The cohort columns that need the response criteria, computed per patient in the
/// background so that the UI opens at once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowAssessment {
    /// Latest ctDNA mean VAF and the direction of its last change.
    pub mean_vaf: Option<(f64, Option<Direction>)>,
    /// The latest draw with a mean VAF detected none of its tracked variants.
    pub vaf_not_detected: bool,
    /// That draw shows no absence either (NE): [`CohortRow::vaf_not_evaluable`].
    pub vaf_not_evaluable: bool,
    /// Date of that draw.
    pub vaf_date: Option<NaiveDate>,
    /// Date of the latest ctDNA assessment.
    pub ctdna_date: Option<NaiveDate>,
    /// [`CohortRow::best_awaiting`].
    pub best_awaiting: bool,
    /// Latest RECIST 1.1 category.
    pub recist: Option<String>,
    /// Latest PERCIST category.
    pub percist: Option<String>,
    /// Date of the latest PERCIST assessment.
    pub percist_date: Option<NaiveDate>,
    /// Latest Choi category.
    pub choi: Option<String>,
    /// ctDNA molecular status.
    pub ctdna_status: Option<String>,
    /// Date of the latest RECIST assessment.
    pub recist_date: Option<NaiveDate>,
    /// RECIST best overall response.
    pub best: Option<String>,
    /// What RECIST disagrees with (`C`, `M`, `P`; empty for nothing), when assessed.
    pub discordance: Option<String>,
    /// ctDNA lead time before RECIST progression, in days.
    pub lead_days: Option<i64>,
    /// The MRD decision of the latest tested draw.
    pub mrd: Option<String>,
}

impl CohortRow {
    /// Fills in the columns computed in the background.
    pub fn apply(&mut self, assessment: RowAssessment) {
        self.mean_vaf = assessment.mean_vaf;
        self.vaf_not_detected = assessment.vaf_not_detected;
        self.vaf_not_evaluable = assessment.vaf_not_evaluable;
        self.vaf_date = assessment.vaf_date;
        self.ctdna_date = assessment.ctdna_date;
        self.best_awaiting = assessment.best_awaiting;
        self.recist = assessment.recist;
        self.percist = assessment.percist;
        self.percist_date = assessment.percist_date;
        self.choi = assessment.choi;
        self.ctdna_status = assessment.ctdna_status;
        self.recist_date = assessment.recist_date;
        self.best = assessment.best;
        self.discordance = assessment.discordance;
        self.lead_days = assessment.lead_days;
        self.mrd = assessment.mrd;
        self.assessed = true;
    }
}

/// Direction of the change from `before` to `after` (within 10 % counts as flat).
pub fn direction(before: f64, after: f64) -> Direction {
    if after > before * 1.1 {
        Direction::Up
    } else if after < before / 1.1 {
        Direction::Down
    } else {
        Direction::Flat
    }
}

/// The latest category of a criterion in a report.
fn latest(report: &Report, criterion: Criterion) -> Option<String> {
    report
        .assessments
        .iter()
        .rev()
        .find(|a| a.criterion == criterion)
        .map(|a| a.code().to_string())
}

/// Words for the ctDNA molecular category.
fn molecular_status(report: &Report) -> Option<String> {
    let code = latest(report, Criterion::Ctdna)?;
    Some(
        match code.as_str() {
            "CR" => "cleared",
            "PR" => "response",
            "SD" => "stable",
            "PD" => "progress",
            _ => "NE",
        }
        .to_string(),
    )
}

/// The letters of what RECIST disagrees with in a report: `C` Choi, `M` ctDNA, `P` PET.
fn discordance_letters(report: &Report) -> String {
    crate::analysis::response::discordance::with_recist_letters(&report.discordances)
}

/// Assesses one patient for the cohort table: latest categories and mean VAF, best
/// RECIST response, discordances with RECIST, the ctDNA lead time and the last contact.
///
/// # Errors
/// [`crate::Error::UnknownPatient`] or a store failure.
pub fn assess_row(store: &Store, code: &str) -> Result<RowAssessment> {
    let inputs =
        crate::analysis::response::PatientInputs::from_record(&store.response_record(code)?);
    let report = assess_patient(&inputs, &DEFAULT_CRITERIA);
    let vafs: Vec<f64> = inputs.ctdna.iter().filter_map(|s| s.mean_vaf).collect();
    let latest_draw = inputs.ctdna.iter().rev().find(|s| s.mean_vaf.is_some());
    let vaf_not_detected = latest_draw.is_some_and(|s| s.detected == 0);
    let vaf_not_evaluable = latest_draw.is_some_and(|s| {
        s.detected == 0
            && matches!(
                s.evidence(),
                crate::analysis::response::molecular::Evidence::NotEvaluable(_)
            )
    });
    let mean_vaf = vafs.last().map(|last| {
        let previous = vafs.len().checked_sub(2).map(|i| vafs[i]);
        (*last, previous.map(|p| direction(p, *last)))
    });
    let recist_best = report.best(Criterion::Recist);
    Ok(RowAssessment {
        mean_vaf,
        vaf_not_detected,
        vaf_not_evaluable,
        vaf_date: latest_draw.map(|s| s.date),
        ctdna_date: report
            .assessments
            .iter()
            .rev()
            .find(|a| a.criterion == Criterion::Ctdna)
            .map(|a| a.date),
        best_awaiting: recist_best.is_some_and(|b| b.awaiting_confirmation.is_some()),
        recist: latest(&report, Criterion::Recist),
        percist: latest(&report, Criterion::Percist),
        percist_date: report
            .assessments
            .iter()
            .rev()
            .find(|a| a.criterion == Criterion::Percist)
            .map(|a| a.date),
        choi: latest(&report, Criterion::Choi),
        ctdna_status: molecular_status(&report),
        recist_date: report
            .assessments
            .iter()
            .rev()
            .find(|a| a.criterion == Criterion::Recist)
            .map(|a| a.date),
        best: recist_best.map(|b| b.category.code(Criterion::Recist).to_string()),
        discordance: Some(discordance_letters(&report)).filter(|_| !report.assessments.is_empty()),
        lead_days: report
            .discordances
            .iter()
            .find(|d| d.kind == Kind::MolecularLead)
            .and_then(|d| d.lead_time_days),
        mrd: inputs
            .ctdna
            .iter()
            .rev()
            .find_map(|s| s.mrd)
            .map(|d| d.as_str().to_string()),
    })
}
