//! The demo's output folder: made fresh and renamed into place, replacing only a folder an earlier demo made, never following a symbolic link.
//!
//! A folder the demo made holds the marker file [`MARKER`]; once the demo is done
//! the marker lists every file the demo wrote. `--out DIR` is accepted when DIR does
//! not exist, is an empty folder, or holds a marker and nothing the marker does not
//! list (a demo killed before it finished leaves a marker without a list: all of
//! such a folder is the demo's). Anything else is refused and left alone.

use crate::error::{Error, Result};
use crate::export::owned::{Entry, Found, Owner, walk};
use std::path::{Path, PathBuf};

/// The marker file of a folder the demo made.
pub const MARKER: &str = ".oncotrack-demo";

/// The first line of a marker; a finished demo adds `files:` and one path a line.
const MARKER_HEAD: &str = "made by `oncotrack demo`; replaced by the next demo";

/// What is at `--out` before the demo runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Existing {
    /// Nothing, or an empty folder.
    Nothing,
    /// A folder an earlier demo made.
    Demo,
}

/// The demo as the owner of its folder.
const OWNER: Owner = Owner {
    marker: MARKER,
    head: MARKER_HEAD,
    who: "the demo",
};

/// Checks what is at `out`, refusing anything the demo did not make.
///
/// # Errors
/// [`Error::Conflict`] naming what is there and what to do.
pub fn check(out: &Path) -> Result<Existing> {
    let (listed, entries) = match OWNER.inspect(out)? {
        Found::Nothing => return Ok(Existing::Nothing),
        Found::Owned { listed, entries } => (listed, entries),
    };
    let mut lines = listed.iter().map(String::as_str);
    let finished = lines.next() == Some("files:");
    let listed: std::collections::HashSet<&str> = lines.collect();
    for (relative, kind) in entries {
        let name = relative.to_string_lossy();
        match kind {
            Entry::Link => {
                return Err(OWNER.refuse(
                    out,
                    &format!("holds a symbolic link the demo did not make: {name}"),
                ));
            }
            Entry::File if finished && name != MARKER && !listed.contains(name.as_ref()) => {
                return Err(
                    OWNER.refuse(out, &format!("holds {name}, which the demo did not write"))
                );
            }
            _ => {}
        }
    }
    Ok(Existing::Demo)
}

/// Puts a fresh folder holding only the marker at `out`: made beside it under a
/// temporary name, then renamed into place; an earlier demo's folder is moved aside
/// first and deleted after. Call [`check`] first.
///
/// # Errors
/// I/O errors naming the folder.
pub fn replace(out: &Path, existing: &Existing) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "oncotrack-demo".into());
    remove_leftovers(&parent, &name);
    let fresh = temporary(&parent, &name, "new")?;
    let marker = fresh.join(MARKER);
    let written = create_new(&marker)
        .and_then(|mut f| std::io::Write::write_all(&mut f, format!("{MARKER_HEAD}\n").as_bytes()));
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&fresh);
        return Err(Error::io(&marker, e));
    }
    let aside = match existing {
        Existing::Demo => {
            let aside = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(out, &aside).map_err(|e| Error::io(out, e))?;
            Some(aside)
        }
        Existing::Nothing => {
            if out.is_dir() {
                // Empty (checked): rename cannot replace a folder everywhere.
                std::fs::remove_dir(out).map_err(|e| Error::io(out, e))?;
            }
            None
        }
    };
    std::fs::rename(&fresh, out).map_err(|e| Error::io(out, e))?;
    if let Some(aside) = aside {
        // remove_dir_all does not follow symbolic links.
        std::fs::remove_dir_all(&aside).map_err(|e| Error::io(&aside, e))?;
    }
    Ok(())
}

/// Deletes the temporary folders a demo killed while replacing `name` left in
/// `parent`: `.NAME.new-PID-N` (a fresh folder being made) and `.NAME.old-PID` (an
/// earlier demo's folder being deleted, its marker possibly gone already). Only real
/// folders with exactly those names; best effort: what cannot be deleted stays.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.new-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let ours = prefixes.iter().any(|p| {
            file_name.strip_prefix(p.as_str()).is_some_and(|rest| {
                !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '-')
            })
        });
        if ours && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Records in the marker every file the demo wrote into `out`, so that the next demo
/// replaces the folder only if nothing else was put there.
///
/// # Errors
/// I/O errors naming the marker.
pub fn finish(out: &Path) -> Result<()> {
    let mut names: Vec<String> = walk(out)?
        .into_iter()
        .filter(|(_, kind)| *kind != Entry::Dir)
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .filter(|n| n != MARKER)
        .collect();
    names.sort();
    let marker = out.join(MARKER);
    let text = format!("{MARKER_HEAD}\nfiles:\n{}\n", names.join("\n"));
    // Written beside and renamed over: the marker is never half-written.
    let temp = out.join(format!("{MARKER}.tmp"));
    let _ = std::fs::remove_file(&temp);
    create_new(&temp)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| Error::io(&temp, e))?;
    std::fs::rename(&temp, &marker).map_err(|e| Error::io(&marker, e))
}

/// A new empty folder in `parent` with a name no other process uses.
fn temporary(parent: &Path, name: &str, what: &str) -> Result<PathBuf> {
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let path = parent.join(format!(".{name}.{what}-{pid}-{attempt}"));
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Err(Error::io(
        parent,
        std::io::Error::other("no free temporary folder name"),
    ))
}

/// Creates a new file (failing if anything, a link included, is at `path`).
fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_with_foreign_files_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ud");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("truth.csv"), "mine").unwrap();
        let err = check(&out).unwrap_err().to_string();
        assert!(err.contains("did not make"), "{err}");
        assert_eq!(
            std::fs::read_to_string(out.join("truth.csv")).unwrap(),
            "mine"
        );
    }

    #[test]
    fn a_finished_demo_folder_is_replaced_unless_a_file_was_added() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("demo");
        assert_eq!(check(&out).unwrap(), Existing::Nothing);
        replace(&out, &Existing::Nothing).unwrap();
        std::fs::write(out.join("patients.csv"), "x").unwrap();
        finish(&out).unwrap();
        assert_eq!(check(&out).unwrap(), Existing::Demo);
        replace(&out, &Existing::Demo).unwrap();
        assert!(!out.join("patients.csv").exists());
        std::fs::write(out.join("patients.csv"), "x").unwrap();
        finish(&out).unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let err = check(&out).unwrap_err().to_string();
        assert!(err.contains("notes.txt"), "{err}");
    }

    #[test]
    fn leftovers_of_a_killed_demo_are_deleted_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("demo");
        for name in [
            ".demo.old-123",
            ".demo.new-5-0",
            ".demo.old-mine",
            ".other.old-1",
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join("f.csv"), "x").unwrap();
        }
        replace(&out, &Existing::Nothing).unwrap();
        assert!(!dir.path().join(".demo.old-123").exists());
        assert!(!dir.path().join(".demo.new-5-0").exists());
        assert!(dir.path().join(".demo.old-mine/f.csv").exists());
        assert!(dir.path().join(".other.old-1/f.csv").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v.txt");
        std::fs::write(&target, "victim").unwrap();
        let out = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path(), &out).unwrap();
        assert!(
            check(&out)
                .unwrap_err()
                .to_string()
                .contains("symbolic link")
        );
        let out = dir.path().join("demo");
        replace(&out, &Existing::Nothing).unwrap();
        std::os::unix::fs::symlink(&target, out.join("truth.csv")).unwrap();
        assert!(
            check(&out)
                .unwrap_err()
                .to_string()
                .contains("symbolic link")
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "victim");
    }
}
