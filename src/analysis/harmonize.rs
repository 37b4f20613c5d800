//! ComBat harmonisation (Johnson 2007) as in neuroCombat: parametric and non-parametric EB, no-EB, mean-only, reference batch.
//!
//! A line-by-line port of neuroCombat 0.2.12 (`neuroCombat.neuroCombat`), including
//! its conventions: batch and categorical levels in sorted order, the full batch
//! one-hot plus categorical one-hots without their first level plus continuous
//! covariates as the design; pooled variance over n (not n − 1); a zero
//! within-batch variance replaced by 1; the parametric iteration stopping when the
//! largest relative change over a batch's features is ≤ 1e-4; mean-only
//! parametric shrinkage with n = 1. Features that are constant over all samples
//! are left out of the fit and passed through unchanged (the caller warns).

use super::invalid;
use super::linalg::{dot, invert};
use crate::error::Result;
use crate::model::{HarmonizedValue, ImagingValue};
use std::collections::BTreeMap;

/// A covariate whose effect ComBat preserves.
#[derive(Debug, Clone, PartialEq)]
pub enum Covariate {
    /// A numeric covariate (e.g. age), one value per sample.
    Continuous(Vec<f64>),
    /// A categorical covariate (e.g. sex), one level per sample.
    Categorical(Vec<String>),
}

/// Which ComBat variant to run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ComBatSettings {
    /// Skip empirical Bayes: use the per-batch least-squares estimates as they are.
    pub no_eb: bool,
    /// Non-parametric empirical Bayes (integration over the other features).
    pub non_parametric: bool,
    /// Adjust the batch means only (no scaling).
    pub mean_only: bool,
    /// Harmonise to this batch, which is left unchanged.
    pub ref_batch: Option<String>,
}

/// The harmonised data.
#[derive(Debug, Clone, PartialEq)]
pub struct ComBatOutput {
    /// Harmonised values, features × samples (same layout as the input).
    pub data: Vec<Vec<f64>>,
    /// Indices of features that are constant over all samples, passed through unchanged.
    pub constant_features: Vec<usize>,
    /// The batch levels in the order ComBat used them.
    pub batches: Vec<String>,
}

/// Sorted distinct levels (numerically when every level is a number, as numpy
/// sorts a numeric column) and each sample's level index.
fn levels(values: &[String]) -> (Vec<String>, Vec<usize>) {
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

/// Harmonises `features` (features × samples) across `batch` (one label per sample),
/// preserving `covariates`.
///
/// # Errors
/// [`crate::Error::InvalidValue`] when the data are ragged or not finite, a batch has a
/// single sample, there is one batch only, the reference batch is unknown, or the
/// design is singular (a covariate confounded with batch).
pub fn combat(
    features: &[Vec<f64>],
    batch: &[String],
    covariates: &[Covariate],
    settings: &ComBatSettings,
) -> Result<ComBatOutput> {
    let n = batch.len();
    for (f, row) in features.iter().enumerate() {
        if row.len() != n {
            return Err(invalid(
                "feature",
                format!("#{}", f + 1),
                format!("has {} values for {n} samples", row.len()),
            ));
        }
        if row.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                "feature",
                format!("#{}", f + 1),
                "has a missing or non-finite value (ComBat needs complete data)",
            ));
        }
    }
    let (batches, batch_of) = levels(batch);
    let n_batch = batches.len();
    if n_batch < 2 {
        return Err(invalid(
            "batch",
            batches.join(","),
            "ComBat needs at least two batches",
        ));
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_batch];
    for (s, &b) in batch_of.iter().enumerate() {
        members[b].push(s);
    }
    if let Some(b) = members.iter().position(|m| m.len() < 2) {
        return Err(invalid(
            "batch",
            batches[b].clone(),
            "has a single sample: its batch effect cannot be estimated",
        ));
    }
    let ref_level = match &settings.ref_batch {
        None => None,
        Some(name) => Some(batches.iter().position(|b| b == name).ok_or_else(|| {
            invalid("reference batch", name.clone(), "is not one of the batches")
        })?),
    };

    let design = design_matrix(n, &batch_of, n_batch, covariates, ref_level)?;
    let p = design[0].len();
    // (DᵀD)⁻¹Dᵀ, p × n: the least-squares solver shared by every feature.
    let solver = least_squares_solver(&design, p).ok_or_else(|| {
        invalid(
            "design",
            format!("{p} columns"),
            "is singular (a covariate is confounded with batch, or constant)",
        )
    })?;

    let constant_features: Vec<usize> = features
        .iter()
        .enumerate()
        .filter(|(_, row)| row.iter().all(|v| *v == row[0]))
        .map(|(f, _)| f)
        .collect();
    let fitted: Vec<usize> = (0..features.len())
        .filter(|f| !constant_features.contains(f))
        .collect();
    if fitted.is_empty() {
        return Ok(ComBatOutput {
            data: features.to_vec(),
            constant_features,
            batches,
        });
    }
    let x: Vec<&Vec<f64>> = fitted.iter().map(|&f| &features[f]).collect();
    // The design by column, for vectorised fitted values.
    let design_t: Vec<Vec<f64>> = (0..p)
        .map(|c| design.iter().map(|row| row[c]).collect())
        .collect();
    let sample_per_batch: Vec<f64> = members.iter().map(|m| m.len() as f64).collect();
    // (BᵀB)⁻¹Bᵀ on the batch columns: its column for a sample depends on the batch only.
    let batch_design: Vec<Vec<f64>> = design.iter().map(|r| r[..n_batch].to_vec()).collect();
    let batch_solver = least_squares_solver(&batch_design, n_batch)
        .ok_or_else(|| invalid("design", "batch columns", "is singular"))?;
    let batch_weight: Vec<Vec<f64>> = (0..n_batch)
        .map(|c| members.iter().map(|m| batch_solver[c][m[0]]).collect())
        .collect();

    // standardize_across_features and the per-batch least-squares fit, one pass per
    // feature while its row is in cache.
    let per_feature: Vec<Standardised> = parallel_map(&x, |row| {
        standardise(
            row,
            &solver,
            &design_t,
            n_batch,
            &members,
            &batch_of,
            &sample_per_batch,
            ref_level,
        )
    });
    let mut var_pooled: Vec<f64> = per_feature.iter().map(|f| f.var_pooled).collect();
    // neuroCombat: var_pooled[var_pooled == 0] = np.median(var_pooled != 0).
    if var_pooled.contains(&0.0) {
        let mut flags: Vec<f64> = var_pooled
            .iter()
            .map(|v| if *v != 0.0 { 1.0 } else { 0.0 })
            .collect();
        flags.sort_by(f64::total_cmp);
        let m = flags.len();
        let median = if m % 2 == 1 {
            flags[m / 2]
        } else {
            (flags[m / 2 - 1] + flags[m / 2]) / 2.0
        };
        for v in var_pooled.iter_mut().filter(|v| **v == 0.0) {
            *v = median;
        }
    }
    // s_data = (x − stand_mean − mod_mean) / √var_pooled, and its per-batch mean and
    // sum of squared deviations (the residual ones are pooled-variance independent).
    let sd: Vec<f64> = var_pooled.iter().map(|v| v.sqrt()).collect();
    let standardised = |i: usize, s: usize| -> f64 {
        let f = &per_feature[i];
        (x[i][s] - f.grand_mean - f.mod_mean(s, &design_t, n_batch)) / sd[i]
    };
    // gamma_hat[b][f], batch means and sums of squares of s_data.
    let gamma_hat: Vec<Vec<f64>> = (0..n_batch)
        .map(|c| {
            per_feature
                .iter()
                .zip(&sd)
                .map(|(f, sd)| {
                    (0..n_batch)
                        .map(|b| batch_weight[c][b] * sample_per_batch[b] * f.batch_mean[b])
                        .sum::<f64>()
                        / sd
                })
                .collect()
        })
        .collect();
    // [batch][feature] tables of one per-feature quantity.
    let by_batch = |value: &dyn Fn(usize, usize) -> f64| -> Vec<Vec<f64>> {
        (0..n_batch)
            .map(|b| (0..per_feature.len()).map(|i| value(b, i)).collect())
            .collect()
    };
    let batch_mean = by_batch(&|b, i| per_feature[i].batch_mean[b] / sd[i]);
    let batch_squares = by_batch(&|b, i| per_feature[i].batch_squares[b] / var_pooled[i]);

    // fit_LS_model_and_find_priors
    let delta_hat: Vec<Vec<f64>> = (0..n_batch)
        .map(|b| {
            batch_squares[b]
                .iter()
                .map(|ss| {
                    if settings.mean_only {
                        return 1.0;
                    }
                    let v = ss / (sample_per_batch[b] - 1.0);
                    if v == 0.0 { 1.0 } else { v }
                })
                .collect()
        })
        .collect();
    let gamma_bar: Vec<f64> = gamma_hat
        .iter()
        .map(|g| g.iter().sum::<f64>() / g.len() as f64)
        .collect();
    let t2: Vec<f64> = gamma_hat
        .iter()
        .map(|g| variance(g.iter().copied(), 1))
        .collect();

    let (mut gamma_star, mut delta_star): (Vec<Vec<f64>>, Vec<Vec<f64>>) = if settings.no_eb {
        (gamma_hat.clone(), delta_hat.clone())
    } else if settings.non_parametric {
        members
            .iter()
            .enumerate()
            .map(|(b, m)| {
                let batch_data: Vec<Vec<f64>> = (0..x.len())
                    .map(|i| m.iter().map(|&s| standardised(i, s)).collect())
                    .collect();
                integrated_prior(&batch_data, &gamma_hat[b], &delta_hat[b])
            })
            .unzip()
    } else {
        (0..n_batch)
            .map(|b| {
                if settings.mean_only {
                    let g = gamma_hat[b]
                        .iter()
                        .map(|&g| postmean(g, gamma_bar[b], 1.0, 1.0, t2[b]))
                        .collect();
                    (g, vec![1.0; x.len()])
                } else {
                    let (a, bp) = priors(&delta_hat[b]);
                    iterative_solution(
                        &batch_mean[b],
                        &batch_squares[b],
                        sample_per_batch[b],
                        &gamma_hat[b],
                        &delta_hat[b],
                        (gamma_bar[b], t2[b]),
                        (a, bp),
                    )
                }
            })
            .unzip()
    };
    if let Some(r) = ref_level {
        gamma_star[r].iter_mut().for_each(|g| *g = 0.0);
        delta_star[r].iter_mut().for_each(|d| *d = 1.0);
    }

    // adjust_data_final; every sample of a batch has the same batch-design row.
    let batch_rows: Vec<&Vec<f64>> = members.iter().map(|m| &batch_design[m[0]]).collect();
    let indices: Vec<usize> = (0..fitted.len()).collect();
    let adjusted_rows: Vec<Vec<f64>> = parallel_map(&indices, |&i| {
        let feature = &per_feature[i];
        let offsets: Vec<(f64, f64)> = (0..n_batch)
            .map(|b| {
                let offset: f64 = (0..n_batch)
                    .map(|c| batch_rows[b][c] * gamma_star[c][i])
                    .sum();
                (offset, delta_star[b][i].sqrt())
            })
            .collect();
        x[i].iter()
            .enumerate()
            .map(|(s, &value)| {
                let b = batch_of[s];
                if Some(b) == ref_level {
                    return value; // the reference batch keeps its original values
                }
                let (offset, dsq) = offsets[b];
                let mod_mean = feature.mod_mean(s, &design_t, n_batch);
                let adjusted = ((value - feature.grand_mean - mod_mean) / sd[i] - offset) / dsq;
                adjusted * sd[i] + feature.grand_mean + mod_mean
            })
            .collect()
    });
    // Constant features as they were, the others harmonised, in input order.
    let mut adjusted_rows = adjusted_rows.into_iter();
    let data: Vec<Vec<f64>> = features
        .iter()
        .enumerate()
        .map(|(f, row)| match constant_features.binary_search(&f) {
            Ok(_) => row.clone(),
            Err(_) => adjusted_rows.next().unwrap_or_default(),
        })
        .collect();
    Ok(ComBatOutput {
        data,
        constant_features,
        batches,
    })
}

/// `f` over `items` on the available cores (scoped threads over contiguous chunks),
/// results in input order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || items.len() < 64 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| scope.spawn(|| part.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// One feature's least-squares fit and per-batch residual moments.
struct Standardised {
    /// β̂ (one per design column).
    beta: Vec<f64>,
    /// The grand mean (stand_mean).
    grand_mean: f64,
    /// Pooled residual variance (before neuroCombat's zero replacement).
    var_pooled: f64,
    /// Per batch: mean of x − grand mean − mod mean.
    batch_mean: Vec<f64>,
    /// Per batch: sum of squared deviations of x − mod mean from its batch mean.
    batch_squares: Vec<f64>,
}

impl Standardised {
    /// The covariates' part of the fit for sample `s` (0 without covariates).
    fn mod_mean(&self, s: usize, design_t: &[Vec<f64>], n_batch: usize) -> f64 {
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
fn standardise(
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
fn design_matrix(
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
fn least_squares_solver(design: &[Vec<f64>], p: usize) -> Option<Vec<Vec<f64>>> {
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

/// Variance with `ddof` delta degrees of freedom (numpy's `np.var`).
fn variance(values: impl Iterator<Item = f64> + Clone, ddof: usize) -> f64 {
    let (count, sum) = values
        .clone()
        .fold((0usize, 0.0), |(c, s), v| (c + 1, s + v));
    let mean = sum / count as f64;
    values.map(|v| (v - mean).powi(2)).sum::<f64>() / (count - ddof) as f64
}

/// Inverse-gamma prior (a, b) of the batch variances by the method of moments.
fn priors(delta_hat: &[f64]) -> (f64, f64) {
    let m = delta_hat.iter().sum::<f64>() / delta_hat.len() as f64;
    let s2 = variance(delta_hat.iter().copied(), 1);
    ((2.0 * s2 + m * m) / s2, (m * s2 + m * m * m) / s2)
}

fn postmean(g_hat: f64, g_bar: f64, n: f64, d_star: f64, t2: f64) -> f64 {
    (t2 * n * g_hat + d_star * g_bar) / (t2 * n + d_star)
}

fn postvar(sum2: f64, n: f64, a: f64, b: f64) -> f64 {
    (0.5 * sum2 + b) / (n / 2.0 + a - 1.0)
}

/// Parametric EB for one batch (neuroCombat's `it_sol`): iterate the posterior
/// means of γ and δ until the largest relative change is ≤ 1e-4. The batch's
/// residual sum Σ(x − γ)² is taken as Σ(x − m)² + n(m − γ)² (m the batch mean of
/// s_data), so an iteration costs one pass over the features, not over the data.
fn iterative_solution(
    mean: &[f64],
    squares: &[f64],
    n: f64,
    g_hat: &[f64],
    d_hat: &[f64],
    (g_bar, t2): (f64, f64),
    (a, b): (f64, f64),
) -> (Vec<f64>, Vec<f64>) {
    let mut g_old = g_hat.to_vec();
    let mut d_old = d_hat.to_vec();
    loop {
        let g_new: Vec<f64> = g_hat
            .iter()
            .zip(&d_old)
            .map(|(&g, &d)| postmean(g, g_bar, n, d, t2))
            .collect();
        let d_new: Vec<f64> = mean
            .iter()
            .zip(squares)
            .zip(&g_new)
            .map(|((&m, &ss), &g)| postvar(ss + n * (m - g).powi(2), n, a, b))
            .collect();
        // As numpy: max of |new − old| / old (the sign of old kept), NaN propagating.
        let change = g_new
            .iter()
            .zip(&g_old)
            .chain(d_new.iter().zip(&d_old))
            .map(|(new, old)| (new - old).abs() / old)
            .fold(f64::NEG_INFINITY, |m, v| {
                if v.is_nan() || m.is_nan() {
                    f64::NAN
                } else {
                    m.max(v)
                }
            });
        g_old = g_new;
        d_old = d_new;
        // `while change > conv` stops on NaN too.
        if change.is_nan() || change <= 1e-4 {
            return (g_old, d_old);
        }
    }
}

/// Non-parametric EB for one batch (neuroCombat's `int_eprior`): each feature's γ
/// and δ are averages of the other features' estimates weighted by the likelihood
/// of this feature's data under them (computed on the log scale).
fn integrated_prior(batch_data: &[Vec<f64>], g_hat: &[f64], d_hat: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let features = batch_data.len();
    let mut gamma_star = Vec::with_capacity(features);
    let mut delta_star = Vec::with_capacity(features);
    let n = batch_data.first().map_or(0, Vec::len) as f64;
    let mut log_lh = vec![0.0; features];
    for (i, row) in batch_data.iter().enumerate() {
        let mut max = f64::NEG_INFINITY;
        for j in 0..features {
            if j == i {
                continue;
            }
            let g = g_hat[j];
            let d = d_hat[j];
            let sum2: f64 = row.iter().map(|v| (v - g) * (v - g)).sum();
            let l = -(n / 2.0) * (2.0 * std::f64::consts::PI * d).ln() - sum2 / (2.0 * d);
            log_lh[j] = l;
            max = max.max(l);
        }
        let (mut w, mut wg, mut wd) = (0.0, 0.0, 0.0);
        for j in 0..features {
            if j == i {
                continue;
            }
            let lh = (log_lh[j] - max).exp();
            w += lh;
            wg += g_hat[j] * lh;
            wd += d_hat[j] * lh;
        }
        gamma_star.push(wg / w);
        delta_star.push(wd / w);
    }
    (gamma_star, delta_star)
}

/// Which study attribute is the batch of store-mode harmonisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchBy {
    /// The scanner model.
    Scanner,
    /// The imaging centre.
    Site,
}

impl BatchBy {
    /// The name the CLI and the run's parameters use.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchBy::Scanner => "scanner",
            BatchBy::Site => "site",
        }
    }
}

/// ComBat over the store's lesion-level features (what `harmonize --name` saves).
#[derive(Debug, Clone, PartialEq)]
pub struct LesionHarmonization {
    /// The harmonised values, one per lesion and feature (constant features unchanged).
    pub values: Vec<HarmonizedValue>,
    /// Feature names, sorted.
    pub features: Vec<String>,
    /// Lesions (study, lesion) harmonised: those with every feature.
    pub samples: usize,
    /// Lesions left out because they lack a feature.
    pub left_out_incomplete: usize,
    /// The batches, in ComBat's order.
    pub batches: Vec<String>,
    /// Names of the constant features passed through unchanged.
    pub constant_features: Vec<String>,
}

/// Harmonises lesion-level imaging values across batches: each (study, lesion) is a
/// sample whose batch is its study's scanner or site; the features are the union of
/// the names; lesions lacking a feature (or with a non-finite value) are left out and
/// counted.
///
/// # Errors
/// [`crate::Error::InvalidValue`] when no lesion has every feature; as [`combat`].
pub fn harmonize_lesions(
    values: &[ImagingValue],
    batch_by: BatchBy,
    settings: &ComBatSettings,
) -> Result<LesionHarmonization> {
    type Sample<'a> = (&'a str, BTreeMap<&'a str, f64>);
    let mut samples: BTreeMap<(i64, i64), Sample<'_>> = BTreeMap::new();
    for v in values.iter().filter(|v| v.value.is_finite()) {
        let batch = match batch_by {
            BatchBy::Scanner => v.scanner.as_str(),
            BatchBy::Site => v.site.as_str(),
        };
        samples
            .entry((v.study_id, v.lesion_id))
            .or_insert_with(|| (batch, BTreeMap::new()))
            .1
            .insert(v.feature.as_str(), v.value);
    }
    let mut names: Vec<&str> = samples
        .values()
        .flat_map(|(_, m)| m.keys().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    let complete: Vec<(&(i64, i64), &Sample<'_>)> = samples
        .iter()
        .filter(|(_, (_, m))| m.len() == names.len())
        .collect();
    if complete.is_empty() {
        return Err(invalid(
            "lesion features",
            format!("{} values", values.len()),
            "no lesion has every feature: nothing to harmonise",
        ));
    }
    let batch: Vec<String> = complete.iter().map(|(_, (b, _))| b.to_string()).collect();
    let features: Vec<Vec<f64>> = names
        .iter()
        .map(|f| complete.iter().map(|(_, (_, m))| m[f]).collect())
        .collect();
    let result = combat(&features, &batch, &[], settings)?;
    let mut harmonized = Vec::with_capacity(names.len() * complete.len());
    for (f, feature) in names.iter().enumerate() {
        for (s, ((study_id, lesion_id), _)) in complete.iter().enumerate() {
            harmonized.push(HarmonizedValue {
                study_id: *study_id,
                lesion_id: *lesion_id,
                feature: feature.to_string(),
                value: result.data[f][s],
            });
        }
    }
    Ok(LesionHarmonization {
        values: harmonized,
        features: names.iter().map(|n| n.to_string()).collect(),
        samples: complete.len(),
        left_out_incomplete: samples.len() - complete.len(),
        batches: result.batches,
        constant_features: result
            .constant_features
            .iter()
            .map(|&f| names[f].to_string())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn shifted() -> (Vec<Vec<f64>>, Vec<String>) {
        // Two batches, the second shifted by +10 in every feature.
        let base = [1.0, 2.0, 3.0, 4.0, 1.5, 2.5, 3.5, 4.5];
        let features: Vec<Vec<f64>> = (0..4)
            .map(|f| {
                base.iter()
                    .enumerate()
                    .map(|(s, v)| v * (1.0 + f as f64 * 0.3) + if s >= 4 { 10.0 } else { 0.0 })
                    .collect()
            })
            .collect();
        (features, labels(&["a", "a", "a", "a", "b", "b", "b", "b"]))
    }

    #[test]
    fn a_batch_with_one_sample_is_an_error() {
        let features = vec![vec![1.0, 2.0, 3.0]];
        let err = combat(
            &features,
            &labels(&["a", "a", "b"]),
            &[],
            &ComBatSettings::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("single sample"), "{err}");
    }

    #[test]
    fn removing_a_mean_shift_equalises_batch_means() {
        let (features, batch) = shifted();
        let settings = ComBatSettings {
            no_eb: true,
            mean_only: true,
            ..ComBatSettings::default()
        };
        let out = combat(&features, &batch, &[], &settings).unwrap();
        for row in &out.data {
            let a: f64 = row[..4].iter().sum::<f64>() / 4.0;
            let b: f64 = row[4..].iter().sum::<f64>() / 4.0;
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn constant_feature_passes_through_unchanged() {
        let (mut features, batch) = shifted();
        let without = combat(&features, &batch, &[], &ComBatSettings::default()).unwrap();
        features.push(vec![7.0; 8]);
        let with = combat(&features, &batch, &[], &ComBatSettings::default()).unwrap();
        assert_eq!(with.constant_features, vec![4]);
        assert_eq!(with.data[4], vec![7.0; 8]);
        assert_eq!(&with.data[..4], &without.data[..]);
    }

    #[test]
    fn reference_batch_keeps_its_values() {
        let (features, batch) = shifted();
        let settings = ComBatSettings {
            ref_batch: Some("b".into()),
            ..ComBatSettings::default()
        };
        let out = combat(&features, &batch, &[], &settings).unwrap();
        for (f, row) in out.data.iter().enumerate() {
            assert_eq!(&row[4..], &features[f][4..]);
        }
    }

    #[test]
    fn unknown_reference_batch_is_an_error() {
        let (features, batch) = shifted();
        let settings = ComBatSettings {
            ref_batch: Some("z".into()),
            ..ComBatSettings::default()
        };
        assert!(combat(&features, &batch, &[], &settings).is_err());
    }

    #[test]
    fn parallel_map_keeps_input_order() {
        let items: Vec<usize> = (0..1000).collect();
        let doubled = parallel_map(&items, |v| v * 2);
        assert_eq!(doubled, items.iter().map(|v| v * 2).collect::<Vec<_>>());
    }

    #[test]
    fn many_features_take_the_parallel_path_and_equalise_batch_means() {
        // 100 features (> the serial cut-off), batch b shifted by 3b.
        let batch: Vec<String> = (0..12).map(|s| format!("b{}", s % 3)).collect();
        let features: Vec<Vec<f64>> = (0..100)
            .map(|f| {
                (0..12)
                    .map(|s| 3.0 * (s % 3) as f64 + ((s * 7 + f * 13) % 11) as f64 / 5.0)
                    .collect()
            })
            .collect();
        let settings = ComBatSettings {
            no_eb: true,
            mean_only: true,
            ..ComBatSettings::default()
        };
        let out = combat(&features, &batch, &[], &settings).unwrap();
        for row in &out.data {
            let mean = |b: usize| (0..12).filter(|s| s % 3 == b).map(|s| row[s]).sum::<f64>() / 4.0;
            assert!((mean(0) - mean(2)).abs() < 1e-9 && (mean(1) - mean(2)).abs() < 1e-9);
        }
    }

    #[test]
    fn numeric_levels_sort_as_numbers() {
        let (names, index) = levels(&labels(&["10", "9", "10"]));
        assert_eq!(names, labels(&["9", "10"]));
        assert_eq!(index, vec![1, 0, 1]);
    }

    #[test]
    fn lesions_missing_a_feature_are_left_out_and_the_rest_harmonised_by_their_batch() {
        let value = |study, lesion, scanner: &str, site: &str, feature: &str, value| ImagingValue {
            study_id: study,
            lesion_id: lesion,
            scanner: scanner.into(),
            site: site.into(),
            feature: feature.into(),
            value,
        };
        let mut values = Vec::new();
        for (i, (scanner, a, b)) in [
            ("S1", 1.0, 10.0),
            ("S1", 2.0, 12.0),
            ("S1", 3.0, 11.0),
            ("S2", 7.0, 30.0),
            ("S2", 9.0, 33.0),
            ("S2", 8.0, 31.0),
        ]
        .into_iter()
        .enumerate()
        {
            let i = i as i64;
            values.push(value(i, i, scanner, "A", "f1", a));
            values.push(value(i, i, scanner, "A", "f2", b));
        }
        values.push(value(99, 99, "S1", "A", "f1", 5.0)); // no f2: left out
        values.push(value(98, 98, "S2", "A", "f1", f64::NAN)); // not a value: no sample
        let settings = ComBatSettings::default();
        let out = harmonize_lesions(&values, BatchBy::Scanner, &settings).unwrap();
        assert_eq!((out.samples, out.left_out_incomplete), (6, 1));
        assert_eq!(out.features, vec!["f1".to_string(), "f2".to_string()]);
        assert_eq!(out.batches, vec!["S1".to_string(), "S2".to_string()]);
        let direct = combat(
            &[
                vec![1.0, 2.0, 3.0, 7.0, 9.0, 8.0],
                vec![10.0, 12.0, 11.0, 30.0, 33.0, 31.0],
            ],
            &["S1", "S1", "S1", "S2", "S2", "S2"].map(String::from),
            &[],
            &settings,
        )
        .unwrap();
        let f2: Vec<f64> = out
            .values
            .iter()
            .filter(|v| v.feature == "f2")
            .map(|v| v.value)
            .collect();
        assert_eq!(f2, direct.data[1], "the same ComBat as on the matrix");
        // One site only: a single batch cannot be harmonised.
        assert!(harmonize_lesions(&values, BatchBy::Site, &settings).is_err());
    }
}
