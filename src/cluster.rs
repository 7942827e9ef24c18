//! Stage 4: group talk embeddings into clusters.
//!
//! Algorithms are types holding their parameters, with `fit` returning results as data (as in
//! linfa). Every random choice comes from a ChaCha stream derived from the seed and the job (k,
//! restart), and every sum runs in point order, so labels are the same whatever the thread count.
//! Rows are expected to be L2-normalised, which makes squared Euclidean distance a monotone
//! function of cosine distance.

use ndarray::{Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};

/// Most points used to score a clustering by silhouette; larger inputs are scored on a seeded sample.
pub const SILHOUETTE_SAMPLE: usize = 2000;

/// k-means with k-means++ seeding and a fixed number of clusters.
#[derive(Debug, Clone)]
pub struct KMeans {
    /// Number of clusters.
    pub k: usize,
    /// Seed for k-means++ seeding.
    pub seed: u64,
    /// Independent restarts; the one with the lowest inertia wins.
    pub n_init: usize,
    /// Lloyd iterations at most per restart.
    pub max_iter: usize,
}

/// A fitted k-means model.
#[derive(Debug, Clone)]
pub struct KMeansModel {
    /// One row per cluster.
    pub centroids: Array2<f32>,
    /// Cluster of each training point.
    pub labels: Vec<usize>,
    /// Sum of squared distances to the assigned centroids.
    pub inertia: f64,
}

impl KMeans {
    /// k-means with `k` clusters and the default seed, restarts and iterations.
    pub fn new(k: usize) -> Self {
        KMeans {
            k,
            seed: 42,
            n_init: 4,
            max_iter: 100,
        }
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Fits the model; restarts run in parallel.
    pub fn fit(&self, x: ArrayView2<'_, f32>) -> Result<KMeansModel> {
        let n = x.nrows();
        if self.k == 0 || self.k > n {
            return Err(Error::Setting(format!(
                "k = {} clusters needs between 1 and {n} points",
                self.k
            )));
        }
        let runs: Vec<KMeansModel> = (0..self.n_init.max(1))
            .into_par_iter()
            .map(|restart| {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream((self.k as u64) << 16 | restart as u64);
                let centroids = kmeans_plus_plus(x, self.k, &mut rng);
                lloyd(x, centroids, self.max_iter)
            })
            .collect();
        // The first run with the lowest inertia: a fixed choice whatever order runs finished in.
        let best = runs
            .into_iter()
            .reduce(|best, run| {
                if run.inertia < best.inertia {
                    run
                } else {
                    best
                }
            })
            .expect("at least one run");
        Ok(best)
    }
}

impl KMeansModel {
    /// Nearest centroid of each row of `x`.
    pub fn predict(&self, x: ArrayView2<'_, f32>) -> Vec<usize> {
        assign(x, &self.centroids).0
    }
}

/// k-means over a range of k, keeping the k with the best cosine silhouette.
#[derive(Debug, Clone)]
pub struct SilhouetteKMeans {
    /// Smallest k tried (at least 2).
    pub k_min: usize,
    /// Largest k tried (capped at the number of points minus one).
    pub k_max: usize,
    /// Seed for every k-means run and the silhouette sample.
    pub seed: u64,
}

/// The silhouette reached at one k.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KScore {
    /// Number of clusters.
    pub k: usize,
    /// Mean cosine silhouette.
    pub silhouette: f32,
}

/// A clustering of talks: labels, centroids and how the number of clusters was chosen.
#[derive(Debug, Clone)]
pub struct Clustering {
    /// Cluster of each point, numbered from 0 by decreasing size.
    pub labels: Vec<usize>,
    /// Centroid of each cluster, in label order.
    pub centroids: Array2<f32>,
    /// Silhouette of the chosen clustering (`None` with fewer than 3 points).
    pub silhouette: Option<f32>,
    /// Every k tried, with its silhouette.
    pub tried: Vec<KScore>,
}

impl Clustering {
    /// Number of clusters.
    pub fn k(&self) -> usize {
        self.centroids.nrows()
    }
}

impl SilhouetteKMeans {
    /// Fits k-means for every k in range, in parallel, and keeps the best silhouette (smallest k
    /// on ties). The rows are clustered in a canonical order, so their order changes nothing.
    pub fn fit(&self, x: ArrayView2<'_, f32>) -> Result<Clustering> {
        in_canonical_order(x, |rows| self.fit_rows(rows))
    }

    fn fit_rows(&self, x: ArrayView2<'_, f32>) -> Result<Clustering> {
        let n = x.nrows();
        if self.k_min > self.k_max {
            return Err(Error::Setting(format!(
                "k range {}..{} is empty",
                self.k_min, self.k_max
            )));
        }
        if n < 3 {
            // Too few points to compare clusterings: one cluster.
            let model = KMeans::new(n.min(1)).with_seed(self.seed).fit(x)?;
            return Ok(canonical(model, None, Vec::new()));
        }
        let k_max = self.k_max.min(n - 1);
        let k_min = self.k_min.clamp(2, k_max);
        // The sample's pairwise similarities are shared by every k.
        let sample = silhouette_sample(n, self.seed);
        let rows = x.select(Axis(0), &sample);
        let similarity = rows.dot(&rows.t());
        let fits: Vec<(KMeansModel, f32)> = (k_min..=k_max)
            .into_par_iter()
            .map(|k| -> Result<_> {
                let model = KMeans::new(k).with_seed(self.seed).fit(x)?;
                let labels: Vec<usize> = sample.iter().map(|&i| model.labels[i]).collect();
                let score = silhouette_from_similarity(&similarity, &labels);
                Ok((model, score))
            })
            .collect::<Result<_>>()?;
        let tried = fits
            .iter()
            .map(|(m, s)| KScore {
                k: m.centroids.nrows(),
                silhouette: *s,
            })
            .collect();
        let (model, score) = fits
            .into_iter()
            .reduce(|best, fit| if fit.1 > best.1 { fit } else { best })
            .expect("k range is not empty");
        Ok(canonical(model, Some(score), tried))
    }
}

/// Runs `fit` on the rows of `x` sorted by value (lexicographically, coordinate by coordinate) and
/// maps the labels back to the input order. Equal rows are interchangeable, so the result depends
/// only on the set of rows, never on their order.
fn in_canonical_order(
    x: ArrayView2<'_, f32>,
    fit: impl FnOnce(ArrayView2<'_, f32>) -> Result<Clustering>,
) -> Result<Clustering> {
    let mut order: Vec<usize> = (0..x.nrows()).collect();
    order.sort_by(|&a, &b| {
        x.row(a)
            .iter()
            .zip(x.row(b))
            .map(|(p, q)| p.total_cmp(q))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut clustering = fit(x.select(Axis(0), &order).view())?;
    let mut labels = vec![0; order.len()];
    for (&input, &label) in order.iter().zip(&clustering.labels) {
        labels[input] = label;
    }
    clustering.labels = labels;
    Ok(clustering)
}

/// Renumbers clusters by decreasing size (ties: the cluster whose first point comes first).
fn canonical(model: KMeansModel, silhouette: Option<f32>, tried: Vec<KScore>) -> Clustering {
    let k = model.centroids.nrows();
    let mut sizes = vec![0usize; k];
    let mut first = vec![usize::MAX; k];
    for (i, &l) in model.labels.iter().enumerate() {
        sizes[l] += 1;
        first[l] = first[l].min(i);
    }
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(sizes[c]), first[c]));
    let mut new_label = vec![0; k];
    for (new, &old) in order.iter().enumerate() {
        new_label[old] = new;
    }
    Clustering {
        labels: model.labels.iter().map(|&l| new_label[l]).collect(),
        centroids: model.centroids.select(Axis(0), &order),
        silhouette,
        tried,
    }
}

fn kmeans_plus_plus(x: ArrayView2<'_, f32>, k: usize, rng: &mut ChaCha8Rng) -> Array2<f32> {
    let n = x.nrows();
    let mut chosen = vec![rng.random_range(0..n)];
    let mut nearest: Vec<f64> = (0..n).map(|i| sq_dist(x, i, x, chosen[0])).collect();
    while chosen.len() < k {
        let total: f64 = nearest.iter().sum();
        let next = if total <= 0.0 {
            // All remaining points coincide with a centre: take the first unchosen one.
            (0..n).find(|i| !chosen.contains(i)).unwrap_or(0)
        } else {
            let target = rng.random::<f64>() * total;
            let mut acc = 0.0;
            nearest
                .iter()
                .position(|&d| {
                    acc += d;
                    acc > target
                })
                .unwrap_or(n - 1)
        };
        chosen.push(next);
        for (i, d) in nearest.iter_mut().enumerate() {
            *d = d.min(sq_dist(x, i, x, next));
        }
    }
    x.select(Axis(0), &chosen)
}

fn lloyd(x: ArrayView2<'_, f32>, mut centroids: Array2<f32>, max_iter: usize) -> KMeansModel {
    let k = centroids.nrows();
    let (mut labels, mut dists) = assign(x, &centroids);
    for _ in 0..max_iter {
        let mut sums = Array2::<f64>::zeros((k, x.ncols()));
        let mut counts = vec![0usize; k];
        for (i, &l) in labels.iter().enumerate() {
            counts[l] += 1;
            let mut row = sums.row_mut(l);
            row.zip_mut_with(&x.row(i), |s, &v| *s += f64::from(v));
        }
        for (c, &count) in counts.iter().enumerate() {
            if count == 0 {
                // An empty cluster takes the point farthest from its centroid.
                let far = (0..x.nrows())
                    .max_by(|&a, &b| dists[a].total_cmp(&dists[b]).then(b.cmp(&a)))
                    .unwrap_or(0);
                centroids.row_mut(c).assign(&x.row(far));
                dists[far] = 0.0;
            } else {
                let inv = 1.0 / count as f64;
                centroids
                    .row_mut(c)
                    .zip_mut_with(&sums.row(c), |m, &s| *m = (s * inv) as f32);
            }
        }
        let (next, next_dists) = assign(x, &centroids);
        let changed = next != labels;
        labels = next;
        dists = next_dists;
        if !changed {
            break;
        }
    }
    KMeansModel {
        centroids,
        labels,
        inertia: dists.iter().sum(),
    }
}

/// Rows per block in [`assign`]: fixed, so results never depend on the thread count.
const ASSIGN_BLOCK: usize = 256;

/// Nearest centroid and squared distance for every row (ties go to the lower cluster index),
/// computed as `|x|² - 2 x·c + |c|²` with one matrix product per block of rows.
fn assign(x: ArrayView2<'_, f32>, centroids: &Array2<f32>) -> (Vec<usize>, Vec<f64>) {
    let centre_norms: Vec<f32> = centroids.rows().into_iter().map(|c| c.dot(&c)).collect();
    let blocks: Vec<ArrayView2<'_, f32>> = x.axis_chunks_iter(Axis(0), ASSIGN_BLOCK).collect();
    blocks
        .par_iter()
        .flat_map_iter(|block| {
            let dots = block.dot(&centroids.t());
            let norms: Vec<f32> = block.rows().into_iter().map(|r| r.dot(&r)).collect();
            dots.rows()
                .into_iter()
                .zip(norms)
                .map(|(row, norm)| {
                    row.iter()
                        .zip(&centre_norms)
                        .map(|(&dot, &c)| f64::from((norm - 2.0 * dot + c).max(0.0)))
                        .enumerate()
                        .fold(
                            (0, f64::INFINITY),
                            |best, (c, d)| if d < best.1 { (c, d) } else { best },
                        )
                })
                .collect::<Vec<_>>()
        })
        .unzip()
}

fn sq_dist(a: ArrayView2<'_, f32>, i: usize, b: ArrayView2<'_, f32>, j: usize) -> f64 {
    a.row(i)
        .iter()
        .zip(b.row(j))
        .map(|(&p, &q)| {
            let d = f64::from(p) - f64::from(q);
            d * d
        })
        .sum()
}

/// The points scored by silhouette: all of them, or a seeded sample of [`SILHOUETTE_SAMPLE`].
fn silhouette_sample(n: usize, seed: u64) -> Vec<usize> {
    if n <= SILHOUETTE_SAMPLE {
        return (0..n).collect();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sample = rand::seq::index::sample(&mut rng, n, SILHOUETTE_SAMPLE).into_vec();
    sample.sort_unstable();
    sample
}

/// Mean silhouette over `sample` with cosine distance (`1 - x·y` on unit rows), computed among the
/// sampled points as scikit-learn's `silhouette_score(sample_size=...)` does. Points alone in their
/// cluster score 0.
pub fn cosine_silhouette(x: ArrayView2<'_, f32>, labels: &[usize], sample: &[usize]) -> f32 {
    let rows = x.select(Axis(0), sample);
    let sample_labels: Vec<usize> = sample.iter().map(|&i| labels[i]).collect();
    silhouette_from_similarity(&rows.dot(&rows.t()), &sample_labels)
}

/// Mean silhouette from a matrix of pairwise cosine similarities and the points' labels.
fn silhouette_from_similarity(similarity: &Array2<f32>, labels: &[usize]) -> f32 {
    let k = labels.iter().max().map_or(0, |&m| m + 1);
    let n = labels.len();
    if k < 2 || n < 2 {
        return 0.0;
    }
    let scores: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut sum = vec![0f64; k];
            let mut count = vec![0usize; k];
            for (j, (&sim, &label)) in similarity.row(i).iter().zip(labels).enumerate() {
                if j != i {
                    sum[label] += 1.0 - f64::from(sim);
                    count[label] += 1;
                }
            }
            let own = labels[i];
            if count[own] == 0 {
                return 0.0;
            }
            let a = sum[own] / count[own] as f64;
            let b = (0..k)
                .filter(|&c| c != own && count[c] > 0)
                .map(|c| sum[c] / count[c] as f64)
                .fold(f64::INFINITY, f64::min);
            if b.is_infinite() {
                0.0
            } else {
                (b - a) / a.max(b)
            }
        })
        .collect();
    (scores.iter().sum::<f64>() / n as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::normalise_rows;

    /// Three tight groups of unit vectors around the axes.
    fn blobs() -> Array2<f32> {
        let mut rows = Vec::new();
        for axis in 0..3 {
            for j in 0..5 {
                let mut v = vec![0.05 * j as f32; 4];
                v[axis] = 1.0;
                rows.extend(v);
            }
        }
        let mut m = Array2::from_shape_vec((15, 4), rows).unwrap();
        normalise_rows(&mut m);
        m
    }

    #[test]
    fn silhouette_chooses_the_true_k_and_groups_blobs() {
        let x = blobs();
        let c = SilhouetteKMeans {
            k_min: 2,
            k_max: 6,
            seed: 7,
        }
        .fit(x.view())
        .unwrap();
        assert_eq!(c.k(), 3);
        for g in 0..3 {
            let group = &c.labels[g * 5..g * 5 + 5];
            assert!(group.iter().all(|&l| l == group[0]), "{:?}", c.labels);
        }
        assert!(c.silhouette.unwrap() > 0.8);
        assert_eq!(c.tried.len(), 5);
    }

    #[test]
    fn same_labels_whatever_the_thread_count() {
        let x = blobs();
        let fit = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    SilhouetteKMeans {
                        k_min: 2,
                        k_max: 8,
                        seed: 1,
                    }
                    .fit(x.view())
                    .unwrap()
                    .labels
                })
        };
        assert_eq!(fit(1), fit(3));
    }

    #[test]
    fn predict_matches_training_labels_and_bad_k_is_an_error() {
        let x = blobs();
        let m = KMeans::new(3).fit(x.view()).unwrap();
        assert_eq!(m.predict(x.view()), m.labels);
        assert!(KMeans::new(16).fit(x.view()).is_err());
    }

    #[test]
    fn silhouette_matches_a_hand_computed_value() {
        // Two points per cluster on orthogonal axes: a = 0, b = 1, silhouette 1 for each point.
        let x = ndarray::array![[1.0f32, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]];
        assert!((cosine_silhouette(x.view(), &[0, 0, 1, 1], &[0, 1, 2, 3]) - 1.0).abs() < 1e-6);
        // Mixed clusters: each point has a = 1 (its partner is orthogonal) and b = 0.5.
        let s = cosine_silhouette(x.view(), &[0, 1, 0, 1], &[0, 1, 2, 3]);
        assert!((s - (-0.5)).abs() < 1e-6, "{s}");
    }
}
