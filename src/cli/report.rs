//! `oncotrack report`: a patient's one-page tumour-board report (HTML, PDF or SVG), every marked patient's into a folder, or the cohort's swimmer plot.

use super::output::Listing;
use super::{Format, open_read};
use oncotrack::model::parse_date;
use oncotrack::report::{self, FileKind, figures, model};
use std::path::{Path, PathBuf};

/// What `report --board` writes for each patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    /// Self-contained HTML (inline SVG, prints to one A4 landscape page)
    Html,
    /// One-page PDF
    Pdf,
    /// SVG
    Svg,
}

impl From<KindArg> for FileKind {
    fn from(kind: KindArg) -> FileKind {
        match kind {
            KindArg::Html => FileKind::Html,
            KindArg::Pdf => FileKind::Pdf,
            KindArg::Svg => FileKind::Svg,
        }
    }
}

/// Arguments of `report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Patient identifier (not with --board or --swimmer)
    #[arg(required_unless_present_any = ["board", "swimmer"], conflicts_with_all = ["board", "swimmer"])]
    pub id: Option<String>,
    /// The file to write (.html, .pdf or .svg: the extension decides); with --board, the folder
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Show what was known on this date (YYYY-MM-DD): later items are left out
    #[arg(long, value_name = "DATE", value_parser = parse_date, conflicts_with = "swimmer")]
    pub at: Option<chrono::NaiveDate>,
    /// Write the report of every patient marked for the next board into the folder --out
    #[arg(long, conflicts_with = "swimmer")]
    pub board: bool,
    /// With --board: the file type of each report
    #[arg(long = "as", value_enum, default_value_t = KindArg::Html, requires = "board")]
    pub kind: KindArg,
    /// The cohort's swimmer plot (one lane per patient, sorted by time on study)
    #[arg(long)]
    pub swimmer: bool,
}

const ALL: [FileKind; 3] = [FileKind::Html, FileKind::Pdf, FileKind::Svg];

/// Writes the report(s) and lists what was written (keys: patient, file).
pub fn run(db: &Path, format: Format, args: ReportArgs) -> anyhow::Result<()> {
    let store = open_read(db)?;
    let mut listing = Listing::new(&["patient", "file"]);
    if args.swimmer {
        let kind = FileKind::of(&args.out, &ALL, "--out")?;
        let lanes = figures::swimmer_lanes(&store)?;
        if lanes.is_empty() {
            anyhow::bail!("no patient has an index date and follow-up: there is no lane to draw");
        }
        let title = format!("Swimmer plot: {} patients by time on study", lanes.len());
        let scene = figures::swimmer_figure(&title, &lanes, "diagnosis");
        report::write_file(&args.out, &report::render(&scene, kind))?;
        listing.push(vec!["".into(), args.out.display().to_string().into()]);
        return listing.print(format);
    }
    let context = model::Context::load(&store)?;
    if args.board {
        let marks = store.board_marks()?;
        if marks.is_empty() {
            anyhow::bail!(
                "no patient is marked for the next board (mark them with m in the terminal UI; \
                 oncotrack cohort board lists them)"
            );
        }
        ensure_dir(&args.out)?;
        let kind: FileKind = args.kind.into();
        for (code, _) in marks {
            let path = report::report_path(&args.out, &code, kind);
            report::write_patient(&store, &context, &code, args.at, &path, kind)?;
            listing.push(vec![code.into(), path.display().to_string().into()]);
        }
        return listing.print(format);
    }
    let Some(code) = args.id else {
        anyhow::bail!("name a patient, or use --board or --swimmer");
    };
    let kind = FileKind::of(&args.out, &ALL, "--out")?;
    report::write_patient(&store, &context, &code, args.at, &args.out, kind)?;
    listing.push(vec![code.into(), args.out.display().to_string().into()]);
    listing.print(format)
}

/// Creates the folder of `--board --out` (readable by its owner only) when missing.
fn ensure_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| oncotrack::Error::io(dir, e))?;
    Ok(())
}
