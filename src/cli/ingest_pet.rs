//! `oncotrack ingest pet SUV --mask MASK --patient ID --date D`: measure a PET study and store its uptake per lesion and method.

use super::pet::{PetArgs, print_uptakes};
use super::{Format, open_write, past_date_arg};
use oncotrack::pipeline::imaging::{PetStudy, ingest_pet};
use std::path::Path;

/// Arguments of `ingest pet`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub pet: PetArgs,
    /// Patient identifier
    #[arg(long)]
    pub patient: String,
    /// Date of the scan, YYYY-MM-DD (or another form of the files' dates) [default: a DICOM series' StudyDate]
    #[arg(long)]
    pub date: Option<String>,
    /// Scanner model
    #[arg(long, default_value = "")]
    pub scanner: String,
    /// Imaging centre
    #[arg(long, default_value = "")]
    pub site: String,
    /// Lesion names of a NIfTI mask are this prefix and the label (L + 3 = L3); RTSTRUCT
    /// and SEG lesions are named by their ROI or segment name
    #[arg(long, default_value = "L")]
    pub lesion_prefix: String,
}

/// Measures, stores and prints the uptake.
pub fn run(db: &Path, format: Format, args: Args) -> anyhow::Result<()> {
    if args.pet.info {
        anyhow::bail!("--info belongs to `oncotrack pet PATH --info` (it stores nothing)");
    }
    let date = args
        .date
        .as_deref()
        .map(|d| past_date_arg("--date", d))
        .transpose()?;
    let (methods, references) = args.pet.resolve()?;
    let mut store = open_write(db)?;
    let target = PetStudy {
        patient: args.patient,
        date,
        scanner: args.scanner,
        site: args.site,
        lesion_prefix: args.lesion_prefix,
    };
    let (report, measurement) = ingest_pet(
        &mut store,
        &args.pet.suv,
        args.pet.mask()?,
        &methods,
        &references,
        &target,
        &args.pet.options()?,
    )?;
    if format == Format::Table {
        say!("{}", super::ingest::describe(&report));
    }
    if let (Some(given), Some(series)) = (date, measurement.study_date)
        && given != series
    {
        eprintln!(
            "warning: --date {given} differs from the series' own date ({series}, its \
                 StudyDate or SeriesDate); the study is stored under {given} as given (leave \
                 --date out to use the series' date)"
        );
    }
    print_uptakes(&measurement, format)
}
