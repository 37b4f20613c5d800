//! The cohort screen: one row per patient, sorted and filtered; only the visible rows are built.

use crate::tui::app::{App, Column, since_last_contact};
use crate::tui::data::{CohortRow, Direction};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

/// What a cohort cell shows.
fn cell_text(row: &CohortRow, column: Column, cutoff: Option<chrono::NaiveDate>) -> String {
    let dash = || "-".to_string();
    // Since and (for the living) Days wait for the last contact the assessment reads.
    let pending = !row.assessed
        && match column {
            Column::Since => true,
            Column::Days => row.alive,
            Column::Vaf
            | Column::Recist
            | Column::RecistDate
            | Column::Best
            | Column::Percist
            | Column::Choi
            | Column::Ctdna
            | Column::Discordance
            | Column::Lead
            | Column::Mrd => true,
            _ => false,
        };
    match column {
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
            let value = if row.vaf_not_detected && row.vaf_not_evaluable {
                // Nothing detected where nothing could be seen (no read, no depth): not
                // a negative either (its response is NE).
                format!("n.e.{arrow}")
            } else if row.vaf_not_detected {
                // Nothing detected: not a measured 0.00 % (the patient view gives the LOD).
                format!("n.d.{arrow}")
            } else if vaf > 0.0 && vaf * 100.0 < 0.005 {
                // Detected, but "0.00%" would read as nothing there.
                format!("<0.01%{arrow}")
            } else {
                format!("{:.2}%{arrow}", vaf * 100.0)
            };
            // With the draw's month, as PERCIST: the last draw can be older than the
            // last scan beside it.
            // Padded so that the months line up.
            with_month(format!("{value:<7}"), row.vaf_date)
        }),
        Column::Recist => row.recist.clone().unwrap_or_else(dash),
        Column::RecistDate => row.recist_date.map_or_else(dash, |d| d.to_string()),
        // `*`: a PR or CR on the latest scans awaits confirmation (best SD may become PR).
        Column::Best => row.best.as_ref().map_or_else(dash, |b| {
            if row.best_awaiting {
                format!("{b}*")
            } else {
                b.clone()
            }
        }),
        Column::Discordance => match row.discordance.as_deref() {
            Some("") | None => dash(),
            Some(letters) => letters.to_string(),
        },
        Column::Lead => row.lead_days.map_or_else(dash, |d| format!("{d}d")),
        Column::Mrd => row.mrd.as_deref().map_or_else(dash, |d| {
            match d {
                "positive" => "pos",
                "negative" => "neg",
                _ => "und",
            }
            .to_string()
        }),
        Column::Since => since_last_contact(row, cutoff).map_or_else(dash, |d| format!("{d}d")),
        // With the PET's month: PET is often rarer than CT, and "PMR" beside today's
        // "PD" would read as a current metabolic response.
        Column::Percist => row
            .percist
            .as_ref()
            .map_or_else(dash, |code| with_month(code.clone(), row.percist_date)),
        Column::Choi => row.choi.clone().unwrap_or_else(dash),
        Column::Ctdna => row.ctdna_status.as_ref().map_or_else(dash, |status| {
            with_month(format!("{status:<8}"), row.ctdna_date)
        }),
        Column::Endotype => row.endotype.map_or_else(dash, |e| format!("E{e}")),
        Column::Status => if row.alive { "alive" } else { "dead" }.to_string(),
        Column::Board => if row.board.is_some() { "●" } else { " " }.to_string(),
    }
}

/// A cell's text with the month of its draw or scan: `PMR Jul22`, `0.48%↓ Jul22`.
fn with_month(text: String, date: Option<chrono::NaiveDate>) -> String {
    match date {
        Some(date) => format!("{text} {}", date.format("%b%y")),
        None => text.trim_end().to_string(),
    }
}

fn cell(row: &CohortRow, column: Column, cutoff: Option<chrono::NaiveDate>) -> Cell<'static> {
    let text = cell_text(row, column, cutoff);
    // The category alone decides the colour (the PERCIST cell also holds its month).
    let code = match column {
        Column::Percist | Column::Vaf => text.split(' ').next().unwrap_or_default(),
        _ => text.as_str(),
    };
    let style = match (column, code) {
        (Column::Recist | Column::Best | Column::Choi | Column::Percist, "PD" | "PMD") => {
            Style::default().fg(Color::Red)
        }
        (
            Column::Recist | Column::Best | Column::Choi | Column::Percist,
            "PR" | "CR" | "PMR" | "CMR",
        ) => Style::default().fg(Color::Green),
        (Column::Lead, t) if t != "-" => Style::default().fg(Color::LightRed),
        (Column::Mrd, "pos") => Style::default().fg(Color::Red),
        (Column::Mrd, "neg") => Style::default().fg(Color::Green),
        (Column::Discordance, t) if t != "-" => Style::default().fg(Color::Yellow),
        (Column::Status, "dead") => Style::default().fg(Color::DarkGray),
        (Column::Board, _) => Style::default().fg(Color::Magenta),
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
        if descending { " ▼" } else { " ▲" },
    );
    let title = match app.board_count() {
        0 => title,
        n => format!("{title}· {n} for the board (/board) "),
    };
    let title = match app.endotype_run_name() {
        Some(run) => format!("{title}· Endo: {run} (e) "),
        None => title,
    };
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
            Paragraph::new(match &app.filter_error {
                Some(error) => format!(
                    "The filter does not parse: {error}. Esc clears it; ? lists the fields."
                ),
                None => "No patient matches the filter (Esc clears it).".to_string(),
            })
            .wrap(ratatui::widgets::Wrap { trim: true })
            .block(block),
            area,
        );
        return;
    }
    let columns = Column::fitting(area.width);
    let header = Row::new(columns.iter().map(|c| {
        let mark = match (*c == sort_column, descending) {
            (false, _) => "",
            (true, false) => "▲",
            (true, true) => "▼",
        };
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
            Row::new(columns.iter().map(|c| cell(row, *c, app.cutoff))).style(style)
        });
    let widths: Vec<Constraint> = columns
        .iter()
        .map(|c| match c {
            Column::Diagnosis => Constraint::Min(c.width()),
            other => Constraint::Length(other.width()),
        })
        .collect();
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draw_with_nothing_detected_reads_not_detected_not_zero_percent() {
        let mut row = CohortRow {
            assessed: true,
            mean_vaf: Some((0.0, Some(Direction::Down))),
            vaf_not_detected: true,
            ..CohortRow::default()
        };
        assert_eq!(cell_text(&row, Column::Vaf, None), "n.d.↓");
        row.vaf_not_detected = false;
        row.mean_vaf = Some((0.0125, Some(Direction::Up)));
        assert_eq!(cell_text(&row, Column::Vaf, None), "1.25%↑");
        row.mean_vaf = Some((0.000_04, Some(Direction::Down)));
        assert_eq!(cell_text(&row, Column::Vaf, None), "<0.01%↓");
        row.mean_vaf = None;
        assert_eq!(cell_text(&row, Column::Vaf, None), "-");
    }

    #[test]
    fn vaf_and_ctdna_status_are_shown_with_the_month_of_their_draw() {
        let mut row = CohortRow {
            assessed: true,
            recist: Some("PD".into()),
            recist_date: chrono::NaiveDate::from_ymd_opt(2023, 7, 15),
            mean_vaf: Some((0.0048, Some(Direction::Down))),
            vaf_date: chrono::NaiveDate::from_ymd_opt(2022, 7, 3),
            ctdna_status: Some("response".into()),
            ctdna_date: chrono::NaiveDate::from_ymd_opt(2022, 7, 3),
            ..CohortRow::default()
        };
        assert_eq!(cell_text(&row, Column::Vaf, None), "0.48%↓  Jul22");
        assert_eq!(cell_text(&row, Column::Ctdna, None), "response Jul22");
        row.ctdna_status = Some("NE".into());
        assert_eq!(cell_text(&row, Column::Ctdna, None), "NE       Jul22");
        for text in ["12.34%↑ Jul22", "<0.01%↓ Jul22", "n.e.↓   Jul22"] {
            assert!(
                Column::Vaf.width() as usize >= text.chars().count(),
                "{text}"
            );
        }
        assert!(Column::Ctdna.width() as usize >= "progress Jul22".len());
        // A rise is still red with the month after it.
        row.mean_vaf = Some((0.0153, Some(Direction::Up)));
        assert!(format!("{:?}", cell(&row, Column::Vaf, None)).contains("red()"));
        // Nothing detected where nothing could be seen: not evaluable, not "n.d.".
        row.mean_vaf = Some((0.0, Some(Direction::Down)));
        row.vaf_not_detected = true;
        row.vaf_not_evaluable = true;
        assert_eq!(cell_text(&row, Column::Vaf, None), "n.e.↓   Jul22");
    }

    #[test]
    fn a_best_response_that_may_still_become_a_response_is_starred() {
        let mut row = CohortRow {
            assessed: true,
            best: Some("SD".into()),
            best_awaiting: true,
            ..CohortRow::default()
        };
        assert_eq!(cell_text(&row, Column::Best, None), "SD*");
        row.best_awaiting = false;
        assert_eq!(cell_text(&row, Column::Best, None), "SD");
    }

    #[test]
    fn percist_is_shown_with_the_month_of_its_pet() {
        let mut row = CohortRow {
            assessed: true,
            recist: Some("PD".into()),
            recist_date: chrono::NaiveDate::from_ymd_opt(2023, 7, 15),
            percist: Some("PMR".into()),
            percist_date: chrono::NaiveDate::from_ymd_opt(2022, 7, 3),
            ..CohortRow::default()
        };
        assert_eq!(cell_text(&row, Column::Percist, None), "PMR Jul22");
        assert!(Column::Percist.width() as usize >= "PMR Jul22".len());
        // Coloured by the category, as before.
        let style = |row: &CohortRow| {
            let cell = cell(row, Column::Percist, None);
            format!("{cell:?}")
        };
        assert!(style(&row).contains("green()"), "{}", style(&row));
        row.percist = Some("PMD".into());
        assert!(style(&row).contains("red()"), "{}", style(&row));
        row.percist = None;
        assert_eq!(cell_text(&row, Column::Percist, None), "-");
    }
}
