//! PERCIST 1.0 (Wahl et al., J Nucl Med 2009;50 Suppl 1:122S-150S): metabolic response on SULpeak of the hottest lesion, with lean body mass after Janmahasatian 2005.

use super::{
    Assessment, Category, Criterion, EPS, num, signed_num_against, signed_pct, sorted_by_date,
};
use crate::model::Sex;
pub use crate::model::assessment::{PetLesion, PetSeries, PetVisit};

/// PMR: SULpeak falls at least this fraction ...
pub const PMR_FALL: f64 = 0.30;
/// ... and at least this many SUL units.
pub const PMR_FALL_SUL: f64 = 0.8;
/// PMD: SULpeak rises more than this fraction ...
pub const PMD_RISE: f64 = 0.30;
/// ... and more than this many SUL units.
pub const PMD_RISE_SUL: f64 = 0.8;
/// PMD: total lesion glycolysis rises more than this fraction with no fall of SULpeak.
pub const PMD_TLG_RISE: f64 = 0.75;

/// Lean body mass (kg) by Janmahasatian et al. (Clin Pharmacokinet 2005;44:1051-1065):
/// men 9270·W / (6680 + 216·BMI), women 9270·W / (8780 + 244·BMI), BMI = W / H² (m).
/// `None` for unknown sex or non-positive inputs.
pub fn lean_body_mass_kg(weight_kg: f64, height_cm: f64, sex: Sex) -> Option<f64> {
    if !(weight_kg > 0.0 && height_cm > 0.0) {
        return None;
    }
    let bmi = weight_kg / (height_cm / 100.0).powi(2);
    let (a, b) = match sex {
        Sex::Male => (6680.0, 216.0),
        Sex::Female => (8780.0, 244.0),
        _ => return None,
    };
    Some(9270.0 * weight_kg / (a + b * bmi))
}

/// The factor turning SUV (body weight) into SUL (lean body mass): LBM / weight.
pub fn sul_factor(weight_kg: Option<f64>, height_cm: Option<f64>, sex: Option<Sex>) -> Option<f64> {
    let (w, h, s) = (weight_kg?, height_cm?, sex?);
    lean_body_mass_kg(w, h, s).map(|lbm| lbm / w)
}

/// PERCIST measurability floor: 1.5 × liver mean + 2 × liver SD (in the same units).
pub fn measurability_floor(liver_mean: f64, liver_sd: f64) -> f64 {
    1.5 * liver_mean + 2.0 * liver_sd
}

/// The hottest lesion's SUVpeak on a scan, with its label.
pub(crate) fn hottest(
    visit: &PetVisit,
    value: impl Fn(&PetLesion) -> Option<f64>,
) -> Option<(String, f64)> {
    visit
        .lesions
        .iter()
        .filter_map(|l| value(l).map(|v| (l.label.clone(), v)))
        .max_by(|a, b| a.1.total_cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
}

/// Lesions new on `visit`: marked new, or with uptake but absent from the baseline scan.
pub(crate) fn new_lesions(visit: &PetVisit, baseline: &PetVisit) -> Vec<String> {
    visit
        .lesions
        .iter()
        .filter(|l| l.is_new || !baseline.lesions.iter().any(|b| b.label == l.label))
        .map(|l| l.label.clone())
        .collect()
}

/// Runs `judge` on every follow-up PET scan after calling a new lesion PMD; shared
/// by PERCIST and EORTC. `judge` gets the baseline, the scan and the assessment to fill.
pub(crate) fn assess_scans(
    series: &PetSeries,
    criterion: Criterion,
    mut judge: impl FnMut(&PetVisit, &PetVisit, &mut Assessment),
) -> Vec<Assessment> {
    let visits = sorted_by_date(&series.visits, |v| v.date);
    let Some(baseline) = visits.first() else {
        return Vec::new();
    };
    visits[1..]
        .iter()
        .map(|visit| {
            let mut a =
                Assessment::new(visit.date, criterion, Category::NotEvaluable, String::new());
            let new = new_lesions(visit, baseline);
            if visit.lesions.is_empty() {
                // A scan with no lesion row measured nothing (another method or mask than
                // the course's): read as "no lesion with uptake" it became a CMR.
                a.reason = "NE: no lesion uptake stored for this scan by the course's \
                            segmentation method (ingest it with the baseline's method): \
                            not a metabolic response"
                    .into();
            } else if new.is_empty() {
                judge(baseline, visit, &mut a);
            } else {
                a.category = Category::Progressive;
                a.reason = format!("PMD: new FDG-avid lesion {}", new.join(", "));
            }
            a
        })
        .collect()
}

/// Assesses every follow-up PET scan by PERCIST 1.0.
///
/// SUL = SUV × LBM / weight when height, weight (at both scans) and sex are known;
/// otherwise SUV is used for both scans and the assessment is flagged. The baseline
/// is measurable when its hottest SULpeak is ≥ 1.5 × liver mean + 2 × liver SD
/// (flagged as unchecked when the liver reference is missing). Per scan: no lesion
/// row at all is NE (the scan was not measured by the course's method); a new
/// lesion is PMD; the hottest SULpeak ≤ the liver mean (and ≤ blood pool, when
/// known) is CMR; a rise of > 30 % and > 0.8 SUL from baseline, or TLG > 75 % above
/// baseline with no fall of SULpeak, is PMD; a fall of ≥ 30 % and ≥ 0.8 SUL is PMR;
/// otherwise SMD. An unmeasurable baseline makes every scan NE except PMD by new lesion.
pub fn assess(series: &PetSeries) -> Vec<Assessment> {
    assess_scans(series, Criterion::Percist, |baseline, visit, a| {
        let factors = (
            sul_factor(baseline.weight_kg, series.height_cm, series.sex),
            sul_factor(visit.weight_kg, series.height_cm, series.sex),
        );
        let (f0, f1, unit, units) = match factors {
            (Some(f0), Some(f1)) => (f0, f1, "SULpeak", "SUL"),
            _ => {
                a.flags
                    .push("SUVpeak used instead of SULpeak: height, weight or sex unknown".into());
                (1.0, 1.0, "SUVpeak", "SUV")
            }
        };
        let Some((label0, h0)) = hottest(baseline, |l| l.suv_peak.map(|v| v * f0)) else {
            a.reason = "NE: no SUVpeak at baseline".into();
            return;
        };
        let liver0 = baseline.liver_suv_mean.map(|v| v * f0);
        match (liver0, baseline.liver_suv_sd.map(|v| v * f0)) {
            (Some(mean), Some(sd)) => {
                let floor = measurability_floor(mean, sd);
                if h0 + EPS < floor {
                    a.reason = format!(
                        "NE: baseline {unit} {} of {label0} is below the measurability floor {} (1.5 x liver {} + 2 x SD {})",
                        num(h0, 2),
                        num(floor, 2),
                        num(mean, 2),
                        num(sd, 2)
                    );
                    return;
                }
            }
            _ => a
                .flags
                .push("liver reference unknown: baseline measurability not checked".into()),
        }
        let liver1 = visit.liver_suv_mean.map(|v| v * f1);
        if let (Some(l0), Some(l1)) = (liver0, liver1)
            && ((l1 - l0).abs() > 0.2 * l0 + EPS || (l1 - l0).abs() > 0.3 + EPS)
        {
            a.flags.push(format!(
                "liver reference changed from {} to {} (PERCIST asks for within 20 % and 0.3 SUL): scans may not be comparable",
                num(l0, 2),
                num(l1, 2)
            ));
        }
        let hottest_now = hottest(visit, |l| l.suv_peak.map(|v| v * f1));
        let h = hottest_now.as_ref().map_or(0.0, |(_, v)| *v);
        a.set_numbers(h, h0, h0);
        let tlg = |v: &PetVisit| -> Option<f64> {
            let values: Vec<f64> = v.lesions.iter().filter_map(|l| l.tlg).collect();
            (!values.is_empty()).then(|| values.iter().sum())
        };
        let tlg_change = match (tlg(visit), tlg(baseline)) {
            (Some(t), Some(t0)) if t0 > 0.0 => Some((t - t0) / t0),
            _ => None,
        };
        a.secondary_change_pct = tlg_change.map(|c| c * 100.0);
        let blood1 = visit.blood_pool_suv.map(|v| v * f1);
        let change = format!(
            "hottest {unit} {}{} is {} ({} {units}) from baseline {} ({label0})",
            num(h, 2),
            hottest_now
                .as_ref()
                .map_or(String::new(), |(l, _)| format!(" ({l})")),
            signed_pct(a.change_from_baseline_pct),
            signed_num_against(h - h0, 2, PMD_RISE_SUL),
            num(h0, 2)
        );
        let below_liver = liver1.is_some_and(|l| h <= l + EPS);
        let below_blood = blood1.is_none_or(|b| h <= b + EPS);
        (a.category, a.reason) = if hottest_now.is_none() || (below_liver && below_blood) {
            (
                Category::Complete,
                match (hottest_now.is_none(), liver1) {
                    (false, Some(l)) => format!(
                        "CMR: hottest {unit} {} is at or below liver {}{}",
                        num(h, 2),
                        num(l, 2),
                        blood1.map_or(String::new(), |b| format!(" and blood pool {}", num(b, 2)))
                    ),
                    _ => "CMR: no lesion with uptake".into(),
                },
            )
        } else if h > h0 * (1.0 + PMD_RISE) + EPS && h - h0 > PMD_RISE_SUL + EPS {
            (Category::Progressive, format!("PMD: {change}"))
        } else if tlg_change.is_some_and(|c| c > PMD_TLG_RISE + EPS) && h + EPS >= h0 {
            (
                Category::Progressive,
                format!(
                    "PMD: TLG is {} from baseline with no fall of {unit} ({})",
                    signed_pct(a.secondary_change_pct),
                    signed_pct(a.change_from_baseline_pct)
                ),
            )
        } else if h <= h0 * (1.0 - PMR_FALL) + EPS && h0 - h + EPS >= PMR_FALL_SUL {
            (Category::Partial, format!("PMR: {change}"))
        } else {
            (Category::Stable, format!("SMD: {change}"))
        };
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analysis::response::test_util::d;

    pub(crate) fn pet(date: &str, lesions: &[(&str, f64, f64)]) -> PetVisit {
        PetVisit {
            date: d(date),
            weight_kg: Some(70.0),
            liver_suv_mean: Some(2.0),
            liver_suv_sd: Some(0.3),
            blood_pool_suv: None,
            cycles: None,
            lesions: lesions
                .iter()
                .map(|(label, peak, tlg)| PetLesion {
                    label: label.to_string(),
                    suv_max: Some(peak * 1.2),
                    suv_peak: Some(*peak),
                    tlg: Some(*tlg),
                    is_new: false,
                })
                .collect(),
        }
    }

    /// SUV without lean-body-mass correction (no height), so thresholds read directly.
    pub(crate) fn series(visits: Vec<PetVisit>) -> PetSeries {
        PetSeries {
            height_cm: None,
            sex: Some(Sex::Male),
            visits,
        }
    }

    /// Baseline and follow-up of one lesion with liver 1.0 ± 0.1 and blood pool 0.5, so
    /// that small SULpeaks are measurable and not CMR.
    fn quiet_liver(h0: f64, h: f64) -> PetSeries {
        let mut b = pet("2024-01-01", &[("A", h0, 10.0)]);
        let mut f = pet("2024-03-01", &[("A", h, 10.0)]);
        for v in [&mut b, &mut f] {
            v.liver_suv_mean = Some(1.0);
            v.liver_suv_sd = Some(0.1);
            v.blood_pool_suv = Some(0.5);
        }
        series(vec![b, f])
    }

    fn codes(s: &PetSeries) -> Vec<&'static str> {
        assess(s).iter().map(|a| a.code()).collect()
    }

    #[test]
    fn a_scan_with_no_lesion_measured_is_ne_not_cmr() {
        // The follow-up PET was ingested with another method: no row for the course's.
        let follow_up = pet("2024-03-01", &[]);
        let course = series(vec![pet("2024-01-01", &[("A", 6.0, 100.0)]), follow_up]);
        for a in [assess(&course), super::super::eortc::assess(&course)] {
            assert_eq!(a[0].code(), "NE", "{}", a[0].reason);
            assert!(
                a[0].reason.contains("not a metabolic response"),
                "{}",
                a[0].reason
            );
            assert_eq!(a[0].value, None);
        }
    }

    #[test]
    fn lean_body_mass_follows_janmahasatian() {
        // 70 kg, 175 cm: BMI 22.857; men 9270*70/(6680+216*22.857) = 55.857 kg.
        let male = lean_body_mass_kg(70.0, 175.0, Sex::Male).unwrap();
        assert!((male - 55.8574).abs() < 1e-3, "{male}");
        // 60 kg, 165 cm: BMI 22.039; women 9270*60/(8780+244*22.039) = 39.287 kg.
        let female = lean_body_mass_kg(60.0, 165.0, Sex::Female).unwrap();
        assert!((female - 39.2868).abs() < 1e-3, "{female}");
        assert_eq!(lean_body_mass_kg(60.0, 165.0, Sex::Unknown), None);
    }

    #[test]
    fn percist_measurability_is_1_5_liver_mean_plus_2_sd() {
        // Liver 2.0 ± 0.3: floor 3.6.
        assert!((measurability_floor(2.0, 0.3) - 3.6).abs() < 1e-12);
        let s = series(vec![
            pet("2024-01-01", &[("A", 3.5, 10.0)]),
            pet("2024-03-01", &[("A", 1.0, 5.0)]),
        ]);
        let a = assess(&s);
        assert_eq!(a[0].code(), "NE");
        assert!(
            a[0].reason.contains("measurability floor 3.6"),
            "{}",
            a[0].reason
        );
        let s = series(vec![
            pet("2024-01-01", &[("A", 3.6, 10.0)]),
            pet("2024-03-01", &[("A", 3.0, 5.0)]),
        ]);
        assert_eq!(codes(&s), vec!["SMD"]);
    }

    #[test]
    fn percist_pmr_needs_30_percent_and_0_8_sul_fall() {
        let table = [
            (10.0, 7.0, "PMR"),
            (10.0, 7.1, "SMD"),
            // -30 % but only -0.75 SUL (baseline just measurable with a quiet liver).
            (2.5, 1.75, "SMD"),
        ];
        for (h0, h, code) in table {
            let s = quiet_liver(h0, h);
            assert_eq!(codes(&s), vec![code], "{h0} -> {h}");
        }
    }

    #[test]
    fn percist_pmd_needs_more_than_30_percent_and_0_8_sul_rise() {
        let table = [
            (4.0, 5.2, "SMD"),
            (4.0, 5.21, "PMD"),
            // +35 % but only +0.7 SUL
            (2.0, 2.7, "SMD"),
            (2.0, 2.81, "PMD"),
        ];
        for (h0, h, code) in table {
            let s = quiet_liver(h0, h);
            assert_eq!(codes(&s), vec![code], "{h0} -> {h}");
        }
    }

    #[test]
    fn percist_pmd_by_tlg_rise_over_75_percent_without_sul_fall() {
        let table = [(17.6, 5.0, "PMD"), (17.5, 5.0, "SMD"), (17.6, 4.9, "SMD")];
        for (tlg, h, code) in table {
            let s = series(vec![
                pet("2024-01-01", &[("A", 5.0, 10.0)]),
                pet("2024-03-01", &[("A", h, tlg)]),
            ]);
            assert_eq!(codes(&s), vec![code], "{tlg} {h}");
        }
    }

    #[test]
    fn percist_cmr_when_uptake_at_or_below_liver_and_blood_pool() {
        let mut f = pet("2024-03-01", &[("A", 1.9, 1.0)]);
        assert_eq!(
            codes(&series(vec![
                pet("2024-01-01", &[("A", 8.0, 10.0)]),
                f.clone()
            ])),
            vec!["CMR"]
        );
        f.blood_pool_suv = Some(1.5);
        assert_eq!(
            codes(&series(vec![
                pet("2024-01-01", &[("A", 8.0, 10.0)]),
                f.clone()
            ])),
            vec!["PMR"]
        );
        // No lesion row at all is a scan not measured the course's way (ingest pet
        // refuses a mask without a lesion): NE, not CMR.
        f.lesions.clear();
        assert_eq!(
            codes(&series(vec![pet("2024-01-01", &[("A", 8.0, 10.0)]), f])),
            vec!["NE"]
        );
    }

    #[test]
    fn percist_new_lesion_is_pmd() {
        let mut f = pet("2024-03-01", &[("A", 2.0, 1.0), ("B", 4.0, 3.0)]);
        let s = series(vec![pet("2024-01-01", &[("A", 8.0, 10.0)]), f.clone()]);
        assert_eq!(assess(&s)[0].reason, "PMD: new FDG-avid lesion B");
        f.lesions.truncate(1);
        f.lesions[0].is_new = true;
        assert_eq!(
            codes(&series(vec![pet("2024-01-01", &[("A", 8.0, 10.0)]), f])),
            vec!["PMD"]
        );
    }

    #[test]
    fn percist_flags_a_liver_reference_change_over_20_percent_or_0_3() {
        let table = [
            (2.0, 2.5, 1),
            (2.0, 2.25, 0),
            (2.0, 2.4, 1),
            (1.0, 1.25, 1),
            (1.0, 1.2, 0),
        ];
        for (l0, l1, flags) in table {
            let mut b = pet("2024-01-01", &[("A", 8.0, 10.0)]);
            let mut f = pet("2024-03-01", &[("A", 8.0, 10.0)]);
            b.liver_suv_mean = Some(l0);
            f.liver_suv_mean = Some(l1);
            let a = assess(&series(vec![b, f]));
            let changed = a[0]
                .flags
                .iter()
                .filter(|f| f.contains("liver reference changed"));
            assert_eq!(changed.count(), flags, "{l0} -> {l1}");
        }
    }

    #[test]
    fn percist_uses_hottest_lesion_which_may_change() {
        let s = series(vec![
            pet("2024-01-01", &[("A", 10.0, 10.0), ("B", 6.0, 5.0)]),
            pet("2024-03-01", &[("A", 3.0, 3.0), ("B", 6.5, 5.0)]),
        ]);
        let a = assess(&s);
        assert_eq!(a[0].value, Some(6.5));
        assert_eq!(a[0].code(), "PMR");
    }

    #[test]
    fn percist_sul_from_lean_body_mass_and_suv_fallback_is_flagged() {
        let mut s = series(vec![
            pet("2024-01-01", &[("A", 10.0, 10.0)]),
            pet("2024-03-01", &[("A", 8.0, 10.0)]),
        ]);
        let a = assess(&s);
        assert_eq!(a[0].value, Some(8.0));
        assert_eq!(a[0].flags.len(), 1, "{:?}", a[0].flags);
        // The fallback's reason speaks of SUV, not SUL (issue 14).
        assert!(
            a[0].reason.contains("SUVpeak") && !a[0].reason.contains("SUL"),
            "{}",
            a[0].reason
        );
        s.height_cm = Some(175.0);
        let a = assess(&s);
        let factor = 55.8574 / 70.0;
        assert!((a[0].value.unwrap() - 8.0 * factor).abs() < 1e-3);
        assert!(a[0].flags.is_empty());
        assert!(a[0].reason.contains("SULpeak"));
        // -20 % by SUV and by SUL alike, but the absolute fall differs.
        assert!((a[0].change_from_baseline_pct.unwrap() + 20.0).abs() < 1e-9);
    }
}
