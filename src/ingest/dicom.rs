//! DICOM inputs (dicom-rs): the RTSTRUCT and SEG masks drawn on a PET series.

pub mod open;
pub mod rtstruct;
pub mod seg;
