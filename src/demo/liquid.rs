//! Liquid biopsy of the demo cohort: one VCF per blood draw in four callers' dialects (Mutect2, Strelka2, VarScan2, freeBayes) and a small BAM, ingested through the pipeline.
//!
//! Each patient carries 2–4 tumour variants (sarcoma hotspots) whose allele
//! fractions follow the planted response pattern: they fall after the first line
//! starts in responders and rise from four months before radiological progression.
//! Read counts are binomial draws at depths of 800–2500, so low fractions are missed
//! at some visits (left-censored in the store). The baseline VCF is ingested with
//! `--track`. Draws are written for the first [`MAX_PATIENTS`] patients only, which
//! keeps `demo --patients 10000` fast.

use super::cohort::{ResponsePattern, SimPatient};
use crate::analysis::mrd::MrdOptions;
use crate::error::{Error, Result};
use crate::ingest::bam::CountOptions;
use crate::ingest::vcf::{Caller, Options};
use crate::pipeline::IngestReport;
use crate::pipeline::liquid::{BamIngest, VcfIngest, ingest_bam, ingest_vcf};
use crate::pipeline::mrd::{MrdRequest, PanelOptions};
use crate::store::Store;
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, LogNormal};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Patients (in cohort order) that get blood draws.
pub const MAX_PATIENTS: usize = 150;

/// Days before radiological progression at which ctDNA starts to rise.
const LEAD_DAYS: f64 = 120.0;

/// A tumour variant of the demo: contig, position, REF, ALT, gene, protein change.
type Hotspot = (
    &'static str,
    u64,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const HOTSPOTS: [Hotspot; 8] = [
    ("17", 7577120, "C", "T", "TP53", "p.Arg273His"),
    ("17", 7577538, "C", "T", "TP53", "p.Arg248Gln"),
    ("13", 48941648, "C", "T", "RB1", "p.Arg320Ter"),
    ("3", 178952085, "A", "G", "PIK3CA", "p.His1047Arg"),
    ("12", 25398284, "C", "T", "KRAS", "p.Gly12Asp"),
    ("17", 29553485, "C", "T", "NF1", "p.Arg1306Ter"),
    ("X", 76938164, "G", "A", "ATRX", "p.Arg1426Ter"),
    ("9", 21971120, "G", "A", "CDKN2A", "p.Arg80Ter"),
];

/// A clonal-haematopoiesis variant written but never tracked.
const CHIP: Hotspot = ("2", 25457242, "C", "T", "DNMT3A", "p.Arg882His");

/// Patients per fusion-defined diagnosis (Ewing, synovial) whose every draw also gets a
/// small BAM of junction fragments (all of them carry their tracked fusion).
const FUSION_BAM_PATIENTS: usize = 1;

/// What the liquid-biopsy demo did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Patients with blood draws.
    pub patients: usize,
    /// VCF files written and ingested.
    pub vcfs: usize,
    /// BAM files written and ingested.
    pub bams: usize,
    /// Calls stored.
    pub calls: usize,
    /// The BAM ingests (few; listed by the demo).
    pub bam_reports: Vec<IngestReport>,
    /// The MRD test of each BAM ingest, in the same order (None: not tested).
    pub mrd: Vec<Option<crate::analysis::mrd::MrdResult>>,
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Patients carrying a tracked fusion (EWSR1-FLI1, SS18-SSX1).
    pub fusion_patients: usize,
    /// Junction BAMs written and ingested (`ingest bam` of the tracked fusions).
    pub fusion_bams: usize,
    /// The patients whose draws have junction BAMs, with their fusion.
    pub fusion_examples: Vec<(String, String)>,
}

/// One observed variant at one draw.
struct Observed {
    hotspot: Hotspot,
    vaf: f64,
    depth: u32,
    alt: u32,
}

/// Writes and ingests the draws of the first [`MAX_PATIENTS`] patients.
///
/// # Errors
/// When a file cannot be written or an ingest fails.
pub fn run(store: &mut Store, dir: &Path, cohort: &[SimPatient], seed: u64) -> Result<Summary> {
    let dir = dir.join("liquid");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut summary = Summary::default();
    let dialects = [
        Caller::Mutect2,
        Caller::Strelka2,
        Caller::VarScan2,
        Caller::FreeBayes,
    ];
    let mut fusion_bam_patients: std::collections::HashMap<super::cohort::Diagnosis, usize> =
        std::collections::HashMap::new();
    // Junction BAMs in a folder of their own, counted at the fusions only.
    let fusion_dir = dir.join("fusion");
    std::fs::create_dir_all(&fusion_dir).map_err(|e| Error::io(&fusion_dir, e))?;
    for (index, patient) in cohort.iter().take(MAX_PATIENTS).enumerate() {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x11C0_FFEE ^ (index as u64 + 1) << 20);
        let caller = dialects[index % dialects.len()];
        let tumour = tumour_variants(&mut rng);
        let baseline_vaf = rng.random_range(0.03..0.2);
        let clonal: Vec<f64> = tumour.iter().map(|_| rng.random_range(0.5..1.2)).collect();
        // (date, tumour level, what was observed) of every draw.
        let mut draws: Vec<(NaiveDate, f64, Vec<Observed>)> = Vec::new();
        for (visit, date) in patient.visits.iter().enumerate() {
            let level = baseline_vaf * trajectory(patient, *date);
            let mut observed = Vec::new();
            for (hotspot, weight) in tumour.iter().zip(&clonal) {
                observed.push(observe(&mut rng, *hotspot, (level * weight).min(0.6))?);
            }
            if visit > 0 {
                // Clonal haematopoiesis shows up in later draws; it is not tumour-derived
                // and was not in the baseline (tracked) set.
                observed.push(observe(&mut rng, CHIP, 0.008)?);
            }
            let cfdna = (rng.random_range(5.0..15.0) + 200.0 * level).min(80.0);
            let path = write_vcf(&dir, patient, *date, caller, &observed)?;
            let request = VcfIngest {
                patient: patient.code.clone(),
                date: *date,
                options: Options::default(),
                all_filters: false,
                track: visit == 0,
                track_all: false,
                max_normal_alt_reads: crate::pipeline::liquid::MAX_NORMAL_ALT_READS,
                // A draw where no variant is seen is written without records.
                allow_empty: true,
                cfdna_ng_per_ml: Some((cfdna * 10.0).round() / 10.0),
            };
            let (report, _) = ingest_vcf(store, &path, &request)?;
            if let crate::pipeline::Outcome::Ingested { new, .. } = report.outcome {
                summary.calls += new;
            }
            summary.vcfs += 1;
            summary.files.push(path);
            draws.push((*date, level, observed));
        }
        if let Some(junction) = super::fusion::junction_of(patient.diagnosis) {
            // The diagnostic fusion (from the tumour's RNA panel) is tracked like the SNVs.
            let tx = store.transaction()?;
            tx.track_fusion(
                &patient.code,
                &junction,
                "demo: diagnostic fusion panel",
                None,
            )?;
            tx.commit()?;
            summary.fusion_patients += 1;
            let written = fusion_bam_patients.entry(patient.diagnosis).or_default();
            if *written < FUSION_BAM_PATIENTS {
                *written += 1;
                summary.fusion_examples.push((
                    patient.code.clone(),
                    junction.genes.clone().unwrap_or_default(),
                ));
                // Its own stream: the other draws of the demo stay as they were.
                let mut fusion_rng =
                    ChaCha8Rng::seed_from_u64(seed ^ 0xF05E_D0D0 ^ (index as u64 + 1) << 24);
                for (date, level, _) in &draws {
                    // Truncal: the junction is in every tumour cell, at the tumour's fraction.
                    let fraction = level.min(0.6);
                    let path = super::fusion::write_bam(
                        &fusion_dir,
                        &patient.code,
                        *date,
                        &junction,
                        fraction,
                        &mut fusion_rng,
                    )?;
                    let request = BamIngest {
                        patient: patient.code.clone(),
                        date: *date,
                        loci: None,
                        options: CountOptions::default(),
                        cfdna_ng_per_ml: None,
                        mrd: None,
                        fusion: crate::ingest::bam::fusion::FusionOptions::default(),
                        fusions_only: true,
                    };
                    ingest_bam(store, &path, &request)?;
                    summary.fusion_bams += 1;
                    summary.files.push(path);
                }
            }
        }
        if index == 0 {
            // The first patient's draws at the ctDNA nadir and the last one are also
            // sequenced deeply and tested for MRD over a capture panel of its variants.
            let targets = write_targets(&dir, &tumour)?;
            for (date, observed) in mrd_draws(&draws) {
                let path = write_bam(&dir, patient, date, observed, &mut rng)?;
                let request = BamIngest {
                    patient: patient.code.clone(),
                    date,
                    loci: None,
                    options: CountOptions::default(),
                    cfdna_ng_per_ml: None,
                    mrd: Some(MrdRequest {
                        targets: targets.clone(),
                        normals: Vec::new(),
                        min_mapq: 40,
                        min_bq: 30,
                        options: MrdOptions::default(),
                        panel: PanelOptions::default(),
                    }),
                    fusion: crate::ingest::bam::fusion::FusionOptions::default(),
                    fusions_only: false,
                };
                let (report, detail) = ingest_bam(store, &path, &request)?;
                summary.bam_reports.push(report);
                summary
                    .mrd
                    .push(detail.and_then(|d| d.mrd).map(|outcome| outcome.result));
                summary.bams += 1;
                summary.files.push(path);
            }
        }
        summary.patients += 1;
    }
    Ok(summary)
}

/// The draws to sequence deeply: the one after baseline with the lowest tumour level
/// (the nadir, where MRD matters) and the last, in date order, each once.
fn mrd_draws(draws: &[(NaiveDate, f64, Vec<Observed>)]) -> Vec<(NaiveDate, &[Observed])> {
    let nadir = draws
        .iter()
        .skip(1)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|d| d.0);
    let mut chosen: Vec<(NaiveDate, &[Observed])> = draws
        .iter()
        .filter(|d| Some(d.0) == nadir || Some(d.0) == draws.last().map(|l| l.0))
        .map(|d| (d.0, d.2.as_slice()))
        .collect();
    chosen.dedup_by_key(|d| d.0);
    chosen
}

/// A capture panel (BED) of the patient's variants, 150 bp either side, named for
/// the BAM's contigs (`chr7`).
fn write_targets(dir: &Path, tumour: &[Hotspot]) -> Result<PathBuf> {
    let path = dir.join("panel_targets.bed");
    let mut text = String::new();
    for (contig, pos, ..) in tumour {
        text.push_str(&format!("chr{contig}\t{}\t{}\n", pos - 151, pos + 150));
    }
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

/// 2–4 distinct hotspots.
fn tumour_variants(rng: &mut ChaCha8Rng) -> Vec<Hotspot> {
    let count = rng.random_range(2..=4);
    let mut chosen: Vec<Hotspot> = Vec::new();
    while chosen.len() < count {
        let h = HOTSPOTS[rng.random_range(0..HOTSPOTS.len())];
        if !chosen.contains(&h) {
            chosen.push(h);
        }
    }
    chosen.sort_by_key(|h| (h.0, h.1));
    chosen
}

/// Tumour fraction relative to baseline at `date` for the patient's course.
fn trajectory(patient: &SimPatient, date: NaiveDate) -> f64 {
    let days = |from: NaiveDate| (date - from).num_days() as f64;
    let start = patient.lines.first().map(|l| l.start);
    let on_treatment = start.map_or(0.0, |s| days(s).max(0.0));
    let mut level = match patient.pattern {
        ResponsePattern::Responder | ResponsePattern::NecroticResponder => {
            (0.5f64.powf(on_treatment / 25.0)).max(0.02)
        }
        ResponsePattern::Stable => 1.0 - 0.4 * (on_treatment / 60.0).min(1.0),
        ResponsePattern::Progressor => 1.0 - 0.2 * (on_treatment / 60.0).min(1.0),
    };
    if let Some(progression) = &patient.progression {
        let rising = days(progression.date) + LEAD_DAYS;
        if rising > 0.0 {
            level = level.max(0.05) * (rising / 45.0).exp();
        }
    }
    level.min(6.0)
}

fn observe(rng: &mut ChaCha8Rng, hotspot: Hotspot, vaf: f64) -> Result<Observed> {
    let noise =
        LogNormal::new(0.0, 0.15).map_err(|e| Error::conflict(format!("demo noise model: {e}")))?;
    let vaf = (vaf * noise.sample(rng)).clamp(0.0, 0.9);
    let depth = rng.random_range(800..2500u32);
    let alt = Binomial::new(u64::from(depth), vaf)
        .map_err(|e| Error::conflict(format!("demo noise model: {e}")))?
        .sample(rng) as u32;
    Ok(Observed {
        hotspot,
        vaf,
        depth,
        alt,
    })
}

fn write_vcf(
    dir: &Path,
    patient: &SimPatient,
    date: NaiveDate,
    caller: Caller,
    observed: &[Observed],
) -> Result<PathBuf> {
    let stem = format!("{}_{}_{}", patient.code, date, caller.as_str());
    let mut text = String::from("##fileformat=VCFv4.2\n");
    let header = match caller {
        Caller::Mutect2 => {
            "##source=Mutect2\n##tumor_sample=TUMOR_DNA\n\
##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p'\">\n\
##FILTER=<ID=weak_evidence,Description=\"Mutation does not meet likelihood threshold\">\n\
##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n\
##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"Allele fractions\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL_DNA\tTUMOR_DNA\n"
        }
        Caller::Strelka2 => {
            "##source=strelka\n\
##FILTER=<ID=LowEVS,Description=\"Somatic Empirical Variant Score below threshold\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth for tier1\">\n\
##FORMAT=<ID=AU,Number=2,Type=Integer,Description=\"A tier1,tier2\">\n\
##FORMAT=<ID=CU,Number=2,Type=Integer,Description=\"C tier1,tier2\">\n\
##FORMAT=<ID=GU,Number=2,Type=Integer,Description=\"G tier1,tier2\">\n\
##FORMAT=<ID=TU,Number=2,Type=Integer,Description=\"T tier1,tier2\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
        }
        Caller::VarScan2 => {
            "##source=VarScan2\n\
##FILTER=<ID=str10,Description=\"Strand bias\">\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n\
##FORMAT=<ID=RD,Number=1,Type=Integer,Description=\"Reference reads\">\n\
##FORMAT=<ID=AD,Number=1,Type=Integer,Description=\"Variant reads\">\n\
##FORMAT=<ID=FREQ,Number=1,Type=String,Description=\"Variant allele frequency\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
        }
        _ => {
            "##source=freeBayes v1.3.6\n\
##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n\
##FORMAT=<ID=RO,Number=1,Type=Integer,Description=\"Reference allele observations\">\n\
##FORMAT=<ID=AO,Number=A,Type=Integer,Description=\"Alternate allele observations\">\n\
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tplasma\n"
        }
    };
    text.push_str(header);
    for o in observed {
        if o.alt == 0 {
            continue;
        }
        let (chrom, pos, reference, alt, gene, protein) = o.hotspot;
        let reference_reads = o.depth - o.alt;
        let weak = o.alt < 3;
        let normal_depth = 40;
        let record = match caller {
            Caller::Mutect2 => format!(
                "chr{chrom}\t{pos}\t.\t{reference}\t{alt}\t.\t{}\tANN={alt}|missense_variant|MODERATE|{gene}|{gene}|transcript|T1|protein_coding|1/1|c.1|{protein}\tGT:AD:AF:DP\t0/0:{normal_depth},0:0.0:{normal_depth}\t0/1:{reference_reads},{}:{:.4}:{}",
                if weak { "weak_evidence" } else { "PASS" },
                o.alt,
                f64::from(o.alt) / f64::from(o.depth),
                o.depth
            ),
            Caller::Strelka2 => {
                let counts = |b: &str| {
                    if b == reference {
                        reference_reads
                    } else if b == alt {
                        o.alt
                    } else {
                        0
                    }
                };
                let tier = |b: &str| format!("{0},{0}", counts(b));
                let normal = |b: &str| {
                    if b == reference {
                        format!("{normal_depth},{normal_depth}")
                    } else {
                        "0,0".to_string()
                    }
                };
                format!(
                    "chr{chrom}\t{pos}\t.\t{reference}\t{alt}\t.\t{}\tSOMATIC\tDP:AU:CU:GU:TU\t{normal_depth}:{}:{}:{}:{}\t{}:{}:{}:{}:{}",
                    if weak { "LowEVS" } else { "PASS" },
                    normal("A"),
                    normal("C"),
                    normal("G"),
                    normal("T"),
                    o.depth,
                    tier("A"),
                    tier("C"),
                    tier("G"),
                    tier("T")
                )
            }
            Caller::VarScan2 => format!(
                "chr{chrom}\t{pos}\t.\t{reference}\t{alt}\t.\t{}\tSOMATIC\tDP:RD:AD:FREQ\t{normal_depth}:{normal_depth}:0:0%\t{}:{reference_reads}:{}:{:.2}%",
                if weak { "str10" } else { "PASS" },
                o.depth,
                o.alt,
                100.0 * f64::from(o.alt) / f64::from(o.depth)
            ),
            _ => format!(
                "{chrom}\t{pos}\t.\t{reference}\t{alt}\t{}\t.\t.\tDP:RO:AO\t{}:{reference_reads}:{}",
                o.alt * 10,
                o.depth,
                o.alt
            ),
        };
        text.push_str(&record);
        text.push('\n');
    }
    if caller == Caller::FreeBayes {
        let path = dir.join(format!("{stem}.vcf.gz"));
        let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
        let mut writer = noodles::bgzf::io::Writer::new(file);
        writer
            .write_all(text.as_bytes())
            .and_then(|()| writer.try_finish())
            .map_err(|e| Error::io(&path, e))?;
        Ok(path)
    } else {
        let path = dir.join(format!("{stem}.vcf"));
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
        Ok(path)
    }
}

/// Writes `records` (each with its contig index and start, in any order) as a
/// coordinate-sorted BAM at `path` with its index beside it (`.bai`, or `.csi` when the
/// contigs are too long for one).
///
/// # Errors
/// I/O errors naming the BAM or its index.
pub(super) fn write_sorted_bam(
    path: PathBuf,
    header: &noodles::sam::Header,
    mut records: Vec<(usize, i64, noodles::sam::alignment::RecordBuf)>,
) -> Result<PathBuf> {
    use noodles::bam;
    use noodles::sam::alignment::io::Write as _;
    let io = |e: std::io::Error| Error::io(&path, e);
    records.sort_by_key(|(id, start, _)| (*id, *start));
    let file = std::fs::File::create(&path).map_err(io)?;
    let mut writer = bam::io::Writer::new(file);
    writer.write_header(header).map_err(io)?;
    for (_, _, record) in &records {
        writer.write_alignment_record(header, record).map_err(io)?;
    }
    writer.try_finish().map_err(io)?;
    let index = bam::fs::index(&path).map_err(io)?;
    let index_path = path.with_added_extension("bai");
    match index {
        bam::Index::Bai(index) => bam::bai::fs::write(&index_path, &index),
        bam::Index::Csi(index) => noodles::csi::fs::write(path.with_added_extension("csi"), &index),
    }
    .map_err(|e| Error::io(&index_path, e))?;
    Ok(path)
}

/// A small indexed BAM of the draw: 300 read pairs over each tumour variant, mates
/// overlapping (fragment 150 bp, reads 100 bp), ALT bases at the variant's fraction.
fn write_bam(
    dir: &Path,
    patient: &SimPatient,
    date: NaiveDate,
    observed: &[Observed],
    rng: &mut ChaCha8Rng,
) -> Result<PathBuf> {
    use noodles::core::Position;
    use noodles::sam;
    use noodles::sam::alignment::RecordBuf;
    use noodles::sam::alignment::record::cigar::{Op, op::Kind};
    use noodles::sam::alignment::record::{Flags, MappingQuality};

    const READ: usize = 100;
    const FRAGMENT: usize = 150;
    // Deep enough for the MRD test's 10,000 informative reads with two variants.
    const FRAGMENTS_PER_LOCUS: usize = 5000;
    // Sequencing errors: each base read as another with this probability (the
    // background the MRD test estimates; ctDNAtools' T1 has 1.4e-4).
    const ERROR_RATE: f64 = 2e-4;
    let path = dir.join(format!("{}_{}.bam", patient.code, date));
    let mut contigs: Vec<&str> = observed.iter().map(|o| o.hotspot.0).collect();
    contigs.sort_unstable();
    contigs.dedup();
    let mut text = String::from("@HD\tVN:1.6\tSO:coordinate\n");
    for contig in &contigs {
        text.push_str(&format!("@SQ\tSN:chr{contig}\tLN:250000000\n"));
    }
    let header: sam::Header = text
        .parse()
        .map_err(|e| Error::conflict(format!("demo BAM header: {e}")))?;
    let mut records: Vec<(usize, i64, RecordBuf)> = Vec::new();
    let position =
        |p: usize| Position::new(p).ok_or_else(|| Error::conflict("demo BAM: position 0"));
    let errors = Binomial::new(READ as u64, ERROR_RATE)
        .map_err(|e| Error::conflict(format!("demo error model: {e}")))?;
    for o in observed {
        let (contig, pos, reference, alt, _, _) = o.hotspot;
        let id = contigs.iter().position(|c| *c == contig).unwrap_or(0);
        let locus = pos as usize;
        for fragment in 0..FRAGMENTS_PER_LOCUS {
            let start = locus - rng.random_range(5..FRAGMENT - 5);
            let mate = start + FRAGMENT - READ;
            let base = if rng.random_bool(o.vaf) {
                alt
            } else {
                reference
            };
            let name = format!("{}:{}:{fragment}", contig, pos);
            for (first, read_start) in [(true, start), (false, mate)] {
                let mut sequence = vec![b'A'; READ];
                if (read_start..read_start + READ).contains(&locus) {
                    sequence[locus - read_start] = base.as_bytes()[0];
                }
                for _ in 0..errors.sample(rng) {
                    let b = &mut sequence[rng.random_range(0..READ)];
                    let others: Vec<u8> = b"ACGT".iter().copied().filter(|x| x != b).collect();
                    *b = others[rng.random_range(0..others.len())];
                }
                let flags = if first { 99 } else { 147 };
                let record = RecordBuf::builder()
                    .set_name(name.as_bytes())
                    .set_flags(Flags::from(flags))
                    .set_reference_sequence_id(id)
                    .set_alignment_start(position(read_start)?)
                    .set_mapping_quality(
                        MappingQuality::new(60)
                            .ok_or_else(|| Error::conflict("demo BAM: mapping quality"))?,
                    )
                    .set_cigar([Op::new(Kind::Match, READ)].into_iter().collect())
                    .set_mate_reference_sequence_id(id)
                    .set_mate_alignment_start(position(if first { mate } else { start })?)
                    .set_template_length(if first {
                        FRAGMENT as i32
                    } else {
                        -(FRAGMENT as i32)
                    })
                    .set_sequence(sequence.into())
                    .set_quality_scores(vec![30u8; READ].into())
                    .build();
                records.push((id, read_start as i64, record));
            }
        }
    }
    write_sorted_bam(path, &header, records)
}
