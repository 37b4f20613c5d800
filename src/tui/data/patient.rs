//! The patient screen's data: one patient's events, ctDNA, PET, RECIST and cytokine series, responses and trends, read in one pass.

use super::{EventMark, PatientView, Point, ResponseRow, Series};
use crate::analysis::response::{DEFAULT_CRITERIA, assess_patient};
use crate::analysis::series::{self, Series as SeriesKind, SeriesInputs};
use crate::analysis::trend::{self, CensorPolicy};
use crate::error::Result;
use crate::model::Censor;
use crate::model::EventKind;
use crate::store::Store;
use chrono::NaiveDate;

/// One series of the patient screen with its trend, `None` when it has no points.
fn series(
    inputs: &SeriesInputs,
    index: Option<NaiveDate>,
    what: &SeriesKind,
    name: &str,
    unit: &str,
) -> Option<(Series, trend::Trend)> {
    let points = series::points(what, inputs);
    if points.is_empty() {
        return None;
    }
    let fitted = trend::trend(&points, CensorPolicy::Substitute);
    let day = |date: NaiveDate| index.map_or(0.0, |i| (date - i).num_days() as f64);
    let series = Series {
        name: name.to_string(),
        unit: unit.to_string(),
        points: points
            .iter()
            .map(|p| Point {
                day: day(p.date),
                value: p.value,
                censored: p.censor != Censor::None,
            })
            .collect(),
    };
    Some((series, fitted))
}

/// One line describing a trend: change from baseline, log-slope per 30 days, doubling or halving time.
pub fn trend_text(name: &str, t: &trend::Trend) -> Option<String> {
    let fit = t.fit?;
    let mut text = format!("{name}: ");
    if let Some(change) = t.change_from_baseline_pct {
        text.push_str(&format!("{change:+.0} % from baseline, "));
    }
    text.push_str(&format!("slope {:+.2} ln/30 d", fit.slope_per_30d));
    match fit.ci95 {
        Some((lo, hi)) => text.push_str(&format!(" (95 % CI {lo:+.2} to {hi:+.2})")),
        // A line through two points always fits: say so rather than look as sure as
        // the fitted trends beside it.
        None => text.push_str(&format!(" ({} points: no CI)", t.used)),
    }
    if let Some(days) = fit.doubling_days {
        let kind = if fit.is_growing() {
            "doubling"
        } else {
            "halving"
        };
        text.push_str(&format!(", {kind} {days:.0} d"));
        if let Some((lo, hi)) = fit.doubling_ci95 {
            let hi = hi.map_or("∞".to_string(), |h| format!("{h:.0}"));
            text.push_str(&format!(" ({lo:.0}–{hi})"));
        }
    }
    Some(text)
}

/// One series per tracked variant: its VAF where detected, its limit (1 / depth) as a
/// censored point where not; a draw with an unknown depth is left out of that variant.
fn variant_series(draws: &[crate::analysis::ctdna::Draw], index: Option<NaiveDate>) -> Vec<Series> {
    let mut series: Vec<Series> = Vec::new();
    for draw in draws {
        let day = index.map_or(0.0, |i| (draw.date - i).num_days() as f64);
        for observation in &draw.tracked {
            let point = match (observation.detected, observation.vaf, observation.depth) {
                (true, Some(vaf), _) => Point {
                    day,
                    value: vaf,
                    censored: false,
                },
                (false, _, Some(depth)) if depth > 0 => Point {
                    day,
                    value: 1.0 / depth as f64,
                    censored: true,
                },
                _ => continue,
            };
            match series.iter_mut().find(|s| s.name == observation.variant) {
                Some(existing) => existing.points.push(point),
                None => series.push(Series {
                    name: observation.variant.clone(),
                    unit: "VAF".into(),
                    points: vec![point],
                }),
            }
        }
    }
    series
}

/// Loads the patient screen, every cytokine assay (one series per analyte and assay).
///
/// # Errors
/// [`crate::Error::UnknownPatient`] or a store failure.
pub fn load_patient(store: &Store, code: &str) -> Result<PatientView> {
    load_patient_for(store, code, None)
}

/// Loads the patient screen with the cytokines of one assay only (`tui --assay`), or of
/// every assay when `assay` is `None`.
///
/// # Errors
/// [`crate::Error::UnknownPatient`] or a store failure.
pub fn load_patient_for(store: &Store, code: &str, assay: Option<&str>) -> Result<PatientView> {
    let summary = store.patient_summary(code)?;
    let index = summary.patient.index_date;
    let events = store.events(code)?;
    let day = |date: NaiveDate| index.map_or(0.0, |i| (date - i).num_days() as f64);
    let mut trends = Vec::new();
    let mut take = |found: Option<(Series, trend::Trend)>| {
        found.map(|(series, fitted)| {
            if let Some(text) = trend_text(&series.name, &fitted) {
                trends.push(text);
            }
            series
        })
    };
    let inputs = SeriesInputs::from_record(store.patient_record(code)?);
    let mut ctdna: Vec<Series> = take(series(
        &inputs,
        index,
        &SeriesKind::CtdnaMeanVaf,
        "mean VAF",
        "VAF",
    ))
    .into_iter()
    .collect();
    ctdna.extend(variant_series(&inputs.draws, index));
    let pet: Vec<Series> = [
        (SeriesKind::PetSuvMax, "SUVmax", "SUV"),
        (SeriesKind::PetMtv, "MTV", "mL"),
        (SeriesKind::PetTlg, "TLG", "SUV·mL"),
    ]
    .iter()
    .filter_map(|(what, name, unit)| take(series(&inputs, index, what, name, unit)))
    .collect();
    let recist_sum = take(series(
        &inputs,
        index,
        &SeriesKind::RecistSum,
        "sum of diameters",
        "mm",
    ));
    // One series per analyte and assay: values of two assays (kits, stimulations) are
    // never drawn as one line.
    let cytokines: Vec<Series> = inputs
        .cytokines
        .keys()
        .filter(|(_, stored)| assay.is_none_or(|wanted| wanted == stored))
        .filter_map(|(analyte, assay)| {
            let what = SeriesKind::Cytokine {
                analyte: analyte.clone(),
                assay: Some(assay.clone()),
            };
            let name = if assay.is_empty() {
                analyte.clone()
            } else {
                format!("{analyte} @ {assay}")
            };
            take(series(&inputs, index, &what, &name, "pg/mL"))
        })
        .collect();
    let report = assess_patient(&inputs.response, &DEFAULT_CRITERIA);
    let responses = report
        .assessments
        .iter()
        .map(|a| {
            let mut reason = a.reason.clone();
            let discordance = report.discordance_text(a);
            if !discordance.is_empty() {
                reason.push_str(&format!(" — discordant: {discordance}"));
            }
            ResponseRow {
                date: a.date,
                criterion: a.criterion.name().to_string(),
                category: a.code().to_string(),
                reason,
                discordant: report.is_discordant(a),
            }
        })
        .collect();
    Ok(PatientView {
        code: code.to_string(),
        diagnosis: summary.patient.fields.diagnosis.clone(),
        index_date: index,
        treatment_lines: events
            .iter()
            .filter(|e| e.kind == EventKind::TreatmentStart)
            .map(|e| e.detail.clone())
            .collect(),
        death_date: summary.death_date,
        events: events
            .iter()
            .map(|e| EventMark {
                date: e.date,
                day: day(e.date),
                kind: e.kind,
                detail: e.detail.clone(),
            })
            .collect(),
        ctdna,
        pet,
        recist_sum,
        cytokines,
        responses,
        trends,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Censor, Point as Value};

    fn series(values: &[(&str, f64)]) -> trend::Trend {
        let points: Vec<Value> = values
            .iter()
            .map(|(date, value)| Value {
                date: crate::model::parse_date(date).unwrap(),
                value: *value,
                censor: Censor::None,
            })
            .collect();
        trend::trend(&points, trend::CensorPolicy::Substitute)
    }

    #[test]
    fn a_trend_of_two_points_says_it_has_no_confidence_interval() {
        let two = series(&[("2024-01-01", 10.0), ("2024-05-01", 5.0)]);
        let text = trend_text("SUVmax", &two).unwrap();
        assert!(text.contains("(2 points: no CI), halving"), "{text}");
        let three = series(&[
            ("2024-01-01", 10.0),
            ("2024-03-01", 7.0),
            ("2024-05-01", 5.0),
        ]);
        let text = trend_text("SUVmax", &three).unwrap();
        assert!(
            text.contains("95 % CI") && !text.contains("no CI"),
            "{text}"
        );
        // One point: no trend line at all.
        assert_eq!(trend_text("SUVmax", &series(&[("2024-01-01", 10.0)])), None);
    }
}
