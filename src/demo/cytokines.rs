//! Writes the demo cohort's serum cytokine panels: one long-layout CSV with the three planted endotypes, some values below LLOQ.
//!
//! Concentrations are log-normal around typical serum medians (pg/mL); the acute-phase
//! endotype raises IL-6, IL-8, TNF-α and IL-1Ra, the myeloid endotype (worst outcome)
//! CXCL5, CXCL12 and MIF. Values below the assay's LLOQ are written as `< LLOQ` or
//! `<x`; MIF and CXCL12 are reported in ng/mL, the rest in pg/mL, as multiplex
//! exports mix units. Panels are drawn at the baseline and the next three visits.

use super::cohort::{Endotype, ResponsePattern, SimPatient};
use crate::error::{Error, Result};
use crate::model::date::format_date;
use rand::Rng;
use rand_distr::{Distribution, Normal};
use std::path::{Path, PathBuf};

/// An analyte of the demo panel: name as written, serum median (pg/mL), LLOQ (pg/mL),
/// unit written, and fold change in the acute-phase and myeloid endotypes.
struct Analyte {
    name: &'static str,
    median: f64,
    lloq: f64,
    unit: &'static str,
    acute: f64,
    myeloid: f64,
}

const PANEL: [Analyte; 14] = [
    Analyte {
        name: "IL-6",
        median: 2.5,
        lloq: 1.5,
        unit: "pg/mL",
        acute: 9.0,
        myeloid: 1.4,
    },
    Analyte {
        name: "IL-8",
        median: 9.0,
        lloq: 2.0,
        unit: "pg/mL",
        acute: 5.0,
        myeloid: 1.3,
    },
    Analyte {
        name: "TNF-alpha",
        median: 6.0,
        lloq: 2.5,
        unit: "pg/mL",
        acute: 4.0,
        myeloid: 1.0,
    },
    Analyte {
        name: "IL-1Ra",
        median: 280.0,
        lloq: 20.0,
        unit: "pg/mL",
        acute: 2.5,
        myeloid: 1.2,
    },
    Analyte {
        name: "CXCL5",
        median: 700.0,
        lloq: 30.0,
        unit: "pg/mL",
        acute: 1.1,
        myeloid: 4.5,
    },
    Analyte {
        name: "CXCL12",
        median: 1900.0,
        lloq: 150.0,
        unit: "ng/mL",
        acute: 1.0,
        myeloid: 2.8,
    },
    Analyte {
        name: "MIF",
        median: 3500.0,
        lloq: 250.0,
        unit: "ng/mL",
        acute: 1.2,
        myeloid: 4.0,
    },
    Analyte {
        name: "IL-18",
        median: 240.0,
        lloq: 10.0,
        unit: "pg/mL",
        acute: 1.5,
        myeloid: 1.3,
    },
    Analyte {
        name: "IP-10",
        median: 140.0,
        lloq: 8.0,
        unit: "pg/mL",
        acute: 1.8,
        myeloid: 1.2,
    },
    Analyte {
        name: "MCP-1",
        median: 260.0,
        lloq: 10.0,
        unit: "pg/mL",
        acute: 1.6,
        myeloid: 1.5,
    },
    Analyte {
        name: "M-CSF",
        median: 380.0,
        lloq: 25.0,
        unit: "pg/mL",
        acute: 1.1,
        myeloid: 1.9,
    },
    Analyte {
        name: "MIG",
        median: 70.0,
        lloq: 6.0,
        unit: "pg/mL",
        acute: 1.7,
        myeloid: 1.1,
    },
    Analyte {
        name: "Eotaxin",
        median: 110.0,
        lloq: 5.0,
        unit: "pg/mL",
        acute: 1.0,
        myeloid: 1.0,
    },
    Analyte {
        name: "IL-7",
        median: 4.0,
        lloq: 2.8,
        unit: "pg/mL",
        acute: 1.2,
        myeloid: 1.0,
    },
];

/// Panels per patient: the baseline and up to three restaging visits.
const PANEL_VISITS: usize = 4;

/// `cytokines.csv` in long layout: patient,date,analyte,value,unit,lloq,uloq,assay,batch.
///
/// # Errors
/// When the file cannot be written.
pub fn write_cytokines(dir: &Path, cohort: &[SimPatient], seed: u64) -> Result<PathBuf> {
    let path = dir.join("cytokines.csv");
    let io = |e: csv::Error| Error::io(&path, e.into());
    let mut w = csv::Writer::from_path(&path).map_err(io)?;
    w.write_record([
        "patient", "date", "analyte", "value", "unit", "lloq", "uloq", "assay", "batch",
    ])
    .map_err(io)?;
    let noise = Normal::new(0.0, 0.35).expect("positive sd");
    for (index, p) in cohort.iter().enumerate() {
        let mut rng = super::patient_rng(seed, index, 0xC7_0C1E);
        // A patient's own level for each analyte, stable over visits.
        let own: Vec<f64> = PANEL.iter().map(|_| noise.sample(&mut rng)).collect();
        let batch = format!("plate{:03}", index / 40 + 1);
        for (visit, date) in p.visits.iter().take(PANEL_VISITS).enumerate() {
            let progressed = p.progression.as_ref().is_some_and(|pr| *date >= pr.date);
            // Inflammation eases with response and flares with progression.
            let course = match (p.pattern, progressed) {
                (_, true) => 1.6,
                (ResponsePattern::Responder | ResponsePattern::NecroticResponder, false) => {
                    0.85f64.powi(visit as i32)
                }
                _ => 1.0,
            };
            for (a, level) in PANEL.iter().zip(&own) {
                let fold = match p.endotype {
                    Endotype::Quiescent => 1.0,
                    Endotype::AcutePhase => a.acute,
                    Endotype::Myeloid => a.myeloid,
                };
                let inflamed = if fold > 1.5 { course } else { 1.0 };
                let pg_ml =
                    a.median * fold * inflamed * (level + 0.25 * noise.sample(&mut rng)).exp();
                let factor = if a.unit == "ng/mL" { 1000.0 } else { 1.0 };
                let (value, lloq) = if pg_ml < a.lloq {
                    let text = if rng.random::<f64>() < 0.5 {
                        "< LLOQ".to_string()
                    } else {
                        format!("<{}", a.lloq / factor)
                    };
                    (text, a.lloq / factor)
                } else {
                    (format!("{:.3}", pg_ml / factor), a.lloq / factor)
                };
                w.write_record([
                    p.code.as_str(),
                    &format_date(*date),
                    a.name,
                    &value,
                    a.unit,
                    &lloq.to_string(),
                    &(a.lloq * 4000.0 / factor).to_string(),
                    "Luminex 14-plex",
                    &batch,
                ])
                .map_err(io)?;
            }
        }
    }
    w.flush().map_err(|e| Error::io(&path, e))?;
    Ok(path)
}
