//! Read-level pileup over capture targets and the reads at reporter loci, as ctDNAtools reads a BAM (Rsamtools `pileup`, `stackStringsFromBam`) for its MRD test.
//!
//! One sorted sweep over the reads covering the targets or a reporter. Reads are
//! filtered as for [`super::count_alleles`] (mapped, primary, not supplementary,
//! QC-failed or duplicate, MAPQ ≥ the floor) and each aligned base with quality ≥
//! the floor counts; overlapping mates both count (Rsamtools' pileup does not merge
//! them), while the reads at a reporter are numbered by name, so that mates count
//! once among the informative reads.
//!
//! [`count_and_pileup`] makes the pileup and [`super::count_alleles`]' counts in one
//! read of the BAM (two passes of one sweep, each with its own filters).

use super::sweep::{Placed, Sink, SweepPass};
use super::{
    Alignment, CountOptions, CountPlan, CountResult, OpenBam, bam_position, query_position,
};
use crate::error::{Error, Result};
use crate::ingest::loci::LocusRow;
use crate::ingest::targets::Target;
use crate::model::pileup::{ReporterEvidence, SiteCounts, TargetPileup, base_index};
use noodles::bam;
use noodles::sam::alignment::record::cigar::op::Kind;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

/// BAM's 4-bit base codes (`=ACMGRSVTWYHKDBN`) as A, C, G, T indexes; 4 = not counted.
const CODE_SLOT: [u8; 16] = [4, 0, 1, 4, 2, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 4];

/// FNV-1a: read names are short and not adversarial; SipHash costs more than the
/// pileup itself at 20,000x.
#[derive(Default)]
pub(super) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type Names = HashMap<Vec<u8>, u32, BuildHasherDefault<Fnv>>;

/// A read's bases and qualities by read position (`q < len()`).
trait Bases {
    fn len(&self) -> usize;
    /// The base's index (0 A, 1 C, 2 G, 3 T; 4 = not counted).
    fn slot(&self, q: usize) -> usize;
    fn quality(&self, q: usize) -> u8;
}

/// An undecoded BAM sequence (4-bit codes) and its qualities.
struct Packed<'r> {
    codes: &'r [u8],
    qualities: Option<&'r [u8]>,
    length: usize,
}

impl Bases for Packed<'_> {
    #[inline]
    fn len(&self) -> usize {
        self.length
    }

    #[inline]
    fn slot(&self, q: usize) -> usize {
        let byte = self.codes[q >> 1];
        let code = if q & 1 == 0 { byte >> 4 } else { byte & 0x0F };
        usize::from(CODE_SLOT[usize::from(code)])
    }

    #[inline]
    fn quality(&self, q: usize) -> u8 {
        // A missing QUAL ('*') is 0xFF per base in BAM.
        self.qualities.map_or(0xFF, |qs| qs[q])
    }
}

impl Bases for Alignment {
    fn len(&self) -> usize {
        self.sequence.len().min(self.qualities.len())
    }

    fn slot(&self, q: usize) -> usize {
        base_index(self.sequence[q]).unwrap_or(4)
    }

    fn quality(&self, q: usize) -> u8 {
        self.qualities[q]
    }
}

/// The most target positions a pileup holds (20 bytes each: 1 GB).
pub const MAX_TARGET_BASES: usize = 50_000_000;

/// Where the reads of a pileup come from and how they are filtered.
#[derive(Debug, Clone, Copy)]
pub struct PileupRequest<'a> {
    /// The BED file the targets came from (names it in errors).
    pub targets_path: &'a Path,
    /// Capture targets (may overlap; merged).
    pub targets: &'a [Target],
    /// The loci file the reporters came from (names it in errors).
    pub loci_path: &'a Path,
    /// Reporter SNVs (single-base REF and ALT); may be empty.
    pub reporters: &'a [LocusRow],
    /// Minimum mapping quality.
    pub min_mapq: u8,
    /// Minimum base quality.
    pub min_bq: u8,
}

/// The target pileup and reporter evidence of the BAM at `path`, and how its reads
/// were found.
///
/// # Errors
/// [`Error::Parse`] naming the BED or loci line of a contig the BAM lacks or of a
/// reporter that is not a single-base substitution; [`Error::Io`] / [`Error::Record`]
/// when the BAM cannot be read.
pub fn pileup_targets(
    path: &Path,
    request: &PileupRequest<'_>,
) -> Result<(TargetPileup, super::Access)> {
    let mut bam = OpenBam::open(path)?;
    let plan = PileupPlan::new(&bam, request)?;
    let mut pass = plan.pass(path, request);
    bam.sweep(&mut [&mut pass])?;
    let sink = pass.sink;
    Ok((plan.finish(&bam, sink), bam.access))
}

/// [`super::count_alleles`] and [`pileup_targets`] of one BAM in one read of it:
/// each record is read and placed once and handed to both, each applying its own
/// filters (`options` for the counts, the request's MAPQ and base-quality floors
/// for the pileup, which counts overlapping mates apart). The results are those of
/// the two calls; the access is in the [`CountResult`].
///
/// # Errors
/// Those of [`super::count_alleles`] (the loci are placed first), then those of
/// [`pileup_targets`].
pub fn count_and_pileup(
    path: &Path,
    loci_path: &Path,
    loci: &[LocusRow],
    options: CountOptions,
    request: &PileupRequest<'_>,
) -> Result<(CountResult, TargetPileup)> {
    let mut bam = OpenBam::open(path)?;
    let count = CountPlan::new(&bam, loci_path, loci)?;
    let pileup = PileupPlan::new(&bam, request)?;
    let mut counting = count.pass(path, options);
    let mut piling = pileup.pass(path, request);
    bam.sweep(&mut [&mut counting, &mut piling])?;
    let sink = piling.sink;
    let pileup = pileup.finish(&bam, sink);
    let per_locus = counting.sink.per_locus;
    Ok((count.finish(loci, per_locus, bam.access), pileup))
}

/// The targets and reporters of a pileup placed on the BAM's contigs.
struct PileupPlan {
    /// Merged targets (id, begin, end, offset into the counts), sorted.
    merged: Vec<(usize, i64, i64, usize)>,
    /// Target positions in all.
    total: usize,
    /// Reporters (id, 0-based pos, index, ref, alt), sorted.
    reporters: Vec<(usize, i64, usize, usize, usize)>,
    /// The intervals of interest (targets and reporter positions), per contig.
    regions: Vec<(usize, Vec<(i64, i64)>)>,
}

impl PileupPlan {
    /// Places `request`'s targets and reporters on `bam`'s contigs.
    fn new(bam: &OpenBam<'_>, request: &PileupRequest<'_>) -> Result<Self> {
        // Targets as (id, begin, end), merged per contig.
        let mut spans: Vec<(usize, i64, i64)> = Vec::new();
        for target in request.targets {
            let id = bam
                .contig(&target.chrom_raw, &target.chrom)
                .ok_or_else(|| {
                    Error::parse(
                        request.targets_path,
                        target.line,
                        "chrom",
                        bam.missing_contig(&target.chrom_raw),
                    )
                })?;
            // Clipped to the contig: there are no reads beyond its end.
            let end = target.end.min(bam.contig_length(id));
            if end > target.start {
                spans.push((id, target.start as i64, end as i64));
            }
        }
        spans.sort();
        let mut merged: Vec<(usize, i64, i64, usize)> = Vec::new(); // (+ offset into counts)
        let mut total = 0usize;
        for (id, begin, end) in spans {
            match merged.last_mut() {
                Some(last) if last.0 == id && begin <= last.2 => {
                    if end > last.2 {
                        total += (end - last.2) as usize;
                        last.2 = end;
                    }
                }
                _ => {
                    merged.push((id, begin, end, total));
                    total += (end - begin) as usize;
                }
            }
        }
        if total > MAX_TARGET_BASES {
            return Err(Error::parse(
                request.targets_path,
                request.targets.first().map_or(1, |t| t.line),
                "end",
                format!(
                    "the targets cover {total} bp; the MRD pileup holds every target position in memory and takes at most {MAX_TARGET_BASES} bp (a capture panel, not a genome)"
                ),
            ));
        }
        let mut reporters: Vec<(usize, i64, usize, usize, usize)> = Vec::new(); // (id, pos0, index, ref, alt)
        for (index, row) in request.reporters.iter().enumerate() {
            let (Some(reference), Some(alt)) = (
                single_base(&row.locus.reference),
                single_base(&row.locus.alt),
            ) else {
                return Err(Error::parse(
                    request.loci_path,
                    row.line,
                    "alt",
                    format!(
                        "{row} is not a substitution of one base (A, C, G, T): the MRD test uses SNVs only"
                    ),
                ));
            };
            let id = bam
                .contig(&row.chrom_raw, &row.locus.chrom)
                .ok_or_else(|| {
                    Error::parse(
                        request.loci_path,
                        row.line,
                        "chrom",
                        bam.missing_contig(&row.chrom_raw),
                    )
                })?;
            reporters.push((
                id,
                bam_position(request.loci_path, row)?,
                index,
                reference,
                alt,
            ));
        }
        reporters.sort();

        // The intervals of interest: targets and reporter positions, per contig.
        let mut all: Vec<(usize, i64, i64)> =
            merged.iter().map(|&(id, b, e, _)| (id, b, e)).collect();
        all.extend(reporters.iter().map(|&(id, pos, ..)| (id, pos, pos + 1)));
        let regions = super::merge_regions(all);
        Ok(PileupPlan {
            merged,
            total,
            reporters,
            regions,
        })
    }

    /// The pass that piles the reads up with `request`'s filters.
    fn pass<'a>(
        &'a self,
        path: &'a Path,
        request: &PileupRequest<'_>,
    ) -> SweepPass<'a, PileupSink<'a>> {
        let sink = PileupSink {
            targets: &self.merged,
            counts: vec![[0; 5]; self.total],
            reporters: &self.reporters,
            evidence: vec![ReporterEvidence::default(); request.reporters.len()],
            names: Names::default(),
            min_bq: request.min_bq,
        };
        let options = CountOptions {
            min_mapq: request.min_mapq,
            min_bq: request.min_bq,
            fragment_level: false,
        };
        SweepPass::new(path, options, &self.regions, sink)
    }

    /// The target sites with a counted base, and the reporters' evidence.
    fn finish(&self, bam: &OpenBam<'_>, sink: PileupSink<'_>) -> TargetPileup {
        let mut sites = Vec::new();
        for &(id, begin, end, offset) in &self.merged {
            let chrom = crate::ingest::vcf::normalize_contig(&bam.names[id]);
            for pos in begin..end {
                let cell = sink.counts[offset + (pos - begin) as usize];
                let bases = [cell[0], cell[1], cell[2], cell[3]];
                if bases.iter().any(|&n| n > 0) {
                    sites.push(SiteCounts {
                        chrom: chrom.clone(),
                        pos: pos as u64 + 1,
                        bases,
                    });
                }
            }
        }
        TargetPileup {
            sites,
            reporters: sink.evidence,
        }
    }
}

fn single_base(allele: &str) -> Option<usize> {
    match allele.as_bytes() {
        [b] => base_index(*b),
        _ => None,
    }
}

/// Adds each read's bases to the target pileup and its name to the reporters it shows.
struct PileupSink<'a> {
    /// Merged targets (id, begin, end, offset into `counts`), sorted.
    targets: &'a [(usize, i64, i64, usize)],
    /// A, C, G, T and (slot 4) bases not counted, per target position.
    counts: Vec<[u32; 5]>,
    /// Reporters (id, 0-based pos, index, ref, alt), sorted.
    reporters: &'a [(usize, i64, usize, usize, usize)],
    evidence: Vec<ReporterEvidence>,
    names: Names,
    min_bq: u8,
}

impl PileupSink<'_> {
    fn name_id(&mut self, name: &[u8]) -> u32 {
        if let Some(&id) = self.names.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.insert(name.to_vec(), id);
        id
    }
}

impl PileupSink<'_> {
    /// Adds one read.
    fn add(
        &mut self,
        (id, start, end): (usize, i64, i64),
        cigar: &[(Kind, i64)],
        bases: &impl Bases,
        name: &[u8],
    ) {
        let length = bases.len();
        let min_bq = self.min_bq;
        // Target pileup: every aligned block against the targets it overlaps.
        let mut reference = start;
        let mut query = 0i64;
        for &(kind, len) in cigar {
            match kind {
                Kind::Match | Kind::SequenceMatch | Kind::SequenceMismatch => {
                    let block_end = reference + len;
                    let mut t = self
                        .targets
                        .partition_point(|&(tid, _, end, _)| (tid, end) <= (id, reference));
                    while let Some(&(tid, begin, end, offset)) = self.targets.get(t) {
                        if tid != id || begin >= block_end {
                            break;
                        }
                        let from = begin.max(reference);
                        let to = end.min(block_end);
                        let first = (query + from - reference) as usize;
                        let stop = (first + (to - from) as usize).min(length);
                        let cells = &mut self.counts[offset + (from - begin) as usize..];
                        for (cell, q) in cells.iter_mut().zip(first..stop) {
                            // Slot 4 takes what is not counted, chosen arithmetically: a
                            // branch on the quality is mispredicted for a quarter of the
                            // bases of a real run.
                            let keep = usize::from(bases.quality(q) >= min_bq);
                            cell[bases.slot(q) * keep + 4 * (1 - keep)] += 1;
                        }
                        t += 1;
                    }
                    reference = block_end;
                    query += len;
                }
                Kind::Deletion | Kind::Skip => reference += len,
                Kind::Insertion | Kind::SoftClip => query += len,
                Kind::HardClip | Kind::Pad => {}
            }
        }
        // Reporters: the base each read shows, and the read's name.
        let from = self
            .reporters
            .partition_point(|&(rid, pos, ..)| (rid, pos) < (id, start));
        for r in from..self.reporters.len() {
            let (rid, pos, index, reference, alt) = self.reporters[r];
            if rid != id || pos >= end {
                break;
            }
            let Some(q) = query_position(cigar, start, pos).filter(|&q| q < length) else {
                continue;
            };
            let slot = bases.slot(q);
            if slot >= 4 || bases.quality(q) < min_bq {
                continue;
            }
            self.evidence[index].bases[slot] += 1;
            if slot == reference || slot == alt {
                let name = self.name_id(name);
                let evidence = &mut self.evidence[index];
                if slot == reference {
                    evidence.ref_reads.push(name);
                } else {
                    evidence.alt_reads.push(name);
                }
            }
        }
    }
}

impl Sink for PileupSink<'_> {
    /// The undecoded record: bases read from BAM's 4-bit codes, qualities in place.
    fn take_record(&mut self, record: &bam::Record, placed: &Placed<'_>) -> bool {
        let sequence = record.sequence();
        let qualities = record.quality_scores();
        let bases = Packed {
            codes: sequence.as_bytes(),
            qualities: (qualities.len() == sequence.len()).then(|| qualities.as_bytes()),
            length: sequence.len().min(sequence.as_bytes().len() * 2),
        };
        let name = record.name().map_or(&[][..], |n| n);
        self.add(
            (placed.reference_id, placed.start, placed.end),
            placed.cigar,
            &bases,
            name,
        );
        true
    }

    fn take(&mut self, read: &Alignment) {
        let name = read.name.clone();
        self.add(
            (read.reference_id, read.start, read.end),
            &read.cigar,
            read,
            &name,
        );
    }
}
