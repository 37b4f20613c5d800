//! `oncotrack count BAM --loci TSV`: base counts at loci of an indexed BAM, as `samtools mpileup -A -B -q MQ -Q BQ` counts them.

use super::Format;
use super::output::{Listing, opt};
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
    #[arg(long)]
    pub loci: PathBuf,
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// Prints the counts (keys: chrom, pos, ref, alt, depth, a, c, g, t, n, ref_count, alt_count, vaf).
pub fn run(format: Format, args: CountArgs) -> anyhow::Result<()> {
    let loci = oncotrack::ingest::loci::read(&args.loci)?;
    let spinner = super::progress::spinner(format!("counting {}", args.bam.display()));
    let result = count_alleles(&args.bam, &args.loci, &loci, args.filters.options());
    spinner.finish_and_clear();
    let result = result?;
    if let Access::Scan(reason) = &result.access {
        eprintln!("warning: {reason}");
    }
    for row in &result.skipped {
        eprintln!(
            "warning: {}: line {}: {row} {NOT_COUNTED}",
            args.loci.display(),
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
