//! ctDNA molecular response (Goldberg et al., Clin Cancer Res 2018;24:1872-1880): ≥ 50 % fall of mean VAF, clearance with evidence, progression by reappearance or a significant rise from nadir.
//!
//! Every draw first says what it shows ([`CtdnaSample::evidence`]): ctDNA present,
//! evidence of absence (an MRD-negative test, or every tracked variant looked at
//! with a known depth and none detected), or nothing evaluable. Only evidence of
//! absence is clearance; a draw where nothing could be seen is NE. The thresholds
//! are [`Rules`] (flags of `response` and `ctdna`); docs/methods.md gives the
//! definitions and their sources.

mod fisher;

use super::{
    Assessment, Category, Criterion, EPS, PCT_THRESHOLDS, decimals_against, num,
    signed_pct_against, sorted_by_date,
};
use crate::model::MrdDecision;
use chrono::NaiveDate;

pub use fisher::greater as fisher_greater;

/// Molecular response: mean VAF falls at least this fraction below baseline.
pub const RESPONSE_FALL: f64 = 0.50;

/// Molecular progression: mean VAF rises at least this fraction above the nadir
/// (and significantly, [`PROGRESSION_ALPHA`]).
pub const PROGRESSION_RISE: f64 = 0.50;

/// Molecular progression: the rise must be significant at this level (one-sided
/// Fisher exact test on the pooled reads of the draw and the nadir).
pub const PROGRESSION_ALPHA: f64 = 0.05;

/// The thresholds of the molecular response criterion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    /// Fall of mean VAF from baseline for a response (fraction, default 0.5).
    pub response_fall: f64,
    /// Rise of mean VAF from the nadir for progression (fraction, default 0.5).
    pub progression_rise: f64,
    /// Significance level of the rise (default 0.05).
    pub alpha: f64,
}

impl Rules {
    /// The percent changes near which a ctDNA number must not be rounded onto or
    /// across a threshold: every criterion's ([`PCT_THRESHOLDS`]) and these rules'
    /// fall and rise, which `--ctdna-fall` / `--ctdna-rise` may set anywhere (a -39.996 %
    /// fall printed "-40 %" beside SD under `--ctdna-fall 40` reads as a missed PR).
    pub fn pct_thresholds(&self) -> Vec<f64> {
        let mut all = PCT_THRESHOLDS.to_vec();
        all.push(self.response_fall * 100.0);
        all.push(self.progression_rise * 100.0);
        all
    }
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            response_fall: RESPONSE_FALL,
            progression_rise: PROGRESSION_RISE,
            alpha: PROGRESSION_ALPHA,
        }
    }
}

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
    /// Tracked variants reported with a known depth (above 0).
    pub with_depth: usize,
    /// Alt reads summed over the tracked variants whose alt reads and depth are known.
    pub pooled_alt_reads: Option<u64>,
    /// Depth summed over the same variants.
    pub pooled_depth: Option<u64>,
    /// The draw's tumour-informed MRD decision, when a test was made.
    pub mrd: Option<MrdDecision>,
}

/// What a draw shows of the tumour's ctDNA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// ctDNA present: MRD-positive, or a tracked variant detected.
    Positive,
    /// Evidence of absence: MRD-negative, or no tracked variant detected where
    /// every one was looked at with a known depth.
    Negative,
    /// Nothing can be said; the reason.
    NotEvaluable(String),
}

impl CtdnaSample {
    /// What the draw shows. An MRD decision rules when there is one: `negative` is
    /// evidence of absence, `positive` is presence, `undetermined` (too few
    /// informative reads) is never absence (presence only when a caller detected a
    /// tracked variant). Without an MRD test: a detected tracked variant is
    /// presence; none detected is absence only when every tracked variant has a
    /// known depth; a draw with no record or no depth at the tracked loci is not
    /// evaluable.
    pub fn evidence(&self) -> Evidence {
        match self.mrd {
            Some(MrdDecision::Negative) => return Evidence::Negative,
            Some(MrdDecision::Positive) => return Evidence::Positive,
            Some(MrdDecision::Undetermined) if self.detected == 0 => {
                return Evidence::NotEvaluable(
                    "MRD test undetermined (too few informative reads) and no tracked variant detected"
                        .into(),
                );
            }
            _ => {}
        }
        if self.tracked == 0 {
            Evidence::NotEvaluable("no tracked variant reported for this sample".into())
        } else if self.detected > 0 {
            Evidence::Positive
        } else if self.with_depth < self.tracked {
            Evidence::NotEvaluable(format!(
                "none of {} tracked variants detected, {} of them without a known depth: \
                 absence is not shown",
                self.tracked,
                self.tracked - self.with_depth
            ))
        } else {
            Evidence::Negative
        }
    }

    /// The pooled alt reads and depth, when both are known.
    fn pooled(&self) -> Option<(u64, u64)> {
        self.pooled_alt_reads.zip(self.pooled_depth)
    }
}

/// Assesses every sample after the first (the baseline) with the default [`Rules`].
pub fn assess(samples: &[CtdnaSample]) -> Vec<Assessment> {
    assess_with(samples, &Rules::default())
}

/// Assesses every sample after the first (the baseline).
///
/// Per sample (rules named as the tests name them):
/// - not evaluable ([`CtdnaSample::evidence`]) is NE, never clearance;
/// - evidence of absence is CR (clearance) after a positive baseline, NE after a
///   negative one;
/// - presence after an earlier absence (or a negative baseline) is PD
///   (reappearance);
/// - a mean VAF at least `progression_rise` above the nadir (the lowest mean VAF
///   of the positive draws so far, baseline included) is PD when the rise is also
///   significant (one-sided Fisher exact test on the pooled reads of the two draws,
///   p < `alpha`); a rise that is not significant, or whose reads are unknown, is SD
///   and says so; "+0 %" is never PD;
/// - a fall of at least `response_fall` from baseline is PR (the reason says
///   "confirmed" when the previous evaluable sample was a response too);
/// - otherwise SD. With a non-evaluable baseline only reappearance after a later
///   absence can be called.
pub fn assess_with(samples: &[CtdnaSample], rules: &Rules) -> Vec<Assessment> {
    let samples = sorted_by_date(samples, |s| s.date);
    let Some(baseline) = samples.first() else {
        return Vec::new();
    };
    let criterion = Criterion::Ctdna;
    let baseline_evidence = baseline.evidence();
    let baseline_vaf = baseline
        .mean_vaf
        .filter(|v| *v > 0.0 && baseline_evidence == Evidence::Positive);
    let mut cleared_on: Option<NaiveDate> =
        (baseline_evidence == Evidence::Negative).then_some(baseline.date);
    let mut nadir: Option<&CtdnaSample> = baseline_vaf.map(|_| baseline);
    let mut previous_response = false;
    let mut out = Vec::new();
    for sample in &samples[1..] {
        let mut a = Assessment::new(
            sample.date,
            criterion,
            Category::NotEvaluable,
            String::new(),
        );
        let evidence = sample.evidence();
        if let Evidence::NotEvaluable(why) = &evidence {
            a.reason = format!("NE: {why}");
            out.push(a);
            continue;
        }
        let vaf = sample.mean_vaf;
        match (vaf, baseline_vaf, nadir.and_then(|n| n.mean_vaf)) {
            (Some(v), Some(b), Some(n)) => a.set_numbers(v, b, n),
            (v, _, _) => a.value = v,
        }
        let negative = evidence == Evidence::Negative;
        let mrd = sample.mrd.map_or(String::new(), |d| format!(" (MRD {d})"));
        (a.category, a.reason) = match evidence {
            Evidence::Negative if baseline_vaf.is_none() => (
                Category::NotEvaluable,
                format!("NE: no ctDNA detected at baseline nor now{mrd}"),
            ),
            Evidence::Negative => (
                Category::Complete,
                if sample.mrd == Some(MrdDecision::Negative) {
                    "CR: clearance, MRD-negative".to_string()
                } else {
                    format!(
                        "CR: clearance, none of {} tracked variants detected at a known depth",
                        sample.tracked
                    )
                },
            ),
            _ => match (cleared_on, baseline_vaf, vaf) {
                (Some(date), _, _) => (
                    Category::Progressive,
                    format!(
                        "PD: reappearance, {} of {} tracked variants detected again{mrd} after none on {}",
                        sample.detected,
                        sample.tracked,
                        crate::model::date::format_date(date)
                    ),
                ),
                (None, Some(b), Some(v)) => {
                    let reference = nadir.unwrap_or(baseline);
                    let decision = compare(sample, v, b, reference, rules, previous_response);
                    if reference.mean_vaf.is_some_and(|n| v < n) {
                        nadir = Some(sample);
                    }
                    decision
                }
                (None, Some(_), None) => (
                    Category::NotEvaluable,
                    format!("NE: ctDNA present{mrd} but no tracked VAF to compare"),
                ),
                (None, None, _) => (
                    Category::NotEvaluable,
                    "NE: no evaluable ctDNA at baseline".into(),
                ),
            },
        };
        if negative {
            cleared_on = Some(sample.date);
        }
        previous_response = a.category.is_response();
        out.push(a);
    }
    out
}

/// PD, PR or SD of a positive draw with mean VAF `vaf` against baseline `b` and
/// the nadir draw `reference`.
fn compare(
    sample: &CtdnaSample,
    vaf: f64,
    b: f64,
    reference: &CtdnaSample,
    rules: &Rules,
    previous_response: bool,
) -> (Category, String) {
    let n = reference.mean_vaf.unwrap_or(b);
    let thresholds = rules.pct_thresholds();
    let pct = |x: f64, of: f64| signed_pct_against(super::percent_change(x, of), &thresholds);
    let vaf_text = format!("mean VAF {} %", vaf_pct(vaf));
    let nadir_text = format!(
        "nadir {} % on {}",
        vaf_pct(n),
        crate::model::date::format_date(reference.date)
    );
    let from_baseline = format!(
        "{vaf_text} is {} from baseline {} %",
        pct(vaf, b),
        vaf_pct(b)
    );
    let rise = if n > 0.0 { (vaf - n) / n } else { 0.0 };
    if rise > EPS && rise + EPS >= rules.progression_rise {
        let rise_text = format!("{vaf_text} is {} from {nadir_text}", pct(vaf, n));
        let test = sample
            .pooled()
            .zip(reference.pooled())
            .and_then(|((a1, d1), (a2, d2))| {
                fisher::greater(a1, d1, a2, d2).map(|p| (p, a1, d1, a2, d2))
            });
        return match test {
            Some((p, a1, d1, a2, d2)) if p < rules.alpha => (
                Category::Progressive,
                format!(
                    "PD: {rise_text}, significant ({a1}/{d1} against {a2}/{d2} reads, one-sided Fisher {})",
                    p_against(p, rules.alpha)
                ),
            ),
            Some((p, a1, d1, a2, d2)) => (
                Category::Stable,
                format!(
                    "SD: {rise_text}, not significant ({a1}/{d1} against {a2}/{d2} reads, one-sided Fisher {})",
                    p_against(p, rules.alpha)
                ),
            ),
            None => (
                Category::Stable,
                format!("SD: {rise_text}; read counts unknown, the rise cannot be tested"),
            ),
        };
    }
    if vaf <= b * (1.0 - rules.response_fall) + EPS * b {
        let confirmed = if previous_response { ", confirmed" } else { "" };
        (
            Category::Partial,
            format!(
                "PR: {from_baseline} (fall of at least {} %{confirmed})",
                num(rules.response_fall * 100.0, 1)
            ),
        )
    } else {
        (Category::Stable, format!("SD: {from_baseline}"))
    }
}

/// A VAF (a fraction) as a percentage for reasons: 3 decimals, or 2 significant digits
/// when smaller, so that a detected 0.0004 % (4 reads in a million) is not "0 %".
fn vaf_pct(vaf: f64) -> String {
    let pct = vaf * 100.0;
    let decimals = if pct > 0.0 && pct < 0.01 {
        (1 - pct.log10().floor() as i64).clamp(3, 12) as usize
    } else {
        3
    };
    num(pct, decimals)
}

/// [`p_text`] with as many decimals as keep `p` on its side of the significance level
/// `alpha`: a p of 0.04996 under α = 0.05 is "p = 0.04996" beside "significant", not
/// "p = 0.05".
fn p_against(p: f64, alpha: f64) -> String {
    if p < 1e-4 {
        p_text(p)
    } else {
        format!("p = {}", num(p, decimals_against(p, 4, &[alpha])))
    }
}

/// A p-value for reasons: 3 significant digits; one too small for a double (it
/// underflows to 0) reads "< 1e-300", never "0".
fn p_text(p: f64) -> String {
    if p < 1e-300 {
        "p < 1e-300".to_string()
    } else if p < 1e-4 {
        format!("p = {p:.2e}")
    } else {
        format!("p = {}", num(p, 4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_detected_vaf_is_not_printed_as_0_percent() {
        assert_eq!(vaf_pct(0.000_004), "0.0004");
        assert_eq!(vaf_pct(0.000_04), "0.004");
        assert_eq!(vaf_pct(0.001_675), "0.168");
        assert_eq!(vaf_pct(0.0923), "9.23");
        assert_eq!(vaf_pct(0.0), "0");
    }

    #[test]
    fn a_p_value_that_underflows_never_reads_zero() {
        assert_eq!(p_text(0.0), "p < 1e-300");
        assert_eq!(p_text(9.72e-19), "p = 9.72e-19");
        assert_eq!(p_text(0.034), "p = 0.034");
    }

    #[test]
    fn a_p_value_just_under_the_chosen_alpha_is_not_printed_as_alpha() {
        // "significant ... p = 0.05" would contradict p < α = 0.05.
        assert_eq!(p_against(0.049_96, 0.05), "p = 0.04996");
        assert_eq!(p_against(0.099_97, 0.1), "p = 0.09997");
        assert_eq!(p_against(0.034, 0.05), "p = 0.034");
        assert_eq!(p_against(2.5e-7, 0.05), "p = 2.50e-7");
        // A user's fall and rise are thresholds of their own.
        let rules = Rules {
            response_fall: 0.4,
            progression_rise: 0.3,
            alpha: 0.05,
        };
        let t = rules.pct_thresholds();
        assert!(t.contains(&40.0) && t.contains(&30.0) && t.contains(&50.0));
    }
    use crate::analysis::response::test_util::d;
    use crate::analysis::response::{ConfirmationRules, best_response};

    /// Reads per tracked variant in the test samples (4 tracked: 2,000 pooled).
    const DEPTH: u64 = 500;

    fn sample(i: usize, vaf: f64, detected: usize) -> CtdnaSample {
        let pooled_depth = DEPTH * 4;
        CtdnaSample {
            date: d("2024-01-01") + chrono::Days::new(28 * i as u64),
            mean_vaf: Some(vaf),
            detected,
            tracked: 4,
            detection_limit: Some(1.0 / DEPTH as f64),
            with_depth: 4,
            pooled_alt_reads: Some((vaf * pooled_depth as f64).round() as u64),
            pooled_depth: Some(pooled_depth),
            mrd: None,
        }
    }

    fn samples(values: &[(f64, usize)]) -> Vec<CtdnaSample> {
        values
            .iter()
            .enumerate()
            .map(|(i, (vaf, detected))| sample(i, *vaf, *detected))
            .collect()
    }

    fn codes(values: &[(f64, usize)]) -> Vec<&'static str> {
        assess(&samples(values)).iter().map(|a| a.code()).collect()
    }

    #[test]
    fn molecular_response_is_a_fall_of_50_percent_from_baseline() {
        // 0.1001 was PD while any rise was progression; a +0.1 % rise is SD now.
        let table = [
            (0.05, "PR"),
            (0.0501, "SD"),
            (0.02, "PR"),
            (0.1, "SD"),
            (0.1001, "SD"),
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
            "CR: clearance, none of 4 tracked variants detected at a known depth"
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

    /// A follow-up sample after a positive baseline of mean VAF 0.1 (4 tracked,
    /// 2,000 pooled reads), changed by `edit`; its code and the reason's start.
    fn after_baseline(edit: impl FnOnce(&mut CtdnaSample)) -> (&'static str, String) {
        let mut s = samples(&[(0.1, 4), (0.0, 0)]);
        edit(&mut s[1]);
        let a = assess(&s);
        (a[0].code(), a[0].reason.clone())
    }

    #[test]
    fn clearance_needs_evidence_of_absence() {
        // (rule, edit of a draw with nothing detected, expected code)
        type Edit = fn(&mut CtdnaSample);
        let table: [(&str, Edit, &str); 7] = [
            (
                "every tracked variant undetected at a known depth: CR",
                |_| {},
                "CR",
            ),
            (
                "no depth at one tracked locus: NE, not clearance",
                |s| s.with_depth = 3,
                "NE",
            ),
            (
                "an empty VCF (no depth anywhere): NE, not clearance",
                |s| {
                    s.with_depth = 0;
                    s.pooled_alt_reads = None;
                    s.pooled_depth = None;
                    s.detection_limit = None;
                },
                "NE",
            ),
            ("no tracked variant reported: NE", |s| s.tracked = 0, "NE"),
            (
                "MRD-negative is clearance even with no depth known",
                |s| {
                    s.with_depth = 0;
                    s.mrd = Some(MrdDecision::Negative);
                },
                "CR",
            ),
            (
                "MRD undetermined and nothing detected: NE",
                |s| s.mrd = Some(MrdDecision::Undetermined),
                "NE",
            ),
            (
                "MRD-positive with nothing called is presence (a fall: PR), not clearance",
                |s| s.mrd = Some(MrdDecision::Positive),
                "PR",
            ),
        ];
        for (rule, edit, code) in table {
            let (got, reason) = after_baseline(edit);
            assert_eq!(got, code, "{rule}: {reason}");
        }
        let (_, reason) = after_baseline(|s| s.with_depth = 3);
        assert_eq!(
            reason,
            "NE: none of 4 tracked variants detected, 1 of them without a known depth: absence is not shown"
        );
        assert_eq!(
            after_baseline(|s| s.mrd = Some(MrdDecision::Negative)).1,
            "CR: clearance, MRD-negative"
        );
    }

    #[test]
    fn mrd_decisions_drive_clearance_and_reappearance() {
        let with_mrd = |values: &[(f64, usize, Option<MrdDecision>)]| -> Vec<&'static str> {
            let s: Vec<CtdnaSample> = values
                .iter()
                .enumerate()
                .map(|(i, (vaf, detected, mrd))| CtdnaSample {
                    mrd: *mrd,
                    ..sample(i, *vaf, *detected)
                })
                .collect();
            assess(&s).iter().map(|a| a.code()).collect()
        };
        use MrdDecision::{Negative, Positive, Undetermined};
        // (rule, draws (mean VAF, detected, MRD), codes)
        type Draws = Vec<(f64, usize, Option<MrdDecision>)>;
        let table: Vec<(&str, Draws, Vec<&str>)> = vec![
            (
                "MRD-negative, then MRD-positive: reappearance is PD",
                vec![
                    (0.1, 4, None),
                    (0.0, 0, Some(Negative)),
                    (0.0, 0, Some(Positive)),
                ],
                vec!["CR", "PD"],
            ),
            (
                "undetermined after clearance is NE, and does not end it",
                vec![
                    (0.1, 4, None),
                    (0.0, 0, Some(Negative)),
                    (0.0, 0, Some(Undetermined)),
                    (0.002, 1, None),
                ],
                vec!["CR", "NE", "PD"],
            ),
            (
                "undetermined with a detected variant is presence",
                vec![(0.1, 4, None), (0.09, 3, Some(Undetermined))],
                vec!["SD"],
            ),
            (
                "MRD-negative baseline, then positive: PD",
                vec![(0.0, 0, Some(Negative)), (0.001, 1, Some(Positive))],
                vec!["PD"],
            ),
            (
                "MRD-negative overrides a caller's detection",
                vec![(0.1, 4, None), (0.001, 1, Some(Negative))],
                vec!["CR"],
            ),
        ];
        for (rule, draws, expected) in table {
            assert_eq!(with_mrd(&draws), expected, "{rule}");
        }
    }

    #[test]
    fn progression_is_a_significant_rise_of_half_the_nadir() {
        // (rule, mean VAFs from baseline 0.1 on, pooled depth per draw, last code)
        let table: [(&str, &[f64], u64, &str); 6] = [
            ("+0 % is never PD", &[0.1, 0.1], 2000, "SD"),
            ("+40 % is below the 50 % rise", &[0.1, 0.14], 2000, "SD"),
            (
                "+60 % at 2,000 reads is significant: PD",
                &[0.1, 0.16],
                2000,
                "PD",
            ),
            (
                "+60 % at 100 reads is not significant: SD",
                &[0.1, 0.16],
                100,
                "SD",
            ),
            (
                "the rise is from the nadir, not the baseline",
                &[0.1, 0.02, 0.05],
                2000,
                "PD",
            ),
            (
                "back to baseline from a nadir of 0.06 is +67 %, tested on reads",
                &[0.1, 0.06, 0.1],
                2000,
                "PD",
            ),
        ];
        for (rule, vafs, depth, code) in table {
            let s: Vec<CtdnaSample> = vafs
                .iter()
                .enumerate()
                .map(|(i, v)| CtdnaSample {
                    pooled_alt_reads: Some((v * depth as f64).round() as u64),
                    pooled_depth: Some(depth),
                    ..sample(i, *v, 4)
                })
                .collect();
            let a = assess(&s);
            let last = a.last().unwrap();
            assert_eq!(last.code(), code, "{rule}: {}", last.reason);
        }
        let s = samples(&[(0.1, 4), (0.16, 4)]);
        let reason = &assess(&s)[0].reason;
        assert!(
            reason.starts_with("PD: mean VAF 16 % is +60 % from nadir 10 % on 2024-01-01, significant (320/2000 against 200/2000 reads, one-sided Fisher p = "),
            "{reason}"
        );
        let mut s = samples(&[(0.1, 4), (0.16, 4)]);
        s[1].pooled_alt_reads = None;
        assert_eq!(
            assess(&s)[0].reason,
            "SD: mean VAF 16 % is +60 % from nadir 10 % on 2024-01-01; read counts unknown, the rise cannot be tested"
        );
    }

    #[test]
    fn thresholds_are_rules() {
        let s = samples(&[(0.1, 4), (0.13, 4), (0.06, 4)]);
        let codes = |rules: Rules| -> Vec<&'static str> {
            assess_with(&s, &rules).iter().map(|a| a.code()).collect()
        };
        assert_eq!(codes(Rules::default()), vec!["SD", "SD"]);
        let strict = Rules {
            progression_rise: 0.25,
            response_fall: 0.4,
            alpha: 0.05,
        };
        assert_eq!(codes(strict), vec!["PD", "PR"]);
        let no_significance = Rules {
            alpha: 1e-12,
            ..strict
        };
        assert_eq!(codes(no_significance)[0], "SD");
    }
}
