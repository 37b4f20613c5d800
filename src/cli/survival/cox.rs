//! `oncotrack survival --cox`: Cox proportional hazards (Efron ties, strata) on the store's cohort or on an analyst's CSV.

use super::super::output::{Listing, number, print_json};
use super::super::values::GroupArg;
use super::super::{Format, invalid, open_read};
use super::SurvivalArgs;
use oncotrack::analysis::cox::{self, Covariate, CoxData, CoxFit};
use oncotrack::analysis::survival::{self, Endpoint};
use oncotrack::ingest::table::Table;
use oncotrack::store::export::Cell;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Covariates of store mode.
const STORE_COVARIATES: &str = "age, sex, diagnosis, site, endotype";

/// Runs the Cox model of `args.cox`.
pub fn run(db: &Path, format: Format, args: &SurvivalArgs) -> anyhow::Result<()> {
    let (data, mut dropped) = match &args.input {
        Some(path) => (file_data(path, args)?, Vec::new()),
        None => store_data(db, args)?,
    };
    super::pseudonymise(args, &mut dropped)?;
    let fit = cox::fit(&data)?;
    if !fit.converged {
        eprintln!(
            "warning: the Cox fit did not converge in {} iterations: a covariate may separate events from non-events",
            fit.iterations
        );
    }
    print(format, &fit, &dropped)
}

/// File mode: numeric covariate columns, an optional strata column.
fn file_data(path: &Path, args: &SurvivalArgs) -> anyhow::Result<CoxData> {
    let need = || {
        invalid(
            "--time-col",
            "",
            "file mode needs --time-col and --event-col",
        )
    };
    let table = Table::read(path)?;
    let time = table.numbers(table.column(args.time_col.as_deref().ok_or_else(need)?)?)?;
    if let Some(i) = time.iter().position(|t| *t < 0.0) {
        let (line, _) = &table.records[i];
        let col = args.time_col.as_deref().unwrap_or_default();
        return Err(oncotrack::Error::parse(path, *line, col, "a time must be >= 0").into());
    }
    let event = table.flags(table.column(args.event_col.as_deref().ok_or_else(need)?)?)?;
    let mut covariates = Vec::new();
    for name in &args.cox {
        covariates.push(Covariate::Numeric {
            name: name.clone(),
            values: table.numbers(table.column(name)?)?,
        });
    }
    let strata = match &args.strata {
        Some(col) => codes(&table.texts(table.column(col)?)?),
        None => Vec::new(),
    };
    let (names, x) = cox::design(&covariates, time.len())?;
    Ok(CoxData {
        names,
        time,
        event,
        x,
        strata,
    })
}

/// A stratum number per label (labels in sort order).
fn codes(labels: &[String]) -> Vec<usize> {
    let mut levels: Vec<&String> = labels.iter().collect();
    levels.sort();
    levels.dedup();
    labels
        .iter()
        .map(|l| levels.binary_search(&l).unwrap_or(0))
        .collect()
}

use super::Dropped;

/// One patient's store-mode covariate values by name (None: missing).
type Values = HashMap<&'static str, Option<String>>;

/// Store mode: the endpoint from the clinical events, covariates from the patients and
/// the cluster run of `--group cluster:RUN`.
fn store_data(db: &Path, args: &SurvivalArgs) -> anyhow::Result<(CoxData, Dropped)> {
    let run = match &args.group {
        Some(GroupArg::Cluster(run)) => Some(run.as_str()),
        None => None,
        Some(_) => {
            return Err(invalid(
                "--group",
                "",
                "with --cox, --group takes cluster:RUN only (sex, diagnosis and site are covariates or strata)",
            ));
        }
    };
    let wanted: Vec<&'static str> = args
        .cox
        .iter()
        .chain(args.strata.iter())
        .map(|name| store_covariate(name))
        .collect::<anyhow::Result<_>>()?;
    if wanted.contains(&"endotype") && run.is_none() {
        return Err(invalid(
            "--cox",
            "endotype",
            "needs the cluster run: add --group cluster:RUN",
        ));
    }
    let store = open_read(db)?;
    let endpoint: Endpoint = args.endpoint.into();
    let by_treatment = args.index == super::IndexArg::TreatmentStart;
    let ages = ages(&store.export_table("patients")?);
    let (clusters, reference) = match run {
        Some(run) => {
            let assignments = store.cluster_assignments(run)?;
            let found = store
                .analysis_runs()?
                .into_iter()
                .find(|r| r.name == run)
                .ok_or_else(|| invalid("cluster run", run, "no such run"))?;
            let record = store.cluster_record(&found)?;
            let clusters: HashMap<String, usize> = assignments
                .into_iter()
                .map(|a| (a.patient, a.cluster))
                .collect();
            (Some(clusters), least_inflamed(&record))
        }
        None => (None, None),
    };
    let mut dropped = Vec::new();
    let mut time = Vec::new();
    let mut event = Vec::new();
    let mut rows: Vec<Values> = Vec::new();
    for course in store.courses()? {
        let cluster = match &clusters {
            Some(c) => match c.get(&course.patient) {
                Some(k) => Some(k.to_string()),
                None => {
                    dropped.push((course.patient, "not in the cluster run".into()));
                    continue;
                }
            },
            None => None,
        };
        let values: Values = HashMap::from([
            ("age", ages.get(&course.patient).map(|a| a.to_string())),
            ("sex", course.sex.clone()),
            ("diagnosis", Some(course.diagnosis.clone())),
            ("site", course.site.clone()),
            ("endotype", cluster),
        ]);
        if let Some(missing) = wanted.iter().find(|w| values[*w].is_none()) {
            dropped.push((course.patient, format!("no {missing}")));
            continue;
        }
        match survival::endpoint_subject(&course.dates(by_treatment), endpoint) {
            Ok(subject) => {
                time.push(subject.time);
                event.push(subject.event);
                rows.push(values);
            }
            Err(reason) => dropped.push((course.patient, reason)),
        }
    }
    if rows.is_empty() {
        return Err(invalid(
            "cohort",
            "",
            "no patient has an index date, follow-up and every covariate",
        ));
    }
    let column = |name: &'static str| -> Vec<String> {
        rows.iter()
            .map(|r| r[name].clone().unwrap_or_default())
            .collect()
    };
    let mut covariates = Vec::new();
    for name in &args.cox {
        let key = store_covariate(name)?;
        covariates.push(if key == "age" {
            Covariate::Numeric {
                name: "age".into(),
                values: column("age")
                    .iter()
                    .map(|a| a.parse().unwrap_or(f64::NAN))
                    .collect(),
            }
        } else {
            Covariate::Categorical {
                name: key.into(),
                values: column(key),
                reference: if key == "endotype" {
                    reference.map(|r| r.to_string())
                } else {
                    None
                },
            }
        });
    }
    let strata = match &args.strata {
        Some(name) => codes(&column(store_covariate(name)?)),
        None => Vec::new(),
    };
    let (names, x) = cox::design(&covariates, time.len())?;
    Ok((
        CoxData {
            names,
            time,
            event,
            x,
            strata,
        },
        dropped,
    ))
}

/// The store-mode name of a covariate (`cluster` is `endotype`).
fn store_covariate(name: &str) -> anyhow::Result<&'static str> {
    Ok(match name.trim() {
        "age" | "age_at_index" => "age",
        "sex" => "sex",
        "diagnosis" => "diagnosis",
        "site" => "site",
        "endotype" | "cluster" => "endotype",
        other => {
            return Err(invalid(
                "covariate",
                other,
                &format!(
                    "store mode knows {STORE_COVARIATES} (file mode: --input CSV takes any numeric column)"
                ),
            ));
        }
    })
}

/// Age at index per patient, from the patients export table.
fn ages(patients: &oncotrack::store::export::ExportTable) -> HashMap<String, i64> {
    let at = |name: &str| patients.columns.iter().position(|(n, _)| *n == name);
    let (Some(code), Some(age)) = (at("patient"), at("age_at_index")) else {
        return HashMap::new();
    };
    patients
        .rows
        .iter()
        .filter_map(|row| match (&row[code], &row[age]) {
            (Cell::Text(c), Cell::Integer(a)) => Some((c.clone(), *a)),
            _ => None,
        })
        .collect()
}

/// The reference level of `endotype`: the cluster whose mean z-score over the run's
/// features is lowest (the least inflamed; the demo's quiescent endotype).
fn least_inflamed(record: &oncotrack::model::cluster::ClusterRunRecord) -> Option<usize> {
    record
        .profile
        .clusters
        .iter()
        .filter_map(|c| {
            let values: Vec<f64> = c.mean_z.iter().flatten().copied().collect();
            (!values.is_empty())
                .then(|| (c.cluster, values.iter().sum::<f64>() / values.len() as f64))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(cluster, _)| cluster)
}

fn coefficient_rows(fit: &CoxFit) -> Vec<Value> {
    fit.coefficients
        .iter()
        .map(|c| {
            json!({
                "covariate": c.name,
                "coef": number(c.coef),
                "exp_coef": number(c.hazard_ratio),
                "se": number(c.se),
                "coef_lower_95": number(c.coef_ci.0),
                "coef_upper_95": number(c.coef_ci.1),
                "exp_coef_lower_95": number(c.hazard_ratio_ci.0),
                "exp_coef_upper_95": number(c.hazard_ratio_ci.1),
                "z": number(c.z),
                "p": number(c.p),
            })
        })
        .collect()
}

fn print(format: Format, fit: &CoxFit, dropped: &Dropped) -> anyhow::Result<()> {
    let model = json!({
        "n": fit.n,
        "events": fit.events,
        "strata": fit.strata,
        "ties": "efron",
        "log_likelihood": number(fit.log_likelihood),
        "null_log_likelihood": number(fit.null_log_likelihood),
        "lr_test": {"statistic": number(fit.lr_statistic), "df": fit.lr_df, "p": number(fit.lr_p)},
        "concordance": number(fit.concordance),
        "partial_aic": number(fit.partial_aic),
        "iterations": fit.iterations,
        "converged": fit.converged,
    });
    match format {
        Format::Json => print_json(&json!({
            "model": model,
            "coefficients": coefficient_rows(fit),
            "dropped": dropped.iter().map(|(p, r)| json!({"patient": p, "reason": r})).collect::<Vec<_>>(),
        })),
        _ => {
            let mut listing = Listing::new(&[
                "covariate",
                "coef",
                "exp_coef",
                "se",
                "coef_lower_95",
                "coef_upper_95",
                "exp_coef_lower_95",
                "exp_coef_upper_95",
                "z",
                "p",
            ]);
            for row in coefficient_rows(fit) {
                let keys = [
                    "covariate",
                    "coef",
                    "exp_coef",
                    "se",
                    "coef_lower_95",
                    "coef_upper_95",
                    "exp_coef_lower_95",
                    "exp_coef_upper_95",
                    "z",
                    "p",
                ];
                listing.push(keys.iter().map(|k| row[*k].clone()).collect());
            }
            if format != Format::Table {
                return listing.print(format);
            }
            say!(
                "Cox proportional hazards (Efron ties): n = {}, events = {}, strata = {}",
                fit.n,
                fit.events,
                fit.strata
            );
            listing.print(Format::Table)?;
            say!(
                "concordance = {:.4}, partial log-likelihood = {:.4}, partial AIC = {:.2}",
                fit.concordance,
                fit.log_likelihood,
                fit.partial_aic
            );
            say!(
                "likelihood-ratio test = {:.4} on {} df, p = {:.4e}",
                fit.lr_statistic,
                fit.lr_df,
                fit.lr_p
            );
            if !dropped.is_empty() {
                let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
                for (_, reason) in dropped {
                    *reasons.entry(reason.as_str()).or_default() += 1;
                }
                let text: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
                say!("{} patients left out ({})", dropped.len(), text.join(", "));
            }
            Ok(())
        }
    }
}
