//! The terminal UI: render tests on ratatui's TestBackend for each screen and edge case, and one end-to-end run of the real binary in tmux.

use chrono::NaiveDate;
use oncotrack::model::EventKind;
use oncotrack::tui::app::{App, Screen};
use oncotrack::tui::data::{
    ClusterView, CohortRow, EventMark, PatientView, Point, ResponseRow, Series, SurvivalCurve,
};
use oncotrack::tui::ui::render;
use oncotrack::tui::update::{Action, update};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| render(app, frame)).unwrap();
    let buffer = terminal.backend().buffer();
    (0..height)
        .map(|y| {
            (0..width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn date(text: &str) -> NaiveDate {
    oncotrack::model::parse_date(text).unwrap()
}

fn row(code: &str) -> CohortRow {
    CohortRow {
        code: code.into(),
        diagnosis: "synovial sarcoma".into(),
        age: Some(31),
        days_since_diagnosis: Some(400),
        last_visit: Some(date("2025-02-01")),
        mean_vaf: Some((0.0123, Some(oncotrack::tui::data::Direction::Up))),
        recist: Some("SD".into()),
        percist: Some("PMR".into()),
        choi: Some("PR".into()),
        ctdna_status: Some("progression".into()),
        endotype: Some(3),
        alive: true,
        assessed: true,
        best: Some("PR".into()),
        discordance: Some("CM".into()),
        lead_days: Some(42),
        ..CohortRow::default()
    }
}

fn patient() -> PatientView {
    let day = |d: f64, v: f64, censored: bool| Point {
        day: d,
        value: v,
        censored,
    };
    PatientView {
        code: "P042".into(),
        diagnosis: "synovial sarcoma".into(),
        index_date: Some(date("2024-01-01")),
        treatment_lines: vec!["line 1: doxorubicin-ifosfamide".into()],
        death_date: None,
        events: vec![
            EventMark {
                date: date("2024-01-01"),
                day: 0.0,
                kind: EventKind::Diagnosis,
                detail: String::new(),
            },
            EventMark {
                date: date("2024-06-01"),
                day: 152.0,
                kind: EventKind::Progression,
                detail: String::new(),
            },
        ],
        ctdna: vec![Series {
            name: "mean VAF".into(),
            unit: "VAF".into(),
            points: vec![
                day(5.0, 0.02, false),
                day(90.0, 0.001, true),
                day(150.0, 0.05, false),
            ],
        }],
        recist_sum: Some(Series {
            name: "sum".into(),
            unit: "mm".into(),
            points: vec![day(5.0, 60.0, false), day(150.0, 80.0, false)],
        }),
        responses: vec![ResponseRow {
            date: date("2024-06-01"),
            criterion: "recist".into(),
            category: "PD".into(),
            reason: "PD: sum 80 mm is +33 % over nadir 60 mm and +20 mm".into(),
            discordant: true,
        }],
        trends: vec!["mean VAF: doubling time 31 days".into()],
        ..PatientView::default()
    }
}

#[test]
fn cohort_screen_shows_counts_columns_and_categories() {
    let app = App::new(vec![row("P001"), row("P002")]);
    let text = screen(&app, 120, 20);
    assert!(text.contains("Cohort: 2 patients"), "{text}");
    for needle in [
        "ID▲",
        "Diagnosis",
        "RECIST",
        "PERCIST",
        "Choi",
        "ctDNA",
        "Endo",
        "P002",
        "1.23%↑",
        "PMR",
        "E3",
        "alive",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
}

#[test]
fn cohort_screen_at_80x24_keeps_the_key_columns() {
    let app = App::new(vec![row("P001")]);
    let text = screen(&app, 80, 24);
    for needle in [
        "ID", "VAF", "RECIST", "Best", "Disc", "Lead", "Since", "Status", "P001", "42d", "CM",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
}

#[test]
fn only_visible_rows_are_drawn_and_the_selection_follows() {
    let mut app = App::new((1..=500).map(|i| row(&format!("P{i:04}"))).collect());
    app.set_viewport(20);
    update(&mut app, Action::Bottom);
    let text = screen(&app, 100, 20);
    assert!(text.contains("P0500") && !text.contains("P0001"), "{text}");
}

#[test]
fn empty_database_and_empty_filter_show_messages() {
    let app = App::new(Vec::new());
    assert!(screen(&app, 80, 24).contains("No patients in this database yet"));
    let mut app = App::new(vec![row("P001")]);
    update(&mut app, Action::FilterStart);
    for c in "zzz".chars() {
        update(&mut app, Action::FilterChar(c));
    }
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("No patient matches the filter") && text.contains("filter: zzz_"),
        "{text}"
    );
}

#[test]
fn patient_screen_draws_charts_events_responses_and_trends() {
    let mut app = App::new(vec![row("P042")]);
    app.show_patient(patient());
    let text = screen(&app, 120, 40);
    for needle in [
        "P042",
        "index date 2024-01-01",
        "ctDNA VAF",
        "RECIST sum (mm)",
        "PD at 72.0 mm (nadir 60.0 +20 %, +5 mm)",
        "PR at 42.0 mm (baseline 60.0 -30 %)",
        "• <LOD",
        "no PET for this patient",
        "no cytokine panel for this patient",
        "discordant",
        "PD",
        "doubling time 31 days",
        "2024-03",
        "1%┤",
        "0.1%┤",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    update(&mut app, Action::NextPane);
    let text = screen(&app, 120, 40);
    assert!(
        text.contains("+33 % over nadir"),
        "the selected row's reason is shown:\n{text}"
    );
}

/// The columns of a line where `needle` starts, in cells (not bytes).
fn column_of(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|i| line[..i].chars().count())
}

#[test]
fn charts_and_the_event_strip_share_one_time_axis() {
    let mut app = App::new(vec![row("P042")]);
    app.show_patient(patient());
    let text = screen(&app, 100, 40);
    let lines: Vec<&str> = text.lines().collect();
    // Every chart's y axis and the event strip's corner sit in the same column.
    let axis_columns: Vec<usize> = lines
        .iter()
        .filter_map(|l| {
            column_of(l, "┤").or_else(|| l.contains("events").then(|| column_of(l, "└"))?)
        })
        .collect();
    assert!(axis_columns.len() >= 4, "{text}");
    assert!(
        axis_columns.iter().all(|c| *c == axis_columns[0]),
        "{axis_columns:?}\n{text}"
    );
    // Diagnosis (day 0) is at the first plot column, progression (day 152) at the
    // column of the last points (day 150 of 152).
    let strip = lines.iter().find(|l| l.contains("events")).unwrap();
    assert_eq!(column_of(strip, "D"), Some(axis_columns[0] + 1), "{strip}");
}

#[test]
fn patient_screen_at_80x24_loses_nothing_scrolls_and_zooms() {
    let mut app = App::new(vec![row("P042")]);
    app.show_patient(patient());
    let text = screen(&app, 80, 24);
    for needle in [
        "P042",
        "ctDNA VAF",
        "charts 1–",
        "events",
        "Response 1/1",
        "Trends",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    // j moves to the next charts; the RECIST chart comes into view.
    update(&mut app, Action::Move(1));
    update(&mut app, Action::Move(1));
    let text = screen(&app, 80, 24);
    assert!(text.contains("▶ RECIST sum (mm)"), "{text}");
    // z zooms it to the whole screen, with the shared axis and the event legend.
    update(&mut app, Action::Zoom);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("RECIST sum (mm) · chart 3/4") && text.contains("P progression"),
        "{text}"
    );
    assert!(
        !text.contains("Response 1/1"),
        "zoom hides the other panes:\n{text}"
    );
    update(&mut app, Action::Escape);
    assert!(
        !app.zoomed && app.screen == Screen::Patient,
        "Esc leaves the zoom first"
    );
    // Tab focuses the responses: the pane grows and shows the whole reason.
    update(&mut app, Action::NextPane);
    let text = screen(&app, 80, 24);
    assert!(text.contains("reason") && text.contains("+20 mm"), "{text}");
}

#[test]
fn every_screen_draws_at_every_size_without_panicking() {
    let mut app = App::new(vec![row("P042"), row("P043")]);
    app.show_patient(patient());
    app.set_cluster_runs(vec![ClusterView {
        name: "run".into(),
        sizes: vec![(1, 1), (2, 1)],
        features: vec!["CXCL12".into()],
        profile: vec![vec![1.0], vec![f64::NAN]],
        pca: vec![(0.0, 0.0, 1), (1.0, 1.0, 2)],
        survival: vec![SurvivalCurve {
            cluster: 1,
            steps: vec![(0.0, 1.0), (3.0, 0.0)],
            times: vec![3.0],
            ..SurvivalCurve::default()
        }],
        logrank_p: Some(0.0),
        logrank_caution: None,
        ..ClusterView::default()
    }]);
    let states: Vec<fn(&mut App)> = vec![
        |a| a.screen = Screen::Cohort,
        |a| a.screen = Screen::Patient,
        |a| a.zoomed = true,
        |a| {
            a.zoomed = false;
            update(a, Action::NextPane);
        },
        |a| {
            update(a, Action::NextPane);
        },
        |a| a.screen = Screen::Clusters,
        |a| a.cluster_view = 1,
        |a| a.cluster_view = 2,
        |a| a.show_help = true,
        |a| {
            // No index date (days on the axis), one point, no events.
            let mut view = patient();
            view.index_date = None;
            view.events.clear();
            view.ctdna[0].points.truncate(1);
            a.show_help = false;
            a.screen = Screen::Cohort;
            a.show_patient(view);
        },
        |a| a.zoomed = true,
    ];
    for state in &states {
        state(&mut app);
        for (width, height) in [
            (20, 5),
            (30, 8),
            (40, 12),
            (60, 20),
            (80, 24),
            (120, 40),
            (200, 60),
        ] {
            screen(&app, width, height);
        }
    }
}

#[test]
fn cohort_shows_pending_columns_apart_from_missing_ones() {
    let mut pending = row("P001");
    pending.assessed = false;
    let mut none = row("P002");
    none.recist = None;
    let app = App::new(vec![pending, none]);
    let text = screen(&app, 120, 10);
    let p1 = text.lines().find(|l| l.contains("P001")).unwrap();
    let p2 = text.lines().find(|l| l.contains("P002")).unwrap();
    assert!(p1.contains('…') && !p1.contains("PMR"), "{p1}");
    assert!(p2.contains(" - ") && !p2.contains('…'), "{p2}");
}

#[test]
fn patient_with_one_visit_and_no_ctdna_renders_a_message() {
    let mut app = App::new(vec![row("P001")]);
    let mut view = PatientView {
        code: "P001".into(),
        diagnosis: "UPS".into(),
        ..PatientView::default()
    };
    view.events.push(EventMark {
        date: date("2024-01-01"),
        day: 0.0,
        kind: EventKind::Diagnosis,
        detail: String::new(),
    });
    app.show_patient(view);
    let text = screen(&app, 80, 24);
    for needle in [
        "no ctDNA for this patient",
        "no PET for this patient",
        "no lesion measurements (RECIST)",
        "no cytokine panel",
        "No response assessment yet",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
}

#[test]
fn clusters_screen_with_no_run_and_with_one_cluster() {
    let mut app = App::new(vec![row("P001")]);
    update(&mut app, Action::ShowClusters);
    assert_eq!(app.screen, Screen::Clusters);
    assert!(screen(&app, 80, 24).contains("Reading the cluster runs"));
    app.set_cluster_runs(Vec::new());
    assert!(screen(&app, 80, 24).contains("No cluster runs saved yet"));
    app.cluster_runs = vec![ClusterView {
        name: "endotypes-v1".into(),
        created_at: "2026-11-28T08:00:00Z".into(),
        sizes: vec![(1, 40)],
        features: vec!["IL6".into(), "CXCL5".into()],
        profile: vec![vec![0.0, 0.0]],
        pca: vec![(0.1, 0.2, 1), (-0.3, 0.5, 1)],
        survival: vec![SurvivalCurve {
            cluster: 1,
            steps: vec![(0.0, 1.0), (12.0, 0.8), (24.0, 0.6)],
            median: None,
            censored: vec![18.0],
            times: vec![6.0, 12.0, 18.0, 24.0, 30.0],
        }],
        logrank_p: None,
        logrank_caution: None,
    }];
    let mut text = String::new();
    for _ in 0..3 {
        text.push_str(&screen(&app, 80, 24));
        update(&mut app, Action::NextPane);
    }
    for needle in [
        "endotypes-v1",
        "E1 n=40",
        "one cluster",
        "CXCL5",
        "IL6",
        "PCA",
        "Kaplan",
        "NR",
        "months",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
    // Numbers at risk at 0 and 12 months (5 and 4 of the times), a censor mark.
    assert!(text.contains("E1     5     "), "{text}");
    assert!(text.contains('+'), "{text}");
}

#[test]
fn clusters_screen_shows_full_analyte_names_and_readable_p_values() {
    let mut app = App::new(vec![row("P001")]);
    update(&mut app, Action::ShowClusters);
    app.set_cluster_runs(vec![ClusterView {
        name: "endotypes".into(),
        sizes: vec![(1, 2), (2, 2)],
        features: vec!["CXCL1".into(), "CXCL12".into()],
        profile: vec![vec![1.0, -1.0], vec![-1.0, 1.0]],
        survival: vec![
            SurvivalCurve {
                cluster: 1,
                steps: vec![(0.0, 1.0), (6.0, 0.5)],
                times: vec![6.0, 9.0],
                censored: vec![9.0],
                median: Some(6.0),
            },
            SurvivalCurve {
                cluster: 2,
                steps: vec![(0.0, 1.0)],
                times: vec![10.0, 12.0],
                censored: vec![10.0, 12.0],
                median: None,
            },
        ],
        logrank_p: Some(1.64e-7),
        logrank_caution: None,
        ..ClusterView::default()
    }]);
    let text = screen(&app, 80, 24);
    assert!(text.contains("CXCL1 ") && text.contains("CXCL12"), "{text}");
    update(&mut app, Action::NextPane);
    let text = screen(&app, 80, 24);
    assert!(text.contains("log-rank p 1.6 × 10⁻⁷"), "{text}");
}

#[test]
fn tiny_terminal_and_help_overlay() {
    let mut app = App::new(vec![row("P001")]);
    let text = screen(&app, 40, 12);
    assert!(
        text.contains("ID") && text.contains("P001"),
        "40x12 still shows the table:\n{text}"
    );
    assert!(screen(&app, 20, 5).contains("too small"));
    // At 80x24 the help of every screen shows all its keys and notes, and how to close it.
    app.show_patient(patient());
    for shown in [Screen::Cohort, Screen::Patient, Screen::Clusters] {
        app.screen = shown;
        app.show_help = true;
        let text = screen(&app, 80, 24);
        for (keys, _) in oncotrack::tui::ui::help::keys(shown) {
            assert!(text.contains(keys), "{shown:?} help lacks {keys}:\n{text}");
        }
        for note in oncotrack::tui::ui::help::notes(shown) {
            assert!(
                text.contains(note.trim()),
                "{shown:?} help lacks {note}:\n{text}"
            );
        }
        assert!(text.contains("any key closes this help"), "{text}");
    }
}

/// The board's path at 80x24 in a real terminal (tmux): filter and clear it with Esc
/// (the UI stays open), open a patient, reach the ctDNA and RECIST charts (scroll and
/// zoom), mark it, print its report with p, read the help, the clusters, then q quits with exit status 0 and the
/// terminal restored (cooked mode: `stty` shows icanon and echo again).
#[test]
fn real_binary_in_tmux_at_80x24_does_the_board_tasks_and_quits_cleanly() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let s = crate::util::Sandbox::new();
    s.run(&["demo", "--patients", "25", "--no-tui"]).ok();
    let session = format!("oncotrack-test-{}", std::process::id());
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .args(args)
            .output()
            .expect("tmux runs")
    };
    // After the UI: its exit status and the terminal's mode, then wait to be read.
    // From the sandbox, so that `p` writes its report into the current directory there.
    let command = format!(
        "cd {} && {} --db {} tui; echo \"exit=$?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo; echo end-of-run; sleep 60",
        s.path().display(),
        env!("CARGO_BIN_EXE_oncotrack"),
        s.db().display()
    );
    let started = tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "80",
        "-y",
        "24",
        "sh",
        "-c",
        &command,
    ]);
    assert!(started.status.success(), "tmux new-session: {started:?}");
    // The session (and the UI in it) goes away however the test ends, a failed
    // assertion included.
    struct KillSession(String);
    impl Drop for KillSession {
        fn drop(&mut self) {
            let _ = std::process::Command::new("tmux")
                .args(["kill-session", "-t", &self.0])
                .output();
        }
    }
    let _session_guard = KillSession(session.clone());
    let capture = || {
        let out = tmux(&["capture-pane", "-p", "-t", &session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let wait_for = |needle: &str| {
        for _ in 0..100 {
            let text = capture();
            if text.contains(needle) {
                return text;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let text = capture();
        tmux(&["kill-session", "-t", &session]);
        panic!("never showed {needle:?}:\n{text}");
    };
    // One key at a time after Esc: a terminal reads Esc and a key sent together as Alt+key.
    let keys = |keys: &[&str]| {
        let mut args = vec!["send-keys", "-t", session.as_str()];
        args.extend(keys);
        tmux(&args);
    };
    wait_for("Cohort: 25 patients");
    // A column filter, kept with Enter, cleared with Esc: the UI stays open.
    keys(&[
        "/", "s", "t", "a", "t", "u", "s", ":", "d", "e", "a", "d", "Enter",
    ]);
    wait_for("match \"status:dead\"");
    keys(&["Escape"]);
    // Cleared: the title no longer counts matches.
    wait_for("Cohort: 25 patients, sorted by ID");
    keys(&["Escape"]);
    wait_for("q quits");
    // The patient: ctDNA first, then j to RECIST, z zooms it to the screen.
    keys(&["Enter"]);
    let text = wait_for("▶ ctDNA VAF");
    assert!(!text.contains("no ctDNA for"), "{text}");
    keys(&["j", "j"]);
    wait_for("▶ RECIST sum (mm)");
    keys(&["z"]);
    let text = wait_for("RECIST sum (mm) · chart 3/4");
    assert!(text.contains("PD at ") && text.contains("events"), "{text}");
    keys(&["Escape"]);
    wait_for("Timeline");
    // The UI's one write: m marks the patient for the next board.
    keys(&["m"]);
    wait_for("marked for the next board");
    // p writes the patient's one-page report into the current directory and says where.
    keys(&["p"]);
    let text = wait_for("written to");
    assert!(text.contains("P001-report.html"), "{text}");
    let report =
        std::fs::read_to_string(s.path().join("P001-report.html")).expect("report written");
    assert!(
        report.contains("<svg") && report.contains("P001"),
        "{report:.200}"
    );
    keys(&["?"]);
    wait_for("any key closes this help");
    keys(&["q"]);
    wait_for("Timeline");
    keys(&["2"]);
    wait_for("demo-endotypes");
    keys(&["Tab"]);
    wait_for("log-rank p");
    keys(&["q"]);
    let text = wait_for("end-of-run");
    tmux(&["kill-session", "-t", &session]);
    assert!(text.contains("exit=0"), "q quits with status 0:\n{text}");
    assert!(
        text.contains("icanon echo"),
        "the terminal is back in cooked mode:\n{text}"
    );
    assert!(
        !text.contains("oncotrack  1 Cohort"),
        "the alternate screen is left:\n{text}"
    );
}

#[test]
fn loaders_fill_categories_series_and_discordances_from_the_store() {
    let sandbox = crate::response::example();
    let store =
        oncotrack::store::Store::open(&sandbox.db(), oncotrack::store::Access::ReadOnly).unwrap();
    let row = oncotrack::tui::data::assess_row(&store, "P001").unwrap();
    assert_eq!(row.recist.as_deref(), Some("PD"));
    assert_eq!(row.ctdna_status.as_deref(), Some("progress"));
    assert!(row.mean_vaf.is_some_and(|(vaf, _)| vaf > 0.0));
    // The triage columns: same lead time as `cohort response` (ctdna_lead_days).
    assert_eq!(row.lead_days, Some(32));
    assert!(row.best.is_some() && row.recist_date.is_some());
    let cohort = oncotrack::tui::data::load_cohort(&store, date("2030-01-01")).unwrap();
    let p001 = cohort.iter().find(|r| r.code == "P001").unwrap();
    assert!(
        p001.last_visit.is_some(),
        "the last contact comes with the cohort"
    );
    assert!(
        row.discordance.as_deref().is_some_and(|d| d.contains('C')),
        "RECIST SD with Choi PR: {:?}",
        row.discordance
    );
    let empty = oncotrack::tui::data::assess_row(&store, "P002").unwrap();
    assert_eq!(empty, oncotrack::tui::data::RowAssessment::default());

    // The board mark: written through its own read-write connection, read back by the cohort.
    let day = date("2026-12-01");
    let stored = oncotrack::tui::data::set_board_mark(&sandbox.db(), "P002", Some(day)).unwrap();
    assert_eq!(stored, Some(day));
    let cohort = oncotrack::tui::data::load_cohort(&store, day).unwrap();
    let marks: Vec<Option<NaiveDate>> = cohort.iter().map(|r| r.board).collect();
    assert_eq!(marks, [None, Some(day)]);
    assert!(oncotrack::tui::data::set_board_mark(&sandbox.db(), "P404", Some(day)).is_err());

    let view = oncotrack::tui::data::load_patient(&store, "P001").unwrap();
    assert_eq!(view.ctdna.len(), 3, "mean VAF and the two tracked variants");
    assert_eq!(view.ctdna[0].name, "mean VAF");
    assert!(
        view.ctdna[1..]
            .iter()
            .all(|s| s.name.contains(':') && s.name.contains('>'))
    );
    assert!(
        view.ctdna[0].points.iter().any(|p| p.censored),
        "the cleared sample is drawn as censored"
    );
    assert!(view.recist_sum.is_some() && !view.pet.is_empty() && !view.cytokines.is_empty());
    assert!(
        view.responses
            .iter()
            .any(|r| r.criterion == "choi" && r.category == "PR" && r.discordant)
    );
    assert!(
        view.trends
            .iter()
            .any(|t| t.starts_with("sum of diameters")),
        "{:?}",
        view.trends
    );

    // The background worker delivers the same result for every patient.
    let mut worker =
        oncotrack::tui::worker::Worker::spawn(sandbox.db(), vec!["P001".into(), "P002".into()]);
    let mut messages = Vec::new();
    for _ in 0..200 {
        messages.extend(worker.drain());
        if worker.is_finished() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(worker.is_finished());
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].2.as_ref().unwrap(), &row);
}

#[test]
fn snapshot_of_the_demo_shows_computed_categories() {
    let s = crate::util::Sandbox::new();
    s.run(&["demo", "--patients", "20", "--no-tui"]).ok();
    let text = s
        .run(&["tui", "--snapshot", "cohort", "--size", "120x30"])
        .ok()
        .to_string();
    assert!(text.contains("Cohort: 20 patients"), "{text}");
    assert!(
        ["PD", "SD", "PR"].iter().any(|c| text.contains(c)),
        "categories filled:\n{text}"
    );
    let first = s
        .run(&["tui", "--snapshot", "cohort", "--no-assess"])
        .ok()
        .to_string();
    assert!(first.contains("P001"));
    s.run(&["tui", "--snapshot", "patient:P404"])
        .fails(1, "unknown patient 'P404'");
    s.run(&["tui", "--snapshot", "nonsense"])
        .fails(1, "invalid --snapshot");
    s.run(&["tui", "--snapshot", "cohort", "--size", "0x30"])
        .fails(2, "invalid value '0x30' for '--size <WxH>'");
}
