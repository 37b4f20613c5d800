//! `oncotrack cohort response`: one row per patient with the best (or last) response by each criterion.

use super::export::DeidentifyArgs;
use super::output::{Listing, date, opt};
use super::private::{Private, maybe};
use super::response::DEFAULT_CRITERIA;
use super::{Format, open_read};
use clap::Subcommand;
use oncotrack::analysis::response::discordance::{Kind, with_recist_letters};
use oncotrack::analysis::response::{Criterion, PatientInputs, assess_patient_with};
use oncotrack::model::date::format_date;
use std::path::Path;

/// Which response per criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum At {
    /// Best overall response (RECIST confirmation rules; ctDNA confirmed at the next sample)
    Best,
    /// The last assessment
    Last,
}

/// Cohort commands.
#[derive(Debug, Subcommand)]
pub enum CohortCommand {
    /// One row per patient (keys: patient, then per criterion CRITERION and
    /// CRITERION_date, then recist_progression_date, ctdna_lead_days, discordant_visits,
    /// best_response, best_response_date, latest_response, latest_response_date,
    /// discordance, mrd_status, mrd_date, last_contact, days_since_last_contact,
    /// awaiting_confirmation: the responses that await confirmation, `ctdna PR of
    /// 2024-08-21`, `; `-separated; dropped when de-identified)
    Response {
        /// Best overall or last response
        #[arg(long, value_enum, default_value_t = At::Best)]
        at: At,
        #[command(flatten)]
        molecular: super::ctdna::MolecularArgs,
        #[command(flatten)]
        deidentify: DeidentifyArgs,
    },
    /// The patients marked for the next tumour board (`m` in the terminal UI), with
    /// the day each was marked (keys: patient, diagnosis, marked_on)
    Board {
        #[command(flatten)]
        deidentify: DeidentifyArgs,
    },
}

/// Runs a cohort command.
pub fn run(db: &Path, format: Format, command: CohortCommand) -> anyhow::Result<()> {
    let store = open_read(db)?;
    let (at, molecular, deidentify) = match command {
        CohortCommand::Response {
            at,
            molecular,
            deidentify,
        } => (at, molecular.rules(), deidentify),
        CohortCommand::Board { deidentify } => {
            let private = Private::load(&deidentify, &store)?;
            let diagnoses: std::collections::HashMap<String, String> = store
                .patients()?
                .into_iter()
                .map(|p| (p.fields.code, p.fields.diagnosis))
                .collect();
            let mut listing = Listing::new(&["patient", "diagnosis", "marked_on"]);
            for (code, day) in store.board_marks()? {
                let diagnosis = diagnoses.get(&code).cloned().unwrap_or_default();
                listing.push(vec![code.into(), diagnosis.into(), format_date(day).into()]);
            }
            return maybe(private.as_ref(), listing, "patient", &["marked_on"], &[]).print(format);
        }
    };
    let mut columns = vec!["patient"];
    for criterion in DEFAULT_CRITERIA {
        columns.push(criterion.name());
        columns.push(date_column(criterion));
    }
    columns.extend([
        "recist_progression_date",
        "ctdna_lead_days",
        "discordant_visits",
        "best_response",
        "best_response_date",
        "latest_response",
        "latest_response_date",
        "discordance",
        "mrd_status",
        "mrd_date",
        "last_contact",
        "days_since_last_contact",
        "awaiting_confirmation",
    ]);
    let private = Private::load(&deidentify, &store)?;
    // The last contact is the latest date of anything recorded (event, draw, panel,
    // scan); days since it count to the newest such date in the database, not to today
    // (an old export does not make every patient look lost), and only for the living.
    let patients = store.patients()?;
    // One query for every patient's last contact and death (the cohort screen's).
    let contacts: std::collections::HashMap<String, (Option<chrono::NaiveDate>, bool)> = store
        .overview()?
        .into_iter()
        .map(|row| (row.code, (row.last_visit, row.death_date.is_some())))
        .collect();
    let cutoff = contacts.values().filter_map(|(d, _)| *d).max();
    let mut listing = Listing::new(&columns);
    for patient in &patients {
        let code = &patient.fields.code;
        let inputs = PatientInputs::from_record(&store.response_record(code)?);
        let report = assess_patient_with(&inputs, &DEFAULT_CRITERIA, &molecular);
        let mut row = vec![code.clone().into()];
        for criterion in DEFAULT_CRITERIA {
            let (category, when) = match at {
                At::Best => report
                    .best(criterion)
                    .map(|b| (b.category.code(criterion), b.date))
                    .unzip(),
                At::Last => report
                    .assessments
                    .iter()
                    .rev()
                    .find(|a| a.criterion == criterion)
                    .map(|a| (a.code(), Some(a.date)))
                    .unzip(),
            };
            row.push(opt(category));
            row.push(date(when.flatten()));
        }
        row.push(opt(report
            .best(Criterion::Recist)
            .and_then(|b| b.progression_date)
            .map(format_date)));
        row.push(opt(report
            .discordances
            .iter()
            .find(|d| d.kind == Kind::MolecularLead)
            .and_then(|d| d.lead_time_days)));
        let discordant = report
            .assessments
            .iter()
            .filter(|a| report.is_discordant(a))
            .count();
        row.push(discordant.into());
        let best = report.best(Criterion::Recist);
        row.push(opt(best.map(|b| b.category.code(Criterion::Recist))));
        row.push(date(best.and_then(|b| b.date)));
        let latest = report
            .assessments
            .iter()
            .rev()
            .find(|a| a.criterion == Criterion::Recist);
        row.push(opt(latest.map(|a| a.code())));
        row.push(date(latest.map(|a| a.date)));
        row.push(opt(Some(with_recist_letters(&report.discordances))
            .filter(|_| !report.assessments.is_empty())));
        let mrd = inputs
            .ctdna
            .iter()
            .rev()
            .find_map(|s| s.mrd.map(|d| (d, s.date)));
        row.push(opt(mrd.map(|(d, _)| d.as_str())));
        row.push(date(mrd.map(|(_, day)| day)));
        let (last, dead) = contacts.get(code).copied().unwrap_or((None, false));
        row.push(date(last));
        row.push(opt(last
            .zip(cutoff)
            .filter(|_| !dead)
            .map(|(last, cutoff)| (cutoff - last).num_days())));
        // A best SD may yet be a PR: the responses that await confirmation.
        let awaiting: Vec<String> = report
            .best
            .iter()
            .filter_map(|(criterion, b)| {
                b.awaiting_confirmation.map(|(category, day)| {
                    format!(
                        "{} {} of {}",
                        criterion.name(),
                        category.code(*criterion),
                        format_date(day)
                    )
                })
            })
            .collect();
        row.push(opt(Some(awaiting.join("; ")).filter(|t| !t.is_empty())));
        listing.push(row);
    }
    let mut dates: Vec<&str> = DEFAULT_CRITERIA.iter().map(|c| date_column(*c)).collect();
    dates.extend([
        "recist_progression_date",
        "best_response_date",
        "latest_response_date",
        "mrd_date",
        "last_contact",
    ]);
    // The responses awaiting confirmation quote their visit's date.
    maybe(
        private.as_ref(),
        listing,
        "patient",
        &dates,
        &["awaiting_confirmation"],
    )
    .print(format)
}

fn date_column(criterion: Criterion) -> &'static str {
    match criterion {
        Criterion::Recist => "recist_date",
        Criterion::Choi => "choi_date",
        Criterion::ModifiedChoi => "mchoi_date",
        Criterion::Percist => "percist_date",
        Criterion::Eortc => "eortc_date",
        Criterion::Ctdna => "ctdna_date",
    }
}
