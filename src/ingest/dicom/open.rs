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
    let mut stream = Vec::with_capacity(body.len() + 16);
    stream.extend_from_slice(b"DICM");
    if body.get(..4) != Some([0x02, 0x00, 0x00, 0x00].as_slice()) {
        let length = meta_group_length(path, body)?;
        stream.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 0x04, 0x00]);
        stream.extend_from_slice(&length.to_le_bytes());
    }
    stream.extend_from_slice(body);
    let object = OpenFileOptions::new()
        .read_preamble(ReadPreamble::Never)
        .from_reader(std::io::Cursor::new(stream))
        .map_err(|e| Error::image(path, format!("not a readable DICOM file ({e})")).caused_by(e))?;
    let syntax = object
        .meta()
        .transfer_syntax()
        .trim_end_matches(['\0', ' '])
        .to_string();
    if !NATIVE_TRANSFER_SYNTAXES.contains(&syntax.as_str()) {
        return Err(Error::image(
            path,
            format!(
                "TransferSyntaxUID (0002,0010) = {syntax}: only implicit VR little endian \
                 (1.2.840.10008.1.2) and explicit VR little endian (1.2.840.10008.1.2.1) are \
                 read; decompress the file first (e.g. dcmdjpeg or gdcmconv --raw)"
            ),
        ));
    }
    Ok(object)
}

/// The length in bytes of the file meta elements (group 0002) at the start of `body`,
/// which has no group length element: explicit VR little endian, walked element by element.
fn meta_group_length(path: &Path, body: &[u8]) -> Result<u32> {
    let damaged = || {
        Error::image(
            path,
            "the file meta group (0002,xxxx) is damaged: an element runs past the end of the file",
        )
    };
    let mut at = 0usize;
    while let Some(head) = body.get(at..at + 8) {
        let group = u16::from_le_bytes([head[0], head[1]]);
        if group != 0x0002 {
            break;
        }
        let vr = [head[4], head[5]];
        let (header, length) = match &vr {
            b"OB" | b"OW" | b"OF" | b"SQ" | b"UT" | b"UN" | b"OD" | b"OL" | b"OV" | b"UC"
            | b"UR" | b"SV" | b"UV" => {
                let l = body.get(at + 8..at + 12).ok_or_else(damaged)?;
                (
                    12usize,
                    u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize,
                )
            }
            _ => (8usize, u16::from_le_bytes([head[6], head[7]]) as usize),
        };
        at = at
            .checked_add(header + length)
            .filter(|end| *end <= body.len())
            .ok_or_else(damaged)?;
    }
    if at == 0 {
        return Err(Error::image(
            path,
            "has no file meta group (0002,xxxx) after 'DICM': not a DICOM Part 10 file",
        ));
    }
    u32::try_from(at).map_err(|_| damaged())
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
        Error::image(self.path, format!("{place}{}{message}", tag_name(tag)))
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
            let shown = element
                .to_str()
                .map(|t| t.chars().take(40).collect::<String>());
            self.error(
                tag,
                format!(
                    " = '{}' is not a list of numbers ({e})",
                    shown.unwrap_or_default()
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
