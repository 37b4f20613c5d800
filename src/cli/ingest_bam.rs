//! `oncotrack ingest bam BAM --patient ID --date D [--loci TSV] [--targets BED]`: allele counts at tracked variants and fragment counts at tracked fusions stored as one blood draw, with its MRD test when given targets.

use super::count::{FilterArgs, FusionArgs};
use super::ingest::describe;
use super::mrd::MrdFlags;
use super::{open_write, past_date_arg};
use oncotrack::analysis::mrd::MrdOptions;
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
    /// Blood-draw date (YYYY-MM-DD or another unambiguous form, as in files; not after today)
    #[arg(long)]
    pub date: String,
    /// Count these loci (chrom, pos, ref, alt[, gene]) instead of the tracked variants
    #[arg(long)]
    pub loci: Option<PathBuf>,
    /// Count the patient's tracked fusions only (a BAM of a fusion assay: no SNV locus)
    #[arg(long, conflicts_with_all = ["loci", "targets"])]
    pub fusions_only: bool,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub fusion: FusionArgs,
    /// cfDNA concentration of the draw, ng per mL of plasma
    #[arg(long, value_name = "X")]
    pub cfdna_ng_per_ml: Option<f64>,
    /// Capture targets (BED): also run the MRD test (as `oncotrack mrd`) and store it with the draw
    #[arg(long)]
    pub targets: Option<PathBuf>,
    /// Minimum mapping quality of a read for the MRD test
    #[arg(long, default_value_t = 40, requires = "targets")]
    pub mrd_min_mapq: u8,
    /// Minimum base quality for the MRD test
    #[arg(long, default_value_t = 30, requires = "targets")]
    pub mrd_min_bq: u8,
    #[command(flatten)]
    pub mrd: MrdFlags,
}

/// Counts and stores; warnings (index fallback, indels not counted) on standard error.
pub fn run(db: &Path, args: BamArgs) -> anyhow::Result<()> {
    let request = BamIngest {
        patient: args.patient,
        date: past_date_arg("--date", &args.date)?,
        loci: args.loci,
        options: args.filters.options(),
        fusion: args.fusion.options(&args.filters),
        fusions_only: args.fusions_only,
        cfdna_ng_per_ml: args.cfdna_ng_per_ml,
        mrd: args.targets.clone().map(|targets| {
            args.mrd
                .request(targets, args.mrd_min_mapq, args.mrd_min_bq)
        }),
    };
    let mut store = open_write(db)?;
    let spinner = super::progress::spinner(format!("reading {}", args.file.display()));
    let result = ingest_bam(&mut store, &args.file, &request);
    spinner.finish_and_clear();
    let (report, detail) = result?;
    say!("{}", describe(&report));
    if detail.is_some()
        && let Ok(produced) = oncotrack::ingest::bam::read_group_dates(&args.file)
        && let Some(first) = produced.first().filter(|d| **d < request.date)
    {
        eprintln!(
            "warning: {}: its read group was sequenced on {first} (@RG DT), before the draw \
             date given with --date ({}): a blood draw is sequenced after it is drawn; check \
             --date (the counts are stored under {})",
            args.file.display(),
            request.date,
            request.date
        );
    }
    if let Some(detail) = detail {
        if let Access::Scan(reason) = &detail.access {
            eprintln!("warning: {reason}");
        }
        for row in &detail.skipped {
            eprintln!("warning: {row} {}", super::count::NOT_COUNTED);
        }
        for warning in &detail.fusion_warnings {
            eprintln!("warning: {warning}");
        }
        for count in &detail.fusions {
            say!(
                "  fusion {}: {} split, {} discordant, ref {} / {} fragments, fraction {}",
                count
                    .row
                    .junction
                    .genes
                    .as_deref()
                    .map_or_else(|| count.row.to_string(), str::to_string),
                count.split,
                count.discordant,
                count.ref_a,
                count.ref_b,
                count
                    .fusion_fraction()
                    .map_or_else(|| "-".to_string(), |f| format!("{f:.4}"))
            );
        }
        if let Some(outcome) = &detail.mrd {
            let options = request
                .mrd
                .as_ref()
                .map_or_else(MrdOptions::default, |m| m.options);
            say!(
                "{}",
                mrd_line(&outcome.result, options.simulations, options.alpha)
            );
        }
    }
    Ok(())
}

/// One line on a draw's MRD test: the decision, its p-value (3 significant digits,
/// [`oncotrack::analysis::mrd::p_text`]), the reporters and reads behind it, and why it is undetermined when it is.
pub fn mrd_line(r: &oncotrack::analysis::mrd::MrdResult, simulations: u32, alpha: f64) -> String {
    let p = r.p_value.map_or_else(
        || "= -".to_string(),
        |p| oncotrack::analysis::mrd::p_text(p, simulations, alpha),
    );
    format!(
        "MRD {}: p {p}, {} of {} reporters with ALT reads ({} reads), background {:.3e}, {} informative reads{}",
        r.decision,
        r.n_nonzero,
        r.events.len(),
        r.alt_reads,
        r.background_rate,
        r.informative_reads,
        r.reason
            .as_ref()
            .map_or_else(String::new, |m| format!(" ({m})"))
    )
}
