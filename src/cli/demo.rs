//! `oncotrack demo`: generate the synthetic cohort, ingest it, and print a cohort summary.

use super::Format;
use super::output::Listing;
use oncotrack::demo::{self, Endotype, Options};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Number of patients
    #[arg(long, default_value_t = 120)]
    pub patients: usize,
    /// Seed of the generator (same seed, same cohort)
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Folder for the generated input files
    #[arg(long, default_value = "oncotrack-demo")]
    pub out: PathBuf,
    /// Print the summary only, even on a terminal (do not open the UI)
    #[arg(long)]
    pub no_tui: bool,
}

/// Runs the demo and prints what it built.
pub fn run(db: &Path, format: Format, args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let options = Options {
        patients: args.patients,
        seed: args.seed,
        out_dir: args.out.clone(),
        db: db.to_path_buf(),
    };
    let report = demo::run(&options)?;
    let elapsed = started.elapsed();

    let cohort = &report.cohort;
    let mut listing = Listing::new(&[
        "endotype",
        "patients",
        "progressed",
        "died",
        "median_follow_up_days",
    ]);
    for endotype in Endotype::ALL {
        let group: Vec<_> = cohort.iter().filter(|p| p.endotype == endotype).collect();
        let mut follow: Vec<i64> = group.iter().map(|p| p.follow_up_days()).collect();
        follow.sort_unstable();
        listing.push(vec![
            endotype.label().into(),
            group.len().into(),
            group
                .iter()
                .filter(|p| p.progression.is_some())
                .count()
                .into(),
            group.iter().filter(|p| p.death.is_some()).count().into(),
            follow
                .get(follow.len() / 2)
                .copied()
                .map_or(Value::Null, Into::into),
        ]);
    }
    if format != Format::Table {
        return listing.print(format);
    }
    say!(
        "demo cohort: {} patients (seed {}) in {:.1} s",
        cohort.len(),
        args.seed,
        elapsed.as_secs_f64()
    );
    say!("database:    {}", db.display());
    // At most three lines per kind of file (the demo writes one PET file per scan).
    let mut shown: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for ingest in &report.ingests {
        let n = shown.entry(ingest.kind).or_default();
        *n += 1;
        if *n <= 3 {
            say!("  {}", super::ingest::describe(ingest));
        }
    }
    for (kind, n) in &shown {
        if *n > 3 {
            say!("  ... and {} more {kind} files", n - 3);
        }
    }
    say!(
        "  liquid biopsy: {} VCFs (Mutect2, Strelka2, VarScan2, freeBayes) and {} BAM for {} patients, {} calls",
        report.liquid.vcfs,
        report.liquid.bams,
        report.liquid.patients,
        report.liquid.calls
    );
    if report.liquid.fusion_patients > 0 {
        let examples: Vec<String> = report
            .liquid
            .fusion_examples
            .iter()
            .map(|(code, genes)| format!("{code} {genes}"))
            .collect();
        say!(
            "  fusions: {} patients track their fusion; {} junction BAMs counted ({}: try `ctdna {}`)",
            report.liquid.fusion_patients,
            report.liquid.fusion_bams,
            examples.join(", "),
            report
                .liquid
                .fusion_examples
                .first()
                .map_or("P001", |(code, _)| code.as_str())
        );
    }
    for (ingest, mrd) in report.liquid.bam_reports.iter().zip(&report.liquid.mrd) {
        say!("  {}", super::ingest::describe(ingest));
        if let Some(result) = mrd {
            say!("    {}", {
                let options = oncotrack::analysis::mrd::MrdOptions::default();
                super::ingest_bam::mrd_line(result, options.simulations, options.alpha)
            });
        }
    }
    say!(
        "input files: {} (truth.csv holds the planted endotypes; it is not ingested)",
        args.out.display()
    );
    say!();
    say!("planted endotypes (hidden truth):");
    listing.print(format)?;
    say!();
    if let Some(found) = &report.endotypes {
        say!(
            "endotype clusters of baseline cytokines (cluster run '{}'): {} patients, adjusted Rand {:.3} against the planted endotypes, silhouette {:.3}",
            demo::endotypes::RUN_NAME,
            found.patients,
            found.adjusted_rand,
            found.silhouette
        );
        for (description, median) in &found.clusters {
            let median = median.map_or("not reached".to_string(), |m| format!("{m} days"));
            say!("  {description}; median OS {median}");
        }
        if let Some(test) = &found.logrank {
            say!(
                "  overall survival by cluster: log-rank chi2 = {:.2}, df = {}, p = {:.3e}{}",
                test.statistic,
                test.df,
                test.p,
                test.caution().map_or(String::new(), |c| format!(" ({c})"))
            );
        }
        say!();
    }
    say!(
        "next: oncotrack --db {} tui   |   oncotrack --db {} timeline {}",
        db.display(),
        db.display(),
        cohort[0].code
    );
    if !args.no_tui && super::tui::available() {
        return Ok(oncotrack::tui::run(db)?);
    }
    Ok(())
}
