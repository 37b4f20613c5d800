//! De-identification: HMAC-SHA256 pseudonyms for patient codes under a secret key, dates as days since the patient's index date, and what else a de-identified export drops.

use crate::error::{Error, Result};
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::Path;

/// The shortest key accepted (bytes): a pseudonym is only as safe as its key.
pub const MIN_KEY_BYTES: usize = 16;

/// Replaces patient codes by keyed pseudonyms: the same code and key always give
/// the same pseudonym; without the key the code cannot be recovered or confirmed.
#[derive(Clone)]
pub struct Pseudonymizer {
    key: Vec<u8>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer { key: <hidden> }")
    }
}

impl Pseudonymizer {
    /// A pseudonymizer under `key`.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when the key is shorter than [`MIN_KEY_BYTES`].
    pub fn new(key: &[u8]) -> Result<Self> {
        if key.len() < MIN_KEY_BYTES {
            return Err(Error::InvalidValue {
                what: "pseudonym key",
                value: format!("{} bytes", key.len()),
                reason: format!("must hold at least {MIN_KEY_BYTES} bytes"),
            });
        }
        Ok(Pseudonymizer { key: key.to_vec() })
    }

    /// Reads the key from a file (surrounding whitespace ignored).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::InvalidValue`] when it is
    /// readable or writable by group or others (a key others can read pseudonymises
    /// nothing); as [`Pseudonymizer::new`].
    pub fn from_key_file(path: &Path) -> Result<Self> {
        refuse_shared_key(path)?;
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let text = String::from_utf8_lossy(&bytes);
        Self::new(text.trim().as_bytes())
    }

    /// Reads the key from `path`, or, when no file is there, creates one (mode 0600)
    /// holding a new random 256-bit key as 64 hex digits. Returns whether it was created.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read or created; as [`Pseudonymizer::new`].
    pub fn load_or_create(path: &Path) -> Result<(Self, bool)> {
        match std::fs::symlink_metadata(path) {
            Ok(_) => return Ok((Self::from_key_file(path)?, false)),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(Error::io(path, e)),
            Err(_) => {}
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)
            .map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| Error::io(path, e))?;
        std::io::Write::write_all(&mut file, format!("{hex}\n").as_bytes())
            .map_err(|e| Error::io(path, e))?;
        Ok((Self::new(hex.as_bytes())?, true))
    }

    /// The pseudonym of a patient code: `pt_` and the first 16 hex digits of
    /// HMAC-SHA256(key, code).
    pub fn pseudonym(&self, code: &str) -> String {
        // HMAC accepts keys of any length: new_from_slice cannot fail for Hmac<Sha256>.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return String::from("pt_invalid");
        };
        mac.update(code.as_bytes());
        let digest = mac.finalize().into_bytes();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("pt_{hex}")
    }
}

/// Refuses a key file whose mode lets group or others read or write it.
fn refuse_shared_key(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| Error::io(path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(Error::InvalidValue {
                what: "--key-file",
                value: path.display().to_string(),
                reason: format!(
                    "is readable or writable by others (mode {:04o}); nothing was exported: \
                     run `chmod 600 {}` and keep the key to yourself",
                    mode & 0o7777,
                    path.display()
                ),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// What a de-identified export does: the pseudonym key, and whether site names stay.
#[derive(Debug, Clone)]
pub struct Deidentify {
    /// The pseudonym key.
    pub key: Pseudonymizer,
    /// Keep site (centre) names (`--keep-site`); dropped otherwise.
    pub keep_site: bool,
}

/// Days from `index` to `date` (None when either is missing).
pub fn days_since(date: Option<NaiveDate>, index: Option<NaiveDate>) -> Option<i64> {
    Some((date? - index?).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_file_is_created_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.txt");
        let (first, created) = Pseudonymizer::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap().trim().len(), 64);
        let (again, created) = Pseudonymizer::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(first.pseudonym("P001"), again.pseudonym("P001"));
    }

    #[test]
    fn pseudonyms_are_stable_per_key_and_differ_between_keys() {
        let a = Pseudonymizer::new(b"0123456789abcdef").unwrap();
        let b = Pseudonymizer::new(b"fedcba9876543210").unwrap();
        assert_eq!(a.pseudonym("P001"), a.pseudonym("P001"));
        assert_ne!(a.pseudonym("P001"), a.pseudonym("P002"));
        assert_ne!(a.pseudonym("P001"), b.pseudonym("P001"));
        assert_eq!(a.pseudonym("P001").len(), 19);
    }

    #[test]
    fn a_short_key_is_refused() {
        assert!(Pseudonymizer::new(b"short").is_err());
    }

    #[test]
    fn dates_become_days_since_index() {
        let d = |t| crate::model::parse_date(t).ok();
        assert_eq!(days_since(d("2024-03-01"), d("2024-02-01")), Some(29));
        assert_eq!(days_since(d("2024-03-01"), None), None);
    }
}
