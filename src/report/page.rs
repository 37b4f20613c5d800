//! The patient's one page (A4 landscape) drawn from a [`PatientReport`]: header, swimmer lane, ctDNA, RECIST, PET, cytokine heatmap on one time axis; Kaplan–Meier of the endotype and the response table beside them. Pure: no I/O.

use super::chart::{Area, TimeAxis, ValueAxis, announce, frame, percent, short};
use super::model::{Named, PatientReport, Value};
use super::scene::{
    A4_LANDSCAPE, Anchor, Color, Scene, Style, diverging, fit, num, palette, text_width, wrap,
};
use crate::model::EventKind;
use crate::model::MrdDecision;
use crate::model::date::format_date;
use chrono::NaiveDate;

const MARGIN: f64 = 18.0;
/// Left edge of every time chart's plot area (room for the y labels before it).
const PLOT_X: f64 = 62.0;
/// Right edge of every time chart's plot area (room for a right axis after it).
const PLOT_RIGHT: f64 = 512.0;
/// Left edge of the right column.
const RIGHT_X: f64 = 556.0;
/// Days per month for survival curves (365.25 / 12).
const DAYS_PER_MONTH: f64 = 30.4375;

/// The colour of an MRD decision and its short label.
fn mrd_mark(decision: MrdDecision) -> (Color, &'static str) {
    match decision {
        MrdDecision::Positive => (Color::RED, "MRD+"),
        MrdDecision::Negative => (Color::GREEN, "MRD−"),
        MrdDecision::Undetermined => (Color::GREY, "MRD?"),
    }
}

/// Draws the patient's report page.
pub fn patient_page(report: &PatientReport) -> Scene {
    let (width, height) = A4_LANDSCAPE;
    let mut scene = Scene::new(width, height, format!("oncotrack report {}", report.code));
    header(&mut scene, report);
    let Some((first, last)) = report.span() else {
        announce(
            &mut scene,
            Area {
                x: MARGIN,
                y: 80.0,
                w: width - 2.0 * MARGIN,
                h: 100.0,
            },
            "nothing is recorded for this patient yet",
        );
        return scene;
    };
    let axis = TimeAxis::new(first, last, PLOT_X, PLOT_RIGHT);
    let column = |y: f64, h: f64| Area {
        x: PLOT_X,
        y,
        w: PLOT_RIGHT - PLOT_X,
        h,
    };
    swimmer(&mut scene, report, &axis, column(66.0, 64.0));
    ctdna(&mut scene, report, &axis, column(138.0, 122.0));
    recist(&mut scene, report, &axis, column(268.0, 84.0));
    pet(&mut scene, report, &axis, column(360.0, 84.0));
    cytokines(&mut scene, report, &axis, column(452.0, 116.0));
    let right = |y: f64, h: f64| Area {
        x: RIGHT_X,
        y,
        w: width - MARGIN - RIGHT_X,
        h,
    };
    survival(&mut scene, report, right(66.0, 160.0));
    responses(&mut scene, report, right(234.0, height - MARGIN - 234.0));
    scene
}

fn header(scene: &mut Scene, r: &PatientReport) {
    scene.bold(MARGIN, 32.0, &r.code, 16.0).class("code");
    let x = MARGIN + text_width(&r.code, 16.0, true) + 10.0;
    scene
        .bold(x, 32.0, fit(&r.diagnosis, 330.0, 11.0), 11.0)
        .class("diagnosis");
    let mut facts = Vec::new();
    if let Some(age) = r.age_at_diagnosis {
        facts.push(format!("age at diagnosis {age}"));
    }
    if let Some(sex) = &r.sex {
        facts.push(format!("sex {sex}"));
    }
    if let Some(site) = &r.site {
        facts.push(format!("site {site}"));
    }
    if let Some(primary) = &r.primary_site {
        facts.push(format!("primary {primary}"));
    }
    if let Some(index) = r.index_date {
        facts.push(format!("index date {}", format_date(index)));
    }
    match (r.death, r.last_contact) {
        (Some(death), _) => facts.push(format!("died {}", format_date(death))),
        (None, Some(last)) => facts.push(format!("alive, last contact {}", format_date(last))),
        _ => {}
    }
    match &r.endotype {
        Some(e) => facts.push(format!("endotype E{} (run {})", e.cluster, e.run)),
        None => facts.push("endotype: no cluster run holds this patient".into()),
    }
    scene
        .text(
            MARGIN,
            45.0,
            fit(&facts.join(" · "), 800.0, 7.5),
            7.5,
            Anchor::Start,
            Color::BLACK,
        )
        .class("facts");
    let mut best: Vec<String> = r
        .best
        .iter()
        .map(|(criterion, category, _)| format!("{criterion} {category}"))
        .collect();
    if best.is_empty() {
        best.push("none assessed".into());
    }
    let mut line = format!("best response: {}", best.join(", "));
    if let Some(lead) = r.lead_days {
        line.push_str(&format!(" · ctDNA progression {lead} d before RECIST PD"));
    }
    if let Some(at) = r.at {
        line.push_str(&format!(" · as known on {}", format_date(at)));
    }
    scene.text(
        MARGIN,
        56.0,
        fit(&line, 540.0, 7.0),
        7.0,
        Anchor::Start,
        Color::GREY,
    );
    scene.text(
        A4_LANDSCAPE.0 - MARGIN,
        32.0,
        concat!(
            "oncotrack ",
            env!("CARGO_PKG_VERSION"),
            " · tumour board report"
        ),
        6.5,
        Anchor::End,
        Color::GREY,
    );
}

/// The letter and colour of an event on the swimmer lane.
fn event_mark(kind: EventKind) -> Option<(&'static str, Color)> {
    Some(match kind {
        EventKind::Diagnosis => ("D", Color::BLACK),
        EventKind::Surgery => ("S", Color::BLUE),
        EventKind::Radiotherapy => ("R", Color(120, 60, 160)),
        EventKind::Progression => ("P", Color::RED),
        EventKind::Relapse => ("P", Color::RED),
        EventKind::Death => ("†", Color::BLACK),
        EventKind::LastContact => ("|", Color::GREY),
        EventKind::TreatmentStart | EventKind::TreatmentEnd => return None,
    })
}

fn swimmer(scene: &mut Scene, r: &PatientReport, axis: &TimeAxis, area: Area) {
    let mut attrs = axis.attrs();
    attrs.insert(0, ("chart", "swimmer".to_string()));
    scene.open("chart", attrs);
    let plot = frame(
        scene,
        area,
        "Course: treatment lines, S surgery, R radiotherapy, P progression/relapse, † death, | last contact; draws, panels, scans",
    );
    axis.draw(scene, plot, true);
    let (_, end) = r.span().unwrap_or((axis.start, axis.end));
    let end = r.death.unwrap_or(end);
    // Treatment lines: each start to its end (the next end after it), else the next start or the end of follow-up.
    let starts: Vec<&(NaiveDate, EventKind, String)> = r
        .events
        .iter()
        .filter(|e| e.1 == EventKind::TreatmentStart)
        .collect();
    let ends: Vec<NaiveDate> = r
        .events
        .iter()
        .filter(|e| e.1 == EventKind::TreatmentEnd)
        .map(|e| e.0)
        .collect();
    let lane_y = plot.y + 4.0;
    for (i, start) in starts.iter().enumerate() {
        let next_start = starts.get(i + 1).map(|s| s.0);
        let stop = ends
            .iter()
            .copied()
            .find(|d| *d >= start.0 && next_start.is_none_or(|n| *d <= n))
            .or(next_start)
            .unwrap_or(end);
        let (x0, x1) = (axis.x(start.0), axis.x(stop).max(axis.x(start.0) + 2.0));
        let y = lane_y + (i % 2) as f64 * 10.0;
        scene
            .rect(
                x0,
                y,
                x1 - x0,
                8.0,
                Style::fill(palette(i + 1)).opacity(0.55),
            )
            .class("line")
            .data("date", format_date(start.0))
            .data("end", format_date(stop))
            .data("detail", start.2.clone());
        let label = if start.2.is_empty() {
            format!("line {}", i + 1)
        } else {
            start.2.clone()
        };
        scene.text(
            x0 + 1.5,
            y + 6.0,
            fit(&label, (x1 - x0 - 2.0).max(60.0), 5.5),
            5.5,
            Anchor::Start,
            Color::BLACK,
        );
    }
    if starts.is_empty() {
        scene.text(
            plot.x + 3.0,
            lane_y + 6.0,
            "no treatment line recorded",
            6.0,
            Anchor::Start,
            Color::GREY,
        );
    }
    let event_y = plot.y + 32.0;
    let mut placed: Vec<(f64, f64)> = Vec::new();
    for (date, kind, detail) in &r.events {
        let Some((letter, color)) = event_mark(*kind) else {
            // A treatment line's start and end: a tick across the lines' rows.
            let x = axis.x(*date);
            scene
                .line(
                    (x, lane_y - 1.0),
                    (x, lane_y + 19.0),
                    Style::stroke(Color::GREY, 0.5),
                )
                .class("event")
                .data("date", format_date(*date))
                .data("kind", kind.as_str())
                .data("detail", detail.clone());
            continue;
        };
        let x = axis.x(*date);
        // Two events in one place: the second goes up a step.
        let mut y = event_y;
        while placed
            .iter()
            .any(|(px, py)| (px - x).abs() < 5.0 && (py - y).abs() < 1.0)
        {
            y -= 7.0;
        }
        placed.push((x, y));
        scene
            .text(x, y, letter, 7.0, Anchor::Middle, color)
            .class("event")
            .data("date", format_date(*date))
            .data("kind", kind.as_str())
            .data("detail", detail.clone());
    }
    let visit_y = plot.bottom() - 9.0;
    for (date, category, item) in &r.timeline {
        let (color, row) = match category.as_str() {
            "liquid-biopsy" => (Color::RED, 0.0),
            "cytokines" => (Color(120, 60, 160), 3.0),
            "imaging" => (Color::BLUE, 6.0),
            _ => continue,
        };
        let x = axis.x(*date);
        scene
            .line(
                (x, visit_y + row),
                (x, visit_y + row + 3.0),
                Style::stroke(color, 0.8),
            )
            .class("visit")
            .data("date", format_date(*date))
            .data("kind", format!("{category}: {item}"));
    }
    scene.text(
        plot.x - 2.0,
        plot.y + 10.0,
        "lines",
        5.0,
        Anchor::End,
        Color::GREY,
    );
    scene.text(
        plot.x - 2.0,
        event_y,
        "events",
        5.0,
        Anchor::End,
        Color::GREY,
    );
    scene.text(
        plot.x - 2.0,
        visit_y + 6.0,
        "draws·panels·scans",
        4.0,
        Anchor::End,
        Color::GREY,
    );
    scene.close();
}

/// Draws a series as a line broken at censored values, with a marker per value:
/// filled when measured, hollow when below the limit.
fn draw_series(
    scene: &mut Scene,
    series: &str,
    values: &[Value],
    axis: &TimeAxis,
    y: &ValueAxis,
    line: Style,
) {
    let color = line.stroke.unwrap_or(Color::BLACK);
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |scene: &mut Scene, run: &mut Vec<(f64, f64)>| {
        if run.len() >= 2 {
            scene.path(std::mem::take(run), line.clone());
        }
        run.clear();
    };
    for v in values {
        let point = (axis.x(v.date), y.y(v.value));
        if v.censored {
            flush(scene, &mut run);
        } else {
            run.push(point);
        }
    }
    flush(scene, &mut run);
    for v in values {
        let (cx, cy) = (axis.x(v.date), y.y(v.value));
        let style = if v.censored {
            Style::stroke(color, 0.7).filled(Color::WHITE)
        } else {
            Style::fill(color)
        };
        scene
            .circle(cx, cy, if v.censored { 1.8 } else { 1.5 }, style)
            .class(if v.censored { "pt censored" } else { "pt" })
            .data("series", series)
            .data("date", format_date(v.date))
            .data("value", format!("{}", v.value));
    }
}

/// The width a legend of these entries takes.
fn legend_width(entries: &[(String, Color, bool)]) -> f64 {
    entries
        .iter()
        .map(|(name, _, _)| text_width(&fit(name, 70.0, 5.5), 5.5, false) + 14.0)
        .sum()
}

/// A legend in one line at the top right of a plot: (name, colour, dashed).
fn legend(scene: &mut Scene, plot: Area, entries: &[(String, Color, bool)]) {
    let mut x = plot.right() - 3.0;
    for (name, color, dashed) in entries.iter().rev() {
        let text = fit(name, 70.0, 5.5);
        let w = text_width(&text, 5.5, false);
        scene.text(x, plot.y - 2.5, &text, 5.5, Anchor::End, Color::BLACK);
        x -= w + 2.0;
        let style = Style::stroke(*color, 1.2);
        scene.line(
            (x - 8.0, plot.y - 4.5),
            (x, plot.y - 4.5),
            if *dashed { style.dashed() } else { style },
        );
        x -= 12.0;
    }
}

fn ctdna(scene: &mut Scene, r: &PatientReport, axis: &TimeAxis, area: Area) {
    let all: Vec<f64> = r
        .mean_vaf
        .iter()
        .chain(r.variants.iter().flat_map(|v| v.values.iter()))
        .map(|v| v.value)
        .chain(r.draws.iter().filter_map(|d| d.lod))
        .filter(|v| *v > 0.0)
        .collect();
    let min = all.iter().copied().fold(f64::INFINITY, f64::min);
    let max = all.iter().copied().fold(0.0, f64::max);
    let plot_probe = Area {
        y: area.y + 9.0,
        h: area.h - 9.0,
        ..area
    };
    let y = ValueAxis::log_decades(
        min,
        max.min(1.0).max(min),
        plot_probe.bottom() - 2.0,
        plot_probe.y + 10.0,
    );
    let mut attrs = axis.attrs();
    attrs.extend(y.attrs(""));
    attrs.insert(0, ("chart", "ctdna".to_string()));
    scene.open("chart", attrs);
    let mut entries = vec![("mean VAF".to_string(), Color::BLACK, false)];
    for (i, variant) in r.variants.iter().take(4).enumerate() {
        entries.push((variant.name.clone(), palette(i + 1), false));
    }
    if r.variants.len() > 4 {
        entries.push((
            format!("+{} more", r.variants.len() - 4),
            Color::LIGHT,
            false,
        ));
    }
    entries.push(("LOD".into(), Color::GREY, true));
    let title = fit(
        "ctDNA VAF (log): mean and each tracked variant; open: below the limit of detection; MRD calls on top",
        area.w - legend_width(&entries) - 6.0,
        6.5,
    );
    let plot = frame(scene, area, &title);
    axis.draw(scene, plot, false);
    if r.mean_vaf.is_empty() && r.variants.is_empty() {
        announce(scene, plot, "no ctDNA draws for this patient");
        scene.close();
        return;
    }
    y.draw(scene, plot, false, percent);
    let lod: Vec<(f64, f64)> = r
        .draws
        .iter()
        .filter_map(|d| d.lod.map(|l| (axis.x(d.date), y.y(l))))
        .collect();
    if lod.len() >= 2 {
        scene
            .path(lod, Style::stroke(Color::GREY, 0.6).dashed())
            .class("lod");
    }
    for d in &r.draws {
        if let Some(l) = d.lod {
            scene
                .circle(axis.x(d.date), y.y(l), 0.6, Style::fill(Color::GREY))
                .class("lod-pt")
                .data("date", format_date(d.date))
                .data("value", format!("{l}"));
        }
    }
    for (i, variant) in r.variants.iter().enumerate() {
        draw_series(
            scene,
            &variant.name,
            &variant.values,
            axis,
            &y,
            Style::stroke(palette(i + 1), 0.6),
        );
    }
    draw_series(
        scene,
        "mean VAF",
        &r.mean_vaf,
        axis,
        &y,
        Style::stroke(Color::BLACK, 1.3),
    );
    legend(scene, plot, &entries);
    for d in &r.draws {
        if let Some(decision) = d.mrd {
            let (color, label) = mrd_mark(decision);
            scene
                .text(
                    axis.x(d.date),
                    plot.y + 6.5,
                    label,
                    5.0,
                    Anchor::Middle,
                    color,
                )
                .class("mrd")
                .data("date", format_date(d.date))
                .data("decision", decision.as_str());
        }
    }
    scene.close();
}

fn recist(scene: &mut Scene, r: &PatientReport, axis: &TimeAxis, area: Area) {
    let max = r.recist_sum.iter().map(|v| v.value).fold(0.0, f64::max);
    let baseline = r.recist_sum.first().map(|v| v.value);
    let nadirs: Vec<f64> = r
        .recist_sum
        .iter()
        .scan(f64::INFINITY, |nadir, v| {
            let before = *nadir;
            *nadir = nadir.min(v.value);
            Some(before)
        })
        .collect();
    let top_needed = max.max(
        nadirs
            .iter()
            .filter(|n| n.is_finite())
            .fold(0.0, |m: f64, n| m.max(n * 1.2)),
    );
    let y = ValueAxis::linear_from_zero(top_needed, area.bottom() - 1.0, area.y + 12.0);
    let mut attrs = axis.attrs();
    attrs.extend(y.attrs(""));
    attrs.insert(0, ("chart", "recist".to_string()));
    scene.open("chart", attrs);
    let plot = frame(
        scene,
        area,
        "RECIST 1.1: sum of target diameters (mm); PR at −30 % from baseline, PD at +20 % over the nadir (and +5 mm)",
    );
    axis.draw(scene, plot, false);
    if r.recist_sum.is_empty() {
        announce(scene, plot, "no CT/MR lesion measurements for this patient");
        scene.close();
        return;
    }
    y.draw(scene, plot, false, short);
    if let (Some(base), Some(first)) = (baseline, r.recist_sum.first()) {
        let pr = base * 0.7;
        scene
            .line(
                (axis.x(first.date), y.y(pr)),
                (plot.right(), y.y(pr)),
                Style::stroke(Color::GREEN, 0.6).dashed(),
            )
            .class("threshold")
            .data("kind", "PR")
            .data("value", format!("{pr}"));
        scene.text(
            plot.right() + 2.0,
            y.y(pr) + 2.0,
            "−30%",
            5.0,
            Anchor::Start,
            Color::GREEN,
        );
    }
    let pr_y = baseline.map(|b| y.y(b * 0.7));
    // PD threshold: 20 % above the nadir seen before each scan, as a step line.
    let mut steps: Vec<(f64, f64)> = Vec::new();
    for (i, v) in r.recist_sum.iter().enumerate().skip(1) {
        let nadir = nadirs[i];
        let threshold = (nadir * 1.2).max(nadir + 5.0);
        let x0 = axis.x(r.recist_sum[i - 1].date);
        let x1 = axis.x(v.date);
        steps.push((x0, y.y(threshold)));
        steps.push((x1, y.y(threshold)));
    }
    if !steps.is_empty() {
        let mut last_y = steps.last().map_or(0.0, |p| p.1);
        // Two labels in one place: PD goes above PR's.
        if let Some(pr) = pr_y.filter(|p| (p - last_y).abs() < 6.0) {
            last_y = pr - 6.0;
        }
        scene
            .path(steps, Style::stroke(Color::RED, 0.6).dashed())
            .class("threshold");
        scene.text(
            plot.right() + 2.0,
            last_y + 2.0,
            "PD",
            5.0,
            Anchor::Start,
            Color::RED,
        );
    }
    draw_series(
        scene,
        "sum of diameters",
        &r.recist_sum,
        axis,
        &y,
        Style::stroke(Color::BLACK, 1.1),
    );
    scene.close();
}

fn pet(scene: &mut Scene, r: &PatientReport, axis: &TimeAxis, area: Area) {
    let uptake: Vec<&Named> = r.pet.iter().filter(|n| n.name != "TLG").collect();
    let tlg = r.pet.iter().find(|n| n.name == "TLG");
    let max = uptake
        .iter()
        .flat_map(|n| n.values.iter())
        .map(|v| v.value)
        .fold(0.0, f64::max);
    let y = ValueAxis::linear_from_zero(max, area.bottom() - 1.0, area.y + 12.0);
    let tlg_max = tlg.map_or(0.0, |t| {
        t.values.iter().map(|v| v.value).fold(0.0, f64::max)
    });
    let right = ValueAxis::linear_from_zero(tlg_max, area.bottom() - 1.0, area.y + 12.0);
    let mut attrs = axis.attrs();
    attrs.extend(y.attrs(""));
    attrs.extend(right.attrs("tlg"));
    attrs.insert(0, ("chart", "pet".to_string()));
    scene.open("chart", attrs);
    let plot = frame(
        scene,
        area,
        "PET: SUVmax and SULpeak of the hottest lesion (left axis), TLG summed over lesions (right axis)",
    );
    axis.draw(scene, plot, false);
    if r.pet.is_empty() {
        announce(scene, plot, "no PET for this patient");
        scene.close();
        return;
    }
    y.draw(scene, plot, false, short);
    let mut entries = Vec::new();
    for (i, series) in uptake.iter().enumerate() {
        let color = [Color(230, 120, 0), Color::BLUE][i % 2];
        draw_series(
            scene,
            &series.name,
            &series.values,
            axis,
            &y,
            Style::stroke(color, 1.0),
        );
        entries.push((series.name.clone(), color, false));
    }
    if let Some(tlg) = tlg {
        right.draw(scene, plot, true, short);
        draw_series(
            scene,
            "TLG",
            &tlg.values,
            axis,
            &right,
            Style::stroke(Color::GREY, 0.8).dashed(),
        );
        entries.push(("TLG".into(), Color::GREY, true));
    }
    legend(scene, plot, &entries);
    scene.close();
}

/// z-score of log10 values within the series (0 when they do not vary).
fn z_scores(values: &[Value]) -> Vec<f64> {
    let logs: Vec<f64> = values.iter().map(|v| v.value.max(1e-12).log10()).collect();
    let n = logs.len() as f64;
    let mean = logs.iter().sum::<f64>() / n;
    let sd = if logs.len() > 1 {
        (logs.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    logs.iter()
        .map(|l| if sd > 0.0 { (l - mean) / sd } else { 0.0 })
        .collect()
}

fn cytokines(scene: &mut Scene, r: &PatientReport, axis: &TimeAxis, area: Area) {
    let mut attrs = axis.attrs();
    attrs.insert(0, ("chart", "cytokines".to_string()));
    scene.open("chart", attrs);
    let plot = frame(
        scene,
        area,
        "Cytokines: z-score of log10 pg/mL within this patient (blue low, red high; dot: below the limit)",
    );
    axis.draw(scene, plot, true);
    if r.cytokines.is_empty() {
        announce(scene, plot, "no cytokine panel for this patient");
        scene.close();
        return;
    }
    let rows = r.cytokines.len() as f64;
    let row_h = ((plot.h - 2.0) / rows).min(9.0);
    let mut dates: Vec<NaiveDate> = r
        .cytokines
        .iter()
        .flat_map(|c| c.values.iter().map(|v| v.date))
        .collect();
    dates.sort();
    dates.dedup();
    let gap = dates
        .windows(2)
        .map(|w| axis.x(w[1]) - axis.x(w[0]))
        .fold(f64::INFINITY, f64::min);
    let cell_w = if gap.is_finite() {
        gap.clamp(1.5, 14.0)
    } else {
        8.0
    };
    let label_size = (row_h * 0.8).min(5.5);
    for (i, analyte) in r.cytokines.iter().enumerate() {
        let y = plot.y + 1.0 + i as f64 * row_h;
        if label_size >= 2.5 {
            scene.text(
                plot.x - 2.0,
                y + row_h * 0.75,
                fit(&analyte.name, 40.0, label_size),
                label_size,
                Anchor::End,
                Color::BLACK,
            );
        }
        for (v, z) in analyte.values.iter().zip(z_scores(&analyte.values)) {
            let x = axis.x(v.date) - cell_w / 2.0;
            scene
                .rect(x, y, cell_w, row_h, Style::fill(diverging(z, 2.0)))
                .class("cell")
                .data("analyte", analyte.name.clone())
                .data("date", format_date(v.date))
                .data("value", format!("{}", v.value))
                .data("z", num(z));
            if v.censored {
                scene.circle(
                    x + cell_w / 2.0,
                    y + row_h / 2.0,
                    (row_h / 5.0).min(1.2),
                    Style::fill(Color::BLACK),
                );
            }
        }
    }
    scene.close();
}

fn survival(scene: &mut Scene, r: &PatientReport, area: Area) {
    let Some(e) = &r.endotype else {
        let plot = frame(scene, area, "Overall survival of the endotype");
        announce(scene, plot, "no cluster run holds this patient");
        return;
    };
    let title = format!(
        "Overall survival, endotype E{} of run {} (n = {})",
        e.cluster, e.run, e.curve.n
    );
    let chart = Area {
        x: area.x + 22.0,
        w: area.w - 26.0,
        h: area.h - 30.0,
        ..area
    };
    let max_time = e
        .subjects
        .iter()
        .map(|s| s.time)
        .chain(e.patient.map(|p| p.time))
        .fold(1.0, f64::max)
        / DAYS_PER_MONTH;
    let x_hi = month_ceiling(max_time);
    let plot_inner = Area {
        y: chart.y + 9.0,
        h: chart.h - 9.0,
        ..chart
    };
    let y = ValueAxis {
        lo: 0.0,
        hi: 1.0,
        log: false,
        bottom: plot_inner.bottom(),
        top: plot_inner.y + 4.0,
    };
    let x = |months: f64| chart.x + months / x_hi * chart.w;
    let mut attrs = y.attrs("");
    attrs.insert(0, ("chart", "survival".to_string()));
    attrs.push(("months-hi", format!("{x_hi}")));
    attrs.push(("x0", num(chart.x)));
    attrs.push(("x1", num(chart.right())));
    scene.open("chart", attrs);
    let plot = frame(
        scene,
        Area {
            x: chart.x - 22.0,
            w: chart.w + 22.0,
            ..chart
        },
        &title,
    );
    let _ = plot;
    scene.rect(
        chart.x,
        plot_inner.y,
        chart.w,
        plot_inner.h,
        Style::stroke(Color::GREY, 0.5),
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        scene.line(
            (chart.x, y.y(t)),
            (chart.right(), y.y(t)),
            Style::stroke(Color::LIGHT, 0.4),
        );
        scene.text(
            chart.x - 2.0,
            y.y(t) + 2.0,
            short(t),
            5.5,
            Anchor::End,
            Color::GREY,
        );
    }
    let km = km_paths(&e.curve, &e.subjects, x, &y);
    scene
        .polygon(km.band, Style::fill(palette(5)).opacity(0.25))
        .class("ci");
    scene
        .path(km.steps, Style::stroke(palette(5), 1.0))
        .class("km");
    for (cx, cy, months) in km.censors {
        scene
            .path(
                vec![(cx, cy - 2.0), (cx, cy + 2.0)],
                Style::stroke(palette(5), 0.6),
            )
            .class("censor")
            .data("months", num(months));
    }
    if let Some(p) = e.patient {
        let months = p.time / DAYS_PER_MONTH;
        let s = survival_at(&e.curve, p.time);
        let (cx, cy) = (x(months), y.y(s));
        scene
            .circle(cx, cy, 2.6, Style::fill(Color::RED))
            .class("patient")
            .data("months", num(months))
            .data("survival", num(s));
        let label = format!(
            "{} {:.0} mo, {}",
            r.code,
            months,
            if p.event { "died" } else { "alive" }
        );
        let anchor = if cx > chart.x + chart.w * 0.6 {
            Anchor::End
        } else {
            Anchor::Start
        };
        let dx = if anchor == Anchor::End { -4.0 } else { 4.0 };
        scene.text(cx + dx, cy - 3.0, label, 6.0, anchor, Color::RED);
    }
    // Months axis and numbers at risk under it.
    let step = if x_hi > 24.0 { 12.0 } else { 3.0 };
    let count = (x_hi / step).round() as usize;
    let risk_y = plot_inner.bottom() + 16.0;
    scene.text(
        chart.x - 8.0,
        risk_y,
        "at risk",
        5.0,
        Anchor::End,
        Color::GREY,
    );
    for i in 0..=count {
        let months = step * i as f64;
        let tx = x(months);
        scene.text(
            tx,
            plot_inner.bottom() + 7.0,
            short(months),
            5.5,
            Anchor::Middle,
            Color::GREY,
        );
        let days = months * DAYS_PER_MONTH;
        let at_risk = e.subjects.iter().filter(|s| s.time >= days).count();
        scene
            .text(
                tx,
                risk_y,
                at_risk.to_string(),
                5.5,
                Anchor::Middle,
                Color::BLACK,
            )
            .class("at-risk")
            .data("months", num(months));
    }
    let mut note = format!(
        "months from diagnosis; median {}",
        e.curve
            .median
            .map_or("not reached".to_string(), |m| format!(
                "{:.0} mo",
                m / DAYS_PER_MONTH
            ))
    );
    if let Some(p) = e.logrank_p {
        note.push_str(&format!(" · log-rank p over clusters {}", p_text(p)));
        if let Some(caution) = e.logrank_caution {
            note.push_str(&format!(" ({caution})"));
        }
    }
    note.push_str(" · band: 95 % CI");
    scene.text(
        chart.x,
        risk_y + 8.0,
        fit(&note, chart.w, 5.5),
        5.5,
        Anchor::Start,
        Color::GREY,
    );
    scene.close();
}

/// The end of a months axis: a multiple of 12 (of 3 below two years) at or above `months`.
pub fn month_ceiling(months: f64) -> f64 {
    let step = if months > 24.0 { 12.0 } else { 3.0 };
    ((months / step).ceil() * step).max(step)
}

/// A p-value as `0.032`, `1.6 × 10⁻⁷` or `< 1e-300`.
pub fn p_text(p: f64) -> String {
    if p <= 0.0 {
        "< 1e-300".into()
    } else if p >= 0.001 {
        format!("{p:.3}")
    } else {
        let exponent = p.log10().floor();
        let mantissa = p / 10f64.powf(exponent);
        format!("{mantissa:.1} × 10^{exponent:.0}")
    }
}

/// The curve's value at `time` days.
pub fn survival_at(curve: &crate::analysis::survival::KaplanMeier, time: f64) -> f64 {
    curve
        .points
        .iter()
        .take_while(|p| p.time <= time)
        .last()
        .map_or(1.0, |p| p.survival)
}

/// The drawn parts of a Kaplan–Meier curve.
pub struct KmPaths {
    /// The step line.
    pub steps: Vec<(f64, f64)>,
    /// The 95 % band as a closed polygon (upper bound forwards, lower backwards).
    pub band: Vec<(f64, f64)>,
    /// Censor marks: (x, y, months).
    pub censors: Vec<(f64, f64, f64)>,
}

/// A Kaplan–Meier curve as steps, its CI band as lifelines draws it (a step band that
/// starts at 1) and a mark at each censored time on the curve.
pub fn km_paths(
    curve: &crate::analysis::survival::KaplanMeier,
    subjects: &[crate::analysis::survival::Subject],
    x: impl Fn(f64) -> f64,
    y: &ValueAxis,
) -> KmPaths {
    let end = subjects.iter().map(|s| s.time).fold(0.0, f64::max) / DAYS_PER_MONTH;
    let mut steps = vec![(x(0.0), y.y(1.0))];
    let mut upper = vec![(x(0.0), y.y(1.0))];
    let mut lower = vec![(x(0.0), y.y(1.0))];
    let (mut s, mut lo, mut hi) = (1.0, 1.0, 1.0);
    for p in &curve.points {
        let px = x(p.time / DAYS_PER_MONTH);
        steps.push((px, y.y(s)));
        steps.push((px, y.y(p.survival)));
        upper.push((px, y.y(hi)));
        upper.push((px, y.y(p.ci_upper)));
        lower.push((px, y.y(lo)));
        lower.push((px, y.y(p.ci_lower)));
        s = p.survival;
        lo = p.ci_lower;
        hi = p.ci_upper;
    }
    steps.push((x(end), y.y(s)));
    upper.push((x(end), y.y(hi)));
    lower.push((x(end), y.y(lo)));
    let mut band = upper;
    band.extend(lower.into_iter().rev());
    let censors = subjects
        .iter()
        .filter(|s| !s.event)
        .map(|s| {
            let months = s.time / DAYS_PER_MONTH;
            (x(months), y.y(survival_at(curve, s.time)), months)
        })
        .collect();
    KmPaths {
        steps,
        band,
        censors,
    }
}

fn responses(scene: &mut Scene, r: &PatientReport, area: Area) {
    scene.open("table", vec![("table", "responses".to_string())]);
    scene.text(
        area.x,
        area.y + 6.0,
        "Responses per visit (discordant rows shaded; the reason in full, wrapped)",
        6.5,
        Anchor::Start,
        Color::BLACK,
    );
    let size = 5.6;
    let line_h = 6.6;
    let reason_x = area.x + 70.0;
    let reason_w = area.right() - reason_x;
    let mut y = area.y + 15.0;
    if r.responses.is_empty() {
        scene
            .text(
                area.x,
                y + 4.0,
                "no follow-up assessment for this patient",
                7.0,
                Anchor::Start,
                Color::GREY,
            )
            .class("missing");
        scene.close();
        return;
    }
    let bottom = area.bottom() - 8.0;
    for (i, row) in r.responses.iter().enumerate() {
        let mut text = row.reason.clone();
        if !row.discordance.is_empty() {
            text.push_str(" — discordant: ");
            text.push_str(&row.discordance);
        }
        let lines = wrap(&text, reason_w, size, 3);
        let h = lines.len().max(1) as f64 * line_h;
        if y + h > bottom {
            let left = r.responses.len() - i;
            scene
                .text(
                    area.x,
                    bottom + 6.0,
                    format!("… {left} more rows: oncotrack response {}", r.code),
                    size,
                    Anchor::Start,
                    Color::GREY,
                )
                .class("more");
            break;
        }
        if !row.discordance.is_empty() {
            scene.rect(
                area.x - 1.0,
                y - line_h + 1.5,
                area.w + 1.0,
                h,
                Style::fill(Color(255, 240, 180)),
            );
        }
        let color = match row.category {
            "PD" | "PMD" => Color::RED,
            "CR" | "PR" | "CMR" | "PMR" => Color::GREEN,
            _ => Color::BLACK,
        };
        scene
            .text(
                area.x,
                y,
                format_date(row.date),
                size,
                Anchor::Start,
                Color::BLACK,
            )
            .class("response")
            .data("date", format_date(row.date))
            .data("criterion", row.criterion)
            .data("category", row.category);
        scene.text(
            area.x + 30.0,
            y,
            row.criterion,
            size,
            Anchor::Start,
            Color::GREY,
        );
        scene.push(
            super::scene::Shape::Text {
                x: area.x + 53.0,
                y,
                text: row.category.to_string(),
                size,
                anchor: Anchor::Start,
                bold: true,
            },
            Style::fill(color),
        );
        for (j, line) in lines.iter().enumerate() {
            scene.text(
                reason_x,
                y + j as f64 * line_h,
                line,
                size,
                Anchor::Start,
                Color::BLACK,
            );
        }
        y += h;
    }
    scene.close();
}
