//! Survival: Kaplan-Meier with Greenwood confidence intervals, median survival, log-rank test.
//!
//! Numbers equal lifelines' `KaplanMeierFitter` (survival function, exponential
//! Greenwood "log-log" 95 % interval, median and its interval) and
//! `multivariate_logrank_test` / `logrank_test` (statistic and p); see
//! tests/reference/analytics/.

use crate::error::{Error, Result};
use crate::model::{Assignment, Course, CourseDates};
use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The 0.975 quantile of the standard normal distribution (95 % two-sided interval),
/// the value lifelines obtains from `scipy.stats.norm.ppf(0.975)`.
pub(crate) const Z_975: f64 = 1.959_963_984_540_054;

/// One subject: time from the index date to the event or to censoring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Subject {
    /// Follow-up time (days, or any unit; must be finite and >= 0).
    pub time: f64,
    /// True when the event was observed at `time`; false when censored there.
    pub event: bool,
}

/// The Kaplan-Meier estimate just after one distinct event time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KmPoint {
    /// The event time.
    pub time: f64,
    /// Estimated survival S(t).
    pub survival: f64,
    /// Lower bound of the 95 % confidence interval (Greenwood, log(-log) scale).
    pub ci_lower: f64,
    /// Upper bound of the 95 % confidence interval.
    pub ci_upper: f64,
    /// Subjects at risk just before `time`.
    pub at_risk: usize,
    /// Events at `time`.
    pub events: usize,
}

/// A Kaplan-Meier curve with its median.
#[derive(Debug, Clone, PartialEq)]
pub struct KaplanMeier {
    /// Number of subjects.
    pub n: usize,
    /// Number of observed events.
    pub events: usize,
    /// One point per distinct event time, in time order.
    pub points: Vec<KmPoint>,
    /// Median survival: the first time S(t) <= 0.5; None when never reached.
    pub median: Option<f64>,
    /// 95 % interval of the median: the first times the lower and the upper bound
    /// fall to <= 0.5 (None when never reached), as lifelines' `median_survival_times`.
    pub median_ci: (Option<f64>, Option<f64>),
}

/// The result of a log-rank test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRank {
    /// Chi-squared statistic.
    pub statistic: f64,
    /// Degrees of freedom (groups - 1).
    pub df: usize,
    /// p-value from the chi-squared distribution with `df` degrees of freedom.
    pub p: f64,
    /// Subjects in the smallest group.
    pub smallest_group: usize,
    /// The smallest number of events a group was expected to have under equal
    /// survival (Σ over event times of its share of those at risk × deaths).
    pub min_expected_events: f64,
}

/// A log-rank p from a group smaller than this is printed with a caution
/// ([`LogRank::caution`]).
pub const MIN_GROUP_SUBJECTS: usize = 3;

/// A log-rank p where some group expects fewer events than this is printed with a
/// caution: the χ² approximation of the statistic wants expected counts of about 5
/// or more per cell (Cochran, Biometrics 1954;10:417–451), and the log-rank test is a
/// sum of such tables whose approximation is poor when the expected numbers are small
/// (Peto et al., Br J Cancer 1977;35:1–39).
pub const MIN_EXPECTED_EVENTS: f64 = 5.0;

impl LogRank {
    /// A plain caution when the p-value rests on tiny groups or few expected events
    /// (a group of fewer than [`MIN_GROUP_SUBJECTS`] subjects, or one expecting fewer
    /// than [`MIN_EXPECTED_EVENTS`] events): the number is kept (it equals lifelines'),
    /// but beside a curve of two patients a p of 0.03 reads as a finding it is not.
    pub fn caution(&self) -> Option<String> {
        if self.smallest_group < MIN_GROUP_SUBJECTS {
            Some(format!(
                "caution: a group of {} subject{}, the p-value is unreliable",
                self.smallest_group,
                if self.smallest_group == 1 { "" } else { "s" }
            ))
        } else if self.min_expected_events < MIN_EXPECTED_EVENTS {
            Some(format!(
                "caution: a group expects {:.1} events (< {MIN_EXPECTED_EVENTS}), the p-value is unreliable",
                self.min_expected_events
            ))
        } else {
            None
        }
    }

    /// [`LogRank::caution`] in a few words, for a caption or a screen line: `caution:
    /// tiny groups` or `caution: few events`.
    pub fn caution_brief(&self) -> Option<&'static str> {
        if self.smallest_group < MIN_GROUP_SUBJECTS {
            Some("caution: tiny groups")
        } else if self.min_expected_events < MIN_EXPECTED_EVENTS {
            Some("caution: few events")
        } else {
            None
        }
    }
}

/// Distinct observed times with (at risk, events, removed) counts, in time order.
struct RiskTable {
    rows: Vec<(f64, usize, usize, usize)>,
}

fn validate(subjects: &[Subject]) -> Result<()> {
    for subject in subjects {
        if !subject.time.is_finite() || subject.time < 0.0 {
            return Err(Error::InvalidValue {
                what: "survival time",
                value: subject.time.to_string(),
                reason: "must be a finite number >= 0".to_string(),
            });
        }
    }
    Ok(())
}

fn risk_table(subjects: &[Subject]) -> RiskTable {
    let mut sorted: Vec<Subject> = subjects.to_vec();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut rows = Vec::new();
    let mut at_risk = sorted.len();
    let mut i = 0;
    while i < sorted.len() {
        let time = sorted[i].time;
        let mut events = 0;
        let mut removed = 0;
        while i < sorted.len() && sorted[i].time == time {
            events += usize::from(sorted[i].event);
            removed += 1;
            i += 1;
        }
        rows.push((time, at_risk, events, removed));
        at_risk -= removed;
    }
    RiskTable { rows }
}

/// Kaplan-Meier estimate with Greenwood's variance and the exponential
/// ("log-log") 95 % interval: `exp(-exp(log(-log S) ± z·σ / log S))`, σ² the
/// Greenwood sum Σ d / (n (n - d)) (terms with d = n count as 0, as in lifelines).
///
/// # Errors
/// [`Error::InvalidValue`] when there are no subjects or a time is negative or not finite.
pub fn kaplan_meier(subjects: &[Subject]) -> Result<KaplanMeier> {
    validate(subjects)?;
    if subjects.is_empty() {
        return Err(Error::InvalidValue {
            what: "survival group",
            value: String::new(),
            reason: "has no subjects".to_string(),
        });
    }
    let table = risk_table(subjects);
    let mut survival = 1.0;
    let mut greenwood = 0.0;
    let mut points = Vec::new();
    for &(time, at_risk, events, _) in &table.rows {
        if events == 0 {
            continue;
        }
        let (n, d) = (at_risk as f64, events as f64);
        survival *= 1.0 - d / n;
        if events < at_risk {
            greenwood += d / (n * (n - d));
        }
        let (ci_lower, ci_upper) = log_log_interval(survival, greenwood);
        points.push(KmPoint {
            time,
            survival,
            ci_lower,
            ci_upper,
            at_risk,
            events,
        });
    }
    let first_at_or_below =
        |value: fn(&KmPoint) -> f64| points.iter().find(|p| value(p) <= 0.5).map(|p| p.time);
    Ok(KaplanMeier {
        n: subjects.len(),
        events: subjects.iter().filter(|s| s.event).count(),
        median: first_at_or_below(|p| p.survival),
        median_ci: (
            first_at_or_below(|p| p.ci_lower),
            first_at_or_below(|p| p.ci_upper),
        ),
        points,
    })
}

/// The exponential Greenwood interval of S given the Greenwood sum (lower, upper).
fn log_log_interval(survival: f64, greenwood: f64) -> (f64, f64) {
    if survival <= 0.0 {
        return (0.0, 0.0);
    }
    let log_s = survival.ln();
    let spread = Z_975 * greenwood.sqrt() / log_s;
    let a = (-(((-log_s).ln() - spread).exp())).exp();
    let b = (-(((-log_s).ln() + spread).exp())).exp();
    (a.min(b), a.max(b))
}

/// Log-rank test of equal survival over all `groups` (χ² with k − 1 degrees of
/// freedom), as lifelines' `multivariate_logrank_test`; with two groups it equals
/// `logrank_test`.
///
/// # Errors
/// [`Error::InvalidValue`] with fewer than two non-empty groups or an invalid time.
pub fn logrank(groups: &[Vec<Subject>]) -> Result<LogRank> {
    for group in groups {
        validate(group)?;
    }
    let groups: Vec<&Vec<Subject>> = groups.iter().filter(|g| !g.is_empty()).collect();
    let k = groups.len();
    if k < 2 {
        return Err(Error::InvalidValue {
            what: "log-rank groups",
            value: k.to_string(),
            reason: "needs at least two non-empty groups".to_string(),
        });
    }
    // Pool every time, then walk it with per-group risk sets.
    let mut all: Vec<(f64, usize, bool)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, subjects)| subjects.iter().map(move |s| (s.time, g, s.event)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut at_risk: Vec<f64> = groups.iter().map(|g| g.len() as f64).collect();
    let mut observed_minus_expected = vec![0.0; k];
    let mut expected = vec![0.0; k];
    let mut variance = vec![vec![0.0; k]; k];
    let mut i = 0;
    while i < all.len() {
        let time = all[i].0;
        let mut deaths = vec![0.0; k];
        let mut removed = vec![0.0; k];
        while i < all.len() && all[i].0 == time {
            let (_, g, event) = all[i];
            removed[g] += 1.0;
            if event {
                deaths[g] += 1.0;
            }
            i += 1;
        }
        let n: f64 = at_risk.iter().sum();
        let d: f64 = deaths.iter().sum();
        if d > 0.0 {
            for g in 0..k {
                observed_minus_expected[g] += deaths[g] - at_risk[g] * d / n;
                expected[g] += at_risk[g] * d / n;
            }
            if n > 1.0 {
                let factor = d * (n - d) / (n - 1.0);
                for a in 0..k {
                    for b in 0..k {
                        let delta = if a == b { 1.0 } else { 0.0 };
                        variance[a][b] += factor * (at_risk[a] / n) * (delta - at_risk[b] / n);
                    }
                }
            }
        }
        for g in 0..k {
            at_risk[g] -= removed[g];
        }
    }
    let m = k - 1;
    let reduced: Vec<Vec<f64>> = variance[..m].iter().map(|row| row[..m].to_vec()).collect();
    let inverse = super::linalg::invert(reduced).ok_or_else(|| Error::InvalidValue {
        what: "log-rank groups",
        value: k.to_string(),
        reason: "the variance matrix is singular (no events to compare)".to_string(),
    })?;
    let z = &observed_minus_expected[..m];
    let mut statistic = 0.0;
    for a in 0..m {
        for b in 0..m {
            statistic += z[a] * inverse[a][b] * z[b];
        }
    }
    let p = chi2_survival(statistic, m)?;
    Ok(LogRank {
        statistic,
        df: m,
        p,
        smallest_group: groups.iter().map(|g| g.len()).min().unwrap_or(0),
        min_expected_events: expected.iter().copied().fold(f64::INFINITY, f64::min),
    })
}

/// P(χ²(df) > x).
fn chi2_survival(x: f64, df: usize) -> Result<f64> {
    let dist = ChiSquared::new(df as f64).map_err(|e| Error::InvalidValue {
        what: "degrees of freedom",
        value: df.to_string(),
        reason: e.to_string(),
    })?;
    Ok(dist.sf(x))
}

/// A survival endpoint built from clinical events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// Overall survival: index date to death, censored at the last follow-up.
    Overall,
    /// Event-free survival: index date to the first progression, relapse or death,
    /// censored at the last follow-up.
    EventFree,
}

/// The patient's time (days) and event status for `endpoint`, or why there is none.
///
/// # Errors
/// A reason (for the report of dropped patients) when there is no index date or
/// follow-up, or the event precedes the index date.
pub fn endpoint_subject(
    course: &CourseDates,
    endpoint: Endpoint,
) -> std::result::Result<Subject, String> {
    let index = course.index.ok_or("no index date")?;
    let event = match endpoint {
        Endpoint::Overall => course.death,
        Endpoint::EventFree => match (course.progression, course.death) {
            (Some(p), Some(d)) => Some(p.min(d)),
            (p, d) => p.or(d),
        },
    };
    let (date, observed) = match event {
        Some(date) => (date, true),
        None => (course.last_follow_up.ok_or("no follow-up")?, false),
    };
    let days = (date - index).num_days();
    if days < 0 {
        return Err("event or follow-up before the index date".into());
    }
    Ok(Subject {
        time: days as f64,
        event: observed,
    })
}

/// Patients dropped from a survival analysis: (patient, reason).
pub type Dropped = Vec<(String, String)>;

/// Groups patients into subjects for `endpoint`: each item is (patient, group, dates);
/// patients without an index date or follow-up are returned as dropped with the reason.
pub fn group_subjects<K: Ord>(
    patients: impl IntoIterator<Item = (String, K, CourseDates)>,
    endpoint: Endpoint,
) -> (std::collections::BTreeMap<K, Vec<Subject>>, Dropped) {
    let mut groups: std::collections::BTreeMap<K, Vec<Subject>> = std::collections::BTreeMap::new();
    let mut dropped = Vec::new();
    for (patient, group, dates) in patients {
        match endpoint_subject(&dates, endpoint) {
            Ok(subject) => groups.entry(group).or_default().push(subject),
            Err(reason) => dropped.push((patient, reason)),
        }
    }
    (groups, dropped)
}

/// Kaplan–Meier per group, the log-rank test over all groups (two or more), and each
/// pair of groups when there are more than two: what `survival`, the demo and the
/// cluster screen report.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupComparison<K> {
    /// Each group's curve, in group order.
    pub curves: Vec<(K, KaplanMeier)>,
    /// Log-rank test over all groups (None with fewer than two).
    pub logrank: Option<LogRank>,
    /// Log-rank test of each pair (only with more than two groups).
    pub pairwise: Vec<(K, K, LogRank)>,
}

impl<K: PartialEq> GroupComparison<K> {
    /// The curve of group `key`.
    pub fn curve(&self, key: &K) -> Option<&KaplanMeier> {
        self.curves.iter().find(|(k, _)| k == key).map(|(_, km)| km)
    }
}

/// Compares survival between groups of subjects.
///
/// # Errors
/// As [`kaplan_meier`] for a group it cannot fit.
pub fn compare_groups<K: Ord + Clone>(
    groups: &std::collections::BTreeMap<K, Vec<Subject>>,
) -> Result<GroupComparison<K>> {
    let mut curves = Vec::with_capacity(groups.len());
    for (key, subjects) in groups {
        curves.push((key.clone(), kaplan_meier(subjects)?));
    }
    let keys: Vec<&K> = groups.keys().collect();
    let all: Vec<Vec<Subject>> = groups.values().cloned().collect();
    let logrank = (all.len() >= 2).then(|| logrank(&all).ok()).flatten();
    let mut pairwise = Vec::new();
    if all.len() > 2 {
        for a in 0..all.len() {
            for b in a + 1..all.len() {
                if let Ok(test) = self::logrank(&[all[a].clone(), all[b].clone()]) {
                    pairwise.push((keys[a].clone(), keys[b].clone(), test));
                }
            }
        }
    }
    Ok(GroupComparison {
        curves,
        logrank,
        pairwise,
    })
}

/// Subjects of `endpoint` by cluster of a saved run: patients grouped by their cluster
/// in `assignments`, counted from diagnosis or, with `from_treatment`, from the first
/// treatment start. Patients of `courses` outside the run, or without an index date or
/// follow-up, are returned as dropped with the reason.
pub fn cluster_subjects(
    courses: &[Course],
    assignments: &[Assignment],
    endpoint: Endpoint,
    from_treatment: bool,
) -> (std::collections::BTreeMap<usize, Vec<Subject>>, Dropped) {
    let cluster_of: std::collections::HashMap<&str, usize> = assignments
        .iter()
        .map(|a| (a.patient.as_str(), a.cluster))
        .collect();
    let mut outside = Vec::new();
    let mut patients = Vec::new();
    for course in courses {
        match cluster_of.get(course.patient.as_str()) {
            Some(cluster) => {
                patients.push((
                    course.patient.clone(),
                    *cluster,
                    course.dates(from_treatment),
                ));
            }
            None => outside.push((course.patient.clone(), "not in the cluster run".to_string())),
        }
    }
    let (groups, mut dropped) = group_subjects(patients, endpoint);
    outside.append(&mut dropped);
    (groups, outside)
}

/// Survival of `endpoint` by cluster of a saved run ([`cluster_subjects`] compared by
/// [`compare_groups`]). The one implementation behind `survival --group cluster:RUN`,
/// the demo's summary and the UI's cluster screen.
///
/// # Errors
/// As [`compare_groups`].
pub fn by_cluster(
    courses: &[Course],
    assignments: &[Assignment],
    endpoint: Endpoint,
    from_treatment: bool,
) -> Result<(GroupComparison<usize>, Dropped)> {
    let (groups, dropped) = cluster_subjects(courses, assignments, endpoint, from_treatment);
    Ok((compare_groups(&groups)?, dropped))
}

/// Numbers at risk at chosen times, as lifelines' `add_at_risk_counts` prints them under
/// a Kaplan–Meier plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtRisk {
    /// The time.
    pub time: f64,
    /// Subjects still followed after `time` (time > t).
    pub at_risk: usize,
    /// Subjects censored at or before `time`.
    pub censored: usize,
    /// Events at or before `time`.
    pub events: usize,
}

/// The numbers at risk of `subjects` at each of `times` (lifelines' default,
/// `at_risk_count_from_start_of_period=False`: those at risk at the last observed time
/// up to t less those removed then, which is the count of times > t; censored and
/// events are cumulative up to and including t).
pub fn at_risk(subjects: &[Subject], times: &[f64]) -> Vec<AtRisk> {
    times
        .iter()
        .map(|&t| AtRisk {
            time: t,
            at_risk: subjects.iter().filter(|s| s.time > t).count(),
            censored: subjects.iter().filter(|s| !s.event && s.time <= t).count(),
            events: subjects.iter().filter(|s| s.event && s.time <= t).count(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_subjects_drops_patients_without_an_index_date() {
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2024, 1, d);
        let dated = CourseDates {
            index: day(1),
            progression: None,
            death: day(11),
            last_follow_up: day(11),
        };
        let undated = CourseDates {
            index: None,
            ..dated
        };
        let (groups, dropped) = group_subjects(
            [
                ("A".to_string(), 1, dated),
                ("B".to_string(), 1, undated),
                ("C".to_string(), 2, dated),
            ],
            Endpoint::Overall,
        );
        assert_eq!(
            groups[&1],
            vec![Subject {
                time: 10.0,
                event: true
            }]
        );
        assert_eq!(groups[&2].len(), 1);
        assert_eq!(
            dropped,
            vec![("B".to_string(), "no index date".to_string())]
        );
    }

    fn subjects(data: &[(f64, bool)]) -> Vec<Subject> {
        data.iter()
            .map(|&(time, event)| Subject { time, event })
            .collect()
    }

    #[test]
    fn km_multiplies_conditional_survival_at_each_event_time() {
        // Censoring at 3 removes one subject from the risk set without a step.
        let km = kaplan_meier(&subjects(&[
            (1.0, true),
            (2.0, true),
            (3.0, false),
            (4.0, true),
        ]))
        .unwrap();
        let s: Vec<f64> = km.points.iter().map(|p| p.survival).collect();
        assert_eq!(km.points.len(), 3);
        assert!((s[0] - 0.75).abs() < 1e-15);
        assert!((s[1] - 0.5).abs() < 1e-15);
        assert_eq!(s[2], 0.0);
        assert_eq!(km.median, Some(2.0));
        assert_eq!(km.points[2].at_risk, 1);
    }

    #[test]
    fn km_interval_contains_the_estimate() {
        let km = kaplan_meier(&subjects(&[
            (5.0, true),
            (6.0, false),
            (8.0, true),
            (9.0, true),
            (12.0, false),
        ]))
        .unwrap();
        for p in &km.points {
            assert!(
                p.ci_lower <= p.survival && p.survival <= p.ci_upper,
                "{p:?}"
            );
        }
    }

    #[test]
    fn median_is_none_when_survival_stays_above_half() {
        let km = kaplan_meier(&subjects(&[(1.0, true), (2.0, false), (3.0, false)])).unwrap();
        assert_eq!(km.median, None);
    }

    #[test]
    fn at_risk_counts_those_followed_beyond_t_and_what_happened_up_to_t() {
        let s = subjects(&[(0.0, false), (5.0, true), (5.0, false), (9.0, true)]);
        let table = at_risk(&s, &[0.0, 5.0, 6.0, 10.0]);
        let counts: Vec<(usize, usize, usize)> = table
            .iter()
            .map(|r| (r.at_risk, r.censored, r.events))
            .collect();
        assert_eq!(counts, vec![(3, 1, 0), (1, 2, 1), (1, 2, 1), (0, 2, 2)]);
    }

    #[test]
    fn negative_time_is_rejected() {
        assert!(kaplan_meier(&subjects(&[(-1.0, true)])).is_err());
        assert!(kaplan_meier(&[]).is_err());
    }

    #[test]
    fn logrank_of_identical_groups_is_zero() {
        let g = subjects(&[(1.0, true), (2.0, true), (3.0, false)]);
        let test = logrank(&[g.clone(), g]).unwrap();
        assert!(test.statistic.abs() < 1e-12);
        assert!((test.p - 1.0).abs() < 1e-12);
        assert_eq!(test.df, 1);
    }

    #[test]
    fn a_logrank_p_from_tiny_groups_or_few_expected_events_carries_a_caution() {
        // Two subjects against two: the p is lifelines' but no finding.
        let a = subjects(&[(1.0, true), (2.0, true)]);
        let b = subjects(&[(10.0, true), (20.0, true)]);
        let test = logrank(&[a, b]).unwrap();
        assert_eq!(test.smallest_group, 2);
        assert_eq!(
            test.caution().as_deref(),
            Some("caution: a group of 2 subjects, the p-value is unreliable")
        );
        // Groups of 4, four events in all: each expects 2.
        let a = subjects(&[(1.0, true), (2.0, true), (30.0, false), (40.0, false)]);
        let b = subjects(&[(3.0, true), (4.0, true), (50.0, false), (60.0, false)]);
        let test = logrank(&[a, b]).unwrap();
        let expected = test.min_expected_events;
        // Group a: 4/8 + 3/7 + 2/6 + 2/5 of the four deaths.
        assert!(
            (expected - 1.661_904_761_904_762).abs() < 1e-9,
            "{expected}"
        );
        assert!(test.caution().unwrap().contains("expects 1.7 events"));
        // Enough of both: nothing to add.
        let many = |offset: f64| -> Vec<Subject> {
            (0..12)
                .map(|i| Subject {
                    time: offset + f64::from(i),
                    event: true,
                })
                .collect()
        };
        let test = logrank(&[many(0.0), many(0.5)]).unwrap();
        assert!(test.min_expected_events >= MIN_EXPECTED_EVENTS);
        assert_eq!(test.caution(), None);
    }

    #[test]
    fn logrank_needs_two_groups() {
        assert!(logrank(&[subjects(&[(1.0, true)])]).is_err());
    }

    #[test]
    fn efs_ends_at_progression_before_death_and_os_is_censored_alive() {
        let d = |s: &str| crate::model::parse_date(s).ok();
        let course = CourseDates {
            index: d("2024-01-01"),
            progression: d("2024-01-31"),
            death: None,
            last_follow_up: d("2024-12-31"),
        };
        assert_eq!(
            endpoint_subject(&course, Endpoint::EventFree),
            Ok(Subject {
                time: 30.0,
                event: true
            })
        );
        assert_eq!(
            endpoint_subject(&course, Endpoint::Overall),
            Ok(Subject {
                time: 365.0,
                event: false
            })
        );
        let no_index = CourseDates {
            index: None,
            ..course
        };
        assert!(endpoint_subject(&no_index, Endpoint::Overall).is_err());
    }
}
