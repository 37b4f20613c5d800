//! Domain types shared by ingest, store, analysis and the user interfaces.

pub mod date;
pub mod event;
pub mod liquid;
pub mod locus;
pub mod mrd;
pub mod patient;

pub use date::parse_date;
pub use event::{ClinicalEvent, EventKind};
pub use locus::Locus;
pub use mrd::MrdDecision;
pub use patient::{NewPatient, Patient, Sex};
