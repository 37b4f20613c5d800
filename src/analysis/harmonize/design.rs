//! ComBat's model: batch levels, the design matrix (batch indicators and covariates), its least-squares solver, and each feature standardised across batches (neuroCombat's `make_design_matrix`, `standardize_across_features`).

use super::Covariate;
use crate::analysis::invalid;
use crate::analysis::linalg::{dot, invert};
use crate::error::Result;

/// Sorted distinct levels (numerically when every level is a number, as numpy
/// sorts a numeric column) and each sample's level index.
pub(super) fn levels(values: &[String]) -> (Vec<String>, Vec<usize>) {
    let mut distinct: Vec<String> = values.to_vec();
    let numbers: Option<Vec<f64>> = distinct.iter().map(|v| v.trim().parse().ok()).collect();
    if numbers.is_some() {
        distinct.sort_by(|a, b| {
            let x: f64 = a.trim().parse().unwrap_or(f64::NAN);
            let y: f64 = b.trim().parse().unwrap_or(f64::NAN);
            x.total_cmp(&y).then_with(|| a.cmp(b))
        });
    } else {
        distinct.sort();
    }
    distinct.dedup();
    let index = values
        .iter()
        .map(|v| distinct.iter().position(|d| d == v).unwrap_or(0))
        .collect();
    (distinct, index)
}

/// One feature's least-squares fit and per-batch residual moments.
pub(super) struct Standardised {
    /// β̂ (one per design column).
    pub(super) beta: Vec<f64>,
    /// The grand mean (stand_mean).
    pub(super) grand_mean: f64,
    /// Pooled residual variance (before neuroCombat's zero replacement).
    pub(super) var_pooled: f64,
    /// Per batch: mean of x − grand mean − mod mean.
    pub(super) batch_mean: Vec<f64>,
    /// Per batch: sum of squared deviations of x − mod mean from its batch mean.
    pub(super) batch_squares: Vec<f64>,
}

impl Standardised {
    /// The covariates' part of the fit for sample `s` (0 without covariates).
    pub(super) fn mod_mean(&self, s: usize, design_t: &[Vec<f64>], n_batch: usize) -> f64 {
        design_t[n_batch..]
            .iter()
            .zip(&self.beta[n_batch..])
            .map(|(column, b)| column[s] * b)
            .sum()
    }
}

/// neuroCombat's `standardize_across_features` for one feature, plus the per-batch
/// moments that the batch fit and the empirical Bayes steps need.
#[allow(clippy::too_many_arguments)]
pub(super) fn standardise(
    row: &[f64],
    solver: &[Vec<f64>],
    design_t: &[Vec<f64>],
    n_batch: usize,
    members: &[Vec<usize>],
    batch_of: &[usize],
    sample_per_batch: &[f64],
    ref_level: Option<usize>,
) -> Standardised {
    let n = row.len();
    let beta: Vec<f64> = solver.iter().map(|coef| dot(coef, row)).collect();
    let grand_mean = match ref_level {
        Some(r) => beta[r],
        None => (0..n_batch)
            .map(|b| sample_per_batch[b] / n as f64 * beta[b])
            .sum(),
    };
    // Fitted values D·β, column by column.
    let mut fit = vec![0.0; n];
    for (column, b) in design_t.iter().zip(&beta) {
        for (f, d) in fit.iter_mut().zip(column) {
            *f += d * b;
        }
    }
    let var_pooled = match ref_level {
        Some(r) => {
            members[r]
                .iter()
                .map(|&s| (row[s] - fit[s]).powi(2))
                .sum::<f64>()
                / members[r].len() as f64
        }
        None => {
            row.iter()
                .zip(&fit)
                .map(|(x, f)| (x - f).powi(2))
                .sum::<f64>()
                / n as f64
        }
    };
    // Residual of the covariates only: x − mod_mean − grand_mean.
    let mut sums = vec![0.0; n_batch];
    let mut centred = vec![0.0; n];
    for s in 0..n {
        let mod_mean: f64 = design_t[n_batch..]
            .iter()
            .zip(&beta[n_batch..])
            .map(|(column, b)| column[s] * b)
            .sum();
        centred[s] = row[s] - grand_mean - mod_mean;
        sums[batch_of[s]] += centred[s];
    }
    let batch_mean: Vec<f64> = sums
        .iter()
        .zip(sample_per_batch)
        .map(|(sum, size)| sum / size)
        .collect();
    let mut batch_squares = vec![0.0; n_batch];
    for s in 0..n {
        let b = batch_of[s];
        batch_squares[b] += (centred[s] - batch_mean[b]).powi(2);
    }
    Standardised {
        beta,
        grand_mean,
        var_pooled,
        batch_mean,
        batch_squares,
    }
}

/// The design: full batch one-hot (the reference column all ones), categorical
/// one-hots without their first level, continuous covariates.
pub(super) fn design_matrix(
    n: usize,
    batch_of: &[usize],
    n_batch: usize,
    covariates: &[Covariate],
    ref_level: Option<usize>,
) -> Result<Vec<Vec<f64>>> {
    let mut design: Vec<Vec<f64>> = (0..n)
        .map(|s| {
            (0..n_batch)
                .map(|b| {
                    if b == batch_of[s] || Some(b) == ref_level {
                        1.0
                    } else {
                        0.0
                    }
                })
                .collect()
        })
        .collect();
    let categorical = covariates.iter().filter_map(|c| match c {
        Covariate::Categorical(v) => Some(v),
        Covariate::Continuous(_) => None,
    });
    for values in categorical {
        if values.len() != n {
            return Err(invalid(
                "covariate",
                format!("{} values", values.len()),
                format!("expected {n}"),
            ));
        }
        let (names, index) = levels(values);
        for (s, row) in design.iter_mut().enumerate() {
            for level in 1..names.len() {
                row.push(if index[s] == level { 1.0 } else { 0.0 });
            }
        }
    }
    let continuous = covariates.iter().filter_map(|c| match c {
        Covariate::Continuous(v) => Some(v),
        Covariate::Categorical(_) => None,
    });
    for values in continuous {
        if values.len() != n || values.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                "covariate",
                format!("{} values", values.len()),
                format!("expected {n} finite numbers"),
            ));
        }
        for (row, v) in design.iter_mut().zip(values) {
            row.push(*v);
        }
    }
    Ok(design)
}

/// (DᵀD)⁻¹Dᵀ as p rows of n coefficients.
pub(super) fn least_squares_solver(design: &[Vec<f64>], p: usize) -> Option<Vec<Vec<f64>>> {
    let mut gram = vec![vec![0.0; p]; p];
    for row in design {
        for a in 0..p {
            for b in 0..p {
                gram[a][b] += row[a] * row[b];
            }
        }
    }
    let inverse = invert(gram)?;
    Some(
        (0..p)
            .map(|a| {
                design
                    .iter()
                    .map(|row| (0..p).map(|b| inverse[a][b] * row[b]).sum())
                    .collect()
            })
            .collect(),
    )
}
