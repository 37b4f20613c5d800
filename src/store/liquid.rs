//! Liquid biopsy: blood-draw samples, variants, variant calls, BAM allele counts and each patient's tracked variants.

use super::events::Inserted;
use super::mrd::stored_mrd;
use super::{Store, Tx, now_utc};
use crate::error::Result;
use crate::model::Locus;
use crate::model::liquid::{DrawCalls, StoredCall, TrackedVariantCalls};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

mod writer;

pub use writer::{BulkCall, CallCounts, CallSource, CallWriter};

/// The caller name of allele counts read from a BAM (`ingest bam`).
pub const BAM_CALLER: &str = "bam";

/// What a caller reported of a variant in a sample (or what is known of a tracked
/// variant looked for and not found).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallValues<'a> {
    /// The contig as the file wrote it.
    pub chrom_raw: &'a str,
    /// Allele fraction.
    pub vaf: Option<f64>,
    /// Alt reads.
    pub alt_reads: Option<u32>,
    /// Ref reads.
    pub ref_reads: Option<u32>,
    /// Depth.
    pub depth: Option<u32>,
    /// Field or tier the VAF came from.
    pub vaf_source: &'a str,
    /// FILTER value.
    pub filter: &'a str,
    /// QUAL.
    pub qual: Option<f64>,
}

/// A variant call (or a tracked variant looked for and not found) to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCall<'a> {
    /// Caller name (`mutect2`, `strelka2`, ..., `bam` for allele counts).
    pub caller: &'a str,
    /// The VCF sample column the call came from.
    pub sample_name: &'a str,
    /// What was called.
    pub values: CallValues<'a>,
    /// `false` for a tracked variant not called in this sample (left-censored).
    pub detected: bool,
}

/// Base counts at one locus, to store with the floors they were counted under.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlleleCount {
    /// Reads (or fragments) with a base passing the floors.
    pub depth: u32,
    /// Counts of A, C, G, T, N.
    pub bases: [u32; 5],
    /// Count of the reference allele.
    pub ref_count: u32,
    /// Count of the alternate allele.
    pub alt_count: u32,
    /// alt / depth, `None` at depth 0.
    pub vaf: Option<f64>,
    /// MAPQ floor.
    pub min_mapq: u8,
    /// Base-quality floor.
    pub min_bq: u8,
    /// Whether overlapping mates counted once.
    pub fragment_level: bool,
}

/// Where a tracked variant came from and how it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackSource {
    /// The ingested file (VCF or loci list).
    pub file_id: Option<i64>,
    /// The blood draw whose VCF chose it.
    pub sample_id: Option<i64>,
    /// How it was chosen: a [`Tx::track_choice`] id; `None`: not said.
    pub choice_id: Option<i64>,
}

/// One tracked variant as `track list` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedRow {
    /// The variant.
    pub locus: Locus,
    /// Gene symbol.
    pub gene: Option<String>,
    /// The file it came from, as given when ingested.
    pub source_file: Option<String>,
    /// Date of the blood draw whose VCF chose it.
    pub draw_date: Option<NaiveDate>,
    /// When it was added (UTC).
    pub added_at: String,
    /// How it was chosen.
    pub chosen_by: Option<String>,
}

/// One stored call as listed by `oncotrack calls`.
#[derive(Debug, Clone, PartialEq)]
pub struct CallRow {
    /// Blood-draw date.
    pub date: NaiveDate,
    /// The variant (normalised contig).
    pub locus: Locus,
    /// Gene symbol.
    pub gene: Option<String>,
    /// Protein change.
    pub protein_change: Option<String>,
    /// Allele fraction.
    pub vaf: Option<f64>,
    /// Alt reads.
    pub alt_reads: Option<i64>,
    /// Depth.
    pub depth: Option<i64>,
    /// FILTER.
    pub filter: String,
    /// Caller.
    pub caller: String,
    /// Field or tier of the VAF.
    pub vaf_source: String,
    /// VCF sample column.
    pub sample: String,
    /// Whether it was detected (a left-censored tracked variant is not).
    pub detected: bool,
    /// Whether the variant is in the patient's tracked set.
    pub tracked: bool,
}

/// A new variant; nothing when it is already stored (no `RETURNING`, whose result
/// table costs a temporary b-tree per row: the id is `last_insert_rowid`).
const INSERT_VARIANT: &str = "INSERT INTO variant (chrom, pos, ref, alt, gene, protein_change)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (chrom, pos, ref, alt) DO NOTHING";

const FIND_VARIANT: &str = "SELECT variant_id, gene IS NULL, protein_change IS NULL FROM variant
     WHERE chrom = ?1 AND pos = ?2 AND ref = ?3 AND alt = ?4";

const FILL_VARIANT: &str = "UPDATE variant SET gene = coalesce(gene, ?2),
        protein_change = coalesce(protein_change, ?3) WHERE variant_id = ?1";

/// A new call; nothing when the sample already has one of this variant by this
/// caller (then [`REPLACE_UNDETECTED_CALL`]). An `ON CONFLICT DO UPDATE` here would
/// make SQLite journal every statement's pages, as the update may fail a foreign key.
const INSERT_CALL: &str = "INSERT INTO variant_call (sample_id, variant_id, caller,
        provenance_id, vaf, alt_reads, ref_reads, depth, filter, qual, detected, file_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
     ON CONFLICT (sample_id, variant_id, caller) DO NOTHING";

/// A detected call replaces a not-detected placeholder of the same sample, variant and
/// caller (parameters as [`INSERT_CALL`]).
const REPLACE_UNDETECTED_CALL: &str = "UPDATE variant_call
        SET provenance_id = ?4, vaf = ?5, alt_reads = ?6, ref_reads = ?7, depth = ?8,
            filter = ?9, qual = ?10, detected = ?11, file_id = ?12
      WHERE sample_id = ?1 AND variant_id = ?2 AND caller = ?3 AND detected = 0 AND ?11 = 1";

/// A provenance (sample column, contig as written, VAF source); nothing when stored.
const INSERT_PROVENANCE: &str = "INSERT INTO call_provenance (sample_name, chrom_raw, vaf_source)
     VALUES (?1, ?2, ?3) ON CONFLICT (sample_name, chrom_raw, vaf_source) DO NOTHING";

const FIND_PROVENANCE: &str = "SELECT provenance_id FROM call_provenance
     WHERE sample_name = ?1 AND chrom_raw = ?2 AND vaf_source = ?3";

/// The id of a call's provenance, stored if new.
fn provenance_id(
    conn: &rusqlite::Connection,
    sample_name: &str,
    chrom_raw: &str,
    vaf_source: &str,
) -> Result<i64> {
    let key = params![sample_name, chrom_raw, vaf_source];
    if conn.prepare_cached(INSERT_PROVENANCE)?.execute(key)? == 1 {
        return Ok(conn.last_insert_rowid());
    }
    Ok(conn
        .prepare_cached(FIND_PROVENANCE)?
        .query_row(key, |r| r.get(0))?)
}

/// The id of a stored variant, its gene and protein change filled in if unknown.
fn existing_variant(
    [find, fill]: [&mut rusqlite::Statement<'_>; 2],
    locus: &Locus,
    gene: Option<&str>,
    protein_change: Option<&str>,
) -> Result<i64> {
    let (variant_id, no_gene, no_protein): (i64, bool, bool) = find.query_row(
        params![locus.chrom, locus.pos as i64, locus.reference, locus.alt],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if (no_gene && gene.is_some()) || (no_protein && protein_change.is_some()) {
        fill.execute(params![variant_id, gene, protein_change])?;
    }
    Ok(variant_id)
}

/// The id of a variant, inserted if new, its gene and protein change filled in if unknown.
fn upsert_variant(
    conn: &rusqlite::Connection,
    [insert, find, fill]: [&mut rusqlite::Statement<'_>; 3],
    locus: &Locus,
    gene: Option<&str>,
    protein_change: Option<&str>,
) -> Result<i64> {
    let inserted = insert.execute(params![
        locus.chrom,
        locus.pos as i64,
        locus.reference,
        locus.alt,
        gene,
        protein_change
    ])?;
    if inserted == 1 {
        return Ok(conn.last_insert_rowid());
    }
    existing_variant([find, fill], locus, gene, protein_change)
}

/// Which call a row of `variant_call` is, and where it came from.
struct CallKey<'a> {
    sample_id: i64,
    variant_id: i64,
    caller: &'a str,
    provenance_id: i64,
    file_id: Option<i64>,
}

/// Runs [`INSERT_CALL`] or [`REPLACE_UNDETECTED_CALL`] (the same parameters) for one call.
fn execute_call(
    statement: &mut rusqlite::Statement<'_>,
    key: &CallKey<'_>,
    values: &CallValues<'_>,
    detected: bool,
) -> Result<usize> {
    Ok(statement.execute(params![
        key.sample_id,
        key.variant_id,
        key.caller,
        key.provenance_id,
        values.vaf,
        values.alt_reads,
        values.ref_reads,
        values.depth,
        values.filter,
        values.qual,
        detected,
        key.file_id
    ])?)
}

/// Stores a call; a detected one replaces a not-detected placeholder.
fn insert_call(
    conn: &rusqlite::Connection,
    [insert, replace]: [&mut rusqlite::Statement<'_>; 2],
    sample_id: i64,
    variant_id: i64,
    call: &NewCall<'_>,
    file_id: Option<i64>,
) -> Result<Inserted> {
    let values = &call.values;
    let key = CallKey {
        sample_id,
        variant_id,
        caller: call.caller,
        provenance_id: provenance_id(conn, call.sample_name, values.chrom_raw, values.vaf_source)?,
        file_id,
    };
    let changed = match execute_call(insert, &key, values, call.detected)? {
        0 if call.detected => execute_call(replace, &key, values, true)?,
        changed => changed,
    };
    Ok(if changed == 1 {
        Inserted::New
    } else {
        Inserted::Existing
    })
}

fn locus_from(chrom: String, pos: i64, reference: String, alt: String) -> Locus {
    Locus {
        chrom,
        pos: u64::try_from(pos).unwrap_or(0),
        reference,
        alt,
    }
}

fn stored_date(text: &str) -> Result<NaiveDate> {
    super::stored_date(text, "a blood draw")
}

impl Store {
    /// A patient's calls in date and position order, optionally for one date only.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn calls(&self, code: &str, date: Option<NaiveDate>) -> Result<Vec<CallRow>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "SELECT s.date, v.chrom, v.pos, v.ref, v.alt, v.gene, v.protein_change,
                    c.vaf, c.alt_reads, c.depth, c.filter, c.caller, o.vaf_source,
                    o.sample_name, c.detected, t.variant_id IS NOT NULL
               FROM variant_call c
               JOIN call_provenance o USING (provenance_id)
               JOIN lb_sample s USING (sample_id)
               JOIN patient p ON p.patient_id = s.patient_id
               JOIN variant v ON v.variant_id = c.variant_id
               LEFT JOIN tracked_variant t
                      ON t.patient_id = s.patient_id AND t.variant_id = c.variant_id
              WHERE p.code = ?1 AND (?2 IS NULL OR s.date = ?2)
              ORDER BY s.date, v.chrom, v.pos, v.ref, v.alt, c.caller",
        )?;
        let date = date.map(crate::model::date::format_date);
        let rows = stmt.query_map(params![code, date], |r| {
            Ok((
                r.get::<_, String>(0)?,
                locus_from(r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
                CallRow {
                    date: NaiveDate::MIN,
                    locus: Locus {
                        chrom: String::new(),
                        pos: 0,
                        reference: String::new(),
                        alt: String::new(),
                    },
                    gene: r.get(5)?,
                    protein_change: r.get(6)?,
                    vaf: r.get(7)?,
                    alt_reads: r.get(8)?,
                    depth: r.get(9)?,
                    filter: r.get(10)?,
                    caller: r.get(11)?,
                    vaf_source: r.get(12)?,
                    sample: r.get(13)?,
                    detected: r.get(14)?,
                    tracked: r.get(15)?,
                },
            ))
        })?;
        let mut calls = Vec::new();
        for row in rows {
            let (date, locus, mut call) = row?;
            call.date = stored_date(&date)?;
            call.locus = locus;
            calls.push(call);
        }
        Ok(calls)
    }

    /// A patient's tracked variants with their genes, in position order.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn tracked_variants(&self, code: &str) -> Result<Vec<(Locus, Option<String>)>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "SELECT v.chrom, v.pos, v.ref, v.alt, coalesce(t.gene, v.gene)
               FROM tracked_variant t
               JOIN patient p USING (patient_id)
               JOIN variant v USING (variant_id)
              WHERE p.code = ?1 ORDER BY v.chrom, v.pos, v.ref, v.alt",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                locus_from(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                r.get(4)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A patient's tracked variants with where each came from and how it was chosen,
    /// in position order.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn tracked_rows(&self, code: &str) -> Result<Vec<TrackedRow>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "SELECT v.chrom, v.pos, v.ref, v.alt, coalesce(t.gene, v.gene), f.path, s.date,
                    t.added_at, c.chosen_by
               FROM tracked_variant t
               JOIN patient p USING (patient_id)
               JOIN variant v USING (variant_id)
               LEFT JOIN track_choice c ON c.choice_id = t.choice_id
               LEFT JOIN ingested_file f ON f.file_id = t.file_id
               LEFT JOIN lb_sample s ON s.sample_id = t.sample_id
              WHERE p.code = ?1 ORDER BY v.chrom, v.pos, v.ref, v.alt",
        )?;
        let rows = stmt.query_map([code], |r| {
            Ok((
                TrackedRow {
                    locus: locus_from(r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                    gene: r.get(4)?,
                    source_file: r.get(5)?,
                    draw_date: None,
                    added_at: r.get(7)?,
                    chosen_by: r.get(8)?,
                },
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut row, date) = row?;
            row.draw_date = date.as_deref().map(stored_date).transpose()?;
            out.push(row);
        }
        Ok(out)
    }

    /// Every blood draw of a patient in date order with the stored rows of each
    /// tracked variant there (every caller's, and BAM counts as caller `bam`), not yet
    /// merged: [`crate::analysis::ctdna::merge_calls`] applies the rule. A draw with no
    /// row of any tracked variant and no VCF is not listed.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn tracked_calls(&self, code: &str) -> Result<Vec<DrawCalls>> {
        // Only whether the patient exists (one cached seek; `patient` was 5 % of `export cohort`).
        self.patient_row_id(code)?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.sample_id, s.date, s.cfdna_ng_per_ml,
                    EXISTS (SELECT 1 FROM variant_call w
                             WHERE w.sample_id = s.sample_id AND w.caller <> ?2),
                    t.variant_id,
                    trim(coalesce(t.gene, v.gene, '') || ' ' || v.chrom || ':' || v.pos || ' '
                         || v.ref || '>' || v.alt),
                    c.caller, c.detected, c.vaf, c.alt_reads, c.ref_reads, c.depth, m.decision
               FROM lb_sample s
               JOIN patient p ON p.patient_id = s.patient_id
               LEFT JOIN mrd_test m ON m.sample_id = s.sample_id
               JOIN tracked_variant t ON t.patient_id = s.patient_id
               JOIN variant v ON v.variant_id = t.variant_id
               LEFT JOIN variant_call c ON c.sample_id = s.sample_id AND c.variant_id = t.variant_id
              WHERE p.code = ?1
              ORDER BY s.date, v.chrom, v.pos, v.ref, v.alt, c.caller",
        )?;
        type Row = (
            i64,
            String,
            Option<f64>,
            bool,
            i64,
            String,
            Option<StoredCall>,
            Option<String>,
        );
        let rows = stmt.query_map([code, BAM_CALLER], |r| -> rusqlite::Result<Row> {
            let call = match r.get::<_, Option<String>>(6)? {
                None => None,
                Some(caller) => Some(StoredCall {
                    caller,
                    detected: r.get(7)?,
                    vaf: r.get(8)?,
                    alt_reads: r.get(9)?,
                    ref_reads: r.get(10)?,
                    depth: r.get(11)?,
                }),
            };
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                call,
                r.get(12)?,
            ))
        })?;
        let mut draws: Vec<(i64, DrawCalls)> = Vec::new();
        let mut last_variant = None;
        for row in rows {
            let (sample_id, date, cfdna, vcf_looked, variant_id, label, call, mrd) = row?;
            if draws.last().is_none_or(|(id, _)| *id != sample_id) {
                draws.push((
                    sample_id,
                    DrawCalls {
                        date: stored_date(&date)?,
                        cfdna_ng_per_ml: cfdna,
                        vcf_looked,
                        // The draw's MRD test (`ingest bam --targets`), when one was made.
                        mrd: mrd.as_deref().map(stored_mrd).transpose()?,
                        variants: Vec::new(),
                    },
                ));
                last_variant = None;
            }
            let Some((_, draw)) = draws.last_mut() else {
                continue;
            };
            if last_variant != Some(variant_id) {
                draw.variants.push(TrackedVariantCalls {
                    label,
                    calls: Vec::new(),
                });
                last_variant = Some(variant_id);
            }
            if let (Some(call), Some(variant)) = (call, draw.variants.last_mut()) {
                variant.calls.push(call);
            }
        }
        let mut draws: Vec<DrawCalls> = draws
            .into_iter()
            .map(|(_, draw)| draw)
            .filter(|d| d.vcf_looked || d.variants.iter().any(|v| !v.calls.is_empty()))
            .collect();
        // Tracked fusions are reporter loci too (store/fusion.rs).
        self.add_fusion_calls(code, &mut draws)?;
        Ok(draws)
    }
}

impl Tx<'_> {
    /// Gives this connection a page cache large enough for a million-call ingest
    /// (32 MiB; SQLite's default is 2 MiB, which makes index inserts go to disk; more
    /// only moves page writes from the load into the commit).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn reserve_cache_for_bulk_load(&self) -> Result<()> {
        self.tx.pragma_update(None, "cache_size", -32768)?;
        Ok(())
    }

    /// The blood draw of a patient on a date, created if new; a cfDNA concentration
    /// given now replaces the stored one.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn lb_sample(
        &self,
        patient_id: i64,
        date: NaiveDate,
        cfdna_ng_per_ml: Option<f64>,
    ) -> Result<i64> {
        Ok(self.tx.query_row(
            "INSERT INTO lb_sample (patient_id, date, cfdna_ng_per_ml) VALUES (?1, ?2, ?3)
             ON CONFLICT (patient_id, date) DO UPDATE
                SET cfdna_ng_per_ml = coalesce(excluded.cfdna_ng_per_ml, cfdna_ng_per_ml)
             RETURNING sample_id",
            params![
                patient_id,
                crate::model::date::format_date(date),
                cfdna_ng_per_ml
            ],
            |r| r.get(0),
        )?)
    }

    /// The id of a variant, created if new; a gene or protein change fills in one
    /// the store did not have.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn variant(
        &self,
        locus: &Locus,
        gene: Option<&str>,
        protein_change: Option<&str>,
    ) -> Result<i64> {
        upsert_variant(
            &self.tx,
            [
                &mut *self.tx.prepare_cached(INSERT_VARIANT)?,
                &mut *self.tx.prepare_cached(FIND_VARIANT)?,
                &mut *self.tx.prepare_cached(FILL_VARIANT)?,
            ],
            locus,
            gene,
            protein_change,
        )
    }

    /// Stores a call. A call already stored for the same sample, variant and caller
    /// is kept, unless it was a not-detected placeholder and this one is detected.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn add_call(
        &self,
        sample_id: i64,
        variant_id: i64,
        call: &NewCall<'_>,
        file_id: Option<i64>,
    ) -> Result<Inserted> {
        insert_call(
            &self.tx,
            [
                &mut *self.tx.prepare_cached(INSERT_CALL)?,
                &mut *self.tx.prepare_cached(REPLACE_UNDETECTED_CALL)?,
            ],
            sample_id,
            variant_id,
            call,
            file_id,
        )
    }

    /// Stores the BAM allele counts of a variant in a sample (replacing earlier ones).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn add_allele_count(
        &self,
        sample_id: i64,
        variant_id: i64,
        count: &NewAlleleCount,
        file_id: Option<i64>,
    ) -> Result<()> {
        let [a, c, g, t, n] = count.bases;
        self.tx.execute(
            "INSERT OR REPLACE INTO allele_count (sample_id, variant_id, depth, a, c, g, t, n,
                    ref_count, alt_count, vaf, min_mapq, min_bq, fragment_level, file_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            params![
                sample_id,
                variant_id,
                count.depth,
                a,
                c,
                g,
                t,
                n,
                count.ref_count,
                count.alt_count,
                count.vaf,
                count.min_mapq,
                count.min_bq,
                count.fragment_level,
                file_id
            ],
        )?;
        Ok(())
    }

    /// Adds a variant to a patient's tracked set (already tracked: left as it is),
    /// without saying how it was chosen.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn track(
        &self,
        patient_id: i64,
        variant_id: i64,
        gene: Option<&str>,
        file_id: Option<i64>,
    ) -> Result<Inserted> {
        let source = TrackSource {
            file_id,
            sample_id: None,
            choice_id: None,
        };
        self.track_as(patient_id, variant_id, gene, &source)
    }

    /// The id of a way of choosing tracked variants (`somatic: FILTER PASS, ...`),
    /// stored if new.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn track_choice(&self, chosen_by: &str) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO track_choice (chosen_by) VALUES (?1) ON CONFLICT (chosen_by) DO NOTHING",
            )?
            .execute([chosen_by])?;
        Ok(self
            .tx
            .prepare_cached("SELECT choice_id FROM track_choice WHERE chosen_by = ?1")?
            .query_row([chosen_by], |r| r.get(0))?)
    }

    /// Adds a variant to a patient's tracked set with where it came from and how
    /// it was chosen (already tracked: left as it is).
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn track_as(
        &self,
        patient_id: i64,
        variant_id: i64,
        gene: Option<&str>,
        source: &TrackSource,
    ) -> Result<Inserted> {
        let changed = self
            .tx
            .prepare_cached(
                "INSERT INTO tracked_variant (patient_id, variant_id, gene, file_id, added_at,
                        sample_id, choice_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (patient_id, variant_id) DO NOTHING",
            )?
            .execute(params![
                patient_id,
                variant_id,
                gene,
                source.file_id,
                now_utc(),
                source.sample_id,
                source.choice_id
            ])?;
        Ok(if changed == 1 {
            Inserted::New
        } else {
            Inserted::Existing
        })
    }

    /// A patient's tracked variants with their ids.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn tracked_loci(&self, patient_id: i64) -> Result<Vec<(i64, Locus)>> {
        let mut stmt = self.tx.prepare(
            "SELECT v.variant_id, v.chrom, v.pos, v.ref, v.alt FROM tracked_variant t
               JOIN variant v USING (variant_id) WHERE t.patient_id = ?1
              ORDER BY v.chrom, v.pos",
        )?;
        let rows = stmt.query_map([patient_id], |r| {
            Ok((
                r.get(0)?,
                locus_from(r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?),
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether the sample already has a call of this variant by this caller.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn has_call(&self, sample_id: i64, variant_id: i64, caller: &str) -> Result<bool> {
        Ok(self
            .tx
            .query_row(
                "SELECT 1 FROM variant_call WHERE sample_id = ?1 AND variant_id = ?2 AND caller = ?3",
                params![sample_id, variant_id, caller],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::patient::NewPatient;

    pub(super) fn locus(pos: u64) -> Locus {
        Locus {
            chrom: "12".into(),
            pos,
            reference: "C".into(),
            alt: "T".into(),
        }
    }

    pub(super) fn call(detected: bool, vaf: f64) -> NewCall<'static> {
        NewCall {
            caller: "mutect2",
            sample_name: "TUMOR",
            values: CallValues {
                alt_reads: Some(if detected { 10 } else { 0 }),
                ref_reads: None,
                vaf_source: if detected {
                    "FORMAT/AF"
                } else {
                    "not detected"
                },
                ..values(vaf)
            },
            detected,
        }
    }

    pub(super) fn values(vaf: f64) -> CallValues<'static> {
        CallValues {
            chrom_raw: "chr12",
            vaf: Some(vaf),
            alt_reads: Some(10),
            ref_reads: Some(90),
            depth: Some(100),
            vaf_source: "FORMAT/AF",
            filter: "PASS",
            qual: None,
        }
    }

    /// A store with patient P001 and its draw on 2024-01-01; gives the sample id.
    pub(super) fn store_with_sample() -> (Store, i64) {
        let mut store = Store::in_memory().unwrap();
        let tx = store.transaction().unwrap();
        tx.add_patient(
            &NewPatient {
                code: "P001".into(),
                diagnosis: "UPS".into(),
                sex: None,
                birth_year: None,
                site: None,
                primary_site: None,
                height_cm: None,
            },
            None,
        )
        .unwrap();
        let patient_id = tx.patient_id("P001").unwrap().unwrap();
        let date = crate::model::parse_date("2024-01-01").unwrap();
        let sample_id = tx.lb_sample(patient_id, date, None).unwrap();
        tx.commit().unwrap();
        (store, sample_id)
    }

    #[test]
    fn variant_keeps_its_id_and_fills_only_unknown_gene_and_protein() {
        let (mut store, _) = store_with_sample();
        let tx = store.transaction().unwrap();
        let first = tx.variant(&locus(100), None, None).unwrap();
        let other = tx.variant(&locus(200), Some("TP53"), None).unwrap();
        assert_ne!(first, other);
        let cases = [
            (Some("KRAS"), None, first, ("KRAS", None)),
            (
                Some("NRAS"),
                Some("p.G12D"),
                first,
                ("KRAS", Some("p.G12D")),
            ),
            (None, Some("p.Q61K"), first, ("KRAS", Some("p.G12D"))),
        ];
        for (gene, protein, expected_id, (expected_gene, expected_protein)) in cases {
            assert_eq!(tx.variant(&locus(100), gene, protein).unwrap(), expected_id);
            assert_eq!(
                gene_and_protein(&tx, expected_id),
                (
                    Some(expected_gene.to_string()),
                    expected_protein.map(str::to_string)
                )
            );
        }
        assert_eq!(tx.variant(&locus(200), None, None).unwrap(), other);
    }

    pub(super) fn gene_and_protein(
        tx: &Tx<'_>,
        variant_id: i64,
    ) -> (Option<String>, Option<String>) {
        tx.tx
            .query_row(
                "SELECT gene, protein_change FROM variant WHERE variant_id = ?1",
                [variant_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }

    pub(super) fn variant_id_at(tx: &Tx<'_>, pos: u64) -> i64 {
        tx.tx
            .query_row(
                "SELECT variant_id FROM variant WHERE pos = ?1",
                [pos as i64],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// A ledger row for the calls of a test to point at.
    pub(super) fn vcf_file(tx: &Tx<'_>) -> i64 {
        tx.begin_file(&super::super::files::FileRecord {
            kind: "vcf".into(),
            path: "/a.vcf".into(),
            sha256: "0".repeat(64),
            params: String::new(),
        })
        .unwrap()
    }

    #[test]
    fn detected_call_replaces_a_not_detected_one_and_nothing_else() {
        // (stored first, then added, expected outcome of the second, vaf kept)
        let cases = [
            (false, true, Inserted::New, 0.2),
            (true, false, Inserted::Existing, 0.1),
            (true, true, Inserted::Existing, 0.1),
            (false, false, Inserted::Existing, 0.1),
        ];
        for (first, second, outcome, vaf) in cases {
            let (mut store, sample_id) = store_with_sample();
            let tx = store.transaction().unwrap();
            let variant_id = tx.variant(&locus(100), None, None).unwrap();
            assert_eq!(
                tx.add_call(sample_id, variant_id, &call(first, 0.1), None)
                    .unwrap(),
                Inserted::New
            );
            assert_eq!(
                tx.add_call(sample_id, variant_id, &call(second, 0.2), None)
                    .unwrap(),
                outcome,
                "{first} then {second}"
            );
            let (stored_vaf, detected): (f64, bool) = tx
                .tx
                .query_row("SELECT vaf, detected FROM variant_call", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .unwrap();
            assert_eq!((stored_vaf, detected), (vaf, first || second));
        }
    }

    #[test]
    fn a_tracked_variant_without_a_row_is_undetected_only_where_a_vcf_looked() {
        let (mut store, vcf_draw) = store_with_sample();
        let tx = store.transaction().unwrap();
        let patient_id = tx.patient_id("P001").unwrap().unwrap();
        let date = |d| crate::model::parse_date(d).unwrap();
        let bam_draw = tx.lb_sample(patient_id, date("2024-02-01"), None).unwrap();
        let elsewhere_draw = tx.lb_sample(patient_id, date("2024-03-01"), None).unwrap();
        let [a, b, other] = [100, 200, 300].map(|pos| tx.variant(&locus(pos), None, None).unwrap());
        for tracked in [a, b] {
            tx.track(patient_id, tracked, None, None).unwrap();
        }
        let bam = |vaf| NewCall {
            caller: BAM_CALLER,
            sample_name: "draw.bam",
            ..call(true, vaf)
        };
        tx.add_call(vcf_draw, a, &call(true, 0.1), None).unwrap();
        tx.add_call(bam_draw, a, &bam(0.05), None).unwrap();
        tx.add_call(elsewhere_draw, other, &bam(0.3), None).unwrap();
        tx.commit().unwrap();
        let draws = crate::analysis::ctdna::merge_calls(&store.tracked_calls("P001").unwrap());
        let seen: Vec<String> = draws
            .iter()
            .flat_map(|d| {
                d.tracked
                    .iter()
                    .map(move |o| format!("{} {} {} {:?}", d.date, o.variant, o.detected, o.depth))
            })
            .collect();
        assert_eq!(
            seen,
            [
                "2024-01-01 12:100 C>T true Some(100)",
                "2024-01-01 12:200 C>T false None",
                "2024-02-01 12:100 C>T true Some(100)",
            ]
        );
    }
}
