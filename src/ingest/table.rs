//! Analysts' own tables for file-mode analytics (`harmonize`, `cluster`, `survival --input`): a CSV with a header, read with column order kept.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// A CSV table held as text, with each record's line number.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The file read.
    pub path: PathBuf,
    /// Column names as in the header (trimmed), in file order.
    pub columns: Vec<String>,
    /// Records (line number, trimmed cells), blank lines skipped.
    pub records: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// Reads a whole CSV file (analysis tables are small: one row per sample).
    ///
    /// # Errors
    /// [`Error::Io`] when unreadable; [`Error::Parse`] for a malformed record, an
    /// empty or duplicate column name, or a file without records.
    pub fn read(path: &Path) -> Result<Table> {
        let mut input = super::CsvInput::open(path, &[])?;
        let columns = input.column_names();
        if let Some(i) = columns.iter().position(String::is_empty) {
            return Err(Error::parse(
                path,
                1,
                &format!("column {}", i + 1),
                "has no name",
            ));
        }
        let keys: Vec<String> = columns.iter().map(|c| c.to_ascii_lowercase()).collect();
        let mut records = Vec::new();
        input.for_each(|record| {
            let cells = keys
                .iter()
                .map(|k| record.get(k).unwrap_or_default().to_string())
                .collect();
            records.push((record.line, cells));
            Ok(())
        })?;
        if records.is_empty() {
            return Err(Error::parse(
                path,
                1,
                "(file)",
                "has a header but no records",
            ));
        }
        Ok(Table {
            path: path.to_path_buf(),
            columns,
            records,
        })
    }

    /// The index of a column (names matched case-insensitively).
    ///
    /// # Errors
    /// [`Error::Parse`] at line 1 naming the missing column.
    pub fn column(&self, name: &str) -> Result<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| {
                Error::parse(
                    &self.path,
                    1,
                    name,
                    format!("no such column (header has: {})", self.columns.join(", ")),
                )
            })
    }

    /// A column's cells as text; an empty cell is an error.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the line and column of an empty cell.
    pub fn texts(&self, column: usize) -> Result<Vec<String>> {
        self.records
            .iter()
            .map(|(line, cells)| {
                let cell = &cells[column];
                if cell.is_empty() {
                    Err(Error::parse(
                        &self.path,
                        *line,
                        &self.columns[column],
                        "empty, a value is required",
                    ))
                } else {
                    Ok(cell.clone())
                }
            })
            .collect()
    }

    /// A column's cells as finite numbers.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the line and column of an empty or non-numeric cell.
    pub fn numbers(&self, column: usize) -> Result<Vec<f64>> {
        self.records
            .iter()
            .map(|(line, cells)| {
                let cell = &cells[column];
                match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => Ok(v),
                    _ => Err(Error::parse(
                        &self.path,
                        *line,
                        &self.columns[column],
                        format!("'{cell}' is not a number"),
                    )),
                }
            })
            .collect()
    }

    /// A 0/1 (also true/false, yes/no) column as booleans.
    ///
    /// # Errors
    /// [`Error::Parse`] naming the line and column of any other value.
    pub fn flags(&self, column: usize) -> Result<Vec<bool>> {
        self.records
            .iter()
            .map(
                |(line, cells)| match cells[column].to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" => Ok(true),
                    "0" | "false" | "no" => Ok(false),
                    other => Err(Error::parse(
                        &self.path,
                        *line,
                        &self.columns[column],
                        format!("'{other}' is not an event flag (1/0, true/false, yes/no)"),
                    )),
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(text.as_bytes()).unwrap();
        file
    }

    #[test]
    fn numbers_name_the_line_and_column_of_a_bad_cell() {
        let file = write("id,a\nx,1\ny,oops\n");
        let table = Table::read(file.path()).unwrap();
        let err = table.numbers(1).unwrap_err().to_string();
        assert!(err.contains("line 3") && err.contains("'a'"), "{err}");
    }

    #[test]
    fn columns_keep_file_order_and_match_any_case() {
        let file = write("ID, Zeta ,alpha\nx,1,2\n");
        let table = Table::read(file.path()).unwrap();
        assert_eq!(table.columns, vec!["ID", "Zeta", "alpha"]);
        assert_eq!(table.column("zeta").unwrap(), 1);
        assert!(table.column("beta").is_err());
    }

    #[test]
    fn event_flags_accept_words_and_digits_only() {
        let file = write("e\n1\nno\nmaybe\n");
        let table = Table::read(file.path()).unwrap();
        assert!(table.flags(0).unwrap_err().to_string().contains("line 4"));
    }
}
