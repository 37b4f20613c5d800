//! Fisher's exact test on a 2 × 2 table of read counts, one-sided (the first row's alt fraction greater); agrees with `scipy.stats.fisher_exact(..., alternative="greater")`.

use statrs::function::factorial::ln_binomial;

/// One-sided p-value of Fisher's exact test that the alt fraction of the first
/// sample (`alt_1` of `depth_1`) is greater than that of the second (`alt_2` of
/// `depth_2`): P(X ≥ alt_1) for X hypergeometric with the table's margins, as
/// `scipy.stats.fisher_exact([[alt_1, depth_1 - alt_1], [alt_2, depth_2 - alt_2]],
/// alternative="greater")` computes it. `None` when an alt count exceeds its depth
/// or a sample has no reads.
pub fn greater(alt_1: u64, depth_1: u64, alt_2: u64, depth_2: u64) -> Option<f64> {
    if alt_1 > depth_1 || alt_2 > depth_2 || depth_1 == 0 || depth_2 == 0 {
        return None;
    }
    let total = depth_1.checked_add(depth_2)?;
    let alts = alt_1 + alt_2;
    // X: alt reads in the first sample given the margins.
    let low = depth_1.saturating_sub(total - alts);
    let high = alts.min(depth_1);
    if alt_1 <= low {
        return Some(1.0);
    }
    let ln_all = ln_binomial(total, depth_1);
    let ln_pmf = |x: u64| ln_binomial(alts, x) + ln_binomial(total - alts, depth_1 - x) - ln_all;
    // The mode of the hypergeometric distribution; past it the terms only fall.
    let mode = ((depth_1 + 1) as f64 * (alts + 1) as f64 / (total + 2) as f64).floor() as u64;
    let mut p = 0.0f64;
    for x in alt_1..=high {
        let term = ln_pmf(x).exp();
        p += term;
        if x > mode && term <= p * 1e-17 {
            break;
        }
    }
    Some(p.min(1.0))
}

#[cfg(test)]
mod tests {
    use super::greater;

    /// `tests/reference/response/fisher_greater.py` (scipy) wrote the expected values.
    #[test]
    fn one_sided_fisher_agrees_with_scipy() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/reference/response/fisher_greater.json"
        );
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cases = doc["cases"].as_array().unwrap().clone();
        assert!(cases.len() >= 10);
        for case in cases {
            let n = |k: &str| case[k].as_u64().unwrap();
            let expected = case["p"].as_f64().unwrap();
            let got = greater(n("alt_1"), n("depth_1"), n("alt_2"), n("depth_2")).unwrap();
            assert!(
                (got - expected).abs() <= 1e-9 * expected + 1e-300,
                "{case}: {got} vs scipy {expected}"
            );
        }
    }

    #[test]
    fn impossible_tables_have_no_p_value_and_no_rise_gives_one() {
        assert_eq!(greater(5, 4, 0, 10), None);
        assert_eq!(greater(0, 0, 0, 10), None);
        assert_eq!(greater(0, 100, 3, 100), Some(1.0));
    }
}
