//! `oncotrack harmonize`: ComBat (neuroCombat's algorithm) on an analyst's CSV or on the store's radiomic / PET features across scanners or sites.

use super::output::print_json;
use super::values::{BatchByArg, LesionFamilyArg};
use super::{Format, invalid, open_write};
use oncotrack::analysis::harmonize::{
    BatchBy, ComBatSettings, Covariate, combat, harmonize_lesions,
};
use oncotrack::export::write_csv;
use oncotrack::ingest::table::Table;
use oncotrack::model::FeatureFamily;
use serde_json::json;
use std::path::{Path, PathBuf};

/// Arguments of `harmonize`.
#[derive(Debug, clap::Args)]
pub struct HarmonizeArgs {
    /// Analyst's table (file mode): rows = samples, first column the sample id
    #[arg(long, value_name = "CSV", requires_all = ["batch_col", "out"])]
    pub input: Option<PathBuf>,
    /// File mode: the batch column
    #[arg(long, requires = "input")]
    pub batch_col: Option<String>,
    /// Continuous covariates to preserve (comma-separated columns)
    #[arg(long, value_delimiter = ',', requires = "input")]
    pub continuous: Vec<String>,
    /// Categorical covariates to preserve (comma-separated columns)
    #[arg(long, value_delimiter = ',', requires = "input")]
    pub categorical: Vec<String>,
    /// Non-parametric empirical Bayes
    #[arg(long)]
    pub non_parametric: bool,
    /// No empirical Bayes (per-batch least-squares estimates)
    #[arg(long)]
    pub no_eb: bool,
    /// Adjust batch means only
    #[arg(long)]
    pub mean_only: bool,
    /// Reference batch (left unchanged; the others are brought to it)
    #[arg(long)]
    pub ref_batch: Option<String>,
    /// File mode: output CSV (same columns, features harmonised)
    #[arg(long, requires = "input")]
    pub out: Option<PathBuf>,
    /// Store mode: the lesion-level features to harmonise
    #[arg(long, value_enum, default_value_t = LesionFamilyArg::Radiomics, conflicts_with = "input")]
    pub features: LesionFamilyArg,
    /// Store mode: batch variable of the study
    #[arg(long, value_enum, default_value_t = BatchByArg::Scanner, conflicts_with = "input")]
    pub batch_by: BatchByArg,
    /// Store mode: name of the harmonisation run to save
    #[arg(long, conflicts_with = "input", required_unless_present = "input")]
    pub name: Option<String>,
}

fn settings(args: &HarmonizeArgs) -> ComBatSettings {
    ComBatSettings {
        no_eb: args.no_eb,
        non_parametric: args.non_parametric,
        mean_only: args.mean_only,
        ref_batch: args.ref_batch.clone(),
    }
}

fn warn_constant(names: &[String], constant: &[usize]) {
    for &f in constant {
        eprintln!(
            "oncotrack: warning: feature '{}' is constant; passed through unchanged",
            names[f]
        );
    }
}

/// Runs the command.
pub fn run(db: &Path, format: Format, args: HarmonizeArgs) -> anyhow::Result<()> {
    match (&args.input, &args.out) {
        (Some(input), Some(out)) => run_file(input, out, format, &args),
        _ => run_store(db, format, &args),
    }
}

fn run_file(input: &Path, out: &Path, format: Format, args: &HarmonizeArgs) -> anyhow::Result<()> {
    let table = Table::read(input)?;
    let batch_name = args.batch_col.as_deref().unwrap_or_default();
    let batch_col = table.column(batch_name)?;
    let mut covariate_cols = Vec::new();
    let mut covariates = Vec::new();
    for name in &args.continuous {
        let c = table.column(name)?;
        covariates.push(Covariate::Continuous(table.numbers(c)?));
        covariate_cols.push(c);
    }
    for name in &args.categorical {
        let c = table.column(name)?;
        covariates.push(Covariate::Categorical(table.texts(c)?));
        covariate_cols.push(c);
    }
    let feature_cols: Vec<usize> = (1..table.columns.len())
        .filter(|c| *c != batch_col && !covariate_cols.contains(c))
        .collect();
    if feature_cols.is_empty() {
        return Err(oncotrack::Error::parse(
            input,
            1,
            "(header)",
            "no feature columns left to harmonise",
        )
        .into());
    }
    let features: Vec<Vec<f64>> = feature_cols
        .iter()
        .map(|&c| table.numbers(c))
        .collect::<Result<_, _>>()?;
    let batch = table.texts(batch_col)?;
    let result = combat(&features, &batch, &covariates, &settings(args))?;
    let names: Vec<String> = feature_cols
        .iter()
        .map(|&c| table.columns[c].clone())
        .collect();
    warn_constant(&names, &result.constant_features);
    let mut records: Vec<Vec<String>> = table
        .records
        .iter()
        .map(|(_, cells)| cells.clone())
        .collect();
    for (f, &c) in feature_cols.iter().enumerate() {
        if result.constant_features.contains(&f) {
            continue;
        }
        for (s, record) in records.iter_mut().enumerate() {
            record[c] = result.data[f][s].to_string();
        }
    }
    write_csv(out, &table.columns, &records)?;
    let summary = json!({
        "out": out.display().to_string(),
        "samples": batch.len(),
        "features": names.len(),
        "batches": result.batches,
        "constant_features": result.constant_features.iter().map(|&f| names[f].clone()).collect::<Vec<_>>(),
    });
    if format == Format::Json {
        print_json(&summary)
    } else {
        say!(
            "{}: {} samples x {} features harmonised across {} batches",
            out.display(),
            batch.len(),
            names.len() - result.constant_features.len(),
            result.batches.len()
        );
        Ok(())
    }
}

fn run_store(db: &Path, format: Format, args: &HarmonizeArgs) -> anyhow::Result<()> {
    let name = args
        .name
        .as_deref()
        .ok_or_else(|| invalid("--name", "", "store mode needs --name (or give --input)"))?;
    let family: FeatureFamily = args.features.into();
    let batch_by: BatchBy = args.batch_by.into();
    let mut store = open_write(db)?;
    let values = store.imaging_values(family)?;
    let result = harmonize_lesions(&values, batch_by, &settings(args))?;
    for feature in &result.constant_features {
        eprintln!("oncotrack: warning: feature '{feature}' is constant; passed through unchanged");
    }
    let left_out = result.left_out_incomplete;
    let params = json!({
        "features": args.features, "batch_by": args.batch_by, "non_parametric": args.non_parametric,
        "no_eb": args.no_eb, "mean_only": args.mean_only, "ref_batch": args.ref_batch,
        "batches": result.batches, "samples": result.samples, "left_out_incomplete": left_out,
    });
    let tx = store.transaction()?;
    tx.save_harmonize_run(
        name,
        &params.to_string(),
        concat!(
            "oncotrack ",
            env!("CARGO_PKG_VERSION"),
            " (ComBat as neuroCombat 0.2.12)"
        ),
        &result.values,
    )?;
    tx.commit()?;
    if format == Format::Json {
        print_json(&json!({"run": name, "params": params}))
    } else {
        say!(
            "harmonisation run '{name}': {} lesions x {} features across {} batches ({} incomplete lesions left out)",
            result.samples,
            result.features.len(),
            result.batches.len(),
            left_out
        );
        Ok(())
    }
}
