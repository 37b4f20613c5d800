//! k-means with k-means++ seeding and Lloyd's iterations, restarted `n_init` times (the best inertia kept), as scikit-learn's `KMeans`.

use super::hierarchy::renumber;
use crate::analysis::invalid;
use crate::analysis::linalg::check_matrix;
use crate::analysis::linalg::squared_euclidean;
use crate::error::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
