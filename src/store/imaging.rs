//! Imaging: studies and their metadata, lesions, lesion measurements, PET uptake and radiomic features.

use super::Tx;
use super::events::Inserted;
use crate::error::{Error, Result};
use crate::model::date::format_date;
use crate::model::imaging::LesionUptake;
use crate::model::{LesionFacts, LesionRow, StudyKey};
use rusqlite::{OptionalExtension, params};

/// Longest diameter, short axis, mean HU and new-lesion flag of a measurement.
type Measurements = (Option<f64>, Option<f64>, Option<f64>, bool);

impl Tx<'_> {
    /// The id of a patient's study on a date with a modality, created if new. A
    /// scanner or site given for a study stored with another one is a conflict.
    ///
    /// # Errors
    /// [`Error::Conflict`] on a different scanner or site.
    pub fn study_id(&self, patient_id: i64, study: &StudyKey) -> Result<i64> {
        let date = format_date(study.date);
        let modality = study.modality.as_str();
        let existing: Option<(i64, String, String)> = self
            .tx
            .prepare_cached(
                "SELECT study_id, scanner, site FROM imaging_study
                  WHERE patient_id = ?1 AND date = ?2 AND modality = ?3",
            )?
            .query_row(params![patient_id, date, modality], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let Some((id, scanner, site)) = existing else {
            self.tx
                .prepare_cached(
                    "INSERT INTO imaging_study (patient_id, date, modality, scanner, site)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    patient_id,
                    date,
                    modality,
                    study.scanner,
                    study.site
                ])?;
            return Ok(self.tx.last_insert_rowid());
        };
        for (what, stored, given) in [
            ("scanner", &scanner, &study.scanner),
            ("site", &site, &study.site),
        ] {
            if given.is_empty() || stored == given {
                continue;
            }
            if stored.is_empty() {
                self.tx.execute(
                    &format!("UPDATE imaging_study SET {what} = ?1 WHERE study_id = ?2"),
                    params![given, id],
                )?;
            } else {
                return Err(Error::conflict_in(
                    what,
                    format!(
                        "the {modality} study of {date} is stored with {what} '{stored}', not '{given}'"
                    ),
                ));
            }
        }
        Ok(id)
    }

    /// Records the liver reference of a PET study (PERCIST).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn set_liver_reference(&self, study_id: i64, mean: f64, sd: f64) -> Result<()> {
        self.tx.execute(
            "UPDATE imaging_study SET liver_suv_mean = ?1, liver_suv_sd = ?2 WHERE study_id = ?3",
            params![mean, sd, study_id],
        )?;
        Ok(())
    }

    /// Records the body measures a PET series carries (weight kg, height m, sex M/F/O);
    /// a value not given leaves the stored one.
    ///
    /// # Errors
    /// Only if SQLite fails (or a value breaks the table's checks).
    pub fn set_study_body(
        &self,
        study_id: i64,
        weight_kg: Option<f64>,
        height_m: Option<f64>,
        sex: Option<&str>,
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE imaging_study SET weight_kg = coalesce(?1, weight_kg),
                    height_m = coalesce(?2, height_m), sex = coalesce(?3, sex)
              WHERE study_id = ?4",
            params![weight_kg, height_m, sex, study_id],
        )?;
        Ok(())
    }

    /// Sets a study metadata item (the latest file's value wins: diagnostics of a
    /// re-run describe the same study).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn set_study_metadata(&self, study_id: i64, key: &str, value: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO study_metadata (study_id, key, value) VALUES (?1, ?2, ?3)
                 ON CONFLICT (study_id, key) DO UPDATE SET value = excluded.value",
            )?
            .execute(params![study_id, key, value])?;
        Ok(())
    }

    /// The id of a patient's lesion, created if new. Organ, target and nodal status
    /// are fixed once given (at the RECIST baseline): a later row may leave them empty
    /// but not change them. A lesion first stored without them (by a PET or radiomics
    /// ingest) takes them from the first row that gives them.
    ///
    /// # Errors
    /// [`Error::Conflict`] when a given attribute differs from the stored one.
    pub fn lesion_id(&self, patient_id: i64, lesion: &LesionFacts) -> Result<i64> {
        type Stored = (i64, String, bool, bool, bool, bool);
        let existing: Option<Stored> = self
            .tx
            .prepare_cached(
                "SELECT lesion_id, organ, is_target, is_nodal, target_given, nodal_given
                   FROM lesion WHERE patient_id = ?1 AND label = ?2",
            )?
            .query_row(params![patient_id, lesion.label], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .optional()?;
        let Some((id, organ, target, nodal, target_given, nodal_given)) = existing else {
            self.tx
                .prepare_cached(
                    "INSERT INTO lesion (patient_id, label, organ, is_target, is_nodal,
                                         target_given, nodal_given)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    patient_id,
                    lesion.label,
                    lesion.organ.as_deref().unwrap_or(""),
                    lesion.target.unwrap_or(false),
                    lesion.nodal.unwrap_or(false),
                    lesion.target.is_some(),
                    lesion.nodal.is_some()
                ])?;
            return Ok(self.tx.last_insert_rowid());
        };
        let label = &lesion.label;
        if let Some(given) = &lesion.organ
            && !organ.is_empty()
            && *given != organ
        {
            return Err(Error::conflict(format!(
                "lesion {label} is stored in organ '{organ}', not '{given}'"
            )));
        }
        for (what, column, stored, was_given, given) in [
            ("target", "is_target", target, target_given, lesion.target),
            ("nodal", "is_nodal", nodal, nodal_given, lesion.nodal),
        ] {
            let Some(given) = given else { continue };
            if !was_given {
                self.tx.execute(
                    &format!(
                        "UPDATE lesion SET {column} = ?1, {what}_given = 1 WHERE lesion_id = ?2"
                    ),
                    params![given, id],
                )?;
            } else if given != stored {
                return Err(Error::conflict(format!(
                    "lesion {label} is stored with {what} = {}; it is fixed at baseline",
                    if stored { "y" } else { "n" }
                )));
            }
        }
        Ok(id)
    }

    /// Stores a lesion measurement; the same values already stored are left alone.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the store holds other values for this lesion and study.
    pub fn add_lesion_measurement(
        &self,
        study_id: i64,
        lesion_id: i64,
        row: &LesionRow,
        file_id: Option<i64>,
    ) -> Result<Inserted> {
        let values = (
            row.longest_diameter_mm,
            row.short_axis_mm,
            row.mean_hu,
            row.new_lesion,
        );
        let existing: Option<Measurements> = self
            .tx
            .prepare_cached(
                "SELECT longest_diameter_mm, short_axis_mm, mean_hu, is_new FROM lesion_measurement
                  WHERE study_id = ?1 AND lesion_id = ?2",
            )?
            .query_row(params![study_id, lesion_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        if let Some(stored) = existing {
            return if stored == values {
                Ok(Inserted::Existing)
            } else {
                Err(Error::conflict(format!(
                    "lesion {} on {} is already stored with other measurements",
                    row.lesion.label, row.study.date
                )))
            };
        }
        self.tx
            .prepare_cached(
                "INSERT INTO lesion_measurement (study_id, lesion_id, longest_diameter_mm,
                    short_axis_mm, mean_hu, is_new, file_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                study_id, lesion_id, values.0, values.1, values.2, values.3, file_id
            ])?;
        Ok(Inserted::New)
    }

    /// Stores the PET uptake of a lesion by one method (method and parameter are
    /// part of the key); the same values already stored are left alone.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the store holds other values for this key.
    pub fn add_pet_uptake(
        &self,
        study_id: i64,
        lesion_id: i64,
        uptake: &LesionUptake,
        file_id: Option<i64>,
    ) -> Result<Inserted> {
        let (method, param) = (uptake.method.name(), uptake.method.param());
        let existing: Option<(f64, i64, f64)> = self
            .tx
            .prepare_cached(
                "SELECT threshold, voxels, mtv_ml FROM pet_uptake
                  WHERE study_id = ?1 AND lesion_id = ?2 AND method = ?3 AND method_param = ?4",
            )?
            .query_row(params![study_id, lesion_id, method, param], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if let Some(stored) = existing {
            return if stored == (uptake.threshold, uptake.voxels as i64, uptake.mtv_ml) {
                Ok(Inserted::Existing)
            } else {
                Err(Error::conflict(format!(
                    "PET uptake by {} is already stored with other values for this lesion and date",
                    uptake.method
                )))
            };
        }
        self.tx
            .prepare_cached(
                "INSERT INTO pet_uptake (study_id, lesion_id, method, method_param, threshold,
                    voxels, suv_max, suv_peak, suv_mean, mtv_ml, tlg, file_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                study_id,
                lesion_id,
                method,
                param,
                uptake.threshold,
                uptake.voxels as i64,
                uptake.suv_max,
                uptake.suv_peak,
                uptake.suv_mean,
                uptake.mtv_ml,
                uptake.tlg,
                file_id
            ])?;
        Ok(Inserted::New)
    }

    /// Stores one radiomic feature value; the same value already stored is left alone.
    ///
    /// # Errors
    /// [`Error::Conflict`] when the store holds another value.
    pub fn add_radiomic_feature(
        &self,
        study_id: i64,
        lesion_id: i64,
        feature: &str,
        value: f64,
        file_id: Option<i64>,
    ) -> Result<Inserted> {
        let existing: Option<f64> = self
            .tx
            .prepare_cached(
                "SELECT value FROM radiomic_feature WHERE study_id = ?1 AND lesion_id = ?2 AND feature = ?3",
            )?
            .query_row(params![study_id, lesion_id, feature], |r| r.get(0))
            .optional()?;
        match existing {
            Some(stored) if stored == value => Ok(Inserted::Existing),
            Some(stored) => Err(Error::conflict(format!(
                "{feature} is already stored as {stored} for this lesion and study"
            ))),
            None => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO radiomic_feature (study_id, lesion_id, feature, value, file_id)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![study_id, lesion_id, feature, value, file_id])?;
                Ok(Inserted::New)
            }
        }
    }
}
