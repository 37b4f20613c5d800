//! The one integration test binary: each module drives the real `oncotrack` binary or the library in its own temp dir.

mod util;

mod analytics_cli;
mod analytics_reference;
mod cbioportal;
mod cli_errors;
mod cli_patients_events;
mod clinic_audit;
mod cox;
mod cytokines_imaging;
mod demo;
mod dicom_mask;
mod executables;
mod export;
mod fusion;
mod fuzz;
mod hostile;
mod intake;
mod lab_exports;
mod liquid;
mod listings;
mod migrations;
mod mrd;
mod pet;
mod pet_dicom;
mod report;
pub mod response;
mod store_files;
mod sv;
mod tui;
