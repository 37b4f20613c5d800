//! oncotrack: follow sarcoma patients over time through ctDNA, cytokines and imaging in one local SQLite store.
//!
//! Data flows one way: a file is parsed and validated by [`ingest`], written by
//! [`store`] in one transaction per file (the [`pipeline`] joins the two), and read
//! back for the command line, the terminal UI and exports. The [`demo`] module
//! writes a synthetic cohort as real input files and ingests it through the same
//! [`pipeline`] a user would call.

pub mod analysis;
pub mod demo;
pub mod error;
pub mod export;
pub mod ingest;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod store;
pub mod tui;

pub use error::{Error, Result};
