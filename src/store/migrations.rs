//! Schema migrations: `schema/NNNN_name.sql` applied in order in one transaction, the version kept in `PRAGMA user_version`.

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::PathBuf;

/// One schema migration: its file name and SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// File name under `schema/` (e.g. `0001_core.sql`).
    pub name: &'static str,
    /// The SQL it runs.
    pub sql: &'static str,
}

/// Every migration of this oncotrack, in order; migration *i* (0-based) brings the
/// schema to version *i* + 1. Only ever appended.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_core.sql",
        sql: include_str!("../../schema/0001_core.sql"),
    },
    Migration {
        name: "0002_measurements.sql",
        sql: include_str!("../../schema/0002_measurements.sql"),
    },
    Migration {
        name: "0003_call_provenance.sql",
        sql: include_str!("../../schema/0003_call_provenance.sql"),
    },
    Migration {
        name: "0004_tracked_choice.sql",
        sql: include_str!("../../schema/0004_tracked_choice.sql"),
    },
    Migration {
        name: "0005_mrd.sql",
        sql: include_str!("../../schema/0005_mrd.sql"),
    },
    Migration {
        name: "0006_board.sql",
        sql: include_str!("../../schema/0006_board.sql"),
    },
    Migration {
        name: "0007_pet_body.sql",
        sql: include_str!("../../schema/0007_pet_body.sql"),
    },
    Migration {
        name: "0008_structural_variants.sql",
        sql: include_str!("../../schema/0008_structural_variants.sql"),
    },
    Migration {
        name: "0009_fusions.sql",
        sql: include_str!("../../schema/0009_fusions.sql"),
    },
    Migration {
        name: "0010_patient_summary.sql",
        sql: include_str!("../../schema/0010_patient_summary.sql"),
    },
];

/// The schema version recorded in the database.
///
/// # Errors
/// When SQLite cannot read the header (e.g. the file is not a database).
pub fn user_version(conn: &Connection) -> rusqlite::Result<usize> {
    conn.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))
        .map(|v| v.max(0) as usize)
}

/// Refuses a database whose schema is newer than `latest`.
///
/// # Errors
/// A message telling the user to upgrade oncotrack.
pub fn check_version(found: usize, latest: usize) -> Result<(), String> {
    if found > latest {
        Err(format!(
            "schema version {found} was written by a newer oncotrack (this one knows up to {latest}); \
             upgrade oncotrack to use it"
        ))
    } else {
        Ok(())
    }
}

/// Applies the migrations the database lacks, all in one transaction: either the
/// schema reaches the latest version or nothing changes. Returns the versions
/// before and after.
///
/// # Errors
/// [`Error::Store`] for a database newer than `migrations`, or naming the migration
/// whose SQL failed (the database is then left as it was).
pub fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<(usize, usize)> {
    migrate_then(conn, migrations, |_| Ok(()))
}

/// As [`migrate`], running `then` inside the same transaction when there was
/// anything to migrate (a new database gets its schema and its metadata at once).
///
/// # Errors
/// As [`migrate`], or what `then` returns (nothing is then changed).
pub fn migrate_then(
    conn: &mut Connection,
    migrations: &[Migration],
    then: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>,
) -> Result<(usize, usize)> {
    if user_version(conn)? == migrations.len() {
        return Ok((migrations.len(), migrations.len()));
    }
    // Checked again inside the write lock: another process may have migrated meanwhile.
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found = user_version(&tx)?;
    check_version(found, migrations.len()).map_err(|m| Error::store(&PathBuf::new(), m))?;
    for (index, migration) in migrations.iter().enumerate().skip(found) {
        tx.execute_batch(migration.sql).map_err(|e| {
            Error::store(
                &PathBuf::new(),
                format!(
                    "migration {} failed: {e}; the database was left unchanged",
                    migration.name
                ),
            )
        })?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
    }
    then(&tx)?;
    tx.commit()?;
    Ok((found, migrations.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn fresh_database_reaches_the_latest_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(
            migrate(&mut conn, MIGRATIONS).unwrap(),
            (0, MIGRATIONS.len())
        );
        assert_eq!(user_version(&conn).unwrap(), MIGRATIONS.len());
        let names = tables(&conn);
        for table in [
            "patient",
            "clinical_event",
            "ingested_file",
            "lb_sample",
            "variant",
            "variant_call",
            "tracked_variant",
            "cytokine_measurement",
            "imaging_study",
            "lesion",
            "lesion_measurement",
            "pet_uptake",
            "radiomic_feature",
            "analysis_run",
            "cluster_assignment",
        ] {
            assert!(names.iter().any(|n| n == table), "missing table {table}");
        }
        // Applying again is a no-op.
        assert_eq!(
            migrate(&mut conn, MIGRATIONS).unwrap(),
            (MIGRATIONS.len(), MIGRATIONS.len())
        );
    }

    #[test]
    fn migration_files_are_numbered_in_order() {
        // Numbers increase; 0008 lands before 0007 (another branch's) is merged, after
        // which the numbers are again exactly 1..=n.
        let numbers: Vec<usize> = MIGRATIONS
            .iter()
            .map(|m| m.name[..4].parse().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "{numbers:?}");
        assert_eq!(numbers.first(), Some(&1));
    }

    #[test]
    fn newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let err = migrate(&mut conn, MIGRATIONS).unwrap_err().to_string();
        assert!(err.contains("newer oncotrack"), "{err}");
        assert_eq!(user_version(&conn).unwrap(), 99);
    }

    #[test]
    fn failed_migration_rolls_back_everything() {
        let mut conn = Connection::open_in_memory().unwrap();
        let broken = [
            MIGRATIONS[0],
            Migration {
                name: "0002_broken.sql",
                sql: "CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);",
            },
        ];
        let err = migrate(&mut conn, &broken).unwrap_err().to_string();
        assert!(err.contains("0002_broken.sql"), "{err}");
        assert_eq!(user_version(&conn).unwrap(), 0);
        assert!(tables(&conn).is_empty(), "{:?}", tables(&conn));
    }
}
