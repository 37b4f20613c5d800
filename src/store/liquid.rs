//! Liquid biopsy: blood-draw samples, variants, variant calls, BAM allele counts and each patient's tracked variants.

use super::events::Inserted;
use super::{Store, Tx, now_utc};
use crate::analysis::ctdna::{Draw, Observation};
use crate::error::Result;
use crate::ingest::vcf::Locus;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;

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

/// `?first, ?first+1, ...`: `count` numbered parameters.
fn numbered_params(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per multi-row `INSERT` of a bulk load, largest first: one statement per 256
/// rows instead of one per row saves SQLite most of its per-statement work (a fifth
/// of the writing thread's time on a million-call VCF, docs/benchmarks.md); the rest
/// of a batch goes by 16s and then singly.
const ROWS_PER_INSERT: [usize; 3] = [256, 16, 1];

/// Parameters of one variant row of [`insert_variants_sql`].
const VARIANT_PARAMS: usize = 7;

/// `n` new variants with the ids given (the writer hands out `max(variant_id) + 1`
/// onwards, so that a statement of many rows still tells each row's id); rows whose
/// locus is already stored are left out.
fn insert_variants_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "({})",
                numbered_params(1 + i * VARIANT_PARAMS, VARIANT_PARAMS)
            )
        })
        .collect();
    format!(
        "INSERT INTO variant (variant_id, chrom, pos, ref, alt, gene, protein_change) VALUES {}
         ON CONFLICT (chrom, pos, ref, alt) DO NOTHING",
        rows.join(", ")
    )
}

/// Parameters shared by every row of [`insert_calls_sql`]: sample, caller, file.
const CALL_SHARED_PARAMS: usize = 3;

/// Parameters of one call row of [`insert_calls_sql`].
const CALL_PARAMS: usize = 8;

/// `n` new detected calls of one sample, caller and file (`?1`..`?3`, bound once
/// for every statement); a call the sample already has is left out (see
/// [`REPLACE_UNDETECTED_CALL`]).
fn insert_calls_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let row = numbered_params(CALL_SHARED_PARAMS + 1 + i * CALL_PARAMS, CALL_PARAMS);
            format!("(?1, ?2, ?3, {row}, 1)")
        })
        .collect();
    format!(
        "INSERT INTO variant_call (sample_id, caller, file_id, variant_id, provenance_id, vaf,
                alt_reads, ref_reads, depth, filter, qual, detected)
         VALUES {} ON CONFLICT (sample_id, variant_id, caller) DO NOTHING",
        rows.join(", ")
    )
}

/// Whose calls a [`CallWriter`] stores: the same for every call of one VCF.
#[derive(Debug, Clone, Copy)]
pub struct CallSource<'a> {
    /// The blood-draw sample.
    pub sample_id: i64,
    /// The ingested file.
    pub file_id: i64,
    /// Caller name.
    pub caller: &'a str,
    /// The VCF sample column.
    pub sample_name: &'a str,
}

/// One detected call of a bulk load, with its variant.
#[derive(Debug, Clone, Copy)]
pub struct BulkCall<'a> {
    /// The variant (normalised contig).
    pub locus: &'a Locus,
    /// Gene symbol, filled into the variant when it has none.
    pub gene: Option<&'a str>,
    /// Protein change, filled into the variant when it has none.
    pub protein_change: Option<&'a str>,
    /// What was called.
    pub values: CallValues<'a>,
}

/// Calls of a bulk load that were new to the store, and those it already held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Calls stored (including not-detected placeholders replaced).
    pub new: usize,
    /// Calls the sample already had from this caller.
    pub existing: usize,
}

/// The statements of a bulk call load of one VCF, prepared once (see [`Tx::call_writer`]).
pub struct CallWriter<'t> {
    conn: &'t rusqlite::Connection,
    source: CallSource<'t>,
    /// The id the next new variant gets.
    next_variant_id: i64,
    /// Provenance ids by (contig as written, VAF source), this writer's column.
    provenances: HashMap<(String, String), i64>,
    /// Each call's provenance id (scratch space of [`CallWriter::store`]).
    provenance_ids: Vec<i64>,
    /// One statement per size of [`ROWS_PER_INSERT`].
    insert_variants: Vec<rusqlite::Statement<'t>>,
    find_variant: rusqlite::Statement<'t>,
    fill_variant: rusqlite::Statement<'t>,
    /// One statement per size of [`ROWS_PER_INSERT`], sample, caller and file bound.
    insert_calls: Vec<rusqlite::Statement<'t>>,
    replace_call: rusqlite::Statement<'t>,
}

impl CallWriter<'_> {
    /// Stores `calls` (detected, of this writer's source) and their variants, several
    /// rows per statement, and puts each call's variant id into `variant_ids` (same
    /// order). A variant keeps its id and gets a gene or protein change it lacked; a
    /// call the sample already has is kept unless it is a not-detected placeholder.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn store(
        &mut self,
        calls: &[BulkCall<'_>],
        variant_ids: &mut Vec<i64>,
    ) -> Result<CallCounts> {
        variant_ids.clear();
        for (chunk, statement) in rows_per_statement(calls.len()) {
            let chunk = &calls[chunk];
            self.store_variants(chunk, statement, variant_ids)?;
        }
        self.provenance_ids.clear();
        let mut last: Option<(&str, &str, i64)> = None;
        for CallValues {
            chrom_raw,
            vaf_source,
            ..
        } in calls.iter().map(|call| call.values)
        {
            let id = match last {
                Some((last_chrom, last_source, id))
                    if last_chrom == chrom_raw && last_source == vaf_source =>
                {
                    id
                }
                _ => self.provenance(chrom_raw, vaf_source)?,
            };
            self.provenance_ids.push(id);
            last = Some((chrom_raw, vaf_source, id));
        }
        let mut counts = CallCounts::default();
        for (range, statement) in rows_per_statement(calls.len()) {
            self.store_calls(
                &calls[range.clone()],
                &variant_ids[range.clone()],
                range,
                statement,
                &mut counts,
            )?;
        }
        Ok(counts)
    }

    /// The provenance id of this writer's column with `chrom_raw` and `vaf_source`.
    fn provenance(&mut self, chrom_raw: &str, vaf_source: &str) -> Result<i64> {
        let key = (chrom_raw.to_string(), vaf_source.to_string());
        if let Some(id) = self.provenances.get(&key) {
            return Ok(*id);
        }
        let id = provenance_id(self.conn, self.source.sample_name, chrom_raw, vaf_source)?;
        self.provenances.insert(key, id);
        Ok(id)
    }

    fn store_variants(
        &mut self,
        chunk: &[BulkCall<'_>],
        statement: usize,
        variant_ids: &mut Vec<i64>,
    ) -> Result<()> {
        let first = self.next_variant_id;
        // Saturating: ids past i64::MAX would repeat and fail the primary key cleanly.
        self.next_variant_id = first.saturating_add(chunk.len() as i64);
        let insert = &mut self.insert_variants[statement];
        for (i, call) in chunk.iter().enumerate() {
            let b = i * VARIANT_PARAMS;
            insert.raw_bind_parameter(b + 1, first + i as i64)?;
            insert.raw_bind_parameter(b + 2, call.locus.chrom.as_str())?;
            insert.raw_bind_parameter(b + 3, call.locus.pos as i64)?;
            insert.raw_bind_parameter(b + 4, call.locus.reference.as_str())?;
            insert.raw_bind_parameter(b + 5, call.locus.alt.as_str())?;
            insert.raw_bind_parameter(b + 6, call.gene)?;
            insert.raw_bind_parameter(b + 7, call.protein_change)?;
        }
        if insert.raw_execute()? == chunk.len() {
            variant_ids.extend(first..self.next_variant_id);
            return Ok(());
        }
        // Some loci were stored already (or twice in this chunk): look each one up.
        for call in chunk {
            variant_ids.push(existing_variant(
                [&mut self.find_variant, &mut self.fill_variant],
                call.locus,
                call.gene,
                call.protein_change,
            )?);
        }
        Ok(())
    }

    /// Stores the calls `chunk` (at `range` of the batch) with one statement.
    fn store_calls(
        &mut self,
        chunk: &[BulkCall<'_>],
        variant_ids: &[i64],
        range: std::ops::Range<usize>,
        statement: usize,
        counts: &mut CallCounts,
    ) -> Result<()> {
        let provenance_ids = &self.provenance_ids[range];
        let insert = &mut self.insert_calls[statement];
        let rows = chunk.iter().zip(variant_ids).zip(provenance_ids);
        for (i, ((call, variant_id), provenance_id)) in rows.enumerate() {
            let b = CALL_SHARED_PARAMS + i * CALL_PARAMS;
            insert.raw_bind_parameter(b + 1, variant_id)?;
            insert.raw_bind_parameter(b + 2, provenance_id)?;
            let values = &call.values;
            insert.raw_bind_parameter(b + 3, values.vaf)?;
            insert.raw_bind_parameter(b + 4, values.alt_reads)?;
            insert.raw_bind_parameter(b + 5, values.ref_reads)?;
            insert.raw_bind_parameter(b + 6, values.depth)?;
            insert.raw_bind_parameter(b + 7, values.filter)?;
            insert.raw_bind_parameter(b + 8, values.qual)?;
        }
        let inserted = insert.raw_execute()?;
        counts.new += inserted;
        if inserted == chunk.len() {
            return Ok(());
        }
        // Some calls were there already: a detected call replaces a placeholder (the
        // rows just inserted are detected, so the update leaves them alone).
        let source = self.source;
        let mut replaced = 0;
        let rows = chunk.iter().zip(variant_ids).zip(provenance_ids);
        for ((call, variant_id), provenance_id) in rows {
            let key = CallKey {
                sample_id: source.sample_id,
                variant_id: *variant_id,
                caller: source.caller,
                provenance_id: *provenance_id,
                file_id: Some(source.file_id),
            };
            replaced += execute_call(&mut self.replace_call, &key, &call.values, true)?;
        }
        counts.new += replaced;
        counts.existing += chunk.len().saturating_sub(inserted + replaced);
        Ok(())
    }
}

/// Splits `n` rows into runs for the statements of [`ROWS_PER_INSERT`]: each run's
/// rows and the index of its statement.
fn rows_per_statement(n: usize) -> impl Iterator<Item = (std::ops::Range<usize>, usize)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        let left = n - start;
        let statement = ROWS_PER_INSERT.iter().position(|&rows| rows <= left)?;
        let range = start..start + ROWS_PER_INSERT[statement];
        start = range.end;
        Some((range, statement))
    })
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

    /// Every blood draw of a patient in date order with each tracked variant as
    /// observed there. Callers (and BAM counts, stored as caller `bam`) are merged as
    /// the response criteria merge them: detected if any detected it, VAF the mean over
    /// the detecting ones (alt / (ref + alt) when one gave no VAF), depth the largest
    /// known. A tracked variant with no row in a draw that has calls from a VCF is
    /// undetected at an unknown depth (the caller looked and did not call it); in a draw
    /// with BAM counts only it was not looked at and is left out, and a draw that
    /// observed none of the tracked variants is not listed.
    ///
    /// # Errors
    /// [`Error::UnknownPatient`] when there is no such patient.
    pub fn tracked_draws(&self, code: &str) -> Result<Vec<Draw>> {
        self.patient(code)?;
        let mut stmt = self.conn.prepare(
            "SELECT s.sample_id, s.date, s.cfdna_ng_per_ml,
                    coalesce(max(c.detected), 0),
                    avg(CASE WHEN c.detected = 1 THEN coalesce(c.vaf,
                        1.0 * c.alt_reads / nullif(c.alt_reads + c.ref_reads, 0)) END),
                    max(c.depth),
                    trim(coalesce(t.gene, v.gene, '') || ' ' || v.chrom || ':' || v.pos || ' '
                         || v.ref || '>' || v.alt)
               FROM lb_sample s
               JOIN patient p ON p.patient_id = s.patient_id
               JOIN tracked_variant t ON t.patient_id = s.patient_id
               JOIN variant v ON v.variant_id = t.variant_id
               LEFT JOIN variant_call c ON c.sample_id = s.sample_id AND c.variant_id = t.variant_id
              WHERE p.code = ?1
                AND (c.sample_id IS NOT NULL
                     OR EXISTS (SELECT 1 FROM variant_call w
                                 WHERE w.sample_id = s.sample_id AND w.caller <> ?2))
              GROUP BY s.sample_id, t.variant_id
              ORDER BY s.date, v.chrom, v.pos, v.ref, v.alt",
        )?;
        let rows = stmt.query_map([code, BAM_CALLER], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<f64>>(2)?,
                Observation {
                    variant: r.get(6)?,
                    detected: r.get(3)?,
                    vaf: r.get(4)?,
                    depth: r.get(5)?,
                },
            ))
        })?;
        let mut draws: Vec<(i64, Draw)> = Vec::new();
        for row in rows {
            let (sample_id, date, cfdna, observation) = row?;
            match draws.last_mut() {
                Some((id, draw)) if *id == sample_id => draw.tracked.push(observation),
                _ => draws.push((
                    sample_id,
                    Draw {
                        date: stored_date(&date)?,
                        cfdna_ng_per_ml: cfdna,
                        tracked: vec![observation],
                    },
                )),
            }
        }
        Ok(draws.into_iter().map(|(_, draw)| draw).collect())
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

    /// A writer of the many calls of one VCF (see [`CallWriter::store`]); no other
    /// variant may be added while it lives, as it hands out variant ids itself.
    ///
    /// # Errors
    /// Only if SQLite fails.
    pub fn call_writer<'s>(&'s self, source: CallSource<'s>) -> Result<CallWriter<'s>> {
        let next_variant_id: i64 = self.tx.query_row(
            "SELECT coalesce(max(variant_id), 0) + 1 FROM variant",
            [],
            |r| r.get(0),
        )?;
        let prepare_each = |sql: fn(usize) -> String| {
            ROWS_PER_INSERT
                .iter()
                .map(|&rows| self.tx.prepare(&sql(rows)))
                .collect::<rusqlite::Result<Vec<_>>>()
        };
        let mut insert_calls = prepare_each(insert_calls_sql)?;
        for statement in &mut insert_calls {
            statement.raw_bind_parameter(1, source.sample_id)?;
            statement.raw_bind_parameter(2, source.caller)?;
            statement.raw_bind_parameter(3, source.file_id)?;
        }
        Ok(CallWriter {
            conn: &self.tx,
            source,
            next_variant_id,
            provenances: HashMap::new(),
            provenance_ids: Vec::new(),
            insert_variants: prepare_each(insert_variants_sql)?,
            find_variant: self.tx.prepare(FIND_VARIANT)?,
            fill_variant: self.tx.prepare(FILL_VARIANT)?,
            insert_calls,
            replace_call: self.tx.prepare(REPLACE_UNDETECTED_CALL)?,
        })
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

    /// Adds a variant to a patient's tracked set (already tracked: left as it is).
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
        let changed = self
            .tx
            .prepare_cached(
                "INSERT INTO tracked_variant (patient_id, variant_id, gene, file_id, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (patient_id, variant_id) DO NOTHING",
            )?
            .execute(params![patient_id, variant_id, gene, file_id, now_utc()])?;
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
mod tests {
    use super::*;
    use crate::model::patient::NewPatient;

    fn locus(pos: u64) -> Locus {
        Locus {
            chrom: "12".into(),
            pos,
            reference: "C".into(),
            alt: "T".into(),
        }
    }

    fn call(detected: bool, vaf: f64) -> NewCall<'static> {
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

    fn values(vaf: f64) -> CallValues<'static> {
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
    fn store_with_sample() -> (Store, i64) {
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

    fn gene_and_protein(tx: &Tx<'_>, variant_id: i64) -> (Option<String>, Option<String>) {
        tx.tx
            .query_row(
                "SELECT gene, protein_change FROM variant WHERE variant_id = ?1",
                [variant_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }

    fn variant_id_at(tx: &Tx<'_>, pos: u64) -> i64 {
        tx.tx
            .query_row(
                "SELECT variant_id FROM variant WHERE pos = ?1",
                [pos as i64],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn bulk<'a>(locus: &'a Locus, gene: Option<&'a str>, vaf: f64) -> BulkCall<'a> {
        BulkCall {
            locus,
            gene,
            protein_change: None,
            values: values(vaf),
        }
    }

    /// A ledger row for the calls of a test to point at.
    fn vcf_file(tx: &Tx<'_>) -> i64 {
        tx.begin_file(&super::super::files::FileRecord {
            kind: "vcf".into(),
            path: "/a.vcf".into(),
            sha256: "0".repeat(64),
            params: String::new(),
        })
        .unwrap()
    }

    #[test]
    fn call_writer_stores_every_call_and_gives_each_its_variant_id() {
        let (mut store, sample_id) = store_with_sample();
        let tx = store.transaction().unwrap();
        let file_id = vcf_file(&tx);
        // Stored before the load: a variant without gene, a not-detected placeholder
        // (at 1_000_005) and a detected call (at 1_000_006) of the same caller.
        let known = locus(1_000_000);
        let known_id = tx.variant(&known, None, None).unwrap();
        let placeholder_id = tx.variant(&locus(1_000_005), None, None).unwrap();
        tx.add_call(sample_id, placeholder_id, &call(false, 0.0), Some(file_id))
            .unwrap();
        let detected_id = tx.variant(&locus(1_000_006), None, None).unwrap();
        tx.add_call(sample_id, detected_id, &call(true, 0.1), Some(file_id))
            .unwrap();
        let mut writer = tx
            .call_writer(CallSource {
                sample_id,
                file_id,
                caller: "mutect2",
                sample_name: "TUMOR",
            })
            .unwrap();
        let mut ids = Vec::new();
        // 300 new loci: one statement of 256 rows, two of 16, twelve single rows.
        let fresh: Vec<Locus> = (1..=300).map(|i| locus(i * 10)).collect();
        let calls: Vec<BulkCall<'_>> = fresh.iter().map(|l| bulk(l, None, 0.25)).collect();
        let counts = writer.store(&calls, &mut ids).unwrap();
        assert_eq!(
            counts,
            CallCounts {
                new: 300,
                existing: 0
            }
        );
        // A chunk of 16 holding a known variant (gene filled in), the placeholder
        // (replaced: new), the detected call (kept), a locus twice (new, then kept)
        // and 11 new ones; one more new one alone.
        let twice = locus(5_000);
        let others: Vec<Locus> = (0..12).map(|i| locus(6_000 + i)).collect();
        let placeholder = locus(1_000_005);
        let detected = locus(1_000_006);
        let mut mixed = vec![
            bulk(&known, Some("KRAS"), 0.3),
            bulk(&placeholder, None, 0.4),
            bulk(&detected, None, 0.5),
            bulk(&twice, None, 0.6),
            bulk(&twice, None, 0.7),
        ];
        mixed.extend(others.iter().map(|l| bulk(l, None, 0.8)));
        let mut mixed_ids = Vec::new();
        let counts = writer.store(&mixed[..16], &mut mixed_ids).unwrap();
        assert_eq!(
            counts,
            CallCounts {
                new: 14,
                existing: 2
            }
        );
        let counts = writer.store(&mixed[16..], &mut Vec::new()).unwrap();
        assert_eq!(
            counts,
            CallCounts {
                new: 1,
                existing: 0
            }
        );
        drop(writer);
        for (l, id) in fresh.iter().zip(&ids) {
            assert_eq!(variant_id_at(&tx, l.pos), *id, "{l:?}");
        }
        for (c, id) in mixed.iter().zip(&mixed_ids) {
            assert_eq!(variant_id_at(&tx, c.locus.pos), *id, "{:?}", c.locus);
        }
        assert_eq!(mixed_ids[0], known_id);
        assert_eq!(mixed_ids[3], mixed_ids[4]);
        assert_eq!(gene_and_protein(&tx, known_id).0.as_deref(), Some("KRAS"));
        let vaf_of = |variant_id: i64| -> (f64, bool) {
            tx.tx
                .query_row(
                    "SELECT vaf, detected FROM variant_call WHERE variant_id = ?1",
                    [variant_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap()
        };
        assert_eq!(vaf_of(placeholder_id), (0.4, true));
        assert_eq!(vaf_of(detected_id), (0.1, true));
        assert_eq!(vaf_of(mixed_ids[3]), (0.6, true));
        let calls: i64 = tx
            .tx
            .query_row("SELECT count(*) FROM variant_call", [], |r| r.get(0))
            .unwrap();
        assert_eq!(calls, 2 + 300 + 14);
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
        let draws = store.tracked_draws("P001").unwrap();
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

    /// What the store holds after a load, by locus: the variant's gene and the
    /// sample's call (vaf, detected, contig as written, VAF source, filter).
    fn stored(store: &Store) -> Vec<String> {
        let mut stmt = store
            .conn
            .prepare(
                "SELECT v.pos, v.gene, c.vaf, c.detected, o.chrom_raw, o.vaf_source, c.filter
                   FROM variant v
                   LEFT JOIN variant_call c USING (variant_id)
                   LEFT JOIN call_provenance o USING (provenance_id)
                  ORDER BY v.pos",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok(format!(
                "{:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<f64>>(2)?,
                r.get::<_, Option<bool>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    }

    /// One call of the property below: locus (of 40), gene or not, VAF, contig spelling.
    type Drawn = (u64, bool, f64, bool);

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
        /// The bulk writer stores exactly what the one-call-at-a-time path stores,
        /// and counts the same, whatever the store held before (variants with or
        /// without gene, detected calls, not-detected placeholders) and however often
        /// a locus repeats within a batch.
        #[test]
        fn bulk_writer_agrees_with_the_single_row_path(
            before in proptest::collection::vec((0..40u64, proptest::bool::ANY, proptest::option::of(proptest::bool::ANY)), 0..30),
            batches in proptest::collection::vec(proptest::collection::vec((0..40u64, proptest::bool::ANY, 0.0..1.0f64, proptest::bool::ANY), 0..300), 1..3),
        ) {
            let loci: Vec<Locus> = (0..40).map(|i| locus(1000 + i)).collect();
            let genes = ["KRAS", "TP53"];
            let fill = |store: &mut Store, sample_id: i64| -> i64 {
                let tx = store.transaction().unwrap();
                let file_id = vcf_file(&tx);
                for (i, has_gene, call) in &before {
                    let gene = has_gene.then_some(genes[0]);
                    let id = tx.variant(&loci[*i as usize], gene, None).unwrap();
                    if let Some(detected) = call {
                        tx.add_call(sample_id, id, &self::call(*detected, 0.5), Some(file_id)).unwrap();
                    }
                }
                tx.commit().unwrap();
                file_id
            };
            let values = |(_, _, vaf, chr): &Drawn| CallValues {
                chrom_raw: if *chr { "chr12" } else { "12" },
                vaf_source: if *vaf < 0.5 { "FORMAT/AF" } else { "FORMAT/AD alt/(ref+alt)" },
                filter: if *vaf < 0.2 { "weak_evidence" } else { "PASS" },
                ..self::values(*vaf)
            };
            let gene = |(_, has_gene, _, _): &Drawn| has_gene.then_some(genes[1]);

            let (mut bulk_store, sample_id) = store_with_sample();
            let file_id = fill(&mut bulk_store, sample_id);
            let mut bulk_counts = CallCounts::default();
            {
                let tx = bulk_store.transaction().unwrap();
                let mut writer = tx
                    .call_writer(CallSource { sample_id, file_id, caller: "mutect2", sample_name: "TUMOR" })
                    .unwrap();
                for batch in &batches {
                    let calls: Vec<BulkCall<'_>> = batch
                        .iter()
                        .map(|d| BulkCall { locus: &loci[d.0 as usize], gene: gene(d), protein_change: None, values: values(d) })
                        .collect();
                    let mut ids = Vec::new();
                    let counts = writer.store(&calls, &mut ids).unwrap();
                    bulk_counts.new += counts.new;
                    bulk_counts.existing += counts.existing;
                    for (d, id) in batch.iter().zip(&ids) {
                        let pos: i64 = tx.tx.query_row("SELECT pos FROM variant WHERE variant_id = ?1", [id], |r| r.get(0)).unwrap();
                        proptest::prop_assert_eq!(pos as u64, loci[d.0 as usize].pos);
                    }
                }
                drop(writer);
                tx.commit().unwrap();
            }

            let (mut single_store, sample_id) = store_with_sample();
            let file_id = fill(&mut single_store, sample_id);
            let mut single_counts = CallCounts::default();
            {
                let tx = single_store.transaction().unwrap();
                for d in batches.iter().flatten() {
                    let id = tx.variant(&loci[d.0 as usize], gene(d), None).unwrap();
                    let call = NewCall { caller: "mutect2", sample_name: "TUMOR", values: values(d), detected: true };
                    match tx.add_call(sample_id, id, &call, Some(file_id)).unwrap() {
                        Inserted::New => single_counts.new += 1,
                        Inserted::Existing => single_counts.existing += 1,
                    }
                }
                tx.commit().unwrap();
            }
            proptest::prop_assert_eq!(bulk_counts, single_counts);
            proptest::prop_assert_eq!(stored(&bulk_store), stored(&single_store));
        }
    }

    #[test]
    fn rows_go_in_the_largest_statements_that_fit() {
        let sizes = |n| {
            rows_per_statement(n)
                .map(|(r, s)| (r.len(), s))
                .collect::<Vec<_>>()
        };
        assert_eq!(sizes(0), vec![]);
        assert_eq!(sizes(1), vec![(1, 2)]);
        assert_eq!(sizes(17), vec![(16, 1), (1, 2)]);
        assert_eq!(
            sizes(256 + 32 + 2),
            vec![(256, 0), (16, 1), (16, 1), (1, 2), (1, 2)]
        );
        let covered: Vec<usize> = rows_per_statement(1000).flat_map(|(r, _)| r).collect();
        assert_eq!(covered, (0..1000).collect::<Vec<_>>());
    }
}
