//! Clinical events CSV (`patient,date,kind[,detail]`): one event per row.

use super::CsvInput;
use crate::error::Result;
use crate::model::{ClinicalEvent, EventKind};
use chrono::NaiveDate;
use std::path::Path;

/// An event read from a file, with the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    /// 1-based line number in the file.
    pub line: u64,
    /// The event.
    pub event: ClinicalEvent,
}

/// Reads and validates every row of an events CSV. Columns `patient`, `date`
/// (`YYYY-MM-DD`, not after `today`: an event is something that happened) and
/// `kind` are required, `detail` is optional; extra columns are ignored; order is free.
///
/// # Errors
/// The first invalid row, naming the file, line and field.
pub fn read(path: &Path, today: NaiveDate) -> Result<Vec<EventRow>> {
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
) -> Result<Vec<EventRow>> {
    let mut input = CsvInput::from_reader(reader, path, &["patient", "date", "kind"])?;
    let mut rows = Vec::new();
    input.for_each(|record| {
        let patient = record.required("patient")?.to_string();
        let date = record.past_date("date", today)?;
        let kind_text = record.required("kind")?;
        let kind = kind_text
            .parse::<EventKind>()
            .map_err(|m| record.error("kind", format!("'{kind_text}': {m}")))?;
        let detail = record.get("detail").unwrap_or("").to_string();
        rows.push(EventRow {
            line: record.line,
            event: ClinicalEvent {
                patient,
                date,
                kind,
                detail,
            },
        });
        Ok(())
    })?;
    input.require_rows("events")?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn read(path: &Path) -> Result<Vec<EventRow>> {
        super::read(path, today())
    }

    #[test]
    fn future_event_dates_are_refused() {
        static DATA: &[u8] = b"patient,date,kind\nP1,2026-06-01,surgery\nP1,2026-06-02,death\n";
        let error = read_from(DATA, Path::new("events.csv"), today())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "events.csv: line 3: field 'date': '2026-06-02' lies in the future"
        );
    }

    fn file(content: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(content.as_bytes()).unwrap();
        f
    }

    #[test]
    fn errors_name_the_column_as_the_header_writes_it() {
        static DATA: &[u8] = b"Patient ,DATE,Kind\nP1,2024-13-01,diagnosis\n";
        let error = read_from(DATA, Path::new("events.csv"), today())
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            "events.csv: line 2: field 'DATE': '2024-13-01': no such calendar date"
        );
    }

    #[test]
    fn reads_events_with_trimmed_headers_in_any_order() {
        let f = file(
            "kind , Patient,date,detail\n\
             diagnosis,P001,2024-01-10,\n\
             \n\
             treatment-start,P001,2024-02-01,\"line 1: MAP, cycle 1\"\n",
        );
        let rows = read(f.path()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].event.kind, EventKind::TreatmentStart);
        assert_eq!(rows[1].event.detail, "line 1: MAP, cycle 1");
    }

    #[test]
    fn detail_column_is_optional() {
        let f = file("patient,date,kind\nP001,2024-01-10,death\n");
        assert_eq!(read(f.path()).unwrap()[0].event.detail, "");
    }

    #[test]
    fn errors_name_the_line_and_field() {
        for (content, needle) in [
            (
                "patient,date,kind\nP001,2024-01-10,diagnosis\nP001,2026-02-30,surgery\n",
                "line 3: field 'date': '2026-02-30': no such calendar date",
            ),
            (
                "patient,date,kind\nP001,2024-01-10,remission\n",
                "line 2: field 'kind': 'remission'",
            ),
            ("patient,date\nP001,2024-01-10\n", "line 1: field 'kind'"),
            (
                "patient,date,kind\n,2024-01-10,death\n",
                "line 2: field 'patient': empty",
            ),
            (
                "patient,date,kind\nP001,2024-01-10\n",
                "line 2: field '(record)': has 2 fields",
            ),
        ] {
            let err = read(file(content).path()).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}\n  expected: {needle}");
        }
    }
}
