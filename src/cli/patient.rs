//! `oncotrack patient add|list|show`.

use super::export::DeidentifyArgs;
use super::output::{Listing, date, opt};
use super::private::{Private, maybe};
use super::{Format, open_read, open_write};
use clap::Subcommand;
use oncotrack::model::{NewPatient, Patient, Sex};
use serde_json::Value;
use std::path::Path;

/// Patient commands.
#[derive(Debug, Subcommand)]
pub enum PatientCommand {
    /// Add a patient
    Add {
        /// Patient identifier (e.g. P001); use a study code, never a name or hospital number
        id: String,
        /// Diagnosis (e.g. "osteosarcoma")
        #[arg(long)]
        diagnosis: String,
        /// Sex: F, M or U
        #[arg(long)]
        sex: Option<String>,
        /// Year of birth
        #[arg(long)]
        birth_year: Option<i32>,
        /// Treating centre
        #[arg(long)]
        site: Option<String>,
        /// Anatomical site of the primary tumour
        #[arg(long)]
        primary_site: Option<String>,
        /// Height in cm (lean body mass for PERCIST)
        #[arg(long)]
        height_cm: Option<f64>,
    },
    /// List patients (keys: id, diagnosis, sex, birth_year, site, index_date, primary_site,
    /// height_cm; de-identified: id a pseudonym, age_at_index instead of birth_year and
    /// index_date, no site unless --keep-site)
    List {
        #[command(flatten)]
        deidentify: DeidentifyArgs,
    },
    /// Show one patient with counts of what is recorded
    Show {
        /// Patient identifier
        id: String,
        #[command(flatten)]
        deidentify: DeidentifyArgs,
    },
}

/// Runs a patient command.
pub fn run(db: &Path, format: Format, command: PatientCommand) -> anyhow::Result<()> {
    match command {
        PatientCommand::Add {
            id,
            diagnosis,
            sex,
            birth_year,
            site,
            primary_site,
            height_cm,
        } => {
            let sex = sex
                .map(|s| super::parse_arg("--sex", &s, str::parse::<Sex>))
                .transpose()?;
            let patient = NewPatient {
                code: id,
                diagnosis,
                sex,
                birth_year,
                site,
                primary_site,
                height_cm,
            };
            let mut store = open_write(db)?;
            let tx = store.transaction()?;
            tx.add_patient(&patient, None)?;
            tx.commit()?;
            say!("added patient {}", patient.code);
            Ok(())
        }
        PatientCommand::List { deidentify } => {
            let store = open_read(db)?;
            let private = Private::load(&deidentify, &store)?;
            let mut columns = PATIENT_COLUMNS.to_vec();
            if private.is_some() {
                columns.push("age_at_index");
            }
            let mut listing = Listing::new(&columns);
            for patient in store.patients()? {
                let mut row = patient_row(&patient);
                if private.is_some() {
                    row.push(opt(age_at_index(&patient)));
                }
                listing.push(row);
            }
            maybe(private.as_ref(), listing, "id", &[], DEIDENTIFIED_DROP).print(format)
        }
        PatientCommand::Show { id, deidentify } => {
            let store = open_read(db)?;
            let private = Private::load(&deidentify, &store)?;
            let summary = store.patient_summary(&id)?;
            let mut columns = PATIENT_COLUMNS.to_vec();
            columns.extend([
                "vital_status",
                "death_date",
                "last_date",
                "follow_up_days",
                "events",
                "treatment_lines",
                "lb_samples",
                "cytokine_panels",
                "imaging_studies",
            ]);
            if private.is_some() {
                columns.push("age_at_index");
            }
            let mut row = patient_row(&summary.patient);
            let end = summary.death_date.or(summary.last_date);
            let follow_up = summary
                .patient
                .index_date
                .zip(end)
                .map(|(a, b)| (b - a).num_days());
            row.extend([
                Value::from(if summary.death_date.is_some() {
                    "dead"
                } else {
                    "alive"
                }),
                date(summary.death_date),
                date(summary.last_date),
                opt(follow_up),
                summary.events.into(),
                summary.treatment_lines.into(),
                summary.lb_samples.into(),
                summary.cytokine_panels.into(),
                summary.imaging_studies.into(),
            ]);
            if private.is_some() {
                row.push(opt(age_at_index(&summary.patient)));
            }
            let mut listing = Listing::new(&columns);
            listing.push(row);
            maybe(
                private.as_ref(),
                listing,
                "id",
                &["death_date", "last_date"],
                DEIDENTIFIED_DROP,
            )
            .print_record(format)
        }
    }
}

/// What a de-identified listing of patients leaves out (the age at index stays).
const DEIDENTIFIED_DROP: &[&str] = &["birth_year", "index_date"];

/// Age at the index date in whole years (index year − birth year), 90 and over as 90.
fn age_at_index(patient: &Patient) -> Option<i64> {
    use chrono::Datelike;
    let age = i64::from(patient.index_date?.year()) - i64::from(patient.fields.birth_year?);
    Some(age.min(oncotrack::export::frame::AGE_CAP))
}

const PATIENT_COLUMNS: [&str; 8] = [
    "id",
    "diagnosis",
    "sex",
    "birth_year",
    "site",
    "index_date",
    "primary_site",
    "height_cm",
];

fn patient_row(patient: &Patient) -> Vec<Value> {
    let p = &patient.fields;
    vec![
        p.code.clone().into(),
        p.diagnosis.clone().into(),
        opt(p.sex.map(Sex::code)),
        opt(p.birth_year),
        opt(p.site.clone()),
        date(patient.index_date),
        opt(p.primary_site.clone()),
        opt(p.height_cm),
    ]
}
