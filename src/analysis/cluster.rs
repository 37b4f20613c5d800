//! Endotype clustering: hierarchical (Ward, average, complete, single) and k-means++, k chosen by silhouette and bootstrap stability, cluster profiles and the run record.
//!
//! Hierarchical clustering runs the `kodama` crate (fastcluster's algorithms) on the
//! condensed Euclidean or 1 − Pearson distance matrix and equals
//! `scipy.cluster.hierarchy.linkage` + `fcluster(maxclust)`; the silhouette equals
//! scikit-learn's `silhouette_score` on the same distance. Rows are samples
//! (patients), columns features.

mod hierarchy;
mod kmeans;
mod validity;

pub use super::pca::{Pca, pca};
pub use super::scale::z_score_columns;
use hierarchy::linkage;
pub use hierarchy::{Dendrogram, condensed_distances, hierarchical};
pub use kmeans::{KMeans, kmeans};
pub use validity::{adjusted_rand_index, silhouette, silhouette_samples};

use super::invalid;
use crate::error::Result;
use crate::model::cluster::{ClusterMeans, ClusterProfile, ClusterRunRecord, finite};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How two samples are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distance {
    /// Euclidean distance (scipy `pdist(metric="euclidean")`).
    Euclidean,
    /// 1 − Pearson correlation between the two rows (scipy `pdist(metric="correlation")`).
    Correlation,
}

/// The clustering method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Ward's minimum-variance linkage.
    Ward,
    /// Average linkage (UPGMA).
    Average,
    /// Complete linkage.
    Complete,
    /// Single linkage.
    Single,
    /// k-means with k-means++ seeding (always Euclidean).
    KMeans,
}

impl Distance {
    /// The distance's name as the CLI and the run record spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Distance::Euclidean => "euclidean",
            Distance::Correlation => "correlation",
        }
    }
}

impl Method {
    /// The method's name as the CLI and JSON spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Ward => "ward",
            Method::Average => "average",
            Method::Complete => "complete",
            Method::Single => "single",
            Method::KMeans => "kmeans",
        }
    }
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "ward" => Ok(Method::Ward),
            "average" => Ok(Method::Average),
            "complete" => Ok(Method::Complete),
            "single" => Ok(Method::Single),
            "kmeans" | "k-means" => Ok(Method::KMeans),
            other => Err(format!(
                "unknown method '{other}' (ward, average, complete, single, kmeans)"
            )),
        }
    }
}

/// Settings of one clustering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterSettings {
    /// Method.
    pub method: Method,
    /// Distance (hierarchical methods; k-means is Euclidean).
    pub distance: Distance,
    /// Seed of k-means and of the bootstrap.
    pub seed: u64,
    /// k-means restarts.
    pub n_init: usize,
}

impl ClusterSettings {
    /// The distance the clustering runs with: k-means is always Euclidean.
    pub fn effective_distance(&self) -> Distance {
        match self.method {
            Method::KMeans => Distance::Euclidean,
            _ => self.distance,
        }
    }
}

/// Labels 1..=k of the rows under `settings`, with the dendrogram for hierarchical methods.
///
/// # Errors
/// As [`hierarchical`] and [`kmeans`].
pub fn assign(
    rows: &[Vec<f64>],
    k: usize,
    settings: &ClusterSettings,
) -> Result<(Vec<usize>, Option<Dendrogram>)> {
    match settings.method {
        Method::KMeans => Ok((
            kmeans(rows, k, settings.seed, settings.n_init)?.labels,
            None,
        )),
        method => {
            let tree = hierarchical(rows, method, settings.distance)?;
            Ok((tree.cut(k)?, Some(tree)))
        }
    }
}

/// Mean and per-k results of choosing k.
#[derive(Debug, Clone, PartialEq)]
pub struct KScore {
    /// Number of clusters.
    pub k: usize,
    /// Mean silhouette width.
    pub silhouette: f64,
    /// Mean adjusted Rand index between the full-data labels and the labels of
    /// bootstrap resamples (on the resampled samples).
    pub stability: f64,
}

/// Mean ARI of `labels` against clusterings of `resamples` bootstrap resamples.
fn bootstrap_stability(
    rows: &[Vec<f64>],
    labels: &[usize],
    k: usize,
    settings: &ClusterSettings,
    resamples: usize,
) -> Result<f64> {
    if resamples == 0 {
        return Ok(f64::NAN);
    }
    let n = rows.len();
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed ^ (k as u64).wrapping_mul(0x9E37_79B9));
    let mut total = 0.0;
    for _ in 0..resamples {
        let picks: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
        let sample: Vec<Vec<f64>> = picks.iter().map(|&i| rows[i].clone()).collect();
        let distinct = {
            let mut p = picks.clone();
            p.sort_unstable();
            p.dedup();
            p.len()
        };
        let k_here = k.min(distinct);
        let (boot, _) = assign(&sample, k_here, settings)?;
        let reference: Vec<usize> = picks.iter().map(|&i| labels[i]).collect();
        total += adjusted_rand_index(&reference, &boot);
    }
    Ok(total / resamples as f64)
}

/// The k with the highest mean silhouette (the smallest k on ties).
pub fn best_k(scores: &[KScore]) -> Option<usize> {
    scores
        .iter()
        .fold(None::<&KScore>, |best, s| match best {
            Some(b) if b.silhouette >= s.silhouette => Some(b),
            _ => Some(s),
        })
        .map(|s| s.k)
}

/// How k is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KChoice {
    /// This many clusters.
    Fixed(usize),
    /// The best mean silhouette over 2..=8 (at most n − 1).
    Auto,
}

/// Everything one clustering reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Clustering {
    /// Number of clusters.
    pub k: usize,
    /// Labels 1..=k per sample.
    pub labels: Vec<usize>,
    /// Per-sample silhouette widths.
    pub widths: Vec<f64>,
    /// Mean silhouette.
    pub silhouette: f64,
    /// Bootstrap stability (mean ARI) at k; NaN without resamples.
    pub stability: f64,
    /// Silhouette and stability of every k tried.
    pub scores: Vec<KScore>,
    /// The tree (hierarchical methods).
    pub dendrogram: Option<Dendrogram>,
    /// Per-cluster profiles.
    pub profiles: Vec<Profile>,
    /// First two principal components.
    pub pca: Pca,
}

impl Clustering {
    /// What a saved run records per patient (`ids` in row order): cluster,
    /// silhouette and the first two principal components.
    pub fn assignments(&self, ids: &[String]) -> Vec<crate::model::Assignment> {
        ids.iter()
            .enumerate()
            .map(|(i, id)| crate::model::Assignment {
                patient: id.clone(),
                cluster: self.labels[i],
                silhouette: self.widths.get(i).copied(),
                pc: self.pca.scores.get(i).map(|s| {
                    (
                        s.first().copied().unwrap_or(0.0),
                        s.get(1).copied().unwrap_or(0.0),
                    )
                }),
            })
            .collect()
    }

    /// The record a saved run keeps of itself: the settings that ran (k-means always
    /// Euclidean), what the matrix was made of, the scores, and each cluster's profile
    /// over `features`.
    pub fn run_record(
        &self,
        settings: &ClusterSettings,
        matrix: MatrixRecipe,
        features: &[String],
    ) -> ClusterRunRecord {
        ClusterRunRecord {
            method: settings.method.as_str().to_string(),
            distance: settings.effective_distance().as_str().to_string(),
            k: self.k,
            k_arg: matrix.k_arg,
            seed: settings.seed,
            n_init: settings.n_init,
            bootstrap: matrix.bootstrap,
            features: matrix.families,
            assay: matrix.assay,
            at: matrix.at,
            transform: matrix.transform,
            impute: matrix.impute,
            scale: matrix.scale,
            silhouette: finite(self.silhouette),
            stability: finite(self.stability),
            profile: ClusterProfile {
                features: features.to_vec(),
                clusters: self
                    .profiles
                    .iter()
                    .map(|p| ClusterMeans {
                        cluster: p.cluster,
                        size: p.size,
                        mean_z: p.mean_z.iter().map(|z| finite(*z)).collect(),
                        description: p.describe(features),
                    })
                    .collect(),
                explained_variance_ratio: self
                    .pca
                    .explained_variance_ratio
                    .iter()
                    .map(|v| finite(*v))
                    .collect(),
            },
        }
    }
}

/// What a run record says of the matrix and options a clustering ran on (the parts
/// [`ClusterSettings`] does not hold).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatrixRecipe {
    /// Feature families (`cytokines`, …), or the input file's name in file mode.
    pub families: Vec<String>,
    /// The cytokine assay used (`all` for every assay), when cytokines are features.
    pub assay: Option<String>,
    /// Time point.
    pub at: String,
    /// Transformation.
    pub transform: String,
    /// Imputation.
    pub impute: String,
    /// Scaling.
    pub scale: String,
    /// The `--k` given.
    pub k_arg: Option<String>,
    /// Bootstrap resamples.
    pub bootstrap: usize,
}

/// Clusters the rows: chooses k, assigns, and computes silhouettes, stability over
/// `resamples` bootstrap resamples, profiles and PCA.
///
/// # Errors
/// [`crate::Error::InvalidValue`] for an invalid matrix or a k outside 2..=n − 1.
pub fn analyse(
    rows: &[Vec<f64>],
    k: KChoice,
    settings: &ClusterSettings,
    resamples: usize,
) -> Result<Clustering> {
    let n = rows.len();
    let ks = match k {
        KChoice::Auto => 2..=8.min(n.saturating_sub(1)),
        KChoice::Fixed(k) => {
            if k < 2 || k >= n {
                return Err(invalid(
                    "k",
                    k.to_string(),
                    format!(
                        "must be between 2 and {} (samples - 1)",
                        n.saturating_sub(1)
                    ),
                ));
            }
            k..=k
        }
    };
    // One distance matrix and one tree serve every k.
    let condensed = condensed_distances(rows, settings.effective_distance())?;
    let dendrogram = match settings.method {
        Method::KMeans => None,
        method => Some(linkage(condensed.clone(), n, method)?),
    };
    let mut tried: Vec<(KScore, Vec<usize>, Vec<f64>)> = Vec::new();
    for k in ks {
        let labels = match &dendrogram {
            Some(tree) => tree.cut(k)?,
            None => kmeans(rows, k, settings.seed, settings.n_init)?.labels,
        };
        let widths = silhouette_samples(&condensed, &labels)?;
        let score = KScore {
            k,
            silhouette: widths.iter().sum::<f64>() / n as f64,
            stability: bootstrap_stability(rows, &labels, k, settings, resamples)?,
        };
        tried.push((score, labels, widths));
    }
    let scores: Vec<KScore> = tried.iter().map(|t| t.0.clone()).collect();
    let best = best_k(&scores).ok_or_else(|| invalid("k", "auto", "needs at least 3 samples"))?;
    let (score, labels, widths) = tried
        .into_iter()
        .find(|t| t.0.k == best)
        .ok_or_else(|| invalid("k", best.to_string(), "was not scored"))?;
    Ok(Clustering {
        k: best,
        profiles: profiles(rows, &labels),
        pca: pca(rows, 2)?,
        labels,
        widths,
        silhouette: score.silhouette,
        stability: score.stability,
        scores,
        dendrogram,
    })
}

/// A cluster described by its features.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Cluster number (1..=k).
    pub cluster: usize,
    /// Number of samples.
    pub size: usize,
    /// Mean z-score of each feature in the cluster (features z-scored over all samples, ddof 0).
    pub mean_z: Vec<f64>,
    /// The defining features: |mean z| >= 0.5, largest first, at most five, with
    /// true for raised and false for lowered.
    pub defining: Vec<(usize, bool)>,
}

impl Profile {
    /// "cluster 2: CXCL5 ↑, CXCL12 ↑, MIF ↑" given the feature names.
    pub fn describe(&self, names: &[String]) -> String {
        let parts: Vec<String> = self
            .defining
            .iter()
            .map(|&(f, up)| {
                let name = names.get(f).map_or("?", String::as_str);
                format!("{name} {}", if up { "↑" } else { "↓" })
            })
            .collect();
        if parts.is_empty() {
            format!("cluster {}: no feature departs by 0.5 SD", self.cluster)
        } else {
            format!("cluster {}: {}", self.cluster, parts.join(", "))
        }
    }
}

/// Per-cluster profiles of the rows under `labels` (1..=k).
pub fn profiles(rows: &[Vec<f64>], labels: &[usize]) -> Vec<Profile> {
    let z = z_score_columns(rows);
    let d = rows.first().map_or(0, Vec::len);
    let k = labels.iter().copied().max().unwrap_or(0);
    (1..=k)
        .map(|cluster| {
            let members: Vec<&Vec<f64>> = z
                .iter()
                .zip(labels)
                .filter(|(_, l)| **l == cluster)
                .map(|(r, _)| r)
                .collect();
            let size = members.len();
            let mean_z: Vec<f64> = (0..d)
                .map(|j| members.iter().map(|r| r[j]).sum::<f64>() / size.max(1) as f64)
                .collect();
            let mut defining: Vec<(usize, bool)> = (0..d)
                .filter(|&j| mean_z[j].abs() >= 0.5)
                .map(|j| (j, mean_z[j] > 0.0))
                .collect();
            defining.sort_by(|a, b| mean_z[b.0].abs().total_cmp(&mean_z[a.0].abs()));
            defining.truncate(5);
            Profile {
                cluster,
                size,
                mean_z,
                defining,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blobs() -> Vec<Vec<f64>> {
        vec![
            vec![0.0, 0.0],
            vec![0.0, 1.0],
            vec![1.0, 0.0],
            vec![10.0, 10.0],
            vec![10.0, 11.0],
            vec![11.0, 10.0],
        ]
    }

    #[test]
    fn ward_separates_two_blobs_at_k2() {
        let tree = hierarchical(&blobs(), Method::Ward, Distance::Euclidean).unwrap();
        assert_eq!(tree.cut(2).unwrap(), vec![1, 1, 1, 2, 2, 2]);
        let h = tree.heights();
        assert!(h.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn single_linkage_first_merge_is_the_smallest_distance() {
        let tree = hierarchical(&blobs(), Method::Single, Distance::Euclidean).unwrap();
        assert!((tree.heights()[0] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn silhouette_of_a_singleton_is_zero() {
        let rows = vec![vec![0.0], vec![1.0], vec![5.0]];
        let d = condensed_distances(&rows, Distance::Euclidean).unwrap();
        let s = silhouette_samples(&d, &[1, 1, 2]).unwrap();
        assert_eq!(s[2], 0.0);
        assert!((s[0] - (5.0 - 1.0) / 5.0).abs() < 1e-15);
    }

    #[test]
    fn silhouette_needs_two_to_n_minus_one_clusters() {
        let d = condensed_distances(&blobs(), Distance::Euclidean).unwrap();
        assert!(silhouette(&d, &[1; 6]).is_err());
        assert!(silhouette(&d, &[1, 2, 3, 4, 5, 6]).is_err());
    }

    #[test]
    fn ari_is_one_for_renamed_labels_and_about_zero_for_unrelated() {
        assert_eq!(adjusted_rand_index(&[1, 1, 2, 2], &[2, 2, 1, 1]), 1.0);
        assert!(adjusted_rand_index(&[1, 1, 2, 2], &[1, 2, 1, 2]) < 0.0);
    }

    #[test]
    fn correlation_distance_of_a_constant_row_is_an_error() {
        let rows = vec![vec![1.0, 1.0, 1.0], vec![1.0, 2.0, 3.0]];
        assert!(condensed_distances(&rows, Distance::Correlation).is_err());
    }

    #[test]
    fn kmeans_finds_the_two_blobs_whatever_the_seed() {
        for seed in 0..5 {
            let fit = kmeans(&blobs(), 2, seed, 3).unwrap();
            assert_eq!(fit.labels, vec![1, 1, 1, 2, 2, 2]);
            assert!((fit.inertia - 4.0 * 2.0 / 3.0).abs() < 1e-12);
        }
    }

    #[test]
    fn auto_k_prefers_the_planted_number_of_clusters() {
        let settings = ClusterSettings {
            method: Method::Ward,
            distance: Distance::Euclidean,
            seed: 1,
            n_init: 1,
        };
        let result = analyse(&blobs(), KChoice::Auto, &settings, 5).unwrap();
        assert_eq!(result.k, 2);
        assert_eq!(result.scores.len(), 4, "k = 2..=5 for 6 samples");
        assert!(result.stability > 0.5);
        assert_eq!(result.labels, vec![1, 1, 1, 2, 2, 2]);
    }

    #[test]
    fn profile_names_raised_and_lowered_features() {
        // Feature 0 is raised in cluster 2, feature 1 lowered, feature 2 flat.
        let rows = vec![
            vec![0.0, 5.0, 1.0],
            vec![0.0, 5.0, 2.0],
            vec![9.0, 4.0, 1.0],
            vec![9.0, 4.0, 2.0],
        ];
        let profile = &profiles(&rows, &[1, 1, 2, 2])[1];
        let names: Vec<String> = ["CXCL5", "MIF", "IL6"].map(String::from).to_vec();
        assert_eq!(profile.describe(&names), "cluster 2: CXCL5 ↑, MIF ↓");
        assert_eq!(profile.size, 2);
    }
}
