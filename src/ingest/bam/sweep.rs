//! One sorted sweep over the reads of a region: each read is decoded once, its overlapping mate resolved within a window of pending mates, and handed to a sink.
//!
//! Reads arrive in coordinate order. A read is decoded only when it covers one of
//! the region's intervals of interest (the loci, or the capture targets), found by
//! an advancing window over the sorted intervals. With fragment-level counting a
//! properly paired read whose mate is still to come waits (by name) until the mate
//! arrives, when htslib's overlap rule adjusts both, or until the sweep passes its
//! end, when no later read can overlap it. So the work is O(reads + intervals) and
//! the memory is bounded by the reads overlapping the current position.
//!
//! One read of the BAM can feed several sweeps ([`Pass`]es, each with its own
//! intervals, filters and sink): the reader places each record once ([`place`]:
//! flags, contig, position, CIGAR) and hands it to every pass, which applies its own
//! MAPQ floor and decodes the rest only when the record covers one of its intervals.

use super::overlap::{pairs, tweak_overlap_quality, waits};
use super::pileup::Fnv;
use super::{Alignment, CountOptions};
use crate::error::{Error, Result};
use noodles::bam;
use noodles::sam::alignment::record::cigar::op::Kind;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::BuildHasherDefault;
use std::path::Path;

/// Receives every read of the sweep that covers an interval of interest, with its
/// base qualities already adjusted for an overlapping mate.
pub(super) trait Sink {
    /// One read (its `qualities` are final).
    fn take(&mut self, read: &Alignment);

    /// Without fragment-level counting, a sink may take the undecoded record instead
    /// (returns whether it did; then [`Sink::take`] is not called for it).
    fn take_record(&mut self, _record: &bam::Record, _placed: &Placed<'_>) -> bool {
        false
    }
}

/// Where a record lies, read once by the reader for every pass: it passed the read
/// filters of [`filter`] with MAPQ ≥ the lowest floor of the passes.
pub(super) struct Placed<'c> {
    pub(super) reference_id: usize,
    /// 0-based start and exclusive end on the reference.
    pub(super) start: i64,
    pub(super) end: i64,
    /// MAPQ (255 when absent).
    pub(super) mapq: u8,
    /// The decoded CIGAR.
    pub(super) cigar: &'c [(Kind, i64)],
}

/// One consumer of a read of the BAM: its intervals of interest, its filters and its
/// sink, swept one contig at a time. Object-safe, so that one reader feeds any number.
pub(super) trait Pass {
    /// The intervals of interest: per contig (increasing id), sorted, disjoint, 0-based
    /// half-open.
    fn regions(&self) -> &[(usize, Vec<(i64, i64)>)];

    /// The pass's MAPQ floor.
    fn min_mapq(&self) -> u8;

    /// The reads of contig `reference_id` come next.
    fn begin(&mut self, reference_id: usize);

    /// One placed record of that contig, in file order; `n` (its 1-based number) and
    /// `region` say where it was read, for error messages.
    ///
    /// # Errors
    /// A malformed field of the record.
    fn push(
        &mut self,
        record: &bam::Record,
        placed: &Placed<'_>,
        n: u64,
        region: &str,
    ) -> Result<()>;

    /// The contig is done: the reads still waiting for a mate are handed over.
    fn end(&mut self);
}

/// A [`Pass`] made of a [`Sweep`] per contig and a [`Sink`].
pub(super) struct SweepPass<'a, S> {
    path: &'a Path,
    options: CountOptions,
    regions: &'a [(usize, Vec<(i64, i64)>)],
    sweep: Option<Sweep<'a>>,
    /// What the pass gathers.
    pub(super) sink: S,
}

impl<'a, S: Sink> SweepPass<'a, S> {
    /// A pass over `regions` (see [`Pass::regions`]) with `options`' filters.
    pub(super) fn new(
        path: &'a Path,
        options: CountOptions,
        regions: &'a [(usize, Vec<(i64, i64)>)],
        sink: S,
    ) -> Self {
        SweepPass {
            path,
            options,
            regions,
            sweep: None,
            sink,
        }
    }
}

impl<S: Sink> Pass for SweepPass<'_, S> {
    fn regions(&self) -> &[(usize, Vec<(i64, i64)>)] {
        self.regions
    }

    fn min_mapq(&self) -> u8 {
        self.options.min_mapq
    }

    fn begin(&mut self, reference_id: usize) {
        self.end();
        self.sweep = self
            .regions
            .iter()
            .find(|(id, _)| *id == reference_id)
            .map(|(id, intervals)| Sweep::new(self.path, self.options, *id, intervals));
    }

    fn push(
        &mut self,
        record: &bam::Record,
        placed: &Placed<'_>,
        n: u64,
        region: &str,
    ) -> Result<()> {
        match self.sweep.as_mut() {
            Some(sweep) => sweep.push(record, placed, n, region, &mut self.sink),
            None => Ok(()),
        }
    }

    fn end(&mut self) {
        if let Some(done) = self.sweep.take() {
            done.finish(&mut self.sink);
        }
    }
}

/// A read waiting for its mate.
struct Pending {
    read: Alignment,
    generation: u32,
    live: bool,
}

/// The sweep of one contig's intervals of interest.
pub(super) struct Sweep<'a> {
    path: &'a Path,
    options: CountOptions,
    reference_id: usize,
    /// Sorted, disjoint, 0-based half-open intervals on `reference_id`.
    intervals: &'a [(i64, i64)],
    /// First interval ending after the current read start.
    next: usize,
    slots: Vec<Pending>,
    free: Vec<usize>,
    by_name: HashMap<Vec<u8>, usize, BuildHasherDefault<Fnv>>,
    /// Pending reads by end: (end, slot, generation).
    expiry: BinaryHeap<Reverse<(i64, usize, u32)>>,
    spare: Vec<Alignment>,
}

impl<'a> Sweep<'a> {
    /// A sweep over `intervals` (sorted, disjoint) of contig `reference_id`.
    pub(super) fn new(
        path: &'a Path,
        options: CountOptions,
        reference_id: usize,
        intervals: &'a [(i64, i64)],
    ) -> Self {
        Sweep {
            path,
            options,
            reference_id,
            intervals,
            next: 0,
            slots: Vec::new(),
            free: Vec::new(),
            by_name: HashMap::default(),
            expiry: BinaryHeap::new(),
            spare: Vec::new(),
        }
    }

    /// Takes the next placed record of the contig (file order, placed on
    /// `reference_id`, sorted: the reader checks); `n` is its 1-based number for error
    /// messages, `region` says where it was read from.
    fn push(
        &mut self,
        record: &bam::Record,
        placed: &Placed<'_>,
        n: u64,
        region: &str,
        sink: &mut impl Sink,
    ) -> Result<()> {
        if placed.mapq < self.options.min_mapq || placed.reference_id != self.reference_id {
            return Ok(());
        }
        self.expire(placed.start, sink);
        while self.next < self.intervals.len() && self.intervals[self.next].1 <= placed.start {
            self.next += 1;
        }
        if self
            .intervals
            .get(self.next)
            .is_none_or(|&(begin, _)| begin >= placed.end)
        {
            return Ok(());
        }
        if !self.options.fragment_level && sink.take_record(record, placed) {
            return Ok(());
        }
        let mut read = self.spare.pop().unwrap_or_else(empty_alignment);
        fill(record, placed, &mut read, self.path, n, region)?;
        if !self.options.fragment_level || !pairs(&read) {
            sink.take(&read);
            self.spare.push(read);
            return Ok(());
        }
        match self.by_name.remove(read.name.as_slice()) {
            Some(slot) => {
                let pending = &mut self.slots[slot];
                pending.live = false;
                let mate = &mut pending.read;
                let mut mate_qualities = std::mem::take(&mut mate.qualities);
                let mut qualities = std::mem::take(&mut read.qualities);
                tweak_overlap_quality(mate, &mut mate_qualities, &read, &mut qualities);
                mate.qualities = mate_qualities;
                read.qualities = qualities;
                sink.take(mate);
                sink.take(&read);
                let done = std::mem::replace(mate, empty_alignment());
                self.spare.push(done);
                self.spare.push(read);
                self.free.push(slot);
            }
            None if waits(&read) => {
                let end = read.end;
                let slot = match self.free.pop() {
                    Some(slot) => {
                        let pending = &mut self.slots[slot];
                        pending.generation = pending.generation.wrapping_add(1);
                        pending.live = true;
                        pending.read = read;
                        slot
                    }
                    None => {
                        self.slots.push(Pending {
                            read,
                            generation: 0,
                            live: true,
                        });
                        self.slots.len() - 1
                    }
                };
                let pending = &self.slots[slot];
                self.by_name.insert(pending.read.name.clone(), slot);
                self.expiry.push(Reverse((end, slot, pending.generation)));
            }
            None => {
                sink.take(&read);
                self.spare.push(read);
            }
        }
        Ok(())
    }

    /// Hands over the reads still waiting for a mate (the region is done).
    fn finish(mut self, sink: &mut impl Sink) {
        self.expire(i64::MAX, sink);
    }

    /// Reads ending at or before `start` can overlap no later read: hand them over.
    fn expire(&mut self, start: i64, sink: &mut impl Sink) {
        while let Some(&Reverse((end, slot, generation))) = self.expiry.peek() {
            if end > start {
                break;
            }
            self.expiry.pop();
            let pending = &mut self.slots[slot];
            if !pending.live || pending.generation != generation {
                continue;
            }
            pending.live = false;
            self.by_name.remove(pending.read.name.as_slice());
            sink.take(&pending.read);
            let done = std::mem::replace(&mut pending.read, empty_alignment());
            self.spare.push(done);
            self.free.push(slot);
        }
    }
}

fn empty_alignment() -> Alignment {
    Alignment {
        name: Vec::new(),
        reference_id: 0,
        start: 0,
        end: 0,
        proper_pair: false,
        paired: false,
        mate_unmapped: false,
        mate_reference_id: None,
        mate_start: -1,
        template_length: 0,
        cigar: Vec::new(),
        sequence: Vec::new(),
        qualities: Vec::new(),
    }
}

/// The fields read before deciding whether a record is decoded.
pub(super) struct Header {
    pub(super) reference_id: usize,
    /// 0-based start and exclusive end on the reference.
    pub(super) start: i64,
    pub(super) end: i64,
}

/// The record's placement if it passes samtools mpileup's read filters (mapped,
/// primary, not supplementary, QC-failed or duplicate, MAPQ ≥ the floor; MAPQ 255
/// counts as 255).
pub(super) fn filter(
    record: &bam::Record,
    options: CountOptions,
    path: &Path,
    n: u64,
    region: &str,
) -> Result<Option<Header>> {
    let Some((reference_id, start, _)) = screen(record, options.min_mapq, path, n, region)? else {
        return Ok(None);
    };
    let mut span = 0i64;
    for op in record.cigar().iter() {
        let op = op.map_err(|e| record_error(path, n, region, "cigar", e))?;
        if consumes_reference(op.kind()) {
            span += op.len() as i64;
        }
    }
    Ok(Some(Header {
        reference_id,
        start,
        end: start + span.max(1),
    }))
}

/// [`filter`] with MAPQ ≥ `min_mapq`, keeping the MAPQ and the CIGAR (decoded into
/// `cigar`, reused) for the passes.
pub(super) fn place<'c>(
    record: &bam::Record,
    min_mapq: u8,
    cigar: &'c mut Vec<(Kind, i64)>,
    path: &Path,
    n: u64,
    region: &str,
) -> Result<Option<Placed<'c>>> {
    let Some((reference_id, start, mapq)) = screen(record, min_mapq, path, n, region)? else {
        return Ok(None);
    };
    cigar.clear();
    let mut span = 0i64;
    for op in record.cigar().iter() {
        let op = op.map_err(|e| record_error(path, n, region, "cigar", e))?;
        let (kind, len) = (op.kind(), op.len() as i64);
        if consumes_reference(kind) {
            span += len;
        }
        cigar.push((kind, len));
    }
    Ok(Some(Placed {
        reference_id,
        start,
        end: start + span.max(1),
        mapq,
        cigar,
    }))
}

/// The read filters before the CIGAR: (contig, 0-based start, MAPQ) of a record that
/// passes them.
fn screen(
    record: &bam::Record,
    min_mapq: u8,
    path: &Path,
    n: u64,
    region: &str,
) -> Result<Option<(usize, i64, u8)>> {
    let flags = record.flags();
    if flags.is_unmapped()
        || flags.is_secondary()
        || flags.is_qc_fail()
        || flags.is_duplicate()
        || flags.is_supplementary()
    {
        return Ok(None);
    }
    let Some(reference_id) = record
        .reference_sequence_id()
        .transpose()
        .map_err(|e| record_error(path, n, region, "rname", e))?
    else {
        return Ok(None);
    };
    let mapq = record.mapping_quality().map_or(255, u8::from);
    if mapq < min_mapq {
        return Ok(None);
    }
    let Some(start) = record
        .alignment_start()
        .transpose()
        .map_err(|e| record_error(path, n, region, "pos", e))?
    else {
        return Ok(None);
    };
    Ok(Some((reference_id, usize::from(start) as i64 - 1, mapq)))
}

fn consumes_reference(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Match | Kind::SequenceMatch | Kind::SequenceMismatch | Kind::Deletion | Kind::Skip
    )
}

/// Decodes the rest of the record into `read` (its buffers reused).
fn fill(
    record: &bam::Record,
    placed: &Placed<'_>,
    read: &mut Alignment,
    path: &Path,
    n: u64,
    region: &str,
) -> Result<()> {
    let flags = record.flags();
    read.name.clear();
    if let Some(name) = record.name() {
        read.name.extend_from_slice(name);
    }
    read.reference_id = placed.reference_id;
    read.start = placed.start;
    read.end = placed.end;
    read.proper_pair = flags.is_properly_segmented();
    read.paired = flags.is_segmented();
    read.mate_unmapped = flags.is_mate_unmapped();
    read.mate_reference_id = record
        .mate_reference_sequence_id()
        .transpose()
        .map_err(|e| record_error(path, n, region, "rnext", e))?;
    read.mate_start = match record.mate_alignment_start().transpose() {
        Ok(Some(p)) => usize::from(p) as i64 - 1,
        Ok(None) => -1,
        Err(e) => return Err(record_error(path, n, region, "pnext", e)),
    };
    read.template_length = record.template_length();
    read.cigar.clear();
    read.cigar.extend_from_slice(placed.cigar);
    // BAM's 4-bit codes, two per byte (what noodles' sequence iterator yields).
    const BASES: [u8; 16] = *b"=ACMGRSVTWYHKDBN";
    let sequence = record.sequence();
    let packed = sequence.as_bytes();
    read.sequence.clear();
    read.sequence
        .resize(sequence.len().min(packed.len() * 2), 0);
    for (&pair, bases) in packed.iter().zip(read.sequence.chunks_mut(2)) {
        bases[0] = BASES[usize::from(pair >> 4)];
        if let Some(second) = bases.get_mut(1) {
            *second = BASES[usize::from(pair & 0x0F)];
        }
    }
    read.qualities.clear();
    let qualities = record.quality_scores();
    if qualities.len() == read.sequence.len() {
        read.qualities.extend_from_slice(qualities.as_bytes());
    } else {
        // A missing QUAL ('*') is 0xFF per base in BAM, which htslib compares as 255.
        read.qualities.resize(read.sequence.len(), 0xFF);
    }
    Ok(())
}

/// A malformed alignment record, named by its number and the region read.
pub(super) fn record_error(
    path: &Path,
    n: u64,
    region: &str,
    field: &str,
    e: std::io::Error,
) -> Error {
    Error::record(
        path,
        n,
        field,
        format!(
            "{region}: {e} (the BAM may be truncated or corrupt; check it with `samtools quickcheck`)"
        ),
    )
    .caused_by(e)
}
