//! Closed planar contours (patient space, LPS mm) to voxels of a grid: a voxel is inside when its centre is inside by the even-odd rule.
//!
//! The rule (docs/methods.md, "Contours to voxels"):
//!
//! 1. Every contour point is mapped to a continuous voxel index `(i, j, k)` of the grid
//!    ([`Geometry::to_voxel`]).
//! 2. A contour belongs to slice `k₀ = round(mean k)` of its points, and every point must
//!    lie within half a slice of it (`|k − k₀| ≤ 0.5`): contours are matched to slices by
//!    position, never by a referenced image. A contour oblique to the slices, or one on a
//!    slice outside the grid, is an error.
//! 3. On each slice, all contours of the region together decide by the even-odd rule:
//!    the centre of voxel `(i, j)` is inside when a ray from it towards +i crosses the
//!    contours' edges an odd number of times. An inner contour (a hole) drawn inside an
//!    outer one therefore removes its voxels, and two contours that overlap cancel where
//!    they overlap. An edge crossing row `j` is counted when one end lies above `j` and
//!    the other at or below it (the half-open rule), so a centre on a horizontal edge or a
//!    vertex is decided once and consistently; a centre exactly on a vertical left edge is
//!    inside, one on a right edge outside.
//!
//! Pure: no I/O. The result is the flat indices (`i + nx·(j + ny·k)`) of the voxels inside.

use crate::model::{Geometry, Grid};

/// Why contours cannot be rasterised.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RasterError {
    /// The grid's axes are not linearly independent.
    #[error("the image grid's axes are degenerate (not linearly independent)")]
    Degenerate,
    /// A contour with fewer than three points (or a non-finite point).
    #[error("contour {contour} has {points} point(s); a closed planar contour needs at least 3")]
    TooFewPoints {
        /// 0-based index of the contour.
        contour: usize,
        /// Its number of points.
        points: usize,
    },
    /// A contour whose points do not lie within half a slice of one slice.
    #[error(
        "contour {contour} spans slices {low:.2} to {high:.2} of the image grid: it does not lie \
         in one slice plane (within half a slice); the contours were drawn on another grid"
    )]
    OffSlice {
        /// 0-based index of the contour.
        contour: usize,
        /// Lowest continuous slice index of its points.
        low: f64,
        /// Highest continuous slice index of its points.
        high: f64,
    },
    /// A contour on a slice outside the grid.
    #[error(
        "contour {contour} lies on slice {slice} at {z_mm:.2} mm (LPS z), outside the image grid's \
         slices 0..{slices}: the contours were drawn on another series"
    )]
    OutsideGrid {
        /// 0-based index of the contour.
        contour: usize,
        /// The slice it would lie on.
        slice: i64,
        /// The patient z of its first point.
        z_mm: f64,
        /// The number of slices of the grid.
        slices: usize,
    },
}

/// The voxels of `grid` whose centres lie inside `contours` (each a closed polygon of
/// patient-space points, LPS mm) by the module's rule, ascending.
///
/// # Errors
/// [`RasterError`] for a degenerate grid, a contour with fewer than three points, one
/// that does not lie in one slice plane, or one on a slice outside the grid.
pub fn rasterise(
    grid: &Grid,
    geometry: &Geometry,
    contours: &[Vec<[f64; 3]>],
) -> Result<Vec<usize>, RasterError> {
    let [nx, ny, nz] = grid.dims;
    // Polygons in continuous (i, j) per slice.
    let mut slices: Vec<Vec<Vec<[f64; 2]>>> = vec![Vec::new(); nz];
    for (index, contour) in contours.iter().enumerate() {
        let too_few = RasterError::TooFewPoints {
            contour: index,
            points: contour.len(),
        };
        if contour.len() < 3 || contour.iter().flatten().any(|v| !v.is_finite()) {
            return Err(too_few);
        }
        let mut polygon = Vec::with_capacity(contour.len());
        let (mut low, mut high, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
        for point in contour {
            let [i, j, k] = geometry
                .to_voxel(grid, *point)
                .ok_or(RasterError::Degenerate)?;
            low = low.min(k);
            high = high.max(k);
            sum += k;
            polygon.push([i, j]);
        }
        let slice = (sum / contour.len() as f64).round();
        // A small tolerance for the rounding of positions written as decimal strings.
        const EPS: f64 = 1e-6;
        if high - slice > 0.5 + EPS || slice - low > 0.5 + EPS {
            return Err(RasterError::OffSlice {
                contour: index,
                low,
                high,
            });
        }
        if slice < 0.0 || slice >= nz as f64 {
            return Err(RasterError::OutsideGrid {
                contour: index,
                slice: slice as i64,
                z_mm: contour[0][2],
                slices: nz,
            });
        }
        slices[slice as usize].push(polygon);
    }
    let mut inside = Vec::new();
    let mut crossings: Vec<f64> = Vec::new();
    for (k, polygons) in slices.iter().enumerate() {
        if polygons.is_empty() {
            continue;
        }
        for j in 0..ny {
            let y = j as f64;
            crossings.clear();
            for polygon in polygons {
                let n = polygon.len();
                for a in 0..n {
                    let [x1, y1] = polygon[a];
                    let [x2, y2] = polygon[(a + 1) % n];
                    if (y1 > y) != (y2 > y) {
                        crossings.push(x1 + (y - y1) * (x2 - x1) / (y2 - y1));
                    }
                }
            }
            if crossings.is_empty() {
                continue;
            }
            crossings.sort_by(f64::total_cmp);
            // Centre i is inside when an odd number of crossings lie at x > i: between
            // crossings 2p (inclusive) and 2p + 1 (exclusive).
            for pair in crossings.chunks_exact(2) {
                let first = pair[0].ceil().max(0.0);
                let end = pair[1].ceil().min(nx as f64);
                if first >= end {
                    continue;
                }
                let row = nx * (j + ny * k);
                inside.extend((first as usize..end as usize).map(|i| row + i));
            }
        }
    }
    inside.sort_unstable();
    inside.dedup();
    Ok(inside)
}

/// The Dice similarity coefficient 2|A∩B| / (|A| + |B|) of two ascending voxel lists
/// (1 when both are empty).
pub fn dice(a: &[usize], b: &[usize]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let (mut x, mut y, mut common) = (0, 0, 0usize);
    while x < a.len() && y < b.len() {
        match a[x].cmp(&b[y]) {
            std::cmp::Ordering::Less => x += 1,
            std::cmp::Ordering::Greater => y += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                x += 1;
                y += 1;
            }
        }
    }
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10 × 8 × 4 grid of 2 mm × 2 mm × 3 mm voxels, axes along LPS, voxel (0,0,0) at
    /// (10, 20, 30) mm.
    fn grid() -> (Grid, Geometry) {
        (
            Grid {
                dims: [10, 8, 4],
                spacing_mm: [2.0, 2.0, 3.0],
            },
            Geometry {
                origin_mm: [10.0, 20.0, 30.0],
                directions: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
            },
        )
    }

    /// A polygon given in voxel units (i, j) on slice k, as patient-space points.
    fn polygon(k: f64, points: &[[f64; 2]]) -> Vec<[f64; 3]> {
        points
            .iter()
            .map(|[i, j]| [10.0 + 2.0 * i, 20.0 + 2.0 * j, 30.0 + 3.0 * k])
            .collect()
    }

    fn ijk(index: usize) -> [usize; 3] {
        grid().0.ijk(index)
    }

    #[test]
    fn a_voxel_is_inside_when_its_centre_is_inside_the_polygon() {
        let (grid, geometry) = grid();
        // Square from (0.5, 0.5) to (3.5, 2.5): centres i = 1..=3, j = 1..=2.
        let square = polygon(1.0, &[[0.5, 0.5], [3.5, 0.5], [3.5, 2.5], [0.5, 2.5]]);
        let got: Vec<[usize; 3]> = rasterise(&grid, &geometry, &[square])
            .unwrap()
            .into_iter()
            .map(ijk)
            .collect();
        let mut want = Vec::new();
        for j in 1..=2 {
            for i in 1..=3 {
                want.push([i, j, 1]);
            }
        }
        assert_eq!(got, want);
    }

    #[test]
    fn rule_table() {
        let (grid, geometry) = grid();
        // (rule, contours, voxels inside on their slice, as (i, j))
        type Case = (&'static str, Vec<Vec<[f64; 3]>>, Vec<[usize; 2]>);
        let cases: Vec<Case> = vec![
            (
                "an inner contour is a hole (even-odd)",
                vec![
                    polygon(0.0, &[[0.5, 0.5], [4.5, 0.5], [4.5, 4.5], [0.5, 4.5]]),
                    polygon(0.0, &[[1.5, 1.5], [3.5, 1.5], [3.5, 3.5], [1.5, 3.5]]),
                ],
                {
                    let mut v = Vec::new();
                    for j in 1..=4 {
                        for i in 1..=4 {
                            if !(2..=3).contains(&i) || !(2..=3).contains(&j) {
                                v.push([i, j]);
                            }
                        }
                    }
                    v
                },
            ),
            (
                "a centre on a left edge is inside, on a right edge outside",
                vec![polygon(
                    0.0,
                    &[[1.0, 0.5], [3.0, 0.5], [3.0, 1.5], [1.0, 1.5]],
                )],
                vec![[1, 1], [2, 1]],
            ),
            (
                "a centre on the lower edge is inside, on the upper edge outside (half-open rows)",
                vec![polygon(
                    0.0,
                    &[[0.5, 1.0], [1.5, 1.0], [1.5, 3.0], [0.5, 3.0]],
                )],
                vec![[1, 1], [1, 2]],
            ),
            (
                "a triangle keeps the centres inside its sloped edges",
                vec![polygon(0.0, &[[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])],
                // x + y < 4 with the half-open rule on rows and the left-inclusive rule.
                vec![
                    [0, 0],
                    [1, 0],
                    [2, 0],
                    [3, 0],
                    [0, 1],
                    [1, 1],
                    [2, 1],
                    [0, 2],
                    [1, 2],
                    [0, 3],
                ],
            ),
            (
                "a contour too small to hold a centre has no voxel",
                vec![polygon(0.0, &[[1.2, 1.2], [1.8, 1.2], [1.8, 1.8]])],
                vec![],
            ),
            (
                "a contour reaching past the grid is clipped to it",
                vec![polygon(
                    0.0,
                    &[[-5.0, -5.0], [0.5, -5.0], [0.5, 0.5], [-5.0, 0.5]],
                )],
                vec![[0, 0]],
            ),
            (
                "a repeated closing point changes nothing",
                vec![polygon(
                    0.0,
                    &[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5], [0.5, 0.5]],
                )],
                vec![[1, 1]],
            ),
        ];
        for (rule, contours, want) in cases {
            let got: Vec<[usize; 2]> = rasterise(&grid, &geometry, &contours)
                .unwrap()
                .into_iter()
                .map(|v| {
                    let [i, j, k] = ijk(v);
                    assert_eq!(k, 0, "{rule}");
                    [i, j]
                })
                .collect();
            let mut want = want;
            want.sort_by_key(|[i, j]| (*j, *i));
            assert_eq!(got, want, "{rule}");
        }
    }

    #[test]
    fn contours_are_matched_to_slices_within_half_a_slice() {
        let (grid, geometry) = grid();
        let square = |k: f64| polygon(k, &[[0.5, 0.5], [1.5, 0.5], [1.5, 1.5], [0.5, 1.5]]);
        // 0.4 slice off: slice 2.
        let got = rasterise(&grid, &geometry, &[square(2.4)]).unwrap();
        assert_eq!(got.iter().map(|v| ijk(*v)).collect::<Vec<_>>(), [[1, 1, 2]]);
        // Exactly half-way is within half a slice of the rounded slice.
        assert!(rasterise(&grid, &geometry, &[square(1.5)]).is_ok());
        // A contour tilted over more than one slice.
        let mut tilted = square(1.0);
        tilted[2][2] += 3.0 * 0.8;
        assert!(matches!(
            rasterise(&grid, &geometry, &[tilted]),
            Err(RasterError::OffSlice { contour: 0, .. })
        ));
        // A slice outside the grid.
        assert!(matches!(
            rasterise(&grid, &geometry, &[square(1.0), square(4.0)]),
            Err(RasterError::OutsideGrid {
                contour: 1,
                slice: 4,
                ..
            })
        ));
        assert!(matches!(
            rasterise(&grid, &geometry, &[square(-0.6)]),
            Err(RasterError::OutsideGrid { slice: -1, .. })
        ));
    }

    #[test]
    fn a_contour_needs_three_finite_points() {
        let (grid, geometry) = grid();
        let two = polygon(0.0, &[[0.5, 0.5], [1.5, 0.5]]);
        assert_eq!(
            rasterise(&grid, &geometry, &[two]),
            Err(RasterError::TooFewPoints {
                contour: 0,
                points: 2
            })
        );
        let nan = vec![[f64::NAN, 0.0, 0.0]; 3];
        assert!(matches!(
            rasterise(&grid, &geometry, &[nan]),
            Err(RasterError::TooFewPoints { .. })
        ));
    }

    #[test]
    fn contours_on_a_flipped_axis_grid_land_on_the_same_voxels() {
        // A feet-first grid: k runs towards −z; the origin is the top slice.
        let grid = Grid {
            dims: [6, 6, 3],
            spacing_mm: [1.0, 1.0, 2.0],
        };
        let geometry = Geometry {
            origin_mm: [0.0, 0.0, 10.0],
            directions: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]],
        };
        let contour = vec![
            [0.5, 0.5, 6.0],
            [2.5, 0.5, 6.0],
            [2.5, 1.5, 6.0],
            [0.5, 1.5, 6.0],
        ];
        let got: Vec<[usize; 3]> = rasterise(&grid, &geometry, &[contour])
            .unwrap()
            .into_iter()
            .map(|v| grid.ijk(v))
            .collect();
        assert_eq!(got, [[1, 1, 2], [2, 1, 2]]);
    }

    #[test]
    fn dice_of_voxel_lists() {
        assert_eq!(dice(&[], &[]), 1.0);
        assert_eq!(dice(&[1, 2, 3], &[1, 2, 3]), 1.0);
        assert_eq!(dice(&[1, 2], &[3, 4]), 0.0);
        assert!((dice(&[1, 2, 3, 4], &[3, 4, 5, 6]) - 0.5).abs() < 1e-12);
    }
}
