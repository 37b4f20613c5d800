//! `oncotrack ctdna ID`: ctDNA metrics per blood draw over the patient's tracked variants.

use super::output::{Listing, opt};
use super::{Format, open_read};
use oncotrack::analysis::ctdna::{DrawMetrics, metrics};
use oncotrack::analysis::response::molecular;
use oncotrack::model::date::format_date;
use std::path::Path;

/// Arguments of `ctdna`.
#[derive(Debug, clap::Args)]
pub struct CtdnaArgs {
    /// Patient identifier
    pub id: String,
}

/// Prints one row per draw (keys: date, tracked, detected, mean_vaf, max_vaf,
/// mutant_molecules_per_ml, change_from_baseline, detection_limit, clearance,
/// molecular_response, molecular_reason, mrd).
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
        "detection_limit",
        "clearance",
        "molecular_response",
        "molecular_reason",
        "mrd",
    ]);
    // The draw's MRD decision when `ingest bam --targets` tested it.
    let mrd = store.mrd_decisions(&args.id)?;
    let draws = metrics(&draws);
    let samples: Vec<_> = draws.iter().map(DrawMetrics::sample).collect();
    let assessments = molecular::assess(&samples);
    for (i, m) in draws.iter().enumerate() {
        let (category, reason) = if i == 0 {
            ("baseline".to_string(), "baseline draw".to_string())
        } else {
            assessments
                .iter()
                .find(|a| a.date == m.date)
                .map_or(("NE".to_string(), String::new()), |a| {
                    (a.code().to_string(), a.reason.clone())
                })
        };
        listing.push(vec![
            format_date(m.date).into(),
            m.tracked.into(),
            m.detected.into(),
            opt(m.mean_vaf),
            opt(m.max_vaf),
            opt(m.mutant_molecules_per_ml),
            opt(m.change_from_baseline),
            opt(m.detection_limit),
            m.clearance.into(),
            category.into(),
            reason.into(),
            opt(mrd
                .iter()
                .find(|(d, _)| *d == m.date)
                .map(|(_, x)| x.as_str())),
        ]);
    }
    listing.print(format)
}
