//! Typed tables and the feature matrix as polars DataFrames, written as CSV, Parquet or Arrow IPC.

use super::deidentify::{Pseudonymizer, days_since};
use crate::analysis::matrix::FeatureMatrix;
use crate::error::{Error, Result};
use crate::store::export::{Cell, ColumnKind, ExportTable};
use polars::prelude::*;
use std::path::Path;

/// An output file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// Comma-separated values with a header.
    Csv,
    /// Apache Parquet (zstd-compressed).
    Parquet,
    /// Arrow IPC (Feather v2).
    Ipc,
}

impl FileFormat {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Parquet => "parquet",
            FileFormat::Ipc => "arrow",
        }
    }

    /// The format a path's extension names (`.csv`, `.parquet`, `.arrow`/`.ipc`/`.feather`).
    pub fn from_path(path: &Path) -> Option<FileFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(FileFormat::Csv),
            "parquet" | "pq" => Some(FileFormat::Parquet),
            "arrow" | "ipc" | "feather" => Some(FileFormat::Ipc),
            _ => None,
        }
    }
}

fn polars_error(path: &Path, e: PolarsError) -> Error {
    Error::io(path, std::io::Error::other(e))
}

fn frame_error(e: PolarsError) -> Error {
    Error::conflict(format!("building the table: {e}"))
}

/// A typed table as a DataFrame. With a pseudonymizer: patient codes become
/// pseudonyms, each date column `x_date` (or `date`) becomes `x_day` (`day`), days
/// since the patient's index date, and free-text columns are dropped.
///
/// # Errors
/// Only if polars rejects the columns (it should not).
pub fn table_frame(table: &ExportTable, deidentify: Option<&Pseudonymizer>) -> Result<DataFrame> {
    let index_column = table
        .columns
        .iter()
        .position(|(_, kind)| *kind == ColumnKind::IndexDate);
    let text = |row: &[Cell], i: usize| -> Option<String> {
        match &row[i] {
            Cell::Text(t) => Some(t.clone()),
            Cell::Integer(v) => Some(v.to_string()),
            Cell::Real(v) => Some(v.to_string()),
            Cell::Null => None,
        }
    };
    let mut columns: Vec<Column> = Vec::new();
    for (i, (name, kind)) in table.columns.iter().enumerate() {
        let rows = &table.rows;
        let column = match (kind, deidentify) {
            (ColumnKind::IndexDate, _) => continue,
            (ColumnKind::FreeText, Some(_)) => continue,
            (ColumnKind::Patient, Some(p)) => {
                let values: Vec<Option<String>> = rows
                    .iter()
                    .map(|r| text(r, i).map(|code| p.pseudonym(&code)))
                    .collect();
                Column::new((*name).into(), values)
            }
            (ColumnKind::Date, Some(_)) => {
                let values: Vec<Option<i64>> = rows
                    .iter()
                    .map(|r| {
                        let index = index_column.and_then(|c| text(r, c));
                        days_since(text(r, i).as_deref(), index.as_deref())
                    })
                    .collect();
                let renamed = if *name == "date" {
                    "day".to_string()
                } else {
                    name.replace("_date", "_day")
                };
                Column::new(renamed.into(), values)
            }
            (ColumnKind::Integer, _) => {
                let values: Vec<Option<i64>> = rows
                    .iter()
                    .map(|r| match &r[i] {
                        Cell::Integer(v) => Some(*v),
                        Cell::Real(v) => Some(*v as i64),
                        _ => None,
                    })
                    .collect();
                Column::new((*name).into(), values)
            }
            (ColumnKind::Real, _) => {
                let values: Vec<Option<f64>> = rows
                    .iter()
                    .map(|r| match &r[i] {
                        Cell::Integer(v) => Some(*v as f64),
                        Cell::Real(v) => Some(*v),
                        _ => None,
                    })
                    .collect();
                Column::new((*name).into(), values)
            }
            _ => {
                let values: Vec<Option<String>> = rows.iter().map(|r| text(r, i)).collect();
                Column::new((*name).into(), values)
            }
        };
        columns.push(column);
    }
    DataFrame::new(table.rows.len(), columns).map_err(frame_error)
}

/// The feature matrix as a DataFrame: a `patient` column, then one f64 column per feature.
///
/// # Errors
/// Only if polars rejects the columns (duplicate feature names).
pub fn matrix_frame(
    matrix: &FeatureMatrix,
    deidentify: Option<&Pseudonymizer>,
) -> Result<DataFrame> {
    let ids: Vec<String> = matrix
        .patients
        .iter()
        .map(|p| deidentify.map_or_else(|| p.clone(), |k| k.pseudonym(p)))
        .collect();
    let mut columns = vec![Column::new("patient".into(), ids)];
    for (j, name) in matrix.features.iter().enumerate() {
        let values: Vec<f64> = matrix.rows.iter().map(|r| r[j]).collect();
        columns.push(Column::new(name.as_str().into(), values));
    }
    DataFrame::new(matrix.rows.len(), columns).map_err(frame_error)
}

/// Writes a DataFrame to `path` in `format` (the file is replaced).
///
/// # Errors
/// [`Error::Io`] when the file cannot be created or written.
pub fn write_frame(frame: &mut DataFrame, path: &Path, format: FileFormat) -> Result<()> {
    let mut file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    match format {
        FileFormat::Csv => CsvWriter::new(&mut file)
            .include_header(true)
            .finish(frame)
            .map_err(|e| polars_error(path, e)),
        FileFormat::Parquet => ParquetWriter::new(&mut file)
            .finish(frame)
            .map(|_| ())
            .map_err(|e| polars_error(path, e)),
        FileFormat::Ipc => IpcWriter::new(&mut file)
            .finish(frame)
            .map_err(|e| polars_error(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ExportTable {
        ExportTable {
            columns: vec![
                ("patient", ColumnKind::Patient),
                ("date", ColumnKind::Date),
                ("detail", ColumnKind::FreeText),
                ("value", ColumnKind::Real),
                ("", ColumnKind::IndexDate),
            ],
            rows: vec![vec![
                Cell::Text("P001".into()),
                Cell::Text("2024-02-11".into()),
                Cell::Text("seen by Dr X".into()),
                Cell::Integer(3),
                Cell::Text("2024-02-01".into()),
            ]],
        }
    }

    #[test]
    fn plain_frame_keeps_codes_dates_and_details() {
        let frame = table_frame(&table(), None).unwrap();
        let names: Vec<&str> = frame
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect();
        assert_eq!(names, vec!["patient", "date", "detail", "value"]);
    }

    #[test]
    fn deidentified_frame_has_pseudonyms_days_and_no_free_text() {
        let key = Pseudonymizer::new(b"0123456789abcdef").unwrap();
        let frame = table_frame(&table(), Some(&key)).unwrap();
        let names: Vec<&str> = frame
            .get_column_names()
            .iter()
            .map(|n| n.as_str())
            .collect();
        assert_eq!(names, vec!["patient", "day", "value"]);
        let day = frame.column("day").unwrap().i64().unwrap().get(0);
        assert_eq!(day, Some(10));
        let patient = frame
            .column("patient")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .map(String::from);
        assert_eq!(patient, Some(key.pseudonym("P001")));
    }

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(
            FileFormat::from_path(Path::new("m.parquet")),
            Some(FileFormat::Parquet)
        );
        assert_eq!(
            FileFormat::from_path(Path::new("m.CSV")),
            Some(FileFormat::Csv)
        );
        assert_eq!(FileFormat::from_path(Path::new("m.txt")), None);
    }
}
