//! Principal component analysis of a feature matrix (for display of the clusters): covariance eigenvectors by Jacobi rotation, as scikit-learn's `PCA` up to sign.

use super::linalg::check_matrix;
use crate::error::Result;

/// Principal components for display.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Fraction of total variance explained by each kept component.
    pub explained_variance_ratio: Vec<f64>,
    /// Scores of each sample on the kept components (rows = samples).
    pub scores: Vec<Vec<f64>>,
}

/// PCA of the column-centred matrix by a Jacobi eigen-decomposition of the
/// covariance matrix; keeps `components` components (as scikit-learn's `PCA`;
/// component signs are arbitrary).
///
/// # Errors
/// [`crate::Error::InvalidValue`] for an invalid matrix.
#[allow(clippy::needless_range_loop)] // symmetric-matrix arithmetic reads best indexed
pub fn pca(rows: &[Vec<f64>], components: usize) -> Result<Pca> {
    let d = check_matrix(rows)?;
    let n = rows.len();
    let means: Vec<f64> = (0..d)
        .map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    let centred: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| r.iter().zip(&means).map(|(v, m)| v - m).collect())
        .collect();
    let mut cov = vec![vec![0.0; d]; d];
    for row in &centred {
        for a in 0..d {
            for b in a..d {
                cov[a][b] += row[a] * row[b];
            }
        }
    }
    for a in 0..d {
        for b in a..d {
            cov[a][b] /= (n - 1) as f64;
            cov[b][a] = cov[a][b];
        }
    }
    let (values, vectors) = jacobi_eigen(cov);
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    let keep = components.min(d);
    let explained_variance_ratio = order[..keep]
        .iter()
        .map(|&i| {
            if total > 0.0 {
                values[i].max(0.0) / total
            } else {
                0.0
            }
        })
        .collect();
    let scores = centred
        .iter()
        .map(|row| {
            order[..keep]
                .iter()
                .map(|&c| (0..d).map(|j| row[j] * vectors[j][c]).sum())
                .collect()
        })
        .collect();
    Ok(Pca {
        explained_variance_ratio,
        scores,
    })
}

/// Eigenvalues and eigenvectors (as columns) of a symmetric matrix (cyclic Jacobi).
#[allow(clippy::needless_range_loop)]
fn jacobi_eigen(mut a: Vec<Vec<f64>>) -> (Vec<f64>, Vec<Vec<f64>>) {
    let d = a.len();
    let mut v: Vec<Vec<f64>> = (0..d)
        .map(|i| (0..d).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for _ in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i][j] * a[i][j])
            .sum();
        let diag: f64 = (0..d).map(|i| a[i][i] * a[i][i]).sum();
        if off <= 1e-30 * diag.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                if a[p][q].abs() < f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let akp = a[k][p];
                    let akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..d {
                    let apk = a[p][k];
                    let aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for row in v.iter_mut() {
                    let vkp = row[p];
                    let vkq = row[q];
                    row[p] = c * vkp - s * vkq;
                    row[q] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| a[i][i]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pca_first_component_carries_collinear_variance() {
        let rows: Vec<Vec<f64>> = (0..10).map(|i| vec![i as f64, 2.0 * i as f64]).collect();
        let p = pca(&rows, 2).unwrap();
        assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
    }
}
