//! `oncotrack track add ID --loci TSV` and `track list ID`: a patient's tracked (tumour-informed) variants.

use super::ingest::describe;
use super::output::{Listing, date, opt};
use super::{Format, open_read, open_write};
use clap::Subcommand;
use oncotrack::pipeline::liquid::track_loci;
use std::path::{Path, PathBuf};

/// Tracked-variant commands.
#[derive(Debug, Subcommand)]
pub enum TrackCommand {
    /// Add the variants of a TSV (chrom, pos, ref, alt[, gene]) to the tracked set
    Add {
        /// Patient identifier
        id: String,
        /// Tab-separated loci file
        #[arg(long)]
        loci: PathBuf,
    },
    /// List the tracked variants (keys: chrom, pos, ref, alt, gene, source_file, draw_date, added_at, chosen_by)
    List {
        /// Patient identifier
        id: String,
    },
}

/// Runs a track command.
pub fn run(db: &Path, format: Format, command: TrackCommand) -> anyhow::Result<()> {
    match command {
        TrackCommand::Add { id, loci } => {
            let mut store = open_write(db)?;
            let report = track_loci(&mut store, &id, &loci)?;
            say!("{}", describe(&report));
            Ok(())
        }
        TrackCommand::List { id } => {
            let store = open_read(db)?;
            let mut listing = Listing::new(&[
                "chrom",
                "pos",
                "ref",
                "alt",
                "gene",
                "source_file",
                "draw_date",
                "added_at",
                "chosen_by",
            ]);
            for row in store.tracked_rows(&id)? {
                listing.push(vec![
                    row.locus.chrom.into(),
                    row.locus.pos.into(),
                    row.locus.reference.into(),
                    row.locus.alt.into(),
                    opt(row.gene),
                    opt(row.source_file),
                    date(row.draw_date),
                    row.added_at.into(),
                    opt(row.chosen_by),
                ]);
            }
            listing.print(format)
        }
    }
}
