//! `oncotrack ctdna ID`: ctDNA metrics per blood draw over the patient's tracked variants.

use super::output::{Listing, opt};
use super::{Format, open_read};
use oncotrack::analysis::ctdna::{DrawMetrics, metrics};
use oncotrack::analysis::response::molecular;
use oncotrack::model::date::format_date;
use std::path::Path;

/// Arguments of `ctdna`.
#[derive(Debug, clap::Args)]
pub struct CtdnaArgs {
    /// Patient identifier
    pub id: String,
    #[command(flatten)]
    pub molecular: MolecularArgs,
    /// Without calendar dates (days since the index date), free text and computed
    /// explanations (they quote dates)
    #[command(flatten)]
    pub deidentify: super::export::DeidentifyArgs,
}

/// The thresholds of the molecular (ctDNA) response criterion, shared by `ctdna` and `response`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct MolecularArgs {
    /// ctDNA: fall of mean VAF from baseline for a molecular response (PR), in percent
    #[arg(long, value_name = "PCT", default_value_t = 50.0, value_parser = fall_percent)]
    pub ctdna_fall: f64,
    /// ctDNA: rise of mean VAF from the nadir for molecular progression (PD), in percent
    #[arg(long, value_name = "PCT", default_value_t = 50.0, value_parser = percent)]
    pub ctdna_rise: f64,
    /// ctDNA: significance level of that rise (one-sided Fisher exact test on the pooled reads)
    #[arg(long, value_name = "P", default_value_t = 0.05, value_parser = probability)]
    pub ctdna_alpha: f64,
}

impl MolecularArgs {
    /// The rules of [`molecular::assess_with`].
    pub fn rules(&self) -> molecular::Rules {
        molecular::Rules {
            response_fall: self.ctdna_fall / 100.0,
            progression_rise: self.ctdna_rise / 100.0,
            alpha: self.ctdna_alpha,
        }
    }
}

/// A percentage above 0 (and, for a fall, at most 100: checked where used).
fn percent(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number"))?;
    if value.is_finite() && value > 0.0 && value <= 1000.0 {
        Ok(value)
    } else {
        Err(format!(
            "{text} is not a percentage above 0 (and at most 1000)"
        ))
    }
}

/// A fall in percent: above 0, at most 100.
fn fall_percent(text: &str) -> Result<f64, String> {
    match percent(text)? {
        value if value <= 100.0 => Ok(value),
        _ => Err(format!("{text} is not a fall between 0 and 100 %")),
    }
}

/// A probability strictly between 0 and 1.
fn probability(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number"))?;
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(format!("{text} is not a probability between 0 and 1"))
    }
}

/// Prints one row per draw (keys: date, tracked, detected, mean_vaf, max_vaf,
/// mutant_molecules_per_ml, change_from_baseline_pct (mean VAF's change from the
/// first draw in percent), detection_limit, clearance,
/// molecular_response, molecular_reason, mrd, fusions).
///
/// A tracked fusion is one of the draw's tracked loci (its fusion fraction as VAF);
/// `fusions` says each one's junction fragments under its gene pair.
pub fn run(db: &Path, format: Format, args: CtdnaArgs) -> anyhow::Result<()> {
    let store = open_read(db)?;
    let private = super::private::Private::load(&args.deidentify, &store)?;
    let draws = oncotrack::analysis::ctdna::merge_calls(&store.tracked_calls(&args.id)?);
    let fusions = store.fusion_counts(&args.id)?;
    let mut listing = Listing::new(&[
        "date",
        "tracked",
        "detected",
        "mean_vaf",
        "max_vaf",
        "mutant_molecules_per_ml",
        "change_from_baseline_pct",
        "detection_limit",
        "clearance",
        "molecular_response",
        "molecular_reason",
        "mrd",
        "fusions",
    ]);
    let draws = metrics(&draws);
    let samples: Vec<_> = draws.iter().map(DrawMetrics::sample).collect();
    let rules = args.molecular.rules();
    let assessments = molecular::assess_with(&samples, &rules);
    let thresholds = rules.pct_thresholds();
    for (i, m) in draws.iter().enumerate() {
        let (category, reason) = if i == 0 {
            ("baseline".to_string(), "baseline draw".to_string())
        } else {
            assessments
                .iter()
                .find(|a| a.date == m.date)
                .map_or(("NE".to_string(), String::new()), |a| {
                    (a.code().to_string(), a.reason.clone())
                })
        };
        // Nothing detected and absence not shown either (no read at a tracked locus, a
        // depth of 0 written there, or a caller silent there, no depth at all; the
        // response is NE): the 0 would read as a measured absence, and -100 % as a
        // clearance, of a draw that did not see everything.
        let unseen = m.detected == 0
            && matches!(m.sample().evidence(), molecular::Evidence::NotEvaluable(_));
        let measured = |value: Option<f64>| opt(value.filter(|_| !unseen));
        listing.push(vec![
            format_date(m.date).into(),
            m.tracked.into(),
            m.detected.into(),
            measured(m.mean_vaf),
            measured(m.max_vaf),
            measured(m.mutant_molecules_per_ml),
            // In percent, as every other change oncotrack lists (a fraction of -0.5
            // beside the reason's "-50 %" read as half a percent).
            super::response::rounded_pct_against(
                m.change_from_baseline
                    .map(|c| c * 100.0)
                    .filter(|_| !unseen),
                &thresholds,
            ),
            opt(m.detection_limit),
            m.clearance.into(),
            category.into(),
            reason.into(),
            // The draw's MRD decision when `ingest bam --targets` tested it.
            opt(m.mrd.map(|d| d.as_str())),
            fusion_text(&fusions, m.date).into(),
        ]);
    }
    super::private::for_patient(
        private.as_ref(),
        &args.id,
        listing,
        &["date"],
        &["molecular_reason"],
    )
    .print(format)
}

/// The draw's fusions: `EWSR1-FLI1 0.0312 (4 of 128.5 fragments)`, `; `-separated.
fn fusion_text(
    fusions: &[oncotrack::store::fusion::FusionPoint],
    date: chrono::NaiveDate,
) -> String {
    fusions
        .iter()
        .filter(|f| f.date == date)
        .map(|f| {
            let name = f.genes.as_deref().unwrap_or(&f.label);
            let fraction = f
                .fusion_fraction
                .map_or_else(|| "-".to_string(), |x| format!("{x:.4}"));
            format!(
                "{name} {fraction} ({} of {} fragments)",
                f.split + f.discordant,
                f.depth()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
