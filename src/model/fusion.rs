//! A structural junction between two genomic breakpoints: the value a fusion (EWSR1-FLI1,
//! SS18-SSX1 …) is tracked by, shared by the SV-VCF reader, the BAM fusion counter and the store.

use std::fmt;
use std::str::FromStr;

/// One breakpoint: a contig and a 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Breakpoint {
    /// Contig name as the BAM/VCF writes it (`chr22` or `22`).
    pub chrom: String,
    /// 1-based position: the last (or first) reference base kept on this side of the junction.
    pub pos: u64,
}

/// Which side of each breakpoint the fused molecule keeps.
///
/// The first sign is partner A's, the second partner B's. `+` keeps the bases at and before
/// the breakpoint (the junction is at the segment's 3′ end in reference coordinates), `-`
/// keeps the bases at and after it. `PlusMinus` (`+-`) is the VCF breakend `N[chr:pos[`
/// (and LUMPY's `STRANDS=+-`): A's bases up to `pos_a`, then B's bases from `pos_b` on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Orientation {
    /// `++`: A up to `pos_a`, then B up to `pos_b` reverse-complemented (`N]chr:pos]`).
    PlusPlus,
    /// `+-`: A up to `pos_a`, then B from `pos_b` on (`N[chr:pos[`).
    PlusMinus,
    /// `-+`: B up to `pos_b`, then A from `pos_a` on (`]chr:pos]N`).
    MinusPlus,
    /// `--`: B from `pos_b` reverse-complemented, then A from `pos_a` on (`[chr:pos[N`).
    MinusMinus,
}

impl Orientation {
    /// The two-sign text (`+-`).
    pub fn as_str(self) -> &'static str {
        match self {
            Orientation::PlusPlus => "++",
            Orientation::PlusMinus => "+-",
            Orientation::MinusPlus => "-+",
            Orientation::MinusMinus => "--",
        }
    }

    /// Whether partner A keeps its bases at and before `pos_a` (`+`).
    pub fn a_keeps_left(self) -> bool {
        matches!(self, Orientation::PlusPlus | Orientation::PlusMinus)
    }

    /// Whether partner B keeps its bases at and before `pos_b` (`+`).
    pub fn b_keeps_left(self) -> bool {
        matches!(self, Orientation::PlusPlus | Orientation::MinusPlus)
    }
}

impl fmt::Display for Orientation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Orientation {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim() {
            "++" => Ok(Orientation::PlusPlus),
            "+-" => Ok(Orientation::PlusMinus),
            "-+" => Ok(Orientation::MinusPlus),
            "--" => Ok(Orientation::MinusMinus),
            other => Err(format!(
                "'{other}' is not an orientation: write ++, +-, -+ or -- (A's sign first)"
            )),
        }
    }
}

/// A junction: two breakpoints and the orientation joining them, optionally named by its gene pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Junction {
    /// Partner A (the 5′ partner of the fusion transcript when known, e.g. EWSR1).
    pub a: Breakpoint,
    /// Partner B (e.g. FLI1).
    pub b: Breakpoint,
    /// Which side of each breakpoint is kept.
    pub orientation: Orientation,
    /// Gene pair as written (`EWSR1-FLI1`), when known.
    pub genes: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orientation_round_trips_and_rejects_other_text() {
        for o in [
            Orientation::PlusPlus,
            Orientation::PlusMinus,
            Orientation::MinusPlus,
            Orientation::MinusMinus,
        ] {
            assert_eq!(o.as_str().parse::<Orientation>(), Ok(o));
        }
        assert!("+".parse::<Orientation>().is_err());
        assert!(Orientation::PlusMinus.a_keeps_left());
        assert!(!Orientation::PlusMinus.b_keeps_left());
    }
}
