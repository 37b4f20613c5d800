//! The simulated truth of the demo cohort: patients, planted endotypes and response patterns, visits and clinical courses.
//!
//! Deterministic: each patient draws from its own ChaCha8 stream seeded from the
//! cohort seed and the patient's number, so patient P001 is the same whatever the
//! cohort size.

use crate::model::{ClinicalEvent, EventKind, Sex};
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Normal};

/// The data cut-off of the demo cohort: follow-up ends here for everyone alive.
pub const DATA_CUTOFF: (i32, u32, u32) = (2026, 6, 30);

/// The sarcoma subtypes of the demo cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Diagnosis {
    /// Osteosarcoma (bone; adolescents, a second peak in the elderly).
    Osteosarcoma,
    /// Ewing sarcoma (bone; children and young adults).
    Ewing,
    /// Synovial sarcoma (soft tissue; young adults).
    Synovial,
    /// Liposarcoma (soft tissue; older adults).
    Liposarcoma,
    /// Undifferentiated pleomorphic sarcoma (soft tissue; the elderly).
    Ups,
}

struct Subtype {
    name: &'static str,
    weight: f64,
    age_mean: f64,
    age_sd: f64,
    age_range: (f64, f64),
    primary_sites: &'static [&'static str],
    line1: &'static str,
    line1_days: u64,
    line2: &'static [&'static str],
    median_pfs_days: f64,
    surgery: &'static str,
    bone: bool,
}

impl Diagnosis {
    const ALL: [Diagnosis; 5] = [
        Diagnosis::Osteosarcoma,
        Diagnosis::Ewing,
        Diagnosis::Synovial,
        Diagnosis::Liposarcoma,
        Diagnosis::Ups,
    ];

    fn subtype(self) -> Subtype {
        match self {
            Diagnosis::Osteosarcoma => Subtype {
                name: "osteosarcoma",
                weight: 0.22,
                age_mean: 17.0,
                age_sd: 6.0,
                age_range: (6.0, 75.0),
                primary_sites: &[
                    "distal femur",
                    "proximal tibia",
                    "proximal humerus",
                    "pelvis",
                ],
                line1: "MAP (methotrexate, doxorubicin, cisplatin)",
                line1_days: 203,
                line2: &["high-dose ifosfamide", "regorafenib", "cabozantinib"],
                median_pfs_days: 900.0,
                surgery: "limb-salvage resection",
                bone: true,
            },
            Diagnosis::Ewing => Subtype {
                name: "Ewing sarcoma",
                weight: 0.18,
                age_mean: 16.0,
                age_sd: 6.0,
                age_range: (4.0, 45.0),
                primary_sites: &["pelvis", "femur", "chest wall", "tibia", "spine"],
                line1: "VDC/IE (vincristine, doxorubicin, cyclophosphamide / ifosfamide, etoposide)",
                line1_days: 294,
                line2: &[
                    "irinotecan-temozolomide",
                    "high-dose ifosfamide",
                    "topotecan-cyclophosphamide",
                ],
                median_pfs_days: 850.0,
                surgery: "wide resection",
                bone: true,
            },
            Diagnosis::Synovial => Subtype {
                name: "synovial sarcoma",
                weight: 0.18,
                age_mean: 35.0,
                age_sd: 12.0,
                age_range: (12.0, 80.0),
                primary_sites: &["knee region", "thigh", "foot", "shoulder", "lung"],
                line1: "doxorubicin-ifosfamide",
                line1_days: 126,
                line2: &["pazopanib", "trabectedin", "high-dose ifosfamide"],
                median_pfs_days: 620.0,
                surgery: "wide excision",
                bone: false,
            },
            Diagnosis::Liposarcoma => Subtype {
                name: "liposarcoma",
                weight: 0.20,
                age_mean: 58.0,
                age_sd: 11.0,
                age_range: (25.0, 88.0),
                primary_sites: &["retroperitoneum", "thigh", "groin"],
                line1: "doxorubicin",
                line1_days: 126,
                line2: &["trabectedin", "eribulin"],
                median_pfs_days: 780.0,
                surgery: "en-bloc resection",
                bone: false,
            },
            Diagnosis::Ups => Subtype {
                name: "undifferentiated pleomorphic sarcoma",
                weight: 0.22,
                age_mean: 64.0,
                age_sd: 11.0,
                age_range: (25.0, 92.0),
                primary_sites: &["thigh", "buttock", "upper arm", "trunk wall"],
                line1: "doxorubicin-ifosfamide",
                line1_days: 126,
                line2: &["gemcitabine-docetaxel", "pazopanib", "pembrolizumab"],
                median_pfs_days: 500.0,
                surgery: "wide excision",
                bone: false,
            },
        }
    }

    /// The diagnosis as written in the patients file.
    pub fn name(self) -> &'static str {
        self.subtype().name
    }
}

/// The three planted inflammatory endotypes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endotype {
    /// Low systemic inflammation; the best outcome.
    Quiescent,
    /// Acute-phase: IL-6, IL-8 and TNF-α raised.
    AcutePhase,
    /// Myeloid/chemokine: CXCL5, CXCL12 and MIF raised; the worst outcome.
    Myeloid,
}

impl Endotype {
    /// Every endotype, numbered 1..=3 in this order.
    pub const ALL: [Endotype; 3] = [Endotype::Quiescent, Endotype::AcutePhase, Endotype::Myeloid];

    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            Endotype::Quiescent => "quiescent",
            Endotype::AcutePhase => "acute-phase (IL-6, IL-8, TNF-a high)",
            Endotype::Myeloid => "myeloid (CXCL5, CXCL12, MIF high)",
        }
    }

    /// Hazard ratio of progression relative to the acute-phase endotype.
    fn progression_hazard_ratio(self) -> f64 {
        match self {
            Endotype::Quiescent => 0.6,
            Endotype::AcutePhase => 1.0,
            Endotype::Myeloid => 2.3,
        }
    }

    /// Median survival after progression, in days.
    fn post_progression_median_days(self) -> f64 {
        match self {
            Endotype::Quiescent => 640.0,
            Endotype::AcutePhase => 430.0,
            Endotype::Myeloid => 240.0,
        }
    }
}

/// How the tumour behaves under first-line treatment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResponsePattern {
    /// Shrinks (RECIST PR); ctDNA falls.
    Responder,
    /// Turns necrotic without shrinking: HU falls (Choi PR) while size is stable (RECIST SD).
    NecroticResponder,
    /// Neither shrinks nor grows much.
    Stable,
    /// Grows early; ctDNA rises months before radiological progression.
    Progressor,
}

impl ResponsePattern {
    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            ResponsePattern::Responder => "responder",
            ResponsePattern::NecroticResponder => "necrotic-responder",
            ResponsePattern::Stable => "stable",
            ResponsePattern::Progressor => "progressor",
        }
    }
}

/// One line of systemic treatment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreatmentLine {
    /// 1 for first line, 2 for second.
    pub number: u32,
    /// Regimen.
    pub regimen: String,
    /// First day.
    pub start: NaiveDate,
    /// Last day, if it ended before the end of follow-up.
    pub end: Option<NaiveDate>,
}

/// Radiological progression or relapse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progression {
    /// Date it was found (a restaging visit, or clinically between visits).
    pub date: NaiveDate,
    /// True for recurrence after completed treatment and surgery.
    pub relapse: bool,
    /// Where.
    pub detail: &'static str,
}

/// A simulated patient: what is written to the input files and the hidden truth behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimPatient {
    /// Identifier (P001 ...).
    pub code: String,
    /// Subtype.
    pub diagnosis: Diagnosis,
    /// Sex.
    pub sex: Sex,
    /// Year of birth.
    pub birth_year: i32,
    /// Treating centre.
    pub site: &'static str,
    /// Anatomical site of the primary tumour.
    pub primary_site: &'static str,
    /// Height in cm.
    pub height_cm: f64,
    /// Planted endotype (hidden truth).
    pub endotype: Endotype,
    /// Planted response pattern (hidden truth).
    pub pattern: ResponsePattern,
    /// Date of diagnosis (the index date).
    pub diagnosis_date: NaiveDate,
    /// Treatment lines.
    pub lines: Vec<TreatmentLine>,
    /// Local-control surgery.
    pub surgery: Option<(NaiveDate, &'static str)>,
    /// Radiotherapy.
    pub radiotherapy: Option<(NaiveDate, &'static str)>,
    /// Progression or relapse, if within follow-up.
    pub progression: Option<Progression>,
    /// Death, if within follow-up.
    pub death: Option<NaiveDate>,
    /// Last date known alive (set for patients alive at the end of follow-up).
    pub last_contact: Option<NaiveDate>,
    /// Whether follow-up ended early (lost to follow-up).
    pub lost_to_follow_up: bool,
    /// Restaging visits (imaging, blood draw): the first is the baseline.
    pub visits: Vec<NaiveDate>,
}

/// Treatment centres of the demo cohort (batches for harmonisation later).
pub const SITES: [&str; 4] = ["Site A", "Site B", "Site C", "Site D"];

/// Generates `patients` simulated patients from `seed`.
pub fn generate(patients: usize, seed: u64) -> Vec<SimPatient> {
    let width = patients.to_string().len().max(3);
    (0..patients)
        .map(|i| {
            let stream = seed ^ (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut rng = ChaCha8Rng::seed_from_u64(stream);
            simulate(&mut rng, format!("P{:0width$}", i + 1))
        })
        .collect()
}

fn day(date: NaiveDate, days: f64) -> NaiveDate {
    date.checked_add_days(Days::new(days.max(0.0).round() as u64))
        .expect("demo dates stay far from the calendar's end")
}

fn choose<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    Normal::new(mean, sd).expect("positive sd").sample(rng)
}

fn exponential_days(rng: &mut ChaCha8Rng, median: f64) -> f64 {
    Exp::new(std::f64::consts::LN_2 / median)
        .expect("positive rate")
        .sample(rng)
}

fn simulate(rng: &mut ChaCha8Rng, code: String) -> SimPatient {
    let cutoff = NaiveDate::from_ymd_opt(DATA_CUTOFF.0, DATA_CUTOFF.1, DATA_CUTOFF.2)
        .expect("valid cut-off");
    let accrual_start = NaiveDate::from_ymd_opt(2022, 1, 3).expect("valid date");

    // Who.
    let u: f64 = rng.random();
    let mut acc = 0.0;
    let diagnosis = Diagnosis::ALL
        .into_iter()
        .find(|d| {
            acc += d.subtype().weight;
            u < acc
        })
        .unwrap_or(Diagnosis::Ups);
    let sub = diagnosis.subtype();
    let elderly_osteo = diagnosis == Diagnosis::Osteosarcoma && rng.random::<f64>() < 0.15;
    let age = if elderly_osteo {
        normal(rng, 66.0, 7.0)
    } else {
        normal(rng, sub.age_mean, sub.age_sd)
    }
    .clamp(sub.age_range.0, sub.age_range.1);
    let sex = if rng.random::<f64>() < 0.55 {
        Sex::Male
    } else {
        Sex::Female
    };
    let adult_height = match sex {
        Sex::Male => normal(rng, 177.0, 7.0),
        _ => normal(rng, 164.0, 6.5),
    };
    let height_cm = if age < 16.0 {
        (adult_height * (0.55 + 0.028 * age)).min(adult_height)
    } else {
        adult_height
    };
    let height_cm = (height_cm * 10.0).round() / 10.0;
    let diagnosis_date = day(accrual_start, rng.random_range(0.0..907.0));
    let birth_year = {
        use chrono::Datelike;
        diagnosis_date.year() - age.floor() as i32
    };
    let site = *choose(rng, &SITES);
    let primary_site = *choose(rng, sub.primary_sites);

    // Hidden biology.
    let e: f64 = rng.random();
    let endotype = if e < 0.40 {
        Endotype::Quiescent
    } else if e < 0.72 {
        Endotype::AcutePhase
    } else {
        Endotype::Myeloid
    };
    let progression_day = 90.0
        + exponential_days(
            rng,
            sub.median_pfs_days / endotype.progression_hazard_ratio(),
        );
    let pattern = if progression_day < 240.0 {
        ResponsePattern::Progressor
    } else {
        let necrotic_share = if sub.bone { 0.12 } else { 0.25 };
        let r: f64 = rng.random();
        if r < 0.45 {
            ResponsePattern::Responder
        } else if r < 0.45 + necrotic_share {
            ResponsePattern::NecroticResponder
        } else {
            ResponsePattern::Stable
        }
    };
    let death_day = if rng.random::<f64>() < 0.02 {
        Some(rng.random_range(60.0..400.0)) // death without progression (toxicity, other cause)
    } else {
        None
    };
    let loss_day = (rng.random::<f64>() < 0.06).then(|| rng.random_range(300.0..1300.0));
    let cutoff_day = (cutoff - diagnosis_date).num_days() as f64;
    let post_progression_day =
        progression_day + 30.0 + exponential_days(rng, endotype.post_progression_median_days());
    let death_day = death_day
        .or(Some(post_progression_day))
        .filter(|d| *d <= cutoff_day.min(loss_day.unwrap_or(f64::MAX)));
    let end_day = death_day.unwrap_or(cutoff_day.min(loss_day.unwrap_or(f64::MAX)));

    // Restaging visits: baseline, then every 9 or 12 weeks, 6 to 12 in all over ~2 years.
    let baseline = rng.random_range(3.0..10.0);
    let horizon = end_day.min(730.0);
    let interval = *choose(rng, &[63.0, 84.0]);
    let fits = 1 + ((horizon - baseline) / interval).floor().max(0.0) as usize;
    let count = fits.clamp(6, 12);
    let interval = if fits < 6 {
        ((horizon - baseline) / 5.0).max(14.0)
    } else {
        interval
    };
    let mut visit_days: Vec<f64> = (0..count)
        .map(|k| {
            baseline
                + k as f64 * interval
                + if k > 0 {
                    rng.random_range(-5.0..5.0)
                } else {
                    0.0
                }
        })
        .collect();
    visit_days.retain(|d| *d <= end_day);
    let visits: Vec<NaiveDate> = visit_days.iter().map(|d| day(diagnosis_date, *d)).collect();

    // Progression is found at the first restaging on or after it, or clinically if none follows.
    let progression_found = (progression_day < end_day).then(|| {
        visit_days
            .iter()
            .copied()
            .find(|d| *d >= progression_day)
            .unwrap_or(progression_day)
    });

    // Treatment.
    let line1_start = rng.random_range(14.0..35.0);
    let line1_planned_end = line1_start + sub.line1_days as f64;
    let stop = progression_found.unwrap_or(f64::MAX).min(end_day);
    let surgery_day = if sub.bone {
        line1_start + rng.random_range(70.0..90.0)
    } else {
        line1_planned_end + rng.random_range(21.0..42.0)
    };
    let surgery = (rng.random::<f64>() < 0.85 && surgery_day < stop)
        .then(|| (day(diagnosis_date, surgery_day), sub.surgery));
    let radiotherapy_day = surgery_day + rng.random_range(30.0..60.0);
    let wants_rt = match diagnosis {
        Diagnosis::Osteosarcoma => false,
        Diagnosis::Ewing => rng.random::<f64>() < 0.5,
        _ => rng.random::<f64>() < 0.45,
    };
    let radiotherapy = (wants_rt && surgery.is_some() && radiotherapy_day < stop).then(|| {
        let dose = if sub.bone { "45 Gy" } else { "50 Gy" };
        (day(diagnosis_date, radiotherapy_day), dose)
    });
    let mut lines = vec![TreatmentLine {
        number: 1,
        regimen: sub.line1.to_string(),
        start: day(diagnosis_date, line1_start),
        end: Some(day(diagnosis_date, line1_planned_end.min(stop)))
            .filter(|_| line1_planned_end.min(stop) < end_day),
    }];
    let progression = progression_found.map(|found| {
        let relapse = surgery.is_some() && found > line1_planned_end;
        let detail = if relapse {
            *choose(rng, &["pulmonary metastases", "local recurrence"])
        } else {
            *choose(
                rng,
                &[
                    "RECIST progression of target lesions",
                    "new pulmonary lesions",
                ],
            )
        };
        let line2_start = found + rng.random_range(14.0..28.0);
        if line2_start < end_day {
            let line2_end = line2_start + rng.random_range(90.0..240.0);
            lines.push(TreatmentLine {
                number: 2,
                regimen: choose(rng, sub.line2).to_string(),
                start: day(diagnosis_date, line2_start),
                end: (line2_end < end_day).then(|| day(diagnosis_date, line2_end)),
            });
        }
        Progression {
            date: day(diagnosis_date, found),
            relapse,
            detail,
        }
    });
    let death = death_day.map(|d| day(diagnosis_date, d));
    let lost_to_follow_up = death.is_none() && loss_day.is_some_and(|l| l < cutoff_day);
    let last_contact = death.is_none().then(|| day(diagnosis_date, end_day));

    SimPatient {
        code,
        diagnosis,
        sex,
        birth_year,
        site,
        primary_site,
        height_cm,
        endotype,
        pattern,
        diagnosis_date,
        lines,
        surgery,
        radiotherapy,
        progression,
        death,
        last_contact,
        lost_to_follow_up,
        visits,
    }
}

impl SimPatient {
    /// The patient's clinical events, in date order.
    pub fn events(&self) -> Vec<ClinicalEvent> {
        let event = |date: NaiveDate, kind: EventKind, detail: String| ClinicalEvent {
            patient: self.code.clone(),
            date,
            kind,
            detail,
        };
        let mut events = vec![event(
            self.diagnosis_date,
            EventKind::Diagnosis,
            format!("{}, {}", self.diagnosis.name(), self.primary_site),
        )];
        for line in &self.lines {
            let text = format!("line {}: {}", line.number, line.regimen);
            events.push(event(line.start, EventKind::TreatmentStart, text.clone()));
            if let Some(end) = line.end {
                events.push(event(end, EventKind::TreatmentEnd, text));
            }
        }
        if let Some((date, what)) = self.surgery {
            events.push(event(date, EventKind::Surgery, what.to_string()));
        }
        if let Some((date, dose)) = self.radiotherapy {
            events.push(event(
                date,
                EventKind::Radiotherapy,
                format!("adjuvant radiotherapy {dose}"),
            ));
        }
        if let Some(p) = &self.progression {
            let kind = if p.relapse {
                EventKind::Relapse
            } else {
                EventKind::Progression
            };
            events.push(event(p.date, kind, p.detail.to_string()));
        }
        if let Some(date) = self.death {
            events.push(event(date, EventKind::Death, String::new()));
        }
        if let Some(date) = self.last_contact {
            let detail = if self.lost_to_follow_up {
                "lost to follow-up"
            } else {
                ""
            };
            events.push(event(date, EventKind::LastContact, detail.to_string()));
        }
        events.sort_by_key(|e| (e.date, e.kind));
        events
    }

    /// Follow-up in days from diagnosis to death or last contact.
    pub fn follow_up_days(&self) -> i64 {
        let end = self
            .death
            .or(self.last_contact)
            .unwrap_or(self.diagnosis_date);
        (end - self.diagnosis_date).num_days()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_independent_of_cohort_size() {
        let small = generate(10, 7);
        let large = generate(40, 7);
        assert_eq!(small, generate(10, 7));
        for (a, b) in small.iter().zip(&large) {
            assert_eq!(
                (a.diagnosis_date, a.endotype, &a.visits),
                (b.diagnosis_date, b.endotype, &b.visits)
            );
        }
        assert_ne!(generate(10, 8)[0].diagnosis_date, small[0].diagnosis_date);
    }

    #[test]
    fn courses_are_clinically_ordered() {
        for p in generate(500, 42) {
            let end = p
                .death
                .or(p.last_contact)
                .expect("every course ends in death or last contact");
            assert!(p.death.is_some() != p.last_contact.is_some(), "{}", p.code);
            assert!(
                (1..=12).contains(&p.visits.len()),
                "{} has {} visits",
                p.code,
                p.visits.len()
            );
            assert!(p.visits.windows(2).all(|w| w[0] < w[1]), "{}", p.code);
            assert!(p.visits[0] > p.diagnosis_date && *p.visits.last().unwrap() <= end);
            assert!(
                p.lines[0].start > p.visits[0],
                "baseline precedes treatment"
            );
            for e in p.events() {
                assert!(
                    e.date >= p.diagnosis_date && e.date <= end,
                    "{} {:?}",
                    p.code,
                    e
                );
            }
            if let Some(prog) = &p.progression {
                assert!(prog.date >= p.lines[0].start);
            }
        }
    }

    #[test]
    fn most_patients_have_six_to_twelve_visits() {
        let cohort = generate(400, 1);
        let in_range = cohort
            .iter()
            .filter(|p| (6..=12).contains(&p.visits.len()))
            .count();
        assert!(in_range as f64 > 0.9 * cohort.len() as f64, "{in_range}");
    }

    #[test]
    fn myeloid_endotype_progresses_and_dies_more_often() {
        let cohort = generate(3000, 3);
        let rate = |e: Endotype| {
            let group: Vec<_> = cohort.iter().filter(|p| p.endotype == e).collect();
            group.iter().filter(|p| p.death.is_some()).count() as f64 / group.len() as f64
        };
        assert!(rate(Endotype::Myeloid) > rate(Endotype::AcutePhase) + 0.1);
        assert!(rate(Endotype::AcutePhase) > rate(Endotype::Quiescent));
    }
}
