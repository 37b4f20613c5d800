//! `oncotrack export cbioportal`: the store as a cBioPortal study folder (clinical data, a MAF of the ctDNA calls, timelines, case lists).

use super::super::{invalid, open_read};
use super::{ExportArgs, GenomeArg, survival_table};
use oncotrack::analysis::response::{self, PatientInputs};
use oncotrack::export::cbioportal::{
    self, Endotypes, Genome, PatientExtras, StudyInput, StudyOptions,
};
use std::collections::HashMap;
use std::path::Path;

/// Writes the study folder `args.out`.
pub fn run(db: &Path, args: &ExportArgs) -> anyhow::Result<()> {
    if super::is_stdout(&args.out) {
        return Err(invalid(
            "--out",
            "-",
            "a cBioPortal study is a folder of files: name a folder",
        ));
    }
    if args.partition_by.is_some() {
        return Err(invalid(
            "--partition-by",
            "",
            "a cBioPortal study is not partitioned",
        ));
    }
    let key = args.deidentify.load()?;
    let store = open_read(db)?;
    // The endotypes: the run given, else the latest cluster run, if any.
    let runs = store.analysis_runs()?;
    let run = match &args.cluster {
        Some(name) => Some(
            runs.iter()
                .find(|r| &r.name == name)
                .ok_or_else(|| invalid("--cluster", name, "no cluster run of that name"))?,
        ),
        None => runs.iter().find(|r| r.kind == "cluster"),
    };
    let cluster = match run {
        Some(run) => Some((
            run.name.clone(),
            store.cluster_record(run)?,
            store.cluster_assignments(&run.name)?,
        )),
        None => None,
    };
    let rules = response::molecular::Rules::default();
    let mut extras = HashMap::new();
    for patient in store.patients()? {
        let code = patient.fields.code;
        let inputs = PatientInputs::from_record(&store.response_record(&code)?);
        let report = response::assess_patient_with(
            &inputs,
            &oncotrack::export::cohort::COHORT_CRITERIA,
            &rules,
        );
        extras.insert(
            code,
            PatientExtras {
                report,
                draws: inputs.ctdna,
            },
        );
    }
    let tables: HashMap<&str, _> = [
        "patients",
        "timeline",
        "calls",
        "cytokines",
        "lesions",
        "pet",
    ]
    .into_iter()
    .map(|name| Ok((name, store.export_table(name)?)))
    .collect::<anyhow::Result<_>>()?;
    let survival = survival_table(&store.courses()?);
    let input = StudyInput {
        patients: &tables["patients"],
        timeline: &tables["timeline"],
        calls: &tables["calls"],
        cytokines: &tables["cytokines"],
        lesions: &tables["lesions"],
        pet: &tables["pet"],
        survival: &survival,
        extras: &extras,
        endotypes: cluster
            .as_ref()
            .map(|(run, record, assignments)| Endotypes {
                run,
                record,
                assignments,
            }),
    };
    let options = StudyOptions {
        study_id: args.study_id.clone(),
        genome: match args.reference_genome {
            GenomeArg::Hg19 => Genome::Hg19,
            GenomeArg::Hg38 => Genome::Hg38,
        },
    };
    let files = cbioportal::study_files(&input, &options, key.as_ref())?;
    cbioportal::write_study(&args.out, &files)?;
    say!(
        "{}: cBioPortal study '{}' ({} files{}){}",
        args.out.display(),
        args.study_id,
        files.len(),
        if key.is_some() { ", de-identified" } else { "" },
        cluster
            .as_ref()
            .map(|(run, _, _)| format!("; endotypes of cluster run '{run}'"))
            .unwrap_or_default()
    );
    Ok(())
}
