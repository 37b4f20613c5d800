//! What a patient's one-page report shows, gathered through the store's readers (patient, events, timeline, `PatientRecord`, cluster runs, courses) and computed by `analysis`; no drawing here.

use crate::analysis::ctdna;
use crate::analysis::response::discordance::Kind;
use crate::analysis::response::percist::sul_factor;
use crate::analysis::response::{DEFAULT_CRITERIA, assess_patient};
use crate::analysis::series::{self, Series, SeriesInputs};
use crate::analysis::survival::{self, Endpoint, GroupComparison, KaplanMeier, Subject};
use crate::error::Result;
use crate::model::{Censor, Course, EventKind, MrdDecision, PatientRecord};
use crate::store::Store;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// One value at one date; `censored` when below the limit of detection (the value is
/// then the limit).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    /// When.
    pub date: NaiveDate,
    /// The value, or the limit of a censored value.
    pub value: f64,
    /// Below the limit of detection (or quantification).
    pub censored: bool,
}

/// A named series of values.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// Its name (variant label, analyte, PET measure).
    pub name: String,
    /// Its values in date order.
    pub values: Vec<Value>,
}

/// One blood draw on the ctDNA chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawMark {
    /// Date of the draw.
    pub date: NaiveDate,
    /// The limit of detection as a VAF (mean of 1 / depth over the tracked variants).
    pub lod: Option<f64>,
    /// The tumour-informed MRD decision, when a test was made.
    pub mrd: Option<MrdDecision>,
}

/// One row of the response table.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseLine {
    /// Visit date.
    pub date: NaiveDate,
    /// Criterion name.
    pub criterion: &'static str,
    /// Category code (CR, PR, SD, PD, NE; PMR … for PERCIST).
    pub category: &'static str,
    /// The one-sentence reason.
    pub reason: String,
    /// The discordances this assessment takes part in ("" when none).
    pub discordance: String,
}

/// The patient's endotype and the Kaplan–Meier curve of its cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct Endotype {
    /// The cluster run's name.
    pub run: String,
    /// The patient's cluster in it.
    pub cluster: usize,
    /// Overall survival of the cluster (days from diagnosis).
    pub curve: KaplanMeier,
    /// The cluster's subjects (for censor marks and numbers at risk).
    pub subjects: Vec<Subject>,
    /// The patient's own follow-up, when it has one.
    pub patient: Option<Subject>,
    /// Log-rank p over the run's clusters.
    pub logrank_p: Option<f64>,
    /// Its caution when groups are tiny or events few (`LogRank::caution_brief`).
    pub logrank_caution: Option<&'static str>,
}

/// Everything a patient's report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientReport {
    /// Patient code.
    pub code: String,
    /// Diagnosis text.
    pub diagnosis: String,
    /// Sex, as stored.
    pub sex: Option<String>,
    /// Age at the index date (years, from the birth year).
    pub age_at_diagnosis: Option<i32>,
    /// Treating centre.
    pub site: Option<String>,
    /// Primary tumour site.
    pub primary_site: Option<String>,
    /// Index date (diagnosis, else first treatment start).
    pub index_date: Option<NaiveDate>,
    /// The report shows what was known on this date (`--at`), when given.
    pub at: Option<NaiveDate>,
    /// Date of death.
    pub death: Option<NaiveDate>,
    /// The last date anything was recorded (last contact).
    pub last_contact: Option<NaiveDate>,
    /// Clinical events in date order: (date, kind, detail).
    pub events: Vec<(NaiveDate, EventKind, String)>,
    /// Every dated item of the timeline: (date, category, item).
    pub timeline: Vec<(NaiveDate, String, String)>,
    /// ctDNA mean VAF per draw (censored at the limit when nothing was detected).
    pub mean_vaf: Vec<Value>,
    /// Each tracked variant's VAF (censored at 1 / depth where not detected).
    pub variants: Vec<Named>,
    /// Each draw's limit of detection and MRD decision.
    pub draws: Vec<DrawMark>,
    /// RECIST sum of target diameters (mm) per scan.
    pub recist_sum: Vec<Value>,
    /// PET per scan: SUVmax, SULpeak (SUVpeak × lean-body-mass factor) and TLG.
    pub pet: Vec<Named>,
    /// Each analyte's values (pg/mL) in date order.
    pub cytokines: Vec<Named>,
    /// The response table.
    pub responses: Vec<ResponseLine>,
    /// Best overall response per criterion: (criterion, category with a response
    /// awaiting confirmation when there is one, [`BestResponse::summary`], date).
    ///
    /// [`BestResponse::summary`]: crate::analysis::response::BestResponse::summary
    pub best: Vec<(&'static str, String, Option<NaiveDate>)>,
    /// Days by which ctDNA progression preceded RECIST progression.
    pub lead_days: Option<i64>,
    /// The endotype and its survival curve.
    pub endotype: Option<Endotype>,
}

impl PatientReport {
    /// The first and last date the time charts span: index date (or first item) to
    /// death, last contact or the `--at` date.
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let mut dates = self
            .timeline
            .iter()
            .map(|t| t.0)
            .chain(self.index_date)
            .chain(self.death)
            .chain(self.last_contact);
        let first = dates.next()?;
        let (lo, hi) = dates.fold((first, first), |(lo, hi), d| (lo.min(d), hi.max(d)));
        Some((lo, hi))
    }
}

/// What every report of one database shares, read once: the newest cluster run's
/// assignments, survival by cluster and the courses (a board of 50 patients reads them
/// once, not 50 times).
#[derive(Debug, Clone, Default)]
pub struct Context {
    run: Option<String>,
    cluster_of: HashMap<String, usize>,
    comparison: Option<GroupComparison<usize>>,
    subjects: BTreeMap<usize, Vec<Subject>>,
    courses: HashMap<String, Course>,
}

impl Context {
    /// Reads the newest cluster run and survival by its clusters.
    ///
    /// # Errors
    /// When the store cannot be read.
    pub fn load(store: &Store) -> Result<Context> {
        let courses = store.courses()?;
        let run = store
            .analysis_runs()?
            .into_iter()
            .find(|r| r.kind == "cluster")
            .map(|r| r.name);
        let mut context = Context {
            run: run.clone(),
            ..Context::default()
        };
        if let Some(run) = &run {
            let assignments = store.cluster_assignments(run)?;
            context.cluster_of = assignments
                .iter()
                .map(|a| (a.patient.clone(), a.cluster))
                .collect();
            if let Ok((comparison, _)) =
                survival::by_cluster(&courses, &assignments, Endpoint::Overall, false)
            {
                context.comparison = Some(comparison);
            }
            // The same subjects by_cluster fits, for censor marks and numbers at risk.
            let (subjects, _) = survival::group_subjects(
                courses.iter().filter_map(|c| {
                    let cluster = *context.cluster_of.get(&c.patient)?;
                    Some((c.patient.clone(), cluster, c.dates(false)))
                }),
                Endpoint::Overall,
            );
            context.subjects = subjects;
        }
        context.courses = courses
            .into_iter()
            .map(|c| (c.patient.clone(), c))
            .collect();
        Ok(context)
    }

    /// The patient's endotype; with `at`, their follow-up as known on that date (death
    /// after it not yet an event, the time cut at it).
    fn endotype(&self, code: &str, at: Option<NaiveDate>) -> Option<Endotype> {
        let run = self.run.clone()?;
        let cluster = *self.cluster_of.get(code)?;
        let comparison = self.comparison.as_ref()?;
        let curve = comparison.curve(&cluster)?.clone();
        let patient = self.courses.get(code).and_then(|c| {
            let mut dates = c.dates(false);
            if let Some(at) = at {
                dates.death = dates.death.filter(|d| *d <= at);
                dates.progression = dates.progression.filter(|d| *d <= at);
                dates.last_follow_up = dates.last_follow_up.map(|d| d.min(at));
            }
            survival::endpoint_subject(&dates, Endpoint::Overall).ok()
        });
        Some(Endotype {
            run,
            cluster,
            curve,
            subjects: self.subjects.get(&cluster).cloned().unwrap_or_default(),
            patient,
            logrank_p: comparison.logrank.map(|l| l.p),
            logrank_caution: comparison.logrank.and_then(|l| l.caution_brief()),
        })
    }
}

/// Keeps only what was known on `at`: every dated item up to and including it.
fn truncate(record: &mut PatientRecord, at: NaiveDate) {
    let response = &mut record.response;
    response.lesions.visits.retain(|v| v.date <= at);
    response.pet.visits.retain(|v| v.date <= at);
    response.draws.retain(|d| d.date <= at);
    record.pet_mtv.retain(|d, _| *d <= at);
    for points in record.cytokines.values_mut() {
        points.retain(|p| p.date <= at);
    }
    record.cytokines.retain(|_, p| !p.is_empty());
}

fn values(points: &[crate::model::Point]) -> Vec<Value> {
    points
        .iter()
        .map(|p| Value {
            date: p.date,
            value: p.value,
            censored: p.censor != Censor::None,
        })
        .collect()
}

/// Gathers a patient's report through the store's readers, as known on `at` when
/// given (the cohort's survival curve is the whole database's).
///
/// # Errors
/// [`crate::Error::UnknownPatient`] when there is no such patient; store failures.
pub fn gather(
    store: &Store,
    context: &Context,
    code: &str,
    at: Option<NaiveDate>,
) -> Result<PatientReport> {
    let patient = store.patient(code)?;
    let known = |date: &NaiveDate| at.is_none_or(|at| *date <= at);
    let events: Vec<(NaiveDate, EventKind, String)> = store
        .events(code)?
        .into_iter()
        .filter(|e| known(&e.date))
        .map(|e| (e.date, e.kind, e.detail))
        .collect();
    let timeline: Vec<(NaiveDate, String, String)> = store
        .timeline(code)?
        .into_iter()
        .filter(|t| known(&t.date))
        .map(|t| (t.date, t.category, t.item))
        .collect();
    let mut record = store.patient_record(code)?;
    if let Some(at) = at {
        truncate(&mut record, at);
    }
    let inputs = SeriesInputs::from_record(record);

    let mean_vaf = values(&series::points(&Series::CtdnaMeanVaf, &inputs));
    let variants = variant_series(&inputs.draws);
    let draws = inputs
        .response
        .ctdna
        .iter()
        .map(|s| DrawMark {
            date: s.date,
            lod: s.detection_limit,
            mrd: s.mrd,
        })
        .collect();
    let recist_sum = values(&series::points(&Series::RecistSum, &inputs));
    let pet = pet_series(&inputs);
    // One row per analyte and assay; the assay is named only when there are several.
    let several_assays = inputs
        .cytokines
        .keys()
        .map(|(_, assay)| assay)
        .collect::<std::collections::BTreeSet<_>>()
        .len()
        > 1;
    let cytokines = inputs
        .cytokines
        .iter()
        .map(|((analyte, assay), points)| Named {
            name: if several_assays && !assay.is_empty() {
                format!("{analyte} @ {assay}")
            } else {
                analyte.clone()
            },
            values: values(points),
        })
        .collect();

    let report = assess_patient(&inputs.response, &DEFAULT_CRITERIA);
    let responses = report
        .assessments
        .iter()
        .map(|a| ResponseLine {
            date: a.date,
            criterion: a.criterion.name(),
            category: a.code(),
            reason: a.reason.clone(),
            discordance: report.discordance_text(a),
        })
        .collect();
    let best = report
        .best
        .iter()
        .map(|(c, b)| (c.name(), b.summary(*c), b.date))
        .collect();
    let lead_days = report
        .discordances
        .iter()
        .find(|d| d.kind == Kind::MolecularLead)
        .and_then(|d| d.lead_time_days);
    let death = events.iter().find(|e| e.1 == EventKind::Death).map(|e| e.0);
    let last_contact = timeline
        .iter()
        .map(|t| t.0)
        .chain(events.iter().map(|e| e.0))
        .max();
    let fields = patient.fields;
    Ok(PatientReport {
        age_at_diagnosis: fields
            .birth_year
            .zip(patient.index_date)
            .map(|(born, index)| index.year() - born),
        code: fields.code,
        diagnosis: fields.diagnosis,
        sex: fields.sex.map(|s| s.to_string()),
        site: fields.site,
        primary_site: fields.primary_site,
        index_date: patient.index_date,
        at,
        death,
        last_contact,
        events,
        timeline,
        mean_vaf,
        variants,
        draws,
        recist_sum,
        pet,
        cytokines,
        responses,
        best,
        lead_days,
        endotype: context.endotype(code, at),
    })
}

/// One series per tracked variant: its VAF where detected, its limit (1 / depth) as a
/// censored value where not; a draw with an unknown depth is left out of that variant.
fn variant_series(draws: &[ctdna::Draw]) -> Vec<Named> {
    let mut series: Vec<Named> = Vec::new();
    for draw in draws {
        for observation in &draw.tracked {
            let value = match (observation.detected, observation.vaf, observation.depth) {
                (true, Some(vaf), _) => Value {
                    date: draw.date,
                    value: vaf,
                    censored: false,
                },
                (false, _, Some(depth)) if depth > 0 => Value {
                    date: draw.date,
                    value: 1.0 / depth as f64,
                    censored: true,
                },
                _ => continue,
            };
            match series.iter_mut().find(|s| s.name == observation.variant) {
                Some(existing) => existing.values.push(value),
                None => series.push(Named {
                    name: observation.variant.clone(),
                    values: vec![value],
                }),
            }
        }
    }
    series
}

/// SUVmax of the hottest lesion, SULpeak (the highest SUVpeak times the lean-body-mass
/// factor, PERCIST; SUVpeak when weight, height or sex is unknown) and TLG summed.
fn pet_series(inputs: &SeriesInputs) -> Vec<Named> {
    let pet = &inputs.response.pet;
    let mut visits: Vec<_> = pet.visits.iter().collect();
    visits.sort_by_key(|v| v.date);
    let max = |it: &mut dyn Iterator<Item = f64>| {
        it.fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
    };
    let mut suv_max = Vec::new();
    let mut sul_peak = Vec::new();
    let mut tlg = Vec::new();
    for visit in visits {
        let value = |v| Value {
            date: visit.date,
            value: v,
            censored: false,
        };
        if let Some(v) = max(&mut visit.lesions.iter().filter_map(|l| l.suv_max)) {
            suv_max.push(value(v));
        }
        if let Some(v) = max(&mut visit.lesions.iter().filter_map(|l| l.suv_peak)) {
            let factor = sul_factor(visit.weight_kg, pet.height_cm, pet.sex).unwrap_or(1.0);
            sul_peak.push(value(v * factor));
        }
        let sum: Vec<f64> = visit.lesions.iter().filter_map(|l| l.tlg).collect();
        if !sum.is_empty() {
            tlg.push(value(sum.iter().sum()));
        }
    }
    [("SUVmax", suv_max), ("SULpeak", sul_peak), ("TLG", tlg)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(name, values)| Named {
            name: name.to_string(),
            values,
        })
        .collect()
}
