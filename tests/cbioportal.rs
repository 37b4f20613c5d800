//! `export cbioportal`: the demo's study files, private and de-identified as asked, a folder oncotrack did not make left alone, and cBioPortal's own validator (when python3 and ../shared/tools are there).

use crate::util::Sandbox;
use std::path::{Path, PathBuf};
use std::process::Command;

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The data rows of a TSV file (clinical files: after the 4 metadata lines and the header).
fn rows(text: &str) -> Vec<Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect()
}

fn column<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let header: Vec<&str> = text
        .lines()
        .find(|l| !l.starts_with('#'))
        .unwrap()
        .split('\t')
        .collect();
    let i = header
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows(text).into_iter().map(|r| r[i]).collect()
}

/// Whether `text` holds a calendar date (YYYY-MM-DD).
fn has_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(10).any(|w| {
        w[4] == b'-'
            && w[7] == b'-'
            && [0, 1, 2, 3, 5, 6, 8, 9]
                .iter()
                .all(|&i| w[i].is_ascii_digit())
    })
}

/// cBioPortal's validator, or why it cannot run here.
fn validator() -> Result<PathBuf, String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/cbioportal-validate");
    if !script.exists() {
        return Err(format!("{} is absent", script.display()));
    }
    match Command::new("python3").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(script),
        _ => Err("python3 is not available".into()),
    }
}

/// Runs the validator on `study`: None (skipped, reason printed) or its exit code and output.
fn validate(study: &Path) -> Option<(i32, String)> {
    let script = match validator() {
        Ok(s) => s,
        Err(reason) => {
            eprintln!("skipped the cBioPortal validator: {reason}");
            return None;
        }
    };
    let out = Command::new("bash")
        .arg(&script)
        .arg(study)
        .output()
        .expect("run the validator");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let code = out.status.code().unwrap_or(-1);
    if code == 2 {
        eprintln!("skipped the cBioPortal validator: it could not set itself up: {text}");
        return None;
    }
    Some((code, text))
}

#[test]
fn the_demo_study_has_every_file_validates_and_de_identifies() {
    let s = Sandbox::new();
    s.run(&["demo", "--patients", "20", "--out", "files", "--no-tui"])
        .ok();
    let out = s.path().join("study");
    let text = s
        .run(&["export", "cbioportal", "--out", "study"])
        .ok()
        .to_string();
    assert!(text.contains("demo-endotypes"), "{text}");
    for name in [
        "meta_study.txt",
        "meta_cancer_type.txt",
        "cancer_type.txt",
        "meta_clinical_patient.txt",
        "data_clinical_patient.txt",
        "meta_clinical_sample.txt",
        "data_clinical_sample.txt",
        "meta_mutations_extended.txt",
        "data_mutations.txt",
        "data_timeline_treatment.txt",
        "data_timeline_surgery.txt",
        "data_timeline_imaging.txt",
        "data_timeline_specimen.txt",
        "data_timeline_labtest.txt",
        "data_timeline_status.txt",
        "case_lists/cases_all.txt",
        "case_lists/cases_sequenced.txt",
    ] {
        let path = out.join(name);
        assert!(path.is_file(), "{name} missing");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
    let patients = read(&out, "data_clinical_patient.txt");
    assert_eq!(rows(&patients).len(), 20);
    assert!(
        column(&patients, "OS_STATUS")
            .iter()
            .all(|v| ["0:LIVING", "1:DECEASED"].contains(v))
    );
    assert!(
        column(&patients, "ENDOTYPE")
            .iter()
            .all(|v| v.starts_with("cluster "))
    );
    let samples = read(&out, "data_clinical_sample.txt");
    let ids = column(&samples, "SAMPLE_ID");
    assert_eq!(ids.iter().filter(|i| i.ends_with("-T")).count(), 20);
    assert!(ids.iter().any(|i| i.ends_with("-B01")));
    // The MAF: one row per detected variant and draw, counts as integers.
    let maf = read(&out, "data_mutations.txt");
    let barcodes = column(&maf, "Tumor_Sample_Barcode");
    assert!(!barcodes.is_empty());
    assert!(barcodes.iter().all(|b| ids.contains(b)));
    assert!(
        column(&maf, "t_alt_count")
            .iter()
            .all(|c| c.parse::<u64>().is_ok())
    );
    assert!(column(&maf, "HGVSp_Short").contains(&"p.R273H"));
    let imaging = read(&out, "data_timeline_imaging.txt");
    assert!(
        column(&imaging, "RECIST")
            .iter()
            .any(|c| ["CR", "PR", "SD", "PD"].contains(c))
    );
    assert!(read(&out, "data_timeline_labtest.txt").contains("IL-6"));
    let specimens = read(&out, "data_timeline_specimen.txt");
    assert!(column(&specimens, "MEAN_VAF").iter().any(|v| *v != "NA"));

    // Exported again over its own folder: fine. Into a folder with a foreign file: refused.
    s.run(&[
        "export",
        "cbioportal",
        "--out",
        "study",
        "--study-id",
        "demo_two",
    ])
    .ok();
    assert!(read(&out, "meta_study.txt").contains("cancer_study_identifier: demo_two"));
    std::fs::create_dir(s.path().join("mine")).unwrap();
    std::fs::write(s.path().join("mine/notes.txt"), "keep").unwrap();
    s.run(&["export", "cbioportal", "--out", "mine"])
        .fails(1, "did not make");
    assert_eq!(read(&s.path().join("mine"), "notes.txt"), "keep");
    s.run(&["export", "cbioportal", "--out", "x", "--study-id", "Bad-Id"])
        .fails(1, "lower-case");

    // De-identified: pseudonyms as `export` gives them, no code, date, site or free text.
    let key = s.key_file("0123456789abcdef0123456789");
    let key = key.to_str().unwrap();
    s.run(&[
        "export",
        "cbioportal",
        "--out",
        "deid",
        "--deidentify",
        "--key-file",
        key,
    ])
    .ok();
    let deid = s.path().join("deid");
    let patients = read(&deid, "data_clinical_patient.txt");
    let ids = column(&patients, "PATIENT_ID");
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "rows ordered by pseudonym");
    let csv = s
        .run(&[
            "export",
            "patients",
            "--out",
            "-",
            "--deidentify",
            "--key-file",
            key,
        ])
        .ok()
        .to_string();
    for id in &ids {
        assert!(id.starts_with("pt_") && csv.contains(id), "{id}");
    }
    assert!(!patients.contains("SITE"));
    for entry in std::fs::read_dir(&deid).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("P001") && !text.contains("Site "),
            "{}",
            path.display()
        );
        assert!(!has_date(&text), "a date in {}", path.display());
    }
    assert!(
        column(&read(&deid, "data_timeline_treatment.txt"), "AGENT")
            .iter()
            .all(|a| *a == "NA")
    );

    for study in [&out, &deid] {
        let Some((code, report)) = validate(study) else {
            return;
        };
        assert!(code == 0 || code == 3, "validator exit {code}:\n{report}");
        assert!(
            !report.contains("ERROR") && !report.contains("CRITICAL"),
            "{report}"
        );
        // Only the warnings docs/export.md explains.
        for line in report.lines().filter(|l| l.starts_with("WARNING")) {
            assert!(
                line.contains("Skipping validations")
                    || line.contains("DFS_MONTHS")
                    || line.contains("SWISSPROT"),
                "unexplained warning: {line}"
            );
        }
    }
}
