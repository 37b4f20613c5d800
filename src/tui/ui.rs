//! Drawing: `render(&app, frame)` lays out the title bar, the current screen, the status bar and the help overlay. Reads state only.

pub mod axis;
mod clusters;
mod cohort;
pub mod help;
mod patient;

use super::app::{App, Screen};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draws with `draw` on a test terminal of `width` × `height` and returns its rows as text.
#[cfg(test)]
pub(crate) fn drawn_rows(
    width: u16,
    height: u16,
    draw: impl FnOnce(&mut Frame<'_>),
) -> Vec<String> {
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height)).unwrap();
    terminal.draw(draw).unwrap();
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// Series and cluster colours, in order.
pub(crate) const PALETTE: [Color; 8] = [
    Color::Cyan,
    Color::Yellow,
    Color::Magenta,
    Color::Green,
    Color::Blue,
    Color::LightRed,
    Color::White,
    Color::LightGreen,
];

/// Smallest terminal the screens are drawn in; below it a message asks for more room.
pub const MIN_WIDTH: u16 = 30;
/// See [`MIN_WIDTH`].
pub const MIN_HEIGHT: u16 = 8;

/// Draws the whole UI from the state.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!(
                "oncotrack: terminal {}x{} is too small (at least {MIN_WIDTH}x{MIN_HEIGHT}); q quits",
                area.width, area.height
            ))
            .wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let [title, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(title_bar(app), title);
    match app.screen {
        Screen::Cohort => cohort::render(app, frame, body),
        Screen::Patient => patient::render(app, frame, body),
        Screen::Clusters => clusters::render(app, frame, body),
    }
    frame.render_widget(status_bar(app), status);
    if app.show_help {
        help::render(frame, area, app.screen);
    }
}

fn title_bar(app: &App) -> Paragraph<'static> {
    let mut spans = vec![Span::styled(
        "oncotrack ",
        Style::default().add_modifier(Modifier::BOLD),
    )];
    for (screen, label, _) in app.tabs() {
        let style = if screen == app.screen {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default().fg(Color::Gray)
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    Paragraph::new(Line::from(spans))
}

fn status_bar(app: &App) -> Paragraph<'static> {
    if app.filtering {
        return Paragraph::new(format!(
            "filter: {}_   (Enter keep, Esc clear, Ctrl-U/W delete, ↑↓ move)",
            app.filter
        ));
    }
    if let Some(message) = &app.status {
        return Paragraph::new(message.clone()).style(Style::default().fg(Color::Yellow));
    }
    let hints = match app.screen {
        Screen::Cohort => {
            "jk move  Enter open  s/S sort  / filter  [ ] patient  2 clusters  ? help  q quit"
        }
        Screen::Patient => {
            "Tab pane  jk move  z zoom  c cytokine  d days  [ ] patient  Esc back  ? help"
        }
        Screen::Clusters => "jk run  Tab view  1 cohort  r reload  Esc back  ? help  q quit",
    };
    Paragraph::new(hints).style(Style::default().fg(Color::DarkGray))
}

/// A centred rectangle of at most `width` x `height` inside `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
