//! Dates as sites' tables write them: ISO dates and date-times, day.month.year, and the forms refused because they cannot be read without a guess.

use chrono::NaiveDate;

/// The earliest date of a measurement or an event: a date before it (`1024-03-01`,
/// `0024-03-01`) is a typo, not a patient's history.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// Reads the date of something that happened (a blood draw, a scan, an event), from a
/// file's date cell or a command line's `--date`: the forms of [`file_date`], not
/// after `today` and not before [`EARLIEST`]. `--date` and the files' date columns
/// are read by this one function, so they accept and refuse the same dates with the
/// same words.
///
/// # Errors
/// The reason, as [`file_date`] gives it, or that the date lies in the future or
/// before 1900.
pub fn past_date(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let date = file_date(text)?;
    if date > today {
        return Err("lies in the future".to_string());
    }
    if date < EARLIEST {
        return Err("lies before 1900: a typo in the year? write dates as YYYY-MM-DD".to_string());
    }
    Ok(date)
}

/// Reads a date cell of an input table.
///
/// Accepted: `YYYY-MM-DD` (the store's form); an ISO date-time, the date as written
/// (`2024-03-01T10:15:00`, `2024-03-01 10:15`, with seconds, fractions or a zone);
/// `YYYY/MM/DD`; `YYYYMMDD` (DICOM's DA); `DD.MM.YYYY` and `D.M.YYYY` (the dotted
/// form is day first wherever it is written: de, fr-CH, it, nl, pl, ru …).
///
/// # Errors
/// A one-line reason saying what to write instead, for: `01/03/2024` (day and month
/// order is not in the file: 1 March or 3 January; refused whatever the numbers, as
/// `13/03/2024` in one row says nothing about `01/03/2024` in the next), a two-digit
/// year, an Excel serial day number (`45352`), an impossible date, anything else.
pub fn file_date(text: &str) -> Result<NaiveDate, String> {
    const WRITE: &str = "write dates as YYYY-MM-DD";
    let text = text.trim();
    let bytes = text.as_bytes();
    match crate::model::parse_date(text) {
        Ok(date) => return Ok(date),
        // The store's own form with an impossible day (`2026-02-30`): say so.
        Err(e) if bytes.len() == 10 && bytes[4] == b'-' && bytes[7] == b'-' => return Err(e),
        Err(_) => {}
    }
    // An ISO date-time: the date part as written.
    if bytes.len() > 10
        && matches!(bytes[10], b'T' | b't' | b' ')
        && bytes[11..].first().is_some_and(u8::is_ascii_digit)
        && let Ok(date) = crate::model::parse_date(&text[..10])
    {
        let time = &text[11..];
        if time
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ',' | 'Z' | 'z' | '+' | '-'))
        {
            return Ok(date);
        }
    }
    let numbers = |separator: char| -> Option<Vec<&str>> {
        let parts: Vec<&str> = text.split(separator).collect();
        (parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())))
        .then_some(parts)
    };
    let ymd = |y: &str, m: &str, d: &str| -> Result<NaiveDate, String> {
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) else {
            return Err(format!("expected a date; {WRITE}"));
        };
        NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "no such calendar date".to_string())
    };
    if let Some(p) = numbers('.') {
        if p[2].len() == 4 && p[0].len() <= 2 && p[1].len() <= 2 {
            return ymd(p[2], p[1], p[0]);
        }
        if p[2].len() == 2 {
            return Err(format!("a two-digit year (19{0} or 20{0}?); {WRITE}", p[2]));
        }
    }
    if let Some(p) = numbers('/') {
        if p[0].len() == 4 {
            return ymd(p[0], p[1], p[2]);
        }
        if p[0].len() <= 2 && p[1].len() <= 2 && matches!(p[2].len(), 2 | 4) {
            let year = if p[2].len() == 4 {
                p[2].to_string()
            } else {
                format!("20{}", p[2])
            };
            return Err(format!(
                "ambiguous: the order of day and month is not written \
                 ({}/{} is day {} of month {} or month {} day {}), and oncotrack does not \
                 guess it; {WRITE} ({year}-{:0>2}-{:0>2} or {year}-{:0>2}-{:0>2}), e.g. by \
                 formatting the column as yyyy-mm-dd before exporting",
                p[0], p[1], p[0], p[1], p[0], p[1], p[1], p[0], p[0], p[1]
            ));
        }
    }
    if bytes.len() == 8 && bytes.iter().all(u8::is_ascii_digit) && matches!(&text[..2], "19" | "20")
    {
        return ymd(&text[..4], &text[4..6], &text[6..]);
    }
    if let Ok(serial) = text.parse::<f64>()
        && (1.0..100_000.0).contains(&serial)
    {
        let day = serial.trunc() as i64;
        let excel = NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(day)));
        let seen = excel.map_or(String::new(), |d| {
            format!(
                " ({day} is {} in Excel's usual 1900 date system)",
                d.format("%Y-%m-%d")
            )
        });
        return Err(format!(
            "a number, not a date: an Excel serial day number{seen}? Format the column as a \
             date (yyyy-mm-dd) in the spreadsheet and export again"
        ));
    }
    Err(format!("expected a date; {WRITE}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_past_date_is_not_after_today_nor_before_1900() {
        let today = day(2026, 6, 1);
        assert_eq!(past_date("01.06.2026", today), Ok(today));
        assert_eq!(
            past_date("2026-06-02", today),
            Err("lies in the future".into())
        );
        for old in ["1899-12-31", "0024-03-01", "01.03.1024"] {
            assert!(
                past_date(old, today)
                    .unwrap_err()
                    .starts_with("lies before 1900"),
                "{old}"
            );
        }
        assert_eq!(past_date("1900-01-01", today), Ok(day(1900, 1, 1)));
        assert!(
            past_date("01/03/2024", today)
                .unwrap_err()
                .starts_with("ambiguous")
        );
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn unambiguous_forms_read_as_the_date_they_write() {
        for (text, date) in [
            ("2024-03-01", day(2024, 3, 1)),
            ("2024-03-01T10:15:00", day(2024, 3, 1)),
            ("2024-03-01 10:15", day(2024, 3, 1)),
            ("2024-03-01T23:59:59.123+01:00", day(2024, 3, 1)),
            ("2024-03-01T10:15:00Z", day(2024, 3, 1)),
            ("01.03.2024", day(2024, 3, 1)),
            ("1.3.2024", day(2024, 3, 1)),
            ("2024/03/01", day(2024, 3, 1)),
            ("20240301", day(2024, 3, 1)),
        ] {
            assert_eq!(file_date(text), Ok(date), "{text}");
        }
    }

    #[test]
    fn ambiguous_and_serial_dates_are_refused_saying_what_to_write() {
        let error = file_date("01/03/2024").unwrap_err();
        assert!(
            error.starts_with("ambiguous: the order of day and month is not written")
                && error.contains("2024-03-01 or 2024-01-03"),
            "{error}"
        );
        // Refused even when the numbers would tell: the next row's cannot.
        assert!(
            file_date("13/03/2024")
                .unwrap_err()
                .starts_with("ambiguous")
        );
        let error = file_date("45352").unwrap_err();
        assert!(error.contains("45352 is 2024-03-01 in Excel"), "{error}");
        assert!(
            file_date("01.03.24")
                .unwrap_err()
                .contains("two-digit year")
        );
        assert_eq!(file_date("31.02.2024"), Err("no such calendar date".into()));
        for bad in ["2024-03-01Tnoon", "March 1, 2024", "", "2024-3-1x"] {
            assert!(file_date(bad).is_err(), "{bad}");
        }
    }
}
