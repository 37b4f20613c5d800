//! Lesion measurement CSV: one row per lesion per imaging study, with what RECIST 1.1 and Choi need.
//!
//! Columns (order free, names trimmed and case-insensitive): `patient`, `date`,
//! `modality` (CT, MR, PET), `lesion` are required; `scanner`, `site`, `organ`,
//! `target` (y/n), `nodal` (y/n), `longest_diameter_mm`, `short_axis_mm`, `mean_hu`,
//! `new_lesion` (y/n) are optional. An empty diameter means "not measured" (RECIST NE).
//! Names also match with spaces and the unit in brackets (`Longest Diameter (mm)`); any
//! other column is refused, so no measurement is left unread under a name not known.

use super::CsvInput;
use crate::error::Result;
use crate::model::{LesionFacts, LesionRow, Modality, StudyKey};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::path::Path;

/// Parses y/n (also yes/no, true/false, 1/0).
pub(crate) fn yes_no(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "y" | "yes" | "true" | "1" => Ok(true),
        "n" | "no" | "false" | "0" => Ok(false),
        _ => Err("expected y or n".into()),
    }
}

/// A finite length in mm, not negative.
fn length_mm(text: &str) -> Result<f64, String> {
    let v: f64 = text.parse().map_err(|_| {
        if super::is_comma_number(text) {
            super::COMMA_IN_NUMBER.to_string()
        } else {
            "not a number".to_string()
        }
    })?;
    if !v.is_finite() || v < 0.0 {
        return Err("expected a length in mm, 0 or more".into());
    }
    Ok(v)
}

/// A finite number (HU may be negative).
fn finite(text: &str) -> Result<f64, String> {
    text.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| "not a finite number".into())
}

/// The columns of a lesion CSV, as [`column_key`] writes them.
const COLUMNS: [&str; 13] = [
    "patient",
    "date",
    "modality",
    "lesion",
    "scanner",
    "site",
    "organ",
    "target",
    "nodal",
    "longest_diameter_mm",
    "short_axis_mm",
    "mean_hu",
    "new_lesion",
];

/// A header name as a column key: lower case, every run of spaces, punctuation and
/// brackets one `_`, none at either end (`Longest Diameter (mm)` is
/// `longest_diameter_mm`, `Mean HU` is `mean_hu`, `New-lesion` is `new_lesion`).
fn column_key(name: &str) -> String {
    let mut key = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            key.push(c);
        } else if !key.is_empty() && !key.ends_with('_') {
            key.push('_');
        }
    }
    key.trim_end_matches('_').to_string()
}

/// Reads and validates a lesion CSV.
///
/// # Errors
/// The first invalid row (file, line, field), a date after `today`, or the same
/// lesion twice on one study.
pub fn read(path: &Path, today: NaiveDate) -> Result<Vec<LesionRow>> {
    read_from(super::open_regular(path)?, path, today)
}

/// As [`read`], from any reader; `path` only names the input in errors (unit tests
/// pass inline bytes).
///
/// # Errors
/// As [`read`].
pub fn read_from(
    reader: impl std::io::Read,
    path: &Path,
    today: NaiveDate,
) -> Result<Vec<LesionRow>> {
    let mut input =
        CsvInput::from_reader(reader, path, &["patient", "date", "modality", "lesion"])?;
    input.rekey(column_key)?;
    if let Some(unknown) = input
        .headers()
        .iter()
        .find(|h| !h.is_empty() && !COLUMNS.contains(&column_key(h).as_str()))
    {
        return Err(crate::error::Error::parse(
            path,
            1,
            unknown,
            format!(
                "not a lesion column (the columns are {}; names match in any case, with \
                 spaces for underscores and the unit in brackets, e.g. 'Longest diameter \
                 (mm)'): rename it, or remove it; nothing was ingested",
                COLUMNS.join(", ")
            ),
        ));
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<(String, NaiveDate, Modality, String), u64> = HashMap::new();
    input.for_each(|record| {
        let patient = record.required("patient")?.to_string();
        let date = record.past_date("date", today)?;
        let modality_text = record.required("modality")?;
        let modality: Modality = modality_text
            .parse()
            .map_err(|m| record.error("modality", format!("'{modality_text}': {m}")))?;
        let label = record.required("lesion")?.to_string();
        let key = (patient.clone(), date, modality, label.clone());
        if let Some(first) = seen.insert(key, record.line) {
            return Err(record.error(
                "lesion",
                format!(
                    "lesion {label} of {patient} on {date} ({}) already given on line {first}",
                    modality.as_str()
                ),
            ));
        }
        rows.push(LesionRow {
            line: record.line,
            study: StudyKey {
                patient,
                date,
                modality,
                scanner: record.get("scanner").unwrap_or("").to_string(),
                site: record.get("site").unwrap_or("").to_string(),
            },
            lesion: LesionFacts {
                label,
                organ: record.get("organ").map(str::to_string),
                target: record.parse_opt("target", yes_no)?,
                nodal: record.parse_opt("nodal", yes_no)?,
            },
            longest_diameter_mm: record.parse_opt("longest_diameter_mm", length_mm)?,
            short_axis_mm: record.parse_opt("short_axis_mm", length_mm)?,
            mean_hu: record.parse_opt("mean_hu", finite)?,
            new_lesion: record.parse_opt("new_lesion", yes_no)?.unwrap_or(false),
        });
        Ok(())
    })?;
    input.require_rows("lesion measurements")?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::testing::{file, today};

    #[test]
    fn header_names_match_with_spaces_and_units_and_unknown_columns_are_refused() {
        let f = file(
            "Patient,Date,Modality,Lesion,Target,Longest Diameter (mm),Short-axis mm,Mean HU\n\
             P001,2024-01-10,CT,L1,y,25.5,,40\n",
        );
        let rows = read(f.path(), today()).unwrap();
        assert_eq!(rows[0].longest_diameter_mm, Some(25.5));
        assert_eq!(rows[0].mean_hu, Some(40.0));
        // A diameter in cm (or a column oncotrack does not know) is never left unread.
        for (header, field) in [
            ("Longest diameter (cm)", "Longest diameter (cm)"),
            ("longest_diam", "longest_diam"),
        ] {
            let f = file(&format!(
                "patient,date,modality,lesion,{header}\nP001,2024-01-10,CT,L1,2.5\n"
            ));
            let error = read(f.path(), today()).unwrap_err().to_string();
            assert!(
                error.contains(&format!("line 1: field '{field}': not a lesion column")),
                "{error}"
            );
        }
        let f = file(
            "patient,date,modality,lesion,longest_diameter_mm,Longest diameter (mm)\n\
             P001,2024-01-10,CT,L1,2.5,3\n",
        );
        let error = read(f.path(), today()).unwrap_err().to_string();
        assert!(error.contains("both name 'longest_diameter_mm'"), "{error}");
    }

    #[test]
    fn reads_all_documented_columns() {
        let f = file(
            "patient,date,modality,scanner,site,lesion,organ,target,nodal,longest_diameter_mm,short_axis_mm,mean_hu,new_lesion\n\
             P001,2024-01-10,CT,Siemens Force,Site A,L1,lung,y,n,23.5,,41.2,n\n\
             P001,2024-01-10,ct,Siemens Force,Site A,L2,lymph node,y,y,18,16,,n\n\
             P001,2024-03-10,CT,,,L1,,,,,,,\n",
        );
        let rows = read(f.path(), today()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].lesion.target, Some(true));
        assert_eq!(rows[0].mean_hu, Some(41.2));
        assert_eq!(rows[1].short_axis_mm, Some(16.0));
        assert_eq!(rows[1].lesion.nodal, Some(true));
        assert_eq!(
            rows[2].longest_diameter_mm, None,
            "empty means not measured"
        );
        assert_eq!(rows[2].lesion.target, None);
    }

    #[test]
    fn invalid_rows_name_line_and_field() {
        for (content, needle) in [
            (
                "patient,date,modality,lesion\nP001,2024-01-10,US,L1\n",
                "line 2: field 'modality': 'US'",
            ),
            (
                "patient,date,modality,lesion,longest_diameter_mm\nP001,2024-01-10,CT,L1,-3\n",
                "line 2: field 'longest_diameter_mm': '-3'",
            ),
            (
                "patient,date,modality,lesion,target\nP001,2024-01-10,CT,L1,maybe\n",
                "field 'target': 'maybe'",
            ),
            (
                "patient,date,modality,lesion\nP001,2024-01-10,CT,L1\nP001,2024-01-10,CT,L1\n",
                "line 3: field 'lesion': lesion L1 of P001 on 2024-01-10 (CT) already given on line 2",
            ),
            (
                "patient,date,modality,lesion\nP001,2030-01-10,CT,L1\n",
                "lies in the future",
            ),
            (
                "patient,date,lesion\nP001,2024-01-10,L1\n",
                "line 1: field 'modality'",
            ),
        ] {
            let err = read(file(content).path(), today()).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}\n  expected: {needle}");
        }
    }
}
