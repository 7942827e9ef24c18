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
use super::Reduction;
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

/// The spectral embedding, rows renormalised to unit length: k-means on it is the spectral
/// clustering of Ng, Jordan and Weiss. Below 3 points no graph says more than the vectors do.
impl Reduction for Spectral {
    fn name(&self) -> &'static str {
        "spectral"
    }

    fn params(&self) -> String {
        format!("neighbours={} dims={}", self.neighbours, self.dims)
    }

    fn reduce(&self, x: ArrayView2<'_, f32>) -> Result<Option<Array2<f32>>> {
        if x.nrows() < 3 {
            return Ok(None);
        }
        let mut embedded = self.embed(x)?;
        normalise_rows(&mut embedded);
        Ok(Some(embedded))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::s;

    use super::*;
    use crate::cluster::tests::two_chains;
    use crate::cluster::{Clusterer, KMeans, Reduced};

    #[test]
    fn spectral_kmeans_separates_two_chains() {
        let x = two_chains(12);
        let algorithm = Reduced {
            reduction: Spectral {
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
        let x = two_chains(12);
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
        let x = two_chains(12);
        let few = x.slice(s![..4, ..]);
        let spectral = Spectral {
            neighbours: 15,
            dims: 8,
            seed: 0,
        };
        assert_eq!(spectral.embed(few).unwrap().dim(), (4, 4));
        assert!(spectral.embed(x.slice(s![..1, ..])).is_err());
        let algorithm = Reduced {
            reduction: spectral,
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
