//! DICOM files (dicom-rs): opened whether or not they carry the File Meta Information Group Length, in implicit or explicit VR little endian.
//!
//! dicom-object 0.10's `open_file` requires (0002,0000) first in the meta group
//! (dicom-rs issue #189); files written by some tools (every PT file of the IBSI SUV
//! reference objects) lack it. So the meta group is read here, element by element,
//! until the first tag outside group 0002, and the data set after it is read with
//! dicom-object's `InMemDicomObject::read_dataset_with_ts` in the transfer syntax
//! the meta group names. A compressed, deflated or big-endian transfer syntax is
//! refused, named. Reference: pydicom 3 `dcmread` opens the same files.

pub mod series;

use crate::error::{Error, Result};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use dicom_core::Tag;
use dicom_core::value::PrimitiveValue;
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_object::InMemDicomObject;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;
use std::path::{Path, PathBuf};

/// Implicit VR Little Endian.
pub const IMPLICIT_VR_LE: &str = "1.2.840.10008.1.2";
/// Explicit VR Little Endian.
pub const EXPLICIT_VR_LE: &str = "1.2.840.10008.1.2.1";

/// One DICOM file: its data set and transfer syntax.
#[derive(Debug, Clone)]
pub struct DicomFile {
    /// The file.
    pub path: PathBuf,
    /// Transfer Syntax UID (0002,0010).
    pub transfer_syntax: String,
    /// The data set (without the meta group).
    pub object: InMemDicomObject,
}

/// Whether the bytes start like a DICOM file (128-byte preamble, then `DICM`).
pub fn is_dicom(bytes: &[u8]) -> bool {
    bytes.len() >= 132 && &bytes[128..132] == b"DICM"
}

/// Reads the meta group from byte 132: the transfer syntax and where the data set starts.
fn read_meta(path: &Path, bytes: &[u8]) -> Result<(String, usize)> {
    let mut pos = 132;
    let mut ts = None;
    let short = |at: usize| {
        Error::input(
            path,
            crate::error::Location::Byte(at as u64),
            None,
            "the file meta information is truncated",
        )
    };
    while pos + 8 <= bytes.len() {
        let group = u16::from_le_bytes([bytes[pos], bytes[pos + 1]]);
        if group != 0x0002 {
            break;
        }
        let element = u16::from_le_bytes([bytes[pos + 2], bytes[pos + 3]]);
        let vr = [bytes[pos + 4], bytes[pos + 5]];
        let long = matches!(
            &vr,
            b"OB"
                | b"OW"
                | b"OF"
                | b"SQ"
                | b"UT"
                | b"UN"
                | b"OD"
                | b"OL"
                | b"OV"
                | b"UC"
                | b"UR"
                | b"SV"
                | b"UV"
        );
        let (len, header) = if long {
            let b = bytes.get(pos + 8..pos + 12).ok_or_else(|| short(pos))?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        } else {
            (
                u16::from_le_bytes([bytes[pos + 6], bytes[pos + 7]]) as usize,
                8,
            )
        };
        let start = pos + header;
        let value = bytes.get(start..start + len).ok_or_else(|| short(pos))?;
        if element == 0x0010 {
            ts = Some(
                String::from_utf8_lossy(value)
                    .trim_end_matches(['\0', ' '])
                    .to_string(),
            );
        }
        pos = start + len;
    }
    let ts = ts.ok_or_else(|| {
        Error::image(
            path,
            "tag (0002,0010) TransferSyntaxUID is absent from the file meta information",
        )
    })?;
    Ok((ts, pos))
}

/// Opens a DICOM file (with or without (0002,0000)).
///
/// # Errors
/// [`Error::Image`] for a file that is not DICOM, a transfer syntax other than
/// implicit or explicit VR little endian (named), or a data set that cannot be parsed.
pub fn open(path: &Path) -> Result<DicomFile> {
    crate::ingest::open_regular(path)?;
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if !is_dicom(&bytes) {
        return Err(Error::image(
            path,
            "not a DICOM file (no 'DICM' after the 128-byte preamble)",
        ));
    }
    let (ts_uid, start) = read_meta(path, &bytes)?;
    if ts_uid != IMPLICIT_VR_LE && ts_uid != EXPLICIT_VR_LE {
        let name = TransferSyntaxRegistry
            .get(&ts_uid)
            .map(|ts| ts.name().to_string())
            .unwrap_or_else(|| "unknown".into());
        return Err(Error::image(
            path,
            format!(
                "tag (0002,0010) TransferSyntaxUID = '{ts_uid}' ({name}): only uncompressed implicit and explicit VR little endian are read; decompress the series first (e.g. dcmdjpeg, gdcmconv --raw)"
            ),
        ));
    }
    let ts = TransferSyntaxRegistry
        .get(&ts_uid)
        .ok_or_else(|| Error::image(path, format!("transfer syntax {ts_uid} is not known")))?;
    let object = InMemDicomObject::read_dataset_with_ts(&bytes[start..], ts).map_err(|e| {
        Error::image(path, format!("cannot read the DICOM data set ({e})")).caused_by(e)
    })?;
    Ok(DicomFile {
        path: path.to_path_buf(),
        transfer_syntax: ts_uid,
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

    #[test]
    fn a_meta_group_without_its_length_is_read_to_its_end() {
        let mut bytes = vec![0u8; 128];
        bytes.extend_from_slice(b"DICM");
        // (0002,0010) UI, length 20, explicit VR.
        bytes.extend_from_slice(&[0x02, 0x00, 0x10, 0x00, b'U', b'I', 20, 0]);
        bytes.extend_from_slice(b"1.2.840.10008.1.2.1\0");
        let start = bytes.len();
        bytes.extend_from_slice(&[0x08, 0x00, 0x60, 0x00]);
        let (ts, at) = read_meta(Path::new("x.dcm"), &bytes).unwrap();
        assert_eq!((ts.as_str(), at), (EXPLICIT_VR_LE, start));
        assert!(read_meta(Path::new("x.dcm"), &bytes[..140]).is_err());
    }
}
