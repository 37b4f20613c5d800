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
