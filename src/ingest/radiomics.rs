//! PyRadiomics output: batch CSV (one row per case) or the transposed layout of its baselines (one row per feature), by column name.
//!
//! Features keep the names PyRadiomics writes (`original_firstorder_Mean`,
//! `wavelet-LLH_glcm_Contrast` …: image type, feature class, feature); `diagnostics_*`
//! columns become study metadata. A case is mapped to a patient, date and lesion by
//! the columns `patient`, `date`, `lesion` of the batch file, or by a manifest
//! (`case,patient,date,lesion[,scanner,site,modality]`) keyed by the case id.

use super::CsvInput;
use crate::error::{Error, Result};
use crate::model::{Modality, StudyKey};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

/// PyRadiomics feature classes (the middle part of a feature name).
const FEATURE_CLASSES: [&str; 8] = [
    "shape",
    "shape2D",
    "firstorder",
    "glcm",
    "glrlm",
    "glszm",
    "gldm",
    "ngtdm",
];

/// Whether a column name is a PyRadiomics feature (`<image type>_<class>_<feature>`).
pub fn is_feature(name: &str) -> bool {
    let mut parts = name.splitn(3, '_');
    matches!(
        (parts.next(), parts.next(), parts.next()),
        (Some(image), Some(class), Some(feature))
            if !image.is_empty() && !feature.is_empty() && FEATURE_CLASSES.contains(&class)
    )
}

/// Where a case belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRef {
    /// The study (patient, date, modality, scanner, site).
    pub study: StudyKey,
    /// Lesion label.
    pub lesion: String,
}

/// Case id → patient, date, lesion and scanner.
pub type Manifest = HashMap<String, CaseRef>;

/// One case: its features and diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct RadiomicsCase {
    /// Line of the case (batch layout) or of the header (transposed layout).
    pub line: u64,
    /// Case id (empty when mapped by columns).
    pub case: String,
    /// Where it belongs.
    pub target: CaseRef,
    /// Feature name and value.
    pub features: Vec<(String, f64)>,
    /// Diagnostic name and value, as text.
    pub diagnostics: Vec<(String, String)>,
}

/// What a radiomics file held.
#[derive(Debug, Clone, PartialEq)]
pub struct RadiomicsTable {
    /// The cases.
    pub cases: Vec<RadiomicsCase>,
    /// Feature cells that were empty or `nan` (PyRadiomics writes `nan` for features
    /// undefined on an ROI); not stored.
    pub missing: usize,
}

/// How to read a radiomics file.
#[derive(Debug, Clone)]
pub struct Options {
    /// Column of the case id in the batch layout.
    pub case_col: String,
    /// Modality of the studies when neither the file nor the manifest says.
    pub modality: Modality,
    /// Dates after this day are rejected.
    pub today: NaiveDate,
}

fn study_of(
    record: &super::CsvRecord<'_>,
    default_modality: Modality,
    today: NaiveDate,
) -> Result<CaseRef> {
    let modality = match record.get("modality") {
        Some(text) => text
            .parse()
            .map_err(|m| record.error("modality", format!("'{text}': {m}")))?,
        None => default_modality,
    };
    Ok(CaseRef {
        study: StudyKey {
            patient: record.required("patient")?.to_string(),
            date: record.past_date("date", today)?,
            modality,
            scanner: record.get("scanner").unwrap_or("").to_string(),
            site: record.get("site").unwrap_or("").to_string(),
        },
        lesion: record.required("lesion")?.to_string(),
    })
}

/// Reads a manifest: `case,patient,date,lesion[,scanner,site,modality]`.
///
/// # Errors
/// An invalid row (line, field) or a case given twice.
pub fn read_manifest(path: &Path, options: &Options) -> Result<Manifest> {
    let mut input = CsvInput::open(path, &["case", "patient", "date", "lesion"])?;
    let mut manifest = Manifest::new();
    input.for_each(|record| {
        let case = record.required("case")?.to_string();
        let target = study_of(record, options.modality, options.today)?;
        if manifest.insert(case.clone(), target).is_some() {
            return Err(record.error("case", format!("case '{case}' appears twice")));
        }
        Ok(())
    })?;
    Ok(manifest)
}

/// A feature cell: a finite number, or missing (`None`) when empty or `nan`.
fn feature_value(text: &str) -> Result<Option<f64>, String> {
    if text.is_empty() || text.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    let v: f64 = text.parse().map_err(|_| "not a number".to_string())?;
    if !v.is_finite() {
        return Err("not a finite number".into());
    }
    Ok(Some(v))
}

/// Reads a PyRadiomics file in either layout: transposed when the first column is
/// `featureName` (a manifest is then required), else one row per case.
///
/// # Errors
/// A non-numeric feature value (line and feature named), a case missing from the
/// manifest, a missing mapping column, or a case given twice.
pub fn read(path: &Path, manifest: Option<&Manifest>, options: &Options) -> Result<RadiomicsTable> {
    read_from(super::open_regular(path)?, path, manifest, options)
}

/// As [`read`], from any reader; `path` only names the input in errors (unit tests
/// pass inline bytes).
///
/// # Errors
/// As [`read`].
pub fn read_from(
    reader: impl std::io::Read,
    path: &Path,
    manifest: Option<&Manifest>,
    options: &Options,
) -> Result<RadiomicsTable> {
    let mut input = CsvInput::from_reader(reader, path, &[])?;
    let headers = input.headers().to_vec();
    let lookup = |case: &str, line: u64, field: &str| -> Result<CaseRef> {
        let manifest = manifest.ok_or_else(|| {
            Error::parse(
                path,
                line,
                field,
                "no manifest given (--manifest) to map cases to patients",
            )
        })?;
        manifest.get(case).cloned().ok_or_else(|| {
            Error::parse(
                path,
                line,
                field,
                format!("case '{case}' is not in the manifest"),
            )
        })
    };
    let mut missing = 0usize;
    let mut seen: HashMap<(String, NaiveDate, String), u64> = HashMap::new();
    let mut check_unique = |case: &RadiomicsCase| -> Result<()> {
        let t = &case.target;
        let key = (t.study.patient.clone(), t.study.date, t.lesion.clone());
        match seen.insert(key, case.line) {
            Some(first) => Err(Error::parse(
                path,
                case.line,
                if case.case.is_empty() {
                    "lesion"
                } else {
                    &case.case
                },
                format!(
                    "lesion {} of {} on {} already given (line {first})",
                    t.lesion, t.study.patient, t.study.date
                ),
            )),
            None => Ok(()),
        }
    };

    if headers
        .first()
        .is_some_and(|h| h.eq_ignore_ascii_case("featurename"))
    {
        let mut cases: Vec<RadiomicsCase> = Vec::new();
        for name in headers.iter().skip(1) {
            cases.push(RadiomicsCase {
                line: 1,
                case: name.clone(),
                target: lookup(name, 1, name)?,
                features: Vec::new(),
                diagnostics: Vec::new(),
            });
        }
        for case in &cases {
            check_unique(case)?;
        }
        input.for_each(|record| {
            let feature = record
                .required(&headers[0].to_ascii_lowercase())?
                .to_string();
            let diagnostic = feature.starts_with("diagnostics_");
            if !diagnostic && !is_feature(&feature) {
                return Ok(());
            }
            for (column, case) in cases.iter_mut().enumerate() {
                let text = record.get_at(column + 1).unwrap_or("");
                if diagnostic {
                    case.diagnostics.push((feature.clone(), text.to_string()));
                } else {
                    match feature_value(text).map_err(|m| {
                        record.error(&case.case, format!("{feature} = '{text}': {m}"))
                    })? {
                        Some(v) => case.features.push((feature.clone(), v)),
                        None => missing += 1,
                    }
                }
            }
            Ok(())
        })?;
        return Ok(RadiomicsTable { cases, missing });
    }

    let case_col = options.case_col.to_ascii_lowercase();
    let by_manifest = manifest.is_some();
    let needed: &[&str] = if by_manifest {
        &[case_col.as_str()]
    } else {
        &["patient", "date", "lesion"]
    };
    for name in needed {
        if !headers.iter().any(|h| h.eq_ignore_ascii_case(name)) {
            return Err(Error::parse(
                path,
                1,
                name,
                "required column is missing: map cases by patient,date,lesion columns or by --manifest with a case column",
            ));
        }
    }
    let mut cases = Vec::new();
    input.for_each(|record| {
        let (case, target) = if by_manifest {
            let case = record.required(&case_col)?.to_string();
            let target = lookup(&case, record.line, &options.case_col)?;
            (case, target)
        } else {
            (
                String::new(),
                study_of(record, options.modality, options.today)?,
            )
        };
        let mut row = RadiomicsCase {
            line: record.line,
            case,
            target,
            features: Vec::new(),
            diagnostics: Vec::new(),
        };
        for (index, name) in headers.iter().enumerate() {
            let text = record.get_at(index).unwrap_or("");
            if name.starts_with("diagnostics_") {
                row.diagnostics.push((name.clone(), text.to_string()));
            } else if is_feature(name) {
                match feature_value(text)
                    .map_err(|m| record.error(name, format!("'{text}': {m}")))?
                {
                    Some(v) => row.features.push((name.clone(), v)),
                    None => missing += 1,
                }
            }
        }
        check_unique(&row)?;
        cases.push(row);
        Ok(())
    })?;
    Ok(RadiomicsTable { cases, missing })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::testing::file;

    fn options() -> Options {
        Options {
            case_col: "case".into(),
            modality: Modality::Ct,
            today: crate::ingest::testing::today(),
        }
    }

    #[test]
    fn feature_names_are_recognised_by_image_type_and_class() {
        for name in [
            "original_firstorder_Mean",
            "original_shape_MeshVolume",
            "wavelet-LLH_glcm_Contrast",
            "log-sigma-1-0-mm-3D_ngtdm_Busyness",
            "original_shape2D_Perimeter",
        ] {
            assert!(is_feature(name), "{name}");
        }
        for name in [
            "Image",
            "Mask",
            "diagnostics_Versions_PyRadiomics",
            "original_foo_Bar",
            "case",
        ] {
            assert!(!is_feature(name), "{name}");
        }
    }

    #[test]
    fn batch_layout_maps_cases_by_columns_in_any_order() {
        let f = file(
            "original_firstorder_Mean,Image,patient,diagnostics_Versions_PyRadiomics,date,lesion,original_shape_MeshVolume\n\
             12.5,img.nrrd,P001,v3.1.0,2024-01-10,L1,3050.2\n\
             nan,img2.nrrd,P001,v3.1.0,2024-03-10,L1,2900\n",
        );
        let table = read(f.path(), None, &options()).unwrap();
        assert_eq!(table.cases.len(), 2);
        assert_eq!(
            table.cases[0].features,
            vec![
                ("original_firstorder_Mean".to_string(), 12.5),
                ("original_shape_MeshVolume".to_string(), 3050.2)
            ]
        );
        assert_eq!(
            table.cases[0].diagnostics,
            vec![(
                "diagnostics_Versions_PyRadiomics".to_string(),
                "v3.1.0".to_string()
            )]
        );
        assert_eq!(table.missing, 1);
    }

    #[test]
    fn transposed_layout_needs_a_manifest_and_maps_every_case() {
        let f = file(
            "featureName,caseA,caseB\n\
             diagnostics_Versions_Python,3.11,3.11\n\
             original_firstorder_Mean,1.5,2.5\n",
        );
        let err = read(f.path(), None, &options()).unwrap_err().to_string();
        assert!(err.contains("no manifest given"), "{err}");
        let m = file(
            "case,patient,date,lesion,scanner\ncaseA,P001,2024-01-10,L1,GE\ncaseB,P002,2024-01-11,L1,\n",
        );
        let manifest = read_manifest(m.path(), &options()).unwrap();
        let table = read(f.path(), Some(&manifest), &options()).unwrap();
        assert_eq!(table.cases[1].case, "caseB");
        assert_eq!(
            table.cases[1].features,
            vec![("original_firstorder_Mean".to_string(), 2.5)]
        );
        assert_eq!(table.cases[0].target.study.scanner, "GE");
        let partial = file("case,patient,date,lesion\ncaseA,P001,2024-01-10,L1\n");
        let manifest = read_manifest(partial.path(), &options()).unwrap();
        let err = read(f.path(), Some(&manifest), &options())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("field 'caseB': case 'caseB' is not in the manifest"),
            "{err}"
        );
    }

    #[test]
    fn non_numeric_feature_values_name_the_line_and_feature() {
        let f = file("patient,date,lesion,original_firstorder_Mean\nP001,2024-01-10,L1,1.2.3\n");
        let err = read(f.path(), None, &options()).unwrap_err().to_string();
        assert!(
            err.contains("line 2: field 'original_firstorder_Mean': '1.2.3'"),
            "{err}"
        );
    }
}
