//! The help overlay: every key.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Every key, as the help overlay lists it.
pub const KEYS: &[(&str, &str)] = &[
    ("↑ ↓  j k", "move the selection"),
    ("PgUp PgDn  b f", "page up / down"),
    ("Home End  g G", "first / last row"),
    ("Enter  l  →", "open the selected patient"),
    ("Esc", "close help, clear the filter, or back one screen"),
    ("h  ←  Backspace", "back to the last screen (never quits)"),
    ("q", "quit (closes the help when it is open)"),
    ("Ctrl-C", "quit at once"),
    ("s / S", "sort by the next column / reverse"),
    (
        "/",
        "filter by ID, diagnosis, endotype (e2), category; Enter keeps, Esc clears",
    ),
    ("Tab", "patient: next pane (charts, responses, trends)"),
    ("c", "patient: next cytokine on the chart"),
    ("1 / 2", "cohort / clusters screen"),
    ("r", "reload from the database"),
    ("?", "this help (any key closes it)"),
];

/// Draws the help overlay over `area`.
pub fn render(frame: &mut Frame, area: Rect) {
    let height = KEYS.len() as u16 + 2;
    let rect = super::centered(area, 76, height);
    let text: Vec<String> = KEYS
        .iter()
        .map(|(keys, what)| format!("{keys:<16} {what}"))
        .collect();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(text.join("\n"))
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" Keys ")),
        rect,
    );
}
