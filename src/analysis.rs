//! Pure analysis functions (no I/O): ctDNA metrics, PET uptake, response criteria, trends, harmonisation, clustering, survival.

pub mod cluster;
pub mod ctdna;
pub mod harmonize;
pub mod linalg;
pub mod matrix;
pub mod pet;
pub mod response;
pub mod survival;
pub mod trend;
