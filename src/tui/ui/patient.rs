//! The patient screen: header, the charts (scrollable, one zoomable to the whole screen) on one shared calendar axis with the event strip, the response table with the selected row's reason, and trends.

use super::PALETTE;
use super::axis::{self, GUTTER};
use crate::model::EventKind;
use crate::tui::app::{App, ChartKind, Pane};
use crate::tui::data::{PatientView, Series};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, Wrap,
};

/// Rows of a chart with data at the least: its title line and five plot rows.
const MIN_CHART: u16 = 6;

/// How a chart's y axis shows values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// log10, labelled at decades (as percentages when `percent`).
    Log { percent: bool },
    /// As they are, from zero when `from_zero`.
    Linear { from_zero: bool },
    /// Percent of each series' first value (series of different units on one axis).
    PercentOfBaseline,
}

/// A horizontal guide line: value and legend text.
struct Guide {
    value: f64,
    text: String,
}

/// One chart of the patient screen: what it shows, or why it is empty.
struct Panel<'a> {
    title: String,
    series: Vec<&'a Series>,
    scale: Scale,
    guides: Vec<Guide>,
    /// Said instead of the chart when there is nothing to draw.
    missing: Option<String>,
}

impl Panel<'_> {
    fn rows_needed(&self) -> u16 {
        if self.missing.is_some() { 1 } else { MIN_CHART }
    }
}

fn panel(view: &PatientView, kind: ChartKind, cytokine: usize) -> Panel<'_> {
    let empty = |title: &str, missing: &str| Panel {
        title: title.to_string(),
        series: Vec::new(),
        scale: Scale::Linear { from_zero: false },
        guides: Vec::new(),
        missing: Some(missing.to_string()),
    };
    match kind {
        ChartKind::Ctdna if view.ctdna.is_empty() => {
            empty("ctDNA VAF", "no ctDNA for this patient")
        }
        ChartKind::Ctdna => Panel {
            title: "ctDNA VAF".into(),
            series: view.ctdna.iter().collect(),
            scale: Scale::Log { percent: true },
            guides: Vec::new(),
            missing: None,
        },
        ChartKind::Pet if view.pet.is_empty() => empty("PET", "no PET for this patient"),
        ChartKind::Pet => Panel {
            title: "PET, % of baseline".into(),
            series: view.pet.iter().collect(),
            scale: Scale::PercentOfBaseline,
            guides: Vec::new(),
            missing: None,
        },
        ChartKind::Recist => match &view.recist_sum {
            None => empty("RECIST", "no lesion measurements (RECIST) for this patient"),
            Some(sum) => {
                let baseline = sum.points.first().map_or(0.0, |p| p.value);
                let nadir = sum.points.iter().map(|p| p.value).fold(f64::MAX, f64::min);
                // RECIST PD needs +20 % over the nadir and +5 mm: below a nadir of 25 mm
                // the 5 mm decide (nadir 10 mm: PD at 15 mm, not 12).
                let pd = (nadir * 1.2).max(nadir + 5.0);
                let pr = baseline * 0.7;
                Panel {
                    title: "RECIST sum (mm)".into(),
                    series: vec![sum],
                    scale: Scale::Linear { from_zero: true },
                    guides: vec![
                        Guide {
                            value: pd,
                            text: format!(
                                "PD at {} mm (nadir {} +20 %, +5 mm)",
                                short(pd),
                                short(nadir)
                            ),
                        },
                        Guide {
                            value: pr,
                            text: format!(
                                "PR at {} mm (baseline {} -30 %)",
                                short(pr),
                                short(baseline)
                            ),
                        },
                    ],
                    missing: None,
                }
            }
        },
        ChartKind::Cytokine => {
            let count = view.cytokines.len();
            let Some(series) = view.cytokines.get(cytokine.min(count.saturating_sub(1))) else {
                return empty("cytokines", "no cytokine panel for this patient");
            };
            let (lo, hi) = series
                .points
                .iter()
                .fold((f64::MAX, f64::MIN), |(lo, hi), p| {
                    (lo.min(p.value), hi.max(p.value))
                });
            let scale = if lo > 0.0 && hi / lo >= 10.0 {
                Scale::Log { percent: false }
            } else {
                Scale::Linear { from_zero: false }
            };
            Panel {
                title: format!(
                    "cytokine {}/{count} (c next), pg/mL",
                    cytokine.min(count - 1) + 1
                ),
                series: vec![series],
                scale,
                guides: Vec::new(),
                missing: None,
            }
        }
    }
}

/// A value for a legend, in at most 4 significant digits.
fn short(value: f64) -> String {
    if value >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// The day range shared by every chart of the patient: events and all points.
fn x_bounds(view: &PatientView) -> [f64; 2] {
    let days = view.events.iter().map(|e| e.day).chain(
        view.ctdna
            .iter()
            .chain(&view.pet)
            .chain(&view.cytokines)
            .chain(&view.recist_sum)
            .flat_map(|s| s.points.iter().map(|p| p.day)),
    );
    let (lo, hi) = days.fold((f64::MAX, f64::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
    if lo > hi {
        [0.0, 1.0]
    } else if (hi - lo).abs() < 1.0 {
        [lo - 1.0, hi + 1.0]
    } else {
        [lo, hi]
    }
}

/// How many lines `text` takes wrapped at `width` (word wrap, as ratatui's `Wrap` does it closely enough).
fn wrapped_lines(text: &str, width: u16) -> u16 {
    let width = usize::from(width.max(1));
    let mut lines = 1u16;
    let mut used = 0usize;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if used > 0 && used + 1 + len > width {
            lines = lines.saturating_add(1);
            used = len;
        } else {
            used += if used > 0 { 1 + len } else { len };
        }
        while used > width {
            lines = lines.saturating_add(1);
            used -= width;
        }
    }
    lines
}

/// Draws the patient screen into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(view) = &app.patient else {
        frame.render_widget(
            Paragraph::new("No patient open: select one on the cohort screen (1) and press Enter.")
                .block(Block::default().borders(Borders::ALL)),
            area,
        );
        return;
    };
    let (mut first, treatment) = header_lines(view);
    if let Some(day) = app.board_mark(&view.code) {
        first.push_str(&format!(" · for the board (marked {day})"));
    }
    let header_height =
        wrapped_lines(&first, area.width).min(2) + wrapped_lines(&treatment, area.width).min(3);
    let [header, rest] =
        Layout::vertical([Constraint::Length(header_height), Constraint::Min(0)]).areas(area);
    frame.render_widget(header_widget(view, first, treatment), header);
    if app.zoomed {
        render_charts(app, view, frame, rest);
        return;
    }
    let bottom_height = match app.pane {
        Pane::Charts => (rest.height / 3).clamp(6, 12),
        Pane::Responses | Pane::Trends => (rest.height * 3 / 5).max(12),
    }
    .min(rest.height.saturating_sub(4));
    let [charts, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(bottom_height)]).areas(rest);
    render_charts(app, view, frame, charts);
    let [responses, trends] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(bottom);
    render_responses(app, view, frame, responses);
    render_trends(app, view, frame, trends);
}

fn focus(app: &App, pane: Pane) -> Style {
    if app.pane == pane {
        Style::default().fg(Color::Cyan)
    } else {
        Style::default()
    }
}

/// The header's two lines: who (code, diagnosis, index date, vital status, last
/// contact) and the treatment lines.
fn header_lines(view: &PatientView) -> (String, String) {
    let status = match view.death_date {
        Some(date) => format!("died {date}"),
        None => "alive".to_string(),
    };
    let index = view.index_date.map_or("-".to_string(), |d| d.to_string());
    let last_contact = view
        .events
        .iter()
        .filter(|e| e.kind == EventKind::LastContact)
        .map(|e| e.date)
        .max()
        .map_or(String::new(), |d| format!(" · last contact {d}"));
    let first = format!(
        "{}  {} · index date {index} · {status}{last_contact}",
        view.code, view.diagnosis
    );
    let treatment = if view.treatment_lines.is_empty() {
        "treatment: none recorded".to_string()
    } else {
        format!("treatment: {}", view.treatment_lines.join("; "))
    };
    (first, treatment)
}

fn header_widget(view: &PatientView, first: String, treatment: String) -> Paragraph<'static> {
    let rest = first[view.code.len()..].to_string();
    Paragraph::new(vec![
        Line::from(vec![
            Span::styled(
                view.code.clone(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(rest),
        ]),
        Line::from(treatment),
    ])
    .wrap(Wrap { trim: true })
}

/// Which charts are shown in `rows`: the selected one and as many around it as fit,
/// with the rows each gets.
fn visible_charts(panels: &[Panel<'_>], selected: usize, rows: u16) -> Vec<(usize, u16)> {
    let need: Vec<u16> = panels.iter().map(Panel::rows_needed).collect();
    let selected = selected.min(panels.len().saturating_sub(1));
    let upto: u16 = need[..=selected].iter().sum();
    let (mut first, mut used) = if upto <= rows {
        (0, upto)
    } else {
        (selected, need[selected])
    };
    while first > 0 && used + need[first - 1] <= rows {
        first -= 1;
        used += need[first];
    }
    let mut last = selected;
    while last + 1 < panels.len() && used + need[last + 1] <= rows {
        last += 1;
        used += need[last];
    }
    let mut shown: Vec<(usize, u16)> = (first..=last).map(|i| (i, need[i])).collect();
    if used > rows {
        // Smaller than one chart: the selected one gets what there is.
        return vec![(selected, rows)];
    }
    let charts = shown
        .iter()
        .filter(|(i, _)| panels[*i].missing.is_none())
        .count() as u16;
    if charts > 0 {
        let extra = rows - used;
        let mut given = 0;
        let mut n = 0;
        for (i, height) in shown.iter_mut() {
            if panels[*i].missing.is_none() {
                n += 1;
                let share = if n == charts {
                    extra - given
                } else {
                    extra / charts
                };
                *height += share;
                given += share;
            }
        }
    }
    shown
}

fn render_charts(app: &App, view: &PatientView, frame: &mut Frame, area: Rect) {
    let panels: Vec<Panel<'_>> = ChartKind::ALL
        .iter()
        .map(|kind| panel(view, *kind, app.cytokine))
        .collect();
    let selected = app.chart_selected.min(panels.len() - 1);
    let axis_name = if app.axis_days || view.index_date.is_none() {
        "days since index"
    } else {
        "dates"
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(focus(app, Pane::Charts));
    let inner = block.inner(area);
    let legend_rows = u16::from(inner.height >= 16 || app.zoomed);
    let plot_rows = inner.height.saturating_sub(2 + legend_rows);
    let shown = if app.zoomed {
        vec![(selected, plot_rows)]
    } else {
        visible_charts(&panels, selected, plot_rows)
    };
    let title = if app.zoomed {
        format!(
            " {} · chart {}/{} (j/k other chart, z or Esc back, d {}) ",
            panels[selected].title,
            selected + 1,
            panels.len(),
            if axis_name == "dates" {
                "days"
            } else {
                "dates"
            }
        )
    } else {
        let first = shown.first().map_or(0, |s| s.0);
        let last = shown.last().map_or(0, |s| s.0);
        let more = if first > 0 || last + 1 < panels.len() {
            format!(" charts {}–{} of {}", first + 1, last + 1, panels.len())
        } else {
            String::new()
        };
        format!(" Timeline ({axis_name}){more} · j/k chart, z zoom ")
    };
    block = block.title(title);
    frame.render_widget(block, area);
    if inner.width <= GUTTER + 2 || inner.height < 3 {
        return;
    }
    let bounds = x_bounds(view);
    let mut y = inner.y;
    for (index, height) in &shown {
        let rect = Rect {
            x: inner.x,
            y,
            width: inner.width,
            height: *height,
        };
        let highlight = index == &selected && app.pane == Pane::Charts && !app.zoomed;
        render_panel(&panels[*index], bounds, highlight, frame, rect);
        y += height;
    }
    let axis_rect = Rect {
        x: inner.x,
        y: inner.y + plot_rows,
        width: inner.width,
        height: 2 + legend_rows,
    };
    let days = app.axis_days || view.index_date.is_none();
    render_axis(view, bounds, days, frame.buffer_mut(), axis_rect);
}

/// The series' points as the chart draws them: runs of measured points (a line is
/// broken at each point below the limit of detection) and the censored points.
type Drawn = (Vec<Vec<(f64, f64)>>, Vec<(f64, f64)>);

fn drawn(series: &Series, transform: impl Fn(f64) -> f64) -> Drawn {
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    let mut censored = Vec::new();
    for point in &series.points {
        let xy = (point.day, transform(point.value));
        if point.censored {
            censored.push(xy);
            runs.push(Vec::new());
        } else if let Some(run) = runs.last_mut() {
            run.push(xy);
        }
    }
    runs.retain(|r| !r.is_empty());
    (runs, censored)
}

/// The y axis of a panel: bounds (in drawn units) and labelled ticks.
fn y_axis(scale: Scale, lo: f64, hi: f64, rows: u16) -> ([f64; 2], Vec<(f64, String)>) {
    let count = usize::from((rows / 2).max(1));
    match scale {
        Scale::Log { percent } => {
            let (mut first, last) = (lo.floor() as i32, hi.ceil() as i32);
            if first == last {
                first -= 1;
            }
            let decades = (last - first) as usize;
            let every = decades.div_ceil(usize::from(rows.max(2) - 1)).max(1);
            let mut ticks: Vec<(f64, String)> = (first..=last)
                .filter(|e| ((e - first) as usize).is_multiple_of(every) || *e == last)
                .map(|e| (f64::from(e), axis::decade_label(e, percent)))
                .collect();
            // Few decades on many rows: intermediate ticks at 2 and 5 times each decade.
            if usize::from(rows) >= decades * 6 {
                for e in first..last {
                    for m in [2.0, 5.0] {
                        let value = m * 10f64.powi(e);
                        ticks.push((value.log10(), axis::log_label(value, percent)));
                    }
                }
                ticks.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
            ([f64::from(first), f64::from(last)], ticks)
        }
        Scale::Linear { from_zero } => {
            let lo = if from_zero { lo.min(0.0) } else { lo };
            let (bounds, ticks, step) = axis::linear_ticks(lo, hi, count);
            let ticks = ticks
                .into_iter()
                .map(|t| (t, axis::format_value(t, step)))
                .collect();
            (bounds, ticks)
        }
        Scale::PercentOfBaseline => {
            let (bounds, ticks, step) = axis::linear_ticks(lo, hi, count);
            let ticks = ticks
                .into_iter()
                .map(|t| (t, format!("{}%", axis::format_value(t, step))))
                .collect();
            (bounds, ticks)
        }
    }
}

/// The legend line: the title, each series in its colour (abbreviated to fit), the
/// guides and the below-detection marker.
fn legend(panel: &Panel<'_>, width: u16, any_censored: bool, selected: bool) -> Line<'static> {
    let title_style = if selected {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    } else {
        Style::default().add_modifier(Modifier::BOLD)
    };
    let marker = if selected { "▶ " } else { "" };
    let extras: Vec<(String, Color)> = panel
        .guides
        .iter()
        .map(|g| (format!("┈ {}", g.text), Color::DarkGray))
        .chain(any_censored.then(|| ("• <LOD".to_string(), Color::Gray)))
        .collect();
    // With several series each is numbered, and the number is drawn at the series'
    // last point ([`render_panel`]): which line is which does not rest on colour alone.
    let numbered = panel.series.len() > 1;
    let names = |short: bool| -> Vec<String> {
        panel
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let name = if short {
                    s.name.split_whitespace().next().unwrap_or("").to_string()
                } else {
                    s.name.clone()
                };
                if numbered {
                    format!("{}:{name}", i + 1)
                } else {
                    name
                }
            })
            .collect()
    };
    let length = |names: &[String]| -> usize {
        marker.len()
            + panel.title.chars().count()
            + 2
            + names.iter().map(|n| n.chars().count() + 2).sum::<usize>()
            + extras
                .iter()
                .map(|e| e.0.chars().count() + 2)
                .sum::<usize>()
    };
    let mut shown = names(false);
    if length(&shown) > usize::from(width) {
        shown = names(true);
    }
    let mut spans = vec![Span::styled(
        format!("{marker}{}", panel.title),
        title_style,
    )];
    spans.push(Span::raw("  "));
    let mut used = length(&[]);
    for (i, name) in shown.iter().enumerate() {
        let len = name.chars().count() + 2;
        if used + len > usize::from(width) && i + 1 < shown.len() {
            spans.push(Span::raw(format!("+{} more  ", shown.len() - i)));
            break;
        }
        used += len;
        spans.push(Span::styled(
            format!("{name}  "),
            Style::default().fg(PALETTE[i % PALETTE.len()]),
        ));
    }
    for (text, color) in extras {
        spans.push(Span::styled(
            format!("{text}  "),
            Style::default().fg(color),
        ));
    }
    Line::from(spans)
}

fn render_panel(panel: &Panel<'_>, x: [f64; 2], selected: bool, frame: &mut Frame, area: Rect) {
    if area.height == 0 {
        return;
    }
    if let Some(missing) = &panel.missing {
        let style = if selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().fg(Color::DarkGray)
        };
        frame.render_widget(
            Paragraph::new(format!(
                "{}{}: {missing}",
                if selected { "▶ " } else { "" },
                panel.title
            ))
            .style(style),
            area,
        );
        return;
    }
    let log = |v: f64| v.max(1e-9).log10();
    let series: Vec<Drawn> = panel
        .series
        .iter()
        .map(|s| {
            let first = s.points.first().map_or(1.0, |p| p.value);
            drawn(s, |v| match panel.scale {
                Scale::Log { .. } => log(v),
                Scale::PercentOfBaseline if first != 0.0 => v / first * 100.0,
                _ => v,
            })
        })
        .collect();
    let guides: Vec<f64> = panel
        .guides
        .iter()
        .map(|g| match panel.scale {
            Scale::Log { .. } => log(g.value),
            _ => g.value,
        })
        .collect();
    let values = series
        .iter()
        .flat_map(|(runs, censored)| runs.iter().flatten().chain(censored))
        .map(|p| p.1)
        .chain(guides.iter().copied());
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if lo > hi { (0.0, 1.0) } else { (lo, hi) };
    let plot_rows = area.height.saturating_sub(1);
    let (y, ticks) = y_axis(panel.scale, lo, hi, plot_rows);
    let any_censored = series.iter().any(|s| !s.1.is_empty());
    let legend_line = legend(panel, area.width, any_censored, selected);
    frame.render_widget(Paragraph::new(legend_line), Rect { height: 1, ..area });
    if plot_rows == 0 {
        return;
    }
    let plot = Rect {
        x: area.x + GUTTER,
        y: area.y + 1,
        width: area.width.saturating_sub(GUTTER),
        height: plot_rows,
    };
    // Guides are dotted (a point every third column), unlike the series' lines.
    let dots = usize::from(plot.width / 3).max(2);
    let guide_lines: Vec<Vec<(f64, f64)>> = guides
        .iter()
        .map(|g| {
            (0..=dots)
                .map(|i| (x[0] + (x[1] - x[0]) * i as f64 / dots as f64, *g))
                .collect()
        })
        .collect();
    let mut datasets = Vec::new();
    for line in &guide_lines {
        datasets.push(
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Scatter)
                .style(Style::default().fg(Color::DarkGray))
                .data(line),
        );
    }
    for (i, (runs, censored)) in series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        for run in runs {
            datasets.push(
                Dataset::default()
                    .marker(Marker::Braille)
                    .graph_type(if run.len() == 1 {
                        GraphType::Scatter
                    } else {
                        GraphType::Line
                    })
                    .style(Style::default().fg(color))
                    .data(run),
            );
        }
        if !censored.is_empty() {
            datasets.push(
                Dataset::default()
                    .marker(Marker::Dot)
                    .graph_type(GraphType::Scatter)
                    .style(Style::default().fg(color))
                    .data(censored),
            );
        }
    }
    let chart = Chart::new(datasets)
        .x_axis(ratatui::widgets::Axis::default().bounds(x))
        .y_axis(ratatui::widgets::Axis::default().bounds(y));
    frame.render_widget(chart, plot);
    let buffer = frame.buffer_mut();
    // Each series' number (as in the legend) just right of its last point; a label
    // that would fall on a labelled cell moves sideways on the same row (its height is
    // the series' value), to the nearest free place.
    if series.len() > 1 {
        let mut taken: Vec<(u16, u16)> = Vec::new();
        for (i, (runs, censored)) in series.iter().enumerate() {
            let last = runs
                .iter()
                .flatten()
                .chain(censored)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let Some(&(px, py)) = last else {
                continue;
            };
            let label = (i + 1).to_string();
            let width = label.len() as u16;
            let right = plot.width.saturating_sub(width);
            let wanted = (axis::column(x, px, plot.width) + 1).min(right);
            let row = axis::row(y, py, plot_rows);
            let free = |c: u16| {
                !taken
                    .iter()
                    .any(|(tc, tr)| *tr == row && c < tc + 2 && *tc < c + width + 1)
            };
            let column = (0..=plot.width)
                .step_by(2)
                .flat_map(|step| {
                    [
                        (wanted + step <= right).then_some(wanted + step),
                        wanted.checked_sub(step),
                    ]
                })
                .flatten()
                .find(|c| free(*c))
                .unwrap_or(wanted);
            taken.push((column, row));
            buffer.set_string(
                plot.x + column,
                plot.y + row,
                &label,
                Style::default()
                    .fg(PALETTE[i % PALETTE.len()])
                    .add_modifier(Modifier::BOLD),
            );
        }
    }
    // The y labels and axis line in the gutter, the same width for every chart.
    let axis_x = area.x + GUTTER - 1;
    for r in 0..plot_rows {
        buffer.set_string(
            axis_x,
            plot.y + r,
            "│",
            Style::default().fg(Color::DarkGray),
        );
    }
    let mut last_row = None;
    for (value, label) in ticks {
        let r = axis::row(y, value, plot_rows);
        if last_row == Some(r) {
            continue;
        }
        last_row = Some(r);
        let label: String = label.chars().take(usize::from(GUTTER - 1)).collect();
        buffer.set_string(
            axis_x - label.chars().count() as u16,
            plot.y + r,
            &label,
            Style::default().fg(Color::Gray),
        );
        buffer.set_string(
            axis_x,
            plot.y + r,
            "┤",
            Style::default().fg(Color::DarkGray),
        );
    }
}

fn marker(kind: EventKind) -> (&'static str, &'static str, Color) {
    match kind {
        EventKind::Diagnosis => ("D", "diagnosis", Color::White),
        EventKind::TreatmentStart => ("T", "treatment start", Color::Green),
        EventKind::TreatmentEnd => ("t", "treatment end", Color::Green),
        EventKind::Surgery => ("S", "surgery", Color::Cyan),
        EventKind::Radiotherapy => ("R", "radiotherapy", Color::Blue),
        EventKind::Progression => ("P", "progression", Color::Red),
        EventKind::Relapse => ("P", "relapse", Color::Red),
        EventKind::Death => ("†", "death", Color::Red),
        EventKind::LastContact => ("|", "last contact", Color::Gray),
    }
}

/// The shared time axis under the charts, on the charts' columns: an axis line with
/// tick marks and the clinical events on it (two events of one column side by side),
/// the tick labels, and (when there is room) a legend of the events shown.
fn render_axis(view: &PatientView, x: [f64; 2], days: bool, buffer: &mut Buffer, area: Rect) {
    if area.height < 2 || area.width <= GUTTER + 2 {
        return;
    }
    let width = area.width - GUTTER;
    let left = area.x + GUTTER;
    let dim = Style::default().fg(Color::DarkGray);
    buffer.set_string(area.x, area.y, "events", Style::default().fg(Color::Gray));
    buffer.set_string(left - 1, area.y, "└", dim);
    buffer.set_string(left, area.y, "─".repeat(usize::from(width)), dim);
    let ticks = axis::x_ticks(view.index_date, x, width, days);
    for (day, _) in &ticks {
        buffer.set_string(left + axis::column(x, *day, width), area.y, "┴", dim);
    }
    let mut taken = vec![false; usize::from(width)];
    let mut kinds: Vec<EventKind> = Vec::new();
    for event in &view.events {
        let column = axis::column(x, event.day, width);
        let free = [0i32, 1, -1, 2, -2]
            .into_iter()
            .map(|d| i32::from(column) + d)
            .find(|c| *c >= 0 && (*c as usize) < taken.len() && !taken[*c as usize]);
        let Some(column) = free else { continue };
        taken[column as usize] = true;
        let (symbol, _, color) = marker(event.kind);
        buffer.set_string(
            left + column as u16,
            area.y,
            symbol,
            Style::default().fg(color).add_modifier(Modifier::BOLD),
        );
        if !kinds.contains(&event.kind) {
            kinds.push(event.kind);
        }
    }
    let mut end = 0u16;
    for (day, label) in &ticks {
        let column = axis::column(x, *day, width);
        let len = label.chars().count() as u16;
        let start = (left + column).saturating_sub(len / 2).max(area.x);
        if start < end || start + len > area.x + area.width {
            continue;
        }
        buffer.set_string(start, area.y + 1, label, Style::default().fg(Color::Gray));
        end = start + len + 1;
    }
    if area.height >= 3 {
        kinds.sort_by_key(|k| EventKind::ALL.iter().position(|a| a == k));
        let mut legend: Vec<Span> = Vec::new();
        for kind in kinds {
            let (symbol, name, color) = marker(kind);
            legend.push(Span::styled(symbol, Style::default().fg(color)));
            legend.push(Span::styled(format!(" {name}  "), dim));
        }
        let line = Line::from(legend);
        buffer.set_line(area.x, area.y + 2, &line, area.width);
    }
}

fn render_responses(app: &App, view: &PatientView, frame: &mut Frame, area: Rect) {
    let focused = app.pane == Pane::Responses;
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(focus(app, Pane::Responses));
    if view.responses.is_empty() {
        let block = block.title(" Response ");
        frame.render_widget(
            Paragraph::new("No response assessment yet (needs lesion, PET or ctDNA data at two or more visits).")
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    let selected = app.response_selected.min(view.responses.len() - 1);
    let block = block.title(format!(
        " Response {}/{}{} ",
        selected + 1,
        view.responses.len(),
        if focused {
            " · j/k row"
        } else {
            " · Tab: focus"
        }
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let reason = &view.responses[selected].reason;
    let reason_height =
        (wrapped_lines(reason, inner.width) + 1).min(inner.height.saturating_sub(2));
    let [table, detail] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(reason_height)]).areas(inner);
    let rows_shown = usize::from(table.height.max(1));
    let offset = selected.saturating_sub(rows_shown - 1);
    let rows = view
        .responses
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows_shown)
        .map(|(i, r)| {
            let mut style = if r.discordant {
                Style::default().fg(Color::Yellow)
            } else {
                Style::default()
            };
            if i == selected {
                style = style.add_modifier(Modifier::REVERSED);
            }
            Row::new(vec![
                Cell::from(r.date.to_string()),
                Cell::from(r.criterion.clone()),
                Cell::from(r.category.clone()),
                Cell::from(if r.discordant { "discordant" } else { "" }),
            ])
            .style(style)
        });
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(10),
                Constraint::Length(7),
                Constraint::Length(4),
                Constraint::Min(0),
            ],
        ),
        table,
    );
    if detail.height > 0 {
        frame.render_widget(
            Paragraph::new(reason.clone())
                .wrap(Wrap { trim: true })
                .style(Style::default().fg(Color::Gray))
                .block(
                    Block::default()
                        .borders(Borders::TOP)
                        .border_style(Style::default().fg(Color::DarkGray))
                        .title(" reason "),
                ),
            detail,
        );
    }
}

fn render_trends(app: &App, view: &PatientView, frame: &mut Frame, area: Rect) {
    let scroll = app.trends_scroll.min(view.trends.len().saturating_sub(1));
    let title = if view.trends.len() > 1 {
        format!(" Trends {}/{} ", scroll + 1, view.trends.len())
    } else {
        " Trends ".to_string()
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(focus(app, Pane::Trends))
        .title(title);
    let text = if view.trends.is_empty() {
        "No series with enough points for a trend.".to_string()
    } else {
        view.trends[scroll..].join("\n")
    };
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A series of uncensored `values`, one every `step` days from day 0.
    fn series(name: &str, unit: &str, step: f64, values: &[f64]) -> Series {
        Series {
            name: name.into(),
            unit: unit.into(),
            points: values
                .iter()
                .enumerate()
                .map(|(i, v)| crate::tui::data::Point {
                    day: step * i as f64,
                    value: *v,
                    censored: false,
                })
                .collect(),
        }
    }

    #[test]
    fn wrapped_line_count_matches_word_wrap() {
        assert_eq!(wrapped_lines("", 10), 1);
        assert_eq!(wrapped_lines("aaaa bbbb", 9), 1);
        assert_eq!(wrapped_lines("aaaa bbbb", 8), 2);
        assert_eq!(wrapped_lines("aaaaaaaaaaaa", 5), 3);
    }

    #[test]
    fn the_selected_chart_is_always_shown_and_rows_are_shared() {
        let view = PatientView::default();
        let series = Series {
            name: "x".into(),
            unit: "".into(),
            points: Vec::new(),
        };
        let chart = |title: &str| Panel {
            title: title.into(),
            series: vec![&series],
            scale: Scale::Linear { from_zero: true },
            guides: Vec::new(),
            missing: None,
        };
        let mut panels = vec![chart("a"), chart("b"), chart("c")];
        panels.push(panel(&view, ChartKind::Pet, 0));
        assert_eq!(visible_charts(&panels, 0, 13), [(0, 6), (1, 7)]);
        assert_eq!(visible_charts(&panels, 2, 13), [(1, 6), (2, 6), (3, 1)]);
        assert_eq!(visible_charts(&panels, 3, 8), [(2, 7), (3, 1)]);
        assert_eq!(visible_charts(&panels, 0, 40).len(), 4);
        assert_eq!(visible_charts(&panels, 1, 3), [(1, 3)]);
    }

    #[test]
    fn several_series_are_numbered_in_the_legend_and_at_their_last_point() {
        let line = |name: &str, values: &[f64]| series(name, "SUV", 30.0, values);
        let (high, low) = (line("SUVmax", &[10.0, 10.0]), line("MTV", &[10.0, 1.0]));
        let panel = Panel {
            title: "PET".into(),
            series: vec![&high, &low],
            scale: Scale::Linear { from_zero: true },
            guides: Vec::new(),
            missing: None,
        };
        let rows = super::super::drawn_rows(40, 12, |frame| {
            render_panel(&panel, [0.0, 30.0], false, frame, frame.area())
        });
        let text = rows.join("\n");
        assert!(
            rows[0].contains("1:SUVmax") && rows[0].contains("2:MTV"),
            "{text}"
        );
        // "1" ends high, "2" low: each number on its own line's last row.
        let row_of = |label: &str| {
            rows.iter().skip(1).position(|r| {
                r.trim_end()
                    .trim_end_matches('│')
                    .trim_end()
                    .ends_with(label)
            })
        };
        let (one, two) = (row_of("1"), row_of("2"));
        assert!(
            matches!((one, two), (Some(a), Some(b)) if a < b),
            "{one:?} {two:?}\n{text}"
        );
    }

    #[test]
    fn recist_guides_say_where_the_line_is_and_what_it_is_from() {
        let sums = |values: &[f64]| PatientView {
            recist_sum: Some(series("sum of diameters", "mm", 60.0, values)),
            ..PatientView::default()
        };
        let guides = |view: &PatientView| -> Vec<(f64, String)> {
            panel(view, ChartKind::Recist, 0)
                .guides
                .iter()
                .map(|g| (g.value, g.text.clone()))
                .collect()
        };
        // The number is the line, named as such; the nadir and baseline are themselves.
        let view = sums(&[130.2, 131.5]);
        assert_eq!(
            guides(&view),
            vec![
                (
                    130.2 * 1.2,
                    "PD at 156 mm (nadir 130 +20 %, +5 mm)".to_string()
                ),
                (
                    130.2 * 0.7,
                    "PR at 91.1 mm (baseline 130 -30 %)".to_string()
                ),
            ]
        );
        // A small nadir: the 5 mm decide where PD begins.
        let view = sums(&[20.0, 10.0]);
        assert_eq!(guides(&view)[0].0, 15.0);
        assert_eq!(
            guides(&view)[0].1,
            "PD at 15.0 mm (nadir 10.0 +20 %, +5 mm)"
        );
    }
}
