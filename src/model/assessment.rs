//! What the imaging response criteria read: a patient's CT/MR lesions and scans (RECIST 1.1, Choi) and PET scans (PERCIST, EORTC), filled by the store.

use super::patient::Sex;
use chrono::NaiveDate;

/// A lesion followed over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesion {
    /// The lesion's label (unique per patient).
    pub label: String,
    /// Organ ("" when unknown).
    pub organ: String,
    /// Whether it is a lymph node (measured by its short axis).
    pub nodal: bool,
    /// Whether it was designated a target lesion by the reader. When no lesion of the
    /// patient is designated, RECIST selects targets from the baseline scan.
    pub designated_target: bool,
}

/// One lesion as measured on one scan. Missing diameters mean "not measured".
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The lesion's label.
    pub label: String,
    /// Longest diameter in mm (0 when the lesion has disappeared).
    pub longest_diameter_mm: Option<f64>,
    /// Short axis in mm (lymph nodes).
    pub short_axis_mm: Option<f64>,
    /// Mean attenuation in Hounsfield units (Choi).
    pub mean_hu: Option<f64>,
    /// Whether the lesion is new at this scan.
    pub is_new: bool,
}

/// One CT or MR examination with its lesion measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagingVisit {
    /// Date of the scan.
    pub date: NaiveDate,
    /// The lesions measured on it.
    pub measurements: Vec<Measurement>,
}

/// A patient's lesions and scans; the earliest scan is the baseline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LesionSeries {
    /// Every lesion of the patient.
    pub lesions: Vec<Lesion>,
    /// The scans, in any order.
    pub visits: Vec<ImagingVisit>,
}

/// One lesion's uptake on one PET scan (SUV normalised to body weight).
#[derive(Debug, Clone, PartialEq)]
pub struct PetLesion {
    /// The lesion's label.
    pub label: String,
    /// SUVmax.
    pub suv_max: Option<f64>,
    /// SUVpeak (mean SUV in a 1 cm³ sphere).
    pub suv_peak: Option<f64>,
    /// Total lesion glycolysis (SUVmean × MTV).
    pub tlg: Option<f64>,
    /// Whether the reader marked the lesion new.
    pub is_new: bool,
}

/// One PET scan.
#[derive(Debug, Clone, PartialEq)]
pub struct PetVisit {
    /// Date of the scan.
    pub date: NaiveDate,
    /// Body weight at the scan (kg).
    pub weight_kg: Option<f64>,
    /// Mean SUV of the liver reference region.
    pub liver_suv_mean: Option<f64>,
    /// Standard deviation of SUV in the liver reference region.
    pub liver_suv_sd: Option<f64>,
    /// Mean SUV of the blood pool.
    pub blood_pool_suv: Option<f64>,
    /// Cycles of treatment given before the scan, when known (EORTC).
    pub cycles: Option<u32>,
    /// The lesions' uptake.
    pub lesions: Vec<PetLesion>,
}

/// A patient's PET scans with what lean body mass needs; the earliest scan is the baseline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PetSeries {
    /// Height (cm).
    pub height_cm: Option<f64>,
    /// Sex (F or M; U gives no lean body mass).
    pub sex: Option<Sex>,
    /// The scans, in any order.
    pub visits: Vec<PetVisit>,
}
