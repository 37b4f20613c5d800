//! Read-level evidence from a BAM for a tumour-informed MRD test: base counts over the capture targets and the reads at each reporter locus.

/// Base counts at one reference position (A, C, G, T; N and deletions not counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteCounts {
    /// Contig, normalised (`14`, `X`, `MT`: no `chr` prefix).
    pub chrom: String,
    /// 1-based position.
    pub pos: u64,
    /// Reads showing A, C, G and T there.
    pub bases: [u32; 4],
}

impl SiteCounts {
    /// A + C + G + T.
    pub fn depth(&self) -> u32 {
        self.bases.iter().sum()
    }
}

/// What the reads show at one reporter (tumour-informed) SNV.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReporterEvidence {
    /// Reads showing A, C, G and T at the locus (every read counted, mates apart).
    pub bases: [u32; 4],
    /// The reads (numbered by name: mates share a number) showing the REF base.
    pub ref_reads: Vec<u32>,
    /// The reads (numbered by name) showing the ALT base.
    pub alt_reads: Vec<u32>,
}

/// The evidence of one BAM: the target pileup and one entry per reporter, in the
/// order the reporters were given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetPileup {
    /// Every target position with at least one counted base, in coordinate order.
    pub sites: Vec<SiteCounts>,
    /// One entry per reporter.
    pub reporters: Vec<ReporterEvidence>,
}

/// The index (0 A, 1 C, 2 G, 3 T) of a base letter, `None` for anything else.
pub fn base_index(base: u8) -> Option<usize> {
    match base.to_ascii_uppercase() {
        b'A' => Some(0),
        b'C' => Some(1),
        b'G' => Some(2),
        b'T' => Some(3),
        _ => None,
    }
}

/// The letter of a base index (0 A, 1 C, 2 G, 3 T).
pub fn base_letter(index: usize) -> char {
    ['A', 'C', 'G', 'T'].get(index).copied().unwrap_or('N')
}
