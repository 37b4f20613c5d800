//! The series `trend` and the terminal UI follow (ctDNA mean VAF, PET, RECIST sum, cytokines) and their points from one patient's inputs.

use super::ctdna::Draw;
use super::response::PatientInputs;
use super::response::recist;
use super::trend::Point;
use crate::model::Censor;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A series that `trend` can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Series {
    /// Mean VAF over tracked variants per liquid-biopsy sample (`ctdna.mean_vaf`).
    CtdnaMeanVaf,
    /// One cytokine, by analyte name and, when several were stored, assay
    /// (`cytokine:IL-6`, `cytokine:IL-6@CD3/CD28`).
    Cytokine {
        /// Analyte (canonical name; any case).
        analyte: String,
        /// Assay (kit, panel or stimulation); `None`: the only one stored.
        assay: Option<String>,
    },
    /// Metabolic tumour volume summed over lesions (`pet.mtv`, mL).
    PetMtv,
    /// Total lesion glycolysis summed over lesions (`pet.tlg`).
    PetTlg,
    /// SUVmax of the hottest lesion (`pet.suvmax`).
    PetSuvMax,
    /// RECIST sum of diameters (`recist.sum`, mm).
    RecistSum,
}

impl std::str::FromStr for Series {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, Self::Err> {
        match text.trim() {
            "ctdna.mean_vaf" => Ok(Series::CtdnaMeanVaf),
            "pet.mtv" => Ok(Series::PetMtv),
            "pet.tlg" => Ok(Series::PetTlg),
            "pet.suvmax" => Ok(Series::PetSuvMax),
            "recist.sum" => Ok(Series::RecistSum),
            other => match other.strip_prefix("cytokine:") {
                Some(rest) => {
                    let (analyte, assay) = match rest.split_once('@') {
                        Some((analyte, assay)) => (analyte, Some(assay.trim().to_string())),
                        None => (rest, None),
                    };
                    if analyte.trim().is_empty() {
                        return Err("expected cytokine:NAME or cytokine:NAME@ASSAY".to_string());
                    }
                    Ok(Series::Cytokine {
                        analyte: analyte.trim().to_string(),
                        assay,
                    })
                }
                _ => Err("expected ctdna.mean_vaf, cytokine:NAME[@ASSAY], pet.mtv, pet.tlg, pet.suvmax or recist.sum"
                    .to_string()),
            },
        }
    }
}

impl std::fmt::Display for Series {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Series::CtdnaMeanVaf => f.write_str("ctdna.mean_vaf"),
            Series::Cytokine {
                analyte,
                assay: None,
            } => write!(f, "cytokine:{analyte}"),
            Series::Cytokine {
                analyte,
                assay: Some(assay),
            } => write!(f, "cytokine:{analyte}@{assay}"),
            Series::PetMtv => f.write_str("pet.mtv"),
            Series::PetTlg => f.write_str("pet.tlg"),
            Series::PetSuvMax => f.write_str("pet.suvmax"),
            Series::RecistSum => f.write_str("recist.sum"),
        }
    }
}

/// Everything one patient's series are made from, read from the store once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeriesInputs {
    /// Blood draws with each tracked variant as observed there.
    pub draws: Vec<Draw>,
    /// Inputs of the response criteria (their ctDNA samples are `draws` summarised).
    pub response: PatientInputs,
    /// Total MTV per PET date, by the segmentation method the PET series uses.
    pub pet_mtv: BTreeMap<NaiveDate, f64>,
    /// Each analyte's values per assay in date order (one per date), censoring as
    /// stored, by (analyte, assay) as stored.
    pub cytokines: BTreeMap<(String, String), Vec<Point>>,
}

impl SeriesInputs {
    /// The series inputs of a patient's stored record: draws merged over callers once,
    /// and the criteria's inputs made from them.
    pub fn from_record(record: crate::model::PatientRecord) -> SeriesInputs {
        let draws = super::ctdna::merge_calls(&record.response.draws);
        let response = PatientInputs::with_draws(&record.response, &draws);
        SeriesInputs {
            draws,
            response,
            pet_mtv: record.pet_mtv,
            cytokines: record.cytokines,
        }
    }
}

/// The points of one series of a patient, for [`super::trend::trend`].
///
/// ctDNA samples with nothing detected are left-censored at their detection limit
/// (left out when it is unknown or when a tracked locus had no known depth, a draw
/// that is NE rather than below any limit, and so is a sample without tracked
/// variants);
/// cytokines carry their stored censoring and are found by name whatever its case, in
/// the assay named or else the only one stored (none when several are: see
/// [`cytokine_assays`]);
/// PET and RECIST values are uncensored: SUVmax of the hottest lesion, TLG summed over
/// the lesions that have it, MTV as given, the RECIST sum of the target lesions.
pub fn points(series: &Series, inputs: &SeriesInputs) -> Vec<Point> {
    let uncensored = |date, value| Point {
        date,
        value,
        censor: Censor::None,
    };
    match series {
        Series::CtdnaMeanVaf => inputs
            .response
            .ctdna
            .iter()
            .filter(|s| s.tracked > 0)
            .filter_map(|s| match (s.detected, s.mean_vaf, s.detection_limit) {
                // Below the limit only where every tracked locus was seen (or an MRD
                // test says absent): with a locus unread or uncalled the draw is NE,
                // and "< LOD" would chart it as a low value.
                (0, _, Some(limit))
                    if s.with_depth == s.tracked
                        || s.mrd == Some(crate::model::MrdDecision::Negative) =>
                {
                    Some(Point {
                        date: s.date,
                        value: limit,
                        censor: Censor::Left,
                    })
                }
                (0, _, _) => None,
                (_, Some(v), _) => Some(uncensored(s.date, v)),
                _ => None,
            })
            .collect(),
        Series::Cytokine { analyte, assay } => {
            let assays = cytokine_assays(inputs, analyte);
            let chosen = match assay {
                Some(assay) => assays.iter().find(|a| *a == assay),
                None if assays.len() == 1 => assays.first(),
                None => None,
            };
            chosen
                .and_then(|assay| {
                    inputs
                        .cytokines
                        .iter()
                        .find(|((name, a), _)| name.eq_ignore_ascii_case(analyte) && a == assay)
                })
                .map(|(_, points)| points.clone())
                .unwrap_or_default()
        }
        Series::PetMtv => inputs
            .pet_mtv
            .iter()
            .map(|(date, mtv)| uncensored(*date, *mtv))
            .collect(),
        Series::PetTlg | Series::PetSuvMax => inputs
            .response
            .pet
            .visits
            .iter()
            .filter_map(|v| {
                let lesions = v.lesions.iter();
                let value = if *series == Series::PetTlg {
                    let tlg: Vec<f64> = lesions.filter_map(|l| l.tlg).collect();
                    (!tlg.is_empty()).then(|| tlg.iter().sum())
                } else {
                    lesions.filter_map(|l| l.suv_max).reduce(f64::max)
                };
                value.map(|value| uncensored(v.date, value))
            })
            .collect(),
        Series::RecistSum => recist::sum_series(&inputs.response.lesions)
            .into_iter()
            .filter_map(|(date, sum)| sum.map(|s| uncensored(date, s)))
            .collect(),
    }
}

/// The assays under which a patient's `analyte` (any case) is stored, by name.
pub fn cytokine_assays(inputs: &SeriesInputs, analyte: &str) -> Vec<String> {
    inputs
        .cytokines
        .keys()
        .filter(|(name, _)| name.eq_ignore_ascii_case(analyte))
        .map(|(_, assay)| assay.clone())
        .collect()
}

/// Checks that a cytokine series names one stored assay: the assay given, or the only
/// one stored. Other series pass.
///
/// # Errors
/// A message naming the assays stored when several are and none is named, or when the
/// one named is not stored.
pub fn check_assay(series: &Series, inputs: &SeriesInputs) -> Result<(), String> {
    let Series::Cytokine { analyte, assay } = series else {
        return Ok(());
    };
    let assays = cytokine_assays(inputs, analyte);
    let list = || crate::analysis::matrix::assay_list(&assays);
    match assay {
        None if assays.len() > 1 => Err(format!(
            "{series}: {analyte} is stored under {} assays ({}): name one as \
             cytokine:{analyte}@ASSAY or with --assay NAME",
            assays.len(),
            list()
        )),
        Some(assay) if !assays.is_empty() && !assays.contains(assay) => Err(format!(
            "{series}: {analyte} is not stored under assay '{assay}'; its assays are {}",
            list()
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::response::molecular::CtdnaSample;
    use crate::analysis::response::percist::{PetLesion, PetVisit};

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, day).unwrap()
    }

    fn sample(
        day: u32,
        tracked: usize,
        detected: usize,
        mean: f64,
        limit: Option<f64>,
    ) -> CtdnaSample {
        CtdnaSample {
            date: date(day),
            tracked,
            detected,
            mean_vaf: Some(mean),
            detection_limit: limit,
            with_depth: tracked,
            pooled_alt_reads: None,
            pooled_depth: None,
            mrd: None,
        }
    }

    #[test]
    fn a_draw_that_did_not_see_every_tracked_locus_is_not_charted_below_the_limit() {
        let mut inputs = SeriesInputs::default();
        let mut partial = sample(2, 2, 0, 0.0, Some(0.001));
        partial.with_depth = 1;
        let mut mrd_negative = partial.clone();
        mrd_negative.date = date(3);
        mrd_negative.mrd = Some(crate::model::MrdDecision::Negative);
        inputs.response.ctdna = vec![
            sample(1, 2, 2, 0.1, Some(0.002)),
            partial,
            mrd_negative,
            sample(4, 2, 0, 0.0, Some(0.001)),
        ];
        let days: Vec<_> = points(&Series::CtdnaMeanVaf, &inputs)
            .iter()
            .map(|p| (p.date, p.censor))
            .collect();
        assert_eq!(
            days,
            vec![
                (date(1), Censor::None),
                (date(3), Censor::Left),
                (date(4), Censor::Left)
            ]
        );
    }

    fn pet_lesion(suv_max: Option<f64>, tlg: Option<f64>) -> PetLesion {
        PetLesion {
            label: "L1".into(),
            suv_max,
            suv_peak: None,
            tlg,
            is_new: false,
        }
    }

    fn visit(day: u32, lesions: Vec<PetLesion>) -> PetVisit {
        PetVisit {
            date: date(day),
            weight_kg: None,
            liver_suv_mean: None,
            liver_suv_sd: None,
            blood_pool_suv: None,
            cycles: None,
            lesions,
        }
    }

    fn inputs() -> SeriesInputs {
        let mut inputs = SeriesInputs::default();
        inputs.response.ctdna = vec![
            sample(1, 2, 2, 0.1, Some(0.002)),
            sample(2, 2, 0, 0.0, Some(0.001)),
            sample(3, 2, 0, 0.0, None),
            sample(4, 0, 0, 0.0, Some(0.001)),
            sample(5, 2, 1, 0.03, Some(0.002)),
        ];
        inputs.response.pet.visits = vec![
            visit(
                1,
                vec![
                    pet_lesion(Some(9.0), Some(100.0)),
                    pet_lesion(Some(4.0), None),
                ],
            ),
            visit(8, vec![pet_lesion(None, None)]),
        ];
        inputs.pet_mtv = BTreeMap::from([(date(1), 70.0), (date(8), 45.0)]);
        let point = |value| {
            vec![Point {
                date: date(1),
                value,
                censor: Censor::Left,
            }]
        };
        inputs.cytokines = BTreeMap::from([
            (("IL-6".to_string(), "Luminex".to_string()), point(1.5)),
            (("IL-8".to_string(), "CD3/CD28".to_string()), point(7.0)),
            (("IL-8".to_string(), "LPS".to_string()), point(9.0)),
        ]);
        inputs
    }

    #[test]
    fn each_series_takes_its_values_and_censoring() {
        let inputs = inputs();
        // (series, expected (day, value, censor) points)
        type Expected = Vec<(u32, f64, Censor)>;
        let cases: [(&str, Expected); 9] = [
            (
                "ctdna.mean_vaf",
                vec![
                    (1, 0.1, Censor::None),
                    (2, 0.001, Censor::Left),
                    (5, 0.03, Censor::None),
                ],
            ),
            (
                "pet.mtv",
                vec![(1, 70.0, Censor::None), (8, 45.0, Censor::None)],
            ),
            ("pet.tlg", vec![(1, 100.0, Censor::None)]),
            ("pet.suvmax", vec![(1, 9.0, Censor::None)]),
            ("cytokine:il-6", vec![(1, 1.5, Censor::Left)]),
            ("cytokine:TNF-a", vec![]),
            ("cytokine:IL-8@LPS", vec![(1, 9.0, Censor::Left)]),
            ("cytokine:IL-8", vec![]),
            ("cytokine:IL-6@LPS", vec![]),
        ];
        for (name, expected) in cases {
            let got: Vec<(u32, f64, Censor)> = points(&name.parse().unwrap(), &inputs)
                .iter()
                .map(|p| (chrono::Datelike::day(&p.date), p.value, p.censor))
                .collect();
            assert_eq!(got, expected, "{name}");
        }
        assert!(
            points(&Series::RecistSum, &inputs).is_empty(),
            "no lesions, no sums"
        );
        let check = |name: &str| check_assay(&name.parse().unwrap(), &inputs);
        assert_eq!(check("cytokine:IL-6"), Ok(()));
        assert_eq!(check("cytokine:IL-8@LPS"), Ok(()));
        let err = check("cytokine:IL-8").unwrap_err();
        assert!(
            err.contains("IL-8 is stored under 2 assays ('CD3/CD28', 'LPS')"),
            "{err}"
        );
        assert!(
            check("cytokine:IL-6@LPS")
                .unwrap_err()
                .contains("its assays are 'Luminex'")
        );
    }

    #[test]
    fn series_names_parse_and_print() {
        for name in [
            "ctdna.mean_vaf",
            "cytokine:IL-6",
            "cytokine:IL-6@CD3/CD28",
            "pet.mtv",
            "pet.tlg",
            "pet.suvmax",
            "recist.sum",
        ] {
            assert_eq!(name.parse::<Series>().unwrap().to_string(), name);
        }
        assert!("cytokine:".parse::<Series>().is_err());
        assert!("pet.volume".parse::<Series>().is_err());
    }
}
