//! The MRD test of one BAM: reads the loci, targets and normals, piles the reads up and runs [`crate::analysis::mrd::test_mrd`]; used by `mrd` and `ingest bam --targets`.

use crate::analysis::mrd::{
    self, BlackList, BlackListKind, BlackListRules, MrdOptions, MrdResult, Reporter,
};
use crate::error::{Error, Result};
use crate::ingest::bam::pileup::{PileupRequest, count_and_pileup, pileup_targets};
use crate::ingest::bam::{Access, CountOptions, CountResult};
use crate::ingest::loci::LocusRow;
use crate::ingest::targets::{self, Target};
use crate::model::pileup::{TargetPileup, base_index};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// How the panel of normals becomes a black list (ctDNAtools'
/// `create_background_panel` defaults: MAPQ ≥ 20, base quality ≥ 10, VAF 0.05).
#[derive(Debug, Clone, PartialEq)]
pub struct PanelOptions {
    /// Whole positions or single substitutions.
    pub kind: BlackListKind,
    /// Minimum mapping quality of the normals' reads.
    pub min_mapq: u8,
    /// Minimum base quality of the normals' bases.
    pub min_bq: u8,
    /// Per-position panels blank a normal's position at this non-reference fraction.
    pub vaf_threshold: f64,
    /// The rules; `None`: ctDNAtools' defaults for the number of normals.
    pub rules: Option<BlackListRules>,
}

impl Default for PanelOptions {
    fn default() -> Self {
        PanelOptions {
            kind: BlackListKind::Substitutions,
            min_mapq: 20,
            min_bq: 10,
            vaf_threshold: 0.05,
            rules: None,
        }
    }
}

/// What to test.
#[derive(Debug, Clone, PartialEq)]
pub struct MrdRequest {
    /// Capture targets (BED).
    pub targets: PathBuf,
    /// Normal BAMs for the black list (none, or at least two).
    pub normals: Vec<PathBuf>,
    /// Minimum mapping quality (ctDNAtools 40).
    pub min_mapq: u8,
    /// Minimum base quality (ctDNAtools 30).
    pub min_bq: u8,
    /// The test's options.
    pub options: MrdOptions,
    /// The panel of normals.
    pub panel: PanelOptions,
}

/// The test's result and what it was made from.
#[derive(Debug, Clone, PartialEq)]
pub struct MrdOutcome {
    /// The reporters tested, in the order given (SNVs only).
    pub reporters: Vec<LocusRow>,
    /// Loci left out because they are not single-base substitutions.
    pub skipped: Vec<LocusRow>,
    /// The black list made from the normals, when there were normals.
    pub black_list: Option<BlackList>,
    /// The test.
    pub result: MrdResult,
    /// Index used for the BAM, or why it was scanned.
    pub access: Access,
}

/// Tests the draw in `bam` for the reporters `loci` (read from `loci_path`, which
/// names them in errors).
///
/// # Errors
/// A BED or loci error naming its line (a duplicate reporter included), one normal
/// only, or any error reading the BAMs.
pub fn run_mrd(
    bam: &Path,
    loci_path: &Path,
    loci: &[LocusRow],
    request: &MrdRequest,
) -> Result<MrdOutcome> {
    run_mrd_with_fusions(bam, loci_path, loci, request, &[])
}

/// [`run_mrd`] with the draw's tracked fusions as reporters of their own
/// ([`mrd::add_fusions`]; `ingest bam --targets` without SNV loci).
///
/// # Errors
/// As [`run_mrd`].
pub fn run_mrd_with_fusions(
    bam: &Path,
    loci_path: &Path,
    loci: &[LocusRow],
    request: &MrdRequest,
    fusions: &[mrd::FusionReporter],
) -> Result<MrdOutcome> {
    let draw = Draw::new(loci_path, loci, request)?;
    let (pileup, access) = pileup_targets(bam, &draw.pileup_request(loci_path, request))?;
    let outcome = draw.test(pileup, access, loci_path, request)?;
    Ok(with_fusions(outcome, fusions, request))
}

/// The allele counts of `loci` ([`crate::ingest::bam::count_alleles`] with `options`)
/// and [`run_mrd`] of the same BAM, reading it once for both
/// ([`count_and_pileup`]; the normals are read apart). Results are those of the
/// two calls; `ingest bam --targets` then adds the tracked fusions with
/// [`with_fusions`].
///
/// # Errors
/// As [`run_mrd`], and those of counting.
pub fn count_and_run_mrd(
    bam: &Path,
    loci_path: &Path,
    loci: &[LocusRow],
    options: CountOptions,
    request: &MrdRequest,
) -> Result<(CountResult, MrdOutcome)> {
    let draw = Draw::new(loci_path, loci, request)?;
    let (counts, pileup) = count_and_pileup(
        bam,
        loci_path,
        loci,
        options,
        &draw.pileup_request(loci_path, request),
    )?;
    let access = counts.access.clone();
    let outcome = draw.test(pileup, access, loci_path, request)?;
    Ok((counts, outcome))
}

/// The outcome with the draw's tracked fusions as reporters of their own
/// ([`mrd::add_fusions`]; unchanged without fusions).
pub fn with_fusions(
    mut outcome: MrdOutcome,
    fusions: &[mrd::FusionReporter],
    request: &MrdRequest,
) -> MrdOutcome {
    outcome.result = mrd::add_fusions(outcome.result, fusions, &request.options);
    outcome
}

/// The checked request of one draw: its targets and SNV reporters.
struct Draw {
    targets: Vec<Target>,
    reporters: Vec<Reporter>,
    /// The reporters' loci rows, in the order given.
    rows: Vec<LocusRow>,
    skipped: Vec<LocusRow>,
}

impl Draw {
    /// Reads the targets and checks the reporters (SNVs, each once) and the normals.
    fn new(loci_path: &Path, loci: &[LocusRow], request: &MrdRequest) -> Result<Self> {
        if request.normals.len() == 1 {
            return Err(Error::InvalidValue {
                what: "--normals",
                value: request.normals[0].display().to_string(),
                reason: "a panel of normals needs at least two BAMs (as ctDNAtools' create_background_panel)".into(),
            });
        }
        let targets: Vec<Target> = targets::read(&request.targets)?;
        let mut reporters = Vec::new();
        let mut rows = Vec::new();
        let mut skipped = Vec::new();
        let mut seen: HashMap<(String, u64, String, String), u64> = HashMap::new();
        for row in loci {
            let (Some(reference), Some(alt)) =
                (single(&row.locus.reference), single(&row.locus.alt))
            else {
                skipped.push(row.clone());
                continue;
            };
            let key = (
                row.locus.chrom.clone(),
                row.locus.pos,
                row.locus.reference.clone(),
                row.locus.alt.clone(),
            );
            if let Some(first) = seen.insert(key, row.line) {
                return Err(Error::parse(
                    loci_path,
                    row.line,
                    "pos",
                    format!(
                        "{row} is listed twice (first at line {first}); list each reporter once"
                    ),
                ));
            }
            reporters.push(Reporter {
                chrom: row.locus.chrom.clone(),
                pos: row.locus.pos,
                reference,
                alt,
                phasing: row.phasing.clone(),
            });
            rows.push(row.clone());
        }
        Ok(Draw {
            targets,
            reporters,
            rows,
            skipped,
        })
    }

    /// The draw's pileup: its targets and reporters with the request's filters.
    fn pileup_request<'a>(
        &'a self,
        loci_path: &'a Path,
        request: &'a MrdRequest,
    ) -> PileupRequest<'a> {
        PileupRequest {
            targets_path: &request.targets,
            targets: &self.targets,
            loci_path,
            reporters: &self.rows,
            min_mapq: request.min_mapq,
            min_bq: request.min_bq,
        }
    }

    /// Reads the normals into a black list and tests the draw's `pileup`.
    fn test(
        self,
        pileup: TargetPileup,
        access: Access,
        loci_path: &Path,
        request: &MrdRequest,
    ) -> Result<MrdOutcome> {
        let black_list = if request.normals.is_empty() {
            None
        } else {
            let mut normals = Vec::new();
            for normal in &request.normals {
                let (p, _) = pileup_targets(
                    normal,
                    &PileupRequest {
                        targets_path: &request.targets,
                        targets: &self.targets,
                        loci_path,
                        reporters: &[],
                        min_mapq: request.panel.min_mapq,
                        min_bq: request.panel.min_bq,
                    },
                )?;
                normals.push(p.sites);
            }
            let panel =
                mrd::background_panel(&normals, request.panel.kind, request.panel.vaf_threshold);
            let rules = request
                .panel
                .rules
                .unwrap_or_else(|| BlackListRules::defaults(normals.len()));
            Some(mrd::black_list(&panel, request.panel.kind, &rules))
        };
        let result = mrd::test_mrd(
            &self.reporters,
            &pileup.reporters,
            &pileup.sites,
            black_list.as_ref(),
            &request.options,
        );
        Ok(MrdOutcome {
            reporters: self.rows,
            skipped: self.skipped,
            black_list,
            result,
            access,
        })
    }
}

fn single(allele: &str) -> Option<usize> {
    match allele.as_bytes() {
        [b] => base_index(*b),
        _ => None,
    }
}
