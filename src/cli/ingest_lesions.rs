//! `oncotrack ingest lesions FILE...`: lesion measurements per imaging study (RECIST and Choi input).

use super::open_write;
use oncotrack::pipeline::imaging::ingest_lesions;
use std::path::{Path, PathBuf};

/// Arguments of `ingest lesions`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV files: patient,date,modality,lesion[,scanner,site,organ,target,nodal,longest_diameter_mm,short_axis_mm,mean_hu,new_lesion]
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Ingests each file.
pub fn run(db: &Path, args: Args) -> anyhow::Result<()> {
    let mut store = open_write(db)?;
    let today = chrono::Local::now().date_naive();
    for file in &args.files {
        let report = ingest_lesions(&mut store, file, today)?;
        say!("{}", super::ingest::describe(&report));
        super::ingest::encoding_notice(&report, file);
    }
    Ok(())
}
