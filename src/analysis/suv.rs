//! SUV conversion of a PET series by the IBSI SUV manual and QIBA's vendor-neutral rules: header values in, one factor per slice out.
//!
//! SUVbw = (stored × RescaleSlope + RescaleIntercept) × factor. The factor by Units (0054,1001):
//! - `BQML`: W[g] / D, D the injected dose decayed to the time the image is decay
//!   corrected to (DecayCorrection START: the scan reference time; ADMIN: the
//!   injection, no decay; NONE: each slice is corrected from its own acquisition by
//!   λT/(1 − e^(−λT)) · e^(λ(t_acq − t_inj)), T its ActualFrameDuration — the manual's
//!   formula).
//! - `CNTS` (Philips): the SUV Scale Factor (7053,1000) when present and non-zero, else
//!   the Activity Concentration Scale Factor (7053,1009) times the BQML factor.
//! - `GML`: already SUV of SUVType (0054,1006): BW (or empty) → 1; LBM (Morgan),
//!   LBMJAMES128 (James), LBMJANMA (Janmahasatian), IBW → W / X (converted back to SUVbw).
//! - `CM2ML`: SUVbsa (Du Bois BSA) → W[kg] / (10 · BSA[m²]).
//!
//! Scan reference time (START), in QIBA's order: SeriesDate/Time when not after the
//! earliest AcquisitionDate/Time; else the GE private scan date-time (0009,100D); else
//! back-computed from the earliest slice as t_acq + ln(λT/(1 − e^(−λT)))/λ − FrameReferenceTime
//! (the manual's formula). The manual's "option B" (always back-compute) is not taken:
//! on its own GE reference object (AcquisitionTime 30 min after the scan start it
//! corrects to) it is 30 min off. Injection: RadiopharmaceuticalStartDateTime, else
//! RadiopharmaceuticalStartTime on the reference date, one day earlier when that falls
//! after the reference (injected before midnight).
//!
//! Sanity: weight > 1000 is grams; a dose below 10⁴ is MBq (written where Bq is due);
//! both say so in a warning. Sex `O` or absent uses the mean of the male and female
//! formulas (the manual's suggestion).

use crate::model::{Body, SuvHeader};
use chrono::{Duration, NaiveDateTime};

/// An SUV normalisation. SUVx = SUVbw × [`normalisation`] factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuvKind {
    /// Body weight (the default).
    Bw,
    /// Lean body mass by Janmahasatian et al. 2005 (= SUL, PERCIST).
    Lbm,
    /// Lean body mass by James 1976 (DICOM LBMJAMES128).
    LbmJames,
    /// Body surface area (Du Bois).
    Bsa,
    /// Ideal body weight.
    Ibw,
}

impl SuvKind {
    /// The name used by `--suv` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            SuvKind::Bw => "bw",
            SuvKind::Lbm => "lbm",
            SuvKind::LbmJames => "lbm-james",
            SuvKind::Bsa => "bsa",
            SuvKind::Ibw => "ibw",
        }
    }
}

/// A header value that forbids the conversion: its tag, keyword, value and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuvError {
    /// The tag, e.g. `(0054,1001) Units`.
    pub tag: &'static str,
    /// The value as read (`absent` when missing).
    pub value: String,
    /// What is wrong and what to do.
    pub reason: String,
}

impl std::fmt::Display for SuvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tag {} = '{}': {}", self.tag, self.value, self.reason)
    }
}

impl std::error::Error for SuvError {}

fn err(tag: &'static str, value: impl ToString, reason: impl Into<String>) -> SuvError {
    SuvError {
        tag,
        value: value.to_string(),
        reason: reason.into(),
    }
}

fn shown(v: Option<f64>) -> String {
    v.map_or_else(|| "absent".into(), |v| v.to_string())
}

/// What the conversion used, and its factors.
#[derive(Debug, Clone, PartialEq)]
pub struct SuvConversion {
    /// Units as read.
    pub units: String,
    /// DecayCorrection as read (empty when absent and not needed).
    pub decay_correction: String,
    /// Weight used (kg).
    pub weight_kg: Option<f64>,
    /// Height used (m).
    pub height_m: Option<f64>,
    /// Sex used: M, F or O.
    pub sex: Option<String>,
    /// Injected dose (Bq).
    pub injected_dose_bq: Option<f64>,
    /// Injection date-time.
    pub injection_datetime: Option<NaiveDateTime>,
    /// The time the dose is decayed to.
    pub reference_datetime: Option<NaiveDateTime>,
    /// Where the reference time came from: series, ge-private, back-computed, injection (ADMIN), acquisition (NONE).
    pub reference_source: Option<&'static str>,
    /// Seconds from injection to the reference time.
    pub decay_seconds: Option<f64>,
    /// Half-life (s).
    pub half_life_s: Option<f64>,
    /// One factor per slice: SUVbw = rescaled value × factor.
    pub slice_factors: Vec<f64>,
    /// SUL = SUVbw × this (Janmahasatian LBM / weight), when weight and height are known.
    pub sul_factor: Option<f64>,
    /// What was assumed or is missing.
    pub warnings: Vec<String>,
}

impl SuvConversion {
    /// The factor of the first slice (all slices share it unless DecayCorrection is NONE).
    pub fn suvbw_factor(&self) -> f64 {
        self.slice_factors.first().copied().unwrap_or(f64::NAN)
    }
}

/// The body measures of a header: weight (grams when > 1000), height, sex.
///
/// # Errors
/// A weight or height that is zero, negative or not finite.
pub fn body_of(header: &SuvHeader, warnings: &mut Vec<String>) -> Result<Body, SuvError> {
    let weight_kg = match header.weight {
        None => None,
        Some(w) if !(w.is_finite() && w > 0.0) => {
            return Err(err(
                "(0010,1030) PatientWeight",
                w,
                "is not a weight; correct the header or give --weight-kg",
            ));
        }
        Some(w) if w > 1000.0 => {
            warnings.push(format!(
                "PatientWeight {w} > 1000 read as grams ({} kg)",
                w / 1000.0
            ));
            Some(w / 1000.0)
        }
        Some(w) => Some(w),
    };
    let height_m = match header.height_m {
        None => None,
        Some(0.0) => None,
        Some(h) if !(h.is_finite() && h > 0.0 && h < 3.0) => {
            return Err(err(
                "(0010,1020) PatientSize",
                h,
                "is not a height in metres",
            ));
        }
        Some(h) => Some(h),
    };
    let male = match header.sex.as_deref() {
        Some("M") => Some(true),
        Some("F") => Some(false),
        _ => None,
    };
    Ok(Body {
        weight_kg,
        height_m,
        male,
    })
}

/// The mean of the male and female values when sex is not M or F.
fn by_sex(male: Option<bool>, m: f64, f: f64) -> f64 {
    match male {
        Some(true) => m,
        Some(false) => f,
        None => (m + f) / 2.0,
    }
}

/// Lean body mass (kg) by James (1976), the DICOM LBMJAMES128 form: H in cm.
pub fn lbm_james(weight_kg: f64, height_m: f64, male: Option<bool>) -> f64 {
    let r = weight_kg / (height_m * 100.0);
    by_sex(
        male,
        1.10 * weight_kg - 128.0 * r * r,
        1.07 * weight_kg - 148.0 * r * r,
    )
}

/// Lean body mass (kg) by Morgan (DICOM LBM).
pub fn lbm_morgan(weight_kg: f64, height_m: f64, male: Option<bool>) -> f64 {
    let r = weight_kg / (height_m * 100.0);
    by_sex(
        male,
        1.10 * weight_kg - 120.0 * r * r,
        1.07 * weight_kg - 148.0 * r * r,
    )
}

/// Lean body mass (kg) by Janmahasatian et al. (2005): the SUL of PERCIST.
pub fn lbm_janmahasatian(weight_kg: f64, height_m: f64, male: Option<bool>) -> f64 {
    let bmi = weight_kg / (height_m * height_m);
    by_sex(
        male,
        9270.0 * weight_kg / (6680.0 + 216.0 * bmi),
        9270.0 * weight_kg / (8780.0 + 244.0 * bmi),
    )
}

/// Ideal body weight (kg), the manual's formulas (H in cm).
pub fn ibw(height_m: f64, male: Option<bool>) -> f64 {
    let h = height_m * 100.0;
    by_sex(male, 48.0 + 1.06 * (h - 152.0), 45.5 + 0.91 * (h - 152.0))
}

/// Body surface area (m²) by Du Bois and Du Bois (1916).
pub fn bsa_du_bois(weight_kg: f64, height_m: f64) -> f64 {
    0.007184 * (height_m * 100.0).powf(0.725) * weight_kg.powf(0.425)
}

/// SUVx = SUVbw × this factor.
///
/// # Errors
/// When the weight, or the height a kind needs, is unknown.
pub fn normalisation(kind: SuvKind, body: &Body) -> Result<f64, SuvError> {
    if kind == SuvKind::Bw {
        return Ok(1.0);
    }
    let w = body.weight_kg.ok_or_else(|| {
        err(
            "(0010,1030) PatientWeight",
            "absent",
            format!("SUV{} needs the weight: give --weight-kg", kind.name()),
        )
    })?;
    let h = body.height_m.ok_or_else(|| {
        err(
            "(0010,1020) PatientSize",
            "absent",
            format!("SUV{} needs the height: give --height-cm", kind.name()),
        )
    })?;
    Ok(match kind {
        SuvKind::Bw => 1.0,
        SuvKind::Lbm => lbm_janmahasatian(w, h, body.male) / w,
        SuvKind::LbmJames => lbm_james(w, h, body.male) / w,
        SuvKind::Ibw => ibw(h, body.male) / w,
        SuvKind::Bsa => 10.0 * bsa_du_bois(w, h) / w,
    })
}

fn seconds(d: Duration) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

fn add_seconds(t: NaiveDateTime, s: f64) -> NaiveDateTime {
    t + Duration::milliseconds((s * 1000.0).round() as i64)
}

/// ln(λT / (1 − e^(−λT))) / λ: the mean-count time within a frame of T seconds.
fn mean_count_offset(lambda: f64, frame_s: f64) -> f64 {
    let x = lambda * frame_s;
    (x / -(-x).exp_m1()).ln() / lambda
}

/// The decay timing of a BQML series: dose, half-life, injection, reference.
struct Timing {
    dose_bq: f64,
    lambda: f64,
    injection: NaiveDateTime,
}

fn half_life(header: &SuvHeader) -> Result<f64, SuvError> {
    match header.half_life_s {
        Some(t) if t.is_finite() && t > 0.0 => Ok(t),
        other => Err(err(
            "(0018,1075) RadionuclideHalfLife",
            shown(other),
            "needs a positive half-life in seconds (RadiopharmaceuticalInformationSequence)",
        )),
    }
}

fn dose(header: &SuvHeader, warnings: &mut Vec<String>) -> Result<f64, SuvError> {
    match header.dose {
        Some(d) if d.is_finite() && d > 0.0 && d < 1e4 => {
            warnings.push(format!(
                "RadionuclideTotalDose {d} read as MBq ({} Bq)",
                d * 1e6
            ));
            Ok(d * 1e6)
        }
        Some(d) if d.is_finite() && d >= 1e6 => Ok(d),
        Some(d) if d.is_finite() && d > 0.0 => Err(err(
            "(0018,1074) RadionuclideTotalDose",
            d,
            "is neither a dose in Bq (≥ 10⁶) nor one in MBq (< 10⁴)",
        )),
        other => Err(err(
            "(0018,1074) RadionuclideTotalDose",
            shown(other),
            "needs the injected dose (Bq)",
        )),
    }
}

/// The earliest acquisition date-time of the slices.
fn earliest_acquisition(header: &SuvHeader) -> Option<(usize, NaiveDateTime)> {
    header
        .slices
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.acquisition.map(|a| (i, a)))
        .min_by_key(|(_, a)| *a)
}

/// The scan reference time of a START series and where it came from.
fn reference_time(
    header: &SuvHeader,
    lambda: f64,
) -> Result<(NaiveDateTime, &'static str), SuvError> {
    let earliest = earliest_acquisition(header);
    let series = header.series_time.and_then(|t| {
        header
            .series_date
            .or(earliest.map(|(_, a)| a.date()))
            .map(|d| d.and_time(t))
    });
    if let Some(s) = series
        && earliest.is_none_or(|(_, a)| s <= a)
    {
        return Ok((s, "series"));
    }
    if let Some(ge) = header.ge_scan_datetime {
        return Ok((ge, "ge-private"));
    }
    let Some((index, acquisition)) = earliest else {
        return Err(err(
            "(0008,0031) SeriesTime",
            "absent",
            "no SeriesTime, GE scan time or AcquisitionTime to decay the dose to",
        ));
    };
    let slice = header.slices[index];
    let frame = slice.frame_duration_ms.filter(|d| *d > 0.0).ok_or_else(|| {
        err(
            "(0018,1242) ActualFrameDuration",
            shown(slice.frame_duration_ms),
            "SeriesTime is after AcquisitionTime and there is no GE scan time: the reference time is back-computed and needs the frame duration",
        )
    })?;
    let reference = slice.frame_reference_ms.ok_or_else(|| {
        err(
            "(0054,1300) FrameReferenceTime",
            "absent",
            "SeriesTime is after AcquisitionTime and there is no GE scan time: the reference time is back-computed and needs the frame reference time",
        )
    })?;
    let offset = mean_count_offset(lambda, frame / 1000.0) - reference / 1000.0;
    Ok((add_seconds(acquisition, offset), "back-computed"))
}

/// The injection date-time: the start date-time, or the start time on `day_of`'s date
/// (one day earlier when that is after `day_of`: injected before midnight).
fn injection(header: &SuvHeader, day_of: NaiveDateTime) -> Result<NaiveDateTime, SuvError> {
    if let Some(dt) = header.injection_datetime {
        return Ok(dt);
    }
    let Some(t) = header.injection_time else {
        return Err(err(
            "(0018,1078) RadiopharmaceuticalStartDateTime",
            "absent",
            "neither the injection date-time nor RadiopharmaceuticalStartTime (0018,1072) is given",
        ));
    };
    let same_day = day_of.date().and_time(t);
    Ok(if same_day > day_of {
        same_day - Duration::days(1)
    } else {
        same_day
    })
}

/// Converts a series' header to SUVbw factors (one per slice), with the SUL factor.
///
/// # Errors
/// [`SuvError`] naming the tag and value that forbid it: Units that cannot be
/// converted, a missing or zero weight, dose or half-life, an unknown DecayCorrection,
/// an injection after the scan, missing times.
pub fn convert(header: &SuvHeader, body: &Body) -> Result<SuvConversion, SuvError> {
    let mut warnings = Vec::new();
    let units = header
        .units
        .clone()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let n = header.slices.len().max(1);
    let mut out = SuvConversion {
        units: units.clone(),
        decay_correction: header.decay_correction.clone().unwrap_or_default(),
        weight_kg: body.weight_kg,
        height_m: body.height_m,
        sex: Some(
            match body.male {
                Some(true) => "M",
                Some(false) => "F",
                None => "O",
            }
            .to_string(),
        ),
        injected_dose_bq: None,
        injection_datetime: None,
        reference_datetime: None,
        reference_source: None,
        decay_seconds: None,
        half_life_s: header.half_life_s,
        slice_factors: Vec::new(),
        sul_factor: None,
        warnings: Vec::new(),
    };
    let weight = || {
        body.weight_kg.ok_or_else(|| {
            err(
                "(0010,1030) PatientWeight",
                "absent",
                "SUVbw needs the patient's weight: give --weight-kg",
            )
        })
    };
    let factors: Vec<f64> = match units.as_str() {
        "BQML" => bqml(header, weight()?, &mut out, &mut warnings)?,
        "CNTS" => match (header.philips_suv_factor, header.philips_activity_factor) {
            (Some(f), _) if f.is_finite() && f > 0.0 => vec![f; n],
            (_, Some(f)) if f.is_finite() && f > 0.0 => {
                let bq = bqml(header, weight()?, &mut out, &mut warnings)?;
                bq.into_iter().map(|b| b * f).collect()
            }
            (suv, act) => {
                return Err(err(
                    "(0054,1001) Units",
                    "CNTS",
                    format!(
                        "counts need a Philips SUV Scale Factor (7053,1000) or Activity Concentration Scale Factor (7053,1009) (found {} and {})",
                        shown(suv),
                        shown(act)
                    ),
                ));
            }
        },
        "GML" => {
            let kind = header
                .suv_type
                .as_deref()
                .unwrap_or("BW")
                .to_ascii_uppercase();
            let needs = |what: &str| -> Result<(f64, f64), SuvError> {
                let w = body.weight_kg.ok_or_else(|| {
                    err(
                        "(0010,1030) PatientWeight",
                        "absent",
                        format!("SUVType {what} is converted back to SUVbw with the weight"),
                    )
                })?;
                let h = body.height_m.ok_or_else(|| {
                    err(
                        "(0010,1020) PatientSize",
                        "absent",
                        format!("SUVType {what} is converted back to SUVbw with the height"),
                    )
                })?;
                Ok((w, h))
            };
            let f = match kind.as_str() {
                "" | "BW" => 1.0,
                "LBM" => {
                    let (w, h) = needs("LBM")?;
                    w / lbm_morgan(w, h, body.male)
                }
                "LBMJAMES128" => {
                    let (w, h) = needs("LBMJAMES128")?;
                    w / lbm_james(w, h, body.male)
                }
                "LBMJANMA" => {
                    let (w, h) = needs("LBMJANMA")?;
                    w / lbm_janmahasatian(w, h, body.male)
                }
                "IBW" => {
                    let (w, h) = needs("IBW")?;
                    w / ibw(h, body.male)
                }
                "BSA" => {
                    let (w, h) = needs("BSA")?;
                    w / (10.0 * bsa_du_bois(w, h))
                }
                other => {
                    return Err(err(
                        "(0054,1006) SUVType",
                        other,
                        "expected BW, LBM, LBMJAMES128, LBMJANMA, IBW or BSA",
                    ));
                }
            };
            if kind != "BW" && !kind.is_empty() && body.male.is_none() {
                warnings.push(format!(
                    "PatientSex is not M or F: SUVType {kind} converted back with the mean of the male and female formulas"
                ));
            }
            vec![f; n]
        }
        "CM2ML" => {
            let w = weight()?;
            let h = body.height_m.ok_or_else(|| {
                err(
                    "(0010,1020) PatientSize",
                    "absent",
                    "CM2ML (SUVbsa) is converted back to SUVbw with the height",
                )
            })?;
            if let Some(t) = header.suv_type.as_deref()
                && !t.eq_ignore_ascii_case("BSA")
            {
                return Err(err(
                    "(0054,1006) SUVType",
                    t,
                    "Units CM2ML is SUVbsa: SUVType must be BSA or absent",
                ));
            }
            vec![w / (10.0 * bsa_du_bois(w, h)); n]
        }
        other => {
            return Err(err(
                "(0054,1001) Units",
                if other.is_empty() { "absent" } else { other },
                "cannot be converted to SUV (BQML, CNTS with Philips factors, GML and CM2ML can)",
            ));
        }
    };
    if out.injected_dose_bq.is_none() {
        // Best effort for the report: what the header says, when it makes sense.
        out.injected_dose_bq = dose(header, &mut Vec::new()).ok();
    }
    out.sul_factor = normalisation(SuvKind::Lbm, body).ok();
    if out.sul_factor.is_none() {
        warnings.push("weight or height unknown: SUL (lean body mass) not available".into());
    }
    if factors.iter().any(|f| !(f.is_finite() && *f > 0.0)) {
        return Err(err(
            "(0054,1001) Units",
            &units,
            "the conversion factor is not a positive number",
        ));
    }
    out.slice_factors = factors;
    out.warnings = warnings;
    Ok(out)
}

/// BQML factors (one per slice), filling the timing fields of `out`.
fn bqml(
    header: &SuvHeader,
    weight_kg: f64,
    out: &mut SuvConversion,
    warnings: &mut Vec<String>,
) -> Result<Vec<f64>, SuvError> {
    let n = header.slices.len().max(1);
    let d = dose(header, warnings)?;
    let t_half = half_life(header)?;
    let lambda = std::f64::consts::LN_2 / t_half;
    let decay = header.decay_correction.as_deref().unwrap_or("").trim();
    out.injected_dose_bq = Some(d);
    out.half_life_s = Some(t_half);
    let w_g = weight_kg * 1000.0;
    let timing = |anchor: NaiveDateTime| -> Result<Timing, SuvError> {
        Ok(Timing {
            dose_bq: d,
            lambda,
            injection: injection(header, anchor)?,
        })
    };
    match decay {
        "START" => {
            let (reference, source) = reference_time(header, lambda)?;
            let t = timing(reference)?;
            let dt = seconds(reference - t.injection);
            if dt < 0.0 {
                return Err(err(
                    "(0018,1078) RadiopharmaceuticalStartDateTime",
                    t.injection.format("%Y-%m-%d %H:%M:%S"),
                    format!(
                        "the injection is after the scan reference time {}",
                        reference.format("%Y-%m-%d %H:%M:%S")
                    ),
                ));
            }
            out.injection_datetime = Some(t.injection);
            out.reference_datetime = Some(reference);
            out.reference_source = Some(source);
            out.decay_seconds = Some(dt);
            let decayed = t.dose_bq * (-t.lambda * dt).exp();
            Ok(vec![w_g / decayed; n])
        }
        "ADMIN" => {
            let anchor = header
                .series_time
                .and_then(|st| header.series_date.map(|sd| sd.and_time(st)))
                .or(earliest_acquisition(header).map(|(_, a)| a));
            let injection = match anchor {
                Some(a) => Some(timing(a)?.injection),
                None => header.injection_datetime,
            };
            if let (Some(i), Some(a)) = (injection, anchor)
                && i > a
            {
                return Err(err(
                    "(0018,1078) RadiopharmaceuticalStartDateTime",
                    i.format("%Y-%m-%d %H:%M:%S"),
                    format!(
                        "the injection is after the scan {}",
                        a.format("%Y-%m-%d %H:%M:%S")
                    ),
                ));
            }
            out.injection_datetime = injection;
            out.reference_datetime = injection;
            out.reference_source = Some("injection");
            out.decay_seconds = Some(0.0);
            Ok(vec![w_g / d; n])
        }
        "NONE" => {
            let Some((_, first)) = earliest_acquisition(header) else {
                return Err(err(
                    "(0008,0032) AcquisitionTime",
                    "absent",
                    "DecayCorrection NONE corrects each slice from its acquisition time",
                ));
            };
            let t = timing(first)?;
            let mut factors = Vec::with_capacity(n);
            for (k, slice) in header.slices.iter().enumerate() {
                let acquisition = slice.acquisition.ok_or_else(|| {
                    err(
                        "(0008,0032) AcquisitionTime",
                        format!("absent on slice {k}"),
                        "DecayCorrection NONE corrects each slice from its acquisition time",
                    )
                })?;
                let frame = slice
                    .frame_duration_ms
                    .filter(|f| *f > 0.0)
                    .ok_or_else(|| {
                        err(
                            "(0018,1242) ActualFrameDuration",
                            format!("{} on slice {k}", shown(slice.frame_duration_ms)),
                            "DecayCorrection NONE needs each frame's duration",
                        )
                    })?
                    / 1000.0;
                let since = seconds(acquisition - t.injection);
                if since < 0.0 {
                    return Err(err(
                        "(0018,1078) RadiopharmaceuticalStartDateTime",
                        t.injection.format("%Y-%m-%d %H:%M:%S"),
                        format!("the injection is after the acquisition of slice {k}"),
                    ));
                }
                let x = lambda * frame;
                let frame_mean = x / -(-x).exp_m1();
                factors.push(w_g / d * frame_mean * (lambda * since).exp());
            }
            out.injection_datetime = Some(t.injection);
            out.reference_datetime = Some(t.injection);
            out.reference_source = Some("acquisition");
            out.decay_seconds = Some(seconds(first - t.injection));
            if factors.windows(2).any(|w| w[0] != w[1]) {
                warnings.push(
                    "DecayCorrection NONE: the factor differs per slice (suvbw_factor is the first slice's)"
                        .into(),
                );
            }
            Ok(factors)
        }
        other => Err(err(
            "(0054,1102) DecayCorrection",
            if other.is_empty() { "absent" } else { other },
            "expected START, ADMIN or NONE",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SliceTiming;
    use chrono::{NaiveDate, NaiveTime};

    fn dt(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, 1, 1)
            .unwrap()
            .and_hms_opt(h, m, s)
            .unwrap()
    }

    /// The IBSI default reference object: BQML, START, 70 kg, 368.08 MBq at 10:00,
    /// scan at 11:00, F-18: 14 400 Bq/mL is SUV 4.00.
    fn default_header() -> SuvHeader {
        SuvHeader {
            units: Some("BQML".into()),
            decay_correction: Some("START".into()),
            weight: Some(70.0),
            height_m: Some(1.75),
            sex: Some("O".into()),
            dose: Some(368_080_000.0),
            half_life_s: Some(6586.2),
            injection_datetime: Some(dt(10, 0, 0)),
            injection_time: Some(NaiveTime::from_hms_opt(10, 0, 0).unwrap()),
            series_date: Some(dt(0, 0, 0).date()),
            series_time: Some(NaiveTime::from_hms_opt(11, 0, 0).unwrap()),
            slices: vec![
                SliceTiming {
                    acquisition: Some(dt(11, 0, 0)),
                    frame_duration_ms: Some(300_000.0),
                    frame_reference_ms: Some(150_000.0),
                };
                2
            ],
            ..SuvHeader::default()
        }
    }

    fn suv4(header: &SuvHeader, stored: f64) -> f64 {
        let mut w = Vec::new();
        let body = body_of(header, &mut w).unwrap();
        stored * convert(header, &body).unwrap().suvbw_factor()
    }

    #[test]
    fn bqml_start_decays_the_dose_to_the_series_time() {
        let h = default_header();
        assert!((suv4(&h, 14_400.0) - 4.0).abs() < 1e-3);
        let c = convert(&h, &body_of(&h, &mut Vec::new()).unwrap()).unwrap();
        assert_eq!(c.reference_source, Some("series"));
        assert_eq!(c.decay_seconds, Some(3600.0));
    }

    #[test]
    fn the_rules_of_the_manual_each_keep_suv_4() {
        let base = default_header();
        let mut cases: Vec<(&str, SuvHeader)> = Vec::new();
        let mut h = base.clone();
        h.dose = Some(368.08);
        cases.push(("dose in MBq", h));
        let mut h = base.clone();
        h.weight = Some(70_000.0);
        cases.push(("weight in grams", h));
        let mut h = base.clone();
        h.injection_datetime = None;
        cases.push(("start time only", h));
        let mut h = base.clone();
        h.injection_datetime = None;
        h.injection_time = Some(NaiveTime::from_hms_opt(23, 30, 0).unwrap());
        let next = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap();
        h.series_date = Some(next);
        h.series_time = Some(NaiveTime::from_hms_opt(0, 30, 0).unwrap());
        for s in &mut h.slices {
            s.acquisition = Some(next.and_hms_opt(0, 30, 0).unwrap());
        }
        cases.push(("injection before midnight", h));
        let mut h = base.clone();
        h.series_time = Some(NaiveTime::from_hms_opt(11, 30, 0).unwrap());
        h.ge_scan_datetime = Some(dt(11, 0, 0));
        cases.push(("series after acquisition: GE private time", h));
        for (name, h) in cases {
            let v = suv4(&h, 14_400.0);
            assert!((v - 4.0).abs() < 1e-3, "{name}: {v}");
        }
        // Back-computation: acquisition 11:02:30, frame 603 s, reference 450 s.
        let mut h = base.clone();
        h.series_time = Some(NaiveTime::from_hms_opt(11, 30, 0).unwrap());
        for s in &mut h.slices {
            *s = SliceTiming {
                acquisition: Some(dt(11, 2, 30)),
                frame_duration_ms: Some(603_000.0),
                frame_reference_ms: Some(450_000.0),
            };
        }
        let c = convert(&h, &body_of(&h, &mut Vec::new()).unwrap()).unwrap();
        assert_eq!(c.reference_source, Some("back-computed"));
        assert!((14_400.0 * c.suvbw_factor() - 4.0).abs() < 1e-3);
    }

    #[test]
    fn admin_none_and_counts() {
        let mut h = default_header();
        h.decay_correction = Some("ADMIN".into());
        let c = convert(&h, &body_of(&h, &mut Vec::new()).unwrap()).unwrap();
        assert!((c.suvbw_factor() - 70_000.0 / 368_080_000.0).abs() < 1e-15);
        // NONE: 13 952 Bq/mL acquired at 11:00 over 603 s is SUV 4 (IBSI DRO 3_4).
        let mut h = default_header();
        h.decay_correction = Some("NONE".into());
        for s in &mut h.slices {
            s.frame_duration_ms = Some(603_000.0);
        }
        assert!((suv4(&h, 13_952.0) - 4.0).abs() < 1e-3);
        let mut h = default_header();
        h.units = Some("CNTS".into());
        h.philips_suv_factor = Some(0.0005);
        assert!((suv4(&h, 8000.0) - 4.0).abs() < 1e-12);
        h.philips_suv_factor = None;
        h.philips_activity_factor = Some(0.5);
        assert!((suv4(&h, 28_800.0) - 4.0).abs() < 1e-3);
    }

    #[test]
    fn suv_types_are_converted_back_to_body_weight() {
        let mut h = default_header();
        h.units = Some("GML".into());
        h.sex = Some("M".into());
        h.suv_type = Some("LBMJAMES128".into());
        // LBM James male, 70 kg, 175 cm = 56.52 kg.
        assert!((suv4(&h, 4.0 * 56.52 / 70.0) - 4.0).abs() < 1e-9);
        h.sex = Some("O".into());
        h.suv_type = Some("IBW".into());
        // IBW: mean of 72.38 (M) and 66.43 (F) = 69.405 kg.
        assert!((suv4(&h, 4.0 * 69.405 / 70.0) - 4.0).abs() < 1e-9);
        h.units = Some("CM2ML".into());
        h.suv_type = Some("BSA".into());
        let bsa = bsa_du_bois(70.0, 1.75);
        assert!((bsa - 1.8484).abs() < 1e-3, "{bsa}");
        assert!((suv4(&h, 4.0 * bsa * 10.0 / 70.0) - 4.0).abs() < 1e-9);
    }

    #[test]
    fn lean_body_mass_formulas() {
        // Janmahasatian, 70 kg, 1.75 m (BMI 22.857): male 9270·70/(6680 + 216·BMI).
        let m = lbm_janmahasatian(70.0, 1.75, Some(true));
        assert!((m - 9270.0 * 70.0 / (6680.0 + 216.0 * 70.0 / 3.0625)).abs() < 1e-9);
        assert!((lbm_james(70.0, 1.75, Some(true)) - 56.52).abs() < 1e-9);
        let body = Body {
            weight_kg: Some(70.0),
            height_m: Some(1.75),
            male: Some(true),
        };
        assert!((normalisation(SuvKind::Lbm, &body).unwrap() - m / 70.0).abs() < 1e-12);
        assert_eq!(normalisation(SuvKind::Bw, &Body::default()), Ok(1.0));
        assert!(normalisation(SuvKind::Lbm, &Body::default()).is_err());
    }

    #[test]
    fn bad_headers_name_the_tag_and_value() {
        type Mutation = Box<dyn Fn(&mut SuvHeader)>;
        let cases: Vec<(&str, Mutation)> = vec![
            (
                "(0054,1001) Units = 'PROPCPS'",
                Box::new(|h| h.units = Some("PROPCPS".into())),
            ),
            (
                "(0010,1030) PatientWeight = '0'",
                Box::new(|h| h.weight = Some(0.0)),
            ),
            (
                "(0018,1074) RadionuclideTotalDose = '0'",
                Box::new(|h| h.dose = Some(0.0)),
            ),
            (
                "(0018,1075) RadionuclideHalfLife = '0'",
                Box::new(|h| h.half_life_s = Some(0.0)),
            ),
            (
                "(0054,1102) DecayCorrection = 'LATER'",
                Box::new(|h| h.decay_correction = Some("LATER".into())),
            ),
            (
                "(0018,1078) RadiopharmaceuticalStartDateTime = '2025-01-01 12:00:00'",
                Box::new(|h| h.injection_datetime = Some(dt(12, 0, 0))),
            ),
            (
                "(0054,1001) Units = 'CNTS'",
                Box::new(|h| h.units = Some("CNTS".into())),
            ),
        ];
        for (expected, mutate) in cases {
            let mut h = default_header();
            mutate(&mut h);
            let message = body_of(&h, &mut Vec::new())
                .and_then(|b| convert(&h, &b))
                .unwrap_err()
                .to_string();
            assert!(message.contains(expected), "{message}");
        }
    }
}
