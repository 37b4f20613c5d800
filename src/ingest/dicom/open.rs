//! Opening a DICOM Part 10 file (dicom-rs), also when it lacks the File Meta Information Group Length, and reading its attributes with errors that name file, tag and value.
//!
//! dicom-object 0.10 requires (0002,0000) as the first element of the file meta group
//! (dicom-rs issue #189); files written by some tools (every PT file of the IBSI SUV
//! reference objects) omit it. [`open_file`] then measures the group itself (its elements
//! are always explicit VR little endian, PS3.10 §7.1) and inserts the element before
//! handing the bytes to dicom-object, as pydicom does when it reads such a file.

use crate::error::{Error, Result};
use dicom_core::Tag;
use dicom_object::file::ReadPreamble;
use dicom_object::{DefaultDicomObject, InMemDicomObject, OpenFileOptions};
use std::io::Read;
use std::path::Path;

/// A DICOM object read into memory, with its file meta group.
pub type Object = DefaultDicomObject;

/// One data set (the file's or a sequence item's).
pub type DataSet = InMemDicomObject;

/// The largest DICOM file read (bytes): masks and slices are held in memory.
pub const MAX_DICOM_BYTES: u64 = 1 << 30;

/// Transfer syntaxes whose data are read: implicit and explicit VR little endian.
pub const NATIVE_TRANSFER_SYNTAXES: [&str; 2] = ["1.2.840.10008.1.2", "1.2.840.10008.1.2.1"];

/// The name of a transfer syntax that is not read (DICOM PS3.6 Annex A), for messages.
fn transfer_syntax_name(uid: &str) -> Option<&'static str> {
    Some(match uid {
        "1.2.840.10008.1.2.1.99" => "Deflated Explicit VR Little Endian",
        "1.2.840.10008.1.2.2" => "Explicit VR Big Endian",
        "1.2.840.10008.1.2.4.50" => "JPEG Baseline (Process 1)",
        "1.2.840.10008.1.2.4.51" => "JPEG Extended (Process 2 & 4)",
        "1.2.840.10008.1.2.4.57" => "JPEG Lossless, Non-Hierarchical (Process 14)",
        "1.2.840.10008.1.2.4.70" => "JPEG Lossless, First-Order Prediction (Process 14 SV1)",
        "1.2.840.10008.1.2.4.80" => "JPEG-LS Lossless",
        "1.2.840.10008.1.2.4.81" => "JPEG-LS Lossy (Near-Lossless)",
        "1.2.840.10008.1.2.4.90" => "JPEG 2000 (Lossless Only)",
        "1.2.840.10008.1.2.4.91" => "JPEG 2000",
        "1.2.840.10008.1.2.4.201" => "High-Throughput JPEG 2000 (Lossless Only)",
        "1.2.840.10008.1.2.4.202" => "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)",
        "1.2.840.10008.1.2.4.203" => "High-Throughput JPEG 2000",
        "1.2.840.10008.1.2.5" => "RLE Lossless",
        _ => return None,
    })
}

/// Reads and parses a DICOM Part 10 file (with or without its 128-byte preamble).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Image`] when it is not DICOM, its
/// file meta group is damaged, or its transfer syntax is not implicit or explicit VR
/// little endian (compressed, big endian or deflated data are not read).
pub fn open_file(path: &Path) -> Result<Object> {
    let file = crate::ingest::open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_DICOM_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_DICOM_BYTES {
        return Err(Error::image(
            path,
            format!(
                "is larger than {} MiB, the limit of a DICOM file",
                MAX_DICOM_BYTES >> 20
            ),
        ));
    }
    from_bytes(path, &bytes)
}

/// Parses a DICOM Part 10 file held in `bytes`, naming `path` in errors.
///
/// # Errors
/// As [`open_file`].
pub fn from_bytes(path: &Path, bytes: &[u8]) -> Result<Object> {
    let start = if bytes.get(128..132) == Some(b"DICM".as_slice()) {
        132
    } else if bytes.get(..4) == Some(b"DICM".as_slice()) {
        4
    } else {
        return Err(Error::image(
            path,
            "not a DICOM file: no 'DICM' prefix at byte 128 (a DICOM Part 10 file is expected)",
        ));
    };
    let body = &bytes[start..];
    let (meta_length, syntax) = meta_group(path, body)?;
    if !NATIVE_TRANSFER_SYNTAXES.contains(&syntax.as_str()) {
        return Err(Error::image(
            path,
            format!(
                "TransferSyntaxUID (0002,0010) = {}{}: only implicit VR little endian \
                 (1.2.840.10008.1.2) and explicit VR little endian (1.2.840.10008.1.2.1) are \
                 read; decompress the file first (e.g. dcmdjpeg or gdcmconv --raw)",
                shown(&syntax),
                transfer_syntax_name(&syntax)
                    .map(|name| format!(" ({name}, not decoded)"))
                    .unwrap_or_default()
            ),
        ));
    }
    // The parser allocates a value's declared length before reading it: a damaged length
    // must be refused here, not become a gigabyte allocation for a kilobyte file.
    check_lengths(body, meta_length, syntax != NATIVE_TRANSFER_SYNTAXES[0]).map_err(|at| {
        Error::image(
            path,
            format!(
                "the element at byte {} is damaged: its VR or length does not fit the \
                 encoding, or runs past the end of the file ({} bytes); the file is damaged or \
                 truncated",
                at + start,
                bytes.len()
            ),
        )
    })?;
    let mut stream = Vec::with_capacity(body.len() + 16);
    stream.extend_from_slice(b"DICM");
    if body.get(..4) != Some([0x02, 0x00, 0x00, 0x00].as_slice()) {
        let length = u32::try_from(meta_length).unwrap_or(u32::MAX);
        stream.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 0x04, 0x00]);
        stream.extend_from_slice(&length.to_le_bytes());
    }
    stream.extend_from_slice(body);
    let object = OpenFileOptions::new()
        .read_preamble(ReadPreamble::Never)
        .from_reader(std::io::Cursor::new(stream))
        .map_err(|e| {
            Error::image(path, one_line(format!("not a readable DICOM file ({e})"))).caused_by(e)
        })?;
    Ok(object)
}

/// VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 §7.1.2).
const LONG_VRS: [&[u8; 2]; 13] = [
    b"OB", b"OW", b"OF", b"SQ", b"UT", b"UN", b"OD", b"OL", b"OV", b"UC", b"UR", b"SV", b"UV",
];

/// The length in bytes of the file meta elements (group 0002, always explicit VR little
/// endian) at the start of `body`, walked element by element, and the TransferSyntaxUID.
fn meta_group(path: &Path, body: &[u8]) -> Result<(usize, String)> {
    let damaged = || {
        Error::image(
            path,
            "the file meta group (0002,xxxx) is damaged: an element runs past the end of the file",
        )
    };
    let mut at = 0usize;
    let mut syntax = String::new();
    while let Some(head) = body.get(at..at + 8) {
        let group = u16::from_le_bytes([head[0], head[1]]);
        if group != 0x0002 {
            break;
        }
        let element = u16::from_le_bytes([head[2], head[3]]);
        let vr = [head[4], head[5]];
        let (header, length) = if LONG_VRS.contains(&&vr) {
            let l = body.get(at + 8..at + 12).ok_or_else(damaged)?;
            (
                12usize,
                u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize,
            )
        } else {
            (8usize, u16::from_le_bytes([head[6], head[7]]) as usize)
        };
        let end = at
            .checked_add(header + length)
            .filter(|end| *end <= body.len())
            .ok_or_else(damaged)?;
        if element == 0x0010 {
            syntax = String::from_utf8_lossy(&body[at + header..end])
                .trim_end_matches(['\0', ' '])
                .to_string();
        }
        at = end;
    }
    if at == 0 {
        return Err(Error::image(
            path,
            "has no file meta group (0002,xxxx) after 'DICM': not a DICOM Part 10 file",
        ));
    }
    if syntax.is_empty() {
        return Err(Error::image(
            path,
            "TransferSyntaxUID (0002,0010) is missing from the file meta group",
        ));
    }
    Ok((at, syntax))
}

/// Every VR of PS3.5 §6.2, for telling a damaged explicit VR header from a real one.
const KNOWN_VRS: [&[u8; 2]; 34] = [
    b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FD", b"FL", b"IS", b"LO", b"LT", b"OB",
    b"OD", b"OF", b"OL", b"OV", b"OW", b"PN", b"SH", b"SL", b"SQ", b"SS", b"ST", b"SV", b"TM",
    b"UC", b"UI", b"UL", b"UN", b"UR", b"US", b"UT", b"UV",
];

/// Whether an implicit VR element is a sequence: SQ in the standard dictionary, or a
/// private or unknown tag (whose undefined length can only be a sequence).
fn implicit_sequence(group: u16, element: u16) -> bool {
    use dicom_core::dictionary::{DataDictionary, DataDictionaryEntry, VirtualVr};
    match dicom_dictionary_std::StandardDataDictionary.by_tag(Tag(group, element)) {
        Some(entry) => entry.vr() == VirtualVr::Exact(dicom_core::VR::SQ),
        None => true,
    }
}

/// Walks the data set elements of `body` from `start` as PS3.5 §7 encodes them, and
/// returns the offset of the first element that breaks it: a declared length past the end
/// of the file, an unknown VR, or an undefined length where only a sequence (or, in
/// explicit VR, encapsulated OB/OW or UN) may have one. Sequences and items are entered
/// (their contents are elements); encapsulated fragments are skipped by their lengths;
/// where the structure cannot be followed without the parser (an explicit VR UN of
/// undefined length, an undefined-length item of fragments) the walk stops there.
fn check_lengths(body: &[u8], start: usize, explicit: bool) -> std::result::Result<(), usize> {
    let u16_at = |at: usize| {
        body.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u32_at = |at: usize| {
        body.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut at = start;
    // Inside an undefined-length element of encapsulated fragments (explicit VR only).
    let mut fragments = false;
    while at < body.len() {
        let (Some(group), Some(element)) = (u16_at(at), u16_at(at + 2)) else {
            return Err(at);
        };
        if group == 0xFFFE {
            // Item, item delimiter or sequence delimiter: a 4-byte length, no VR.
            let length = u32_at(at + 4).ok_or(at)?;
            match element {
                0xE000 if fragments => {
                    if length == u32::MAX {
                        return Ok(());
                    }
                    at = (at + 8)
                        .checked_add(length as usize)
                        .filter(|end| *end <= body.len())
                        .ok_or(at)?;
                }
                0xE000 => {
                    if length != u32::MAX && (at + 8).saturating_add(length as usize) > body.len() {
                        return Err(at);
                    }
                    at += 8;
                }
                0xE00D | 0xE0DD => {
                    if element == 0xE0DD {
                        fragments = false;
                    }
                    at += 8;
                }
                _ => return Err(at),
            }
            continue;
        }
        let (header, length, sequence) = if explicit {
            let vr = body.get(at + 4..at + 6).ok_or(at)?;
            let vr = [vr[0], vr[1]];
            if !KNOWN_VRS.contains(&&vr) {
                return Err(at);
            }
            let (header, length) = if LONG_VRS.contains(&&vr) {
                (12usize, u32_at(at + 8).ok_or(at)?)
            } else {
                (8usize, u32::from(u16_at(at + 6).ok_or(at)?))
            };
            if length == u32::MAX {
                match &vr {
                    b"SQ" => {}
                    b"UN" => return Ok(()),
                    b"OB" | b"OW" => fragments = true,
                    _ => return Err(at),
                }
                at += header;
                continue;
            }
            (header, length, &vr == b"SQ")
        } else {
            let length = u32_at(at + 4).ok_or(at)?;
            let sequence = implicit_sequence(group, element);
            if length == u32::MAX {
                if !sequence {
                    return Err(at);
                }
                at += 8;
                continue;
            }
            (8usize, length, sequence)
        };
        let end = (at + header)
            .checked_add(length as usize)
            .filter(|end| *end <= body.len())
            .ok_or(at)?;
        // Enter a sequence (its items and their elements follow); skip any other value.
        at = if sequence { at + header } else { end };
    }
    Ok(())
}

/// A value from a file as a message shows it: at most 64 characters, control characters
/// as `?` (a damaged file's "value" may be kilobytes of binary).
pub fn shown(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(64)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if text.chars().nth(64).is_some() {
        out.push('…');
    }
    out
}

/// A message made one line: control characters (a newline in a damaged value) as `?`.
fn one_line(text: String) -> String {
    if text.chars().any(char::is_control) {
        text.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect()
    } else {
        text
    }
}

/// A tag with its keyword, for messages: `ROIName (3006,0026)`.
pub fn tag_name(tag: Tag) -> String {
    let keyword = keyword(tag);
    if keyword.starts_with('(') {
        keyword
    } else {
        format!("{keyword} {tag}")
    }
}

/// Reads the attributes of one data set of a file, naming the file and where the data
/// set lies (`ROIContourSequence item 2 > ContourSequence item 5`) in every error.
#[derive(Clone)]
pub struct Attributes<'a> {
    /// The file, for errors.
    pub path: &'a Path,
    /// The data set.
    pub set: &'a DataSet,
    /// Where the data set lies in the file (empty: the top level).
    pub at: String,
}

impl<'a> Attributes<'a> {
    /// The top-level data set of `object`.
    pub fn top(path: &'a Path, object: &'a Object) -> Self {
        Attributes {
            path,
            set: object,
            at: String::new(),
        }
    }

    /// An error about `tag` in this data set.
    pub fn error(&self, tag: Tag, message: impl std::fmt::Display) -> Error {
        let place = if self.at.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.at)
        };
        Error::image(
            self.path,
            one_line(format!("{place}{}{message}", tag_name(tag))),
        )
    }

    /// The text of `tag` (trailing spaces and NULs removed); `None` when absent or empty.
    pub fn text(&self, tag: Tag) -> Option<String> {
        let element = self.set.get(tag)?;
        let text = element.to_str().ok()?;
        let text = text.trim_matches(['\0', ' ']).to_string();
        (!text.is_empty()).then_some(text)
    }

    /// The text of a required `tag`.
    ///
    /// # Errors
    /// [`Error::Image`] naming the tag when it is absent or empty.
    pub fn required_text(&self, tag: Tag) -> Result<String> {
        self.text(tag)
            .ok_or_else(|| self.error(tag, " is missing or empty"))
    }

    /// The text of a required `tag` used as a name (an ROI or segment name becomes a
    /// stored lesion label): control characters are refused.
    ///
    /// # Errors
    /// [`Error::Image`] naming the tag when it is absent, empty or holds a control character.
    pub fn required_name(&self, tag: Tag) -> Result<String> {
        let name = self.required_text(tag)?;
        if let Some(c) = name.chars().find(|c| c.is_control()) {
            return Err(self.error(
                tag,
                format!(
                    " holds the control character U+{:04X}, which is not a name",
                    u32::from(c)
                ),
            ));
        }
        Ok(name)
    }

    /// The numbers of `tag` (DS, FL, FD, IS, US …); `None` when absent or empty.
    ///
    /// # Errors
    /// [`Error::Image`] naming the tag and its value when it is not numbers.
    pub fn numbers(&self, tag: Tag) -> Result<Option<Vec<f64>>> {
        let Some(element) = self.set.get(tag) else {
            return Ok(None);
        };
        if dicom_core::header::HasLength::is_empty(element) {
            return Ok(None);
        }
        let values = element.to_multi_float64().map_err(|e| {
            let text = element.to_str().map(|t| t.into_owned()).ok();
            self.error(
                tag,
                format!(
                    " = '{}' is not a list of numbers ({e})",
                    shown(&text.unwrap_or_default())
                ),
            )
        })?;
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(self.error(tag, format!(" holds {bad}, not a finite number")));
        }
        Ok(Some(values))
    }

    /// Exactly `N` numbers of a required `tag`.
    ///
    /// # Errors
    /// [`Error::Image`] naming the tag when it is absent or holds another count.
    pub fn fixed<const N: usize>(&self, tag: Tag) -> Result<[f64; N]> {
        let values = self
            .numbers(tag)?
            .ok_or_else(|| self.error(tag, " is missing"))?;
        <[f64; N]>::try_from(values.as_slice()).map_err(|_| {
            self.error(
                tag,
                format!(" holds {} values where {N} are expected", values.len()),
            )
        })
    }

    /// One non-negative integer of a required `tag`.
    ///
    /// # Errors
    /// [`Error::Image`] naming the tag when absent or not such an integer.
    pub fn count(&self, tag: Tag) -> Result<u32> {
        let [v] = self.fixed::<1>(tag)?;
        if v.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&v) {
            return Err(self.error(tag, format!(" = {v} is not a non-negative integer")));
        }
        Ok(v as u32)
    }

    /// The items of the sequence `tag` (empty when absent).
    pub fn items(&self, tag: Tag) -> &'a [DataSet] {
        self.set
            .get(tag)
            .and_then(|element| element.items())
            .unwrap_or(&[])
    }

    /// The items of the sequence `tag` as attribute readers, each placed as
    /// `Keyword item n` (1-based) below this data set.
    pub fn children(&self, tag: Tag) -> Vec<Attributes<'a>> {
        let keyword = keyword(tag);
        self.items(tag)
            .iter()
            .enumerate()
            .map(|(n, set)| Attributes {
                path: self.path,
                set,
                at: if self.at.is_empty() {
                    format!("{keyword} item {}", n + 1)
                } else {
                    format!("{} > {keyword} item {}", self.at, n + 1)
                },
            })
            .collect()
    }
}

/// The keyword of a tag (`ROIName`), or the tag itself when the dictionary lacks it.
fn keyword(tag: Tag) -> String {
    use dicom_core::dictionary::DataDictionary;
    dicom_dictionary_std::StandardDataDictionary
        .by_tag(tag)
        .map_or_else(|| format!("{tag}"), |entry| entry.alias.to_string())
}

/// Builders of small DICOM files for the unit tests of the DICOM readers.
#[cfg(test)]
pub(crate) mod testing {
    use dicom_core::value::DataSetSequence;
    use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
    use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

    /// A text element.
    pub(crate) fn text(tag: Tag, vr: VR, value: &str) -> DataElement<InMemDicomObject> {
        DataElement::new(tag, vr, PrimitiveValue::from(value))
    }

    /// A sequence element.
    pub(crate) fn sequence(
        tag: Tag,
        items: Vec<InMemDicomObject>,
    ) -> DataElement<InMemDicomObject> {
        DataElement::new(tag, VR::SQ, DataSetSequence::from(items))
    }

    /// The bytes of a DICOM file (128-byte preamble, explicit VR little endian unless
    /// `syntax` says otherwise) holding `elements`.
    pub(crate) fn file_bytes(
        elements: Vec<DataElement<InMemDicomObject>>,
        syntax: &str,
    ) -> Vec<u8> {
        let object = InMemDicomObject::from_element_iter(elements)
            .with_meta(FileMetaTableBuilder::new().transfer_syntax(syntax))
            .unwrap();
        let mut bytes = Vec::new();
        object.write_all(&mut bytes).unwrap();
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{file_bytes, text};
    use super::*;
    use dicom_core::VR;
    use dicom_dictionary_std::tags;

    fn ct() -> Vec<u8> {
        file_bytes(
            vec![
                text(tags::SOP_CLASS_UID, VR::UI, "1.2.840.10008.5.1.4.1.1.2"),
                text(tags::SOP_INSTANCE_UID, VR::UI, "1.2.3"),
                text(tags::MODALITY, VR::CS, "CT"),
                text(tags::IMAGE_POSITION_PATIENT, VR::DS, "1.5\\-2\\3e1"),
            ],
            "1.2.840.10008.1.2.1",
        )
    }

    #[test]
    fn a_file_without_the_meta_group_length_opens_as_one_with_it() {
        let bytes = ct();
        // (0002,0000) UL, 4 bytes: the 12 bytes after 'DICM'.
        assert_eq!(&bytes[132..136], &[0x02, 0x00, 0x00, 0x00]);
        let mut without = bytes[..132].to_vec();
        without.extend_from_slice(&bytes[144..]);
        let path = Path::new("x.dcm");
        for input in [&bytes, &without, &without[128..].to_vec()] {
            let object = from_bytes(path, input).unwrap();
            let a = Attributes::top(path, &object);
            assert_eq!(a.text(tags::MODALITY).as_deref(), Some("CT"));
            assert_eq!(
                a.fixed::<3>(tags::IMAGE_POSITION_PATIENT).unwrap(),
                [1.5, -2.0, 30.0]
            );
        }
    }

    #[test]
    fn a_length_past_the_end_of_the_file_is_refused_before_parsing() {
        let mut bytes = ct();
        // (0008,0060) CS, 2-byte length: claim 65535 bytes in a file of a few hundred.
        let at = bytes
            .windows(6)
            .position(|w| w == [0x08, 0x00, 0x60, 0x00, b'C', b'S'])
            .unwrap();
        bytes[at + 6] = 0xFF;
        bytes[at + 7] = 0xFF;
        let error = from_bytes(Path::new("x.dcm"), &bytes)
            .unwrap_err()
            .to_string();
        assert_eq!(
            error,
            format!(
                "x.dcm: the element at byte {at} is damaged: its VR or length does not fit the \
                 encoding, or runs past the end of the file ({} bytes); the file is damaged or \
                 truncated",
                bytes.len()
            )
        );
    }

    #[test]
    fn what_is_not_read_is_named() {
        let path = Path::new("x.dcm");
        let error = |bytes: &[u8]| from_bytes(path, bytes).unwrap_err().to_string();
        assert!(error(b"not dicom").contains("x.dcm: not a DICOM file"));
        let bytes = ct();
        assert!(error(&bytes[..150]).starts_with("x.dcm: "));
        let jpeg = file_bytes(
            vec![text(tags::MODALITY, VR::CS, "PT")],
            "1.2.840.10008.1.2.4.50",
        );
        assert!(
            error(&jpeg).contains("TransferSyntaxUID (0002,0010) = 1.2.840.10008.1.2.4.50"),
            "{}",
            error(&jpeg)
        );
        let object = from_bytes(path, &bytes).unwrap();
        let a = Attributes::top(path, &object);
        assert_eq!(
            a.required_text(tags::ROI_NAME).unwrap_err().to_string(),
            "x.dcm: ROIName (3006,0026) is missing or empty"
        );
        assert_eq!(
            a.fixed::<2>(tags::IMAGE_POSITION_PATIENT)
                .unwrap_err()
                .to_string(),
            "x.dcm: ImagePositionPatient (0020,0032) holds 3 values where 2 are expected"
        );
    }
}
