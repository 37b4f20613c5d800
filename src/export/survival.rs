//! The survival endpoints of every patient as an exportable table (overall and event-free survival from the index date).

use crate::analysis::survival::{Endpoint, endpoint_subject};
use crate::model::{Course, CourseDates};
use crate::store::export::{Cell, ColumnKind, ExportTable};

/// One row per patient: index date, OS days and event, EFS days and event (null
/// when the patient has no index date or follow-up). The index date is the
/// first diagnosis event (as the `patient_index_date` view, else treatment start).
pub fn survival_table(courses: &[Course]) -> ExportTable {
    let rows = courses
        .iter()
        .map(|c| {
            let index = c.diagnosis_date.or(c.treatment_start);
            let dates = CourseDates {
                index,
                progression: c.progression,
                death: c.death,
                last_follow_up: c.last_follow_up,
            };
            let mut row = vec![
                Cell::Text(c.patient.clone()),
                index.map_or(Cell::Null, Cell::Date),
            ];
            for endpoint in [Endpoint::Overall, Endpoint::EventFree] {
                match endpoint_subject(&dates, endpoint) {
                    Ok(s) => {
                        row.push(Cell::Integer(s.time as i64));
                        row.push(Cell::Integer(i64::from(s.event)));
                    }
                    Err(_) => row.extend([Cell::Null, Cell::Null]),
                }
            }
            row.push(index.map_or(Cell::Null, Cell::Date));
            row
        })
        .collect();
    ExportTable {
        columns: vec![
            ("patient", ColumnKind::Patient),
            ("index_date", ColumnKind::Date),
            ("os_days", ColumnKind::Integer),
            ("os_event", ColumnKind::Boolean),
            ("efs_days", ColumnKind::Integer),
            ("efs_event", ColumnKind::Boolean),
            ("", ColumnKind::IndexDate),
        ],
        rows,
    }
}
