//! What the screens show, as plain data, and the loaders that read it from the store (called from the run loop, never from render).

use crate::analysis::response::{Criterion, DEFAULT_CRITERIA, Report, assess_patient};
use crate::analysis::series::{self, Series as SeriesKind, SeriesInputs};
use crate::analysis::survival::{self, Endpoint};
use crate::analysis::trend::{self, CensorPolicy};
use crate::error::Result;
use crate::model::Censor;
use crate::model::EventKind;
use crate::store::Store;
use chrono::{Datelike, NaiveDate};

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
#[derive(Debug, Clone, PartialEq)]
pub struct CohortRow {
    /// Patient identifier.
    pub code: String,
    /// Diagnosis.
    pub diagnosis: String,
    /// Age at the index date, in whole years (from the birth year).
    pub age: Option<i32>,
    /// Days from the index date to today (to death for the dead).
    pub days_since_diagnosis: Option<i64>,
    /// Latest visit date.
    pub last_visit: Option<NaiveDate>,
    /// Latest ctDNA mean VAF and its direction.
    pub mean_vaf: Option<(f64, Option<Direction>)>,
    /// Latest RECIST 1.1 category.
    pub recist: Option<String>,
    /// Latest PERCIST category.
    pub percist: Option<String>,
    /// Latest Choi category.
    pub choi: Option<String>,
    /// ctDNA molecular status (response, clearance, progression ...).
    pub ctdna_status: Option<String>,
    /// Cluster in the latest cluster run.
    pub endotype: Option<i64>,
    /// Alive (no death recorded).
    pub alive: bool,
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

/// A Kaplan–Meier curve of one cluster.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurvivalCurve {
    /// Cluster number.
    pub cluster: i64,
    /// `(months, survival)` after each event time, starting at `(0, 1)`.
    pub steps: Vec<(f64, f64)>,
    /// Median survival in months, if reached.
    pub median: Option<f64>,
}

/// A cluster run as the clusters screen shows it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterView {
    /// Run name.
    pub name: String,
    /// When saved.
    pub created_at: String,
    /// `(cluster, patients)`.
    pub sizes: Vec<(i64, i64)>,
    /// Feature names of the profile heatmap.
    pub features: Vec<String>,
    /// Mean z-score per cluster (rows, in `sizes` order) and feature (columns).
    pub profile: Vec<Vec<f64>>,
    /// PCA coordinates `(pc1, pc2, cluster)`.
    pub pca: Vec<(f64, f64, i64)>,
    /// Kaplan–Meier curve per cluster.
    pub survival: Vec<SurvivalCurve>,
    /// Log-rank p over all clusters.
    pub logrank_p: Option<f64>,
}

/// Loads the cohort table.
///
/// # Errors
/// Only if the store fails.
pub fn load_cohort(store: &Store, today: NaiveDate) -> Result<Vec<CohortRow>> {
    let rows = store.overview()?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let end = row.death_date.unwrap_or(today);
            CohortRow {
                age: row
                    .birth_year
                    .zip(row.index_date)
                    .map(|(born, index)| index.year() - born),
                days_since_diagnosis: row.index_date.map(|index| (end - index).num_days()),
                last_visit: row.last_visit,
                mean_vaf: None,
                recist: None,
                percist: None,
                choi: None,
                ctdna_status: None,
                endotype: row.endotype,
                alive: row.death_date.is_none(),
                code: row.code,
                diagnosis: row.diagnosis,
            }
        })
        .collect())
}

/// The cohort columns that need the response criteria, computed per patient in the
/// background so that the UI opens at once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowAssessment {
    /// Latest ctDNA mean VAF and the direction of its last change.
    pub mean_vaf: Option<(f64, Option<Direction>)>,
    /// Latest RECIST 1.1 category.
    pub recist: Option<String>,
    /// Latest PERCIST category.
    pub percist: Option<String>,
    /// Latest Choi category.
    pub choi: Option<String>,
    /// ctDNA molecular status.
    pub ctdna_status: Option<String>,
}

impl CohortRow {
    /// Fills in the columns computed in the background.
    pub fn apply(&mut self, assessment: RowAssessment) {
        self.mean_vaf = assessment.mean_vaf;
        self.recist = assessment.recist;
        self.percist = assessment.percist;
        self.choi = assessment.choi;
        self.ctdna_status = assessment.ctdna_status;
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

/// Assesses one patient for the cohort table: latest categories and mean VAF.
///
/// # Errors
/// [`crate::Error::UnknownPatient`] or a store failure.
pub fn assess_row(store: &Store, code: &str) -> Result<RowAssessment> {
    let inputs = store.response_inputs(code)?;
    let report = assess_patient(&inputs, &DEFAULT_CRITERIA);
    let vafs: Vec<f64> = inputs.ctdna.iter().filter_map(|s| s.mean_vaf).collect();
    let mean_vaf = vafs.last().map(|last| {
        let previous = vafs.len().checked_sub(2).map(|i| vafs[i]);
        (*last, previous.map(|p| direction(p, *last)))
    });
    Ok(RowAssessment {
        mean_vaf,
        recist: latest(&report, Criterion::Recist),
        percist: latest(&report, Criterion::Percist),
        choi: latest(&report, Criterion::Choi),
        ctdna_status: molecular_status(&report),
    })
}

/// One series of the patient screen with its trend, `None` when it has no points.
fn series(
    inputs: &SeriesInputs,
    index: Option<NaiveDate>,
    what: &SeriesKind,
    name: &str,
    unit: &str,
) -> Option<(Series, trend::Trend)> {
    let points = series::points(what, inputs);
    if points.is_empty() {
        return None;
    }
    let fitted = trend::trend(&points, CensorPolicy::Substitute);
    let day = |date: NaiveDate| index.map_or(0.0, |i| (date - i).num_days() as f64);
    let series = Series {
        name: name.to_string(),
        unit: unit.to_string(),
        points: points
            .iter()
            .map(|p| Point {
                day: day(p.date),
                value: p.value,
                censored: p.censor != Censor::None,
            })
            .collect(),
    };
    Some((series, fitted))
}

/// One line describing a trend: change from baseline, log-slope per 30 days, doubling or halving time.
pub fn trend_text(name: &str, t: &trend::Trend) -> Option<String> {
    let fit = t.fit?;
    let mut text = format!("{name}: ");
    if let Some(change) = t.change_from_baseline_pct {
        text.push_str(&format!("{change:+.0} % from baseline, "));
    }
    text.push_str(&format!("slope {:+.2} ln/30 d", fit.slope_per_30d));
    if let Some((lo, hi)) = fit.ci95 {
        text.push_str(&format!(" (95 % CI {lo:+.2} to {hi:+.2})"));
    }
    if let Some(days) = fit.doubling_days {
        let kind = if fit.is_growing() {
            "doubling"
        } else {
            "halving"
        };
        text.push_str(&format!(", {kind} {days:.0} d"));
        if let Some((lo, hi)) = fit.doubling_ci95 {
            let hi = hi.map_or("∞".to_string(), |h| format!("{h:.0}"));
            text.push_str(&format!(" ({lo:.0}–{hi})"));
        }
    }
    Some(text)
}

/// One series per tracked variant: its VAF where detected, its limit (1 / depth) as a
/// censored point where not; a draw with an unknown depth is left out of that variant.
fn variant_series(draws: &[crate::analysis::ctdna::Draw], index: Option<NaiveDate>) -> Vec<Series> {
    let mut series: Vec<Series> = Vec::new();
    for draw in draws {
        let day = index.map_or(0.0, |i| (draw.date - i).num_days() as f64);
        for observation in &draw.tracked {
            let point = match (observation.detected, observation.vaf, observation.depth) {
                (true, Some(vaf), _) => Point {
                    day,
                    value: vaf,
                    censored: false,
                },
                (false, _, Some(depth)) if depth > 0 => Point {
                    day,
                    value: 1.0 / depth as f64,
                    censored: true,
                },
                _ => continue,
            };
            match series.iter_mut().find(|s| s.name == observation.variant) {
                Some(existing) => existing.points.push(point),
                None => series.push(Series {
                    name: observation.variant.clone(),
                    unit: "VAF".into(),
                    points: vec![point],
                }),
            }
        }
    }
    series
}

/// Loads the patient screen.
///
/// # Errors
/// [`crate::Error::UnknownPatient`] or a store failure.
pub fn load_patient(store: &Store, code: &str) -> Result<PatientView> {
    let summary = store.patient_summary(code)?;
    let index = summary.patient.index_date;
    let events = store.events(code)?;
    let day = |date: NaiveDate| index.map_or(0.0, |i| (date - i).num_days() as f64);
    let mut trends = Vec::new();
    let mut take = |found: Option<(Series, trend::Trend)>| {
        found.map(|(series, fitted)| {
            if let Some(text) = trend_text(&series.name, &fitted) {
                trends.push(text);
            }
            series
        })
    };
    let inputs = store.series_inputs(code)?;
    let mut ctdna: Vec<Series> = take(series(
        &inputs,
        index,
        &SeriesKind::CtdnaMeanVaf,
        "mean VAF",
        "VAF",
    ))
    .into_iter()
    .collect();
    ctdna.extend(variant_series(&inputs.draws, index));
    let pet: Vec<Series> = [
        (SeriesKind::PetSuvMax, "SUVmax", "SUV"),
        (SeriesKind::PetMtv, "MTV", "mL"),
        (SeriesKind::PetTlg, "TLG", "SUV·mL"),
    ]
    .iter()
    .filter_map(|(what, name, unit)| take(series(&inputs, index, what, name, unit)))
    .collect();
    let recist_sum = take(series(
        &inputs,
        index,
        &SeriesKind::RecistSum,
        "sum of diameters",
        "mm",
    ));
    let cytokines: Vec<Series> = inputs
        .cytokines
        .keys()
        .filter_map(|analyte| {
            let what = SeriesKind::Cytokine(analyte.clone());
            take(series(&inputs, index, &what, analyte, "pg/mL"))
        })
        .collect();
    let report = assess_patient(&inputs.response, &DEFAULT_CRITERIA);
    let responses = report
        .assessments
        .iter()
        .map(|a| {
            let mut reason = a.reason.clone();
            let discordance = report.discordance_text(a);
            if !discordance.is_empty() {
                reason.push_str(&format!(" — discordant: {discordance}"));
            }
            ResponseRow {
                date: a.date,
                criterion: a.criterion.name().to_string(),
                category: a.code().to_string(),
                reason,
                discordant: report.is_discordant(a),
            }
        })
        .collect();
    Ok(PatientView {
        code: code.to_string(),
        diagnosis: summary.patient.fields.diagnosis.clone(),
        index_date: index,
        treatment_lines: events
            .iter()
            .filter(|e| e.kind == EventKind::TreatmentStart)
            .map(|e| e.detail.clone())
            .collect(),
        death_date: summary.death_date,
        events: events
            .iter()
            .map(|e| EventMark {
                date: e.date,
                day: day(e.date),
                kind: e.kind,
                detail: e.detail.clone(),
            })
            .collect(),
        ctdna,
        pet,
        recist_sum,
        cytokines,
        responses,
        trends,
    })
}

/// Days per month for survival curves (365.25 / 12).
const DAYS_PER_MONTH: f64 = 30.4375;

/// Loads the saved cluster runs, newest first: sizes, the profile saved with the run,
/// each patient's PCA position, and overall survival per cluster (Kaplan–Meier with
/// the log-rank test over all clusters).
///
/// # Errors
/// Only if the store fails.
pub fn load_cluster_runs(store: &Store) -> Result<Vec<ClusterView>> {
    let runs: Vec<_> = store
        .analysis_runs()?
        .into_iter()
        .filter(|r| r.kind == "cluster")
        .collect();
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    let courses = store.courses()?;
    let mut views = Vec::with_capacity(runs.len());
    for run in runs {
        let members = store.cluster_assignments(&run.name)?;
        let mut sizes: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
        for m in &members {
            *sizes.entry(m.cluster as i64).or_default() += 1;
        }
        let pca = members
            .iter()
            .filter_map(|m| m.pc.map(|(x, y)| (x, y, m.cluster as i64)))
            .collect();
        let (features, profile) =
            saved_profile(&store.cluster_record(&run)?, sizes.keys().copied());
        let (comparison, _) = survival::by_cluster(&courses, &members, Endpoint::Overall, false)?;
        let curves = comparison
            .curves
            .iter()
            .map(|(cluster, km)| SurvivalCurve {
                cluster: *cluster as i64,
                steps: std::iter::once((0.0, 1.0))
                    .chain(
                        km.points
                            .iter()
                            .map(|p| (p.time / DAYS_PER_MONTH, p.survival)),
                    )
                    .collect(),
                median: km.median.map(|d| d / DAYS_PER_MONTH),
            })
            .collect();
        let logrank_p = comparison.logrank.map(|t| t.p);
        views.push(ClusterView {
            name: run.name,
            created_at: run.created_at,
            sizes: sizes.into_iter().collect(),
            features,
            profile,
            pca,
            survival: curves,
            logrank_p,
        });
    }
    Ok(views)
}

/// The profile a run saved, as feature names and one row of mean z-scores per cluster
/// in `clusters` order (NaN where a cluster or value is missing); empty when the run
/// saved none.
fn saved_profile(
    record: &crate::model::ClusterRunRecord,
    clusters: impl Iterator<Item = i64>,
) -> (Vec<String>, Vec<Vec<f64>>) {
    let features = &record.profile.features;
    if features.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let rows = clusters
        .map(|cluster| {
            record
                .profile
                .clusters
                .iter()
                .find(|c| c.cluster as i64 == cluster)
                .map(|c| c.mean_z.iter().map(|z| z.unwrap_or(f64::NAN)).collect())
                .unwrap_or_else(|| vec![f64::NAN; features.len()])
        })
        .collect();
    (features.clone(), rows)
}
