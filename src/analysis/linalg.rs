//! Small dense linear algebra for the analysis modules (matrices of a few dozen rows).

use super::invalid;

/// Σ term(aᵢ, bᵢ) with four running sums, which lets the compiler vectorise (the
/// order of additions differs from a left-to-right sum by rounding only).
#[inline]
fn sum_of_pairs(a: &[f64], b: &[f64], term: impl Fn(f64, f64) -> f64) -> f64 {
    let mut sums = [0.0; 4];
    let chunks_a = a.chunks_exact(4);
    let chunks_b = b.chunks_exact(4);
    let tail: f64 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| term(*x, *y))
        .sum();
    for (x, y) in chunks_a.zip(chunks_b) {
        for k in 0..4 {
            sums[k] += term(x[k], y[k]);
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

/// Dot product a · b.
#[inline]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    sum_of_pairs(a, b, |x, y| x * y)
}

/// Squared Euclidean distance ‖a − b‖².
#[inline]
pub fn squared_euclidean(a: &[f64], b: &[f64]) -> f64 {
    sum_of_pairs(a, b, |x, y| (x - y) * (x - y))
}

/// Inverse of a small square matrix by Gauss-Jordan elimination with partial pivoting;
/// None when the matrix is singular (a pivot below 1e-13 of the largest entry).
pub fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut inv: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    let scale = a
        .iter()
        .flatten()
        .fold(0.0_f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() <= scale * 1e-13 {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let p = a[col][col];
        for j in 0..n {
            a[col][j] /= p;
            inv[col][j] /= p;
        }
        for row in 0..n {
            if row != col {
                let f = a[row][col];
                if f != 0.0 {
                    for j in 0..n {
                        a[row][j] -= f * a[col][j];
                        inv[row][j] -= f * inv[col][j];
                    }
                }
            }
        }
    }
    Some(inv)
}

/// Checks that `rows` is a non-empty rectangular matrix of finite numbers.
pub(crate) fn check_matrix(rows: &[Vec<f64>]) -> crate::Result<usize> {
    let width = rows.first().map_or(0, Vec::len);
    if rows.len() < 2 || width == 0 {
        return Err(invalid(
            "feature matrix",
            format!("{} x {width}", rows.len()),
            "needs at least 2 samples and 1 feature",
        ));
    }
    for (i, row) in rows.iter().enumerate() {
        if row.len() != width {
            return Err(invalid(
                "feature matrix",
                format!("row {}", i + 1),
                "rows differ in length",
            ));
        }
        if row.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                "feature matrix",
                format!("row {}", i + 1),
                "has a missing or non-finite value",
            ));
        }
    }
    Ok(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_of_pairs_handle_the_tail_after_chunks_of_four() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let b = [1.0; 6];
        assert_eq!(dot(&a, &b), 21.0);
        assert_eq!(squared_euclidean(&a, &b), 55.0);
    }

    #[test]
    fn a_singular_matrix_has_no_inverse() {
        assert!(invert(vec![vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
        let inverse = invert(vec![vec![2.0, 0.0], vec![0.0, 4.0]]).unwrap();
        assert_eq!(inverse, vec![vec![0.5, 0.0], vec![0.0, 0.25]]);
    }
}
