//! Typed values of command-line flags: clap `ValueEnum` mirrors of the library's settings (clap stays out of the library) and value parsers for the structured ones.
//!
//! Each mirror maps onto its library type with `From` and prints as the name the user
//! types (`as_str`, `Display`; the enums also serialise as it), so the run parameters a
//! command stores read as they did when the flags were plain strings.

use oncotrack::analysis::cluster::{Distance, KChoice, Method};
use oncotrack::analysis::harmonize::BatchBy;
use oncotrack::analysis::matrix::{Impute, TimePoint, Transform};
use oncotrack::analysis::survival::Endpoint;
use oncotrack::model::FeatureFamily;

/// A `ValueEnum` whose variants are spelled `$text` on the command line, with
/// `as_str`, `Display` and `Serialize` (as that text).
macro_rules! flag_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
        pub enum $name {
            $( $(#[$vmeta])* #[value(name = $text)] $variant, )+
        }

        impl $name {
            /// The value as the command line spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

flag_enum! {
    /// `cluster --method`: the clustering method.
    pub enum MethodArg {
        /// Ward's minimum-variance linkage
        Ward = "ward",
        /// Average linkage (UPGMA)
        Average = "average",
        /// Complete linkage
        Complete = "complete",
        /// Single linkage
        Single = "single",
        /// k-means with k-means++ seeding (Euclidean distance only)
        #[value(alias = "k-means")]
        Kmeans = "kmeans",
    }
}

impl From<MethodArg> for Method {
    fn from(value: MethodArg) -> Method {
        match value {
            MethodArg::Ward => Method::Ward,
            MethodArg::Average => Method::Average,
            MethodArg::Complete => Method::Complete,
            MethodArg::Single => Method::Single,
            MethodArg::Kmeans => Method::KMeans,
        }
    }
}

flag_enum! {
    /// `cluster --distance`: how two samples are compared.
    pub enum DistanceArg {
        /// Euclidean distance
        Euclidean = "euclidean",
        /// 1 - Pearson correlation of the two rows (hierarchical methods only)
        Correlation = "correlation",
    }
}

impl From<DistanceArg> for Distance {
    fn from(value: DistanceArg) -> Distance {
        match value {
            DistanceArg::Euclidean => Distance::Euclidean,
            DistanceArg::Correlation => Distance::Correlation,
        }
    }
}

/// `cluster --k`: a number of clusters (at least 2), or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KArg {
    /// The best mean silhouette over 2..=8
    Auto,
    /// This many clusters
    Fixed(usize),
}

/// Parses `--k` for clap: `auto` or a whole number of at least 2.
pub fn parse_k(text: &str) -> Result<KArg, String> {
    if text == "auto" {
        return Ok(KArg::Auto);
    }
    match text.parse::<usize>() {
        Ok(k) if k >= 2 => Ok(KArg::Fixed(k)),
        Ok(_) => Err("a clustering needs at least 2 clusters".into()),
        Err(_) => Err("expected a whole number of clusters (at least 2) or auto".into()),
    }
}

impl std::fmt::Display for KArg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KArg::Auto => f.write_str("auto"),
            KArg::Fixed(k) => write!(f, "{k}"),
        }
    }
}

impl From<KArg> for KChoice {
    fn from(value: KArg) -> KChoice {
        match value {
            KArg::Auto => KChoice::Auto,
            KArg::Fixed(k) => KChoice::Fixed(k),
        }
    }
}

flag_enum! {
    /// `--scale`: scaling of the features after imputation.
    pub enum ScaleArg {
        /// Mean 0, SD 1 per column
        Z = "z",
        /// As they are
        Unscaled = "none",
    }
}

impl ScaleArg {
    /// Whether the columns are z-scored.
    pub fn is_z(self) -> bool {
        self == ScaleArg::Z
    }
}

flag_enum! {
    /// `matrix --features`: a feature family of the store.
    pub enum FamilyArg {
        /// Serum cytokines (pg/mL), by analyte
        Cytokines = "cytokines",
        /// PyRadiomics features, averaged over a study's lesions
        Radiomics = "radiomics",
        /// PET uptake per study
        Pet = "pet",
        /// ctDNA per blood draw: mean and max VAF
        Ctdna = "ctdna",
    }
}

impl From<FamilyArg> for FeatureFamily {
    fn from(value: FamilyArg) -> FeatureFamily {
        match value {
            FamilyArg::Cytokines => FeatureFamily::Cytokines,
            FamilyArg::Radiomics => FeatureFamily::Radiomics,
            FamilyArg::Pet => FeatureFamily::Pet,
            FamilyArg::Ctdna => FeatureFamily::Ctdna,
        }
    }
}

flag_enum! {
    /// `harmonize --features`: the lesion-level feature families ComBat harmonises.
    pub enum LesionFamilyArg {
        /// PyRadiomics features
        Radiomics = "radiomics",
        /// PET uptake
        Pet = "pet",
    }
}

impl From<LesionFamilyArg> for FeatureFamily {
    fn from(value: LesionFamilyArg) -> FeatureFamily {
        match value {
            LesionFamilyArg::Radiomics => FeatureFamily::Radiomics,
            LesionFamilyArg::Pet => FeatureFamily::Pet,
        }
    }
}

flag_enum! {
    /// `harmonize --batch-by`: the study's batch variable.
    pub enum BatchByArg {
        /// The scanner model
        Scanner = "scanner",
        /// The imaging centre
        Site = "site",
    }
}

impl From<BatchByArg> for BatchBy {
    fn from(value: BatchByArg) -> BatchBy {
        match value {
            BatchByArg::Scanner => BatchBy::Scanner,
            BatchByArg::Site => BatchBy::Site,
        }
    }
}

/// `--at`: the time point of the matrix, as parsed by [`TimePoint`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtArg(pub TimePoint);

/// Parses `--at` for clap: baseline, visit:N or days:D±W (also days:D+-W).
pub fn parse_at(text: &str) -> Result<AtArg, String> {
    text.parse().map(AtArg)
}

impl std::fmt::Display for AtArg {
    /// Canonical: `baseline`, `visit:N`, `days:D±W`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            TimePoint::Baseline => f.write_str("baseline"),
            TimePoint::Visit(n) => write!(f, "visit:{n}"),
            TimePoint::Days { day, window } => write!(f, "days:{day}±{window}"),
        }
    }
}

flag_enum! {
    /// `--transform`: transformation of raw values.
    pub enum TransformArg {
        /// ln(1 + x)
        Log1p = "log1p",
        /// log10(x); values <= 0 become missing
        Log10 = "log10",
        /// As measured
        Untransformed = "none",
    }
}

impl From<TransformArg> for Transform {
    fn from(value: TransformArg) -> Transform {
        match value {
            TransformArg::Log1p => Transform::Log1p,
            TransformArg::Log10 => Transform::Log10,
            TransformArg::Untransformed => Transform::None,
        }
    }
}

flag_enum! {
    /// `--impute`: what to do with missing cells.
    pub enum ImputeArg {
        /// The column's median over the patients that have it
        Median = "median",
        /// Drop the patient
        Drop = "drop",
    }
}

impl From<ImputeArg> for Impute {
    fn from(value: ImputeArg) -> Impute {
        match value {
            ImputeArg::Median => Impute::Median,
            ImputeArg::Drop => Impute::Drop,
        }
    }
}

flag_enum! {
    /// `survival --endpoint`.
    pub enum EndpointArg {
        /// Overall survival: index date to death
        Os = "os",
        /// Event-free survival: index date to progression, relapse or death
        Efs = "efs",
    }
}

impl From<EndpointArg> for Endpoint {
    fn from(value: EndpointArg) -> Endpoint {
        match value {
            EndpointArg::Os => Endpoint::Overall,
            EndpointArg::Efs => Endpoint::EventFree,
        }
    }
}

flag_enum! {
    /// `survival --index`: the index date of the endpoints.
    pub enum IndexArg {
        /// The diagnosis event
        Diagnosis = "diagnosis",
        /// The first treatment start
        TreatmentStart = "treatment-start",
    }
}

/// `survival --group`: how patients are grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupArg {
    /// By the clusters of a saved cluster run
    Cluster(String),
    /// By diagnosis
    Diagnosis,
    /// By sex
    Sex,
    /// By site
    Site,
}

/// Parses `--group` for clap: cluster:RUN, diagnosis, sex or site.
pub fn parse_group(text: &str) -> Result<GroupArg, String> {
    match text {
        "diagnosis" => Ok(GroupArg::Diagnosis),
        "sex" => Ok(GroupArg::Sex),
        "site" => Ok(GroupArg::Site),
        _ => match text.strip_prefix("cluster:") {
            Some("") => Err("cluster: needs the name of a cluster run (cluster:RUN)".into()),
            Some(run) => Ok(GroupArg::Cluster(run.to_string())),
            None => Err("expected cluster:RUN, diagnosis, sex or site".into()),
        },
    }
}

flag_enum! {
    /// `track add --orientation`: which side of each breakpoint the fused molecule keeps (A's sign first).
    pub enum OrientationArg {
        /// A up to pos_a, then B up to pos_b reverse-complemented (VCF N]chr:pos])
        PlusPlus = "++",
        /// A up to pos_a, then B from pos_b on (VCF N[chr:pos[; the default)
        PlusMinus = "+-",
        /// B up to pos_b, then A from pos_a on (VCF ]chr:pos]N)
        MinusPlus = "-+",
        /// B from pos_b reverse-complemented, then A from pos_a on (VCF [chr:pos[N)
        MinusMinus = "--",
    }
}

impl From<OrientationArg> for oncotrack::model::Orientation {
    fn from(value: OrientationArg) -> Self {
        use oncotrack::model::Orientation;
        match value {
            OrientationArg::PlusPlus => Orientation::PlusPlus,
            OrientationArg::PlusMinus => Orientation::PlusMinus,
            OrientationArg::MinusPlus => Orientation::MinusPlus,
            OrientationArg::MinusMinus => Orientation::MinusMinus,
        }
    }
}

/// `track add --fusion A-B`: the two breakpoints of a junction, `chr22:29683123-chr11:128651853`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FusionArg {
    /// Partner A (contig as written, 1-based position).
    pub a: oncotrack::model::Breakpoint,
    /// Partner B.
    pub b: oncotrack::model::Breakpoint,
}

/// Parses `CHROM:POS-CHROM:POS` (contig names may hold `-` and `:`; positions may hold
/// thousands separators).
pub fn parse_fusion(text: &str) -> Result<FusionArg, String> {
    let text = text.trim();
    let breakpoint = |part: &str| -> Option<oncotrack::model::Breakpoint> {
        let (chrom, pos) = part.rsplit_once(':')?;
        let pos = oncotrack::ingest::fusions::parse_position(pos)?;
        (!chrom.is_empty()).then(|| oncotrack::model::Breakpoint {
            chrom: chrom.to_string(),
            pos,
        })
    };
    for (i, _) in text.match_indices('-') {
        if let (Some(a), Some(b)) = (breakpoint(&text[..i]), breakpoint(&text[i + 1..])) {
            return Ok(FusionArg { a, b });
        }
    }
    Err(format!(
        "'{text}' is not a junction: write CHROM:POS-CHROM:POS, e.g. chr22:29683123-chr11:128651853 (pos_a the last base kept on A, pos_b the first kept on B)"
    ))
}

/// Parses one time of `--at-risk` for clap: a finite number >= 0.
pub fn parse_time(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && t >= 0.0 => Ok(t),
        _ => Err(format!("'{text}' is not a time >= 0 (e.g. 0,365,730)")),
    }
}

#[cfg(test)]
mod fusion_tests {
    use super::*;

    #[test]
    fn a_fusion_is_two_breakpoints_joined_by_a_dash() {
        let f = parse_fusion("chr22:29683123-chr11:128,651,853").unwrap();
        assert_eq!((f.a.chrom.as_str(), f.a.pos), ("chr22", 29683123));
        assert_eq!((f.b.chrom.as_str(), f.b.pos), ("chr11", 128651853));
        let f = parse_fusion("HLA-A:5-chr1:7").unwrap();
        assert_eq!(f.a.chrom, "HLA-A");
        for bad in [
            "chr22:1",
            "chr22:0-chr11:5",
            "chr22:x-chr11:5",
            ":5-chr1:3",
            "chr22-chr11",
        ] {
            assert!(parse_fusion(bad).is_err(), "{bad}");
        }
    }
}
