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

/// A deterministic generator for the synthetic draws (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Contig lengths of the synthetic draws: chr1 has two target groups more than 1 kb
/// apart, chr2 one target, chr3 none (its loci lie outside every target).
const CONTIGS: [(&str, usize); 3] = [("chr1", 6000), ("chr2", 3000), ("chr3", 3000)];

/// Writes a coordinate-sorted BAM (indexed when `indexed`) of read pairs whose mates
/// mostly overlap, with every kind of read the two engines filter differently:
/// MAPQ 0 to 60 and absent (255), base qualities 2 to 41, missing QUAL, N bases,
/// deletions, insertions, soft clips, duplicates, secondary alignments, pairs not
/// properly paired, mates unmapped or on another contig, single-end reads, and a
/// read pair reaching from one index query into the next.
fn write_draw(dir: &Path, name: &str, seed: u64, indexed: bool) -> PathBuf {
    use noodles::sam;
    use noodles::sam::alignment::RecordBuf;
    use noodles::sam::alignment::io::Write as _;
    use noodles::sam::alignment::record::cigar::Op;
    use noodles::sam::alignment::record::{Flags, MappingQuality};
    let mut rng = Lcg(seed);
    let mut text = String::from("@HD\tVN:1.6\tSO:coordinate\n");
    for (contig, length) in CONTIGS {
        text.push_str(&format!("@SQ\tSN:{contig}\tLN:{length}\n"));
    }
    let header: sam::Header = text.parse().unwrap();
    let genomes: Vec<Vec<u8>> = CONTIGS
        .iter()
        .map(|&(_, length)| {
            (0..length)
                .map(|_| b"ACGT"[rng.below(4) as usize])
                .collect()
        })
        .collect();
    let read = 50usize;
    let mut records: Vec<(usize, usize, RecordBuf)> = Vec::new();
    let cigars: [&[(Kind, usize)]; 5] = [
        &[(Kind::Match, 50)],
        &[(Kind::Match, 20), (Kind::Deletion, 3), (Kind::Match, 30)],
        &[(Kind::SoftClip, 10), (Kind::Match, 40)],
        &[(Kind::Match, 25), (Kind::Insertion, 2), (Kind::Match, 23)],
        &[(Kind::Match, 30), (Kind::Deletion, 1500), (Kind::Match, 20)],
    ];
    let mapqs: [Option<u8>; 8] = [
        Some(0),
        Some(10),
        Some(25),
        Some(35),
        Some(45),
        Some(60),
        Some(60),
        None,
    ];
    let add = |records: &mut Vec<(usize, usize, RecordBuf)>,
               rng: &mut Lcg,
               fragment: usize,
               contig: usize,
               start: usize,
               cigar: &[(Kind, usize)],
               flags: Flags,
               mate: Option<(usize, usize, i32)>| {
        let genome = &genomes[contig];
        let mut sequence = Vec::new();
        let mut at = start;
        for &(kind, len) in cigar {
            match kind {
                Kind::Match => {
                    for _ in 0..len {
                        let base = genome.get(at).copied().unwrap_or(b'A');
                        sequence.push(match rng.below(20) {
                            0 => b"ACGT"[rng.below(4) as usize],
                            1 => b'N',
                            _ => base,
                        });
                        at += 1;
                    }
                }
                Kind::Deletion => at += len,
                _ => sequence.extend((0..len).map(|_| b"ACGT"[rng.below(4) as usize])),
            }
        }
        let qualities: Vec<u8> = (0..sequence.len())
            .map(|_| 2 + rng.below(40) as u8)
            .collect();
        let mut builder = RecordBuf::builder()
            .set_name(format!("f{fragment}").as_bytes())
            .set_flags(flags)
            .set_reference_sequence_id(contig)
            .set_alignment_start(Position::new(start + 1).unwrap())
            .set_cigar(cigar.iter().map(|&(k, n)| Op::new(k, n)).collect())
            .set_sequence(sequence.into());
        if rng.below(40) != 0 {
            builder = builder.set_quality_scores(qualities.into());
        }
        if let Some(q) = mapqs[rng.below(mapqs.len() as u64) as usize] {
            builder = builder.set_mapping_quality(MappingQuality::new(q).unwrap());
        }
        if let Some((mate_contig, mate_start, tlen)) = mate {
            builder = builder
                .set_mate_reference_sequence_id(mate_contig)
                .set_mate_alignment_start(Position::new(mate_start + 1).unwrap())
                .set_template_length(tlen);
        }
        records.push((contig, start, builder.build()));
    };
    for fragment in 0..1500 {
        let contig = rng.below(3) as usize;
        let length = CONTIGS[contig].1;
        let start = rng.below((length - 260) as u64) as usize;
        let insert = 40 + rng.below(100) as usize;
        let second = start + insert.saturating_sub(read);
        let pick = |rng: &mut Lcg| {
            // The long deletion (a pair reaching over 1 kb) only now and then.
            let kinds = if rng.below(30) == 0 { 5 } else { 4 };
            let k = rng.below(kinds) as usize;
            cigars[k]
        };
        let (c1, c2) = (pick(&mut rng), pick(&mut rng));
        let span = |c: &[(Kind, usize)]| {
            c.iter()
                .filter(|(k, _)| matches!(k, Kind::Match | Kind::Deletion))
                .map(|(_, n)| n)
                .sum::<usize>()
        };
        if second + span(c2) >= length || start + span(c1) >= length {
            continue;
        }
        let tlen = (second + span(c2) - start) as i32;
        let mut common = Flags::SEGMENTED;
        match rng.below(12) {
            0 => common |= Flags::DUPLICATE,
            1 => common |= Flags::SECONDARY,
            2 => common |= Flags::QC_FAIL,
            3 => {} // not properly paired
            _ => common |= Flags::PROPERLY_SEGMENTED,
        }
        match rng.below(25) {
            0 => {
                // Single-end.
                add(
                    &mut records,
                    &mut rng,
                    fragment,
                    contig,
                    start,
                    c1,
                    Flags::empty(),
                    None,
                );
            }
            1 => {
                // The mate unmapped (placed at the read, as aligners do).
                let flags = common | Flags::MATE_UNMAPPED | Flags::FIRST_SEGMENT;
                add(
                    &mut records,
                    &mut rng,
                    fragment,
                    contig,
                    start,
                    c1,
                    flags,
                    Some((contig, start, 0)),
                );
            }
            2 => {
                // The mate on the next contig.
                let other = (contig + 1) % 3;
                let flags = (common - Flags::PROPERLY_SEGMENTED) | Flags::FIRST_SEGMENT;
                add(
                    &mut records,
                    &mut rng,
                    fragment,
                    contig,
                    start,
                    c1,
                    flags,
                    Some((other, 100, 0)),
                );
            }
            _ => {
                add(
                    &mut records,
                    &mut rng,
                    fragment,
                    contig,
                    start,
                    c1,
                    common | Flags::FIRST_SEGMENT | Flags::MATE_REVERSE_COMPLEMENTED,
                    Some((contig, second, tlen)),
                );
                add(
                    &mut records,
                    &mut rng,
                    fragment,
                    contig,
                    second,
                    c2,
                    common | Flags::LAST_SEGMENT | Flags::REVERSE_COMPLEMENTED,
                    Some((contig, start, -tlen)),
                );
            }
        }
    }
    records.sort_by_key(|(contig, start, _)| (*contig, *start));
    let path = dir.join(name);
    let mut writer = bam::io::Writer::new(std::fs::File::create(&path).unwrap());
    writer.write_header(&header).unwrap();
    for (_, _, record) in &records {
        writer.write_alignment_record(&header, record).unwrap();
    }
    writer.try_finish().unwrap();
    if indexed {
        match bam::fs::index(&path).unwrap() {
            bam::Index::Bai(index) => {
                bam::bai::fs::write(path.with_added_extension("bai"), &index).unwrap();
            }
            bam::Index::Csi(index) => {
                csi::fs::write(path.with_added_extension("csi"), &index).unwrap();
            }
        }
    }
    path
}

/// Targets (0-based half-open): two groups on chr1 more than 1 kb apart, one on chr2.
fn draw_targets() -> Vec<crate::ingest::targets::Target> {
    [
        ("chr1", 300, 700),
        ("chr1", 650, 900),
        ("chr1", 3000, 3400),
        ("chr2", 1000, 1600),
    ]
    .iter()
    .enumerate()
    .map(|(i, &(chrom, start, end))| crate::ingest::targets::Target {
        line: i as u64 + 1,
        chrom_raw: chrom.into(),
        chrom: chrom.trim_start_matches("chr").into(),
        start,
        end,
    })
    .collect()
}

/// SNV loci (1-based): inside targets, on the first and last base of a target and
/// just outside it, between target groups, on chr3 (no targets), and one `N` ALT
/// (counted, not a reporter).
fn draw_loci() -> Vec<LocusRow> {
    let at = [
        ("chr1", 301),
        ("chr1", 300),
        ("chr1", 500),
        ("chr1", 700),
        ("chr1", 701),
        ("chr1", 900),
        ("chr1", 901),
        ("chr1", 1950),
        ("chr1", 3001),
        ("chr1", 3200),
        ("chr1", 3400),
        ("chr1", 3401),
        ("chr1", 5000),
        ("chr2", 999),
        ("chr2", 1001),
        ("chr2", 1300),
        ("chr2", 1600),
        ("chr3", 800),
        ("chr3", 2000),
    ];
    let mut rows: Vec<LocusRow> = at
        .iter()
        .enumerate()
        .map(|(i, &(chrom, pos))| LocusRow {
            line: i as u64 + 1,
            chrom_raw: chrom.into(),
            locus: crate::ingest::vcf::Locus {
                chrom: chrom.trim_start_matches("chr").into(),
                pos,
                reference: ["A", "C", "G", "T"][i % 4].into(),
                alt: ["C", "G", "T", "A"][i % 4].into(),
            },
            gene: None,
            phasing: None,
        })
        .collect();
    let mut n = rows[2].clone();
    n.line = rows.len() as u64 + 1;
    n.locus.pos = 3300;
    n.chrom_raw = "chr1".into();
    n.locus.alt = "N".into();
    rows.push(n);
    rows
}

#[test]
fn one_read_for_counts_and_pileup_equals_the_two_passes_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let targets = draw_targets();
    let loci = draw_loci();
    // Reporters: the SNV loci with A, C, G, T alleles (as `mrd` keeps them).
    let reporters: Vec<LocusRow> = loci
        .iter()
        .filter(|r| r.locus.alt != "N")
        .cloned()
        .collect();
    let loci_path = Path::new("loci.tsv");
    let mut fragments_differ = false;
    for seed in [1, 7, 11] {
        let bam = write_draw(dir.path(), &format!("draw{seed}.bam"), seed, true);
        // The same draw without its index: read whole, one sweep per contig.
        let scanned = dir.path().join(format!("scan{seed}.bam"));
        std::fs::copy(&bam, &scanned).unwrap();
        for (min_mapq, min_bq, fragment_level) in [
            (20, 20, true),
            (20, 20, false),
            (0, 0, true),
            (45, 30, true),
        ] {
            let options = CountOptions {
                min_mapq,
                min_bq,
                fragment_level,
            };
            for (pileup_mapq, pileup_bq) in [(40, 30), (20, 10), (0, 0)] {
                let request = pileup::PileupRequest {
                    targets_path: Path::new("targets.bed"),
                    targets: &targets,
                    loci_path,
                    reporters: &reporters,
                    min_mapq: pileup_mapq,
                    min_bq: pileup_bq,
                };
                let case = format!(
                    "seed {seed}, count {options:?}, pileup MAPQ {pileup_mapq} BQ {pileup_bq}"
                );
                let counts = count_alleles(&bam, loci_path, &loci, options).unwrap();
                let (piled, access) = pileup::pileup_targets(&bam, &request).unwrap();
                let (one_counts, one_piled) =
                    pileup::count_and_pileup(&bam, loci_path, &loci, options, &request).unwrap();
                assert!(matches!(access, Access::Index(_)), "{case}");
                assert_eq!(access, counts.access, "{case}");
                assert_eq!(one_counts, counts, "{case}");
                assert_eq!(one_piled, piled, "{case}");
                // Through the index as reading the whole file, in one read or two.
                let (scan_counts, scan_piled) =
                    pileup::count_and_pileup(&scanned, loci_path, &loci, options, &request)
                        .unwrap();
                assert!(matches!(scan_counts.access, Access::Scan(_)), "{case}");
                assert_eq!(scan_counts.counts, counts.counts, "{case}: scanned");
                assert_eq!(scan_piled, piled, "{case}: scanned");
                let scan_alone = count_alleles(&scanned, loci_path, &loci, options).unwrap();
                assert_eq!(scan_alone, scan_counts, "{case}: scanned");
                let (scan_pile_alone, _) = pileup::pileup_targets(&scanned, &request).unwrap();
                assert_eq!(scan_pile_alone, scan_piled, "{case}: scanned");
                // Something was counted: depth at most loci, sites, reporter reads.
                let covered = counts
                    .counts
                    .iter()
                    .filter(|c| c.counts.depth() > 0)
                    .count();
                assert!(covered >= loci.len() / 2, "{case}: {covered} loci covered");
                assert!(piled.sites.len() > 1000, "{case}");
                assert!(
                    piled.reporters.iter().any(|e| !e.alt_reads.is_empty()),
                    "{case}"
                );
            }
            if options == CountOptions::default() {
                let reads = CountOptions {
                    fragment_level: false,
                    ..options
                };
                let by_read = count_alleles(&bam, loci_path, &loci, reads).unwrap();
                let by_fragment = count_alleles(&bam, loci_path, &loci, options).unwrap();
                fragments_differ |= by_read.counts != by_fragment.counts;
            }
        }
    }
    assert!(
        fragments_differ,
        "overlapping mates change the counts of some draw (the overlap rule was exercised)"
    );
}
