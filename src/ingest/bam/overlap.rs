//! htslib 1.16's overlapping-mate rule (`tweak_overlap_quality`): where the mates of a fragment overlap, one keeps the pair's quality and the other is zeroed.

use super::Alignment;
use noodles::sam::alignment::record::cigar::op::Kind;
#[cfg(test)]
use std::collections::HashMap;

/// Whether `b` takes part in htslib's overlap detection at all (`overlap_push`): a
/// properly paired read with a mapped mate on the same contig, close enough to overlap.
pub(super) fn pairs(b: &Alignment) -> bool {
    if b.mate_unmapped || !b.proper_pair {
        return false;
    }
    let other_contig = b.mate_reference_id.is_some_and(|m| m != b.reference_id);
    let far =
        i64::from(b.template_length).abs() >= 2 * b.sequence.len() as i64 && b.mate_start >= b.end;
    !(other_contig || far)
}

/// Whether an unmatched read waits for its mate (the mate starts at or after it).
pub(super) fn waits(b: &Alignment) -> bool {
    b.mate_start >= b.start || (b.paired && b.mate_start == -1)
}

/// Base qualities after htslib's overlap handling (`overlap_push`), in file order:
/// a properly paired read whose mate is still to come is remembered by name; when
/// the mate arrives the two are adjusted by [`tweak_overlap_quality`]. The sweep
/// (`super::sweep`) applies the same rule ([`pairs`], [`waits`]) to a window of
/// pending mates; this whole-slice form states it for the tests.
#[cfg(test)]
pub(super) fn overlap_adjusted_qualities(alignments: &[Alignment]) -> Vec<Vec<u8>> {
    let mut qualities: Vec<Vec<u8>> = alignments.iter().map(|a| a.qualities.clone()).collect();
    let mut waiting: HashMap<&[u8], usize> = HashMap::new();
    for (i, b) in alignments.iter().enumerate() {
        if !pairs(b) {
            continue;
        }
        match waiting.remove(b.name.as_slice()) {
            Some(a) => {
                let (left, right) = qualities.split_at_mut(i);
                tweak_overlap_quality(&alignments[a], &mut left[a], b, &mut right[0]);
            }
            None => {
                if waits(b) {
                    waiting.insert(b.name.as_slice(), i);
                }
            }
        }
    }
    qualities
}

/// htslib's `__ac_X31_hash_string` then `__ac_Wang_hash`: which mate keeps its quality.
pub(super) fn name_hash(name: &[u8]) -> u32 {
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
pub(super) fn tweak_overlap_quality(
    a: &Alignment,
    a_qual: &mut [u8],
    b: &Alignment,
    b_qual: &mut [u8],
) {
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
