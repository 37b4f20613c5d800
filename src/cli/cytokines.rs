//! `oncotrack cytokines ID`: a patient's cytokine panel over time, in pg/mL, with censored values shown as bounds.

use super::output::{Listing, opt};
use super::{Format, open_read};
use oncotrack::model::date::format_date;
use std::path::Path;

/// Arguments of `cytokines`.
#[derive(Debug, clap::Args)]
pub struct CytokinesArgs {
    /// Patient identifier
    pub id: String,
    /// Only this analyte (canonical name, e.g. IL-6)
    #[arg(long)]
    pub analyte: Option<String>,
    /// Only this assay (kit, panel or stimulation, e.g. CD3/CD28)
    #[arg(long, value_name = "NAME")]
    pub assay: Option<String>,
    /// Without calendar dates (days since the index date), free text and computed
    /// explanations (they quote dates)
    #[command(flatten)]
    pub deidentify: super::export::DeidentifyArgs,
}

/// Prints the panel (keys: date, analyte, value, censor, bound, unit, value_raw, unit_raw,
/// assay, batch).
pub fn run(db: &Path, format: Format, args: CytokinesArgs) -> anyhow::Result<()> {
    let store = open_read(db)?;
    let private = super::private::Private::load(&args.deidentify, &store)?;
    let wanted = args.analyte.as_deref().map(|a| {
        oncotrack::ingest::cytokines::canonical_analyte(a).unwrap_or_else(|| a.to_string())
    });
    let mut listing = Listing::new(&[
        "date",
        "analyte",
        "value",
        "censor",
        "bound",
        "unit",
        "value_raw",
        "unit_raw",
        "assay",
        "batch",
    ]);
    for m in store.cytokines(&args.id)? {
        if wanted.as_ref().is_some_and(|w| *w != m.analyte)
            || args.assay.as_ref().is_some_and(|a| *a != m.assay)
        {
            continue;
        }
        listing.push(vec![
            format_date(m.date).into(),
            m.analyte.into(),
            opt(m.concentration.value),
            m.concentration.censor.as_str().into(),
            opt(m.concentration.bound),
            oncotrack::model::cytokine::STORE_UNIT.into(),
            m.value_raw.into(),
            // The cell's own unit: "5.793" beside "pg/mL" read as 5.793 pg/mL, not ng/mL.
            m.unit_raw.into(),
            m.assay.into(),
            m.batch.into(),
        ]);
    }
    super::private::for_patient(private.as_ref(), &args.id, listing, &["date"], &["batch"])
        .print(format)
}
