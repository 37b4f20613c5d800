//! Clinical events: the dated facts of a patient's course (diagnosis, treatment lines, surgery, progression, death ...).

use chrono::NaiveDate;
use std::fmt;
use std::str::FromStr;

/// The kinds of clinical event the store knows, in the spelling users type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    /// Histological diagnosis (the default index date).
    Diagnosis,
    /// Start of a line of systemic treatment.
    TreatmentStart,
    /// End of a line of systemic treatment.
    TreatmentEnd,
    /// Surgery (resection, amputation, metastasectomy).
    Surgery,
    /// Radiotherapy.
    Radiotherapy,
    /// Disease progression under or after treatment.
    Progression,
    /// Recurrence after remission or complete resection.
    Relapse,
    /// Death (any cause).
    Death,
    /// The last date the patient was known alive (censoring date).
    LastContact,
}

impl EventKind {
    /// Every kind, in the order of a patient's course.
    pub const ALL: [EventKind; 9] = [
        EventKind::Diagnosis,
        EventKind::TreatmentStart,
        EventKind::TreatmentEnd,
        EventKind::Surgery,
        EventKind::Radiotherapy,
        EventKind::Progression,
        EventKind::Relapse,
        EventKind::Death,
        EventKind::LastContact,
    ];

    /// The spelling used on the command line, in files and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Diagnosis => "diagnosis",
            EventKind::TreatmentStart => "treatment-start",
            EventKind::TreatmentEnd => "treatment-end",
            EventKind::Surgery => "surgery",
            EventKind::Radiotherapy => "radiotherapy",
            EventKind::Progression => "progression",
            EventKind::Relapse => "relapse",
            EventKind::Death => "death",
            EventKind::LastContact => "last-contact",
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;

    /// Parses the user's spelling; `_` and case are tolerated (`Last_Contact`).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase().replace('_', "-");
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown event kind (expected one of: {})", names.join(", "))
            })
    }
}

/// One dated clinical event of a patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicalEvent {
    /// The patient's identifier (as users type it).
    pub patient: String,
    /// When it happened.
    pub date: NaiveDate,
    /// What happened.
    pub kind: EventKind,
    /// Free text (regimen, procedure ...); empty when none.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_spelling() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>().unwrap(), kind);
        }
        assert_eq!(
            "Last_Contact".parse::<EventKind>().unwrap(),
            EventKind::LastContact
        );
    }

    #[test]
    fn unknown_kind_lists_the_known_ones() {
        let err = "remission".parse::<EventKind>().unwrap_err();
        assert!(err.contains("treatment-start"), "{err}");
    }
}
