//! The library's error type: every failure names the file, line or record, and field it concerns, and keeps its cause.

use std::fmt;
use std::path::{Path, PathBuf};

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The underlying error of a library error, kept for callers that walk the chain.
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Where in an input file a problem is, as ripgrep names a match: a text line, a record
/// of a binary file, or a byte offset (a compressed stream that breaks off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of a text file (the header is line 1).
    Line(u64),
    /// 1-based record of a binary file (a BAM alignment), in the file or in the query that read it.
    Record(u64),
    /// 0-based byte offset in the file.
    Byte(u64),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(n) => write!(f, "line {n}"),
            Location::Record(n) => write!(f, "record {n}"),
            Location::Byte(n) => write!(f, "byte {n}"),
        }
    }
}

/// The field part of an input error's message (`field 'name': `), empty without one.
struct FieldLabel<'a>(&'a Option<String>);

impl fmt::Display for FieldLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(field) => write!(f, "field '{field}': "),
            None => Ok(()),
        }
    }
}

/// Everything that can go wrong in the library. Messages are one line and name the
/// item at fault; they never carry more patient data than the user supplied.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A line or record of an input file is invalid.
    #[error("{}: {at}: {}{message}", path.display(), FieldLabel(field))]
    Input {
        /// The input file.
        path: PathBuf,
        /// The line, record or byte at fault.
        at: Location,
        /// The column or field at fault, as the file spells it, when one is.
        field: Option<String>,
        /// What is wrong, in words (it includes the cause's text where that helps the user).
        message: String,
        /// The parser's own error (noodles, csv, nifti …), when there is one.
        #[source]
        source: Option<Source>,
    },
    /// An image file (NIfTI) cannot be used as a whole: unreadable, wrong shape, or a
    /// grid that does not match its companion image.
    #[error("{}: {message}", path.display())]
    Image {
        /// The image file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
        /// The reader's own error, when there is one.
        #[source]
        source: Option<Source>,
    },
    /// One voxel of an image holds a value that cannot be used (NaN, negative SUV ...).
    #[error("{}: voxel ({}, {}, {}): {message}", path.display(), voxel[0], voxel[1], voxel[2])]
    Voxel {
        /// The image file.
        path: PathBuf,
        /// 0-based voxel indices (i, j, k), as nibabel and ITK-SNAP's voxel coordinates.
        voxel: [usize; 3],
        /// What is wrong with the value.
        message: String,
    },
    /// The database file cannot be used (missing, not a database, read-only, too new).
    #[error("database {}: {message}", path.display())]
    Store {
        /// The database file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// An SQLite error while reading or writing the store.
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// The terminal of the UI cannot be set up, read or drawn on.
    #[error("terminal: {0}")]
    Terminal(#[source] std::io::Error),
    /// The database holds a value oncotrack never writes (a damaged or hand-edited file):
    /// the store is at fault, not the input being ingested.
    #[error("the database holds an invalid value: {0} (restore it from a backup)")]
    Corrupt(String),
    /// A value given by the user (a command-line argument) is invalid.
    #[error("invalid {what} '{value}': {reason}")]
    InvalidValue {
        /// What the value is (e.g. "date", "event kind").
        what: &'static str,
        /// The value as given.
        value: String,
        /// Why it is rejected.
        reason: String,
    },
    /// The patient does not exist in the store.
    #[error("unknown patient '{0}'")]
    UnknownPatient(String),
    /// A record conflicts with one already in the store.
    #[error("{message}")]
    Conflict {
        /// The input field whose value conflicts (`site`, `scanner` …), when the store knows it.
        field: Option<&'static str>,
        /// What conflicts with what.
        message: String,
    },
}

/// A stored value that does not parse, raised inside a row-mapping closure (which must
/// return a rusqlite error); [`Error::from`] turns it into [`Error::Corrupt`].
#[derive(Debug)]
pub(crate) struct CorruptValue(pub String);

impl fmt::Display for CorruptValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CorruptValue {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::FromSqlConversionFailure(_, _, cause) = &e
            && let Some(bad) = cause.downcast_ref::<CorruptValue>()
        {
            return Error::Corrupt(bad.0.clone());
        }
        Error::Sqlite(e)
    }
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An invalid input at `at` of `path`, in `field` when given.
    pub fn input(
        path: &Path,
        at: Location,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            path: path.to_path_buf(),
            at,
            field: field.map(str::to_string),
            message: message.into(),
            source: None,
        }
    }

    /// A parse error in `path` at `line`, in `field`.
    pub fn parse(path: &Path, line: u64, field: &str, message: impl Into<String>) -> Self {
        Error::input(path, Location::Line(line), Some(field), message)
    }

    /// A problem with record `record` (1-based) of the binary file at `path`, in `field`.
    pub fn record(path: &Path, record: u64, field: &str, message: impl Into<String>) -> Self {
        Error::input(path, Location::Record(record), Some(field), message)
    }

    /// A problem with the image file at `path` as a whole.
    pub fn image(path: &Path, message: impl Into<String>) -> Self {
        Error::Image {
            path: path.to_path_buf(),
            message: message.into(),
            source: None,
        }
    }

    /// A problem with the database file at `path`.
    pub fn store(path: &Path, message: impl Into<String>) -> Self {
        Error::Store {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A record that conflicts with the store, in no particular input field.
    pub fn conflict(message: impl Into<String>) -> Self {
        Error::Conflict {
            field: None,
            message: message.into(),
        }
    }

    /// A record whose `field` conflicts with the value the store holds.
    pub fn conflict_in(field: &'static str, message: impl Into<String>) -> Self {
        Error::Conflict {
            field: Some(field),
            message: message.into(),
        }
    }

    /// Keeps `source` as the cause of an input or image error (other kinds are returned
    /// unchanged: they hold their cause already or have none).
    #[must_use]
    pub fn caused_by(mut self, cause: impl Into<Source>) -> Self {
        if let Error::Input { source, .. } | Error::Image { source, .. } = &mut self {
            *source = Some(cause.into());
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn input_errors_name_the_file_the_place_and_the_field() {
        let path = Path::new("calls.vcf");
        let cases = [
            (
                Error::parse(path, 12, "POS", "not a number"),
                "calls.vcf: line 12: field 'POS': not a number",
            ),
            (
                Error::record(path, 3, "CIGAR", "runs past the read"),
                "calls.vcf: record 3: field 'CIGAR': runs past the read",
            ),
            (
                Error::input(path, Location::Byte(4096), None, "truncated BGZF block"),
                "calls.vcf: byte 4096: truncated BGZF block",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
    }

    #[test]
    fn the_cause_is_kept_as_the_source() {
        let cause = std::io::Error::new(std::io::ErrorKind::InvalidData, "bad header");
        let error = Error::parse(Path::new("a.vcf"), 1, "header", "bad header").caused_by(cause);
        assert_eq!(
            error.source().map(|s| s.to_string()).as_deref(),
            Some("bad header")
        );
        let plain = Error::conflict("taken").caused_by(std::io::Error::other("x"));
        assert!(plain.source().is_none(), "a conflict has no cause to keep");
    }
}
