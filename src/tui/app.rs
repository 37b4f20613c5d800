//! The UI's state: what is loaded, what is selected, sorted and filtered. No database handle, no I/O.

use super::data::{ClusterView, CohortRow, PatientView, RowAssessment};
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
    /// Days since diagnosis.
    Days,
    /// Last visit.
    LastVisit,
    /// Latest mean VAF.
    Vaf,
    /// Latest RECIST.
    Recist,
    /// Latest PERCIST.
    Percist,
    /// Latest Choi.
    Choi,
    /// ctDNA molecular status.
    Ctdna,
    /// Endotype.
    Endotype,
    /// Vital status.
    Status,
}

impl Column {
    /// Every column, in display order.
    pub const ALL: [Column; 12] = [
        Column::Id,
        Column::Diagnosis,
        Column::Age,
        Column::Days,
        Column::LastVisit,
        Column::Vaf,
        Column::Recist,
        Column::Percist,
        Column::Choi,
        Column::Ctdna,
        Column::Endotype,
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
            Column::Percist => "PERCIST",
            Column::Choi => "Choi",
            Column::Ctdna => "ctDNA",
            Column::Endotype => "Endo",
            Column::Status => "Status",
        }
    }

    fn compare(self, a: &CohortRow, b: &CohortRow) -> Ordering {
        fn opt<T: PartialOrd>(a: &Option<T>, b: &Option<T>) -> Ordering {
            match (a, b) {
                (Some(x), Some(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        }
        match self {
            Column::Id => a.code.cmp(&b.code),
            Column::Diagnosis => a.diagnosis.cmp(&b.diagnosis),
            Column::Age => opt(&a.age, &b.age),
            Column::Days => opt(&a.days_since_diagnosis, &b.days_since_diagnosis),
            Column::LastVisit => opt(&a.last_visit, &b.last_visit),
            Column::Vaf => opt(&a.mean_vaf.map(|v| v.0), &b.mean_vaf.map(|v| v.0)),
            Column::Recist => opt(&a.recist, &b.recist),
            Column::Percist => opt(&a.percist, &b.percist),
            Column::Choi => opt(&a.choi, &b.choi),
            Column::Ctdna => opt(&a.ctdna_status, &b.ctdna_status),
            Column::Endotype => opt(&a.endotype, &b.endotype),
            Column::Status => b.alive.cmp(&a.alive),
        }
    }
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
    /// Filter text (matches ID, diagnosis, endotype, categories).
    pub filter: String,
    /// Typing a filter.
    pub filtering: bool,
    /// The patient shown on the patient screen.
    pub patient: Option<PatientView>,
    /// Focused pane of the patient screen.
    pub pane: Pane,
    /// Which cytokine the chart shows.
    pub cytokine: usize,
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
    /// A one-line message for the status bar.
    pub status: Option<String>,
    /// Background assessment progress `(done, total)` while it runs.
    pub assessing: Option<(usize, usize)>,
}

impl App {
    /// A new UI state over a loaded cohort.
    pub fn new(cohort: Vec<CohortRow>) -> App {
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
            filtering: false,
            patient: None,
            pane: Pane::Charts,
            cytokine: 0,
            chart_selected: 0,
            zoomed: false,
            trends_scroll: 0,
            axis_days: false,
            response_selected: 0,
            cluster_runs: Vec::new(),
            clusters_loaded: false,
            run_selected: 0,
            status: None,
            assessing: None,
        };
        app.refresh_visible();
        app
    }

    /// Replaces the cohort (after a reload), keeping the selected patient if still there.
    pub fn replace_cohort(&mut self, cohort: Vec<CohortRow>) {
        let selected = self.selected_row().map(|r| r.code.clone());
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
        let needle = self.filter.to_lowercase();
        let mut visible: Vec<usize> = (0..self.cohort.len())
            .filter(|i| needle.is_empty() || matches_filter(&self.cohort[*i], &needle))
            .collect();
        let (column, descending) = self.sort;
        visible.sort_by(|a, b| {
            let order = column
                .compare(&self.cohort[*a], &self.cohort[*b])
                .then_with(|| self.cohort[*a].code.cmp(&self.cohort[*b].code));
            if descending { order.reverse() } else { order }
        });
        self.visible = visible;
        self.offset = 0;
        self.select(0);
    }
}

fn matches_filter(row: &CohortRow, needle: &str) -> bool {
    let endotype = row.endotype.map(|e| format!("e{e}"));
    [
        Some(row.code.as_str()),
        Some(row.diagnosis.as_str()),
        endotype.as_deref(),
        row.recist.as_deref(),
        row.percist.as_deref(),
        row.choi.as_deref(),
        row.ctdna_status.as_deref(),
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_lowercase().contains(needle))
}
