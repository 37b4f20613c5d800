//! The clusters screen's data: each saved cluster run with its sizes, profile, PCA positions and overall survival by cluster.

use crate::analysis::survival::{self, Endpoint};
use crate::error::Result;
use crate::store::Store;

/// A Kaplan–Meier curve of one cluster.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurvivalCurve {
    /// Cluster number.
    pub cluster: i64,
    /// `(months, survival)` after each event time, starting at `(0, 1)`.
    pub steps: Vec<(f64, f64)>,
    /// Median survival in months, if reached.
    pub median: Option<f64>,
    /// Censored follow-up times in months (drawn as `+` on the curve).
    pub censored: Vec<f64>,
    /// Every subject's time in months, sorted: the number at risk at `t` is how many
    /// are at least `t`.
    pub times: Vec<f64>,
}

impl SurvivalCurve {
    /// Patients still at risk at `months`.
    pub fn at_risk(&self, months: f64) -> usize {
        self.times.len() - self.times.partition_point(|t| *t < months)
    }

    /// The curve's value at `months` (a step function, 1 before the first event).
    pub fn survival_at(&self, months: f64) -> f64 {
        self.steps
            .iter()
            .take_while(|(t, _)| *t <= months)
            .last()
            .map_or(1.0, |s| s.1)
    }
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
    /// Its caution when groups are tiny or events few (`LogRank::caution_brief`).
    pub logrank_caution: Option<&'static str>,
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
        // The same subjects by_cluster fits, for censor marks and numbers at risk.
        let cluster_of: std::collections::HashMap<&str, usize> = members
            .iter()
            .map(|m| (m.patient.as_str(), m.cluster))
            .collect();
        let (subjects, _) = survival::group_subjects(
            courses.iter().filter_map(|c| {
                let cluster = *cluster_of.get(c.patient.as_str())?;
                Some((c.patient.clone(), cluster, c.dates(false)))
            }),
            Endpoint::Overall,
        );
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
                censored: subjects.get(cluster).map_or_else(Vec::new, |list| {
                    list.iter()
                        .filter(|s| !s.event)
                        .map(|s| s.time / DAYS_PER_MONTH)
                        .collect()
                }),
                times: subjects.get(cluster).map_or_else(Vec::new, |list| {
                    let mut times: Vec<f64> =
                        list.iter().map(|s| s.time / DAYS_PER_MONTH).collect();
                    times.sort_by(f64::total_cmp);
                    times
                }),
            })
            .collect();
        let logrank_p = comparison.logrank.map(|t| t.p);
        let logrank_caution = comparison.logrank.and_then(|t| t.caution_brief());
        views.push(ClusterView {
            name: run.name,
            created_at: run.created_at,
            sizes: sizes.into_iter().collect(),
            features,
            profile,
            pca,
            survival: curves,
            logrank_p,
            logrank_caution,
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
