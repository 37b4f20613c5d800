//! `oncotrack ingest bam BAM --patient ID --date D [--loci TSV]`: allele counts at tracked variants stored as one blood draw.

use super::count::FilterArgs;
use super::ingest::describe;
use super::{open_write, past_date_arg};
use oncotrack::ingest::bam::Access;
use oncotrack::pipeline::liquid::{BamIngest, ingest_bam};
use std::path::{Path, PathBuf};

/// Arguments of `ingest bam`.
#[derive(Debug, clap::Args)]
pub struct BamArgs {
    /// BAM file (its .bai or .csi index is used when present and up to date)
    pub file: PathBuf,
    /// Patient identifier
    #[arg(long)]
    pub patient: String,
    /// Blood-draw date (YYYY-MM-DD)
    #[arg(long)]
    pub date: String,
    /// Count these loci (chrom, pos, ref, alt[, gene]) instead of the tracked variants
    #[arg(long)]
    pub loci: Option<PathBuf>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// cfDNA concentration of the draw, ng per mL of plasma
    #[arg(long, value_name = "X")]
    pub cfdna_ng_per_ml: Option<f64>,
}

/// Counts and stores; warnings (index fallback, indels not counted) on standard error.
pub fn run(db: &Path, args: BamArgs) -> anyhow::Result<()> {
    let request = BamIngest {
        patient: args.patient,
        date: past_date_arg("--date", &args.date)?,
        loci: args.loci,
        options: args.filters.options(),
        cfdna_ng_per_ml: args.cfdna_ng_per_ml,
    };
    let mut store = open_write(db)?;
    let spinner = super::progress::spinner(format!("reading {}", args.file.display()));
    let result = ingest_bam(&mut store, &args.file, &request);
    spinner.finish_and_clear();
    let (report, detail) = result?;
    say!("{}", describe(&report));
    if let Some(detail) = detail {
        if let Access::Scan(reason) = &detail.access {
            eprintln!("warning: {reason}");
        }
        for row in &detail.skipped {
            eprintln!("warning: {row} {}", super::count::NOT_COUNTED);
        }
    }
    Ok(())
}
