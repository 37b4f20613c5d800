//! The help overlay: every key of the current screen, then what its abbreviations and colours mean; any key closes it.

use crate::tui::app::Screen;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Keys every screen has.
const COMMON: &[(&str, &str)] = &[
    (
        "Esc",
        "close help, clear the filter, or back one screen (never quits)",
    ),
    ("h ← Backspace", "back to the last screen (never quits)"),
    (
        "1 / 2  r",
        "cohort / clusters screen; r reloads from the database",
    ),
    ("?  q  Ctrl-C", "this help; q and Ctrl-C quit"),
];

/// The keys of one screen, in the order the help lists them (common keys last).
pub fn keys(screen: Screen) -> Vec<(&'static str, &'static str)> {
    let own: &[(&str, &str)] = match screen {
        Screen::Cohort => &[
            ("↑ ↓  j k", "move the selection"),
            (
                "PgUp PgDn  b f",
                "page up / down; Home End g G: first / last row",
            ),
            ("Enter l →", "open the selected patient"),
            ("[ ]", "open the previous / next patient"),
            ("s / S", "sort by the next column / reverse (▲ ▼ mark it)"),
            ("/", "filter; Enter keeps, Esc clears, Ctrl-U/W delete"),
            ("e", "Endo column: the next saved cluster run"),
            (
                "m  p",
                "board mark on / off (B ●, /board lists) / write its report",
            ),
        ],
        Screen::Patient => &[
            ("Tab  Shift-Tab", "focus the next / previous pane"),
            (
                "↑ ↓  j k",
                "charts: select a chart; responses: row; trends: scroll",
            ),
            ("PgUp PgDn  g G", "page, first, last in the focused pane"),
            (
                "z  Enter",
                "zoom the selected chart to the screen (again: back)",
            ),
            ("c / C", "next / previous cytokine"),
            ("d", "time axis: calendar dates or days since index"),
            ("[ ]", "previous / next patient of the cohort list"),
            ("m", "mark / unmark this patient for the next board"),
            (
                "p",
                "write this patient's one-page report (HTML) and say where",
            ),
        ],
        Screen::Clusters => &[
            ("↑ ↓  j k", "select a cluster run"),
            ("Tab  Shift-Tab", "profile / survival / PCA view"),
        ],
    };
    own.iter().chain(COMMON).copied().collect()
}

/// What the abbreviations and colours of one screen mean.
pub fn notes(screen: Screen) -> Vec<String> {
    match screen {
        Screen::Cohort => vec![
            "/ words match ID and diagnosis; field terms: status:dead recist:PD dx:ewing".into(),
            "  best:PR ctdna:prog endo:2 disc disc:m lead>0 age<40 since>90; ! negates".into(),
            "Best: RECIST best overall response. Assessed: date of the latest RECIST.".into(),
            "Disc: RECIST disagrees with C Choi, M ctDNA, P PET. Lead: days ctDNA PD came".into(),
            "  before RECIST PD. Since: days from last contact to the newest date stored.".into(),
            "Days: index to death/last contact. MRD: latest test pos/neg/und (mrd:pos).".into(),
            "Red PD/PMD, rising VAF ↑; green CR/PR; CR<PR<SD<PD<NE. … computing, - no data.".into(),
        ],
        Screen::Patient => vec![
            "Events: D diagnosis, T/t treatment start/end, S surgery, R radiotherapy,".into(),
            "  P progression or relapse, † death, | last contact.".into(),
            "• <LOD: below the limit of detection, in the series' colour; line broken.".into(),
            "┈ RECIST: PD at +20 % and +5 mm over the nadir, PR at -30 % from baseline.".into(),
            "Yellow response rows are discordant with another criterion.".into(),
        ],
        Screen::Clusters => vec![
            "Profile: mean z-score per cluster (red above, blue below the cohort).".into(),
            "Survival: Kaplan–Meier, + censored, numbers at risk under the axis.".into(),
        ],
    }
}

/// Draws the help overlay of `screen` over `area`.
pub fn render(frame: &mut Frame, area: Rect, screen: Screen) {
    let keys = keys(screen);
    let notes = notes(screen);
    let height = (keys.len() + notes.len() + 2) as u16 + 2;
    let rect = super::centered(area, 80, height);
    let mut lines: Vec<Line> = keys
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!("{keys:<15} "), Style::default().fg(Color::Cyan)),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.extend(
        notes
            .into_iter()
            .map(|n| Line::styled(n, Style::default().fg(Color::Gray))),
    );
    lines.push(Line::styled(
        "any key closes this help",
        Style::default().fg(Color::DarkGray),
    ));
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" Keys ")),
        rect,
    );
}
