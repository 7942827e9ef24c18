//! Spectral embedding of the cosine k-nearest-neighbour graph, and clustering on it.
//!
//! The graph is the one UMAP builds (fuzzy neighbourhoods of `neighbours` points, joined by fuzzy
//! union); the embedding is the leading eigenvectors of its normalised adjacency
//! D^-1/2 W D^-1/2, found by seeded subspace iteration. Like UMAP (whose layout starts from the
//! same eigenvectors) it keeps local structure that a linear projection loses, which is what
//! k-means on MiniLM vectors lacks; unlike UMAP it has no stochastic optimisation, so the result
//! is the same at any thread count. Clustering the row-normalised eigenvectors with k-means is
//! the spectral clustering of Ng, Jordan and Weiss.

use ndarray::{Array2, ArrayView2};

use super::knn_graph::Graph;
use super::{Clusterer, Partition};
use crate::embed::normalise_rows;
use crate::error::{Error, Result};

/// Neighbours of each point in the graph unless told otherwise (UMAP's `n_neighbors`, 15 in
/// UMAP and BERTopic).
pub const DEFAULT_NEIGHBOURS: usize = 15;

/// Eigenvectors kept unless told otherwise.
pub const DEFAULT_SPECTRAL_DIMS: usize = 8;

/// The spectral embedding's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spectral {
    /// Neighbours of each point in the graph, the point itself included (`n_neighbors`).
    pub neighbours: usize,
    /// Eigenvectors kept (the first is the graph's degree direction).
    pub dims: usize,
    /// Seed of the starting subspace.
    pub seed: u64,
}

impl Spectral {
    /// The leading `dims` eigenvectors of the graph's normalised adjacency, one row per point
    /// of `x` (unit vectors), by decreasing eigenvalue; each column's largest coordinate is
    /// positive, so the signs are fixed.
    pub fn embed(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let n = x.nrows();
        if self.neighbours < 2 || self.dims == 0 || n < 2 {
            return Err(Error::Data(format!(
                "a spectral embedding in {} dimensions over {} neighbours needs at least 1 \
                 dimension, 2 neighbours and 2 points, not {n}",
                self.dims, self.neighbours
            )));
        }
        // Fewer points than dimensions: every dimension there is.
        let graph = Graph::fuzzy_knn(x, self.neighbours);
        Ok(graph.leading_eigenvectors(self.dims.min(n), self.seed))
    }
}

/// Any clusterer run on the spectral embedding of the vectors, rows renormalised to unit
/// length: `OnSpectral { spectral, inner: KMeans::new(10) }` is spectral clustering.
#[derive(Debug, Clone)]
pub struct OnSpectral<C> {
    /// The embedding.
    pub spectral: Spectral,
    /// The clusterer run on it.
    pub inner: C,
}

impl<C: Clusterer> Clusterer for OnSpectral<C> {
    fn name(&self) -> String {
        format!("spectral-{}", self.inner.name())
    }

    fn params(&self) -> String {
        format!(
            "neighbours={} dims={} {}",
            self.spectral.neighbours,
            self.spectral.dims,
            self.inner.params()
        )
    }

    /// Runs the inner clusterer on the vectors themselves below 3 points, where no graph
    /// says more than the vectors do.
    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition> {
        if x.nrows() < 3 {
            return self.inner.partition(x);
        }
        let mut embedded = self.spectral.embed(x)?;
        normalise_rows(&mut embedded);
        self.inner.partition(embedded.view())
    }
}

#[cfg(test)]
mod tests {
    use ndarray::s;

    use super::*;
    use crate::cluster::KMeans;

    /// Two chains of 12 points on the unit circle, far apart: points along each chain are close
    /// only to their neighbours.
    fn two_chains() -> Array2<f32> {
        let mut rows = Vec::new();
        for chain in 0..2 {
            for i in 0..12 {
                let t = i as f32 * 0.02 + chain as f32 * 2.0;
                rows.extend([t.cos(), t.sin(), 0.1 * chain as f32]);
            }
        }
        let mut x = Array2::from_shape_vec((24, 3), rows).unwrap();
        normalise_rows(&mut x);
        x
    }

    #[test]
    fn spectral_kmeans_separates_two_chains() {
        let x = two_chains();
        let algorithm = OnSpectral {
            spectral: Spectral {
                neighbours: 5,
                dims: 2,
                seed: 1,
            },
            inner: KMeans::new(2),
        };
        let labels = algorithm.partition(x.view()).unwrap().labels;
        assert!(labels[..12].iter().all(|&l| l == labels[0]));
        assert!(labels[12..].iter().all(|&l| l == labels[12]));
        assert_ne!(labels[0], labels[12]);
    }

    #[test]
    fn the_embedding_does_not_depend_on_the_thread_count() {
        let x = two_chains();
        let spectral = Spectral {
            neighbours: 5,
            dims: 3,
            seed: 7,
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| spectral.embed(x.view()).unwrap());
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| spectral.embed(x.view()).unwrap());
        assert_eq!(one, two);
    }

    #[test]
    fn small_inputs_use_every_point_and_dimension_there_is() {
        let x = two_chains();
        let few = x.slice(s![..4, ..]);
        let spectral = Spectral {
            neighbours: 15,
            dims: 8,
            seed: 0,
        };
        assert_eq!(spectral.embed(few).unwrap().dim(), (4, 4));
        assert!(spectral.embed(x.slice(s![..1, ..])).is_err());
        let algorithm = OnSpectral {
            spectral,
            inner: KMeans::new(2),
        };
        assert_eq!(
            algorithm
                .partition(x.slice(s![..2, ..]))
                .unwrap()
                .labels
                .len(),
            2
        );
    }
}
