//! A variant's place and alleles on a normalised contig, shared by ingest (VCF, loci lists), the store and the analyses.

/// Normalises a contig name for matching: a leading `chr` is dropped and the
/// mitochondrion is `MT` (`chr1` → `1`, `chrM` → `MT`, `M` → `MT`, `X` → `X`).
pub fn normalize_contig(raw: &str) -> String {
    let bare = match raw.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("chr") && raw.len() > 3 => &raw[3..],
        _ => raw,
    };
    if bare.eq_ignore_ascii_case("m") || bare.eq_ignore_ascii_case("mt") {
        "MT".to_string()
    } else {
        bare.to_string()
    }
}

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
