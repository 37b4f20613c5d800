//! `oncotrack survival`: Kaplan-Meier curves with Greenwood CI, medians, numbers at risk and log-rank tests, and Cox models (`--cox`), from the store or an analyst's CSV.

mod cox;

use super::output::{Listing, number, opt, print_json};
use super::values::{EndpointArg, GroupArg, IndexArg, parse_group, parse_time};
use super::{Format, invalid, open_read};
use oncotrack::analysis::survival::{self, AtRisk, Endpoint, GroupComparison, LogRank, Subject};
use oncotrack::ingest::table::Table;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Arguments of `survival`.
#[derive(Debug, clap::Args)]
pub struct SurvivalArgs {
    /// Analyst's table (file mode): one row per subject
    #[arg(long, value_name = "CSV")]
    pub input: Option<PathBuf>,
    /// File mode: column with the follow-up time
    #[arg(long, requires = "input")]
    pub time_col: Option<String>,
    /// File mode: column with the event flag (1/0, true/false, yes/no)
    #[arg(long, requires = "input")]
    pub event_col: Option<String>,
    /// File mode: column with the group
    #[arg(long, requires = "input")]
    pub group_col: Option<String>,
    /// Store mode: the endpoint
    #[arg(long, value_enum, default_value_t = EndpointArg::Os, conflicts_with = "input")]
    pub endpoint: EndpointArg,
    /// Store mode: the index date
    #[arg(long, value_enum, default_value_t = IndexArg::Diagnosis, conflicts_with = "input")]
    pub index: IndexArg,
    /// Store mode: group by cluster:RUN, diagnosis, sex or site (default: one group)
    #[arg(long, value_name = "BY", value_parser = parse_group, conflicts_with = "input")]
    pub group: Option<GroupArg>,
    /// Also draw the curves into FILE (.svg, .html or .pdf): censor marks, numbers at
    /// risk, 95 % bands; .png is refused (no rasteriser is built)
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Kaplan-Meier: numbers at risk, censored and events at these times (e.g. 0,365,730)
    #[arg(long, value_name = "T,T,..", value_delimiter = ',', value_parser = parse_time, conflicts_with = "cox")]
    pub at_risk: Vec<f64>,
    /// Fit a Cox model on these covariates (store mode: age, sex, diagnosis, site,
    /// endotype; file mode: numeric columns)
    #[arg(
        long,
        value_name = "COVARIATES",
        value_delimiter = ',',
        conflicts_with = "group_col"
    )]
    pub cox: Vec<String>,
    /// Cox: a stratum per value of this column (store mode: sex, diagnosis, site, endotype)
    #[arg(long, value_name = "COL", requires = "cox")]
    pub strata: Option<String>,
    /// Store mode: the patients left out are named by their pseudonyms
    #[command(flatten)]
    pub deidentify: super::export::DeidentifyArgs,
}

/// Runs the command.
pub fn run(db: &Path, format: Format, args: SurvivalArgs) -> anyhow::Result<()> {
    if !args.cox.is_empty() {
        if args.plot.is_some() {
            anyhow::bail!("--plot draws Kaplan-Meier curves: leave it out with --cox");
        }
        return cox::run(db, format, &args);
    }
    let plot = super::plot::figure_kind(args.plot.as_deref())?;
    let (groups, mut dropped) = match &args.input {
        Some(path) => (Grouped::Labels(file_groups(path, &args)?), Vec::new()),
        None => store_groups(db, &args)?,
    };
    pseudonymise(&args, &mut dropped)?;
    let (report, subjects) = analyse(groups)?;
    if let (Some(path), Some(kind)) = (&args.plot, plot) {
        let by_name: BTreeMap<String, Vec<Subject>> = subjects.iter().cloned().collect();
        super::plot::survival(path, kind, &report, &by_name, args.input.is_none())?;
    }
    let at_risk: Vec<(String, Vec<AtRisk>)> = subjects
        .iter()
        .map(|(name, s)| (name.clone(), survival::at_risk(s, &args.at_risk)))
        .collect();
    print(format, &report, &dropped, &at_risk, &caption(&args))
}

/// What the table's times are: the endpoint and index date (store mode, days), or the
/// analyst's columns. A bare "median 1381" says neither what ended nor in what unit.
fn caption(args: &SurvivalArgs) -> String {
    if args.input.is_some() {
        return format!(
            "Kaplan-Meier of '{}' (event '{}'), times in the file's unit",
            args.time_col.as_deref().unwrap_or_default(),
            args.event_col.as_deref().unwrap_or_default()
        );
    }
    let endpoint = match args.endpoint {
        EndpointArg::Os => "overall survival (to death)",
        EndpointArg::Efs => "event-free survival (to progression, relapse or death)",
    };
    let index = match args.index {
        IndexArg::Diagnosis => "diagnosis",
        IndexArg::TreatmentStart => "the first treatment start",
    };
    format!("{endpoint} from {index}, times in days; NR: median not reached")
}

/// Subjects per group from an analyst's CSV.
fn file_groups(path: &Path, args: &SurvivalArgs) -> anyhow::Result<BTreeMap<String, Vec<Subject>>> {
    let time_col = args.time_col.as_deref().ok_or_else(|| {
        invalid(
            "--time-col",
            "",
            "file mode needs --time-col and --event-col",
        )
    })?;
    let event_col = args.event_col.as_deref().ok_or_else(|| {
        invalid(
            "--event-col",
            "",
            "file mode needs --time-col and --event-col",
        )
    })?;
    let table = Table::read(path)?;
    let times = table.numbers(table.column(time_col)?)?;
    if let Some(i) = times.iter().position(|t| *t < 0.0) {
        let (line, _) = &table.records[i];
        return Err(oncotrack::Error::parse(path, *line, time_col, "a time must be >= 0").into());
    }
    let events = table.flags(table.column(event_col)?)?;
    let labels = match &args.group_col {
        Some(col) => table.texts(table.column(col)?)?,
        None => vec!["all".to_string(); times.len()],
    };
    let mut groups: BTreeMap<String, Vec<Subject>> = BTreeMap::new();
    for ((time, event), label) in times.into_iter().zip(events).zip(labels) {
        groups
            .entry(label)
            .or_default()
            .push(Subject { time, event });
    }
    Ok(groups)
}

type Dropped = Vec<(String, String)>;

/// With `--deidentify`, the dropped patients as pseudonyms, in pseudonym order.
fn pseudonymise(args: &SurvivalArgs, dropped: &mut Dropped) -> anyhow::Result<()> {
    if let Some(d) = args.deidentify.load()? {
        for (patient, _) in dropped.iter_mut() {
            *patient = d.key.pseudonym(patient);
        }
        dropped.sort();
    }
    Ok(())
}

/// Subjects per group from the store's clinical events.
fn store_groups(db: &Path, args: &SurvivalArgs) -> anyhow::Result<(Grouped, Dropped)> {
    let endpoint: Endpoint = args.endpoint.into();
    let by_treatment = args.index == IndexArg::TreatmentStart;
    let store = open_read(db)?;
    let courses = store.courses()?;
    if let Some(GroupArg::Cluster(run)) = &args.group {
        let assignments = store.cluster_assignments(run)?;
        let (groups, dropped) =
            survival::cluster_subjects(&courses, &assignments, endpoint, by_treatment);
        if groups.is_empty() {
            return Err(invalid(
                "cohort",
                "",
                "no patient of the cluster run has an index date and follow-up",
            ));
        }
        return Ok((Grouped::Clusters(groups), dropped));
    }
    let mut patients = Vec::new();
    for course in courses {
        let label = match &args.group {
            Some(GroupArg::Diagnosis) => course.diagnosis.clone(),
            Some(GroupArg::Sex) => course.sex.clone().unwrap_or_else(|| "unknown".into()),
            Some(GroupArg::Site) => course.site.clone().unwrap_or_else(|| "unknown".into()),
            // Handled above; the match must still be exhaustive.
            Some(GroupArg::Cluster(_)) | None => "all".to_string(),
        };
        let dates = course.dates(by_treatment);
        patients.push((course.patient, label, dates));
    }
    let (groups, dropped) = survival::group_subjects(patients, endpoint);
    if groups.is_empty() {
        return Err(invalid(
            "cohort",
            "",
            "no patient has an index date and follow-up",
        ));
    }
    Ok((Grouped::Labels(groups), dropped))
}

/// Subjects grouped by a label or by cluster.
enum Grouped {
    Labels(BTreeMap<String, Vec<Subject>>),
    Clusters(BTreeMap<usize, Vec<Subject>>),
}

type Report = GroupComparison<String>;

/// Each group's subjects under its printed name.
type Named = Vec<(String, Vec<Subject>)>;

/// The comparison with groups named for printing (`cluster N` for a cluster run), and
/// each named group's subjects.
fn analyse(grouped: Grouped) -> anyhow::Result<(Report, Named)> {
    Ok(match grouped {
        Grouped::Labels(groups) => (
            survival::compare_groups(&groups)?,
            groups.into_iter().collect(),
        ),
        Grouped::Clusters(groups) => {
            let c = survival::compare_groups(&groups)?;
            let name = |k: usize| format!("cluster {k}");
            let report = GroupComparison {
                curves: c.curves.into_iter().map(|(k, km)| (name(k), km)).collect(),
                logrank: c.logrank,
                pairwise: c
                    .pairwise
                    .into_iter()
                    .map(|(a, b, t)| (name(a), name(b), t))
                    .collect(),
            };
            let subjects = groups.into_iter().map(|(k, s)| (name(k), s)).collect();
            (report, subjects)
        }
    })
}

/// A median's 95 % interval for the table: `514 - 985`, `NR - NR`; one of no width
/// (`10 - 10`, as lifelines gives it when the curve falls through 0.5 at its last
/// subject, where Greenwood's variance is undefined) says so, as it would read as a
/// perfectly precise median of one or two patients.
fn median_ci_text(km: &survival::KaplanMeier) -> String {
    let text = |v: Option<f64>| v.map_or("NR".to_string(), |v| format!("{v}"));
    let (lo, hi) = km.median_ci;
    let degenerate = matches!((lo, hi), (Some(lo), Some(hi)) if lo == hi);
    format!(
        "{} - {}{}",
        text(lo),
        text(hi),
        if degenerate {
            format!(" (no width: n = {}, no real CI)", km.n)
        } else {
            String::new()
        }
    )
}

fn logrank_json(test: &LogRank) -> Value {
    json!({"statistic": number(test.statistic), "df": test.df, "p": number(test.p),
        "smallest_group": test.smallest_group,
        "min_expected_events": number(test.min_expected_events),
        "caution": opt(test.caution())})
}

/// The numbers at risk of each group as a listing.
fn at_risk_listing(at_risk: &[(String, Vec<AtRisk>)]) -> Listing {
    let mut listing = Listing::new(&["group", "time", "at_risk", "censored", "events"]);
    for (name, rows) in at_risk {
        for r in rows {
            listing.push(vec![
                name.clone().into(),
                number(r.time),
                r.at_risk.into(),
                r.censored.into(),
                r.events.into(),
            ]);
        }
    }
    listing
}

fn print(
    format: Format,
    report: &Report,
    dropped: &Dropped,
    at_risk: &[(String, Vec<AtRisk>)],
    caption: &str,
) -> anyhow::Result<()> {
    let with_at_risk = at_risk.iter().any(|(_, rows)| !rows.is_empty());
    if with_at_risk && format == Format::Csv {
        return at_risk_listing(at_risk).print(format);
    }
    match format {
        Format::Json => {
            let groups: Vec<Value> = report
                .curves
                .iter()
                .map(|(name, km)| {
                    let mut group = json!({
                        "group": name,
                        "n": km.n,
                        "events": km.events,
                        "median": opt(km.median),
                        "median_ci": [opt(km.median_ci.0), opt(km.median_ci.1)],
                        "km": km.points.iter().map(|p| json!({
                            "time": number(p.time),
                            "survival": number(p.survival),
                            "ci_lower": number(p.ci_lower),
                            "ci_upper": number(p.ci_upper),
                            "at_risk": p.at_risk,
                            "events": p.events,
                        })).collect::<Vec<_>>(),
                    });
                    if let Some((_, rows)) = at_risk.iter().find(|(n, _)| n == name)
                        && with_at_risk
                    {
                        group["numbers_at_risk"] = rows
                            .iter()
                            .map(|r| {
                                json!({"time": number(r.time), "at_risk": r.at_risk,
                                "censored": r.censored, "events": r.events})
                            })
                            .collect();
                    }
                    group
                })
                .collect();
            print_json(&json!({
                "groups": groups,
                "logrank": report.logrank.as_ref().map_or(Value::Null, logrank_json),
                "pairwise": report.pairwise.iter().map(|(a, b, t)| {
                    let mut test = logrank_json(t);
                    test["a"] = json!(a);
                    test["b"] = json!(b);
                    test
                }).collect::<Vec<_>>(),
                "dropped": dropped.iter().map(|(p, r)| json!({"patient": p, "reason": r})).collect::<Vec<_>>(),
            }))
        }
        Format::Csv => {
            let mut listing = Listing::new(&[
                "group", "time", "survival", "ci_lower", "ci_upper", "at_risk", "events",
            ]);
            for (name, km) in &report.curves {
                for p in &km.points {
                    listing.push(vec![
                        name.clone().into(),
                        number(p.time),
                        number(p.survival),
                        number(p.ci_lower),
                        number(p.ci_upper),
                        p.at_risk.into(),
                        p.events.into(),
                    ]);
                }
            }
            listing.print(Format::Csv)
        }
        _ => {
            let mut listing = Listing::new(&["group", "n", "events", "median", "median_95ci"]);
            say!("{caption}");
            let text = |v: Option<f64>| v.map_or("NR".to_string(), |v| format!("{v}"));
            for (name, km) in &report.curves {
                listing.push(vec![
                    name.clone().into(),
                    km.n.into(),
                    km.events.into(),
                    text(km.median).into(),
                    median_ci_text(km).into(),
                ]);
            }
            listing.print(Format::Table)?;
            if with_at_risk {
                say!("numbers at risk:");
                at_risk_listing(at_risk).print(Format::Table)?;
            }
            if let Some(test) = &report.logrank {
                say!(
                    "log-rank: chi2 = {:.4}, df = {}, p = {:.4e}",
                    test.statistic,
                    test.df,
                    test.p
                );
                // The number stays (it is lifelines'); beside two patients' curves it
                // would read as a finding.
                if let Some(caution) = test.caution() {
                    say!("  {caution}");
                }
            } else if report.curves.len() >= 2 {
                // Silence would read as "no difference"; with no event there is no test.
                say!("log-rank: not computed (no events to compare)");
            }
            for (a, b, test) in &report.pairwise {
                say!(
                    "  {a} vs {b}: chi2 = {:.4}, p = {:.4e}{}",
                    test.statistic,
                    test.p,
                    test.caution_brief()
                        .map_or(String::new(), |c| format!(" ({c})"))
                );
            }
            if !dropped.is_empty() {
                say!(
                    "{} patients left out (no index date, follow-up or cluster)",
                    dropped.len()
                );
            }
            Ok(())
        }
    }
}
