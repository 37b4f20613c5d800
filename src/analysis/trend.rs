//! Trends of a series over time: change from baseline and nadir, log-slope per 30 days with CI, doubling time.
//!
//! The slope is the ordinary least-squares slope of ln(value) on days, times 30,
//! with a 95 % confidence interval from Student's t with n − 2 degrees of freedom
//! (as `scipy.stats.linregress` and `t.ppf(0.975, n - 2)` give it). Doubling (or
//! halving) time is 30 · ln 2 / |slope|; its interval comes from the slope's
//! interval and is open-ended when that interval reaches 0.
//!
//! Censored points are handled explicitly by [`CensorPolicy`]: a value below the
//! lower limit of quantification (or an undetected ctDNA sample) enters at half
//! its limit, a value above the upper limit at the limit itself; or censored points
//! are left out. Either way the result counts them. A value ≤ 0 that is not marked
//! censored cannot be logged and is left out of the fit, and counted.

use crate::model::Censor;
pub use crate::model::Point;
use chrono::NaiveDate;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Days per slope unit: the slope is reported per 30 days.
pub const SLOPE_DAYS: f64 = 30.0;

/// How censored points enter the trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CensorPolicy {
    /// Left-censored at half the limit, right-censored at the limit (default).
    #[default]
    Substitute,
    /// Left out of changes and fit.
    Exclude,
}

/// A series' trend.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// Points in the series.
    pub points: usize,
    /// Points used (after censoring policy and non-positive values).
    pub used: usize,
    /// Censored points (substituted or excluded, per the policy).
    pub censored: usize,
    /// Non-positive uncensored values left out of the log fit.
    pub non_positive: usize,
    /// First used point (date, value).
    pub baseline: Option<(NaiveDate, f64)>,
    /// Last used point.
    pub latest: Option<(NaiveDate, f64)>,
    /// Smallest value before the latest point, baseline included.
    pub nadir: Option<(NaiveDate, f64)>,
    /// Latest minus baseline.
    pub change_from_baseline: Option<f64>,
    /// Relative change from baseline in percent.
    pub change_from_baseline_pct: Option<f64>,
    /// Latest minus nadir.
    pub change_from_nadir: Option<f64>,
    /// Relative change from nadir in percent.
    pub change_from_nadir_pct: Option<f64>,
    /// The log-linear fit, when at least two positive points span more than one day.
    pub fit: Option<LogFit>,
}

/// Ordinary least squares of ln(value) on time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogFit {
    /// Slope of ln(value) per 30 days.
    pub slope_per_30d: f64,
    /// Standard error of that slope.
    pub stderr_per_30d: Option<f64>,
    /// 95 % CI of the slope (needs three or more points).
    pub ci95: Option<(f64, f64)>,
    /// Two-sided p-value of slope = 0.
    pub p_value: Option<f64>,
    /// Pearson r of ln(value) with time.
    pub r: Option<f64>,
    /// Intercept: ln(value) at the first used point's date.
    pub intercept: f64,
    /// Doubling time (slope > 0) or halving time (slope < 0) in days; `None` for slope 0.
    pub doubling_days: Option<f64>,
    /// Its 95 % CI; the upper end is `None` (unbounded) when the slope CI reaches 0.
    pub doubling_ci95: Option<(f64, Option<f64>)>,
}

impl LogFit {
    /// Whether the series grows (doubling) rather than shrinks (halving).
    pub fn is_growing(&self) -> bool {
        self.slope_per_30d > 0.0
    }

    /// The direction as a listing states it: `doubling` or `halving` when the slope's
    /// 95 % CI excludes 0; otherwise the estimate's sign with what keeps it from being
    /// a finding (`halving, CI includes no change`; `doubling, 2 points: no CI`), so a
    /// doubling time is not read as established by a fit that cannot tell the series
    /// from flat. `None` for a flat fit.
    pub fn direction(&self) -> Option<String> {
        self.doubling_days?;
        let kind = if self.is_growing() {
            "doubling"
        } else {
            "halving"
        };
        Some(match self.ci95 {
            Some((lo, hi)) if lo > 0.0 || hi < 0.0 => kind.to_string(),
            Some(_) => format!("{kind}, CI includes no change"),
            None => format!("{kind}, 2 points: no CI"),
        })
    }
}

/// Computes the trend of a series (points in any order).
pub fn trend(points: &[Point], policy: CensorPolicy) -> Trend {
    let mut sorted = points.to_vec();
    sorted.sort_by_key(|p| p.date);
    let censored = sorted.iter().filter(|p| p.censor != Censor::None).count();
    let used: Vec<(NaiveDate, f64)> = sorted
        .iter()
        .filter_map(|p| match (p.censor, policy) {
            (Censor::None, _) => Some((p.date, p.value)),
            (_, CensorPolicy::Exclude) => None,
            (Censor::Left, CensorPolicy::Substitute) => Some((p.date, p.value / 2.0)),
            (Censor::Right, CensorPolicy::Substitute) => Some((p.date, p.value)),
        })
        .filter(|(_, v)| v.is_finite())
        .collect();
    let baseline = used.first().copied();
    let latest = used.last().copied().filter(|_| used.len() > 1);
    let nadir = (used.len() > 1)
        .then(|| {
            used[..used.len() - 1]
                .iter()
                .copied()
                .min_by(|a, b| a.1.total_cmp(&b.1))
        })
        .flatten();
    // A censored point used as a reference stands for an unknown value below (or
    // above) its limit: a percent change from half a detection limit is a number of
    // the substitution, not of the patient (+66500 % from a nadir "0.00025" that was
    // "< 0.0005"), so it is not given; the absolute change is within the limit.
    let stand_ins: Vec<(NaiveDate, f64)> = match policy {
        CensorPolicy::Substitute => sorted
            .iter()
            .filter(|p| p.censor != Censor::None)
            .map(|p| {
                let value = if p.censor == Censor::Left {
                    p.value / 2.0
                } else {
                    p.value
                };
                (p.date, value)
            })
            .collect(),
        CensorPolicy::Exclude => Vec::new(),
    };
    let change = |from: Option<(NaiveDate, f64)>| match (latest, from) {
        (Some((_, v)), Some(reference)) => {
            let f = reference.1;
            let known = f != 0.0 && !stand_ins.contains(&reference);
            (Some(v - f), known.then(|| (v - f) / f * 100.0))
        }
        _ => (None, None),
    };
    let (change_from_baseline, change_from_baseline_pct) = change(baseline);
    let (change_from_nadir, change_from_nadir_pct) = change(nadir);
    let positive: Vec<(f64, f64)> = used
        .iter()
        .filter(|(_, v)| *v > 0.0)
        .map(|(d, v)| ((*d - used[0].0).num_days() as f64, v.ln()))
        .collect();
    Trend {
        points: points.len(),
        used: positive.len(),
        censored,
        non_positive: used.len() - positive.len(),
        baseline,
        latest,
        nadir,
        change_from_baseline,
        change_from_baseline_pct,
        change_from_nadir,
        change_from_nadir_pct,
        fit: fit(&positive),
    }
}

/// OLS of y on x (x in days) scaled to 30-day slopes.
fn fit(xy: &[(f64, f64)]) -> Option<LogFit> {
    let n = xy.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean_x = xy.iter().map(|p| p.0).sum::<f64>() / nf;
    let mean_y = xy.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = xy.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let syy: f64 = xy.iter().map(|p| (p.1 - mean_y).powi(2)).sum();
    let sxy: f64 = xy.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx <= 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = mean_y - slope * mean_x;
    let r = (syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0));
    let (stderr, ci, p_value) = if n > 2 {
        let df = nf - 2.0;
        let sse = (syy - slope * sxy).max(0.0);
        let se = (sse / df / sxx).sqrt();
        let t = StudentsT::new(0.0, 1.0, df).ok();
        let q = t.as_ref().map(|t| t.inverse_cdf(0.975));
        let p = t.as_ref().map(|t| {
            if se > 0.0 {
                2.0 * t.sf((slope / se).abs())
            } else {
                0.0
            }
        });
        (
            Some(se * SLOPE_DAYS),
            q.map(|q| ((slope - q * se) * SLOPE_DAYS, (slope + q * se) * SLOPE_DAYS)),
            p,
        )
    } else {
        (None, None, None)
    };
    let slope30 = slope * SLOPE_DAYS;
    let time = |s: f64| SLOPE_DAYS * std::f64::consts::LN_2 / s.abs();
    let doubling_days = (slope30 != 0.0).then(|| time(slope30));
    let doubling_ci95 = ci.map(|(lo, hi)| {
        // The steeper end of the slope CI gives the shorter time.
        let (near, far) = if slope30 > 0.0 { (hi, lo) } else { (lo, hi) };
        let same_sign = far.signum() == slope30.signum() && far != 0.0;
        (time(near), same_sign.then(|| time(far)))
    });
    Some(LogFit {
        slope_per_30d: slope30,
        stderr_per_30d: stderr,
        ci95: ci,
        p_value,
        r,
        intercept,
        doubling_days,
        doubling_ci95,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn d(text: &str) -> NaiveDate {
        crate::model::parse_date(text).unwrap()
    }

    fn points(values: &[(&str, f64)]) -> Vec<Point> {
        values
            .iter()
            .map(|(date, value)| Point {
                date: d(date),
                value: *value,
                censor: Censor::None,
            })
            .collect()
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-12)
    }

    /// Every case of tests/reference/response/linregress.json (made by
    /// linregress.py with scipy) agrees to 1e-9 relative.
    #[test]
    fn log_slope_and_ci_agree_with_scipy_linregress() {
        let text = include_str!("../../tests/reference/response/linregress.json");
        let cases: Value = serde_json::from_str(text).unwrap();
        let cases = cases["cases"].as_array().unwrap();
        assert!(cases.len() >= 4);
        for case in cases {
            let name = case["name"].as_str().unwrap();
            let pts: Vec<Point> = case["dates"]
                .as_array()
                .unwrap()
                .iter()
                .zip(case["values"].as_array().unwrap())
                .map(|(date, value)| Point {
                    date: d(date.as_str().unwrap()),
                    value: value.as_f64().unwrap(),
                    censor: Censor::None,
                })
                .collect();
            let fit = trend(&pts, CensorPolicy::Substitute).fit.unwrap();
            let want = |key: &str| case[key].as_f64().unwrap();
            assert!(
                close(fit.slope_per_30d, want("slope_per_30d"), 1e-9),
                "{name} slope"
            );
            assert!(
                close(fit.intercept, want("intercept"), 1e-9),
                "{name} intercept"
            );
            assert!(
                close(fit.stderr_per_30d.unwrap(), want("stderr_per_30d"), 1e-9),
                "{name} se"
            );
            let (lo, hi) = fit.ci95.unwrap();
            assert!(
                close(lo, want("ci_low_per_30d"), 1e-9),
                "{name} ci low {lo}"
            );
            assert!(
                close(hi, want("ci_high_per_30d"), 1e-9),
                "{name} ci high {hi}"
            );
            assert!(
                close(fit.p_value.unwrap(), want("p_value"), 1e-6),
                "{name} p"
            );
            assert!(close(fit.r.unwrap(), want("r"), 1e-9), "{name} r");
            assert!(
                close(fit.doubling_days.unwrap(), want("doubling_days"), 1e-9),
                "{name} td"
            );
        }
    }

    #[test]
    fn doubling_time_of_exact_exponential_growth() {
        // Doubles every 60 days: slope ln2/2 per 30 days, doubling 60 days, CI collapses.
        let t = trend(
            &points(&[
                ("2024-01-01", 1.0),
                ("2024-03-01", 2.0),
                ("2024-04-30", 4.0),
            ]),
            CensorPolicy::Substitute,
        );
        let fit = t.fit.unwrap();
        assert!(close(
            fit.slope_per_30d,
            std::f64::consts::LN_2 / 2.0,
            1e-12
        ));
        assert!(close(fit.doubling_days.unwrap(), 60.0, 1e-12));
        assert!(fit.is_growing());
        assert_eq!(t.change_from_baseline_pct, Some(300.0));
    }

    #[test]
    fn halving_time_ci_is_open_when_slope_ci_crosses_zero() {
        let t = trend(
            &points(&[
                ("2024-01-01", 4.0),
                ("2024-02-01", 5.0),
                ("2024-03-01", 1.0),
                ("2024-04-01", 3.0),
            ]),
            CensorPolicy::Substitute,
        );
        let fit = t.fit.unwrap();
        assert!(!fit.is_growing());
        let (lo, hi) = fit.ci95.unwrap();
        assert!(lo < 0.0 && hi > 0.0);
        assert_eq!(fit.doubling_ci95.unwrap().1, None);
        assert_eq!(
            fit.direction().as_deref(),
            Some("halving, CI includes no change")
        );
    }

    #[test]
    fn direction_is_a_finding_only_when_the_slope_ci_excludes_zero() {
        let fit = |values: &[(&str, f64)]| {
            trend(&points(values), CensorPolicy::Substitute)
                .fit
                .unwrap()
        };
        type Case<'a> = (&'a [(&'a str, f64)], Option<&'a str>);
        let table: [Case<'_>; 5] = [
            (
                &[
                    ("2024-01-01", 1.0),
                    ("2024-02-01", 2.1),
                    ("2024-03-01", 3.9),
                    ("2024-04-01", 8.2),
                ],
                Some("doubling"),
            ),
            (
                &[
                    ("2024-01-01", 8.0),
                    ("2024-02-01", 4.1),
                    ("2024-03-01", 1.9),
                    ("2024-04-01", 1.1),
                ],
                Some("halving"),
            ),
            (
                &[
                    ("2024-01-01", 3.0),
                    ("2024-02-01", 5.0),
                    ("2024-03-01", 2.0),
                    ("2024-04-01", 6.0),
                ],
                Some("doubling, CI includes no change"),
            ),
            (
                &[("2024-01-01", 1.0), ("2024-03-01", 4.0)],
                Some("doubling, 2 points: no CI"),
            ),
            (
                &[
                    ("2024-01-01", 2.0),
                    ("2024-02-01", 2.0),
                    ("2024-03-01", 2.0),
                ],
                None,
            ),
        ];
        for (values, want) in table {
            let f = fit(values);
            assert_eq!(f.direction().as_deref(), want, "{values:?}: {f:?}");
        }
    }

    #[test]
    fn change_from_nadir_uses_smallest_earlier_value() {
        let t = trend(
            &points(&[
                ("2024-01-01", 10.0),
                ("2024-02-01", 4.0),
                ("2024-03-01", 6.0),
            ]),
            CensorPolicy::Substitute,
        );
        assert_eq!(t.nadir, Some((d("2024-02-01"), 4.0)));
        assert_eq!(t.change_from_nadir, Some(2.0));
        assert_eq!(t.change_from_nadir_pct, Some(50.0));
        assert_eq!(t.change_from_baseline, Some(-4.0));
    }

    #[test]
    fn left_censored_points_enter_at_half_the_limit_or_are_excluded() {
        let mut pts = points(&[
            ("2024-01-01", 0.08),
            ("2024-02-01", 0.02),
            ("2024-03-01", 0.004),
        ]);
        pts[2].censor = Censor::Left;
        let t = trend(&pts, CensorPolicy::Substitute);
        assert_eq!((t.censored, t.used), (1, 3));
        assert_eq!(t.latest, Some((d("2024-03-01"), 0.002)));
        let t = trend(&pts, CensorPolicy::Exclude);
        assert_eq!((t.censored, t.used), (1, 2));
        assert_eq!(t.latest, Some((d("2024-02-01"), 0.02)));
        pts[2].censor = Censor::Right;
        let t = trend(&pts, CensorPolicy::Substitute);
        assert_eq!(t.latest, Some((d("2024-03-01"), 0.004)));
    }

    #[test]
    fn no_percent_change_from_a_censored_nadir_or_baseline() {
        // Cleared (< 0.0005, entered at 0.00025), then back at 0.1665: +66500 % from
        // the stand-in would be a number of the substitution, not of the patient.
        let mut pts = points(&[
            ("2024-01-01", 0.3),
            ("2024-03-01", 0.0005),
            ("2024-05-01", 0.1665),
        ]);
        pts[1].censor = Censor::Left;
        let t = trend(&pts, CensorPolicy::Substitute);
        assert_eq!(t.nadir, Some((d("2024-03-01"), 0.00025)));
        assert_eq!(t.change_from_nadir_pct, None);
        assert!(close(t.change_from_nadir.unwrap(), 0.16625, 1e-12));
        assert!(close(t.change_from_baseline_pct.unwrap(), -44.5, 1e-12));
        // A censored baseline: no percent from it either.
        pts[0].censor = Censor::Left;
        let t = trend(&pts, CensorPolicy::Substitute);
        assert_eq!(t.change_from_baseline_pct, None);
        // Measured references keep their percent.
        pts[0].censor = Censor::None;
        pts[1].censor = Censor::None;
        let t = trend(&pts, CensorPolicy::Substitute);
        assert!(t.change_from_nadir_pct.is_some());
    }

    #[test]
    fn non_positive_values_are_counted_and_left_out_of_the_fit() {
        let t = trend(
            &points(&[
                ("2024-01-01", 1.0),
                ("2024-02-01", 0.0),
                ("2024-03-01", 0.5),
            ]),
            CensorPolicy::Substitute,
        );
        assert_eq!((t.used, t.non_positive), (2, 1));
        assert!(t.fit.unwrap().ci95.is_none());
    }

    #[test]
    fn one_point_has_no_change_and_no_fit() {
        let t = trend(&points(&[("2024-01-01", 1.0)]), CensorPolicy::Substitute);
        assert_eq!(t.latest, None);
        assert_eq!(t.fit, None);
    }
}
