//! `oncotrack matrix`: the per-patient feature matrix from the store, written as CSV or Parquet with polars.

use super::export::DeidentifyArgs;
use super::output::{Listing, print_json};
use super::values::{AtArg, FamilyArg, ImputeArg, ScaleArg, TransformArg, parse_at};
use super::{Format, invalid, open_read};
use oncotrack::analysis::matrix::{self, AssayChoice, FeatureMatrix, MatrixSettings};
use oncotrack::export::{FileFormat, matrix_frame, write_frame_file};
use oncotrack::store::Store;
use serde_json::json;
use std::path::{Path, PathBuf};

/// How the matrix is built (shared by `matrix` and store-mode `cluster`).
#[derive(Debug, Clone, clap::Args)]
pub struct MatrixOptions {
    /// Feature families, comma-separated
    #[arg(long, value_enum, value_delimiter = ',', default_value = "cytokines")]
    pub features: Vec<FamilyArg>,
    /// Time point: baseline, visit:N (1 = baseline) or days:D±W (days since index, also D+-W)
    #[arg(long, default_value = "baseline", value_parser = parse_at)]
    pub at: AtArg,
    /// Transformation of raw values
    #[arg(long, value_enum, default_value_t = TransformArg::Log1p)]
    pub transform: TransformArg,
    /// Missing cells: the column median, or drop the patient
    #[arg(long, value_enum, default_value_t = ImputeArg::Median)]
    pub impute: ImputeArg,
    /// Cytokine assay (kit, panel or stimulation) to use, or `all` for one column per
    /// analyte and assay [default: the one stored; refused when there are several]
    #[arg(long, value_name = "NAME", value_parser = parse_assay)]
    pub assay: Option<AssayChoice>,
}

/// Parses `--assay` for clap: a name, or `all`.
fn parse_assay(text: &str) -> Result<AssayChoice, String> {
    text.parse()
}

/// Arguments of `matrix`.
#[derive(Debug, clap::Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub options: MatrixOptions,
    /// Scaling after imputation
    #[arg(long, value_enum, default_value_t = ScaleArg::Z)]
    pub scale: ScaleArg,
    /// Output file (.csv or .parquet)
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub deidentify: DeidentifyArgs,
}

/// Builds the matrix from the store, with the cytokine assay it used (`all` for every
/// assay; `None` without cytokines).
pub fn build(
    store: &Store,
    options: &MatrixOptions,
    z: bool,
) -> anyhow::Result<(FeatureMatrix, Option<String>)> {
    let mut observations = Vec::new();
    let mut assay = None;
    for &family in &options.features {
        let found = store.observations(family.into())?;
        if family == FamilyArg::Cytokines {
            let choice = options.assay.clone().unwrap_or_default();
            let (kept, used) = matrix::choose_assay(found, &choice)?;
            assay = match choice {
                AssayChoice::All => Some("all".to_string()),
                _ => used,
            };
            observations.push(kept);
        } else {
            observations.push(found);
        }
    }
    let settings = MatrixSettings {
        at: options.at.0,
        transform: options.transform.into(),
        z_scale: z,
        impute: options.impute.into(),
    };
    Ok((matrix::build(&observations, &settings)?, assay))
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
    let key = args.deidentify.load()?;
    let store = open_read(db)?;
    let (mut matrix, assay) = build(&store, &args.options, args.scale.is_z())?;
    let frame = matrix_frame(&matrix, key.as_ref());
    write_frame_file(&frame, &args.out, file_format)?;
    if let Some(d) = &key {
        // The patients left out are named by their pseudonyms too.
        for (patient, _) in &mut matrix.dropped {
            *patient = d.key.pseudonym(patient);
        }
        matrix.dropped.sort();
    }
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
            "assay": assay,
            "censored_cells": matrix.censored_cells,
            "imputed_cells": matrix.imputed_cells,
            "dropped": dropped,
        })),
        _ => {
            if let Some(assay) = &assay {
                say!("cytokines of assay '{assay}'");
            }
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
