//! DICOM inputs (dicom-rs): the PET series, and the RTSTRUCT and SEG masks drawn on it.
//!
//! Every file is opened by [`open::open_file`] (with or without the (0002,0000) group
//! length, lengths walked before parsing); this module holds the value helpers the
//! series reader uses.

pub mod open;
pub mod rtstruct;
pub mod seg;
pub mod series;

use crate::error::Result;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use dicom_core::Tag;
use dicom_core::value::PrimitiveValue;
use dicom_object::InMemDicomObject;
use std::path::{Path, PathBuf};

/// One DICOM file: its path and data set.
#[derive(Debug, Clone)]
pub struct DicomFile {
    /// The file.
    pub path: PathBuf,
    /// The data set (without the meta group).
    pub object: InMemDicomObject,
}

/// Whether the bytes start like a DICOM file (128-byte preamble, then `DICM`).
pub fn is_dicom(bytes: &[u8]) -> bool {
    bytes.len() >= 132 && &bytes[128..132] == b"DICM"
}

/// Opens a DICOM file through [`open::open_file`].
///
/// # Errors
/// Those of [`open::open_file`].
pub fn open(path: &Path) -> Result<DicomFile> {
    let object = open::open_file(path)?.into_inner();
    Ok(DicomFile {
        path: path.to_path_buf(),
        object,
    })
}

/// An element's value as text (trimmed; a private tag read as UN is its bytes).
pub fn text(object: &InMemDicomObject, tag: Tag) -> Option<String> {
    let element = object.get(tag)?;
    let raw = match element.value().primitive() {
        Some(PrimitiveValue::U8(bytes)) => String::from_utf8_lossy(bytes).into_owned(),
        Some(PrimitiveValue::Empty) | None => return None,
        Some(_) => element.to_str().ok()?.into_owned(),
    };
    let trimmed = raw.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// The numbers of a multi-valued element.
pub fn numbers(object: &InMemDicomObject, tag: Tag) -> Option<Vec<f64>> {
    let t = text(object, tag)?;
    t.split('\\').map(|p| p.trim().parse().ok()).collect()
}

/// The first number of an element.
pub fn number(object: &InMemDicomObject, tag: Tag) -> Option<f64> {
    numbers(object, tag).and_then(|v| v.first().copied())
}

/// A DA value (YYYYMMDD; YYYY.MM.DD accepted).
pub fn parse_da(text: &str) -> Option<NaiveDate> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 8 {
        return None;
    }
    NaiveDate::parse_from_str(&digits, "%Y%m%d").ok()
}

/// A TM value (HH, HHMM, HHMMSS, HHMMSS.FFFFFF; colons accepted).
pub fn parse_tm(text: &str) -> Option<NaiveTime> {
    let t: String = text.chars().filter(|c| *c != ':').collect();
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() % 2 != 0 || whole.len() > 6 {
        return None;
    }
    let field = |i: usize| -> u32 {
        whole
            .get(i..i + 2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    let micros = if frac.is_empty() {
        0
    } else {
        let f: String = frac.chars().take(6).collect();
        if !f.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        f.parse::<u32>().ok()? * 10u32.pow(6 - f.len() as u32)
    };
    if whole.is_empty() {
        return None;
    }
    NaiveTime::from_hms_micro_opt(field(0), field(2), field(4), micros)
}

/// A DT value (YYYYMMDDHHMMSS.FFFFFF, a UTC offset `&ZZXX`/`+ZZXX` ignored).
pub fn parse_dt(text: &str) -> Option<NaiveDateTime> {
    let body = text.split(['+', '-', '&']).next()?;
    let date = parse_da(body.get(..8)?)?;
    let rest = body.get(8..).unwrap_or("");
    let time = if rest.is_empty() {
        NaiveTime::MIN
    } else {
        parse_tm(rest)?
    };
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dicom_dates_and_times_parse_in_their_variants() {
        let d = NaiveDate::from_ymd_opt(2025, 1, 2).unwrap();
        assert_eq!(parse_da("20250102"), Some(d));
        assert_eq!(parse_da("2025.01.02"), Some(d));
        assert_eq!(parse_da("2025"), None);
        assert_eq!(
            parse_tm("110230.500000"),
            NaiveTime::from_hms_micro_opt(11, 2, 30, 500_000)
        );
        assert_eq!(parse_tm("11:02:30"), NaiveTime::from_hms_opt(11, 2, 30));
        assert_eq!(parse_tm("1102"), NaiveTime::from_hms_opt(11, 2, 0));
        assert_eq!(parse_tm("25"), None);
        assert_eq!(parse_tm("x"), None);
        assert_eq!(
            parse_dt("20250102003000.000000+0100"),
            Some(d.and_hms_opt(0, 30, 0).unwrap())
        );
        assert_eq!(parse_dt("20250102"), Some(d.and_hms_opt(0, 0, 0).unwrap()));
    }
}
