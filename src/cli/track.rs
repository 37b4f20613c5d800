//! `oncotrack track add ID --loci TSV` and `track list ID`: a patient's tracked (tumour-informed) variants.

use super::ingest::describe;
use super::output::{Listing, date, opt};
use super::{Format, open_read, open_write};
use clap::Subcommand;
use oncotrack::ingest::vcf::Options;
use oncotrack::pipeline::liquid::{MAX_NORMAL_ALT_READS, track_loci, track_vcf};
use std::path::{Path, PathBuf};

/// Tracked-variant commands.
#[derive(Debug, Subcommand)]
pub enum TrackCommand {
    /// Add the variants of a TSV (chrom, pos, ref, alt[, gene]) or the somatic calls of a VCF to the tracked set
    Add {
        /// Patient identifier
        id: String,
        /// Tab-separated loci file
        #[arg(long, required_unless_present = "vcf", conflicts_with = "vcf")]
        loci: Option<PathBuf>,
        /// VCF whose somatic calls are tracked (chosen as `ingest vcf --track` chooses; no call is stored)
        #[arg(long)]
        vcf: Option<PathBuf>,
        /// With --vcf: track every PASS call, whatever its somatic status
        #[arg(long, requires = "vcf")]
        track_all: bool,
        /// With --vcf: a call with more alt reads than this in the matched normal is not tracked
        #[arg(long, value_name = "N", default_value_t = MAX_NORMAL_ALT_READS)]
        max_normal_alt_reads: u32,
    },
    /// List the tracked variants (keys: chrom, pos, ref, alt, gene, source_file, draw_date, added_at, chosen_by)
    List {
        /// Patient identifier
        id: String,
        /// Without calendar dates (the draw's day since the index date), file paths or
        /// timestamps
        #[command(flatten)]
        deidentify: super::export::DeidentifyArgs,
    },
}

/// "  N calls left out of the tracked set: n why, ..." (most frequent first), or
/// "  no call left out of the tracked set".
pub fn left_out_line(left_out: &std::collections::BTreeMap<String, usize>) -> String {
    let total: usize = left_out.values().sum();
    if total == 0 {
        return "  no call left out of the tracked set".into();
    }
    let mut reasons: Vec<(&String, &usize)> = left_out.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let reasons: Vec<String> = reasons
        .iter()
        .map(|(why, n)| format!("{n} {why}"))
        .collect();
    format!(
        "  {total} calls left out of the tracked set: {} (--track-all tracks every PASS call)",
        reasons.join(", ")
    )
}

/// Runs a track command.
pub fn run(db: &Path, format: Format, command: TrackCommand) -> anyhow::Result<()> {
    match command {
        TrackCommand::Add {
            id,
            loci,
            vcf,
            track_all,
            max_normal_alt_reads,
        } => {
            let mut store = open_write(db)?;
            if let Some(loci) = loci {
                let report = track_loci(&mut store, &id, &loci)?;
                say!("{}", describe(&report));
                return Ok(());
            }
            let Some(vcf) = vcf else {
                anyhow::bail!("give --loci or --vcf");
            };
            let (report, detail) = track_vcf(
                &mut store,
                &id,
                &vcf,
                &Options::default(),
                track_all,
                max_normal_alt_reads,
            )?;
            say!("{}", describe(&report));
            if let Some(detail) = detail {
                let normal = detail
                    .normal_sample
                    .as_deref()
                    .map_or(String::new(), |n| format!(", matched normal '{n}'"));
                say!(
                    "  caller {}; tumour sample '{}'{normal}",
                    detail.caller,
                    detail.sample
                );
                if detail.tracked_without_status > 0 {
                    say!(
                        "  {} tracked without a somatic status: {} gives none in this file (tumour-only or germline calling)",
                        detail.tracked_without_status,
                        detail.caller
                    );
                }
                say!("{}", left_out_line(&detail.left_out));
                for skipped in &detail.skipped {
                    eprintln!("warning: {}: {skipped}", vcf.display());
                }
                if detail.sv_records > 0 {
                    say!(
                        "  {} structural-variant records: {} junctions to track as fusions (somatic PASS breakends, inversions, translocations), not tracked by this command",
                        detail.sv_records,
                        detail.sv_junctions.len()
                    );
                }
            }
            Ok(())
        }
        TrackCommand::List { id, deidentify } => {
            let store = open_read(db)?;
            let private = super::private::Private::load(&deidentify, &store)?;
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
            super::private::for_patient(
                private.as_ref(),
                &id,
                listing,
                &["draw_date"],
                &["source_file", "added_at"],
            )
            .print(format)
        }
    }
}
