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
pub mod fusion;
pub mod imaging;
pub mod liquid;
pub mod migrations;
pub mod mrd;
pub mod overview;
pub mod patients;
pub mod response;
pub mod runs;
pub mod sv;
pub mod timeline;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags, Transaction};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use files::{FileRecord, IngestedFile, SHA256_PENDING};
pub use patients::PatientSummary;
pub use timeline::TimelineItem;

/// How long a writer waits for another process's lock before giving up, unless
/// [`set_busy_timeout`] says otherwise (`--busy-timeout`, `ONCOTRACK_BUSY_TIMEOUT`).
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The busy timeout of the stores this process opens, in milliseconds.
static BUSY_TIMEOUT_MS: AtomicU64 = AtomicU64::new(10_000);

/// Sets how long every store opened afterwards waits for another process's write
/// lock before failing with "database is busy".
pub fn set_busy_timeout(timeout: Duration) {
    let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    BUSY_TIMEOUT_MS.store(ms, Ordering::Relaxed);
}

/// The busy timeout of the stores this process opens.
pub fn busy_timeout() -> Duration {
    Duration::from_millis(BUSY_TIMEOUT_MS.load(Ordering::Relaxed))
}

/// `PRAGMA application_id` of every database oncotrack creates ("ONCT" in ASCII), so
/// that oncotrack writes only into a database it made.
pub const APPLICATION_ID: i32 = 0x4F4E_4354;

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
        Store::create_with(path, &[])
    }

    /// As [`Store::create`], and writes `meta` into `store_meta` of a new database in
    /// the same transaction as its schema: a process killed while creating it leaves
    /// either an empty file (which oncotrack takes as new) or the whole schema with
    /// its metadata, never tables without their marker.
    ///
    /// # Errors
    /// As [`Store::create`].
    pub fn create_with(path: &Path, meta: &[(&str, &str)]) -> Result<(Store, bool)> {
        refuse_dangling_link(path)?;
        let created = !path.exists();
        if created {
            create_private_file(path)?;
        }
        match Store::open_inner(path, Access::ReadWrite, meta) {
            Ok((store, fresh)) => Ok((store, created || fresh)),
            Err(e) => {
                if created {
                    let _ = std::fs::remove_file(path);
                }
                Err(e)
            }
        }
    }

    /// Opens an existing database.
    ///
    /// # Errors
    /// [`Error::Store`] when there is no database at `path`, it is a directory, not
    /// an SQLite database, not writable (for [`Access::ReadWrite`]), or its schema is
    /// newer than this oncotrack (or older, for [`Access::ReadOnly`]).
    pub fn open(path: &Path, access: Access) -> Result<Store> {
        Store::open_inner(path, access, &[]).map(|(store, _)| store)
    }

    /// Opens a database oncotrack made, whatever its schema version, for reading
    /// only: to look at it (its `store_meta`, its ledger) before deciding what to do
    /// with it. Nothing in the file changes.
    ///
    /// # Errors
    /// As [`Store::open`], except for the schema version.
    pub fn inspect(path: &Path) -> Result<Store> {
        let meta = file_metadata(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| describe(path, e))?;
        identify(&conn, path, meta.len() == 0)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Whether the database holds no schema at all (an empty file, or an SQLite file
    /// without tables): a database a killed `init` or demo left, which may be replaced.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(is_blank(&self.conn)?)
    }

    /// Opens the database; for [`Access::ReadWrite`] an empty one gets the schema,
    /// its application id and `store_meta` (with `extra_meta`) in one transaction.
    /// Returns the store and whether the schema was created now.
    fn open_inner(
        path: &Path,
        access: Access,
        extra_meta: &[(&str, &str)],
    ) -> Result<(Store, bool)> {
        let meta = file_metadata(path)?;
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
        conn.busy_timeout(busy_timeout())
            .map_err(|e| describe(path, e))?;
        // Before anything is written (WAL mode, page size, schema): a database another
        // program made is refused untouched.
        let identity = identify(&conn, path, meta.len() == 0)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.configure(access, identity == Identity::Empty)?;
        let mut fresh = false;
        match access {
            Access::ReadWrite => {
                let stamp = |tx: &rusqlite::Transaction<'_>| -> rusqlite::Result<()> {
                    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
                    if identity == Identity::Empty {
                        files::init_meta(tx)?;
                        for (key, value) in extra_meta {
                            files::put_meta(tx, key, value)?;
                        }
                    }
                    Ok(())
                };
                let (before, _) =
                    migrations::migrate_then(&mut store.conn, migrations::MIGRATIONS, stamp)
                        .map_err(|e| store.contextualise(e))?;
                fresh = identity == Identity::Empty && before == 0;
                if identity == Identity::Legacy {
                    // A database of an oncotrack older than the application id.
                    store
                        .conn
                        .pragma_update(None, "application_id", APPLICATION_ID)
                        .map_err(|e| describe(path, e))?;
                }
            }
            Access::ReadOnly => {
                let version =
                    migrations::user_version(&store.conn).map_err(|e| describe(path, e))?;
                migrations::check_version(version, migrations::MIGRATIONS.len())
                    .map_err(|m| Error::store(path, m))?;
                if version < migrations::MIGRATIONS.len() {
                    let hint = if identity == Identity::Empty {
                        "is empty: it holds no oncotrack database yet (create one with `oncotrack init`)"
                            .to_string()
                    } else {
                        format!(
                            "schema version {version} is older than this oncotrack's {}; \
                             run `oncotrack init` to upgrade it",
                            migrations::MIGRATIONS.len()
                        )
                    };
                    return Err(Error::store(path, hint));
                }
            }
        }
        Ok((store, fresh))
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

    /// Runs `read` inside one read transaction: every query it makes sees the same state
    /// of the database (an ingest committing meanwhile is not half seen), and SQLite takes
    /// the file's shared lock and WAL snapshot once, not once per statement (a cohort
    /// export makes a dozen statements per patient).
    ///
    /// # Errors
    /// Whatever `read` returns, or SQLite failing to begin the transaction.
    pub fn read_snapshot<T>(&self, read: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| describe(&self.path, e))?;
        let result = read(self);
        // Nothing was written: ending the transaction cannot lose anything.
        let _ = self.conn.execute_batch("COMMIT");
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
            .busy_timeout(busy_timeout())
            .map_err(|e| describe(path, e))?;
        // Query plans do not depend on bound values (oncotrack keeps no ANALYZE
        // statistics): without this SQLite re-prepares a cached statement at every new
        // value of a parameter it compared while planning, 14 % of `export cohort`'s
        // time; and a cache large enough for the statements one patient's reads use
        // (rusqlite's default of 16 evicted them patient after patient).
        self.conn
            .set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
                true,
            )
            .map_err(|e| describe(path, e))?;
        self.conn.set_prepared_statement_cache_capacity(64);
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

/// What a database file is, as far as oncotrack is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Identity {
    /// An empty file, or an SQLite database without any table: oncotrack may make it its own.
    Empty,
    /// A database oncotrack made (its application id).
    Oncotrack,
    /// A database made by an oncotrack older than the application id (its tables and
    /// `store_meta`).
    Legacy,
}

/// The file's metadata, with the messages of a missing file or a directory.
fn file_metadata(path: &Path) -> Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            if std::fs::symlink_metadata(path).is_ok() {
                return dangling(path);
            }
            Error::store(path, "no database here (create one with `oncotrack init`)")
        } else {
            Error::io(path, e)
        }
    })?;
    if meta.is_dir() {
        return Err(Error::store(path, "is a directory, not a database file"));
    }
    Ok(meta)
}

/// The message of a `--db` that is a symbolic link to nothing.
fn dangling(path: &Path) -> Error {
    let target = std::fs::read_link(path)
        .map(|t| t.display().to_string())
        .unwrap_or_else(|_| "?".into());
    Error::store(
        path,
        format!(
            "is a symbolic link to {target}, which does not exist; nothing was created \
             (remove the link or point --db at a real file)"
        ),
    )
}

/// Refuses a path that is a symbolic link to nothing (creating through it would
/// make a file somewhere else).
fn refuse_dangling_link(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() && !path.exists() => Err(dangling(path)),
        _ => Ok(()),
    }
}

/// Whether a connection's database has no schema objects and version 0.
fn is_blank(conn: &Connection) -> rusqlite::Result<bool> {
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok(objects == 0 && migrations::user_version(conn)? == 0)
}

/// Says whether the file is a database oncotrack may use, reading only: an empty
/// file or database, one with oncotrack's application id, or one an older oncotrack
/// made. Anything else is refused with what the file is.
fn identify(conn: &Connection, path: &Path, zero_length: bool) -> Result<Identity> {
    if zero_length {
        return Ok(Identity::Empty);
    }
    let application_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| describe(path, e))?;
    if application_id == APPLICATION_ID {
        return Ok(Identity::Oncotrack);
    }
    let refuse = |what: String| {
        Error::store(
            path,
            format!(
                "{what}, not an oncotrack database; it was left unchanged (oncotrack writes \
                 only into databases it created: give --db another file name)"
            ),
        )
    };
    if application_id != 0 {
        let tag: String = application_id
            .to_be_bytes()
            .iter()
            .map(|b| {
                if b.is_ascii_graphic() {
                    char::from(*b)
                } else {
                    '.'
                }
            })
            .collect();
        return Err(refuse(format!(
            "is the SQLite database of another program (application_id {application_id:#010x}, '{tag}')"
        )));
    }
    if is_blank(conn).map_err(|e| describe(path, e))? {
        return Ok(Identity::Empty);
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| describe(path, e))?;
    let ours = ["store_meta", "ingested_file", "patient"]
        .iter()
        .all(|t| tables.iter().any(|n| n == t))
        && migrations::user_version(conn).map_err(|e| describe(path, e))? >= 1;
    if ours {
        return Ok(Identity::Legacy);
    }
    let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    let more = if tables.len() > shown.len() {
        ", ..."
    } else {
        ""
    };
    Err(refuse(format!(
        "is an SQLite database made by another program ({} table{}: {}{more})",
        tables.len(),
        if tables.len() == 1 { "" } else { "s" },
        shown.join(", ")
    )))
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
        Some(ErrorCode::DatabaseBusy) | Some(ErrorCode::DatabaseLocked) => Error::store(
            path,
            format!(
                "database is busy (another oncotrack is writing {}); waited {} s, nothing was \
                 written: try again when it is done, or wait longer with --busy-timeout SECONDS \
                 (or ONCOTRACK_BUSY_TIMEOUT)",
                path.display(),
                busy_timeout().as_secs_f64()
            ),
        ),
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
    // Borrowed, not copied into a String: the cohort reads three dates per patient.
    let Some(text) = row.get_ref(i)?.as_str_or_null()? else {
        return Ok(None);
    };
    crate::model::parse_date(text).map(Some).map_err(|m| {
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
