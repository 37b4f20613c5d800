//! `oncotrack ingest radiomics FILE... [--manifest FILE]`: PyRadiomics output, batch or transposed layout.

use super::open_write;
use oncotrack::ingest::radiomics::{CaseColumn, Options};
use oncotrack::model::Modality;
use oncotrack::pipeline::imaging::ingest_radiomics;
use std::path::{Path, PathBuf};

/// Arguments of `ingest radiomics`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// PyRadiomics CSV files (one row per case, or one row per feature with a featureName column)
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// CSV case,patient,date,lesion[,scanner,site,modality] mapping case ids to patients
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Column of the case id in a batch file read with --manifest, by name or 1-based
    /// position [default: case, else Image, else Mask, else the unnamed first column
    /// pandas writes for its index]
    #[arg(long, value_name = "NAME|N", value_parser = parse_case_col)]
    pub case_col: Option<CaseColumn>,
    /// Modality of the studies when neither file nor manifest gives one (CT, MR, PET)
    #[arg(long, default_value = "CT", value_parser = parse_modality)]
    pub modality: Modality,
}

/// Parses `--case-col` for clap: a column name, or its 1-based position.
fn parse_case_col(text: &str) -> Result<CaseColumn, String> {
    text.parse()
}

/// Parses `--modality` for clap (CT, MR or PET, any case; MRI, PET-CT and PET/CT too).
fn parse_modality(text: &str) -> Result<Modality, String> {
    text.parse()
}

/// Ingests each file.
pub fn run(db: &Path, args: Args) -> anyhow::Result<()> {
    let options = Options {
        case_col: args.case_col.unwrap_or_default(),
        modality: args.modality,
        today: chrono::Local::now().date_naive(),
    };
    let mut store = open_write(db)?;
    for file in &args.files {
        let done = ingest_radiomics(&mut store, file, args.manifest.as_deref(), &options)?;
        say!("{}", super::ingest::describe(&done.report));
        super::ingest::encoding_notice(&done.report, file);
        if !done.case_column.is_empty() {
            say!("  case ids from {}", done.case_column);
        }
        if !done.metadata_columns.is_empty() {
            say!(
                "  kept as case metadata (study metadata <lesion>/<column>): {}",
                done.metadata_columns.join(", ")
            );
        }
        if !done.ignored_columns.is_empty() {
            say!("  ignored: {}", done.ignored_columns.join(", "));
        }
        if done.missing > 0 {
            say!(
                "  {} feature values were empty or nan (not stored)",
                done.missing
            );
        }
    }
    if let Some(manifest) = &args.manifest {
        super::ingest::table_notice(manifest);
    }
    Ok(())
}
