//! Fusion junctions of the demo: the Ewing (EWSR1-FLI1) and synovial sarcoma (SS18-SSX1) patients carry their fusion, and small BAMs of their draws hold junction fragments at the tumour's fraction.
//!
//! A draw's BAM has [`DEPTH`] fragments at each partner: k ~ Binomial(DEPTH, fraction)
//! fused molecules (read 1 split across the junction, with its SA tag; read 2 on the
//! partner after it) and DEPTH − k reference pairs whose read 1 spans each breakpoint,
//! so `count --fusions` reads a fusion fraction of k / DEPTH.

use super::cohort::Diagnosis;
use crate::error::{Error, Result};
use crate::model::{Breakpoint, Junction, Orientation};
use chrono::NaiveDate;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use std::path::{Path, PathBuf};

/// Fragments at each partner of a demo junction per draw.
pub const DEPTH: u64 = 300;

const READ: i64 = 100;

/// The junction a diagnosis is defined by (hg19, as the demo's SNVs), when it has one.
pub fn junction_of(diagnosis: Diagnosis) -> Option<Junction> {
    let junction = |a: (&str, u64), b: (&str, u64), orientation, genes: &str| Junction {
        a: Breakpoint {
            chrom: a.0.into(),
            pos: a.1,
        },
        b: Breakpoint {
            chrom: b.0.into(),
            pos: b.1,
        },
        orientation,
        genes: Some(genes.into()),
    };
    match diagnosis {
        // EWSR1 intron 7 joined to FLI1 intron 5, both genes on the + strand.
        Diagnosis::Ewing => Some(junction(
            ("chr22", 29683123),
            ("chr11", 128651853),
            Orientation::PlusMinus,
            "EWSR1-FLI1",
        )),
        // SS18 (− strand) keeps its 5′ end, the bases from pos on; SSX1 (+) likewise.
        Diagnosis::Synovial => Some(junction(
            ("chr18", 23632000),
            ("chrX", 48120000),
            Orientation::MinusMinus,
            "SS18-SSX1",
        )),
        _ => None,
    }
}

/// One partner as a piece of the fused molecule.
#[derive(Clone, Copy)]
struct Piece {
    contig: usize,
    /// 0-based boundary between kept and dropped bases.
    edge: i64,
    keeps_left: bool,
    /// The piece is read reverse-complemented in the molecule.
    reversed: bool,
}

impl Piece {
    /// Reference interval of molecule interval [s, e) (t < 0 in the first piece, t ≥ 0 in the second).
    fn interval(&self, s: i64, e: i64) -> (i64, i64) {
        if self.reversed {
            (self.edge - e, self.edge - s)
        } else {
            (self.edge + s, self.edge + e)
        }
    }

    fn cigar(&self, len: i64, other: i64) -> String {
        match (other, self.keeps_left) {
            (0, _) => format!("{len}M"),
            (_, true) => format!("{len}M{other}S"),
            (_, false) => format!("{other}S{len}M"),
        }
    }
}

/// One alignment to write: contig, 0-based start, CIGAR, reverse, SA tag.
struct Aligned {
    contig: usize,
    start: i64,
    cigar: String,
    reverse: bool,
    sa: Option<String>,
}

/// Writes the indexed BAM of one draw of a patient with `junction` at `fraction`.
///
/// # Errors
/// When the file cannot be written.
pub fn write_bam(
    dir: &Path,
    code: &str,
    date: NaiveDate,
    junction: &Junction,
    fraction: f64,
    rng: &mut ChaCha8Rng,
) -> Result<PathBuf> {
    use noodles::core::Position;
    use noodles::sam;
    use noodles::sam::alignment::RecordBuf;
    use noodles::sam::alignment::record::data::field::Tag;
    use noodles::sam::alignment::record::{Flags, MappingQuality};
    use noodles::sam::alignment::record_buf::data::field::Value;

    let path = dir.join(format!("{code}_{date}_fusion.bam"));
    let mut names = [junction.a.chrom.clone(), junction.b.chrom.clone()];
    names.sort();
    let id = |chrom: &str| names.iter().position(|n| n == chrom).unwrap_or(0);
    let edge = |pos: u64, keeps_left: bool| {
        if keeps_left {
            pos as i64
        } else {
            pos as i64 - 1
        }
    };
    let o = junction.orientation;
    let a = Piece {
        contig: id(&junction.a.chrom),
        edge: edge(junction.a.pos, o.a_keeps_left()),
        keeps_left: o.a_keeps_left(),
        reversed: false,
    };
    let b = Piece {
        contig: id(&junction.b.chrom),
        edge: edge(junction.b.pos, o.b_keeps_left()),
        keeps_left: o.b_keeps_left(),
        reversed: matches!(o, Orientation::PlusPlus | Orientation::MinusMinus),
    };
    // The molecule reads A then B for + on A's side, B then A otherwise.
    let (first, second) = if o.a_keeps_left() { (a, b) } else { (b, a) };
    let mut text = String::from("@HD\tVN:1.6\tSO:coordinate\n");
    for name in &names {
        text.push_str(&format!("@SQ\tSN:{name}\tLN:250000000\n"));
    }
    let header: sam::Header = text
        .parse()
        .map_err(|e| Error::conflict(format!("demo fusion BAM header: {e}")))?;
    let contig_name = |i: usize| names[i].as_str();
    // A read of molecule interval [s, e): split when it crosses t = 0.
    let molecule_read = |s: i64, e: i64, molecule_reverse: bool| -> Aligned {
        let mut pieces = Vec::new();
        if s < 0 {
            pieces.push((first, first.interval(s, e.min(0))));
        }
        if e > 0 {
            pieces.push((second, second.interval(s.max(0), e)));
        }
        pieces.sort_by_key(|(_, (x, y))| -(y - x));
        let place = |(piece, (x, y)): (Piece, (i64, i64))| Aligned {
            contig: piece.contig,
            start: x,
            cigar: piece.cigar(y - x, READ - (y - x)),
            reverse: molecule_reverse != piece.reversed,
            sa: None,
        };
        let mut primary = place(pieces[0]);
        if let Some(&other) = pieces.get(1) {
            let other = place(other);
            primary.sa = Some(format!(
                "{},{},{},{},60,0;",
                contig_name(other.contig),
                other.start + 1,
                if other.reverse { '-' } else { '+' },
                other.cigar
            ));
        }
        primary
    };
    let fused = Binomial::new(DEPTH, fraction.clamp(0.0, 1.0))
        .map_err(|e| Error::conflict(format!("demo fusion model: {e}")))?
        .sample(rng);
    let mut pairs: Vec<(String, [Aligned; 2])> = Vec::new();
    for n in 0..fused {
        let t0 = -rng.random_range(20..=80i64);
        let t1 = t0 + rng.random_range(150..=200i64);
        pairs.push((
            format!("fusion:{n}"),
            [
                molecule_read(t0, t0 + READ, false),
                molecule_read(t1 - READ, t1, true),
            ],
        ));
    }
    for (label, piece) in [("a", a), ("b", b)] {
        for n in 0..DEPTH - fused {
            let start = piece.edge - rng.random_range(15..=85i64);
            let mate = start + rng.random_range(150..=200i64) - READ;
            let plain = |start: i64, reverse: bool| Aligned {
                contig: piece.contig,
                start,
                cigar: format!("{READ}M"),
                reverse,
                sa: None,
            };
            pairs.push((
                format!("ref_{label}:{n}"),
                [plain(start, false), plain(mate, true)],
            ));
        }
    }
    let position = |p: i64| {
        usize::try_from(p + 1)
            .ok()
            .and_then(Position::new)
            .ok_or_else(|| Error::conflict("demo fusion BAM: position"))
    };
    let mut records: Vec<(usize, i64, RecordBuf)> = Vec::new();
    for (name, [r1, r2]) in &pairs {
        for (first_read, read, mate) in [(true, r1, r2), (false, r2, r1)] {
            let mut flags = 0x1 | if first_read { 0x40 } else { 0x80 };
            if read.reverse {
                flags |= 0x10;
            }
            if mate.reverse {
                flags |= 0x20;
            }
            let cigar: sam::alignment::record_buf::Cigar = parse_cigar(&read.cigar)?;
            let length: usize = cigar
                .as_ref()
                .iter()
                .filter(|op| op.kind().consumes_read())
                .map(|op| op.len())
                .sum();
            let mut builder = RecordBuf::builder()
                .set_name(name.as_bytes())
                .set_flags(Flags::from(flags))
                .set_reference_sequence_id(read.contig)
                .set_alignment_start(position(read.start)?)
                .set_mapping_quality(
                    MappingQuality::new(60)
                        .ok_or_else(|| Error::conflict("demo BAM: mapping quality"))?,
                )
                .set_cigar(cigar)
                .set_mate_reference_sequence_id(mate.contig)
                .set_mate_alignment_start(position(mate.start)?)
                .set_sequence(vec![b'A'; length].into())
                .set_quality_scores(vec![30u8; length].into());
            if let Some(sa) = &read.sa {
                builder = builder.set_data(
                    [(Tag::OTHER_ALIGNMENTS, Value::from(sa.as_str()))]
                        .into_iter()
                        .collect(),
                );
            }
            records.push((read.contig, read.start, builder.build()));
        }
    }
    super::liquid::write_sorted_bam(path, &header, records)
}

fn parse_cigar(text: &str) -> Result<noodles::sam::alignment::record_buf::Cigar> {
    use noodles::sam::alignment::record::cigar::{Op, op::Kind};
    let mut ops = Vec::new();
    let mut len = 0usize;
    for b in text.bytes() {
        if b.is_ascii_digit() {
            len = len * 10 + usize::from(b - b'0');
        } else {
            let kind = match b {
                b'M' => Kind::Match,
                b'S' => Kind::SoftClip,
                _ => return Err(Error::conflict(format!("demo CIGAR {text}"))),
            };
            ops.push(Op::new(kind, len));
            len = 0;
        }
    }
    Ok(ops.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::bam::fusion::{FusionOptions, count_fusions};
    use crate::ingest::fusions::FusionRow;
    use rand::SeedableRng;

    #[test]
    fn the_demo_bams_count_their_planted_fraction() {
        let dir = tempfile::tempdir().unwrap();
        for diagnosis in [Diagnosis::Ewing, Diagnosis::Synovial] {
            let junction = junction_of(diagnosis).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            let date = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
            let path = write_bam(dir.path(), "P1", date, &junction, 0.2, &mut rng).unwrap();
            let rows = [FusionRow { line: 1, junction }];
            let result =
                count_fusions(&path, Path::new("x"), &rows, FusionOptions::default()).unwrap();
            let c = &result.counts[0];
            assert!(c.split > 20, "{diagnosis:?}: {c:?}");
            assert_eq!(c.ref_a, c.ref_b, "{diagnosis:?}: {c:?}");
            assert_eq!(
                u64::from(c.fusion_fragments() + c.ref_a),
                DEPTH,
                "{diagnosis:?}: {c:?}"
            );
            assert!(result.warnings.is_empty());
        }
    }
}
