//! The analyst's cohort figures: Kaplan–Meier curves by group (censor marks, numbers at risk, 95 % bands as lifelines draws them), the cluster heatmap and the swimmer plot of the cohort. Drawing is pure; [`swimmer_lanes`] gathers the swimmer's data through the store.

use super::chart::{Area, ValueAxis, nice_ceiling, short};
use super::page::{km_paths, month_ceiling, p_text, survival_at};
use super::scene::{Anchor, Color, Scene, Style, diverging, fit, num, palette, text_width};
use crate::analysis::response::{Criterion, PatientInputs, assess_patient};
use crate::analysis::survival::{KaplanMeier, Subject};
use crate::error::Result;
use crate::store::Store;

/// Days per month for survival curves (365.25 / 12).
const DAYS_PER_MONTH: f64 = 30.4375;

/// One group of a survival figure.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalGroup {
    /// The group's name.
    pub name: String,
    /// Its Kaplan–Meier estimate.
    pub curve: KaplanMeier,
    /// Its subjects (censor marks and numbers at risk).
    pub subjects: Vec<Subject>,
}

/// Kaplan–Meier curves by group on one figure: each step curve with its 95 %
/// Greenwood band (a translucent step band, as lifelines' `plot_survival_function`),
/// `|` at each censored time, the numbers at risk under the time axis (as lifelines'
/// `add_at_risk_counts`), the medians and the log-rank p in the caption. `unit` names
/// the time unit of the subjects (`days`); the axis shows months when it is days.
pub fn survival_figure(
    title: &str,
    groups: &[SurvivalGroup],
    logrank: Option<crate::analysis::survival::LogRank>,
    days: bool,
) -> Scene {
    let rows = groups.len() as f64;
    let (width, height) = (560.0, 300.0 + 9.0 * rows);
    let mut scene = Scene::new(width, height, title);
    scene.bold(20.0, 20.0, fit(title, 520.0, 10.0), 10.0);
    let scale = if days { DAYS_PER_MONTH } else { 1.0 };
    let max_time = groups
        .iter()
        .flat_map(|g| g.subjects.iter().map(|s| s.time))
        .fold(1.0, f64::max)
        / scale;
    let x_hi = if days {
        month_ceiling(max_time)
    } else {
        nice_ceiling(max_time)
    };
    let plot = Area {
        x: 60.0,
        y: 34.0,
        w: 470.0,
        h: 200.0,
    };
    let y = ValueAxis {
        lo: 0.0,
        hi: 1.0,
        log: false,
        bottom: plot.bottom(),
        top: plot.y,
    };
    let x = |t: f64| plot.x + t / x_hi * plot.w;
    let mut attrs = y.attrs("");
    attrs.insert(0, ("chart", "survival".to_string()));
    attrs.push(("time-hi", format!("{x_hi}")));
    attrs.push(("x0", num(plot.x)));
    attrs.push(("x1", num(plot.right())));
    attrs.push((
        "time-unit",
        if days { "months" } else { "time" }.to_string(),
    ));
    scene.open("chart", attrs);
    scene.rect(
        plot.x,
        plot.y,
        plot.w,
        plot.h,
        Style::stroke(Color::GREY, 0.6),
    );
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        scene.line(
            (plot.x, y.y(t)),
            (plot.right(), y.y(t)),
            Style::stroke(Color::LIGHT, 0.4),
        );
        scene.text(
            plot.x - 3.0,
            y.y(t) + 2.5,
            short(t),
            7.0,
            Anchor::End,
            Color::GREY,
        );
    }
    let (step, ticks) = if days {
        let step = if x_hi > 24.0 { 12.0 } else { 3.0 };
        (step, (x_hi / step).round() as usize)
    } else {
        (x_hi / 6.0, 6)
    };
    for i in 0..=ticks {
        let t = step * i as f64;
        scene.text(
            x(t),
            plot.bottom() + 9.0,
            short(t),
            7.0,
            Anchor::Middle,
            Color::GREY,
        );
    }
    scene.text(
        plot.x + plot.w / 2.0,
        plot.bottom() + 19.0,
        if days { "months" } else { "time" },
        7.0,
        Anchor::Middle,
        Color::BLACK,
    );
    scene.text(
        plot.x - 30.0,
        plot.y - 4.0,
        "survival",
        7.0,
        Anchor::Start,
        Color::BLACK,
    );
    // The curves rescaled: km_paths works in days with months on x.
    for (i, group) in groups.iter().enumerate() {
        let color = palette(i);
        let to_x = |months: f64| x(months * DAYS_PER_MONTH / scale);
        let km = km_paths(&group.curve, &group.subjects, to_x, &y);
        scene.open("group", vec![("group", group.name.clone())]);
        scene
            .polygon(km.band, Style::fill(color).opacity(0.25))
            .class("ci");
        scene.path(km.steps, Style::stroke(color, 1.2)).class("km");
        for p in &group.curve.points {
            scene
                .circle(x(p.time / scale), y.y(p.survival), 0.01, Style::fill(color))
                .class("step")
                .data("time", format!("{}", p.time))
                .data("survival", format!("{}", p.survival))
                .data("ci-lower", format!("{}", p.ci_lower))
                .data("ci-upper", format!("{}", p.ci_upper));
        }
        for s in group.subjects.iter().filter(|s| !s.event) {
            let (cx, cy) = (x(s.time / scale), y.y(survival_at(&group.curve, s.time)));
            scene
                .path(
                    vec![(cx, cy - 3.0), (cx, cy + 3.0)],
                    Style::stroke(color, 0.8),
                )
                .class("censor")
                .data("time", format!("{}", s.time));
        }
        scene.close();
    }
    // Numbers at risk.
    let risk_top = plot.bottom() + 34.0;
    scene.text(
        20.0,
        risk_top - 9.0,
        "At risk",
        7.0,
        Anchor::Start,
        Color::BLACK,
    );
    for (i, group) in groups.iter().enumerate() {
        let ry = risk_top + 9.0 * i as f64;
        scene.text(
            plot.x - 12.0,
            ry,
            fit(&group.name, 40.0, 7.0),
            7.0,
            Anchor::End,
            palette(i),
        );
        for k in 0..=ticks {
            let t = step * k as f64;
            let n = group
                .subjects
                .iter()
                .filter(|s| s.time / scale >= t)
                .count();
            scene
                .text(x(t), ry, n.to_string(), 7.0, Anchor::Middle, Color::BLACK)
                .class("at-risk")
                .data("group", group.name.clone())
                .data("time", num(t));
        }
    }
    let mut caption: Vec<String> = groups
        .iter()
        .map(|g| {
            let median = g
                .curve
                .median
                .map_or("NR".to_string(), |m| short(m / scale));
            format!("{} n={} median {median}", g.name, g.curve.n)
        })
        .collect();
    if let Some(test) = logrank {
        let caution = test
            .caution_brief()
            .map_or(String::new(), |c| format!(" ({c})"));
        caption.push(format!("log-rank p {}{caution}", p_text(test.p)));
    }
    caption.push("bands: 95 % CI (Greenwood, log-log); |: censored".into());
    scene.text(
        20.0,
        height - 10.0,
        fit(&caption.join(" · "), 520.0, 7.0),
        7.0,
        Anchor::Start,
        Color::GREY,
    );
    scene.close();
    scene
}

/// The cluster heatmap: one row per patient grouped by cluster, one column per
/// feature, each cell coloured by its (scaled) value, blue low to red high, clamped at ±2.
pub fn cluster_heatmap(
    title: &str,
    ids: &[String],
    features: &[String],
    rows: &[Vec<f64>],
    labels: &[usize],
) -> Scene {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| (labels.get(i).copied().unwrap_or(0), i));
    let cols = features.len().max(1) as f64;
    let cell_w = (560.0 / cols).clamp(6.0, 22.0);
    let cell_h = (700.0 / ids.len().max(1) as f64).clamp(0.4, 8.0);
    let left = 70.0;
    let top = 90.0;
    let width = left + cell_w * cols + 40.0;
    let height = top + cell_h * ids.len() as f64 + 40.0;
    let mut scene = Scene::new(width.max(300.0), height, title);
    scene.bold(10.0, 16.0, fit(title, width - 20.0, 9.0), 9.0);
    scene.open("chart", vec![("chart", "heatmap".to_string())]);
    for (j, feature) in features.iter().enumerate() {
        let x = left + cell_w * (j as f64 + 0.5);
        // Column names written upwards would need rotation; they are staggered instead.
        let y = top - 4.0 - (j % 4) as f64 * 16.0;
        scene.text(
            x,
            y,
            fit(feature, 60.0, 5.5),
            5.5,
            Anchor::Middle,
            Color::BLACK,
        );
        scene.line(
            (x, y + 1.0),
            (x, top - 1.0),
            Style::stroke(Color::LIGHT, 0.3),
        );
    }
    let mut previous = None;
    for (r, &i) in order.iter().enumerate() {
        let y = top + cell_h * r as f64;
        let label = labels.get(i).copied().unwrap_or(0);
        if previous != Some(label) {
            scene.line(
                (left - 6.0, y),
                (left + cell_w * cols, y),
                Style::stroke(Color::BLACK, 0.6),
            );
            scene.text(
                left - 8.0,
                y + 7.0,
                format!("E{label}"),
                7.0,
                Anchor::End,
                palette(label),
            );
            previous = Some(label);
        }
        if cell_h >= 4.0 {
            scene.text(
                left - 30.0,
                y + cell_h * 0.8,
                fit(&ids[i], 28.0, cell_h * 0.8),
                cell_h * 0.8,
                Anchor::End,
                Color::GREY,
            );
        }
        for (j, value) in rows.get(i).into_iter().flatten().enumerate() {
            scene
                .rect(
                    left + cell_w * j as f64,
                    y,
                    cell_w,
                    cell_h,
                    Style::fill(diverging(*value, 2.0)),
                )
                .class("cell")
                .data("id", ids[i].clone())
                .data("feature", features.get(j).cloned().unwrap_or_default())
                .data("cluster", label.to_string())
                .data("value", format!("{value}"));
        }
    }
    let key_y = height - 20.0;
    for (k, z) in [-2.0, -1.0, 0.0, 1.0, 2.0].iter().enumerate() {
        let x = left + k as f64 * 30.0;
        scene.rect(x, key_y, 30.0, 6.0, Style::fill(diverging(*z, 2.0)));
        scene.text(
            x + 15.0,
            key_y + 14.0,
            short(*z),
            6.0,
            Anchor::Middle,
            Color::GREY,
        );
    }
    scene.text(
        left + 160.0,
        key_y + 6.0,
        "value as clustered (z-score: blue low, red high)",
        6.0,
        Anchor::Start,
        Color::GREY,
    );
    scene.close();
    scene
}

/// One patient's lane of the swimmer plot, in days from the index date.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    /// Patient code.
    pub code: String,
    /// Days on study: index date to death or last follow-up.
    pub days: i64,
    /// Died at the end of the lane.
    pub died: bool,
    /// Progression or relapse (days).
    pub progression: Vec<i64>,
    /// RECIST assessments: (days, category code).
    pub responses: Vec<(i64, &'static str)>,
}

/// Each patient's lane, from the courses and their RECIST assessments; patients
/// without an index date or follow-up are left out.
///
/// # Errors
/// When the store cannot be read.
pub fn swimmer_lanes(store: &Store) -> Result<Vec<Lane>> {
    let mut lanes = Vec::new();
    for course in store.courses()? {
        let Some(index) = course.diagnosis_date.or(course.treatment_start) else {
            continue;
        };
        let Some(end) = course.death.or(course.last_follow_up) else {
            continue;
        };
        let days = |d: chrono::NaiveDate| (d - index).num_days();
        let events = store.events(&course.patient)?;
        let progression = events
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    crate::model::EventKind::Progression | crate::model::EventKind::Relapse
                )
            })
            .map(|e| days(e.date))
            .collect();
        let inputs = PatientInputs::from_record(&store.response_record(&course.patient)?);
        let report = assess_patient(&inputs, &[Criterion::Recist]);
        lanes.push(Lane {
            days: days(end).max(0),
            died: course.death.is_some(),
            progression,
            responses: report
                .assessments
                .iter()
                .map(|a| (days(a.date), a.code()))
                .collect(),
            code: course.patient,
        });
    }
    Ok(lanes)
}

/// The swimmer plot: one lane per patient sorted by time on study (longest on top),
/// RECIST responses marked on each lane (CR/PR green, SD grey, PD red), progression
/// `|` in red and death `×` at the lane's end; an arrow-less lane end means alive.
pub fn swimmer_figure(title: &str, lanes: &[Lane], index_name: &str) -> Scene {
    let mut lanes: Vec<&Lane> = lanes.iter().collect();
    lanes.sort_by(|a, b| b.days.cmp(&a.days).then_with(|| a.code.cmp(&b.code)));
    let lane_h = (900.0 / lanes.len().max(1) as f64).clamp(2.0, 9.0);
    let left = 56.0;
    let top = 40.0;
    let plot_w = 480.0;
    let height = top + lane_h * lanes.len() as f64 + 50.0;
    let mut scene = Scene::new(left + plot_w + 30.0, height, title);
    scene.bold(10.0, 16.0, fit(title, 520.0, 9.0), 9.0);
    let max_days = lanes.iter().map(|l| l.days).max().unwrap_or(1).max(1) as f64 / DAYS_PER_MONTH;
    let x_hi = month_ceiling(max_days);
    let x = |days: i64| left + days as f64 / DAYS_PER_MONTH / x_hi * plot_w;
    scene.open(
        "chart",
        vec![
            ("chart", "swimmer".to_string()),
            ("x0", num(left)),
            ("x1", num(left + plot_w)),
            ("months-hi", format!("{x_hi}")),
        ],
    );
    let bottom = top + lane_h * lanes.len() as f64;
    let step = if x_hi > 24.0 { 12.0 } else { 3.0 };
    for k in 0..=(x_hi / step).round() as usize {
        let months = step * k as f64;
        let px = left + months / x_hi * plot_w;
        scene.line((px, top), (px, bottom), Style::stroke(Color::LIGHT, 0.4));
        scene.text(
            px,
            bottom + 9.0,
            short(months),
            7.0,
            Anchor::Middle,
            Color::GREY,
        );
    }
    scene.text(
        left + plot_w / 2.0,
        bottom + 19.0,
        format!("months from {index_name}"),
        7.0,
        Anchor::Middle,
        Color::BLACK,
    );
    for (i, lane) in lanes.iter().enumerate() {
        let y = top + lane_h * i as f64;
        scene
            .rect(
                left,
                y + lane_h * 0.15,
                x(lane.days) - left,
                lane_h * 0.7,
                Style::fill(Color(150, 180, 220)),
            )
            .class("lane")
            .data("patient", lane.code.clone())
            .data("days", lane.days.to_string())
            .data("died", lane.died.to_string());
        if lane_h >= 5.0 {
            scene.text(
                left - 3.0,
                y + lane_h * 0.8,
                &lane.code,
                lane_h * 0.8,
                Anchor::End,
                Color::BLACK,
            );
        }
        let mid = y + lane_h / 2.0;
        for (day, category) in &lane.responses {
            let color = match *category {
                "CR" | "PR" => Color::GREEN,
                "PD" => Color::RED,
                _ => Color::GREY,
            };
            scene
                .circle(x(*day), mid, (lane_h * 0.28).min(2.0), Style::fill(color))
                .class("response")
                .data("patient", lane.code.clone())
                .data("days", day.to_string())
                .data("category", *category);
        }
        for day in &lane.progression {
            scene
                .line(
                    (x(*day), y),
                    (x(*day), y + lane_h),
                    Style::stroke(Color::RED, 0.8),
                )
                .class("progression")
                .data("days", day.to_string());
        }
        if lane.died {
            let (cx, r) = (x(lane.days), (lane_h * 0.4).min(3.0));
            scene
                .line(
                    (cx - r, mid - r),
                    (cx + r, mid + r),
                    Style::stroke(Color::BLACK, 0.8),
                )
                .class("death")
                .data("patient", lane.code.clone());
            scene.line(
                (cx - r, mid + r),
                (cx + r, mid - r),
                Style::stroke(Color::BLACK, 0.8),
            );
        }
    }
    let key = "RECIST: ● CR/PR green, SD grey, PD red · | progression or relapse · × death; a lane without × is alive at last follow-up";
    let key = if text_width(key, 7.0, false) > plot_w + left {
        fit(key, plot_w + left - 10.0, 7.0)
    } else {
        key.to_string()
    };
    scene.text(10.0, height - 8.0, key, 7.0, Anchor::Start, Color::GREY);
    scene.close();
    scene
}
