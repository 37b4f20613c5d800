//! Liquid-biopsy ingest: a VCF (streamed) or a loci list into a patient's blood-draw sample and tracked set.

use super::{IngestReport, LedgerCheck, Written, ingest_streamed};
use crate::error::{Error, Result};
use crate::ingest::bam::{Access, CountOptions, count_alleles};
use crate::ingest::loci::{self, LocusRow};
use crate::ingest::vcf::{self, Call, CallReader, Caller, CallerOrigin, Locus, Skipped};
use crate::store::events::Inserted;
use crate::store::liquid::{BAM_CALLER, BulkCall, CallSource, CallValues, NewAlleleCount, NewCall};
use crate::store::{Store, Tx};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::mpsc;

/// What to do with a VCF.
#[derive(Debug, Clone)]
pub struct VcfIngest {
    /// Patient identifier.
    pub patient: String,
    /// Blood-draw date.
    pub date: NaiveDate,
    /// Caller and sample choices.
    pub options: vcf::Options,
    /// Keep calls that failed their filters (their FILTER value is stored).
    pub all_filters: bool,
    /// Make this file's PASS variants part of the patient's tracked set.
    pub track: bool,
    /// cfDNA concentration of the draw, ng per mL of plasma.
    pub cfdna_ng_per_ml: Option<f64>,
}

/// What a VCF ingest did beyond the common report.
#[derive(Debug, Clone, PartialEq)]
pub struct VcfDetail {
    /// The dialect read.
    pub caller: Caller,
    /// Detected, forced or fallen back to.
    pub caller_origin: CallerOrigin,
    /// The tumour sample column.
    pub sample: String,
    /// Calls dropped because they failed a filter (without `--all-filters`).
    pub filtered_out: usize,
    /// Variants added to the tracked set by `--track`.
    pub tracked_added: usize,
    /// Tracked variants not called in this sample (stored as not detected).
    pub not_detected: usize,
    /// Records skipped with why.
    pub skipped: Vec<Skipped>,
}

fn check_cfdna(value: Option<f64>) -> Result<()> {
    match value {
        Some(v) if !v.is_finite() || v < 0.0 => Err(Error::InvalidValue {
            what: "--cfdna-ng-per-ml",
            value: v.to_string(),
            reason: "must be a concentration ≥ 0".into(),
        }),
        _ => Ok(()),
    }
}

/// Ingests a VCF as the patient's blood draw on `request.date`, streaming its
/// records in one transaction. Tracked variants of the patient that the file does
/// not call are stored as not detected (with the depth of a filtered record when
/// there is one), never dropped.
///
/// # Errors
/// [`Error::UnknownPatient`], an invalid `--cfdna-ng-per-ml`, or any read or parse
/// error of the file (naming line, record and field); the store is then unchanged.
pub fn ingest_vcf(
    store: &mut Store,
    path: &Path,
    request: &VcfIngest,
) -> Result<(IngestReport, Option<VcfDetail>)> {
    check_cfdna(request.cfdna_ng_per_ml)?;
    let params = format!(
        "patient={};date={};caller={};sample={};all_filters={};track={};cfdna={:?}",
        request.patient,
        request.date,
        request.options.caller.map_or("auto", Caller::as_str),
        request.options.sample.as_deref().unwrap_or(""),
        request.all_filters,
        request.track,
        request.cfdna_ng_per_ml
    );
    store.without_reference_checks(|store| {
        ingest_streamed(
            store,
            path,
            "vcf",
            &params,
            || CallReader::open(path, &request.options),
            |tx, file_id, mut reader, ledger| write_vcf(tx, file_id, &mut reader, request, ledger),
        )
    })
}

/// Calls per batch handed from the parsing thread to the writing one.
const CALLS_PER_BATCH: usize = 4096;

/// Batches waiting between the two threads at most (bounds the memory held).
const BATCHES_IN_FLIGHT: usize = 4;

/// Reads every call of `reader` on a second thread and hands them to `write` in
/// batches on this one, so that parsing and SQLite writes overlap (two cores).
/// The first error of either side stops both and is returned; the records parsed
/// before it have been handed over, so the caller's transaction must be dropped.
fn for_each_call_batch(
    reader: &mut CallReader,
    mut write: impl FnMut(&[Call]) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Result<Vec<Call>>>(BATCHES_IN_FLIGHT);
        // Written batches come back to be emptied here: freeing a million calls'
        // strings is then the parsing thread's work, not the writing one's.
        let (give_back, given_back) = mpsc::channel::<Vec<Call>>();
        scope.spawn(move || {
            let mut record_calls = Vec::new();
            loop {
                let mut batch = match given_back.try_recv() {
                    Ok(mut used) => {
                        used.clear();
                        used
                    }
                    Err(_) => Vec::with_capacity(CALLS_PER_BATCH + 8),
                };
                let more = loop {
                    match reader.next_calls(&mut record_calls) {
                        Ok(true) => {
                            batch.append(&mut record_calls);
                            if batch.len() >= CALLS_PER_BATCH {
                                break true;
                            }
                        }
                        Ok(false) => break false,
                        Err(e) => {
                            // The writer may have stopped already: nothing left to tell.
                            let _ = sender.send(Err(e));
                            return;
                        }
                    }
                };
                // A closed channel means the writer failed and returned its error.
                if (!batch.is_empty() && sender.send(Ok(batch)).is_err()) || !more {
                    return;
                }
            }
        });
        for batch in receiver {
            let batch = batch?;
            write(&batch)?;
            // The parsing thread has finished when this fails: drop the batch here.
            let _ = give_back.send(batch);
        }
        Ok(())
    })
}

/// A filtered record at a tracked locus: kept to give the not-detected row its depth.
struct FilteredAtTracked {
    depth: Option<u32>,
    filter: String,
    chrom_raw: String,
}

fn write_vcf(
    tx: &Tx<'_>,
    file_id: i64,
    reader: &mut CallReader,
    request: &VcfIngest,
    ledger: &mut LedgerCheck,
) -> Result<(usize, Written, VcfDetail)> {
    let patient_id = tx
        .patient_id(&request.patient)?
        .ok_or_else(|| Error::UnknownPatient(request.patient.clone()))?;
    let sample_id = tx.lb_sample(patient_id, request.date, request.cfdna_ng_per_ml)?;
    tx.reserve_cache_for_bulk_load()?;
    let caller = reader.caller().as_str();
    let sample_name = reader.sample().to_string();
    // The tracked set before this file: by locus for filtered records (which get no
    // variant id), by id for the calls stored.
    let tracked: HashMap<Locus, i64> = tx
        .tracked_loci(patient_id)?
        .into_iter()
        .map(|(id, l)| (l, id))
        .collect();
    let tracked_ids: HashSet<i64> = tracked.values().copied().collect();
    let mut found: HashSet<i64> = HashSet::new();
    let mut filtered_at_tracked: HashMap<Locus, FilteredAtTracked> = HashMap::new();
    let mut written = Written::default();
    let mut detail = VcfDetail {
        caller: reader.caller(),
        caller_origin: reader.caller_origin(),
        sample: sample_name.clone(),
        filtered_out: 0,
        tracked_added: 0,
        not_detected: 0,
        skipped: Vec::new(),
    };
    let mut writer = tx.call_writer(CallSource {
        sample_id,
        file_id,
        caller,
        sample_name: &sample_name,
    })?;
    let mut variant_ids = Vec::new();
    for_each_call_batch(reader, |calls| {
        ledger.check(tx)?;
        let mut kept = Vec::with_capacity(calls.len());
        for call in calls {
            if call.passed() || request.all_filters {
                kept.push(call);
                continue;
            }
            detail.filtered_out += 1;
            if tracked.contains_key(&call.locus) {
                filtered_at_tracked.insert(
                    call.locus.clone(),
                    FilteredAtTracked {
                        depth: call.depth,
                        filter: call.filter.clone(),
                        chrom_raw: call.chrom_raw.clone(),
                    },
                );
            }
        }
        let bulk: Vec<BulkCall<'_>> = kept
            .iter()
            .map(|call| BulkCall {
                locus: &call.locus,
                gene: call.gene.as_deref(),
                protein_change: call.protein_change.as_deref(),
                values: CallValues {
                    chrom_raw: &call.chrom_raw,
                    vaf: call.vaf,
                    alt_reads: call.alt_reads,
                    ref_reads: call.ref_reads,
                    depth: call.depth,
                    vaf_source: &call.vaf_source,
                    filter: &call.filter,
                    qual: call.qual,
                },
            })
            .collect();
        let counts = writer.store(&bulk, &mut variant_ids)?;
        written.new += counts.new;
        written.existing += counts.existing;
        for (call, &variant_id) in kept.iter().zip(&variant_ids) {
            if request.track
                && call.passed()
                && tx.track(patient_id, variant_id, call.gene.as_deref(), Some(file_id))?
                    == Inserted::New
            {
                detail.tracked_added += 1;
            }
            if tracked_ids.contains(&variant_id) {
                found.insert(variant_id);
            }
        }
        Ok(())
    })?;
    drop(writer);
    detail.skipped = reader.skipped().to_vec();
    for (locus, variant_id) in &tracked {
        if found.contains(variant_id) || tx.has_call(sample_id, *variant_id, caller)? {
            continue;
        }
        let filtered = filtered_at_tracked.get(locus);
        tx.add_call(
            sample_id,
            *variant_id,
            &NewCall {
                caller,
                sample_name: &sample_name,
                values: CallValues {
                    chrom_raw: filtered.map_or(locus.chrom.as_str(), |f| f.chrom_raw.as_str()),
                    vaf: Some(0.0),
                    alt_reads: Some(0),
                    ref_reads: None,
                    depth: filtered.and_then(|f| f.depth),
                    vaf_source: "not detected",
                    filter: filtered.map_or("not called", |f| f.filter.as_str()),
                    qual: None,
                },
                detected: false,
            },
            Some(file_id),
        )?;
        detail.not_detected += 1;
    }
    let records = usize::try_from(reader.records_read()).unwrap_or(usize::MAX);
    Ok((records, written, detail))
}

/// Adds the loci of a TSV (chrom, pos, ref, alt[, gene]) to a patient's tracked set.
///
/// # Errors
/// [`Error::UnknownPatient`] or a parse error naming the line and column; the
/// store is then unchanged.
pub fn track_loci(store: &mut Store, patient: &str, path: &Path) -> Result<IngestReport> {
    super::ingest_file(
        store,
        path,
        "loci",
        &format!("track;patient={patient}"),
        loci::read,
        |tx, file_id, rows| {
            let patient_id = tx
                .patient_id(patient)?
                .ok_or_else(|| Error::UnknownPatient(patient.to_string()))?;
            let mut written = Written::default();
            for row in rows {
                let variant_id = tx.variant(&row.locus, row.gene.as_deref(), None)?;
                written.count(tx.track(
                    patient_id,
                    variant_id,
                    row.gene.as_deref(),
                    Some(file_id),
                )?);
            }
            Ok(written)
        },
    )
}

/// What to do with a BAM.
#[derive(Debug, Clone)]
pub struct BamIngest {
    /// Patient identifier.
    pub patient: String,
    /// Blood-draw date.
    pub date: NaiveDate,
    /// Loci file to count instead of the patient's tracked variants.
    pub loci: Option<std::path::PathBuf>,
    /// Read and base filters.
    pub options: CountOptions,
    /// cfDNA concentration of the draw, ng per mL of plasma.
    pub cfdna_ng_per_ml: Option<f64>,
    /// Also test the draw for MRD at the same loci and store the result with it.
    pub mrd: Option<super::mrd::MrdRequest>,
}

/// What a BAM ingest did beyond the common report.
#[derive(Debug, Clone, PartialEq)]
pub struct BamDetail {
    /// Index used or why the file was scanned.
    pub access: Access,
    /// Loci not counted (indels).
    pub skipped: Vec<LocusRow>,
    /// The MRD test stored with the draw, when asked for.
    pub mrd: Option<super::mrd::MrdOutcome>,
}

/// Counts a BAM at the patient's tracked variants (or at the loci of a file) and
/// stores the counts as the patient's blood draw on `request.date`.
///
/// # Errors
/// [`Error::UnknownPatient`], no loci to count, a contig missing from the BAM, or
/// an unreadable BAM; the store is then unchanged.
pub fn ingest_bam(
    store: &mut Store,
    path: &Path,
    request: &BamIngest,
) -> Result<(IngestReport, Option<BamDetail>)> {
    check_cfdna(request.cfdna_ng_per_ml)?;
    let (loci_path, loci) = match &request.loci {
        Some(file) => (file.clone(), loci::read(file)?),
        None => {
            let tracked = store.tracked_variants(&request.patient)?;
            let rows = tracked
                .into_iter()
                .enumerate()
                .map(|(i, (locus, gene))| LocusRow {
                    line: i as u64 + 1,
                    chrom_raw: locus.chrom.clone(),
                    locus,
                    gene,
                    phasing: None,
                })
                .collect::<Vec<_>>();
            (std::path::PathBuf::from("(tracked variants)"), rows)
        }
    };
    if loci.is_empty() {
        return Err(Error::InvalidValue {
            what: "loci",
            value: request.patient.clone(),
            reason: "the patient has no tracked variants: give --loci or track variants first"
                .into(),
        });
    }
    let options = request.options;
    let mut params = format!(
        "patient={};date={};loci={};mapq={};bq={};fragment={};cfdna={:?}",
        request.patient,
        request.date,
        loci_path.display(),
        options.min_mapq,
        options.min_bq,
        options.fragment_level,
        request.cfdna_ng_per_ml
    );
    if let Some(mrd) = &request.mrd {
        // Only when asked, so that earlier ledger rows keep matching.
        params.push_str(&format!(";mrd={mrd:?}"));
    }
    ingest_streamed(
        store,
        path,
        "bam",
        &params,
        || {
            let counts = count_alleles(path, &loci_path, &loci, options)?;
            let mrd = match &request.mrd {
                Some(mrd) => Some(super::mrd::run_mrd(path, &loci_path, &loci, mrd)?),
                None => None,
            };
            Ok((counts, mrd))
        },
        |tx, file_id, (result, mrd), _| {
            let patient_id = tx
                .patient_id(&request.patient)?
                .ok_or_else(|| Error::UnknownPatient(request.patient.clone()))?;
            let sample_id = tx.lb_sample(patient_id, request.date, request.cfdna_ng_per_ml)?;
            let mut written = Written::default();
            let sample_name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let vaf_source = format!(
                "BAM alt/depth (MAPQ>={}, BQ>={}, {})",
                options.min_mapq,
                options.min_bq,
                if options.fragment_level {
                    "fragments"
                } else {
                    "reads"
                }
            );
            for count in &result.counts {
                let variant_id = tx.variant(&count.row.locus, count.row.gene.as_deref(), None)?;
                // Listed with the calls: detected when an ALT base was counted, else
                // not detected at this depth (left-censored).
                tx.add_call(
                    sample_id,
                    variant_id,
                    &NewCall {
                        caller: BAM_CALLER,
                        sample_name: &sample_name,
                        values: CallValues {
                            chrom_raw: &count.row.chrom_raw,
                            vaf: count.vaf,
                            alt_reads: Some(count.alt_count),
                            ref_reads: Some(count.ref_count),
                            depth: Some(count.counts.depth()),
                            vaf_source: &vaf_source,
                            filter: "PASS",
                            qual: None,
                        },
                        detected: count.alt_count > 0,
                    },
                    Some(file_id),
                )?;
                tx.add_allele_count(
                    sample_id,
                    variant_id,
                    &NewAlleleCount {
                        depth: count.counts.depth(),
                        bases: count.counts.bases,
                        ref_count: count.ref_count,
                        alt_count: count.alt_count,
                        vaf: count.vaf,
                        min_mapq: options.min_mapq,
                        min_bq: options.min_bq,
                        fragment_level: options.fragment_level,
                    },
                    Some(file_id),
                )?;
                written.count(crate::store::events::Inserted::New);
            }
            if let (Some(outcome), Some(mrd)) = (&mrd, &request.mrd) {
                let r = &outcome.result;
                let targets = mrd.targets.display().to_string();
                tx.add_mrd_test(
                    sample_id,
                    &crate::store::mrd::NewMrdTest {
                        decision: r.decision,
                        p_value: r.p_value,
                        background_rate: r.background_rate,
                        informative_reads: r.informative_reads as u64,
                        n_mutations: r.n_mutations as u64,
                        n_nonzero: r.n_nonzero as u64,
                        alt_reads: u64::from(r.alt_reads),
                        mean_vaf: r.mean_vaf,
                        n_filtered: r.n_filtered as u64,
                        reason: r.reason.as_deref(),
                        min_mapq: mrd.min_mapq,
                        min_bq: mrd.min_bq,
                        simulations: mrd.options.simulations,
                        seed: mrd.options.seed,
                        informative_threshold: mrd.options.informative_threshold,
                        alpha: mrd.options.alpha,
                        merge_phased: mrd.options.merge_phased,
                        normals: mrd.normals.len(),
                        targets: &targets,
                    },
                    Some(file_id),
                )?;
            }
            let detail = BamDetail {
                access: result.access,
                skipped: result.skipped,
                mrd,
            };
            Ok((result.counts.len(), written, detail))
        },
    )
}
