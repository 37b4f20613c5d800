//! Allele counts at loci read from indexed BAM files; agrees with `samtools mpileup -A -B -q MQ -Q BQ` (htslib 1.16).
//!
//! Reads are fetched through the `.bai`/`.csi` index, one query per group of nearby
//! loci (a full scan, with a warning, when the index is missing or older than the
//! BAM). A read counts at a locus when it is mapped, primary, not supplementary,
//! QC-failed or duplicate, has MAPQ ≥ the floor (MAPQ 255 counts as 255) and an
//! aligned base (M, =, X) there with base quality ≥ the floor. Overlapping mates of a
//! properly paired fragment count once: htslib's `tweak_overlap_quality` is
//! reproduced exactly (the pair's base qualities are summed into one mate and
//! zeroed in the other where bases agree; where they disagree the better base keeps
//! 80 % of its quality and the other is zeroed), so the base-quality floor then drops
//! the duplicate. `fragment_level = false` is `samtools mpileup -x`.
//!
//! Only SNVs are counted: a locus whose REF or ALT is not one base is reported back
//! as skipped.

use super::loci::LocusRow;
use super::vcf::normalize_contig;
use crate::error::{Error, Result};
use noodles::bam;
use noodles::core::{Position, Region};
use noodles::csi;
use noodles::sam::alignment::record::cigar::op::Kind;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Loci closer than this (bp) are fetched with one index query.
const MERGE_DISTANCE: u64 = 1000;

/// How reads and bases are filtered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountOptions {
    /// Minimum mapping quality (samtools `-q`).
    pub min_mapq: u8,
    /// Minimum base quality (samtools `-Q`).
    pub min_bq: u8,
    /// Count a fragment once where its mates overlap (samtools default; `false` = `-x`).
    pub fragment_level: bool,
}

impl Default for CountOptions {
    fn default() -> Self {
        CountOptions {
            min_mapq: 20,
            min_bq: 20,
            fragment_level: true,
        }
    }
}

/// Base counts at one locus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BaseCounts {
    /// Counts of A, C, G, T and N (any other letter).
    pub bases: [u32; 5],
}

impl BaseCounts {
    /// Bases counted (A + C + G + T + N; deletions are not counted).
    pub fn depth(&self) -> u32 {
        self.bases.iter().sum()
    }

    /// The count of a single-base allele (0 for anything else).
    pub fn of(&self, allele: &str) -> u32 {
        match allele.to_ascii_uppercase().as_str() {
            "A" => self.bases[0],
            "C" => self.bases[1],
            "G" => self.bases[2],
            "T" => self.bases[3],
            "N" => self.bases[4],
            _ => 0,
        }
    }
}

/// The counts of one locus of the request.
#[derive(Debug, Clone, PartialEq)]
pub struct LocusCount {
    /// The locus as requested.
    pub row: LocusRow,
    /// What was counted.
    pub counts: BaseCounts,
    /// REF count.
    pub ref_count: u32,
    /// ALT count.
    pub alt_count: u32,
    /// ALT / depth, `None` at depth 0.
    pub vaf: Option<f64>,
}

/// How the reads were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Through this index file.
    Index(PathBuf),
    /// By reading the whole BAM, for this reason.
    Scan(String),
}

/// The result of counting a BAM.
#[derive(Debug, Clone, PartialEq)]
pub struct CountResult {
    /// One entry per counted (SNV) locus, in request order.
    pub counts: Vec<LocusCount>,
    /// Loci not counted (not single-base substitutions).
    pub skipped: Vec<LocusRow>,
    /// Index used, or why the file was scanned.
    pub access: Access,
}

/// One alignment as the counter needs it.
#[derive(Debug, Clone)]
struct Alignment {
    name: Vec<u8>,
    reference_id: usize,
    /// 0-based start and exclusive end on the reference.
    start: i64,
    end: i64,
    proper_pair: bool,
    paired: bool,
    mate_unmapped: bool,
    mate_reference_id: Option<usize>,
    /// 0-based mate start, -1 when absent.
    mate_start: i64,
    template_length: i32,
    cigar: Vec<(Kind, i64)>,
    sequence: Vec<u8>,
    qualities: Vec<u8>,
}

/// Counts A, C, G, T and N at each SNV locus of `loci` in `path`.
///
/// # Errors
/// [`Error::Io`] when the BAM cannot be read, [`Error::Parse`] naming the loci file
/// line when a contig is not in the BAM header (`loci_path` names that file), or
/// naming the BAM record when a record is malformed.
pub fn count_alleles(
    path: &Path,
    loci_path: &Path,
    loci: &[LocusRow],
    options: CountOptions,
) -> Result<CountResult> {
    let file = super::open_regular(path)?;
    let mut reader = bam::io::Reader::new(file);
    let header = reader.read_header().map_err(|e| Error::io(path, e))?;
    let names: Vec<String> = header
        .reference_sequences()
        .keys()
        .map(|k| k.to_string())
        .collect();

    let mut targets: Vec<(usize, u64, usize)> = Vec::new(); // (reference id, pos, index into loci)
    let mut skipped = Vec::new();
    for (i, row) in loci.iter().enumerate() {
        if row.locus.reference.len() != 1 || row.locus.alt.len() != 1 {
            skipped.push(row.clone());
            continue;
        }
        let id = names
            .iter()
            .position(|n| *n == row.chrom_raw)
            .or_else(|| {
                names
                    .iter()
                    .position(|n| normalize_contig(n) == row.locus.chrom)
            })
            .ok_or_else(|| {
                Error::parse(
                    loci_path,
                    row.line,
                    "chrom",
                    format!(
                        "contig '{}' is not in {} (it has {})",
                        row.chrom_raw,
                        path.display(),
                        summarise(&names)
                    ),
                )
            })?;
        targets.push((id, row.locus.pos, i));
    }
    targets.sort();

    // Groups of nearby loci, each fetched at once.
    let mut groups: Vec<Vec<(usize, u64, usize)>> = Vec::new();
    for target in targets {
        match groups.last_mut() {
            Some(group)
                if group[0].0 == target.0
                    && target.1 - group[group.len() - 1].1 <= MERGE_DISTANCE =>
            {
                group.push(target)
            }
            _ => groups.push(vec![target]),
        }
    }

    let (access, index) = find_index(path);
    let mut per_locus: Vec<Option<BaseCounts>> = vec![None; loci.len()];
    match index {
        Some(index) => {
            for group in &groups {
                let (id, first, _) = group[0];
                let last = group[group.len() - 1].1;
                let region = Region::new(names[id].as_str(), position(first)?..=position(last)?);
                let query = reader
                    .query(&header, &index, &region)
                    .map_err(|e| Error::io(path, e))?;
                let mut alignments = Vec::new();
                for (n, result) in query.records().enumerate() {
                    let record = result.map_err(|e| bam_error(path, n, e))?;
                    if let Some(a) = decode(&record, options, path, n)? {
                        alignments.push(a);
                    }
                }
                count_group(&alignments, group, options, &mut per_locus);
            }
        }
        None => {
            // One pass over the whole file, alignments kept only near requested loci.
            let mut buckets: Vec<Vec<Alignment>> = vec![Vec::new(); groups.len()];
            let mut record = bam::Record::default();
            let mut n = 0usize;
            loop {
                match reader.read_record(&mut record) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(e) => return Err(bam_error(path, n, e)),
                }
                if let Some(a) = decode(&record, options, path, n)? {
                    for (g, group) in groups.iter().enumerate() {
                        let (id, first, _) = group[0];
                        let last = group[group.len() - 1].1 as i64;
                        if a.reference_id == id && a.start < last && a.end >= first as i64 {
                            buckets[g].push(a.clone());
                        }
                    }
                }
                n += 1;
            }
            for (group, alignments) in groups.iter().zip(&buckets) {
                count_group(alignments, group, options, &mut per_locus);
            }
        }
    }

    let counts = loci
        .iter()
        .zip(per_locus)
        .filter_map(|(row, counts)| {
            let counts = counts?;
            let ref_count = counts.of(&row.locus.reference);
            let alt_count = counts.of(&row.locus.alt);
            let depth = counts.depth();
            Some(LocusCount {
                row: row.clone(),
                counts,
                ref_count,
                alt_count,
                vaf: (depth > 0).then(|| f64::from(alt_count) / f64::from(depth)),
            })
        })
        .collect();
    Ok(CountResult {
        counts,
        skipped,
        access,
    })
}

fn summarise(names: &[String]) -> String {
    if names.len() <= 8 {
        names.join(", ")
    } else {
        format!("{}, ... ({} contigs)", names[..8].join(", "), names.len())
    }
}

fn position(pos: u64) -> Result<Position> {
    Position::try_from(pos as usize).map_err(|e| Error::InvalidValue {
        what: "position",
        value: pos.to_string(),
        reason: e.to_string(),
    })
}

fn bam_error(path: &Path, record: usize, e: std::io::Error) -> Error {
    Error::parse(
        path,
        0,
        "record",
        format!("alignment record {}: {e}", record + 1),
    )
}

/// The `.bai` or `.csi` beside the BAM when it is at least as new as the BAM;
/// otherwise `None` and why.
fn find_index(path: &Path) -> (Access, Option<bam::Index>) {
    let candidates = [
        path.with_added_extension("bai"),
        path.with_extension("bai"),
        path.with_added_extension("csi"),
    ];
    let Some(index_path) = candidates.into_iter().find(|p| p.is_file()) else {
        return (
            Access::Scan(format!(
                "no index ({}.bai or .csi) beside {}; reading the whole file",
                path.display(),
                path.display()
            )),
            None,
        );
    };
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let (Some(bam_time), Some(index_time)) = (modified(path), modified(&index_path))
        && index_time < bam_time
    {
        return (
            Access::Scan(format!(
                "index {} is older than the BAM; reading the whole file (re-index with `samtools index`)",
                index_path.display()
            )),
            None,
        );
    }
    let is_csi = index_path.extension().is_some_and(|e| e == "csi");
    let index = if is_csi {
        csi::fs::read(&index_path).map(bam::Index::Csi)
    } else {
        bam::bai::fs::read(&index_path).map(bam::Index::Bai)
    };
    match index {
        Ok(index) => (Access::Index(index_path), Some(index)),
        Err(e) => (
            Access::Scan(format!(
                "index {} cannot be read ({e}); reading the whole file",
                index_path.display()
            )),
            None,
        ),
    }
}

/// The alignment if it passes samtools mpileup's read filters (mapped, flags, MAPQ).
fn decode(
    record: &bam::Record,
    options: CountOptions,
    path: &Path,
    n: usize,
) -> Result<Option<Alignment>> {
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
        .map_err(|e| bam_error(path, n, e))?
    else {
        return Ok(None);
    };
    let mapq = record.mapping_quality().map_or(255, u8::from);
    if mapq < options.min_mapq {
        return Ok(None);
    }
    let Some(start) = record
        .alignment_start()
        .transpose()
        .map_err(|e| bam_error(path, n, e))?
    else {
        return Ok(None);
    };
    let start = usize::from(start) as i64 - 1;
    let mut cigar = Vec::new();
    let mut span = 0i64;
    for op in record.cigar().iter() {
        let op = op.map_err(|e| bam_error(path, n, e))?;
        let len = op.len() as i64;
        if matches!(
            op.kind(),
            Kind::Match
                | Kind::SequenceMatch
                | Kind::SequenceMismatch
                | Kind::Deletion
                | Kind::Skip
        ) {
            span += len;
        }
        cigar.push((op.kind(), len));
    }
    let mate_start = match record.mate_alignment_start().transpose() {
        Ok(Some(p)) => usize::from(p) as i64 - 1,
        Ok(None) => -1,
        Err(e) => return Err(bam_error(path, n, e)),
    };
    let mate_reference_id = record
        .mate_reference_sequence_id()
        .transpose()
        .map_err(|e| bam_error(path, n, e))?;
    let sequence: Vec<u8> = record.sequence().iter().collect();
    let mut qualities = record.quality_scores().as_bytes().to_vec();
    if qualities.len() != sequence.len() {
        // A missing QUAL ('*') is 0xFF per base in BAM, which htslib compares as 255.
        qualities = vec![0xFF; sequence.len()];
    }
    Ok(Some(Alignment {
        name: record.name().map(|n| n.to_vec()).unwrap_or_default(),
        reference_id,
        start,
        end: start + span.max(1),
        proper_pair: flags.is_properly_segmented(),
        paired: flags.is_segmented(),
        mate_unmapped: flags.is_mate_unmapped(),
        mate_reference_id,
        mate_start,
        template_length: record.template_length(),
        cigar,
        sequence,
        qualities,
    }))
}

/// Counts every locus of a group from the alignments fetched for it (file order).
fn count_group(
    alignments: &[Alignment],
    group: &[(usize, u64, usize)],
    options: CountOptions,
    per_locus: &mut [Option<BaseCounts>],
) {
    let qualities: Vec<Vec<u8>> = if options.fragment_level {
        overlap_adjusted_qualities(alignments)
    } else {
        alignments.iter().map(|a| a.qualities.clone()).collect()
    };
    for &(_, pos, index) in group {
        let locus = pos as i64 - 1;
        let mut counts = BaseCounts::default();
        for (alignment, quals) in alignments.iter().zip(&qualities) {
            if alignment.start > locus || alignment.end <= locus {
                continue;
            }
            let Some(qpos) = query_position(&alignment.cigar, alignment.start, locus) else {
                continue;
            };
            let quality = quals.get(qpos).copied().unwrap_or(0);
            if quality < options.min_bq {
                continue;
            }
            let slot = match alignment.sequence.get(qpos).map(u8::to_ascii_uppercase) {
                Some(b'A') => 0,
                Some(b'C') => 1,
                Some(b'G') => 2,
                Some(b'T') => 3,
                // samtools prints '=' as a match, not a letter: not counted.
                Some(b'=') => continue,
                _ => 4,
            };
            counts.bases[slot] += 1;
        }
        per_locus[index] = Some(counts);
    }
}

/// The read position aligned (M, =, X) to 0-based reference position `locus`.
fn query_position(cigar: &[(Kind, i64)], start: i64, locus: i64) -> Option<usize> {
    let mut reference = start;
    let mut query = 0i64;
    for &(kind, len) in cigar {
        match kind {
            Kind::Match | Kind::SequenceMatch | Kind::SequenceMismatch => {
                if locus < reference + len {
                    return (locus >= reference).then(|| (query + locus - reference) as usize);
                }
                reference += len;
                query += len;
            }
            Kind::Deletion | Kind::Skip => {
                if locus < reference + len {
                    return None;
                }
                reference += len;
            }
            Kind::Insertion | Kind::SoftClip => query += len,
            Kind::HardClip | Kind::Pad => {}
        }
    }
    None
}

/// Base qualities after htslib's overlap handling (`overlap_push`), in file order:
/// a properly paired read whose mate is still to come is remembered by name; when
/// the mate arrives the two are adjusted by [`tweak_overlap_quality`].
fn overlap_adjusted_qualities(alignments: &[Alignment]) -> Vec<Vec<u8>> {
    let mut qualities: Vec<Vec<u8>> = alignments.iter().map(|a| a.qualities.clone()).collect();
    let mut waiting: HashMap<&[u8], usize> = HashMap::new();
    for (i, b) in alignments.iter().enumerate() {
        if b.mate_unmapped || !b.proper_pair {
            continue;
        }
        let other_contig = b.mate_reference_id.is_some_and(|m| m != b.reference_id);
        let far = i64::from(b.template_length).abs() >= 2 * b.sequence.len() as i64
            && b.mate_start >= b.end;
        if other_contig || far {
            continue;
        }
        match waiting.remove(b.name.as_slice()) {
            Some(a) => {
                let (left, right) = qualities.split_at_mut(i);
                tweak_overlap_quality(&alignments[a], &mut left[a], b, &mut right[0]);
            }
            None => {
                if b.mate_start >= b.start || (b.paired && b.mate_start == -1) {
                    waiting.insert(b.name.as_slice(), i);
                }
            }
        }
    }
    qualities
}

/// htslib's `__ac_X31_hash_string` then `__ac_Wang_hash`: which mate keeps its quality.
fn name_hash(name: &[u8]) -> u32 {
    let mut h: u32 = name.first().map_or(0, |c| u32::from(*c));
    if h != 0 {
        for c in &name[1..] {
            h = (h << 5).wrapping_sub(h).wrapping_add(u32::from(*c));
        }
    }
    let mut key = h;
    key = key.wrapping_add(!(key << 15));
    key ^= key >> 10;
    key = key.wrapping_add(key << 3);
    key ^= key >> 6;
    key = key.wrapping_add(!(key << 11));
    key ^= key >> 16;
    key
}

/// A CIGAR walker with htslib's `cigar_iref2iseq_set` / `_next` semantics.
struct Walker<'a> {
    cigar: &'a [(Kind, i64)],
    op: usize,
    icig: i64,
    iseq: i64,
    iref: i64,
}

const MATCH: i32 = 0;
const DONE: i32 = -1;

impl<'a> Walker<'a> {
    /// `cigar_iref2iseq_set`: the first aligned base at or after `offset` from the read start.
    fn set(cigar: &'a [(Kind, i64)], offset: i64) -> (Walker<'a>, i32) {
        let mut w = Walker {
            cigar,
            op: 0,
            icig: 0,
            iseq: 0,
            iref: 0,
        };
        let mut pos = offset;
        if pos < 0 {
            return (w, DONE);
        }
        while w.op < cigar.len() {
            let (kind, n) = cigar[w.op];
            match kind {
                Kind::SoftClip => {
                    w.op += 1;
                    w.iseq += n;
                    w.icig = 0;
                }
                Kind::HardClip | Kind::Pad => {
                    w.op += 1;
                    w.icig = 0;
                }
                Kind::Match | Kind::SequenceMatch | Kind::SequenceMismatch => {
                    pos -= n;
                    if pos < 0 {
                        w.icig = n + pos;
                        w.iseq += w.icig;
                        w.iref += w.icig;
                        return (w, MATCH);
                    }
                    w.op += 1;
                    w.iseq += n;
                    w.icig = 0;
                    w.iref += n;
                }
                Kind::Insertion => {
                    w.op += 1;
                    w.iseq += n;
                    w.icig = 0;
                }
                Kind::Deletion | Kind::Skip => {
                    pos -= n;
                    if pos < 0 {
                        pos = 0;
                    }
                    w.op += 1;
                    w.icig = 0;
                    w.iref += n;
                }
            }
        }
        w.iseq = -1;
        (w, DONE)
    }

    /// `cigar_iref2iseq_next`: the next aligned base.
    fn next(&mut self) -> i32 {
        while self.op < self.cigar.len() {
            let (kind, n) = self.cigar[self.op];
            match kind {
                Kind::Match | Kind::SequenceMatch | Kind::SequenceMismatch => {
                    if self.icig >= n - 1 {
                        self.icig = -1;
                        self.op += 1;
                        continue;
                    }
                    self.iseq += 1;
                    self.icig += 1;
                    self.iref += 1;
                    return MATCH;
                }
                Kind::Deletion | Kind::Skip => {
                    self.op += 1;
                    self.iref += n;
                    self.icig = -1;
                }
                Kind::Insertion | Kind::SoftClip => {
                    self.op += 1;
                    self.iseq += n;
                    self.icig = -1;
                }
                Kind::HardClip | Kind::Pad => {
                    self.op += 1;
                    self.icig = -1;
                }
            }
        }
        self.iseq = -1;
        self.iref = -1;
        DONE
    }
}

/// htslib 1.16 `tweak_overlap_quality(a, b)`, `a` the mate that came first.
fn tweak_overlap_quality(a: &Alignment, a_qual: &mut [u8], b: &Alignment, b_qual: &mut [u8]) {
    let mut iref = b.start;
    let (mut wa, mut a_ret) = Walker::set(&a.cigar, iref - a.start);
    if a_ret < 0 {
        return;
    }
    let (mut wb, mut b_ret) = Walker::set(&b.cigar, iref - b.start);
    if b_ret < 0 {
        return;
    }
    let (amul, bmul): (u8, u8) = if name_hash(&a.name) & 1 == 1 {
        (1, 0)
    } else {
        (0, 1)
    };
    let scaled = |q: u8| (0.8 * f64::from(q)) as u8;
    loop {
        while a_ret >= 0 && wa.iref >= 0 && wa.iref < iref - a.start {
            a_ret = wa.next();
        }
        if a_ret < 0 {
            break;
        }
        if iref < wa.iref + a.start {
            iref = wa.iref + a.start;
        }
        while b_ret >= 0 && wb.iref >= 0 && wb.iref < iref - b.start {
            b_ret = wb.next();
        }
        if b_ret < 0 {
            break;
        }
        if iref < wb.iref + b.start {
            iref = wb.iref + b.start;
        }
        iref += 1;
        if wa.iref + a.start != wb.iref + b.start {
            continue;
        }
        if wa.iseq > a.sequence.len() as i64 || wb.iseq > b.sequence.len() as i64 {
            return;
        }
        let (ia, ib) = (wa.iseq as usize, wb.iseq as usize);
        let (Some(&qa), Some(&qb)) = (a_qual.get(ia), b_qual.get(ib)) else {
            return;
        };
        if a.sequence.get(ia) == b.sequence.get(ib) {
            let sum = (u32::from(qa) + u32::from(qb)).min(200) as u8;
            a_qual[ia] = amul * sum;
            b_qual[ib] = bmul * sum;
        } else if qa > qb {
            a_qual[ia] = scaled(qa);
            b_qual[ib] = 0;
        } else if qa < qb {
            b_qual[ib] = scaled(qb);
            a_qual[ia] = 0;
        } else {
            a_qual[ia] = amul * scaled(qa);
            b_qual[ib] = bmul * scaled(qb);
        }
    }
}

#[cfg(test)]
mod tests;
