//! k-means with k-means++ seeding, at a fixed k or with k chosen by cosine silhouette.
//!
//! Every random choice comes from a ChaCha stream derived from the seed and the job (k, restart),
//! and every sum runs in point order, so labels are the same whatever the thread count. Rows are
//! expected to be L2-normalised, which makes squared Euclidean distance a monotone function of
//! cosine distance.

use ndarray::{Array2, ArrayView2, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::silhouette::{silhouette_from_similarity, silhouette_sample};
use super::{Clusterer, KScore, Partition};
use crate::error::{Error, Result};

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
            return Err(Error::Data(format!(
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
    /// Largest k tried; `None`: one cluster per [`POINTS_PER_CLUSTER_CEILING`] points, at
    /// least `k_min` and at most [`AUTO_K_CEILING`].
    pub k_max: Option<usize>,
    /// Seed for every k-means run and the silhouette sample.
    pub seed: u64,
}

/// Points per cluster at the automatic largest k: the silhouette of MiniLM vectors keeps rising
/// with k on large inputs, so the ceiling grows with them (on 4,248 catalogue talks with 46
/// tracks it settles at k = 65, below the ceiling of 100).
pub const POINTS_PER_CLUSTER_CEILING: usize = 30;

/// Largest automatic k: beyond it the search costs more than it is worth to a reader.
pub const AUTO_K_CEILING: usize = 100;

/// Fewest points per cluster on average at any k tried: a range past it is cut down.
pub const MIN_POINTS_PER_CLUSTER: usize = 5;

impl SilhouetteKMeans {
    /// The ks tried over `n` points: `k_min..=k_max` with the automatic ceiling filled in, cut
    /// to one cluster per [`MIN_POINTS_PER_CLUSTER`] points and to `n - 1`, never below 2.
    pub fn k_range(&self, n: usize) -> std::ops::RangeInclusive<usize> {
        let ceiling = self.k_max.unwrap_or_else(|| {
            (n / POINTS_PER_CLUSTER_CEILING)
                .min(AUTO_K_CEILING)
                .max(self.k_min)
        });
        let high = ceiling
            .min(n / MIN_POINTS_PER_CLUSTER)
            .min(n.saturating_sub(1))
            .max(2);
        self.k_min.clamp(2, high)..=high
    }
}

impl Clusterer for KMeans {
    fn name(&self) -> String {
        "kmeans".into()
    }

    fn params(&self) -> String {
        format!("k={}", self.k)
    }

    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition> {
        let model = self.fit(x)?;
        Ok(Partition {
            labels: model.labels.into_iter().map(Some).collect(),
            tried: Vec::new(),
        })
    }
}

impl Clusterer for SilhouetteKMeans {
    fn name(&self) -> String {
        "kmeans".into()
    }

    fn params(&self) -> String {
        match self.k_max {
            Some(k_max) => format!("k={}..{} by silhouette", self.k_min, k_max),
            None => format!(
                "k={}..n/{POINTS_PER_CLUSTER_CEILING} by silhouette",
                self.k_min
            ),
        }
    }

    /// Chooses k by the best silhouette (smallest k on ties), fitting k-means for every k of
    /// [`k_range`](Self::k_range) in parallel on the silhouette's sample (all points up to [`SILHOUETTE_SAMPLE`](super::SILHOUETTE_SAMPLE), a seeded
    /// sample above), then fits the chosen k on every point: the search costs the same at 20,000
    /// points as at 2,000.
    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition> {
        let n = x.nrows();
        if self.k_min == 0 || self.k_max.is_some_and(|k_max| self.k_min > k_max) {
            return Err(Error::Setting(format!(
                "k range {}..{} is empty",
                self.k_min,
                self.k_max
                    .map_or(format!("n/{POINTS_PER_CLUSTER_CEILING}"), |k| k.to_string())
            )));
        }
        if n < 3 {
            // Too few points to compare clusterings: one cluster.
            return Ok(Partition {
                labels: vec![Some(0); n],
                tried: Vec::new(),
            });
        }
        let sample = silhouette_sample(&vec![Some(0); n], self.seed);
        let rows = x.select(Axis(0), &sample);
        // The sample's pairwise similarities are shared by every k.
        let similarity = rows.dot(&rows.t());
        let fits: Vec<(KMeansModel, f32)> = self
            .k_range(rows.nrows())
            .into_par_iter()
            .map(|k| -> Result<_> {
                let model = KMeans::new(k).with_seed(self.seed).fit(rows.view())?;
                let score = silhouette_from_similarity(&similarity, &model.labels);
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
        let (model, _) = fits
            .into_iter()
            .reduce(|best, fit| if fit.1 > best.1 { fit } else { best })
            .expect("k range is not empty");
        let labels = if sample.len() == n {
            model.labels
        } else {
            let k = model.centroids.nrows();
            KMeans::new(k).with_seed(self.seed).fit(x)?.labels
        };
        Ok(Partition {
            labels: labels.into_iter().map(Some).collect(),
            tried,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::fit;
    use crate::cluster::tests::{assert_blobs_found, blobs};

    #[test]
    fn silhouette_chooses_the_true_k() {
        let c = fit(
            &SilhouetteKMeans {
                k_min: 2,
                k_max: Some(6),
                seed: 7,
            },
            blobs().view(),
        )
        .unwrap();
        assert_eq!(c.k(), 3);
        assert_blobs_found(&c.labels);
        let best = c
            .tried
            .iter()
            .max_by(|a, b| a.silhouette.total_cmp(&b.silhouette));
        assert_eq!(best.unwrap().k, 3);
        // 15 points hold 3 clusters of 5 at most: 2 and 3 are tried.
        assert_eq!(c.tried.len(), 2);
    }

    #[test]
    fn the_automatic_range_grows_with_the_points() {
        let auto = SilhouetteKMeans {
            k_min: 10,
            k_max: None,
            seed: 0,
        };
        assert_eq!(auto.k_range(51), 10..=10);
        assert_eq!(auto.k_range(1236), 10..=41);
        assert_eq!(auto.k_range(20_000), 10..=AUTO_K_CEILING);
        assert_eq!(auto.k_range(30), 6..=6);
        assert_eq!(auto.k_range(3), 2..=2);
        let given = SilhouetteKMeans {
            k_max: Some(16),
            ..auto
        };
        assert_eq!(given.k_range(1236), 10..=16);
    }

    #[test]
    fn predict_matches_training_labels_and_bad_k_is_an_error() {
        let x = blobs();
        let m = KMeans::new(3).fit(x.view()).unwrap();
        assert_eq!(m.predict(x.view()), m.labels);
        assert!(KMeans::new(16).fit(x.view()).is_err());
        let empty = SilhouetteKMeans {
            k_min: 5,
            k_max: Some(2),
            seed: 0,
        };
        assert!(fit(&empty, x.view()).is_err());
    }
}
