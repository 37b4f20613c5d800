//! Typed tables and the feature matrix as typed columns, written as CSV, Parquet (DATE, BOOLEAN, plain UTF-8) or Arrow IPC.

use super::deidentify::{Deidentify, days_since};
use crate::analysis::matrix::FeatureMatrix;
use crate::error::{Error, Result};
use crate::store::export::{Cell, ColumnKind, ExportTable};
use chrono::NaiveDate;
use polars_arrow::array::{Array, BooleanArray, PrimitiveArray, Utf8Array};
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, Field, TimeUnit};
use polars_arrow::record_batch::RecordBatchT;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

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

/// The values of one column, typed as they are written.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// UTF-8 text (Arrow LargeUtf8, Parquet BYTE_ARRAY UTF8).
    Text(Vec<Option<String>>),
    /// 64-bit integers.
    Integer(Vec<Option<i64>>),
    /// 64-bit floats.
    Real(Vec<Option<f64>>),
    /// Booleans.
    Boolean(Vec<Option<bool>>),
    /// Calendar dates as days since 1970-01-01 (Arrow Date32, Parquet DATE).
    Date(Vec<Option<i32>>),
    /// UTC times as microseconds since 1970-01-01T00:00:00Z.
    Timestamp(Vec<Option<i64>>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Integer(v) | Values::Timestamp(v) => v.len(),
            Values::Real(v) => v.len(),
            Values::Boolean(v) => v.len(),
            Values::Date(v) => v.len(),
        }
    }

    /// The value of row `i` as CSV text (empty for null).
    fn csv(&self, i: usize) -> String {
        match self {
            Values::Text(v) => v[i].clone().unwrap_or_default(),
            Values::Integer(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::Real(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::Boolean(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::Date(v) => v[i]
                .and_then(|d| epoch().checked_add_signed(chrono::Duration::days(i64::from(d))))
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            Values::Timestamp(v) => v[i]
                .and_then(chrono::DateTime::from_timestamp_micros)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
                .unwrap_or_default(),
        }
    }

    fn arrow(&self) -> (ArrowDataType, Box<dyn Array>) {
        match self {
            Values::Text(v) => (
                ArrowDataType::LargeUtf8,
                Box::new(Utf8Array::<i64>::from(v.as_slice())),
            ),
            Values::Integer(v) => (
                ArrowDataType::Int64,
                Box::new(PrimitiveArray::<i64>::from(v.as_slice())),
            ),
            Values::Real(v) => (
                ArrowDataType::Float64,
                Box::new(PrimitiveArray::<f64>::from(v.as_slice())),
            ),
            Values::Boolean(v) => (
                ArrowDataType::Boolean,
                Box::new(BooleanArray::from(v.as_slice())),
            ),
            Values::Date(v) => (
                ArrowDataType::Date32,
                Box::new(PrimitiveArray::<i32>::from(v.as_slice()).to(ArrowDataType::Date32)),
            ),
            Values::Timestamp(v) => {
                let dtype = ArrowDataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
                (
                    dtype.clone(),
                    Box::new(PrimitiveArray::<i64>::from(v.as_slice()).to(dtype)),
                )
            }
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Its values.
    pub values: Values,
}

/// A table of typed columns, ready to write.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The number of rows.
    pub height: usize,
}

impl Frame {
    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.values)
    }

    /// The column names in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

fn text(cell: &Cell) -> Option<String> {
    cell.text()
}

fn integer(cell: &Cell) -> Option<i64> {
    match cell {
        Cell::Integer(v) => Some(*v),
        Cell::Real(v) if v.is_finite() => Some(*v as i64),
        Cell::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn real(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Integer(v) => Some(*v as f64),
        Cell::Real(v) => Some(*v),
        Cell::Text(t) => t.trim().parse().ok(),
        Cell::Date(_) | Cell::Null => None,
    }
}

fn date(cell: &Cell) -> Option<i32> {
    i32::try_from((cell.date()? - epoch()).num_days()).ok()
}

fn timestamp(cell: &Cell) -> Option<i64> {
    let time = chrono::DateTime::parse_from_rfc3339(&text(cell)?).ok()?;
    Some(time.timestamp_micros())
}

/// The highest age written by a de-identified export: older patients are reported as 90.
pub const AGE_CAP: i64 = 90;

/// A typed table as columns ready to write. With de-identification: patient codes
/// become pseudonyms and the rows are ordered by pseudonym (not by patient code);
/// each date column `x_date` (`date`) becomes `x_day` (`day`), days since the
/// patient's index date, and the index date itself is dropped (its day is 0 by
/// definition); timestamps, free text and the year of birth are dropped; ages
/// above 90 become 90; site names are dropped unless `keep_site`.
pub fn table_frame(table: &ExportTable, deidentify: Option<&Deidentify>) -> Frame {
    let index_column = table
        .columns
        .iter()
        .position(|(_, kind)| *kind == ColumnKind::IndexDate);
    let patient_column = table
        .columns
        .iter()
        .position(|(_, kind)| *kind == ColumnKind::Patient);
    let mut order: Vec<usize> = (0..table.rows.len()).collect();
    let mut pseudonyms: Vec<Option<String>> = Vec::new();
    if let (Some(d), Some(p)) = (deidentify, patient_column) {
        pseudonyms = table
            .rows
            .iter()
            .map(|r| text(&r[p]).map(|code| d.key.pseudonym(&code)))
            .collect();
        // Stable: within one patient the rows keep their (date) order.
        order.sort_by(|a, b| pseudonyms[*a].cmp(&pseudonyms[*b]));
    }
    let rows: Vec<&Vec<Cell>> = order.iter().map(|&i| &table.rows[i]).collect();
    let mut columns = Vec::new();
    for (i, (name, kind)) in table.columns.iter().enumerate() {
        let mut name = (*name).to_string();
        let values = match (kind, deidentify) {
            (ColumnKind::IndexDate, _) => continue,
            (ColumnKind::FreeText | ColumnKind::Timestamp | ColumnKind::BirthYear, Some(_)) => {
                continue;
            }
            (ColumnKind::Site, Some(d)) if !d.keep_site => continue,
            (ColumnKind::Patient, Some(_)) => {
                Values::Text(order.iter().map(|&r| pseudonyms[r].clone()).collect())
            }
            (ColumnKind::Date, Some(_)) => {
                if name == "index_date" {
                    continue;
                }
                name = if name == "date" {
                    "day".to_string()
                } else {
                    name.replace("_date", "_day")
                };
                Values::Integer(
                    rows.iter()
                        .map(|r| {
                            let index = index_column.and_then(|c| r[c].date());
                            days_since(r[i].date(), index)
                        })
                        .collect(),
                )
            }
            (ColumnKind::Date, None) => Values::Date(rows.iter().map(|r| date(&r[i])).collect()),
            (ColumnKind::Timestamp, None) => {
                Values::Timestamp(rows.iter().map(|r| timestamp(&r[i])).collect())
            }
            (ColumnKind::Age, Some(_)) => Values::Integer(
                rows.iter()
                    .map(|r| integer(&r[i]).map(|a| a.min(AGE_CAP)))
                    .collect(),
            ),
            (ColumnKind::Integer | ColumnKind::Age | ColumnKind::BirthYear, _) => {
                Values::Integer(rows.iter().map(|r| integer(&r[i])).collect())
            }
            (ColumnKind::Real, _) => Values::Real(rows.iter().map(|r| real(&r[i])).collect()),
            (ColumnKind::Boolean, _) => Values::Boolean(
                rows.iter()
                    .map(|r| integer(&r[i]).map(|v| v != 0))
                    .collect(),
            ),
            _ => Values::Text(rows.iter().map(|r| text(&r[i])).collect()),
        };
        columns.push(Column { name, values });
    }
    Frame {
        columns,
        height: rows.len(),
    }
}

/// The feature matrix as columns: a `patient` column, then one f64 column per
/// feature. De-identified: pseudonyms, rows ordered by pseudonym.
pub fn matrix_frame(matrix: &FeatureMatrix, deidentify: Option<&Deidentify>) -> Frame {
    let ids: Vec<String> = matrix
        .patients
        .iter()
        .map(|p| deidentify.map_or_else(|| p.clone(), |d| d.key.pseudonym(p)))
        .collect();
    let mut order: Vec<usize> = (0..ids.len()).collect();
    if deidentify.is_some() {
        order.sort_by(|a, b| ids[*a].cmp(&ids[*b]));
    }
    let mut columns = vec![Column {
        name: "patient".into(),
        values: Values::Text(order.iter().map(|&i| Some(ids[i].clone())).collect()),
    }];
    for (j, name) in matrix.features.iter().enumerate() {
        let values = order
            .iter()
            .map(|&i| matrix.rows.get(i).and_then(|r| r.get(j)).copied())
            .collect();
        columns.push(Column {
            name: name.clone(),
            values: Values::Real(values),
        });
    }
    Frame {
        columns,
        height: order.len(),
    }
}

fn write_error(label: &Path, e: impl std::fmt::Display) -> Error {
    Error::io(label, std::io::Error::other(e.to_string()))
}

/// Writes `frame` to `out` in `format`; `label` names the destination in errors.
/// A frame without rows is written as a header (CSV) or a schema (Parquet, IPC).
///
/// # Errors
/// [`Error::Io`] when writing fails or the columns do not line up.
pub fn write_frame(
    frame: &Frame,
    out: &mut dyn Write,
    label: &Path,
    format: FileFormat,
) -> Result<()> {
    if frame.columns.iter().any(|c| c.values.len() != frame.height) {
        return Err(write_error(label, "columns of unequal length"));
    }
    match format {
        FileFormat::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            writer
                .write_record(frame.names())
                .map_err(|e| write_error(label, e))?;
            for i in 0..frame.height {
                let record: Vec<String> = frame.columns.iter().map(|c| c.values.csv(i)).collect();
                writer
                    .write_record(&record)
                    .map_err(|e| write_error(label, e))?;
            }
            writer.flush().map_err(|e| Error::io(label, e))
        }
        FileFormat::Parquet | FileFormat::Ipc => {
            let (fields, arrays): (Vec<Field>, Vec<Box<dyn Array>>) = frame
                .columns
                .iter()
                .map(|c| {
                    let (dtype, array) = c.values.arrow();
                    (Field::new(c.name.as_str().into(), dtype, true), array)
                })
                .unzip();
            let schema: ArrowSchema = fields.into_iter().map(|f| (f.name.clone(), f)).collect();
            let schema = Arc::new(schema);
            let batch = RecordBatchT::try_new(frame.height, schema.clone(), arrays)
                .map_err(|e| write_error(label, e))?;
            if format == FileFormat::Parquet {
                write_parquet(out, &schema, batch).map_err(|e| write_error(label, e))
            } else {
                write_ipc(out, &schema, &batch).map_err(|e| write_error(label, e))
            }
        }
    }
}

fn write_parquet(
    out: &mut dyn Write,
    schema: &Arc<ArrowSchema>,
    batch: RecordBatchT<Box<dyn Array>>,
) -> polars::error::PolarsResult<()> {
    use polars_parquet::write::{
        CompressionOptions, FileWriter, RowGroupIterator, StatisticsOptions, Version, WriteOptions,
        get_dtype_encoding,
    };
    let options = WriteOptions {
        statistics: StatisticsOptions::default(),
        version: Version::V1,
        compression: CompressionOptions::Zstd(None),
        data_page_size: None,
    };
    let height = batch.height() as u64;
    let encodings = schema
        .iter_values()
        .map(|f| get_dtype_encoding(&f.dtype))
        .collect();
    let mut writer = FileWriter::try_new(out, (**schema).clone(), options)?;
    if height > 0 {
        let groups =
            RowGroupIterator::try_new(std::iter::once(Ok(batch)), schema, options, encodings)?;
        for group in groups {
            writer.write(height, group?)?;
        }
    }
    writer.end(None)?;
    Ok(())
}

fn write_ipc(
    out: &mut dyn Write,
    schema: &Arc<ArrowSchema>,
    batch: &RecordBatchT<Box<dyn Array>>,
) -> polars::error::PolarsResult<()> {
    use polars_arrow::io::ipc::write::{FileWriter, WriteOptions};
    let mut writer = FileWriter::try_new(
        out,
        schema.clone(),
        None,
        WriteOptions { compression: None },
    )?;
    if batch.height() > 0 {
        writer.write(batch, None)?;
    }
    writer.finish()
}

/// Writes `frame` to the file `path` in `format`: into a new file readable by its owner
/// only (0600) beside it, renamed over `path` once complete, so an export is never seen
/// half-written and never written through a symbolic link (a link at `path` is refused).
///
/// # Errors
/// [`Error::Io`] when the file cannot be created or written, a link at `path`; as
/// [`write_frame`].
pub fn write_frame_file(frame: &Frame, path: &Path, format: FileFormat) -> Result<()> {
    write_private_with(path, |out| write_frame(frame, out, path, format))
}

/// Writes `bytes` to the file `path` as [`write_frame_file`] does: a new 0600 file beside
/// it renamed over `path` once complete, never through a symbolic link.
///
/// # Errors
/// [`Error::Io`] when the file cannot be created or written, or a link at `path`.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<()> {
    write_private_with(path, |out| {
        std::io::Write::write_all(out, bytes).map_err(|e| Error::io(path, e))
    })
}

/// Writes a file through `write` into a new 0600 file beside `path`, flushed and synced,
/// then renamed over `path`: never half-written, and a link at `path` is replaced, never
/// followed. The temporary file is removed when anything fails.
fn write_private_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    let (file, temp) = create_private(path)?;
    let mut out = std::io::BufWriter::new(file);
    let written = write(&mut out).and_then(|()| {
        std::io::Write::flush(&mut out)
            .and_then(|()| out.get_ref().sync_all())
            .map_err(|e| Error::io(path, e))
    });
    drop(out);
    match written {
        Ok(()) => std::fs::rename(&temp, path).map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            Error::io(path, e)
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// A new file readable by its owner only (0600) beside `path`, to be renamed over it
/// once written: an export never writes through a symbolic link and is never seen
/// half-written. A symbolic link at `path` is refused.
fn create_private(path: &Path) -> Result<(std::fs::File, std::path::PathBuf)> {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::io(
            path,
            std::io::Error::other(
                "is a symbolic link; export writes only regular files (remove the link or choose another --out)",
            ),
        ));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    for attempt in 0..100u32 {
        let temp = dir.join(format!(".{name}.tmp-{}-{attempt}", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        // create_new: fails on anything at that name, a link included.
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&temp) {
            Ok(file) => {
                #[cfg(unix)]
                {
                    // The umask may have removed bits but never adds any; make the mode exact.
                    use std::os::unix::fs::PermissionsExt;
                    file.set_permissions(std::fs::Permissions::from_mode(0o600))
                        .map_err(|e| Error::io(&temp, e))?;
                }
                return Ok((file, temp));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Err(Error::io(
        path,
        std::io::Error::other("no free temporary file name beside it"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Pseudonymizer;

    fn table() -> ExportTable {
        ExportTable {
            columns: vec![
                ("patient", ColumnKind::Patient),
                ("date", ColumnKind::Date),
                ("detail", ColumnKind::FreeText),
                ("value", ColumnKind::Real),
                ("flag", ColumnKind::Boolean),
                ("age_at_index", ColumnKind::Age),
                ("site", ColumnKind::Site),
                ("", ColumnKind::IndexDate),
            ],
            rows: ["P001", "P002", "P003"]
                .iter()
                .map(|code| {
                    vec![
                        Cell::Text((*code).into()),
                        Cell::Date(crate::model::parse_date("2024-02-11").unwrap()),
                        Cell::Text("seen by Dr X".into()),
                        Cell::Integer(3),
                        Cell::Integer(1),
                        Cell::Integer(94),
                        Cell::Text("Site A".into()),
                        Cell::Date(crate::model::parse_date("2024-02-01").unwrap()),
                    ]
                })
                .collect(),
        }
    }

    fn key(keep_site: bool) -> Deidentify {
        Deidentify {
            key: Pseudonymizer::new(b"0123456789abcdef").unwrap(),
            keep_site,
        }
    }

    #[test]
    fn plain_frame_keeps_codes_dates_details_and_types() {
        let frame = table_frame(&table(), None);
        assert_eq!(
            frame.names(),
            vec![
                "patient",
                "date",
                "detail",
                "value",
                "flag",
                "age_at_index",
                "site"
            ]
        );
        // 2024-02-11 is day 19764 since 1970-01-01.
        assert_eq!(
            frame.column("date"),
            Some(&Values::Date(vec![Some(19764); 3]))
        );
        assert_eq!(
            frame.column("flag"),
            Some(&Values::Boolean(vec![Some(true); 3]))
        );
        assert_eq!(
            frame.column("age_at_index"),
            Some(&Values::Integer(vec![Some(94); 3]))
        );
    }

    #[test]
    fn deidentified_frame_has_pseudonyms_in_pseudonym_order_days_and_no_free_text_nor_site() {
        let d = key(false);
        let frame = table_frame(&table(), Some(&d));
        assert_eq!(
            frame.names(),
            vec!["patient", "day", "value", "flag", "age_at_index"]
        );
        assert_eq!(
            frame.column("day"),
            Some(&Values::Integer(vec![Some(10); 3]))
        );
        assert_eq!(
            frame.column("age_at_index"),
            Some(&Values::Integer(vec![Some(90); 3]))
        );
        let mut expected: Vec<Option<String>> = ["P001", "P002", "P003"]
            .iter()
            .map(|c| Some(d.key.pseudonym(c)))
            .collect();
        expected.sort();
        assert_eq!(frame.column("patient"), Some(&Values::Text(expected)));
        let kept = table_frame(&table(), Some(&key(true)));
        assert!(kept.names().contains(&"site"));
    }

    #[test]
    fn an_empty_table_is_written_as_a_header_only() {
        let mut t = table();
        t.rows.clear();
        let frame = table_frame(&t, None);
        let mut out = Vec::new();
        write_frame(&frame, &mut out, Path::new("-"), FileFormat::Csv).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "patient,date,detail,value,flag,age_at_index,site\n"
        );
        for format in [FileFormat::Parquet, FileFormat::Ipc] {
            let mut out = Vec::new();
            write_frame(&frame, &mut out, Path::new("-"), format).unwrap();
            assert!(out.len() > 8);
        }
    }

    #[test]
    fn csv_writes_dates_as_iso_text_and_booleans_as_words() {
        let frame = table_frame(&table(), None);
        let mut out = Vec::new();
        write_frame(&frame, &mut out, Path::new("-"), FileFormat::Csv).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("P001,2024-02-11,seen by Dr X,3,true,94,Site A\n"),
            "{text}"
        );
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
