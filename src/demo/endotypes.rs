//! The demo's closing analysis: cluster the baseline cytokines into endotypes, save the run, and compare overall survival between the clusters.

use crate::analysis::cluster::{self, ClusterSettings, Distance, KChoice, MatrixRecipe, Method};
use crate::analysis::matrix::{self, Impute, MatrixSettings, TimePoint, Transform};
use crate::analysis::survival::{self, Endpoint, LogRank};
use crate::demo::SimPatient;
use crate::error::Result;
use crate::model::FeatureFamily;
use crate::store::Store;
use std::collections::HashMap;

/// Largest cohort the demo clusters with Ward's method; larger ones use k-means++.
pub const WARD_LIMIT: usize = 2000;

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

/// Clusters baseline cytokines (log1p, z-scored, Ward — k-means++ above
/// [`WARD_LIMIT`] patients — k = 3), saves the run as
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
    // The demo writes one panel (one assay); any other store must name its assay.
    let (observations, assay) = matrix::choose_assay(observations, &matrix::AssayChoice::Only)?;
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
    // Ward's O(n²) tree for cohorts up to WARD_LIMIT patients, k-means++ above (the demo
    // must stay fast at 10,000 patients).
    let method = if m.rows.len() <= WARD_LIMIT {
        Method::Ward
    } else {
        Method::KMeans
    };
    let cluster_settings = ClusterSettings {
        method,
        distance: Distance::Euclidean,
        seed: 2026,
        n_init: 4,
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

    let recipe = MatrixRecipe {
        families: vec![FeatureFamily::Cytokines.as_str().to_string()],
        assay,
        at: "baseline".into(),
        transform: "log1p".into(),
        impute: "median".into(),
        scale: "z".into(),
        k_arg: Some("3".into()),
        bootstrap: 0,
    };
    let record = result.run_record(&cluster_settings, recipe, &m.features);
    let assignments = result.assignments(&m.patients);
    let tx = store.transaction()?;
    tx.save_cluster_run(
        RUN_NAME,
        &record,
        concat!("oncotrack ", env!("CARGO_PKG_VERSION"), " demo"),
        &assignments,
    )?;
    tx.commit()?;

    let (by_cluster, _) =
        survival::by_cluster(&store.courses()?, &assignments, Endpoint::Overall, false)?;
    let names: Vec<String> = m.features.clone();
    let clusters = result
        .profiles
        .iter()
        .map(|profile| {
            let median = by_cluster.curve(&profile.cluster).and_then(|km| km.median);
            (profile.describe(&names), median)
        })
        .collect();
    Ok(Some(EndotypeReport {
        patients: m.patients.len(),
        adjusted_rand,
        silhouette: result.silhouette,
        clusters,
        logrank: by_cluster.logrank,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::Options;

    #[test]
    fn demo_clusters_recover_the_planted_endotypes_and_save_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let options = Options {
            patients: 90,
            seed: 5,
            out_dir: dir.path().join("files"),
            db: dir.path().join("demo.db"),
        };
        let report = crate::demo::run(&options).unwrap();
        let found = report.endotypes.expect("the demo writes cytokines");
        assert_eq!(found.patients, 90);
        assert!(found.adjusted_rand >= 0.8, "ARI {}", found.adjusted_rand);
        assert!(found.logrank.is_some());
        assert!(
            found.clusters.iter().any(|(d, _)| d.contains("CXCL5 ↑")),
            "{:?}",
            found.clusters
        );
        let store = Store::open(&options.db, crate::store::Access::ReadOnly).unwrap();
        assert_eq!(store.cluster_assignments(RUN_NAME).unwrap().len(), 90);
    }
}
