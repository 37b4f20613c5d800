//! `oncotrack track add ID --loci TSV | --vcf VCF | --fusion A-B`, `track list ID` and `track fusions ID`: a patient's tracked (tumour-informed) variants and fusions.

use super::ingest::describe;
use super::output::{Listing, date, opt};
use super::values::{FusionArg, OrientationArg, parse_fusion};
use super::{Format, open_read, open_write};
use clap::Subcommand;
use oncotrack::ingest::vcf::Options;
use oncotrack::pipeline::liquid::{MAX_NORMAL_ALT_READS, track_loci, track_vcf};
use std::path::{Path, PathBuf};

/// Tracked-variant commands.
#[derive(Debug, Subcommand)]
pub enum TrackCommand {
    /// Add the variants of a TSV (chrom, pos, ref, alt[, gene]), the somatic calls of a VCF or a fusion junction to the tracked set
    Add {
        /// Patient identifier
        id: String,
        /// Tab-separated loci file
        #[arg(long, required_unless_present_any = ["vcf", "fusion"], conflicts_with_all = ["vcf", "fusion"])]
        loci: Option<PathBuf>,
        /// A fusion junction CHROM:POS-CHROM:POS (pos_a the last base kept on partner A, pos_b the first kept on B, as VCF N[chr:pos[ writes them)
        #[arg(long, value_name = "A-B", value_parser = parse_fusion, conflicts_with = "vcf")]
        fusion: Option<FusionArg>,
        /// With --fusion: the gene pair (5' partner first), e.g. EWSR1-FLI1
        #[arg(long, value_name = "GENE-GENE", requires = "fusion")]
        gene: Option<String>,
        /// With --fusion: which side of each breakpoint is kept, A's sign first (write `--orientation=--` for --)
        #[arg(long, value_enum, default_value_t = OrientationArg::PlusMinus, allow_hyphen_values = true, requires = "fusion")]
        orientation: OrientationArg,
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
    /// List the tracked fusions (keys: gene, chrom_a, pos_a, chrom_b, pos_b, orientation, source, source_file, added_at)
    Fusions {
        /// Patient identifier
        id: String,
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
            fusion,
            gene,
            orientation,
            vcf,
            track_all,
            max_normal_alt_reads,
        } => {
            let mut store = open_write(db)?;
            if let Some(fusion) = fusion {
                let junction = oncotrack::model::Junction {
                    a: fusion.a,
                    b: fusion.b,
                    orientation: orientation.into(),
                    genes: gene.filter(|g| !g.trim().is_empty()),
                };
                let label = oncotrack::store::fusion::fusion_label(&junction);
                let inserted =
                    oncotrack::pipeline::fusion::track_fusion(&mut store, &id, &junction)?;
                say!(
                    "{id}: fusion {label} {}",
                    match inserted {
                        oncotrack::store::events::Inserted::New => "tracked",
                        oncotrack::store::events::Inserted::Existing => "already tracked",
                    }
                );
                return Ok(());
            }
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
                        "  {} structural-variant records: {} junctions tracked as fusions (somatic PASS breakends, inversions, translocations; `track fusions` lists them)",
                        detail.sv_records,
                        detail.sv_junctions.len()
                    );
                }
            }
            Ok(())
        }
        TrackCommand::Fusions { id } => {
            let store = open_read(db)?;
            let mut listing = Listing::new(&[
                "gene",
                "chrom_a",
                "pos_a",
                "chrom_b",
                "pos_b",
                "orientation",
                "source",
                "source_file",
                "added_at",
            ]);
            for f in store.tracked_fusions(&id)? {
                let j = f.junction;
                listing.push(vec![
                    opt(j.genes),
                    j.a.chrom.into(),
                    j.a.pos.into(),
                    j.b.chrom.into(),
                    j.b.pos.into(),
                    j.orientation.as_str().into(),
                    f.source.into(),
                    opt(f.source_file),
                    f.added_at.into(),
                ]);
            }
            listing.print(format)
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
