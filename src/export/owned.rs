//! Folders oncotrack made: recognised by a marker file listing what was written, inspected without following a symbolic link.
//!
//! The demo's output folder and a cBioPortal study folder are replaced by the next run
//! only when they hold nothing oncotrack did not write. Both keep a hidden marker file
//! whose first line says which command made the folder; [`inspect`] refuses a link, a
//! file, a folder without that marker, and returns what is in an owned folder for the
//! caller to compare with the marker's listing.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The command that owns a kind of folder.
#[derive(Debug, Clone, Copy)]
pub struct Owner {
    /// The marker file's name inside the folder (hidden: starts with a dot).
    pub marker: &'static str,
    /// The marker's first line.
    pub head: &'static str,
    /// Who writes the folder, as messages say it ("the demo", "export cbioportal").
    pub who: &'static str,
}

/// What one entry below an owned folder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entry {
    /// A regular file (or anything that is neither a folder nor a link).
    File,
    /// A folder (its content is listed too).
    Dir,
    /// A symbolic link (never followed).
    Link,
}

/// What is at an output folder before a command writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Nothing, or an empty folder.
    Nothing,
    /// A folder the owner made: the marker's lines after its head, and every entry
    /// below the folder (relative paths; the marker included).
    Owned {
        /// The marker's lines after its first.
        listed: Vec<String>,
        /// Every file, folder and link below the folder, relative to it.
        entries: Vec<(PathBuf, Entry)>,
    },
}

impl Owner {
    /// The refusal for `out`: why, and that nothing was touched.
    pub fn refuse(&self, out: &Path, why: &str) -> Error {
        Error::conflict(format!(
            "--out {}: {why}; {} writes only into a folder it made and left it alone \
             (choose another --out, or remove it yourself)",
            out.display(),
            self.who
        ))
    }

    /// Looks at `out` without following links: absent or empty, or a folder holding
    /// this owner's marker.
    ///
    /// # Errors
    /// [`Error::Conflict`] for a link, a file, a folder without the marker or with
    /// another command's; [`Error::Io`] naming the path that could not be read.
    pub fn inspect(&self, out: &Path) -> Result<Found> {
        let meta = match std::fs::symlink_metadata(out) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
            Err(e) => return Err(Error::io(out, e)),
        };
        if meta.file_type().is_symlink() {
            return Err(self.refuse(out, "is a symbolic link"));
        }
        if !meta.is_dir() {
            return Err(self.refuse(out, "is a file, not a folder"));
        }
        let entries = walk(out)?;
        if entries.is_empty() {
            return Ok(Found::Nothing);
        }
        let marker = out.join(self.marker);
        let text = match std::fs::symlink_metadata(&marker) {
            Ok(m) if m.is_file() => {
                std::fs::read_to_string(&marker).map_err(|e| Error::io(&marker, e))?
            }
            _ => {
                return Err(self.refuse(
                    out,
                    &format!(
                        "holds files {} did not make (it has no {} marker)",
                        self.who, self.marker
                    ),
                ));
            }
        };
        let mut lines = text.lines();
        if lines.next() != Some(self.head) {
            return Err(self.refuse(
                out,
                &format!("its {} was not written by {}", self.marker, self.who),
            ));
        }
        Ok(Found::Owned {
            listed: lines.map(String::from).collect(),
            entries,
        })
    }
}

/// Every entry below `root`, relative to it; folders are walked (and listed after their
/// content), links are not followed.
///
/// # Errors
/// [`Error::Io`] naming the folder or entry that could not be read.
pub fn walk(root: &Path) -> Result<Vec<(PathBuf, Entry)>> {
    let mut found = Vec::new();
    walk_into(root, Path::new(""), &mut found)?;
    Ok(found)
}

fn walk_into(root: &Path, relative: &Path, found: &mut Vec<(PathBuf, Entry)>) -> Result<()> {
    let dir = root.join(relative);
    for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
        let entry = entry.map_err(|e| Error::io(&dir, e))?;
        let path = relative.join(entry.file_name());
        let kind = entry.file_type().map_err(|e| Error::io(&entry.path(), e))?;
        if kind.is_symlink() {
            found.push((path, Entry::Link));
        } else if kind.is_dir() {
            walk_into(root, &path, found)?;
            found.push((path, Entry::Dir));
        } else {
            found.push((path, Entry::File));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: Owner = Owner {
        marker: ".mine",
        head: "made by me",
        who: "the test",
    };

    #[test]
    fn absent_and_empty_folders_are_nothing_and_a_foreign_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        assert_eq!(OWNER.inspect(&out).unwrap(), Found::Nothing);
        std::fs::create_dir(&out).unwrap();
        assert_eq!(OWNER.inspect(&out).unwrap(), Found::Nothing);
        std::fs::write(out.join("a.csv"), "x").unwrap();
        let err = OWNER.inspect(&out).unwrap_err().to_string();
        assert!(err.contains("the test did not make"), "{err}");
        std::fs::write(out.join(".mine"), "made by someone else\n").unwrap();
        let err = OWNER.inspect(&out).unwrap_err().to_string();
        assert!(err.contains("was not written by the test"), "{err}");
    }

    #[test]
    fn an_owned_folder_lists_its_marker_lines_and_every_entry() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("sub")).unwrap();
        std::fs::write(out.join(".mine"), "made by me\nsub/b.txt\n").unwrap();
        std::fs::write(out.join("sub/b.txt"), "x").unwrap();
        let Found::Owned {
            listed,
            mut entries,
        } = OWNER.inspect(&out).unwrap()
        else {
            panic!("not owned");
        };
        assert_eq!(listed, ["sub/b.txt"]);
        entries.sort();
        assert_eq!(
            entries,
            [
                (PathBuf::from(".mine"), Entry::File),
                (PathBuf::from("sub"), Entry::Dir),
                (PathBuf::from("sub/b.txt"), Entry::File),
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_are_refused_or_listed_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        let err = OWNER.inspect(&link).unwrap_err().to_string();
        assert!(err.contains("is a symbolic link"), "{err}");
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(dir.path(), out.join("l")).unwrap();
        assert_eq!(walk(&out).unwrap(), [(PathBuf::from("l"), Entry::Link)]);
    }
}
