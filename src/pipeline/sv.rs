//! The structural-variant records of an ingested VCF: stored with the draw in the file's transaction, every record stored or counted with the reason it was left out.

use crate::error::Result;
use crate::ingest::vcf::{SvCaller, SvRead};
use crate::model::{Junction, SvKind, SvSides};
use crate::store::Tx;
use crate::store::events::Inserted;
use crate::store::sv::SvSource;
use std::collections::{BTreeMap, HashSet};

/// Why filtered SV records are left out (the SNV calls' rule).
pub const FAILED_A_FILTER: &str = "failed a filter (--all-filters keeps them)";

/// Why a record repeating an event of the same file is left out.
pub const REPEATED: &str = "repeat an event of an earlier record of this file";

/// What makes two calls of a file the same event: type, breakpoints and sides.
type EventKey = (SvKind, String, u64, Option<(String, u64)>, SvSides);

/// What became of a VCF's structural-variant records.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SvDetail {
    /// The SV dialect read.
    pub caller: Option<SvCaller>,
    /// Symbolic and breakend records read: `stored_records` plus the records left out.
    pub records: u64,
    /// Records stored (a breakend pair is two records of one event).
    pub stored_records: u64,
    /// Events new to the store.
    pub events_new: usize,
    /// Events the draw already held from another file.
    pub events_existing: usize,
    /// Records left out, counted per reason.
    pub left_out: BTreeMap<String, u64>,
    /// Records left out by the reader, with their line (for warnings).
    pub left_out_records: Vec<crate::ingest::vcf::Skipped>,
    /// Breakends whose mate is not in the file (kept alone), named.
    pub warnings: Vec<String>,
    /// With `--track`: the junctions the tracking selection chose
    /// ([`crate::analysis::sv::junctions_to_track`]).
    pub junctions: Vec<Junction>,
}

impl SvDetail {
    /// Records left out, all reasons.
    pub fn left_out_total(&self) -> u64 {
        self.left_out.values().sum()
    }
}

/// Stores the structural-variant calls of `read` for one draw: a call that failed its
/// filters is left out unless `all_filters`; a call repeating an event of an earlier
/// record of the file is left out; the rest are stored (an event the draw holds from
/// another file is kept as it was). With `track`, the tracking selection is made of
/// the calls stored.
///
/// # Errors
/// Only if SQLite fails (the caller's transaction is then dropped).
pub fn write_svs(
    tx: &Tx<'_>,
    source: &SvSource<'_>,
    caller: SvCaller,
    read: SvRead,
    all_filters: bool,
    track: bool,
) -> Result<SvDetail> {
    let mut detail = SvDetail {
        caller: Some(caller),
        records: read.records,
        warnings: read.warnings,
        ..SvDetail::default()
    };
    for skipped in &read.left_out {
        *detail.left_out.entry(skipped.reason.clone()).or_default() += 1;
    }
    detail.left_out_records = read.left_out;
    let mut seen: HashSet<EventKey> = HashSet::new();
    let mut stored = Vec::new();
    for call in read.calls {
        let records = call.records() as u64;
        if !call.passed() && !all_filters {
            *detail.left_out.entry(FAILED_A_FILTER.into()).or_default() += records;
            continue;
        }
        let key = (
            call.kind,
            call.a.chrom.clone(),
            call.a.pos,
            call.b.as_ref().map(|b| (b.chrom.clone(), b.pos)),
            call.sides,
        );
        if !seen.insert(key) {
            *detail.left_out.entry(REPEATED.into()).or_default() += records;
            continue;
        }
        match tx.add_sv_call(source, &call)? {
            Inserted::New => detail.events_new += 1,
            Inserted::Existing => detail.events_existing += 1,
        }
        detail.stored_records += records;
        stored.push(call);
    }
    if track {
        detail.junctions = crate::analysis::sv::junctions_to_track(&stored);
    }
    Ok(detail)
}
