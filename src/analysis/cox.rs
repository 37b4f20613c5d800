//! Cox proportional hazards regression: Efron's ties, strata, Wald and likelihood-ratio tests and Harrell's concordance, equal to lifelines' `CoxPHFitter`.
//!
//! The partial likelihood is Cox (1972) with Efron's (1977) approximation for tied event
//! times; each stratum has its own baseline hazard (the log-likelihood is the sum over
//! strata). Newton–Raphson from β = 0 on centred and scaled covariates (as lifelines and
//! R's `coxph` do; the estimate does not depend on it), with step halving when the
//! log-likelihood would fall. Standard errors come from the inverse of the observed
//! information at the estimate. Concordance is Harrell's C as lifelines'
//! `concordance_index` computes it (a pair is comparable when the earlier time is an
//! event, or the times are tied and only the other is censored; tied risk scores count
//! one half), over all subjects whatever their stratum. Checked against lifelines on the
//! Rossi recidivism data and the demo cohort (tests/reference/cox/).

use super::invalid;
use super::survival::Z_975;
use crate::error::Result;
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Iterations of Newton–Raphson before a fit is reported as not converged.
const MAX_ITERATIONS: usize = 100;

/// A step smaller than this (in the scaled coefficients) ends the iterations.
const STEP_TOLERANCE: f64 = 1e-11;

/// The model's inputs: one row per subject.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxData {
    /// Covariate names, one per column of `x`.
    pub names: Vec<String>,
    /// Follow-up time of each subject (finite, >= 0).
    pub time: Vec<f64>,
    /// True when the event was observed at `time`.
    pub event: Vec<bool>,
    /// Covariates, row-major: subject i's values are `x[i * p .. (i + 1) * p]`.
    pub x: Vec<f64>,
    /// Stratum of each subject (empty: one stratum).
    pub strata: Vec<usize>,
}

/// One covariate's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    /// Covariate name.
    pub name: String,
    /// Log hazard ratio β.
    pub coef: f64,
    /// Standard error of β.
    pub se: f64,
    /// Hazard ratio exp(β).
    pub hazard_ratio: f64,
    /// 95 % interval of β: β ± z₀.₉₇₅ · SE.
    pub coef_ci: (f64, f64),
    /// 95 % interval of the hazard ratio: exp of `coef_ci`.
    pub hazard_ratio_ci: (f64, f64),
    /// Wald statistic β / SE.
    pub z: f64,
    /// Two-sided p-value of the Wald statistic (χ² with 1 degree of freedom of z²).
    pub p: f64,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxFit {
    /// One estimate per covariate, in input order.
    pub coefficients: Vec<Coefficient>,
    /// Subjects.
    pub n: usize,
    /// Observed events.
    pub events: usize,
    /// Strata (1 without strata).
    pub strata: usize,
    /// Partial log-likelihood at the estimate.
    pub log_likelihood: f64,
    /// Partial log-likelihood of the null model (β = 0, same strata).
    pub null_log_likelihood: f64,
    /// Likelihood-ratio statistic 2 (ℓ(β̂) − ℓ(0)).
    pub lr_statistic: f64,
    /// Its degrees of freedom (the number of covariates).
    pub lr_df: usize,
    /// P(χ²(df) > statistic).
    pub lr_p: f64,
    /// Partial AIC: −2 ℓ(β̂) + 2 p.
    pub partial_aic: f64,
    /// Harrell's concordance of the risk scores with the outcomes.
    pub concordance: f64,
    /// Newton–Raphson iterations taken.
    pub iterations: usize,
    /// False when the iterations stopped before the estimate settled (e.g. a covariate
    /// that separates events from non-events: its β runs off to infinity).
    pub converged: bool,
    /// Variance–covariance matrix of β (p × p).
    pub variance: Vec<Vec<f64>>,
}

/// A covariate before coding: numbers, or levels coded as indicators against a reference.
#[derive(Debug, Clone, PartialEq)]
pub enum Covariate {
    /// A numeric covariate.
    Numeric {
        /// Its name.
        name: String,
        /// One value per subject.
        values: Vec<f64>,
    },
    /// A categorical covariate: one indicator column `name[level]` per level other than
    /// the reference.
    Categorical {
        /// Its name.
        name: String,
        /// One level per subject.
        values: Vec<String>,
        /// The reference level (None: the first level in sort order, as R's factors).
        reference: Option<String>,
    },
}

/// The design matrix of `covariates` (all of `n` subjects): names and row-major values.
/// Levels of a categorical covariate are sorted; the reference level has no column.
///
/// # Errors
/// [`crate::Error::InvalidValue`] when a covariate's length is not `n`, a reference level
/// does not occur, or a categorical covariate has a single level.
pub fn design(covariates: &[Covariate], n: usize) -> Result<(Vec<String>, Vec<f64>)> {
    let mut names = Vec::new();
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for covariate in covariates {
        match covariate {
            Covariate::Numeric { name, values } => {
                check_length(name, values.len(), n)?;
                names.push(name.clone());
                columns.push(values.clone());
            }
            Covariate::Categorical {
                name,
                values,
                reference,
            } => {
                check_length(name, values.len(), n)?;
                let mut levels: Vec<&String> = values.iter().collect();
                levels.sort();
                levels.dedup();
                let reference = match reference {
                    Some(r) => levels.iter().copied().find(|l| *l == r).ok_or_else(|| {
                        invalid(
                            "reference level",
                            r.clone(),
                            format!(
                                "{name} has no subject at that level (levels: {})",
                                levels
                                    .iter()
                                    .map(|l| l.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?,
                    None => levels
                        .first()
                        .copied()
                        .ok_or_else(|| invalid("covariate", name.clone(), "has no subjects"))?,
                };
                if levels.len() < 2 {
                    return Err(invalid(
                        "covariate",
                        name.clone(),
                        format!("has one level only ({reference}): nothing to compare"),
                    ));
                }
                for level in levels.iter().filter(|l| *l != &reference) {
                    names.push(format!("{name}[{level}]"));
                    columns.push(
                        values
                            .iter()
                            .map(|v| f64::from(u8::from(v == *level)))
                            .collect(),
                    );
                }
            }
        }
    }
    let p = columns.len();
    let mut x = vec![0.0; n * p];
    for (j, column) in columns.iter().enumerate() {
        for (i, v) in column.iter().enumerate() {
            x[i * p + j] = *v;
        }
    }
    Ok((names, x))
}

fn check_length(name: &str, len: usize, n: usize) -> Result<()> {
    if len == n {
        Ok(())
    } else {
        Err(invalid(
            "covariate",
            name.to_string(),
            format!("has {len} values for {n} subjects"),
        ))
    }
}

impl CoxData {
    fn p(&self) -> usize {
        self.names.len()
    }

    fn validate(&self) -> Result<()> {
        let n = self.time.len();
        let p = self.p();
        if p == 0 {
            return Err(invalid("Cox model", "", "needs at least one covariate"));
        }
        if n == 0 {
            return Err(invalid("Cox model", "", "has no subjects"));
        }
        if self.event.len() != n || self.x.len() != n * p {
            return Err(invalid(
                "Cox model",
                format!("{n} subjects"),
                "times, events and covariates differ in length",
            ));
        }
        if !self.strata.is_empty() && self.strata.len() != n {
            return Err(invalid(
                "Cox model",
                format!("{n} subjects"),
                "strata differ in length from the times",
            ));
        }
        if let Some(i) = self.time.iter().position(|t| !t.is_finite() || *t < 0.0) {
            return Err(invalid(
                "survival time",
                self.time[i].to_string(),
                format!("of subject {} must be a finite number >= 0", i + 1),
            ));
        }
        if let Some(k) = self.x.iter().position(|v| !v.is_finite()) {
            return Err(invalid(
                "covariate",
                self.names[k % p].clone(),
                format!("subject {} has a missing or non-finite value", k / p + 1),
            ));
        }
        if !self.event.iter().any(|e| *e) {
            return Err(invalid("Cox model", "", "has no events"));
        }
        Ok(())
    }
}

/// The data sorted for the likelihood: per stratum, times descending; covariates centred
/// and scaled.
struct Prepared {
    p: usize,
    /// Row-major scaled covariates in sorted order.
    x: Vec<f64>,
    time: Vec<f64>,
    event: Vec<bool>,
    /// Start of each stratum in the sorted order (plus the end).
    bounds: Vec<usize>,
    scale: Vec<f64>,
}

fn prepare(data: &CoxData) -> Result<Prepared> {
    let n = data.time.len();
    let p = data.p();
    let mut mean = vec![0.0; p];
    for row in data.x.chunks_exact(p) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v;
        }
    }
    for m in &mut mean {
        *m /= n as f64;
    }
    let mut scale = vec![0.0; p];
    for row in data.x.chunks_exact(p) {
        for j in 0..p {
            scale[j] += (row[j] - mean[j]).powi(2);
        }
    }
    for (j, s) in scale.iter_mut().enumerate() {
        *s = (*s / n as f64).sqrt();
        if s.is_nan() || *s <= 0.0 {
            return Err(invalid(
                "covariate",
                data.names[j].clone(),
                "is the same for every subject: it cannot be estimated (leave it out)",
            ));
        }
    }
    let stratum = |i: usize| data.strata.get(i).copied().unwrap_or(0);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        stratum(a)
            .cmp(&stratum(b))
            .then(data.time[b].total_cmp(&data.time[a]))
    });
    let mut x = Vec::with_capacity(n * p);
    let mut bounds = vec![0];
    for (k, &i) in order.iter().enumerate() {
        if k > 0 && stratum(i) != stratum(order[k - 1]) {
            bounds.push(k);
        }
        x.extend((0..p).map(|j| (data.x[i * p + j] - mean[j]) / scale[j]));
    }
    bounds.push(n);
    Ok(Prepared {
        p,
        x,
        time: order.iter().map(|&i| data.time[i]).collect(),
        event: order.iter().map(|&i| data.event[i]).collect(),
        bounds,
        scale,
    })
}

/// Efron partial log-likelihood, its gradient and Hessian at `beta` (scaled space).
struct Evaluation {
    ll: f64,
    gradient: Vec<f64>,
    hessian: Vec<f64>,
}

fn evaluate(data: &Prepared, beta: &[f64]) -> Evaluation {
    let p = data.p;
    let mut ll = 0.0;
    let mut gradient = vec![0.0; p];
    let mut hessian = vec![0.0; p * p];
    // Risk-set sums S0, S1, S2 and the tied deaths' sums T0, T1, T2.
    let mut s1 = vec![0.0; p];
    let mut s2 = vec![0.0; p * p];
    let mut t1 = vec![0.0; p];
    let mut t2 = vec![0.0; p * p];
    let mut phi1 = vec![0.0; p];
    for stratum in data.bounds.windows(2) {
        let (start, end) = (stratum[0], stratum[1]);
        let mut s0 = 0.0;
        s1.fill(0.0);
        s2.fill(0.0);
        let mut i = start;
        while i < end {
            let time = data.time[i];
            let mut t0 = 0.0;
            t1.fill(0.0);
            t2.fill(0.0);
            let mut deaths = 0usize;
            while i < end && data.time[i] == time {
                let row = &data.x[i * p..(i + 1) * p];
                let eta = super::linalg::dot(row, beta);
                let w = eta.exp();
                s0 += w;
                for a in 0..p {
                    let wa = w * row[a];
                    s1[a] += wa;
                    for b in 0..=a {
                        s2[a * p + b] += wa * row[b];
                    }
                }
                if data.event[i] {
                    deaths += 1;
                    ll += eta;
                    t0 += w;
                    for a in 0..p {
                        gradient[a] += row[a];
                        let wa = w * row[a];
                        t1[a] += wa;
                        for b in 0..=a {
                            t2[a * p + b] += wa * row[b];
                        }
                    }
                }
                i += 1;
            }
            if deaths == 0 {
                continue;
            }
            let d = deaths as f64;
            for l in 0..deaths {
                let frac = l as f64 / d;
                let phi0 = s0 - frac * t0;
                ll -= phi0.ln();
                for a in 0..p {
                    phi1[a] = (s1[a] - frac * t1[a]) / phi0;
                    gradient[a] -= phi1[a];
                }
                for a in 0..p {
                    for b in 0..=a {
                        let phi2 = (s2[a * p + b] - frac * t2[a * p + b]) / phi0;
                        hessian[a * p + b] -= phi2 - phi1[a] * phi1[b];
                    }
                }
            }
        }
    }
    for a in 0..p {
        for b in 0..a {
            hessian[b * p + a] = hessian[a * p + b];
        }
    }
    Evaluation {
        ll,
        gradient,
        hessian,
    }
}

/// (−H)⁻¹ as rows, or None when singular.
fn information_inverse(hessian: &[f64], p: usize) -> Option<Vec<Vec<f64>>> {
    let information: Vec<Vec<f64>> = (0..p)
        .map(|a| (0..p).map(|b| -hessian[a * p + b]).collect())
        .collect();
    super::linalg::invert(information)
}

fn collinear(names: &[String]) -> crate::Error {
    invalid(
        "Cox model",
        names.join(", "),
        "the covariates are collinear (one is a combination of the others) or a level has no event: leave one out",
    )
}

fn diverges(names: &[String]) -> crate::Error {
    invalid(
        "Cox model",
        names.join(", "),
        "the estimate does not converge: a covariate (or a level) separates the events from the non-events, its hazard ratio is infinite; leave it out or merge levels",
    )
}

/// Fits the Cox model with Efron's ties.
///
/// # Errors
/// [`crate::Error::InvalidValue`] for no subjects, no covariate, no event, a negative or
/// non-finite time, a missing covariate value, a constant covariate, collinear
/// covariates, or a likelihood that overflows.
pub fn fit(data: &CoxData) -> Result<CoxFit> {
    data.validate()?;
    let prepared = prepare(data)?;
    let p = prepared.p;
    let mut beta = vec![0.0; p];
    let null = evaluate(&prepared, &beta);
    let null_ll = null.ll;
    let mut current = null;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS {
        let Some(inverse) = information_inverse(&current.hessian, p) else {
            return Err(if iterations == 0 {
                collinear(&data.names)
            } else {
                diverges(&data.names)
            });
        };
        let delta: Vec<f64> = inverse
            .iter()
            .map(|row| super::linalg::dot(row, &current.gradient))
            .collect();
        if delta.iter().any(|d| !d.is_finite()) {
            return Err(collinear(&data.names));
        }
        iterations += 1;
        let mut step = 1.0;
        let (candidate, evaluation) = loop {
            let candidate: Vec<f64> = beta.iter().zip(&delta).map(|(b, d)| b + step * d).collect();
            let evaluation = evaluate(&prepared, &candidate);
            let tolerance = 1e-12 * current.ll.abs().max(1.0);
            if (evaluation.ll.is_finite() && evaluation.ll >= current.ll - tolerance) || step < 1e-8
            {
                break (candidate, evaluation);
            }
            step /= 2.0;
        };
        if !evaluation.ll.is_finite() {
            return Err(diverges(&data.names));
        }
        let moved = delta.iter().fold(0.0_f64, |m, d| m.max((step * d).abs()));
        beta = candidate;
        current = evaluation;
        if moved < STEP_TOLERANCE {
            converged = true;
            break;
        }
    }
    let inverse = information_inverse(&current.hessian, p).ok_or_else(|| diverges(&data.names))?;
    let chi1 =
        ChiSquared::new(1.0).map_err(|e| invalid("degrees of freedom", "1", e.to_string()))?;
    let mut coefficients = Vec::with_capacity(p);
    for j in 0..p {
        let coef = beta[j] / prepared.scale[j];
        let se = inverse[j][j].max(0.0).sqrt() / prepared.scale[j];
        let z = coef / se;
        let coef_ci = (coef - Z_975 * se, coef + Z_975 * se);
        coefficients.push(Coefficient {
            name: data.names[j].clone(),
            coef,
            se,
            hazard_ratio: coef.exp(),
            coef_ci,
            hazard_ratio_ci: (coef_ci.0.exp(), coef_ci.1.exp()),
            z,
            p: chi1.sf(z * z),
        });
    }
    let variance = (0..p)
        .map(|a| {
            (0..p)
                .map(|b| inverse[a][b] / (prepared.scale[a] * prepared.scale[b]))
                .collect()
        })
        .collect();
    let lr_statistic = 2.0 * (current.ll - null_ll);
    let lr = ChiSquared::new(p as f64)
        .map_err(|e| invalid("degrees of freedom", p.to_string(), e.to_string()))?;
    // Risk scores on the original scale: exp is monotone, so the linear predictor ranks
    // the subjects as the partial hazard does.
    let scores: Vec<f64> = data
        .x
        .chunks_exact(p)
        .map(|row| row.iter().zip(&coefficients).map(|(v, c)| v * c.coef).sum())
        .collect();
    Ok(CoxFit {
        coefficients,
        n: data.time.len(),
        events: data.event.iter().filter(|e| **e).count(),
        strata: prepared.bounds.len() - 1,
        log_likelihood: current.ll,
        null_log_likelihood: null_ll,
        lr_statistic,
        lr_df: p,
        lr_p: lr.sf(lr_statistic.max(0.0)),
        partial_aic: -2.0 * current.ll + 2.0 * p as f64,
        concordance: stratified_concordance(data, &scores),
        iterations,
        converged,
        variance,
    })
}

/// Concordance within strata, pooled: the comparable, concordant and tied pairs of each
/// stratum summed (lifelines' `concordance_index_` of a stratified model).
fn stratified_concordance(data: &CoxData, scores: &[f64]) -> f64 {
    if data.strata.is_empty() {
        return concordance(&data.time, &data.event, scores);
    }
    let mut members: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (i, s) in data.strata.iter().enumerate() {
        members.entry(*s).or_default().push(i);
    }
    let (mut correct, mut tied, mut pairs) = (0, 0, 0);
    for rows in members.values() {
        let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        let events: Vec<bool> = rows.iter().map(|&i| data.event[i]).collect();
        let (c, t, p) = concordance_counts(&pick(&data.time), &events, &pick(scores));
        correct += c;
        tied += t;
        pairs += p;
    }
    if pairs == 0 {
        return f64::NAN;
    }
    (correct as f64 + 0.5 * tied as f64) / pairs as f64
}

/// Harrell's concordance index of risk scores (higher = earlier event), as lifelines'
/// `concordance_index(time, -risk, event)`: a pair is comparable when the subject with
/// the earlier time had the event (or, at equal times, when only the other is censored);
/// it is concordant when that subject has the higher risk, and a tie in risk counts one
/// half. NaN when no pair is comparable. O(n log n).
pub fn concordance(time: &[f64], event: &[bool], risk: &[f64]) -> f64 {
    let (correct, tied, pairs) = concordance_counts(time, event, risk);
    if pairs == 0 {
        return f64::NAN;
    }
    (correct as f64 + 0.5 * tied as f64) / pairs as f64
}

/// (concordant, tied in risk, comparable) pairs of [`concordance`].
fn concordance_counts(time: &[f64], event: &[bool], risk: &[f64]) -> (u64, u64, u64) {
    let n = time.len().min(event.len()).min(risk.len());
    // Ranks of the distinct risk values, for a Fenwick tree of counts.
    let mut values: Vec<f64> = risk[..n].to_vec();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let rank = |r: f64| values.partition_point(|v| v.total_cmp(&r).is_lt());
    let mut tree = vec![0u64; values.len() + 1];
    let add = |tree: &mut Vec<u64>, r: usize| {
        let mut k = r + 1;
        while k < tree.len() {
            tree[k] += 1;
            k += k & k.wrapping_neg();
        }
    };
    // Count of inserted ranks < r.
    let below = |tree: &Vec<u64>, r: usize| {
        let mut k = r;
        let mut sum = 0;
        while k > 0 {
            sum += tree[k];
            k -= k & k.wrapping_neg();
        }
        sum
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| time[b].total_cmp(&time[a]));
    let (mut pairs, mut correct, mut tied) = (0u64, 0u64, 0u64);
    let mut pool = 0u64;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j < n && time[order[j]] == time[order[i]] {
            j += 1;
        }
        let batch = &order[i..j];
        // Subjects censored at this time outlive the deaths at this time.
        for &k in batch.iter().filter(|&&k| !event[k]) {
            add(&mut tree, rank(risk[k]));
            pool += 1;
        }
        for &k in batch.iter().filter(|&&k| event[k]) {
            let r = rank(risk[k]);
            let less = below(&tree, r);
            let not_above = below(&tree, r + 1);
            pairs += pool;
            correct += less;
            tied += not_above - less;
        }
        for &k in batch.iter().filter(|&&k| event[k]) {
            add(&mut tree, rank(risk[k]));
            pool += 1;
        }
        i = j;
    }
    (correct, tied, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(rows: &[(f64, bool, f64)]) -> CoxData {
        CoxData {
            names: vec!["x".into()],
            time: rows.iter().map(|r| r.0).collect(),
            event: rows.iter().map(|r| r.1).collect(),
            x: rows.iter().map(|r| r.2).collect(),
            strata: Vec::new(),
        }
    }

    #[test]
    fn concordance_counts_ties_in_risk_as_half_and_censored_ties_as_later() {
        // Pairs: (1,2) concordant, (1,3) concordant, (2,3) tied risk -> 0.5.
        let c = concordance(&[1.0, 2.0, 3.0], &[true, true, false], &[3.0, 1.0, 1.0]);
        assert!((c - 2.5 / 3.0).abs() < 1e-15, "{c}");
        // Two events at the same time are not comparable; censored at that time is.
        let c = concordance(&[1.0, 1.0, 1.0], &[true, true, false], &[2.0, 1.0, 0.0]);
        assert!((c - 1.0).abs() < 1e-15, "{c}");
        assert!(concordance(&[1.0], &[false], &[0.0]).is_nan());
    }

    #[test]
    fn a_covariate_that_separates_events_is_reported_as_not_converged() {
        // Two subjects, the exposed one dies first; the second is censored later:
        // L(β) = e^β / (e^β + 1) grows without bound: the fit cannot converge.
        let d = data(&[(1.0, true, 1.0), (2.0, false, 0.0)]);
        // Either the information vanishes (an error saying so) or the iterations run out.
        if let Ok(f) = fit(&d) {
            assert!(!f.converged && f.coefficients[0].coef > 10.0, "{f:?}");
        }
    }

    #[test]
    fn efron_equals_breslow_without_ties_and_the_score_is_zero_at_the_estimate() {
        let d = data(&[
            (1.0, true, 0.5),
            (2.0, true, 1.5),
            (3.0, false, 0.2),
            (4.0, true, -0.3),
            (5.0, true, 0.9),
            (6.0, false, -1.0),
            (7.0, true, 0.1),
        ]);
        let f = fit(&d).unwrap();
        assert!(f.converged);
        let beta = f.coefficients[0].coef;
        // Score of the untied partial likelihood, by hand.
        let mut score = 0.0;
        for i in 0..d.time.len() {
            if !d.event[i] {
                continue;
            }
            let (mut s0, mut s1) = (0.0, 0.0);
            for j in 0..d.time.len() {
                if d.time[j] >= d.time[i] {
                    let w = (beta * d.x[j]).exp();
                    s0 += w;
                    s1 += w * d.x[j];
                }
            }
            score += d.x[i] - s1 / s0;
        }
        assert!(score.abs() < 1e-10, "{score}");
        assert!(f.lr_statistic >= 0.0 && f.log_likelihood >= f.null_log_likelihood);
        let c = &f.coefficients[0];
        assert!((c.hazard_ratio - c.coef.exp()).abs() < 1e-15);
        assert!(c.coef_ci.0 < c.coef && c.coef < c.coef_ci.1);
    }

    #[test]
    fn efron_ties_match_the_hand_computed_log_likelihood_at_zero() {
        // At β = 0 with deaths d at a time with n at risk, Efron's term is
        // Σ_{l<d} log(n − l); two deaths among 4 then one of 2.
        let d = data(&[
            (1.0, true, 1.0),
            (1.0, true, 0.0),
            (2.0, false, 1.0),
            (3.0, true, 0.0),
        ]);
        let f = fit(&d).unwrap();
        let expected = -(4.0_f64.ln() + 3.0_f64.ln() + 1.0_f64.ln());
        assert!((f.null_log_likelihood - expected).abs() < 1e-12);
    }

    #[test]
    fn strata_sum_their_likelihoods() {
        let rows = [
            (1.0, true, 0.5),
            (2.0, true, 1.5),
            (3.0, false, 0.2),
            (4.0, true, -0.3),
        ];
        let mut d = data(&[&rows[..], &rows[..]].concat());
        d.strata = vec![0, 0, 0, 0, 1, 1, 1, 1];
        let both = fit(&d).unwrap();
        let one = fit(&data(&rows)).unwrap();
        assert_eq!(both.strata, 2);
        assert!((both.null_log_likelihood - 2.0 * one.null_log_likelihood).abs() < 1e-12);
        assert!((both.coefficients[0].coef - one.coefficients[0].coef).abs() < 1e-9);
    }

    #[test]
    fn invalid_inputs_are_refused() {
        assert!(fit(&data(&[(1.0, false, 1.0), (2.0, false, 0.0)])).is_err());
        assert!(fit(&data(&[(1.0, true, 1.0), (2.0, false, 1.0)])).is_err());
        assert!(fit(&data(&[(-1.0, true, 1.0), (2.0, false, 0.0)])).is_err());
        assert!(fit(&data(&[(1.0, true, f64::NAN), (2.0, false, 0.0)])).is_err());
    }

    #[test]
    fn categorical_covariates_code_indicators_against_the_reference() {
        let cov = Covariate::Categorical {
            name: "g".into(),
            values: vec!["b".into(), "a".into(), "c".into()],
            reference: Some("b".into()),
        };
        let (names, x) = design(std::slice::from_ref(&cov), 3).unwrap();
        assert_eq!(names, vec!["g[a]", "g[c]"]);
        assert_eq!(x, vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
        let Covariate::Categorical { values, .. } = cov else {
            unreachable!()
        };
        let missing = Covariate::Categorical {
            name: "g".into(),
            values,
            reference: Some("z".into()),
        };
        assert!(design(&[missing], 3).is_err());
    }
}
