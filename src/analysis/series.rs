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
    /// One cytokine, by analyte name (`cytokine:IL-6`).
    Cytokine(String),
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
                Some(analyte) if !analyte.trim().is_empty() => {
                    Ok(Series::Cytokine(analyte.trim().to_string()))
                }
                _ => Err("expected ctdna.mean_vaf, cytokine:NAME, pet.mtv, pet.tlg, pet.suvmax or recist.sum"
                    .to_string()),
            },
        }
    }
}

impl std::fmt::Display for Series {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Series::CtdnaMeanVaf => f.write_str("ctdna.mean_vaf"),
            Series::Cytokine(name) => write!(f, "cytokine:{name}"),
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
    /// Each analyte's values in date order (one per date), censoring as stored, by
    /// analyte name as stored.
    pub cytokines: BTreeMap<String, Vec<Point>>,
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
/// (left out when it is unknown, and so is a sample without tracked variants);
/// cytokines carry their stored censoring and are found by name whatever its case;
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
                (0, _, Some(limit)) => Some(Point {
                    date: s.date,
                    value: limit,
                    censor: Censor::Left,
                }),
                (0, _, None) => None,
                (_, Some(v), _) => Some(uncensored(s.date, v)),
                _ => None,
            })
            .collect(),
        Series::Cytokine(analyte) => inputs
            .cytokines
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(analyte))
            .map(|(_, points)| points.clone())
            .unwrap_or_default(),
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
        inputs.cytokines = BTreeMap::from([(
            "IL-6".to_string(),
            vec![Point {
                date: date(1),
                value: 1.5,
                censor: Censor::Left,
            }],
        )]);
        inputs
    }

    #[test]
    fn each_series_takes_its_values_and_censoring() {
        let inputs = inputs();
        // (series, expected (day, value, censor) points)
        type Expected = Vec<(u32, f64, Censor)>;
        let cases: [(&str, Expected); 6] = [
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
    }

    #[test]
    fn series_names_parse_and_print() {
        for name in [
            "ctdna.mean_vaf",
            "cytokine:IL-6",
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
