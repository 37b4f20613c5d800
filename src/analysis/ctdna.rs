//! ctDNA per blood draw: callers merged per tracked variant, mean and max VAF (undetected left-censored at 0), detection limit, mutant molecules per mL, clearance.
//!
//! Pure functions: the store reads the rows ([`DrawCalls`]), [`merge_calls`] merges
//! the callers into one [`Observation`] per tracked variant, [`metrics`] computes, the
//! command line prints. Definitions (docs/methods.md): mean and max VAF over the
//! patient's tracked variants, an undetected tracked variant counting as alt = 0
//! (never dropped); mutant molecules per mL = mean VAF × cfDNA (ng/mL) × 303 haploid
//! genome equivalents per ng; clearance = an MRD-negative draw or, without an MRD
//! test, no tracked variant detected where every one had a known depth. The
//! molecular response category (Goldberg 2018) is judged in one place,
//! [`crate::analysis::response::molecular`], from the [`CtdnaSample`]s made here.

use crate::analysis::response::molecular::{CtdnaSample, Evidence};
use crate::model::MrdDecision;
use crate::model::liquid::{DrawCalls, StoredCall};
use chrono::NaiveDate;

/// Haploid human genome equivalents per ng of DNA (3.3 pg per haploid genome).
pub const GENOMES_PER_NG: f64 = 303.0;

/// One tracked variant in one draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Which variant: `GENE chrom:pos REF>ALT` (gene when known).
    pub variant: String,
    /// Detected by a caller, or alt reads counted in the BAM.
    pub detected: bool,
    /// Allele fraction when detected.
    pub vaf: Option<f64>,
    /// Depth at the locus, when known (the limit of an undetected variant).
    pub depth: Option<i64>,
    /// Alt reads of the row whose depth is [`Observation::depth`], when both are
    /// known (the counts pooled by the molecular progression test).
    pub alt_reads: Option<i64>,
}

impl Observation {
    /// Whether the depth at the locus is known and above 0 (a caller looked there
    /// with reads to see by).
    pub fn has_depth(&self) -> bool {
        self.depth.is_some_and(|d| d > 0)
    }
}

/// One blood draw with an observation per tracked variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Draw {
    /// Date of the draw.
    pub date: NaiveDate,
    /// cfDNA concentration in ng per mL of plasma, when measured.
    pub cfdna_ng_per_ml: Option<f64>,
    /// One per tracked variant of the patient.
    pub tracked: Vec<Observation>,
    /// The draw's tumour-informed MRD decision, when a test was made.
    pub mrd: Option<MrdDecision>,
}

/// Merges the callers of each tracked variant of each draw (the rule the response
/// criteria, `ctdna` and the UI share):
/// - detected if any row detected it;
/// - VAF the mean over the detecting rows of their VAF (alt / (ref + alt) when a
///   row gave none);
/// - depth the largest known, with the alt reads of that row;
/// - no row in a draw with a VCF: undetected at an unknown depth (the caller
///   looked and did not call it); no row in a draw with BAM counts only: not
///   looked at, left out;
/// - a draw left with no tracked variant is not listed.
pub fn merge_calls(draws: &[DrawCalls]) -> Vec<Draw> {
    draws
        .iter()
        .filter_map(|draw| {
            let tracked: Vec<Observation> = draw
                .variants
                .iter()
                .filter(|v| draw.vcf_looked || !v.calls.is_empty())
                .map(|v| merge_variant(&v.label, &v.calls))
                .collect();
            (!tracked.is_empty()).then_some(Draw {
                date: draw.date,
                cfdna_ng_per_ml: draw.cfdna_ng_per_ml,
                tracked,
                mrd: draw.mrd,
            })
        })
        .collect()
}

/// A caller's allele fraction as a measurement: `None` at a locus with depth 0. A
/// caller writes `AF=0` (or any AF) where it had no read to see by; listed beside
/// real 0s it would read as a measured absence (`calls`, the `calls` export).
pub fn measured_vaf(vaf: Option<f64>, depth: Option<i64>) -> Option<f64> {
    vaf.filter(|_| depth != Some(0))
}

/// What `calls` says in place of a VAF source at a locus without a read.
pub const NO_READS: &str = "no reads (depth 0): no VAF measured";

/// One tracked variant's rows merged ([`merge_calls`]).
pub fn merge_variant(label: &str, calls: &[StoredCall]) -> Observation {
    let vafs: Vec<f64> = calls
        .iter()
        .filter(|c| c.detected)
        .filter_map(|c| {
            c.vaf.or_else(|| {
                let (alt, reference) = (c.alt_reads?, c.ref_reads?);
                (alt + reference > 0).then(|| alt as f64 / (alt + reference) as f64)
            })
        })
        .collect();
    let deepest = calls
        .iter()
        .filter(|c| c.depth.is_some())
        .max_by_key(|c| (c.depth, c.alt_reads.is_some()));
    Observation {
        variant: label.to_string(),
        detected: calls.iter().any(|c| c.detected),
        vaf: (!vafs.is_empty()).then(|| vafs.iter().sum::<f64>() / vafs.len() as f64),
        depth: deepest.and_then(|c| c.depth),
        alt_reads: deepest.and_then(|c| c.alt_reads),
    }
}

/// The metrics of one draw.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawMetrics {
    /// Date of the draw.
    pub date: NaiveDate,
    /// Tracked variants.
    pub tracked: usize,
    /// Tracked variants detected.
    pub detected: usize,
    /// Mean VAF over the tracked variants (undetected = 0); `None` with none tracked.
    pub mean_vaf: Option<f64>,
    /// Highest VAF over the tracked variants.
    pub max_vaf: Option<f64>,
    /// Mutant molecules (haploid genome equivalents) per mL of plasma.
    pub mutant_molecules_per_ml: Option<f64>,
    /// Relative change of mean VAF from the first draw ((x − b) / b).
    pub change_from_baseline: Option<f64>,
    /// The draw's limit of detection as a VAF: mean of 1 / depth over the tracked
    /// variants whose depth is known.
    pub detection_limit: Option<f64>,
    /// Tracked variants whose depth is known (and above 0).
    pub with_depth: usize,
    /// Alt reads summed over the tracked variants whose alt reads and depth are known.
    pub pooled_alt_reads: Option<u64>,
    /// Depth summed over the same tracked variants.
    pub pooled_depth: Option<u64>,
    /// The draw's MRD decision, when a test was made.
    pub mrd: Option<MrdDecision>,
    /// Evidence of clearance: MRD-negative, or (without an MRD test) no tracked
    /// variant detected and every one at a known depth
    /// ([`CtdnaSample::evidence`]). A draw where nothing could be seen is not
    /// clearance.
    pub clearance: bool,
}

impl DrawMetrics {
    /// The draw as the molecular response criterion reads it.
    pub fn sample(&self) -> CtdnaSample {
        CtdnaSample {
            date: self.date,
            mean_vaf: self.mean_vaf,
            detected: self.detected,
            tracked: self.tracked,
            detection_limit: self.detection_limit,
            with_depth: self.with_depth,
            pooled_alt_reads: self.pooled_alt_reads,
            pooled_depth: self.pooled_depth,
            mrd: self.mrd,
        }
    }
}

/// Every draw as the molecular response criterion reads it ([`metrics`], then
/// [`DrawMetrics::sample`]).
pub fn samples(draws: &[Draw]) -> Vec<CtdnaSample> {
    metrics(draws).iter().map(DrawMetrics::sample).collect()
}

/// Mean and max VAF of a draw, undetected tracked variants counting as 0.
pub fn mean_and_max_vaf(draw: &Draw) -> (Option<f64>, Option<f64>) {
    if draw.tracked.is_empty() {
        return (None, None);
    }
    let values: Vec<f64> = draw
        .tracked
        .iter()
        .map(|o| {
            if o.detected {
                o.vaf.unwrap_or(0.0)
            } else {
                0.0
            }
        })
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let max = values.iter().copied().fold(0.0, f64::max);
    (Some(mean), Some(max))
}

/// Metrics of every draw, in the order given (date order expected).
pub fn metrics(draws: &[Draw]) -> Vec<DrawMetrics> {
    let means: Vec<Option<f64>> = draws.iter().map(|d| mean_and_max_vaf(d).0).collect();
    let baseline = means.first().copied().flatten();
    draws
        .iter()
        .map(|draw| {
            let (mean_vaf, max_vaf) = mean_and_max_vaf(draw);
            let detected = draw.tracked.iter().filter(|o| o.detected).count();
            let depths: Vec<f64> = draw
                .tracked
                .iter()
                .filter_map(|o| o.depth.filter(|d| *d > 0))
                .map(|d| 1.0 / d as f64)
                .collect();
            let detection_limit =
                (!depths.is_empty()).then(|| depths.iter().sum::<f64>() / depths.len() as f64);
            let counted: Vec<(u64, u64)> = draw
                .tracked
                .iter()
                .filter(|o| o.has_depth())
                .filter_map(|o| {
                    let alt = u64::try_from(o.alt_reads?).ok()?;
                    let depth = u64::try_from(o.depth?).ok()?;
                    Some((alt.min(depth), depth))
                })
                .collect();
            let pooled = (!counted.is_empty()).then(|| {
                counted.iter().fold((0u64, 0u64), |(a, d), (alt, depth)| {
                    (a.saturating_add(*alt), d.saturating_add(*depth))
                })
            });
            let mut m = DrawMetrics {
                date: draw.date,
                tracked: draw.tracked.len(),
                detected,
                mean_vaf,
                max_vaf,
                mutant_molecules_per_ml: mean_vaf
                    .zip(draw.cfdna_ng_per_ml)
                    .map(|(vaf, cfdna)| vaf * cfdna * GENOMES_PER_NG),
                change_from_baseline: baseline
                    .filter(|b| *b > 0.0)
                    .zip(mean_vaf)
                    .map(|(b, m)| (m - b) / b),
                detection_limit,
                with_depth: draw.tracked.iter().filter(|o| o.has_depth()).count(),
                pooled_alt_reads: pooled.map(|p| p.0),
                pooled_depth: pooled.map(|p| p.1),
                mrd: draw.mrd,
                clearance: false,
            };
            m.clearance = m.sample().evidence() == Evidence::Negative;
            m
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draw(day: u32, vafs: &[Option<f64>], cfdna: Option<f64>) -> Draw {
        Draw {
            date: NaiveDate::from_ymd_opt(2024, 1, day).unwrap(),
            cfdna_ng_per_ml: cfdna,
            tracked: vafs
                .iter()
                .enumerate()
                .map(|(i, v)| Observation {
                    variant: format!("1:{} A>C", i + 1),
                    detected: v.is_some(),
                    vaf: *v,
                    depth: Some(500),
                    alt_reads: Some(v.map_or(0, |v| (v * 500.0).round() as i64)),
                })
                .collect(),
            mrd: None,
        }
    }

    #[test]
    fn undetected_tracked_variants_count_as_zero_in_the_mean_never_dropped() {
        let (mean, max) = mean_and_max_vaf(&draw(1, &[Some(0.2), None, Some(0.1), None], None));
        assert!((mean.unwrap() - 0.075).abs() < 1e-15);
        assert_eq!(max, Some(0.2));
        assert_eq!(mean_and_max_vaf(&draw(1, &[], None)), (None, None));
    }

    #[test]
    fn mutant_molecules_per_ml_is_mean_vaf_times_cfdna_times_303() {
        let m = metrics(&[draw(1, &[Some(0.02), Some(0.04)], Some(10.0))]);
        assert!((m[0].mutant_molecules_per_ml.unwrap() - 0.03 * 10.0 * 303.0).abs() < 1e-9);
        assert_eq!(
            metrics(&[draw(1, &[Some(0.02)], None)])[0].mutant_molecules_per_ml,
            None
        );
    }

    #[test]
    fn detection_limit_is_the_mean_inverse_depth_of_tracked_variants() {
        let mut d = draw(1, &[Some(0.1), None], None);
        d.tracked[1].depth = Some(250);
        let m = &metrics(&[d])[0];
        assert!((m.detection_limit.unwrap() - (1.0 / 500.0 + 1.0 / 250.0) / 2.0).abs() < 1e-15);
        let sample = m.sample();
        assert_eq!((sample.detected, sample.tracked), (1, 2));
        assert_eq!(sample.mean_vaf, m.mean_vaf);
    }

    #[test]
    fn clearance_is_no_tracked_variant_detected_and_change_is_relative_to_baseline() {
        let m = metrics(&[
            draw(1, &[Some(0.1), Some(0.3)], None),
            draw(2, &[None, None], None),
        ]);
        assert!(!m[0].clearance);
        assert!(m[1].clearance);
        assert_eq!(m[1].change_from_baseline, Some(-1.0));
        assert_eq!(m[1].detected, 0);
        assert_eq!(m[1].tracked, 2);
    }

    #[test]
    fn clearance_needs_a_known_depth_at_every_tracked_variant_or_an_mrd_negative() {
        // (depths of the two undetected variants, MRD decision, clearance)
        let cases = [
            ([Some(500), Some(400)], None, true),
            ([Some(500), None], None, false),
            ([None, None], None, false),
            ([Some(500), Some(0)], None, false),
            ([None, None], Some(MrdDecision::Negative), true),
            (
                [Some(500), Some(400)],
                Some(MrdDecision::Undetermined),
                false,
            ),
            ([Some(500), Some(400)], Some(MrdDecision::Positive), false),
        ];
        for (depths, mrd, clearance) in cases {
            let mut d = draw(2, &[None, None], None);
            for (o, depth) in d.tracked.iter_mut().zip(depths) {
                o.depth = depth;
            }
            d.mrd = mrd;
            let m = &metrics(&[d])[0];
            assert_eq!(m.clearance, clearance, "{depths:?} {mrd:?}");
            assert_eq!(m.sample().mrd, mrd);
        }
    }

    #[test]
    fn pooled_counts_sum_the_variants_whose_alt_reads_and_depth_are_known() {
        let mut d = draw(1, &[Some(0.1), Some(0.2), None], None);
        d.tracked[2].depth = None;
        let m = &metrics(&[d])[0];
        assert_eq!(
            (m.pooled_alt_reads, m.pooled_depth),
            (Some(150), Some(1000))
        );
        assert_eq!(m.with_depth, 2);
        let mut d = draw(1, &[Some(0.1)], None);
        d.tracked[0].alt_reads = None;
        let m = &metrics(&[d])[0];
        assert_eq!((m.pooled_alt_reads, m.pooled_depth), (None, None));
    }

    fn row(
        caller: &str,
        detected: bool,
        vaf: Option<f64>,
        reads: (i64, i64),
        depth: Option<i64>,
    ) -> StoredCall {
        StoredCall {
            caller: caller.into(),
            detected,
            vaf,
            alt_reads: Some(reads.0),
            ref_reads: Some(reads.1),
            depth,
        }
    }

    #[test]
    fn callers_merge_detected_if_any_vaf_mean_of_the_detecting_depth_the_largest() {
        // Named rule, rows, then (detected, vaf, depth, alt reads).
        type Merged = (bool, Option<f64>, Option<i64>, Option<i64>);
        let cases: Vec<(&str, Vec<StoredCall>, Merged)> = vec![
            (
                "no row: not detected, nothing known",
                vec![],
                (false, None, None, None),
            ),
            (
                "one caller",
                vec![row("mutect2", true, Some(0.2), (20, 80), Some(100))],
                (true, Some(0.2), Some(100), Some(20)),
            ),
            (
                "mean VAF over the detecting callers only",
                vec![
                    row("mutect2", true, Some(0.2), (20, 80), Some(100)),
                    row("strelka2", true, Some(0.3), (30, 70), Some(100)),
                    row("varscan2", false, Some(0.0), (0, 300), Some(300)),
                ],
                (true, Some(0.25), Some(300), Some(0)),
            ),
            (
                "alt / (ref + alt) when a detecting row has no VAF",
                vec![row("bam", true, None, (10, 30), Some(40))],
                (true, Some(0.25), Some(40), Some(10)),
            ),
            (
                "undetected by all: no VAF, the largest depth",
                vec![
                    row("mutect2", false, Some(0.0), (0, 90), Some(90)),
                    row("bam", false, None, (0, 120), Some(120)),
                ],
                (false, None, Some(120), Some(0)),
            ),
        ];
        for (rule, rows, (detected, vaf, depth, alt)) in cases {
            let o = merge_variant("TP53 17:7577120 C>T", &rows);
            assert_eq!(
                (o.detected, o.depth, o.alt_reads),
                (detected, depth, alt),
                "{rule}"
            );
            match (o.vaf, vaf) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{rule}: {a} vs {b}"),
                (a, b) => assert_eq!(a, b, "{rule}"),
            }
        }
    }

    #[test]
    fn a_variant_without_rows_counts_only_where_a_vcf_looked() {
        use crate::model::liquid::TrackedVariantCalls;
        let variant = |label: &str, calls: Vec<StoredCall>| TrackedVariantCalls {
            label: label.into(),
            calls,
        };
        let draw = |day: u32, vcf_looked: bool, variants: Vec<TrackedVariantCalls>| DrawCalls {
            date: NaiveDate::from_ymd_opt(2024, 1, day).unwrap(),
            cfdna_ng_per_ml: None,
            vcf_looked,
            mrd: None,
            variants,
        };
        let seen = row("bam", true, None, (5, 95), Some(100));
        let draws = merge_calls(&[
            draw(
                1,
                true,
                vec![variant("a", vec![seen.clone()]), variant("b", vec![])],
            ),
            draw(
                2,
                false,
                vec![variant("a", vec![seen]), variant("b", vec![])],
            ),
            draw(3, false, vec![variant("a", vec![]), variant("b", vec![])]),
        ]);
        let listed: Vec<(u32, Vec<&str>)> = draws
            .iter()
            .map(|d| {
                (
                    chrono::Datelike::day(&d.date),
                    d.tracked.iter().map(|o| o.variant.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(listed, vec![(1, vec!["a", "b"]), (2, vec!["a"])]);
        assert_eq!(draws[0].tracked[1].depth, None);
    }
}
