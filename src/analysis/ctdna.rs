//! ctDNA metrics per blood draw: mean and max VAF over tracked variants (undetected left-censored at 0), detection limit, mutant molecules per mL, clearance.
//!
//! Pure functions: the store gathers [`Draw`]s, this module computes, the command
//! line prints. Definitions (DESIGN.md): mean and max VAF over the patient's tracked
//! variants, an undetected tracked variant counting as alt = 0 (never dropped);
//! mutant molecules per mL = mean VAF × cfDNA (ng/mL) × 303 haploid genome
//! equivalents per ng; clearance = no tracked variant detected. The molecular
//! response category (Goldberg 2018) is judged in one place,
//! [`crate::analysis::response::molecular`], from the [`CtdnaSample`]s made here.

use crate::analysis::response::molecular::CtdnaSample;
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
    /// No tracked variant detected (with at least one tracked).
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
            DrawMetrics {
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
                clearance: !draw.tracked.is_empty() && detected == 0,
            }
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
                })
                .collect(),
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
}
