//! `oncotrack event add`.

use super::{open_write, past_date_arg};
use clap::Subcommand;
use oncotrack::model::{ClinicalEvent, EventKind};
use oncotrack::store::events::Inserted;
use std::path::Path;

/// Event commands.
#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Record a clinical event for a patient
    Add {
        /// Patient identifier
        id: String,
        /// Date of the event, YYYY-MM-DD (not after today: events are what happened)
        #[arg(long)]
        date: String,
        /// diagnosis | treatment-start | treatment-end | surgery | radiotherapy | progression | relapse | death | last-contact
        #[arg(long)]
        kind: String,
        /// Free text: regimen, procedure, ...
        #[arg(long, default_value = "")]
        detail: String,
    },
}

/// Runs an event command.
pub fn run(db: &Path, command: EventCommand) -> anyhow::Result<()> {
    let EventCommand::Add {
        id,
        date,
        kind,
        detail,
    } = command;
    let date = past_date_arg("--date", &date)?;
    let kind = super::parse_arg("--kind", &kind, str::parse::<EventKind>)?;
    let mut store = open_write(db)?;
    let tx = store.transaction()?;
    let patient_id = tx
        .patient_id(&id)?
        .ok_or_else(|| oncotrack::Error::UnknownPatient(id.clone()))?;
    let event = ClinicalEvent {
        patient: id,
        date,
        kind,
        detail,
    };
    let inserted = tx.add_event(patient_id, &event, None)?;
    tx.commit()?;
    match inserted {
        Inserted::New => say!(
            "recorded {} on {} for {}",
            event.kind,
            event.date,
            event.patient
        ),
        Inserted::Existing => say!(
            "{} on {} for {} was already recorded; nothing changed",
            event.kind,
            event.date,
            event.patient
        ),
    }
    Ok(())
}
