//! Listings as an aligned text table, a JSON array of objects with stable snake_case keys, or CSV.

use serde_json::{Map, Value};
use std::io::Write;

/// How a listing is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for reading in a terminal
    Table,
    /// A JSON array of objects
    Json,
    /// Comma-separated values with a header line
    Csv,
    /// Tab-separated values with a header line
    Tsv,
    /// Apache Parquet (`export` only)
    Parquet,
    /// Arrow IPC (`export` only)
    Ipc,
}

impl Format {
    /// The formats a listing prints in (every command but `export`).
    pub const LISTING: [Format; 4] = [Format::Table, Format::Json, Format::Csv, Format::Tsv];
    /// The formats `export` writes (`table`, the default, means csv there).
    pub const EXPORT: [Format; 4] = [Format::Table, Format::Csv, Format::Parquet, Format::Ipc];

    /// The format as `--format` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Parquet => "parquet",
            Format::Ipc => "ipc",
        }
    }
}

/// Rows of typed cells under fixed column names.
#[derive(Debug, Clone)]
pub struct Listing {
    columns: Vec<std::borrow::Cow<'static, str>>,
    rows: Vec<Vec<Value>>,
}

impl Listing {
    /// An empty listing with these column names (the JSON keys and CSV header).
    pub fn new(columns: &[&'static str]) -> Self {
        Listing {
            columns: columns.iter().map(|c| (*c).into()).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.columns.len());
        self.rows.push(row);
    }

    /// Prints the listing to standard output in `format`.
    pub fn print(&self, format: Format) -> anyhow::Result<()> {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        match format {
            Format::Table => self.write_table(&mut out)?,
            Format::Json => self.write_json(&mut out)?,
            Format::Csv => self.write_csv(&mut out, b',')?,
            Format::Tsv => self.write_csv(&mut out, b'\t')?,
            Format::Parquet | Format::Ipc => {
                anyhow::bail!(
                    "--format parquet and ipc apply to `export` only; use table, json or csv"
                )
            }
        }
        out.flush()?;
        Ok(())
    }

    /// Prints a single record as `field  value` lines (table format) or as a
    /// one-element listing (JSON, CSV).
    pub fn print_record(&self, format: Format) -> anyhow::Result<()> {
        if format != Format::Table || self.rows.len() != 1 {
            return self.print(format);
        }
        let width = self.columns.iter().map(|c| c.len()).max().unwrap_or(0);
        let mut out = std::io::stdout().lock();
        for (column, cell) in self.columns.iter().zip(&self.rows[0]) {
            writeln!(out, "{column:<width$}  {}", text(cell))?;
        }
        Ok(())
    }

    /// The listing de-identified: the `patient` column's codes through `pseudonym`, each
    /// of the `dates` columns (`YYYY-MM-DD` text) as days since that row's patient's index
    /// date through `day` (renamed `…_day`; `date` becomes `day`), the `drop` columns
    /// left out, rows ordered by pseudonym (stable: a patient's rows keep their order).
    pub fn deidentified(
        self,
        patient: &str,
        pseudonym: impl Fn(&str) -> String,
        dates: &[&str],
        day: impl Fn(&str, chrono::NaiveDate) -> Option<i64>,
        drop: &[&str],
    ) -> Listing {
        let at = self.columns.iter().position(|c| c == patient);
        let keep: Vec<usize> = (0..self.columns.len())
            .filter(|&i| !drop.contains(&self.columns[i].as_ref()))
            .collect();
        let is_date: Vec<bool> = self
            .columns
            .iter()
            .map(|c| dates.contains(&c.as_ref()))
            .collect();
        let columns = keep
            .iter()
            .map(|&i| {
                let name = &self.columns[i];
                if !is_date[i] {
                    name.clone()
                } else if name == "date" {
                    "day".into()
                } else {
                    let stem = name
                        .strip_suffix("_date")
                        .or_else(|| name.strip_suffix("_on"))
                        .unwrap_or(name);
                    format!("{stem}_day").into()
                }
            })
            .collect();
        let mut rows: Vec<(String, Vec<Value>)> = self
            .rows
            .into_iter()
            .map(|row| {
                let code = at
                    .and_then(|i| row[i].as_str())
                    .unwrap_or_default()
                    .to_string();
                let cells = keep
                    .iter()
                    .map(|&i| {
                        let cell = &row[i];
                        if Some(i) == at {
                            Value::String(pseudonym(&code))
                        } else if is_date[i] {
                            cell.as_str()
                                .and_then(|t| oncotrack::model::parse_date(t).ok())
                                .and_then(|d| day(&code, d))
                                .map_or(Value::Null, Value::from)
                        } else {
                            cell.clone()
                        }
                    })
                    .collect();
                (pseudonym(&code), cells)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        Listing {
            columns,
            rows: rows.into_iter().map(|(_, r)| r).collect(),
        }
    }

    fn write_table(&self, out: &mut impl Write) -> std::io::Result<()> {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(table_text).collect())
            .collect();
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([c.len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |out: &mut dyn Write, values: Vec<&str>| -> std::io::Result<()> {
            let mut text = String::new();
            for (i, (value, width)) in values.iter().zip(&widths).enumerate() {
                if i + 1 == values.len() {
                    text.push_str(value);
                } else {
                    let pad = width - value.chars().count();
                    text.push_str(value);
                    text.push_str(&" ".repeat(pad + 2));
                }
            }
            writeln!(out, "{}", text.trim_end())
        };
        line(out, self.columns.iter().map(|c| c.as_ref()).collect())?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(out, rule.iter().map(String::as_str).collect())?;
        for row in &cells {
            line(out, row.iter().map(String::as_str).collect())?;
        }
        Ok(())
    }

    fn write_json(&self, out: &mut impl Write) -> anyhow::Result<()> {
        let array: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let object: Map<String, Value> = self
                    .columns
                    .iter()
                    .map(|c| c.to_string())
                    .zip(row.iter().cloned())
                    .collect();
                Value::Object(object)
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &array)?;
        writeln!(out)?;
        Ok(())
    }

    fn write_csv(&self, out: &mut impl Write, delimiter: u8) -> anyhow::Result<()> {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(out);
        writer.write_record(self.columns.iter().map(|c| c.as_bytes()))?;
        for row in &self.rows {
            writer.write_record(row.iter().map(|cell| match cell {
                Value::Null => String::new(),
                other => text(other),
            }))?;
        }
        writer.flush()?;
        Ok(())
    }
}

/// A cell as text: strings bare, null as `-` (in tables), numbers as JSON prints them.
fn text(cell: &Value) -> String {
    match cell {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A cell as a table shows it: as [`text`], but a fraction to 6 significant digits
/// (`0.0048000000000000004` reads `0.0048`); JSON and CSV keep every digit.
fn table_text(cell: &Value) -> String {
    match cell {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            n.as_f64().map_or_else(|| n.to_string(), significant)
        }
        other => text(other),
    }
}

/// `value` to 6 significant digits, without trailing zeros or exponent for the
/// magnitudes listings hold (1e-6 to 1e15); other magnitudes in scientific notation.
fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return value.to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-6..15).contains(&magnitude) {
        return format!("{value:.5e}");
    }
    let decimals = (5 - magnitude).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A JSON cell from an optional value.
pub fn opt<T: Into<Value>>(value: Option<T>) -> Value {
    value.map_or(Value::Null, Into::into)
}

/// A JSON cell from an optional date (`YYYY-MM-DD`).
pub fn date(value: Option<chrono::NaiveDate>) -> Value {
    opt(value.map(oncotrack::model::date::format_date))
}

/// Prints a JSON value (pretty, one trailing newline) to standard output.
pub fn print_json(value: &Value) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    writeln!(std::io::stdout().lock(), "{text}")?;
    Ok(())
}

/// A JSON number, or null when not finite.
pub fn number(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::significant;

    #[test]
    fn tables_show_six_significant_digits() {
        for (value, shown) in [
            (0.0048000000000000004, "0.0048"),
            (825.0235499999999, "825.024"),
            (0.0005479038868969751, "0.000547904"),
            (-0.731581798483207, "-0.731582"),
            (13458.654, "13458.7"),
            (2.5e-9, "2.50000e-9"),
            (0.0, "0"),
        ] {
            assert_eq!(significant(value), shown, "{value}");
        }
    }
}
