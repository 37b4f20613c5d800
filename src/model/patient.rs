//! Patients: identifier, diagnosis and the few demographics the analyses need.

use std::fmt;
use std::str::FromStr;

/// Sex as recorded for lean-body-mass (PERCIST) and reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Unknown or not recorded as female/male.
    Unknown,
}

impl Sex {
    /// The one-letter code stored in the database (`F`, `M`, `U`).
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "F",
            Sex::Male => "M",
            Sex::Unknown => "U",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Sex {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "f" | "female" => Ok(Sex::Female),
            "m" | "male" => Ok(Sex::Male),
            "u" | "unknown" => Ok(Sex::Unknown),
            _ => Err("expected F, M or U".to_string()),
        }
    }
}

/// A patient to be added to the store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPatient {
    /// Identifier users type (e.g. `P001`); unique in a store.
    pub code: String,
    /// Diagnosis, free text (e.g. `osteosarcoma`).
    pub diagnosis: String,
    /// Sex, when known.
    pub sex: Option<Sex>,
    /// Year of birth, when known (a year, never a full date).
    pub birth_year: Option<i32>,
    /// Treating centre.
    pub site: Option<String>,
    /// Anatomical site of the primary tumour.
    pub primary_site: Option<String>,
    /// Height in cm (for lean body mass).
    pub height_cm: Option<f64>,
}

impl NewPatient {
    /// Checks the fields the database would reject, with a reason naming the field.
    ///
    /// # Errors
    /// `(field, reason)` for the first invalid field.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.code.trim().is_empty() || self.code.trim() != self.code {
            return Err((
                "patient",
                "identifier must be non-empty without surrounding spaces".into(),
            ));
        }
        if self.diagnosis.trim().is_empty() {
            return Err(("diagnosis", "must not be empty".into()));
        }
        if let Some(year) = self.birth_year
            && !(1900..=2100).contains(&year)
        {
            return Err(("birth_year", format!("{year} is not a plausible year")));
        }
        if let Some(h) = self.height_cm
            && !(h.is_finite() && h > 30.0 && h < 260.0)
        {
            return Err(("height_cm", format!("{h} is not a plausible height in cm")));
        }
        Ok(())
    }
}

/// A patient as stored, with the derived index date.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    /// The stored fields.
    pub fields: NewPatient,
    /// First diagnosis event, else first treatment start (`YYYY-MM-DD`).
    pub index_date: Option<chrono::NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patient() -> NewPatient {
        NewPatient {
            code: "P001".into(),
            diagnosis: "osteosarcoma".into(),
            sex: Some(Sex::Female),
            birth_year: Some(2005),
            site: None,
            primary_site: None,
            height_cm: Some(165.0),
        }
    }

    #[test]
    fn sex_accepts_codes_and_words() {
        assert_eq!("f".parse::<Sex>().unwrap(), Sex::Female);
        assert_eq!("Male".parse::<Sex>().unwrap(), Sex::Male);
        assert!("x".parse::<Sex>().is_err());
    }

    #[test]
    fn validation_names_the_field_at_fault() {
        assert!(patient().validate().is_ok());
        let mut p = patient();
        p.birth_year = Some(1850);
        assert_eq!(p.validate().unwrap_err().0, "birth_year");
        let mut p = patient();
        p.code = " P1".into();
        assert_eq!(p.validate().unwrap_err().0, "patient");
        let mut p = patient();
        p.diagnosis = "  ".into();
        assert_eq!(p.validate().unwrap_err().0, "diagnosis");
    }
}
