//! One patient's stored facts as the store reads them at once, before analysis makes criteria inputs and series of them.

use super::assessment::{LesionSeries, PetSeries};
use super::liquid::DrawCalls;
use super::measure::Point;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// What the response criteria are computed from: CT/MR lesions, PET scans, and each
/// blood draw with every stored row of the patient's tracked variants.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResponseRecord {
    /// CT/MR lesion measurements (RECIST, Choi).
    pub lesions: LesionSeries,
    /// PET uptake (PERCIST, EORTC).
    pub pet: PetSeries,
    /// Blood draws with their tracked variants' rows, callers not yet merged.
    pub draws: Vec<DrawCalls>,
}

/// Everything one patient's series are made from: the response record, total MTV per
/// PET date (by the segmentation method the PET series uses) and each analyte's values
/// per assay in date order (one per date, censoring as stored) by (analyte, assay).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatientRecord {
    /// The inputs of the response criteria.
    pub response: ResponseRecord,
    /// Total MTV per PET date.
    pub pet_mtv: BTreeMap<NaiveDate, f64>,
    /// Each analyte's values per assay, by (analyte, assay) as stored.
    pub cytokines: BTreeMap<(String, String), Vec<Point>>,
}
