//! Structural-variant calls of a blood draw (`sv_call`, schema 0008): written with the draw's VCF, listed by `calls`.

use super::events::Inserted;
use super::{Store, Tx, stored_date};
use crate::error::{Error, Result};
use crate::model::{Breakpoint, SvCall, SvKind, SvSides, SvSomatic};
use chrono::NaiveDate;
use rusqlite::params;

/// Where an SV call came from.
#[derive(Debug, Clone, Copy)]
pub struct SvSource<'a> {
    /// The blood draw.
    pub sample_id: i64,
    /// The ledger row of the file.
    pub file_id: i64,
    /// The SV dialect read (`manta` …).
    pub caller: &'a str,
    /// The VCF sample column read as the tumour.
    pub sample_name: &'a str,
}

/// A stored SV call with its draw.
#[derive(Debug, Clone, PartialEq)]
pub struct SvCallRow {
    /// The draw's date.
    pub date: NaiveDate,
    /// The SV dialect read.
    pub caller: String,
    /// The VCF sample column.
    pub sample: String,
    /// The call.
    pub call: SvCall,
}

fn join<T: ToString>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Tx<'_> {
    /// Stores one SV call of a draw; an event the draw already holds from the same
    /// caller (type, breakpoints and orientation) is kept as it was.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn add_sv_call(&self, source: &SvSource<'_>, call: &SvCall) -> Result<Inserted> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO sv_call (sample_id, caller, sample_name, svtype, chrom_a, pos_a,
                                  chrom_b, pos_b, orientation, svlen, record_ids, lines, records,
                                  filter, qual, support, alt_reads, ref_reads, af, af_source,
                                  somatic, genes, file_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                     ?17, ?18, ?19, ?20, ?21, ?22, ?23)
             ON CONFLICT DO NOTHING",
        )?;
        let changed = stmt.execute(params![
            source.sample_id,
            source.caller,
            source.sample_name,
            call.kind.as_str(),
            call.a.chrom,
            to_i64(call.a.pos),
            call.b.as_ref().map(|b| b.chrom.as_str()),
            call.b.as_ref().map(|b| to_i64(b.pos)),
            call.sides.as_str(),
            call.length,
            join(&call.ids),
            join(&call.lines),
            call.records() as i64,
            call.filter,
            call.qual,
            call.support,
            call.alt_reads,
            call.ref_reads,
            call.af,
            call.af_source,
            call.somatic.to_stored(),
            call.genes,
            source.file_id,
        ])?;
        Ok(if changed == 0 {
            Inserted::Existing
        } else {
            Inserted::New
        })
    }
}

impl Store {
    /// A patient's structural-variant calls (of one draw, or all), by date and position.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient; [`Error::Corrupt`] for a
    /// stored value oncotrack never writes.
    pub fn sv_calls(&self, code: &str, date: Option<NaiveDate>) -> Result<Vec<SvCallRow>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "SELECT s.date, c.caller, c.sample_name, c.svtype, c.chrom_a, c.pos_a, c.chrom_b,
                    c.pos_b, c.orientation, c.svlen, c.record_ids, c.lines, c.filter, c.qual,
                    c.support, c.alt_reads, c.ref_reads, c.af, c.af_source, c.somatic, c.genes
               FROM sv_call c
               JOIN lb_sample s USING (sample_id)
               JOIN patient p ON p.patient_id = s.patient_id
              WHERE p.code = ?1 AND (?2 IS NULL OR s.date = ?2)
              ORDER BY s.date, c.chrom_a, c.pos_a, c.chrom_b, c.pos_b, c.caller",
        )?;
        let date = date.map(crate::model::date::format_date);
        type Raw = (
            String,
            String,
            String,
            String,
            String,
            i64,
            Option<String>,
            Option<i64>,
            String,
            Option<i64>,
            String,
            String,
            String,
            Option<f64>,
            String,
            Option<u32>,
            Option<u32>,
            Option<f64>,
            String,
            String,
            Option<String>,
        );
        let rows = stmt.query_map(params![code, date], |r| {
            Ok::<Raw, rusqlite::Error>((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
                r.get(14)?,
                r.get(15)?,
                r.get(16)?,
                r.get(17)?,
                r.get(18)?,
                r.get(19)?,
                r.get(20)?,
            ))
        })?;
        let corrupt = |what: &str, value: &str| {
            Error::Corrupt(format!(
                "sv_call.{what} holds '{value}', which oncotrack never writes"
            ))
        };
        let position =
            |what: &str, n: i64| u64::try_from(n).map_err(|_| corrupt(what, &n.to_string()));
        let mut calls = Vec::new();
        for row in rows {
            let (
                date,
                caller,
                sample,
                svtype,
                chrom_a,
                pos_a,
                chrom_b,
                pos_b,
                orientation,
                svlen,
                ids,
                lines,
                filter,
                qual,
                support,
                alt_reads,
                ref_reads,
                af,
                af_source,
                somatic,
                genes,
            ) = row?;
            let kind = SvKind::from_stored(&svtype).ok_or_else(|| corrupt("svtype", &svtype))?;
            let sides = SvSides::from_stored(&orientation)
                .ok_or_else(|| corrupt("orientation", &orientation))?;
            let somatic =
                SvSomatic::from_stored(&somatic).ok_or_else(|| corrupt("somatic", &somatic))?;
            let b = match (chrom_b, pos_b) {
                (Some(chrom), Some(pos)) => Some(Breakpoint {
                    chrom,
                    pos: position("pos_b", pos)?,
                }),
                _ => None,
            };
            let lines = lines
                .split(',')
                .map(|l| l.parse::<u64>().map_err(|_| corrupt("lines", &lines)))
                .collect::<Result<Vec<_>>>()?;
            calls.push(SvCallRow {
                date: stored_date(&date, "lb_sample.date")?,
                caller,
                sample,
                call: SvCall {
                    kind,
                    a: Breakpoint {
                        chrom: chrom_a,
                        pos: position("pos_a", pos_a)?,
                    },
                    b,
                    sides,
                    length: svlen,
                    ids: ids.split(',').map(str::to_string).collect(),
                    lines,
                    filter,
                    qual,
                    support,
                    alt_reads,
                    ref_reads,
                    af,
                    af_source,
                    somatic,
                    genes,
                },
            });
        }
        Ok(calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Orientation;
    use crate::store::patients::tests::patient;

    fn call() -> SvCall {
        SvCall {
            kind: SvKind::Breakend,
            a: Breakpoint {
                chrom: "chr22".into(),
                pos: 29683123,
            },
            b: Some(Breakpoint {
                chrom: "chr11".into(),
                pos: 128651853,
            }),
            sides: SvSides::Pair(Orientation::PlusMinus),
            length: None,
            ids: vec!["a".into(), "b".into()],
            lines: vec![12, 14],
            filter: "PASS".into(),
            qual: Some(50.0),
            support: "PR=10,4 SR=12,6".into(),
            alt_reads: Some(10),
            ref_reads: Some(22),
            af: Some(10.0 / 32.0),
            af_source: "FORMAT/PR+SR alt/(ref+alt)".into(),
            somatic: SvSomatic::Yes("INFO/SOMATIC".into()),
            genes: Some("EWSR1-FLI1".into()),
        }
    }

    #[test]
    fn an_sv_call_is_stored_once_per_draw_and_read_back_as_written() {
        let mut store = Store::in_memory().unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(&patient("P001"), None).unwrap();
        let patient_id = tx.patient_id("P001").unwrap().unwrap();
        let sample_id = tx.lb_sample(patient_id, date, None).unwrap();
        let file_id = tx
            .begin_file(&crate::store::FileRecord {
                kind: "vcf".into(),
                path: "/x.vcf".into(),
                sha256: "0".repeat(64),
                params: String::new(),
            })
            .unwrap();
        let source = SvSource {
            sample_id,
            file_id,
            caller: "manta",
            sample_name: "TUMOR",
        };
        assert_eq!(tx.add_sv_call(&source, &call()).unwrap(), Inserted::New);
        assert_eq!(
            tx.add_sv_call(&source, &call()).unwrap(),
            Inserted::Existing
        );
        let mut single = call();
        single.kind = SvKind::SingleBreakend;
        single.b = None;
        single.sides = SvSides::Single { keeps_left: false };
        single.lines = vec![20];
        single.ids = vec![".".into()];
        assert_eq!(tx.add_sv_call(&source, &single).unwrap(), Inserted::New);
        assert_eq!(
            tx.add_sv_call(&source, &single).unwrap(),
            Inserted::Existing
        );
        tx.commit().unwrap();
        let rows = store.sv_calls("P001", Some(date)).unwrap();
        assert_eq!(rows.len(), 2);
        let stored = rows.iter().find(|r| r.call.b.is_some()).unwrap();
        assert_eq!(stored.call, call());
        assert_eq!((stored.caller.as_str(), stored.date), ("manta", date));
        assert!(
            store
                .sv_calls("P001", NaiveDate::from_ymd_opt(2024, 3, 2))
                .unwrap()
                .is_empty()
        );
    }
}
