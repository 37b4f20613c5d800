//! The `--plot FILE` of `survival` and `cluster`: the figure drawn by `oncotrack::report::figures` and written as the extension says.

use oncotrack::analysis::survival::{GroupComparison, Subject};
use oncotrack::report::{self, FileKind, figures};
use std::collections::BTreeMap;
use std::path::Path;

/// The file types a figure is written as.
const FIGURE: [FileKind; 3] = [FileKind::Svg, FileKind::Html, FileKind::Pdf];

/// The kind of a `--plot` path, checked before anything is computed.
pub fn figure_kind(path: Option<&Path>) -> anyhow::Result<Option<FileKind>> {
    Ok(path
        .map(|p| FileKind::of(p, &FIGURE, "--plot"))
        .transpose()?)
}

/// Draws the Kaplan–Meier curves of `report` (subjects by group name) into `path`;
/// `days`: the times are days (the axis shows months).
pub fn survival(
    path: &Path,
    kind: FileKind,
    report: &GroupComparison<String>,
    subjects: &BTreeMap<String, Vec<Subject>>,
    days: bool,
) -> anyhow::Result<()> {
    let groups: Vec<figures::SurvivalGroup> = report
        .curves
        .iter()
        .map(|(name, km)| figures::SurvivalGroup {
            name: name.clone(),
            curve: km.clone(),
            subjects: subjects.get(name).cloned().unwrap_or_default(),
        })
        .collect();
    let scene = figures::survival_figure(
        "Kaplan–Meier survival by group",
        &groups,
        report.logrank,
        days,
    );
    report::write_file(path, &report::render(&scene, kind))?;
    Ok(())
}

/// Draws the clustered matrix (rows by cluster) into `path`.
pub fn heatmap(
    path: &Path,
    kind: FileKind,
    ids: &[String],
    features: &[String],
    rows: &[Vec<f64>],
    labels: &[usize],
) -> anyhow::Result<()> {
    let title = format!(
        "Cluster heatmap: {} patients × {} features, k = {}",
        ids.len(),
        features.len(),
        labels.iter().max().copied().unwrap_or(0)
    );
    let scene = figures::cluster_heatmap(&title, ids, features, rows, labels);
    report::write_file(path, &report::render(&scene, kind))?;
    Ok(())
}
