//! The one integration test binary: each module drives the real `oncotrack` binary or the library in its own temp dir.

mod util;

mod analytics_cli;
mod analytics_reference;
mod cli_errors;
mod cli_patients_events;
mod cytokines_imaging;
mod demo;
mod export;
mod fusion;
mod fuzz;
mod hostile;
mod liquid;
mod migrations;
mod mrd;
mod pet;
mod report;
pub mod response;
mod store_files;
mod sv;
mod tui;
