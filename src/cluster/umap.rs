//! UMAP (McInnes, Healy and Melville, 2018), deterministic, and clustering on it.
//!
//! The layout follows umap-learn 0.5 with BERTopic's settings (cosine metric, `min_dist` 0,
//! spread 1): the fuzzy neighbour graph of [`knn_graph`](super::knn_graph), a spectral start
//! scaled into [0, 10], then stochastic gradient descent on the fuzzy cross-entropy with edges
//! sampled in proportion to their weight and five negative samples per positive one. Where
//! umap-learn runs its epochs in parallel (and differs from run to run), this one runs every
//! update in edge order from one seeded stream: the same layout at any thread count, and a cost
//! linear in the number of edges (about 2 s for 20,000 points).

use ndarray::{s, Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::knn_graph::Graph;
use super::Reduction;
use crate::error::{Error, Result};

/// Dimensions of the layout unless told otherwise (BERTopic's `n_components`).
pub const DEFAULT_UMAP_DIMS: usize = 5;

/// The curve 1 / (1 + a d^2b) that turns layout distance into edge probability, fitted by
/// umap-learn's `find_ab_params(spread=1, min_dist=0)`.
const A: f32 = 1.932_808_4;
const B: f32 = 0.790_495;
/// Negative samples per positive one (umap-learn's `negative_sample_rate`).
const NEGATIVE_SAMPLE_RATE: f64 = 5.0;
/// Largest step along one coordinate (umap-learn clips gradients to [-4, 4]).
const GRADIENT_CLIP: f32 = 4.0;
/// The span of each coordinate of the starting layout.
const START_SPAN: f32 = 10.0;

/// A UMAP layout's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Umap {
    /// Neighbours of each point in the graph, the point itself included (`n_neighbors`).
    pub neighbours: usize,
    /// Dimensions of the layout.
    pub dims: usize,
    /// Seed of the spectral start and of the negative samples.
    pub seed: u64,
}

impl Umap {
    /// The layout of `x` (unit vectors): one row of `dims` coordinates per point.
    pub fn embed(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let n = x.nrows();
        if self.neighbours < 2 || self.dims == 0 || n < self.dims + 2 {
            return Err(Error::Data(format!(
                "a UMAP layout in {} dimensions over {} neighbours needs at least 1 dimension, \
                 2 neighbours and {} points, not {n}",
                self.dims,
                self.neighbours,
                self.dims + 2
            )));
        }
        let graph = Graph::fuzzy_knn(x, self.neighbours);
        // The leading eigenvector follows the degrees and says nothing about position.
        let spectral = graph.leading_eigenvectors(self.dims + 1, self.seed);
        let mut layout = start(&spectral.slice(s![.., 1..]).to_owned(), self.seed);
        let epochs = if n <= 10_000 { 500 } else { 200 };
        optimise(&mut layout, &graph, epochs, self.seed);
        Ok(layout)
    }
}

/// umap-learn's start from a spectral layout: scaled so the largest coordinate is 10, a little
/// seeded noise against ties, then each coordinate stretched onto [0, 10].
fn start(spectral: &Array2<f32>, seed: u64) -> Array2<f32> {
    let largest = spectral.iter().fold(0f32, |m, &v| m.max(v.abs()));
    let expansion = if largest > 0.0 { 10.0 / largest } else { 1.0 };
    // A different stream from the subspace iteration's.
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x554d_4150);
    let mut layout = spectral.mapv(|v| v * expansion);
    layout.mapv_inplace(|v| v + 1e-4 * standard_normal(&mut rng));
    for mut column in layout.columns_mut() {
        let low = column.iter().copied().fold(f32::INFINITY, f32::min);
        let high = column.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let span = high - low;
        column.mapv_inplace(|v| {
            if span > 0.0 {
                START_SPAN * (v - low) / span
            } else {
                0.0
            }
        });
    }
    layout
}

/// A standard normal draw (Box-Muller), so the stream is the same on every platform.
fn standard_normal(rng: &mut ChaCha8Rng) -> f32 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random::<f64>();
    ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()) as f32
}

/// One directed edge of the graph and when it is next due.
struct Edge {
    head: usize,
    tail: usize,
    /// Epochs between two samples of the edge: the heaviest edge is sampled every epoch.
    every: f64,
    next: f64,
    next_negative: f64,
}

/// umap-learn's `optimize_layout_euclidean`, run in edge order: each due edge pulls its two
/// ends together, then pushes its head away from points drawn at random.
fn optimise(layout: &mut Array2<f32>, graph: &Graph, epochs: usize, seed: u64) {
    let (n, dims) = layout.dim();
    let heaviest = graph
        .edges
        .iter()
        .flatten()
        .fold(0f64, |m, &(_, w)| m.max(w));
    // Edges too light to be sampled once in the whole run are dropped, as umap-learn does.
    let mut edges: Vec<Edge> = Vec::new();
    for (head, list) in graph.edges.iter().enumerate() {
        for &(tail, w) in list {
            if w > 0.0 && w >= heaviest / epochs as f64 {
                let every = heaviest / w;
                edges.push(Edge {
                    head,
                    tail,
                    every,
                    next: every,
                    next_negative: every / NEGATIVE_SAMPLE_RATE,
                });
            }
        }
    }
    let y = layout.as_slice_mut().expect("standard layout");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let clip = |g: f32| g.clamp(-GRADIENT_CLIP, GRADIENT_CLIP);
    let squared_distance = |y: &[f32], a: usize, b: usize| -> f32 {
        (0..dims)
            .map(|d| {
                let diff = y[a * dims + d] - y[b * dims + d];
                diff * diff
            })
            .sum()
    };
    for epoch in 0..epochs {
        let alpha = 1.0 - epoch as f32 / epochs as f32;
        let now = epoch as f64;
        for edge in &mut edges {
            if edge.next > now {
                continue;
            }
            let (j, k) = (edge.head, edge.tail);
            let d2 = squared_distance(y, j, k);
            if d2 > 0.0 {
                let attraction = -2.0 * A * B * d2.powf(B - 1.0) / (A * d2.powf(B) + 1.0);
                for d in 0..dims {
                    let g = clip(attraction * (y[j * dims + d] - y[k * dims + d]));
                    y[j * dims + d] += g * alpha;
                    y[k * dims + d] -= g * alpha;
                }
            }
            edge.next += edge.every;
            let every_negative = edge.every / NEGATIVE_SAMPLE_RATE;
            let negatives = ((now - edge.next_negative) / every_negative).max(0.0) as usize;
            for _ in 0..negatives {
                let k = rng.random_range(0..n);
                let d2 = squared_distance(y, j, k);
                if d2 <= 0.0 {
                    continue;
                }
                let repulsion = 2.0 * B / ((0.001 + d2) * (A * d2.powf(B) + 1.0));
                for d in 0..dims {
                    let g = clip(repulsion * (y[j * dims + d] - y[k * dims + d]));
                    y[j * dims + d] += g * alpha;
                }
            }
            edge.next_negative += negatives as f64 * every_negative;
        }
    }
}

/// The UMAP layout, left as it is (Euclidean, as BERTopic clusters it): k-means on it is
/// BERTopic's UMAP + k-means. Below `dims` + 2 points there is no layout.
impl Reduction for Umap {
    fn name(&self) -> &'static str {
        "umap"
    }

    fn params(&self) -> String {
        format!("neighbours={} dims={}", self.neighbours, self.dims)
    }

    fn reduce(&self, x: ArrayView2<'_, f32>) -> Result<Option<Array2<f32>>> {
        if x.nrows() < self.dims + 2 {
            return Ok(None);
        }
        self.embed(x).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests::two_chains;
    use crate::cluster::{Clusterer, KMeans, Reduced};

    #[test]
    fn umap_kmeans_separates_two_chains() {
        let x = two_chains(20);
        let algorithm = Reduced {
            reduction: Umap {
                neighbours: 6,
                dims: 2,
                seed: 1,
            },
            inner: KMeans::new(2),
        };
        let labels = algorithm.partition(x.view()).unwrap().labels;
        assert!(labels[..20].iter().all(|&l| l == labels[0]));
        assert!(labels[20..].iter().all(|&l| l == labels[20]));
        assert_ne!(labels[0], labels[20]);
    }

    #[test]
    fn the_layout_does_not_depend_on_the_thread_count() {
        let x = two_chains(20);
        let umap = Umap {
            neighbours: 6,
            dims: 3,
            seed: 7,
        };
        let at = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| umap.embed(x.view()).unwrap())
        };
        assert_eq!(at(1), at(2));
    }

    #[test]
    fn too_few_points_are_an_error_or_clustered_directly() {
        let x = two_chains(20);
        let umap = Umap {
            neighbours: 6,
            dims: 5,
            seed: 7,
        };
        assert!(umap.embed(x.slice(s![..6, ..])).is_err());
        let algorithm = Reduced {
            reduction: umap,
            inner: KMeans::new(2),
        };
        let few = algorithm.partition(x.slice(s![..6, ..])).unwrap();
        assert_eq!(few.labels.len(), 6);
    }
}
