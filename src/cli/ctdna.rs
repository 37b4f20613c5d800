//! `oncotrack ctdna ID`: ctDNA metrics per blood draw over the patient's tracked variants.

use super::output::{Listing, opt};
use super::{Format, open_read};
use oncotrack::analysis::ctdna::metrics;
use oncotrack::model::date::format_date;
use std::path::Path;

/// Arguments of `ctdna`.
#[derive(Debug, clap::Args)]
pub struct CtdnaArgs {
    /// Patient identifier
    pub id: String,
}

/// Prints one row per draw (keys: date, tracked, detected, mean_vaf, max_vaf,
/// mutant_molecules_per_ml, change_from_baseline, molecular_response, clearance).
pub fn run(db: &Path, format: Format, args: CtdnaArgs) -> anyhow::Result<()> {
    let store = open_read(db)?;
    let draws = store.tracked_draws(&args.id)?;
    let mut listing = Listing::new(&[
        "date",
        "tracked",
        "detected",
        "mean_vaf",
        "max_vaf",
        "mutant_molecules_per_ml",
        "change_from_baseline",
        "molecular_response",
        "clearance",
    ]);
    for m in metrics(&draws) {
        listing.push(vec![
            format_date(m.date).into(),
            m.tracked.into(),
            m.detected.into(),
            opt(m.mean_vaf),
            opt(m.max_vaf),
            opt(m.mutant_molecules_per_ml),
            opt(m.change_from_baseline),
            m.response.as_str().into(),
            m.clearance.into(),
        ]);
    }
    listing.print(format)
}
