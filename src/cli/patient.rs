//! `oncotrack patient add|list|show`.

use super::output::{Listing, date, opt};
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
    /// List patients (keys: id, diagnosis, sex, birth_year, site, index_date, primary_site, height_cm)
    List,
    /// Show one patient with counts of what is recorded
    Show {
        /// Patient identifier
        id: String,
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
        PatientCommand::List => {
            let store = open_read(db)?;
            let mut listing = Listing::new(&PATIENT_COLUMNS);
            for patient in store.patients()? {
                listing.push(patient_row(&patient));
            }
            listing.print(format)
        }
        PatientCommand::Show { id } => {
            let store = open_read(db)?;
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
            let mut listing = Listing::new(&columns);
            listing.push(row);
            listing.print_record(format)
        }
    }
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
