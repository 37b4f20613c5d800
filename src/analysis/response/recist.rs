//! RECIST 1.1 (Eisenhauer et al., Eur J Cancer 2009;45:228-247): target selection, sum of diameters, per-visit response, best overall response.

use super::{
    Assessment, Category, Criterion, EPS, num, signed_num_against, signed_pct, sorted_by_date,
};
pub use crate::model::assessment::{ImagingVisit, Lesion, LesionSeries, Measurement};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Most target lesions in total.
pub const MAX_TARGETS: usize = 5;
/// Most target lesions per organ.
pub const MAX_TARGETS_PER_ORGAN: usize = 2;
/// Smallest longest diameter of a measurable non-nodal lesion (mm).
pub const MEASURABLE_NON_NODAL_MM: f64 = 10.0;
/// Smallest short axis of a measurable (target) lymph node (mm).
pub const MEASURABLE_NODE_SHORT_AXIS_MM: f64 = 15.0;
/// A node counts as normal again when its short axis is below this (mm).
pub const NORMAL_NODE_SHORT_AXIS_MM: f64 = 10.0;
/// PR: the sum falls at least this fraction below the baseline sum.
pub const PR_FALL: f64 = 0.30;
/// PD: the sum rises at least this fraction over the nadir ...
pub const PD_RISE: f64 = 0.20;
/// ... and at least this much in absolute terms (mm).
pub const PD_RISE_MM: f64 = 5.0;

/// The target lesions chosen at baseline, and why some could not be.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetSelection {
    /// Labels of the target lesions.
    pub targets: Vec<String>,
    /// Labels of the other lesions present at baseline (non-targets).
    pub non_targets: Vec<String>,
    /// Departures from the RECIST selection rules in designated targets.
    pub warnings: Vec<String>,
}

/// The RECIST size of a lesion: short axis for nodes, longest diameter otherwise.
pub fn lesion_size(lesion: &Lesion, measurement: &Measurement) -> Option<f64> {
    if lesion.nodal {
        measurement.short_axis_mm
    } else {
        measurement.longest_diameter_mm
    }
}

/// Whether a lesion is measurable at baseline: non-nodal ≥ 10 mm, nodal short axis ≥ 15 mm.
pub fn is_measurable(lesion: &Lesion, measurement: &Measurement) -> bool {
    let floor = if lesion.nodal {
        MEASURABLE_NODE_SHORT_AXIS_MM
    } else {
        MEASURABLE_NON_NODAL_MM
    };
    lesion_size(lesion, measurement).is_some_and(|size| size + EPS >= floor)
}

/// Chooses target lesions on the baseline scan.
///
/// With designated targets, those are kept and every break of the rules (more than
/// 5, more than 2 in one organ, not measurable) is reported as a warning. Otherwise
/// the largest measurable lesions are taken, at most 2 per organ and 5 in all
/// (ties broken by label); a lesion with no organ recorded is not held to the
/// per-organ limit.
pub fn select_targets(lesions: &[Lesion], baseline: &ImagingVisit) -> TargetSelection {
    let at_baseline: Vec<(&Lesion, &Measurement)> = lesions
        .iter()
        .filter_map(|lesion| {
            baseline
                .measurements
                .iter()
                .find(|m| m.label == lesion.label)
                .map(|m| (lesion, m))
        })
        .collect();
    let mut selection = TargetSelection::default();
    if lesions.iter().any(|l| l.designated_target) {
        let mut per_organ: BTreeMap<&str, usize> = BTreeMap::new();
        for lesion in lesions.iter().filter(|l| l.designated_target) {
            match at_baseline.iter().find(|(l, _)| l.label == lesion.label) {
                Some((_, m)) if !is_measurable(lesion, m) => selection.warnings.push(format!(
                    "target {} is not measurable at baseline ({})",
                    lesion.label,
                    if lesion.nodal {
                        "node short axis < 15 mm"
                    } else {
                        "longest diameter < 10 mm"
                    }
                )),
                Some(_) => {}
                None => selection.warnings.push(format!(
                    "target {} is not measured at baseline",
                    lesion.label
                )),
            }
            if !lesion.organ.is_empty() {
                *per_organ.entry(lesion.organ.as_str()).or_default() += 1;
            }
            selection.targets.push(lesion.label.clone());
        }
        if selection.targets.len() > MAX_TARGETS {
            selection.warnings.push(format!(
                "{} targets designated (RECIST allows {MAX_TARGETS})",
                selection.targets.len()
            ));
        }
        for (organ, count) in per_organ {
            if count > MAX_TARGETS_PER_ORGAN {
                selection.warnings.push(format!(
                    "{count} targets in {organ} (RECIST allows {MAX_TARGETS_PER_ORGAN} per organ)"
                ));
            }
        }
    } else {
        let mut candidates: Vec<(&Lesion, f64)> = at_baseline
            .iter()
            .filter(|(l, m)| is_measurable(l, m))
            .filter_map(|(l, m)| lesion_size(l, m).map(|size| (*l, size)))
            .collect();
        candidates.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.label.cmp(&b.0.label)));
        let mut per_organ: BTreeMap<&str, usize> = BTreeMap::new();
        for (lesion, _) in candidates {
            if selection.targets.len() == MAX_TARGETS {
                break;
            }
            if !lesion.organ.is_empty() {
                let count = per_organ.entry(lesion.organ.as_str()).or_default();
                if *count == MAX_TARGETS_PER_ORGAN {
                    continue;
                }
                *count += 1;
            }
            selection.targets.push(lesion.label.clone());
        }
    }
    selection.non_targets = at_baseline
        .iter()
        .map(|(l, _)| l.label.clone())
        .filter(|label| !selection.targets.contains(label))
        .collect();
    selection
}

/// What one scan shows of the target lesions, the non-targets and new lesions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TargetSums {
    pub date: NaiveDate,
    /// Sum over the targets that were measured.
    pub partial_sum: f64,
    /// Targets not measured on this scan.
    pub missing: Vec<String>,
    /// Every non-nodal target is gone and every nodal target is < 10 mm.
    pub targets_gone: bool,
    /// Every non-target is gone (nodes < 10 mm); `None` when one was not assessed.
    pub non_targets_gone: Option<bool>,
    /// Labels of new lesions.
    pub new_lesions: Vec<String>,
    /// Mean of the targets' mean HU, when every target has one.
    pub mean_hu: Option<f64>,
    /// Targets and non-targets measured and not gone on this scan, with their size.
    pub present: Vec<(String, f64)>,
}

impl TargetSums {
    /// The sum of diameters when every target was measured.
    pub fn sum(&self) -> Option<f64> {
        self.missing.is_empty().then_some(self.partial_sum)
    }
}

/// The target selection and each scan's sums, scans in date order (first = baseline).
pub(crate) fn target_sums(series: &LesionSeries) -> Option<(TargetSelection, Vec<TargetSums>)> {
    let visits = sorted_by_date(&series.visits, |v| v.date);
    let baseline = visits.first()?;
    let selection = select_targets(&series.lesions, baseline);
    let lesion = |label: &str| series.lesions.iter().find(|l| l.label == label);
    let sums = visits
        .iter()
        .enumerate()
        .map(|(i, visit)| {
            let measured = |label: &str| {
                let l = lesion(label)?;
                let m = visit.measurements.iter().find(|m| m.label == label)?;
                Some((l, m))
            };
            let mut sums = TargetSums {
                date: visit.date,
                partial_sum: 0.0,
                missing: Vec::new(),
                targets_gone: true,
                non_targets_gone: Some(true),
                new_lesions: Vec::new(),
                mean_hu: None,
                present: Vec::new(),
            };
            let mut hu = Some(Vec::new());
            for label in &selection.targets {
                match measured(label).and_then(|(l, m)| lesion_size(l, m).map(|s| (l, m, s))) {
                    Some((l, m, size)) => {
                        sums.partial_sum += size;
                        sums.targets_gone &= is_gone(l, size);
                        if !is_gone(l, size) {
                            sums.present.push((label.clone(), size));
                        }
                        match (m.mean_hu, hu.as_mut()) {
                            (Some(value), Some(values)) => values.push(value),
                            _ => hu = None,
                        }
                    }
                    None => {
                        sums.missing.push(label.clone());
                        sums.targets_gone = false;
                        hu = None;
                    }
                }
            }
            sums.mean_hu = hu
                .filter(|values| !values.is_empty())
                .map(|values| values.iter().sum::<f64>() / values.len() as f64);
            for label in &selection.non_targets {
                match measured(label).and_then(|(l, m)| lesion_size(l, m).map(|s| (l, s))) {
                    Some((l, size)) => {
                        if let Some(gone) = sums.non_targets_gone.as_mut() {
                            *gone &= is_gone(l, size);
                        }
                        if !is_gone(l, size) {
                            sums.present.push((label.clone(), size));
                        }
                    }
                    None => sums.non_targets_gone = None,
                }
            }
            if i > 0 {
                sums.new_lesions = visit
                    .measurements
                    .iter()
                    .filter(|m| m.is_new)
                    .map(|m| m.label.clone())
                    .collect();
            }
            sums
        })
        .collect();
    Some((selection, sums))
}

/// A lesion is gone when a non-nodal one measures 0 mm or a node's short axis is < 10 mm.
fn is_gone(lesion: &Lesion, size: f64) -> bool {
    if lesion.nodal {
        size < NORMAL_NODE_SHORT_AXIS_MM
    } else {
        size <= EPS
    }
}

/// Whether `sum` is progression over `nadir`: ≥ 20 % above it and ≥ 5 mm.
pub fn is_progression(sum: f64, nadir: f64) -> bool {
    sum - nadir + EPS >= PD_RISE_MM && sum + EPS >= nadir * (1.0 + PD_RISE)
}

/// Whether `sum` is a partial response: ≥ 30 % below the baseline sum.
pub fn is_partial_response(sum: f64, baseline: f64) -> bool {
    sum <= baseline * (1.0 - PR_FALL) + EPS
}

/// Assesses every follow-up scan by RECIST 1.1 (the earliest scan is the baseline).
///
/// Per scan, in this order: a new lesion is PD; a sum ≥ 20 % and ≥ 5 mm over the
/// nadir (the smallest sum before this scan, baseline included) is PD, even when a
/// target was not measured (the missing ones can only add); a target not measured
/// is NE; all non-nodal targets gone and every nodal target < 10 mm is CR (PR when
/// a non-target remains or was not assessed); a sum ≥ 30 % below baseline is PR;
/// otherwise SD. Without a measurable target at baseline every scan is NE unless a
/// new lesion makes it PD.
pub fn assess(series: &LesionSeries) -> Vec<Assessment> {
    let Some((selection, sums)) = target_sums(series) else {
        return Vec::new();
    };
    let criterion = Criterion::Recist;
    let baseline_sum = sums[0].sum().filter(|_| !selection.targets.is_empty());
    let mut nadir = baseline_sum;
    let mut complete_on: Option<NaiveDate> = None;
    let mut out = Vec::new();
    for visit in &sums[1..] {
        let mut a = Assessment::new(visit.date, criterion, Category::NotEvaluable, String::new());
        a.flags.clone_from(&selection.warnings);
        let (Some(baseline), Some(low)) = (baseline_sum, nadir) else {
            if visit.new_lesions.is_empty() {
                a.reason = "NE: no measurable target lesion at baseline".into();
            } else {
                a.category = Category::Progressive;
                a.reason = format!("PD: new lesion {}", visit.new_lesions.join(", "));
            }
            out.push(a);
            continue;
        };
        let sum = visit.partial_sum;
        a.set_numbers(sum, baseline, low);
        let over_nadir = format!(
            "sum {} mm is {} {} nadir {} mm and {} mm",
            num(sum, 2),
            signed_pct(a.change_from_nadir_pct),
            if sum >= low { "over" } else { "from" },
            num(low, 2),
            signed_num_against(sum - low, 1, PD_RISE_MM)
        );
        let from_baseline = format!(
            "sum {} mm is {} from baseline {} mm",
            num(sum, 2),
            signed_pct(a.change_from_baseline_pct),
            num(baseline, 2)
        );
        (a.category, a.reason) = if !visit.new_lesions.is_empty() {
            let sum_text = if visit.missing.is_empty() {
                format!(" ({over_nadir})")
            } else {
                String::new()
            };
            (
                Category::Progressive,
                format!("PD: new lesion {}{sum_text}", visit.new_lesions.join(", ")),
            )
        } else if let (Some(cr), false) = (complete_on, visit.present.is_empty()) {
            // Eisenhauer 2009, table 3, note a: after a CR, any disease seen again is PD,
            // even disease that meets PR relative to baseline.
            let seen: Vec<String> = visit
                .present
                .iter()
                .map(|(label, size)| format!("{label} {} mm", num(*size, 2)))
                .collect();
            (
                Category::Progressive,
                format!(
                    "PD: disease seen again after CR on {} ({})",
                    crate::model::date::format_date(cr),
                    seen.join(", ")
                ),
            )
        } else if is_progression(sum, low) {
            let reason = if visit.missing.is_empty() {
                format!("PD: {over_nadir}")
            } else {
                format!(
                    "PD: {over_nadir} even without unmeasured {}",
                    visit.missing.join(", ")
                )
            };
            (Category::Progressive, reason)
        } else if !visit.missing.is_empty() {
            a.value = None;
            a.change_from_baseline_pct = None;
            a.change_from_nadir_pct = None;
            a.change_from_nadir = None;
            (
                Category::NotEvaluable,
                format!("NE: target {} not measured", visit.missing.join(", ")),
            )
        } else if visit.targets_gone {
            match visit.non_targets_gone {
                Some(true) => (
                    Category::Complete,
                    "CR: every target and non-target lesion gone, nodes < 10 mm".into(),
                ),
                Some(false) => (
                    Category::Partial,
                    "PR: every target gone but a non-target lesion remains".into(),
                ),
                None => (
                    Category::Partial,
                    "PR: every target gone but a non-target lesion was not assessed".into(),
                ),
            }
        } else if is_partial_response(sum, baseline) {
            (Category::Partial, format!("PR: {from_baseline}"))
        } else {
            (
                Category::Stable,
                format!(
                    "SD: {from_baseline} and {} from nadir {} mm",
                    signed_pct(a.change_from_nadir_pct),
                    num(low, 2)
                ),
            )
        };
        if a.category == Category::Complete && complete_on.is_none() {
            complete_on = Some(visit.date);
        }
        if let Some(sum) = visit.sum() {
            nadir = Some(low.min(sum));
        } else if a.value.is_some() {
            a.flags.push(format!(
                "sum is partial: target {} not measured",
                visit.missing.join(", ")
            ));
        }
        out.push(a);
    }
    out
}

/// The current sum of diameters of every scan (baseline first) for trends: `None`
/// where a target was not measured.
pub fn sum_series(series: &LesionSeries) -> Vec<(NaiveDate, Option<f64>)> {
    match target_sums(series) {
        Some((selection, sums)) if !selection.targets.is_empty() => {
            sums.iter().map(|s| (s.date, s.sum())).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::response::test_util::d;

    pub(crate) fn lesion(label: &str, organ: &str, nodal: bool) -> Lesion {
        Lesion {
            label: label.into(),
            organ: organ.into(),
            nodal,
            designated_target: false,
        }
    }

    pub(crate) fn m(label: &str, size: Option<f64>) -> Measurement {
        Measurement {
            label: label.into(),
            longest_diameter_mm: size,
            short_axis_mm: size,
            mean_hu: None,
            is_new: false,
        }
    }

    pub(crate) fn new_lesion(label: &str) -> Measurement {
        Measurement {
            is_new: true,
            ..m(label, Some(12.0))
        }
    }

    /// One target lesion "A" per visit with the given sizes, 6 weeks apart.
    pub(crate) fn one_target(sizes: &[Option<f64>]) -> LesionSeries {
        LesionSeries {
            lesions: vec![lesion("A", "lung", false)],
            visits: sizes
                .iter()
                .enumerate()
                .map(|(i, size)| ImagingVisit {
                    date: d("2024-01-01") + chrono::Days::new(42 * i as u64),
                    measurements: vec![m("A", *size)],
                })
                .collect(),
        }
    }

    fn codes(series: &LesionSeries) -> Vec<&'static str> {
        assess(series).iter().map(|a| a.code()).collect()
    }

    #[test]
    fn measurability_non_nodal_10_mm_and_nodal_short_axis_15_mm() {
        let table = [
            (false, 10.0, true),
            (false, 9.9, false),
            (true, 15.0, true),
            (true, 14.9, false),
            // Eisenhauer 2009: a node of 20 x 30 mm has a short axis of 20 mm and is measurable.
            (true, 20.0, true),
        ];
        for (nodal, size, measurable) in table {
            let l = lesion("A", "x", nodal);
            assert_eq!(
                is_measurable(&l, &m("A", Some(size))),
                measurable,
                "{nodal} {size}"
            );
        }
    }

    #[test]
    fn target_selection_takes_at_most_5_and_2_per_organ_largest_first() {
        let lesions = vec![
            lesion("L1", "lung", false),
            lesion("L2", "lung", false),
            lesion("L3", "lung", false),
            lesion("H1", "liver", false),
            lesion("H2", "liver", false),
            lesion("B1", "bone", false),
            lesion("N1", "node", true),
            lesion("S1", "skin", false),
        ];
        let baseline = ImagingVisit {
            date: d("2024-01-01"),
            measurements: vec![
                m("L1", Some(30.0)),
                m("L2", Some(40.0)),
                m("L3", Some(50.0)),
                m("H1", Some(25.0)),
                m("H2", Some(9.0)),
                m("B1", Some(12.0)),
                m("N1", Some(14.0)),
                m("S1", Some(11.0)),
            ],
        };
        let selection = select_targets(&lesions, &baseline);
        assert_eq!(selection.targets, vec!["L3", "L2", "H1", "B1", "S1"]);
        assert_eq!(selection.non_targets, vec!["L1", "H2", "N1"]);
        assert!(selection.warnings.is_empty());
    }

    #[test]
    fn designated_targets_are_kept_and_rule_breaks_warned() {
        let mut lesions: Vec<Lesion> = (1..=6)
            .map(|i| Lesion {
                designated_target: true,
                ..lesion(&format!("L{i}"), "lung", false)
            })
            .collect();
        lesions.push(lesion("X", "liver", false));
        let baseline = ImagingVisit {
            date: d("2024-01-01"),
            measurements: (1..=6)
                .map(|i| m(&format!("L{i}"), Some(if i == 6 { 8.0 } else { 20.0 })))
                .chain([m("X", Some(50.0))])
                .collect(),
        };
        let selection = select_targets(&lesions, &baseline);
        assert_eq!(selection.targets.len(), 6);
        assert_eq!(selection.non_targets, vec!["X"]);
        assert_eq!(selection.warnings.len(), 3, "{:?}", selection.warnings);
    }

    #[test]
    fn sum_adds_longest_diameters_and_nodal_short_axes() {
        let series = LesionSeries {
            lesions: vec![lesion("A", "lung", false), lesion("N", "node", true)],
            visits: vec![ImagingVisit {
                date: d("2024-01-01"),
                measurements: vec![
                    m("A", Some(30.0)),
                    Measurement {
                        longest_diameter_mm: Some(30.0),
                        short_axis_mm: Some(20.0),
                        ..m("N", None)
                    },
                ],
            }],
        };
        assert_eq!(sum_series(&series), vec![(d("2024-01-01"), Some(50.0))]);
    }

    #[test]
    fn pd_needs_20_percent_over_nadir_and_5_mm() {
        let table: [(&[f64], &str); 6] = [
            // nadir 60 (baseline), 72 = +20 % and +12 mm
            (&[60.0, 72.0], "PD"),
            (&[60.0, 71.9], "SD"),
            // +20 % but only +4 mm: not PD
            (&[20.0, 24.0], "SD"),
            (&[20.0, 25.0], "PD"),
            // nadir is the smallest earlier sum, not the baseline
            (&[100.0, 60.0, 74.0], "PD"),
            (&[100.0, 60.0, 71.0], "SD"),
        ];
        for (sizes, code) in table {
            let sizes: Vec<Option<f64>> = sizes.iter().map(|s| Some(*s)).collect();
            let got = codes(&one_target(&sizes));
            assert_eq!(got.last().copied(), Some(code), "{sizes:?}");
        }
    }

    #[test]
    fn pd_reason_names_sum_nadir_percent_and_millimetres() {
        let a = assess(&one_target(&[Some(100.0), Some(60.0), Some(74.0)]));
        assert_eq!(
            a[1].reason,
            "PD: sum 74 mm is +23 % over nadir 60 mm and +14 mm"
        );
        assert_eq!(a[1].nadir, Some(60.0));
        assert_eq!(a[1].change_from_nadir, Some(14.0));
    }

    #[test]
    fn nadir_includes_the_baseline() {
        // Never below baseline: PD is judged against the baseline sum.
        let got = codes(&one_target(&[Some(50.0), Some(55.0), Some(60.0)]));
        assert_eq!(got, vec!["SD", "PD"]);
    }

    #[test]
    fn pr_needs_30_percent_below_baseline() {
        let table = [(70.0, "PR"), (70.1, "SD"), (40.0, "PR")];
        for (size, code) in table {
            let got = codes(&one_target(&[Some(100.0), Some(size)]));
            assert_eq!(got, vec![code], "{size}");
        }
    }

    #[test]
    fn cr_needs_non_nodal_targets_gone_and_nodes_below_10_mm() {
        let series = |node: f64| LesionSeries {
            lesions: vec![lesion("A", "lung", false), lesion("N", "node", true)],
            visits: vec![
                ImagingVisit {
                    date: d("2024-01-01"),
                    measurements: vec![m("A", Some(30.0)), m("N", Some(20.0))],
                },
                ImagingVisit {
                    date: d("2024-03-01"),
                    measurements: vec![m("A", Some(0.0)), m("N", Some(node))],
                },
            ],
        };
        assert_eq!(codes(&series(9.0)), vec!["CR"]);
        // Node at 10 mm: not normal yet; the sum 10 mm is -80 %: PR.
        assert_eq!(codes(&series(10.0)), vec!["PR"]);
        // The sum is not 0 at CR when nodes remain below 10 mm.
        assert_eq!(assess(&series(9.0))[0].value, Some(9.0));
    }

    #[test]
    fn cr_of_targets_with_a_remaining_non_target_is_pr() {
        let mut series = one_target(&[Some(30.0), Some(0.0)]);
        series.lesions.push(lesion("NT", "bone", false));
        series.visits[0].measurements.push(m("NT", Some(8.0)));
        series.visits[1].measurements.push(m("NT", Some(5.0)));
        assert_eq!(codes(&series), vec!["PR"]);
        series.visits[1].measurements[1] = m("NT", Some(0.0));
        assert_eq!(codes(&series), vec!["CR"]);
        series.visits[1].measurements.pop();
        assert_eq!(codes(&series), vec!["PR"]);
    }

    #[test]
    fn new_lesion_is_pd() {
        let mut series = one_target(&[Some(50.0), Some(20.0)]);
        series.visits[1].measurements.push(new_lesion("NEW1"));
        let a = assess(&series);
        assert_eq!(a[0].code(), "PD");
        assert_eq!(
            a[0].reason,
            "PD: new lesion NEW1 (sum 20 mm is -60 % from nadir 50 mm and -30 mm)"
        );
    }

    #[test]
    fn missing_target_is_ne_unless_pd_is_certain() {
        let two = |a: Option<f64>, b: Option<f64>| LesionSeries {
            lesions: vec![lesion("A", "lung", false), lesion("B", "liver", false)],
            visits: vec![
                ImagingVisit {
                    date: d("2024-01-01"),
                    measurements: vec![m("A", Some(30.0)), m("B", Some(30.0))],
                },
                ImagingVisit {
                    date: d("2024-03-01"),
                    measurements: vec![m("A", a), m("B", b)],
                },
            ],
        };
        assert_eq!(codes(&two(Some(10.0), None)), vec!["NE"]);
        // 75 mm from one lesion alone is already > 72 mm (+20 % over 60): PD.
        let a = assess(&two(Some(75.0), None));
        assert_eq!(a[0].code(), "PD");
        assert!(
            a[0].reason.contains("even without unmeasured B"),
            "{}",
            a[0].reason
        );
        assert_eq!(a[0].flags, vec!["sum is partial: target B not measured"]);
    }

    #[test]
    fn no_measurable_target_at_baseline_is_ne() {
        assert_eq!(codes(&one_target(&[Some(8.0), Some(4.0)])), vec!["NE"]);
    }

    #[test]
    fn any_disease_seen_again_after_cr_is_pd() {
        // Eisenhauer 2009, table 3, note a: after a CR, disease seen again is PD "even
        // disease meeting PR criteria relative to baseline" (4 mm is -80 % from 20 mm).
        let a = assess(&one_target(&[Some(20.0), Some(0.0), Some(4.0), Some(5.0)]));
        let got: Vec<&str> = a.iter().map(|a| a.code()).collect();
        assert_eq!(got, vec!["CR", "PD", "PD"]);
        assert_eq!(
            a[1].reason,
            "PD: disease seen again after CR on 2024-02-12 (A 4 mm)"
        );
        // A non-target seen again after CR is PD too; one still gone is not.
        let mut series = one_target(&[Some(20.0), Some(0.0), Some(0.0)]);
        series.lesions.push(lesion("NT", "bone", false));
        series.visits[0].measurements.push(m("NT", Some(8.0)));
        series.visits[1].measurements.push(m("NT", Some(0.0)));
        series.visits[2].measurements.push(m("NT", Some(3.0)));
        assert_eq!(codes(&series), vec!["CR", "PD"]);
        series.visits[2].measurements[1] = m("NT", Some(0.0));
        assert_eq!(codes(&series), vec!["CR", "CR"]);
        // A node back to 9 mm is normal, not disease; at 10 mm it is.
        let node = |size: f64| LesionSeries {
            lesions: vec![lesion("N", "node", true)],
            visits: [20.0, 8.0, size]
                .iter()
                .enumerate()
                .map(|(i, s)| ImagingVisit {
                    date: d("2024-01-01") + chrono::Days::new(42 * i as u64),
                    measurements: vec![m("N", Some(*s))],
                })
                .collect(),
        };
        assert_eq!(codes(&node(9.0)), vec!["CR", "CR"]);
        assert_eq!(codes(&node(10.0)), vec!["CR", "PD"]);
        // Without an earlier CR, a small lesion is still a PR from baseline.
        assert_eq!(codes(&one_target(&[Some(20.0), Some(4.0)])), vec!["PR"]);
    }
}
