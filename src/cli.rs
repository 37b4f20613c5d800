//! Command-line definition (clap derive) and dispatch: one file per command under `cli/`.

/// `println!` that returns an error instead of panicking when standard output is closed.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?;
    }};
}

mod calls;
mod cluster;
mod cohort;
mod count;
mod ctdna;
mod cytokines;
mod demo;
mod event;
mod exit;
mod export;
mod harmonize;
mod ingest;
mod ingest_bam;
mod ingest_cytokines;
mod ingest_lesions;
mod ingest_pet;
mod ingest_radiomics;
mod ingest_vcf;
mod init;
mod matrix;
mod mrd;
mod output;
mod patient;
mod pet;
mod plot;
mod private;
mod progress;
mod report;
mod response;
mod survival;
mod timeline;
mod track;
mod trend;
mod tui;
mod values;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use oncotrack::store::{Access, Store};
use std::path::{Path, PathBuf};

pub use exit::exit_code;
pub use output::Format;

/// Follow sarcoma patients over time: ctDNA, cytokines and imaging in one local database.
#[derive(Debug, Parser)]
#[command(name = "oncotrack", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub globals: Globals,

    #[command(subcommand)]
    pub command: Command,
}

/// The options every command takes.
#[derive(Debug, Args)]
pub struct Globals {
    /// Database file [default: ./oncotrack.db; `demo`: ./oncotrack-demo.db]
    #[arg(long, global = true, env = "ONCOTRACK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Output format of listings (`export` writes csv, parquet or ipc)
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Seconds a write waits while another oncotrack is writing the same database
    #[arg(
        long,
        global = true,
        env = "ONCOTRACK_BUSY_TIMEOUT",
        value_name = "SECONDS",
        default_value = "10",
        value_parser = parse_seconds
    )]
    pub busy_timeout: std::time::Duration,
}

/// The command line of the per-patient commands alone ([`FrontCommand`]), which
/// `oncotrack` parses first: clap builds the arguments of 9 commands instead of all
/// of them, 0.3 ms of a command that takes 3 (docs/benchmarks.md). Used only when it
/// parses: help, version, errors and every other command go through [`Cli`], so they
/// read exactly as `oncotrack-full` prints them.
#[derive(Debug, Parser)]
#[command(name = "oncotrack")]
struct FrontCli {
    #[command(flatten)]
    globals: Globals,

    #[command(subcommand)]
    command: FrontCommand,
}

impl Cli {
    /// Parses the command line like [`Parser::parse`], then refuses what the flag
    /// definitions cannot express: a `--format` the command cannot print, a flag
    /// combination it cannot run as given. Such a command line exits 2 with clap's
    /// usage message, before anything is read or written.
    pub fn parse_checked() -> Cli {
        // Named as users type it, whichever executable runs (`oncotrack-full` too).
        let mut command = Cli::command().bin_name("oncotrack");
        let matches = command.get_matches_mut();
        let cli = Cli::from_arg_matches(&matches)
            .unwrap_or_else(|error| error.format(&mut command).exit());
        let path = command_path(&matches);
        if let Err(reason) = cli.check(&path.join(" ")) {
            // The usage line of the subcommand that was typed, as clap prints it.
            let mut sub = command.clone();
            for name in &path {
                match sub.find_subcommand(name) {
                    Some(next) => sub = next.clone(),
                    None => break,
                }
            }
            let mut sub = sub.bin_name(format!("oncotrack {}", path.join(" ")));
            sub.error(clap::error::ErrorKind::ArgumentConflict, reason)
                .exit();
        }
        cli
    }

    /// The command line, when it is a per-patient command ([`FrontCommand`]) that
    /// parses and passes [`Cli::check`]; `None` for anything else (help, version, an
    /// error, another command), which [`Cli::parse_checked`] then reads as usual.
    /// Parsed with [`FrontCli`], whose arguments are the same types: what it accepts,
    /// the whole command line accepts with the same values.
    pub fn parse_front() -> Option<Cli> {
        let mut command = FrontCli::command().bin_name("oncotrack");
        let matches = command.try_get_matches_from_mut(std::env::args_os()).ok()?;
        let front = FrontCli::from_arg_matches(&matches).ok()?;
        let cli = Cli {
            globals: front.globals,
            command: Command::Front(front.command),
        };
        cli.check(&command_path(&matches).join(" ")).ok()?;
        // Debug builds (every test run) parse again with the whole command line and
        // require the same values: a difference between the two parsers is a bug here.
        #[cfg(debug_assertions)]
        {
            let whole = Cli::command()
                .bin_name("oncotrack")
                .try_get_matches_from(std::env::args_os())
                .and_then(|matches| Cli::from_arg_matches(&matches));
            debug_assert_eq!(
                whole.map(|whole| format!("{whole:?}")).ok(),
                Some(format!("{cli:?}")),
                "the per-patient commands' parser and the whole command line's disagree"
            );
        }
        Some(cli)
    }

    /// Why this command line cannot run as given, if it cannot; `name` is the
    /// command as typed (`ingest pet`).
    ///
    /// # Errors
    /// The reason, phrased for the user.
    pub fn check(&self, name: &str) -> Result<(), String> {
        let format = self.globals.format;
        let formats: &[Format] = match self.command {
            Command::Export(_) => &Format::EXPORT,
            _ => &Format::LISTING,
        };
        if !formats.contains(&format) {
            let names: Vec<&str> = formats.iter().map(|f| f.as_str()).collect();
            let (verb, export) = match self.command {
                Command::Export(_) => ("writes", " (table means csv)"),
                _ => ("prints", "; parquet and ipc are file formats of `export`"),
            };
            return Err(format!(
                "--format {}: `{name}` {verb} {}{export}",
                format.as_str(),
                or_list(&names)
            ));
        }
        match &self.command {
            Command::Cluster(args) => args.check(),
            _ => Ok(()),
        }
    }
}

/// The subcommands as typed, e.g. `["ingest", "pet"]`.
fn command_path(matches: &ArgMatches) -> Vec<String> {
    let mut names = Vec::new();
    let mut at = matches;
    while let Some((name, sub)) = at.subcommand() {
        names.push(name.to_string());
        at = sub;
    }
    names
}

/// `a, b, c or d`.
fn or_list(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The commands. Each has its place in `oncotrack --help` (`display_order`), as the
/// per-patient ones are declared apart, in [`FrontCommand`].
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The per-patient listings and small edits, which `oncotrack` runs itself.
    #[command(flatten)]
    Front(FrontCommand),
    /// Ingest files (one transaction per file; a file already ingested is skipped)
    #[command(subcommand, display_order = 3)]
    Ingest(ingest::IngestCommand),
    /// SUVmax, SUVpeak, SUVmean, MTV and TLG per lesion of a PET SUV volume and its mask
    #[command(display_order = 6)]
    Pet(pet::PetArgs),
    /// Open the terminal UI (cohort, patient timelines, clusters)
    #[command(display_order = 7)]
    Tui(tui::TuiArgs),
    /// Generate the synthetic demo cohort as input files and ingest it; on a terminal, open the UI
    #[command(display_order = 8)]
    Demo(demo::DemoArgs),
    /// A patient's tracked (tumour-informed) variants
    #[command(subcommand, display_order = 9)]
    Track(track::TrackCommand),
    /// Allele counts at loci of an indexed BAM (as samtools mpileup -A -B counts them)
    #[command(display_order = 11)]
    Count(count::CountArgs),
    /// Tumour-informed MRD test of a BAM (ctDNAtools' test_ctDNA): background rate, Monte Carlo p-value, decision
    #[command(display_order = 12)]
    Mrd(mrd::MrdArgs),
    /// Cohort-wide tables
    #[command(subcommand, display_order = 16)]
    Cohort(cohort::CohortCommand),
    /// Per-patient feature matrix at a time point, written as CSV or Parquet
    #[command(display_order = 17)]
    Matrix(matrix::MatrixArgs),
    /// ComBat harmonisation of an analyst's CSV or of the store's radiomic / PET features
    #[command(display_order = 18)]
    Harmonize(harmonize::HarmonizeArgs),
    /// Endotype clustering (hierarchical or k-means) with silhouette, stability, PCA and profiles
    #[command(display_order = 19)]
    Cluster(cluster::ClusterArgs),
    /// Kaplan-Meier curves, medians and log-rank tests by group
    #[command(display_order = 20)]
    Survival(survival::SurvivalArgs),
    /// Export tables as CSV, Parquet or Arrow IPC (--format), optionally de-identified
    #[command(display_order = 21)]
    Export(export::ExportArgs),
    /// A patient's one-page tumour-board report (HTML, PDF, SVG), the marked patients' (--board), or the cohort's swimmer plot
    #[command(display_order = 22)]
    Report(report::ReportArgs),
}

/// The commands `oncotrack` runs itself: the per-patient listings and small edits,
/// which need only the store and the response criteria. Every other [`Command`] is
/// handed to `oncotrack-full`, which links polars, DICOM, BAM and the UI. A new
/// command goes here only if it needs none of these.
#[derive(Debug, Subcommand)]
pub enum FrontCommand {
    /// Create the database (mode 0600), or upgrade an existing one to this version's schema
    #[command(display_order = 0)]
    Init,
    /// Add, list and show patients
    #[command(subcommand, display_order = 1)]
    Patient(patient::PatientCommand),
    /// Record clinical events
    #[command(subcommand, display_order = 2)]
    Event(event::EventCommand),
    /// Every dated item of a patient in date order
    #[command(display_order = 4)]
    Timeline(timeline::TimelineArgs),
    /// A patient's cytokine panel over time (pg/mL; censored values as bounds)
    #[command(display_order = 5)]
    Cytokines(cytokines::CytokinesArgs),
    /// A patient's ctDNA variant calls, tracked variants not detected included
    #[command(display_order = 10)]
    Calls(calls::CallsArgs),
    /// ctDNA metrics per blood draw: mean and max VAF, detected, molecules/mL, response, clearance
    #[command(display_order = 13)]
    Ctdna(ctdna::CtdnaArgs),
    /// Response by RECIST 1.1, Choi, PERCIST 1.0, EORTC and ctDNA per follow-up visit, with discordance
    #[command(display_order = 14)]
    Response(response::ResponseArgs),
    /// Trend of a series: change from baseline and nadir, log-slope per 30 days, doubling time
    #[command(display_order = 15)]
    Trend(trend::TrendArgs),
}

/// Runs a parsed command line: any command (`oncotrack-full`).
///
/// # Errors
/// Any failure, already phrased for the user.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let Cli { globals, command } = cli;
    oncotrack::store::set_busy_timeout(globals.busy_timeout);
    let db = globals.db.clone();
    let format = globals.format;
    match command {
        Command::Front(command) => run_front(globals, command),
        Command::Ingest(command) => ingest::run(&database(db), format, command),
        Command::Pet(args) => pet::run(format, args),
        Command::Track(command) => track::run(&database(db), format, command),
        Command::Count(args) => count::run(format, args),
        Command::Mrd(args) => mrd::run(format, args),
        Command::Tui(args) => tui::run(&database(db), args),
        Command::Demo(args) => demo::run(
            &db.unwrap_or_else(|| PathBuf::from("oncotrack-demo.db")),
            format,
            args,
        ),
        Command::Cohort(command) => cohort::run(&database(db), format, command),
        Command::Matrix(args) => matrix::run(&database(db), format, args),
        Command::Harmonize(args) => harmonize::run(&database(db), format, args),
        Command::Cluster(args) => cluster::run(&database(db), format, args),
        Command::Survival(args) => survival::run(&database(db), format, args),
        Command::Export(args) => export::run(&database(db), format, args),
        Command::Report(args) => report::run(&database(db), format, args),
    }
}

/// Runs a per-patient command: `oncotrack` itself, and [`run`] in `oncotrack-full`.
///
/// # Errors
/// Any failure, already phrased for the user.
pub fn run_front(globals: Globals, command: FrontCommand) -> anyhow::Result<()> {
    oncotrack::store::set_busy_timeout(globals.busy_timeout);
    let Globals { db, format, .. } = globals;
    match command {
        FrontCommand::Init => init::run(&database(db)),
        FrontCommand::Patient(command) => patient::run(&database(db), format, command),
        FrontCommand::Event(command) => event::run(&database(db), command),
        FrontCommand::Timeline(args) => timeline::run(&database(db), format, args),
        FrontCommand::Calls(args) => calls::run(&database(db), format, args),
        FrontCommand::Ctdna(args) => ctdna::run(&database(db), format, args),
        FrontCommand::Cytokines(args) => cytokines::run(&database(db), format, args),
        FrontCommand::Response(args) => response::run(&database(db), format, args),
        FrontCommand::Trend(args) => trend::run(&database(db), format, args),
    }
}

/// Parses `--busy-timeout`: seconds, a whole or decimal number from 0 to one day.
fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    if !(0.0..=86_400.0).contains(&seconds) {
        return Err(format!("'{text}' must be between 0 and 86400 seconds"));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

fn database(db: Option<PathBuf>) -> PathBuf {
    db.unwrap_or_else(|| PathBuf::from("oncotrack.db"))
}

/// Opens the store for a listing.
fn open_read(path: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(path, Access::ReadOnly)?)
}

/// Opens the store for a change.
fn open_write(path: &Path) -> anyhow::Result<Store> {
    Ok(Store::open(path, Access::ReadWrite)?)
}

/// Parses a command-line value with `parse`, naming the option in the error.
fn parse_arg<T>(
    option: &'static str,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, String>,
) -> anyhow::Result<T> {
    parse(text).map_err(|reason| invalid(option, text, &reason))
}

/// Parses a date argument, naming the option in the error.
fn date_arg(option: &'static str, text: &str) -> anyhow::Result<chrono::NaiveDate> {
    parse_arg(option, text, oncotrack::model::parse_date)
}

/// Parses the date of something that happened (a blood draw, a scan): after today
/// is refused, as dates in cytokine and lesion files are.
///
/// The forms are those of the files' date columns (`oncotrack::ingest::dates`:
/// `01.03.2024` and `2024-03-01T10:15` read, `01/03/2024` refused as ambiguous with
/// the files' words), and a date before 1900 is refused as a typo.
fn past_date_arg(option: &'static str, text: &str) -> anyhow::Result<chrono::NaiveDate> {
    let today = chrono::Local::now().date_naive();
    parse_arg(option, text, |t| {
        oncotrack::ingest::dates::past_date(t, today)
    })
}

/// An invalid command-line value, as the library's error (one line, names the option).
fn invalid(what: &'static str, value: &str, reason: &str) -> anyhow::Error {
    oncotrack::Error::InvalidValue {
        what,
        value: value.to_string(),
        reason: reason.to_string(),
    }
    .into()
}
