//! The demo's closing analysis: cluster the baseline cytokines into endotypes, save the run, and compare overall survival between the clusters.

use crate::analysis::cluster::{self, ClusterSettings, Distance, KChoice, Method};
use crate::analysis::matrix::{self, Impute, MatrixSettings, TimePoint, Transform};
use crate::analysis::survival::{self, CourseDates, Endpoint, LogRank, Subject};
use crate::demo::SimPatient;
use crate::error::Result;
use crate::model::parse_date;
use crate::store::Store;
use crate::store::analysis::FeatureFamily;
use std::collections::HashMap;

/// Name of the cluster run the demo saves.
pub const RUN_NAME: &str = "demo-endotypes";

/// What the endotype analysis found.
#[derive(Debug, Clone, PartialEq)]
pub struct EndotypeReport {
    /// Patients clustered.
    pub patients: usize,
    /// Adjusted Rand index of the clusters against the planted endotypes.
    pub adjusted_rand: f64,
    /// Mean silhouette.
    pub silhouette: f64,
    /// Each cluster's description and median overall survival (days; None if not reached).
    pub clusters: Vec<(String, Option<f64>)>,
    /// Log-rank test of overall survival over the clusters.
    pub logrank: Option<LogRank>,
}

/// Clusters baseline cytokines (log1p, z-scored, Ward, k = 3), saves the run as
/// [`RUN_NAME`] and compares overall survival by cluster. None when the store holds
/// no cytokine measurements.
///
/// # Errors
/// Store errors; clustering errors on degenerate data.
pub fn analyse(store: &mut Store, cohort: &[SimPatient]) -> Result<Option<EndotypeReport>> {
    let observations = store.observations(FeatureFamily::Cytokines)?;
    if observations.is_empty() {
        return Ok(None);
    }
    let settings = MatrixSettings {
        at: TimePoint::Baseline,
        transform: Transform::Log1p,
        z_scale: true,
        impute: Impute::Median,
    };
    let m = matrix::build(&[observations], &settings)?;
    if m.rows.len() < 4 {
        return Ok(None);
    }
    let cluster_settings = ClusterSettings {
        method: Method::Ward,
        distance: Distance::Euclidean,
        seed: 2026,
        n_init: 1,
    };
    let result = cluster::analyse(&m.rows, KChoice::Fixed(3), &cluster_settings, 0)?;

    let truth: HashMap<&str, usize> = cohort
        .iter()
        .map(|p| {
            let planted = crate::demo::Endotype::ALL
                .iter()
                .position(|e| *e == p.endotype)
                .unwrap_or(0);
            (p.code.as_str(), planted)
        })
        .collect();
    let planted: Vec<usize> = m
        .patients
        .iter()
        .map(|code| truth.get(code.as_str()).copied().unwrap_or(usize::MAX))
        .collect();
    let adjusted_rand = cluster::adjusted_rand_index(&planted, &result.labels);

    let params = format!(
        r#"{{"method":"ward","distance":"euclidean","k":3,"features":["cytokines"],"at":"baseline","transform":"log1p","scale":"z","impute":"median","silhouette":{}}}"#,
        result.silhouette
    );
    let assignments: Vec<(String, usize, Option<f64>)> = m
        .patients
        .iter()
        .zip(&result.labels)
        .zip(&result.widths)
        .map(|((p, l), w)| (p.clone(), *l, Some(*w)))
        .collect();
    let tx = store.transaction()?;
    tx.save_cluster_run(
        RUN_NAME,
        &params,
        concat!("oncotrack ", env!("CARGO_PKG_VERSION"), " demo"),
        &assignments,
    )?;
    tx.commit()?;

    let cluster_of: HashMap<&str, usize> = m
        .patients
        .iter()
        .map(String::as_str)
        .zip(result.labels.iter().copied())
        .collect();
    let mut groups: Vec<Vec<Subject>> = vec![Vec::new(); result.k];
    let date = |d: &Option<String>| d.as_deref().and_then(|d| parse_date(d).ok());
    for course in store.courses()? {
        let Some(&c) = cluster_of.get(course.patient.as_str()) else {
            continue;
        };
        let dates = CourseDates {
            index: date(&course.diagnosis_date),
            progression: date(&course.progression),
            death: date(&course.death),
            last_follow_up: date(&course.last_follow_up),
        };
        if let Ok(subject) = survival::endpoint_subject(&dates, Endpoint::Overall) {
            groups[c - 1].push(subject);
        }
    }
    let names: Vec<String> = m.features.clone();
    let clusters = result
        .profiles
        .iter()
        .zip(&groups)
        .map(|(profile, group)| {
            let median = survival::kaplan_meier(group).ok().and_then(|km| km.median);
            (profile.describe(&names), median)
        })
        .collect();
    Ok(Some(EndotypeReport {
        patients: m.patients.len(),
        adjusted_rand,
        silhouette: result.silhouette,
        clusters,
        logrank: survival::logrank(&groups).ok(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{Endotype, Options};
    use crate::store::Access;
    use crate::store::analysis::tests::insert_cytokine;

    #[test]
    fn baseline_cytokines_recover_the_planted_endotypes() {
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            patients: 60,
            seed: 5,
            out_dir: dir.path().join("files"),
            db: dir.path().join("demo.db"),
        };
        let report = crate::demo::run(&options).unwrap();
        let mut store = Store::open(&options.db, Access::ReadWrite).unwrap();
        assert_eq!(
            analyse(&mut store, &report.cohort).unwrap(),
            None,
            "no cytokines yet"
        );
        for (i, p) in report.cohort.iter().enumerate() {
            let wobble = 1.0 + (i % 7) as f64 / 10.0;
            let high = |yes: bool| if yes { 300.0 * wobble } else { 15.0 * wobble };
            for (analyte, up) in [
                ("CXCL5", p.endotype == Endotype::Myeloid),
                ("MIF", p.endotype == Endotype::Myeloid),
                ("IL6", p.endotype == Endotype::AcutePhase),
                ("IL8", p.endotype == Endotype::AcutePhase),
            ] {
                insert_cytokine(&store, &p.code, 3, analyte, high(up));
            }
        }
        let found = analyse(&mut store, &report.cohort).unwrap().unwrap();
        assert_eq!(found.patients, 60);
        assert!(found.adjusted_rand >= 0.8, "ARI {}", found.adjusted_rand);
        assert!(found.logrank.is_some());
        assert_eq!(store.cluster_assignments(RUN_NAME).unwrap().len(), 60);
    }
}
