//! Liquid-biopsy ingest: a VCF (streamed) or a loci list into a patient's blood-draw sample and tracked set.

use super::{IngestReport, LedgerCheck, Written, ingest_streamed};
use crate::error::{Error, Result};
use crate::ingest::bam::fusion::{
    FusionCount, FusionOptions, count_fusions, count_fusions_present,
};
use crate::ingest::bam::{Access, CountOptions, count_alleles};
use crate::ingest::loci::{self, LocusRow};
use crate::ingest::vcf::{self, Call, CallReader, Caller, CallerOrigin, Skipped};
use crate::model::Locus;
use crate::store::events::Inserted;
use crate::store::liquid::{
    BAM_CALLER, BulkCall, CallSource, CallValues, NewAlleleCount, NewCall, TrackSource,
};
use crate::store::{Store, Tx};
use chrono::NaiveDate;
use std::borrow::Cow;
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
    /// Make this file's somatic PASS calls part of the patient's tracked set
    /// ([`choose_for_tracking`]).
    pub track: bool,
    /// With `track`: every PASS call, whatever the caller says of its somatic
    /// status, the matched normal or its alt reads.
    pub track_all: bool,
    /// A call with more alt reads than this in the matched normal is not tracked.
    pub max_normal_alt_reads: u32,
    /// Accept a VCF with a header and no records (the caller genuinely found
    /// nothing); its tracked variants are stored as not detected at an unknown depth.
    pub allow_empty: bool,
    /// cfDNA concentration of the draw, ng per mL of plasma.
    pub cfdna_ng_per_ml: Option<f64>,
}

/// Alt reads in the matched normal above which a call is not tracked (default of
/// `--max-normal-alt-reads`): one or two reads are sequencing error or index
/// hopping at the depths of a normal; a heterozygous germline variant or clonal
/// haematopoiesis gives more at any useful normal depth.
pub const MAX_NORMAL_ALT_READS: u32 = 2;

/// Why a call was or was not made part of the tracked set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackChoice<'c> {
    /// Tracked; how it was chosen (stored with the tracked variant).
    Tracked(Chosen<'c>),
    /// Left out; why (the summary counts calls per reason).
    LeftOut(Cow<'static, str>),
}

/// How a tracked call was chosen; displays as the text stored with it
/// (`somatic: FILTER PASS, STATUS=StrongSomatic, detected in the tumour, 0 alt
/// reads in the matched normal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen<'c> {
    /// The call's FILTER.
    pub filter: &'c str,
    /// The caller's somatic status as it said it (`None`: `--track-all`).
    pub status: Option<&'c str>,
    /// Alt reads in the matched normal, when there is one.
    pub normal_alt_reads: Option<u32>,
}

impl std::fmt::Display for Chosen<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(status) = self.status else {
            return write!(f, "--track-all: FILTER {}", self.filter);
        };
        write!(
            f,
            "somatic: FILTER {}, {status}, detected in the tumour, ",
            self.filter
        )?;
        match self.normal_alt_reads {
            Some(n) => write!(f, "{n} alt reads in the matched normal"),
            None => f.write_str("no matched normal"),
        }
    }
}

/// The ids of the ways of choosing tracked variants met in one file: few, so
/// looked up by comparing the choice, without building its text for every call.
#[derive(Debug, Default)]
struct Choices(Vec<(String, Option<String>, Option<u32>, i64)>);

impl Choices {
    /// The id of `chosen`, stored if new.
    fn id(&mut self, tx: &Tx<'_>, chosen: &Chosen<'_>) -> Result<i64> {
        let found = self.0.iter().find(|(filter, status, normal, _)| {
            filter == chosen.filter
                && status.as_deref() == chosen.status
                && *normal == chosen.normal_alt_reads
        });
        if let Some((.., id)) = found {
            return Ok(*id);
        }
        let id = tx.track_choice(&chosen.to_string())?;
        self.0.push((
            chosen.filter.to_string(),
            chosen.status.map(str::to_string),
            chosen.normal_alt_reads,
            id,
        ));
        Ok(id)
    }
}

/// Counts one more call left out for `why` (a reason seen before costs no allocation).
fn count_reason(counts: &mut std::collections::BTreeMap<String, usize>, why: Cow<'static, str>) {
    match counts.get_mut(why.as_ref()) {
        Some(n) => *n += 1,
        None => {
            counts.insert(why.into_owned(), 1);
        }
    }
}

/// Chooses whether `call` joins the tracked (tumour-informed) set, in this order
/// (a call left out is counted under the first rule it fails): it must pass its
/// filters; with `track_all` that is all; else it must be somatic by its caller's
/// own status ([`vcf::Somatic`]; a caller that gives none is tracked and says so),
/// detected in the tumour ([`Call::detected`]) and have at most
/// `max_normal_alt_reads` alt reads in the matched normal.
pub fn choose_for_tracking(
    call: &Call,
    track_all: bool,
    max_normal_alt_reads: u32,
) -> TrackChoice<'_> {
    use vcf::Somatic;
    if !call.passed() {
        return TrackChoice::LeftOut(Cow::Borrowed("failed a filter"));
    }
    if track_all {
        return TrackChoice::Tracked(Chosen {
            filter: &call.filter,
            status: None,
            normal_alt_reads: call.normal_alt_reads,
        });
    }
    let status = match &call.somatic {
        Somatic::No(said) => {
            return TrackChoice::LeftOut(Cow::Owned(format!("not somatic ({said})")));
        }
        Somatic::Yes(said) => said.as_ref(),
        Somatic::NotGiven => "no somatic status from the caller",
    };
    if !call.detected() {
        return TrackChoice::LeftOut(Cow::Borrowed(if call.genotype_ref {
            "genotype 0/0 in the tumour"
        } else {
            "0 alt reads in the tumour"
        }));
    }
    if let Some(n) = call.normal_alt_reads
        && n > max_normal_alt_reads
    {
        return TrackChoice::LeftOut(Cow::Owned(format!(
            "more than {max_normal_alt_reads} alt reads in the matched normal"
        )));
    }
    TrackChoice::Tracked(Chosen {
        filter: &call.filter,
        status: Some(status),
        normal_alt_reads: call.normal_alt_reads,
    })
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
    /// Of those, tracked although the caller gives no somatic status.
    pub tracked_without_status: usize,
    /// Calls left out of the tracked set by `--track`, counted per reason.
    pub left_out: std::collections::BTreeMap<String, usize>,
    /// The matched normal column, when one was read.
    pub normal_sample: Option<String>,
    /// Records repeating a variant read before from the same file.
    pub duplicates: usize,
    /// The first of them: line and variant.
    pub duplicate_lines: Vec<(u64, Locus)>,
    /// Calls stored as not detected because they had 0 alt reads or a 0/0 genotype.
    pub calls_not_detected: usize,
    /// Tracked variants not called in this sample (stored as not detected).
    pub not_detected: usize,
    /// Records skipped with why.
    pub skipped: Vec<Skipped>,
    /// The structural-variant records: stored, or left out with why.
    pub sv: super::sv::SvDetail,
    /// Why the header was read by VCF 4.2's rules, when it was.
    pub header_warning: Option<String>,
    /// The VCF's `##fileDate` (when the file was written), when it has one.
    pub file_date: Option<chrono::NaiveDate>,
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
    let mut params = format!(
        "patient={};date={};caller={};sample={};all_filters={};track={};cfdna={:?}",
        request.patient,
        request.date,
        request.options.caller.map_or("auto", Caller::as_str),
        request.options.sample.as_deref().unwrap_or(""),
        request.all_filters,
        request.track,
        request.cfdna_ng_per_ml
    );
    // Written only when not the default, so that files ingested before keep their identity.
    if request.track_all {
        params.push_str(";track_all=true");
    }
    if request.track && request.max_normal_alt_reads != MAX_NORMAL_ALT_READS {
        params.push_str(&format!(";max_normal_alt={}", request.max_normal_alt_reads));
    }
    let mut options = request.options.clone();
    options.somatic = request.track;
    store.without_reference_checks(|store| {
        ingest_streamed(
            store,
            path,
            "vcf",
            &params,
            || CallReader::open(path, &options),
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
        tracked_without_status: 0,
        left_out: std::collections::BTreeMap::new(),
        normal_sample: reader.normal_sample().map(str::to_string),
        duplicates: 0,
        duplicate_lines: Vec::new(),
        calls_not_detected: 0,
        not_detected: 0,
        skipped: Vec::new(),
        sv: super::sv::SvDetail::default(),
        header_warning: reader.header_warning().map(str::to_string),
        file_date: reader.file_date(),
    };
    let mut writer = tx.call_writer(CallSource {
        sample_id,
        file_id,
        caller,
        sample_name: &sample_name,
    })?;
    let mut variant_ids = Vec::new();
    let mut choices = Choices::default();
    for_each_call_batch(reader, |calls| {
        ledger.check(tx)?;
        let mut kept = Vec::with_capacity(calls.len());
        for call in calls {
            if call.passed() || request.all_filters {
                kept.push(call);
                continue;
            }
            detail.filtered_out += 1;
            if request.track
                && let TrackChoice::LeftOut(why) = choose_for_tracking(call, false, 0)
            {
                count_reason(&mut detail.left_out, why);
            }
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
                line: call.line,
                detected: call.detected(),
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
        detail.duplicates += counts.duplicates;
        for (i, (call, &variant_id)) in kept.iter().zip(&variant_ids).enumerate() {
            if writer.is_duplicate(i) {
                continue;
            }
            if !call.detected() {
                detail.calls_not_detected += 1;
            }
            if request.track {
                match choose_for_tracking(call, request.track_all, request.max_normal_alt_reads) {
                    TrackChoice::Tracked(chosen_by) => {
                        let choice = TrackSource {
                            file_id: Some(file_id),
                            sample_id: Some(sample_id),
                            choice_id: Some(choices.id(tx, &chosen_by)?),
                        };
                        if tx.track_as(patient_id, variant_id, call.gene.as_deref(), &choice)?
                            == Inserted::New
                        {
                            detail.tracked_added += 1;
                            if !request.track_all && call.somatic == vcf::Somatic::NotGiven {
                                detail.tracked_without_status += 1;
                            }
                        }
                    }
                    TrackChoice::LeftOut(why) => count_reason(&mut detail.left_out, why),
                }
            }
            if tracked_ids.contains(&variant_id) {
                found.insert(variant_id);
            }
        }
        Ok(())
    })?;
    detail.duplicate_lines = writer.duplicate_lines().to_vec();
    drop(writer);
    if reader.records_read() == 0 && !request.allow_empty {
        return Err(Error::parse(
            reader.path(),
            reader.header_lines() + 1,
            "record",
            "the VCF has a header and no records: a caller that found nothing and a run \
             that failed both write that. Give --allow-empty if the caller genuinely found \
             nothing (its tracked variants are then stored as not detected at an unknown \
             depth: not evaluable, never clearance)",
        ));
    }
    detail.skipped = reader.skipped().to_vec();
    let sv_caller = reader.sv_caller();
    detail.sv = super::sv::write_svs(
        tx,
        &crate::store::sv::SvSource {
            sample_id,
            file_id,
            caller: sv_caller.as_str(),
            sample_name: &sample_name,
        },
        sv_caller,
        reader.structural_variants(),
        request.all_filters,
        request.track,
    )?;
    // The chosen SV junctions join the patient's tracked fusions (issue 13 §2).
    super::fusion::track_junctions(
        tx,
        &request.patient,
        &detail.sv.junctions,
        &format!("--track: somatic PASS {} SV record", sv_caller.as_str()),
        file_id,
    )?;
    // In the order of the tracked variants' ids, not the map's (seeded per process): the
    // same files give the same rows, row ids included, on every run.
    let mut not_found: Vec<(&Locus, &i64)> = tracked.iter().collect();
    not_found.sort_unstable_by_key(|(_, variant_id)| **variant_id);
    for (locus, variant_id) in not_found {
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
            let listed = tx.track_choice("listed in a loci file")?;
            for row in rows {
                let variant_id = tx.variant(&row.locus, row.gene.as_deref(), None)?;
                let source = TrackSource {
                    file_id: Some(file_id),
                    sample_id: None,
                    choice_id: Some(listed),
                };
                written.count(tx.track_as(patient_id, variant_id, row.gene.as_deref(), &source)?);
            }
            Ok(written)
        },
    )
}

/// What `track add --vcf` did beyond the common report.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackVcfDetail {
    /// The dialect read.
    pub caller: Caller,
    /// The tumour sample column.
    pub sample: String,
    /// The matched normal column, when there is one.
    pub normal_sample: Option<String>,
    /// Of the variants added, those whose caller gives no somatic status.
    pub tracked_without_status: usize,
    /// Calls left out of the tracked set, counted per reason.
    pub left_out: std::collections::BTreeMap<String, usize>,
    /// Records skipped with why.
    pub skipped: Vec<Skipped>,
    /// Structural-variant records read (not stored by this command).
    pub sv_records: u64,
    /// The fusion junctions the SV records give to track
    /// ([`crate::analysis::sv::junctions_to_track`]).
    pub sv_junctions: Vec<crate::model::Junction>,
}

/// Adds the somatic calls of a VCF (a tumour's, or a draw's not to be stored as
/// one) to a patient's tracked set, chosen as `ingest vcf --track` chooses
/// ([`choose_for_tracking`]); no call is stored.
///
/// # Errors
/// [`Error::UnknownPatient`] or any read or parse error of the file; the store is
/// then unchanged.
pub fn track_vcf(
    store: &mut Store,
    patient: &str,
    path: &Path,
    options: &vcf::Options,
    track_all: bool,
    max_normal_alt_reads: u32,
) -> Result<(IngestReport, Option<TrackVcfDetail>)> {
    let mut params = format!(
        "track;patient={patient};caller={};sample={};track_all={track_all}",
        options.caller.map_or("auto", Caller::as_str),
        options.sample.as_deref().unwrap_or(""),
    );
    if max_normal_alt_reads != MAX_NORMAL_ALT_READS {
        params.push_str(&format!(";max_normal_alt={max_normal_alt_reads}"));
    }
    let mut options = options.clone();
    options.somatic = true;
    super::ingest_streamed(
        store,
        path,
        "vcf-track",
        &params,
        || CallReader::open(path, &options),
        |tx, file_id, mut reader, ledger| {
            let patient_id = tx
                .patient_id(patient)?
                .ok_or_else(|| Error::UnknownPatient(patient.to_string()))?;
            let mut written = Written::default();
            let mut detail = TrackVcfDetail {
                caller: reader.caller(),
                sample: reader.sample().to_string(),
                normal_sample: reader.normal_sample().map(str::to_string),
                tracked_without_status: 0,
                left_out: std::collections::BTreeMap::new(),
                skipped: Vec::new(),
                sv_records: 0,
                sv_junctions: Vec::new(),
            };
            let mut calls = Vec::new();
            let mut choices = Choices::default();
            while reader.next_calls(&mut calls)? {
                if reader.records_read() % 4096 == 0 {
                    ledger.check(tx)?;
                }
                for call in &calls {
                    match choose_for_tracking(call, track_all, max_normal_alt_reads) {
                        TrackChoice::LeftOut(why) => count_reason(&mut detail.left_out, why),
                        TrackChoice::Tracked(chosen_by) => {
                            let variant_id = tx.variant(
                                &call.locus,
                                call.gene.as_deref(),
                                call.protein_change.as_deref(),
                            )?;
                            let source = TrackSource {
                                file_id: Some(file_id),
                                sample_id: None,
                                choice_id: Some(choices.id(tx, &chosen_by)?),
                            };
                            let added =
                                tx.track_as(patient_id, variant_id, call.gene.as_deref(), &source)?;
                            if added == Inserted::New
                                && !track_all
                                && call.somatic == vcf::Somatic::NotGiven
                            {
                                detail.tracked_without_status += 1;
                            }
                            written.count(added);
                        }
                    }
                }
            }
            detail.skipped = reader.skipped().to_vec();
            let sv = reader.structural_variants();
            detail.sv_records = sv.records;
            detail.sv_junctions = crate::analysis::sv::junctions_to_track(&sv.calls);
            super::fusion::track_junctions(
                tx,
                patient,
                &detail.sv_junctions,
                &format!(
                    "track add --vcf: somatic PASS {} SV record",
                    reader.sv_caller().as_str()
                ),
                file_id,
            )?;
            let records = usize::try_from(reader.records_read()).unwrap_or(usize::MAX);
            Ok((records, written, detail))
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
    /// Thresholds for counting the patient's tracked fusions (its MAPQ floor is `options`').
    pub fusion: FusionOptions,
    /// Count the tracked fusions only, no SNV locus (`--fusions-only`; `loci` is then unused).
    pub fusions_only: bool,
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
    /// The fragment counts of the patient's tracked fusions.
    pub fusions: Vec<FusionCount>,
    /// Reads whose SA tag does not parse (each named).
    pub fusion_warnings: Vec<String>,
}

/// Counts a BAM at the patient's tracked variants (or at the loci of a file) and
/// its tracked fusions (split, discordant and reference fragments), and stores the
/// counts as the patient's blood draw on `request.date`.
///
/// # Errors
/// [`Error::UnknownPatient`], nothing to count, a contig missing from the BAM, or
/// an unreadable BAM; the store is then unchanged.
pub fn ingest_bam(
    store: &mut Store,
    path: &Path,
    request: &BamIngest,
) -> Result<(IngestReport, Option<BamDetail>)> {
    check_cfdna(request.cfdna_ng_per_ml)?;
    let (loci_path, loci) = match &request.loci {
        _ if request.fusions_only => (std::path::PathBuf::from("(fusions only)"), Vec::new()),
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
    let fusions = super::fusion::tracked_fusion_rows(store, &request.patient)?;
    if loci.is_empty() && fusions.is_empty() {
        return Err(Error::InvalidValue {
            what: "loci",
            value: request.patient.clone(),
            reason: "the patient has no tracked variants or fusions: give --loci or track variants first"
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
    if !fusions.is_empty() {
        // Only with tracked fusions, likewise.
        let f = &request.fusion;
        let list: Vec<String> = fusions.iter().map(|(_, row)| row.to_string()).collect();
        params.push_str(&format!(
            ";fusions={};w={};window={};k={}",
            list.join(","),
            f.clip_window,
            f.insert_window,
            f.anchor
        ));
    }
    let fusion_options = FusionOptions {
        min_mapq: options.min_mapq,
        ..request.fusion
    };
    let fusion_source = std::path::PathBuf::from("(tracked fusions)");
    let fusion_rows: Vec<_> = fusions.iter().map(|(_, row)| row.clone()).collect();
    ingest_streamed(
        store,
        path,
        "bam",
        &params,
        || {
            // With SNV loci and --targets, one read of the BAM gives both the counts
            // and the MRD pileup; the fusions are added to the test below.
            let (counts, snv_mrd) = match (&request.mrd, loci.is_empty()) {
                (_, true) => (None, None),
                (None, false) => (Some(count_alleles(path, &loci_path, &loci, options)?), None),
                (Some(mrd), false) => {
                    let (counts, outcome) =
                        super::mrd::count_and_run_mrd(path, &loci_path, &loci, options, mrd)?;
                    (Some(counts), Some(outcome))
                }
            };
            let fused = if fusion_rows.is_empty() {
                None
            } else {
                Some(count_fusions_present(
                    path,
                    &fusion_source,
                    &fusion_rows,
                    fusion_options,
                )?)
            };
            if counts.is_none() && fused.as_ref().is_some_and(|f| f.counts.is_empty()) {
                // Nothing at all to count: the error naming the first fusion the BAM lacks.
                count_fusions(path, &fusion_source, &fusion_rows, fusion_options)?;
            }
            // Each tracked fusion is one more reporter of the MRD test.
            let reporters: Vec<crate::analysis::mrd::FusionReporter> = fused
                .iter()
                .flat_map(|f| &f.counts)
                .map(|c| crate::analysis::mrd::FusionReporter {
                    id: crate::store::fusion::fusion_label(&c.row.junction),
                    fusion_fragments: c.fusion_fragments(),
                    depth: c.depth().round() as u32,
                    rate: crate::analysis::mrd::FUSION_BACKGROUND_RATE,
                })
                .collect();
            let mrd = match (&request.mrd, snv_mrd) {
                (Some(mrd), Some(outcome)) => {
                    Some(super::mrd::with_fusions(outcome, &reporters, mrd))
                }
                (Some(mrd), None) => Some(super::mrd::run_mrd_with_fusions(
                    path, &loci_path, &loci, mrd, &reporters,
                )?),
                (None, _) => None,
            };
            Ok((counts, mrd, fused))
        },
        |tx, file_id, (result, mrd, fused), _| {
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
            let (counts, skipped, access) = match result {
                Some(r) => (r.counts, r.skipped, Some(r.access)),
                None => (Vec::new(), Vec::new(), None),
            };
            let (fusion_counts, fusion_warnings, fusion_access) = match fused {
                Some(f) => (f.counts, f.warnings, Some(f.access)),
                None => (Vec::new(), Vec::new(), None),
            };
            for count in &fusion_counts {
                // Rows are numbered by rank among the tracked fusions; one left out is skipped.
                let Some((fusion_id, _)) =
                    fusions.iter().find(|(_, row)| row.line == count.row.line)
                else {
                    continue;
                };
                tx.add_fusion_count(
                    sample_id,
                    *fusion_id,
                    &crate::store::fusion::NewFusionCount {
                        split: count.split,
                        discordant: count.discordant,
                        ref_a: count.ref_a,
                        ref_b: count.ref_b,
                        fusion_fraction: count.fusion_fraction(),
                        min_mapq: fusion_options.min_mapq,
                        clip_window: fusion_options.clip_window,
                        insert_window: fusion_options.insert_window,
                        anchor: fusion_options.anchor,
                    },
                    Some(file_id),
                )?;
                written.count(crate::store::events::Inserted::New);
            }
            for count in &counts {
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
            let records = counts.len() + fusion_counts.len();
            let detail = BamDetail {
                access: access
                    .or(fusion_access)
                    .unwrap_or(Access::Scan("nothing was read".into())),
                skipped,
                mrd,
                fusions: fusion_counts,
                fusion_warnings,
            };
            Ok((records, written, detail))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use vcf::Somatic;

    fn call(
        filter: &str,
        alt: u32,
        genotype_ref: bool,
        somatic: Somatic,
        normal: Option<u32>,
    ) -> Call {
        Call {
            record: 1,
            line: 10,
            locus: Locus {
                chrom: "1".into(),
                pos: 100,
                reference: "C".into(),
                alt: "T".into(),
            },
            chrom_raw: "chr1".into(),
            gene: None,
            protein_change: None,
            vaf: Some(f64::from(alt) / 100.0),
            alt_reads: Some(alt),
            ref_reads: Some(100 - alt),
            depth: Some(100),
            vaf_source: "FORMAT/AF".into(),
            filter: filter.into(),
            qual: None,
            genotype_ref,
            somatic,
            normal_alt_reads: normal,
        }
    }

    #[test]
    fn the_tracked_set_takes_somatic_calls_seen_in_the_tumour_and_not_in_the_normal() {
        let yes = || Somatic::Yes("STATUS=StrongSomatic".into());
        // (rule, call, --track-all, tracked or the reason it was left out)
        let table = [
            (
                "a somatic PASS call is tracked",
                call("PASS", 10, false, yes(), Some(0)),
                false,
                Ok(()),
            ),
            (
                "a failed filter is left out",
                call("p8", 10, false, yes(), Some(0)),
                false,
                Err("failed a filter"),
            ),
            (
                "the caller's germline status leaves it out",
                call(
                    "PASS",
                    10,
                    false,
                    Somatic::No("STATUS=Germline".into()),
                    Some(0),
                ),
                false,
                Err("not somatic (STATUS=Germline)"),
            ),
            (
                "VarScan2 SS=1 is germline",
                call("PASS", 10, false, Somatic::No("SS=1".into()), None),
                false,
                Err("not somatic (SS=1)"),
            ),
            (
                "0 alt reads in the tumour",
                call("PASS", 0, false, yes(), Some(0)),
                false,
                Err("0 alt reads in the tumour"),
            ),
            (
                "a 0/0 genotype in the tumour",
                call("PASS", 3, true, yes(), Some(0)),
                false,
                Err("genotype 0/0 in the tumour"),
            ),
            (
                "two alt reads in the normal are tolerated",
                call("PASS", 10, false, yes(), Some(2)),
                false,
                Ok(()),
            ),
            (
                "three alt reads in the normal leave it out",
                call("PASS", 10, false, yes(), Some(3)),
                false,
                Err("more than 2 alt reads in the matched normal"),
            ),
            (
                "no status from the caller: tracked, and said",
                call("PASS", 10, false, Somatic::NotGiven, None),
                false,
                Ok(()),
            ),
            (
                "--track-all overrides the status",
                call(
                    "PASS",
                    0,
                    true,
                    Somatic::No("STATUS=Germline".into()),
                    Some(40),
                ),
                true,
                Ok(()),
            ),
            (
                "--track-all still needs PASS",
                call("p8", 10, false, yes(), None),
                true,
                Err("failed a filter"),
            ),
        ];
        for (rule, call, track_all, expected) in table {
            let got = choose_for_tracking(&call, track_all, MAX_NORMAL_ALT_READS);
            match (got, expected) {
                (TrackChoice::Tracked(_), Ok(())) => {}
                (TrackChoice::LeftOut(why), Err(want)) => assert_eq!(why, want, "{rule}"),
                (got, want) => panic!("{rule}: {got:?}, expected {want:?}"),
            }
        }
        let tracked = call("PASS", 10, false, yes(), Some(1));
        let TrackChoice::Tracked(how) = choose_for_tracking(&tracked, false, 2) else {
            panic!("not tracked");
        };
        assert_eq!(
            how.to_string(),
            "somatic: FILTER PASS, STATUS=StrongSomatic, detected in the tumour, 1 alt reads in the matched normal"
        );
    }
}
