//! The library's error type: every failure names the file, line or record, and field it concerns.

use std::path::{Path, PathBuf};

/// Result with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

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
    /// A record of an input file is invalid.
    #[error("{}: line {line}: field '{field}': {message}", path.display())]
    Parse {
        /// The input file.
        path: PathBuf,
        /// 1-based line number of the record (the header is line 1).
        line: u64,
        /// The column or field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A record of a binary input (a BAM alignment) is invalid.
    #[error("{}: record {record}: field '{field}': {message}", path.display())]
    Record {
        /// The input file.
        path: PathBuf,
        /// 1-based number of the record in the file (or in the query that read it).
        record: u64,
        /// The field at fault.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// An image file (NIfTI) cannot be used as a whole: unreadable, wrong shape, or a
    /// grid that does not match its companion image.
    #[error("{}: {message}", path.display())]
    Image {
        /// The image file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
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
    Sqlite(#[from] rusqlite::Error),
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
    #[error("{0}")]
    Conflict(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A parse error in `path` at `line`, in `field`.
    pub fn parse(path: &Path, line: u64, field: &str, message: impl Into<String>) -> Self {
        Error::Parse {
            path: path.to_path_buf(),
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A problem with record `record` (1-based) of the binary file at `path`, in `field`.
    pub fn record(path: &Path, record: u64, field: &str, message: impl Into<String>) -> Self {
        Error::Record {
            path: path.to_path_buf(),
            record,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// A problem with the image file at `path` as a whole.
    pub fn image(path: &Path, message: impl Into<String>) -> Self {
        Error::Image {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }

    /// A problem with the database file at `path`.
    pub fn store(path: &Path, message: impl Into<String>) -> Self {
        Error::Store {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}
