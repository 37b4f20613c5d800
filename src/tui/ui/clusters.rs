//! The clusters screen: saved cluster runs, sizes, profile heatmap, PCA scatter and Kaplan–Meier curves with log-rank p.

use super::PALETTE;
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
    let list_width = if area.width >= 80 { 24 } else { area.width / 4 };
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
    render_run(&app.cluster_runs[selected], frame, detail);
}

fn render_run(run: &ClusterView, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ({}) ", run.name, run.created_at));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let heat_height = (run.sizes.len() as u16 + 2).min(inner.height / 3).max(2);
    let [sizes, heat, plots] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(heat_height),
        Constraint::Min(0),
    ])
    .areas(inner);
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
    frame.render_widget(Paragraph::new(Line::from(spans)), sizes);
    render_heatmap(run, frame, heat);
    let [pca, km] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(plots);
    render_pca(run, frame, pca);
    render_survival(run, frame, km);
}

fn render_heatmap(run: &ClusterView, frame: &mut Frame, area: Rect) {
    if run.features.is_empty() || run.profile.is_empty() {
        frame.render_widget(
            Paragraph::new("no cluster profile stored for this run"),
            area,
        );
        return;
    }
    let cell = 6usize;
    let fit = (usize::from(area.width).saturating_sub(5) / cell).min(run.features.len());
    let mut lines = vec![Line::from(
        std::iter::once(Span::raw("     "))
            .chain(run.features.iter().take(fit).map(|f| {
                Span::raw(format!(
                    "{:<cell$}",
                    f.chars().take(cell - 1).collect::<String>()
                ))
            }))
            .collect::<Vec<_>>(),
    )];
    for ((cluster, _), row) in run.sizes.iter().zip(&run.profile) {
        let mut spans = vec![Span::styled(
            format!("E{cluster:<3} "),
            Style::default().fg(cluster_color(*cluster)),
        )];
        for z in row.iter().take(fit) {
            spans.push(Span::styled(
                format!("{z:>+5.1} "),
                Style::default().bg(z_color(*z)).fg(Color::White),
            ));
        }
        lines.push(Line::from(spans));
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
                .name(format!("E{c}"))
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
        frame.render_widget(
            Paragraph::new("no survival data for this run")
                .block(Block::default().title("Kaplan–Meier")),
            area,
        );
        return;
    }
    let curves: Vec<(i64, Vec<(f64, f64)>)> = run
        .survival
        .iter()
        .map(|curve| (curve.cluster, staircase(&curve.steps)))
        .collect();
    let datasets = curves
        .iter()
        .map(|(c, points)| {
            Dataset::default()
                .name(format!("E{c}"))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(Style::default().fg(cluster_color(*c)))
                .data(points)
        })
        .collect();
    let x = bounds(
        run.survival
            .iter()
            .flat_map(|s| s.steps.iter().map(|p| p.0)),
    );
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
    let p = run
        .logrank_p
        .map_or("-".to_string(), |p| format!("{p:.2e}"));
    let [text, plot] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(area);
    frame.render_widget(
        Paragraph::new(format!(
            "Kaplan–Meier (overall survival)\nlog-rank p {p} · median {}",
            medians.join(", ")
        ))
        .wrap(Wrap { trim: true }),
        text,
    );
    let chart = Chart::new(datasets)
        .x_axis(
            Axis::default()
                .bounds([0.0, x[1]])
                .labels(["0".to_string(), format!("{:.0} mo", x[1])]),
        )
        .y_axis(Axis::default().bounds([0.0, 1.0]).labels(["0", "1"]));
    frame.render_widget(chart, plot);
}
