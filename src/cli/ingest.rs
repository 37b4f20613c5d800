//! `oncotrack ingest KIND FILE...`: one transaction per file; a file ingested before is skipped and said so.

use super::{Format, open_write};
use clap::Subcommand;
use oncotrack::pipeline::{self, IngestReport, Outcome};
use oncotrack::store::Store;
use std::path::{Path, PathBuf};

/// Ingest commands.
#[derive(Debug, Subcommand)]
pub enum IngestCommand {
    /// Patients CSV: patient,diagnosis[,sex,birth_year,site,primary_site,height_cm]
    Patients {
        /// CSV files
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Clinical events CSV: patient,date,kind[,detail]
    Events {
        /// CSV files
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// ctDNA variant calls (VCF or bgzipped VCF of a somatic caller) of one blood draw
    Vcf(super::ingest_vcf::VcfArgs),
    /// Allele counts from a BAM at the patient's tracked variants (or --loci), as one blood draw
    Bam(super::ingest_bam::BamArgs),
    /// Cytokine tables, long or wide (censored values, units converted to pg/mL)
    Cytokines(super::ingest_cytokines::Args),
    /// Lesion measurements: patient,date,modality,lesion[,scanner,site,organ,target,nodal,longest_diameter_mm,short_axis_mm,mean_hu,new_lesion]
    Lesions(super::ingest_lesions::Args),
    /// PyRadiomics output (batch or transposed layout), mapped by columns or --manifest
    Radiomics(super::ingest_radiomics::Args),
    /// Measure a PET SUV volume against its mask and store uptake per lesion and method
    Pet(super::ingest_pet::Args),
}

/// A pipeline function that ingests one file.
type Ingest = fn(&mut Store, &Path) -> oncotrack::Result<IngestReport>;

/// Runs an ingest command; stops at the first file that fails (files before it stay ingested).
pub fn run(db: &Path, format: Format, command: IngestCommand) -> anyhow::Result<()> {
    let (files, ingest): (Vec<PathBuf>, Ingest) = match command {
        IngestCommand::Patients { files } => (files, pipeline::ingest_patients),
        IngestCommand::Events { files } => return run_events(db, &files),
        IngestCommand::Vcf(args) => return super::ingest_vcf::run(db, args),
        IngestCommand::Bam(args) => return super::ingest_bam::run(db, args),
        IngestCommand::Cytokines(args) => return super::ingest_cytokines::run(db, args),
        IngestCommand::Lesions(args) => return super::ingest_lesions::run(db, args),
        IngestCommand::Radiomics(args) => return super::ingest_radiomics::run(db, args),
        IngestCommand::Pet(args) => return super::ingest_pet::run(db, format, args),
    };
    let mut store = open_write(db)?;
    for file in files {
        let report = ingest(&mut store, &file)?;
        say!("{}", describe(&report));
        encoding_notice(&report, &file);
    }
    Ok(())
}

/// Ingests events files, saying which rows repeated an earlier row of their file.
fn run_events(db: &Path, files: &[PathBuf]) -> anyhow::Result<()> {
    let mut store = open_write(db)?;
    for file in files {
        let (report, repeated) = pipeline::ingest_events_file(&mut store, file)?;
        say!("{}", describe(&report));
        if let Some(line) = repeated.as_deref().and_then(repeated_line) {
            say!("{line}");
        }
        encoding_notice(&report, file);
    }
    Ok(())
}

/// `  2 duplicate rows within the file, kept once: line 5 repeats line 2, line 9 repeats
/// line 3` (the first ten named), or `None` without repeats.
pub fn repeated_line(repeated: &[(u64, u64)]) -> Option<String> {
    const NAMED: usize = 10;
    if repeated.is_empty() {
        return None;
    }
    let mut named: Vec<String> = repeated
        .iter()
        .take(NAMED)
        .map(|(line, first)| format!("line {line} repeats line {first}"))
        .collect();
    if repeated.len() > NAMED {
        named.push(format!("… ({} more)", repeated.len() - NAMED));
    }
    let n = repeated.len();
    Some(format!(
        "  {n} duplicate row{} within the file, kept once: {}",
        if n == 1 { "" } else { "s" },
        named.join(", ")
    ))
}

/// After a table was ingested: one notice line on standard error when it was not UTF-8
/// and was read as Windows-1252, saying how many cells that touched and where the first
/// is (line and column, never a cell's content), and one when lines after the table were
/// notes ("Printed on …"), not rows.
pub fn encoding_notice(report: &IngestReport, file: &Path) {
    if matches!(report.outcome, Outcome::Ingested { .. }) {
        table_notice(file);
    }
}

/// As [`encoding_notice`], for a table read beside the ingested ones (a sample map, a
/// limits file, a manifest).
pub fn table_notice(file: &Path) {
    let Ok(notices) = oncotrack::ingest::table_notices(file) else {
        return;
    };
    if let Some(found) = notices.windows_1252 {
        eprintln!("notice: {}: {found}", file.display());
    }
    if let (Some(first), Some(last)) = (notices.notes.first(), notices.notes.last()) {
        let what = if first == last {
            format!("line {first} after the table holds a note (such as 'Printed on …'), not a row")
        } else {
            format!(
                "lines {first}-{last} after the table hold notes (such as 'Printed on …'), not rows"
            )
        };
        eprintln!("notice: {}: {what}: not read", file.display());
    }
}

/// One line saying what an ingest did.
pub fn describe(report: &IngestReport) -> String {
    let name = report.path.display();
    match &report.outcome {
        Outcome::Ingested {
            records,
            new,
            existing,
        } => {
            let mut line = format!("{name}: {records} {} records read, {new} new", report.kind);
            if *existing > 0 {
                line.push_str(&format!(", {existing} already in the database"));
            }
            line
        }
        Outcome::AlreadyIngested(previous) => format!(
            "{name}: already ingested on {} ({} rows); nothing changed",
            previous.ingested_at, previous.rows
        ),
    }
}
