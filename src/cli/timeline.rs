//! `oncotrack timeline ID`: every dated item of a patient in date order.

use super::output::{Listing, opt};
use super::{Format, open_read};
use oncotrack::model::date::format_date;
use std::path::Path;

/// Arguments of `timeline`.
#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// Patient identifier
    pub id: String,
    /// De-identified: no calendar date (the day since the index date stays) and no free text
    #[command(flatten)]
    pub deidentify: super::export::DeidentifyArgs,
}

/// Prints the timeline (keys: date, day, category, item, detail).
pub fn run(db: &Path, format: Format, args: TimelineArgs) -> anyhow::Result<()> {
    let store = open_read(db)?;
    let private = super::private::Private::load(&args.deidentify, &store)?;
    let mut listing = Listing::new(&["date", "day", "category", "item", "detail"]);
    for item in store.timeline(&args.id)? {
        listing.push(vec![
            format_date(item.date).into(),
            opt(item.day),
            item.category.into(),
            item.item.into(),
            item.detail.into(),
        ]);
    }
    match &private {
        Some(p) => p
            .patient_listing(&args.id, listing, &[], &["date", "detail"])
            .print(format),
        None => listing.print(format),
    }
}
