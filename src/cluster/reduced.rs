//! Clustering on a reduction of the vectors: a PCA projection, the spectral embedding or a UMAP
//! layout, each a [`Reduction`], with any clusterer run on it by [`Reduced`].

use ndarray::{Array2, ArrayView2};

use super::{Clusterer, Partition};
use crate::error::Result;

/// A deterministic map of the vectors to fewer dimensions, for a clusterer to run on.
pub trait Reduction: Send + Sync {
    /// What the name of a clusterer run on it starts with: `pca`, `spectral`, `umap`.
    fn name(&self) -> &'static str;

    /// Its parameters as reports give them, e.g. `dims=50`.
    fn params(&self) -> String;

    /// The reduced rows of `x`, or `None` when `x` has too few rows for the reduction to say
    /// more than the vectors do (the clusterer then runs on `x` itself).
    fn reduce(&self, x: ArrayView2<'_, f32>) -> Result<Option<Array2<f32>>>;
}

/// Any clusterer run on a reduction of the vectors:
/// `Reduced { reduction: Pca { dims: 50 }, inner: KMeans::new(10) }` is `pca-kmeans`.
#[derive(Debug, Clone)]
pub struct Reduced<R, C> {
    /// The reduction.
    pub reduction: R,
    /// The clusterer run on it.
    pub inner: C,
}

impl<R: Reduction, C: Clusterer> Clusterer for Reduced<R, C> {
    fn name(&self) -> String {
        format!("{}-{}", self.reduction.name(), self.inner.name())
    }

    fn params(&self) -> String {
        format!("{} {}", self.reduction.params(), self.inner.params())
    }

    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition> {
        match self.reduction.reduce(x)? {
            Some(reduced) => self.inner.partition(reduced.view()),
            None => self.inner.partition(x),
        }
    }
}
