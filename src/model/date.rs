//! Calendar dates: strict ISO-8601 (`YYYY-MM-DD`) parsing, the only date form the store accepts.

use chrono::NaiveDate;

/// Parses a strict `YYYY-MM-DD` calendar date.
///
/// Rejects impossible dates (`2026-02-30`), other layouts and surrounding text; the
/// message says why, for the caller to attach to a file, line and field.
///
/// # Examples
/// ```
/// use oncotrack::model::parse_date;
/// assert!(parse_date("2026-02-28").is_ok());
/// assert!(parse_date("2026-02-30").is_err());
/// ```
///
/// # Errors
/// A one-line reason when `text` is not a valid date.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return Err("expected a date as YYYY-MM-DD".to_string());
    }
    // The shape is checked: the digits are read directly (chrono's format parser was a
    // fifth of the cohort screen's first frame at 50,000 patients).
    let number = |range: std::ops::Range<usize>| {
        bytes[range]
            .iter()
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    };
    NaiveDate::from_ymd_opt(number(0..4) as i32, number(5..7), number(8..10))
        .ok_or_else(|| "no such calendar date".to_string())
}

/// Formats a date as `YYYY-MM-DD`, the form stored in the database.
pub fn format_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_dates_and_leap_days() {
        assert_eq!(
            parse_date("2024-02-29").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(format_date(parse_date("2026-11-28").unwrap()), "2026-11-28");
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for bad in [
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-1-5",
            "26-01-05",
            "2026/01/05",
            "2026-01-05T00:00",
            " 2026-01-05",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad} was accepted");
        }
    }
}
