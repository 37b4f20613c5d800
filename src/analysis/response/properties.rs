//! Property tests of every criterion: categories do not depend on the order of the input visits, and a later visit never changes an earlier one.

use super::molecular::CtdnaSample;
use super::percist::{PetLesion, PetSeries, PetVisit};
use super::recist::{ImagingVisit, Lesion, LesionSeries, Measurement};
use super::{Assessment, choi, eortc, molecular, percist, recist};
use crate::model::Sex;
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

fn day(i: usize) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Days::new(30 * i as u64)
}

/// Two lesions (one nodal), 2 to 7 scans with sizes, HU, gaps and new lesions.
fn lesion_series() -> impl Strategy<Value = LesionSeries> {
    let visit = (
        proptest::option::weighted(0.9, 0.0..80.0f64),
        proptest::option::weighted(0.9, 0.0..40.0f64),
        proptest::option::weighted(0.8, 10.0..80.0f64),
        proptest::bool::weighted(0.1),
    );
    proptest::collection::vec(visit, 2..7).prop_map(|visits| LesionSeries {
        lesions: vec![
            Lesion {
                label: "A".into(),
                organ: "lung".into(),
                nodal: false,
                designated_target: false,
            },
            Lesion {
                label: "N".into(),
                organ: "node".into(),
                nodal: true,
                designated_target: false,
            },
        ],
        visits: visits
            .into_iter()
            .enumerate()
            .map(|(i, (a, n, hu, new))| {
                let mut measurements = vec![
                    Measurement {
                        label: "A".into(),
                        longest_diameter_mm: a,
                        short_axis_mm: None,
                        mean_hu: hu,
                        is_new: false,
                    },
                    Measurement {
                        label: "N".into(),
                        longest_diameter_mm: n.map(|n| n * 1.5),
                        short_axis_mm: n,
                        mean_hu: hu,
                        is_new: false,
                    },
                ];
                if new {
                    measurements.push(Measurement {
                        label: format!("new{i}"),
                        longest_diameter_mm: Some(12.0),
                        short_axis_mm: None,
                        mean_hu: None,
                        is_new: true,
                    });
                }
                ImagingVisit {
                    date: day(i),
                    measurements,
                }
            })
            .collect(),
    })
}

fn pet_series() -> impl Strategy<Value = PetSeries> {
    let visit = (
        0.0..15.0f64,
        0.0..15.0f64,
        0.0..200.0f64,
        1.0..3.0f64,
        proptest::bool::weighted(0.1),
    );
    (
        proptest::option::of(150.0..200.0f64),
        proptest::collection::vec(visit, 2..7),
    )
        .prop_map(|(height_cm, visits)| PetSeries {
            height_cm,
            sex: Some(Sex::Female),
            visits: visits
                .into_iter()
                .enumerate()
                .map(|(i, (a, b, tlg, liver, new))| PetVisit {
                    date: day(i),
                    weight_kg: Some(65.0),
                    liver_suv_mean: Some(liver),
                    liver_suv_sd: Some(0.2),
                    blood_pool_suv: None,
                    cycles: None,
                    lesions: [("A", a, false), ("B", b, new)]
                        .into_iter()
                        .map(|(label, peak, is_new)| PetLesion {
                            label: label.into(),
                            suv_max: Some(peak * 1.3),
                            suv_peak: Some(peak),
                            tlg: Some(tlg),
                            is_new,
                        })
                        .collect(),
                })
                .collect(),
        })
}

fn ctdna_samples() -> impl Strategy<Value = Vec<CtdnaSample>> {
    proptest::collection::vec((0.0..0.3f64, 0usize..4), 2..8).prop_map(|samples| {
        samples
            .into_iter()
            .enumerate()
            .map(|(i, (vaf, detected))| CtdnaSample {
                date: day(i),
                mean_vaf: Some(if detected == 0 { 0.0 } else { vaf }),
                detected,
                tracked: 3,
                detection_limit: None,
                with_depth: 3,
                pooled_alt_reads: None,
                pooled_depth: None,
                mrd: None,
            })
            .collect()
    })
}

fn categories(assessments: &[Assessment]) -> Vec<(NaiveDate, &'static str)> {
    assessments.iter().map(|a| (a.date, a.code())).collect()
}

/// Every criterion on lesion scans.
fn ct_criteria(series: &LesionSeries) -> Vec<Vec<(NaiveDate, &'static str)>> {
    vec![
        categories(&recist::assess(series)),
        categories(&choi::assess(series, choi::Variant::Original)),
        categories(&choi::assess(series, choi::Variant::Modified)),
    ]
}

fn pet_criteria(series: &PetSeries) -> Vec<Vec<(NaiveDate, &'static str)>> {
    vec![
        categories(&percist::assess(series)),
        categories(&eortc::assess(series)),
    ]
}

/// Every row of `long` whose date is in `short` equals `short`'s row.
fn prefix_kept(short: &[Vec<(NaiveDate, &str)>], long: &[Vec<(NaiveDate, &str)>]) -> bool {
    short
        .iter()
        .zip(long)
        .all(|(s, l)| s.iter().all(|row| l.contains(row)) && l.len() == s.len() + 1)
}

proptest! {
    #[test]
    fn categories_are_invariant_to_visit_order(
        ct in lesion_series(),
        pet in pet_series(),
        ctdna in ctdna_samples(),
        seed in any::<u64>(),
    ) {
        let mut shuffled_ct = ct.clone();
        let mut shuffled_pet = pet.clone();
        let mut shuffled_ctdna = ctdna.clone();
        let n = shuffled_ct.visits.len();
        shuffled_ct.visits.rotate_left((seed as usize) % n);
        shuffled_ct.visits.reverse();
        let n = shuffled_pet.visits.len();
        shuffled_pet.visits.rotate_left((seed as usize / 7) % n);
        shuffled_pet.visits.reverse();
        let n = shuffled_ctdna.len();
        shuffled_ctdna.rotate_left((seed as usize / 13) % n);
        shuffled_ctdna.reverse();
        prop_assert_eq!(ct_criteria(&ct), ct_criteria(&shuffled_ct));
        prop_assert_eq!(pet_criteria(&pet), pet_criteria(&shuffled_pet));
        prop_assert_eq!(
            categories(&molecular::assess(&ctdna)),
            categories(&molecular::assess(&shuffled_ctdna))
        );
    }

    #[test]
    fn adding_a_visit_never_changes_earlier_visits(
        ct in lesion_series(),
        pet in pet_series(),
        ctdna in ctdna_samples(),
    ) {
        let mut shorter_ct = ct.clone();
        shorter_ct.visits.pop();
        prop_assert!(prefix_kept(&ct_criteria(&shorter_ct), &ct_criteria(&ct)));
        let mut shorter_pet = pet.clone();
        shorter_pet.visits.pop();
        prop_assert!(prefix_kept(&pet_criteria(&shorter_pet), &pet_criteria(&pet)));
        let shorter_ctdna = &ctdna[..ctdna.len() - 1];
        prop_assert!(prefix_kept(
            &[categories(&molecular::assess(shorter_ctdna))],
            &[categories(&molecular::assess(&ctdna))]
        ));
    }
}
