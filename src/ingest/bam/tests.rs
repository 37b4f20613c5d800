//! Unit tests of the allele counter: CIGAR walking and htslib's overlapping-mate rule.

use super::*;
use std::path::{Path, PathBuf};

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

/// Writes an unindexed BAM of single-end 4 bp reads `(start, sequence)` in the order given.
fn write_bam(dir: &Path, reads: &[(usize, &str)]) -> PathBuf {
    use noodles::sam;
    use noodles::sam::alignment::RecordBuf;
    use noodles::sam::alignment::io::Write as _;
    use noodles::sam::alignment::record::cigar::Op;
    use noodles::sam::alignment::record::{Flags, MappingQuality};
    let path = dir.join("reads.bam");
    let header: sam::Header = "@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:1000\n"
        .parse()
        .unwrap();
    let mut writer = bam::io::Writer::new(std::fs::File::create(&path).unwrap());
    writer.write_header(&header).unwrap();
    for (i, (start, sequence)) in reads.iter().enumerate() {
        let record = RecordBuf::builder()
            .set_name(format!("r{i}").as_bytes())
            .set_flags(Flags::empty())
            .set_reference_sequence_id(0)
            .set_alignment_start(Position::new(*start).unwrap())
            .set_mapping_quality(MappingQuality::new(60).unwrap())
            .set_cigar([Op::new(Kind::Match, sequence.len())].into_iter().collect())
            .set_sequence(sequence.as_bytes().to_vec().into())
            .set_quality_scores(vec![35u8; sequence.len()].into())
            .build();
        writer.write_alignment_record(&header, &record).unwrap();
    }
    writer.try_finish().unwrap();
    path
}

fn loci_rows(positions: &[u64]) -> Vec<LocusRow> {
    positions
        .iter()
        .enumerate()
        .map(|(i, &pos)| LocusRow {
            line: i as u64 + 1,
            chrom_raw: "chr1".into(),
            locus: crate::ingest::vcf::Locus {
                chrom: "1".into(),
                pos,
                reference: "A".into(),
                alt: "C".into(),
            },
            gene: None,
            phasing: None,
        })
        .collect()
}

#[test]
fn the_sweep_counts_each_read_at_every_locus_it_covers() {
    let dir = tempfile::tempdir().unwrap();
    let bam = write_bam(
        dir.path(),
        &[(10, "ACGT"), (11, "CCCC"), (12, "GGGG"), (20, "TTTT")],
    );
    // Loci given out of order and one twice: counted in request order.
    let loci = loci_rows(&[13, 10, 21, 12, 13]);
    let result =
        count_alleles(&bam, Path::new("loci.tsv"), &loci, CountOptions::default()).unwrap();
    assert!(matches!(result.access, Access::Scan(_)));
    let bases: Vec<[u32; 5]> = result.counts.iter().map(|c| c.counts.bases).collect();
    assert_eq!(
        bases,
        vec![
            [0, 1, 1, 1, 0], // 13: T (read 0), C (read 1), G (read 2)
            [1, 0, 0, 0, 0], // 10: A (read 0)
            [0, 0, 0, 1, 0], // 21: T (read 3)
            [0, 1, 2, 0, 0], // 12: G (read 0), C (read 1), G (read 2)
            [0, 1, 1, 1, 0], // 13 again
        ]
    );
}

#[test]
fn an_unsorted_bam_is_refused_naming_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let bam = write_bam(dir.path(), &[(10, "ACGT"), (30, "ACGT"), (12, "ACGT")]);
    let err = count_alleles(
        &bam,
        Path::new("loci.tsv"),
        &loci_rows(&[12, 31]),
        CountOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Input {
                at: crate::error::Location::Record(3),
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("record 3: field 'pos'"), "{text}");
    assert!(text.contains("not sorted by coordinate"), "{text}");
}

#[test]
fn the_target_pileup_counts_every_read_and_names_the_reporter_reads() {
    use crate::ingest::targets::Target;
    let dir = tempfile::tempdir().unwrap();
    let bam = write_bam(dir.path(), &[(10, "ACGT"), (11, "CCCC"), (12, "NGGG")]);
    let targets = [Target {
        line: 1,
        chrom_raw: "chr1".into(),
        chrom: "1".into(),
        start: 10, // 1-based 11..=12
        end: 12,
    }];
    // Reporter at 13 (outside the target): A>C; reads 0 (T), 1 (C), 2 (G).
    let mut reporters = loci_rows(&[13]);
    reporters[0].locus.reference = "G".into();
    let (pileup, _) = pileup::pileup_targets(
        &bam,
        &pileup::PileupRequest {
            targets_path: Path::new("t.bed"),
            targets: &targets,
            loci_path: Path::new("loci.tsv"),
            reporters: &reporters,
            min_mapq: 20,
            min_bq: 20,
        },
    )
    .unwrap();
    let sites: Vec<(u64, [u32; 4])> = pileup.sites.iter().map(|s| (s.pos, s.bases)).collect();
    // 11: C (read 0), C (read 1); 12: G (read 0), C (read 1), N not counted (read 2).
    assert_eq!(sites, vec![(11, [0, 2, 0, 0]), (12, [0, 1, 1, 0])]);
    let e = &pileup.reporters[0];
    assert_eq!(e.bases, [0, 1, 1, 1]);
    assert_eq!(
        (e.ref_reads.len(), e.alt_reads.len()),
        (1, 1),
        "G from read 2, C from read 1"
    );
}

#[test]
fn a_locus_beyond_the_largest_bam_position_is_refused_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let bam = write_bam(dir.path(), &[(10, "ACGT")]);
    let err = count_alleles(
        &bam,
        Path::new("loci.tsv"),
        &loci_rows(&[12, 1 << 40]),
        CountOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("loci.tsv: line 2: field 'pos'"), "{err}");
}
