//! Tracked fusion junctions of a patient and their fragment counts per blood draw (schema/0009_fusions.sql).

use super::events::Inserted;
use super::{Store, Tx, now_utc};
use crate::error::{Error, Result};
use crate::model::liquid::{DrawCalls, StoredCall, TrackedVariantCalls};
use crate::model::locus::normalize_contig;
use crate::model::{Breakpoint, Junction, Orientation};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

/// The caller name a fusion's fragment counts carry among a draw's rows.
pub const FUSION_CALLER: &str = "bam-fusion";

/// A tracked fusion as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedFusion {
    /// Row id (`tracked_fusion.fusion_id`).
    pub fusion_id: i64,
    /// The junction, contigs as first written.
    pub junction: Junction,
    /// How it was chosen (`track add --fusion`, an SV VCF record ...).
    pub source: String,
    /// The file it came from, when one.
    pub source_file: Option<String>,
    /// When it was added (UTC).
    pub added_at: String,
}

impl TrackedFusion {
    /// How the fusion is named in listings and charts: `EWSR1-FLI1 chr22:29683123-chr11:128651853 +-`
    /// (the coordinates alone without a gene pair).
    pub fn label(&self) -> String {
        fusion_label(&self.junction)
    }
}

/// The label of a junction: gene pair (when known), both breakpoints and the orientation.
pub fn fusion_label(j: &Junction) -> String {
    let place = format!(
        "{}:{}-{}:{} {}",
        j.a.chrom, j.a.pos, j.b.chrom, j.b.pos, j.orientation
    );
    match &j.genes {
        Some(genes) => format!("{genes} {place}"),
        None => place,
    }
}

/// The fragment counts of one fusion in one draw, to store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewFusionCount {
    /// Fragments with a split read.
    pub split: u32,
    /// Discordant pairs.
    pub discordant: u32,
    /// Reference fragments at A.
    pub ref_a: u32,
    /// Reference fragments at B.
    pub ref_b: u32,
    /// (split + discordant) / depth.
    pub fusion_fraction: Option<f64>,
    /// MAPQ floor used.
    pub min_mapq: u8,
    /// W used.
    pub clip_window: u32,
    /// Discordant window used.
    pub insert_window: u32,
    /// k used.
    pub anchor: u32,
}

/// One stored fusion count with its draw, for listings.
#[derive(Debug, Clone, PartialEq)]
pub struct FusionPoint {
    /// Date of the draw.
    pub date: NaiveDate,
    /// The fusion's label ([`fusion_label`]).
    pub label: String,
    /// Gene pair, when known.
    pub genes: Option<String>,
    /// Split fragments.
    pub split: i64,
    /// Discordant pairs.
    pub discordant: i64,
    /// Reference fragments at A.
    pub ref_a: i64,
    /// Reference fragments at B.
    pub ref_b: i64,
    /// Fusion fraction.
    pub fusion_fraction: Option<f64>,
}

impl FusionPoint {
    /// split + discordant + mean(ref_a, ref_b).
    pub fn depth(&self) -> f64 {
        (self.split + self.discordant) as f64 + (self.ref_a + self.ref_b) as f64 / 2.0
    }
}

fn junction_from(
    r: &rusqlite::Row<'_>,
    first: usize,
) -> rusqlite::Result<std::result::Result<Junction, String>> {
    let orientation: String = r.get(first + 4)?;
    let pos = |i: usize| -> rusqlite::Result<u64> {
        Ok(u64::try_from(r.get::<_, i64>(first + i)?).unwrap_or(0))
    };
    Ok(orientation
        .parse::<Orientation>()
        .map(|orientation| Junction {
            a: Breakpoint {
                chrom: r.get(first).unwrap_or_default(),
                pos: pos(1).unwrap_or(0),
            },
            b: Breakpoint {
                chrom: r.get(first + 2).unwrap_or_default(),
                pos: pos(3).unwrap_or(0),
            },
            orientation,
            genes: r.get(first + 5).unwrap_or(None),
        }))
}

impl Store {
    /// A patient's tracked fusions in the order they were added.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient; [`Error::Corrupt`] for
    /// an orientation oncotrack never writes.
    pub fn tracked_fusions(&self, code: &str) -> Result<Vec<TrackedFusion>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.fusion_id, t.chrom_a_raw, t.pos_a, t.chrom_b_raw, t.pos_b, t.orientation,
                    t.genes, t.source, f.path, t.added_at
               FROM tracked_fusion t
               JOIN patient p USING (patient_id)
               LEFT JOIN ingested_file f ON f.file_id = t.file_id
              WHERE p.code = ?1 ORDER BY t.fusion_id",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                junction_from(r, 1)?,
                r.get::<_, String>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, String>(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (fusion_id, junction, source, source_file, added_at) = row?;
            out.push(TrackedFusion {
                fusion_id,
                junction: junction.map_err(|m| {
                    Error::Corrupt(format!("tracked fusion {fusion_id}: orientation {m}"))
                })?,
                source,
                source_file,
                added_at,
            });
        }
        Ok(out)
    }

    /// Every stored fusion count of a patient, in date and fusion order.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn fusion_counts(&self, code: &str) -> Result<Vec<FusionPoint>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.date, t.chrom_a_raw, t.pos_a, t.chrom_b_raw, t.pos_b, t.orientation, t.genes,
                    c.split, c.discordant, c.ref_a, c.ref_b, c.fusion_fraction
               FROM fusion_count c
               JOIN tracked_fusion t USING (fusion_id)
               JOIN lb_sample s USING (sample_id)
               JOIN patient p ON p.patient_id = s.patient_id
              WHERE p.code = ?1 ORDER BY s.date, t.fusion_id",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                junction_from(r, 1)?,
                [r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?],
                r.get::<_, Option<f64>>(11)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (date, junction, [split, discordant, ref_a, ref_b], fusion_fraction) = row?;
            let junction = junction.map_err(|m| Error::Corrupt(format!("tracked fusion: {m}")))?;
            out.push(FusionPoint {
                date: super::stored_date(&date, "a blood draw")?,
                label: fusion_label(&junction),
                genes: junction.genes,
                split,
                discordant,
                ref_a,
                ref_b,
                fusion_fraction,
            });
        }
        Ok(out)
    }

    /// Adds each draw's fusion counts to `draws` (sorted by date) as one more tracked
    /// locus per fusion, caller [`FUSION_CALLER`]: VAF the fusion fraction, alt reads
    /// the fusion fragments, ref reads the mean reference fragments (rounded half up),
    /// depth their sum. A draw with fusion counts only is added.
    pub(super) fn add_fusion_calls(&self, code: &str, draws: &mut Vec<DrawCalls>) -> Result<()> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.date, s.cfdna_ng_per_ml, m.decision,
                    t.chrom_a_raw, t.pos_a, t.chrom_b_raw, t.pos_b, t.orientation, t.genes,
                    c.split, c.discordant, c.ref_a, c.ref_b, c.fusion_fraction
               FROM fusion_count c
               JOIN tracked_fusion t USING (fusion_id)
               JOIN lb_sample s USING (sample_id)
               JOIN patient p ON p.patient_id = s.patient_id
               LEFT JOIN mrd_test m ON m.sample_id = s.sample_id
              WHERE p.code = ?1 ORDER BY s.date, t.fusion_id",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<f64>>(1)?,
                r.get::<_, Option<String>>(2)?,
                junction_from(r, 3)?,
                [r.get::<_, i64>(9)?, r.get(10)?, r.get(11)?, r.get(12)?],
                r.get::<_, Option<f64>>(13)?,
            ))
        })?;
        let mut added = false;
        for row in rows {
            let (date, cfdna, mrd, junction, [split, discordant, ref_a, ref_b], fraction) = row?;
            let date = super::stored_date(&date, "a blood draw")?;
            let junction = junction.map_err(|m| Error::Corrupt(format!("tracked fusion: {m}")))?;
            let alt = split + discordant;
            let reference = (ref_a + ref_b + 1) / 2;
            let call = StoredCall {
                caller: FUSION_CALLER.to_string(),
                detected: alt > 0,
                vaf: fraction,
                alt_reads: Some(alt),
                ref_reads: Some(reference),
                depth: Some(alt + reference),
            };
            let variant = TrackedVariantCalls {
                label: fusion_label(&junction),
                calls: vec![call],
            };
            match draws.iter_mut().find(|d| d.date == date) {
                Some(draw) => draw.variants.push(variant),
                None => {
                    draws.push(DrawCalls {
                        date,
                        cfdna_ng_per_ml: cfdna,
                        vcf_looked: false,
                        mrd: mrd.as_deref().map(super::mrd::stored_mrd).transpose()?,
                        variants: vec![variant],
                    });
                    added = true;
                }
            }
        }
        if added {
            draws.sort_by_key(|d| d.date);
        }
        Ok(())
    }
}

impl Tx<'_> {
    /// Adds a fusion to a patient's tracked set: the junction (contigs as written,
    /// matched normalised), how it was chosen (`source`) and the file it came from.
    /// Already tracked: left as it is, except that a gene pair fills in one the store
    /// did not have. Returns the fusion's id and whether it is new.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`]; [`Error::Conflict`] when the stored gene pair differs
    /// from the one given.
    pub fn track_fusion(
        &self,
        patient: &str,
        junction: &Junction,
        source: &str,
        file_id: Option<i64>,
    ) -> Result<(i64, Inserted)> {
        let patient_id = self
            .patient_id(patient)?
            .ok_or_else(|| Error::UnknownPatient(patient.to_string()))?;
        let key = (
            normalize_contig(&junction.a.chrom),
            junction.a.pos as i64,
            normalize_contig(&junction.b.chrom),
            junction.b.pos as i64,
            junction.orientation.as_str(),
        );
        let existing: Option<(i64, Option<String>)> = self
            .tx
            .prepare_cached(
                "SELECT fusion_id, genes FROM tracked_fusion
                  WHERE patient_id = ?1 AND chrom_a = ?2 AND pos_a = ?3 AND chrom_b = ?4
                    AND pos_b = ?5 AND orientation = ?6",
            )?
            .query_row(
                params![patient_id, key.0, key.1, key.2, key.3, key.4],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((id, stored)) = existing {
            match (&stored, &junction.genes) {
                (Some(old), Some(new)) if old != new => {
                    return Err(Error::conflict_in(
                        "gene",
                        format!(
                            "{} is tracked for {patient} as {old}, not {new}",
                            fusion_label(&Junction {
                                genes: None,
                                ..junction.clone()
                            })
                        ),
                    ));
                }
                (None, Some(new)) => {
                    self.tx.execute(
                        "UPDATE tracked_fusion SET genes = ?2 WHERE fusion_id = ?1",
                        params![id, new],
                    )?;
                }
                _ => {}
            }
            return Ok((id, Inserted::Existing));
        }
        let id = self.tx.query_row(
            "INSERT INTO tracked_fusion (patient_id, chrom_a, chrom_a_raw, pos_a, chrom_b,
                    chrom_b_raw, pos_b, orientation, genes, source, file_id, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING fusion_id",
            params![
                patient_id,
                key.0,
                junction.a.chrom,
                key.1,
                key.2,
                junction.b.chrom,
                key.3,
                key.4,
                junction.genes,
                source,
                file_id,
                now_utc()
            ],
            |r| r.get(0),
        )?;
        Ok((id, Inserted::New))
    }

    /// Stores the fragment counts of a tracked fusion in a draw (replacing an earlier
    /// count of the same draw).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn add_fusion_count(
        &self,
        sample_id: i64,
        fusion_id: i64,
        count: &NewFusionCount,
        file_id: Option<i64>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO fusion_count (sample_id, fusion_id, split, discordant,
                        ref_a, ref_b, fusion_fraction, min_mapq, clip_window, insert_window,
                        anchor, file_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                sample_id,
                fusion_id,
                count.split,
                count.discordant,
                count.ref_a,
                count.ref_b,
                count.fusion_fraction,
                count.min_mapq,
                count.clip_window,
                count.insert_window,
                count.anchor,
                file_id
            ])?;
        Ok(())
    }

    /// A patient's tracked fusions with their ids, in the order they were added.
    ///
    /// # Errors
    /// Only if SQLite fails, or [`Error::Corrupt`] for an orientation never written.
    pub fn tracked_fusion_ids(&self, patient_id: i64) -> Result<Vec<(i64, Junction)>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT fusion_id, chrom_a_raw, pos_a, chrom_b_raw, pos_b, orientation, genes
               FROM tracked_fusion WHERE patient_id = ?1 ORDER BY fusion_id",
        )?;
        let rows = stmt.query_map([patient_id], |r| {
            Ok((r.get::<_, i64>(0)?, junction_from(r, 1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, junction) = row?;
            out.push((
                id,
                junction.map_err(|m| Error::Corrupt(format!("tracked fusion {id}: {m}")))?,
            ));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NewPatient;

    fn ews(genes: Option<&str>, chrom_a: &str) -> Junction {
        Junction {
            a: Breakpoint {
                chrom: chrom_a.into(),
                pos: 29683123,
            },
            b: Breakpoint {
                chrom: "chr11".into(),
                pos: 128651853,
            },
            orientation: Orientation::PlusMinus,
            genes: genes.map(str::to_string),
        }
    }

    fn store() -> Store {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(
            &NewPatient {
                code: "P1".into(),
                diagnosis: "Ewing sarcoma".into(),
                sex: None,
                birth_year: None,
                site: None,
                primary_site: None,
                height_cm: None,
            },
            None,
        )
        .unwrap();
        tx.commit().unwrap();
        store
    }

    #[test]
    fn a_junction_is_tracked_once_whatever_its_contig_spelling_and_fills_its_gene_pair() {
        let mut store = store();
        let tx = store.transaction().unwrap();
        let (id, new) = tx
            .track_fusion("P1", &ews(None, "chr22"), "track add --fusion", None)
            .unwrap();
        assert_eq!(new, Inserted::New);
        let (again, existing) = tx
            .track_fusion(
                "P1",
                &ews(Some("EWSR1-FLI1"), "22"),
                "track add --fusion",
                None,
            )
            .unwrap();
        assert_eq!((again, existing), (id, Inserted::Existing));
        let err = tx
            .track_fusion("P1", &ews(Some("EWSR1-ERG"), "chr22"), "x", None)
            .unwrap_err();
        assert!(err.to_string().contains("EWSR1-FLI1"), "{err}");
        assert!(matches!(
            tx.track_fusion("P9", &ews(None, "chr22"), "x", None),
            Err(Error::UnknownPatient(_))
        ));
        tx.commit().unwrap();
        let tracked = store.tracked_fusions("P1").unwrap();
        assert_eq!(tracked.len(), 1);
        assert_eq!(
            tracked[0].label(),
            "EWSR1-FLI1 chr22:29683123-chr11:128651853 +-"
        );
    }

    #[test]
    fn fusion_counts_join_the_draws_as_one_more_tracked_locus() {
        let mut store = store();
        let tx = store.transaction().unwrap();
        let (id, _) = tx
            .track_fusion("P1", &ews(Some("EWSR1-FLI1"), "chr22"), "t", None)
            .unwrap();
        let patient_id = tx.patient_id("P1").unwrap().unwrap();
        let date = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
        let sample = tx.lb_sample(patient_id, date, Some(8.0)).unwrap();
        let count = NewFusionCount {
            split: 3,
            discordant: 1,
            ref_a: 95,
            ref_b: 100,
            fusion_fraction: Some(4.0 / 101.5),
            min_mapq: 20,
            clip_window: 5,
            insert_window: 1000,
            anchor: 10,
        };
        tx.add_fusion_count(sample, id, &count, None).unwrap();
        tx.add_fusion_count(sample, id, &count, None).unwrap();
        tx.commit().unwrap();
        let points = store.fusion_counts("P1").unwrap();
        assert_eq!(points.len(), 1);
        assert_eq!(points[0].depth(), 101.5);
        let draws = store.tracked_calls("P1").unwrap();
        assert_eq!(draws.len(), 1);
        let v = &draws[0].variants[0];
        assert!(v.label.starts_with("EWSR1-FLI1"));
        assert_eq!(v.calls[0].alt_reads, Some(4));
        assert_eq!(v.calls[0].ref_reads, Some(98));
        assert_eq!(v.calls[0].depth, Some(102));
    }
}
