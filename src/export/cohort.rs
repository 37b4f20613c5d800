//! The analysis-ready cohort table: one row per patient with its attributes, endotype, best and latest response per criterion, ctDNA lead time and survival.

use super::deidentify::Deidentify;
use super::frame::{Column, Frame, Values};
use crate::analysis::matrix::{self, Impute, MatrixSettings, TimePoint, Transform};
use crate::analysis::response::discordance::Kind;
use crate::analysis::response::{Criterion, Report};
use crate::model::MrdDecision;
use crate::model::cluster::Assignment;
use crate::model::observation::{FeatureFamily, Observation};
use crate::store::export::{Cell, ColumnKind, ExportTable};
use std::collections::HashMap;

/// The criteria of the cohort table, in column order.
pub const COHORT_CRITERIA: [Criterion; 5] = [
    Criterion::Recist,
    Criterion::Choi,
    Criterion::Percist,
    Criterion::Eortc,
    Criterion::Ctdna,
];

/// What the cohort table needs of one patient beyond the store tables: the cells of
/// its response assessment, kept instead of the whole [`Report`] (whose per-visit
/// assessments and reasons, kept for every patient until the table is written, made
/// `export cohort` hold ~12 KB per patient: 0.64 GB at 50,000 patients).
#[derive(Debug, Clone, PartialEq)]
pub struct PatientOutcome {
    /// Per criterion of [`COHORT_CRITERIA`]: best response (code, date), latest (code, date).
    criteria: [CriterionCells; COHORT_CRITERIA.len()],
    /// The RECIST progression date of the best response.
    recist_progression: Option<chrono::NaiveDate>,
    /// Days by which ctDNA progression preceded RECIST progression.
    lead_days: Option<i64>,
    /// The last blood draw: its date and MRD decision (None when no test was made).
    last_draw: Option<(chrono::NaiveDate, Option<MrdDecision>)>,
}

/// The best and the latest response of one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct CriterionCells {
    best: Option<&'static str>,
    best_date: Option<chrono::NaiveDate>,
    latest: Option<(&'static str, chrono::NaiveDate)>,
}

impl PatientOutcome {
    /// Assesses one patient's stored record by [`COHORT_CRITERIA`] under `rules` and keeps
    /// the cells the cohort table writes.
    pub fn assess(
        record: &crate::model::ResponseRecord,
        rules: &crate::analysis::response::molecular::Rules,
    ) -> PatientOutcome {
        let inputs = crate::analysis::response::PatientInputs::from_record(record);
        let report =
            crate::analysis::response::assess_patient_with(&inputs, &COHORT_CRITERIA, rules);
        let last_draw = inputs
            .ctdna
            .iter()
            .max_by_key(|s| s.date)
            .map(|s| (s.date, s.mrd));
        PatientOutcome::new(&report, last_draw)
    }

    /// The cells of `report` (assessed by [`COHORT_CRITERIA`]) and of the last blood draw.
    pub fn new(
        report: &Report,
        last_draw: Option<(chrono::NaiveDate, Option<MrdDecision>)>,
    ) -> PatientOutcome {
        let criteria = COHORT_CRITERIA.map(|criterion| {
            let best = report.best(criterion);
            CriterionCells {
                best: best.map(|b| b.category.code(criterion)),
                best_date: best.and_then(|b| b.date),
                latest: report
                    .assessments
                    .iter()
                    .rev()
                    .find(|a| a.criterion == criterion)
                    .map(|a| (a.code(), a.date)),
            }
        });
        PatientOutcome {
            criteria,
            recist_progression: report
                .best(Criterion::Recist)
                .and_then(|b| b.progression_date),
            lead_days: report
                .discordances
                .iter()
                .find(|d| d.kind == Kind::MolecularLead)
                .and_then(|d| d.lead_time_days),
            last_draw,
        }
    }
}

/// Column names of one criterion: best, best date, latest, latest date.
fn criterion_columns(criterion: Criterion) -> [&'static str; 4] {
    match criterion {
        Criterion::Recist => [
            "recist_best",
            "recist_best_date",
            "recist_latest",
            "recist_latest_date",
        ],
        Criterion::Choi => [
            "choi_best",
            "choi_best_date",
            "choi_latest",
            "choi_latest_date",
        ],
        Criterion::ModifiedChoi => [
            "mchoi_best",
            "mchoi_best_date",
            "mchoi_latest",
            "mchoi_latest_date",
        ],
        Criterion::Percist => [
            "percist_best",
            "percist_best_date",
            "percist_latest",
            "percist_latest_date",
        ],
        Criterion::Eortc => [
            "eortc_best",
            "eortc_best_date",
            "eortc_latest",
            "eortc_latest_date",
        ],
        Criterion::Ctdna => [
            "ctdna_best",
            "ctdna_best_date",
            "ctdna_latest",
            "ctdna_latest_date",
        ],
    }
}

fn date_cell(date: Option<chrono::NaiveDate>) -> Cell {
    date.map_or(Cell::Null, Cell::Date)
}

fn text_cell(text: Option<&str>) -> Cell {
    text.map_or(Cell::Null, |t| Cell::Text(t.to_string()))
}

/// Joins the per-patient pieces into one table, one row per row of `patients` (the
/// `patients` export table): diagnosis, sex, age at index, site, the cluster of the
/// run (when `assignments` is given; null for a patient the run left out), best and
/// latest response per criterion of [`COHORT_CRITERIA`] with their dates, the RECIST
/// progression date, the ctDNA lead time, the last blood draw's date and MRD
/// decision, and OS / EFS (days, event) from `survival`
/// (the survival export table).
pub fn cohort_table(
    patients: &ExportTable,
    assignments: Option<&[Assignment]>,
    reports: &HashMap<String, PatientOutcome>,
    survival: &ExportTable,
) -> ExportTable {
    let find = |table: &ExportTable, name: &str| table.columns.iter().position(|(n, _)| *n == name);
    let code_at = find(patients, "patient");
    let index_at = patients
        .columns
        .iter()
        .position(|(_, k)| *k == ColumnKind::IndexDate);
    let picked: Vec<(&'static str, ColumnKind)> =
        ["index_date", "diagnosis", "sex", "age_at_index", "site"]
            .iter()
            .filter_map(|n| find(patients, n).map(|i| patients.columns[i]))
            .collect();
    let mut columns: Vec<(&'static str, ColumnKind)> = vec![("patient", ColumnKind::Patient)];
    columns.extend(picked.iter().copied());
    if assignments.is_some() {
        columns.push(("cluster", ColumnKind::Integer));
    }
    for criterion in COHORT_CRITERIA {
        let [best, best_date, latest, latest_date] = criterion_columns(criterion);
        columns.extend([
            (best, ColumnKind::Text),
            (best_date, ColumnKind::Date),
            (latest, ColumnKind::Text),
            (latest_date, ColumnKind::Date),
        ]);
    }
    columns.extend([
        ("recist_progression_date", ColumnKind::Date),
        ("ctdna_lead_days", ColumnKind::Integer),
        ("last_draw_date", ColumnKind::Date),
        ("last_draw_mrd", ColumnKind::Text),
        ("os_days", ColumnKind::Integer),
        ("os_event", ColumnKind::Boolean),
        ("efs_days", ColumnKind::Integer),
        ("efs_event", ColumnKind::Boolean),
        ("", ColumnKind::IndexDate),
    ]);
    let clusters: HashMap<&str, usize> = assignments
        .unwrap_or_default()
        .iter()
        .map(|a| (a.patient.as_str(), a.cluster))
        .collect();
    let survival_code = find(survival, "patient");
    let survival_rows: HashMap<String, &Vec<Cell>> = survival
        .rows
        .iter()
        .filter_map(|r| match survival_code.map(|i| &r[i]) {
            Some(Cell::Text(code)) => Some((code.clone(), r)),
            _ => None,
        })
        .collect();
    let survival_cells = |code: &str| -> Vec<Cell> {
        ["os_days", "os_event", "efs_days", "efs_event"]
            .iter()
            .map(|n| match (survival_rows.get(code), find(survival, n)) {
                (Some(row), Some(i)) => row[i].clone(),
                _ => Cell::Null,
            })
            .collect()
    };
    let mut rows = Vec::new();
    for source in &patients.rows {
        let code = match code_at.map(|i| &source[i]) {
            Some(Cell::Text(code)) => code.clone(),
            _ => continue,
        };
        let mut row = vec![Cell::Text(code.clone())];
        for (name, _) in &picked {
            row.push(find(patients, name).map_or(Cell::Null, |i| source[i].clone()));
        }
        if assignments.is_some() {
            row.push(
                clusters
                    .get(code.as_str())
                    .map_or(Cell::Null, |c| Cell::Integer(*c as i64)),
            );
        }
        let outcome = reports.get(&code);
        for at in 0..COHORT_CRITERIA.len() {
            let cells = outcome.map(|o| o.criteria[at]).unwrap_or_default();
            row.push(text_cell(cells.best));
            row.push(date_cell(cells.best_date));
            row.push(text_cell(cells.latest.map(|(code, _)| code)));
            row.push(date_cell(cells.latest.map(|(_, date)| date)));
        }
        row.push(date_cell(outcome.and_then(|o| o.recist_progression)));
        row.push(
            outcome
                .and_then(|o| o.lead_days)
                .map_or(Cell::Null, Cell::Integer),
        );
        let last_draw = outcome.and_then(|o| o.last_draw);
        row.push(date_cell(last_draw.map(|(d, _)| d)));
        row.push(text_cell(
            last_draw.and_then(|(_, m)| m).map(|m| m.as_str()),
        ));
        row.extend(survival_cells(&code));
        row.push(index_at.map_or(Cell::Null, |i| source[i].clone()));
        rows.push(row);
    }
    ExportTable { columns, rows }
}

/// The feature families a cluster run's record names (`cytokines`, `radiomics`, `pet`, `ctdna`).
pub fn families(names: &[String]) -> Vec<FeatureFamily> {
    let all = [
        FeatureFamily::Cytokines,
        FeatureFamily::Radiomics,
        FeatureFamily::Pet,
        FeatureFamily::Ctdna,
    ];
    names
        .iter()
        .filter_map(|n| all.iter().copied().find(|f| f.as_str() == n))
        .collect()
}

/// Each patient's raw feature values at the time point (as measured: no transformation,
/// scaling or imputation; a censored value at its bound), chosen as the matrix chooses
/// them: the feature names in order, and per patient code the values it has.
pub fn feature_values(
    families: &[Vec<Observation>],
    at: TimePoint,
) -> (Vec<String>, HashMap<String, HashMap<String, f64>>) {
    let settings = MatrixSettings {
        at,
        transform: Transform::None,
        z_scale: false,
        impute: Impute::Drop,
    };
    let mut names = std::collections::BTreeSet::new();
    let mut values: HashMap<String, HashMap<String, f64>> = HashMap::new();
    for family in families {
        let mut by_patient: HashMap<&str, Vec<Observation>> = HashMap::new();
        for o in family {
            by_patient
                .entry(o.patient.as_str())
                .or_default()
                .push(o.clone());
        }
        for (_, observations) in by_patient {
            // One patient alone: every feature it has is present, so nothing is imputed.
            let Ok(m) = matrix::build(&[observations], &settings) else {
                continue;
            };
            let (Some(code), Some(row)) = (m.patients.first(), m.rows.first()) else {
                continue;
            };
            let entry = values.entry(code.clone()).or_default();
            for (name, value) in m.features.iter().zip(row) {
                if value.is_finite() {
                    names.insert(name.clone());
                    entry.insert(name.clone(), *value);
                }
            }
        }
    }
    (names.into_iter().collect(), values)
}

/// Appends one f64 column per feature to the cohort frame, matched on its `patient`
/// column (pseudonyms when `deidentify`, as [`super::table_frame`] wrote them).
pub fn add_features(
    frame: &mut Frame,
    features: &[String],
    values: &HashMap<String, HashMap<String, f64>>,
    deidentify: Option<&Deidentify>,
) {
    let by_id: HashMap<String, &HashMap<String, f64>> = values
        .iter()
        .map(|(code, v)| {
            let id = deidentify.map_or_else(|| code.clone(), |d| d.key.pseudonym(code));
            (id, v)
        })
        .collect();
    let ids: Vec<Option<String>> = match frame.column("patient") {
        Some(Values::Text(ids)) => ids.clone(),
        _ => vec![None; frame.height],
    };
    for name in features {
        let column = ids
            .iter()
            .map(|id| {
                id.as_ref()
                    .and_then(|id| by_id.get(id))
                    .and_then(|v| v.get(name))
                    .copied()
            })
            .collect();
        frame.columns.push(Column {
            name: name.clone(),
            values: Values::Real(column),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(patient: &str, date: &str, feature: &str, value: f64) -> Observation {
        Observation {
            patient: patient.into(),
            date: chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            day: None,
            feature: feature.into(),
            assay: String::new(),
            value,
            censor: crate::model::measure::Censor::None,
        }
    }

    #[test]
    fn features_are_the_baseline_values_as_measured_and_missing_ones_stay_missing() {
        let family = vec![
            obs("P1", "2024-01-01", "IL-6", 4.0),
            obs("P1", "2024-01-01", "IL-8", 10.0),
            obs("P1", "2024-03-01", "IL-6", 40.0),
            obs("P2", "2024-02-01", "IL-6", 2.0),
        ];
        let (names, values) = feature_values(&[family], TimePoint::Baseline);
        assert_eq!(names, vec!["IL-6", "IL-8"]);
        assert_eq!(
            values["P1"]["IL-6"], 4.0,
            "the first sample, not transformed"
        );
        assert_eq!(values["P2"].get("IL-8"), None, "not imputed");
        let mut frame = Frame {
            columns: vec![Column {
                name: "patient".into(),
                values: Values::Text(vec![Some("P2".into()), Some("P1".into())]),
            }],
            height: 2,
        };
        add_features(&mut frame, &names, &values, None);
        assert_eq!(
            frame.column("IL-8"),
            Some(&Values::Real(vec![None, Some(10.0)]))
        );
    }

    #[test]
    fn one_row_per_patient_with_its_cluster_and_survival_and_nulls_where_nothing_is_known() {
        let patients = ExportTable {
            columns: vec![
                ("patient", ColumnKind::Patient),
                ("index_date", ColumnKind::Date),
                ("diagnosis", ColumnKind::Text),
                ("", ColumnKind::IndexDate),
            ],
            rows: vec![
                vec![
                    Cell::Text("P1".into()),
                    Cell::Date(crate::model::parse_date("2024-01-01").unwrap()),
                    Cell::Text("osteosarcoma".into()),
                    Cell::Date(crate::model::parse_date("2024-01-01").unwrap()),
                ],
                vec![Cell::Text("P2".into()), Cell::Null, Cell::Null, Cell::Null],
            ],
        };
        let survival = ExportTable {
            columns: vec![
                ("patient", ColumnKind::Patient),
                ("os_days", ColumnKind::Integer),
                ("os_event", ColumnKind::Boolean),
            ],
            rows: vec![vec![
                Cell::Text("P1".into()),
                Cell::Integer(400),
                Cell::Integer(1),
            ]],
        };
        let assignments = vec![Assignment {
            patient: "P1".into(),
            cluster: 2,
            silhouette: None,
            pc: None,
        }];
        let table = cohort_table(&patients, Some(&assignments), &HashMap::new(), &survival);
        assert_eq!(table.rows.len(), 2);
        let at = |name: &str| table.columns.iter().position(|(n, _)| *n == name).unwrap();
        assert_eq!(table.rows[0][at("cluster")], Cell::Integer(2));
        assert_eq!(table.rows[1][at("cluster")], Cell::Null);
        assert_eq!(table.rows[0][at("os_days")], Cell::Integer(400));
        assert_eq!(table.rows[0][at("os_event")], Cell::Integer(1));
        assert_eq!(table.rows[0][at("efs_days")], Cell::Null);
        assert_eq!(table.rows[0][at("recist_best")], Cell::Null);
        assert!(table.rows.iter().all(|r| r.len() == table.columns.len()));
    }
}
