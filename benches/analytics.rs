//! Cohort-analytics benchmark: ComBat on 2,000 samples x 1,000 features x 8 batches and Ward linkage on 20,000 x 30, timed in-process (median of 3) for comparison with neuroCombat and scipy (benches/analytics.sh runs both).
//!
//! `analytics --generate DIR` writes the inputs (combat.csv, ward.csv);
//! `analytics DIR` times oncotrack's code on them.

use oncotrack::analysis::cluster::{self, Distance, Method};
use oncotrack::analysis::harmonize::{self, ComBatSettings};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

fn generate(dir: &Path) -> std::io::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let normal = Normal::new(0.0, 1.0).map_err(std::io::Error::other)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("combat.csv"))?);
    let (samples, features, batches) = (2000, 1000, 8);
    write!(out, "id,batch")?;
    for f in 0..features {
        write!(out, ",f{f}")?;
    }
    writeln!(out)?;
    let shifts: Vec<Vec<f64>> = (0..batches)
        .map(|_| (0..features).map(|_| normal.sample(&mut rng)).collect())
        .collect();
    for s in 0..samples {
        let b = s % batches;
        write!(out, "s{s},b{b}")?;
        for shift in &shifts[b] {
            let v: f64 = 10.0 + shift + (1.0 + b as f64 * 0.1) * normal.sample(&mut rng);
            write!(out, ",{v}")?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("ward.csv"))?);
    write!(out, "id")?;
    for f in 0..30 {
        write!(out, ",f{f}")?;
    }
    writeln!(out)?;
    for s in 0..20_000 {
        write!(out, "r{s}")?;
        let centre = (s % 5) as f64 * 3.0;
        for _ in 0..30 {
            write!(out, ",{}", centre + normal.sample(&mut rng))?;
        }
        writeln!(out)?;
    }
    out.flush()
}

fn read(path: &Path, skip: usize) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut reader = csv::Reader::from_path(path).expect("benchmark input (run --generate first)");
    let mut labels = Vec::new();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.expect("csv record");
        labels.push(record[skip - 1].to_string());
        rows.push(
            record
                .iter()
                .skip(skip)
                .map(|v| v.parse().expect("number"))
                .collect(),
        );
    }
    (labels, rows)
}

fn median_seconds(mut run: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..3)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[1]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--generate") {
        let dir = Path::new(args.get(1).expect("--generate DIR"));
        generate(dir).expect("write benchmark inputs");
        return;
    }
    let Some(dir) = args.first().map(Path::new) else {
        eprintln!("usage: analytics DIR | analytics --generate DIR");
        return;
    };
    let (batch, rows) = read(&dir.join("combat.csv"), 2);
    let features: Vec<Vec<f64>> = (0..rows[0].len())
        .map(|f| rows.iter().map(|r| r[f]).collect())
        .collect();
    let seconds = median_seconds(|| {
        harmonize::combat(&features, &batch, &[], &ComBatSettings::default()).expect("combat");
    });
    println!("combat {seconds:.4}");
    if std::env::var("ANALYTICS_BENCH_ONLY").as_deref() == Ok("combat") {
        return;
    }
    let (_, ward) = read(&dir.join("ward.csv"), 1);
    let seconds = median_seconds(|| {
        cluster::hierarchical(&ward, Method::Ward, Distance::Euclidean).expect("ward");
    });
    println!("ward {seconds:.4}");
}
