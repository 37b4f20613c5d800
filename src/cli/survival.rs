//! `oncotrack survival`: Kaplan-Meier curves with Greenwood CI, medians and log-rank tests, from the store or an analyst's CSV.

use super::output::{Listing, number, opt, print_json};
use super::values::{EndpointArg, GroupArg, IndexArg, parse_group};
use super::{Format, invalid, open_read};
use oncotrack::analysis::survival::{self, Endpoint, GroupComparison, LogRank, Subject};
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
}

/// Runs the command.
pub fn run(db: &Path, format: Format, args: SurvivalArgs) -> anyhow::Result<()> {
    let plot = super::plot::figure_kind(args.plot.as_deref())?;
    let (groups, dropped) = match &args.input {
        Some(path) => (Grouped::Labels(file_groups(path, &args)?), Vec::new()),
        None => store_groups(db, &args)?,
    };
    let subjects = plot.map(|_| match &groups {
        Grouped::Labels(g) => g.clone(),
        Grouped::Clusters(_, s) => s.clone(),
    });
    let report = analyse(groups)?;
    if let (Some(path), Some(kind), Some(subjects)) = (&args.plot, plot, subjects) {
        super::plot::survival(path, kind, &report, &subjects, args.input.is_none())?;
    }
    print(format, &report, &dropped)
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

/// Subjects per group from the store's clinical events.
fn store_groups(db: &Path, args: &SurvivalArgs) -> anyhow::Result<(Grouped, Dropped)> {
    let endpoint: Endpoint = args.endpoint.into();
    let by_treatment = args.index == IndexArg::TreatmentStart;
    let store = open_read(db)?;
    let courses = store.courses()?;
    if let Some(GroupArg::Cluster(run)) = &args.group {
        let assignments = store.cluster_assignments(run)?;
        let (comparison, dropped) =
            survival::by_cluster(&courses, &assignments, endpoint, by_treatment)?;
        let (subjects, _) =
            survival::cluster_subjects(&courses, &assignments, endpoint, by_treatment);
        let subjects = subjects
            .into_iter()
            .map(|(k, v)| (format!("cluster {k}"), v))
            .collect();
        if comparison.curves.is_empty() {
            return Err(invalid(
                "cohort",
                "",
                "no patient of the cluster run has an index date and follow-up",
            ));
        }
        return Ok((Grouped::Clusters(comparison, subjects), dropped));
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

/// Subjects grouped by a label, or survival already compared by cluster (with the
/// subjects by `cluster N`, for the plot).
enum Grouped {
    Labels(BTreeMap<String, Vec<Subject>>),
    Clusters(GroupComparison<usize>, BTreeMap<String, Vec<Subject>>),
}

type Report = GroupComparison<String>;

/// The comparison with groups named for printing (`cluster N` for a cluster run).
fn analyse(grouped: Grouped) -> anyhow::Result<Report> {
    Ok(match grouped {
        Grouped::Labels(groups) => survival::compare_groups(&groups)?,
        Grouped::Clusters(c, _) => {
            let name = |k: usize| format!("cluster {k}");
            GroupComparison {
                curves: c.curves.into_iter().map(|(k, km)| (name(k), km)).collect(),
                logrank: c.logrank,
                pairwise: c
                    .pairwise
                    .into_iter()
                    .map(|(a, b, t)| (name(a), name(b), t))
                    .collect(),
            }
        }
    })
}

fn logrank_json(test: &LogRank) -> Value {
    json!({"statistic": number(test.statistic), "df": test.df, "p": number(test.p)})
}

fn print(format: Format, report: &Report, dropped: &Dropped) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let groups: Vec<Value> = report
                .curves
                .iter()
                .map(|(name, km)| {
                    json!({
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
                    })
                })
                .collect();
            print_json(&json!({
                "groups": groups,
                "logrank": report.logrank.as_ref().map_or(Value::Null, logrank_json),
                "pairwise": report.pairwise.iter().map(|(a, b, t)| json!({
                    "a": a, "b": b, "statistic": number(t.statistic), "df": t.df, "p": number(t.p),
                })).collect::<Vec<_>>(),
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
            let text = |v: Option<f64>| v.map_or("NR".to_string(), |v| format!("{v}"));
            for (name, km) in &report.curves {
                listing.push(vec![
                    name.clone().into(),
                    km.n.into(),
                    km.events.into(),
                    text(km.median).into(),
                    format!("{} - {}", text(km.median_ci.0), text(km.median_ci.1)).into(),
                ]);
            }
            listing.print(Format::Table)?;
            if let Some(test) = &report.logrank {
                say!(
                    "log-rank: chi2 = {:.4}, df = {}, p = {:.4e}",
                    test.statistic,
                    test.df,
                    test.p
                );
            }
            for (a, b, test) in &report.pairwise {
                say!(
                    "  {a} vs {b}: chi2 = {:.4}, p = {:.4e}",
                    test.statistic,
                    test.p
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
