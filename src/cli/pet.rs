//! `oncotrack pet PET --mask MASK [--roi NAME] [--liver-roi NAME] [--method ...]...`: SUVmax, SUVpeak, SUVmean, MTV and TLG per lesion and method, without storing; `--info` prints what a DICOM series' SUV conversion used.

use super::Format;
use super::output::{Listing, number, opt};
use oncotrack::analysis::pet::{Method, ReferenceLabels};
use oncotrack::analysis::suv::SuvKind;
use oncotrack::pipeline::imaging::{PetMeasurement, PetOptions, load_pet, measure_pet};
use std::path::PathBuf;

/// `--suv`: the SUV normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SuvArg {
    /// Body weight (SUVbw)
    Bw,
    /// Lean body mass by Janmahasatian 2005 (SUL, as PERCIST)
    Lbm,
    /// Lean body mass by James 1976 (DICOM LBMJAMES128)
    LbmJames,
    /// Body surface area (Du Bois)
    Bsa,
    /// Ideal body weight
    Ibw,
}

/// `--sex`: the patient's sex for lean body mass and ideal body weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SexArg {
    /// Male
    M,
    /// Female
    F,
    /// Other or unknown (the mean of the male and female formulas)
    O,
}

/// The images and methods of a PET measurement.
#[derive(Debug, clap::Args)]
pub struct PetArgs {
    /// PET image: an SUV volume (NIfTI-1, .nii or .nii.gz), a DICOM PET file, or a folder holding one PET series
    pub suv: PathBuf,
    /// Mask: a NIfTI label image on the same grid (0 background, one integer label per
    /// lesion), an RTSTRUCT (every ROI, or --roi) or a DICOM SEG (every segment)
    #[arg(long, required_unless_present = "info")]
    pub mask: Option<PathBuf>,
    /// RTSTRUCT ROI to measure, by its exact ROIName [default: every ROI with contours]
    #[arg(long, value_name = "NAME")]
    pub roi: Option<String>,
    /// Print what the SUV conversion of a DICOM series used, and measure nothing
    #[arg(long, conflicts_with = "mask")]
    pub info: bool,
    /// SeriesInstanceUID to read when the folder holds several PET series
    #[arg(long, value_name = "UID")]
    pub series: Option<String>,
    /// SUV normalisation of the output
    #[arg(long = "suv", value_name = "TYPE", value_enum, default_value = "bw")]
    pub suv_type: SuvArg,
    /// Patient weight (kg), for NIfTI input or to replace PatientWeight
    #[arg(long)]
    pub weight_kg: Option<f64>,
    /// Patient height (cm), for NIfTI input or to replace PatientSize
    #[arg(long)]
    pub height_cm: Option<f64>,
    /// Patient sex, for NIfTI input or to replace PatientSex
    #[arg(long, value_enum)]
    pub sex: Option<SexArg>,
    /// Threshold method, repeatable: relative:F (SUV ≥ F×SUVmax), absolute:S, percist, background:F [default: relative:0.41]
    #[arg(long = "method", value_name = "METHOD")]
    pub methods: Vec<Method>,
    /// Liver region (PERCIST reference; not a lesion) by its exact RTSTRUCT ROIName or SEG
    /// SegmentLabel [default: a region named 'liver' in any case, when there is one]
    #[arg(long, value_name = "NAME", conflicts_with_all = ["liver_label", "liver_mean", "liver_sd"])]
    pub liver_roi: Option<String>,
    /// Mask label of the liver region (PERCIST reference; not a lesion): a NIfTI label, ROINumber or SegmentNumber
    #[arg(long, conflicts_with_all = ["liver_mean", "liver_sd"])]
    pub liver_label: Option<u32>,
    /// Liver mean SUV (PERCIST), with --liver-sd
    #[arg(long, requires = "liver_sd")]
    pub liver_mean: Option<f64>,
    /// Liver SUV standard deviation (PERCIST), with --liver-mean
    #[arg(long, requires = "liver_mean")]
    pub liver_sd: Option<f64>,
    /// Mask label of the background region (background:F; not a lesion)
    #[arg(long)]
    pub background_label: Option<u32>,
    /// Background region (background:F; not a lesion) by its exact ROIName or SegmentLabel
    #[arg(long, value_name = "NAME", conflicts_with = "background_label")]
    pub background_roi: Option<String>,
}

impl PetArgs {
    /// How to read the PET image.
    pub fn options(&self) -> anyhow::Result<PetOptions> {
        if let Some(w) = self.weight_kg
            && !(w.is_finite() && w > 0.0 && w < 1000.0)
        {
            anyhow::bail!("--weight-kg {w}: expected a weight in kg (> 0, < 1000)");
        }
        if let Some(h) = self.height_cm
            && !(h.is_finite() && h > 20.0 && h < 300.0)
        {
            anyhow::bail!("--height-cm {h}: expected a height in cm (20–300)");
        }
        Ok(PetOptions {
            series: self.series.clone(),
            kind: Some(match self.suv_type {
                SuvArg::Bw => SuvKind::Bw,
                SuvArg::Lbm => SuvKind::Lbm,
                SuvArg::LbmJames => SuvKind::LbmJames,
                SuvArg::Bsa => SuvKind::Bsa,
                SuvArg::Ibw => SuvKind::Ibw,
            }),
            weight_kg: self.weight_kg,
            height_m: self.height_cm.map(|h| h / 100.0),
            roi: self.roi.clone(),
            liver_roi: self.liver_roi.clone(),
            background_roi: self.background_roi.clone(),
            sex: self.sex.map(|s| {
                match s {
                    SexArg::M => "M",
                    SexArg::F => "F",
                    SexArg::O => "O",
                }
                .to_string()
            }),
        })
    }

    /// The mask path (clap requires it unless `--info`).
    pub fn mask(&self) -> anyhow::Result<&std::path::Path> {
        self.mask
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("--mask is required"))
    }

    /// The methods (EANM relative:0.41 when none is given) and reference regions.
    pub fn resolve(&self) -> anyhow::Result<(Vec<Method>, ReferenceLabels)> {
        let methods = if self.methods.is_empty() {
            vec![Method::Relative(0.41)]
        } else {
            self.methods.clone()
        };
        let liver_given = match (self.liver_mean, self.liver_sd) {
            (Some(mean), Some(sd)) => {
                if !(mean.is_finite() && mean > 0.0 && sd.is_finite() && sd >= 0.0) {
                    anyhow::bail!("--liver-mean must be > 0 and --liver-sd ≥ 0");
                }
                Some((mean, sd))
            }
            _ => None,
        };
        if self.liver_label.is_some_and(|l| l == 0) || self.background_label.is_some_and(|l| l == 0)
        {
            anyhow::bail!("label 0 is the mask's background; reference labels start at 1");
        }
        Ok((
            methods,
            ReferenceLabels {
                liver: self.liver_label,
                liver_given,
                background: self.background_label,
            },
        ))
    }
}

/// Prints uptake rows (keys: label, name, method, threshold, voxels, suv_max, suv_peak,
/// suv_mean, mtv_ml, tlg; name is the ROI or segment name, null for a NIfTI label), after
/// the mask's warnings on standard error.
pub fn print_uptakes(measurement: &PetMeasurement, format: Format) -> anyhow::Result<()> {
    for warning in &measurement.warnings {
        eprintln!("oncotrack: warning: {warning}");
    }
    let mut listing = Listing::new(&[
        "label",
        "name",
        "method",
        "threshold",
        "voxels",
        "suv_max",
        "suv_peak",
        "suv_mean",
        "mtv_ml",
        "tlg",
    ]);
    for u in &measurement.uptakes {
        listing.push(vec![
            u.label.into(),
            opt(measurement.names.get(&u.label).cloned()),
            u.method.to_string().into(),
            u.threshold.into(),
            u.voxels.into(),
            u.suv_max.into(),
            u.suv_peak.into(),
            opt(u.suv_mean),
            u.mtv_ml.into(),
            u.tlg.into(),
        ]);
    }
    listing.print(format)
}

/// Prints what the SUV conversion used (keys: units, decay_correction, weight_kg,
/// height_m, sex, injected_dose_bq, injection_datetime, reference_datetime,
/// decay_seconds, half_life_s, suvbw_factor, sul_factor, warnings).
fn print_info(args: &PetArgs, format: Format) -> anyhow::Result<()> {
    let image = load_pet(&args.suv, &args.options()?)?;
    let Some(c) = image.conversion() else {
        anyhow::bail!(
            "{}: --info describes the SUV conversion of a DICOM series; a NIfTI volume is SUV already",
            args.suv.display()
        );
    };
    let when = |t: Option<chrono::NaiveDateTime>| {
        opt(t.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.f").to_string()))
    };
    let columns = [
        "units",
        "decay_correction",
        "weight_kg",
        "height_m",
        "sex",
        "injected_dose_bq",
        "injection_datetime",
        "reference_datetime",
        "decay_seconds",
        "half_life_s",
        "suvbw_factor",
        "sul_factor",
        "warnings",
    ];
    let values: Vec<serde_json::Value> = vec![
        c.units.clone().into(),
        c.decay_correction.clone().into(),
        opt(c.weight_kg.map(number)),
        opt(c.height_m.map(number)),
        opt(image.sex.clone()),
        opt(c.injected_dose_bq.map(number)),
        when(c.injection_datetime),
        when(c.reference_datetime),
        opt(c.decay_seconds.map(number)),
        opt(c.half_life_s.map(number)),
        number(c.suvbw_factor()),
        opt(c.sul_factor.map(number)),
        serde_json::Value::Array(c.warnings.iter().cloned().map(Into::into).collect()),
    ];
    if format == Format::Json {
        let object: serde_json::Map<String, serde_json::Value> =
            columns.iter().map(|k| k.to_string()).zip(values).collect();
        return super::output::print_json(&serde_json::Value::Object(object));
    }
    let mut listing = Listing::new(&columns);
    let mut row = values;
    if let Some(w) = row.last_mut() {
        *w = c.warnings.join("; ").into();
    }
    listing.push(row);
    listing.print_record(format)
}

/// Measures and prints the uptake.
pub fn run(format: Format, args: PetArgs) -> anyhow::Result<()> {
    if args.info {
        return print_info(&args, format);
    }
    let (methods, references) = args.resolve()?;
    let measurement = measure_pet(
        &args.suv,
        args.mask()?,
        &methods,
        &references,
        &args.options()?,
    )?;
    print_uptakes(&measurement, format)
}
