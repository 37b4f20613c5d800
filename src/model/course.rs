//! A patient's clinical course as survival analysis needs it: the dates of diagnosis, treatment, progression, death and last follow-up.

use chrono::NaiveDate;

/// A patient's course as survival needs it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Course {
    /// Patient code.
    pub patient: String,
    /// Diagnosis (subtype) text.
    pub diagnosis: String,
    /// Sex code, if known.
    pub sex: Option<String>,
    /// Treating centre, if known.
    pub site: Option<String>,
    /// First diagnosis event.
    pub diagnosis_date: Option<NaiveDate>,
    /// First treatment start.
    pub treatment_start: Option<NaiveDate>,
    /// First progression or relapse.
    pub progression: Option<NaiveDate>,
    /// Death.
    pub death: Option<NaiveDate>,
    /// Latest date known alive or dead: the latest event of any kind.
    pub last_follow_up: Option<NaiveDate>,
}

impl Course {
    /// The dates survival endpoints need, counted from the diagnosis or, with
    /// `from_treatment`, from the first treatment start.
    pub fn dates(&self, from_treatment: bool) -> CourseDates {
        CourseDates {
            index: if from_treatment {
                self.treatment_start
            } else {
                self.diagnosis_date
            },
            progression: self.progression,
            death: self.death,
            last_follow_up: self.last_follow_up,
        }
    }
}

/// The dates of a patient's course that the endpoints need.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CourseDates {
    /// Index date (diagnosis, or treatment start).
    pub index: Option<NaiveDate>,
    /// First progression or relapse.
    pub progression: Option<NaiveDate>,
    /// Death.
    pub death: Option<NaiveDate>,
    /// The latest date the patient was known alive (or dead).
    pub last_follow_up: Option<NaiveDate>,
}
