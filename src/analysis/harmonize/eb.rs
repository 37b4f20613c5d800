//! ComBat's empirical Bayes step: the priors of the batch effects and the posterior estimates, parametric (neuroCombat's `it_sol`) and non-parametric (`int_eprior`).

/// Variance with `ddof` delta degrees of freedom (numpy's `np.var`).
pub(super) fn variance(values: impl Iterator<Item = f64> + Clone, ddof: usize) -> f64 {
    let (count, sum) = values
        .clone()
        .fold((0usize, 0.0), |(c, s), v| (c + 1, s + v));
    let mean = sum / count as f64;
    values.map(|v| (v - mean).powi(2)).sum::<f64>() / (count - ddof) as f64
}

/// Inverse-gamma prior (a, b) of the batch variances by the method of moments.
pub(super) fn priors(delta_hat: &[f64]) -> (f64, f64) {
    let m = delta_hat.iter().sum::<f64>() / delta_hat.len() as f64;
    let s2 = variance(delta_hat.iter().copied(), 1);
    ((2.0 * s2 + m * m) / s2, (m * s2 + m * m * m) / s2)
}

pub(super) fn postmean(g_hat: f64, g_bar: f64, n: f64, d_star: f64, t2: f64) -> f64 {
    (t2 * n * g_hat + d_star * g_bar) / (t2 * n + d_star)
}

pub(super) fn postvar(sum2: f64, n: f64, a: f64, b: f64) -> f64 {
    (0.5 * sum2 + b) / (n / 2.0 + a - 1.0)
}

/// Parametric EB for one batch (neuroCombat's `it_sol`): iterate the posterior
/// means of γ and δ until the largest relative change is ≤ 1e-4. The batch's
/// residual sum Σ(x − γ)² is taken as Σ(x − m)² + n(m − γ)² (m the batch mean of
/// s_data), so an iteration costs one pass over the features, not over the data.
pub(super) fn iterative_solution(
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
pub(super) fn integrated_prior(
    batch_data: &[Vec<f64>],
    g_hat: &[f64],
    d_hat: &[f64],
) -> (Vec<f64>, Vec<f64>) {
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

/// The per-batch least-squares estimates of the standardised data that the empirical
/// Bayes step starts from (neuroCombat's `fit_LS_model_and_find_priors` inputs).
pub(super) struct BatchFit<'a> {
    /// gamma_hat[batch][feature]: the batch means of the standardised data.
    pub(super) gamma_hat: &'a [Vec<f64>],
    /// Per batch and feature: the mean of the standardised data.
    pub(super) batch_mean: &'a [Vec<f64>],
    /// Per batch and feature: the sum of squared deviations of the standardised data.
    pub(super) batch_squares: &'a [Vec<f64>],
    /// Samples per batch.
    pub(super) sample_per_batch: &'a [f64],
    /// Each batch's samples.
    pub(super) members: &'a [Vec<usize>],
    /// Number of features fitted.
    pub(super) features: usize,
}

/// The batch effects ComBat removes, (gamma_star, delta_star) per batch and feature:
/// the least-squares estimates as they are (`no_eb`), or their empirical Bayes
/// posterior — non-parametric over the other features, or parametric (mean-only
/// shrinks the means alone). `standardised(feature, sample)` is the standardised value.
pub(super) fn batch_effects(
    settings: &super::ComBatSettings,
    fit: &BatchFit<'_>,
    standardised: &dyn Fn(usize, usize) -> f64,
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let BatchFit {
        gamma_hat,
        batch_mean,
        batch_squares,
        sample_per_batch,
        members,
        features,
    } = *fit;
    let n_batch = gamma_hat.len();
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
    if settings.no_eb {
        return (gamma_hat.to_vec(), delta_hat);
    }
    if settings.non_parametric {
        return members
            .iter()
            .enumerate()
            .map(|(b, m)| {
                let batch_data: Vec<Vec<f64>> = (0..features)
                    .map(|i| m.iter().map(|&s| standardised(i, s)).collect())
                    .collect();
                integrated_prior(&batch_data, &gamma_hat[b], &delta_hat[b])
            })
            .unzip();
    }
    (0..n_batch)
        .map(|b| {
            if settings.mean_only {
                let g = gamma_hat[b]
                    .iter()
                    .map(|&g| postmean(g, gamma_bar[b], 1.0, 1.0, t2[b]))
                    .collect();
                (g, vec![1.0; features])
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
}
