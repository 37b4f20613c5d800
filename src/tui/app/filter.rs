//! The cohort filter: space-separated terms that must all match; `field:value` and `field>n` terms on columns, plain words on the ID and diagnosis only.

use crate::tui::data::CohortRow;
use chrono::NaiveDate;

/// The fields a filter term can name, for the help and for error messages.
pub const FIELDS: &str = "id, dx, status, recist, best, percist, choi, ctdna, mrd, endo, disc, lead, age, days, since, vaf";

/// How a numeric term compares.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Compare {
    Less,
    LessOrEqual,
    Equal,
    GreaterOrEqual,
    Greater,
}

impl Compare {
    fn holds(self, value: f64, bound: f64) -> bool {
        match self {
            Compare::Less => value < bound,
            Compare::LessOrEqual => value <= bound,
            Compare::Equal => (value - bound).abs() < 1e-9,
            Compare::GreaterOrEqual => value >= bound,
            Compare::Greater => value > bound,
        }
    }
}

/// One parsed term.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    /// A plain word: ID or diagnosis contains it.
    Text(String),
    /// `field:value`.
    Field(String, String),
    /// `field` alone (`disc`, `lead`: has one).
    Has(String),
    /// `field<op>number`.
    Number(String, Compare, f64),
}

/// A parsed filter: terms (each possibly negated with a leading `!`) that must all match.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    terms: Vec<(bool, Term)>,
}

const NUMERIC: [&str; 5] = ["lead", "age", "days", "since", "vaf"];
const TEXT: [&str; 11] = [
    "id", "dx", "status", "recist", "best", "percist", "choi", "ctdna", "mrd", "endo", "disc",
];

fn canonical(field: &str) -> &str {
    match field {
        "diagnosis" => "dx",
        "e" | "endotype" => "endo",
        "discordant" | "discordance" => "disc",
        other => other,
    }
}

impl Filter {
    /// Parses the filter text (lower-cased).
    ///
    /// # Errors
    /// A message naming the term and the known fields when a term names an unknown
    /// field or compares with something that is not a number.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut terms = Vec::new();
        for word in text.to_lowercase().split_whitespace() {
            let (negated, word) = match word.strip_prefix('!') {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, word),
            };
            let term = if let Some(at) = word.find(['<', '>', '=']) {
                let field = canonical(&word[..at]);
                let rest = &word[at..];
                let (compare, number) = if let Some(n) = rest.strip_prefix(">=") {
                    (Compare::GreaterOrEqual, n)
                } else if let Some(n) = rest.strip_prefix("<=") {
                    (Compare::LessOrEqual, n)
                } else if let Some(n) = rest.strip_prefix('>') {
                    (Compare::Greater, n)
                } else if let Some(n) = rest.strip_prefix('<') {
                    (Compare::Less, n)
                } else {
                    (Compare::Equal, &rest[1..])
                };
                if !NUMERIC.contains(&field) {
                    return Err(format!(
                        "'{word}': {field} is not a number column (numbers: {})",
                        NUMERIC.join(", ")
                    ));
                }
                let number: f64 = number
                    .trim_end_matches('%')
                    .parse()
                    .map_err(|_| format!("'{word}': expected a number after the comparison"))?;
                Term::Number(field.to_string(), compare, number)
            } else if let Some((field, value)) = word.split_once(':') {
                let field = canonical(field);
                if !TEXT.contains(&field) {
                    return Err(format!(
                        "'{word}': unknown field '{field}' (fields: {FIELDS})"
                    ));
                }
                Term::Field(field.to_string(), value.to_string())
            } else if matches!(canonical(word), "disc" | "lead" | "board") {
                Term::Has(canonical(word).to_string())
            } else {
                Term::Text(word.to_string())
            };
            terms.push((negated, term));
        }
        Ok(Filter { terms })
    }

    /// Whether the filter has no terms.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether `row` passes every term; `cutoff` is the newest date in the database
    /// (for `since`).
    pub fn matches(&self, row: &CohortRow, cutoff: Option<NaiveDate>) -> bool {
        self.terms
            .iter()
            .all(|(negated, term)| term_matches(term, row, cutoff) != *negated)
    }
}

/// Clinical order of response categories: CR < PR < SD < PD < NE, metabolic alike,
/// and the ctDNA words in the same order.
pub fn category_rank(code: &str) -> u8 {
    match code {
        "CR" | "CMR" | "cleared" => 0,
        "PR" | "PMR" | "response" => 1,
        "SD" | "SMD" | "stable" => 2,
        "PD" | "PMD" | "progress" => 3,
        _ => 4,
    }
}

/// Days from the last contact to `cutoff`, for the living.
pub fn since_last_contact(row: &CohortRow, cutoff: Option<NaiveDate>) -> Option<i64> {
    if !row.alive {
        return None;
    }
    Some((cutoff? - row.last_visit?).num_days())
}

fn term_matches(term: &Term, row: &CohortRow, cutoff: Option<NaiveDate>) -> bool {
    let is = |value: &Option<String>, wanted: &str| {
        value.as_deref().is_some_and(|v| v.to_lowercase() == wanted)
    };
    match term {
        Term::Text(word) => {
            row.code.to_lowercase().contains(word.as_str())
                || row.diagnosis.to_lowercase().contains(word.as_str())
        }
        Term::Has(field) if field == "lead" => row.lead_days.is_some(),
        Term::Has(field) if field == "board" => row.board.is_some(),
        Term::Has(_) => row.discordance.as_deref().is_some_and(|d| !d.is_empty()),
        Term::Field(field, value) => match field.as_str() {
            "id" => row.code.to_lowercase().contains(value.as_str()),
            "dx" => row.diagnosis.to_lowercase().contains(value.as_str()),
            "status" => (if row.alive { "alive" } else { "dead" }).starts_with(value.as_str()),
            "recist" => is(&row.recist, value),
            "best" => is(&row.best, value),
            "percist" => is(&row.percist, value),
            "choi" => is(&row.choi, value),
            "ctdna" => row
                .ctdna_status
                .as_deref()
                .is_some_and(|s| s.to_lowercase().starts_with(value.as_str())),
            "mrd" => row
                .mrd
                .as_deref()
                .is_some_and(|d| !value.is_empty() && d.starts_with(value.as_str())),
            "endo" => row
                .endotype
                .is_some_and(|e| value.trim_start_matches('e') == e.to_string()),
            _ => row.discordance.as_deref().is_some_and(|d| {
                !d.is_empty() && value.chars().all(|c| d.to_lowercase().contains(c))
            }),
        },
        Term::Number(field, compare, bound) => {
            let value = match field.as_str() {
                "lead" => row.lead_days.map(|d| d as f64),
                "age" => row.age.map(f64::from),
                "days" => row.days_since_diagnosis.map(|d| d as f64),
                "since" => since_last_contact(row, cutoff).map(|d| d as f64),
                _ => row.mean_vaf.map(|(v, _)| v * 100.0),
            };
            value.is_some_and(|v| compare.holds(v, *bound))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, diagnosis: &str) -> CohortRow {
        CohortRow {
            code: code.into(),
            diagnosis: diagnosis.into(),
            alive: true,
            assessed: true,
            ..CohortRow::default()
        }
    }

    fn passes(filter: &str, row: &CohortRow) -> bool {
        Filter::parse(filter).unwrap().matches(row, None)
    }

    #[test]
    fn plain_words_match_the_id_and_diagnosis_only() {
        let mut r = row("P007", "Ewing sarcoma");
        r.ctdna_status = Some("progress".into());
        r.recist = Some("PR".into());
        assert!(passes("ewing", &r) && passes("p007", &r) && passes("EWING p00", &r));
        assert!(
            !passes("pr", &r),
            "'progress' and 'PR' are not the ID or diagnosis"
        );
    }

    #[test]
    fn field_terms_match_columns_exactly_and_numbers_compare() {
        let mut r = row("P001", "osteosarcoma");
        r.alive = false;
        r.recist = Some("PD".into());
        r.lead_days = Some(45);
        r.discordance = Some("CM".into());
        r.endotype = Some(2);
        assert!(passes("status:dead recist:pd dx:osteo", &r));
        assert!(!passes("recist:p", &r), "categories match whole");
        assert!(passes("lead>0", &r) && passes("lead>=45", &r) && !passes("lead<45", &r));
        assert!(passes("disc", &r) && passes("disc:m", &r) && !passes("disc:p", &r));
        assert!(passes("e:2", &r) && passes("endo:e2", &r) && !passes("endo:1", &r));
        assert!(passes("!status:alive", &r) && !passes("!disc", &r));
        assert!(!passes("board", &r));
        r.board = Some(crate::model::parse_date("2026-12-01").unwrap());
        assert!(passes("board status:dead", &r));
        let mut quiet = row("P002", "osteosarcoma");
        quiet.discordance = Some(String::new());
        assert!(!passes("disc", &quiet) && !passes("lead>0", &quiet) && !passes("lead", &quiet));
    }

    #[test]
    fn unknown_fields_and_bad_numbers_say_what_is_known() {
        assert!(
            Filter::parse("foo:bar")
                .unwrap_err()
                .contains("fields: id, dx")
        );
        assert!(
            Filter::parse("lead>x")
                .unwrap_err()
                .contains("expected a number")
        );
        assert!(
            Filter::parse("dx>3")
                .unwrap_err()
                .contains("not a number column")
        );
    }

    #[test]
    fn categories_rank_in_clinical_order() {
        let mut codes = ["PD", "NE", "SD", "CR", "PR"];
        codes.sort_by_key(|c| category_rank(c));
        assert_eq!(codes, ["CR", "PR", "SD", "PD", "NE"]);
    }
}
