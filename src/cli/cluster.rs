//! `oncotrack cluster`: endotypes by hierarchical clustering or k-means on the feature matrix (store) or an analyst's CSV, with silhouette, stability, PCA and profiles.

use super::matrix::{MatrixOptions, build};
use super::output::{Listing, number, print_json};
use super::values::{DistanceArg, KArg, MethodArg, ScaleArg, parse_k};
use super::{Format, open_read, open_write};
use oncotrack::analysis::cluster::{
    self, ClusterSettings, Clustering, Distance, KChoice, KScore, MatrixRecipe, Method,
    z_score_columns,
};
use oncotrack::ingest::table::Table;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// Arguments of `cluster`.
#[derive(Debug, clap::Args)]
pub struct ClusterArgs {
    /// Analyst's table (file mode): first column the id, the rest numeric features
    #[arg(long, value_name = "CSV")]
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub matrix: MatrixOptions,
    /// Scaling of the features [default: none with --input, z from the store]
    #[arg(long, value_enum)]
    pub scale: Option<ScaleArg>,
    /// Clustering method
    #[arg(long, value_enum, default_value_t = MethodArg::Ward)]
    pub method: MethodArg,
    /// Distance of hierarchical methods (k-means is always Euclidean)
    #[arg(long, value_enum, default_value_t = DistanceArg::Euclidean)]
    pub distance: DistanceArg,
    /// Number of clusters (at least 2), or auto (best mean silhouette over 2..=8)
    #[arg(long, default_value = "auto", value_parser = parse_k)]
    pub k: KArg,
    /// Seed of k-means++ and of the bootstrap
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// k-means restarts (the best inertia is kept)
    #[arg(long, default_value_t = 10)]
    pub n_init: usize,
    /// Bootstrap resamples for the stability (adjusted Rand index) of each k
    #[arg(long, default_value_t = 50)]
    pub bootstrap: usize,
    /// Store mode: save the assignments as a named cluster run
    #[arg(long, conflicts_with = "input")]
    pub name: Option<String>,
    /// Also draw the clustered matrix as a heatmap into FILE (.svg, .html or .pdf)
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Store mode: print patients by their pseudonyms, in pseudonym order (a saved run
    /// keeps the patient codes)
    #[command(flatten)]
    pub deidentify: super::export::DeidentifyArgs,
}

impl ClusterArgs {
    /// Refuses flag combinations that cannot run as given (a usage error, before anything
    /// is read or written): k-means runs Euclidean distance only, so a stored run that
    /// said otherwise would claim a distance that never ran.
    pub fn check(&self) -> Result<(), String> {
        if self.method == MethodArg::Kmeans && self.distance != DistanceArg::Euclidean {
            return Err(format!(
                "--method kmeans cannot use --distance {}: k-means minimises Euclidean distances \
                 (within-cluster sums of squares), so it runs Euclidean only; \
                 use a hierarchical method (ward, average, complete, single) for {} distance, \
                 or leave --distance out",
                self.distance, self.distance
            ));
        }
        Ok(())
    }
}

/// Runs the command.
pub fn run(db: &Path, format: Format, args: ClusterArgs) -> anyhow::Result<()> {
    let method: Method = args.method.into();
    let distance: Distance = args.distance.into();
    let settings = ClusterSettings {
        method,
        distance: if method == Method::KMeans {
            Distance::Euclidean
        } else {
            distance
        },
        seed: args.seed,
        n_init: args.n_init,
    };
    let plot = super::plot::figure_kind(args.plot.as_deref())?;
    let mut assay_used: Option<String> = None;
    let (ids, features, rows) = match &args.input {
        Some(path) => {
            let z = args.scale.is_some_and(ScaleArg::is_z);
            let (ids, features, rows) = read_input(path)?;
            let rows = if z { z_score_columns(&rows) } else { rows };
            (ids, features, rows)
        }
        None => {
            let z = args.scale.unwrap_or(ScaleArg::Z).is_z();
            let store = open_read(db)?;
            let (m, assay) = build(&store, &args.matrix, z)?;
            assay_used = assay;
            (m.patients, m.features, m.rows)
        }
    };
    let choice: KChoice = args.k.into();
    let result = cluster::analyse(&rows, choice, &settings, args.bootstrap)?;
    if let Some(name) = &args.name {
        let mut store = open_write(db)?;
        let recipe = MatrixRecipe {
            families: args
                .matrix
                .features
                .iter()
                .map(ToString::to_string)
                .collect(),
            assay: assay_used.clone(),
            at: args.matrix.at.to_string(),
            transform: args.matrix.transform.to_string(),
            impute: args.matrix.impute.to_string(),
            scale: args.scale.unwrap_or(ScaleArg::Z).to_string(),
            k_arg: Some(args.k.to_string()),
            bootstrap: args.bootstrap,
        };
        let record = result.run_record(&settings, recipe, &features);
        let tx = store.transaction()?;
        tx.save_cluster_run(
            name,
            &record,
            concat!("oncotrack ", env!("CARGO_PKG_VERSION")),
            &result.assignments(&ids),
        )?;
        tx.commit()?;
    }
    if let (Some(path), Some(kind)) = (&args.plot, plot) {
        super::plot::heatmap(path, kind, &ids, &features, &rows, &result.labels)?;
    }
    // The order and names the samples are printed in (pseudonyms when de-identified).
    let (ids, order): (Vec<String>, Vec<usize>) = match args.deidentify.load()? {
        Some(d) if args.input.is_none() => {
            let names: Vec<String> = ids.iter().map(|id| d.key.pseudonym(id)).collect();
            let mut order: Vec<usize> = (0..names.len()).collect();
            order.sort_by(|&a, &b| names[a].cmp(&names[b]));
            (names, order)
        }
        _ => {
            let order = (0..ids.len()).collect();
            (ids, order)
        }
    };
    let Clustering {
        k,
        labels,
        widths,
        silhouette: mean_width,
        stability,
        scores,
        dendrogram: tree,
        profiles: cluster_profiles,
        pca,
    } = result;
    let n = rows.len();

    match format {
        Format::Json => {
            let mut out = Map::new();
            out.insert("k".into(), k.into());
            out.insert("method".into(), method.as_str().into());
            out.insert("distance".into(), settings_distance(&settings).into());
            if let Some(assay) = &assay_used {
                out.insert("assay".into(), assay.clone().into());
            }
            out.insert(
                "assignments".into(),
                order
                    .iter()
                    .map(|&i| json!({"id": ids[i], "cluster": labels[i], "silhouette": number(widths[i])}))
                    .collect::<Vec<_>>()
                    .into(),
            );
            out.insert("silhouette".into(), number(mean_width));
            out.insert("stability".into(), number(stability));
            if let Some(tree) = &tree {
                out.insert(
                    "heights".into(),
                    tree.heights()
                        .into_iter()
                        .map(number)
                        .collect::<Vec<_>>()
                        .into(),
                );
            }
            out.insert(
                "profiles".into(),
                cluster_profiles
                    .iter()
                    .map(|p| {
                        let mean_z: Map<String, Value> = features
                            .iter()
                            .zip(&p.mean_z)
                            .map(|(f, z)| (f.clone(), number(*z)))
                            .collect();
                        json!({
                            "cluster": p.cluster,
                            "size": p.size,
                            "mean_z": mean_z,
                            "defining": p.defining.iter().map(|(f, up)| json!({
                                "feature": features[*f], "direction": if *up { "up" } else { "down" },
                            })).collect::<Vec<_>>(),
                            "description": p.describe(&features),
                        })
                    })
                    .collect::<Vec<_>>()
                    .into(),
            );
            out.insert("k_scores".into(), k_scores_json(&scores));
            out.insert(
                "pca".into(),
                json!({
                    "explained_variance_ratio": pca.explained_variance_ratio.iter().map(|v| number(*v)).collect::<Vec<_>>(),
                    "scores": order.iter().map(|&i| json!({
                        "id": ids[i], "pc": pca.scores[i].iter().map(|v| number(*v)).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                }),
            );
            if let Some(name) = &args.name {
                out.insert("run".into(), name.clone().into());
            }
            print_json(&Value::Object(out))
        }
        Format::Csv => {
            let mut listing = Listing::new(&["id", "cluster", "silhouette"]);
            for &i in &order {
                listing.push(vec![
                    ids[i].clone().into(),
                    labels[i].into(),
                    number(widths[i]),
                ]);
            }
            listing.print(Format::Csv)
        }
        _ => {
            if let Some(assay) = &assay_used {
                say!("cytokines of assay '{assay}'");
            }
            say!(
                "{} samples, {} features: {} ({}) k = {k}, mean silhouette {:.3}, stability (ARI) {:.3}",
                n,
                features.len(),
                method.as_str(),
                settings_distance(&settings),
                mean_width,
                stability
            );
            let mut listing = Listing::new(&["k", "silhouette", "stability"]);
            for s in &scores {
                listing.push(vec![s.k.into(), number(s.silhouette), number(s.stability)]);
            }
            listing.print(Format::Table)?;
            for p in &cluster_profiles {
                say!("{} (n = {})", p.describe(&features), p.size);
            }
            if let Some(name) = &args.name {
                say!("saved as cluster run '{name}'");
            }
            Ok(())
        }
    }
}

fn settings_distance(settings: &ClusterSettings) -> &'static str {
    match settings.distance {
        Distance::Euclidean => "euclidean",
        Distance::Correlation => "correlation",
    }
}

fn k_scores_json(scores: &[KScore]) -> Value {
    scores
        .iter()
        .map(|s| json!({"k": s.k, "silhouette": number(s.silhouette), "stability": number(s.stability)}))
        .collect::<Vec<_>>()
        .into()
}

/// Sample ids, feature names and rows.
type Matrix = (Vec<String>, Vec<String>, Vec<Vec<f64>>);

/// Reads an analyst's matrix: first column ids, the others numeric features.
fn read_input(path: &Path) -> anyhow::Result<Matrix> {
    let table = Table::read(path)?;
    if table.columns.len() < 2 {
        return Err(oncotrack::Error::parse(
            path,
            1,
            "(header)",
            "needs an id column and at least one feature",
        )
        .into());
    }
    let ids = table.texts(0)?;
    let columns: Vec<Vec<f64>> = (1..table.columns.len())
        .map(|c| table.numbers(c))
        .collect::<Result<_, _>>()?;
    let rows = (0..ids.len())
        .map(|i| columns.iter().map(|c| c[i]).collect())
        .collect();
    Ok((ids, table.columns[1..].to_vec(), rows))
}
