//! The clusters screen: saved cluster runs, sizes, profile heatmap, PCA scatter and Kaplan–Meier curves with log-rank p.

use super::PALETTE;
use super::axis;
use crate::tui::app::App;
use crate::tui::data::ClusterView;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, Borders, Chart, Dataset, GraphType, List, ListItem, Paragraph, Wrap,
};

fn cluster_color(cluster: i64) -> Color {
    PALETTE[(cluster.max(1) as usize - 1) % PALETTE.len()]
}

/// A heatmap colour for a mean z-score: blue below zero, red above.
fn z_color(z: f64) -> Color {
    let t = (z.clamp(-2.0, 2.0) / 2.0 * 255.0).abs() as u8;
    if z >= 0.0 {
        Color::Rgb(80 + t / 2, 40, 40)
    } else {
        Color::Rgb(40, 40, 80 + t / 2)
    }
}

/// Draws the clusters screen into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if !app.clusters_loaded {
        frame.render_widget(
            Paragraph::new("Reading the cluster runs ...")
                .block(Block::default().borders(Borders::ALL).title(" Clusters ")),
            area,
        );
        return;
    }
    if app.cluster_runs.is_empty() {
        frame.render_widget(
            Paragraph::new("No cluster runs saved yet. Cluster the cohort with `oncotrack cluster` (store mode saves a named run), then press r.")
                .wrap(Wrap { trim: true })
                .block(Block::default().borders(Borders::ALL).title(" Clusters ")),
            area,
        );
        return;
    }
    let list_width = if area.width >= 100 {
        24
    } else {
        area.width / 5
    };
    let [list, detail] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(0)]).areas(area);
    let selected = app.run_selected.min(app.cluster_runs.len() - 1);
    let items = app.cluster_runs.iter().enumerate().map(|(i, run)| {
        let style = if i == selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        ListItem::new(run.name.clone()).style(style)
    });
    frame.render_widget(
        List::new(items).block(Block::default().borders(Borders::ALL).title(" Runs ")),
        list,
    );
    render_run(&app.cluster_runs[selected], app.cluster_view, frame, detail);
}

/// The views of a run, cycled with Tab.
const VIEWS: [&str; 3] = ["profile", "survival", "PCA"];

fn render_run(run: &ClusterView, view: usize, frame: &mut Frame, area: Rect) {
    let view = view % VIEWS.len();
    let tabs: Vec<Span> = VIEWS
        .iter()
        .enumerate()
        .flat_map(|(i, name)| {
            let style = if i == view {
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::default().fg(Color::Gray)
            };
            [Span::styled(format!(" {name} "), style), Span::raw(" ")]
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ({}) ", run.name, run.created_at))
        .title_bottom(Line::from(tabs).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [sizes, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let total: i64 = run.sizes.iter().map(|s| s.1).sum();
    let mut spans = vec![Span::raw(format!("{total} patients: "))];
    for (cluster, n) in &run.sizes {
        spans.push(Span::styled(
            format!("E{cluster} n={n}  "),
            Style::default().fg(cluster_color(*cluster)),
        ));
    }
    if run.sizes.len() == 1 {
        spans.push(Span::raw("(one cluster: nothing to compare)"));
    }
    spans.push(Span::styled(
        "Tab: view",
        Style::default().fg(Color::DarkGray),
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), sizes);
    match view {
        0 => render_heatmap(run, frame, body),
        1 => render_survival(run, frame, body),
        _ => render_pca(run, frame, body),
    }
}

/// A p-value as a reader wants it: `0.032`, `1.6 × 10⁻⁷`, `< 1e-300`.
pub fn format_p(p: f64) -> String {
    if !p.is_finite() {
        return "-".to_string();
    }
    if p < 1e-300 {
        return "< 1e-300".to_string();
    }
    if p >= 0.001 {
        let text = format!("{p:.3}");
        return if p >= 0.01 { format!("{p:.2}") } else { text };
    }
    let exponent = p.log10().floor() as i32;
    let mantissa = p / 10f64.powi(exponent);
    let (mantissa, exponent) = if format!("{mantissa:.1}") == "10.0" {
        (1.0, exponent + 1)
    } else {
        (mantissa, exponent)
    };
    let superscript: String = exponent
        .to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect();
    format!("{mantissa:.1} × 10{superscript}")
}

/// The profile as a table: one row per feature with its full name, one column per
/// cluster; features that do not fit the height continue in a second block of columns.
fn render_heatmap(run: &ClusterView, frame: &mut Frame, area: Rect) {
    if run.features.is_empty() || run.profile.is_empty() {
        frame.render_widget(
            Paragraph::new("no cluster profile stored for this run"),
            area,
        );
        return;
    }
    let name_width = run
        .features
        .iter()
        .map(|f| f.chars().count())
        .max()
        .unwrap_or(0)
        .min(28);
    let rows = usize::from(area.height.saturating_sub(2)).max(1);
    let block_width = name_width + 1 + 6 * run.sizes.len() + 2;
    let blocks = run.features.len().div_ceil(rows);
    let fit_blocks = (usize::from(area.width) / block_width.max(1)).max(1);
    let mut lines: Vec<Line> = Vec::new();
    let header = || {
        let mut spans = vec![Span::raw(format!("{:<name_width$} ", "mean z-score"))];
        for (cluster, _) in &run.sizes {
            spans.push(Span::styled(
                format!("{:>5} ", format!("E{cluster}")),
                Style::default().fg(cluster_color(*cluster)),
            ));
        }
        spans.push(Span::raw("  "));
        spans
    };
    lines.push(Line::from(
        (0..blocks.min(fit_blocks))
            .flat_map(|_| header())
            .collect::<Vec<_>>(),
    ));
    for r in 0..rows.min(run.features.len()) {
        let mut spans = Vec::new();
        for b in 0..blocks.min(fit_blocks) {
            let Some(feature) = run.features.get(b * rows + r) else {
                continue;
            };
            let f = b * rows + r;
            let name: String = feature.chars().take(name_width).collect();
            spans.push(Span::raw(format!("{name:<name_width$} ")));
            for row in &run.profile {
                let z = row.get(f).copied().unwrap_or(f64::NAN);
                let text = if z.is_finite() {
                    format!("{z:>+5.1} ")
                } else {
                    "    - ".to_string()
                };
                spans.push(Span::styled(
                    text,
                    Style::default().bg(z_color(z)).fg(Color::White),
                ));
            }
            spans.push(Span::raw("  "));
        }
        lines.push(Line::from(spans));
    }
    let shown = (rows * blocks.min(fit_blocks)).min(run.features.len());
    if shown < run.features.len() {
        lines.push(Line::styled(
            format!(
                "{} of {} features shown; a larger terminal shows the rest",
                shown,
                run.features.len()
            ),
            Style::default().fg(Color::DarkGray),
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn bounds(values: impl Iterator<Item = f64>) -> [f64; 2] {
    let (lo, hi) = values.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        [0.0, 1.0]
    } else if (hi - lo).abs() < 1e-12 {
        [lo - 1.0, hi + 1.0]
    } else {
        [lo, hi]
    }
}

fn render_pca(run: &ClusterView, frame: &mut Frame, area: Rect) {
    if run.pca.is_empty() {
        frame.render_widget(
            Paragraph::new("no PCA coordinates for this run").block(Block::default().title("PCA")),
            area,
        );
        return;
    }
    let groups: Vec<(i64, Vec<(f64, f64)>)> = run
        .sizes
        .iter()
        .map(|(c, _)| {
            (
                *c,
                run.pca
                    .iter()
                    .filter(|p| p.2 == *c)
                    .map(|p| (p.0, p.1))
                    .collect(),
            )
        })
        .collect();
    let datasets = groups
        .iter()
        .map(|(c, points)| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Scatter)
                .style(Style::default().fg(cluster_color(*c)))
                .data(points)
        })
        .collect();
    let x = bounds(run.pca.iter().map(|p| p.0));
    let y = bounds(run.pca.iter().map(|p| p.1));
    let chart = Chart::new(datasets)
        .block(Block::default().title("PCA (PC1 × PC2)"))
        .x_axis(
            Axis::default()
                .bounds(x)
                .labels([format!("{:.1}", x[0]), format!("{:.1}", x[1])]),
        )
        .y_axis(
            Axis::default()
                .bounds(y)
                .labels([format!("{:.1}", y[0]), format!("{:.1}", y[1])]),
        );
    frame.render_widget(chart, area);
}

/// Kaplan–Meier steps as a staircase: the curve holds its value until the next event time.
fn staircase(steps: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut points = Vec::with_capacity(steps.len() * 2);
    for (i, (t, s)) in steps.iter().enumerate() {
        if i > 0 {
            points.push((*t, steps[i - 1].1));
        }
        points.push((*t, *s));
    }
    points
}

fn render_survival(run: &ClusterView, frame: &mut Frame, area: Rect) {
    if run.survival.is_empty() {
        frame.render_widget(Paragraph::new("no survival data for this run"), area);
        return;
    }
    let medians: Vec<String> = run
        .survival
        .iter()
        .map(|curve| {
            let median = curve
                .median
                .map_or("NR".to_string(), |m| format!("{m:.0} mo"));
            format!("E{} {median}", curve.cluster)
        })
        .collect();
    let p = run.logrank_p.map_or("-".to_string(), format_p);
    // A p from tiny groups or few events keeps its number, with a line of its own
    // saying it is no finding.
    let caution = run.logrank_caution.map_or(String::new(), |c| {
        format!("\n{c}: the log-rank p is unreliable")
    });
    let at_risk_rows = run.survival.len() as u16 + 1;
    let [text, plot, risk] = Layout::vertical([
        Constraint::Length(2 + u16::from(run.logrank_caution.is_some())),
        Constraint::Min(3),
        Constraint::Length(at_risk_rows),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(format!(
            "Kaplan–Meier, overall survival · log-rank p {p}{caution}\nmedian {} · + censored",
            medians.join(", ")
        ))
        .wrap(Wrap { trim: true }),
        text,
    );
    let last = run
        .survival
        .iter()
        .flat_map(|s| {
            s.steps
                .iter()
                .map(|p| p.0)
                .chain(s.censored.iter().copied())
        })
        .fold(1.0f64, f64::max);
    let x = [0.0, last];
    let gutter = axis::GUTTER;
    let chart_area = Rect {
        x: plot.x + gutter,
        width: plot.width.saturating_sub(gutter),
        ..plot
    };
    let curves: Vec<(i64, Vec<(f64, f64)>)> = run
        .survival
        .iter()
        .map(|curve| {
            let mut steps = staircase(&curve.steps);
            if let Some(&(_, s)) = steps.last() {
                steps.push((last, s));
            }
            (curve.cluster, steps)
        })
        .collect();
    let datasets = curves
        .iter()
        .map(|(c, points)| {
            Dataset::default()
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(cluster_color(*c)))
                .data(points)
        })
        .collect();
    frame.render_widget(
        Chart::new(datasets)
            .x_axis(Axis::default().bounds(x))
            .y_axis(Axis::default().bounds([0.0, 1.0])),
        chart_area,
    );
    let buffer = frame.buffer_mut();
    let dim = Style::default().fg(Color::DarkGray);
    let width = chart_area.width;
    for r in 0..plot.height {
        buffer.set_string(plot.x + gutter - 1, plot.y + r, "│", dim);
    }
    for (value, label) in [(1.0, "1"), (0.5, "0.5"), (0.0, "0")] {
        let r = axis::row([0.0, 1.0], value, plot.height);
        buffer.set_string(
            plot.x + gutter - 1 - label.len() as u16,
            plot.y + r,
            label,
            dim,
        );
        buffer.set_string(plot.x + gutter - 1, plot.y + r, "┤", dim);
    }
    // Censor marks on each curve.
    for curve in &run.survival {
        let style = Style::default().fg(cluster_color(curve.cluster));
        for t in &curve.censored {
            let column = axis::column(x, *t, width);
            let r = axis::row([0.0, 1.0], curve.survival_at(*t), plot.height);
            buffer.set_string(chart_area.x + column, plot.y + r, "+", style);
        }
    }
    // Each curve named at its right end: the colours alone do not say which is which
    // (nor do they survive a monochrome terminal, a screenshot in grey or a colour-blind
    // reader). Labels that would share a row move up.
    let mut taken: Vec<u16> = Vec::new();
    for (cluster, points) in &curves {
        let Some(&(_, s)) = points.last() else {
            continue;
        };
        let label = format!("E{cluster}");
        let mut r = axis::row([0.0, 1.0], s, plot.height);
        while taken.contains(&r) && r > 0 {
            r -= 1;
        }
        taken.push(r);
        let column = (chart_area.x + width).saturating_sub(label.len() as u16);
        buffer.set_string(
            column,
            plot.y + r,
            &label,
            Style::default()
                .fg(cluster_color(*cluster))
                .add_modifier(Modifier::BOLD),
        );
    }
    // Axis in months, and the numbers at risk at each tick, on the ticks' columns.
    let step = [3.0, 6.0, 12.0, 24.0, 60.0]
        .into_iter()
        .find(|s| last / s <= f64::from(width / 7).max(1.0))
        .unwrap_or(60.0);
    let ticks: Vec<f64> = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|t| *t <= last)
        .collect();
    if risk.height == 0 {
        return;
    }
    buffer.set_string(risk.x, risk.y, "months", dim);
    let mut end = 0;
    for t in &ticks {
        let column = chart_area.x + axis::column(x, *t, width);
        let label = format!("{t:.0}");
        if column < end || column + label.len() as u16 > risk.x + risk.width {
            continue;
        }
        buffer.set_string(column, risk.y, &label, Style::default().fg(Color::Gray));
        for (i, curve) in run.survival.iter().enumerate() {
            let y = risk.y + 1 + i as u16;
            if y >= risk.y + risk.height {
                break;
            }
            buffer.set_string(
                column,
                y,
                curve.at_risk(*t).to_string(),
                Style::default().fg(cluster_color(curve.cluster)),
            );
        }
        end = column + 6;
    }
    for (i, curve) in run.survival.iter().enumerate() {
        let y = risk.y + 1 + i as u16;
        if y < risk.y + risk.height {
            buffer.set_string(
                risk.x,
                y,
                format!("E{}", curve.cluster),
                Style::default().fg(cluster_color(curve.cluster)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_survival_curve_is_named_at_its_end_not_only_by_colour() {
        let curve = |cluster: i64, end: f64| crate::tui::data::SurvivalCurve {
            cluster,
            steps: vec![(0.0, 1.0), (12.0, end)],
            median: None,
            censored: Vec::new(),
            times: vec![12.0, 24.0],
        };
        let run = ClusterView {
            name: "run".into(),
            created_at: String::new(),
            sizes: vec![(1, 2), (2, 2), (3, 2)],
            features: Vec::new(),
            profile: Vec::new(),
            pca: Vec::new(),
            // Two curves end on the same row: both labels are drawn.
            survival: vec![curve(1, 0.2), curve(2, 0.9), curve(3, 0.9)],
            logrank_p: Some(0.01),
            logrank_caution: Some("caution: tiny groups"),
        };
        let rows =
            super::super::drawn_rows(60, 20, |frame| render_survival(&run, frame, frame.area()));
        // A p from clusters of two says it is unreliable, on a line of its own.
        assert!(
            rows[1].contains("caution: tiny groups: the log-rank p is unreliable"),
            "{}",
            rows.join("\n")
        );
        // The plot rows (after the three caption lines, before the at-risk table).
        let plot = &rows[3..rows.len() - 4];
        for name in ["E1", "E2", "E3"] {
            assert!(
                plot.iter().any(|r| r.trim_end().ends_with(name)),
                "{name} not at a curve's end:\n{}",
                rows.join("\n")
            );
        }
    }

    #[test]
    fn p_values_read_as_powers_of_ten() {
        assert_eq!(format_p(1.64e-7), "1.6 × 10⁻⁷");
        assert_eq!(format_p(9.96e-5), "1.0 × 10⁻⁴");
        assert_eq!(format_p(0.0), "< 1e-300");
        assert_eq!(format_p(0.0032), "0.003");
        assert_eq!(format_p(0.2345), "0.23");
        assert_eq!(format_p(f64::NAN), "-");
    }
}
