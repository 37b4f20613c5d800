//! Cluster validity: silhouette widths (as scikit-learn's `silhouette_samples` / `silhouette_score` on a precomputed distance) and the adjusted Rand index (as `adjusted_rand_score`).

use crate::analysis::invalid;
use crate::error::Result;

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
