//! Writes the simulated cohort as the input files a data manager would have: patients and events CSV, plus the hidden truth.

use super::cohort::SimPatient;
use crate::error::{Error, Result};
use crate::model::date::format_date;
use std::path::{Path, PathBuf};

fn writer(path: &Path) -> Result<csv::Writer<std::fs::File>> {
    csv::Writer::from_path(path).map_err(|e| Error::io(path, e.into()))
}

fn finish(path: PathBuf, mut writer: csv::Writer<std::fs::File>) -> Result<PathBuf> {
    writer.flush().map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

fn csv_io(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
    move |e| Error::io(path, e.into())
}

/// `patients.csv`: patient,diagnosis,sex,birth_year,site,primary_site,height_cm.
///
/// # Errors
/// When the file cannot be written.
pub fn write_patients(dir: &Path, cohort: &[SimPatient]) -> Result<PathBuf> {
    let path = dir.join("patients.csv");
    let mut w = writer(&path)?;
    w.write_record([
        "patient",
        "diagnosis",
        "sex",
        "birth_year",
        "site",
        "primary_site",
        "height_cm",
    ])
    .map_err(csv_io(&path))?;
    for p in cohort {
        w.write_record([
            p.code.as_str(),
            p.diagnosis.name(),
            p.sex.code(),
            &p.birth_year.to_string(),
            p.site,
            p.primary_site,
            &format!("{:.1}", p.height_cm),
        ])
        .map_err(csv_io(&path))?;
    }
    finish(path, w)
}

/// `events.csv`: patient,date,kind,detail.
///
/// # Errors
/// When the file cannot be written.
pub fn write_events(dir: &Path, cohort: &[SimPatient]) -> Result<PathBuf> {
    let path = dir.join("events.csv");
    let mut w = writer(&path)?;
    w.write_record(["patient", "date", "kind", "detail"])
        .map_err(csv_io(&path))?;
    for p in cohort {
        for e in p.events() {
            w.write_record([
                e.patient.as_str(),
                &format_date(e.date),
                e.kind.as_str(),
                &e.detail,
            ])
            .map_err(csv_io(&path))?;
        }
    }
    finish(path, w)
}

/// `truth.csv`: the planted endotype and response pattern of each patient, for
/// checking what the analyses recover. Not ingested.
///
/// # Errors
/// When the file cannot be written.
pub fn write_truth(dir: &Path, cohort: &[SimPatient]) -> Result<PathBuf> {
    let path = dir.join("truth.csv");
    let mut w = writer(&path)?;
    w.write_record([
        "patient",
        "endotype",
        "endotype_label",
        "response_pattern",
        "visits",
    ])
    .map_err(csv_io(&path))?;
    for p in cohort {
        let number = super::Endotype::ALL
            .iter()
            .position(|e| *e == p.endotype)
            .map_or(0, |i| i + 1);
        w.write_record([
            p.code.as_str(),
            &number.to_string(),
            p.endotype.label(),
            p.pattern.label(),
            &p.visits
                .iter()
                .map(|d| format_date(*d))
                .collect::<Vec<_>>()
                .join(";"),
        ])
        .map_err(csv_io(&path))?;
    }
    finish(path, w)
}
