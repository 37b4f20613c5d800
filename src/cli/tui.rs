//! `oncotrack tui`: open the terminal UI on the database.

use oncotrack::tui::SnapshotScreen;
use std::io::IsTerminal;
use std::path::Path;

/// Arguments of `tui`.
#[derive(Debug, clap::Args)]
pub struct TuiArgs {
    /// Print one screen as text and exit, without a terminal: `cohort`, `patient:ID`,
    /// `clusters` (or `clusters:survival`, `clusters:pca`)
    #[arg(long, value_name = "SCREEN")]
    pub snapshot: Option<String>,
    /// Size of the snapshot, COLUMNSxROWS (each 1..=1000)
    #[arg(long, default_value = "100x30", value_name = "WxH", value_parser = parse_size)]
    pub size: (u16, u16),
    /// With --snapshot: draw the first frame as it opens, before the background
    /// assessment fills the response columns (measures the open time)
    #[arg(long)]
    pub no_assess: bool,
    /// Folder the `p` key writes a patient's HTML report into
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub report_dir: std::path::PathBuf,
    /// Patient screens: only the cytokines of this assay (kit or stimulation condition)
    /// [default: every assay, one series per analyte and assay]
    #[arg(long, value_name = "NAME")]
    pub assay: Option<String>,
}

/// Parses `--size` for clap: COLUMNSxROWS, each 1..=1000.
fn parse_size(text: &str) -> Result<(u16, u16), String> {
    text.split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?)))
        .filter(|(w, h)| (1..=1000).contains(w) && (1..=1000).contains(h))
        .ok_or_else(|| "expected COLUMNSxROWS, each 1 to 1000, e.g. 100x30".to_string())
}

/// Opens the terminal UI (or prints a snapshot); refuses to open without a terminal.
pub fn run(db: &Path, args: TuiArgs) -> anyhow::Result<()> {
    if let Some(screen) = args.snapshot {
        let screen = match screen.as_str() {
            "cohort" => SnapshotScreen::Cohort,
            "clusters" | "clusters:profile" => SnapshotScreen::Clusters(0),
            "clusters:survival" => SnapshotScreen::Clusters(1),
            "clusters:pca" => SnapshotScreen::Clusters(2),
            other => match other.strip_prefix("patient:") {
                Some(code) if !code.is_empty() => SnapshotScreen::Patient(code.to_string()),
                _ => anyhow::bail!(
                    "invalid --snapshot '{other}': expected cohort, clusters[:survival|:pca] or patient:ID"
                ),
            },
        };
        let (width, height) = args.size;
        say!(
            "{}",
            oncotrack::tui::snapshot_for(
                db,
                &screen,
                width,
                height,
                !args.no_assess,
                args.assay.as_deref()
            )?
        );
        return Ok(());
    }
    if !available() {
        anyhow::bail!("the terminal UI needs a terminal (standard input and output are not one)");
    }
    if !args.report_dir.is_dir() {
        anyhow::bail!(
            "--report-dir {}: not a folder (create it first)",
            args.report_dir.display()
        );
    }
    Ok(oncotrack::tui::run_with(
        db,
        args.assay.as_deref(),
        &args.report_dir,
    )?)
}

/// Whether the UI can be opened here (both standard input and output are terminals).
pub fn available() -> bool {
    std::io::stdout().is_terminal() && std::io::stdin().is_terminal()
}
