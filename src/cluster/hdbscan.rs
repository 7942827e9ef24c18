//! HDBSCAN: clusters as regions of high density, found at every density level and kept where they
//! are most stable; points in no dense region are outliers. The algorithm is petal-clustering's;
//! this module adds the outlier policy.

use ndarray::ArrayView2;
use petal_clustering::{Fit, HDbscan};
use petal_neighbors::distance::Euclidean;

use super::{centroids, nearest_centroid, Clusterer, Partition};
use crate::error::{Error, Result};

/// What becomes of the points HDBSCAN leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutlierPolicy {
    /// They stay unassigned (reported as such).
    Keep,
    /// Each joins the cluster whose centroid is most similar to it.
    NearestCentroid,
}

/// HDBSCAN over the Euclidean distance of unit vectors (a monotone function of cosine distance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hdbscan {
    /// Smallest group reported as a cluster.
    pub min_cluster_size: usize,
    /// Neighbours that make a point's core distance (density estimate).
    pub min_samples: usize,
    /// What becomes of outliers.
    pub outliers: OutlierPolicy,
}

impl Hdbscan {
    /// HDBSCAN with `min_samples` equal to `min_cluster_size`, as scikit-learn's default.
    pub fn new(min_cluster_size: usize, outliers: OutlierPolicy) -> Self {
        Hdbscan {
            min_cluster_size,
            min_samples: min_cluster_size,
            outliers,
        }
    }
}

impl Clusterer for Hdbscan {
    fn name(&self) -> String {
        match self.outliers {
            OutlierPolicy::Keep => "hdbscan".into(),
            OutlierPolicy::NearestCentroid => "hdbscan-reassign".into(),
        }
    }

    fn params(&self) -> String {
        format!(
            "min_cluster_size={} min_samples={}",
            self.min_cluster_size, self.min_samples
        )
    }

    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition> {
        let n = x.nrows();
        if self.min_cluster_size < 2 || self.min_samples < 1 {
            return Err(Error::Setting(format!(
                "HDBSCAN needs min_cluster_size >= 2 and min_samples >= 1, not {} and {}",
                self.min_cluster_size, self.min_samples
            )));
        }
        if n <= self.min_samples.max(self.min_cluster_size) {
            return Err(Error::Data(format!(
                "HDBSCAN with {} needs more than {} points, not {n}",
                self.params(),
                self.min_samples.max(self.min_cluster_size)
            )));
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::Data("HDBSCAN input holds NaN or infinity".into()));
        }
        let mut model = HDbscan {
            alpha: 1.0f32,
            min_samples: self.min_samples,
            min_cluster_size: self.min_cluster_size,
            metric: Euclidean::default(),
            boruvka: false,
        };
        let (clusters, _outliers, _scores) = model.fit(&x, None);
        // Cluster ids come from a hash map: number them by their first point instead.
        let mut groups: Vec<Vec<usize>> = clusters.into_values().collect();
        for g in &mut groups {
            g.sort_unstable();
        }
        groups.sort_by_key(|g| g[0]);
        let mut labels = vec![None; n];
        for (c, group) in groups.iter().enumerate() {
            for &i in group {
                labels[i] = Some(c);
            }
        }
        if self.outliers == OutlierPolicy::NearestCentroid && !groups.is_empty() {
            let centres = centroids(x, &labels, groups.len());
            let nearest = nearest_centroid(x, &centres);
            for (label, near) in labels.iter_mut().zip(nearest) {
                label.get_or_insert(near);
            }
        }
        Ok(Partition {
            labels,
            tried: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests::blobs;
    use ndarray::{concatenate, Axis};

    #[test]
    fn a_far_point_is_an_outlier_or_joins_its_nearest_cluster() {
        let mut far = ndarray::Array2::zeros((1, 4));
        far[[0, 3]] = 1.0;
        let x = concatenate(Axis(0), &[blobs().view(), far.view()]).unwrap();
        let kept = Hdbscan::new(3, OutlierPolicy::Keep)
            .partition(x.view())
            .unwrap();
        assert_eq!(kept.labels[15], None);
        assert_eq!(kept.labels.iter().flatten().count(), 15);
        let joined = Hdbscan::new(3, OutlierPolicy::NearestCentroid)
            .partition(x.view())
            .unwrap();
        assert!(joined.labels.iter().all(Option::is_some));
        assert_eq!(&joined.labels[..15], &kept.labels[..15]);
    }

    #[test]
    fn too_few_points_or_bad_sizes_are_errors() {
        let x = blobs();
        assert!(Hdbscan::new(1, OutlierPolicy::Keep)
            .partition(x.view())
            .is_err());
        assert!(Hdbscan::new(20, OutlierPolicy::Keep)
            .partition(x.view())
            .is_err());
    }
}
