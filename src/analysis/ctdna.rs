//! ctDNA metrics per blood draw: mean and max VAF over tracked variants (undetected left-censored at 0), mutant molecules per mL, molecular response and clearance.
//!
//! Pure functions: the store gathers [`Draw`]s, this module computes, the command
//! line prints. Definitions (DESIGN.md): mean and max VAF over the patient's tracked
//! variants, an undetected tracked variant counting as alt = 0 (never dropped);
//! mutant molecules per mL = mean VAF × cfDNA (ng/mL) × 303 haploid genome
//! equivalents per ng; molecular response = mean VAF ≥ 50 % below baseline
//! (Goldberg 2018) at a draw and at the next one (confirmation); clearance = no
//! tracked variant detected.

use chrono::NaiveDate;

/// Haploid human genome equivalents per ng of DNA (3.3 pg per haploid genome).
pub const GENOMES_PER_NG: f64 = 303.0;

/// Fall of mean VAF from baseline that counts as a molecular response.
pub const RESPONSE_FALL: f64 = 0.5;

/// One tracked variant in one draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
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

/// Molecular response status at a draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MolecularResponse {
    /// The first draw: the reference.
    Baseline,
    /// ≥ 50 % fall at this draw and the next.
    Confirmed,
    /// ≥ 50 % fall at this draw, no later draw yet to confirm it.
    Unconfirmed,
    /// Less than a 50 % fall, or not confirmed by the next draw.
    NotMet,
    /// Not assessable (no tracked variant, or a baseline mean VAF of 0).
    NotAssessable,
}

impl MolecularResponse {
    /// The status as printed (`confirmed`, `unconfirmed`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            MolecularResponse::Baseline => "baseline",
            MolecularResponse::Confirmed => "confirmed",
            MolecularResponse::Unconfirmed => "unconfirmed",
            MolecularResponse::NotMet => "not met",
            MolecularResponse::NotAssessable => "not assessable",
        }
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
    /// Molecular response status.
    pub response: MolecularResponse,
    /// No tracked variant detected (with at least one tracked).
    pub clearance: bool,
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
    let fell = |i: usize| -> Option<bool> {
        let base = baseline.filter(|b| *b > 0.0)?;
        let mean = means.get(i).copied().flatten()?;
        Some(mean <= base * (1.0 - RESPONSE_FALL))
    };
    draws
        .iter()
        .enumerate()
        .map(|(i, draw)| {
            let (mean_vaf, max_vaf) = mean_and_max_vaf(draw);
            let detected = draw.tracked.iter().filter(|o| o.detected).count();
            let response = if i == 0 {
                MolecularResponse::Baseline
            } else {
                match (fell(i), i + 1 < draws.len()) {
                    (None, _) => MolecularResponse::NotAssessable,
                    (Some(false), _) => MolecularResponse::NotMet,
                    (Some(true), false) => MolecularResponse::Unconfirmed,
                    (Some(true), true) => match fell(i + 1) {
                        Some(true) => MolecularResponse::Confirmed,
                        _ => MolecularResponse::NotMet,
                    },
                }
            };
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
                response,
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
                .map(|v| Observation {
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
    fn molecular_response_needs_a_50_percent_fall_confirmed_at_the_next_draw() {
        use MolecularResponse::*;
        let cases: [(&[f64], &[MolecularResponse]); 5] = [
            (&[0.2, 0.1, 0.08], &[Baseline, Confirmed, Unconfirmed]),
            (&[0.2, 0.1, 0.15], &[Baseline, NotMet, NotMet]),
            (&[0.2, 0.11, 0.05], &[Baseline, NotMet, Unconfirmed]),
            (&[0.2, 0.3], &[Baseline, NotMet]),
            (&[0.0, 0.0], &[Baseline, NotAssessable]),
        ];
        for (means, want) in cases {
            let draws: Vec<Draw> = means
                .iter()
                .enumerate()
                .map(|(i, m)| draw(i as u32 + 1, &[Some(*m)], None))
                .collect();
            let got: Vec<_> = metrics(&draws).iter().map(|m| m.response).collect();
            assert_eq!(got, want, "{means:?}");
        }
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
