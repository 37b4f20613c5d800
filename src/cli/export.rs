//! `oncotrack export`: store tables, cluster runs and survival endpoints as CSV, Parquet or Arrow IPC via polars, optionally de-identified.

use super::{Format, invalid, open_read};
use anyhow::Context;
use oncotrack::export::{FileFormat, Pseudonymizer, survival_table, table_frame, write_frame};
use oncotrack::store::Store;
use oncotrack::store::export::{EXPORT_TABLES, ExportTable};
use std::path::{Path, PathBuf};

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// patients, timeline, calls, cytokines, lesions, pet, radiomics, clusters, survival or all
    #[arg(value_parser = parse_what)]
    pub what: What,
    /// Output file, or folder for `all` (created if needed)
    #[arg(long)]
    pub out: PathBuf,
    /// Replace patient IDs by HMAC-SHA256 pseudonyms, dates by days since the index date, and drop free text
    #[arg(long, requires = "key_file")]
    pub deidentify: bool,
    /// Secret key for the pseudonyms (at least 16 bytes; keep it apart from the export);
    /// created with a new random key when the file does not exist
    #[arg(long, requires = "deidentify")]
    pub key_file: Option<PathBuf>,
}

/// What `export` writes: one table, or every table into a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// Every table of [`names`], one file each
    All,
    /// One of [`names`]
    Table(&'static str),
}

/// The tables `export` writes: the store's, and the survival endpoints.
fn names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = EXPORT_TABLES.to_vec();
    names.push("survival");
    names
}

/// Parses the table name for clap.
fn parse_what(text: &str) -> Result<What, String> {
    if text == "all" {
        return Ok(What::All);
    }
    let names = names();
    names
        .iter()
        .find(|n| **n == text)
        .map(|n| What::Table(n))
        .ok_or_else(|| format!("expected {} or all", names.join(", ")))
}

fn table(store: &Store, name: &str) -> anyhow::Result<ExportTable> {
    if name == "survival" {
        Ok(survival_table(&store.courses()?))
    } else {
        Ok(store.export_table(name)?)
    }
}

/// Runs the command (`--format` csv, parquet or ipc, checked before dispatch; the
/// default table format means csv).
pub fn run(db: &Path, format: Format, args: ExportArgs) -> anyhow::Result<()> {
    let file_format = match format {
        Format::Table | Format::Csv => FileFormat::Csv,
        Format::Parquet => FileFormat::Parquet,
        Format::Ipc => FileFormat::Ipc,
        Format::Json | Format::Tsv => {
            return Err(invalid(
                "--format",
                if format == Format::Json {
                    "json"
                } else {
                    "tsv"
                },
                "export writes csv, parquet or ipc",
            ));
        }
    };
    let key = match &args.key_file {
        Some(path) => {
            let (key, created) = Pseudonymizer::load_or_create(path)?;
            if created {
                eprintln!(
                    "created a new pseudonym key in {} (mode 0600): keep it apart from the export; \
                     the same key gives the same pseudonyms next time",
                    path.display()
                );
            }
            Some(key)
        }
        None => None,
    };
    let store = open_read(db)?;
    let targets: Vec<(String, PathBuf)> = match args.what {
        What::All => {
            std::fs::create_dir_all(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            names()
                .iter()
                .map(|n| {
                    (
                        n.to_string(),
                        args.out.join(format!("{n}.{}", file_format.extension())),
                    )
                })
                .collect()
        }
        What::Table(name) => vec![(name.to_string(), args.out.clone())],
    };
    for (name, path) in targets {
        let mut frame = table_frame(&table(&store, &name)?, key.as_ref())?;
        write_frame(&mut frame, &path, file_format)?;
        say!("{}: {} rows ({name})", path.display(), frame.height());
    }
    Ok(())
}
