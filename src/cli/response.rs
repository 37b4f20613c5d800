//! `oncotrack response ID`: one row per follow-up visit and criterion, with the numbers and a one-sentence reason.

use super::output::{Listing, date, opt};
use super::{Format, open_read};
use oncotrack::analysis::response::{
    Assessment, Criterion, PCT_THRESHOLDS, PatientInputs, Report, assess_patient_with,
    decimals_against,
};
use oncotrack::model::date::format_date;
use serde_json::Value;
use std::path::Path;

pub use oncotrack::analysis::response::DEFAULT_CRITERIA;

/// Arguments of `response`.
#[derive(Debug, clap::Args)]
pub struct ResponseArgs {
    /// Patient identifier
    pub id: String,
    /// Criteria, comma-separated: recist, choi, mchoi (modified Choi), percist, eortc, ctdna
    /// [default: recist,choi,percist,eortc,ctdna]
    #[arg(long, value_delimiter = ',', value_parser = parse_criterion)]
    pub criteria: Vec<Criterion>,
    /// List the best overall response per criterion instead of every visit
    #[arg(long)]
    pub best: bool,
    #[command(flatten)]
    pub molecular: super::ctdna::MolecularArgs,
    /// Without calendar dates (days since the index date), free text and computed
    /// explanations (they quote dates)
    #[command(flatten)]
    pub deidentify: super::export::DeidentifyArgs,
}

/// Parses a criterion name for clap.
pub fn parse_criterion(text: &str) -> Result<Criterion, String> {
    text.parse()
}

/// Prints the assessments (keys: date, criterion, category, value, unit, baseline, nadir,
/// change_from_baseline_pct, change_from_nadir_pct, change_from_nadir,
/// secondary_change_pct, discordant, discordance, reason, flags), or with `--best`
/// the best responses (keys: criterion, category, date, confirmed_on, progression_date, reason).
pub fn run(db: &Path, format: Format, args: ResponseArgs) -> anyhow::Result<()> {
    let store = open_read(db)?;
    let private = super::private::Private::load(&args.deidentify, &store)?;
    let criteria = if args.criteria.is_empty() {
        DEFAULT_CRITERIA.to_vec()
    } else {
        args.criteria
    };
    let inputs = PatientInputs::from_record(&store.response_record(&args.id)?);
    let rules = args.molecular.rules();
    let report = assess_patient_with(&inputs, &criteria, &rules);
    if report.assessments.is_empty() {
        // An empty table looks like "no data"; say what there is (dates are left out when
        // de-identified).
        eprintln!("{}", nothing_to_assess(&inputs, private.is_none()));
    }
    let (listing, dates, drop): (Listing, &[&str], &[&str]) = if args.best {
        (
            best_listing(&report),
            &["date", "confirmed_on", "progression_date"],
            &["reason"],
        )
    } else {
        (
            visit_listing(&report, &rules),
            &["date"],
            &["discordance", "reason", "flags"],
        )
    };
    super::private::for_patient(private.as_ref(), &args.id, listing, dates, drop).print(format)
}

/// Why a patient has no assessment: how many scans and draws of each kind there are
/// (a baseline alone gives nothing to compare), on standard error.
fn nothing_to_assess(inputs: &PatientInputs, with_dates: bool) -> String {
    let kind = |name: &str, mut dates: Vec<chrono::NaiveDate>| -> String {
        dates.sort();
        dates.dedup();
        match (dates.len(), dates.first()) {
            (0, _) | (_, None) => format!("{name}: none"),
            (1, Some(first)) if with_dates => {
                format!("{name}: the baseline only ({})", format_date(*first))
            }
            (1, _) => format!("{name}: the baseline only"),
            (n, _) => format!("{name}: {n}"),
        }
    };
    format!(
        "nothing to assess by these criteria (a baseline alone has nothing to compare): {}; {}; {}",
        kind(
            "CT/MR scans",
            inputs.lesions.visits.iter().map(|v| v.date).collect()
        ),
        kind(
            "PET scans",
            inputs.pet.visits.iter().map(|v| v.date).collect()
        ),
        kind("blood draws", inputs.ctdna.iter().map(|s| s.date).collect())
    )
}

/// A number rounded to `decimals` for listings.
pub fn rounded(value: Option<f64>, decimals: i32) -> Value {
    let scale = 10f64.powi(decimals);
    opt(value
        .filter(|v| v.is_finite())
        .map(|v| (v * scale).round() / scale))
}

/// A value rounded to 4 decimals, or to 3 significant digits when smaller than 0.01:
/// a detected mean VAF of 0.00004 (4 reads in 100,000) rounded to 4 decimals read 0,
/// the value of a clearance.
pub fn rounded_value(value: Option<f64>) -> Value {
    match value {
        Some(v) if v != 0.0 && v.abs() < 0.01 => {
            let digits = 2 - v.abs().log10().floor() as i32;
            rounded(Some(v), digits)
        }
        other => rounded(other, 4),
    }
}

/// A percent change rounded to one decimal, or to as many as it takes not to land
/// on or across a criterion's threshold (19.96, not 20.0, beside an SD).
/// The thresholds are the criteria's ([`PCT_THRESHOLDS`]) and those the user set
/// (`--ctdna-fall 40` makes 40 % one: -39.996 is not printed -40.0 beside SD).
pub fn rounded_pct_against(value: Option<f64>, thresholds: &[f64]) -> Value {
    let decimals = value.map_or(1, |v| decimals_against(v, 1, thresholds));
    rounded(value, i32::try_from(decimals).unwrap_or(9))
}

/// The unit of an assessment's value, baseline, nadir and absolute change: a bare
/// 0.0248 beside "mean VAF 2.478 %" or 3.2955 beside 131.5 reads as the same kind of
/// number.
fn unit(a: &Assessment) -> &'static str {
    match a.criterion {
        Criterion::Recist | Criterion::Choi | Criterion::ModifiedChoi => "mm",
        Criterion::Percist if a.flags.iter().any(|f| f.starts_with("SUVpeak used")) => "SUV",
        Criterion::Percist => "SUL",
        Criterion::Eortc => "SUV",
        Criterion::Ctdna => "VAF fraction",
    }
}

fn visit_listing(
    report: &Report,
    rules: &oncotrack::analysis::response::molecular::Rules,
) -> Listing {
    let ctdna_thresholds = rules.pct_thresholds();
    let mut listing = Listing::new(&[
        "date",
        "criterion",
        "category",
        "value",
        "unit",
        "baseline",
        "nadir",
        "change_from_baseline_pct",
        "change_from_nadir_pct",
        "change_from_nadir",
        "secondary_change_pct",
        "discordant",
        "discordance",
        "reason",
        "flags",
    ]);
    for a in &report.assessments {
        let thresholds: &[f64] = match a.criterion {
            Criterion::Ctdna => &ctdna_thresholds,
            _ => &PCT_THRESHOLDS,
        };
        let pct = |value: Option<f64>| rounded_pct_against(value, thresholds);
        listing.push(vec![
            format_date(a.date).into(),
            a.criterion.name().into(),
            a.code().into(),
            rounded_value(a.value),
            opt(a.value.map(|_| unit(a))),
            rounded_value(a.baseline),
            rounded_value(a.nadir),
            pct(a.change_from_baseline_pct),
            pct(a.change_from_nadir_pct),
            rounded_value(a.change_from_nadir),
            pct(a.secondary_change_pct),
            report.is_discordant(a).into(),
            report.discordance_text(a).into(),
            a.reason.clone().into(),
            a.flags.join("; ").into(),
        ]);
    }
    listing
}

fn best_listing(report: &Report) -> Listing {
    let mut listing = Listing::new(&[
        "criterion",
        "category",
        "date",
        "confirmed_on",
        "progression_date",
        "reason",
    ]);
    for (criterion, best) in &report.best {
        listing.push(vec![
            criterion.name().into(),
            best.category.code(*criterion).into(),
            date(best.date),
            date(best.confirmed_on),
            date(best.progression_date),
            best.reason.clone().into(),
        ]);
    }
    listing
}
