//! Choi criteria (Choi et al., J Clin Oncol 2007;25:1753-1759) and modified Choi: CT response by size or density.
//!
//! Uses the RECIST 1.1 target lesions and sum of diameters; density is the mean of
//! the targets' mean attenuation (HU).

use super::recist::{LesionSeries, target_sums};
use super::{Assessment, Category, Criterion, EPS, num, signed_pct};

/// PR: the size sum falls at least this fraction below baseline ...
pub const SIZE_FALL: f64 = 0.10;
/// ... or (modified Choi: and) the mean HU falls at least this fraction.
pub const HU_FALL: f64 = 0.15;
/// PD: the size sum rises at least this fraction over the nadir (without a density response).
pub const SIZE_RISE: f64 = 0.10;

/// Which variant of the criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Choi 2007: PR when size **or** density falls.
    Original,
    /// Modified Choi: PR only when size **and** density fall.
    Modified,
}

/// Assesses every follow-up scan by Choi or modified Choi.
///
/// Per scan: a new lesion is PD; every lesion gone is CR; a size sum ≥ 10 % over
/// the nadir (smallest earlier sum, baseline included) without a ≥ 15 % fall of
/// mean HU from baseline is PD; a ≥ 10 % size fall from baseline or (modified:
/// and) a ≥ 15 % HU fall is PR; otherwise SD. A target not measured is NE. When
/// mean HU is not known for every target (or the baseline mean HU is ≤ 0, where
/// a relative change means nothing) the density criterion is not met, and the
/// assessment says so in its flags.
pub fn assess(series: &LesionSeries, variant: Variant) -> Vec<Assessment> {
    let criterion = match variant {
        Variant::Original => Criterion::Choi,
        Variant::Modified => Criterion::ModifiedChoi,
    };
    let Some((selection, sums)) = target_sums(series) else {
        return Vec::new();
    };
    let baseline_sum = sums[0].sum().filter(|_| !selection.targets.is_empty());
    let baseline_hu = sums[0].mean_hu;
    let mut nadir = baseline_sum;
    let mut out = Vec::new();
    for visit in &sums[1..] {
        let mut a = Assessment::new(visit.date, criterion, Category::NotEvaluable, String::new());
        let new_lesion = (!visit.new_lesions.is_empty())
            .then(|| format!("PD: new lesion {}", visit.new_lesions.join(", ")));
        let (Some(baseline), Some(low), Some(sum)) = (baseline_sum, nadir, visit.sum()) else {
            (a.category, a.reason) = match (new_lesion, baseline_sum) {
                (Some(reason), _) => (Category::Progressive, reason),
                (None, None) => (
                    Category::NotEvaluable,
                    "NE: no measurable target lesion at baseline".into(),
                ),
                (None, Some(_)) => (
                    Category::NotEvaluable,
                    format!("NE: target {} not measured", visit.missing.join(", ")),
                ),
            };
            out.push(a);
            continue;
        };
        a.set_numbers(sum, baseline, low);
        let hu_change = match (visit.mean_hu, baseline_hu) {
            (Some(hu), Some(hu0)) if hu0 > 0.0 => Some((hu - hu0) / hu0),
            _ => {
                a.flags.push(
                    "mean HU not known for every target: density criterion not applied".into(),
                );
                None
            }
        };
        a.secondary_change_pct = hu_change.map(|c| c * 100.0);
        let size_fall = sum <= baseline * (1.0 - SIZE_FALL) + EPS;
        let hu_fall = hu_change.is_some_and(|c| c <= -HU_FALL + EPS);
        let size_rise = sum + EPS >= low * (1.0 + SIZE_RISE) && sum > low;
        let density = match (visit.mean_hu, baseline_hu) {
            (Some(hu), Some(hu0)) => format!(
                "mean HU {} is {} from baseline {}",
                num(hu, 0),
                signed_pct(a.secondary_change_pct),
                num(hu0, 0)
            ),
            _ => "mean HU unknown".into(),
        };
        let size = format!(
            "sum {} mm is {} from baseline {} mm",
            num(sum, 2),
            signed_pct(a.change_from_baseline_pct),
            num(baseline, 2)
        );
        (a.category, a.reason) = if let Some(reason) = new_lesion {
            (Category::Progressive, format!("{reason} ({size})"))
        } else if visit.targets_gone && visit.non_targets_gone == Some(true) {
            (Category::Complete, "CR: every lesion gone".into())
        } else if size_rise && !hu_fall {
            (
                Category::Progressive,
                format!(
                    "PD: sum {} mm is {} over nadir {} mm without a 15 % density fall ({density})",
                    num(sum, 2),
                    signed_pct(a.change_from_nadir_pct),
                    num(low, 2)
                ),
            )
        } else if match variant {
            Variant::Original => size_fall || hu_fall,
            Variant::Modified => size_fall && hu_fall,
        } {
            (Category::Partial, format!("PR: {size}; {density}"))
        } else {
            (Category::Stable, format!("SD: {size}; {density}"))
        };
        nadir = Some(low.min(sum));
        out.push(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::response::recist::tests::{lesion, m, new_lesion};
    use crate::analysis::response::recist::{ImagingVisit, Measurement};
    use crate::analysis::response::test_util::d;

    /// Baseline 60 mm at 50 HU; follow-up with the given size and HU.
    fn scan(sizes_hu: &[(f64, Option<f64>)]) -> LesionSeries {
        LesionSeries {
            lesions: vec![lesion("A", "thigh", false)],
            visits: sizes_hu
                .iter()
                .enumerate()
                .map(|(i, (size, hu))| ImagingVisit {
                    date: d("2024-01-01") + chrono::Days::new(56 * i as u64),
                    measurements: vec![Measurement {
                        mean_hu: *hu,
                        ..m("A", Some(*size))
                    }],
                })
                .collect(),
        }
    }

    fn codes(series: &LesionSeries, variant: Variant) -> Vec<&'static str> {
        assess(series, variant).iter().map(|a| a.code()).collect()
    }

    #[test]
    fn choi_pr_by_size_fall_of_10_percent_or_hu_fall_of_15_percent() {
        // (follow-up size, HU, Choi, modified Choi)
        let table = [
            (54.0, 50.0, "PR", "SD"),
            (54.1, 50.0, "SD", "SD"),
            (60.0, 42.5, "PR", "SD"),
            (60.0, 42.6, "SD", "SD"),
            (54.0, 42.5, "PR", "PR"),
        ];
        for (size, hu, choi, modified) in table {
            let series = scan(&[(60.0, Some(50.0)), (size, Some(hu))]);
            assert_eq!(codes(&series, Variant::Original), vec![choi], "{size} {hu}");
            assert_eq!(
                codes(&series, Variant::Modified),
                vec![modified],
                "{size} {hu}"
            );
        }
    }

    #[test]
    fn choi_pd_needs_size_rise_of_10_percent_without_density_response() {
        let table = [
            (66.0, 50.0, "PD"),
            (65.9, 50.0, "SD"),
            // Bigger but necrotic: density response prevents PD (and is PR).
            (66.0, 40.0, "PR"),
        ];
        for (size, hu, code) in table {
            let series = scan(&[(60.0, Some(50.0)), (size, Some(hu))]);
            assert_eq!(codes(&series, Variant::Original), vec![code], "{size} {hu}");
        }
        // Over the nadir, not the baseline.
        let series = scan(&[(60.0, Some(50.0)), (50.0, Some(50.0)), (55.0, Some(50.0))]);
        assert_eq!(codes(&series, Variant::Original), vec!["PR", "PD"]);
    }

    #[test]
    fn choi_new_lesion_is_pd_and_missing_target_is_ne() {
        let mut series = scan(&[(60.0, Some(50.0)), (40.0, Some(30.0))]);
        series.visits[1].measurements.push(new_lesion("N1"));
        assert_eq!(codes(&series, Variant::Original), vec!["PD"]);
        let series = LesionSeries {
            visits: vec![
                scan(&[(60.0, None)]).visits[0].clone(),
                ImagingVisit {
                    date: d("2024-03-01"),
                    measurements: vec![m("A", None)],
                },
            ],
            ..scan(&[])
        };
        assert_eq!(codes(&series, Variant::Original), vec!["NE"]);
    }

    #[test]
    fn choi_without_hu_uses_size_only_and_flags_it() {
        let series = scan(&[(60.0, None), (60.0, None)]);
        let a = assess(&series, Variant::Original);
        assert_eq!(a[0].code(), "SD");
        assert_eq!(a[0].flags.len(), 1);
    }

    #[test]
    fn choi_cr_when_every_lesion_gone() {
        let series = scan(&[(60.0, Some(50.0)), (0.0, None)]);
        assert_eq!(codes(&series, Variant::Original), vec!["CR"]);
    }
}
