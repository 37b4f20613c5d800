//! The UI's state: what is loaded, what is selected, sorted and filtered. No database handle, no I/O.

mod filter;

pub use filter::{FIELDS as FILTER_FIELDS, Filter, category_rank, since_last_contact};

use super::data::{ClusterView, CohortRow, PatientView, RowAssessment};
use chrono::NaiveDate;
use std::cmp::Ordering;

/// The screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// The cohort table.
    Cohort,
    /// One patient.
    Patient,
    /// Cluster runs.
    Clusters,
}

/// The panes of the patient screen, cycled with Tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// Timeline charts.
    Charts,
    /// Response table.
    Responses,
    /// Trend figures.
    Trends,
}

/// The charts of the patient screen, in order; each is listed even without data (it
/// then says so) so that the list and its keys do not change from patient to patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// ctDNA mean VAF and each tracked variant (log).
    Ctdna,
    /// PET uptake, percent of baseline.
    Pet,
    /// RECIST sum of diameters.
    Recist,
    /// One cytokine at a time.
    Cytokine,
}

impl ChartKind {
    /// Every chart, in screen order.
    pub const ALL: [ChartKind; 4] = [
        ChartKind::Ctdna,
        ChartKind::Pet,
        ChartKind::Recist,
        ChartKind::Cytokine,
    ];
}

/// Columns of the cohort table, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Patient ID.
    Id,
    /// Diagnosis.
    Diagnosis,
    /// Age at diagnosis.
    Age,
    /// Days of follow-up: index date to death or last visit.
    Days,
    /// Last visit.
    LastVisit,
    /// Latest mean VAF.
    Vaf,
    /// Latest RECIST.
    Recist,
    /// Date of the latest RECIST assessment.
    RecistDate,
    /// RECIST best overall response.
    Best,
    /// Latest PERCIST.
    Percist,
    /// Latest Choi.
    Choi,
    /// ctDNA molecular status.
    Ctdna,
    /// What RECIST disagrees with (C Choi, M ctDNA, P PET).
    Discordance,
    /// ctDNA lead time before RECIST progression, days.
    Lead,
    /// MRD decision of the latest tested blood draw.
    Mrd,
    /// Endotype.
    Endotype,
    /// Days since the last contact, to the newest date in the database.
    Since,
    /// Vital status.
    Status,
    /// Marked for the next board (`●`).
    Board,
}

impl Column {
    /// Every column, in display order.
    pub const ALL: [Column; 19] = [
        Column::Board,
        Column::Id,
        Column::Diagnosis,
        Column::Age,
        Column::Days,
        Column::LastVisit,
        Column::Vaf,
        Column::Recist,
        Column::RecistDate,
        Column::Best,
        Column::Percist,
        Column::Choi,
        Column::Ctdna,
        Column::Discordance,
        Column::Lead,
        Column::Mrd,
        Column::Endotype,
        Column::Since,
        Column::Status,
    ];

    /// Header text.
    pub fn title(self) -> &'static str {
        match self {
            Column::Id => "ID",
            Column::Diagnosis => "Diagnosis",
            Column::Age => "Age",
            Column::Days => "Days",
            Column::LastVisit => "Last visit",
            Column::Vaf => "VAF",
            Column::Recist => "RECIST",
            Column::RecistDate => "Assessed",
            Column::Best => "Best",
            Column::Percist => "PERCIST",
            Column::Choi => "Choi",
            Column::Ctdna => "ctDNA",
            Column::Discordance => "Disc",
            Column::Lead => "Lead",
            Column::Mrd => "MRD",
            Column::Endotype => "Endo",
            Column::Since => "Since",
            Column::Status => "Status",
            Column::Board => "B",
        }
    }

    /// Cells the column takes (without the space between columns).
    pub fn width(self) -> u16 {
        match self {
            Column::Id => 7,
            Column::Diagnosis => 14,
            Column::Age => 3,
            Column::Days => 5,
            Column::LastVisit | Column::RecistDate => 10,
            // With the month of the draw: `12.34%↑ Jul22`, `progress Jul22`.
            Column::Vaf => 13,
            Column::Recist | Column::Choi | Column::Status => 6,
            Column::Percist => 9,
            Column::Ctdna => 14,
            Column::Best | Column::Discordance | Column::Endotype | Column::Mrd => 4,
            Column::Lead | Column::Since => 5,
            Column::Board => 1,
        }
    }

    /// The columns that fit in a table `width` cells wide, the least important dropped first.
    pub fn fitting(width: u16) -> Vec<Column> {
        // Age and days since diagnosis go before the imaging criteria: the VAF and
        // ctDNA cells carry their draw's month, and a board reads PERCIST and Choi.
        let drop_order = [
            Column::LastVisit,
            Column::RecistDate,
            Column::Age,
            Column::Days,
            Column::Percist,
            Column::Choi,
            Column::Mrd,
            Column::Ctdna,
            Column::Endotype,
            Column::Since,
            Column::Lead,
            Column::Discordance,
            Column::Best,
            Column::Board,
        ];
        let needed = |columns: &[Column]| -> u16 { columns.iter().map(|c| c.width() + 1).sum() };
        let mut columns = Column::ALL.to_vec();
        let mut dropped = 0;
        while needed(&columns) > width.saturating_sub(2) && dropped < drop_order.len() {
            columns.retain(|c| *c != drop_order[dropped]);
            dropped += 1;
        }
        columns
    }

    /// Whether the row has no value in this column (sorted last in either direction).
    fn missing(self, row: &CohortRow, cutoff: Option<NaiveDate>) -> bool {
        match self {
            Column::Id | Column::Diagnosis | Column::Status => false,
            Column::Board => row.board.is_none(),
            Column::Age => row.age.is_none(),
            Column::Days => row.days_since_diagnosis.is_none(),
            Column::LastVisit => row.last_visit.is_none(),
            Column::Vaf => row.mean_vaf.is_none(),
            Column::Recist => row.recist.is_none(),
            Column::RecistDate => row.recist_date.is_none(),
            Column::Best => row.best.is_none(),
            Column::Percist => row.percist.is_none(),
            Column::Choi => row.choi.is_none(),
            Column::Ctdna => row.ctdna_status.is_none(),
            Column::Discordance => row.discordance.as_deref().is_none_or(str::is_empty),
            Column::Lead => row.lead_days.is_none(),
            Column::Mrd => row.mrd.is_none(),
            Column::Endotype => row.endotype.is_none(),
            Column::Since => since_last_contact(row, cutoff).is_none(),
        }
    }

    fn compare(self, a: &CohortRow, b: &CohortRow, cutoff: Option<NaiveDate>) -> Ordering {
        fn opt<T: PartialOrd>(a: &Option<T>, b: &Option<T>) -> Ordering {
            match (a, b) {
                (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        }
        let rank = |c: &Option<String>| c.as_deref().map(category_rank);
        match self {
            Column::Id => a.code.cmp(&b.code),
            Column::Diagnosis => a.diagnosis.cmp(&b.diagnosis),
            Column::Age => opt(&a.age, &b.age),
            Column::Days => opt(&a.days_since_diagnosis, &b.days_since_diagnosis),
            Column::LastVisit => opt(&a.last_visit, &b.last_visit),
            Column::Vaf => opt(&a.mean_vaf.map(|v| v.0), &b.mean_vaf.map(|v| v.0)),
            Column::Recist => opt(&rank(&a.recist), &rank(&b.recist)),
            Column::RecistDate => opt(&a.recist_date, &b.recist_date),
            Column::Best => opt(&rank(&a.best), &rank(&b.best)),
            Column::Percist => opt(&rank(&a.percist), &rank(&b.percist)),
            Column::Choi => opt(&rank(&a.choi), &rank(&b.choi)),
            Column::Ctdna => opt(&rank(&a.ctdna_status), &rank(&b.ctdna_status)),
            Column::Discordance => {
                let letters = |r: &CohortRow| r.discordance.clone().filter(|d| !d.is_empty());
                opt(&letters(a), &letters(b))
            }
            Column::Lead => opt(&a.lead_days, &b.lead_days),
            Column::Mrd => opt(&mrd_rank(&a.mrd), &mrd_rank(&b.mrd)),
            Column::Endotype => opt(&a.endotype, &b.endotype),
            Column::Since => opt(
                &since_last_contact(a, cutoff),
                &since_last_contact(b, cutoff),
            ),
            Column::Status => b.alive.cmp(&a.alive),
            Column::Board => opt(&a.board, &b.board),
        }
    }
}

/// MRD decisions in clinical order: negative, undetermined, positive.
fn mrd_rank(decision: &Option<String>) -> Option<u8> {
    decision.as_deref().map(|d| match d {
        "negative" => 0,
        "undetermined" => 1,
        _ => 2,
    })
}

/// The whole state of the UI.
#[derive(Debug, Clone)]
pub struct App {
    /// The screen shown.
    pub screen: Screen,
    /// Screens visited before this one (Back returns to the last).
    pub history: Vec<Screen>,
    /// Help overlay shown.
    pub show_help: bool,
    /// All patients, as loaded.
    pub cohort: Vec<CohortRow>,
    /// Indices into `cohort` that pass the filter, in sort order.
    pub visible: Vec<usize>,
    /// Selected position in `visible`.
    pub selected: usize,
    /// First visible position in `visible` (scrolling).
    pub offset: usize,
    /// Rows of the cohort table that fit on screen.
    pub viewport: usize,
    /// Sort column and direction.
    pub sort: (Column, bool),
    /// Filter text: plain words match the ID and diagnosis, `field:value` and
    /// `field>n` terms the columns (see [`Filter`]).
    pub filter: String,
    /// Why the filter text does not parse, if it does not (then nothing matches).
    pub filter_error: Option<String>,
    /// The newest date in the database: "since last contact" counts to it, not to today.
    pub cutoff: Option<NaiveDate>,
    /// Width of the terminal (which cohort columns are shown, and so sorted by `s`).
    pub width: u16,
    /// Typing a filter.
    pub filtering: bool,
    /// The patient shown on the patient screen.
    pub patient: Option<PatientView>,
    /// Focused pane of the patient screen.
    pub pane: Pane,
    /// Which cytokine the chart shows.
    pub cytokine: usize,
    /// Only this cytokine assay (kit or stimulation) on the patient screen (`tui --assay`).
    pub cytokine_assay: Option<String>,
    /// The chart j/k select and `z` zooms (index into [`ChartKind::ALL`]).
    pub chart_selected: usize,
    /// The selected chart fills the patient screen.
    pub zoomed: bool,
    /// First trend line shown (the trends pane scrolls).
    pub trends_scroll: usize,
    /// The time axis counts days since the index date instead of calendar dates.
    pub axis_days: bool,
    /// Selected response row.
    pub response_selected: usize,
    /// Saved cluster runs, newest first.
    pub cluster_runs: Vec<ClusterView>,
    /// Whether `cluster_runs` has been read (on the first visit of the clusters screen:
    /// survival curves of a large cohort are not worth delaying the opening for).
    pub clusters_loaded: bool,
    /// Selected cluster run.
    pub run_selected: usize,
    /// Names of the saved cluster runs, newest first.
    pub endotype_runs: Vec<String>,
    /// Which of them the cohort's Endo column shows (0: the newest, as loaded).
    pub endotype_run: usize,
    /// The clusters screen's view: 0 profile, 1 survival, 2 PCA (Tab cycles).
    pub cluster_view: usize,
    /// A one-line message for the status bar.
    pub status: Option<String>,
    /// Background assessment progress `(done, total)` while it runs.
    pub assessing: Option<(usize, usize)>,
}

impl App {
    /// A new UI state over a loaded cohort.
    pub fn new(cohort: Vec<CohortRow>) -> App {
        let cutoff = cohort.iter().filter_map(|r| r.last_visit).max();
        let mut app = App {
            screen: Screen::Cohort,
            history: Vec::new(),
            show_help: false,
            cohort,
            visible: Vec::new(),
            selected: 0,
            offset: 0,
            viewport: 20,
            sort: (Column::Id, false),
            filter: String::new(),
            filter_error: None,
            cutoff,
            width: 100,
            filtering: false,
            patient: None,
            pane: Pane::Charts,
            cytokine: 0,
            cytokine_assay: None,
            chart_selected: 0,
            zoomed: false,
            trends_scroll: 0,
            axis_days: false,
            response_selected: 0,
            cluster_runs: Vec::new(),
            clusters_loaded: false,
            run_selected: 0,
            endotype_runs: Vec::new(),
            endotype_run: 0,
            cluster_view: 0,
            status: None,
            assessing: None,
        };
        app.refresh_visible();
        app
    }

    /// Replaces the cohort (after a reload), keeping the selected patient if still there.
    pub fn replace_cohort(&mut self, cohort: Vec<CohortRow>) {
        let selected = self.selected_row().map(|r| r.code.clone());
        self.cutoff = cohort.iter().filter_map(|r| r.last_visit).max();
        self.cohort = cohort;
        self.refresh_keeping(selected, false);
    }

    /// Recomputes the visible rows and selects `code` again if it is still visible
    /// (keeping the scroll position with `keep_offset`).
    fn refresh_keeping(&mut self, code: Option<String>, keep_offset: bool) {
        let offset = self.offset;
        self.refresh_visible();
        if let Some(code) = code
            && let Some(pos) = self
                .visible
                .iter()
                .position(|i| self.cohort[*i].code == code)
        {
            if keep_offset {
                self.offset = offset;
            }
            self.select(pos);
        }
    }

    /// Patient identifiers in cohort order (what the background assessment works through).
    pub fn codes(&self) -> Vec<String> {
        self.cohort.iter().map(|r| r.code.clone()).collect()
    }

    /// Fills in a patient's background assessment; ignored if the cohort changed since.
    pub fn apply_assessment(&mut self, index: usize, code: &str, assessment: RowAssessment) {
        if let Some(row) = self.cohort.get_mut(index)
            && row.code == code
        {
            row.apply(assessment);
        }
    }

    /// Sorts again (after background results arrived), keeping the selected patient.
    pub fn resort(&mut self) {
        let selected = self.selected_row().map(|r| r.code.clone());
        self.refresh_keeping(selected, true);
    }

    /// Shows the clusters of run `index` (of [`App::endotype_runs`]) in the Endo column;
    /// patients outside that run get none.
    pub fn set_endotypes(&mut self, index: usize, clusters: Vec<(String, i64)>) {
        let of: std::collections::HashMap<String, i64> = clusters.into_iter().collect();
        for row in &mut self.cohort {
            row.endotype = of.get(&row.code).copied();
        }
        self.endotype_run = index;
        self.resort();
    }

    /// The name of the run the Endo column shows, if any.
    pub fn endotype_run_name(&self) -> Option<&str> {
        self.endotype_runs
            .get(self.endotype_run)
            .map(String::as_str)
    }

    /// The title bar's tabs: screen, label and first column (after `oncotrack `), one
    /// space apart; the title bar draws them and a click finds them by these columns.
    pub fn tabs(&self) -> Vec<(Screen, String, u16)> {
        let patient = self
            .patient
            .as_ref()
            .map_or("Patient".to_string(), |p| format!("Patient {}", p.code));
        let mut x = "oncotrack ".len() as u16;
        [
            (Screen::Cohort, "1 Cohort".to_string()),
            (Screen::Patient, patient),
            (Screen::Clusters, "2 Clusters".to_string()),
        ]
        .into_iter()
        .map(|(screen, name)| {
            let label = format!(" {name} ");
            let start = x;
            x += label.chars().count() as u16 + 1;
            (screen, label, start)
        })
        .collect()
    }

    /// Sets the cluster runs once loaded.
    pub fn set_cluster_runs(&mut self, runs: Vec<ClusterView>) {
        self.cluster_runs = runs;
        self.clusters_loaded = true;
        self.run_selected = self
            .run_selected
            .min(self.cluster_runs.len().saturating_sub(1));
    }

    /// Switches to `screen`, remembering the current one for Back.
    pub fn go_to(&mut self, screen: Screen) {
        if screen != self.screen {
            self.history.push(self.screen);
            if self.history.len() > 16 {
                self.history.remove(0);
            }
            self.screen = screen;
        }
    }

    /// Returns to the previous screen (the cohort when there is none).
    pub fn go_back(&mut self) {
        self.screen = self.history.pop().unwrap_or(Screen::Cohort);
    }

    /// Records a patient's board mark once stored (the run loop wrote it).
    pub fn set_board_mark(&mut self, code: &str, mark: Option<NaiveDate>) {
        if let Some(row) = self.cohort.iter_mut().find(|r| r.code == code) {
            row.board = mark;
        }
        self.resort();
    }

    /// The board mark of a patient, as loaded.
    pub fn board_mark(&self, code: &str) -> Option<NaiveDate> {
        self.cohort
            .iter()
            .find(|r| r.code == code)
            .and_then(|r| r.board)
    }

    /// How many patients are marked for the next board.
    pub fn board_count(&self) -> usize {
        self.cohort.iter().filter(|r| r.board.is_some()).count()
    }

    /// Shows a loaded patient.
    /// From another screen, the patient opens on the charts; from the patient screen
    /// (`[` / `]`), the chart, zoom and pane stay as they were, to compare patients.
    pub fn show_patient(&mut self, view: PatientView) {
        self.patient = Some(view);
        self.response_selected = 0;
        self.trends_scroll = 0;
        if self.screen != Screen::Patient {
            self.go_to(Screen::Patient);
            self.pane = Pane::Charts;
            self.cytokine = 0;
            self.chart_selected = 0;
            self.zoomed = false;
        }
    }

    /// The selected cohort row, if any pass the filter.
    pub fn selected_row(&self) -> Option<&CohortRow> {
        self.visible.get(self.selected).map(|i| &self.cohort[*i])
    }

    /// Sets how many table rows fit (from the terminal height) and keeps the selection visible.
    pub fn set_size(&mut self, terminal_width: u16, terminal_height: u16) {
        self.width = terminal_width;
        self.set_viewport(terminal_height);
    }

    /// Sets how many table rows fit (from the terminal height) and keeps the selection visible.
    pub fn set_viewport(&mut self, terminal_height: u16) {
        // Title bar, table border and header, status bar.
        self.viewport = usize::from(terminal_height.saturating_sub(5)).max(1);
        self.select(self.selected);
    }

    /// Selects a position in the visible rows (clamped) and scrolls to it.
    pub fn select(&mut self, position: usize) {
        self.selected = position.min(self.visible.len().saturating_sub(1));
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + self.viewport {
            self.offset = self.selected + 1 - self.viewport;
        }
    }

    /// Recomputes the visible rows from filter and sort; the selection goes to the top.
    pub fn refresh_visible(&mut self) {
        let filter = Filter::parse(&self.filter);
        self.filter_error = filter.as_ref().err().cloned();
        let filter = filter.unwrap_or_default();
        let cutoff = self.cutoff;
        let mut visible: Vec<usize> = if self.filter_error.is_some() {
            Vec::new()
        } else {
            (0..self.cohort.len())
                .filter(|i| filter.is_empty() || filter.matches(&self.cohort[*i], cutoff))
                .collect()
        };
        let (column, descending) = self.sort;
        visible.sort_by(|a, b| {
            let (a, b) = (&self.cohort[*a], &self.cohort[*b]);
            let order = column
                .compare(a, b, cutoff)
                .then_with(|| a.code.cmp(&b.code));
            let order = if descending { order.reverse() } else { order };
            // Rows without a value stay last whichever the direction.
            column
                .missing(a, cutoff)
                .cmp(&column.missing(b, cutoff))
                .then(order)
        });
        self.visible = visible;
        self.offset = 0;
        self.select(0);
    }
}
