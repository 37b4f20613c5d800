//! `oncotrack matrix`: the per-patient feature matrix from the store, written as CSV or Parquet with polars.

use super::output::{Listing, print_json};
use super::{Format, invalid, open_read};
use anyhow::Context;
use oncotrack::analysis::matrix::{
    self, FeatureMatrix, Impute, MatrixSettings, TimePoint, Transform,
};
use oncotrack::export::{FileFormat, matrix_frame, write_frame};
use oncotrack::model::FeatureFamily;
use oncotrack::store::Store;
use serde_json::json;
use std::path::{Path, PathBuf};

/// How the matrix is built (shared by `matrix` and store-mode `cluster`).
#[derive(Debug, Clone, clap::Args)]
pub struct MatrixOptions {
    /// Feature families, comma-separated: cytokines, radiomics, pet, ctdna
    #[arg(long, value_delimiter = ',', default_value = "cytokines")]
    pub features: Vec<String>,
    /// Time point: baseline, visit:N (1 = baseline) or days:D±W (days since index, also D+-W)
    #[arg(long, default_value = "baseline")]
    pub at: String,
    /// Transformation of raw values: log1p, log10 or none
    #[arg(long, default_value = "log1p")]
    pub transform: String,
    /// Missing cells: median (column median) or drop (the patient)
    #[arg(long, default_value = "median")]
    pub impute: String,
}

/// Arguments of `matrix`.
#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub options: MatrixOptions,
    /// Scaling after imputation: z (mean 0, SD 1 per column) or none
    #[arg(long, default_value = "z")]
    pub scale: String,
    /// Output file (.csv or .parquet)
    #[arg(long)]
    pub out: PathBuf,
}

/// Parses the family names.
fn families(names: &[String]) -> anyhow::Result<Vec<FeatureFamily>> {
    names
        .iter()
        .map(|name| match name.trim() {
            "cytokines" => Ok(FeatureFamily::Cytokines),
            "radiomics" => Ok(FeatureFamily::Radiomics),
            "pet" => Ok(FeatureFamily::Pet),
            "ctdna" => Ok(FeatureFamily::Ctdna),
            other => Err(invalid(
                "--features",
                other,
                "expected cytokines, radiomics, pet or ctdna",
            )),
        })
        .collect()
}

/// Parses `--scale`.
pub fn z_scale(scale: &str) -> anyhow::Result<bool> {
    match scale {
        "z" => Ok(true),
        "none" => Ok(false),
        other => Err(invalid("--scale", other, "expected z or none")),
    }
}

/// Builds the matrix from the store.
pub fn build(store: &Store, options: &MatrixOptions, z: bool) -> anyhow::Result<FeatureMatrix> {
    let at: TimePoint = options
        .at
        .parse()
        .map_err(|reason: String| invalid("--at", &options.at, &reason))?;
    let transform = match options.transform.as_str() {
        "log1p" => Transform::Log1p,
        "log10" => Transform::Log10,
        "none" => Transform::None,
        other => {
            return Err(invalid(
                "--transform",
                other,
                "expected log1p, log10 or none",
            ));
        }
    };
    let impute = match options.impute.as_str() {
        "median" => Impute::Median,
        "drop" => Impute::Drop,
        other => return Err(invalid("--impute", other, "expected median or drop")),
    };
    let mut observations = Vec::new();
    for family in families(&options.features)? {
        observations.push(store.observations(family)?);
    }
    let settings = MatrixSettings {
        at,
        transform,
        z_scale: z,
        impute,
    };
    Ok(matrix::build(&observations, &settings)?)
}

/// Writes the matrix and reports its shape and the patients left out.
pub fn run(db: &Path, format: Format, args: MatrixArgs) -> anyhow::Result<()> {
    let file_format = FileFormat::from_path(&args.out)
        .filter(|f| *f != FileFormat::Ipc)
        .ok_or_else(|| {
            invalid(
                "--out",
                &args.out.display().to_string(),
                "must end in .csv or .parquet",
            )
        })?;
    let store = open_read(db)?;
    let matrix = build(&store, &args.options, z_scale(&args.scale)?)?;
    let mut frame = matrix_frame(&matrix, None)?;
    write_frame(&mut frame, &args.out, file_format)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let dropped: Vec<_> = matrix
        .dropped
        .iter()
        .map(|(patient, reason)| json!({"patient": patient, "reason": reason}))
        .collect();
    match format {
        Format::Json => print_json(&json!({
            "out": args.out.display().to_string(),
            "patients": matrix.patients.len(),
            "features": matrix.features,
            "censored_cells": matrix.censored_cells,
            "imputed_cells": matrix.imputed_cells,
            "dropped": dropped,
        })),
        _ => {
            say!(
                "{}: {} patients x {} features ({} censored cells at their bound, {} imputed)",
                args.out.display(),
                matrix.patients.len(),
                matrix.features.len(),
                matrix.censored_cells,
                matrix.imputed_cells
            );
            if !matrix.dropped.is_empty() {
                say!("dropped {} patients:", matrix.dropped.len());
                let mut listing = Listing::new(&["patient", "reason"]);
                for (patient, reason) in &matrix.dropped {
                    listing.push(vec![patient.clone().into(), reason.clone().into()]);
                }
                listing.print(if format == Format::Csv {
                    Format::Csv
                } else {
                    Format::Table
                })?;
            }
            Ok(())
        }
    }
}
