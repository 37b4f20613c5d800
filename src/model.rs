//! Domain types shared by ingest, store, analysis and the user interfaces.

pub mod date;
pub mod event;
pub mod mrd;
pub mod patient;
pub mod pileup;

pub use date::parse_date;
pub use event::{ClinicalEvent, EventKind};
pub use mrd::MrdDecision;
pub use patient::{NewPatient, Patient, Sex};
