//! Hierarchical clustering: the condensed distance matrix (Euclidean or 1 − Pearson, as scipy's `pdist`), the linkage tree by `kodama` (fastcluster's algorithms, as scipy's `linkage`) and its cut into k clusters (as `fcluster(maxclust)`).

use super::{Distance, Method};
use crate::analysis::invalid;
use crate::analysis::linalg::check_matrix;
use crate::analysis::linalg::squared_euclidean;
use crate::error::Result;

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
pub(super) fn renumber(keys: &[usize]) -> Vec<usize> {
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
pub(super) fn linkage(mut condensed: Vec<f64>, n: usize, method: Method) -> Result<Dendrogram> {
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
