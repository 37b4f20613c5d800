//! The bulk writer of a VCF's calls: variants and calls in multi-row `INSERT`s, variant ids handed out by the writer.

use super::{
    CallKey, CallValues, FILL_VARIANT, FIND_VARIANT, REPLACE_UNDETECTED_CALL, execute_call,
    existing_variant, provenance_id,
};
use crate::error::Result;
use crate::model::Locus;
use crate::store::Tx;
use std::collections::HashMap;

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
const CALL_PARAMS: usize = 9;

/// `n` new calls of one sample, caller and file (`?1`..`?3`, bound once for every
/// statement); a call the sample already has is left out (see
/// [`REPLACE_UNDETECTED_CALL`]).
fn insert_calls_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let row = numbered_params(CALL_SHARED_PARAMS + 1 + i * CALL_PARAMS, CALL_PARAMS);
            format!("(?1, ?2, ?3, {row})")
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

/// One call of a bulk load, with its variant.
#[derive(Debug, Clone, Copy)]
pub struct BulkCall<'a> {
    /// Line of the record in the file (to name a duplicate record).
    pub line: u64,
    /// The variant (normalised contig).
    pub locus: &'a Locus,
    /// Gene symbol, filled into the variant when it has none.
    pub gene: Option<&'a str>,
    /// Protein change, filled into the variant when it has none.
    pub protein_change: Option<&'a str>,
    /// What was called.
    pub values: CallValues<'a>,
    /// Whether the ALT was seen (a call of 0 alt reads is stored as not detected).
    pub detected: bool,
}

/// Calls of a bulk load that were new to the store, and those it already held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallCounts {
    /// Calls stored (including not-detected placeholders replaced).
    pub new: usize,
    /// Calls the sample already had from this caller (from another file).
    pub existing: usize,
    /// Records repeating a variant already read from this file (the first is kept).
    pub duplicates: usize,
}

/// The statements of a bulk call load of one VCF, prepared once (see [`Tx::call_writer`]).
pub struct CallWriter<'t> {
    conn: &'t rusqlite::Connection,
    source: CallSource<'t>,
    /// The id the next new variant gets.
    next_variant_id: i64,
    /// The first id this writer handed out: a variant of a smaller id was stored
    /// before this file.
    first_variant_id: i64,
    /// Variants stored before this file that this file has named so far (a second
    /// naming is a duplicate record).
    earlier_variants_named: std::collections::HashSet<i64>,
    /// Whether each call of the last batch repeats a variant read before from this
    /// file (scratch space of [`CallWriter::store`]).
    duplicate: Vec<bool>,
    /// The first duplicate records: line and variant.
    duplicate_lines: Vec<(u64, Locus)>,
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
        self.duplicate.clear();
        for (chunk, statement) in rows_per_statement(calls.len()) {
            let chunk = &calls[chunk];
            self.store_variants(chunk, statement, variant_ids)?;
        }
        let duplicates = self.duplicate.iter().filter(|d| **d).count();
        if duplicates > 0 {
            // Rare: the calls of the records that repeat a variant are left out.
            let (kept, ids): (Vec<BulkCall<'_>>, Vec<i64>) = calls
                .iter()
                .zip(variant_ids.iter())
                .zip(&self.duplicate)
                .filter(|(_, duplicate)| !**duplicate)
                .map(|((call, id), _)| (*call, *id))
                .unzip();
            for (call, _) in calls.iter().zip(&self.duplicate).filter(|(_, d)| **d) {
                if self.duplicate_lines.len() < 10 {
                    self.duplicate_lines.push((call.line, call.locus.clone()));
                }
            }
            let mut counts = self.store_calls_of(&kept, &ids)?;
            counts.duplicates = duplicates;
            return Ok(counts);
        }
        self.store_calls_of(calls, variant_ids)
    }

    /// Whether call `i` of the last batch repeated a variant read before from this
    /// file (its call was not stored).
    pub fn is_duplicate(&self, i: usize) -> bool {
        self.duplicate.get(i).copied().unwrap_or(false)
    }

    /// The first duplicate records of the file (up to 10): line and variant.
    pub fn duplicate_lines(&self) -> &[(u64, Locus)] {
        &self.duplicate_lines
    }

    /// Stores the calls of a batch whose variant ids are known.
    fn store_calls_of(
        &mut self,
        calls: &[BulkCall<'_>],
        variant_ids: &[i64],
    ) -> Result<CallCounts> {
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
            self.duplicate
                .resize(self.duplicate.len() + chunk.len(), false);
            return Ok(());
        }
        // Some loci were stored already (or twice in this chunk): look each one up.
        // A row that did not get the id it was given names a variant stored before:
        // by this file (an id this writer handed out) or, the second time this file
        // names it, by an earlier one. Either way the record is a duplicate.
        for (i, call) in chunk.iter().enumerate() {
            let id = existing_variant(
                [&mut self.find_variant, &mut self.fill_variant],
                call.locus,
                call.gene,
                call.protein_change,
            )?;
            let duplicate = id != first + i as i64
                && (id >= self.first_variant_id || !self.earlier_variants_named.insert(id));
            variant_ids.push(id);
            self.duplicate.push(duplicate);
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
            insert.raw_bind_parameter(b + 9, call.detected)?;
        }
        let inserted = insert.raw_execute()?;
        counts.new += inserted;
        if inserted == chunk.len() {
            return Ok(());
        }
        // Some calls were there already: a detected call replaces a not-detected one
        // (a row just inserted is left alone: detected, it fails the update's
        // `detected = 0`; not detected, it replaces nothing).
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
            replaced += execute_call(&mut self.replace_call, &key, &call.values, call.detected)?;
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

impl Tx<'_> {
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
            first_variant_id: next_variant_id,
            earlier_variants_named: std::collections::HashSet::new(),
            duplicate: Vec::new(),
            duplicate_lines: Vec::new(),
            provenances: HashMap::new(),
            provenance_ids: Vec::new(),
            insert_variants: prepare_each(insert_variants_sql)?,
            find_variant: self.tx.prepare(FIND_VARIANT)?,
            fill_variant: self.tx.prepare(FILL_VARIANT)?,
            insert_calls,
            replace_call: self.tx.prepare(REPLACE_UNDETECTED_CALL)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::events::Inserted;
    use crate::store::liquid::NewCall;
    use crate::store::liquid::tests::{
        call, gene_and_protein, locus, store_with_sample, values, variant_id_at, vcf_file,
    };

    fn bulk<'a>(locus: &'a Locus, gene: Option<&'a str>, vaf: f64) -> BulkCall<'a> {
        BulkCall {
            line: locus.pos,
            locus,
            gene,
            protein_change: None,
            values: values(vaf),
            detected: true,
        }
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
                existing: 0,
                duplicates: 0
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
                existing: 1,
                duplicates: 1
            }
        );
        assert_eq!(writer.duplicate_lines(), &[(5_000, twice.clone())]);
        assert!(writer.is_duplicate(4) && !writer.is_duplicate(3));
        let counts = writer.store(&mixed[16..], &mut Vec::new()).unwrap();
        assert_eq!(
            counts,
            CallCounts {
                new: 1,
                existing: 0,
                duplicates: 0
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
                        .map(|d| BulkCall { line: 0, locus: &loci[d.0 as usize], gene: gene(d), protein_change: None, values: values(d), detected: true })
                        .collect();
                    let mut ids = Vec::new();
                    let counts = writer.store(&calls, &mut ids).unwrap();
                    bulk_counts.new += counts.new;
                    // The single-row path cannot tell a duplicate record from a call
                    // stored before: both are existing there.
                    bulk_counts.existing += counts.existing + counts.duplicates;
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
