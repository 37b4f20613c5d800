//! De-identified listings: `--deidentify --key-file` on the commands that print patient rows, with the pseudonyms, relative days and dropped fields of `export`.

use super::export::DeidentifyArgs;
use super::output::Listing;
use oncotrack::export::Deidentify;
use oncotrack::store::Store;
use oncotrack::store::export::Cell;
use std::collections::HashMap;

/// A loaded key and each patient's index date (what relative days count from).
pub struct Private {
    deidentify: Deidentify,
    index: HashMap<String, chrono::NaiveDate>,
}

impl Private {
    /// The de-identification `args` ask for (None without `--deidentify`).
    pub fn load(args: &DeidentifyArgs, store: &Store) -> anyhow::Result<Option<Private>> {
        let Some(deidentify) = args.load()? else {
            return Ok(None);
        };
        let patients = store.export_table("patients")?;
        let at = |name: &str| patients.columns.iter().position(|(n, _)| *n == name);
        let mut index = HashMap::new();
        if let (Some(code), Some(date)) = (at("patient"), at("index_date")) {
            for row in &patients.rows {
                if let (Cell::Text(c), Cell::Date(d)) = (&row[code], &row[date]) {
                    index.insert(c.clone(), *d);
                }
            }
        }
        Ok(Some(Private { deidentify, index }))
    }

    /// The pseudonym of a patient code.
    pub fn pseudonym(&self, code: &str) -> String {
        self.deidentify.key.pseudonym(code)
    }

    /// Days from the patient's index date to `date` (None without an index date).
    pub fn day(&self, code: &str, date: chrono::NaiveDate) -> Option<i64> {
        self.index.get(code).map(|i| (date - *i).num_days())
    }

    /// Whether site names stay (`--keep-site`).
    pub fn keep_site(&self) -> bool {
        self.deidentify.keep_site
    }

    /// `listing` de-identified: `patient` column pseudonymised, `dates` as days since the
    /// index date, `drop` (and `site` unless kept) left out, rows ordered by pseudonym.
    pub fn listing(
        &self,
        listing: Listing,
        patient: &str,
        dates: &[&str],
        drop: &[&str],
    ) -> Listing {
        let mut dropped: Vec<&str> = drop.to_vec();
        if !self.keep_site() {
            dropped.push("site");
        }
        listing.deidentified(
            patient,
            |code| self.pseudonym(code),
            dates,
            |code, date| self.day(code, date),
            &dropped,
        )
    }
}

impl Private {
    /// One patient's `listing` (no patient column) de-identified: `dates` as days since
    /// `code`'s index date, `drop` (and `site` unless kept) left out.
    pub fn patient_listing(
        &self,
        code: &str,
        listing: Listing,
        dates: &[&str],
        drop: &[&str],
    ) -> Listing {
        let mut dropped: Vec<&str> = drop.to_vec();
        if !self.keep_site() {
            dropped.push("site");
        }
        listing.deidentified(
            "",
            |_| String::new(),
            dates,
            |_, date| self.day(code, date),
            &dropped,
        )
    }
}

/// `listing` de-identified by `private` when given, else as it is.
pub fn maybe(
    private: Option<&Private>,
    listing: Listing,
    patient: &str,
    dates: &[&str],
    drop: &[&str],
) -> Listing {
    match private {
        Some(p) => p.listing(listing, patient, dates, drop),
        None => listing,
    }
}

/// One patient's `listing` de-identified by `private` when given, else as it is.
pub fn for_patient(
    private: Option<&Private>,
    code: &str,
    listing: Listing,
    dates: &[&str],
    drop: &[&str],
) -> Listing {
    match private {
        Some(p) => p.patient_listing(code, listing, dates, drop),
        None => listing,
    }
}
