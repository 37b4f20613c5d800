//! Discordance between response criteria at one visit, and ctDNA progression leading RECIST progression.

use super::{Assessment, Category, Criterion};
use chrono::NaiveDate;

/// Assessments of different modalities (CT, PET, blood) are compared when at most
/// this many days apart; CT-based criteria (RECIST, Choi) only on the same scan.
pub const WINDOW_DAYS: i64 = 30;

/// What kind of disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// RECIST SD with Choi PR: the tumour turns necrotic (density falls) without shrinking.
    NecrosisWithoutShrinkage,
    /// RECIST SD with PERCIST PMR: uptake falls without shrinkage.
    MetabolicWithoutShrinkage,
    /// ctDNA molecular progression before RECIST PD.
    MolecularLead,
    /// Any other pair of criteria pointing different ways (response, stable, progression).
    Direction,
}

impl Kind {
    /// Short name for listings.
    pub fn name(self) -> &'static str {
        match self {
            Kind::NecrosisWithoutShrinkage => "necrosis-without-shrinkage",
            Kind::MetabolicWithoutShrinkage => "metabolic-without-shrinkage",
            Kind::MolecularLead => "molecular-lead",
            Kind::Direction => "direction",
        }
    }
}

/// Two assessments that disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Discordance {
    /// The kind of disagreement.
    pub kind: Kind,
    /// The first criterion and the date of its assessment.
    pub first: (Criterion, NaiveDate),
    /// The second criterion and the date of its assessment.
    pub second: (Criterion, NaiveDate),
    /// For [`Kind::MolecularLead`]: days from ctDNA progression to RECIST PD.
    pub lead_time_days: Option<i64>,
    /// One sentence for the oncologist.
    pub message: String,
}

impl Discordance {
    /// Whether this discordance concerns `assessment`.
    pub fn involves(&self, assessment: &Assessment) -> bool {
        [self.first, self.second].contains(&(assessment.criterion, assessment.date))
    }
}

/// The letters of what RECIST disagrees with at some visit: `C` Choi (or modified
/// Choi), `M` ctDNA (molecular), `P` PET (PERCIST or EORTC); empty when nothing does.
/// The cohort's Disc column and `cohort response`'s `discordance`.
pub fn with_recist_letters(discordances: &[Discordance]) -> String {
    let mut letters = String::new();
    for (letter, criteria) in [
        ('C', &[Criterion::Choi, Criterion::ModifiedChoi][..]),
        ('M', &[Criterion::Ctdna][..]),
        ('P', &[Criterion::Percist, Criterion::Eortc][..]),
    ] {
        let found = discordances.iter().any(|d| {
            let pair = [d.first.0, d.second.0];
            pair.contains(&Criterion::Recist) && criteria.iter().any(|c| pair.contains(c))
        });
        if found {
            letters.push(letter);
        }
    }
    letters
}

/// Which way a category points; `None` for NE.
fn direction(category: Category) -> Option<i8> {
    match category {
        Category::Complete | Category::Partial => Some(-1),
        Category::Stable => Some(0),
        Category::Progressive => Some(1),
        Category::NotEvaluable => None,
    }
}

fn modality(criterion: Criterion) -> u8 {
    match criterion {
        Criterion::Recist | Criterion::Choi | Criterion::ModifiedChoi => 0,
        Criterion::Percist | Criterion::Eortc => 1,
        Criterion::Ctdna => 2,
    }
}

/// Finds every discordance in a patient's assessments (any order, any criteria).
///
/// Pairs of criteria are compared visit by visit (same scan for RECIST and Choi;
/// the nearest assessment within [`WINDOW_DAYS`] across modalities), except the two
/// variants of one family (Choi and modified Choi, PERCIST and EORTC). Also reports
/// the first ctDNA progression when it precedes the first RECIST PD, with the lead
/// time in days.
pub fn find(assessments: &[Assessment]) -> Vec<Discordance> {
    let mut found = Vec::new();
    let of = |c: Criterion| -> Vec<&Assessment> {
        let mut list: Vec<&Assessment> = assessments.iter().filter(|a| a.criterion == c).collect();
        list.sort_by_key(|a| a.date);
        list
    };
    for (i, &first) in Criterion::ALL.iter().enumerate() {
        for &second in &Criterion::ALL[i + 1..] {
            let same_family = matches!(
                (first, second),
                (Criterion::Choi, Criterion::ModifiedChoi) | (Criterion::Percist, Criterion::Eortc)
            );
            if same_family {
                continue;
            }
            let window = if modality(first) == modality(second) {
                0
            } else {
                WINDOW_DAYS
            };
            let seconds = of(second);
            for a in of(first) {
                let Some(b) = seconds
                    .iter()
                    .filter(|b| (b.date - a.date).num_days().abs() <= window)
                    .min_by_key(|b| ((b.date - a.date).num_days().abs(), b.date))
                else {
                    continue;
                };
                let (Some(da), Some(db)) = (direction(a.category), direction(b.category)) else {
                    continue;
                };
                if da == db {
                    continue;
                }
                found.push(describe(a, b));
            }
        }
    }
    let first_pd = |c: Criterion| {
        of(c)
            .into_iter()
            .find(|a| a.category == Category::Progressive)
    };
    if let (Some(ctdna), Some(recist)) = (first_pd(Criterion::Ctdna), first_pd(Criterion::Recist)) {
        let lead = (recist.date - ctdna.date).num_days();
        if lead > 0 {
            found.push(Discordance {
                kind: Kind::MolecularLead,
                first: (Criterion::Recist, recist.date),
                second: (Criterion::Ctdna, ctdna.date),
                lead_time_days: Some(lead),
                message: format!(
                    "ctDNA progression on {} preceded RECIST PD on {} by {lead} days",
                    crate::model::date::format_date(ctdna.date),
                    crate::model::date::format_date(recist.date)
                ),
            });
        }
    }
    found
}

fn describe(a: &Assessment, b: &Assessment) -> Discordance {
    let pair = |x: &Assessment,
                y: &Assessment,
                c1: Criterion,
                k1: Category,
                c2: Criterion,
                k2: Category| {
        (x.criterion == c1 && x.category == k1 && y.criterion == c2 && y.category == k2)
            || (y.criterion == c1 && y.category == k1 && x.criterion == c2 && x.category == k2)
    };
    use Category::*;
    use Criterion::*;
    let (kind, message) = if pair(a, b, Recist, Stable, Choi, Partial)
        || pair(a, b, Recist, Stable, ModifiedChoi, Partial)
    {
        (
            Kind::NecrosisWithoutShrinkage,
            "RECIST SD but Choi PR: density fell without shrinkage (necrosis)".to_string(),
        )
    } else if pair(a, b, Recist, Stable, Percist, Partial) {
        (
            Kind::MetabolicWithoutShrinkage,
            "RECIST SD but PERCIST PMR: uptake fell without shrinkage".to_string(),
        )
    } else {
        (
            Kind::Direction,
            format!(
                "{} {} on {} but {} {} on {}",
                a.criterion.name(),
                a.code(),
                crate::model::date::format_date(a.date),
                b.criterion.name(),
                b.code(),
                crate::model::date::format_date(b.date)
            ),
        )
    };
    Discordance {
        kind,
        first: (a.criterion, a.date),
        second: (b.criterion, b.date),
        lead_time_days: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::response::test_util::d;

    fn a(criterion: Criterion, date: &str, category: Category) -> Assessment {
        Assessment::new(d(date), criterion, category, String::new())
    }

    #[test]
    fn recist_sd_with_choi_pr_is_necrosis_without_shrinkage() {
        let found = find(&[
            a(Criterion::Recist, "2024-03-01", Category::Stable),
            a(Criterion::Choi, "2024-03-01", Category::Partial),
        ]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Kind::NecrosisWithoutShrinkage);
    }

    #[test]
    fn ct_criteria_are_compared_on_the_same_scan_only() {
        let found = find(&[
            a(Criterion::Recist, "2024-03-01", Category::Stable),
            a(Criterion::Choi, "2024-03-02", Category::Partial),
        ]);
        assert!(found.is_empty());
    }

    #[test]
    fn percist_pmr_with_recist_sd_within_30_days_is_metabolic_without_shrinkage() {
        let table = [("2024-03-31", 1), ("2024-04-01", 0)];
        for (pet_date, expected) in table {
            let found = find(&[
                a(Criterion::Recist, "2024-03-01", Category::Stable),
                a(Criterion::Percist, pet_date, Category::Partial),
            ]);
            assert_eq!(found.len(), expected, "{pet_date}");
            if expected == 1 {
                assert_eq!(found[0].kind, Kind::MetabolicWithoutShrinkage);
            }
        }
    }

    #[test]
    fn ctdna_progression_before_recist_pd_reports_lead_time() {
        let found = find(&[
            a(Criterion::Recist, "2024-03-01", Category::Stable),
            a(Criterion::Recist, "2024-06-01", Category::Progressive),
            a(Criterion::Ctdna, "2024-02-01", Category::Stable),
            a(Criterion::Ctdna, "2024-04-01", Category::Progressive),
            a(Criterion::Ctdna, "2024-06-01", Category::Progressive),
        ]);
        let lead: Vec<&Discordance> = found
            .iter()
            .filter(|f| f.kind == Kind::MolecularLead)
            .collect();
        assert_eq!(lead.len(), 1);
        assert_eq!(lead[0].lead_time_days, Some(61));
        assert!(lead[0].involves(&a(Criterion::Ctdna, "2024-04-01", Category::Progressive)));
        // ctDNA after RECIST PD: no lead.
        let found = find(&[
            a(Criterion::Recist, "2024-03-01", Category::Progressive),
            a(Criterion::Ctdna, "2024-04-01", Category::Progressive),
        ]);
        assert!(found.iter().all(|f| f.kind != Kind::MolecularLead));
    }

    #[test]
    fn same_direction_and_not_evaluable_are_not_discordant() {
        let found = find(&[
            a(Criterion::Recist, "2024-03-01", Category::Partial),
            a(Criterion::Choi, "2024-03-01", Category::Complete),
            a(Criterion::Percist, "2024-03-05", Category::NotEvaluable),
            a(Criterion::Eortc, "2024-03-05", Category::Stable),
            a(Criterion::Percist, "2024-03-05", Category::NotEvaluable),
        ]);
        // Only EORTC SMD vs RECIST PR and Choi CR disagree.
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|f| f.kind == Kind::Direction));
    }
}
