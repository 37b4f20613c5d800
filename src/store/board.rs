//! The tumour-board list: patients marked for the next board with the day they were marked (the terminal UI's one write).

use super::{Store, Tx};
use crate::error::{Error, Result};
use crate::model::date::format_date;
use chrono::NaiveDate;
use rusqlite::params;

impl Store {
    /// Patients marked for the next board, `(code, marked on)`, by code.
    ///
    /// # Errors
    /// [`Error::Corrupt`] for a stored date oncotrack never writes; SQLite failures.
    pub fn board_marks(&self) -> Result<Vec<(String, NaiveDate)>> {
        let mut stmt = self.conn.prepare(
            "SELECT p.code, b.marked_on FROM board_mark b JOIN patient p USING (patient_id)
              ORDER BY p.code",
        )?;
        let rows = stmt.query_map([], |r| {
            let date = super::row_date(r, 1, "a board mark")?;
            Ok((r.get::<_, String>(0)?, date))
        })?;
        let mut marks = Vec::new();
        for row in rows {
            let (code, date) = row?;
            let date = date.ok_or_else(|| Error::Corrupt("a board mark without a date".into()))?;
            marks.push((code, date));
        }
        Ok(marks)
    }
}

impl Tx<'_> {
    /// Marks a patient for the next board on `date`, or removes the mark with `None`;
    /// returns the mark now stored.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient; SQLite failures.
    pub fn set_board_mark(&self, code: &str, date: Option<NaiveDate>) -> Result<Option<NaiveDate>> {
        let id = self
            .patient_id(code)?
            .ok_or_else(|| Error::UnknownPatient(code.to_string()))?;
        match date {
            Some(date) => {
                self.tx.execute(
                    "INSERT INTO board_mark (patient_id, marked_on) VALUES (?1, ?2)
                     ON CONFLICT (patient_id) DO UPDATE SET marked_on = excluded.marked_on",
                    params![id, format_date(date)],
                )?;
            }
            None => {
                self.tx
                    .execute("DELETE FROM board_mark WHERE patient_id = ?1", [id])?;
            }
        }
        Ok(date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_date;
    use crate::store::patients::tests::patient;

    #[test]
    fn marks_are_stored_with_their_date_updated_and_removed() {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P002"), None).unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        let day = |t| Some(parse_date(t).unwrap());
        tx.set_board_mark("P002", day("2026-11-30")).unwrap();
        tx.set_board_mark("P001", day("2026-11-30")).unwrap();
        tx.set_board_mark("P002", day("2026-12-01")).unwrap();
        assert!(matches!(
            tx.set_board_mark("P404", day("2026-12-01")),
            Err(Error::UnknownPatient(_))
        ));
        tx.commit().unwrap();
        let marks = store.board_marks().unwrap();
        assert_eq!(
            marks,
            [
                ("P001".to_string(), day("2026-11-30").unwrap()),
                ("P002".to_string(), day("2026-12-01").unwrap())
            ]
        );
        let tx = store.transaction().unwrap();
        tx.set_board_mark("P001", None).unwrap();
        tx.commit().unwrap();
        assert_eq!(store.board_marks().unwrap().len(), 1);
    }
}
