//! Response assessment criteria, one module per criterion: RECIST 1.1, Choi, PERCIST 1.0, EORTC 1999, ctDNA molecular response.
//!
//! Every criterion is a pure function from plain input structs (visits with lesion
//! measurements, PET values, ctDNA samples) to one [`Assessment`] per follow-up
//! visit. A visit's category depends only on that visit and the visits before it,
//! so adding a later visit never changes an earlier category; confirmation and best
//! overall response are separate summaries. [`discordance`] compares criteria.

pub mod choi;
pub mod discordance;
pub mod eortc;
pub mod molecular;
pub mod percist;
pub mod recist;

#[cfg(test)]
mod properties;

use chrono::NaiveDate;

/// Tolerance for threshold comparisons, so that a change of exactly 20 % (as
/// decimal arithmetic would have it) meets an "at least 20 %" rule.
pub(crate) const EPS: f64 = 1e-9;

/// The criterion an assessment was made by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Criterion {
    /// RECIST 1.1 (Eisenhauer 2009).
    Recist,
    /// Choi (Choi 2007): size or density.
    Choi,
    /// Modified Choi: size and density.
    ModifiedChoi,
    /// PERCIST 1.0 (Wahl 2009).
    Percist,
    /// EORTC PET criteria (Young 1999).
    Eortc,
    /// ctDNA molecular response (Goldberg 2018).
    Ctdna,
}

impl Criterion {
    /// Every criterion in report order.
    pub const ALL: [Criterion; 6] = [
        Criterion::Recist,
        Criterion::Choi,
        Criterion::ModifiedChoi,
        Criterion::Percist,
        Criterion::Eortc,
        Criterion::Ctdna,
    ];

    /// Lower-case name used on the command line and in JSON (`recist`, `choi` ...).
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Recist => "recist",
            Criterion::Choi => "choi",
            Criterion::ModifiedChoi => "mchoi",
            Criterion::Percist => "percist",
            Criterion::Eortc => "eortc",
            Criterion::Ctdna => "ctdna",
        }
    }

    /// Whether categories are metabolic (CMR, PMR, SMD, PMD) rather than CR, PR, SD, PD.
    pub fn is_metabolic(self) -> bool {
        matches!(self, Criterion::Percist | Criterion::Eortc)
    }
}

impl std::str::FromStr for Criterion {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Criterion::ALL
            .into_iter()
            .find(|c| c.name() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| "expected one of recist, choi, mchoi, percist, eortc, ctdna".to_string())
    }
}

/// The response category of one visit, shared by all criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Complete response (CR; metabolic: CMR; ctDNA: clearance).
    Complete,
    /// Partial response (PR; PMR; ctDNA: molecular response).
    Partial,
    /// Stable disease (SD; SMD).
    Stable,
    /// Progressive disease (PD; PMD; ctDNA: molecular progression).
    Progressive,
    /// Not evaluable.
    NotEvaluable,
}

impl Category {
    /// The category's code under `criterion`: `CR`, `PR`, `SD`, `PD`, `NE`, or for
    /// PERCIST and EORTC `CMR`, `PMR`, `SMD`, `PMD`.
    pub fn code(self, criterion: Criterion) -> &'static str {
        match (self, criterion.is_metabolic()) {
            (Category::Complete, false) => "CR",
            (Category::Partial, false) => "PR",
            (Category::Stable, false) => "SD",
            (Category::Progressive, false) => "PD",
            (Category::Complete, true) => "CMR",
            (Category::Partial, true) => "PMR",
            (Category::Stable, true) => "SMD",
            (Category::Progressive, true) => "PMD",
            (Category::NotEvaluable, _) => "NE",
        }
    }

    /// Whether the category is a response (complete or partial).
    pub fn is_response(self) -> bool {
        matches!(self, Category::Complete | Category::Partial)
    }
}

/// One visit assessed by one criterion, with the numbers the category rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Date of the visit (scan or blood draw).
    pub date: NaiveDate,
    /// Criterion used.
    pub criterion: Criterion,
    /// The category.
    pub category: Category,
    /// The measured quantity at this visit (sum of diameters in mm, SULpeak, mean VAF ...).
    pub value: Option<f64>,
    /// The quantity at baseline.
    pub baseline: Option<f64>,
    /// The reference for progression: the nadir (smallest value before this visit,
    /// baseline included) for RECIST and Choi, the baseline for the others.
    pub nadir: Option<f64>,
    /// Relative change from baseline, in percent.
    pub change_from_baseline_pct: Option<f64>,
    /// Relative change from the nadir, in percent.
    pub change_from_nadir_pct: Option<f64>,
    /// Absolute change from the nadir, in the value's unit.
    pub change_from_nadir: Option<f64>,
    /// A second quantity some criteria use (Choi: mean HU change from baseline in %;
    /// PERCIST: TLG change from baseline in %).
    pub secondary_change_pct: Option<f64>,
    /// One sentence saying why ("PD: sum 74 mm is +23 % over nadir 60 mm and +14 mm").
    pub reason: String,
    /// Caveats of the inputs (e.g. "SUVpeak used: lean body mass unknown").
    pub flags: Vec<String>,
}

impl Assessment {
    /// An assessment with only the category and reason set.
    pub(crate) fn new(
        date: NaiveDate,
        criterion: Criterion,
        category: Category,
        reason: String,
    ) -> Self {
        Assessment {
            date,
            criterion,
            category,
            value: None,
            baseline: None,
            nadir: None,
            change_from_baseline_pct: None,
            change_from_nadir_pct: None,
            change_from_nadir: None,
            secondary_change_pct: None,
            reason,
            flags: Vec::new(),
        }
    }

    /// Sets the value, its baseline and its progression reference, and the changes.
    pub(crate) fn set_numbers(&mut self, value: f64, baseline: f64, reference: f64) {
        self.value = Some(value);
        self.baseline = Some(baseline);
        self.nadir = Some(reference);
        self.change_from_baseline_pct = percent_change(value, baseline);
        self.change_from_nadir_pct = percent_change(value, reference);
        self.change_from_nadir = Some(value - reference);
    }

    /// The category's code under this assessment's criterion.
    pub fn code(&self) -> &'static str {
        self.category.code(self.criterion)
    }
}

/// How responses are confirmed and stable disease qualifies for the best overall response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfirmationRules {
    /// A CR or PR counts only when a later assessment confirms it.
    pub require_confirmation: bool,
    /// The confirming assessment is at least this many days later (RECIST: 28).
    pub confirm_min_days: i64,
    /// Only the next assessment may confirm (ctDNA: "confirmed at the next sample").
    pub next_only: bool,
    /// SD counts as best response only at least this many days after baseline.
    pub stable_min_days: i64,
}

impl ConfirmationRules {
    /// RECIST 1.1 for non-randomised trials: confirmation ≥ 4 weeks later, SD ≥ 6 weeks.
    pub const RECIST: ConfirmationRules = ConfirmationRules {
        require_confirmation: true,
        confirm_min_days: 28,
        next_only: false,
        stable_min_days: 42,
    };
    /// ctDNA molecular response: confirmed by the next sample, whenever it is drawn.
    pub const CTDNA: ConfirmationRules = ConfirmationRules {
        require_confirmation: true,
        confirm_min_days: 0,
        next_only: true,
        stable_min_days: 0,
    };
    /// Best category without confirmation (PET criteria, which define none).
    pub const UNCONFIRMED: ConfirmationRules = ConfirmationRules {
        require_confirmation: false,
        confirm_min_days: 0,
        next_only: false,
        stable_min_days: 0,
    };
}

/// The best overall response of one criterion over a course.
#[derive(Debug, Clone, PartialEq)]
pub struct BestResponse {
    /// The best category (NE when nothing is evaluable).
    pub category: Category,
    /// The first visit that showed it.
    pub date: Option<NaiveDate>,
    /// The visit that confirmed it (CR and PR under confirmation).
    pub confirmed_on: Option<NaiveDate>,
    /// The first visit assessed as progression.
    pub progression_date: Option<NaiveDate>,
    /// One sentence saying why.
    pub reason: String,
    /// A response (its category and visit) that awaits confirmation: no evaluable
    /// assessment after it yet. The best response is then not that response, but may
    /// become it; a one-line summary must say so (the report's header, the UI).
    pub awaiting_confirmation: Option<(Category, NaiveDate)>,
}

impl BestResponse {
    /// The best response's code with a response awaiting confirmation: `SD (PR of
    /// 2024-03-25 awaits confirmation)`; the code alone otherwise.
    pub fn summary(&self, criterion: Criterion) -> String {
        let code = self.category.code(criterion);
        match self.awaiting_confirmation {
            Some((category, date)) => format!(
                "{code} ({} of {} awaits confirmation)",
                category.code(criterion),
                crate::model::date::format_date(date)
            ),
            None => code.to_string(),
        }
    }
}

/// The best overall response from a course of assessments (any order), after
/// Eisenhauer 2009 table 3: assessments after the first progression do not count;
/// a CR is confirmed by a later CR and a PR by a later PR or CR (no PD between,
/// NE allowed, at least `confirm_min_days` later); an unconfirmed response counts as
/// SD when it is `stable_min_days` after `baseline`; otherwise PD if progression was
/// seen, else NE.
pub fn best_response(
    assessments: &[Assessment],
    baseline: NaiveDate,
    rules: ConfirmationRules,
) -> BestResponse {
    let course = sorted_by_date(assessments, |a| a.date);
    let progression = course
        .iter()
        .position(|a| a.category == Category::Progressive);
    let before = &course[..progression.unwrap_or(course.len())];
    let progression_date = progression.map(|i| course[i].date);
    let confirmation = |i: usize, accept: &[Category]| -> Option<NaiveDate> {
        let later = course.iter().skip(i + 1);
        for a in later {
            if a.category == Category::Progressive {
                return None;
            }
            let old_enough = (a.date - course[i].date).num_days() >= rules.confirm_min_days;
            if old_enough && accept.contains(&a.category) {
                return Some(a.date);
            }
            if rules.next_only && a.category != Category::NotEvaluable {
                return None;
            }
        }
        None
    };
    let found = |wanted: Category, accept: &[Category]| {
        before.iter().enumerate().find_map(|(i, a)| {
            if !(a.category == wanted
                || (wanted == Category::Partial && a.category == Category::Complete))
            {
                return None;
            }
            if !rules.require_confirmation {
                return (a.category == wanted).then_some((a.date, None));
            }
            confirmation(i, accept).map(|on| (a.date, Some(on)))
        })
    };
    let name = |c: Category| {
        c.code(
            assessments
                .first()
                .map_or(Criterion::Recist, |a| a.criterion),
        )
    };
    let responses: [(Category, &[Category]); 2] = [
        (Category::Complete, &[Category::Complete]),
        (Category::Partial, &[Category::Partial, Category::Complete]),
    ];
    for (category, accept) in responses {
        if let Some((date, on)) = found(category, accept) {
            return BestResponse {
                category,
                date: Some(date),
                confirmed_on: on,
                progression_date,
                reason: confirmed_reason(name(category), date, on),
                awaiting_confirmation: None,
            };
        }
    }
    // A response that was not confirmed: said in the reason, so that "SD" does not
    // hide a PR that simply has no later scan yet.
    let first_unconfirmed = before
        .iter()
        .find(|a| rules.require_confirmation && a.category.is_response())
        .map(|a| {
            let pending = course
                .iter()
                .filter(|later| later.date > a.date)
                .all(|later| later.category == Category::NotEvaluable);
            (a, pending)
        });
    let awaiting_confirmation = first_unconfirmed
        .filter(|(_, pending)| *pending)
        .map(|(a, _)| (a.category, a.date));
    let unconfirmed = first_unconfirmed
        .map(|(a, pending)| {
            format!(
                "; {} on {} {}",
                a.code(),
                crate::model::date::format_date(a.date),
                if pending {
                    "awaits confirmation (no later evaluable assessment)"
                } else {
                    "was not confirmed"
                }
            )
        })
        .unwrap_or_default();
    let stable = before.iter().find(|a| {
        matches!(
            a.category,
            Category::Complete | Category::Partial | Category::Stable
        ) && (a.date - baseline).num_days() >= rules.stable_min_days
    });
    if let Some(a) = stable {
        return BestResponse {
            category: Category::Stable,
            date: Some(a.date),
            confirmed_on: None,
            progression_date,
            awaiting_confirmation,
            reason: format!(
                "{}: no confirmed response; {} on {} is at least {} days after baseline{unconfirmed}",
                name(Category::Stable),
                a.code(),
                crate::model::date::format_date(a.date),
                rules.stable_min_days
            ),
        };
    }
    match progression_date {
        Some(date) => BestResponse {
            category: Category::Progressive,
            date: Some(date),
            confirmed_on: None,
            progression_date,
            awaiting_confirmation,
            reason: format!(
                "{}: progression on {} before any qualifying response or stable disease{unconfirmed}",
                name(Category::Progressive),
                crate::model::date::format_date(date)
            ),
        },
        None => BestResponse {
            category: Category::NotEvaluable,
            date: None,
            confirmed_on: None,
            progression_date,
            awaiting_confirmation,
            reason: format!("NE: no evaluable assessment qualifies{unconfirmed}"),
        },
    }
}

fn confirmed_reason(code: &str, date: NaiveDate, on: Option<NaiveDate>) -> String {
    let first = crate::model::date::format_date(date);
    match on {
        Some(on) => format!(
            "{code} on {first}, confirmed on {}",
            crate::model::date::format_date(on)
        ),
        None => format!("{code} on {first}"),
    }
}

/// The criteria assessed unless the user chooses others.
pub const DEFAULT_CRITERIA: [Criterion; 5] = [
    Criterion::Recist,
    Criterion::Choi,
    Criterion::Percist,
    Criterion::Eortc,
    Criterion::Ctdna,
];

/// Everything the criteria read for one patient.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatientInputs {
    /// CT/MR lesion measurements (RECIST, Choi).
    pub lesions: recist::LesionSeries,
    /// PET uptake (PERCIST, EORTC).
    pub pet: percist::PetSeries,
    /// ctDNA samples (molecular response).
    pub ctdna: Vec<molecular::CtdnaSample>,
}

impl PatientInputs {
    /// The criteria's inputs from what the store holds: lesions and PET as read, the
    /// draws' caller rows merged ([`super::ctdna::merge_calls`]) and summarised over the
    /// tracked variants ([`super::ctdna::samples`]).
    pub fn from_record(record: &crate::model::ResponseRecord) -> PatientInputs {
        PatientInputs::with_draws(record, &super::ctdna::merge_calls(&record.draws))
    }

    /// As [`PatientInputs::from_record`], with the draws already merged.
    pub fn with_draws(
        record: &crate::model::ResponseRecord,
        draws: &[super::ctdna::Draw],
    ) -> PatientInputs {
        PatientInputs {
            lesions: record.lesions.clone(),
            pet: record.pet.clone(),
            ctdna: super::ctdna::samples(draws),
        }
    }
}

/// A patient's assessments by the chosen criteria, their discordances and best responses.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Every follow-up assessment, by date then criterion.
    pub assessments: Vec<Assessment>,
    /// Disagreements between criteria.
    pub discordances: Vec<discordance::Discordance>,
    /// Best overall response per criterion that has a baseline.
    pub best: Vec<(Criterion, BestResponse)>,
}

impl Report {
    /// Whether an assessment takes part in a discordance.
    pub fn is_discordant(&self, assessment: &Assessment) -> bool {
        self.discordances.iter().any(|d| d.involves(assessment))
    }

    /// The discordance messages concerning an assessment, joined by "; ".
    pub fn discordance_text(&self, assessment: &Assessment) -> String {
        self.discordances
            .iter()
            .filter(|d| d.involves(assessment))
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The best response by one criterion.
    pub fn best(&self, criterion: Criterion) -> Option<&BestResponse> {
        self.best
            .iter()
            .find(|(c, _)| *c == criterion)
            .map(|(_, b)| b)
    }
}

/// Assesses a patient by `criteria`, finds discordances and best responses (RECIST
/// and Choi with RECIST confirmation, ctDNA confirmed at the next sample, PET
/// criteria unconfirmed), with the default molecular thresholds.
pub fn assess_patient(inputs: &PatientInputs, criteria: &[Criterion]) -> Report {
    assess_patient_with(inputs, criteria, &molecular::Rules::default())
}

/// [`assess_patient`] with the thresholds of the molecular (ctDNA) criterion given.
pub fn assess_patient_with(
    inputs: &PatientInputs,
    criteria: &[Criterion],
    molecular_rules: &molecular::Rules,
) -> Report {
    let mut assessments = Vec::new();
    let mut best = Vec::new();
    let first_ct = inputs.lesions.visits.iter().map(|v| v.date).min();
    let first_pet = inputs.pet.visits.iter().map(|v| v.date).min();
    let first_blood = inputs.ctdna.iter().map(|s| s.date).min();
    for &criterion in criteria {
        let (list, baseline, rules) = match criterion {
            Criterion::Recist => (
                recist::assess(&inputs.lesions),
                first_ct,
                ConfirmationRules::RECIST,
            ),
            Criterion::Choi => (
                choi::assess(&inputs.lesions, choi::Variant::Original),
                first_ct,
                ConfirmationRules::RECIST,
            ),
            Criterion::ModifiedChoi => (
                choi::assess(&inputs.lesions, choi::Variant::Modified),
                first_ct,
                ConfirmationRules::RECIST,
            ),
            Criterion::Percist => (
                percist::assess(&inputs.pet),
                first_pet,
                ConfirmationRules::UNCONFIRMED,
            ),
            Criterion::Eortc => (
                eortc::assess(&inputs.pet),
                first_pet,
                ConfirmationRules::UNCONFIRMED,
            ),
            Criterion::Ctdna => (
                molecular::assess_with(&inputs.ctdna, molecular_rules),
                first_blood,
                ConfirmationRules::CTDNA,
            ),
        };
        if let (Some(baseline), false) = (baseline, list.is_empty()) {
            best.push((criterion, best_response(&list, baseline, rules)));
        }
        assessments.extend(list);
    }
    assessments.sort_by_key(|a| (a.date, a.criterion));
    let discordances = discordance::find(&assessments);
    Report {
        assessments,
        discordances,
        best,
    }
}

/// Relative change of `value` from `reference` in percent; `None` when the reference is 0.
pub(crate) fn percent_change(value: f64, reference: f64) -> Option<f64> {
    (reference != 0.0).then(|| (value - reference) / reference * 100.0)
}

/// The magnitudes of percent change at which some criterion changes category:
/// Choi size 10 %, Choi density and EORTC after one cycle 15 %, RECIST PD 20 %,
/// EORTC 25 %, RECIST PR and PERCIST 30 %, ctDNA 50 % (default), PERCIST TLG 75 %;
/// and 100 %, where a fall is a disappearance (-99.99 % is not "-100 %").
pub const PCT_THRESHOLDS: [f64; 8] = [10.0, 15.0, 20.0, 25.0, 30.0, 50.0, 75.0, 100.0];

/// How many decimals, at least `min`, `value` needs so that its rounded text lies
/// on the same side of every threshold in `thresholds` (compared by magnitude) as
/// the value itself: below, at (within 1e-9) or above.
///
/// A change of +19.96 % is not PD by RECIST, and printing it as "+20 %" beside "SD"
/// reads as a contradiction (or, in a CSV, as a PD missed); it is printed
/// "+19.96 %". A value far from every threshold keeps `min` decimals.
pub fn decimals_against(value: f64, min: usize, thresholds: &[f64]) -> usize {
    let side = |v: f64, t: f64| {
        let m = v.abs();
        if m < t - EPS {
            -1
        } else if m > t + EPS {
            1
        } else {
            0
        }
    };
    for decimals in min..=9 {
        let scale = 10f64.powi(decimals as i32);
        let rounded = (value * scale).round() / scale;
        if thresholds
            .iter()
            .all(|&t| side(value, t) == side(rounded, t))
        {
            return decimals;
        }
    }
    9.max(min)
}

/// [`decimals_against`] for a percent change and [`PCT_THRESHOLDS`].
pub fn pct_decimals(pct: f64, min: usize) -> usize {
    decimals_against(pct, min, &PCT_THRESHOLDS)
}

/// A signed percentage for reasons: "+23 %", "-31 %"; with more decimals when
/// rounding would put it on the other side of a threshold ("+19.96 %", not "+20 %").
pub(crate) fn signed_pct(pct: Option<f64>) -> String {
    signed_pct_against(pct, &PCT_THRESHOLDS)
}

/// [`signed_pct`] against the thresholds given (the criteria's and a user's own,
/// [`molecular::Rules::pct_thresholds`]).
pub(crate) fn signed_pct_against(pct: Option<f64>, thresholds: &[f64]) -> String {
    match pct {
        Some(p) => format!("{p:+.*} %", decimals_against(p, 0, thresholds)),
        None => "n/a".to_string(),
    }
}

/// A signed number for reasons with at most `decimals` decimals, or more when
/// rounding would put it on the other side of `threshold` (PERCIST's 0.8 SUL,
/// RECIST's 5 mm): "+0.79", not "+0.8".
pub(crate) fn signed_num_against(value: f64, decimals: usize, threshold: f64) -> String {
    signed_num(value, decimals_against(value, decimals, &[threshold]))
}

/// A number for reasons: at most `decimals` decimals, trailing zeros trimmed.
pub(crate) fn num(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A signed number for reasons: "+14", "-2.5".
pub(crate) fn signed_num(value: f64, decimals: usize) -> String {
    let text = num(value, decimals);
    if text.starts_with('-') || text == "0" {
        text
    } else {
        format!("+{text}")
    }
}

/// Sorts items by date and keeps the first of each date (inputs are sets of visits).
pub(crate) fn sorted_by_date<T: Clone>(items: &[T], date: impl Fn(&T) -> NaiveDate) -> Vec<T> {
    let mut sorted = items.to_vec();
    sorted.sort_by_key(|item| date(item));
    sorted.dedup_by_key(|item| date(item));
    sorted
}

#[cfg(test)]
pub(crate) mod test_util {
    use chrono::NaiveDate;

    /// A date from `YYYY-MM-DD` for tests.
    pub fn d(text: &str) -> NaiveDate {
        crate::model::parse_date(text).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metabolic_criteria_use_cmr_pmr_smd_pmd_codes() {
        let table = [
            (Category::Complete, Criterion::Recist, "CR"),
            (Category::Partial, Criterion::Choi, "PR"),
            (Category::Stable, Criterion::Ctdna, "SD"),
            (Category::Progressive, Criterion::Recist, "PD"),
            (Category::Complete, Criterion::Percist, "CMR"),
            (Category::Partial, Criterion::Eortc, "PMR"),
            (Category::Stable, Criterion::Percist, "SMD"),
            (Category::Progressive, Criterion::Percist, "PMD"),
            (Category::NotEvaluable, Criterion::Percist, "NE"),
        ];
        for (category, criterion, code) in table {
            assert_eq!(category.code(criterion), code);
        }
    }

    #[test]
    fn criterion_names_round_trip_and_unknown_names_are_rejected() {
        for c in Criterion::ALL {
            assert_eq!(c.name().parse::<Criterion>().unwrap(), c);
        }
        assert!("recist1.0".parse::<Criterion>().is_err());
    }

    fn course(codes: &[(&str, Category)]) -> Vec<Assessment> {
        codes
            .iter()
            .map(|(date, c)| {
                Assessment::new(test_util::d(date), Criterion::Recist, *c, String::new())
            })
            .collect()
    }

    #[test]
    fn best_response_recist_needs_confirmation_at_4_weeks() {
        use Category::*;
        let baseline = test_util::d("2024-01-01");
        let table: [(&[(&str, Category)], Category); 9] = [
            (&[("2024-02-12", Partial), ("2024-03-25", Partial)], Partial),
            (
                &[("2024-02-12", Complete), ("2024-03-25", Complete)],
                Complete,
            ),
            // CR then PR: a PR confirmed
            (
                &[("2024-02-12", Complete), ("2024-03-25", Partial)],
                Partial,
            ),
            // confirmation less than 28 days later does not count
            (&[("2024-02-12", Partial), ("2024-03-01", Partial)], Stable),
            // PR, NE, PR: NE between is allowed
            (
                &[
                    ("2024-02-12", Partial),
                    ("2024-03-25", NotEvaluable),
                    ("2024-05-06", Partial),
                ],
                Partial,
            ),
            // PR then PD: SD when 6 weeks after baseline
            (
                &[("2024-02-12", Partial), ("2024-03-25", Progressive)],
                Stable,
            ),
            // SD too early, then PD: PD
            (
                &[("2024-01-20", Stable), ("2024-03-25", Progressive)],
                Progressive,
            ),
            // nothing evaluable
            (&[("2024-02-12", NotEvaluable)], NotEvaluable),
            // responses after progression do not count
            (
                &[
                    ("2024-02-12", Progressive),
                    ("2024-03-25", Partial),
                    ("2024-05-06", Partial),
                ],
                Progressive,
            ),
        ];
        for (codes, expected) in table {
            let best = best_response(&course(codes), baseline, ConfirmationRules::RECIST);
            assert_eq!(best.category, expected, "{codes:?}: {}", best.reason);
        }
    }

    #[test]
    fn best_response_says_when_a_response_awaits_or_lacked_confirmation() {
        use Category::*;
        let baseline = test_util::d("2024-01-01");
        let best = |codes: &[(&str, Category)]| {
            best_response(&course(codes), baseline, ConfirmationRules::RECIST)
        };
        // The latest scan is a PR: SD by the rules, and the reason says the PR waits.
        let b = best(&[("2024-02-12", Stable), ("2024-03-25", Partial)]);
        assert_eq!(b.category, Stable);
        assert!(
            b.reason.ends_with(
                "; PR on 2024-03-25 awaits confirmation (no later evaluable assessment)"
            ),
            "{}",
            b.reason
        );
        assert_eq!(
            b.awaiting_confirmation,
            Some((Partial, test_util::d("2024-03-25")))
        );
        assert_eq!(
            b.summary(Criterion::Recist),
            "SD (PR of 2024-03-25 awaits confirmation)"
        );
        // Only NE after it: still waiting.
        let b = best(&[("2024-02-12", Partial), ("2024-03-25", NotEvaluable)]);
        assert!(
            b.reason.contains("PR on 2024-02-12 awaits confirmation"),
            "{}",
            b.reason
        );
        // An SD or PD after it: not confirmed.
        let b = best(&[("2024-02-12", Partial), ("2024-03-25", Stable)]);
        assert!(
            b.reason.ends_with("; PR on 2024-02-12 was not confirmed"),
            "{}",
            b.reason
        );
        assert_eq!(b.awaiting_confirmation, None);
        assert_eq!(b.summary(Criterion::Recist), "SD");
        // Confirmed: nothing added; unconfirmed rules (PET) say nothing.
        let b = best(&[("2024-02-12", Partial), ("2024-03-25", Partial)]);
        assert_eq!(b.reason, "PR on 2024-02-12, confirmed on 2024-03-25");
        let b = best_response(
            &course(&[("2024-02-12", Stable), ("2024-03-25", Partial)]),
            baseline,
            ConfirmationRules::UNCONFIRMED,
        );
        assert!(!b.reason.contains("confirmation"), "{}", b.reason);
    }

    #[test]
    fn best_response_reports_first_progression_date() {
        use Category::*;
        let best = best_response(
            &course(&[
                ("2024-03-25", Progressive),
                ("2024-02-12", Stable),
                ("2024-05-01", Progressive),
            ]),
            test_util::d("2024-01-01"),
            ConfirmationRules::RECIST,
        );
        assert_eq!(best.category, Stable);
        assert_eq!(best.progression_date, Some(test_util::d("2024-03-25")));
    }

    #[test]
    fn numbers_in_reasons_drop_trailing_zeros() {
        assert_eq!(num(74.0, 1), "74");
        assert_eq!(num(2.35, 2), "2.35");
        assert_eq!(signed_pct(Some(23.33)), "+23 %");
        assert_eq!(signed_pct(Some(-30.0)), "-30 %");
    }

    #[test]
    fn a_change_near_a_threshold_is_not_rounded_onto_or_across_it() {
        let table = [
            // (value, text): RECIST PD 20 %, PR 30 %, Choi 10 % and 15 %, EORTC 25 %
            (19.96, "+19.96 %"),
            (19.6, "+19.6 %"),
            (-29.96, "-29.96 %"),
            (-9.96, "-9.96 %"),
            (-14.9, "-14.9 %"),
            (30.04, "+30.04 %"),
            (25.4, "+25.4 %"),
            (19.999_999, "+19.999999 %"),
            // at the threshold (within 1e-9), or far from every one: whole percent
            (20.000_000_000_000_004, "+20 %"),
            (-30.0, "-30 %"),
            (23.33, "+23 %"),
            (813.2, "+813 %"),
            (0.4, "+0 %"),
            // a fall short of a disappearance
            (-99.987, "-99.99 %"),
            (-100.0, "-100 %"),
        ];
        for (value, text) in table {
            assert_eq!(signed_pct(Some(value)), text, "{value}");
        }
        assert_eq!(signed_num_against(0.795, 2, 0.8), "+0.795");
        assert_eq!(signed_num_against(-0.76, 2, 0.8), "-0.76");
        assert_eq!(signed_num_against(4.96, 1, 5.0), "+4.96");
        assert_eq!(signed_num_against(48.1, 1, 5.0), "+48.1");
    }
}
