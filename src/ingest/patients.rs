//! Patients CSV (`patient,diagnosis[,sex,birth_year,site,primary_site,height_cm]`): one patient per row.

use super::CsvInput;
use crate::error::Result;
use crate::model::{NewPatient, Sex};
use std::path::Path;

/// A patient read from a file, with the line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientRow {
    /// 1-based line number in the file.
    pub line: u64,
    /// The patient.
    pub patient: NewPatient,
}

/// Reads and validates every row of a patients CSV. `patient` and `diagnosis` are
/// required; `sex` (F/M/U), `birth_year`, `site`, `primary_site` and `height_cm`
/// are optional.
///
/// # Errors
/// The first invalid row, naming the file, line and field.
pub fn read(path: &Path) -> Result<Vec<PatientRow>> {
    read_from(super::open_regular(path)?, path)
}

/// As [`read`], from any reader; `path` only names the input in errors (unit tests
/// pass inline bytes).
///
/// # Errors
/// As [`read`].
pub fn read_from(reader: impl std::io::Read, path: &Path) -> Result<Vec<PatientRow>> {
    let mut input = CsvInput::from_reader(reader, path, &["patient", "diagnosis"])?;
    let mut rows = Vec::new();
    input.for_each(|record| {
        let patient = NewPatient {
            code: record.required("patient")?.to_string(),
            diagnosis: record.required("diagnosis")?.to_string(),
            sex: record.parse_opt("sex", |v| v.parse::<Sex>())?,
            birth_year: record.parse_opt("birth_year", |v| {
                v.parse::<i32>().map_err(|_| "not a year".to_string())
            })?,
            site: record.get("site").map(str::to_string),
            primary_site: record.get("primary_site").map(str::to_string),
            height_cm: record.parse_opt("height_cm", |v| {
                v.parse::<f64>().map_err(|_| "not a number".to_string())
            })?,
        };
        if let Err((field, reason)) = patient.validate() {
            return Err(record.error(field, reason));
        }
        rows.push(PatientRow {
            line: record.line,
            patient,
        });
        Ok(())
    })?;
    input.require_rows("patients")?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_patients_and_rejects_bad_fields_by_line() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(
            b"patient,diagnosis,sex,birth_year,height_cm\n\
              P001,osteosarcoma,F,2006,162\n\
              P002,UPS,,,\n",
        )
        .unwrap();
        let rows = read(f.path()).unwrap();
        assert_eq!(rows[0].patient.sex, Some(Sex::Female));
        assert_eq!(rows[1].patient.birth_year, None);

        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(b"patient,diagnosis,birth_year\nP001,UPS,19x0\n")
            .unwrap();
        let err = read(f.path()).unwrap_err().to_string();
        assert!(
            err.contains("line 2: field 'birth_year': '19x0': not a year"),
            "{err}"
        );
    }
}
