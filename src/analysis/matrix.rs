//! The per-patient feature matrix: one row per patient and one column per feature at a chosen time point, transformed, imputed and scaled.
//!
//! Pure: it takes the store's long-form observations. Censored cytokines enter at
//! their bound (the lower or upper limit of quantification), the usual
//! substitution for a panel; the matrix records how many values were censored.

use super::scale::z_score_columns;
use crate::error::{Error, Result};
use crate::model::{Censor, Observation};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// Which sample of each patient to take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimePoint {
    /// The patient's first sample (of each feature family).
    Baseline,
    /// The n-th distinct sample date (1 = baseline).
    Visit(usize),
    /// The sample closest to `day` days after the index date, within ± `window` days.
    Days {
        /// Target day since index.
        day: i64,
        /// Half-width of the window.
        window: i64,
    },
}

impl std::str::FromStr for TimePoint {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let s = s.trim();
        if s == "baseline" {
            return Ok(TimePoint::Baseline);
        }
        if let Some(n) = s.strip_prefix("visit:") {
            let n: usize = n
                .parse()
                .map_err(|_| format!("'{n}' is not a visit number"))?;
            if n == 0 {
                return Err("visits are numbered from 1 (baseline)".into());
            }
            return Ok(TimePoint::Visit(n));
        }
        if let Some(rest) = s.strip_prefix("days:") {
            let (day, window) = rest
                .split_once('±')
                .or_else(|| rest.split_once("+-"))
                .unwrap_or((rest, "0"));
            let day: i64 = day
                .parse()
                .map_err(|_| format!("'{day}' is not a day number"))?;
            let window: i64 = window
                .parse()
                .map_err(|_| format!("'{window}' is not a window in days"))?;
            if window < 0 {
                return Err("the window must be >= 0".into());
            }
            return Ok(TimePoint::Days { day, window });
        }
        Err("expected baseline, visit:N or days:D±W (also days:D+-W)".into())
    }
}

/// Transformation of raw values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// ln(1 + x).
    Log1p,
    /// log10(x); values <= 0 become missing.
    Log10,
    /// As measured.
    None,
}

/// What to do with missing cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impute {
    /// The column's median over the patients that have it.
    Median,
    /// Drop patients with any missing feature.
    Drop,
}

/// How to build the matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatrixSettings {
    /// Time point.
    pub at: TimePoint,
    /// Transformation.
    pub transform: Transform,
    /// Z-score each column (mean 0, population SD 1) after imputation.
    pub z_scale: bool,
    /// Missing values.
    pub impute: Impute,
}

/// The matrix and what happened on the way.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureMatrix {
    /// Patient codes (rows).
    pub patients: Vec<String>,
    /// Feature names (columns).
    pub features: Vec<String>,
    /// Values, rows × columns.
    pub rows: Vec<Vec<f64>>,
    /// Patients left out, with the reason.
    pub dropped: Vec<(String, String)>,
    /// Cells that entered at a censoring bound.
    pub censored_cells: usize,
    /// Cells filled by the median.
    pub imputed_cells: usize,
}

/// Which assay of the cytokines enters the matrix (`--assay`): with the analyte, the
/// assay (kit, panel or stimulation) is what was measured, so values of two assays are
/// never mixed in one column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AssayChoice {
    /// The one assay stored; refused (with the list) when there are several.
    #[default]
    Only,
    /// This assay (`--assay CD3/CD28`; `--assay ''` the rows stored without one).
    Named(String),
    /// Every assay, each analyte and assay a column of its own (`IL-6@LPS`).
    All,
}

impl std::str::FromStr for AssayChoice {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        Ok(match text.trim() {
            "all" => AssayChoice::All,
            other => AssayChoice::Named(other.to_string()),
        })
    }
}

impl std::fmt::Display for AssayChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AssayChoice::Only => Ok(()),
            AssayChoice::Named(name) => f.write_str(name),
            AssayChoice::All => f.write_str("all"),
        }
    }
}

/// The assays as a list for messages: `'CD3/CD28', 'LPS'` (`''` for rows without one).
pub fn assay_list<'a>(assays: impl IntoIterator<Item = &'a String>) -> String {
    assays
        .into_iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The cytokine observations of the chosen assay, and the assay they are of (`None`
/// with [`AssayChoice::All`], whose features are named `analyte@assay`, or without
/// cytokines). Observations of other families pass unchanged.
///
/// # Errors
/// [`Error::Conflict`] (field `assay`) when several assays are stored and none was
/// chosen, or the chosen one is not stored; the message lists the assays stored.
pub fn choose_assay(
    observations: Vec<Observation>,
    choice: &AssayChoice,
) -> Result<(Vec<Observation>, Option<String>)> {
    let assays: BTreeSet<String> = observations.iter().map(|o| o.assay.clone()).collect();
    let chosen = match choice {
        AssayChoice::All => {
            let named = observations
                .into_iter()
                .map(|mut o| {
                    if !o.assay.is_empty() {
                        o.feature = format!("{}@{}", o.feature, o.assay);
                    }
                    o
                })
                .collect();
            return Ok((named, None));
        }
        AssayChoice::Only => match assays.len() {
            0 => return Ok((observations, None)),
            1 => assays.iter().next().cloned().unwrap_or_default(),
            n => {
                return Err(Error::conflict_in(
                    "assay",
                    format!(
                        "cytokines are stored under {n} assays ({}) and none was chosen: \
                         name one with --assay NAME (values of two assays are never mixed \
                         in one column), or give --assay all for one column per analyte and assay",
                        assay_list(&assays)
                    ),
                ));
            }
        },
        AssayChoice::Named(name) => {
            if !assays.contains(name) {
                return Err(Error::conflict_in(
                    "assay",
                    format!(
                        "no cytokine is stored under assay '{name}'; the assays stored are {}",
                        if assays.is_empty() {
                            "none (no cytokines)".to_string()
                        } else {
                            assay_list(&assays)
                        }
                    ),
                ));
            }
            name.clone()
        }
    };
    let kept = observations
        .into_iter()
        .filter(|o| o.assay == chosen)
        .collect();
    Ok((kept, Some(chosen)))
}

/// Builds the matrix from observations of one or more feature families
/// (`families` holds each family's observations separately: the time point is
/// chosen per family).
///
/// # Errors
/// [`Error::InvalidValue`] when no patient has any feature at the time point.
pub fn build(families: &[Vec<Observation>], settings: &MatrixSettings) -> Result<FeatureMatrix> {
    let mut cells: BTreeMap<String, BTreeMap<String, (f64, bool)>> = BTreeMap::new();
    let mut features: BTreeSet<String> = BTreeSet::new();
    let mut all_patients: BTreeSet<String> = BTreeSet::new();
    for observations in families {
        let mut by_patient: BTreeMap<&str, Vec<&Observation>> = BTreeMap::new();
        for o in observations {
            all_patients.insert(o.patient.clone());
            features.insert(o.feature.clone());
            by_patient.entry(&o.patient).or_default().push(o);
        }
        for (patient, obs) in by_patient {
            let Some(date) = pick_date(&obs, settings.at) else {
                continue;
            };
            let row = cells.entry(patient.to_string()).or_default();
            for o in obs.iter().filter(|o| o.date == date) {
                let value = match settings.transform {
                    Transform::Log1p => o.value.ln_1p(),
                    Transform::Log10 if o.value > 0.0 => o.value.log10(),
                    Transform::Log10 => f64::NAN,
                    Transform::None => o.value,
                };
                row.insert(o.feature.clone(), (value, o.censor != Censor::None));
            }
        }
    }
    let features: Vec<String> = features.into_iter().collect();
    let mut matrix = FeatureMatrix {
        features: features.clone(),
        ..FeatureMatrix::default()
    };
    for patient in &all_patients {
        let Some(row) = cells.get(patient) else {
            matrix
                .dropped
                .push((patient.clone(), "no sample at the time point".into()));
            continue;
        };
        let values: Vec<f64> = features
            .iter()
            .map(|f| row.get(f).map_or(f64::NAN, |v| v.0))
            .collect();
        let missing: Vec<&str> = features
            .iter()
            .zip(&values)
            .filter(|(_, v)| !v.is_finite())
            .map(|(f, _)| f.as_str())
            .collect();
        if settings.impute == Impute::Drop && !missing.is_empty() {
            matrix
                .dropped
                .push((patient.clone(), format!("missing {}", missing.join(", "))));
            continue;
        }
        matrix.censored_cells += row.values().filter(|v| v.1).count();
        matrix.patients.push(patient.clone());
        matrix.rows.push(values);
    }
    if matrix.rows.is_empty() {
        return Err(Error::InvalidValue {
            what: "feature matrix",
            value: format!("{} patients", all_patients.len()),
            reason: "no patient has features at this time point".into(),
        });
    }
    for j in 0..features.len() {
        let mut present: Vec<f64> = matrix
            .rows
            .iter()
            .map(|r| r[j])
            .filter(|v| v.is_finite())
            .collect();
        if present.len() == matrix.rows.len() {
            continue;
        }
        present.sort_by(f64::total_cmp);
        let m = present.len();
        let median = match m {
            0 => 0.0,
            _ if m % 2 == 1 => present[m / 2],
            _ => (present[m / 2 - 1] + present[m / 2]) / 2.0,
        };
        for row in &mut matrix.rows {
            if !row[j].is_finite() {
                row[j] = median;
                matrix.imputed_cells += 1;
            }
        }
    }
    if settings.z_scale {
        matrix.rows = z_score_columns(&matrix.rows);
    }
    Ok(matrix)
}

/// The date of the patient's sample at the time point.
fn pick_date(obs: &[&Observation], at: TimePoint) -> Option<NaiveDate> {
    let mut dates: Vec<(NaiveDate, Option<i64>)> = obs.iter().map(|o| (o.date, o.day)).collect();
    dates.sort();
    dates.dedup();
    match at {
        TimePoint::Baseline => dates.first().map(|d| d.0),
        TimePoint::Visit(n) => dates.get(n.checked_sub(1)?).map(|d| d.0),
        TimePoint::Days { day, window } => dates
            .iter()
            .filter_map(|(date, d)| d.map(|d| ((d - day).abs(), *date)))
            .filter(|(distance, _)| *distance <= window)
            .min()
            .map(|(_, date)| date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(
        patient: &str,
        date: &str,
        day: i64,
        feature: &str,
        value: f64,
        censor: &str,
    ) -> Observation {
        Observation {
            patient: patient.into(),
            date: crate::model::parse_date(date).unwrap(),
            day: Some(day),
            feature: feature.into(),
            assay: String::new(),
            value,
            censor: Censor::parse(censor).unwrap(),
        }
    }

    fn cohort() -> Vec<Observation> {
        vec![
            obs("P1", "2024-01-05", 4, "IL6", 9.0, "none"),
            obs("P1", "2024-01-05", 4, "MIF", 2.0, "left"),
            obs("P1", "2024-04-05", 95, "IL6", 99.0, "none"),
            obs("P2", "2024-02-03", 2, "IL6", 3.0, "none"),
        ]
    }

    fn settings(at: TimePoint, impute: Impute) -> MatrixSettings {
        MatrixSettings {
            at,
            transform: Transform::None,
            z_scale: false,
            impute,
        }
    }

    #[test]
    fn baseline_takes_the_first_sample_and_censored_values_their_bound() {
        let m = build(&[cohort()], &settings(TimePoint::Baseline, Impute::Median)).unwrap();
        assert_eq!(m.features, vec!["IL6", "MIF"]);
        assert_eq!(m.rows, vec![vec![9.0, 2.0], vec![3.0, 2.0]]);
        assert_eq!((m.censored_cells, m.imputed_cells), (1, 1));
    }

    #[test]
    fn drop_removes_patients_with_a_missing_feature_and_says_why() {
        let m = build(&[cohort()], &settings(TimePoint::Baseline, Impute::Drop)).unwrap();
        assert_eq!(m.patients, vec!["P1"]);
        assert_eq!(
            m.dropped,
            vec![("P2".to_string(), "missing MIF".to_string())]
        );
    }

    #[test]
    fn day_window_picks_the_closest_sample_inside_it() {
        let at: TimePoint = "days:90±10".parse().unwrap();
        let m = build(&[cohort()], &settings(at, Impute::Median)).unwrap();
        assert_eq!(m.patients, vec!["P1"]);
        assert_eq!(m.rows[0][0], 99.0);
        assert_eq!(m.dropped[0].0, "P2");
    }

    fn with_assays() -> Vec<Observation> {
        let mut out = Vec::new();
        for (assay, value) in [("CD3/CD28", 100.0), ("LPS", 40.0), ("unstimulated", 2.0)] {
            let mut o = obs("P1", "2024-01-05", 4, "IL-6", value, "none");
            o.assay = assay.into();
            out.push(o);
        }
        out
    }

    #[test]
    fn one_assay_is_used_and_several_without_a_choice_are_refused_with_the_list() {
        let err = choose_assay(with_assays(), &AssayChoice::Only)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "stored under 3 assays ('CD3/CD28', 'LPS', 'unstimulated') and none was chosen"
            ),
            "{err}"
        );
        let (kept, assay) = choose_assay(with_assays(), &"LPS".parse().unwrap()).unwrap();
        assert_eq!(assay.as_deref(), Some("LPS"));
        assert_eq!(kept.iter().map(|o| o.value).collect::<Vec<_>>(), vec![40.0]);
        let err = choose_assay(with_assays(), &"PMA".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no cytokine is stored under assay 'PMA'"),
            "{err}"
        );
        let (all, assay) = choose_assay(with_assays(), &AssayChoice::All).unwrap();
        assert_eq!(assay, None);
        let m = build(&[all], &settings(TimePoint::Baseline, Impute::Median)).unwrap();
        assert_eq!(
            m.features,
            vec!["IL-6@CD3/CD28", "IL-6@LPS", "IL-6@unstimulated"]
        );
        // One assay stored: used without being named.
        let (kept, assay) = choose_assay(cohort(), &AssayChoice::Only).unwrap();
        assert_eq!((kept.len(), assay.as_deref()), (4, Some("")));
    }

    #[test]
    fn time_point_syntax_is_checked() {
        assert_eq!("visit:2".parse::<TimePoint>(), Ok(TimePoint::Visit(2)));
        assert!("visit:0".parse::<TimePoint>().is_err());
        assert!("tomorrow".parse::<TimePoint>().is_err());
    }
}
