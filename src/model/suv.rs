//! The header values of a PET series that SUV conversion needs, as read from DICOM, and the patient's body measures.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Timing of one slice (in the series' sorted order).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SliceTiming {
    /// AcquisitionDate (0008,0022) + AcquisitionTime (0008,0032), or AcquisitionDateTime (0008,002A).
    pub acquisition: Option<NaiveDateTime>,
    /// ActualFrameDuration (0018,1242), ms.
    pub frame_duration_ms: Option<f64>,
    /// FrameReferenceTime (0054,1300), ms.
    pub frame_reference_ms: Option<f64>,
}

/// The header values of a PET series, raw as written (units are checked by
/// `analysis::suv`, not here). Text values are trimmed; absent values are `None`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SuvHeader {
    /// Units (0054,1001): BQML, CNTS, GML, CM2ML …
    pub units: Option<String>,
    /// SUVType (0054,1006): BW, LBM, LBMJAMES128, LBMJANMA, IBW, BSA.
    pub suv_type: Option<String>,
    /// DecayCorrection (0054,1102): START, ADMIN or NONE.
    pub decay_correction: Option<String>,
    /// PatientWeight (0010,1030), kg as the standard says (grams when > 1000).
    pub weight: Option<f64>,
    /// PatientSize (0010,1020), m.
    pub height_m: Option<f64>,
    /// PatientSex (0010,0040): M, F or O.
    pub sex: Option<String>,
    /// RadionuclideTotalDose (0018,1074), Bq as the standard says (MBq in some files).
    pub dose: Option<f64>,
    /// RadionuclideHalfLife (0018,1075), s.
    pub half_life_s: Option<f64>,
    /// RadiopharmaceuticalStartDateTime (0018,1078).
    pub injection_datetime: Option<NaiveDateTime>,
    /// RadiopharmaceuticalStartTime (0018,1072).
    pub injection_time: Option<NaiveTime>,
    /// SeriesDate (0008,0021).
    pub series_date: Option<NaiveDate>,
    /// SeriesTime (0008,0031).
    pub series_time: Option<NaiveTime>,
    /// GE private PET scan date-time (0009,100D).
    pub ge_scan_datetime: Option<NaiveDateTime>,
    /// Philips private SUV Scale Factor (7053,1000).
    pub philips_suv_factor: Option<f64>,
    /// Philips private Activity Concentration Scale Factor (7053,1009).
    pub philips_activity_factor: Option<f64>,
    /// One entry per slice, in sorted order.
    pub slices: Vec<SliceTiming>,
}

/// A patient's body measures for SUV normalisation (the study's, or given by hand).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Body {
    /// Weight, kg.
    pub weight_kg: Option<f64>,
    /// Height, m.
    pub height_m: Option<f64>,
    /// Sex: `Some(true)` male, `Some(false)` female, `None` other or unknown (the
    /// mean of the male and female formulas is used, as the IBSI manual suggests).
    pub male: Option<bool>,
}
