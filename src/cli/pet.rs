//! `oncotrack pet SUV --mask MASK [--roi NAME] [--method ...]...`: SUVmax, SUVpeak, SUVmean, MTV and TLG per lesion and method, without storing.

use super::Format;
use super::output::{Listing, opt};
use oncotrack::analysis::pet::{Method, ReferenceLabels};
use oncotrack::pipeline::imaging::{PetMeasurement, measure_pet};
use std::path::PathBuf;

/// The images and methods of a PET measurement.
#[derive(Debug, clap::Args)]
pub struct PetArgs {
    /// SUV volume (NIfTI-1, .nii or .nii.gz)
    pub suv: PathBuf,
    /// Mask: a NIfTI label image on the same grid (0 background, one integer label per
    /// lesion), an RTSTRUCT (every ROI, or --roi) or a DICOM SEG (every segment)
    #[arg(long)]
    pub mask: PathBuf,
    /// RTSTRUCT ROI to measure, by its exact ROIName [default: every ROI with contours]
    #[arg(long, value_name = "NAME")]
    pub roi: Option<String>,
    /// Threshold method, repeatable: relative:F (SUV ≥ F×SUVmax), absolute:S, percist, background:F [default: relative:0.41]
    #[arg(long = "method", value_name = "METHOD")]
    pub methods: Vec<Method>,
    /// Mask label of the liver region (PERCIST reference; not a lesion)
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
}

impl PetArgs {
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

/// Measures and prints the uptake.
pub fn run(format: Format, args: PetArgs) -> anyhow::Result<()> {
    let (methods, references) = args.resolve()?;
    let measurement = measure_pet(
        &args.suv,
        &args.mask,
        args.roi.as_deref(),
        &methods,
        &references,
    )?;
    print_uptakes(&measurement, format)
}
