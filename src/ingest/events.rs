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

/// Rows that repeat an earlier row of their file: `(line, line it repeats)`.
pub type Repeats = Vec<(u64, u64)>;

/// The events of a file, each once, and the rows that repeated one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Events {
    /// Every distinct event, in file order, with the line of its first row.
    pub rows: Vec<EventRow>,
    /// Rows that repeat an earlier row of the file (same patient, date, kind and detail,
    /// the date as read: `01.03.2024` repeats `2024-03-01`): `(line, line it repeats)`.
    /// Kept once, never counted as already in the database.
    pub repeated: Repeats,
}

impl Events {
    /// Rows read from the file (each repeat counted).
    pub fn rows_read(&self) -> usize {
        self.rows.len() + self.repeated.len()
    }
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

/// As [`read`], with the rows that repeat an earlier one set apart ([`Events`]), and
/// rows that contradict each other refused: a patient's death on two dates or with two
/// details, and on one day one diagnosis, progression, relapse or last contact with two
/// details (or details that differ only in case). Several treatment starts and ends,
/// surgeries and radiotherapies on one day with their own details are distinct events.
///
/// # Errors
/// As [`read`], and the later of two contradicting rows, naming both lines.
pub fn read_distinct(path: &Path, today: NaiveDate) -> Result<Events> {
    distinct(read(path, today)?, path)
}

/// Sets repeated rows apart and refuses contradicting ones (see [`read_distinct`]).
fn distinct(rows: Vec<EventRow>, path: &Path) -> Result<Events> {
    use std::collections::HashMap;
    let mut events = Events::default();
    let mut seen: HashMap<(&str, NaiveDate, EventKind, &str), u64> = HashMap::new();
    // (patient, date, kind) of the kinds that are one fact on a day → (line, detail).
    let mut facts: HashMap<(&str, NaiveDate, EventKind), (u64, &str)> = HashMap::new();
    let mut deaths: HashMap<&str, (u64, NaiveDate, &str)> = HashMap::new();
    // (patient, date, kind, detail in lower case) → (line, detail as written).
    type Folded<'a> = (&'a str, NaiveDate, EventKind, String);
    let mut cased: HashMap<Folded<'_>, (u64, &str)> = HashMap::new();
    let mut keep = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let e = &row.event;
        let key = (e.patient.as_str(), e.date, e.kind, e.detail.as_str());
        if let Some(&first) = seen.get(&key) {
            events.repeated.push((row.line, first));
            continue;
        }
        seen.insert(key, row.line);
        let conflict = |field: &str, first: u64, what: String| {
            crate::error::Error::parse(
                path,
                row.line,
                field,
                format!(
                    "contradicts line {first}: {what}; keep the row that is right and remove \
                     the other (nothing was ingested)"
                ),
            )
        };
        let folded = (e.patient.as_str(), e.date, e.kind, e.detail.to_lowercase());
        if let Some(&(first, detail)) = cased.get(&folded) {
            return Err(conflict(
                "detail",
                first,
                format!(
                    "the same {} on the same day with a detail that differs only in case \
                     ('{}' / '{detail}')",
                    e.kind, e.detail
                ),
            ));
        }
        cased.insert(folded, (row.line, &e.detail));
        if e.kind == EventKind::Death {
            if let Some(&(first, date, detail)) = deaths.get(e.patient.as_str()) {
                return Err(if date != e.date {
                    conflict(
                        "date",
                        first,
                        format!(
                            "a second death of this patient, on {} (line {first}: {date})",
                            e.date
                        ),
                    )
                } else {
                    conflict(
                        "detail",
                        first,
                        format!(
                            "the same death with another detail ('{}' / '{detail}')",
                            e.detail
                        ),
                    )
                });
            }
            deaths.insert(&e.patient, (row.line, e.date, &e.detail));
        }
        if matches!(
            e.kind,
            EventKind::Diagnosis
                | EventKind::Progression
                | EventKind::Relapse
                | EventKind::LastContact
        ) {
            let fact = (e.patient.as_str(), e.date, e.kind);
            if let Some(&(first, detail)) = facts.get(&fact) {
                return Err(conflict(
                    "detail",
                    first,
                    format!(
                        "the same {} on the same day with another detail ('{}' / '{detail}')",
                        e.kind, e.detail
                    ),
                ));
            }
            facts.insert(fact, (row.line, &e.detail));
        }
        keep.push(index);
    }
    let mut rows = rows;
    let mut kept = keep.into_iter().peekable();
    let mut index = 0;
    rows.retain(|_| {
        let keep = kept.peek() == Some(&index);
        if keep {
            kept.next();
        }
        index += 1;
        keep
    });
    events.rows = rows;
    Ok(events)
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

    fn distinct_text(text: &str) -> Result<Events> {
        read_distinct(file(text).path(), today())
    }

    #[test]
    fn rows_repeated_within_the_file_are_kept_once_and_listed() {
        let events = distinct_text(
            "patient,date,kind,detail\n\
             P1,2024-01-10,diagnosis,osteosarcoma\n\
             P1,2024-02-01,treatment-start,MAP\n\
             P1,2024-02-01,treatment-start,MAP\n\
             P1,2024-02-01,treatment-start,cisplatin\n\
             P1,10.01.2024,diagnosis,osteosarcoma\n",
        )
        .unwrap();
        assert_eq!(
            events.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 3, 5]
        );
        assert_eq!(events.repeated, [(4, 3), (6, 2)]);
        assert_eq!(events.rows_read(), 5);
    }

    #[test]
    fn rows_that_contradict_each_other_are_refused_naming_both_lines() {
        for (rows, message) in [
            (
                "P1,2024-05-01,death,\nP1,2024-06-01,death,\n",
                "line 3: field 'date': contradicts line 2: a second death of this patient, on \
                 2024-06-01 (line 2: 2024-05-01)",
            ),
            (
                "P1,2024-05-01,death,disease\nP1,2024-05-01,death,toxicity\n",
                "line 3: field 'detail': contradicts line 2: the same death with another \
                 detail ('toxicity' / 'disease')",
            ),
            (
                "P1,2024-05-01,progression,lung\nP1,2024-05-01,progression,local\n",
                "line 3: field 'detail': contradicts line 2: the same progression on the same \
                 day with another detail ('local' / 'lung')",
            ),
            (
                "P1,2024-02-01,treatment-start,MAP\nP1,2024-02-01,treatment-start,map\n",
                "line 3: field 'detail': contradicts line 2: the same treatment-start on the \
                 same day with a detail that differs only in case ('map' / 'MAP')",
            ),
        ] {
            let text = format!("patient,date,kind,detail\n{rows}");
            let error = distinct_text(&text).unwrap_err().to_string();
            assert!(
                error.contains(message) && error.ends_with("(nothing was ingested)"),
                "{error}\n  expected: {message}"
            );
        }
        // Two patients' deaths, and another patient's progression that day, are distinct.
        let events = distinct_text(
            "patient,date,kind\nP1,2024-05-01,death\nP2,2024-06-01,death\nP2,2024-05-01,progression\n",
        )
        .unwrap();
        assert_eq!(events.rows.len(), 3);
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
