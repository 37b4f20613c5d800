//! EORTC PET response criteria (Young et al., Eur J Cancer 1999;35:1773-1782) on the SUVmax of the hottest lesion.

use super::percist::{PetSeries, assess_scans, hottest};
use super::{Assessment, Category, Criterion, EPS, num, signed_pct};

/// PMD: SUV rises more than this fraction from baseline.
pub const PMD_RISE: f64 = 0.25;
/// PMR after more than one cycle: SUV falls more than this fraction.
pub const PMR_FALL: f64 = 0.25;
/// PMR after one cycle: SUV falls at least this fraction.
pub const PMR_FALL_ONE_CYCLE: f64 = 0.15;

/// Assesses every follow-up PET scan by the EORTC 1999 criteria.
///
/// The measure is SUVmax (body weight) of the hottest lesion. Per scan: no lesion
/// row is NE (not measured); a new lesion is PMD; no lesion with uptake, or the hottest at or below the blood pool
/// (the liver mean when blood pool is not recorded), is CMR; a rise of > 25 % from
/// baseline is PMD; a fall of ≥ 15 % after one cycle (when `cycles` is 1) or > 25 %
/// otherwise is PMR; else SMD. The extent criterion (20 % growth of the longest
/// dimension of uptake) is not assessed.
pub fn assess(series: &PetSeries) -> Vec<Assessment> {
    assess_scans(series, Criterion::Eortc, |baseline, visit, a| {
        let Some((label0, s0)) = hottest(baseline, |l| l.suv_max).filter(|(_, v)| *v > 0.0) else {
            a.reason = "NE: no SUVmax at baseline".into();
            return;
        };
        let now = hottest(visit, |l| l.suv_max);
        let s = now.as_ref().map_or(0.0, |(_, v)| *v);
        a.set_numbers(s, s0, s0);
        let one_cycle = visit.cycles == Some(1);
        let change = format!(
            "hottest SUVmax {} is {} from baseline {} ({label0})",
            num(s, 2),
            signed_pct(a.change_from_baseline_pct),
            num(s0, 2)
        );
        let background = visit.blood_pool_suv.or(visit.liver_suv_mean);
        let fall = (s0 - s) / s0;
        (a.category, a.reason) = if now.is_none() {
            (Category::Complete, "CMR: no lesion with uptake".into())
        } else if background.is_some_and(|b| s <= b + EPS) {
            (
                Category::Complete,
                format!(
                    "CMR: hottest SUVmax {} is at or below background {}",
                    num(s, 2),
                    num(background.unwrap_or_default(), 2)
                ),
            )
        } else if s > s0 * (1.0 + PMD_RISE) + EPS {
            (Category::Progressive, format!("PMD: {change}"))
        } else if one_cycle && fall + EPS >= PMR_FALL_ONE_CYCLE {
            (
                Category::Partial,
                format!("PMR: {change} (at least 15 % after one cycle)"),
            )
        } else if fall > PMR_FALL + EPS {
            (Category::Partial, format!("PMR: {change}"))
        } else {
            (Category::Stable, format!("SMD: {change}"))
        };
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::response::percist::tests::{pet, series};

    fn code(s0: f64, s: f64, cycles: Option<u32>) -> &'static str {
        // pet() sets SUVmax = 1.2 x the given SUVpeak.
        let mut f = pet("2024-03-01", &[("A", s / 1.2, 1.0)]);
        f.cycles = cycles;
        f.liver_suv_mean = Some(0.5);
        let s = series(vec![pet("2024-01-01", &[("A", s0 / 1.2, 1.0)]), f]);
        assess(&s)[0].code()
    }

    #[test]
    fn eortc_pmd_is_a_rise_over_25_percent() {
        assert_eq!(code(10.0, 12.5, None), "SMD");
        assert_eq!(code(10.0, 12.6, None), "PMD");
    }

    #[test]
    fn eortc_pmr_is_a_fall_over_25_percent_or_15_percent_after_one_cycle() {
        let table = [
            (7.5, None, "SMD"),
            (7.4, None, "PMR"),
            (8.5, Some(1), "PMR"),
            (8.6, Some(1), "SMD"),
            (8.5, Some(3), "SMD"),
        ];
        for (s, cycles, expected) in table {
            assert_eq!(code(10.0, s, cycles), expected, "{s} {cycles:?}");
        }
    }

    #[test]
    fn eortc_cmr_when_uptake_reaches_background_and_new_lesion_is_pmd() {
        assert_eq!(code(10.0, 0.5, None), "CMR");
        let mut f = pet("2024-03-01", &[("A", 2.0, 1.0), ("B", 3.0, 1.0)]);
        let s = series(vec![pet("2024-01-01", &[("A", 8.0, 10.0)]), f.clone()]);
        assert_eq!(assess(&s)[0].code(), "PMD");
        // No lesion row at all: not measured, NE (not CMR).
        f.lesions.clear();
        let s = series(vec![pet("2024-01-01", &[("A", 8.0, 10.0)]), f]);
        assert_eq!(assess(&s)[0].code(), "NE");
    }
}
