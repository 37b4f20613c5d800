//! Imaging studies, lesions and their measurements, and the voxel grid of an image.

use chrono::NaiveDate;

/// Imaging modality of a study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modality {
    /// Computed tomography.
    Ct,
    /// Magnetic resonance.
    Mr,
    /// Positron emission tomography.
    Pet,
}

impl Modality {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::Ct => "CT",
            Modality::Mr => "MR",
            Modality::Pet => "PET",
        }
    }
}

impl std::str::FromStr for Modality {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        match text.to_ascii_uppercase().as_str() {
            "CT" => Ok(Modality::Ct),
            "MR" | "MRI" => Ok(Modality::Mr),
            "PET" | "PET-CT" | "PET/CT" => Ok(Modality::Pet),
            _ => Err("expected CT, MR or PET".into()),
        }
    }
}

/// Where a study was made: the batch variables of harmonisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudyKey {
    /// Patient identifier.
    pub patient: String,
    /// Date of the study.
    pub date: NaiveDate,
    /// Modality.
    pub modality: Modality,
    /// Scanner model (may be empty).
    pub scanner: String,
    /// Imaging centre (may be empty).
    pub site: String,
}

/// A lesion's fixed attributes (set at baseline).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LesionFacts {
    /// Label (e.g. `L1`), unique per patient.
    pub label: String,
    /// Organ, when given.
    pub organ: Option<String>,
    /// Target lesion, when given.
    pub target: Option<bool>,
    /// Lymph node, when given.
    pub nodal: Option<bool>,
}

/// One lesion measured on one study.
#[derive(Debug, Clone, PartialEq)]
pub struct LesionRow {
    /// 1-based line in the file.
    pub line: u64,
    /// The study.
    pub study: StudyKey,
    /// The lesion.
    pub lesion: LesionFacts,
    /// Longest diameter (mm); `None` = not measured.
    pub longest_diameter_mm: Option<f64>,
    /// Short axis (mm), for nodes.
    pub short_axis_mm: Option<f64>,
    /// Mean attenuation (HU), for Choi.
    pub mean_hu: Option<f64>,
    /// A lesion not seen at baseline.
    pub new_lesion: bool,
}

/// The voxel grid of an image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// Voxels along i, j, k.
    pub dims: [usize; 3],
    /// Voxel size along i, j, k (mm).
    pub spacing_mm: [f64; 3],
}

impl Grid {
    /// Number of voxels.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// Whether the grid has no voxels.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Volume of one voxel in mL.
    pub fn voxel_ml(&self) -> f64 {
        self.spacing_mm.iter().product::<f64>() / 1000.0
    }

    /// The (i, j, k) indices of a flat index.
    pub fn ijk(&self, index: usize) -> [usize; 3] {
        let [nx, ny, _] = self.dims;
        [index % nx, (index / nx) % ny, index / (nx * ny)]
    }
}

/// Where a voxel grid lies in patient space: DICOM's patient coordinate system (LPS, mm).
///
/// Voxel `(i, j, k)` (i fastest, as [`Grid`] indexes) has its centre at
/// `origin_mm + i·sᵢ·dᵢ + j·sⱼ·dⱼ + k·sₖ·dₖ`, with `s` the grid's spacing and `d` the unit
/// direction of each axis. A DICOM series gives `dᵢ`, `dⱼ` from ImageOrientationPatient
/// (row, then column direction), `dₖ` and `sₖ` from the sorted ImagePositionPatient, and
/// `origin_mm` from the first slice's position. A NIfTI affine (RAS) converts by negating
/// its x and y rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// Centre of voxel (0, 0, 0), mm (LPS).
    pub origin_mm: [f64; 3],
    /// Unit direction of the i, j and k axes (LPS).
    pub directions: [[f64; 3]; 3],
}

impl Geometry {
    /// The patient-space position (mm, LPS) of a continuous voxel index on `grid`.
    pub fn to_patient(&self, grid: &Grid, ijk: [f64; 3]) -> [f64; 3] {
        let mut out = self.origin_mm;
        for (axis, direction) in self.directions.iter().enumerate() {
            let step = ijk[axis] * grid.spacing_mm[axis];
            for (o, d) in out.iter_mut().zip(direction) {
                *o += step * d;
            }
        }
        out
    }

    /// The continuous voxel index of a patient-space position (mm, LPS) on `grid`, or
    /// `None` when the axes are degenerate (not linearly independent).
    pub fn to_voxel(&self, grid: &Grid, patient_mm: [f64; 3]) -> Option<[f64; 3]> {
        // Solve M · ijk = p − origin, M's columns the scaled axis directions (Cramer's rule).
        let col = |axis: usize| -> [f64; 3] {
            let d = self.directions[axis];
            let s = grid.spacing_mm[axis];
            [d[0] * s, d[1] * s, d[2] * s]
        };
        let (a, b, c) = (col(0), col(1), col(2));
        let det3 = |x: [f64; 3], y: [f64; 3], z: [f64; 3]| {
            x[0] * (y[1] * z[2] - y[2] * z[1]) - y[0] * (x[1] * z[2] - x[2] * z[1])
                + z[0] * (x[1] * y[2] - x[2] * y[1])
        };
        let det = det3(a, b, c);
        if !det.is_finite() || det.abs() < 1e-12 {
            return None;
        }
        let r = [
            patient_mm[0] - self.origin_mm[0],
            patient_mm[1] - self.origin_mm[1],
            patient_mm[2] - self.origin_mm[2],
        ];
        Some([
            det3(r, b, c) / det,
            det3(a, r, c) / det,
            det3(a, b, r) / det,
        ])
    }
}

/// A lesion-level imaging feature with its batch variables, the input of store-mode ComBat.
#[derive(Debug, Clone, PartialEq)]
pub struct ImagingValue {
    /// The study.
    pub study_id: i64,
    /// The lesion.
    pub lesion_id: i64,
    /// Scanner of the study.
    pub scanner: String,
    /// Site of the study.
    pub site: String,
    /// Feature name.
    pub feature: String,
    /// Value.
    pub value: f64,
}

/// One harmonised lesion-level value, as a harmonisation run saves it.
#[derive(Debug, Clone, PartialEq)]
pub struct HarmonizedValue {
    /// The study.
    pub study_id: i64,
    /// The lesion.
    pub lesion_id: i64,
    /// Feature name as stored in `radiomic_feature` (or the PET metric name).
    pub feature: String,
    /// Harmonised value.
    pub value: f64,
}

/// How the MTV threshold is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// SUV ≥ F × SUVmax (EANM: F = 0.41).
    Relative(f64),
    /// SUV ≥ S (commonly 2.5).
    Absolute(f64),
    /// SUV ≥ 1.5 × liver mean + 2 × liver SD (PERCIST 1.0).
    Percist,
    /// SUV ≥ B + F × (SUVmax − B), B the mean of a background region.
    Background(f64),
}

impl Method {
    /// The method's name as stored: relative, absolute, percist, background.
    pub fn name(&self) -> &'static str {
        match self {
            Method::Relative(_) => "relative",
            Method::Absolute(_) => "absolute",
            Method::Percist => "percist",
            Method::Background(_) => "background",
        }
    }

    /// The method's parameter (0 for PERCIST).
    pub fn param(&self) -> f64 {
        match self {
            Method::Relative(f) | Method::Absolute(f) | Method::Background(f) => *f,
            Method::Percist => 0.0,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Method::Percist => write!(f, "percist"),
            other => write!(f, "{}:{}", other.name(), other.param()),
        }
    }
}

/// The uptake of one lesion by one method.
#[derive(Debug, Clone, PartialEq)]
pub struct LesionUptake {
    /// The lesion's label in the mask.
    pub label: u32,
    /// The method.
    pub method: Method,
    /// The SUV threshold the method resolved to.
    pub threshold: f64,
    /// Voxels in the MTV.
    pub voxels: usize,
    /// Highest SUV of the label.
    pub suv_max: f64,
    /// SUVpeak (see the module documentation).
    pub suv_peak: f64,
    /// Mean SUV over the MTV; `None` when the MTV is empty.
    pub suv_mean: Option<f64>,
    /// Metabolic tumour volume (mL).
    pub mtv_ml: f64,
    /// Total lesion glycolysis = SUVmean × MTV (0 when the MTV is empty).
    pub tlg: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_maps_voxels_to_patient_space_and_back() {
        let grid = Grid {
            dims: [4, 5, 6],
            spacing_mm: [2.0, 3.0, 4.0],
        };
        // Axes permuted and one flipped, as a coronal or feet-first series has them.
        let geometry = Geometry {
            origin_mm: [-100.0, 50.0, 20.0],
            directions: [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, -1.0]],
        };
        let p = geometry.to_patient(&grid, [1.0, 2.0, 3.0]);
        assert_eq!(p, [-100.0 + 6.0, 50.0 + 2.0, 20.0 - 12.0]);
        let back = geometry.to_voxel(&grid, p).unwrap();
        for (x, y) in back.iter().zip([1.0, 2.0, 3.0]) {
            assert!((x - y).abs() < 1e-12);
        }
        let flat = Geometry {
            origin_mm: [0.0; 3],
            directions: [[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        };
        assert_eq!(flat.to_voxel(&grid, [1.0, 1.0, 1.0]), None);
    }
}
