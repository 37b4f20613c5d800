//! The outcome of a tumour-informed minimal-residual-disease test of one blood draw.

use std::fmt;

/// Decision of an MRD test (ctDNAtools' `test_ctDNA`): positive when the Monte Carlo
/// p-value is below the significance level, negative otherwise, and undetermined when
/// the draw has fewer informative reads than the threshold, whatever its p-value (as
/// ctDNAtools decides: the test is not trusted on so few molecules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MrdDecision {
    /// ctDNA detected above the background error rate.
    Positive,
    /// No ctDNA above background, with enough informative reads to say so.
    Negative,
    /// Too few informative reads for the test to be trusted either way.
    Undetermined,
}

impl MrdDecision {
    /// The stored and printed spelling: `positive`, `negative`, `undetermined`.
    pub fn as_str(self) -> &'static str {
        match self {
            MrdDecision::Positive => "positive",
            MrdDecision::Negative => "negative",
            MrdDecision::Undetermined => "undetermined",
        }
    }

    /// Parses the stored spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "positive" => Some(MrdDecision::Positive),
            "negative" => Some(MrdDecision::Negative),
            "undetermined" => Some(MrdDecision::Undetermined),
            _ => None,
        }
    }
}

impl fmt::Display for MrdDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::MrdDecision;

    #[test]
    fn stored_spelling_round_trips() {
        for d in [
            MrdDecision::Positive,
            MrdDecision::Negative,
            MrdDecision::Undetermined,
        ] {
            assert_eq!(MrdDecision::parse(d.as_str()), Some(d));
        }
        assert_eq!(MrdDecision::parse("Positive"), None);
    }
}
