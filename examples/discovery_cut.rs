//! How tight a theme is, on the gold labels of a labelled CSV, against the clusters that
//! average-linkage cuts give: for choosing [`DiscoverySettings::max_distance`] (README,
//! "Discovered themes").
//!
//!     cargo run --release --example discovery_cut -- CSV [DISTANCE]...
//!
//! Prints each label's mean pairwise cosine similarity, then for each cut (default 0.5 to 0.7)
//! the clusters of at least [`DiscoverySettings::min_talks`] texts: how many, the share of texts
//! they hold, their mean pairwise similarity and their purity (the share of their texts that
//! have their commonest label). Embeddings are cached in the default cache folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use confthemes::cluster::{self, Agglomerative, Cut, Linkage};
use confthemes::config::CachePolicy;
use confthemes::embed::{CachedEmbedder, CandleMiniLm, Embedder, ModelFiles, DEFAULT_MODEL_DIR};
use confthemes::ingest::{load_talk_table, TableColumns};
use confthemes::segment::{talks_from_table, Talk};
use confthemes::themes::DiscoverySettings;
use ndarray::{Array1, ArrayView2};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let csv = PathBuf::from(
        args.first()
            .ok_or("usage: discovery_cut CSV [DISTANCE]...")?,
    );
    let mut cuts: Vec<f32> = args[1..]
        .iter()
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    if cuts.is_empty() {
        cuts = vec![0.5, 0.55, 0.6, 0.65, 0.7];
    }
    let columns = TableColumns {
        label: Some("label".into()),
        ..TableColumns::default()
    };
    let table = load_talk_table(&csv, &columns)?;
    let texts: Vec<String> = talks_from_table(&table).iter().map(Talk::text).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let labels: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.label.clone().unwrap_or_default())
        .collect();
    let model = CandleMiniLm::load(&ModelFiles::locate(Path::new(DEFAULT_MODEL_DIR))?)?;
    let cache = CachePolicy::Default
        .dir()
        .ok_or("no cache folder: set HOME")?;
    let vectors = CachedEmbedder::open(&cache, &model).embed(&texts)?;

    let mut by_label: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        by_label.entry(l).or_default().push(i);
    }
    let groups: Vec<Vec<usize>> = by_label.values().cloned().collect();
    for (label, members) in &by_label {
        println!(
            "{label}: {} texts, mean pairwise cosine {:.3}",
            members.len(),
            mean_pairwise(vectors.view(), members)
        );
    }
    println!(
        "gold labels: mean pairwise cosine {:.3} (weighted by texts)",
        weighted_mean_pairwise(vectors.view(), &groups)
    );

    let min_talks = DiscoverySettings::default().min_talks;
    for cut in cuts {
        let algorithm = Agglomerative::new(Linkage::Average, Cut::Distance(cut));
        let clustering = cluster::fit(&algorithm, vectors.view())?;
        let mut clusters: Vec<Vec<usize>> = vec![Vec::new(); clustering.k()];
        for (i, label) in clustering.labels.iter().enumerate() {
            if let Some(c) = label {
                clusters[*c].push(i);
            }
        }
        clusters.retain(|c| c.len() >= min_talks);
        let held: usize = clusters.iter().map(Vec::len).sum();
        let pure: usize = clusters
            .iter()
            .map(|c| {
                let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                for &i in c {
                    *counts.entry(&labels[i]).or_default() += 1;
                }
                counts.values().copied().max().unwrap_or(0)
            })
            .sum();
        println!(
            "cut {cut:.2}: {} clusters of {min_talks}+ texts hold {:.1}% of texts, mean pairwise cosine {:.3}, purity {:.3}",
            clusters.len(),
            100.0 * held as f64 / texts.len() as f64,
            weighted_mean_pairwise(vectors.view(), &clusters),
            pure as f64 / held.max(1) as f64
        );
        match_threshold(vectors.view(), &clusters, &labels, &by_label);
    }
    Ok(())
}

/// How close a cluster's centroid is to the centroid of its commonest label (when at least half
/// its texts have it) and to the nearest other label's: the similarity that best tells the two
/// apart (Youden's J, in steps of 0.01) is where a discovered theme "is" a taxonomy theme.
fn match_threshold(
    vectors: ArrayView2<'_, f32>,
    clusters: &[Vec<usize>],
    labels: &[String],
    by_label: &BTreeMap<&str, Vec<usize>>,
) {
    let centres: BTreeMap<&str, Array1<f64>> = by_label
        .iter()
        .map(|(l, m)| (*l, centroid(vectors, m)))
        .collect();
    let (mut own, mut other) = (Vec::new(), Vec::new());
    for c in clusters {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in c {
            *counts.entry(&labels[i]).or_default() += 1;
        }
        let Some((&top, &n)) = counts.iter().max_by_key(|(_, &n)| n) else {
            continue;
        };
        if 2 * n < c.len() {
            continue;
        }
        let centre = centroid(vectors, c);
        own.push(centre.dot(&centres[top]));
        other.push(
            centres
                .iter()
                .filter(|(l, _)| **l != top)
                .map(|(_, v)| centre.dot(v))
                .fold(f64::NEG_INFINITY, f64::max),
        );
    }
    let rate =
        |xs: &[f64], t: f64| xs.iter().filter(|&&x| x >= t).count() as f64 / xs.len().max(1) as f64;
    let best = (0..=100)
        .map(|k| f64::from(k) / 100.0)
        .map(|t| (t, rate(&own, t) - rate(&other, t)))
        .fold(
            (0.0, f64::NEG_INFINITY),
            |b, x| if x.1 > b.1 { x } else { b },
        );
    println!(
        "    {} clusters with a majority label: centroid to its label's centroid, median {:.3}; to the nearest other label's, median {:.3}; best split at {:.2} (J {:.3})",
        own.len(),
        median(&mut own),
        median(&mut other),
        best.0,
        best.1
    );
}

fn centroid(vectors: ArrayView2<'_, f32>, group: &[usize]) -> Array1<f64> {
    let mut sum = Array1::<f64>::zeros(vectors.ncols());
    for &i in group {
        sum += &vectors.row(i).mapv(f64::from);
    }
    let norm = sum.dot(&sum).sqrt();
    sum / norm.max(1e-12)
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Mean cosine similarity over the pairs of a group of unit vectors.
fn mean_pairwise(vectors: ArrayView2<'_, f32>, group: &[usize]) -> f64 {
    let n = group.len() as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let mut sum = Array1::<f64>::zeros(vectors.ncols());
    for &i in group {
        sum += &vectors.row(i).mapv(f64::from);
    }
    (sum.dot(&sum) - n) / (n * (n - 1.0))
}

/// [`mean_pairwise`] over groups of two or more, weighted by their sizes.
fn weighted_mean_pairwise(vectors: ArrayView2<'_, f32>, groups: &[Vec<usize>]) -> f64 {
    let (sum, n) = groups
        .iter()
        .filter(|g| g.len() > 1)
        .fold((0.0, 0usize), |(s, n), g| {
            (s + mean_pairwise(vectors, g) * g.len() as f64, n + g.len())
        });
    sum / n.max(1) as f64
}
