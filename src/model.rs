//! Domain types shared by ingest, store, analysis and the user interfaces.

pub mod date;
pub mod event;
pub mod patient;

pub use date::parse_date;
pub use event::{ClinicalEvent, EventKind};
pub use patient::{NewPatient, Patient, Sex};
