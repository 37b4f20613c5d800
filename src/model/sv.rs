//! Structural-variant calls: what an SV VCF record (or a pair of breakend records) says, as stored and listed.

use super::fusion::{Breakpoint, Junction, Orientation};
use std::fmt;

/// The type of a structural variant, as the VCF writes it (the symbolic ALT or `SVTYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SvKind {
    /// `<DEL>`: POS is the base before the deleted bases, END the last deleted base.
    Deletion,
    /// `<DUP>`: the bases POS+1..END are duplicated.
    Duplication,
    /// `<DUP:TANDEM>`: a tandem duplication of POS+1..END.
    TandemDuplication,
    /// `<INV>`: the bases POS+1..END are inverted.
    Inversion,
    /// `<INS>`: bases inserted after POS.
    Insertion,
    /// `<CNV>`: a copy-number change over POS+1..END.
    CopyNumber,
    /// `<TRA>` (Delly, Sniffles 1): a translocation whose partner is CHR2:END.
    Translocation,
    /// A breakend joined to a partner written in its ALT (VCF 4.3 §5.4, `t[p[` …), or a
    /// `<BND>` with CHR2/END.
    Breakend,
    /// A single breakend (`G.`, `.G`): one side known, the partner unknown.
    SingleBreakend,
}

impl SvKind {
    /// Every kind, in the order of [`SvKind::as_str`]'s table.
    pub const ALL: [SvKind; 9] = [
        SvKind::Deletion,
        SvKind::Duplication,
        SvKind::TandemDuplication,
        SvKind::Inversion,
        SvKind::Insertion,
        SvKind::CopyNumber,
        SvKind::Translocation,
        SvKind::Breakend,
        SvKind::SingleBreakend,
    ];

    /// The stored text: `DEL`, `DUP`, `DUP:TANDEM`, `INV`, `INS`, `CNV`, `TRA`, `BND`, `SGL`.
    pub fn as_str(self) -> &'static str {
        match self {
            SvKind::Deletion => "DEL",
            SvKind::Duplication => "DUP",
            SvKind::TandemDuplication => "DUP:TANDEM",
            SvKind::Inversion => "INV",
            SvKind::Insertion => "INS",
            SvKind::CopyNumber => "CNV",
            SvKind::Translocation => "TRA",
            SvKind::Breakend => "BND",
            SvKind::SingleBreakend => "SGL",
        }
    }

    /// The kind of a stored text ([`SvKind::as_str`]).
    pub fn from_stored(text: &str) -> Option<SvKind> {
        SvKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl fmt::Display for SvKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which side of its breakpoint(s) a structural variant keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SvSides {
    /// Both partners' sides ([`Orientation`]: `++`, `+-`, `-+`, `--`).
    Pair(Orientation),
    /// A single breakend: `+` keeps the bases at and before POS (`G.`), `-` those at and
    /// after it (`.G`).
    Single {
        /// Whether the bases at and before the breakpoint are kept (`+`).
        keeps_left: bool,
    },
    /// The record does not say (e.g. a `<CNV>`, or an `<INV>` without `STRANDS`/`INV3`/`INV5`).
    Unknown,
}

impl SvSides {
    /// The stored text: `++`, `+-`, `-+`, `--`, `+`, `-`, or empty when unknown.
    pub fn as_str(self) -> &'static str {
        match self {
            SvSides::Pair(o) => o.as_str(),
            SvSides::Single { keeps_left: true } => "+",
            SvSides::Single { keeps_left: false } => "-",
            SvSides::Unknown => "",
        }
    }

    /// The sides of a stored text ([`SvSides::as_str`]).
    pub fn from_stored(text: &str) -> Option<SvSides> {
        match text {
            "" => Some(SvSides::Unknown),
            "+" => Some(SvSides::Single { keeps_left: true }),
            "-" => Some(SvSides::Single { keeps_left: false }),
            pair => pair.parse().ok().map(SvSides::Pair),
        }
    }
}

/// The caller's somatic status of a structural variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SvSomatic {
    /// Somatic, and how it was said (`INFO/SOMATIC`, `0 variant reads in the matched normal`).
    Yes(String),
    /// Not somatic, and why (`4 variant reads in the matched normal`).
    No(String),
    /// The file says nothing either way (one sample, no `SOMATIC` flag).
    NotGiven,
}

impl SvSomatic {
    /// The stored text: `somatic: …`, `not somatic: …` or `not given`.
    pub fn to_stored(&self) -> String {
        match self {
            SvSomatic::Yes(how) => format!("somatic: {how}"),
            SvSomatic::No(why) => format!("not somatic: {why}"),
            SvSomatic::NotGiven => "not given".to_string(),
        }
    }

    /// The status of a stored text ([`SvSomatic::to_stored`]).
    pub fn from_stored(text: &str) -> Option<SvSomatic> {
        if let Some(how) = text.strip_prefix("somatic: ") {
            Some(SvSomatic::Yes(how.to_string()))
        } else if let Some(why) = text.strip_prefix("not somatic: ") {
            Some(SvSomatic::No(why.to_string()))
        } else {
            (text == "not given").then_some(SvSomatic::NotGiven)
        }
    }
}

/// One structural-variant call of a sample: one record, or the two records of a breakend
/// pair (MATEID, GRIDSS PARID) taken as one event.
#[derive(Debug, Clone, PartialEq)]
pub struct SvCall {
    /// The type.
    pub kind: SvKind,
    /// The record's own breakpoint: CHROM as written and POS (0 for a telomeric breakend).
    pub a: Breakpoint,
    /// The partner: the mate written in a breakend ALT, CHR2:END (`<TRA>`), or CHROM:END
    /// (intra-chromosomal symbolic alleles, as written: for `<DEL>` the first base kept after
    /// the deletion is END+1). `None` for a single breakend, or a symbolic allele without END.
    pub b: Option<Breakpoint>,
    /// Which sides are kept.
    pub sides: SvSides,
    /// `SVLEN` when given.
    pub length: Option<i64>,
    /// The records' IDs (one, or two for a breakend pair), `.` when the record has none.
    pub ids: Vec<String>,
    /// The records' 1-based line numbers in the file (one or two).
    pub lines: Vec<u64>,
    /// FILTER: `PASS`, `.`, or the failed filters (those of both records of a pair, joined by `;`).
    pub filter: String,
    /// QUAL, when given.
    pub qual: Option<f64>,
    /// The caller's support fields of the tumour sample as written (`PR=489,4 SR=520,19`).
    pub support: String,
    /// Reads or fragments supporting the variant (the numerator of `af`), when known.
    pub alt_reads: Option<u32>,
    /// Reads or fragments supporting the reference, when known.
    pub ref_reads: Option<u32>,
    /// Allele fraction in the tumour sample (0..=1), when computable.
    pub af: Option<f64>,
    /// The field(s) the allele fraction came from (`FORMAT/PR+SR alt/(ref+alt)`), or why none.
    pub af_source: String,
    /// The caller's somatic status.
    pub somatic: SvSomatic,
    /// The gene pair (`EWSR1-FLI1`) or gene from `ANN`/`CSQ`, when annotated.
    pub genes: Option<String>,
}

impl SvCall {
    /// Whether the event passed its filters (`PASS` or `.`).
    pub fn passed(&self) -> bool {
        self.filter == "PASS" || self.filter == "."
    }

    /// How many VCF records the call was made from (1, or 2 for a breakend pair).
    pub fn records(&self) -> usize {
        self.lines.len().max(1)
    }

    /// The partner breakpoint as `chrom:pos`, when there is one.
    pub fn partner(&self) -> Option<String> {
        self.b.as_ref().map(|b| format!("{}:{}", b.chrom, b.pos))
    }

    /// The junction(s) this call joins: one for a breakend or translocation of known
    /// orientation, the two of an inversion of unknown orientation (`++` at POS/END and
    /// `--` at POS+1/END+1), none for a single breakend or a call without a partner.
    pub fn junctions(&self) -> Vec<Junction> {
        let Some(b) = &self.b else {
            return Vec::new();
        };
        let junction = |a: Breakpoint, b: Breakpoint, orientation| Junction {
            a,
            b,
            orientation,
            genes: self.genes.clone(),
        };
        match self.sides {
            SvSides::Pair(o) => vec![junction(self.a.clone(), b.clone(), o)],
            SvSides::Unknown if self.kind == SvKind::Inversion => {
                let shifted = |p: &Breakpoint| Breakpoint {
                    chrom: p.chrom.clone(),
                    pos: p.pos + 1,
                };
                vec![
                    junction(self.a.clone(), b.clone(), Orientation::PlusPlus),
                    junction(shifted(&self.a), shifted(b), Orientation::MinusMinus),
                ]
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_texts_round_trip() {
        for kind in SvKind::ALL {
            assert_eq!(SvKind::from_stored(kind.as_str()), Some(kind));
        }
        for sides in [
            SvSides::Pair(Orientation::MinusPlus),
            SvSides::Single { keeps_left: true },
            SvSides::Single { keeps_left: false },
            SvSides::Unknown,
        ] {
            assert_eq!(SvSides::from_stored(sides.as_str()), Some(sides));
        }
        for status in [
            SvSomatic::Yes("INFO/SOMATIC".into()),
            SvSomatic::No("3 variant reads in the matched normal".into()),
            SvSomatic::NotGiven,
        ] {
            assert_eq!(SvSomatic::from_stored(&status.to_stored()), Some(status));
        }
        assert_eq!(SvKind::from_stored("XYZ"), None);
    }
}
