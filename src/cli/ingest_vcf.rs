//! `oncotrack ingest vcf FILE --patient ID --date D`: one blood draw's ctDNA calls from a VCF of any common caller.

use super::ingest::describe;
use super::{date_arg, open_write};
use oncotrack::ingest::vcf::{Caller, CallerOrigin, Options};
use oncotrack::pipeline::liquid::{VcfIngest, ingest_vcf};
use std::path::{Path, PathBuf};

/// Arguments of `ingest vcf`.
#[derive(Debug, clap::Args)]
pub struct VcfArgs {
    /// VCF file (plain or bgzip-compressed)
    pub file: PathBuf,
    /// Patient identifier
    #[arg(long)]
    pub patient: String,
    /// Blood-draw date (YYYY-MM-DD)
    #[arg(long)]
    pub date: String,
    /// Caller dialect: auto (from the header), mutect2, mutect1, strelka2, varscan2, vardict, freebayes, deepvariant, bcftools, generic
    #[arg(long, default_value = "auto")]
    pub caller: String,
    /// Tumour sample column (default: from the header, a TUMOR column, or the only sample)
    #[arg(long)]
    pub sample: Option<String>,
    /// Keep calls that failed a filter (their FILTER value is stored)
    #[arg(long)]
    pub all_filters: bool,
    /// Make this file's PASS variants the patient's tracked (tumour-informed) set
    #[arg(long)]
    pub track: bool,
    /// cfDNA concentration of the draw, ng per mL of plasma
    #[arg(long, value_name = "X")]
    pub cfdna_ng_per_ml: Option<f64>,
}

/// Ingests the VCF and says what happened (warnings on standard error).
pub fn run(db: &Path, args: VcfArgs) -> anyhow::Result<()> {
    let caller = if args.caller.eq_ignore_ascii_case("auto") {
        None
    } else {
        Some(super::parse_arg(
            "--caller",
            &args.caller,
            str::parse::<Caller>,
        )?)
    };
    let request = VcfIngest {
        patient: args.patient,
        date: date_arg("--date", &args.date)?,
        options: Options {
            caller,
            sample: args.sample,
        },
        all_filters: args.all_filters,
        track: args.track,
        cfdna_ng_per_ml: args.cfdna_ng_per_ml,
    };
    let mut store = open_write(db)?;
    let spinner = super::progress::spinner(format!("reading {}", args.file.display()));
    let result = ingest_vcf(&mut store, &args.file, &request);
    spinner.finish_and_clear();
    let (report, detail) = result?;
    say!("{}", describe(&report));
    if let Some(detail) = detail {
        let origin = match detail.caller_origin {
            CallerOrigin::Detected => "detected from the header",
            CallerOrigin::Forced => "as given with --caller",
            CallerOrigin::Fallback => {
                "not recognised from the header: generic FORMAT AF / AD handling"
            }
        };
        say!(
            "  caller {} ({origin}); tumour sample '{}'",
            detail.caller,
            detail.sample
        );
        if detail.filtered_out > 0 {
            say!(
                "  {} calls failed a filter and were left out (--all-filters keeps them)",
                detail.filtered_out
            );
        }
        if detail.tracked_added > 0 {
            say!(
                "  {} variants added to the tracked set",
                detail.tracked_added
            );
        }
        if detail.not_detected > 0 {
            say!(
                "  {} tracked variants not detected (stored as not detected)",
                detail.not_detected
            );
        }
        for skipped in &detail.skipped {
            eprintln!("warning: {}: {skipped}", args.file.display());
        }
    }
    Ok(())
}
