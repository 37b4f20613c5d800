//! PyRadiomics output: batch CSV (one row per case) or the transposed layout of its baselines (one row per feature), by column name.
//!
//! Features keep the names PyRadiomics writes (`original_firstorder_Mean`,
//! `wavelet-LLH_glcm_Contrast` …: image type, feature class, feature); `diagnostics_*`
//! columns become study metadata, and so do the other columns (`Image`, `Mask`,
//! `class`, `label` …: case metadata, each named in the report), never dropped without
//! a word. A case is mapped to a patient, date and lesion by the columns `patient`,
//! `date`, `lesion` of the batch file, or by a manifest
//! (`case,patient,date,lesion[,scanner,site,modality]`) keyed by the case id, which
//! may be an image path or its file name. The case id is the `case` column, else the
//! `Image` column, else `Mask`, else the unnamed first column that pandas' `to_csv`
//! writes for its index (`--case-col` names another, by name or 1-based position).

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
    /// Other columns (`Image`, `Mask`, `class`, `label` …) and their values: case metadata.
    pub metadata: Vec<(String, String)>,
}

/// What a radiomics file held.
#[derive(Debug, Clone, PartialEq)]
pub struct RadiomicsTable {
    /// The cases.
    pub cases: Vec<RadiomicsCase>,
    /// Feature cells that were empty or `nan` (PyRadiomics writes `nan` for features
    /// undefined on an ROI); not stored.
    pub missing: usize,
    /// Where the case id came from (`the unnamed first column (a pandas index)` …),
    /// empty when cases are mapped by patient, date and lesion columns.
    pub case_column: String,
    /// Columns (rows of the transposed layout) kept as case metadata.
    pub metadata_columns: Vec<String>,
    /// Columns read for nothing (unnamed columns other than the case id), by position.
    pub ignored_columns: Vec<String>,
}

/// Which column of a batch file holds the case id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CaseColumn {
    /// `case`, else `Image`, else `Mask`, else the unnamed first column (pandas' index).
    #[default]
    Auto,
    /// The column of this name.
    Name(String),
    /// The column at this 1-based position.
    Position(usize),
}

impl std::str::FromStr for CaseColumn {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let text = text.trim();
        if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
            return match text.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(CaseColumn::Position(n)),
                _ => Err("columns are numbered from 1".into()),
            };
        }
        if text.is_empty() {
            return Ok(CaseColumn::Auto);
        }
        Ok(CaseColumn::Name(text.to_string()))
    }
}

impl std::fmt::Display for CaseColumn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // As the ledger knew the default before it was chosen per file.
            CaseColumn::Auto => f.write_str("case"),
            CaseColumn::Name(name) => f.write_str(name),
            CaseColumn::Position(n) => write!(f, "#{n}"),
        }
    }
}

/// The columns of a batch file that map cases rather than describe them.
const MAPPING_COLUMNS: [&str; 6] = ["patient", "date", "lesion", "scanner", "site", "modality"];

/// The file name of an image path (`/data/5060090.nrrd` → `5060090.nrrd`, either slash).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// How to read a radiomics file.
#[derive(Debug, Clone)]
pub struct Options {
    /// Column of the case id in the batch layout.
    pub case_col: CaseColumn,
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
        if let Some(found) = manifest.get(case) {
            return Ok(found.clone());
        }
        // An image path in one, its file name in the other.
        let name = file_name(case);
        let matches: Vec<(&String, &CaseRef)> = manifest
            .iter()
            .filter(|(key, _)| *key == name || file_name(key) == name)
            .collect();
        match matches.as_slice() {
            [(_, found)] => Ok((*found).clone()),
            [] => Err(Error::parse(
                path,
                line,
                field,
                format!(
                    "case '{case}' is not in the manifest (neither as written nor by its file name '{name}')"
                ),
            )),
            several => {
                let mut keys: Vec<&str> = several.iter().map(|(k, _)| k.as_str()).collect();
                keys.sort_unstable();
                Err(Error::parse(
                    path,
                    line,
                    field,
                    format!(
                        "case '{case}' matches {} manifest cases by its file name '{name}' ({}): write the full path in the manifest",
                        keys.len(),
                        keys.join(", ")
                    ),
                ))
            }
        }
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
                metadata: Vec::new(),
            });
        }
        for case in &cases {
            check_unique(case)?;
        }
        let mut metadata_columns: Vec<String> = Vec::new();
        input.for_each(|record| {
            let feature = record
                .required(&headers[0].to_ascii_lowercase())?
                .to_string();
            let diagnostic = feature.starts_with("diagnostics_");
            let other = !diagnostic && !is_feature(&feature);
            if other && !metadata_columns.contains(&feature) {
                metadata_columns.push(feature.clone());
            }
            for (column, case) in cases.iter_mut().enumerate() {
                let text = record.get_at(column + 1).unwrap_or("");
                if other {
                    case.metadata.push((feature.clone(), text.to_string()));
                } else if diagnostic {
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
        input.require_rows("features")?;
        return Ok(RadiomicsTable {
            cases,
            missing,
            case_column: format!("the header (one column per case after {})", headers[0]),
            metadata_columns,
            ignored_columns: Vec::new(),
        });
    }

    let by_manifest = manifest.is_some();
    let has = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    // The case id's column: (index, name for errors, description for the report).
    let case_at: Option<(usize, String, String)> = if by_manifest {
        let found = match &options.case_col {
            CaseColumn::Name(name) => {
                has(name).map(|i| (i, format!("column '{name}' (--case-col)")))
            }
            CaseColumn::Position(n) => (*n <= headers.len()).then(|| {
                (
                    n - 1,
                    format!("column {n} (--case-col), '{}'", headers[n - 1]),
                )
            }),
            CaseColumn::Auto => ["case", "image", "mask"]
                .iter()
                .find_map(|name| has(name).map(|i| (i, format!("column '{}'", headers[i]))))
                .or_else(|| {
                    headers.first().filter(|h| h.is_empty()).map(|_| {
                        (
                            0,
                            "the unnamed first column (the index pandas' to_csv writes)"
                                .to_string(),
                        )
                    })
                }),
        };
        let Some((index, description)) = found else {
            let wanted = match &options.case_col {
                CaseColumn::Auto => {
                    "a case, Image or Mask column, or an unnamed first column (a pandas index),"
                        .to_string()
                }
                CaseColumn::Name(name) => format!("the column '{name}' given with --case-col,"),
                CaseColumn::Position(n) => {
                    format!("a column {n} (--case-col) but it has {},", headers.len())
                }
            };
            return Err(Error::parse(
                path,
                1,
                "(header)",
                format!(
                    "mapping cases by --manifest needs {wanted} holding the case id (header has: {}); name it with --case-col NAME or --case-col N (1-based)",
                    headers.join(", ")
                ),
            ));
        };
        let label = if headers[index].is_empty() {
            format!("column {}", index + 1)
        } else {
            headers[index].clone()
        };
        Some((index, label, description))
    } else {
        for name in ["patient", "date", "lesion"] {
            if has(name).is_none() {
                return Err(Error::parse(
                    path,
                    1,
                    name,
                    "required column is missing: map cases by patient,date,lesion columns or by --manifest with a case column",
                ));
            }
        }
        None
    };
    // Every other column that is neither a feature nor a diagnostic is case metadata;
    // unnamed ones (a pandas index beside the case id) are read for nothing.
    let mut metadata_columns = Vec::new();
    let mut ignored_columns = Vec::new();
    let mut kinds: Vec<ColumnKind> = Vec::new();
    for (index, name) in headers.iter().enumerate() {
        let kind = if case_at.as_ref().is_some_and(|(i, _, _)| *i == index) {
            ColumnKind::Skip
        } else if name.starts_with("diagnostics_") {
            ColumnKind::Diagnostic
        } else if is_feature(name) {
            ColumnKind::Feature
        } else if name.is_empty() {
            ignored_columns.push(format!("column {} (unnamed)", index + 1));
            ColumnKind::Skip
        } else if !by_manifest && MAPPING_COLUMNS.contains(&name.to_ascii_lowercase().as_str()) {
            ColumnKind::Skip
        } else {
            metadata_columns.push(name.clone());
            ColumnKind::Metadata
        };
        kinds.push(kind);
    }
    let mut cases = Vec::new();
    input.for_each(|record| {
        let (case, target) = if let Some((index, label, _)) = &case_at {
            let case = record
                .get_at(*index)
                .ok_or_else(|| {
                    Error::parse(path, record.line, label, "empty: the case id is required")
                })?
                .to_string();
            let target = lookup(&case, record.line, label)?;
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
            metadata: Vec::new(),
        };
        for (index, name) in headers.iter().enumerate() {
            let text = record.get_at(index).unwrap_or("");
            match kinds[index] {
                ColumnKind::Diagnostic => row.diagnostics.push((name.clone(), text.to_string())),
                ColumnKind::Metadata => row.metadata.push((name.clone(), text.to_string())),
                ColumnKind::Feature => match feature_value(text).map_err(|m| {
                    record.error(&name.to_ascii_lowercase(), format!("'{text}': {m}"))
                })? {
                    Some(v) => row.features.push((name.clone(), v)),
                    None => missing += 1,
                },
                ColumnKind::Skip => {}
            }
        }
        check_unique(&row)?;
        cases.push(row);
        Ok(())
    })?;
    input.require_rows("cases")?;
    Ok(RadiomicsTable {
        cases,
        missing,
        case_column: case_at.map(|(_, _, d)| d).unwrap_or_default(),
        metadata_columns,
        ignored_columns,
    })
}

/// What a batch file's column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    /// A PyRadiomics feature.
    Feature,
    /// A `diagnostics_*` column.
    Diagnostic,
    /// Anything else: case metadata.
    Metadata,
    /// The case id, a mapping column, or an unnamed column.
    Skip,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::testing::file;

    fn options() -> Options {
        Options {
            case_col: CaseColumn::Auto,
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
    fn pandas_index_column_is_the_case_id_and_manifest_maps_by_path_or_file_name() {
        // As pandas' to_csv writes PyRadiomics results: an unnamed index column first.
        let f = file(
            ",diagnostics_Versions_PyRadiomics,class,original_firstorder_Mean\n\
             5060090.nrrd,v3.0.1,high,12.5\n\
             /data/ct/5060091.nrrd,v3.0.1,low,7\n",
        );
        let m = file(
            "case,patient,date,lesion\n\
             /images/5060090.nrrd,P001,2024-01-10,L1\n\
             5060091.nrrd,P002,2024-01-11,L1\n",
        );
        let manifest = read_manifest(m.path(), &options()).unwrap();
        let table = read(f.path(), Some(&manifest), &options()).unwrap();
        assert_eq!(
            table.case_column,
            "the unnamed first column (the index pandas' to_csv writes)"
        );
        assert_eq!(table.cases[0].target.study.patient, "P001");
        assert_eq!(table.cases[1].target.study.patient, "P002");
        assert_eq!(table.cases[1].case, "/data/ct/5060091.nrrd");
        assert_eq!(table.metadata_columns, vec!["class".to_string()]);
        assert_eq!(
            table.cases[0].metadata,
            vec![("class".to_string(), "high".to_string())]
        );
        assert_eq!(
            table.cases[0].features,
            vec![("original_firstorder_Mean".to_string(), 12.5)]
        );
        // By position; then the Image column wins over the index, which is ignored.
        let mut by_position = options();
        by_position.case_col = "1".parse().unwrap();
        let table = read(f.path(), Some(&manifest), &by_position).unwrap();
        assert_eq!(table.cases.len(), 2);
        let g = file(
            ",Image,Mask,label,original_firstorder_Mean\n\
             0,/x/5060090.nrrd,/x/5060090_mask.nrrd,1,3\n",
        );
        let table = read(g.path(), Some(&manifest), &options()).unwrap();
        assert_eq!(table.case_column, "column 'Image'");
        assert_eq!(
            table.ignored_columns,
            vec!["column 1 (unnamed)".to_string()]
        );
        assert_eq!(
            table.metadata_columns,
            vec!["Mask".to_string(), "label".to_string()]
        );
        // Two manifest cases with one file name are ambiguous.
        let twice = file(
            "case,patient,date,lesion\n/a/5060090.nrrd,P001,2024-01-10,L1\n/b/5060090.nrrd,P002,2024-01-10,L1\n",
        );
        let manifest = read_manifest(twice.path(), &options()).unwrap();
        let err = read(f.path(), Some(&manifest), &options())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("matches 2 manifest cases by its file name '5060090.nrrd'"),
            "{err}"
        );
        assert!("0".parse::<CaseColumn>().is_err());
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
