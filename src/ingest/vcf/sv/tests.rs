//! Unit tests of the structural-variant reader: each breakend notation, each caller's dialect (records as the callers write them), pairing and bad input.

use super::*;

/// A record as the reader hands it over: `keys` is FORMAT, then the tumour and normal columns.
#[allow(clippy::too_many_arguments)]
fn rec<'a>(
    line: u64,
    chrom: &'a str,
    pos: u64,
    id: &'a str,
    alt: &'a str,
    filter: &'a str,
    info: &'a str,
    keys: &'a [&'a str],
    tumour: Option<&'a str>,
    normal: Option<&'a str>,
) -> RecordText<'a> {
    RecordText {
        record: line - 10,
        line,
        chrom,
        pos,
        id,
        reference: "N",
        alt,
        qual: None,
        filter,
        info,
        keys,
        tumour,
        normal,
    }
}

fn parse(caller: SvCaller, r: &RecordText<'_>) -> SvEnd {
    parse_record(caller, r, AnnotationLayout::default()).unwrap()
}

fn bp(chrom: &str, pos: u64) -> Breakpoint {
    Breakpoint {
        chrom: chrom.into(),
        pos,
    }
}

#[test]
fn the_four_mate_notations_and_single_breakends_give_their_orientation() {
    // (ALT, mate, orientation, inserted bases) per VCF 4.3 §5.4's table.
    let table = [
        ("G[17:198983[", bp("17", 198983), Orientation::PlusMinus, 0),
        ("G]17:198982]", bp("17", 198982), Orientation::PlusPlus, 0),
        ("]13:123456]T", bp("13", 123456), Orientation::MinusPlus, 0),
        ("[17:198983[A", bp("17", 198983), Orientation::MinusMinus, 0),
        (
            "GTTC[1:9424908[",
            bp("1", 9424908),
            Orientation::PlusMinus,
            3,
        ),
        (
            "]1:9424907]TTGT",
            bp("1", 9424907),
            Orientation::MinusPlus,
            3,
        ),
        // A contig outside the assembly is written in angle brackets; a contig name with ':'.
        ("C[<ctg1>:7[", bp("ctg1", 7), Orientation::PlusMinus, 0),
        (
            "A]HLA-A*01:01:01:01:120]",
            bp("HLA-A*01:01:01:01", 120),
            Orientation::PlusPlus,
            0,
        ),
        // Telomeric: the mate at position 0.
        ("N[12:0[", bp("12", 0), Orientation::PlusMinus, 0),
    ];
    for (alt, mate, orientation, inserted) in table {
        assert_eq!(
            parse_breakend(alt),
            Ok(BreakendAlt::Mate {
                mate,
                orientation,
                inserted
            }),
            "{alt}"
        );
        assert_eq!(classify(alt), AltClass::Sv, "{alt}");
    }
    assert_eq!(
        parse_breakend("G."),
        Ok(BreakendAlt::Single {
            keeps_left: true,
            inserted: 0
        })
    );
    assert_eq!(
        parse_breakend(".GAAT"),
        Ok(BreakendAlt::Single {
            keeps_left: false,
            inserted: 3
        })
    );
}

#[test]
fn a_breakend_alt_that_does_not_parse_says_why() {
    for (alt, why) in [
        ("G[17:198983]", "two brackets must be the same"),
        ("G[17198983[", "is not chrom:pos"),
        ("G[17:12x[", "is not a number"),
        ("G[17:5[T", "on one side"),
        ("[17:5[", "on one side"),
        ("G[:5[", "has no contig"),
        ("G[[17:5[", "two brackets must be the same"),
        ("X7[1:5[", "is not a sequence of bases"),
        ("G.T.", "not a sequence of bases"),
    ] {
        let err = parse_breakend(alt).unwrap_err();
        assert!(err.contains(why), "{alt}: {err}");
        assert!(err.contains(alt), "{alt}: {err}");
    }
    let r = rec(
        12,
        "1",
        5,
        "b1",
        "G[17:x[",
        "PASS",
        "SVTYPE=BND",
        &[],
        None,
        None,
    );
    match parse_record(SvCaller::Generic, &r, AnnotationLayout::default()) {
        Err(SvProblem::Invalid { field, message }) => {
            assert_eq!(field, "ALT");
            assert!(message.contains("G[17:x["), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn alleles_are_sorted_into_sv_reference_blocks_other_symbolic_and_bases() {
    for (alt, class) in [
        ("<DEL>", AltClass::Sv),
        ("<DUP:TANDEM>", AltClass::Sv),
        ("<DEL:ME:ALU>", AltClass::Sv),
        ("<INV>", AltClass::Sv),
        ("<INS>", AltClass::Sv),
        ("<CNV>", AltClass::Sv),
        ("<TRA>", AltClass::Sv),
        ("<BND>", AltClass::Sv),
        ("<CN2>", AltClass::OtherSymbolic),
        ("<*>", AltClass::Reference),
        ("<NON_REF>", AltClass::Reference),
        ("A", AltClass::Plain),
        ("*", AltClass::Plain),
        (".", AltClass::Plain),
        ("ACGT", AltClass::Plain),
    ] {
        assert_eq!(classify(alt), class, "{alt}");
    }
}

#[test]
fn manta_pairs_mates_into_one_somatic_event_with_pr_sr_support() {
    // Manta 1.4 somaticSV.vcf (HCC1954 demo): normal column first, tumour second.
    let keys = ["PR", "SR"];
    let a = rec(
        40,
        "8",
        107653411,
        "MantaBND:0:0:2:0:0:0:1",
        "]11:94987872]T",
        "PASS",
        "SVTYPE=BND;MATEID=MantaBND:0:0:2:0:0:0:0;SOMATIC;SOMATICSCORE=35",
        &keys,
        Some("489,4:520,19"),
        Some("32,0:28,0"),
    );
    let b = rec(
        43,
        "11",
        94987872,
        "MantaBND:0:0:2:0:0:0:0",
        "]8:107653411]A",
        "PASS",
        "SVTYPE=BND;MATEID=MantaBND:0:0:2:0:0:0:1;SOMATIC;SOMATICSCORE=35",
        &keys,
        Some("489,4:520,19"),
        Some("32,0:28,0"),
    );
    let paired = pair(vec![parse(SvCaller::Manta, &a), parse(SvCaller::Manta, &b)]);
    assert!(paired.warnings.is_empty());
    assert_eq!(paired.calls.len(), 1);
    let call = &paired.calls[0];
    assert_eq!(call.kind, SvKind::Breakend);
    assert_eq!(
        (call.a.clone(), call.b.clone()),
        (bp("8", 107653411), Some(bp("11", 94987872)))
    );
    assert_eq!(call.sides, SvSides::Pair(Orientation::MinusPlus));
    assert_eq!(call.lines, vec![40, 43]);
    assert_eq!(call.records(), 2);
    assert_eq!(call.support, "PR=489,4 SR=520,19");
    assert_eq!((call.alt_reads, call.ref_reads), (Some(23), Some(1009)));
    assert_eq!(call.af, Some(23.0 / 1032.0));
    assert_eq!(call.af_source, "FORMAT/PR+SR alt/(ref+alt)");
    assert_eq!(call.somatic, SvSomatic::Yes("INFO/SOMATIC".into()));
    assert_eq!(call.junctions().len(), 1);
}

#[test]
fn gridss_reads_vf_ref_refpair_pairs_by_mateid_or_parid_and_keeps_single_breakends() {
    let keys = ["GT", "BVF", "REF", "REFPAIR", "SR", "VF"];
    let a = rec(
        100,
        "1",
        9424907,
        "gridss0fb_12021o",
        "GTTGT[1:9424908[",
        "PASS",
        "SVTYPE=BND;EVENT=gridss0fb_12021;MATEID=gridss0fb_12021h",
        &keys,
        Some(".:0:66:82:1:36"),
        Some(".:0:37:25:0:0"),
    );
    let b = rec(
        101,
        "1",
        9424908,
        "gridss0fb_12021h",
        "]1:9424907]TTGTT",
        "PON",
        "SVTYPE=BND;EVENT=gridss0fb_12021;MATEID=gridss0fb_12021o",
        &keys,
        Some(".:5:66:82:1:36"),
        Some(".:0:37:25:0:0"),
    );
    let paired = pair(vec![
        parse(SvCaller::Gridss, &a),
        parse(SvCaller::Gridss, &b),
    ]);
    let call = &paired.calls[0];
    assert_eq!(paired.calls.len(), 1);
    assert_eq!(call.af, Some(36.0 / (36.0 + 66.0 + 82.0)));
    assert_eq!(call.af_source, "FORMAT/VF/(VF+REF+REFPAIR)");
    assert_eq!(call.support, "VF=36 REF=66 REFPAIR=82 SR=1");
    // One mate PASS, the other PON: the event failed PON.
    assert_eq!(call.filter, "PON");
    assert!(!call.passed());
    assert_eq!(
        call.somatic,
        SvSomatic::Yes("0 variant reads in the matched normal".into())
    );
    // GRIDSS before 2.8 paired with PARID.
    let c = rec(
        200,
        "2",
        500,
        "gridss9o",
        "A[3:900[",
        "PASS",
        "SVTYPE=BND;PARID=gridss9h",
        &keys,
        Some(".:0:10:10:0:5"),
        None,
    );
    let d = rec(
        300,
        "3",
        900,
        "gridss9h",
        "]2:500]C",
        "PASS",
        "SVTYPE=BND;PARID=gridss9o",
        &keys,
        Some(".:0:10:10:0:5"),
        None,
    );
    // A single breakend: BVF counts its variant fragments.
    let e = rec(
        400,
        "3",
        25331584,
        "gridss51b_73915b",
        ".GAATCATC",
        "PASS",
        "SVTYPE=BND",
        &keys,
        Some(".:7:13:0:0:0"),
        None,
    );
    let paired = pair(vec![
        parse(SvCaller::Gridss, &c),
        parse(SvCaller::Gridss, &e),
        parse(SvCaller::Gridss, &d),
    ]);
    assert_eq!(paired.calls.len(), 2);
    assert_eq!(paired.calls[0].lines, vec![200, 300]);
    let single = &paired.calls[1];
    assert_eq!(single.kind, SvKind::SingleBreakend);
    assert_eq!(single.b, None);
    assert_eq!(single.sides, SvSides::Single { keeps_left: false });
    assert_eq!(single.af, Some(7.0 / 20.0));
    assert_eq!(single.af_source, "FORMAT/BVF/(BVF+REF+REFPAIR)");
    assert_eq!(single.somatic, SvSomatic::NotGiven);
    assert!(single.junctions().is_empty());
}

#[test]
fn delly_translocations_take_chr2_end_and_ct_and_the_af_of_pairs_or_junction_reads() {
    let keys = ["GT", "DR", "DV", "RR", "RV"];
    let imprecise = rec(
        20,
        "2",
        32048707,
        "TRA00000002",
        "<TRA>",
        "PASS",
        "IMPRECISE;SVTYPE=TRA;SVMETHOD=EMBL.DELLYv0.7.3;CHR2=1;END=59096868;CT=5to3",
        &keys,
        Some("0/1:14:8:0:0"),
        None,
    );
    let call = parse(SvCaller::Delly, &imprecise).call;
    assert_eq!(call.kind, SvKind::Translocation);
    assert_eq!(call.b, Some(bp("1", 59096868)));
    assert_eq!(call.sides, SvSides::Pair(Orientation::MinusPlus));
    assert_eq!(call.af, Some(8.0 / 22.0));
    assert_eq!(call.af_source, "FORMAT/DV/(DR+DV) (imprecise: read pairs)");
    assert_eq!(call.support, "DR=14 DV=8 RR=0 RV=0");
    assert_eq!(call.somatic, SvSomatic::NotGiven);
    let precise = rec(
        21,
        "2",
        190999445,
        "TRA00000012",
        "<TRA>",
        "PASS",
        "PRECISE;SVTYPE=TRA;CHR2=1;END=164240436;CT=3to5;SOMATIC",
        &keys,
        Some("0/1:31:8:15:10"),
        None,
    );
    let call = parse(SvCaller::Delly, &precise).call;
    assert_eq!(call.sides, SvSides::Pair(Orientation::PlusMinus));
    assert_eq!(call.af, Some(10.0 / 25.0));
    assert_eq!(
        call.af_source,
        "FORMAT/RV/(RR+RV) (precise: junction reads)"
    );
    assert_eq!(call.somatic, SvSomatic::Yes("INFO/SOMATIC".into()));
    assert_eq!(
        call.junctions()[0].b,
        bp("1", 164240436),
        "the partner of a translocation is CHR2:END"
    );
}

#[test]
fn lumpy_symbolic_deletions_keep_svlen_end_strands_and_say_their_af_is_not_computable() {
    let keys = ["GT", "SU", "PE", "SR"];
    let del = rec(
        30,
        "1",
        19151862,
        "46",
        "<DEL>",
        "PASS",
        "SVTYPE=DEL;STRANDS=+-:4;SVLEN=-410;END=19152272;IMPRECISE;SU=4;PE=4;SR=0",
        &keys,
        Some("./.:4:4:0"),
        Some("./.:0:0:0"),
    );
    let call = parse(SvCaller::Lumpy, &del).call;
    assert_eq!(call.kind, SvKind::Deletion);
    assert_eq!(call.length, Some(-410));
    assert_eq!(call.b, Some(bp("1", 19152272)));
    assert_eq!(call.sides, SvSides::Pair(Orientation::PlusMinus));
    assert_eq!((call.alt_reads, call.af), (Some(4), None));
    assert!(
        call.af_source.starts_with("not computable: LUMPY"),
        "{}",
        call.af_source
    );
    assert_eq!(
        call.somatic,
        SvSomatic::Yes("0 variant reads in the matched normal".into())
    );
    let inv = rec(
        31,
        "1",
        100,
        "47",
        "<INV>",
        "PASS",
        "SVTYPE=INV;STRANDS=--:3;END=900",
        &keys,
        Some("./.:3:3:0"),
        Some("./.:2:2:0"),
    );
    let call = parse(SvCaller::Lumpy, &inv).call;
    assert_eq!(call.sides, SvSides::Pair(Orientation::MinusMinus));
    assert_eq!(
        call.somatic,
        SvSomatic::No("2 variant reads in the matched normal".into())
    );
    // SVTyper genotyped: RO/AO give the fraction.
    let keys = ["GT", "SU", "RO", "AO"];
    let typed = rec(
        32,
        "1",
        100,
        "48",
        "<DUP>",
        "PASS",
        "SVTYPE=DUP;END=900",
        &keys,
        Some("0/1:5:15:5"),
        None,
    );
    let call = parse(SvCaller::Lumpy, &typed).call;
    assert_eq!(call.af, Some(0.25));
    assert_eq!(call.sides, SvSides::Pair(Orientation::MinusPlus));
}

#[test]
fn sniffles_reads_dr_dv_for_tra_with_chr2_and_for_breakends_without_a_mate_record() {
    // Sniffles 1: <TRA> with CHR2/END and STRANDS; FORMAT GT:DR:DV.
    let keys = ["GT", "DR", "DV"];
    let tra = rec(
        50,
        "chr22",
        29683123,
        "7",
        "<TRA>",
        "PASS",
        "PRECISE;SVMETHOD=Snifflesv1.0.12;CHR2=chr11;END=128651853;STRANDS=+-;SVTYPE=TRA;SUPTYPE=SR;SVLEN=0;RE=12",
        &keys,
        Some("0/1:28:12"),
        None,
    );
    let call = parse(SvCaller::Sniffles, &tra).call;
    assert_eq!(call.b, Some(bp("chr11", 128651853)));
    assert_eq!(call.sides, SvSides::Pair(Orientation::PlusMinus));
    assert_eq!(call.af, Some(0.3));
    assert_eq!(call.af_source, "FORMAT/DV/(DR+DV)");
    // Sniffles 2: one BND record per junction, no MATEID: no warning.
    let bnd = rec(
        51,
        "chr22",
        29683123,
        "Sniffles2.BND.1S0",
        "N[chr11:128651853[",
        "PASS",
        "PRECISE;SVTYPE=BND;SUPPORT=12;COVERAGE=40,40,40,40,40;STRAND=+-;AF=0.3;CHR2=chr11",
        &keys,
        Some("0/1:28:12"),
        None,
    );
    let paired = pair(vec![parse(SvCaller::Sniffles, &bnd)]);
    assert!(paired.warnings.is_empty(), "{:?}", paired.warnings);
    assert_eq!(paired.calls[0].af, Some(0.3));
    // Sniffles 2 without a FORMAT column: INFO/AF.
    let bare = rec(
        52,
        "chr1",
        10,
        "x",
        "<DEL>",
        "PASS",
        "SVTYPE=DEL;END=500;AF=0.12",
        &[],
        None,
        None,
    );
    let call = parse(SvCaller::Sniffles, &bare).call;
    assert_eq!(call.af, None, "no sample column");
    let with_column = rec(
        53,
        "chr1",
        10,
        "x",
        "<DEL>",
        "PASS",
        "SVTYPE=DEL;END=500;AF=0.12",
        &["GT"],
        Some("0/1"),
        None,
    );
    let call = parse(SvCaller::Sniffles, &with_column).call;
    assert_eq!((call.af, call.af_source.as_str()), (Some(0.12), "INFO/AF"));
}

#[test]
fn nanomonsv_reads_vr_of_tr_and_the_control_column() {
    let keys = ["TR", "VR"];
    let a = rec(
        60,
        "chr22",
        29683123,
        "r_0_0",
        "G[chr11:128651853[",
        "PASS",
        "SVTYPE=BND;MATEID=r_0_1",
        &keys,
        Some("40:10"),
        Some("38:0"),
    );
    let b = rec(
        61,
        "chr11",
        128651853,
        "r_0_1",
        "]chr22:29683123]A",
        "PASS",
        "SVTYPE=BND;MATEID=r_0_0",
        &keys,
        Some("40:10"),
        Some("38:0"),
    );
    let paired = pair(vec![
        parse(SvCaller::Nanomonsv, &a),
        parse(SvCaller::Nanomonsv, &b),
    ]);
    let call = &paired.calls[0];
    assert_eq!(call.af, Some(0.25));
    assert_eq!((call.alt_reads, call.ref_reads), (Some(10), Some(30)));
    assert_eq!(call.af_source, "FORMAT/VR/TR");
    assert_eq!(
        call.somatic,
        SvSomatic::Yes("0 variant reads in the matched normal".into())
    );
    let bad = rec(
        62,
        "chr1",
        5,
        "z",
        "<DEL>",
        "PASS",
        "END=9",
        &keys,
        Some("4:9"),
        None,
    );
    match parse_record(SvCaller::Nanomonsv, &bad, AnnotationLayout::default()) {
        Err(SvProblem::Invalid { field, message }) => {
            assert_eq!(field, "FORMAT/VR");
            assert!(message.contains("VR cannot exceed TR"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn svaba_reads_ad_of_dp_and_pairs_its_n_1_n_2_ids() {
    let keys = ["GT", "AD", "DP", "GQ", "PL", "SR", "DR", "LR", "LO"];
    let a = rec(
        70,
        "22",
        29683123,
        "1:1",
        "G[11:128651853[",
        "PASS",
        "DISC_MAPQ=60;EVDNC=ASDIS;MAPQ=60;MATEID=1:2;NUMPARTS=2;SCTG=c_1;SPAN=-1;SVTYPE=BND",
        &keys,
        Some("0/1:12:48:0:0,0,0:8:6:0:20"),
        Some("0/0:0:40:0:0,0,0:0:0:0:0"),
    );
    let b = rec(
        71,
        "11",
        128651853,
        "1:2",
        "]22:29683123]A",
        "PASS",
        "DISC_MAPQ=60;EVDNC=ASDIS;MAPQ=60;MATEID=1:1;NUMPARTS=2;SCTG=c_1;SPAN=-1;SVTYPE=BND",
        &keys,
        Some("0/1:12:48:0:0,0,0:8:6:0:20"),
        Some("0/0:0:40:0:0,0,0:0:0:0:0"),
    );
    let paired = pair(vec![parse(SvCaller::Svaba, &a), parse(SvCaller::Svaba, &b)]);
    let call = &paired.calls[0];
    assert_eq!(paired.calls.len(), 1);
    assert_eq!(call.af, Some(0.25));
    assert_eq!(call.af_source, "FORMAT/AD/DP");
    assert_eq!(call.support, "AD=12 DP=48 SR=8 DR=6");
    assert_eq!(call.ids, vec!["1:1".to_string(), "1:2".to_string()]);
}

#[test]
fn esvee_takes_its_format_af_and_purple_falls_back_to_purple_af() {
    let keys = ["GT", "AF", "DF", "REF", "REFPAIR", "SF", "VF"];
    let esvee = rec(
        80,
        "22",
        29683123,
        "3o",
        "G[11:128651853[",
        "PASS",
        "SVTYPE=BND;MATEID=3h;SVID=3",
        &keys,
        Some("./.:0.31:2:20:9:11:13"),
        Some("./.:0:0:30:20:0:0"),
    );
    let call = parse(SvCaller::Esvee, &esvee).call;
    assert_eq!(
        (call.af, call.af_source.as_str()),
        (Some(0.31), "FORMAT/AF")
    );
    assert_eq!(call.support, "VF=13 REF=20 REFPAIR=9 SF=11 DF=2");
    // PURPLE's SV VCF without sample read counts: the purity-adjusted INFO/PURPLE_AF.
    let purple = rec(
        81,
        "22",
        29683123,
        "3o",
        "G[11:128651853[",
        "PASS",
        "SVTYPE=BND;MATEID=3h;PURPLE_AF=0.42,0.40;PURPLE_CN=2.1,2.0;PURPLE_JCN=0.9",
        &["GT"],
        Some("./."),
        None,
    );
    let call = parse(SvCaller::Purple, &purple).call;
    assert_eq!(
        (call.af, call.af_source.as_str()),
        (Some(0.42), "INFO/PURPLE_AF (purity-adjusted)")
    );
}

#[test]
fn vardict_sv_records_keep_their_format_af_and_split_read_support() {
    // vardict.simple.vcf: an <INV> with SPLITREAD/SPANPAIR, filtered f0.02.
    let keys = ["GT", "DP", "VD", "AD", "AF", "RD", "ALD"];
    let inv = rec(
        90,
        "1",
        11155817,
        ".",
        "<INV>",
        "f0.02",
        "SAMPLE=abc;TYPE=INV;DP=249;END=11156005;VD=2;AF=0.008;SVTYPE=INV;SVLEN=189;SPLITREAD=2;SPANPAIR=0",
        &keys,
        Some("0/0:249:2:246,2:0.008:211,35:2,0"),
        None,
    );
    let call = parse(SvCaller::VarDict, &inv).call;
    assert_eq!(call.kind, SvKind::Inversion);
    assert_eq!(
        (call.af, call.af_source.as_str()),
        (Some(0.008), "FORMAT/AF")
    );
    assert_eq!(call.support, "VD=2 AD=246,2 DP=249 SPLITREAD=2 SPANPAIR=0");
    assert_eq!(call.filter, "f0.02");
    assert_eq!(call.sides, SvSides::Unknown);
    // An inversion of unknown orientation joins both of its junctions.
    let junctions = call.junctions();
    assert_eq!(junctions.len(), 2);
    assert_eq!(junctions[1].a, bp("1", 11155818));
    assert_eq!(junctions[1].orientation, Orientation::MinusMinus);
}

#[test]
fn a_breakend_whose_mate_is_missing_is_kept_alone_with_a_warning_naming_it() {
    let lone = rec(
        15,
        "8",
        100,
        "bnd_U",
        "G]11:500]",
        "PASS",
        "SVTYPE=BND;MATEID=bnd_V",
        &[],
        None,
        None,
    );
    let paired = pair(vec![parse(SvCaller::Generic, &lone)]);
    assert_eq!(paired.calls.len(), 1);
    assert_eq!(paired.calls[0].b, Some(bp("11", 500)));
    assert_eq!(paired.warnings.len(), 1);
    let warning = &paired.warnings[0];
    for needle in ["line 15", "record 5", "bnd_U", "bnd_V"] {
        assert!(warning.contains(needle), "{warning}");
    }
}

#[test]
fn the_gene_pair_comes_from_snpeff_gene_fusion_or_each_mates_vep_symbol() {
    let ann = "SVTYPE=BND;MATEID=b;ANN=G[11:128651853[|bidirectional_gene_fusion|HIGH|EWSR1&FLI1|ENSG1&ENSG2|gene_variant|||||||||";
    let a = rec(
        11,
        "22",
        29683123,
        "a",
        "G[11:128651853[",
        "PASS",
        ann,
        &[],
        None,
        None,
    );
    let layout = AnnotationLayout {
        ann: true,
        csq_symbol: None,
    };
    let end = parse_record(SvCaller::Manta, &a, layout).unwrap();
    assert_eq!(end.call.genes.as_deref(), Some("EWSR1-FLI1"));
    // VEP annotates each mate with its own SYMBOL: the pair is A's then B's.
    let layout = AnnotationLayout {
        ann: false,
        csq_symbol: Some(1),
    };
    let a = rec(
        11,
        "22",
        29683123,
        "a",
        "G[11:128651853[",
        "PASS",
        "SVTYPE=BND;MATEID=b;CSQ=G|EWSR1|intron",
        &[],
        None,
        None,
    );
    let b = rec(
        12,
        "11",
        128651853,
        "b",
        "]22:29683123]A",
        "PASS",
        "SVTYPE=BND;MATEID=a;CSQ=A|FLI1|intron",
        &[],
        None,
        None,
    );
    let paired = pair(vec![
        parse_record(SvCaller::Manta, &a, layout).unwrap(),
        parse_record(SvCaller::Manta, &b, layout).unwrap(),
    ]);
    assert_eq!(paired.calls[0].genes.as_deref(), Some("EWSR1-FLI1"));
    assert_eq!(
        paired.calls[0].junctions()[0].genes.as_deref(),
        Some("EWSR1-FLI1")
    );
}

#[test]
fn records_oncotrack_does_not_read_are_left_out_with_the_reason_and_bad_numbers_are_errors() {
    let several = rec(
        11,
        "1",
        5,
        ".",
        "<DEL>,<DUP>",
        "PASS",
        "END=9",
        &[],
        None,
        None,
    );
    assert_eq!(
        parse_record(SvCaller::Generic, &several, AnnotationLayout::default()),
        Err(SvProblem::LeftOut(
            "a structural-variant record with several ALT alleles".into()
        ))
    );
    let end = rec(12, "1", 5, ".", "<DEL>", "PASS", "END=x9", &[], None, None);
    match parse_record(SvCaller::Generic, &end, AnnotationLayout::default()) {
        Err(SvProblem::Invalid { field, .. }) => assert_eq!(field, "INFO/END"),
        other => panic!("{other:?}"),
    }
    let keys = ["PR"];
    let pr = rec(
        13,
        "1",
        5,
        ".",
        "<DEL>",
        "PASS",
        "END=9",
        &keys,
        Some("4,x"),
        None,
    );
    match parse_record(SvCaller::Manta, &pr, AnnotationLayout::default()) {
        Err(SvProblem::Invalid { field, message }) => {
            assert_eq!(field, "FORMAT/PR");
            assert!(message.contains("tumour column"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn breakends_without_mate_ids_pair_by_their_event_when_it_is_theirs_alone() {
    let a = rec(
        20,
        "1",
        500,
        "o",
        "A[3:900[",
        "PASS",
        "SVTYPE=BND;EVENT=e1",
        &[],
        None,
        None,
    );
    let b = rec(
        21,
        "3",
        900,
        "h",
        "]1:500]C",
        "PASS",
        "SVTYPE=BND;EVENT=e1",
        &[],
        None,
        None,
    );
    let c = rec(
        22,
        "4",
        10,
        "x",
        "A[5:20[",
        "PASS",
        "SVTYPE=BND;EVENT=e2",
        &[],
        None,
        None,
    );
    let d = rec(
        23,
        "5",
        20,
        "y",
        "]4:10]C",
        "PASS",
        "SVTYPE=BND;EVENT=e2",
        &[],
        None,
        None,
    );
    let e = rec(
        24,
        "6",
        30,
        "z",
        "A[7:40[",
        "PASS",
        "SVTYPE=BND;EVENT=e2",
        &[],
        None,
        None,
    );
    let ends = [a, b, c, d, e]
        .iter()
        .map(|r| parse(SvCaller::Gridss, r))
        .collect();
    let paired = pair(ends);
    // e1 pairs; e2 has three breakends: none is paired by it.
    assert_eq!(paired.calls.len(), 4);
    assert_eq!(paired.calls[0].lines, vec![20, 21]);
    assert!(paired.calls[1..].iter().all(|c| c.records() == 1));
}
