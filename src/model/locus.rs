//! A variant's place and alleles on a normalised contig, shared by ingest (VCF, loci lists), the store and the analyses.

/// A variant on a normalised contig: `chr1` and `1` are the same, `chrM` is `MT`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Locus {
    /// Normalised contig name (no `chr` prefix; `MT` for the mitochondrion).
    pub chrom: String,
    /// 1-based position.
    pub pos: u64,
    /// Reference allele (upper case).
    pub reference: String,
    /// Alternate allele (upper case).
    pub alt: String,
}

impl std::fmt::Display for Locus {
    /// `chrom:pos REF>ALT`, as the listings and messages write a variant.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} {}>{}",
            self.chrom, self.pos, self.reference, self.alt
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Locus;

    #[test]
    fn a_locus_displays_as_chrom_pos_ref_alt() {
        let locus = Locus {
            chrom: "12".into(),
            pos: 25398284,
            reference: "C".into(),
            alt: "T".into(),
        };
        assert_eq!(locus.to_string(), "12:25398284 C>T");
    }
}
