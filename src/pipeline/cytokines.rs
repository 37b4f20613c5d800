//! Cytokine tables to the store: parse the whole file, then write it in one transaction.

use super::{IngestReport, Written, ingest_file};
use crate::error::{Error, Result};
use crate::ingest::{self, cytokines};
use crate::store::{Store, Tx};
use std::collections::HashMap;
use std::path::Path;

/// What ingesting a cytokine table did, with what the user should be warned about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CytokineIngest {
    /// The ingest itself.
    pub report: IngestReport,
    /// Analyte names not in the canonical table, stored as given.
    pub unknown_analytes: Vec<String>,
    /// `NA` or empty cells (not stored).
    pub missing: usize,
    /// `***` cells (no concentration computed; not stored).
    pub not_reportable: usize,
    /// Numbers beyond their limits, stored as censored at the limit.
    pub outside_limits: usize,
    /// Limits rows of a wide table.
    pub limit_rows: usize,
    /// The layout read and why.
    pub layout: String,
}

/// Looks patients up once per file, naming the line of the first unknown one.
pub(crate) struct Patients<'a> {
    path: &'a Path,
    ids: HashMap<String, i64>,
}

impl<'a> Patients<'a> {
    /// A lookup for the records of `path`.
    pub(crate) fn new(path: &'a Path) -> Self {
        Patients {
            path,
            ids: HashMap::new(),
        }
    }

    /// The store id of patient `code`, read at `line` and `field`.
    pub(crate) fn id(&mut self, tx: &Tx<'_>, code: &str, line: u64, field: &str) -> Result<i64> {
        if let Some(id) = self.ids.get(code) {
            return Ok(*id);
        }
        let id = tx.patient_id(code)?.ok_or_else(|| {
            Error::parse(self.path, line, field, format!("unknown patient '{code}'"))
        })?;
        self.ids.insert(code.to_string(), id);
        Ok(id)
    }
}

/// Turns a store conflict into a parse error at the record's line, in the field the
/// store names or else in `field`. Any other error (a damaged database, SQLite) passes
/// unchanged: it is not the input's fault.
pub(crate) fn at_line<'a>(path: &'a Path, line: u64, field: &str) -> impl Fn(Error) -> Error + 'a {
    let field = field.to_string();
    move |e| match e {
        Error::Conflict {
            field: named,
            message,
        } => Error::parse(path, line, named.unwrap_or(&field), message),
        other => other,
    }
}

/// Ingests a cytokine table ([`cytokines::read`]); `sample_map` gives patient and
/// date per line for files that have neither, `limits` the limits of quantification
/// per analyte and assay ([`cytokines::read_limits`]). Every patient must exist.
///
/// # Errors
/// A parse error, an unknown patient or a value conflicting with the store, named
/// with its line; nothing is written then.
pub fn ingest_cytokines(
    store: &mut Store,
    path: &Path,
    options: &cytokines::Options,
    sample_map: Option<&Path>,
    limits: Option<&Path>,
) -> Result<CytokineIngest> {
    let mut options = options.clone();
    let map_sha = match sample_map {
        Some(map) => {
            options.sample_map = Some(cytokines::read_sample_map(map, options.today)?);
            Some(ingest::fingerprint(map)?.sha256)
        }
        None => None,
    };
    let limits_sha = match limits {
        Some(file) => {
            options.limits = Some(cytokines::read_limits(file)?);
            Some(ingest::fingerprint(file)?.sha256)
        }
        None => None,
    };
    let params = options.params(map_sha.as_deref(), limits_sha.as_deref());
    let mut unknown_analytes = Vec::new();
    let mut counts = (0, 0, 0, 0);
    let mut layout = String::new();
    let report = ingest_file(
        store,
        path,
        "cytokines",
        &params,
        |path| {
            let table = cytokines::read(path, &options)?;
            unknown_analytes = table.unknown_analytes;
            counts = (
                table.missing,
                table.not_reportable,
                table.outside_limits,
                table.limit_rows,
            );
            layout = table.layout;
            Ok(table.rows)
        },
        |tx, file_id, rows| {
            let mut patients = Patients::new(path);
            let mut written = Written::default();
            for row in rows {
                let id = patients.id(tx, &row.patient, row.line, &options.patient_col)?;
                let inserted = tx
                    .add_cytokine(id, row, Some(file_id))
                    .map_err(at_line(path, row.line, "value"))?;
                written.count(inserted);
            }
            Ok(written)
        },
    )?;
    Ok(CytokineIngest {
        report,
        unknown_analytes,
        missing: counts.0,
        not_reportable: counts.1,
        outside_limits: counts.2,
        limit_rows: counts.3,
        layout,
    })
}
