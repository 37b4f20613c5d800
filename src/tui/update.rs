//! Key presses to actions, and `update(app, action)`: every state change of the UI, without I/O (I/O is requested as an [`Effect`]).

use super::app::{App, ChartKind, Column, Pane, Screen};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

/// What the user asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Move the selection by this many rows (negative: up).
    Move(isize),
    /// Move a page up or down.
    Page(isize),
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// Open the selection.
    Open,
    /// Back one screen (never quits): `h`, `←`, Backspace.
    Back,
    /// Esc: close the help, clear the cohort's filter, or go back one screen (never quits).
    Escape,
    /// Quit (`q`; closes the help when it is open).
    Quit,
    /// Ctrl-C: quit at once, from anywhere.
    Interrupt,
    /// Toggle the help overlay.
    Help,
    /// Sort by the next column.
    SortNext,
    /// Reverse the sort.
    SortReverse,
    /// Start typing a filter.
    FilterStart,
    /// A character of the filter.
    FilterChar(char),
    /// Delete the last filter character.
    FilterBackspace,
    /// Ctrl-U: delete the whole filter text (keep typing).
    FilterClearText,
    /// Ctrl-W: delete the last word of the filter.
    FilterDeleteWord,
    /// Finish typing the filter (keep it).
    FilterDone,
    /// Clear the filter.
    FilterClear,
    /// Next pane of the patient screen.
    NextPane,
    /// Previous pane of the patient screen (Shift-Tab).
    PrevPane,
    /// Next cytokine on the chart.
    NextCytokine,
    /// Previous cytokine on the chart.
    PrevCytokine,
    /// Zoom the selected chart to the whole screen, or back.
    Zoom,
    /// Time axis: calendar dates or days since the index date.
    ToggleAxis,
    /// Open the previous (-1) or next (+1) patient of the filtered, sorted cohort.
    StepPatient(isize),
    /// Cohort: show the endotypes of the next saved cluster run.
    NextEndotypeRun,
    /// Mark the selected (or open) patient for the next board, or remove the mark.
    ToggleBoard,
    /// Write the open (or selected) patient's one-page report as HTML.
    PrintReport,
    /// A click on a cohort row (its position in the visible rows): selects it, or
    /// opens it when already selected.
    ClickRow(usize),
    /// A click on a tab of the title bar.
    ClickTab(Screen),
    /// Show the cohort.
    ShowCohort,
    /// Show the clusters.
    ShowClusters,
    /// Reload from the database.
    Reload,
}

/// I/O the run loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing.
    None,
    /// Load and show this patient.
    OpenPatient(String),
    /// Reload everything from the database.
    Reload,
    /// Load the cluster runs (first visit of the clusters screen).
    LoadClusters,
    /// Load the endotypes of cluster run number `.0` (named `.1`) into the cohort.
    LoadEndotypes(usize, String),
    /// Store the board mark of a patient: `true` marks (today), `false` removes it.
    SetBoardMark(String, bool),
    /// Write this patient's one-page HTML report into the report folder.
    WriteReport(String),
    /// Leave the UI.
    Quit,
}

/// The action a key press means in the current state, if any.
pub fn action_for(app: &App, key: KeyEvent) -> Option<Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return Some(Action::Interrupt);
    }
    if app.filtering {
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        return match key.code {
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Esc => Some(Action::FilterClear),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Char('u') if control => Some(Action::FilterClearText),
            KeyCode::Char('w') if control => Some(Action::FilterDeleteWord),
            KeyCode::Down => Some(Action::Move(1)),
            KeyCode::Up => Some(Action::Move(-1)),
            KeyCode::PageDown => Some(Action::Page(1)),
            KeyCode::PageUp => Some(Action::Page(-1)),
            KeyCode::Char(c) if !control => Some(Action::FilterChar(c)),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc => Action::Escape,
        KeyCode::Backspace => Action::Back,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Down | KeyCode::Char('j') => Action::Move(1),
        KeyCode::Up | KeyCode::Char('k') => Action::Move(-1),
        KeyCode::PageDown | KeyCode::Char('f') => Action::Page(1),
        KeyCode::PageUp | KeyCode::Char('b') => Action::Page(-1),
        KeyCode::Home | KeyCode::Char('g') => Action::Top,
        KeyCode::End | KeyCode::Char('G') => Action::Bottom,
        KeyCode::Enter | KeyCode::Char('l') | KeyCode::Right => Action::Open,
        KeyCode::Char('h') | KeyCode::Left => Action::Back,
        KeyCode::Char('s') => Action::SortNext,
        KeyCode::Char('S') => Action::SortReverse,
        KeyCode::Char('/') => Action::FilterStart,
        KeyCode::Tab => Action::NextPane,
        KeyCode::BackTab => Action::PrevPane,
        KeyCode::Char('c') => Action::NextCytokine,
        KeyCode::Char('C') => Action::PrevCytokine,
        KeyCode::Char('z') => Action::Zoom,
        KeyCode::Char('d') => Action::ToggleAxis,
        KeyCode::Char('e') => Action::NextEndotypeRun,
        KeyCode::Char('m') => Action::ToggleBoard,
        KeyCode::Char('p') => Action::PrintReport,
        KeyCode::Char('[') => Action::StepPatient(-1),
        KeyCode::Char(']') => Action::StepPatient(1),
        KeyCode::Char('1') => Action::ShowCohort,
        KeyCode::Char('2') => Action::ShowClusters,
        KeyCode::Char('r') => Action::Reload,
        _ => return None,
    })
}

/// The action a mouse event means: wheel scrolls (the cohort, or the patient's focused
/// pane), a click selects a cohort row (a second click opens it) or a title-bar tab.
pub fn action_for_mouse(app: &App, mouse: MouseEvent) -> Option<Action> {
    match mouse.kind {
        MouseEventKind::ScrollDown => Some(Action::Move(3)),
        MouseEventKind::ScrollUp => Some(Action::Move(-3)),
        MouseEventKind::Down(MouseButton::Left) if mouse.row == 0 => app
            .tabs()
            .into_iter()
            .find(|(_, label, start)| {
                (*start..*start + label.chars().count() as u16).contains(&mouse.column)
            })
            .map(|(screen, _, _)| Action::ClickTab(screen)),
        // The cohort's first row is under the title bar, the border and the header.
        MouseEventKind::Down(MouseButton::Left)
            if app.screen == Screen::Cohort && !app.show_help && mouse.row >= 3 =>
        {
            let position = app.offset + usize::from(mouse.row - 3);
            (position < app.visible.len() && usize::from(mouse.row - 3) < app.viewport)
                .then_some(Action::ClickRow(position))
        }
        _ => None,
    }
}

/// Applies an action to the state and says what I/O, if any, must follow.
pub fn update(app: &mut App, action: Action) -> Effect {
    app.status = None;
    if action == Action::Interrupt {
        return Effect::Quit;
    }
    if app.show_help {
        // Any key closes the help, q and Esc included; only Ctrl-C quits from it.
        app.show_help = false;
        return Effect::None;
    }
    match action {
        Action::Quit => return Effect::Quit,
        Action::Help => app.show_help = true,
        Action::Reload => return Effect::Reload,
        Action::ShowCohort => app.go_to(Screen::Cohort),
        Action::ShowClusters => {
            app.go_to(Screen::Clusters);
            if !app.clusters_loaded {
                return Effect::LoadClusters;
            }
        }
        Action::Escape if app.screen == Screen::Cohort => {
            if app.filter.is_empty() {
                app.status = Some("nothing to clear; q quits".into());
            } else {
                app.filter.clear();
                app.refresh_visible();
            }
        }
        Action::Escape | Action::Back if app.screen == Screen::Patient && app.zoomed => {
            app.zoomed = false;
        }
        Action::Escape | Action::Back => {
            if app.screen == Screen::Cohort {
                app.status = Some("already on the cohort; q quits".into());
            } else {
                app.go_back();
            }
        }
        Action::FilterStart if app.screen == Screen::Cohort => app.filtering = true,
        Action::FilterChar(c) => {
            app.filter.push(c);
            app.refresh_visible();
        }
        Action::FilterBackspace => {
            app.filter.pop();
            app.refresh_visible();
        }
        Action::FilterClearText => {
            app.filter.clear();
            app.refresh_visible();
        }
        Action::FilterDeleteWord => {
            let kept = app.filter.trim_end().rfind(' ').map_or(0, |i| i + 1);
            app.filter.truncate(kept);
            app.refresh_visible();
        }
        Action::FilterDone => app.filtering = false,
        Action::FilterClear => {
            app.filtering = false;
            app.filter.clear();
            app.refresh_visible();
        }
        Action::SortNext if app.screen == Screen::Cohort => {
            // Only the columns on screen: sorting by a hidden one would look random.
            let shown = Column::fitting(app.width);
            let index = shown.iter().position(|c| *c == app.sort.0).unwrap_or(0);
            app.sort = (shown[(index + 1) % shown.len()], false);
            app.refresh_visible();
        }
        Action::SortReverse if app.screen == Screen::Cohort => {
            app.sort.1 = !app.sort.1;
            app.refresh_visible();
        }
        Action::NextPane | Action::PrevPane if app.screen == Screen::Patient => {
            let order = [Pane::Charts, Pane::Responses, Pane::Trends];
            let at = order.iter().position(|p| *p == app.pane).unwrap_or(0);
            let step = if action == Action::NextPane { 1 } else { 2 };
            app.pane = order[(at + step) % order.len()];
            app.zoomed = false;
        }
        Action::NextPane | Action::PrevPane if app.screen == Screen::Clusters => {
            let step = if action == Action::NextPane { 1 } else { 2 };
            app.cluster_view = (app.cluster_view + step) % 3;
        }
        Action::NextCytokine | Action::PrevCytokine if app.screen == Screen::Patient => {
            let count = app.patient.as_ref().map_or(0, |p| p.cytokines.len());
            app.cytokine = match (count, action == Action::NextCytokine) {
                (0, _) => 0,
                (n, true) => (app.cytokine + 1) % n,
                (n, false) => (app.cytokine + n - 1) % n,
            };
            app.chart_selected = ChartKind::ALL
                .iter()
                .position(|c| *c == ChartKind::Cytokine)
                .unwrap_or(0);
        }
        Action::Zoom if app.screen == Screen::Patient => {
            app.zoomed = !app.zoomed;
            app.pane = Pane::Charts;
        }
        Action::Open if app.screen == Screen::Patient && app.pane == Pane::Charts => {
            app.zoomed = !app.zoomed;
        }
        Action::ToggleAxis if app.screen == Screen::Patient => app.axis_days = !app.axis_days,
        Action::ClickRow(position) => {
            if position == app.selected
                && let Some(row) = app.selected_row()
            {
                return Effect::OpenPatient(row.code.clone());
            }
            app.select(position);
        }
        Action::ClickTab(Screen::Cohort) => app.go_to(Screen::Cohort),
        Action::ClickTab(Screen::Clusters) => return update(app, Action::ShowClusters),
        Action::ClickTab(Screen::Patient) => {
            if app.patient.is_some() {
                app.go_to(Screen::Patient);
            } else {
                app.status = Some("no patient open yet: select one and press Enter".into());
            }
        }
        Action::ToggleBoard if app.screen != Screen::Clusters => {
            let code = match app.screen {
                Screen::Patient => app.patient.as_ref().map(|p| p.code.clone()),
                _ => app.selected_row().map(|r| r.code.clone()),
            };
            if let Some(code) = code {
                let marked = app.board_mark(&code).is_some();
                return Effect::SetBoardMark(code, !marked);
            }
        }
        Action::PrintReport if app.screen != Screen::Clusters => {
            let code = match app.screen {
                Screen::Patient => app.patient.as_ref().map(|p| p.code.clone()),
                _ => app.selected_row().map(|r| r.code.clone()),
            };
            match code {
                Some(code) => return Effect::WriteReport(code),
                None => app.status = Some("no patient selected: nothing to print".into()),
            }
        }
        Action::NextEndotypeRun if app.screen == Screen::Cohort => {
            if app.endotype_runs.len() < 2 {
                app.status = Some(match app.endotype_runs.first() {
                    Some(name) => format!("Endo shows the only cluster run, {name}"),
                    None => "no cluster run saved: `oncotrack cluster` makes one".into(),
                });
            } else {
                let next = (app.endotype_run + 1) % app.endotype_runs.len();
                return Effect::LoadEndotypes(next, app.endotype_runs[next].clone());
            }
        }
        Action::StepPatient(step) if app.screen != Screen::Clusters => {
            let target = app.selected as isize + step;
            if target >= 0 && (target as usize) < app.visible.len() {
                app.select(target as usize);
                if let Some(row) = app.selected_row() {
                    return Effect::OpenPatient(row.code.clone());
                }
            }
            app.status = Some(if step < 0 {
                "first patient of the list".into()
            } else {
                "last patient of the list".into()
            });
        }
        Action::Open if app.screen == Screen::Cohort => {
            if let Some(row) = app.selected_row() {
                return Effect::OpenPatient(row.code.clone());
            }
        }
        Action::Move(_) | Action::Page(_) | Action::Top | Action::Bottom => {
            move_selection(app, &action)
        }
        _ => {}
    }
    Effect::None
}

/// A position moved by `action` in a list of `len` items, `page` items per page.
fn step_in(action: &Action, current: usize, len: usize, page: isize) -> usize {
    let last = len.saturating_sub(1) as isize;
    let target = match action {
        Action::Move(d) => current as isize + d,
        Action::Page(d) => current as isize + d * page,
        Action::Top => 0,
        _ => last,
    };
    target.clamp(0, last.max(0)) as usize
}

fn move_selection(app: &mut App, action: &Action) {
    let step = |current: usize, len: usize| -> usize {
        let last = len.saturating_sub(1) as isize;
        let target = match action {
            Action::Move(d) => current as isize + d,
            Action::Page(d) => current as isize + d * app.viewport as isize,
            Action::Top => 0,
            _ => last,
        };
        target.clamp(0, last.max(0)) as usize
    };
    match app.screen {
        Screen::Cohort => {
            let position = step(app.selected, app.visible.len());
            app.select(position);
        }
        Screen::Patient => match app.pane {
            Pane::Charts => {
                let position = match action {
                    Action::Move(d) | Action::Page(d) => app.chart_selected as isize + d,
                    Action::Top => 0,
                    _ => ChartKind::ALL.len() as isize - 1,
                };
                app.chart_selected = position.clamp(0, ChartKind::ALL.len() as isize - 1) as usize;
            }
            Pane::Responses => {
                let len = app.patient.as_ref().map_or(0, |p| p.responses.len());
                app.response_selected = step_in(action, app.response_selected, len, 5);
            }
            Pane::Trends => {
                let len = app.patient.as_ref().map_or(0, |p| p.trends.len());
                app.trends_scroll = step_in(action, app.trends_scroll, len, 3);
            }
        },
        Screen::Clusters => {
            app.run_selected = step(app.run_selected, app.cluster_runs.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::data::CohortRow;
    use crossterm::event::KeyEvent;

    fn row(code: &str, diagnosis: &str, age: Option<i32>) -> CohortRow {
        CohortRow {
            code: code.into(),
            diagnosis: diagnosis.into(),
            age,
            alive: true,
            assessed: true,
            ..CohortRow::default()
        }
    }

    fn app(n: usize) -> App {
        let rows = (1..=n)
            .map(|i| {
                row(
                    &format!("P{i:03}"),
                    if i % 2 == 0 {
                        "Ewing sarcoma"
                    } else {
                        "osteosarcoma"
                    },
                    Some(60 - i as i32),
                )
            })
            .collect();
        let mut app = App::new(rows);
        app.viewport = 5;
        app.width = 200;
        app
    }

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    /// Presses a key: maps it in the current state, then updates.
    fn press(app: &mut App, code: KeyCode) -> Effect {
        let action = action_for(app, key(code)).expect("key is bound");
        update(app, action)
    }

    #[test]
    fn vim_keys_and_arrows_move_and_scroll_the_selection() {
        let mut a = app(20);
        for _ in 0..7 {
            press(&mut a, KeyCode::Char('j'));
        }
        assert_eq!(
            (a.selected, a.offset),
            (7, 3),
            "selection stays in the viewport"
        );
        press(&mut a, KeyCode::Up);
        assert_eq!(a.selected, 6);
        update(&mut a, Action::Bottom);
        assert_eq!((a.selected, a.offset), (19, 15));
        update(&mut a, Action::Page(1));
        assert_eq!(a.selected, 19, "clamped at the end");
        update(&mut a, Action::Top);
        assert_eq!((a.selected, a.offset), (0, 0));
    }

    #[test]
    fn typing_a_filter_narrows_rows_and_esc_clears_it() {
        let mut a = app(10);
        press(&mut a, KeyCode::Char('/'));
        assert!(a.filtering);
        for c in "ewing".chars() {
            // While filtering, q and j are text, not commands.
            press(&mut a, KeyCode::Char(c));
        }
        assert_eq!(a.visible.len(), 5);
        assert_eq!(
            action_for(&a, key(KeyCode::Char('q'))),
            Some(Action::FilterChar('q'))
        );
        press(&mut a, KeyCode::Esc);
        assert!(!a.filtering);
        assert_eq!(a.visible.len(), 10);
    }

    #[test]
    fn sort_cycles_columns_and_reverses() {
        let mut a = app(3);
        update(&mut a, Action::SortNext); // Diagnosis
        assert_eq!(a.selected_row().unwrap().diagnosis, "Ewing sarcoma");
        update(&mut a, Action::SortNext); // Age
        assert_eq!(a.selected_row().unwrap().code, "P003", "youngest first");
        update(&mut a, Action::SortReverse);
        assert_eq!(a.selected_row().unwrap().code, "P001");
    }

    #[test]
    fn sorting_puts_categories_in_clinical_order_and_missing_values_last() {
        let mut a = app(5);
        for (row, recist) in
            a.cohort
                .iter_mut()
                .zip([Some("PD"), Some("CR"), None, Some("SD"), Some("PR")])
        {
            row.recist = recist.map(String::from);
        }
        a.sort = (Column::Recist, false);
        a.refresh_visible();
        let order = |a: &App| -> Vec<String> {
            a.visible
                .iter()
                .map(|i| a.cohort[*i].recist.clone().unwrap_or("-".into()))
                .collect()
        };
        assert_eq!(order(&a), ["CR", "PR", "SD", "PD", "-"]);
        update(&mut a, Action::SortReverse);
        assert_eq!(
            order(&a),
            ["PD", "SD", "PR", "CR", "-"],
            "S reverses, '-' stays last"
        );
    }

    #[test]
    fn e_switches_the_endotype_run_the_cohort_shows() {
        let mut a = app(3);
        assert_eq!(update(&mut a, Action::NextEndotypeRun), Effect::None);
        assert!(a.status.as_deref().unwrap().contains("no cluster run"));
        a.endotype_runs = vec!["new".into(), "old".into()];
        assert_eq!(
            update(&mut a, Action::NextEndotypeRun),
            Effect::LoadEndotypes(1, "old".into())
        );
        a.set_endotypes(1, vec![("P002".into(), 4)]);
        assert_eq!(a.endotype_run_name(), Some("old"));
        let endo: Vec<Option<i64>> = a.cohort.iter().map(|r| r.endotype).collect();
        assert_eq!(endo, [None, Some(4), None]);
    }

    #[test]
    fn mouse_clicks_select_rows_and_tabs_and_the_wheel_scrolls() {
        let mut a = app(10);
        let click = |column, row| MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        };
        let action = action_for_mouse(&a, click(5, 5)).unwrap();
        assert_eq!(action, Action::ClickRow(2));
        update(&mut a, action);
        assert_eq!(a.selected, 2);
        let again = action_for_mouse(&a, click(5, 5)).unwrap();
        assert_eq!(update(&mut a, again), Effect::OpenPatient("P003".into()));
        assert_eq!(action_for_mouse(&a, click(5, 40)), None, "below the rows");
        // "oncotrack  1 Cohort   Patient   2 Clusters": the clusters tab.
        let tab = action_for_mouse(&a, click(34, 0)).unwrap();
        assert_eq!(tab, Action::ClickTab(Screen::Clusters));
        assert_eq!(update(&mut a, tab), Effect::LoadClusters);
        let wheel = MouseEvent {
            kind: MouseEventKind::ScrollDown,
            ..click(0, 0)
        };
        assert_eq!(action_for_mouse(&a, wheel), Some(Action::Move(3)));
    }

    #[test]
    fn m_toggles_the_board_mark_of_the_selected_or_open_patient() {
        let mut a = app(3);
        update(&mut a, Action::Move(1));
        assert_eq!(
            press(&mut a, KeyCode::Char('m')),
            Effect::SetBoardMark("P002".into(), true)
        );
        let day = crate::model::parse_date("2026-12-01").unwrap();
        a.set_board_mark("P002", Some(day));
        assert_eq!(a.board_count(), 1);
        a.show_patient(crate::tui::data::PatientView {
            code: "P002".into(),
            ..Default::default()
        });
        assert_eq!(
            update(&mut a, Action::ToggleBoard),
            Effect::SetBoardMark("P002".into(), false),
            "marked already: m removes it"
        );
    }

    #[test]
    fn s_cycles_only_the_columns_on_screen() {
        let mut a = app(3);
        a.width = 80;
        let shown = Column::fitting(80);
        for _ in 0..shown.len() {
            update(&mut a, Action::SortNext);
            assert!(shown.contains(&a.sort.0), "{:?}", a.sort.0);
        }
        assert_eq!(a.sort.0, Column::Id, "back to the first");
    }

    #[test]
    fn column_filters_narrow_and_a_bad_one_says_why() {
        let mut a = app(10);
        a.cohort[3].alive = false;
        a.cohort[3].lead_days = Some(40);
        update(&mut a, Action::FilterStart);
        for c in "status:dead lead>0".chars() {
            update(&mut a, Action::FilterChar(c));
        }
        assert_eq!(a.visible.len(), 1);
        assert_eq!(a.selected_row().unwrap().code, "P004");
        update(&mut a, Action::FilterClearText);
        for c in "colour:red".chars() {
            update(&mut a, Action::FilterChar(c));
        }
        assert!(a.visible.is_empty());
        assert!(
            a.filter_error
                .as_deref()
                .unwrap()
                .contains("unknown field 'colour'")
        );
    }

    #[test]
    fn enter_opens_the_selected_patient_esc_goes_back_and_only_q_quits() {
        let mut a = app(3);
        update(&mut a, Action::Move(1));
        assert_eq!(
            update(&mut a, Action::Open),
            Effect::OpenPatient("P002".into())
        );
        a.show_patient(crate::tui::data::PatientView::default());
        assert_eq!(a.screen, Screen::Patient);
        update(&mut a, Action::NextPane);
        assert_eq!(a.pane, Pane::Responses);
        assert_eq!(press(&mut a, KeyCode::Esc), Effect::None);
        assert_eq!(a.screen, Screen::Cohort);
        // On the cohort, Esc, h, ← and Backspace never quit.
        for code in [
            KeyCode::Esc,
            KeyCode::Char('h'),
            KeyCode::Left,
            KeyCode::Backspace,
        ] {
            assert_eq!(press(&mut a, code), Effect::None, "{code:?}");
            assert_eq!(a.screen, Screen::Cohort);
        }
        assert_eq!(press(&mut a, KeyCode::Char('q')), Effect::Quit);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&a, ctrl_c), Some(Action::Interrupt));
        update(&mut a, Action::Help);
        assert_eq!(update(&mut a, Action::Interrupt), Effect::Quit);
    }

    #[test]
    fn back_returns_to_the_screen_before() {
        let mut a = app(3);
        a.show_patient(crate::tui::data::PatientView::default());
        update(&mut a, Action::ShowClusters);
        assert_eq!(a.screen, Screen::Clusters);
        press(&mut a, KeyCode::Char('h'));
        assert_eq!(
            a.screen,
            Screen::Patient,
            "back to the patient, not the cohort"
        );
        press(&mut a, KeyCode::Left);
        assert_eq!(a.screen, Screen::Cohort);
    }

    #[test]
    fn esc_after_a_filter_clears_it_and_keeps_the_ui_open() {
        let mut a = app(10);
        press(&mut a, KeyCode::Char('/'));
        for c in "ewing".chars() {
            press(&mut a, KeyCode::Char(c));
        }
        press(&mut a, KeyCode::Enter);
        assert_eq!((a.filtering, a.visible.len()), (false, 5), "Enter keeps it");
        assert_eq!(press(&mut a, KeyCode::Esc), Effect::None);
        assert_eq!((a.filter.as_str(), a.visible.len()), ("", 10));
        assert_eq!(press(&mut a, KeyCode::Esc), Effect::None, "and again");
    }

    #[test]
    fn ctrl_u_ctrl_w_edit_and_arrows_move_while_typing() {
        let mut a = app(10);
        press(&mut a, KeyCode::Char('/'));
        for c in "ewing sar".chars() {
            press(&mut a, KeyCode::Char(c));
        }
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let action = action_for(&a, ctrl('w')).unwrap();
        update(&mut a, action);
        assert_eq!(a.filter, "ewing ");
        press(&mut a, KeyCode::Down);
        assert_eq!((a.filtering, a.selected), (true, 1));
        let action = action_for(&a, ctrl('u')).unwrap();
        update(&mut a, action);
        assert_eq!((a.filter.as_str(), a.filtering), ("", true));
    }

    #[test]
    fn help_toggles_and_any_key_closes_it() {
        let mut a = app(1);
        update(&mut a, Action::Help);
        assert!(a.show_help);
        assert_eq!(
            update(&mut a, Action::Quit),
            Effect::None,
            "q closes help, does not quit"
        );
        assert!(!a.show_help);
        update(&mut a, Action::Help);
        assert_eq!(update(&mut a, Action::Escape), Effect::None);
        assert!(!a.show_help);
        assert_eq!(update(&mut a, Action::Reload), Effect::Reload);
    }

    #[test]
    fn cluster_runs_load_on_the_first_visit_only() {
        let mut a = app(2);
        assert_eq!(update(&mut a, Action::ShowClusters), Effect::LoadClusters);
        a.set_cluster_runs(Vec::new());
        update(&mut a, Action::ShowCohort);
        assert_eq!(update(&mut a, Action::ShowClusters), Effect::None);
        assert_eq!(a.screen, Screen::Clusters);
    }

    #[test]
    fn empty_cohort_never_panics() {
        let mut a = App::new(Vec::new());
        for action in [
            Action::Move(1),
            Action::Bottom,
            Action::Page(-1),
            Action::Open,
            Action::SortNext,
            Action::NextCytokine,
        ] {
            update(&mut a, action);
        }
        assert_eq!(a.selected, 0);
    }
}
