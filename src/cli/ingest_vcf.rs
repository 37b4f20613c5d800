//! `oncotrack ingest vcf FILE --patient ID --date D`: one blood draw's ctDNA calls from a VCF of any common caller.

use super::ingest::describe;
use super::{open_write, past_date_arg};
use oncotrack::ingest::vcf::{Caller, CallerOrigin, Options};
use oncotrack::pipeline::liquid::{MAX_NORMAL_ALT_READS, VcfIngest, ingest_vcf};
use std::path::{Path, PathBuf};

/// Arguments of `ingest vcf`.
#[derive(Debug, clap::Args)]
pub struct VcfArgs {
    /// VCF file (plain, bgzip- or gzip-compressed)
    pub file: PathBuf,
    /// Patient identifier
    #[arg(long)]
    pub patient: String,
    /// Blood-draw date (YYYY-MM-DD or another unambiguous form, as in files; not after today)
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
    /// Make this file's somatic calls the patient's tracked (tumour-informed) set:
    /// PASS, alt reads >= 1, somatic by the caller's own status, at most
    /// --max-normal-alt-reads alt reads in the matched normal
    #[arg(long)]
    pub track: bool,
    /// Track every PASS call of the file, whatever its somatic status (implies --track)
    #[arg(long)]
    pub track_all: bool,
    /// With --track: a call with more alt reads than this in the matched normal is not tracked
    #[arg(long, value_name = "N", default_value_t = MAX_NORMAL_ALT_READS)]
    pub max_normal_alt_reads: u32,
    /// Accept a VCF with a header and no records (the caller genuinely found nothing);
    /// its tracked variants are stored as not detected at an unknown depth (not evaluable)
    #[arg(long)]
    pub allow_empty: bool,
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
        date: past_date_arg("--date", &args.date)?,
        options: Options {
            caller,
            sample: args.sample,
            somatic: false,
        },
        all_filters: args.all_filters,
        track: args.track || args.track_all,
        track_all: args.track_all,
        max_normal_alt_reads: args.max_normal_alt_reads,
        allow_empty: args.allow_empty,
        cfdna_ng_per_ml: args.cfdna_ng_per_ml,
    };
    let request_track = request.track;
    let request_date = request.date;
    let mut store = open_write(db)?;
    let spinner = super::progress::spinner(format!("reading {}", args.file.display()));
    let result = ingest_vcf(&mut store, &args.file, &request);
    spinner.finish_and_clear();
    let (report, detail) = result?;
    let mut line = describe(&report);
    if let Some(sv) = detail.as_ref().map(|d| &d.sv)
        && sv.records > 0
    {
        line.push_str(&format!(
            ", {} structural-variant records ({} stored, {} left out)",
            sv.records,
            sv.stored_records,
            sv.left_out_total()
        ));
    }
    say!("{line}");
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
        if let Some(normal) = &detail.normal_sample {
            say!("  matched normal '{normal}'");
        }
        if detail.calls_not_detected > 0 {
            say!(
                "  {} calls with 0 alt reads or a 0/0 genotype stored as not detected",
                detail.calls_not_detected
            );
        }
        if detail.duplicates > 0 {
            let first = detail
                .duplicate_lines
                .first()
                .map_or(String::new(), |(line, locus)| {
                    format!(" (first: line {line}, {locus})")
                });
            say!(
                "  {} duplicate records repeat a variant of an earlier record of this file{first}; the first of each was kept",
                detail.duplicates
            );
        }
        if detail.tracked_added > 0 {
            say!(
                "  {} variants added to the tracked set",
                detail.tracked_added
            );
        }
        if detail.tracked_without_status > 0 {
            say!(
                "  {} of them tracked without a somatic status: {} gives none in this file (tumour-only or germline calling)",
                detail.tracked_without_status,
                detail.caller
            );
        }
        if request_track {
            say!("{}", super::track::left_out_line(&detail.left_out));
        }
        if detail.not_detected > 0 {
            say!(
                "  {} tracked variants not detected (stored as not detected)",
                detail.not_detected
            );
        }
        if let Some(written) = detail.file_date
            && written < request_date
        {
            eprintln!(
                "warning: {}: the header's ##fileDate ({written}) is before the draw date given \
                 with --date ({request_date}): calls are made after the blood is drawn; check \
                 --date (the calls are stored under {request_date})",
                args.file.display()
            );
        }
        if let Some(warning) = &detail.header_warning {
            eprintln!("warning: {}: {warning}", args.file.display());
        }
        for skipped in &detail.skipped {
            eprintln!("warning: {}: {skipped}", args.file.display());
        }
        describe_sv(&args.file, &detail.sv)?;
    }
    Ok(())
}

/// What became of the structural-variant records (warnings on standard error).
fn describe_sv(file: &Path, sv: &oncotrack::pipeline::sv::SvDetail) -> anyhow::Result<()> {
    if sv.records == 0 {
        return Ok(());
    }
    let caller = sv.caller.map_or("generic", |c| c.as_str());
    let mut line = format!(
        "  structural variants ({caller}): {} records stored as {} events ({} new",
        sv.stored_records,
        sv.events_new + sv.events_existing,
        sv.events_new
    );
    if sv.events_existing > 0 {
        line.push_str(&format!(", {} already in the database", sv.events_existing));
    }
    line.push(')');
    say!("{line}");
    if sv.left_out_total() > 0 {
        let reasons: Vec<String> = sv
            .left_out
            .iter()
            .map(|(why, n)| format!("{n} {why}"))
            .collect();
        say!(
            "  {} structural-variant records left out: {}",
            sv.left_out_total(),
            reasons.join(", ")
        );
    }
    for skipped in &sv.left_out_records {
        eprintln!("warning: {}: {skipped}", file.display());
    }
    for warning in &sv.warnings {
        eprintln!("warning: {}: {warning}", file.display());
    }
    Ok(())
}
