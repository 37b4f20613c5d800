//! `oncotrack trend ID --series ...`: change from baseline and nadir, log-slope per 30 days with 95 % CI, doubling or halving time.

use super::output::{Listing, opt};
use super::response::rounded;
use super::{Format, open_read};
use oncotrack::analysis::series::{Series, SeriesInputs, check_assay, points};
use oncotrack::analysis::trend::{CensorPolicy, trend};
use oncotrack::model::date::format_date;
use std::path::Path;

/// How censored points enter the trend (`--censored`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CensoredArg {
    /// Below the limit at half the limit, above it at the limit
    Substitute,
    /// Left out
    Exclude,
}

/// Arguments of `trend`.
#[derive(Debug, clap::Args)]
pub struct TrendArgs {
    /// Patient identifier
    pub id: String,
    /// Series, repeatable or comma-separated: ctdna.mean_vaf, cytokine:NAME[@ASSAY],
    /// pet.mtv, pet.tlg, pet.suvmax, recist.sum
    #[arg(long, required = true, value_delimiter = ',', value_parser = parse_series)]
    pub series: Vec<Series>,
    /// Assay of the cytokine series that name none (`cytokine:IL-6` = `cytokine:IL-6@NAME`)
    /// [default: the only one stored; refused when there are several]
    #[arg(long, value_name = "NAME")]
    pub assay: Option<String>,
    /// Censored points (below or above a limit)
    #[arg(long, value_enum, default_value_t = CensoredArg::Substitute)]
    pub censored: CensoredArg,
    /// Without calendar dates (days since the index date), free text and computed
    /// explanations (they quote dates)
    #[command(flatten)]
    pub deidentify: super::export::DeidentifyArgs,
}

/// A p-value to 4 decimals, or to 3 significant digits below 0.0001: rounded to 4
/// decimals a strong trend's p of 2e-9 printed as 0, a certainty no test gives.
fn p_value(p: Option<f64>) -> serde_json::Value {
    match p {
        Some(p) if p > 0.0 && p < 1e-4 => {
            let digits = 2 - p.log10().floor() as i32;
            rounded(Some(p), digits)
        }
        other => rounded(other, 4),
    }
}

fn parse_series(text: &str) -> Result<Series, String> {
    text.parse()
}

/// Prints one row per series (keys: series, points, used, censored, non_positive,
/// baseline_date, baseline, latest_date, latest, nadir_date, nadir,
/// change_from_baseline, change_from_baseline_pct, change_from_nadir,
/// change_from_nadir_pct, slope_log_per_30d, slope_ci_low, slope_ci_high, p_value,
/// direction, time_days, time_ci_low, time_ci_high). An unbounded `time_ci_high` (the
/// slope's CI reaches 0) is `unbounded` in a table and null in JSON, CSV and TSV.
pub fn run(db: &Path, format: Format, args: TrendArgs) -> anyhow::Result<()> {
    let store = open_read(db)?;
    let private = super::private::Private::load(&args.deidentify, &store)?;
    let policy = match args.censored {
        CensoredArg::Substitute => CensorPolicy::Substitute,
        CensoredArg::Exclude => CensorPolicy::Exclude,
    };
    let mut listing = Listing::new(&[
        "series",
        "points",
        "used",
        "censored",
        "non_positive",
        "baseline_date",
        "baseline",
        "latest_date",
        "latest",
        "nadir_date",
        "nadir",
        "change_from_baseline",
        "change_from_baseline_pct",
        "change_from_nadir",
        "change_from_nadir_pct",
        "slope_log_per_30d",
        "slope_ci_low",
        "slope_ci_high",
        "p_value",
        "direction",
        "time_days",
        "time_ci_low",
        "time_ci_high",
    ]);
    let inputs = SeriesInputs::from_record(store.patient_record(&args.id)?);
    let mut chosen = args.series.clone();
    for series in &mut chosen {
        if let (
            Series::Cytokine {
                assay: assay @ None,
                ..
            },
            Some(given),
        ) = (&mut *series, &args.assay)
        {
            *assay = Some(given.clone());
        }
        check_assay(series, &inputs).map_err(anyhow::Error::msg)?;
    }
    for series in &chosen {
        let t = trend(&points(series, &inputs), policy);
        let day = |p: Option<(chrono::NaiveDate, f64)>| opt(p.map(|(d, _)| format_date(d)));
        let value = |p: Option<(chrono::NaiveDate, f64)>| rounded(p.map(|(_, v)| v), 6);
        let fit = t.fit;
        listing.push(vec![
            series.to_string().into(),
            t.points.into(),
            t.used.into(),
            t.censored.into(),
            t.non_positive.into(),
            day(t.baseline),
            value(t.baseline),
            day(t.latest),
            value(t.latest),
            day(t.nadir),
            value(t.nadir),
            rounded(t.change_from_baseline, 6),
            rounded(t.change_from_baseline_pct, 1),
            rounded(t.change_from_nadir, 6),
            rounded(t.change_from_nadir_pct, 1),
            rounded(fit.map(|f| f.slope_per_30d), 4),
            rounded(fit.and_then(|f| f.ci95).map(|c| c.0), 4),
            rounded(fit.and_then(|f| f.ci95).map(|c| c.1), 4),
            p_value(fit.and_then(|f| f.p_value)),
            opt(fit.and_then(|f| f.direction())),
            rounded(fit.and_then(|f| f.doubling_days), 1),
            rounded(fit.and_then(|f| f.doubling_ci95).map(|c| c.0), 1),
            match fit.and_then(|f| f.doubling_ci95) {
                // The slope's CI reaches 0: the time may be as long as you like. In a
                // table "-" would read as missing; JSON and CSV keep null (documented).
                Some((_, None)) if format == Format::Table => "unbounded".into(),
                ci => rounded(ci.and_then(|c| c.1), 1),
            },
        ]);
    }
    super::private::for_patient(
        private.as_ref(),
        &args.id,
        listing,
        &["baseline_date", "latest_date", "nadir_date"],
        &[],
    )
    .print(format)
}
