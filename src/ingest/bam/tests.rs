//! Unit tests of the allele counter: CIGAR walking and htslib's overlapping-mate rule.

use super::*;

fn alignment(name: &str, start: i64, cigar: &[(Kind, i64)], seq: &str, qual: &[u8]) -> Alignment {
    let span: i64 = cigar
        .iter()
        .filter(|(k, _)| {
            matches!(
                k,
                Kind::Match
                    | Kind::Deletion
                    | Kind::Skip
                    | Kind::SequenceMatch
                    | Kind::SequenceMismatch
            )
        })
        .map(|(_, n)| n)
        .sum();
    Alignment {
        name: name.as_bytes().to_vec(),
        reference_id: 0,
        start,
        end: start + span,
        proper_pair: true,
        paired: true,
        mate_unmapped: false,
        mate_reference_id: Some(0),
        mate_start: start,
        template_length: 10,
        cigar: cigar.to_vec(),
        sequence: seq.as_bytes().to_vec(),
        qualities: qual.to_vec(),
    }
}

#[test]
fn query_position_walks_clips_insertions_and_deletions() {
    use Kind::*;
    let cigar = [
        (SoftClip, 2),
        (Match, 3),
        (Insertion, 1),
        (Match, 2),
        (Deletion, 2),
        (Match, 2),
    ];
    // reference 100..: M at 100,101,102; I; M at 103,104; D 105,106; M 107,108
    let cases = [
        (99, None),
        (100, Some(2)),
        (102, Some(4)),
        (103, Some(6)),
        (104, Some(7)),
        (105, None),
        (106, None),
        (107, Some(8)),
        (108, Some(9)),
        (109, None),
    ];
    for (locus, want) in cases {
        assert_eq!(query_position(&cigar, 100, locus), want, "locus {locus}");
    }
}

#[test]
fn overlapping_mates_with_equal_bases_give_the_summed_quality_to_one_mate() {
    let a = alignment("pairA", 0, &[(Kind::Match, 4)], "ACGT", &[30, 30, 30, 30]);
    let b = alignment("pairA", 2, &[(Kind::Match, 4)], "GTAA", &[25, 25, 25, 25]);
    let q = overlap_adjusted_qualities(&[a.clone(), b]);
    let a_keeps = name_hash(b"pairA") & 1 == 1;
    let (kept, zeroed) = if a_keeps {
        (&q[0][2..4], &q[1][0..2])
    } else {
        (&q[1][0..2], &q[0][2..4])
    };
    assert_eq!(kept, &[55, 55]);
    assert_eq!(zeroed, &[0, 0]);
    assert_eq!(
        &q[0][0..2],
        &[30, 30],
        "outside the overlap nothing changes"
    );
}

#[test]
fn overlapping_mates_with_different_bases_keep_the_better_at_80_percent() {
    let a = alignment("p", 0, &[(Kind::Match, 2)], "AC", &[30, 20]);
    let b = alignment("p", 0, &[(Kind::Match, 2)], "AT", &[10, 33]);
    let q = overlap_adjusted_qualities(&[a, b]);
    assert_eq!((q[0][1], q[1][1]), (0, 26), "33 * 0.8 truncated");
    let sum = if name_hash(b"p") & 1 == 1 {
        (40, 0)
    } else {
        (0, 40)
    };
    assert_eq!((q[0][0], q[1][0]), sum);
}

#[test]
fn mates_not_properly_paired_are_left_alone() {
    let a = alignment("p", 0, &[(Kind::Match, 2)], "AC", &[30, 20]);
    let mut b = alignment("p", 0, &[(Kind::Match, 2)], "AC", &[30, 20]);
    b.proper_pair = false;
    let q = overlap_adjusted_qualities(&[a, b]);
    assert_eq!(q, vec![vec![30, 20], vec![30, 20]]);
}

#[test]
fn name_hash_matches_khash() {
    // Values of __ac_Wang_hash(__ac_X31_hash_string(name)) computed independently
    // (Python, 32-bit arithmetic) from htslib's khash.h.
    for (name, want) in [
        ("a", 2_911_584_822u32),
        ("ab", 3_383_171_756),
        ("frag0001", 1_628_665_105),
        ("Library1:1956186", 1_355_030_466),
    ] {
        assert_eq!(name_hash(name.as_bytes()), want, "{name}");
    }
}
