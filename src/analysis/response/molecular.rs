//! ctDNA molecular response (Goldberg et al., Clin Cancer Res 2018;24:1872-1880): ≥ 50 % fall of mean VAF, clearance, molecular progression.

use super::{Assessment, Category, Criterion, EPS, num, signed_pct, sorted_by_date};
use chrono::NaiveDate;

/// Molecular response: mean VAF falls at least this fraction below baseline.
pub const RESPONSE_FALL: f64 = 0.50;

/// One liquid-biopsy sample summarised over the patient's tracked variants.
#[derive(Debug, Clone, PartialEq)]
pub struct CtdnaSample {
    /// Date of the blood draw.
    pub date: NaiveDate,
    /// Mean VAF over the tracked variants (undetected ones count as 0); `None` when
    /// no tracked variant was reported for this sample.
    pub mean_vaf: Option<f64>,
    /// Tracked variants detected.
    pub detected: usize,
    /// Tracked variants reported (detected or not).
    pub tracked: usize,
    /// The sample's limit of detection as a VAF (mean of 1 / depth over the tracked
    /// variants), for trends of a sample where nothing was detected.
    pub detection_limit: Option<f64>,
}

/// Assesses every sample after the first (the baseline).
///
/// Per sample: no tracked variant reported is NE; none detected is CR (clearance);
/// a detection after an earlier clearance (or an undetected baseline) is PD; a mean
/// VAF above baseline is PD; a fall of ≥ 50 % from baseline is PR (the reason says
/// "confirmed" when the previous evaluable sample was a response too); otherwise SD.
/// With nothing detected at baseline, only new detection (PD) can be called; other
/// samples are NE.
pub fn assess(samples: &[CtdnaSample]) -> Vec<Assessment> {
    let samples = sorted_by_date(samples, |s| s.date);
    let Some(baseline) = samples.first() else {
        return Vec::new();
    };
    let criterion = Criterion::Ctdna;
    let baseline_vaf = baseline
        .mean_vaf
        .filter(|v| *v > 0.0 && baseline.detected > 0);
    let mut cleared_on: Option<NaiveDate> = baseline_vaf.is_none().then_some(baseline.date);
    let mut previous_response = false;
    let mut out = Vec::new();
    for sample in &samples[1..] {
        let mut a = Assessment::new(
            sample.date,
            criterion,
            Category::NotEvaluable,
            String::new(),
        );
        let Some(vaf) = sample.mean_vaf.filter(|_| sample.tracked > 0) else {
            a.reason = "NE: no tracked variant reported for this sample".into();
            out.push(a);
            continue;
        };
        match baseline_vaf {
            Some(b) => a.set_numbers(vaf, b, b),
            None => a.value = Some(vaf),
        }
        let vaf_text = format!("mean VAF {} %", num(vaf * 100.0, 3));
        (a.category, a.reason) = if sample.detected == 0 && baseline_vaf.is_none() {
            (
                Category::NotEvaluable,
                "NE: no ctDNA detected at baseline nor now".into(),
            )
        } else if sample.detected == 0 {
            (
                Category::Complete,
                format!(
                    "CR: clearance, none of {} tracked variants detected",
                    sample.tracked
                ),
            )
        } else if let Some(date) = cleared_on {
            (
                Category::Progressive,
                format!(
                    "PD: {} of {} tracked variants detected again after none on {}",
                    sample.detected,
                    sample.tracked,
                    crate::model::date::format_date(date)
                ),
            )
        } else if let Some(b) = baseline_vaf {
            let from_baseline = format!(
                "{vaf_text} is {} from baseline {} %",
                signed_pct(a.change_from_baseline_pct),
                num(b * 100.0, 3)
            );
            if vaf > b + EPS * b {
                (Category::Progressive, format!("PD: {from_baseline}"))
            } else if vaf <= b * (1.0 - RESPONSE_FALL) + EPS * b {
                let confirmed = if previous_response { ", confirmed" } else { "" };
                (
                    Category::Partial,
                    format!("PR: {from_baseline} (fall of at least 50 %{confirmed})"),
                )
            } else {
                (Category::Stable, format!("SD: {from_baseline}"))
            }
        } else {
            (
                Category::NotEvaluable,
                "NE: no ctDNA detected at baseline".into(),
            )
        };
        if sample.detected == 0 {
            cleared_on = Some(sample.date);
        }
        previous_response = a.category.is_response();
        out.push(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::response::test_util::d;
    use crate::analysis::response::{ConfirmationRules, best_response};

    fn samples(values: &[(f64, usize)]) -> Vec<CtdnaSample> {
        values
            .iter()
            .enumerate()
            .map(|(i, (vaf, detected))| CtdnaSample {
                date: d("2024-01-01") + chrono::Days::new(28 * i as u64),
                mean_vaf: Some(*vaf),
                detected: *detected,
                tracked: 4,
                detection_limit: None,
            })
            .collect()
    }

    fn codes(values: &[(f64, usize)]) -> Vec<&'static str> {
        assess(&samples(values)).iter().map(|a| a.code()).collect()
    }

    #[test]
    fn molecular_response_is_a_fall_of_50_percent_from_baseline() {
        let table = [
            (0.05, "PR"),
            (0.0501, "SD"),
            (0.02, "PR"),
            (0.1, "SD"),
            (0.1001, "PD"),
        ];
        for (vaf, code) in table {
            assert_eq!(codes(&[(0.1, 4), (vaf, 4)]), vec![code], "{vaf}");
        }
    }

    #[test]
    fn clearance_is_no_tracked_variant_detected() {
        let a = assess(&samples(&[(0.1, 4), (0.0, 0)]));
        assert_eq!(a[0].code(), "CR");
        assert_eq!(
            a[0].reason,
            "CR: clearance, none of 4 tracked variants detected"
        );
    }

    #[test]
    fn new_detection_after_clearance_is_molecular_progression() {
        // Mean VAF still far below baseline, but detected again after clearance.
        assert_eq!(codes(&[(0.1, 4), (0.0, 0), (0.001, 1)]), vec!["CR", "PD"]);
    }

    #[test]
    fn rise_above_baseline_is_molecular_progression() {
        assert_eq!(codes(&[(0.1, 4), (0.04, 4), (0.12, 4)]), vec!["PR", "PD"]);
    }

    #[test]
    fn molecular_response_is_confirmed_at_the_next_sample() {
        let a = assess(&samples(&[(0.1, 4), (0.04, 4), (0.03, 4)]));
        assert!(!a[0].reason.contains("confirmed"), "{}", a[0].reason);
        assert!(a[1].reason.contains("confirmed"), "{}", a[1].reason);
        let best = |values: &[(f64, usize)]| {
            best_response(
                &assess(&samples(values)),
                d("2024-01-01"),
                ConfirmationRules::CTDNA,
            )
            .category
        };
        assert_eq!(best(&[(0.1, 4), (0.04, 4), (0.03, 4)]), Category::Partial);
        // Not confirmed: the next sample is SD.
        assert_eq!(
            best(&[(0.1, 4), (0.04, 4), (0.07, 4), (0.03, 4)]),
            Category::Stable
        );
        assert_eq!(best(&[(0.1, 4), (0.0, 0), (0.0, 0)]), Category::Complete);
    }

    #[test]
    fn undetected_baseline_allows_only_clearance_or_new_detection() {
        assert_eq!(codes(&[(0.0, 0), (0.0, 0), (0.01, 2)]), vec!["NE", "PD"]);
    }

    #[test]
    fn sample_without_tracked_variants_is_ne() {
        let mut s = samples(&[(0.1, 4), (0.05, 4)]);
        s[1].mean_vaf = None;
        s[1].tracked = 0;
        assert_eq!(assess(&s)[0].code(), "NE");
    }
}
