//! `oncotrack init`: create the database with mode 0600, or upgrade an existing one.

use oncotrack::store::Store;
use std::path::Path;

/// Creates or upgrades the database at `db`.
pub fn run(db: &Path) -> anyhow::Result<()> {
    let before = if db.is_file() {
        // Read the version without migrating, to say what init did.
        Store::open(db, oncotrack::store::Access::ReadOnly)
            .ok()
            .and_then(|s| s.schema_version().ok())
    } else {
        None
    };
    let (store, created) = Store::create(db)?;
    let version = store.schema_version()?;
    if created {
        say!("created {} (schema version {version})", db.display());
    } else if before == Some(version) {
        say!("{} is up to date (schema version {version})", db.display());
    } else {
        say!("upgraded {} to schema version {version}", db.display());
    }
    Ok(())
}
