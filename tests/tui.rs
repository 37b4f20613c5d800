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
        "ID*",
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
    for needle in ["ID", "VAF", "RECIST", "Status", "P001"] {
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
        "ctDNA VAF (log)",
        "RECIST sum of diameters",
        "below the limit of detection",
        "discordant",
        "PD",
        "doubling time 31 days",
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
    assert!(
        text.contains("No ctDNA, PET, lesion or cytokine data"),
        "{text}"
    );
    assert!(text.contains("No response assessment yet"), "{text}");
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
        }],
        logrank_p: None,
    }];
    let text = screen(&app, 100, 30);
    for needle in [
        "endotypes-v1",
        "E1 n=40",
        "one cluster",
        "CXCL5",
        "PCA",
        "Kaplan",
        "NR",
    ] {
        assert!(text.contains(needle), "missing {needle}:\n{text}");
    }
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
    update(&mut app, Action::Help);
    let text = screen(&app, 100, 30);
    for (keys, _) in oncotrack::tui::ui::help::KEYS {
        assert!(text.contains(keys), "help lacks {keys}:\n{text}");
    }
}

#[test]
fn real_binary_in_tmux_opens_navigates_and_quits() {
    if std::process::Command::new("tmux")
        .arg("-V")
        .output()
        .is_err()
    {
        eprintln!("skipped: tmux is not installed");
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
    let command = format!(
        "{} --db {} tui",
        env!("CARGO_BIN_EXE_oncotrack"),
        s.db().display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "100",
        "-y",
        "30",
        &command,
    ]);
    let capture = || {
        let out = tmux(&["capture-pane", "-p", "-t", &session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let wait_for = |needle: &str| {
        for _ in 0..50 {
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
    wait_for("Cohort: 25 patients");
    tmux(&["send-keys", "-t", &session, "j", "Enter"]);
    wait_for("index date");
    tmux(&["send-keys", "-t", &session, "?"]);
    wait_for("Keys");
    tmux(&["send-keys", "-t", &session, "q", "q", "2"]);
    wait_for("demo-endotypes");
    tmux(&["send-keys", "-t", &session, "q", "q"]);
    for _ in 0..50 {
        let alive = tmux(&["has-session", "-t", &session]).status.success();
        if !alive {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux(&["kill-session", "-t", &session]);
    panic!("oncotrack did not quit on q");
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
    let empty = oncotrack::tui::data::assess_row(&store, "P002").unwrap();
    assert_eq!(empty, oncotrack::tui::data::RowAssessment::default());

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
