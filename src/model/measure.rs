//! Measured values that may be censored at an assay's limit, as every layer passes them.

use chrono::NaiveDate;

/// Which side of the assay's range a censored value lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Censor {
    /// A measured value.
    None,
    /// Below the lower limit (`<3.2`, `< LLOQ`, `OOR <`, `BLQ`, `ND`): the true value is ≤ bound.
    Left,
    /// Above the upper limit (`>ULOQ`, `OOR >`): the true value is ≥ bound.
    Right,
}

impl Censor {
    /// The name stored in the database: `none`, `left` or `right`.
    pub fn as_str(self) -> &'static str {
        match self {
            Censor::None => "none",
            Censor::Left => "left",
            Censor::Right => "right",
        }
    }

    /// Parses a stored name.
    ///
    /// # Errors
    /// When `text` is not `none`, `left` or `right`.
    pub fn parse(text: &str) -> Result<Censor, String> {
        match text {
            "none" => Ok(Censor::None),
            "left" => Ok(Censor::Left),
            "right" => Ok(Censor::Right),
            other => Err(format!("unknown censor '{other}'")),
        }
    }
}

/// A concentration in pg/mL: measured, or censored at a bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concentration {
    /// The measured value (pg/mL); `None` when censored.
    pub value: Option<f64>,
    /// Censoring.
    pub censor: Censor,
    /// The limit a censored value lies beyond (pg/mL).
    pub bound: Option<f64>,
}

/// One point of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// When.
    pub date: NaiveDate,
    /// The value, or the limit for a censored point.
    pub value: f64,
    /// Censoring.
    pub censor: Censor,
}
