//! The cohort screen: one row per patient, sorted and filtered; only the visible rows are built.

use crate::tui::app::{App, Column};
use crate::tui::data::{CohortRow, Direction};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

/// The columns that fit in `width`, most important first kept.
fn columns_for(width: u16) -> Vec<Column> {
    let drop_order = [
        Column::LastVisit,
        Column::Percist,
        Column::Choi,
        Column::Age,
        Column::Days,
        Column::Ctdna,
        Column::Endotype,
    ];
    let mut columns = Column::ALL.to_vec();
    let mut dropped = 0;
    while needed(&columns) > width.saturating_sub(2) && dropped < drop_order.len() {
        columns.retain(|c| *c != drop_order[dropped]);
        dropped += 1;
    }
    columns
}

fn width_of(column: Column) -> u16 {
    match column {
        Column::Id => 7,
        Column::Diagnosis => 14,
        Column::Age => 3,
        Column::Days => 5,
        Column::LastVisit => 10,
        Column::Vaf => 8,
        Column::Recist | Column::Choi => 6,
        Column::Percist => 7,
        Column::Ctdna => 9,
        Column::Endotype => 4,
        Column::Status => 6,
    }
}

fn needed(columns: &[Column]) -> u16 {
    columns.iter().map(|c| width_of(*c) + 1).sum()
}

fn cell(row: &CohortRow, column: Column) -> Cell<'static> {
    let dash = || "-".to_string();
    let pending = !row.assessed
        && matches!(
            column,
            Column::Vaf | Column::Recist | Column::Percist | Column::Choi | Column::Ctdna
        );
    let text = match column {
        _ if pending => "…".to_string(),
        Column::Id => row.code.clone(),
        Column::Diagnosis => row.diagnosis.clone(),
        Column::Age => row.age.map_or_else(dash, |a| a.to_string()),
        Column::Days => row
            .days_since_diagnosis
            .map_or_else(dash, |d| d.to_string()),
        Column::LastVisit => row.last_visit.map_or_else(dash, |d| d.to_string()),
        Column::Vaf => row.mean_vaf.map_or_else(dash, |(vaf, direction)| {
            let arrow = match direction {
                Some(Direction::Up) => "↑",
                Some(Direction::Down) => "↓",
                Some(Direction::Flat) => "→",
                None => " ",
            };
            format!("{:.2}%{arrow}", vaf * 100.0)
        }),
        Column::Recist => row.recist.clone().unwrap_or_else(dash),
        Column::Percist => row.percist.clone().unwrap_or_else(dash),
        Column::Choi => row.choi.clone().unwrap_or_else(dash),
        Column::Ctdna => row.ctdna_status.clone().unwrap_or_else(dash),
        Column::Endotype => row.endotype.map_or_else(dash, |e| format!("E{e}")),
        Column::Status => if row.alive { "alive" } else { "dead" }.to_string(),
    };
    let style = match (column, text.as_str()) {
        (Column::Recist | Column::Choi | Column::Percist, "PD" | "PMD") => {
            Style::default().fg(Color::Red)
        }
        (Column::Recist | Column::Choi | Column::Percist, "PR" | "CR" | "PMR" | "CMR") => {
            Style::default().fg(Color::Green)
        }
        (Column::Status, "dead") => Style::default().fg(Color::DarkGray),
        (Column::Vaf, t) if t.ends_with('↑') => Style::default().fg(Color::Red),
        _ => Style::default(),
    };
    Cell::from(text).style(style)
}

/// Draws the cohort table into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let (sort_column, descending) = app.sort;
    let title = format!(
        " Cohort: {} patients{}, sorted by {}{} ",
        app.cohort.len(),
        if app.filter.is_empty() {
            String::new()
        } else {
            format!(", {} match \"{}\"", app.visible.len(), app.filter)
        },
        sort_column.title(),
        if descending { " ↓" } else { "" },
    );
    let title = match app.assessing {
        Some((done, total)) => format!("{title}· assessing responses {done}/{total} "),
        None => title,
    };
    let block = Block::default().borders(Borders::ALL).title(title);
    if app.cohort.is_empty() {
        frame.render_widget(
            Paragraph::new("No patients in this database yet.\nAdd some with `oncotrack patient add` or `oncotrack ingest patients FILE`, or try `oncotrack demo`.").block(block),
            area,
        );
        return;
    }
    if app.visible.is_empty() {
        frame.render_widget(
            Paragraph::new("No patient matches the filter (Esc clears it).").block(block),
            area,
        );
        return;
    }
    let columns = columns_for(area.width);
    let header = Row::new(columns.iter().map(|c| {
        let mark = if *c == sort_column { "*" } else { "" };
        Cell::from(format!("{}{mark}", c.title()))
    }))
    .style(Style::default().add_modifier(Modifier::BOLD));
    let end = (app.offset + app.viewport).min(app.visible.len());
    let rows = app.visible[app.offset.min(end)..end]
        .iter()
        .enumerate()
        .map(|(i, index)| {
            let row = &app.cohort[*index];
            let style = if app.offset + i == app.selected {
                Style::default().add_modifier(Modifier::REVERSED)
            } else {
                Style::default()
            };
            Row::new(columns.iter().map(|c| cell(row, *c))).style(style)
        });
    let widths: Vec<Constraint> = columns
        .iter()
        .map(|c| match c {
            Column::Diagnosis => Constraint::Min(width_of(*c)),
            other => Constraint::Length(width_of(*other)),
        })
        .collect();
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}
