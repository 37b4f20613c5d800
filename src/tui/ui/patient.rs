//! The patient screen: header, timeline charts on one shared date axis with event markers, response table and trends.

use super::PALETTE;
use crate::model::EventKind;
use crate::tui::app::{App, Pane};
use crate::tui::data::{PatientView, Series};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Cell, Chart, Dataset, GraphType, Paragraph, Row, Table, Wrap,
};

/// How a panel's y axis shows values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scale {
    /// As they are.
    Linear,
    /// log10, labelled in the values' unit.
    Log,
    /// Percent of each series' first value (series of different units on one axis).
    PercentOfBaseline,
}

/// A chart panel: title, series and the y scale.
struct Panel<'a> {
    title: String,
    series: Vec<&'a Series>,
    scale: Scale,
}

fn panels(view: &PatientView, cytokine: usize) -> Vec<Panel<'_>> {
    let mut panels = Vec::new();
    if !view.ctdna.is_empty() {
        panels.push(Panel {
            title: "ctDNA VAF (log)".into(),
            series: view.ctdna.iter().collect(),
            scale: Scale::Log,
        });
    }
    if !view.pet.is_empty() {
        panels.push(Panel {
            title: "PET, % of baseline".into(),
            series: view.pet.iter().collect(),
            scale: Scale::PercentOfBaseline,
        });
    }
    if let Some(sum) = &view.recist_sum {
        panels.push(Panel {
            title: "RECIST sum of diameters".into(),
            series: vec![sum],
            scale: Scale::Linear,
        });
    }
    if let Some(series) = view
        .cytokines
        .get(cytokine.min(view.cytokines.len().saturating_sub(1)))
    {
        panels.push(Panel {
            title: format!(
                "cytokine {}/{} (c: next), log",
                cytokine.min(view.cytokines.len() - 1) + 1,
                view.cytokines.len()
            ),
            series: vec![series],
            scale: Scale::Log,
        });
    }
    panels
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
    let bottom_height = if area.height >= 20 {
        9
    } else {
        area.height / 3
    };
    let [header, charts, bottom] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(bottom_height),
    ])
    .areas(area);
    frame.render_widget(header_widget(view), header);
    render_charts(app, view, frame, charts);
    let [responses, trends] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(bottom);
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

fn header_widget(view: &PatientView) -> Paragraph<'_> {
    let status = match view.death_date {
        Some(date) => format!("died {date}"),
        None => "alive".to_string(),
    };
    let index = view.index_date.map_or("-".to_string(), |d| d.to_string());
    let lines = if view.treatment_lines.is_empty() {
        "no treatment recorded".to_string()
    } else {
        view.treatment_lines.join("; ")
    };
    Paragraph::new(vec![
        Line::from(vec![
            Span::styled(
                view.code.clone(),
                Style::default().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(
                "  {}  ·  index date {index}  ·  {status}",
                view.diagnosis
            )),
        ]),
        Line::from(format!("treatment: {lines}")),
    ])
    .wrap(Wrap { trim: true })
    .block(Block::default().borders(Borders::BOTTOM))
}

fn render_charts(app: &App, view: &PatientView, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(focus(app, Pane::Charts))
        .title(" Timeline (days since index date) ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let panels = panels(view, app.cytokine);
    let [charts, strip] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(2)]).areas(inner);
    let bounds = x_bounds(view);
    render_event_strip(view, bounds, frame, strip);
    if panels.is_empty() {
        frame.render_widget(
            Paragraph::new("No ctDNA, PET, lesion or cytokine data recorded for this patient yet; clinical events are marked below.")
                .wrap(Wrap { trim: true }),
            charts,
        );
        return;
    }
    // Each chart needs 5 rows; show as many as fit, in order.
    let fit = usize::from(charts.height / 5).clamp(1, panels.len());
    let areas = Layout::vertical(vec![Constraint::Ratio(1, fit as u32); fit]).split(charts);
    for (panel, rect) in panels.iter().zip(areas.iter()) {
        render_panel(panel, bounds, frame, *rect);
    }
}

fn render_panel(panel: &Panel<'_>, x: [f64; 2], frame: &mut Frame, area: Rect) {
    let transform = |v: f64, first: f64| match panel.scale {
        Scale::Linear => v,
        Scale::Log => v.max(1e-6).log10(),
        Scale::PercentOfBaseline if first != 0.0 => v / first * 100.0,
        Scale::PercentOfBaseline => v,
    };
    let mut measured: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut censored: Vec<Vec<(f64, f64)>> = Vec::new();
    for series in &panel.series {
        let first = series.points.first().map_or(1.0, |p| p.value);
        measured.push(
            series
                .points
                .iter()
                .filter(|p| !p.censored)
                .map(|p| (p.day, transform(p.value, first)))
                .collect(),
        );
        censored.push(
            series
                .points
                .iter()
                .filter(|p| p.censored)
                .map(|p| (p.day, transform(p.value, first)))
                .collect(),
        );
    }
    let values = measured.iter().chain(&censored).flatten().map(|p| p.1);
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = if lo > hi {
        (0.0, 1.0)
    } else if (hi - lo).abs() < 1e-9 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let label = |v: f64| match panel.scale {
        Scale::Log => {
            let unit = panel.series.first().map_or("", |s| s.unit.as_str());
            if unit == "VAF" {
                format!("{:.2}%", 10f64.powf(v) * 100.0)
            } else {
                format!("{:.3}", 10f64.powf(v))
            }
        }
        Scale::PercentOfBaseline => format!("{v:.0}%"),
        Scale::Linear => format!("{v:.1}"),
    };
    let mut datasets = Vec::new();
    for (i, series) in panel.series.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        datasets.push(
            Dataset::default()
                .name(format!("{} ({})", series.name, series.unit))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(color))
                .data(&measured[i]),
        );
        if !censored[i].is_empty() {
            datasets.push(
                Dataset::default()
                    .name("below limit")
                    .marker(Marker::Dot)
                    .graph_type(GraphType::Scatter)
                    .style(Style::default().fg(Color::DarkGray))
                    .data(&censored[i]),
            );
        }
    }
    // The legend is the title: ratatui hides a legend that does not fit.
    let mut title = vec![Span::raw(format!("{}: ", panel.title))];
    for (i, series) in panel.series.iter().enumerate() {
        title.push(Span::styled(
            format!("{} ({})  ", series.name, series.unit),
            Style::default().fg(PALETTE[i % PALETTE.len()]),
        ));
    }
    if censored.iter().any(|c| !c.is_empty()) {
        title.push(Span::styled(
            "• below the limit of detection",
            Style::default().fg(Color::DarkGray),
        ));
    }
    let title = Line::from(title);
    let chart = Chart::new(datasets)
        .block(Block::default().title(title))
        .x_axis(
            Axis::default()
                .bounds(x)
                .labels([format!("{:.0}", x[0]), format!("{:.0}", x[1])]),
        )
        .y_axis(
            Axis::default()
                .bounds([lo, hi])
                .labels([label(lo), label(hi)]),
        );
    frame.render_widget(chart, area);
}

fn marker(kind: EventKind) -> (&'static str, Color) {
    match kind {
        EventKind::Diagnosis => ("D", Color::White),
        EventKind::TreatmentStart => ("T", Color::Green),
        EventKind::TreatmentEnd => ("t", Color::Green),
        EventKind::Surgery => ("S", Color::Cyan),
        EventKind::Radiotherapy => ("R", Color::Blue),
        EventKind::Progression | EventKind::Relapse => ("P", Color::Red),
        EventKind::Death => ("†", Color::Red),
        EventKind::LastContact => ("|", Color::DarkGray),
    }
}

/// Event markers on the charts' day axis, with a legend line.
fn render_event_strip(view: &PatientView, x: [f64; 2], frame: &mut Frame, area: Rect) {
    if area.width < 3 || area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let mut cells: Vec<(String, Style)> = vec![(" ".to_string(), Style::default()); width];
    for event in &view.events {
        let fraction = ((event.day - x[0]) / (x[1] - x[0])).clamp(0.0, 1.0);
        let column = (fraction * (width - 1) as f64).round() as usize;
        let (symbol, color) = marker(event.kind);
        cells[column] = (
            symbol.to_string(),
            Style::default().fg(color).add_modifier(Modifier::BOLD),
        );
    }
    let strip = Line::from(
        cells
            .into_iter()
            .map(|(s, style)| Span::styled(s, style))
            .collect::<Vec<_>>(),
    );
    let legend = Line::from(
        "D diagnosis  T/t treatment start/end  S surgery  R radiotherapy  P progression  † death",
    )
    .style(Style::default().fg(Color::DarkGray));
    frame.render_widget(Paragraph::new(vec![strip, legend]), area);
}

fn render_responses(app: &App, view: &PatientView, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(focus(app, Pane::Responses))
        .title(" Response ");
    if view.responses.is_empty() {
        frame.render_widget(
            Paragraph::new("No response assessment yet (needs lesion, PET or ctDNA data at two or more visits).")
                .wrap(Wrap { trim: true })
                .block(block),
            area,
        );
        return;
    }
    let inner_height = usize::from(area.height.saturating_sub(4)).max(1);
    let selected = app.response_selected.min(view.responses.len() - 1);
    let offset = selected.saturating_sub(inner_height - 1);
    let rows = view
        .responses
        .iter()
        .enumerate()
        .skip(offset)
        .take(inner_height)
        .map(|(i, r)| {
            let mut style = if r.discordant {
                Style::default().fg(Color::Yellow)
            } else {
                Style::default()
            };
            if i == selected && app.pane == Pane::Responses {
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
    let [table, reason] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(block.inner(area));
    frame.render_widget(block, area);
    frame.render_widget(
        Table::new(
            rows,
            [
                Constraint::Length(10),
                Constraint::Length(8),
                Constraint::Length(4),
                Constraint::Min(0),
            ],
        ),
        table,
    );
    frame.render_widget(
        Paragraph::new(view.responses[selected].reason.clone())
            .wrap(Wrap { trim: true })
            .style(Style::default().fg(Color::Gray)),
        reason,
    );
}

fn render_trends(app: &App, view: &PatientView, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(focus(app, Pane::Trends))
        .title(" Trends ");
    let text = if view.trends.is_empty() {
        "No series with enough points for a trend.".to_string()
    } else {
        view.trends.join("\n")
    };
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
        area,
    );
}
