//! Landed migrations are never edited: every `schema/*.sql` is pinned by its SHA-256 here, and compiled in as pinned.

use oncotrack::store::migrations::MIGRATIONS;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The SHA-256 of every landed migration, in order. Databases out there have run
/// these files, so a landed file never changes again: a schema change is a new file.
///
/// To add a migration: write `schema/NNNN_name.sql`, include it in
/// `src/store/migrations.rs`, and when the file is final (in the commit that lands it
/// on main at the latest) append one line here, `("NNNN_name.sql", "<sha256sum>"),`.
/// Until then `every_migration_file_is_pinned_and_compiled_in` fails and prints that
/// line ready to paste.
const LANDED: &[(&str, &str)] = &[
    (
        "0001_core.sql",
        "79a6de7e10a0af38a4ea33b4959abaadec112ee6f47a354caf1983fd97fb3888",
    ),
    (
        "0002_measurements.sql",
        "ac5e25de26ca831f5c5f647c4179ccd319d16c5637f18dd761988d9869b2fd32",
    ),
    (
        "0003_call_provenance.sql",
        "7265367d0995c0deb144f099bb287802f2bb4e3d84f13f33cd2180769c9fb210",
    ),
    (
        "0004_tracked_choice.sql",
        "30a7833250daeb7b2a85e999bac690eb7b2baaf2013c73e01a2422db41d45336",
    ),
    (
        "0005_mrd.sql",
        "158deed84eb544bed367b3e8a33d4f649464e60253f8e80840bcb7922392fbf7",
    ),
    (
        "0006_board.sql",
        "9a4c7b589bef41d6f8dc677b8f30fa4bcd87019127e4ae0ee3b6966671736ef9",
    ),
    (
        "0007_pet_body.sql",
        "e64d41a8860170787adff8934b669f66c6b6b6c585a72f532217a34a12a85565",
    ),
    (
        "0008_structural_variants.sql",
        "41d83085ba4cfbfed27cca1dc1ffb9cbc822c112d60f3dc74297bd8e1d637722",
    ),
    (
        "0009_fusions.sql",
        "6ce3bacac909db6b998385386f856b78d294f0cf7e115d72cc2d772ae37c70fa",
    ),
    (
        "0010_patient_summary.sql",
        "9d4677d1f0f82c1c36beac6261075009b82969e92a0756c4a68d13453a425406",
    ),
];

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema")
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn every_landed_migration_hashes_as_when_it_landed() {
    for (name, pinned) in LANDED {
        let path = schema_dir().join(name);
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("landed migration {} is gone: {e}", path.display()));
        assert_eq!(
            sha256(&bytes),
            *pinned,
            "schema/{name} was edited after it landed: restore it (git show main:schema/{name}) \
             and put the change in a new migration file"
        );
    }
}

#[test]
fn every_migration_file_is_pinned_and_compiled_in() {
    let mut files: Vec<String> = std::fs::read_dir(schema_dir())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect();
    files.sort();
    assert!(files.len() >= LANDED.len(), "schema/ holds {files:?}");

    let unpinned: Vec<String> = files
        .iter()
        .filter(|name| !LANDED.iter().any(|(landed, _)| landed == name))
        .map(|name| {
            let bytes = std::fs::read(schema_dir().join(name)).unwrap();
            format!("    (\"{name}\", \"{}\"),", sha256(&bytes))
        })
        .collect();
    assert!(
        unpinned.is_empty(),
        "schema/ has migrations without a pinned SHA-256. When the file is final (in the \
         commit that lands it on main at the latest), append to LANDED in \
         tests/migrations.rs; from then on it never changes:\n{}",
        unpinned.join("\n")
    );

    // The pinned files, in order, are the ones the binary runs, with the pinned text.
    let compiled: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
    let landed: Vec<&str> = LANDED.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        compiled, landed,
        "src/store/migrations.rs must include every file of schema/, in order"
    );
    for (migration, (_, pinned)) in MIGRATIONS.iter().zip(LANDED) {
        assert_eq!(
            sha256(migration.sql.as_bytes()),
            *pinned,
            "the SQL of {} compiled into oncotrack is not the pinned file",
            migration.name
        );
    }
}
