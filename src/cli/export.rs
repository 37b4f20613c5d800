//! `oncotrack export`: store tables, cluster runs and survival endpoints as CSV, Parquet or Arrow IPC via polars, optionally de-identified.

mod cbioportal;

use super::{Format, invalid, open_read};
use anyhow::Context;
use oncotrack::export::partition::{self, PartitionBy};
use oncotrack::export::{
    Deidentify, FileFormat, Pseudonymizer, survival_table, table_frame, write_frame,
    write_frame_file,
};
use oncotrack::store::Store;
use oncotrack::store::export::{EXPORT_TABLES, ExportTable};
use std::path::{Path, PathBuf};

/// Arguments of `export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// patients, timeline, calls, fusions, cytokines, lesions, pet, radiomics, clusters, survival,
    /// cohort (one analysis-ready row per patient), all (every table but cohort) or
    /// cbioportal (a cBioPortal study folder)
    #[arg(value_parser = parse_what)]
    pub what: What,
    /// Output file (`-`: standard output), or folder for `all` (created if needed)
    #[arg(long)]
    pub out: PathBuf,
    /// `cohort`: add each patient's cluster of this cluster run
    #[arg(long, value_name = "RUN")]
    pub cluster: Option<String>,
    /// `cytokines` (and `all`): only the values of this assay (kit, panel or stimulation)
    #[arg(long, value_name = "NAME")]
    pub assay: Option<String>,
    /// Write a hive-partitioned Parquet dataset into the folder --out
    /// (`site=A/part-0.parquet`), by the patient's site, diagnosis or index year
    #[arg(long, value_enum)]
    pub partition_by: Option<PartitionArg>,
    /// `cbioportal`: the study identifier (lower-case letters, digits, _)
    #[arg(long, value_name = "ID", default_value = "oncotrack_sarcoma")]
    pub study_id: String,
    /// `cbioportal`: the reference genome of the variant positions
    #[arg(long, value_enum, default_value_t = GenomeArg::Hg19)]
    pub reference_genome: GenomeArg,
    #[command(flatten)]
    pub deidentify: DeidentifyArgs,
}

/// The reference genome of `export cbioportal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GenomeArg {
    /// GRCh37
    Hg19,
    /// GRCh38
    Hg38,
}

/// The patient attribute of `--partition-by`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PartitionArg {
    /// The patient's site (de-identified: only with --keep-site)
    Site,
    /// The patient's diagnosis
    Diagnosis,
    /// The calendar year of the index date (not with --deidentify)
    Year,
}

impl From<PartitionArg> for PartitionBy {
    fn from(arg: PartitionArg) -> Self {
        match arg {
            PartitionArg::Site => PartitionBy::Site,
            PartitionArg::Diagnosis => PartitionBy::Diagnosis,
            PartitionArg::Year => PartitionBy::Year,
        }
    }
}

/// `--deidentify --key-file [--keep-site]`: shared by every command that writes patient rows,
/// so that the same key gives the same pseudonyms in every output.
#[derive(Debug, Clone, clap::Args)]
pub struct DeidentifyArgs {
    /// Replace patient IDs by HMAC-SHA256 pseudonyms (rows ordered by pseudonym), dates by
    /// days since the index date, the birth year by the age at index (90+ as 90); drop
    /// free text, timestamps and site names
    #[arg(long, requires = "key_file")]
    pub deidentify: bool,
    /// Secret key for the pseudonyms (at least 16 bytes; keep it apart from the export);
    /// created with a new random key when the file does not exist
    #[arg(long, requires = "deidentify")]
    pub key_file: Option<PathBuf>,
    /// Keep site (centre) names in a de-identified export
    #[arg(long, requires = "deidentify")]
    pub keep_site: bool,
}

impl DeidentifyArgs {
    /// The de-identification asked for, its key read (or created, which is said on
    /// standard error).
    pub fn load(&self) -> anyhow::Result<Option<Deidentify>> {
        let Some(path) = &self.key_file else {
            return Ok(None);
        };
        let (key, created) = Pseudonymizer::load_or_create(path)?;
        if created {
            eprintln!(
                "created a new pseudonym key in {} (mode 0600): keep it apart from the export; \
                 the same key gives the same pseudonyms next time",
                path.display()
            );
        }
        Ok(Some(Deidentify {
            key,
            keep_site: self.keep_site,
        }))
    }
}

/// Whether `--out` means standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Refuses an output file whose extension names another format than `format`.
pub fn check_extension(out: &Path, format: FileFormat) -> anyhow::Result<()> {
    match FileFormat::from_path(out) {
        Some(named) if named != format => Err(invalid(
            "--out",
            &out.display().to_string(),
            &format!(
                "its extension says {} but the format is {}: use --format {} or end the file in .{}",
                named.extension(),
                format.extension(),
                format_flag(named),
                format.extension()
            ),
        )),
        _ => Ok(()),
    }
}

fn format_flag(format: FileFormat) -> &'static str {
    match format {
        FileFormat::Csv => "csv",
        FileFormat::Parquet => "parquet",
        FileFormat::Ipc => "ipc",
    }
}

/// What `export` writes: one table, or every table into a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    /// Every table of [`names`], one file each
    All,
    /// A cBioPortal study folder
    Cbioportal,
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
    if text == "cohort" {
        return Ok(What::Table("cohort"));
    }
    if text == "cbioportal" {
        return Ok(What::Cbioportal);
    }
    let names = names();
    names
        .iter()
        .find(|n| **n == text)
        .map(|n| What::Table(n))
        .ok_or_else(|| format!("expected {}, cohort, all or cbioportal", names.join(", ")))
}

/// `cohort --cluster RUN`: appends the raw values of the features the run used, at its
/// time point.
fn add_run_features(
    store: &Store,
    name: &str,
    cluster: Option<&str>,
    key: Option<&Deidentify>,
    frame: &mut oncotrack::export::Frame,
) -> anyhow::Result<()> {
    let (Some(run), "cohort") = (cluster, name) else {
        return Ok(());
    };
    let Some(found) = store.analysis_runs()?.into_iter().find(|r| r.name == run) else {
        return Ok(());
    };
    let record = store.cluster_record(&found)?;
    let at: oncotrack::analysis::matrix::TimePoint = record
        .at
        .parse()
        .unwrap_or(oncotrack::analysis::matrix::TimePoint::Baseline);
    let mut observations = Vec::new();
    for family in oncotrack::export::cohort::families(&record.features) {
        let found = store.observations(family)?;
        if family == oncotrack::model::FeatureFamily::Cytokines {
            // The run's assay, as its matrix chose it (a run saved before assays were
            // recorded names none: the store must then hold one assay only).
            let choice = match &record.assay {
                Some(assay) => assay.parse().unwrap_or_default(),
                None => oncotrack::analysis::matrix::AssayChoice::Only,
            };
            let (kept, _) = oncotrack::analysis::matrix::choose_assay(found, &choice)
                .map_err(|e| anyhow::anyhow!("cluster run '{run}': {e}"))?;
            observations.push(kept);
        } else {
            observations.push(found);
        }
    }
    let (features, values) = oncotrack::export::cohort::feature_values(&observations, at);
    oncotrack::export::cohort::add_features(frame, &features, &values, key);
    Ok(())
}

fn table(
    store: &Store,
    name: &str,
    cluster: Option<&str>,
    assay: Option<&str>,
) -> anyhow::Result<ExportTable> {
    if let (Some(assay), "cytokines") = (assay, name) {
        let mut table = store.export_table(name)?;
        let assays = table.text_values("assay");
        if !assays.contains(assay) {
            return Err(invalid(
                "--assay",
                assay,
                &format!(
                    "no cytokine is stored under this assay; the assays stored are {}",
                    oncotrack::analysis::matrix::assay_list(&assays)
                ),
            ));
        }
        table.retain_text("assay", assay);
        return Ok(table);
    }
    if name == "cohort" {
        // One read transaction: every patient is read from the same state of the store.
        return Ok(store.read_snapshot(|store| {
            let assignments = cluster
                .map(|run| store.cluster_assignments(run))
                .transpose()?;
            let rules = oncotrack::analysis::response::molecular::Rules::default();
            let mut reports = std::collections::HashMap::new();
            for patient in store.patients()? {
                let code = patient.fields.code;
                let record = store.response_record(&code)?;
                let outcome = oncotrack::export::cohort::PatientOutcome::assess(&record, &rules);
                reports.insert(code, outcome);
            }
            Ok(oncotrack::export::cohort::cohort_table(
                &store.export_table("patients")?,
                assignments.as_deref(),
                &reports,
                &survival_table(&store.courses()?),
            ))
        })?);
    }
    if name == "survival" {
        Ok(survival_table(&store.courses()?))
    } else {
        Ok(store.export_table(name)?)
    }
}

/// Writes a hive-partitioned Parquet dataset: `OUT/column=value/part-0.parquet`
/// (for `all`, `OUT/<table>/column=value/part-0.parquet`).
fn run_partitioned(
    db: &Path,
    file_format: FileFormat,
    args: &ExportArgs,
    by: PartitionBy,
) -> anyhow::Result<()> {
    let out = args.out.display().to_string();
    if file_format != FileFormat::Parquet {
        return Err(invalid(
            "--partition-by",
            by.column(),
            "a partitioned dataset is written as Parquet: add --format parquet",
        ));
    }
    if is_stdout(&args.out) || FileFormat::from_path(&args.out).is_some() {
        return Err(invalid(
            "--out",
            &out,
            "--partition-by writes a folder of files: name a folder",
        ));
    }
    if args.deidentify.deidentify {
        if by == PartitionBy::Year {
            return Err(invalid(
                "--partition-by",
                "year",
                "a calendar year is a date part, which a de-identified export does not keep",
            ));
        }
        if by == PartitionBy::Site && !args.deidentify.keep_site {
            return Err(invalid(
                "--partition-by",
                "site",
                "a de-identified export keeps site names only with --keep-site",
            ));
        }
    }
    let key = args.deidentify.load()?;
    let store = open_read(db)?;
    let keys = partition::partition_keys(&store.export_table("patients")?, by);
    let tables: Vec<(String, PathBuf)> = match args.what {
        What::All => names()
            .iter()
            .map(|n| (n.to_string(), args.out.join(n)))
            .collect(),
        What::Table(name) => vec![(name.to_string(), args.out.clone())],
        What::Cbioportal => Vec::new(),
    };
    for (name, folder) in tables {
        let parts = partition::split(
            &table(
                &store,
                &name,
                args.cluster.as_deref(),
                args.assay.as_deref(),
            )?,
            &keys,
            by,
        );
        let mut rows = 0;
        for (value, part) in &parts {
            let dir = folder.join(partition::hive_folder(by, value.as_deref()));
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let path = dir.join("part-0.parquet");
            let mut frame = table_frame(part, key.as_ref());
            add_run_features(
                &store,
                &name,
                args.cluster.as_deref(),
                key.as_ref(),
                &mut frame,
            )?;
            write_frame_file(&frame, &path, file_format)?;
            rows += frame.height;
        }
        say!(
            "{}: {rows} rows in {} partitions by {} ({name})",
            folder.display(),
            parts.len(),
            by.column()
        );
    }
    Ok(())
}

/// Runs the command (`--format` csv, parquet or ipc, checked before dispatch; without
/// `--format`, the extension of `--out` decides, else csv).
pub fn run(db: &Path, format: Format, args: ExportArgs) -> anyhow::Result<()> {
    if args.what == What::Cbioportal {
        return cbioportal::run(db, &args);
    }
    let file_format = match format {
        // No --format given: the file's extension says, else CSV.
        Format::Table => FileFormat::from_path(&args.out).unwrap_or(FileFormat::Csv),
        Format::Csv => FileFormat::Csv,
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
    if args.cluster.is_some() && args.what != What::Table("cohort") {
        return Err(invalid(
            "--cluster",
            args.cluster.as_deref().unwrap_or(""),
            "only `export cohort` and `export cbioportal` take a cluster run",
        ));
    }
    if let Some(by) = args.partition_by {
        return run_partitioned(db, file_format, &args, by.into());
    }
    if let What::Table(_) = args.what {
        check_extension(&args.out, file_format)?;
    } else if is_stdout(&args.out) {
        return Err(invalid(
            "--out",
            "-",
            "`all` writes one file per table: name a folder",
        ));
    }
    let key = args.deidentify.load()?;
    let store = open_read(db)?;
    let targets: Vec<(String, PathBuf)> = match args.what {
        What::All => {
            if std::fs::symlink_metadata(&args.out).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(invalid(
                    "--out",
                    &args.out.display().to_string(),
                    "is a symbolic link; export writes only into a real folder",
                ));
            }
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
        What::Cbioportal => Vec::new(),
    };
    for (name, path) in targets {
        let mut frame = table_frame(
            &table(
                &store,
                &name,
                args.cluster.as_deref(),
                args.assay.as_deref(),
            )?,
            key.as_ref(),
        );
        add_run_features(
            &store,
            &name,
            args.cluster.as_deref(),
            key.as_ref(),
            &mut frame,
        )?;
        if is_stdout(&path) {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            write_frame(&frame, &mut out, &path, file_format)?;
            std::io::Write::flush(&mut out)?;
            eprintln!("{} rows ({name})", frame.height);
        } else {
            write_frame_file(&frame, &path, file_format)?;
            say!("{}: {} rows ({name})", path.display(), frame.height);
        }
    }
    Ok(())
}
