//! PET uptake per lesion: SUVmax, SUVpeak, SUVmean over the metabolic tumour volume (MTV) and TLG, by threshold method.
//!
//! Pure functions over a voxel grid in NIfTI (Fortran) order: voxel (i, j, k) is at
//! index `i + nx * (j + ny * k)`, as nibabel's `get_fdata()` indexes `[i, j, k]`.
//!
//! - MTV voxels: the voxels of the lesion's label whose SUV is ≥ the method's
//!   threshold (inclusive); MTV (mL) = count × voxel volume (mm³ / 1000).
//! - SUVmean: mean SUV over the MTV voxels; TLG = SUVmean × MTV (0 when MTV is empty).
//! - SUVmax: the highest SUV of the label (independent of the method).
//! - SUVpeak: the highest mean SUV of a sphere of radius 6.2 mm (1 cm³) centred on a
//!   voxel of the label. A voxel belongs to the sphere when its *centre* lies within
//!   6.2 mm of the centre voxel's centre (no partial-volume weighting: with 4 mm voxels
//!   the sphere holds 19 voxels, 1.22 mL; with 2 mm voxels 123 voxels, 0.98 mL). The
//!   sphere may reach outside the label (uptake is read from the image, as PERCIST
//!   does); voxels outside the image are left out of the mean.

pub use crate::model::imaging::{LesionUptake, Method};
use crate::model::{Grid, Region};
use std::collections::BTreeMap;

/// Radius of the 1 cm³ sphere of SUVpeak (mm).
pub const PEAK_RADIUS_MM: f64 = 6.2;

impl std::str::FromStr for Method {
    type Err = String;

    /// Parses `relative:F`, `absolute:S`, `percist` or `background:F`.
    fn from_str(text: &str) -> Result<Self, String> {
        let (name, param) = match text.split_once(':') {
            Some((name, param)) => (name, Some(param)),
            None => (text, None),
        };
        let number = |range: std::ops::RangeInclusive<f64>| -> Result<f64, String> {
            let p = param.ok_or_else(|| format!("{name} needs a number: {name}:VALUE"))?;
            let v: f64 = p.parse().map_err(|_| format!("'{p}' is not a number"))?;
            if !v.is_finite() || !range.contains(&v) {
                return Err(format!(
                    "{name} takes a value in [{}, {}]",
                    range.start(),
                    range.end()
                ));
            }
            Ok(v)
        };
        match name {
            "relative" => Ok(Method::Relative(number(0.0..=1.0)?)),
            "absolute" => Ok(Method::Absolute(number(0.0..=f64::MAX)?)),
            "background" => Ok(Method::Background(number(0.0..=1.0)?)),
            "percist" if param.is_none() => Ok(Method::Percist),
            "percist" => Err(
                "percist takes no number (give --liver-roi, --liver-label or --liver-mean/--liver-sd)"
                    .into(),
            ),
            _ => Err("expected relative:F, absolute:S, percist or background:F".into()),
        }
    }
}

/// Reference regions a method may need.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct References {
    /// Liver mean and SD (PERCIST).
    pub liver: Option<(f64, f64)>,
    /// Mean SUV of the background region (background method).
    pub background_mean: Option<f64>,
}

/// Why uptake cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PetError {
    /// PERCIST without a liver reference.
    #[error(
        "percist needs the liver: give --liver-roi NAME (an RTSTRUCT or SEG region named \
         'liver' is found by itself), --liver-label N, or --liver-mean and --liver-sd"
    )]
    NoLiver,
    /// The background method without a background region.
    #[error("background:F needs --background-label")]
    NoBackground,
    /// A reference label that is not in the mask.
    #[error("label {0} is not in the mask")]
    MissingLabel(u32),
}

/// The flat voxel indices of each non-zero label, in index order.
pub fn label_voxels(labels: &[u32]) -> BTreeMap<u32, Vec<usize>> {
    let mut out: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (index, label) in labels.iter().enumerate() {
        if *label != 0 {
            out.entry(*label).or_default().push(index);
        }
    }
    out
}

/// Mean and population SD (ddof = 0, as numpy's `std`) of the SUV over `voxels`.
pub fn region_mean_sd(values: &[f64], voxels: &[usize]) -> (f64, f64) {
    let n = voxels.len() as f64;
    let mean = voxels.iter().map(|i| values[*i]).sum::<f64>() / n;
    let var = voxels
        .iter()
        .map(|i| (values[*i] - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

/// The sphere of SUVpeak as voxel offsets whose centres lie within [`PEAK_RADIUS_MM`].
fn sphere_offsets(grid: &Grid) -> Vec<[isize; 3]> {
    let reach = |axis: usize| (PEAK_RADIUS_MM / grid.spacing_mm[axis]).floor() as isize;
    let (rx, ry, rz) = (reach(0), reach(1), reach(2));
    let mut offsets = Vec::new();
    for dz in -rz..=rz {
        for dy in -ry..=ry {
            for dx in -rx..=rx {
                let d2 = (dx as f64 * grid.spacing_mm[0]).powi(2)
                    + (dy as f64 * grid.spacing_mm[1]).powi(2)
                    + (dz as f64 * grid.spacing_mm[2]).powi(2);
                if d2 <= PEAK_RADIUS_MM * PEAK_RADIUS_MM {
                    offsets.push([dx, dy, dz]);
                }
            }
        }
    }
    offsets
}

/// SUVpeak of a lesion (see the module documentation).
pub fn suv_peak(grid: &Grid, values: &[f64], voxels: &[usize]) -> f64 {
    let offsets = sphere_offsets(grid);
    let [nx, ny, nz] = grid.dims.map(|d| d as isize);
    let mut best = f64::NEG_INFINITY;
    for &centre in voxels {
        let [i, j, k] = grid.ijk(centre).map(|v| v as isize);
        let (mut sum, mut count) = (0.0, 0usize);
        for [dx, dy, dz] in &offsets {
            let (x, y, z) = (i + dx, j + dy, k + dz);
            if x >= 0 && y >= 0 && z >= 0 && x < nx && y < ny && z < nz {
                sum += values[(x + nx * (y + ny * z)) as usize];
                count += 1;
            }
        }
        best = best.max(sum / count as f64);
    }
    best
}

/// The SUV threshold of `method` for a lesion whose SUVmax is `suv_max`.
///
/// # Errors
/// When the method needs a reference that was not given.
pub fn threshold(method: Method, suv_max: f64, refs: &References) -> Result<f64, PetError> {
    Ok(match method {
        Method::Relative(f) => f * suv_max,
        Method::Absolute(s) => s,
        Method::Percist => {
            let (mean, sd) = refs.liver.ok_or(PetError::NoLiver)?;
            1.5 * mean + 2.0 * sd
        }
        Method::Background(f) => {
            let b = refs.background_mean.ok_or(PetError::NoBackground)?;
            b + f * (suv_max - b)
        }
    })
}

/// The uptake of one lesion (its voxels, non-empty) by each of `methods`.
///
/// # Errors
/// When a method needs a reference that was not given.
pub fn lesion_uptake(
    grid: &Grid,
    values: &[f64],
    label: u32,
    voxels: &[usize],
    methods: &[Method],
    refs: &References,
) -> Result<Vec<LesionUptake>, PetError> {
    let suv_max = voxels
        .iter()
        .map(|i| values[*i])
        .fold(f64::NEG_INFINITY, f64::max);
    let peak = suv_peak(grid, values, voxels);
    methods
        .iter()
        .map(|&method| {
            let threshold = threshold(method, suv_max, refs)?;
            let (mut sum, mut count) = (0.0, 0usize);
            for &i in voxels {
                if values[i] >= threshold {
                    sum += values[i];
                    count += 1;
                }
            }
            let mtv_ml = count as f64 * grid.voxel_ml();
            let suv_mean = (count > 0).then(|| sum / count as f64);
            Ok(LesionUptake {
                label,
                method,
                threshold,
                voxels: count,
                suv_max,
                suv_peak: peak,
                suv_mean,
                mtv_ml,
                tlg: suv_mean.map_or(0.0, |m| m * mtv_ml),
            })
        })
        .collect()
}

/// Reference regions and lesions of a mask.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ReferenceLabels {
    /// Label of the liver region (PERCIST), not a lesion.
    pub liver: Option<u32>,
    /// Liver mean and SD given as numbers (used when there is no liver label).
    pub liver_given: Option<(f64, f64)>,
    /// Label of the background region, not a lesion.
    pub background: Option<u32>,
}

/// The uptake of every lesion label of the mask by each method, in label order,
/// with the references that were resolved. Reference labels are not lesions.
///
/// # Errors
/// A reference label missing from the mask, or a method without its reference.
pub fn uptake(
    grid: &Grid,
    values: &[f64],
    labels: &[u32],
    methods: &[Method],
    reference_labels: &ReferenceLabels,
) -> Result<(Vec<LesionUptake>, References), PetError> {
    let regions: Vec<Region> = label_voxels(labels)
        .into_iter()
        .map(|(label, voxels)| Region {
            label,
            name: None,
            voxels,
        })
        .collect();
    uptake_of_regions(grid, values, &regions, methods, reference_labels)
}

/// The uptake of every lesion region by each method, in region order, with the
/// references that were resolved; a region is found by its label, and regions may
/// overlap (each is measured on its own voxels). Reference regions are not lesions.
///
/// # Errors
/// A reference label that no region has, or a method without its reference.
pub fn uptake_of_regions(
    grid: &Grid,
    values: &[f64],
    regions: &[Region],
    methods: &[Method],
    reference_labels: &ReferenceLabels,
) -> Result<(Vec<LesionUptake>, References), PetError> {
    let region = |label: u32| {
        regions
            .iter()
            .find(|r| r.label == label && !r.voxels.is_empty())
            .map(|r| r.voxels.as_slice())
            .ok_or(PetError::MissingLabel(label))
    };
    let liver = match reference_labels.liver {
        Some(label) => Some(region_mean_sd(values, region(label)?)),
        None => reference_labels.liver_given,
    };
    let background_mean = match reference_labels.background {
        Some(label) => Some(region_mean_sd(values, region(label)?).0),
        None => None,
    };
    let refs = References {
        liver,
        background_mean,
    };
    let mut out = Vec::new();
    for r in regions {
        if r.voxels.is_empty()
            || Some(r.label) == reference_labels.liver
            || Some(r.label) == reference_labels.background
        {
            continue;
        }
        out.extend(lesion_uptake(
            grid, values, r.label, &r.voxels, methods, &refs,
        )?);
    }
    Ok((out, refs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize, mm: f64) -> Grid {
        Grid {
            dims: [n, n, n],
            spacing_mm: [mm; 3],
        }
    }

    /// A cube of `n`³ voxels with one lesion: a 3×3×3 block at the centre, SUV 2..=10.
    fn phantom(n: usize) -> (Grid, Vec<f64>, Vec<u32>) {
        let g = grid(n, 4.0);
        let mut values = vec![1.0; g.len()];
        let mut labels = vec![0; g.len()];
        let c = n / 2;
        let mut v = 2.0;
        for k in c - 1..=c + 1 {
            for j in c - 1..=c + 1 {
                for i in c - 1..=c + 1 {
                    let idx = i + n * (j + n * k);
                    values[idx] = if i == c && j == c && k == c { 10.0 } else { v };
                    v = if v >= 9.0 { 2.0 } else { v + 1.0 };
                    labels[idx] = 1;
                }
            }
        }
        (g, values, labels)
    }

    #[test]
    fn methods_parse_with_their_parameters() {
        for (text, method) in [
            ("relative:0.41", Method::Relative(0.41)),
            ("absolute:2.5", Method::Absolute(2.5)),
            ("percist", Method::Percist),
            ("background:0.5", Method::Background(0.5)),
        ] {
            assert_eq!(text.parse::<Method>(), Ok(method));
            assert_eq!(method.to_string(), text);
        }
        for bad in [
            "relative",
            "relative:1.5",
            "absolute:-1",
            "percist:2",
            "fixed:3",
            "relative:x",
        ] {
            assert!(bad.parse::<Method>().is_err(), "{bad}");
        }
    }

    #[test]
    fn thresholds_follow_each_method_definition() {
        let refs = References {
            liver: Some((2.0, 0.25)),
            background_mean: Some(1.0),
        };
        assert_eq!(
            threshold(Method::Relative(0.41), 10.0, &refs),
            Ok(0.41 * 10.0)
        );
        assert_eq!(threshold(Method::Absolute(2.5), 10.0, &refs), Ok(2.5));
        assert_eq!(
            threshold(Method::Percist, 10.0, &refs),
            Ok(1.5 * 2.0 + 2.0 * 0.25)
        );
        assert_eq!(
            threshold(Method::Background(0.5), 10.0, &refs),
            Ok(1.0 + 0.5 * 9.0)
        );
        assert_eq!(
            threshold(Method::Percist, 10.0, &References::default()),
            Err(PetError::NoLiver)
        );
        assert_eq!(
            threshold(Method::Background(0.5), 10.0, &References::default()),
            Err(PetError::NoBackground)
        );
    }

    #[test]
    fn thresholds_are_inclusive_and_mtv_counts_voxel_volume() {
        let (g, values, labels) = phantom(9);
        let (rows, _) = uptake(
            &g,
            &values,
            &labels,
            &[
                Method::Absolute(9.0),
                Method::Absolute(10.0),
                Method::Absolute(10.5),
            ],
            &ReferenceLabels::default(),
        )
        .unwrap();
        // Values 2..=9 repeat over 26 voxels: 9.0 occurs 3 times (+ the 10 centre).
        let count_9 = values
            .iter()
            .zip(&labels)
            .filter(|(v, l)| **l == 1 && **v >= 9.0)
            .count();
        assert_eq!(rows[0].voxels, count_9);
        assert_eq!(rows[1].voxels, 1, "SUV == threshold is inside");
        assert_eq!(rows[1].mtv_ml, 0.064);
        assert_eq!(rows[1].suv_mean, Some(10.0));
        assert!((rows[1].tlg - 0.64).abs() < 1e-12);
        assert_eq!(
            (rows[2].voxels, rows[2].suv_mean, rows[2].tlg),
            (0, None, 0.0)
        );
        assert_eq!(rows[0].suv_max, 10.0);
    }

    #[test]
    fn suv_peak_is_the_best_sphere_mean_and_ignores_voxels_outside_the_image() {
        // 4 mm voxels: the 6.2 mm sphere holds the centre, 6 faces and 12 edges (19 voxels).
        let g = grid(5, 4.0);
        assert_eq!(sphere_offsets(&g).len(), 19);
        assert_eq!(sphere_offsets(&grid(5, 2.0)).len(), 123);
        let mut values = vec![0.0; g.len()];
        values[0] = 19.0; // a corner voxel: only 1 + 3 + 3 = 7 sphere voxels fall inside
        let peak = suv_peak(&g, &values, &[0]);
        assert!((peak - 19.0 / 7.0).abs() < 1e-12, "{peak}");
        // A uniform region gives its value.
        let uniform = vec![3.0; g.len()];
        assert_eq!(suv_peak(&g, &uniform, &[62]), 3.0);
    }

    #[test]
    fn reference_labels_are_not_lesions_and_feed_percist_and_background() {
        let (g, mut values, mut labels) = phantom(9);
        // Liver: label 5, two voxels of 2 and 4 (mean 3, SD 1).
        for (idx, v) in [(0usize, 2.0), (1, 4.0)] {
            labels[idx] = 5;
            values[idx] = v;
        }
        let (rows, refs) = uptake(
            &g,
            &values,
            &labels,
            &[Method::Percist],
            &ReferenceLabels {
                liver: Some(5),
                ..ReferenceLabels::default()
            },
        )
        .unwrap();
        assert_eq!(refs.liver, Some((3.0, 1.0)));
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].label, rows[0].threshold), (1, 6.5));
        let missing = uptake(
            &g,
            &values,
            &labels,
            &[Method::Percist],
            &ReferenceLabels {
                liver: Some(7),
                ..ReferenceLabels::default()
            },
        );
        assert_eq!(missing, Err(PetError::MissingLabel(7)));
    }

    #[test]
    fn overlapping_regions_are_each_measured_on_their_own_voxels() {
        let g = grid(4, 2.0);
        let mut values = vec![1.0; g.len()];
        values[5] = 8.0;
        values[6] = 2.0;
        // Region 3 holds voxels 4..=6 (the hot voxel 5 among them); region 9 holds 6 and 7,
        // sharing voxel 6 with region 3, listed first: rows follow the regions' order.
        let regions = [
            Region {
                label: 9,
                name: Some("node".into()),
                voxels: vec![6, 7],
            },
            Region {
                label: 3,
                name: Some("GTV".into()),
                voxels: vec![4, 5, 6],
            },
        ];
        let (rows, _) = uptake_of_regions(
            &g,
            &values,
            &regions,
            &[Method::Absolute(1.5)],
            &ReferenceLabels::default(),
        )
        .unwrap();
        let got: Vec<(u32, f64, usize)> = rows
            .iter()
            .map(|r| (r.label, r.suv_max, r.voxels))
            .collect();
        assert_eq!(got, [(9, 2.0, 1), (3, 8.0, 2)]);
        // A reference region is found by its label and is not a lesion.
        let (rows, refs) = uptake_of_regions(
            &g,
            &values,
            &regions,
            &[Method::Background(0.5)],
            &ReferenceLabels {
                background: Some(9),
                ..ReferenceLabels::default()
            },
        )
        .unwrap();
        assert_eq!(refs.background_mean, Some(1.5));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].label, 3);
    }
}
