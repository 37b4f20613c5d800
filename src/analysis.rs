//! Pure analysis functions (no I/O): ctDNA metrics, PET uptake, response criteria, trends, harmonisation, clustering, survival.

pub mod cluster;
pub mod cox;
pub mod ctdna;
pub mod harmonize;
pub mod linalg;
pub mod matrix;
pub mod mrd;
pub mod pca;
pub mod pet;
pub mod raster;
pub mod response;
pub mod scale;
pub mod series;
pub mod survival;
pub mod suv;
pub mod sv;
pub mod trend;

/// An invalid input value of an analysis (`what`, the value, and why).
pub(crate) fn invalid(
    what: &'static str,
    value: impl Into<String>,
    reason: impl Into<String>,
) -> crate::Error {
    crate::Error::InvalidValue {
        what,
        value: value.into(),
        reason: reason.into(),
    }
}
