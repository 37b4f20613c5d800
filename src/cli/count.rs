//! `oncotrack count BAM --loci TSV`: base counts at loci of an indexed BAM, as `samtools mpileup -A -B -q MQ -Q BQ` counts them; `--fusions TSV`: fragments across fusion junctions.

use super::Format;
use super::output::{Listing, opt};
use oncotrack::ingest::bam::fusion::{FusionOptions, FusionResult, count_fusions};
use oncotrack::ingest::bam::{Access, CountOptions, count_alleles};
use std::path::PathBuf;

/// Said of a locus `count` and `ingest bam` cannot count.
pub const NOT_COUNTED: &str = "is not a single-base substitution; not counted";

/// Read filters shared by `count` and `ingest bam`.
#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    /// Minimum mapping quality of a read
    #[arg(long, default_value_t = 20)]
    pub min_mapq: u8,
    /// Minimum base quality at the locus
    #[arg(long, default_value_t = 20)]
    pub min_bq: u8,
    /// Count overlapping mates of a fragment twice (samtools mpileup -x)
    #[arg(long)]
    pub count_overlaps: bool,
}

impl FilterArgs {
    /// The library's options.
    pub fn options(&self) -> CountOptions {
        CountOptions {
            min_mapq: self.min_mapq,
            min_bq: self.min_bq,
            fragment_level: !self.count_overlaps,
        }
    }
}

/// Arguments of `count`.
#[derive(Debug, clap::Args)]
pub struct CountArgs {
    /// BAM file (its .bai or .csi index is used when present and up to date)
    pub bam: PathBuf,
    /// Tab-separated loci: chrom, pos, ref, alt[, gene]
    #[arg(long, required_unless_present = "fusions", conflicts_with = "fusions")]
    pub loci: Option<PathBuf>,
    /// Tab-separated fusions: chrom_a, pos_a, chrom_b, pos_b[, orientation, gene]: count split, discordant and reference fragments
    #[arg(long)]
    pub fusions: Option<PathBuf>,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub fusion: FusionArgs,
}

/// Thresholds of the fusion fragment definitions (docs/methods.md), shared by `count --fusions` and `ingest bam`.
#[derive(Debug, Clone, clap::Args)]
pub struct FusionArgs {
    /// Fusions: how far (bp) a split read's clipped ends may lie from the breakpoints (W)
    #[arg(long, value_name = "BP", default_value_t = 5)]
    pub clip_window: u32,
    /// Fusions: how far (bp) from a breakpoint, on the fusion side, a discordant mate may lie
    #[arg(long, value_name = "BP", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub insert_window: u32,
    /// Fusions: aligned bases a reference read needs on each side of a breakpoint (k)
    #[arg(long, value_name = "BP", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub anchor: u32,
}

impl FusionArgs {
    /// The library's options, with the read filters' MAPQ floor.
    pub fn options(&self, filters: &FilterArgs) -> FusionOptions {
        FusionOptions {
            min_mapq: filters.min_mapq,
            clip_window: self.clip_window,
            insert_window: self.insert_window,
            anchor: self.anchor,
        }
    }
}

/// Prints the counts (keys: chrom, pos, ref, alt, depth, a, c, g, t, n, ref_count, alt_count, vaf).
///
/// With `--fusions`, one row per fusion (keys: chrom_a, pos_a, chrom_b, pos_b,
/// orientation, gene, split, discordant, ref_a, ref_b, depth, fusion_fraction).
pub fn run(format: Format, args: CountArgs) -> anyhow::Result<()> {
    if let Some(fusions) = &args.fusions {
        let rows = oncotrack::ingest::fusions::read(fusions)?;
        let spinner = super::progress::spinner(format!("counting {}", args.bam.display()));
        let result = count_fusions(
            &args.bam,
            fusions,
            &rows,
            args.fusion.options(&args.filters),
        );
        spinner.finish_and_clear();
        return print_fusions(format, result?);
    }
    let Some(loci_path) = &args.loci else {
        anyhow::bail!("give --loci or --fusions");
    };
    let loci = oncotrack::ingest::loci::read(loci_path)?;
    let spinner = super::progress::spinner(format!("counting {}", args.bam.display()));
    let result = count_alleles(&args.bam, loci_path, &loci, args.filters.options());
    spinner.finish_and_clear();
    let result = result?;
    if let Access::Scan(reason) = &result.access {
        eprintln!("warning: {reason}");
    }
    for row in &result.skipped {
        eprintln!(
            "warning: {}: line {}: {row} {NOT_COUNTED}",
            loci_path.display(),
            row.line
        );
    }
    let mut listing = Listing::new(&[
        "chrom",
        "pos",
        "ref",
        "alt",
        "depth",
        "a",
        "c",
        "g",
        "t",
        "n",
        "ref_count",
        "alt_count",
        "vaf",
    ]);
    for count in result.counts {
        let [a, c, g, t, n] = count.counts.bases;
        listing.push(vec![
            count.row.chrom_raw.into(),
            count.row.locus.pos.into(),
            count.row.locus.reference.into(),
            count.row.locus.alt.into(),
            count.counts.depth().into(),
            a.into(),
            c.into(),
            g.into(),
            t.into(),
            n.into(),
            count.ref_count.into(),
            count.alt_count.into(),
            opt(count.vaf),
        ]);
    }
    listing.print(format)
}

/// Warnings on standard error, then one row per fusion.
fn print_fusions(format: Format, result: FusionResult) -> anyhow::Result<()> {
    if let Access::Scan(reason) = &result.access {
        eprintln!("warning: {reason}");
    }
    for warning in &result.warnings {
        eprintln!("warning: {warning}");
    }
    let mut listing = Listing::new(&[
        "chrom_a",
        "pos_a",
        "chrom_b",
        "pos_b",
        "orientation",
        "gene",
        "split",
        "discordant",
        "ref_a",
        "ref_b",
        "depth",
        "fusion_fraction",
    ]);
    for count in result.counts {
        let depth = count.depth();
        let fraction = count.fusion_fraction();
        let j = count.row.junction;
        listing.push(vec![
            j.a.chrom.into(),
            j.a.pos.into(),
            j.b.chrom.into(),
            j.b.pos.into(),
            j.orientation.as_str().into(),
            opt(j.genes),
            count.split.into(),
            count.discordant.into(),
            count.ref_a.into(),
            count.ref_b.into(),
            depth.into(),
            opt(fraction),
        ]);
    }
    listing.print(format)
}
