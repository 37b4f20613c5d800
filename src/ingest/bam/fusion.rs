//! Fragments across fusion junctions in an indexed BAM: split reads (SA tag), discordant pairs and reference-spanning fragments per breakpoint; agrees with `tests/reference/fusion/fusion_reference.py` (pysam).
//!
//! The definitions (docs/methods.md, "Fusion junctions") work on *edges*: the
//! 0-based boundary between the last base a partner keeps and the first it drops.
//! A partner that keeps its bases up to `pos` (`+`) has its edge at `pos` (the
//! boundary after base `pos`); one that keeps them from `pos` on (`-`) has it at
//! `pos − 1` (the boundary before base `pos`).
//!
//! - A read is **split** when its primary alignment on one partner ends (with a clip
//!   on the junction side) within `W` bp of that partner's edge and one alignment of
//!   its `SA` tag (MAPQ ≥ the floor) does the same on the other partner, the two on
//!   the same strand for `+-`/`-+` and on opposite strands for `++`/`--`.
//! - A read is **near** a partner when it points at the edge (forward for `+`,
//!   reverse for `-`) and its aligned bases lie within `window` bp of the edge on the
//!   kept side.
//! - A read **spans** a partner's edge when one uninterrupted run of aligned bases
//!   (M, =, X) covers `k` reference bases on each side of it.
//!
//! A fragment (a read name) is `split` if any of its reads is split; else
//! `discordant` if its two mates are near opposite partners; else it counts in
//! `ref_a` (`ref_b`) if a read spans A's (B's) edge. Reads are those that pass
//! `count`'s filters (mapped, primary, not supplementary, duplicate or QC-failed,
//! MAPQ ≥ the floor).

use super::sweep::{filter, record_error};
use super::{Access, CountOptions, OpenBam};
use crate::error::{Error, Result};
use crate::ingest::fusions::FusionRow;
use crate::ingest::vcf::normalize_contig;
use noodles::bam;
use noodles::bgzf::{self, VirtualPosition};
use noodles::csi::BinningIndex;
use noodles::sam::alignment::record::Cigar as _;
use noodles::sam::alignment::record::cigar::op::Kind;
use noodles::sam::alignment::record::data::field::{Tag, Value};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The thresholds of the fusion definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FusionOptions {
    /// Minimum mapping quality of a read and of an SA alignment.
    pub min_mapq: u8,
    /// `W`: how far (bp) a clipped alignment end may lie from the edge.
    pub clip_window: u32,
    /// How far (bp) from the edge, on the kept side, a discordant mate may lie.
    pub insert_window: u32,
    /// `k`: aligned bases required on each side of an edge for a reference read.
    pub anchor: u32,
}

impl Default for FusionOptions {
    fn default() -> Self {
        FusionOptions {
            min_mapq: 20,
            clip_window: 5,
            insert_window: 1000,
            anchor: 10,
        }
    }
}

/// The fragments counted at one fusion.
#[derive(Debug, Clone, PartialEq)]
pub struct FusionCount {
    /// The fusion as requested.
    pub row: FusionRow,
    /// Fragments with a split read.
    pub split: u32,
    /// Pairs with one mate near each partner, neither split.
    pub discordant: u32,
    /// Fragments spanning A's edge (not split or discordant).
    pub ref_a: u32,
    /// Fragments spanning B's edge (not split or discordant).
    pub ref_b: u32,
}

impl FusionCount {
    /// Fusion fragments: split + discordant.
    pub fn fusion_fragments(&self) -> u32 {
        self.split + self.discordant
    }

    /// Fragment depth at the junction: split + discordant + mean(ref_a, ref_b).
    pub fn depth(&self) -> f64 {
        f64::from(self.fusion_fragments()) + (f64::from(self.ref_a) + f64::from(self.ref_b)) / 2.0
    }

    /// (split + discordant) / depth, `None` at depth 0.
    pub fn fusion_fraction(&self) -> Option<f64> {
        let depth = self.depth();
        (depth > 0.0).then(|| f64::from(self.fusion_fragments()) / depth)
    }
}

/// The result of counting fusions in a BAM.
#[derive(Debug, Clone, PartialEq)]
pub struct FusionResult {
    /// One entry per fusion counted, in request order.
    pub counts: Vec<FusionCount>,
    /// Reads whose SA tag does not parse (each named), not counted as split; with
    /// [`count_fusions_present`], the fusions left out (each named).
    pub warnings: Vec<String>,
    /// Index used, or why the file was scanned.
    pub access: Access,
}

/// One partner of a junction resolved against the BAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Side {
    /// Reference id in the BAM.
    pub contig: usize,
    /// 0-based boundary between the kept and the dropped bases.
    pub edge: i64,
    /// Whether the partner keeps the bases before the edge (`+`).
    pub keeps_left: bool,
}

/// A junction resolved against the BAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    /// Partner A.
    pub a: Side,
    /// Partner B.
    pub b: Side,
}

impl Site {
    /// Whether the two pieces of a junction read align on the same strand (`+-`, `-+`).
    pub fn same_strand(&self) -> bool {
        self.a.keeps_left != self.b.keeps_left
    }
}

/// Where one alignment lies (a primary record or an SA entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Reference id.
    pub contig: usize,
    /// 0-based start and exclusive end of the aligned reference bases.
    pub start: i64,
    /// Exclusive end.
    pub end: i64,
    /// Reverse strand.
    pub reverse: bool,
    /// The CIGAR starts with a clip (S or H).
    pub clip_left: bool,
    /// The CIGAR ends with a clip (S or H).
    pub clip_right: bool,
}

/// One alignment of an SA tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Supplementary {
    /// Where it lies (`contig` = `usize::MAX` for a contig the BAM does not have).
    pub placement: Placement,
    /// Its mapping quality.
    pub mapq: u8,
}

/// What one read says about one junction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadEvidence {
    /// A split read across the junction.
    pub split: bool,
    /// Near partner A's edge on the kept side, pointing at it.
    pub near_a: bool,
    /// Near partner B's edge on the kept side, pointing at it.
    pub near_b: bool,
    /// Spans A's edge by `k` aligned bases on each side.
    pub spans_a: bool,
    /// Spans B's edge likewise.
    pub spans_b: bool,
}

/// How one fragment counts at one junction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FragmentClass {
    /// A read is split across the junction.
    Split,
    /// The mates lie near opposite partners.
    Discordant,
    /// Reference fragment at A, at B, or at both (`(spans_a, spans_b)`).
    Reference(bool, bool),
    /// Says nothing about the junction.
    Uninformative,
}

/// Whether alignment `p` ends at side `s`'s edge (within `w` bp) with a clip on the junction side.
pub fn clipped_at(s: &Side, p: &Placement, w: i64) -> bool {
    p.contig == s.contig
        && if s.keeps_left {
            p.clip_right && (p.end - s.edge).abs() <= w
        } else {
            p.clip_left && (p.start - s.edge).abs() <= w
        }
}

/// Whether a primary alignment may be split at `site` (clipped at either edge): only
/// then is its SA tag read.
pub fn may_be_split(site: &Site, primary: &Placement, options: &FusionOptions) -> bool {
    let w = i64::from(options.clip_window);
    clipped_at(&site.a, primary, w) || clipped_at(&site.b, primary, w)
}

/// Whether a read (its primary placement and SA alignments) is split across `site`.
pub fn is_split(
    site: &Site,
    primary: &Placement,
    supplementary: &[Supplementary],
    options: &FusionOptions,
) -> bool {
    let w = i64::from(options.clip_window);
    [(&site.a, &site.b), (&site.b, &site.a)]
        .into_iter()
        .any(|(here, there)| {
            clipped_at(here, primary, w)
                && supplementary.iter().any(|s| {
                    s.mapq >= options.min_mapq
                        && clipped_at(there, &s.placement, w)
                        && (s.placement.reverse == primary.reverse) == site.same_strand()
                })
        })
}

/// Whether alignment `p` lies within `window` bp of side `s`'s edge on the kept side, pointing at it.
pub fn near(s: &Side, p: &Placement, window: i64) -> bool {
    p.contig == s.contig
        && if s.keeps_left {
            !p.reverse && p.start >= s.edge - window && p.end <= s.edge
        } else {
            p.reverse && p.start >= s.edge && p.end <= s.edge + window
        }
}

/// Whether one run of aligned blocks (0-based half-open, uninterrupted M/=/X runs)
/// covers `k` bases on each side of side `s`'s edge.
pub fn spans(s: &Side, contig: usize, blocks: &[(i64, i64)], k: i64) -> bool {
    contig == s.contig
        && blocks
            .iter()
            .any(|&(start, end)| start <= s.edge - k && end >= s.edge + k)
}

/// How a fragment counts, from the evidence of its first and last mates (paired) or of
/// its one read (`first` only).
pub fn classify(first: Option<&ReadEvidence>, last: Option<&ReadEvidence>) -> FragmentClass {
    let reads = || first.into_iter().chain(last);
    if reads().any(|r| r.split) {
        return FragmentClass::Split;
    }
    if let (Some(f), Some(l)) = (first, last)
        && ((f.near_a && l.near_b) || (f.near_b && l.near_a))
    {
        return FragmentClass::Discordant;
    }
    let a = reads().any(|r| r.spans_a);
    let b = reads().any(|r| r.spans_b);
    if a || b {
        FragmentClass::Reference(a, b)
    } else {
        FragmentClass::Uninformative
    }
}

/// Why an SA tag does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaError(pub String);

/// Parses an SA tag (`rname,pos,strand,CIGAR,mapQ,NM;` repeated), resolving contig
/// names with `contig_id` (an unknown contig gets id `usize::MAX`).
///
/// # Errors
/// [`SaError`] saying which entry and field does not parse.
pub fn parse_sa(
    text: &str,
    contig_id: impl Fn(&str) -> Option<usize>,
) -> std::result::Result<Vec<Supplementary>, SaError> {
    let mut out = Vec::new();
    for (i, entry) in text.split(';').enumerate() {
        if entry.is_empty() {
            continue;
        }
        let fields: Vec<&str> = entry.split(',').collect();
        let bad = |what: &str| SaError(format!("entry {} '{entry}': {what}", i + 1));
        if fields.len() != 6 {
            return Err(bad(
                "expected 6 fields (rname,pos,strand,CIGAR,mapQ,NM) separated by commas",
            ));
        }
        let pos = fields[1]
            .parse::<i64>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| bad("pos is not a position"))?;
        let reverse = match fields[2] {
            "+" => false,
            "-" => true,
            _ => return Err(bad("strand is not + or -")),
        };
        let ops = parse_cigar(fields[3]).ok_or_else(|| bad("CIGAR does not parse"))?;
        let mapq = fields[4]
            .parse::<u8>()
            .map_err(|_| bad("mapQ is not 0-255"))?;
        if fields[5].parse::<u32>().is_err() {
            return Err(bad("NM is not a count"));
        }
        let span: i64 = ops
            .iter()
            .filter(|(kind, _)| matches!(kind, b'M' | b'D' | b'N' | b'=' | b'X'))
            .map(|(_, len)| *len)
            .sum();
        let is_clip = |op: Option<&(u8, i64)>| op.is_some_and(|(k, _)| matches!(k, b'S' | b'H'));
        let start = pos - 1;
        out.push(Supplementary {
            placement: Placement {
                contig: contig_id(fields[0]).unwrap_or(usize::MAX),
                start,
                end: start + span,
                reverse,
                clip_left: is_clip(ops.first()),
                clip_right: is_clip(ops.last()),
            },
            mapq,
        });
    }
    if out.is_empty() {
        return Err(SaError("no alignment in the tag".into()));
    }
    Ok(out)
}

/// A CIGAR string as (op, length) pairs, or `None`.
fn parse_cigar(text: &str) -> Option<Vec<(u8, i64)>> {
    let mut ops = Vec::new();
    let mut len: i64 = 0;
    let mut digits = false;
    for b in text.bytes() {
        if b.is_ascii_digit() {
            len = len.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
            digits = true;
        } else if matches!(
            b,
            b'M' | b'I' | b'D' | b'N' | b'S' | b'H' | b'P' | b'=' | b'X'
        ) {
            if !digits {
                return None;
            }
            ops.push((b, len));
            len = 0;
            digits = false;
        } else {
            return None;
        }
    }
    (!digits && !ops.is_empty()).then_some(ops)
}

/// The reads of one fusion seen so far, by name: evidence of the first, last and unpaired read.
#[derive(Default)]
struct Fragments {
    by_name: HashMap<Vec<u8>, [Option<ReadEvidence>; 2]>,
}

/// Threads reading the windows at most, and the windows a thread is worth at least.
const MAX_THREADS: usize = 4;
const WINDOWS_PER_THREAD: usize = 8;

/// What one sweep has gathered: the fragments of each fusion and the unparsable SA
/// tags (one warning per read name, with the name).
struct Tally {
    fragments: Vec<Fragments>,
    warned: HashSet<Vec<u8>>,
    warnings: Vec<(Vec<u8>, String)>,
    /// The aligned blocks of the read being taken (kept to reuse its memory).
    blocks: Vec<(i64, i64)>,
}

impl Tally {
    fn new(sites: usize) -> Self {
        Tally {
            fragments: (0..sites).map(|_| Fragments::default()).collect(),
            warned: HashSet::new(),
            warnings: Vec::new(),
            blocks: Vec::new(),
        }
    }

    /// Adds the tally of the sweep over later windows: a read both saw (it overlaps
    /// windows of both) is the same record, taken once.
    fn absorb(&mut self, other: Tally) {
        for (mine, theirs) in self.fragments.iter_mut().zip(other.fragments) {
            for (name, reads) in theirs.by_name {
                let entry = mine.by_name.entry(name).or_default();
                for (slot, read) in entry.iter_mut().zip(reads) {
                    if slot.is_none() {
                        *slot = read;
                    }
                }
            }
        }
        for (name, message) in other.warnings {
            if self.warned.insert(name.clone()) {
                self.warnings.push((name, message));
            }
        }
    }
}

impl Fragments {
    fn tally(&self, row: &FusionRow) -> FusionCount {
        let mut count = FusionCount {
            row: row.clone(),
            split: 0,
            discordant: 0,
            ref_a: 0,
            ref_b: 0,
        };
        for [first, last] in self.by_name.values() {
            match classify(first.as_ref(), last.as_ref()) {
                FragmentClass::Split => count.split += 1,
                FragmentClass::Discordant => count.discordant += 1,
                FragmentClass::Reference(a, b) => {
                    count.ref_a += u32::from(a);
                    count.ref_b += u32::from(b);
                }
                FragmentClass::Uninformative => {}
            }
        }
        count
    }
}

/// Counts the fragments of each fusion of `fusions` in the BAM at `path`.
///
/// `source` names where the fusions came from (the TSV, or the tracked fusions) for
/// errors. Each partner's reads are fetched through the index over `±window` bp around
/// its edge (the whole file is read, with a warning, without a usable index).
///
/// # Errors
/// [`Error::Parse`] naming the fusion's line and column when a contig is not in the
/// BAM header; [`Error::Io`] or [`Error::Record`] for an unreadable or unsorted BAM.
pub fn count_fusions(
    path: &Path,
    source: &Path,
    fusions: &[FusionRow],
    options: FusionOptions,
) -> Result<FusionResult> {
    count(path, source, fusions, options, true, None)
}

/// As [`count_fusions`], but a fusion on a contig the BAM lacks (or beyond its end) is
/// left out of `counts` with a warning naming it, not an error (`ingest bam` of a
/// patient's tracked fusions: a panel BAM whose header lists only its targets' contigs).
///
/// # Errors
/// As [`count_fusions`], but for missing contigs.
pub fn count_fusions_present(
    path: &Path,
    source: &Path,
    fusions: &[FusionRow],
    options: FusionOptions,
) -> Result<FusionResult> {
    count(path, source, fusions, options, false, None)
}

/// `threads`: how many sweeps share the windows (`None`: one per core, up to
/// [`MAX_THREADS`], and no more than one per [`WINDOWS_PER_THREAD`] windows).
fn count(
    path: &Path,
    source: &Path,
    fusions: &[FusionRow],
    options: FusionOptions,
    strict: bool,
    threads: Option<usize>,
) -> Result<FusionResult> {
    let mut bam = OpenBam::open(path)?;
    let mut sites = Vec::with_capacity(fusions.len());
    let mut kept: Vec<&FusionRow> = Vec::with_capacity(fusions.len());
    let mut warnings = Vec::new();
    for row in fusions {
        let j = &row.junction;
        let resolve = |raw: &str, pos: u64, keeps_left: bool, field: &str| {
            let contig = bam
                .contig(raw, &normalize_contig(raw))
                .ok_or_else(|| Error::parse(source, row.line, field, bam.missing_contig(raw)))?;
            let length = bam.contig_length(contig);
            if length > 0 && pos > length {
                return Err(Error::parse(
                    source,
                    row.line,
                    field,
                    format!(
                        "position {pos} is beyond the end of contig '{raw}' ({length} bp in {})",
                        path.display()
                    ),
                ));
            }
            let pos = pos as i64;
            Ok(Side {
                contig,
                edge: if keeps_left { pos } else { pos - 1 },
                keeps_left,
            })
        };
        let resolved = resolve(&j.a.chrom, j.a.pos, j.orientation.a_keeps_left(), "chrom_a")
            .and_then(|a| {
                resolve(&j.b.chrom, j.b.pos, j.orientation.b_keeps_left(), "chrom_b")
                    .map(|b| Site { a, b })
            });
        match resolved {
            Ok(site) => {
                sites.push(site);
                kept.push(row);
            }
            Err(e) if !strict => {
                warnings.push(format!("fusion {row} not counted: {e}"));
            }
            Err(e) => return Err(e),
        }
    }
    let filters = CountOptions {
        min_mapq: options.min_mapq,
        min_bq: 0,
        fragment_level: true,
    };
    let window = reach(&options);
    let reader = Reader {
        path,
        names: &bam.names,
        options,
        filters,
        sites: &sites,
    };
    let mut tally = Tally::new(sites.len());
    if let Some(index) = &bam.index {
        let windows = windows(&sites, window, |id| bam.contig_length(id));
        // One sweep per thread, each with its own file handle, taking the next window
        // no sweep has taken (so a thread the machine holds back delays one window, not
        // a share fixed beforehand); each sweep's windows come in file order.
        let fixed = threads.is_some();
        let threads = threads
            .unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map_or(1, std::num::NonZero::get)
                    .min(MAX_THREADS)
                    .min(windows.len().div_ceil(WINDOWS_PER_THREAD))
            })
            .max(1);
        let next = AtomicUsize::new(0);
        let windows = &windows;
        // The windows of sweep `t`: the next untaken one, or (tests) every `threads`-th.
        let claim = |t: usize| {
            let next = &next;
            let mut k = 0;
            std::iter::from_fn(move || {
                let i = if fixed {
                    t + k * threads
                } else {
                    next.fetch_add(1, Ordering::Relaxed)
                };
                k += 1;
                windows.get(i).copied()
            })
        };
        let names = &bam.names;
        let reader = &reader;
        let others = std::thread::scope(|scope| {
            let spawned: Vec<_> = (1..threads)
                .map(|t| {
                    let mine = claim(t);
                    scope.spawn(move || {
                        let file = File::open(path).map_err(|e| Error::io(path, e))?;
                        let mut bam_reader = bam::io::Reader::new(file);
                        let mut tally = Tally::new(reader.sites.len());
                        read_windows(path, &mut bam_reader, names, index, mine, |r, n, label| {
                            reader.take(r, n, label, &mut tally)
                        })?;
                        Ok::<_, Error>(tally)
                    })
                })
                .collect();
            let mine = read_windows(
                path,
                &mut bam.reader,
                names,
                index,
                claim(0),
                |r, n, label| reader.take(r, n, label, &mut tally),
            );
            let others: Vec<Result<Tally>> = spawned
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect();
            mine.map(|()| others)
        })?;
        for other in others {
            tally.absorb(other?);
        }
    } else {
        let label = "reading the whole file";
        let mut record = bam::Record::default();
        let mut n = 0u64;
        loop {
            n += 1;
            match bam.reader.read_record(&mut record) {
                Ok(0) => break,
                Ok(_) => reader.take(&record, n, label, &mut tally)?,
                Err(e) => return Err(record_error(path, n, label, "record", e)),
            }
        }
    }
    warnings.extend(tally.warnings.into_iter().map(|(_, message)| message));
    let fragments = tally.fragments;
    let counts = kept
        .iter()
        .zip(&fragments)
        .map(|(row, f)| f.tally(row))
        .collect();
    Ok(FusionResult {
        counts,
        warnings,
        access: bam.access,
    })
}

/// The stretches of the reference whose reads can matter: `±reach` bp around every
/// edge, clipped to the contig (`length` of a reference id, 0 when unknown), as
/// 0-based half-open `(contig, start, end)`, sorted and merged where they overlap.
fn windows(sites: &[Site], reach: i64, length: impl Fn(usize) -> u64) -> Vec<(usize, i64, i64)> {
    let mut all: Vec<(usize, i64, i64)> = sites
        .iter()
        .flat_map(|site| [site.a, site.b])
        .map(|side| {
            let end = match length(side.contig) {
                0 => side.edge + reach,
                length => (side.edge + reach).min(length as i64),
            };
            let start = (side.edge - reach).max(0);
            (side.contig, start, end.max(start + 1))
        })
        .collect();
    all.sort_unstable();
    let mut merged: Vec<(usize, i64, i64)> = Vec::with_capacity(all.len());
    for (contig, start, end) in all {
        match merged.last_mut() {
            Some((c, _, last)) if *c == contig && start <= *last => *last = (*last).max(end),
            _ => merged.push((contig, start, end)),
        }
    }
    merged
}

/// Hands `take` every record the index places in `windows` (some of those of
/// [`windows`], in their order) once, in file order, with its 1-based number within the
/// window and the window's name; a record reaching a window is handed over once even when
/// it reaches later ones too.
///
/// One forward pass: the index's chunks of each window are read from where the pass
/// stands (never going back over records already read, so a BGZF block shared by
/// windows is decompressed once), and a window ends at its first record starting past
/// it (the file is sorted), as htslib's iterator does, rather than at the end of the
/// chunk. That record is kept for the next window.
fn read_windows(
    path: &Path,
    reader: &mut bam::io::Reader<bgzf::io::Reader<File>>,
    names: &[String],
    index: &bam::Index,
    windows: impl IntoIterator<Item = (usize, i64, i64)>,
    mut take: impl FnMut(&bam::Record, u64, &str) -> Result<()>,
) -> Result<()> {
    let mut record = bam::Record::default();
    // Everything before `resume` has been read (and taken, or is of no window); when
    // `held`, `record` holds the record starting at `resume`, read but not yet taken.
    let mut resume = VirtualPosition::default();
    let mut held = false;
    for (contig, start, end) in windows {
        let name = names[contig].as_str();
        let (first, last) = (start + 1, end);
        let label = format!("{name}:{first}-{last}");
        let interval = (super::position(first as u64)?..=super::position(last as u64)?).into();
        let chunks = index
            .query(contig, interval)
            .map_err(|e| Error::io(path, e))?;
        let mut n = 0u64;
        'chunks: for chunk in chunks {
            if chunk.end() <= resume {
                continue;
            }
            let from = chunk.start().max(resume);
            if !(held && from == resume) {
                held = false;
                seek(reader.get_mut(), from).map_err(|e| Error::io(path, e))?;
            }
            loop {
                let at = if held {
                    held = false;
                    resume
                } else {
                    let at = reader.get_ref().virtual_position();
                    if at >= chunk.end() {
                        break;
                    }
                    n += 1;
                    match reader.read_record(&mut record) {
                        Ok(0) => break 'chunks,
                        Ok(_) => at,
                        Err(e) => return Err(record_error(path, n, &label, "record", e)),
                    }
                };
                let place = record
                    .reference_sequence_id()
                    .transpose()
                    .map_err(|e| record_error(path, n, &label, "rname", e))?;
                let begins = record
                    .alignment_start()
                    .transpose()
                    .map_err(|e| record_error(path, n, &label, "pos", e))?;
                let begins = begins.map(|pos| usize::from(pos) as i64 - 1);
                let past = match (place, begins) {
                    (Some(id), Some(pos)) => (id, pos) >= (contig, end),
                    (Some(id), None) => id > contig,
                    (None, _) => true, // the unplaced reads at the end of the file
                };
                if past {
                    resume = at;
                    held = true;
                    break 'chunks;
                }
                // Most records of a chunk end before the window: skip them undecoded.
                let reaches = match (place, begins) {
                    (Some(id), Some(pos)) if id == contig => {
                        pos >= start || {
                            let span = record
                                .cigar()
                                .alignment_span()
                                .map_err(|e| record_error(path, n, &label, "cigar", e))?;
                            pos + (span as i64).max(1) > start
                        }
                    }
                    _ => false,
                };
                if reaches {
                    take(&record, n, &label)?;
                }
                resume = reader.get_ref().virtual_position();
            }
        }
    }
    Ok(())
}

/// Moves `reader` to `to`, within the block already decompressed when `to` lies ahead in it.
fn seek(reader: &mut bgzf::io::Reader<File>, to: VirtualPosition) -> std::io::Result<()> {
    use std::io::BufRead;
    let here = reader.virtual_position();
    if here == to {
        return Ok(());
    }
    if here.compressed() == to.compressed() && here.uncompressed() < to.uncompressed() {
        let ahead = usize::from(to.uncompressed() - here.uncompressed());
        // An exhausted block reads as the next one's start: load that one first.
        let available = reader.fill_buf()?.len();
        if reader.virtual_position() == here && ahead <= available {
            reader.consume(ahead);
            return Ok(());
        }
    }
    reader.seek(to).map(|_| ())
}

/// How far from an edge (bp) a read can matter to it: the widest window, plus one.
fn reach(options: &FusionOptions) -> i64 {
    i64::from(
        options
            .insert_window
            .max(options.clip_window)
            .max(options.anchor),
    ) + 1
}

/// Turns records into evidence about `sites`.
struct Reader<'a> {
    path: &'a Path,
    names: &'a [String],
    options: FusionOptions,
    filters: CountOptions,
    sites: &'a [Site],
}

impl Reader<'_> {
    /// Takes one record into `tally`.
    fn take(&self, record: &bam::Record, n: u64, region: &str, tally: &mut Tally) -> Result<()> {
        let sites = self.sites;
        let Some(header) = filter(record, self.filters, self.path, n, region)? else {
            return Ok(());
        };
        let flags = record.flags();
        let reach = reach(&self.options);
        let relevant = |s: &Side| {
            s.contig == header.reference_id
                && header.start < s.edge + reach
                && header.end > s.edge - reach
        };
        if !sites
            .iter()
            .any(|site| relevant(&site.a) || relevant(&site.b))
        {
            return Ok(());
        }
        let name: &[u8] = match record.name() {
            Some(name) => name,
            None => &[],
        };
        let slot = usize::from(flags.is_segmented() && flags.is_last_segment());
        let mut blocks = std::mem::take(&mut tally.blocks);
        blocks.clear();
        let (mut clip_left, mut clip_right) = (false, false);
        let mut pos = header.start;
        let mut run: Option<i64> = None;
        let mut first_op = true;
        for op in record.cigar().iter() {
            let op = op.map_err(|e| record_error(self.path, n, region, "cigar", e))?;
            let len = op.len() as i64;
            let is_clip = matches!(op.kind(), Kind::SoftClip | Kind::HardClip);
            if first_op {
                clip_left = is_clip;
                first_op = false;
            }
            clip_right = is_clip;
            match op.kind() {
                Kind::Match | Kind::SequenceMatch | Kind::SequenceMismatch => {
                    run.get_or_insert(pos);
                    pos += len;
                }
                kind => {
                    if let Some(start) = run.take() {
                        blocks.push((start, pos));
                    }
                    if matches!(kind, Kind::Deletion | Kind::Skip) {
                        pos += len;
                    }
                }
            }
        }
        if let Some(start) = run.take() {
            blocks.push((start, pos));
        }
        let primary = Placement {
            contig: header.reference_id,
            start: header.start,
            end: header.end,
            reverse: flags.is_reverse_complemented(),
            clip_left,
            clip_right,
        };
        let mut supplementary: Option<Vec<Supplementary>> = None;
        let k = i64::from(self.options.anchor);
        let window = i64::from(self.options.insert_window);
        for (site, i) in sites.iter().zip(0..) {
            if !(relevant(&site.a) || relevant(&site.b)) {
                continue;
            }
            let seen = tally.fragments[i].by_name.get(name).copied();
            if seen.is_some_and(|reads| reads[slot].is_some()) {
                continue; // the same record, read again from the partner's region
            }
            let mut evidence = ReadEvidence {
                near_a: near(&site.a, &primary, window),
                near_b: near(&site.b, &primary, window),
                spans_a: spans(&site.a, primary.contig, &blocks, k),
                spans_b: spans(&site.b, primary.contig, &blocks, k),
                split: false,
            };
            if may_be_split(site, &primary, &self.options) {
                if supplementary.is_none() {
                    supplementary = Some(self.supplementary(record, name, n, region, tally));
                }
                evidence.split = is_split(
                    site,
                    &primary,
                    supplementary.as_deref().unwrap_or(&[]),
                    &self.options,
                );
            }
            let by_name = &mut tally.fragments[i].by_name;
            match by_name.get_mut(name) {
                Some(reads) => reads[slot] = Some(evidence),
                None => {
                    let mut reads = seen.unwrap_or_default();
                    reads[slot] = Some(evidence);
                    by_name.insert(name.to_vec(), reads);
                }
            }
        }
        tally.blocks = blocks;
        Ok(())
    }

    /// The alignments of the record's SA tag; none (and one warning per read) when it does not parse.
    fn supplementary(
        &self,
        record: &bam::Record,
        name: &[u8],
        n: u64,
        region: &str,
        tally: &mut Tally,
    ) -> Vec<Supplementary> {
        let parsed = match record.data().get(&Tag::OTHER_ALIGNMENTS) {
            None => return Vec::new(),
            Some(Ok(Value::String(text))) => {
                let text = String::from_utf8_lossy(text);
                parse_sa(&text, |c| self.names.iter().position(|n| n == c))
                    .map_err(|e| format!("SA tag '{text}' does not parse: {}", e.0))
            }
            Some(Ok(_)) => Err("SA tag is not a string (Z)".to_string()),
            Some(Err(e)) => Err(format!("SA tag cannot be read: {e}")),
        };
        match parsed {
            Ok(list) => list,
            Err(message) => {
                if tally.warned.insert(name.to_vec()) {
                    let message = format!(
                        "{}: record {n} (read '{}', {region}): {message}; the read is not counted as split",
                        self.path.display(),
                        String::from_utf8_lossy(name)
                    );
                    tally.warnings.push((name.to_vec(), message));
                }
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Side = Side {
        contig: 0,
        edge: 1000,
        keeps_left: true,
    };
    const B: Side = Side {
        contig: 1,
        edge: 4999,
        keeps_left: false,
    };
    const SITE: Site = Site { a: A, b: B };

    fn place(contig: usize, start: i64, end: i64, reverse: bool, clips: (bool, bool)) -> Placement {
        Placement {
            contig,
            start,
            end,
            reverse,
            clip_left: clips.0,
            clip_right: clips.1,
        }
    }

    fn sa(p: Placement, mapq: u8) -> Supplementary {
        Supplementary { placement: p, mapq }
    }

    #[test]
    fn a_split_read_needs_both_clips_at_their_edges_and_consistent_strands() {
        let o = FusionOptions::default();
        // 60M40S ending at A's edge, SA 60S40M starting at B's edge, same strand (+-).
        let primary = place(0, 940, 1000, false, (false, true));
        let good = sa(place(1, 4999, 5039, false, (true, false)), 60);
        assert!(is_split(&SITE, &primary, &[good], &o));
        // Within W = 5 of the edge, not beyond.
        let near_edge = sa(place(1, 5004, 5044, false, (true, false)), 60);
        assert!(is_split(&SITE, &primary, &[near_edge], &o));
        let far = sa(place(1, 5005, 5045, false, (true, false)), 60);
        assert!(!is_split(&SITE, &primary, &[far], &o));
        // The opposite strand is not a +- junction read.
        let flipped = sa(place(1, 4999, 5039, true, (true, false)), 60);
        assert!(!is_split(&SITE, &primary, &[flipped], &o));
        // The clip on the wrong side of the SA alignment.
        let wrong_side = sa(place(1, 4999, 5039, false, (false, true)), 60);
        assert!(!is_split(&SITE, &primary, &[wrong_side], &o));
        // An SA below the MAPQ floor.
        assert!(!is_split(&SITE, &primary, &[sa(good.placement, 10)], &o));
        // The primary on B, the SA on A: also split.
        let on_b = place(1, 4999, 5080, true, (true, false));
        let back = sa(place(0, 950, 1000, true, (false, true)), 60);
        assert!(is_split(&SITE, &on_b, &[back], &o));
        // ++: opposite strands.
        let plus_plus = Site {
            a: A,
            b: Side {
                keeps_left: true,
                ..B
            },
        };
        let b_left = sa(place(1, 4940, 4999, true, (false, true)), 60);
        assert!(is_split(&plus_plus, &primary, &[b_left], &o));
        assert!(!is_split(
            &plus_plus,
            &primary,
            &[sa(place(1, 4940, 4999, false, (false, true)), 60)],
            &o
        ));
    }

    #[test]
    fn near_means_on_the_kept_side_within_the_window_pointing_at_the_edge() {
        assert!(near(&A, &place(0, 800, 900, false, (false, false)), 1000));
        assert!(!near(&A, &place(0, 800, 900, true, (false, false)), 1000));
        assert!(!near(&A, &place(0, 950, 1050, false, (false, false)), 1000));
        assert!(!near(&A, &place(0, -1, 99, false, (false, false)), 1000));
        assert!(near(&A, &place(0, 0, 100, false, (false, false)), 1000));
        assert!(near(&B, &place(1, 5500, 5600, true, (false, false)), 1000));
        assert!(!near(&B, &place(1, 5950, 6050, true, (false, false)), 1000));
    }

    #[test]
    fn spanning_needs_k_aligned_bases_each_side_in_one_block() {
        assert!(spans(&A, 0, &[(990, 1010)], 10));
        assert!(!spans(&A, 0, &[(991, 1100)], 10));
        assert!(!spans(&A, 0, &[(900, 1000), (1000, 1100)], 10));
        assert!(!spans(&A, 1, &[(900, 1100)], 10));
    }

    #[test]
    fn a_fragment_counts_once_with_split_before_discordant_before_reference() {
        let split = ReadEvidence {
            split: true,
            ..Default::default()
        };
        let near_a = ReadEvidence {
            near_a: true,
            ..Default::default()
        };
        let near_b = ReadEvidence {
            near_b: true,
            ..Default::default()
        };
        let spans_a = ReadEvidence {
            spans_a: true,
            ..Default::default()
        };
        assert_eq!(classify(Some(&split), Some(&split)), FragmentClass::Split);
        assert_eq!(classify(Some(&split), Some(&near_b)), FragmentClass::Split);
        assert_eq!(
            classify(Some(&near_a), Some(&near_b)),
            FragmentClass::Discordant
        );
        assert_eq!(
            classify(Some(&near_b), Some(&near_a)),
            FragmentClass::Discordant
        );
        assert_eq!(classify(Some(&near_a), None), FragmentClass::Uninformative);
        assert_eq!(
            classify(Some(&spans_a), Some(&spans_a)),
            FragmentClass::Reference(true, false)
        );
        assert_eq!(
            classify(Some(&near_a), Some(&near_a)),
            FragmentClass::Uninformative
        );
    }

    #[test]
    fn the_sweep_through_the_index_counts_as_reading_the_whole_file() {
        // The fixture's junctions, and fusions whose windows overlap them, touch them,
        // lie a little apart on one contig (the same BGZF block) or share a partner.
        let dir = tempfile::tempdir().unwrap();
        let bam =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/liquid/fusion_junctions.bam");
        let unindexed = dir.path().join("unindexed.bam");
        std::fs::copy(&bam, &unindexed).unwrap();
        let tsv = dir.path().join("fusions.tsv");
        std::fs::write(
            &tsv,
            "chrom_a\tpos_a\tchrom_b\tpos_b\torientation\tgene\n\
             chr22\t29683123\tchr11\t128651853\t+-\tEWSR1-FLI1\n\
             chr18\t23632000\tchrX\t48120000\t--\tSS18-SSX1\n\
             chr22\t29683400\tchr11\t128651600\t++\toverlapping\n\
             chr22\t29681100\tchr22\t29685200\t-+\ttouching\n\
             chr22\t29682500\tchr22\t29683700\t--\tone-contig\n\
             chr11\t128651853\tchr18\t23632000\t-+\tshared\n\
             chr22\t1000500\tchrX\t48121000\t+-\tfar\n",
        )
        .unwrap();
        let mut rows = crate::ingest::fusions::read(&tsv).unwrap();
        // The first junction once more (a fusions file refuses a repeat; tracked fusions
        // of two sources may hold one): counted the same as the first.
        let mut again = rows[0].clone();
        again.junction.genes = Some("again".into());
        rows.insert(2, again);
        let option_sets = [
            FusionOptions::default(),
            FusionOptions {
                min_mapq: 0,
                clip_window: 10,
                insert_window: 300,
                anchor: 20,
            },
            FusionOptions {
                insert_window: 3000,
                ..FusionOptions::default()
            },
        ];
        for options in option_sets {
            let scanned = count_fusions(&unindexed, &tsv, &rows, options).unwrap();
            assert!(matches!(scanned.access, Access::Scan(_)));
            // One sweep, or the windows shared by several (a fragment's mates, and a
            // bad SA tag's read, then seen by two).
            for threads in [1, 2, 3, 7] {
                let split = count(&bam, &tsv, &rows, options, true, Some(threads)).unwrap();
                assert_eq!(
                    split.counts, scanned.counts,
                    "{options:?}, {threads} threads"
                );
                assert_eq!(split.warnings.len(), scanned.warnings.len());
            }
            let indexed = count_fusions(&bam, &tsv, &rows, options).unwrap();
            assert!(matches!(indexed.access, Access::Index(_)));
            assert_eq!(indexed.counts, scanned.counts, "{options:?}");
            // The same unparsable SA tags, named by record and window or by record in the file.
            assert_eq!(
                indexed.warnings.len(),
                scanned.warnings.len(),
                "{options:?}"
            );
            let c = &indexed.counts[0];
            assert!(
                c.split > 0 && c.discordant > 0 && c.ref_a > 0 && c.ref_b > 0,
                "{c:?}"
            );
            assert_eq!(indexed.counts[2].split, c.split);
        }
    }

    /// (name, flags, contig, 0-based start) of a record.
    fn identity(record: &bam::Record) -> (Vec<u8>, u16, usize, i64) {
        (
            record.name().map(|n| n.to_vec()).unwrap_or_default(),
            u16::from(record.flags()),
            record.reference_sequence_id().unwrap().unwrap(),
            usize::from(record.alignment_start().unwrap().unwrap()) as i64 - 1,
        )
    }

    #[test]
    fn the_window_sweep_hands_over_each_record_overlapping_a_window_once() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/liquid/fusion_junctions.bam");
        // Every placed record and its end, from reading the whole file.
        let mut all = Vec::new();
        let mut reader = bam::io::Reader::new(File::open(&path).unwrap());
        reader.read_header().unwrap();
        let mut record = bam::Record::default();
        while reader.read_record(&mut record).unwrap() > 0 {
            if record.reference_sequence_id().is_some() {
                let span = record.cigar().alignment_span().unwrap() as i64;
                let id = identity(&record);
                let end = id.3 + span.max(1);
                all.push((id, end));
            }
        }
        // chr22 (id 2) holds reads over 29,681,000-29,684,000: windows of 1 to 300 bp,
        // 0 to 120 bp apart, so that windows end just before, inside or after reads and
        // share BGZF blocks; with windows on other contigs before and after.
        for (width, gap) in [(1, 0), (7, 1), (40, 3), (150, 17), (300, 120), (90, 60)] {
            let mut windows = vec![(1, 23_631_500, 23_632_300)];
            let mut start = 29_680_900;
            while start < 29_684_200 {
                windows.push((2, start, start + width));
                start += width + gap + 1;
            }
            windows.push((3, 48_119_000, 48_121_500));
            // All of them, or every second or third (a sweep sharing them with others).
            for (skip, step) in [(0, 1), (1, 2), (0, 3)] {
                let mine: Vec<_> = windows.iter().copied().skip(skip).step_by(step).collect();
                let mut bam = OpenBam::open(&path).unwrap();
                let index = bam.index.take().unwrap();
                let mut seen = Vec::new();
                read_windows(
                    &path,
                    &mut bam.reader,
                    &bam.names,
                    &index,
                    mine.iter().copied(),
                    |r, _, _| {
                        seen.push(identity(r));
                        Ok(())
                    },
                )
                .unwrap();
                let expected: Vec<_> = all
                    .iter()
                    .filter(|((_, _, contig, start), end)| {
                        mine.iter()
                            .any(|&(c, s, e)| c == *contig && *start < e && *end > s)
                    })
                    .map(|(id, _)| id.clone())
                    .collect();
                assert!(expected.len() > 80, "{width} {gap}: {}", expected.len());
                let differs = seen.iter().zip(&expected).position(|(a, b)| a != b);
                assert!(
                    seen == expected,
                    "windows of {width} bp, {gap} bp apart, every {step}th from {skip}: {} records handed over, {} expected, first difference at {differs:?}",
                    seen.len(),
                    expected.len()
                );
            }
        }
    }

    #[test]
    fn sa_tags_parse_or_say_what_is_wrong() {
        let ids = |c: &str| match c {
            "chr11" => Some(1),
            _ => None,
        };
        let list = parse_sa("chr11,5000,+,60S40M,60,0;chr9,10,-,10M,3,1;", ids).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            list[0].placement,
            place(1, 4999, 5039, false, (true, false))
        );
        assert_eq!(list[1].placement.contig, usize::MAX);
        assert_eq!(list[1].mapq, 3);
        for bad in [
            "chr11,5000,+,60S40M,60",
            "chr11,x,+,10M,60,0",
            "chr11,5,*,10M,60,0",
            "chr11,5,+,10Q,60,0",
            "chr11,5,+,10M,999,0",
            "",
        ] {
            assert!(parse_sa(bad, ids).is_err(), "{bad}");
        }
    }
}
