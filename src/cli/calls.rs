//! `oncotrack calls ID [--date D]`: a patient's ctDNA variant calls, tracked variants not detected included, and its structural-variant calls.

use super::output::{Listing, opt};
use super::{Format, date_arg, open_read};
use oncotrack::analysis::ctdna::{NO_READS, measured_vaf};
use oncotrack::model::date::format_date;
use serde_json::Value;
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
/// filter, caller, vaf_source, sample, date, detected, tracked, protein_change, then
/// for structural variants svtype, partner, orientation, support, somatic, records),
/// SNV/indel calls and structural variants of each draw by position. At a locus with
/// depth 0 `vaf` is null and `vaf_source` says there were no reads
/// ([`measured_vaf`]): the caller's AF there is not a measured 0.
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
        "svtype",
        "partner",
        "orientation",
        "support",
        "somatic",
        "records",
    ]);
    let mut rows = Vec::new();
    for call in store.calls(&args.id, date)? {
        let key = (call.date, call.locus.chrom.clone(), call.locus.pos);
        let vaf = measured_vaf(call.vaf, call.depth);
        let source = if call.depth == Some(0) {
            NO_READS.to_string()
        } else {
            call.vaf_source
        };
        rows.push((
            key,
            vec![
                call.locus.chrom.into(),
                call.locus.pos.into(),
                call.locus.reference.into(),
                call.locus.alt.into(),
                opt(call.gene),
                opt(vaf),
                opt(call.alt_reads),
                opt(call.depth),
                call.filter.into(),
                call.caller.into(),
                source.into(),
                call.sample.into(),
                format_date(call.date).into(),
                call.detected.into(),
                call.tracked.into(),
                opt(call.protein_change),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ],
        ));
    }
    for row in store.sv_calls(&args.id, date)? {
        let call = row.call;
        let key = (row.date, call.a.chrom.clone(), call.a.pos);
        let depth = match (call.alt_reads, call.ref_reads) {
            (Some(a), Some(r)) => Some(a.saturating_add(r)),
            _ => None,
        };
        rows.push((
            key,
            vec![
                call.a.chrom.clone().into(),
                call.a.pos.into(),
                Value::Null,
                Value::Null,
                opt(call.genes.clone()),
                opt(measured_vaf(call.af, depth.map(i64::from))),
                opt(call.alt_reads),
                opt(depth),
                call.filter.clone().into(),
                row.caller.into(),
                if depth == Some(0) {
                    NO_READS.into()
                } else {
                    call.af_source.clone().into()
                },
                row.sample.into(),
                format_date(row.date).into(),
                true.into(),
                false.into(),
                Value::Null,
                call.kind.as_str().into(),
                opt(call.partner()),
                call.sides.as_str().into(),
                call.support.clone().into(),
                call.somatic.to_stored().into(),
                (call.records() as u64).into(),
            ],
        ));
    }
    // By draw and position: each draw's SNVs and structural variants together.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, row) in rows {
        listing.push(row);
    }
    super::private::for_patient(private.as_ref(), &args.id, listing, &["date"], &["sample"])
        .print(format)
}
