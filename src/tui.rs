//! The oncologist's terminal UI (ratatui, Elm style): state in `app`, key handling in `update`, drawing in `ui`, database reads only in the run loop here.

pub mod app;
pub mod data;
pub mod ui;
pub mod update;
pub mod worker;

use crate::error::Error;
use crate::store::{Access, Store};
use app::App;
use crossterm::event::{self, Event, KeyEventKind};
use std::path::Path;
use std::time::Duration;
use update::Effect;

/// The in-memory terminal of [`snapshot`] cannot fail; its error type is not io::Error.
fn terminal_error(e: impl std::fmt::Display) -> Error {
    Error::Terminal(std::io::Error::other(e.to_string()))
}

/// Restores the terminal when dropped, also on an early return with an error.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
        let _ = ratatui::try_restore();
    }
}

/// Which screen [`snapshot`] draws.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotScreen {
    /// The cohort table.
    Cohort,
    /// One patient's screen.
    Patient(String),
    /// The clusters screen in one of its views (0 profile, 1 survival, 2 PCA).
    Clusters(usize),
}

/// Loads the database exactly as [`run`] does and draws one screen as plain text of
/// `width` x `height` cells, without a terminal: for documentation, scripts and the
/// open-time benchmark. With `assess`, the cohort's response columns are computed
/// first (the interactive UI fills them in the background after opening).
///
/// # Errors
/// When the database cannot be opened or read, or the patient does not exist.
pub fn snapshot(
    db: &Path,
    screen: &SnapshotScreen,
    width: u16,
    height: u16,
    assess: bool,
) -> crate::Result<String> {
    snapshot_for(db, screen, width, height, assess, None)
}

/// As [`snapshot`], the patient screen showing the cytokines of one assay only
/// (`tui --assay NAME`; `None`: every assay, one series per analyte and assay).
///
/// # Errors
/// As [`snapshot`].
pub fn snapshot_for(
    db: &Path,
    screen: &SnapshotScreen,
    width: u16,
    height: u16,
    assess: bool,
    assay: Option<&str>,
) -> crate::Result<String> {
    let store = Store::open(db, Access::ReadOnly)?;
    let today = chrono::Local::now().date_naive();
    let mut app = App::new(data::load_cohort(&store, today)?);
    app.cytokine_assay = assay.map(str::to_string);
    app.endotype_runs = data::cluster_run_names(&store)?;
    if assess {
        for (index, code) in app.codes().into_iter().enumerate() {
            let assessment = data::assess_row(&store, &code)?;
            app.apply_assessment(index, &code, assessment);
        }
        app.resort();
    }
    app.set_size(width, height);
    match screen {
        SnapshotScreen::Cohort => {}
        SnapshotScreen::Patient(code) => app.show_patient(data::load_patient_for(
            &store,
            code,
            app.cytokine_assay.as_deref(),
        )?),
        SnapshotScreen::Clusters(view) => {
            app.set_cluster_runs(data::load_cluster_runs(&store)?);
            app.screen = app::Screen::Clusters;
            app.cluster_view = *view;
        }
    }
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .map_err(terminal_error)?;
    terminal
        .draw(|frame| ui::render(&app, frame))
        .map_err(terminal_error)?;
    let buffer = terminal.backend().buffer();
    let lines: Vec<String> = (0..height)
        .map(|y| {
            let line: String = (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect();
            line.trim_end().to_string()
        })
        .collect();
    Ok(lines.join("\n"))
}

/// Opens the UI on the database at `db` and runs until the user quits, writing
/// reports (`p`) into the current directory. The terminal is restored on return, on
/// error and on panic (ratatui's panic hook).
///
/// # Errors
/// When the database cannot be opened or read, or the terminal fails.
pub fn run(db: &Path) -> crate::Result<()> {
    run_with(db, None, Path::new("."))
}

/// As [`run`], the patient screens showing the cytokines of one assay only (`tui --assay
/// NAME`; `None`: every assay, one series per analyte and assay), and the reports of `p`
/// written into `report_dir`.
///
/// # Errors
/// When the database cannot be opened or read, or the terminal fails.
pub fn run_with(db: &Path, assay: Option<&str>, report_dir: &Path) -> crate::Result<()> {
    let store = Store::open(db, Access::ReadOnly)?;
    let today = chrono::Local::now().date_naive();
    let mut app = App::new(data::load_cohort(&store, today)?);
    app.cytokine_assay = assay.map(str::to_string);
    // Only the run names: the runs themselves are read on the first visit of the clusters screen.
    app.endotype_runs = data::cluster_run_names(&store)?;

    let mut worker = worker::Worker::spawn(db.to_path_buf(), app.codes());

    let mut terminal = ratatui::try_init().map_err(Error::Terminal)?;
    let _guard = TerminalGuard;
    // Clicks and the wheel, as lazygit and k9s users expect (Shift-drag still selects text).
    crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)
        .map_err(Error::Terminal)?;
    loop {
        if !worker.is_finished() {
            for (index, code, result) in worker.drain() {
                match result {
                    Ok(assessment) => app.apply_assessment(index, &code, assessment),
                    Err(e) => app.status = Some(format!("assessment failed: {e}")),
                }
            }
            app.assessing = (!worker.is_finished()).then_some((worker.done, worker.total));
            if worker.is_finished() {
                app.resort();
            }
        }
        let size = terminal.size().map_err(Error::Terminal)?;
        app.set_size(size.width, size.height);
        terminal
            .draw(|frame| ui::render(&app, frame))
            .map_err(Error::Terminal)?;
        let wait = if worker.is_finished() { 250 } else { 50 };
        if !event::poll(Duration::from_millis(wait)).map_err(Error::Terminal)? {
            continue;
        }
        let action = match event::read().map_err(Error::Terminal)? {
            Event::Key(key) if key.kind == KeyEventKind::Press => update::action_for(&app, key),
            Event::Mouse(mouse) => update::action_for_mouse(&app, mouse),
            _ => None,
        };
        let Some(action) = action else {
            continue;
        };
        match update::update(&mut app, action) {
            Effect::None => {}
            Effect::Quit => break,
            Effect::OpenPatient(code) => {
                match data::load_patient_for(&store, &code, app.cytokine_assay.as_deref()) {
                    Ok(view) => app.show_patient(view),
                    Err(e) => app.status = Some(format!("cannot open {code}: {e}")),
                }
            }
            Effect::SetBoardMark(code, mark) => {
                let date = mark.then_some(today);
                match data::set_board_mark(db, &code, date) {
                    Ok(stored) => {
                        app.set_board_mark(&code, stored);
                        app.status = Some(match stored {
                            Some(day) => format!(
                                "{code} marked for the next board ({day}); /board lists them"
                            ),
                            None => format!("{code} taken off the board list"),
                        });
                    }
                    Err(e) => app.status = Some(format!("cannot mark {code}: {e}")),
                }
            }
            Effect::WriteReport(code) => {
                app.status = Some(
                    match crate::report::write_patient_html(&store, &code, report_dir) {
                        Ok(path) => format!("report of {code} written to {}", path.display()),
                        Err(e) => format!("cannot write the report of {code}: {e}"),
                    },
                );
            }
            Effect::LoadEndotypes(index, name) => match data::load_endotypes(&store, &name) {
                Ok(clusters) => {
                    app.set_endotypes(index, clusters);
                    app.status = Some(format!("Endo now shows the cluster run {name}"));
                }
                Err(e) => app.status = Some(format!("cannot read the cluster run {name}: {e}")),
            },
            Effect::LoadClusters => match data::load_cluster_runs(&store) {
                Ok(runs) => app.set_cluster_runs(runs),
                Err(e) => app.status = Some(format!("cannot read the cluster runs: {e}")),
            },
            Effect::Reload => {
                let reloaded = data::load_cohort(&store, today).and_then(|rows| {
                    let runs = if app.clusters_loaded {
                        Some(data::load_cluster_runs(&store)?)
                    } else {
                        None
                    };
                    Ok((rows, runs))
                });
                match reloaded {
                    Ok((rows, runs)) => {
                        app.replace_cohort(rows);
                        app.endotype_run = 0;
                        app.endotype_runs = data::cluster_run_names(&store).unwrap_or_default();
                        if let Some(runs) = runs {
                            app.set_cluster_runs(runs);
                        }
                        worker = worker::Worker::spawn(db.to_path_buf(), app.codes());
                        if let Some(code) = app.patient.as_ref().map(|p| p.code.clone())
                            && let Ok(view) =
                                data::load_patient_for(&store, &code, app.cytokine_assay.as_deref())
                        {
                            app.patient = Some(view);
                        }
                        app.status = Some("reloaded from the database".into());
                    }
                    Err(e) => app.status = Some(format!("reload failed: {e}")),
                }
            }
        }
    }
    Ok(())
}
