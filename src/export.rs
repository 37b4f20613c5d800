//! Cohort export: store tables, the feature matrix and survival endpoints as typed columns written to CSV, Parquet or Arrow IPC.
//!
//! [`frame`] turns typed tables into typed columns (optionally de-identified by
//! [`deidentify`]) and writes them; column meanings are documented in docs/export.md.

pub mod cbioportal;
pub mod cohort;
pub mod deidentify;
pub mod frame;
pub mod owned;
pub mod partition;
pub mod survival;
pub mod text;

pub use deidentify::{Deidentify, Pseudonymizer};
pub use frame::{
    Column, FileFormat, Frame, Values, matrix_frame, table_frame, write_frame, write_frame_file,
};
pub use survival::survival_table;
pub use text::write_csv;
