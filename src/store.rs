//! The SQLite store: opening with the right pragmas and file mode, migrations, and every SQL statement of oncotrack.
//!
//! Reads are methods of [`Store`]; every write goes through a [`Tx`] so that one
//! input file is one transaction: a file that fails leaves the database as it was.

pub mod board;
pub mod cytokines;
pub mod events;
pub mod export;
pub mod features;
pub mod files;
pub mod imaging;
pub mod liquid;
pub mod migrations;
pub mod mrd;
pub mod overview;
pub mod patients;
pub mod response;
pub mod runs;
pub mod timeline;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, Transaction};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use files::{FileRecord, IngestedFile, SHA256_PENDING};
pub use patients::PatientSummary;
pub use timeline::TimelineItem;

/// How long a writer waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes per database page of a new store.
const PAGE_SIZE: i64 = 16384;

/// Whether a store is opened for reading only or for reading and writing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Listings and reports: the database must exist and be at the current schema.
    ReadOnly,
    /// Ingest and edits: the database must exist and be writable; older schemas are upgraded.
    ReadWrite,
}

/// An open oncotrack database.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Creates the database at `path` (mode 0600) or opens it if it exists, and
    /// brings its schema up to date. Returns the store and whether it was created.
    ///
    /// # Errors
    /// [`Error::Store`] when the path is a directory, is not a database, is
    /// read-only or was written by a newer oncotrack; [`Error::Io`] when the file
    /// cannot be created.
    pub fn create(path: &Path) -> Result<(Store, bool)> {
        let created = !path.exists();
        if created {
            create_private_file(path)?;
        }
        let store = match Store::open(path, Access::ReadWrite) {
            Ok(store) => store,
            Err(e) => {
                if created {
                    let _ = std::fs::remove_file(path);
                }
                return Err(e);
            }
        };
        if created {
            let tx = store.conn.unchecked_transaction()?;
            files::init_meta(&tx)?;
            tx.commit()?;
        }
        Ok((store, created))
    }

    /// Opens an existing database.
    ///
    /// # Errors
    /// [`Error::Store`] when there is no database at `path`, it is a directory, not
    /// an SQLite database, not writable (for [`Access::ReadWrite`]), or its schema is
    /// newer than this oncotrack (or older, for [`Access::ReadOnly`]).
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        let meta = std::fs::metadata(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::store(path, "no database here (create one with `oncotrack init`)")
            } else {
                Error::io(path, e)
            }
        })?;
        if meta.is_dir() {
            return Err(Error::store(path, "is a directory, not a database file"));
        }
        // Checked explicitly: as root, SQLite would write to a file without write bits.
        if access == Access::ReadWrite && meta.permissions().readonly() {
            return Err(Error::store(path, "is read-only; nothing was written"));
        }
        let flags = match access {
            Access::ReadOnly => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Access::ReadWrite => OpenFlags::SQLITE_OPEN_READ_WRITE,
        } | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| describe(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure(access, meta.len() == 0)?;
        match access {
            Access::ReadWrite => {
                migrations::migrate(&mut store.conn, migrations::MIGRATIONS)
                    .map_err(|e| store.contextualise(e))?;
            }
            Access::ReadOnly => {
                let version =
                    migrations::user_version(&store.conn).map_err(|e| describe(path, e))?;
                migrations::check_version(version, migrations::MIGRATIONS.len())
                    .map_err(|m| Error::store(path, m))?;
                if version < migrations::MIGRATIONS.len() {
                    return Err(Error::store(
                        path,
                        format!(
                            "schema version {version} is older than this oncotrack's {}; \
                             run `oncotrack init` to upgrade it",
                            migrations::MIGRATIONS.len()
                        ),
                    ));
                }
            }
        }
        Ok(store)
    }

    /// An empty in-memory store at the current schema (tests and dry runs).
    ///
    /// # Errors
    /// Only if SQLite itself fails.
    pub fn in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrations::migrate(&mut conn, migrations::MIGRATIONS)?;
        let store = Store {
            conn,
            path: PathBuf::from(":memory:"),
        };
        let tx = store.conn.unchecked_transaction()?;
        files::init_meta(&tx)?;
        tx.commit()?;
        Ok(store)
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (`PRAGMA user_version`).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn schema_version(&self) -> Result<usize> {
        Ok(migrations::user_version(&self.conn)?)
    }

    /// Runs `load` with SQLite's row-by-row foreign-key checks off, for a bulk load
    /// whose every reference is made inside its own transaction (a VCF's calls point
    /// at the sample, file and variants that same transaction stores). The setting
    /// cannot change inside a transaction, so it is switched around it and restored
    /// whatever `load` returns.
    ///
    /// # Errors
    /// Whatever `load` returns, or SQLite failing to switch the setting.
    pub fn without_reference_checks<T>(
        &mut self,
        load: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<T> {
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let result = load(self);
        self.conn.pragma_update(None, "foreign_keys", true)?;
        result
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`): everything done through the
    /// returned [`Tx`] lands on [`Tx::commit`], or not at all.
    ///
    /// # Errors
    /// When another process holds the write lock beyond the busy timeout.
    pub fn transaction(&mut self) -> Result<Tx<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(|e| describe(&self.path, e))?;
        Ok(Tx { tx })
    }

    fn configure(&self, access: Access, empty: bool) -> Result<()> {
        let path = &self.path;
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| describe(path, e))?;
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| describe(path, e))?;
        if access == Access::ReadWrite {
            if empty {
                // Fixed when the first table is written. Large pages: a million-call
                // VCF loads in fewer, shallower b-tree pages (11 % faster than with
                // SQLite's default 4 KiB; docs/benchmarks.md).
                self.conn
                    .pragma_update(None, "page_size", PAGE_SIZE)
                    .map_err(|e| describe(path, e))?;
            }
            // The first statement that reads the file: a file that is not a database fails here.
            self.conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
                .map_err(|e| describe(path, e))?;
            self.conn
                .pragma_update(None, "synchronous", "NORMAL")
                .map_err(|e| describe(path, e))?;
        } else {
            migrations::user_version(&self.conn).map_err(|e| describe(path, e))?;
        }
        Ok(())
    }

    fn contextualise(&self, e: Error) -> Error {
        match e {
            Error::Sqlite(e) => describe(&self.path, e),
            Error::Store { message, .. } => Error::store(&self.path, message),
            other => other,
        }
    }
}

/// A write transaction on the store; dropped without [`Tx::commit`] it rolls back.
pub struct Tx<'a> {
    tx: Transaction<'a>,
}

impl Tx<'_> {
    /// Makes every write of this transaction durable.
    ///
    /// # Errors
    /// Only if SQLite fails to commit.
    pub fn commit(self) -> Result<()> {
        Ok(self.tx.commit()?)
    }
}

/// Creates an empty file readable and writable by its owner only (0600).
fn create_private_file(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        // The umask may have removed bits but never adds any; make the mode exact.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

/// Turns SQLite's errors about the file itself into one-line messages naming it.
fn describe(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::store(
            path,
            "is not an oncotrack database (not an SQLite file, or corrupt)",
        ),
        Some(ErrorCode::DatabaseCorrupt) => Error::store(path, "is corrupt"),
        Some(ErrorCode::ReadOnly) => Error::store(path, "is read-only; nothing was written"),
        Some(ErrorCode::CannotOpen) => Error::store(path, "cannot be opened"),
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => {
            Error::store(path, "is locked by another process; try again")
        }
        _ => Error::Sqlite(e),
    }
}

/// The current time as an RFC 3339 UTC string, for `created_at`-style columns.
/// Parses a date the store wrote (`YYYY-MM-DD`); anything else means the database was
/// damaged or edited by hand, an [`Error::Corrupt`] naming `what` held it. The one
/// reader of stored dates: every table's date column goes through it.
pub(crate) fn stored_date(text: &str, what: &str) -> Result<chrono::NaiveDate> {
    crate::model::parse_date(text)
        .map_err(|m| Error::Corrupt(format!("stored date '{text}' in {what}: {m}")))
}

/// Column `i` of a row as an optional date, inside a row-mapping closure: a value that
/// is not a date becomes [`Error::Corrupt`] (through [`crate::error::CorruptValue`]).
pub(crate) fn row_date(
    row: &rusqlite::Row<'_>,
    i: usize,
    what: &str,
) -> rusqlite::Result<Option<chrono::NaiveDate>> {
    let Some(text) = row.get::<_, Option<String>>(i)? else {
        return Ok(None);
    };
    crate::model::parse_date(&text).map(Some).map_err(|m| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            Box::new(crate::error::CorruptValue(format!(
                "stored date '{text}' in {what}: {m}"
            ))),
        )
    })
}

pub(crate) fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
