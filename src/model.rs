//! Domain types shared by ingest, store, analysis and the user interfaces: the values that cross layers live here and nowhere else.

pub mod assessment;
pub mod cluster;
pub mod course;
pub mod cytokine;
pub mod date;
pub mod event;
pub mod fusion;
pub mod imaging;
pub mod liquid;
pub mod locus;
pub mod mask;
pub mod measure;
pub mod mrd;
pub mod observation;
pub mod patient;
pub mod pileup;
pub mod record;
pub mod suv;
pub mod sv;

pub use cluster::{Assignment, ClusterRunRecord};
pub use course::{Course, CourseDates};
pub use cytokine::CytokineRow;
pub use date::parse_date;
pub use event::{ClinicalEvent, EventKind};
pub use fusion::{Breakpoint, Junction, Orientation};
pub use imaging::{
    Geometry, Grid, HarmonizedValue, ImagingValue, LesionFacts, LesionRow, Modality, StudyKey,
};
pub use locus::Locus;
pub use mask::{MaskReferences, MaskSource, NamedMasks, Region};
pub use measure::{Censor, Concentration, Point};
pub use mrd::MrdDecision;
pub use observation::{FeatureFamily, Observation};
pub use patient::{NewPatient, Patient, Sex};
pub use record::{PatientRecord, ResponseRecord};
pub use suv::{Body, SliceTiming, SuvHeader};
pub use sv::{SvCall, SvKind, SvSides, SvSomatic};
