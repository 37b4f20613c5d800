//! Cluster runs: each patient's assignment, and the record a run keeps of how it was made.

use serde::{Deserialize, Serialize};

/// One patient's place in a cluster run.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Patient code.
    pub patient: String,
    /// Cluster (1..=k).
    pub cluster: usize,
    /// Silhouette width.
    pub silhouette: Option<f64>,
    /// Coordinates on the first two principal components.
    pub pc: Option<(f64, f64)>,
}

/// How a cluster run was made and what it found, stored as the run's parameters
/// (`analysis_run.params`, JSON) and read back by the cluster screen. Every writer
/// builds this one record; runs saved before it existed read back through the same
/// field names (fields they lack take their defaults).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClusterRunRecord {
    /// `ward`, `average`, `complete`, `single` or `kmeans`.
    pub method: String,
    /// The distance the clustering ran with (`euclidean` or `correlation`).
    pub distance: String,
    /// Number of clusters.
    pub k: usize,
    /// The `--k` given (`auto` or a number), when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_arg: Option<String>,
    /// Seed of k-means++ and of the bootstrap.
    pub seed: u64,
    /// k-means restarts.
    pub n_init: usize,
    /// Bootstrap resamples behind the stability.
    #[serde(default)]
    pub bootstrap: usize,
    /// Feature families of the matrix (`cytokines`, `radiomics`, `pet`, `ctdna`).
    #[serde(default)]
    pub features: Vec<String>,
    /// The cytokine assay the matrix used (`--assay`; `all` for one column per analyte
    /// and assay), when its features include cytokines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assay: Option<String>,
    /// Time point of the matrix (`baseline`, `visit:N`, `days:D±W`).
    #[serde(default)]
    pub at: String,
    /// Transformation of raw values.
    #[serde(default)]
    pub transform: String,
    /// Imputation of missing cells.
    #[serde(default)]
    pub impute: String,
    /// Scaling of the columns.
    #[serde(default)]
    pub scale: String,
    /// Mean silhouette (None when not defined).
    #[serde(default)]
    pub silhouette: Option<f64>,
    /// Bootstrap stability (mean adjusted Rand index), None without resamples.
    #[serde(default)]
    pub stability: Option<f64>,
    /// Each cluster's mean z-scores.
    #[serde(default)]
    pub profile: ClusterProfile,
}

/// The clusters' profiles saved with a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClusterProfile {
    /// Feature (column) names, in the order of `mean_z`.
    pub features: Vec<String>,
    /// One entry per cluster.
    pub clusters: Vec<ClusterMeans>,
    /// Share of variance on each principal component shown.
    #[serde(default)]
    pub explained_variance_ratio: Vec<Option<f64>>,
}

/// One cluster of a saved run: its size, mean z-score per feature and description.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClusterMeans {
    /// Cluster number (1..=k).
    pub cluster: usize,
    /// Patients in it.
    #[serde(default)]
    pub size: usize,
    /// Mean z-score of each feature (None where not defined).
    pub mean_z: Vec<Option<f64>>,
    /// The analytes it raises or lowers, in words.
    #[serde(default)]
    pub description: String,
}

/// A finite number, or None (JSON has no NaN).
pub fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_round_trips_and_an_older_run_reads_with_defaults() {
        let record = ClusterRunRecord {
            method: "ward".into(),
            distance: "euclidean".into(),
            k: 3,
            silhouette: finite(f64::NAN),
            profile: ClusterProfile {
                features: vec!["IL6".into()],
                clusters: vec![ClusterMeans {
                    cluster: 1,
                    size: 4,
                    mean_z: vec![Some(0.5)],
                    description: "IL6 ↑".into(),
                }],
                explained_variance_ratio: vec![Some(0.7)],
            },
            ..ClusterRunRecord::default()
        };
        let text = serde_json::to_string(&record).unwrap();
        assert!(text.contains("\"silhouette\":null"), "{text}");
        assert_eq!(
            serde_json::from_str::<ClusterRunRecord>(&text).unwrap(),
            record
        );
        let old = r#"{"method":"ward","distance":"euclidean","k":2,"seed":1,"n_init":4,
            "profile":{"features":["IL6"],"clusters":[{"cluster":1,"mean_z":[null]}]}}"#;
        let read: ClusterRunRecord = serde_json::from_str(old).unwrap();
        assert_eq!((read.k, read.profile.clusters[0].mean_z[0]), (2, None));
    }
}
