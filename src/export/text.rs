//! Plain CSV output of a text table (file-mode results that keep an analyst's columns as they were).

use crate::error::{Error, Result};
use std::path::Path;

/// Writes `header` and `records` to `path` as CSV (the file is replaced).
///
/// # Errors
/// [`Error::Io`] when the file cannot be created or written.
pub fn write_csv(path: &Path, header: &[String], records: &[Vec<String>]) -> Result<()> {
    let io = |e: csv::Error| Error::io(path, std::io::Error::other(e));
    let mut writer = csv::Writer::from_path(path).map_err(io)?;
    writer.write_record(header).map_err(io)?;
    for record in records {
        writer.write_record(record).map_err(io)?;
    }
    writer.flush().map_err(|e| Error::io(path, e))
}
