//! Unit tests of the VCF reader: one inline VCF per caller dialect and per failure.

use super::*;

const HEAD: &str = "##fileformat=VCFv4.2\n";

fn read_all(text: &str, options: &Options) -> Result<(Caller, String, Vec<Call>, Vec<Skipped>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.vcf");
    std::fs::write(&path, text).unwrap();
    let mut reader = CallReader::open(&path, options)?;
    let mut all = Vec::new();
    let mut calls = Vec::new();
    while reader.next_calls(&mut calls)? {
        all.append(&mut calls);
    }
    Ok((
        reader.caller(),
        reader.sample().to_string(),
        all,
        reader.skipped().to_vec(),
    ))
}

fn calls_of(text: &str) -> Vec<Call> {
    read_all(text, &Options::default()).unwrap().2
}

#[test]
fn contig_names_normalise_chr_prefix_and_mitochondrion() {
    for (raw, want) in [
        ("chr1", "1"),
        ("1", "1"),
        ("CHRX", "X"),
        ("chrM", "MT"),
        ("M", "MT"),
        ("MT", "MT"),
        ("chr", "chr"),
        ("GL000220.1", "GL000220.1"),
    ] {
        assert_eq!(normalize_contig(raw), want, "{raw}");
    }
}

#[test]
fn mutect2_keeps_caller_af_splits_multiallelic_and_finds_tumour_column_not_first() {
    let vcf = format!(
        "{HEAD}##source=Mutect2\n##tumor_sample=TUM\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORM\tTUM\n\
chr7\t140453136\t.\tA\tT,C\t.\tPASS\t.\tGT:AD:AF:DP\t0/0:50,0,0:0.01,0.01:50\t0/1/2:80,15,5:0.15,0.05:100\n"
    );
    let (caller, sample, calls, _) = read_all(&vcf, &Options::default()).unwrap();
    assert_eq!((caller, sample.as_str()), (Caller::Mutect2, "TUM"));
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].locus.chrom, "7");
    assert_eq!(calls[0].chrom_raw, "chr7");
    assert_eq!(
        (
            calls[0].vaf,
            calls[0].alt_reads,
            calls[0].ref_reads,
            calls[0].depth
        ),
        (Some(0.15), Some(15), Some(80), Some(100))
    );
    assert_eq!(
        (
            calls[1].locus.alt.as_str(),
            calls[1].vaf,
            calls[1].alt_reads
        ),
        ("C", Some(0.05), Some(5))
    );
    assert_eq!(calls[0].vaf_source, "FORMAT/AF");
}

#[test]
fn mutect1_reads_fa_and_tumor_sample_name_from_its_header_line() {
    let vcf = format!(
        "{HEAD}##MuTect=\"analysis_type=MuTect tumor_sample_name=T1 normal_sample_name=N1\"\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=FA,Number=A,Type=Float,Description=\"f\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN1\tT1\n\
1\t100\t.\tG\tA\t.\tPASS\t.\tAD:FA\t30,0:0.00\t29,11:0.275\n"
    );
    let (caller, sample, calls, _) = read_all(&vcf, &Options::default()).unwrap();
    assert_eq!((caller, sample.as_str()), (Caller::Mutect1, "T1"));
    assert_eq!(
        (
            calls[0].vaf,
            calls[0].alt_reads,
            calls[0].vaf_source.as_ref()
        ),
        (Some(0.275), Some(11), "FORMAT/FA")
    );
}

#[test]
fn strelka_uses_tier1_counts_for_snvs_and_tar_tir_for_indels() {
    let fmt = "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n\
##FORMAT=<ID=AU,Number=2,Type=Integer,Description=\"a\">\n##FORMAT=<ID=CU,Number=2,Type=Integer,Description=\"c\">\n\
##FORMAT=<ID=GU,Number=2,Type=Integer,Description=\"g\">\n##FORMAT=<ID=TU,Number=2,Type=Integer,Description=\"t\">\n";
    let snv = format!(
        "{HEAD}##source=strelka\n{fmt}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n\
1\t10\t.\tC\tT\t.\tPASS\t.\tDP:AU:CU:GU:TU\t20:0,0:20,20:0,0:0,0\t63:0,0:46,48:0,0:17,19\n"
    );
    let c = &calls_of(&snv)[0];
    assert_eq!(
        (c.alt_reads, c.ref_reads, c.depth),
        (Some(17), Some(46), Some(63))
    );
    assert_eq!(c.vaf, Some(17.0 / 63.0));
    assert_eq!(c.vaf_source, "tier1 TU/(CU+TU)");
    let indel = format!(
        "{HEAD}##source=strelka\n##FORMAT=<ID=TAR,Number=2,Type=Integer,Description=\"r\">\n\
##FORMAT=<ID=TIR,Number=2,Type=Integer,Description=\"i\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n\
1\t10\t.\tCT\tC\t.\tPASS\t.\tTAR:TIR\t31,31:2,2\t31,33:12,14\n"
    );
    let c = &calls_of(&indel)[0];
    assert_eq!(
        (c.alt_reads, c.ref_reads, c.vaf),
        (Some(12), Some(31), Some(12.0 / 43.0))
    );
    assert_eq!(c.vaf_source, "tier1 TIR/(TAR+TIR)");
}

#[test]
fn varscan_freq_percent_is_a_fraction_and_slash_alleles_are_skipped() {
    let vcf = format!(
        "{HEAD}##source=VarScan2\n##FORMAT=<ID=RD,Number=1,Type=Integer,Description=\"r\">\n\
##FORMAT=<ID=AD,Number=1,Type=Integer,Description=\"a\">\n##FORMAT=<ID=FREQ,Number=1,Type=String,Description=\"f\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n\
chr1\t5\t.\tCT\tC\t.\tPASS\t.\tRD:AD:FREQ\t30:0:0%\t37:12:24.49%\n\
chr1\t9\t.\tCT/TTTT\tC\t.\tPASS\t.\tRD:AD:FREQ\t30:0:0%\t37:12:24.49%\n"
    );
    let (_, _, calls, skipped) = read_all(&vcf, &Options::default()).unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].vaf, calls[0].alt_reads, calls[0].ref_reads),
        (Some(0.2449), Some(12), Some(37))
    );
    assert_eq!(skipped.len(), 1);
    assert_eq!(
        (skipped[0].record, skipped[0].line, skipped[0].field),
        (2, 8, "REF")
    );
}

#[test]
fn vardict_first_column_is_the_tumour_and_freebayes_uses_ao_ro() {
    let vardict = format!(
        "{HEAD}##source=VarDict_v1.8.2\n##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n##FORMAT=<ID=VD,Number=1,Type=Integer,Description=\"v\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\tN\n\
1\t5\t.\tC\tT\t.\tPASS\t.\tAD:AF:VD\t607,3:0.0049:3\t100,0:0:0\n"
    );
    let (caller, sample, calls, _) = read_all(&vardict, &Options::default()).unwrap();
    assert_eq!(
        (caller, sample.as_str(), calls[0].vaf, calls[0].depth),
        (Caller::VarDict, "T", Some(0.0049), Some(610))
    );
    let freebayes = format!(
        "{HEAD}##source=freeBayes v1.3\n##FORMAT=<ID=RO,Number=1,Type=Integer,Description=\"r\">\n\
##FORMAT=<ID=AO,Number=A,Type=Integer,Description=\"a\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\n\
q\t5\t.\tC\tT,G\t50\t.\t.\tRO:AO\t20:10,5\n"
    );
    let fb = calls_of(&freebayes);
    assert_eq!(
        (fb[0].vaf, fb[0].depth, fb[0].filter.as_str()),
        (Some(10.0 / 30.0), Some(35), ".")
    );
    assert_eq!(fb[1].vaf, Some(5.0 / 25.0));
    assert!(fb[0].passed());
}

#[test]
fn deepvariant_is_recognised_by_its_vaf_field_and_bcftools_by_its_header() {
    let dv = format!(
        "{HEAD}##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=VAF,Number=A,Type=Float,Description=\"v\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNA1\n\
chr20\t5\t.\tC\tT\t30\tRefCall\t.\tAD:VAF\t25,30:0.545455\n"
    );
    let (caller, _, calls, _) = read_all(&dv, &Options::default()).unwrap();
    assert_eq!(
        (caller, calls[0].vaf, calls[0].passed()),
        (Caller::DeepVariant, Some(0.545455), false)
    );
    let bcf = format!(
        "{HEAD}##bcftools_callVersion=1.16\n##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n1\t5\t.\tC\tT\t30\tPASS\t.\tAD\t6,2\n"
    );
    let (caller, _, calls, _) = read_all(&bcf, &Options::default()).unwrap();
    assert_eq!(
        (caller, calls[0].vaf, calls[0].vaf_source.as_ref()),
        (Caller::Bcftools, Some(0.25), "FORMAT/AD alt/(ref+alt)")
    );
}

#[test]
fn unknown_caller_falls_back_to_generic_and_caller_can_be_forced() {
    let vcf = format!(
        "{HEAD}##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n1\t5\t.\tC\tT\t30\tPASS\t.\tAD\t6,2\n"
    );
    assert_eq!(
        read_all(&vcf, &Options::default()).unwrap().0,
        Caller::Generic
    );
    let forced = Options {
        caller: Some(Caller::Bcftools),
        ..Options::default()
    };
    assert_eq!(read_all(&vcf, &forced).unwrap().0, Caller::Bcftools);
}

#[test]
fn gene_and_protein_change_come_from_ann_or_csq() {
    let ann = format!(
        "{HEAD}##INFO=<ID=ANN,Number=.,Type=String,Description=\"SnpEff\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n\
17\t7577120\t.\tC\tT\t.\tPASS\tANN=T|missense_variant|MODERATE|TP53|ENSG1|transcript|ENST1|protein_coding|8/11|c.818G>A|p.Arg273His|1|1|1|\tAD\t6,2\n"
    );
    let c = &calls_of(&ann)[0];
    assert_eq!(
        (c.gene.as_deref(), c.protein_change.as_deref()),
        (Some("TP53"), Some("p.Arg273His"))
    );
    let csq = format!(
        "{HEAD}##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|SYMBOL|HGVSp\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n\
12\t25398284\t.\tC\tT\t.\tPASS\tCSQ=T|missense_variant|KRAS|ENSP1:p.Gly12Asp\tAD\t6,2\n"
    );
    let c = &calls_of(&csq)[0];
    assert_eq!(
        (c.gene.as_deref(), c.protein_change.as_deref()),
        (Some("KRAS"), Some("ENSP1:p.Gly12Asp"))
    );
}

#[test]
fn bad_records_name_line_record_and_field() {
    let fmt = "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n";
    let head = format!(
        "{HEAD}##source=Mutect2\n{fmt}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"
    );
    let cases = [
        (
            format!("{head}1\t5\t.\tC\tT\t.\tPASS\t.\tAD:AF\t6,2:high\n"),
            "line 6: field 'FORMAT/AF': record 1",
        ),
        (
            format!("{head}1\t5\t.\tC\tT\t.\tPASS\t.\tAD:AF\t6,2:0.2\n1\t6\t.\tC\tT\t.\tPASS\t.\n"),
            "line 7: field 'FORMAT': record 2: 0 sample columns",
        ),
        (
            format!("{head}1\t5\t.\tC\tT\n"),
            "line 6: field 'record': record 1",
        ),
        (
            format!("{head}1\t5\t.\tC\tT\t.\tPASS\t.\tAD:AF\t6,2:1.5\n"),
            "not an allele fraction",
        ),
    ];
    for (vcf, needle) in cases {
        let err = read_all(&vcf, &Options::default()).unwrap_err().to_string();
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn tumour_sample_must_be_found_or_chosen() {
    let head = format!("{HEAD}##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n");
    let two = format!("{head}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n");
    let err = read_all(&two, &Options::default()).unwrap_err().to_string();
    assert!(
        err.contains("field 'sample'") && err.contains("--sample"),
        "{err}"
    );
    let chosen = Options {
        sample: Some("B".into()),
        ..Options::default()
    };
    assert_eq!(read_all(&two, &chosen).unwrap().1, "B");
    let missing = Options {
        sample: Some("C".into()),
        ..Options::default()
    };
    let err = read_all(&two, &missing).unwrap_err().to_string();
    assert!(err.contains("'C' (--sample) is not a column"), "{err}");
    let named = format!(
        "{HEAD}##tumor_sample=X\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n"
    );
    let err = read_all(&named, &Options::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("tumour sample 'X'"), "{err}");
}

#[test]
fn vcf_4_1_to_4_3_headers_and_lower_case_alleles_read_alike() {
    for version in ["4.1", "4.2", "4.3"] {
        let vcf = format!(
            "##fileformat=VCFv{version}\n##source=Mutect2\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\n\
chr1\t5\t.\tc\tt\t.\tPASS\t.\tAD:AF\t6,2:0.25\n"
        );
        let calls = calls_of(&vcf);
        assert_eq!(calls.len(), 1, "VCF {version}");
        assert_eq!(
            (
                calls[0].locus.reference.as_str(),
                calls[0].locus.alt.as_str()
            ),
            ("C", "T")
        );
        assert_eq!(calls[0].vaf, Some(0.25), "VCF {version}");
    }
}

#[test]
fn decimal_gives_the_shortest_digits_of_the_f32_as_written() {
    // (f32 as noodles reads it, the f64 stored)
    let cases = [
        (0.225_f32, 0.225),
        (0.453, 0.453),
        (1e-5, 1e-5),
        (0.0, 0.0),
        (1.0, 1.0),
        (0.3333333, 0.3333333),
        (f32::MIN_POSITIVE, 1.1754944e-38),
    ];
    for (read, stored) in cases {
        assert_eq!(decimal(read), stored, "{read}");
    }
    // Over a spread of bit patterns (fractions, counts, tiny and huge values): the
    // f32 comes back, with as few digits as the standard library's shortest
    // formatting; the two differ only where two shortest candidates tie (2.00390625
    // is 2.0039062 here, rounding half to even, and 2.0039063 there).
    for bits in (0..u32::MAX).step_by(65_537) {
        let value = f32::from_bits(bits);
        if value.is_finite() {
            let ours = decimal(value);
            let std: f64 = value.to_string().parse().unwrap();
            assert_eq!(ours as f32, value, "{value:e}");
            assert!(
                ours == std || ours.to_string().len() == std.to_string().len(),
                "{value:e}: {ours} against {std}"
            );
        }
    }
    assert!(decimal(f32::NAN).is_nan());
}

/// A VarDict tumour–normal VCF as VarDictJava's paired mode writes it (STATUS in INFO,
/// tumour first, GT in both columns).
fn vardict_paired(records: &[&str]) -> String {
    let mut text = format!(
        "{HEAD}##source=VarDict_v1.8.1\n\
##INFO=<ID=STATUS,Number=1,Type=String,Description=\"Somatic or germline status\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"g\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"d\">\n\
##FORMAT=<ID=VD,Number=1,Type=Integer,Description=\"v\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\tN\n"
    );
    for r in records {
        text.push_str(r);
        text.push('\n');
    }
    text
}

#[test]
fn detected_needs_an_alt_read_and_a_genotype_other_than_reference_only() {
    let vcf = vardict_paired(&[
        "1\t100\t.\tC\tT\t50\tPASS\tSTATUS=StrongSomatic\tGT:DP:VD:AD:AF\t0/1:100:10:90,10:0.1\t0/0:80:0:80,0:0",
        "1\t200\t.\tC\tT\t50\tPASS\tSTATUS=StrongLOH\tGT:DP:VD:AD:AF\t0/0:491:0:491,0:0\t0/1:263:136:127,136:0.52",
        "1\t300\t.\tC\tT\t50\tPASS\tSTATUS=LikelyLOH\tGT:DP:VD:AD:AF\t0/0:400:3:397,3:0.0075\t0/1:200:90:110,90:0.45",
        "1\t400\t.\tC\tT\t50\tPASS\tSTATUS=StrongSomatic\tGT:DP:VD:AD:AF\t./.:100:4:96,4:0.04\t0/0:80:0:80,0:0",
    ]);
    let calls = calls_of(&vcf);
    let seen: Vec<(u64, bool, bool)> = calls
        .iter()
        .map(|c| (c.locus.pos, c.genotype_ref, c.detected()))
        .collect();
    // (position, genotype reference only, detected)
    assert_eq!(
        seen,
        [
            (100, false, true),
            (200, true, false),
            (300, true, false),
            (400, false, true)
        ]
    );
    assert_eq!(calls[1].depth, Some(491), "not detected, with its depth");
    // Without read counts a VAF of 0 is not detected either.
    let mut call = calls[0].clone();
    (call.alt_reads, call.vaf) = (None, Some(0.0));
    assert!(!call.detected());
}

#[test]
fn somatic_status_and_matched_normal_are_read_per_caller_when_asked() {
    let somatic = Options {
        somatic: true,
        ..Options::default()
    };
    let vcf = vardict_paired(&[
        "1\t100\t.\tC\tT\t50\tPASS\tSTATUS=StrongSomatic\tGT:DP:VD:AD:AF\t0/1:100:10:90,10:0.1\t0/0:80:1:79,1:0.01",
        "1\t200\t.\tC\tT\t50\tPASS\tSTATUS=Germline\tGT:DP:VD:AD:AF\t0/1:100:50:50,50:0.5\t0/1:80:40:40,40:0.5",
        "1\t300\t.\tC\tT\t50\tPASS\t.\tGT:DP:VD:AD:AF\t0/1:100:10:90,10:0.1\t0/0:80:0:80,0:0",
    ]);
    let (_, _, calls, _) = read_all(&vcf, &somatic).unwrap();
    let seen: Vec<(Somatic, Option<u32>)> = calls
        .iter()
        .map(|c| (c.somatic.clone(), c.normal_alt_reads))
        .collect();
    assert_eq!(
        seen,
        [
            (Somatic::Yes("STATUS=StrongSomatic".into()), Some(1)),
            (Somatic::No("STATUS=Germline".into()), Some(40)),
            (Somatic::NotGiven, Some(0)),
        ]
    );
    // Not asked: nothing read.
    assert!(
        calls_of(&vcf)
            .iter()
            .all(|c| c.somatic == Somatic::NotGiven && c.normal_alt_reads.is_none())
    );
    // VarScan2 SS=2 is somatic, SS=1 germline; the NORMAL column is the normal.
    let varscan = format!(
        "{HEAD}##source=VarScan2\n\
##INFO=<ID=SS,Number=1,Type=String,Description=\"Somatic status\">\n\
##FORMAT=<ID=RD,Number=1,Type=Integer,Description=\"r\">\n\
##FORMAT=<ID=AD,Number=1,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=FREQ,Number=1,Type=String,Description=\"f\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n\
chr1\t10\t.\tA\tG\t.\tPASS\tSS=2\tRD:AD:FREQ\t30:0:0%\t20:10:33.33%\n\
chr1\t20\t.\tA\tG\t.\tPASS\tSS=1\tRD:AD:FREQ\t15:15:50%\t10:10:50%\n"
    );
    let (_, sample, calls, _) = read_all(&varscan, &somatic).unwrap();
    assert_eq!(sample, "TUMOR");
    assert_eq!(
        calls
            .iter()
            .map(|c| (c.somatic.clone(), c.normal_alt_reads))
            .collect::<Vec<_>>(),
        [
            (Somatic::Yes("SS=2".into()), Some(0)),
            (Somatic::No("SS=1".into()), Some(15))
        ]
    );
    // A tumour-only file has no normal; a germline caller gives no status.
    let freebayes = format!(
        "{HEAD}##source=freeBayes v1.3.6\n\
##FORMAT=<ID=RO,Number=1,Type=Integer,Description=\"r\">\n\
##FORMAT=<ID=AO,Number=A,Type=Integer,Description=\"a\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tplasma\n\
1\t10\t.\tA\tG\t50\t.\t.\tRO:AO\t20:5\n"
    );
    let (_, _, calls, _) = read_all(&freebayes, &somatic).unwrap();
    assert_eq!(
        (calls[0].somatic.clone(), calls[0].normal_alt_reads),
        (Somatic::NotGiven, None)
    );
}

#[test]
fn plain_gzip_reads_like_plain_text_and_a_cut_stream_says_what_broke() {
    use std::io::Write;
    let mut text = vardict_paired(&[]);
    for i in 1..=2000 {
        text.push_str(&format!(
            "1\t{i}\t.\tC\tT\t50\tPASS\tSTATUS=StrongSomatic\tGT:DP:VD:AD:AF\t0/1:100:10:90,10:0.1\t0/0:80:0:80,0:0\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let read = |path: &Path| -> Result<usize> {
        let mut reader = CallReader::open(path, &Options::default())?;
        let (mut n, mut calls) = (0, Vec::new());
        while reader.next_calls(&mut calls)? {
            n += calls.len();
        }
        Ok(n)
    };
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(text.as_bytes()).unwrap();
    let gzipped = gzip.finish().unwrap();
    let mut bgzf = noodles::bgzf::io::Writer::new(Vec::new());
    bgzf.write_all(text.as_bytes()).unwrap();
    let bgzipped = bgzf.finish().unwrap();
    for (name, bytes, what) in [
        ("plain.vcf.gz", &gzipped, "gzip stream"),
        ("bgzf.vcf.gz", &bgzipped, "BGZF block"),
    ] {
        let whole = dir.path().join(name);
        std::fs::write(&whole, bytes).unwrap();
        assert_eq!(read(&whole).unwrap(), 2000, "{name}");
        let cut = dir.path().join(format!("cut-{name}"));
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let message = read(&cut).unwrap_err().to_string();
        assert!(
            message.contains(&format!("truncated or corrupt {what} at byte")),
            "{name}: {message}"
        );
    }
}

#[test]
fn a_somatic_callers_pass_is_somatic_and_its_unfiltered_dot_is_not() {
    let vcf = format!(
        "{HEAD}##source=Mutect2\n##tumor_sample=T\n##normal_sample=N\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN\tT\n\
1\t10\t.\tA\tG\t.\tPASS\t.\tAD:AF\t30,3:0.09\t20,10:0.33\n\
1\t20\t.\tA\tG\t.\t.\t.\tAD:AF\t30,0:0\t20,10:0.33\n"
    );
    let options = Options {
        somatic: true,
        ..Options::default()
    };
    let (_, _, calls, _) = read_all(&vcf, &options).unwrap();
    assert_eq!(
        (calls[0].somatic.clone(), calls[0].normal_alt_reads),
        (Somatic::Yes("mutect2 (a somatic caller)".into()), Some(3))
    );
    assert!(matches!(&calls[1].somatic, Somatic::No(why) if why.contains("never filtered")));
}

#[test]
fn empty_lines_between_and_after_records_are_passed_over_keeping_line_numbers() {
    let fmt = "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"a\">\n##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"f\">\n";
    let head = format!(
        "{HEAD}##source=Mutect2\n{fmt}#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\n"
    );
    let record = |pos: u32| format!("1\t{pos}\t.\tC\tT\t.\tPASS\t.\tAD:AF\t6,2:0.2");
    for ending in ["\n", "\r\n"] {
        let vcf = format!(
            "{head}{}\n{ending}{}\n{ending}{ending}",
            record(5),
            record(6)
        );
        let calls = calls_of(&vcf);
        assert_eq!(calls.len(), 2, "{ending:?}");
        assert_eq!((calls[0].line, calls[1].line), (6, 8), "{ending:?}");
    }
    // A bad record after an empty line is named on its own line.
    let vcf = format!(
        "{head}{}\n\n1\t7\t.\tC\tT\t.\tPASS\t.\tAD:AF\t6,2:x\n",
        record(5)
    );
    let err = read_all(&vcf, &Options::default()).unwrap_err().to_string();
    assert!(err.contains("line 8: field 'FORMAT/AF': record 2"), "{err}");
}
