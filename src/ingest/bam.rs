//! Allele counts at loci read from indexed BAM files; agrees with `samtools mpileup -A -B -q MQ -Q BQ` (htslib 1.16).
//!
//! Reads are fetched through the `.bai`/`.csi` index, one query per group of nearby
//! loci (a full scan, with a warning, when the index is missing or older than the
//! BAM), and counted in one sorted sweep (`bam/sweep.rs`): each read is decoded once
//! and dispatched to the loci it covers, so the time is O(reads + loci) and the
//! memory is bounded by the reads overlapping the current position. A read counts at a locus when it is mapped, primary, not supplementary,
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
use crate::error::{Error, Location, Result};
use noodles::bam;
use noodles::core::{Position, Region};
use noodles::csi;
use noodles::sam::alignment::record::cigar::op::Kind;
use std::fs::File;
use std::path::{Path, PathBuf};
use sweep::{Pass, Sink, SweepPass};

pub mod fusion;
mod overlap;
pub mod pileup;
mod sweep;

#[cfg(test)]
use overlap::{name_hash, overlap_adjusted_qualities};

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
/// [`Error::Record`] naming the BAM record when a record is malformed or the BAM is
/// not sorted by coordinate.
pub fn count_alleles(
    path: &Path,
    loci_path: &Path,
    loci: &[LocusRow],
    options: CountOptions,
) -> Result<CountResult> {
    let mut bam = OpenBam::open(path)?;
    let plan = CountPlan::new(&bam, loci_path, loci)?;
    let mut pass = plan.pass(path, options);
    bam.sweep(&mut [&mut pass])?;
    let per_locus = pass.sink.per_locus;
    Ok(plan.finish(loci, per_locus, bam.access))
}

/// The days the BAM's read groups were produced (`@RG DT`, ISO 8601: the sequencing
/// run), those that read as dates, first to last.
///
/// # Errors
/// [`Error::Io`] or [`Error::Input`] when the BAM or its header cannot be read.
pub fn read_group_dates(path: &Path) -> Result<Vec<chrono::NaiveDate>> {
    use noodles::sam::header::record::value::map::read_group::tag::PRODUCED_AT;
    let bam = OpenBam::open(path)?;
    let mut dates: Vec<chrono::NaiveDate> = bam
        .header
        .read_groups()
        .values()
        .filter_map(|group| group.other_fields().get(&PRODUCED_AT))
        .filter_map(|dt| super::dates::file_date(&String::from_utf8_lossy(dt)).ok())
        .collect();
    dates.sort();
    dates.dedup();
    Ok(dates)
}

/// The loci of a count placed on the BAM's contigs.
struct CountPlan {
    /// (reference id, 0-based pos, index into the loci), sorted.
    targets: Vec<(usize, i64, usize)>,
    /// Loci not counted (not single-base substitutions).
    skipped: Vec<LocusRow>,
    /// The loci as intervals of interest, per contig.
    regions: Vec<(usize, Vec<(i64, i64)>)>,
    /// How many loci were asked for.
    requested: usize,
}

impl CountPlan {
    /// Places the SNV loci of `loci` on `bam`'s contigs.
    fn new(bam: &OpenBam<'_>, loci_path: &Path, loci: &[LocusRow]) -> Result<Self> {
        let mut targets: Vec<(usize, i64, usize)> = Vec::new();
        let mut skipped = Vec::new();
        for (i, row) in loci.iter().enumerate() {
            if row.locus.reference.len() != 1 || row.locus.alt.len() != 1 {
                skipped.push(row.clone());
                continue;
            }
            let id = bam
                .contig(&row.chrom_raw, &row.locus.chrom)
                .ok_or_else(|| {
                    Error::parse(
                        loci_path,
                        row.line,
                        "chrom",
                        bam.missing_contig(&row.chrom_raw),
                    )
                })?;
            targets.push((id, bam_position(loci_path, row)?, i));
        }
        targets.sort();
        let mut regions: Vec<(usize, Vec<(i64, i64)>)> = Vec::new();
        for &(id, pos, _) in &targets {
            match regions.last_mut() {
                Some((last, intervals)) if *last == id => {
                    if intervals.last().is_none_or(|&(_, end)| end <= pos) {
                        intervals.push((pos, pos + 1));
                    }
                }
                _ => regions.push((id, vec![(pos, pos + 1)])),
            }
        }
        Ok(CountPlan {
            targets,
            skipped,
            regions,
            requested: loci.len(),
        })
    }

    /// The pass that counts the loci with `options`' filters.
    fn pass<'a>(&'a self, path: &'a Path, options: CountOptions) -> SweepPass<'a, LocusSink<'a>> {
        let mut per_locus: Vec<Option<BaseCounts>> = vec![None; self.requested];
        for &(_, _, index) in &self.targets {
            per_locus[index] = Some(BaseCounts::default());
        }
        let sink = LocusSink {
            loci: &self.targets,
            per_locus,
            min_bq: options.min_bq,
        };
        SweepPass::new(path, options, &self.regions, sink)
    }

    /// The counts in request order.
    fn finish(
        self,
        loci: &[LocusRow],
        per_locus: Vec<Option<BaseCounts>>,
        access: Access,
    ) -> CountResult {
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
        CountResult {
            counts,
            skipped: self.skipped,
            access,
        }
    }
}

/// The 0-based position of a locus, refused beyond the largest a BAM holds (2^31 − 1).
fn bam_position(loci_path: &Path, row: &LocusRow) -> Result<i64> {
    match i32::try_from(row.locus.pos) {
        Ok(pos) => Ok(i64::from(pos) - 1),
        Err(_) => Err(Error::parse(
            loci_path,
            row.line,
            "pos",
            format!(
                "{} is beyond the largest position a BAM can hold (2147483647)",
                row.locus.pos
            ),
        )),
    }
}

/// Adds each read's bases at the loci it covers (loci sorted by contig and position).
struct LocusSink<'a> {
    loci: &'a [(usize, i64, usize)],
    per_locus: Vec<Option<BaseCounts>>,
    min_bq: u8,
}

impl Sink for LocusSink<'_> {
    fn take(&mut self, read: &Alignment) {
        let from = self
            .loci
            .partition_point(|&(id, pos, _)| (id, pos) < (read.reference_id, read.start));
        for &(id, pos, index) in &self.loci[from..] {
            if id != read.reference_id || pos >= read.end {
                break;
            }
            let Some(qpos) = query_position(&read.cigar, read.start, pos) else {
                continue;
            };
            let quality = read.qualities.get(qpos).copied().unwrap_or(0);
            if quality < self.min_bq {
                continue;
            }
            let slot = match read.sequence.get(qpos).map(u8::to_ascii_uppercase) {
                Some(b'A') => 0,
                Some(b'C') => 1,
                Some(b'G') => 2,
                Some(b'T') => 3,
                // samtools prints '=' as a match, not a letter: not counted.
                Some(b'=') => continue,
                _ => 4,
            };
            if let Some(counts) = self.per_locus.get_mut(index).and_then(Option::as_mut) {
                counts.bases[slot] += 1;
            }
        }
    }
}

/// An open BAM: reader, contig names and the index when usable.
struct OpenBam<'p> {
    path: &'p Path,
    reader: bam::io::Reader<noodles::bgzf::io::Reader<File>>,
    header: noodles::sam::Header,
    names: Vec<String>,
    access: Access,
    index: Option<bam::Index>,
}

impl<'p> OpenBam<'p> {
    fn open(path: &'p Path) -> Result<Self> {
        let mut file = super::open_regular(path)?;
        let file_length = check_container(path, &mut file)?;
        let mut reader = bam::io::Reader::new(file);
        let header = reader.read_header().map_err(|e| {
            Error::input(
                path,
                Location::Byte(0),
                Some("header"),
                format!(
                    "cannot read the BAM header ({e}): the file is damaged or not a BAM; check it with `samtools quickcheck`"
                ),
            )
            .caused_by(e)
        })?;
        let names: Vec<String> = header
            .reference_sequences()
            .keys()
            .map(|k| k.to_string())
            .collect();
        let (mut access, mut index) = find_index(path);
        if let (Access::Index(index_path), Some(found)) = (&access, &index)
            && let Err(reason) = index_fits(&mut reader, found, names.len(), file_length)
        {
            access = Access::Scan(format!(
                "index {} does not belong to this BAM ({reason}); reading the whole file (re-index with `samtools index`)",
                index_path.display()
            ));
            index = None;
        }
        Ok(OpenBam {
            path,
            reader,
            header,
            names,
            access,
            index,
        })
    }

    /// The reference id of a contig, as written or after normalisation (`chr1` = `1`).
    fn contig(&self, raw: &str, normalized: &str) -> Option<usize> {
        self.names.iter().position(|n| n == raw).or_else(|| {
            self.names
                .iter()
                .position(|n| normalize_contig(n) == normalized)
        })
    }

    /// The length of contig `id` in the BAM header.
    fn contig_length(&self, id: usize) -> u64 {
        self.header
            .reference_sequences()
            .get_index(id)
            .map_or(0, |(_, sequence)| usize::from(sequence.length()) as u64)
    }

    /// Says that `raw` is not a contig of this BAM.
    fn missing_contig(&self, raw: &str) -> String {
        format!(
            "contig '{raw}' is not in {} (it has {})",
            self.path.display(),
            summarise(&self.names)
        )
    }

    /// Reads the BAM once for all `passes`: over the union of their regions, one
    /// index query per group of nearby intervals (or one pass over the whole file
    /// without a usable index). Each record is placed once ([`sweep::place`], with the
    /// lowest MAPQ floor of the passes) and handed to every pass, one contig at a time,
    /// in file order. A record that two queries return (one long enough to reach from
    /// one group into the next) is handed over once, by the first.
    fn sweep(&mut self, passes: &mut [&mut dyn Pass]) -> Result<()> {
        let path = self.path;
        let min_mapq = passes.iter().map(|p| p.min_mapq()).min().unwrap_or(0);
        let regions = union_regions(passes);
        let mut record = bam::Record::default();
        let mut cigar: Vec<(Kind, i64)> = Vec::new();
        if let Some(index) = &self.index {
            for (id, intervals) in &regions {
                for pass in passes.iter_mut() {
                    pass.begin(*id);
                }
                // The end of the previous query's region: a record starting before it
                // overlapped that region and was read there.
                let mut seen_to = i64::MIN;
                let mut last_start = i64::MIN;
                let mut group_start = 0;
                while group_start < intervals.len() {
                    let mut group_end = group_start + 1;
                    // From the last position of one interval to the first of the next.
                    while group_end < intervals.len()
                        && (intervals[group_end].0 - (intervals[group_end - 1].1 - 1)) as u64
                            <= MERGE_DISTANCE
                    {
                        group_end += 1;
                    }
                    let group = &intervals[group_start..group_end];
                    let (first, last) = (group[0].0 + 1, group[group.len() - 1].1);
                    let name = self.names[*id].as_str();
                    let label = format!("{name}:{first}-{last}");
                    let region =
                        Region::new(name, position(first as u64)?..=position(last as u64)?);
                    let mut query = self
                        .reader
                        .query(&self.header, index, &region)
                        .map_err(|e| Error::io(path, e))?;
                    let mut n = 0u64;
                    loop {
                        n += 1;
                        match query.read_record(&mut record) {
                            Ok(0) => break,
                            Ok(_) => {}
                            Err(e) => {
                                return Err(sweep::record_error(path, n, &label, "record", e));
                            }
                        }
                        let Some(placed) =
                            sweep::place(&record, min_mapq, &mut cigar, path, n, &label)?
                        else {
                            continue;
                        };
                        if placed.reference_id != *id || placed.start < seen_to {
                            continue;
                        }
                        check_sorted(path, n, &label, placed.start, &mut last_start)?;
                        for pass in passes.iter_mut() {
                            pass.push(&record, &placed, n, &label)?;
                        }
                    }
                    seen_to = last;
                    group_start = group_end;
                }
                for pass in passes.iter_mut() {
                    pass.end();
                }
            }
            return Ok(());
        }
        // One pass over the whole file, contig by contig.
        let label = "reading the whole file";
        let mut last_id: Option<usize> = None;
        let mut wanted = false;
        let mut last_start = i64::MIN;
        let mut n = 0u64;
        loop {
            n += 1;
            match self.reader.read_record(&mut record) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => return Err(sweep::record_error(path, n, label, "record", e)),
            }
            let Some(id) = record
                .reference_sequence_id()
                .transpose()
                .map_err(|e| sweep::record_error(path, n, label, "rname", e))?
            else {
                continue;
            };
            if last_id != Some(id) {
                if last_id.is_some_and(|last| id < last) {
                    return Err(Error::record(
                        path,
                        n,
                        "rname",
                        format!(
                            "{label}: the BAM is not sorted by coordinate (contig '{}' comes back after a later one); sort it with `samtools sort`",
                            self.names.get(id).map_or("?", String::as_str)
                        ),
                    ));
                }
                wanted = regions.iter().any(|(r, _)| *r == id);
                for pass in passes.iter_mut() {
                    pass.end();
                    if wanted {
                        pass.begin(id);
                    }
                }
                last_id = Some(id);
                last_start = i64::MIN;
            }
            if !wanted {
                continue;
            }
            let Some(placed) = sweep::place(&record, min_mapq, &mut cigar, path, n, label)? else {
                continue;
            };
            check_sorted(path, n, label, placed.start, &mut last_start)?;
            for pass in passes.iter_mut() {
                pass.push(&record, &placed, n, label)?;
            }
        }
        for pass in passes.iter_mut() {
            pass.end();
        }
        Ok(())
    }
}

/// The intervals of all `passes`, merged per contig (increasing id).
fn union_regions(passes: &[&mut dyn Pass]) -> Vec<(usize, Vec<(i64, i64)>)> {
    merge_regions(
        passes
            .iter()
            .flat_map(|p| {
                p.regions()
                    .iter()
                    .flat_map(|(id, intervals)| intervals.iter().map(move |&(b, e)| (*id, b, e)))
            })
            .collect(),
    )
}

/// Half-open intervals `(contig id, begin, end)` merged where they overlap or touch,
/// grouped per contig in increasing id and position.
pub(crate) fn merge_regions(mut all: Vec<(usize, i64, i64)>) -> Vec<(usize, Vec<(i64, i64)>)> {
    all.sort_unstable();
    let mut regions: Vec<(usize, Vec<(i64, i64)>)> = Vec::new();
    for (id, begin, end) in all {
        match regions.last_mut() {
            Some((last, intervals)) if *last == id => match intervals.last_mut() {
                Some(prev) if begin <= prev.1 => prev.1 = prev.1.max(end),
                _ => intervals.push((begin, end)),
            },
            _ => regions.push((id, vec![(begin, end)])),
        }
    }
    regions
}

/// Refuses a record placed before the one before it on its contig.
fn check_sorted(path: &Path, n: u64, region: &str, start: i64, last_start: &mut i64) -> Result<()> {
    if start < *last_start {
        return Err(Error::record(
            path,
            n,
            "pos",
            format!(
                "{region}: the BAM is not sorted by coordinate (this alignment starts before the one before it); sort it with `samtools sort` and index it"
            ),
        ));
    }
    *last_start = start;
    Ok(())
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

/// The 28-byte empty BGZF block that ends every complete BAM (SAM/BAM specification §4.1.2).
const BGZF_EOF: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
    0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// Checks that `file` is BGZF (the container of a BAM) and ends with the BGZF end-of-file
/// block, as `samtools quickcheck` does, and returns its length. A text file, a SAM, a
/// CRAM, plain gzip or a truncated BAM is named as what it is, before any read is
/// counted: a truncated BAM read through its index would otherwise count the loci before
/// the cut and fail (or, worse, succeed) on the others.
fn check_container(path: &Path, file: &mut File) -> Result<u64> {
    use std::io::{Read, Seek, SeekFrom};
    let io = |e: std::io::Error| Error::io(path, e);
    let length = file.metadata().map_err(io)?.len();
    let mut head = [0u8; 18];
    let got = read_up_to(file, &mut head).map_err(io)?;
    let head = &head[..got];
    let bgzf = got >= 14 && head[..4] == [0x1f, 0x8b, 0x08, 0x04] && head[12..14] == *b"BC";
    if !bgzf {
        let what = if got == 0 {
            "the file is empty".to_string()
        } else if head.starts_with(b"CRAM") {
            "this is a CRAM file: convert it with `samtools view -b -o FILE.bam` (and index it)"
                .to_string()
        } else if head.starts_with(b"@") {
            "this looks like a SAM text file: convert it with `samtools view -b -o FILE.bam` and index it".to_string()
        } else if head.starts_with(&[0x1f, 0x8b]) {
            "this is plain gzip, not BGZF: a BAM is written by samtools or an aligner (`samtools view -b`)".to_string()
        } else if head
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        {
            "this is a text file".to_string()
        } else {
            "it does not start with a BGZF block".to_string()
        };
        return Err(Error::input(
            path,
            Location::Byte(0),
            None,
            format!("not a BAM file: {what}"),
        ));
    }
    let mut tail = [0u8; 28];
    let has_eof = length >= 28
        && file.seek(SeekFrom::End(-28)).is_ok()
        && file.read_exact(&mut tail).is_ok()
        && tail == BGZF_EOF;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    if !has_eof {
        return Err(Error::input(
            path,
            Location::Byte(length),
            None,
            "the BAM has no end-of-file block: it is truncated (an interrupted copy, or an aligner that did not finish); copy or write it again (`samtools quickcheck` says the same)",
        ));
    }
    Ok(length)
}

/// Reads into `buf` until it is full or the file ends; the number of bytes read.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Whether `index` can be this BAM's: as many reference sequences as the header, no chunk
/// past the end of the file, and the first record of up to three indexed contigs on the
/// contig the index says. An index of another BAM (copied beside it, or a BAM replaced
/// while its index stayed) would otherwise send queries to wrong places and count reads
/// that are not there as absent. The reader is left where it was (after the header).
fn index_fits(
    reader: &mut bam::io::Reader<noodles::bgzf::io::Reader<File>>,
    index: &bam::Index,
    references: usize,
    file_length: u64,
) -> std::result::Result<(), String> {
    let firsts: Vec<(usize, u64, Option<noodles::bgzf::VirtualPosition>)> = match index {
        bam::Index::Bai(bai) => index_chunks(bai.reference_sequences()),
        bam::Index::Csi(csi) => index_chunks(csi.reference_sequences()),
    };
    if firsts.len() != references {
        return Err(format!(
            "it indexes {} reference sequences, the BAM header has {references}",
            firsts.len()
        ));
    }
    if let Some(last) = firsts.iter().map(|(_, end, _)| *end).max()
        && last > file_length
    {
        return Err(format!(
            "it points to byte {last}, past the end of the {file_length}-byte file"
        ));
    }
    let after_header = reader.get_ref().virtual_position();
    let mut record = bam::Record::default();
    let mut verdict = Ok(());
    for (id, _, start) in firsts
        .iter()
        .filter_map(|(id, e, s)| s.map(|s| (*id, *e, s)))
        .take(3)
    {
        let found = reader
            .get_mut()
            .seek(start)
            .ok()
            .and_then(|_| reader.read_record(&mut record).ok())
            .filter(|n| *n > 0)
            .and_then(|_| record.reference_sequence_id().transpose().ok().flatten());
        if found != Some(id) {
            verdict = Err(format!(
                "its first read of reference sequence {id} is not on that sequence in the BAM"
            ));
            break;
        }
    }
    reader
        .get_mut()
        .seek(after_header)
        .map_err(|e| format!("cannot return after the header ({e})"))?;
    verdict
}

/// Per reference sequence of an index: its id, the largest compressed offset its chunks
/// reach, and the start of its first chunk (the smallest), when it has reads.
fn index_chunks<I: csi::binning_index::index::reference_sequence::Index>(
    sequences: &[csi::binning_index::index::ReferenceSequence<I>],
) -> Vec<(usize, u64, Option<noodles::bgzf::VirtualPosition>)> {
    // `bins()` leaves out the metadata pseudo-bin (SAM specification §5.2).
    sequences
        .iter()
        .enumerate()
        .map(|(id, sequence)| {
            let chunks = sequence.bins().values().flat_map(|bin| bin.chunks());
            let mut end = 0;
            let mut first: Option<noodles::bgzf::VirtualPosition> = None;
            for chunk in chunks {
                end = end.max(chunk.end().compressed());
                if first.is_none_or(|f| chunk.start() < f) {
                    first = Some(chunk.start());
                }
            }
            (id, end, first)
        })
        .collect()
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

#[cfg(test)]
mod tests;
