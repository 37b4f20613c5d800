//! `oncotrack mrd BAM --loci TSV --targets BED`: ctDNAtools' tumour-informed MRD test of one draw (background rate, Monte Carlo p-value, decision).

use super::Format;
use super::output::{Listing, number, opt, print_json};
use oncotrack::analysis::mrd::{BlackListKind, BlackListRules, CLASSES, MrdOptions};
use oncotrack::ingest::bam::Access;
use oncotrack::pipeline::mrd::{MrdOutcome, MrdRequest, PanelOptions, run_mrd};
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// How a black list is keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BlackListBy {
    /// Single substitutions: chrom_pos_ref_alt (ctDNAtools' default)
    Substitution,
    /// Whole positions: chrom_pos
    Locus,
}

fn probability(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("'{text}' is not a number between 0 and 1")),
    }
}

/// The test's options shared by `mrd` and `ingest bam --targets` (defaults: ctDNAtools').
#[derive(Debug, Clone, clap::Args)]
pub struct MrdFlags {
    /// Normal (healthy-donor) BAMs: their recurrent non-reference loci form a black
    /// list, left out of the background and of the reporters (at least two)
    #[arg(long, num_args = 2.., value_name = "BAM", requires = "targets")]
    pub normals: Vec<PathBuf>,
    /// Monte Carlo simulations
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..), requires = "targets")]
    pub simulations: u32,
    /// Seed of the simulations (same input and seed, same p-value)
    #[arg(long, default_value_t = 123, requires = "targets")]
    pub seed: u64,
    /// Fewer informative reads (unique reads covering the reporters) make the draw undetermined
    #[arg(long, default_value_t = 10_000, requires = "targets")]
    pub informative_reads: u64,
    /// Positive when the p-value is below this
    #[arg(long, default_value_t = 0.05, value_parser = probability, requires = "targets")]
    pub alpha: f64,
    /// Background positions with a non-reference fraction at or above this are left out
    #[arg(long, default_value_t = 0.1, value_parser = probability, requires = "targets")]
    pub vaf_threshold: f64,
    /// Merge reporters with the same `phasing` id into one event (ctDNAtools' ID_column)
    #[arg(long, requires = "targets")]
    pub merge_phased: bool,
    /// Leave the reporter positions out of the background (ctDNAtools keeps them)
    #[arg(long, requires = "targets")]
    pub exclude_reporters: bool,
    /// Black list by single substitution or by whole position
    #[arg(long, value_enum, default_value_t = BlackListBy::Substitution, requires = "normals")]
    pub black_list_by: BlackListBy,
    /// Black-list loci whose mean VAF over the normals reaches this quantile [default: 0.95]
    #[arg(long, value_parser = probability, requires = "normals")]
    pub black_list_quantile: Option<f64>,
    /// Black-list loci with 1+ ALT reads in this many normals [default: max(2, ⌈0.75 (n+1)⌉)]
    #[arg(long, value_name = "N", requires = "normals")]
    pub black_list_one_read: Option<usize>,
    /// Black-list loci with 2+ ALT reads in this many normals [default: max(2, ⌈0.2 (n+1)⌉)]
    #[arg(long, value_name = "N", requires = "normals")]
    pub black_list_two_reads: Option<usize>,
}

impl MrdFlags {
    /// The library's request.
    pub fn request(&self, targets: PathBuf, min_mapq: u8, min_bq: u8) -> MrdRequest {
        let kind = match self.black_list_by {
            BlackListBy::Substitution => BlackListKind::Substitutions,
            BlackListBy::Locus => BlackListKind::Loci,
        };
        let defaults = BlackListRules::defaults(self.normals.len());
        let rules = BlackListRules {
            mean_vaf_quantile: self.black_list_quantile.or(defaults.mean_vaf_quantile),
            min_samples_one_read: self.black_list_one_read.or(defaults.min_samples_one_read),
            min_samples_two_reads: self.black_list_two_reads.or(defaults.min_samples_two_reads),
        };
        MrdRequest {
            targets,
            normals: self.normals.clone(),
            min_mapq,
            min_bq,
            options: MrdOptions {
                vaf_threshold: self.vaf_threshold,
                exclude_reporters: self.exclude_reporters,
                merge_phased: self.merge_phased,
                simulations: self.simulations,
                seed: self.seed,
                informative_threshold: self.informative_reads,
                alpha: self.alpha,
            },
            panel: PanelOptions {
                kind,
                rules: Some(rules),
                ..PanelOptions::default()
            },
        }
    }
}

/// Arguments of `mrd`.
#[derive(Debug, clap::Args)]
pub struct MrdArgs {
    /// BAM of the draw (its .bai or .csi index is used when present and up to date)
    pub bam: PathBuf,
    /// Reporter SNVs (tab-separated: chrom, pos, ref, alt[, gene]; a header may name a `phasing` column)
    #[arg(long)]
    pub loci: PathBuf,
    /// Capture targets (BED) over which the background error rate is computed
    #[arg(long)]
    pub targets: PathBuf,
    /// Minimum mapping quality of a read
    #[arg(long, default_value_t = 40)]
    pub min_mapq: u8,
    /// Minimum base quality
    #[arg(long, default_value_t = 30)]
    pub min_bq: u8,
    #[command(flatten)]
    pub test: MrdFlags,
}

/// Runs the test and prints one object (JSON) or its fields and the loci (table).
pub fn run(format: Format, args: MrdArgs) -> anyhow::Result<()> {
    let loci = oncotrack::ingest::loci::read(&args.loci)?;
    let request = args
        .test
        .request(args.targets.clone(), args.min_mapq, args.min_bq);
    let spinner = super::progress::spinner(format!("testing {}", args.bam.display()));
    let outcome = run_mrd(&args.bam, &args.loci, &loci, &request);
    spinner.finish_and_clear();
    let outcome = outcome?;
    warn(&outcome, &args.loci);
    let object = to_json(&outcome, &request);
    match format {
        Format::Json => print_json(&object),
        Format::Table => {
            const FIELDS: [&str; 8] = [
                "n_mutations",
                "n_nonzero",
                "alt_reads",
                "mean_vaf",
                "background_rate",
                "informative_reads",
                "p_value",
                "decision",
            ];
            let mut fields = Listing::new(&FIELDS);
            fields.push(
                FIELDS
                    .iter()
                    .map(|k| match (*k, outcome.result.p_value) {
                        // At its floor the p-value is a bound, not an estimate.
                        ("p_value", Some(p)) => oncotrack::analysis::mrd::p_text(
                            p,
                            request.options.simulations,
                            request.options.alpha,
                        )
                        .trim_start_matches("= ")
                        .to_string()
                        .into(),
                        _ => object[*k].clone(),
                    })
                    .collect(),
            );
            fields.print_record(format)?;
            if let Some(reason) = &outcome.result.reason {
                say!("reason             {reason}");
            }
            say!("");
            loci_listing(&object).print(format)
        }
        _ => loci_listing(&object).print(format),
    }
}

/// Warnings on standard error: index fallback, loci not tested.
pub fn warn(outcome: &MrdOutcome, loci_path: &std::path::Path) {
    if let Access::Scan(reason) = &outcome.access {
        eprintln!("warning: {reason}");
    }
    for row in &outcome.skipped {
        eprintln!(
            "warning: {}: line {}: {row} is not a single-base substitution; not tested for MRD",
            loci_path.display(),
            row.line
        );
    }
}

fn loci_listing(object: &Value) -> Listing {
    let columns = [
        "chrom",
        "pos",
        "ref",
        "alt",
        "phasing",
        "event",
        "ref_reads",
        "alt_reads",
        "depth",
        "vaf",
        "black_listed",
    ];
    let mut listing = Listing::new(&columns);
    for locus in object["loci"].as_array().into_iter().flatten() {
        listing.push(columns.iter().map(|c| locus[*c].clone()).collect());
    }
    listing
}

/// The result as one JSON object: the keys of ctDNAtools' `test_ctDNA` (renamed
/// `n_nonzero`, `alt_reads`, `p_value`) and what they were computed from.
pub fn to_json(outcome: &MrdOutcome, request: &MrdRequest) -> Value {
    let r = &outcome.result;
    let mut by_class = Map::new();
    for (name, rate) in CLASSES.iter().zip(r.background.by_class) {
        by_class.insert((*name).to_string(), opt(rate.map(number)));
    }
    // Each reporter row with the event it belongs to (merged events repeat).
    let mut event_of = vec![None; outcome.reporters.len()];
    for event in &r.events {
        for &i in &event.reporters {
            if let Some(slot) = event_of.get_mut(i) {
                *slot = Some(event);
            }
        }
    }
    let loci: Vec<Value> = outcome
        .reporters
        .iter()
        .zip(&event_of)
        .map(|(row, event)| {
            json!({
                "chrom": row.chrom_raw,
                "pos": row.locus.pos,
                "ref": row.locus.reference,
                "alt": row.locus.alt,
                "phasing": row.phasing,
                "event": event.map(|e| e.id.clone()),
                "ref_reads": event.map(|e| e.ref_reads),
                "alt_reads": event.map(|e| e.alt_reads),
                "depth": event.map(|e| e.depth()),
                "vaf": opt(event.and_then(|e| e.vaf()).map(number)),
                "black_listed": event.is_none(),
            })
        })
        .collect();
    let o = &request.options;
    json!({
        "n_mutations": r.n_mutations,
        "n_nonzero": r.n_nonzero,
        "alt_reads": r.alt_reads,
        "background_rate": number(r.background_rate),
        "informative_reads": r.informative_reads,
        "p_value": opt(r.p_value.map(number)),
        "decision": r.decision.as_str(),
        "reason": r.reason,
        "mean_vaf": opt(r.mean_vaf.map(number)),
        "n_filtered": r.n_filtered,
        "n_events": r.events.len(),
        "purification": opt(r.purification.map(number)),
        "multi_support_reads": r.multi_support,
        "background": {
            "rate_before_phasing": number(r.background.rate),
            "positions": r.background.positions,
            "depth": r.background.depth,
            "non_reference": r.background.non_reference,
            "by_class": Value::Object(by_class),
        },
        "black_list": outcome.black_list.as_ref().map(|b| b.entries()),
        "thresholds": {
            "min_mapq": request.min_mapq,
            "min_bq": request.min_bq,
            "vaf_threshold": number(o.vaf_threshold),
            "informative_reads": o.informative_threshold,
            "alpha": number(o.alpha),
            "simulations": o.simulations,
            "seed": o.seed,
            "merge_phased": o.merge_phased,
            "exclude_reporters": o.exclude_reporters,
            "normals": request.normals.len(),
        },
        "loci": loci,
    })
}
