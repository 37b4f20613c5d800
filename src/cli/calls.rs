//! `oncotrack calls ID [--date D]`: a patient's ctDNA variant calls, tracked variants not detected included.

use super::output::{Listing, opt};
use super::{Format, date_arg, open_read};
use oncotrack::model::date::format_date;
use std::path::Path;

/// Arguments of `calls`.
#[derive(Debug, clap::Args)]
pub struct CallsArgs {
    /// Patient identifier
    pub id: String,
    /// Only the blood draw of this date (YYYY-MM-DD)
    #[arg(long)]
    pub date: Option<String>,
    /// Without calendar dates (days since the index date), free text and computed
    /// explanations (they quote dates)
    #[command(flatten)]
    pub deidentify: super::export::DeidentifyArgs,
}

/// Prints the calls (keys: chrom, pos, ref, alt, gene, vaf, alt_reads, depth,
/// filter, caller, vaf_source, sample, date, detected, tracked, protein_change).
pub fn run(db: &Path, format: Format, args: CallsArgs) -> anyhow::Result<()> {
    let date = args
        .date
        .as_deref()
        .map(|d| date_arg("--date", d))
        .transpose()?;
    let store = open_read(db)?;
    let private = super::private::Private::load(&args.deidentify, &store)?;
    let mut listing = Listing::new(&[
        "chrom",
        "pos",
        "ref",
        "alt",
        "gene",
        "vaf",
        "alt_reads",
        "depth",
        "filter",
        "caller",
        "vaf_source",
        "sample",
        "date",
        "detected",
        "tracked",
        "protein_change",
    ]);
    for call in store.calls(&args.id, date)? {
        listing.push(vec![
            call.locus.chrom.into(),
            call.locus.pos.into(),
            call.locus.reference.into(),
            call.locus.alt.into(),
            opt(call.gene),
            opt(call.vaf),
            opt(call.alt_reads),
            opt(call.depth),
            call.filter.into(),
            call.caller.into(),
            call.vaf_source.into(),
            call.sample.into(),
            format_date(call.date).into(),
            call.detected.into(),
            call.tracked.into(),
            opt(call.protein_change),
        ]);
    }
    super::private::for_patient(private.as_ref(), &args.id, listing, &["date"], &["sample"])
        .print(format)
}
