//! One value of one feature of one patient on one date: the rows of the feature matrix.

use super::measure::Censor;
use chrono::NaiveDate;

/// Which feature family an observation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeatureFamily {
    /// Serum cytokines (pg/mL), named by analyte.
    Cytokines,
    /// PyRadiomics features, averaged over a study's lesions.
    Radiomics,
    /// PET uptake per study: highest SUVmax, total MTV and TLG over lesions, per method.
    Pet,
    /// ctDNA per blood draw: mean and max VAF over the calls.
    Ctdna,
}

impl FeatureFamily {
    /// The family's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureFamily::Cytokines => "cytokines",
            FeatureFamily::Radiomics => "radiomics",
            FeatureFamily::Pet => "pet",
            FeatureFamily::Ctdna => "ctdna",
        }
    }
}

/// One value of one feature of one patient on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Patient code.
    pub patient: String,
    /// Sample or study date.
    pub date: NaiveDate,
    /// Days since the patient's index date (None without an index date).
    pub day: Option<i64>,
    /// Feature name (the analyte, `rad_<feature>`, `pet_<metric>_<method>`, `ctdna_<metric>`).
    pub feature: String,
    /// The assay (kit, panel or stimulation) of a cytokine: with the analyte, what
    /// was measured. Empty for the other families.
    pub assay: String,
    /// The value; a censored cytokine carries its limit here.
    pub value: f64,
    /// Whether the value is a limit (cytokines below or above their assay's range).
    pub censor: Censor,
}
