//! Store-mode harmonisation: ComBat over lesion-level radiomic or PET features, each lesion a sample whose batch is its study's scanner or site.

use super::{ComBatSettings, combat};
use crate::analysis::invalid;
use crate::error::Result;
use crate::model::{HarmonizedValue, ImagingValue};
use std::collections::BTreeMap;

/// Which study attribute is the batch of store-mode harmonisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchBy {
    /// The scanner model.
    Scanner,
    /// The imaging centre.
    Site,
}

impl BatchBy {
    /// The name the CLI and the run's parameters use.
    pub fn as_str(self) -> &'static str {
        match self {
            BatchBy::Scanner => "scanner",
            BatchBy::Site => "site",
        }
    }
}

/// ComBat over the store's lesion-level features (what `harmonize --name` saves).
#[derive(Debug, Clone, PartialEq)]
pub struct LesionHarmonization {
    /// The harmonised values, one per lesion and feature (constant features unchanged).
    pub values: Vec<HarmonizedValue>,
    /// Feature names, sorted.
    pub features: Vec<String>,
    /// Lesions (study, lesion) harmonised: those with every feature.
    pub samples: usize,
    /// Lesions left out because they lack a feature.
    pub left_out_incomplete: usize,
    /// The batches, in ComBat's order.
    pub batches: Vec<String>,
    /// Names of the constant features passed through unchanged.
    pub constant_features: Vec<String>,
}

/// Harmonises lesion-level imaging values across batches: each (study, lesion) is a
/// sample whose batch is its study's scanner or site; the features are the union of
/// the names; lesions lacking a feature (or with a non-finite value) are left out and
/// counted.
///
/// # Errors
/// [`crate::Error::InvalidValue`] when no lesion has every feature; as [`combat`].
pub fn harmonize_lesions(
    values: &[ImagingValue],
    batch_by: BatchBy,
    settings: &ComBatSettings,
) -> Result<LesionHarmonization> {
    type Sample<'a> = (&'a str, BTreeMap<&'a str, f64>);
    let mut samples: BTreeMap<(i64, i64), Sample<'_>> = BTreeMap::new();
    for v in values.iter().filter(|v| v.value.is_finite()) {
        let batch = match batch_by {
            BatchBy::Scanner => v.scanner.as_str(),
            BatchBy::Site => v.site.as_str(),
        };
        samples
            .entry((v.study_id, v.lesion_id))
            .or_insert_with(|| (batch, BTreeMap::new()))
            .1
            .insert(v.feature.as_str(), v.value);
    }
    let mut names: Vec<&str> = samples
        .values()
        .flat_map(|(_, m)| m.keys().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    let complete: Vec<(&(i64, i64), &Sample<'_>)> = samples
        .iter()
        .filter(|(_, (_, m))| m.len() == names.len())
        .collect();
    if complete.is_empty() {
        return Err(invalid(
            "lesion features",
            format!("{} values", values.len()),
            "no lesion has every feature: nothing to harmonise",
        ));
    }
    let batch: Vec<String> = complete.iter().map(|(_, (b, _))| b.to_string()).collect();
    let features: Vec<Vec<f64>> = names
        .iter()
        .map(|f| complete.iter().map(|(_, (_, m))| m[f]).collect())
        .collect();
    let result = combat(&features, &batch, &[], settings)?;
    let mut harmonized = Vec::with_capacity(names.len() * complete.len());
    for (f, feature) in names.iter().enumerate() {
        for (s, ((study_id, lesion_id), _)) in complete.iter().enumerate() {
            harmonized.push(HarmonizedValue {
                study_id: *study_id,
                lesion_id: *lesion_id,
                feature: feature.to_string(),
                value: result.data[f][s],
            });
        }
    }
    Ok(LesionHarmonization {
        values: harmonized,
        features: names.iter().map(|n| n.to_string()).collect(),
        samples: complete.len(),
        left_out_incomplete: samples.len() - complete.len(),
        batches: result.batches,
        constant_features: result
            .constant_features
            .iter()
            .map(|&f| names[f].to_string())
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesions_missing_a_feature_are_left_out_and_the_rest_harmonised_by_their_batch() {
        let value = |study, lesion, scanner: &str, site: &str, feature: &str, value| ImagingValue {
            study_id: study,
            lesion_id: lesion,
            scanner: scanner.into(),
            site: site.into(),
            feature: feature.into(),
            value,
        };
        let mut values = Vec::new();
        for (i, (scanner, a, b)) in [
            ("S1", 1.0, 10.0),
            ("S1", 2.0, 12.0),
            ("S1", 3.0, 11.0),
            ("S2", 7.0, 30.0),
            ("S2", 9.0, 33.0),
            ("S2", 8.0, 31.0),
        ]
        .into_iter()
        .enumerate()
        {
            let i = i as i64;
            values.push(value(i, i, scanner, "A", "f1", a));
            values.push(value(i, i, scanner, "A", "f2", b));
        }
        values.push(value(99, 99, "S1", "A", "f1", 5.0)); // no f2: left out
        values.push(value(98, 98, "S2", "A", "f1", f64::NAN)); // not a value: no sample
        let settings = ComBatSettings::default();
        let out = harmonize_lesions(&values, BatchBy::Scanner, &settings).unwrap();
        assert_eq!((out.samples, out.left_out_incomplete), (6, 1));
        assert_eq!(out.features, vec!["f1".to_string(), "f2".to_string()]);
        assert_eq!(out.batches, vec!["S1".to_string(), "S2".to_string()]);
        let direct = combat(
            &[
                vec![1.0, 2.0, 3.0, 7.0, 9.0, 8.0],
                vec![10.0, 12.0, 11.0, 30.0, 33.0, 31.0],
            ],
            &["S1", "S1", "S1", "S2", "S2", "S2"].map(String::from),
            &[],
            &settings,
        )
        .unwrap();
        let f2: Vec<f64> = out
            .values
            .iter()
            .filter(|v| v.feature == "f2")
            .map(|v| v.value)
            .collect();
        assert_eq!(f2, direct.data[1], "the same ComBat as on the matrix");
        // One site only: a single batch cannot be harmonised.
        assert!(harmonize_lesions(&values, BatchBy::Site, &settings).is_err());
    }
}
