//! The demo cohort: a deterministic synthetic sarcoma cohort written as real input files and ingested like a user's.

pub mod cohort;
