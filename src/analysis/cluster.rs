//! Endotype clustering: hierarchical (Ward, average, complete, single) and k-means++, silhouette, stability, PCA.
//!
//! Hierarchical clustering runs the `kodama` crate (fastcluster's algorithms) on the
//! condensed Euclidean or 1 − Pearson distance matrix and equals
//! `scipy.cluster.hierarchy.linkage` + `fcluster(maxclust)`; the silhouette equals
//! scikit-learn's `silhouette_score` on the same distance. Rows are samples
//! (patients), columns features.

use super::invalid;
use super::linalg::squared_euclidean;
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

/// Checks that `rows` is a non-empty rectangular matrix of finite numbers.
fn check_matrix(rows: &[Vec<f64>]) -> Result<usize> {
    let width = rows.first().map_or(0, Vec::len);
    if rows.len() < 2 || width == 0 {
        return Err(invalid(
            "feature matrix",
            format!("{} x {width}", rows.len()),
            "needs at least 2 samples and 1 feature",
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        if row.len() != width {
            return Err(invalid(
                "feature matrix",
                format!("row {}", i + 1),
                "rows differ in length",
            ));
        }
        if row.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                "feature matrix",
                format!("row {}", i + 1),
                "has a missing or non-finite value",
            ));
        }
    }
    Ok(width)
}

/// Rows centred and scaled to unit norm, so that 1 − Pearson = 1 − dot product.
fn normalised_rows(rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    rows.iter()
        .map(|row| {
            let mean = row.iter().sum::<f64>() / row.len() as f64;
            let centred: Vec<f64> = row.iter().map(|v| v - mean).collect();
            let norm = centred.iter().map(|v| v * v).sum::<f64>().sqrt();
            centred.iter().map(|v| v / norm).collect()
        })
        .collect()
}

/// The condensed distance matrix (upper triangle row by row, as scipy's `pdist`).
///
/// # Errors
/// [`crate::Error::InvalidValue`] for a ragged or non-finite matrix, or a constant row
/// under the correlation distance (its correlation is undefined).
pub fn condensed_distances(rows: &[Vec<f64>], distance: Distance) -> Result<Vec<f64>> {
    check_matrix(rows)?;
    let n = rows.len();
    let mut out = Vec::with_capacity(n * (n - 1) / 2);
    match distance {
        Distance::Euclidean => {
            for i in 0..n {
                for j in i + 1..n {
                    out.push(squared_euclidean(&rows[i], &rows[j]).sqrt());
                }
            }
        }
        Distance::Correlation => {
            let normal = normalised_rows(rows);
            if let Some(i) = normal.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
                return Err(invalid(
                    "feature matrix",
                    format!("row {}", i + 1),
                    "is constant: its correlation distance is undefined",
                ));
            }
            for i in 0..n {
                for j in i + 1..n {
                    let dot: f64 = normal[i].iter().zip(&normal[j]).map(|(a, b)| a * b).sum();
                    out.push((1.0 - dot).max(0.0));
                }
            }
        }
    }
    Ok(out)
}

/// A hierarchical clustering: the n − 1 merges in height order.
#[derive(Debug, Clone, PartialEq)]
pub struct Dendrogram {
    /// Number of samples.
    pub n: usize,
    /// Merges as (cluster a, cluster b, height, size) with scipy's numbering
    /// (samples 0..n, the cluster made at step i is n + i).
    pub merges: Vec<(usize, usize, f64, usize)>,
}

impl Dendrogram {
    /// The merge heights (scipy's `Z[:, 2]`).
    pub fn heights(&self) -> Vec<f64> {
        self.merges.iter().map(|m| m.2).collect()
    }

    /// Labels 1..=k from cutting the tree into `k` clusters (scipy
    /// `fcluster(Z, k, "maxclust")` up to renaming), numbered by first appearance.
    ///
    /// # Errors
    /// [`crate::Error::InvalidValue`] unless 1 <= k <= n.
    pub fn cut(&self, k: usize) -> Result<Vec<usize>> {
        if k == 0 || k > self.n {
            return Err(invalid(
                "k",
                k.to_string(),
                format!("must be between 1 and the number of samples ({})", self.n),
            ));
        }
        let mut parent: Vec<usize> = (0..2 * self.n).collect();
        fn find(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for (step, &(a, b, _, _)) in self.merges.iter().take(self.n - k).enumerate() {
            let new = self.n + step;
            let ra = find(&mut parent, a);
            let rb = find(&mut parent, b);
            parent[ra] = new;
            parent[rb] = new;
        }
        let roots: Vec<usize> = (0..self.n).map(|i| find(&mut parent, i)).collect();
        Ok(renumber(&roots))
    }
}

/// Renames arbitrary cluster keys to 1..=k in order of first appearance.
fn renumber(keys: &[usize]) -> Vec<usize> {
    let mut seen: Vec<usize> = Vec::new();
    keys.iter()
        .map(|key| match seen.iter().position(|s| s == key) {
            Some(i) => i + 1,
            None => {
                seen.push(*key);
                seen.len()
            }
        })
        .collect()
}

/// Hierarchical clustering of the rows with kodama.
///
/// # Errors
/// [`crate::Error::InvalidValue`] for an invalid matrix, or [`Method::KMeans`].
pub fn hierarchical(rows: &[Vec<f64>], method: Method, distance: Distance) -> Result<Dendrogram> {
    let condensed = condensed_distances(rows, distance)?;
    linkage(condensed, rows.len(), method)
}

/// The kodama linkage of a condensed distance matrix of `n` samples (consumed).
fn linkage(mut condensed: Vec<f64>, n: usize, method: Method) -> Result<Dendrogram> {
    let linkage = match method {
        Method::Ward => kodama::Method::Ward,
        Method::Average => kodama::Method::Average,
        Method::Complete => kodama::Method::Complete,
        Method::Single => kodama::Method::Single,
        Method::KMeans => return Err(invalid("method", "kmeans", "is not hierarchical")),
    };
    let dendrogram = kodama::linkage(&mut condensed, n, linkage);
    Ok(Dendrogram {
        n,
        merges: dendrogram
            .steps()
            .iter()
            .map(|s| (s.cluster1, s.cluster2, s.dissimilarity, s.size))
            .collect(),
    })
}

/// Mean silhouette width over all samples, as scikit-learn's `silhouette_score`
/// (a sample alone in its cluster scores 0). `condensed` is the distance matrix
/// of [`condensed_distances`]; `labels` are 1..=k.
///
/// # Errors
/// [`crate::Error::InvalidValue`] unless 2 <= k <= n − 1.
pub fn silhouette(condensed: &[f64], labels: &[usize]) -> Result<f64> {
    Ok(silhouette_samples(condensed, labels)?.iter().sum::<f64>() / labels.len() as f64)
}

/// Per-sample silhouette widths (scikit-learn's `silhouette_samples`).
///
/// # Errors
/// [`crate::Error::InvalidValue`] unless 2 <= k <= n − 1 and the matrix fits the labels.
pub fn silhouette_samples(condensed: &[f64], labels: &[usize]) -> Result<Vec<f64>> {
    let n = labels.len();
    if condensed.len() != n * n.saturating_sub(1) / 2 {
        return Err(invalid(
            "distance matrix",
            condensed.len().to_string(),
            "does not match the number of labels",
        ));
    }
    let k = labels.iter().copied().max().unwrap_or(0);
    if k < 2 || k >= n || labels.contains(&0) {
        return Err(invalid(
            "number of clusters",
            k.to_string(),
            format!("the silhouette needs 2 <= k <= n - 1 (n = {n})"),
        ));
    }
    let mut sizes = vec![0usize; k + 1];
    for &l in labels {
        sizes[l] += 1;
    }
    // sums[i * (k + 1) + c]: total distance from sample i to cluster c.
    let mut sums = vec![0.0; n * (k + 1)];
    let mut index = 0;
    for i in 0..n {
        for j in i + 1..n {
            let d = condensed[index];
            index += 1;
            sums[i * (k + 1) + labels[j]] += d;
            sums[j * (k + 1) + labels[i]] += d;
        }
    }
    Ok((0..n)
        .map(|i| {
            let own = labels[i];
            if sizes[own] <= 1 {
                return 0.0;
            }
            let a = sums[i * (k + 1) + own] / (sizes[own] - 1) as f64;
            let b = (1..=k)
                .filter(|&c| c != own && sizes[c] > 0)
                .map(|c| sums[i * (k + 1) + c] / sizes[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let denominator = a.max(b);
            if denominator > 0.0 {
                (b - a) / denominator
            } else {
                0.0
            }
        })
        .collect())
}

/// The adjusted Rand index of two labelings of the same samples (Hubert & Arabie 1985,
/// as scikit-learn's `adjusted_rand_score`).
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let n = a.len().min(b.len());
    let ka = a.iter().copied().max().map_or(0, |m| m + 1);
    let kb = b.iter().copied().max().map_or(0, |m| m + 1);
    let mut table = vec![0u64; ka * kb];
    for i in 0..n {
        table[a[i] * kb + b[i]] += 1;
    }
    let pairs = |x: u64| (x * x.saturating_sub(1) / 2) as f64;
    let index: f64 = table.iter().map(|&c| pairs(c)).sum();
    let row: f64 = (0..ka)
        .map(|i| pairs(table[i * kb..(i + 1) * kb].iter().sum()))
        .sum();
    let col: f64 = (0..kb)
        .map(|j| pairs((0..ka).map(|i| table[i * kb + j]).sum()))
        .sum();
    let total = pairs(n as u64);
    if total == 0.0 {
        return 1.0;
    }
    let expected = row * col / total;
    let max = (row + col) / 2.0;
    if max == expected {
        // Both labelings put everything in one cluster, or every sample alone.
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// A k-means solution.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    /// Labels 1..=k, numbered by first appearance.
    pub labels: Vec<usize>,
    /// Sum of squared distances of samples to their centre.
    pub inertia: f64,
    /// The centres, in label order.
    pub centres: Vec<Vec<f64>>,
}

/// k-means (Lloyd) from k-means++ seeds (greedy, 2 + ln k candidate centres per
/// step, as scikit-learn), best inertia over `n_init` seeded runs; at most 300
/// iterations, stopping when the centres move less than 1e-4 × the mean feature
/// variance (scikit-learn's tolerance).
///
/// # Errors
/// [`crate::Error::InvalidValue`] for an invalid matrix or k outside 1..=n, or n_init = 0.
pub fn kmeans(rows: &[Vec<f64>], k: usize, seed: u64, n_init: usize) -> Result<KMeans> {
    let d = check_matrix(rows)?;
    let n = rows.len();
    if k == 0 || k > n {
        return Err(invalid(
            "k",
            k.to_string(),
            "must be between 1 and the number of samples",
        ));
    }
    if n_init == 0 {
        return Err(invalid("n-init", "0", "must be at least 1"));
    }
    let means: Vec<f64> = (0..d)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    let mean_variance = (0..d)
        .map(|j| rows.iter().map(|r| (r[j] - means[j]).powi(2)).sum::<f64>() / n as f64)
        .sum::<f64>()
        / d as f64;
    let tolerance = 1e-4 * mean_variance;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut best: Option<KMeans> = None;
    for _ in 0..n_init {
        let centres = kmeans_plus_plus(rows, k, &mut rng);
        let result = lloyd(rows, centres, tolerance);
        if best.as_ref().is_none_or(|b| result.inertia < b.inertia) {
            best = Some(result);
        }
    }
    best.ok_or_else(|| invalid("n-init", "0", "must be at least 1"))
}

fn kmeans_plus_plus(rows: &[Vec<f64>], k: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    let n = rows.len();
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centres = vec![rows[rng.random_range(0..n)].clone()];
    let mut closest: Vec<f64> = rows
        .iter()
        .map(|r| squared_euclidean(r, &centres[0]))
        .collect();
    while centres.len() < k {
        let total: f64 = closest.iter().sum();
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for _ in 0..trials {
            let candidate = if total > 0.0 {
                let mut target = rng.random::<f64>() * total;
                let mut chosen = n - 1;
                for (i, &c) in closest.iter().enumerate() {
                    target -= c;
                    if target < 0.0 {
                        chosen = i;
                        break;
                    }
                }
                chosen
            } else {
                rng.random_range(0..n)
            };
            let updated: Vec<f64> = rows
                .iter()
                .zip(&closest)
                .map(|(r, &c)| c.min(squared_euclidean(r, &rows[candidate])))
                .collect();
            let potential: f64 = updated.iter().sum();
            if best.as_ref().is_none_or(|b| potential < b.0) {
                best = Some((potential, candidate, updated));
            }
        }
        if let Some((_, chosen, updated)) = best {
            centres.push(rows[chosen].clone());
            closest = updated;
        }
    }
    centres
}

fn nearest(row: &[f64], centres: &[Vec<f64>]) -> (usize, f64) {
    centres
        .iter()
        .enumerate()
        .map(|(c, centre)| (c, squared_euclidean(row, centre)))
        .fold(
            (0, f64::INFINITY),
            |best, x| if x.1 < best.1 { x } else { best },
        )
}

fn lloyd(rows: &[Vec<f64>], mut centres: Vec<Vec<f64>>, tolerance: f64) -> KMeans {
    let d = rows[0].len();
    let k = centres.len();
    let mut assignment = vec![0usize; rows.len()];
    for _ in 0..300 {
        for (i, row) in rows.iter().enumerate() {
            assignment[i] = nearest(row, &centres).0;
        }
        let mut sums = vec![vec![0.0; d]; k];
        let mut counts = vec![0usize; k];
        for (row, &c) in rows.iter().zip(&assignment) {
            counts[c] += 1;
            for (s, v) in sums[c].iter_mut().zip(row) {
                *s += v;
            }
        }
        let mut shift = 0.0;
        for c in 0..k {
            if counts[c] == 0 {
                continue; // an empty cluster keeps its centre
            }
            let new: Vec<f64> = sums[c].iter().map(|s| s / counts[c] as f64).collect();
            shift += squared_euclidean(&new, &centres[c]);
            centres[c] = new;
        }
        if shift <= tolerance {
            break;
        }
    }
    let mut inertia = 0.0;
    for (i, row) in rows.iter().enumerate() {
        let (c, dist) = nearest(row, &centres);
        assignment[i] = c;
        inertia += dist;
    }
    let labels = renumber(&assignment);
    let mut ordered = vec![Vec::new(); k];
    let mut used = vec![false; k];
    for (&label, &c) in labels.iter().zip(&assignment) {
        if !used[c] {
            used[c] = true;
            ordered[label - 1] = centres[c].clone();
        }
    }
    ordered.retain(|c| !c.is_empty());
    KMeans {
        labels,
        inertia,
        centres: ordered,
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

/// Principal components for display.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Fraction of total variance explained by each kept component.
    pub explained_variance_ratio: Vec<f64>,
    /// Scores of each sample on the kept components (rows = samples).
    pub scores: Vec<Vec<f64>>,
}

/// PCA of the column-centred matrix by a Jacobi eigen-decomposition of the
/// covariance matrix; keeps `components` components (as scikit-learn's `PCA`;
/// component signs are arbitrary).
///
/// # Errors
/// [`crate::Error::InvalidValue`] for an invalid matrix.
#[allow(clippy::needless_range_loop)] // symmetric-matrix arithmetic reads best indexed
pub fn pca(rows: &[Vec<f64>], components: usize) -> Result<Pca> {
    let d = check_matrix(rows)?;
    let n = rows.len();
    let means: Vec<f64> = (0..d)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    let centred: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().zip(&means).map(|(v, m)| v - m).collect())
        .collect();
    let mut cov = vec![vec![0.0; d]; d];
    for row in &centred {
        for a in 0..d {
            for b in a..d {
                cov[a][b] += row[a] * row[b];
            }
        }
    }
    for a in 0..d {
        for b in a..d {
            cov[a][b] /= (n - 1) as f64;
            cov[b][a] = cov[a][b];
        }
    }
    let (values, vectors) = jacobi_eigen(cov);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let keep = components.min(d);
    let explained_variance_ratio = order[..keep]
        .iter()
        .map(|&i| {
            if total > 0.0 {
                values[i].max(0.0) / total
            } else {
                0.0
            }
        })
        .collect();
    let scores = centred
        .iter()
        .map(|row| {
            order[..keep]
                .iter()
                .map(|&c| (0..d).map(|j| row[j] * vectors[j][c]).sum())
                .collect()
        })
        .collect();
    Ok(Pca {
        explained_variance_ratio,
        scores,
    })
}

/// Eigenvalues and eigenvectors (as columns) of a symmetric matrix (cyclic Jacobi).
#[allow(clippy::needless_range_loop)]
fn jacobi_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = a.len();
    let mut v: Vec<Vec<f64>> = (0..d)
        .map(|i| (0..d).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for _ in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let diag: f64 = (0..d).map(|i| a[i][i] * a[i][i]).sum();
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                if a[p][q].abs() < f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let akp = a[k][p];
                    let akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let apk = a[p][k];
                    let aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let vkp = row[p];
                    let vkq = row[q];
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i][i]).collect(), v)
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

/// Z-scores each column over all rows (mean 0, population SD 1; a constant column becomes 0).
pub fn z_score_columns(rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = rows.len().max(1) as f64;
    let d = rows.first().map_or(0, Vec::len);
    let stats: Vec<(f64, f64)> = (0..d)
        .map(|j| {
            let mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
            let var = rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n;
            (mean, var.sqrt())
        })
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&stats)
                .map(|(v, (m, s))| if *s > 0.0 { (v - m) / s } else { 0.0 })
                .collect()
        })
        .collect()
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
    fn pca_first_component_carries_collinear_variance() {
        let rows: Vec<Vec<f64>> = (0..10).map(|i| vec![i as f64, 2.0 * i as f64]).collect();
        let p = pca(&rows, 2).unwrap();
        assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
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
