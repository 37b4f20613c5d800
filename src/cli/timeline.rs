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
}

/// Prints the timeline (keys: date, day, category, item, detail).
pub fn run(db: &Path, format: Format, args: TimelineArgs) -> anyhow::Result<()> {
    let store = open_read(db)?;
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
    listing.print(format)
}
