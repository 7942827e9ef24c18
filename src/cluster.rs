//! Stage 4: group talk embeddings into clusters.
//!
//! Each algorithm is a type holding its parameters ([`KMeans`], [`SilhouetteKMeans`],
//! [`Agglomerative`], [`Hdbscan`], and any of them on a [`Reduction`] of the vectors, [`Reduced`]:
//! a PCA projection, [`Pca`], a spectral embedding, [`Spectral`], or a UMAP layout, [`Umap`]) and
//! implementing [`Clusterer`];
//! [`fit`] runs one over unit-length rows and returns a [`Clustering`] as data. `fit` hands every algorithm the rows
//! sorted by value, maps the labels back and numbers clusters by size, so a clustering depends only
//! on the set of rows: never on their order, nor on the thread count. Random choices come from
//! seeded ChaCha streams.

mod agglomerative;
mod best_layout;
mod choice;
mod hdbscan;
mod kmeans;
mod knn_graph;
mod pca;
mod reduced;
mod silhouette;
mod spectral;
mod umap;

use ndarray::{Array2, ArrayView2, Axis};
use serde::Serialize;

use crate::error::Result;

pub use agglomerative::{Agglomerative, Cut, Linkage};
pub use best_layout::{BestLayout, DEFAULT_LAYOUTS};
pub use choice::{AlgorithmChoice, AlgorithmSettings, DEFAULT_PCA_DIMS, DEFAULT_SEED};
pub use hdbscan::{Hdbscan, OutlierPolicy};
pub use kmeans::{
    KMeans, KMeansModel, SilhouetteKMeans, AUTO_K_CEILING, MIN_POINTS_PER_CLUSTER,
    POINTS_PER_CLUSTER_CEILING,
};
pub use pca::{Pca, PcaModel};
pub use reduced::{Reduced, Reduction};
pub use silhouette::{
    cosine_silhouette, euclidean_silhouette, silhouette_sample, SILHOUETTE_SAMPLE,
};
pub use spectral::{Spectral, DEFAULT_NEIGHBOURS, DEFAULT_SPECTRAL_DIMS};
pub use umap::{Umap, DEFAULT_UMAP_DIMS};

/// A clustering algorithm with its parameters.
pub trait Clusterer: Send + Sync {
    /// The algorithm's name as reports give it, e.g. `agglomerative-average`.
    fn name(&self) -> String;

    /// Its parameters as reports give them, e.g. `k=10`.
    fn params(&self) -> String;

    /// Labels the rows of `x` (unit vectors) in the order given. Use [`fit`], which makes the
    /// result independent of that order.
    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition>;
}

impl<C: Clusterer + ?Sized> Clusterer for Box<C> {
    fn name(&self) -> String {
        (**self).name()
    }

    fn params(&self) -> String {
        (**self).params()
    }

    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition> {
        (**self).partition(x)
    }
}

/// What a [`Clusterer`] found, before clusters are renumbered.
#[derive(Debug, Clone, Default)]
pub struct Partition {
    /// Cluster of each row, `None` for a row left out as an outlier.
    pub labels: Vec<Option<usize>>,
    /// Every k tried, when the algorithm chose k itself.
    pub tried: Vec<KScore>,
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
    /// Cluster of each point, numbered from 0 by decreasing size; `None` for an outlier.
    pub labels: Vec<Option<usize>>,
    /// Mean of each cluster's points, in label order.
    pub centroids: Array2<f32>,
    /// Mean cosine silhouette of the clustered points (`None` with fewer than two clusters).
    pub silhouette: Option<f32>,
    /// Every k tried, when the algorithm chose k itself.
    pub tried: Vec<KScore>,
}

impl Clustering {
    /// Number of clusters.
    pub fn k(&self) -> usize {
        self.centroids.nrows()
    }

    /// Number of points left out as outliers.
    pub fn unassigned(&self) -> usize {
        self.labels.iter().filter(|l| l.is_none()).count()
    }

    /// The cluster whose centroid is most similar (cosine) to each row of `x`.
    pub fn predict(&self, x: ArrayView2<'_, f32>) -> Vec<usize> {
        nearest_centroid(x, &self.centroids)
    }
}

/// Runs `algorithm` on the rows of `x` (unit vectors): in a canonical order (rows sorted by value,
/// coordinate by coordinate), with clusters renumbered by decreasing size (ties: the cluster
/// holding the first row in that order). Equal rows are interchangeable, so the result depends
/// only on the set of rows.
pub fn fit(algorithm: &dyn Clusterer, x: ArrayView2<'_, f32>) -> Result<Clustering> {
    let mut order: Vec<usize> = (0..x.nrows()).collect();
    order.sort_by(|&a, &b| {
        x.row(a)
            .iter()
            .zip(x.row(b))
            .map(|(p, q)| p.total_cmp(q))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let sorted = x.select(Axis(0), &order);
    let partition = algorithm.partition(sorted.view())?;
    let labels = renumber_by_size(&partition.labels);
    let k = labels.iter().flatten().max().map_or(0, |&m| m + 1);
    let centroids = centroids(sorted.view(), &labels, k);
    let silhouette = (k >= 2).then(|| {
        let sample = silhouette_sample(&labels, 0);
        cosine_silhouette(sorted.view(), &labels, &sample)
    });
    let mut input_labels = vec![None; order.len()];
    for (&input, &label) in order.iter().zip(&labels) {
        input_labels[input] = label;
    }
    Ok(Clustering {
        labels: input_labels,
        centroids,
        silhouette,
        tried: partition.tried,
    })
}

/// Renumbers clusters 0.. by decreasing size; ties go to the cluster whose first point comes
/// first.
fn renumber_by_size(labels: &[Option<usize>]) -> Vec<Option<usize>> {
    let k = labels.iter().flatten().max().map_or(0, |&m| m + 1);
    let mut sizes = vec![0usize; k];
    let mut first = vec![usize::MAX; k];
    for (i, &l) in labels.iter().enumerate() {
        if let Some(l) = l {
            sizes[l] += 1;
            first[l] = first[l].min(i);
        }
    }
    let mut order: Vec<usize> = (0..k).filter(|&c| sizes[c] > 0).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(sizes[c]), first[c]));
    let mut new_label = vec![0; k];
    for (new, &old) in order.iter().enumerate() {
        new_label[old] = new;
    }
    labels.iter().map(|l| l.map(|l| new_label[l])).collect()
}

/// Mean of the rows in each of `k` clusters (outliers count in none).
pub fn centroids(x: ArrayView2<'_, f32>, labels: &[Option<usize>], k: usize) -> Array2<f32> {
    let mut sums = Array2::<f64>::zeros((k, x.ncols()));
    let mut counts = vec![0usize; k];
    for (row, label) in x.rows().into_iter().zip(labels) {
        if let Some(c) = *label {
            counts[c] += 1;
            sums.row_mut(c)
                .zip_mut_with(&row, |s, &v| *s += f64::from(v));
        }
    }
    for (mut sum, &count) in sums.rows_mut().into_iter().zip(&counts) {
        sum.mapv_inplace(|s| s / count.max(1) as f64);
    }
    sums.mapv(|s| s as f32)
}

/// Index of the centroid with the highest cosine similarity to each row (ties: the lower index).
pub fn nearest_centroid(x: ArrayView2<'_, f32>, centroids: &Array2<f32>) -> Vec<usize> {
    let mut unit = centroids.clone();
    crate::embed::normalise_rows(&mut unit);
    x.dot(&unit.t())
        .rows()
        .into_iter()
        .map(|sims| {
            sims.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |best, (c, &s)| {
                    if s > best.1 {
                        (c, s)
                    } else {
                        best
                    }
                })
                .0
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::embed::normalise_rows;

    /// Three tight groups of five unit vectors around the first three axes.
    pub(crate) fn blobs() -> Array2<f32> {
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

    /// Two chains of `per_chain` unit vectors on the circle, far apart: points along each chain
    /// are close only to their neighbours.
    pub(crate) fn two_chains(per_chain: usize) -> Array2<f32> {
        let mut rows = Vec::new();
        for chain in 0..2 {
            for i in 0..per_chain {
                let t = i as f32 * 0.02 + chain as f32 * 2.0;
                rows.extend([t.cos(), t.sin(), 0.1 * chain as f32]);
            }
        }
        let mut x = Array2::from_shape_vec((2 * per_chain, 3), rows).unwrap();
        normalise_rows(&mut x);
        x
    }

    /// Asserts that each blob is one cluster and the three clusters differ.
    pub(crate) fn assert_blobs_found(labels: &[Option<usize>]) {
        for g in 0..3 {
            let group = &labels[g * 5..g * 5 + 5];
            assert!(
                group.iter().all(|&l| l.is_some() && l == group[0]),
                "{labels:?}"
            );
        }
        assert!(labels[0] != labels[5] && labels[5] != labels[10] && labels[0] != labels[10]);
    }

    /// Every algorithm, with parameters that suit the blobs.
    fn algorithms() -> Vec<Box<dyn Clusterer>> {
        vec![
            Box::new(KMeans::new(3)),
            Box::new(SilhouetteKMeans {
                k_min: 2,
                k_max: Some(6),
                seed: 3,
            }),
            Box::new(Agglomerative::new(Linkage::Average, Cut::Clusters(3))),
            Box::new(Agglomerative::new(Linkage::Complete, Cut::Distance(0.5))),
            Box::new(Agglomerative::new(Linkage::Ward, Cut::Clusters(3))),
            Box::new(Hdbscan::new(3, OutlierPolicy::Keep)),
            Box::new(Reduced {
                reduction: Pca { dims: 2 },
                inner: KMeans::new(3),
            }),
        ]
    }

    #[test]
    fn every_algorithm_finds_the_blobs_whatever_the_row_order() {
        let x = blobs();
        let mut reversed = x.clone();
        reversed.invert_axis(Axis(0));
        for algorithm in algorithms() {
            let c = fit(algorithm.as_ref(), x.view()).unwrap();
            assert_blobs_found(&c.labels);
            assert_eq!(c.k(), 3, "{}", algorithm.name());
            assert!(c.silhouette.unwrap() > 0.8, "{}", algorithm.name());
            let mut back = fit(algorithm.as_ref(), reversed.view()).unwrap().labels;
            back.reverse();
            assert_eq!(back, c.labels, "{} depends on row order", algorithm.name());
            assert_eq!(
                c.predict(x.view()),
                c.labels.iter().flatten().copied().collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn same_labels_whatever_the_thread_count() {
        let x = blobs();
        for algorithm in algorithms() {
            let fit_with = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| fit(algorithm.as_ref(), x.view()).unwrap().labels)
            };
            assert_eq!(fit_with(1), fit_with(3), "{}", algorithm.name());
        }
    }

    #[test]
    fn clusters_are_numbered_by_size() {
        let labels = [Some(4), Some(1), Some(1), None, Some(4), Some(4), Some(0)];
        assert_eq!(
            renumber_by_size(&labels),
            [Some(0), Some(1), Some(1), None, Some(0), Some(0), Some(2)]
        );
    }
}
