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

mod design;
mod eb;
mod lesions;

pub use lesions::{BatchBy, LesionHarmonization, harmonize_lesions};

use super::invalid;
use crate::error::Result;
use design::{Standardised, design_matrix, least_squares_solver, levels, standardise};

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
    check_features(features, n)?;
    let Batches {
        names: batches,
        of: batch_of,
        members,
        reference: ref_level,
    } = Batches::new(batch, settings)?;
    let n_batch = batches.len();

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
    replace_zero_variances(&mut var_pooled);
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

    let (mut gamma_star, mut delta_star) = eb::batch_effects(
        settings,
        &eb::BatchFit {
            gamma_hat: &gamma_hat,
            batch_mean: &batch_mean,
            batch_squares: &batch_squares,
            sample_per_batch: &sample_per_batch,
            members: &members,
            features: x.len(),
        },
        &standardised,
    );
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

/// Every feature has a finite value for each of the `n` samples.
fn check_features(features: &[Vec<f64>], n: usize) -> Result<()> {
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
    Ok(())
}

/// The batches of the samples: their names in ComBat's order, each sample's batch,
/// each batch's samples, and the reference batch.
struct Batches {
    names: Vec<String>,
    of: Vec<usize>,
    members: Vec<Vec<usize>>,
    reference: Option<usize>,
}

impl Batches {
    /// # Errors
    /// Fewer than two batches, a batch of one sample, or a reference batch that is not one of them.
    fn new(batch: &[String], settings: &ComBatSettings) -> Result<Batches> {
        let (names, of) = levels(batch);
        if names.len() < 2 {
            return Err(invalid(
                "batch",
                names.join(","),
                "ComBat needs at least two batches",
            ));
        }
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (s, &b) in of.iter().enumerate() {
            members[b].push(s);
        }
        if let Some(b) = members.iter().position(|m| m.len() < 2) {
            return Err(invalid(
                "batch",
                names[b].clone(),
                "has a single sample: its batch effect cannot be estimated",
            ));
        }
        let reference = match &settings.ref_batch {
            None => None,
            Some(name) => Some(names.iter().position(|b| b == name).ok_or_else(|| {
                invalid("reference batch", name.clone(), "is not one of the batches")
            })?),
        };
        Ok(Batches {
            names,
            of,
            members,
            reference,
        })
    }
}

/// neuroCombat's `var_pooled[var_pooled == 0] = np.median(var_pooled != 0)`: a zero
/// pooled variance becomes the median of the *flags* "variance is not zero" (a quirk
/// kept to equal the reference).
fn replace_zero_variances(var_pooled: &mut [f64]) {
    if !var_pooled.contains(&0.0) {
        return;
    }
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
}
