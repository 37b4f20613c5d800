//! `oncotrack ingest cytokines FILE...`: cytokine tables, long or wide, with censored values and unit conversion.

use super::open_write;
use oncotrack::ingest::cytokines::{Layout, Options, unit_factor};
use oncotrack::pipeline::cytokines::ingest_cytokines;
use std::path::{Path, PathBuf};

/// Arguments of `ingest cytokines`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV files
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Table layout: long (patient,date,analyte,value[,unit,lloq,uloq,assay,batch]), wide (one column per analyte), or auto (long when the header has an analyte column)
    #[arg(long, default_value = "auto")]
    pub layout: Layout,
    /// Unit of the values when the file has no unit column (fg/mL, pg/mL, ng/mL, µg/mL)
    #[arg(long, default_value = "pg/mL", value_parser = parse_unit)]
    pub unit: String,
    /// Column holding the patient identifier
    #[arg(long, default_value = "patient")]
    pub patient_col: String,
    /// Column holding the date of the blood draw (YYYY-MM-DD)
    #[arg(long, default_value = "date")]
    pub date_col: String,
    /// Column holding the assay, panel or stimulation (part of the key)
    #[arg(long, default_value = "assay")]
    pub assay_col: String,
    /// The assay (kit, panel or stimulation) of every row when the file has no assay column
    #[arg(long, value_name = "NAME")]
    pub assay: Option<String>,
    /// Column of a long table holding the values [default: value, concentration, conc, result, obs conc or calc conc]
    #[arg(long, value_name = "COLUMN")]
    pub value_col: Option<String>,
    /// CSV analyte,assay,lloq,uloq,unit[,floor]: limits of quantification (an empty assay: every assay)
    #[arg(long, value_name = "FILE")]
    pub limits: Option<PathBuf>,
    /// A column of a wide table that is not an analyte (repeatable)
    #[arg(long = "ignore-col", value_name = "COLUMN")]
    pub ignore_cols: Vec<String>,
    /// CSV line,patient,date giving the patient and date of each data line, for files that have neither
    #[arg(long, value_name = "FILE")]
    pub sample_map: Option<PathBuf>,
    /// Refuse analytes that are not in the canonical table (all named at once) instead of warning
    #[arg(long)]
    pub strict: bool,
}

/// Checks `--unit` for clap (a unit the library converts to pg/mL), keeping it as typed.
fn parse_unit(text: &str) -> Result<String, String> {
    unit_factor(text).map(|_| text.to_string())
}

/// Ingests each file; unknown analytes are listed on standard error.
pub fn run(db: &Path, args: Args) -> anyhow::Result<()> {
    let mut store = open_write(db)?;
    let mut options = Options::new(chrono::Local::now().date_naive());
    options.layout = args.layout;
    options.unit = args.unit;
    options.patient_col = args.patient_col;
    options.date_col = args.date_col;
    options.assay_col = args.assay_col;
    options.ignore_cols = args.ignore_cols;
    options.assay = args.assay.unwrap_or_default();
    options.value_col = args.value_col;
    options.strict = args.strict;
    for file in &args.files {
        let done = ingest_cytokines(
            &mut store,
            file,
            &options,
            args.sample_map.as_deref(),
            args.limits.as_deref(),
        )?;
        say!("{}", super::ingest::describe(&done.report));
        if !done.layout.is_empty() {
            say!("  read as {}", done.layout);
        }
        if done.limit_rows > 0 {
            say!("  {} limits rows (LLOQ/ULOQ/floor) read", done.limit_rows);
        }
        if done.missing > 0 {
            say!("  {} cells were NA or empty (not stored)", done.missing);
        }
        if done.not_reportable > 0 {
            say!(
                "  {} cells were *** (no concentration computed; not stored)",
                done.not_reportable
            );
        }
        if done.outside_limits > 0 {
            say!(
                "  {} numbers lay beyond their limits (or at the floor) and are stored as censored at the limit",
                done.outside_limits
            );
        }
        if !done.unknown_analytes.is_empty() {
            eprintln!(
                "oncotrack: warning: {}: analytes not in the canonical table, stored as given: {}",
                file.display(),
                done.unknown_analytes.join(", ")
            );
        }
        super::ingest::encoding_notice(&done.report, file);
    }
    for table in [&args.sample_map, &args.limits].into_iter().flatten() {
        super::ingest::table_notice(table);
    }
    Ok(())
}
