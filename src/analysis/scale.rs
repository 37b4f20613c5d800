//! Column scaling of a feature matrix: z-scores (mean 0, SD 1 per column), as scikit-learn's `StandardScaler`.

/// Z-scores each column over all rows (mean 0, population SD 1; a constant column becomes 0).
pub fn z_score_columns(rows: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let n = rows.len().max(1) as f64;
    let d = rows.first().map_or(0, Vec::len);
    let stats: Vec<(f64, f64)> = (0..d)
        .map(|j| {
            let mean = rows.iter().map(|r| r[j]).sum::<f64>() / n;
            let var = rows.iter().map(|r| (r[j] - mean).powi(2)).sum::<f64>() / n;
            (mean, var.sqrt())
        })
        .collect();
    rows.iter()
        .map(|r| {
            r.iter()
                .zip(&stats)
                .map(|(v, (m, s))| if *s > 0.0 { (v - m) / s } else { 0.0 })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_column_gets_mean_zero_and_unit_population_sd() {
        let z = z_score_columns(&[vec![1.0, 5.0], vec![3.0, 5.0]]);
        assert_eq!(z[0][0], -1.0);
        assert_eq!(z[1][0], 1.0);
        assert!(
            z.iter().all(|r| r[1] == 0.0),
            "a constant column stays 0: {z:?}"
        );
    }
}
