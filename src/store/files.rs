//! The ledger of ingested files (path, SHA-256, kind, rows, time) and the store's own metadata.

use super::{Store, Tx, now_utc};
use crate::error::Result;
use rusqlite::{OptionalExtension, params};

/// A file about to be recorded as ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    /// What the file holds (`events`, `patients`, `vcf` ...).
    pub kind: String,
    /// Absolute path as given to oncotrack.
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// The options that change the file's meaning (patient, date, caller ...), or ''.
    pub params: String,
}

/// A file the store has already ingested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestedFile {
    /// Row id, referenced by the rows the file produced.
    pub file_id: i64,
    /// Path at the time of ingest.
    pub path: String,
    /// How many rows the ingest wrote.
    pub rows: i64,
    /// When (RFC 3339, UTC).
    pub ingested_at: String,
}

impl Store {
    /// The earlier ingest of the same bytes, as the same kind and with the same
    /// parameters, if there was one.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn find_ingested(&self, record: &FileRecord) -> Result<Option<IngestedFile>> {
        find_ingested(&self.conn, record)
    }

    /// A value of the store's metadata (`origin`, `created_at` ...).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM store_meta WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// What was added to the store other than by ingesting a file up to `last_file`
    /// (the last ledger row of the run that made the database): patients and events
    /// entered by hand, and files ingested after it. A demo database holding any of
    /// these is someone's data and is not replaced.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn added_since(&self, last_file: Option<i64>) -> Result<Additions> {
        let count = |sql: &str| -> Result<i64> {
            Ok(self
                .conn
                .query_row(sql, params![last_file.unwrap_or(i64::MAX)], |r| r.get(0))?)
        };
        Ok(Additions {
            patients: count("SELECT count(*) FROM patient WHERE file_id IS NULL OR file_id > ?1")?,
            events: count(
                "SELECT count(*) FROM clinical_event WHERE file_id IS NULL OR file_id > ?1",
            )?,
            files: count("SELECT count(*) FROM ingested_file WHERE file_id > ?1")?,
        })
    }

    /// The id of the last file in the ledger, if any.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn last_file_id(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT max(file_id) FROM ingested_file", [], |r| r.get(0))?)
    }
}

/// Rows added to a store besides the files of the run that made it ([`Store::added_since`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Additions {
    /// Patients entered by hand or from a later file.
    pub patients: i64,
    /// Clinical events entered by hand or from a later file.
    pub events: i64,
    /// Files ingested later.
    pub files: i64,
}

impl Additions {
    /// Whether nothing was added.
    pub fn is_none(&self) -> bool {
        *self == Additions::default()
    }
}

fn find_ingested(conn: &rusqlite::Connection, record: &FileRecord) -> Result<Option<IngestedFile>> {
    Ok(conn
        .query_row(
            "SELECT file_id, path, rows, ingested_at FROM ingested_file
              WHERE kind = ?1 AND sha256 = ?2 AND params = ?3",
            params![record.kind, record.sha256, record.params],
            |r| {
                Ok(IngestedFile {
                    file_id: r.get(0)?,
                    path: r.get(1)?,
                    rows: r.get(2)?,
                    ingested_at: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// The `sha256` of a ledger row whose file is still being hashed (see
/// [`Tx::finish_file`]): 64 characters, as the column requires, but never a digest.
pub const SHA256_PENDING: &str = "----------------------------------------------------------------";

impl Tx<'_> {
    /// As [`Store::find_ingested`], inside this transaction.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn find_ingested(&self, record: &FileRecord) -> Result<Option<IngestedFile>> {
        find_ingested(&self.tx, record)
    }

    /// Records a file as ingested (rows filled in by [`Tx::finish_file`]); returns its id.
    ///
    /// # Errors
    /// Only if SQLite fails (a second ingest of the same file is caught earlier by
    /// [`Store::find_ingested`]).
    pub fn begin_file(&self, record: &FileRecord) -> Result<i64> {
        self.tx.execute(
            "INSERT INTO ingested_file (kind, path, sha256, params, rows, ingested_at)
             VALUES (?1, ?2, ?3, ?4, 0, ?5)",
            params![
                record.kind,
                record.path,
                record.sha256,
                record.params,
                now_utc()
            ],
        )?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Sets the SHA-256 of an ingested file (begun with [`SHA256_PENDING`] while it
    /// was hashed as it was read) and how many rows it wrote.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn finish_file(&self, file_id: i64, sha256: &str, rows: usize) -> Result<()> {
        self.tx.execute(
            "UPDATE ingested_file SET sha256 = ?2, rows = ?3 WHERE file_id = ?1",
            params![file_id, sha256, rows as i64],
        )?;
        Ok(())
    }

    /// Sets a value of the store's metadata.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        put_meta(&self.tx, key, value)?;
        Ok(())
    }
}

/// Sets a value of the store's metadata on a connection (inside its transaction).
pub(super) fn put_meta(
    conn: &rusqlite::Connection,
    key: &str,
    value: &str,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO store_meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Writes the metadata of a new store: creation time and software version.
pub(super) fn init_meta(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO store_meta (key, value) VALUES ('created_at', ?1), ('created_by', ?2)",
        params![now_utc(), concat!("oncotrack ", env!("CARGO_PKG_VERSION"))],
    )?;
    Ok(())
}
