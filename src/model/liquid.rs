//! A patient's tracked variants per blood draw as the store holds them: every caller's row, before the callers are merged.

use crate::model::MrdDecision;
use chrono::NaiveDate;

/// One stored row of a tracked variant in a draw: a VCF caller's call (or a
/// not-detected placeholder) or the allele counts of a BAM (caller `bam`).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCall {
    /// Caller name (`mutect2`, ..., `bam`).
    pub caller: String,
    /// Whether the row says detected (alt reads ≥ 1 and a genotype other than 0/0).
    pub detected: bool,
    /// Allele fraction as stored.
    pub vaf: Option<f64>,
    /// Alt reads.
    pub alt_reads: Option<i64>,
    /// Ref reads.
    pub ref_reads: Option<i64>,
    /// Depth at the locus.
    pub depth: Option<i64>,
}

/// One tracked variant of a draw with every stored row of it (none: not called there).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedVariantCalls {
    /// Which variant: `GENE chrom:pos REF>ALT` (gene when known).
    pub label: String,
    /// The rows of this variant in the draw, one per caller.
    pub calls: Vec<StoredCall>,
}

/// One blood draw with the stored rows of each of the patient's tracked variants.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawCalls {
    /// Date of the draw.
    pub date: NaiveDate,
    /// cfDNA concentration in ng per mL of plasma, when measured.
    pub cfdna_ng_per_ml: Option<f64>,
    /// Whether a VCF of the draw was ingested (a caller looked at every tracked
    /// variant); with BAM counts only, a variant without a row was not looked at.
    pub vcf_looked: bool,
    /// The draw's tumour-informed MRD decision, when a test was made.
    pub mrd: Option<MrdDecision>,
    /// Every tracked variant of the patient, in position order.
    pub variants: Vec<TrackedVariantCalls>,
}
