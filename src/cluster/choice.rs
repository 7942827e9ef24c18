//! Algorithms by name, with the parameters a command line gives them.

use std::str::FromStr;

use super::{
    Agglomerative, BestLayout, Clusterer, Cut, Hdbscan, KMeans, Linkage, OutlierPolicy, Pca,
    Reduced, SilhouetteKMeans, Spectral, Umap, DEFAULT_LAYOUTS, DEFAULT_NEIGHBOURS,
    DEFAULT_SPECTRAL_DIMS, DEFAULT_UMAP_DIMS,
};
use crate::error::{Error, Result};

/// An algorithm by name, as the command line gives it; its k and sizes come from
/// [`AlgorithmSettings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlgorithmChoice {
    /// k-means++ at k.
    KMeans,
    /// k-means++ with k chosen by silhouette in `k_min..=k_max` (a single k: k-means at it; no
    /// `k_max`: one cluster per 30 talks, at most 100).
    KMeansSilhouette,
    /// Agglomerative clustering cut at k.
    Agglomerative(Linkage),
    /// HDBSCAN with an outlier policy.
    Hdbscan(OutlierPolicy),
    /// k-means at k on a PCA projection.
    PcaKMeans,
    /// k-means at k on the spectral embedding of the kNN graph (spectral clustering).
    SpectralKMeans,
    /// k-means on the spectral embedding, k chosen by silhouette in `k_min..=k_max` there.
    SpectralKMeansSilhouette,
    /// k-means at k on a 5-dimensional UMAP layout (BERTopic's UMAP + k-means).
    UmapKMeans,
    /// k-means at k on the best separated of several seeded UMAP layouts.
    UmapKMeansBest,
}

impl AlgorithmChoice {
    /// Every algorithm, in the order the table lists them.
    pub const ALL: [AlgorithmChoice; 12] = [
        AlgorithmChoice::KMeans,
        AlgorithmChoice::KMeansSilhouette,
        AlgorithmChoice::Agglomerative(Linkage::Average),
        AlgorithmChoice::Agglomerative(Linkage::Complete),
        AlgorithmChoice::Agglomerative(Linkage::Ward),
        AlgorithmChoice::Hdbscan(OutlierPolicy::Keep),
        AlgorithmChoice::Hdbscan(OutlierPolicy::NearestCentroid),
        AlgorithmChoice::PcaKMeans,
        AlgorithmChoice::SpectralKMeans,
        AlgorithmChoice::SpectralKMeansSilhouette,
        AlgorithmChoice::UmapKMeans,
        AlgorithmChoice::UmapKMeansBest,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            AlgorithmChoice::KMeans => "kmeans",
            AlgorithmChoice::KMeansSilhouette => "kmeans-silhouette",
            AlgorithmChoice::Agglomerative(Linkage::Average) => "agglomerative-average",
            AlgorithmChoice::Agglomerative(Linkage::Complete) => "agglomerative-complete",
            AlgorithmChoice::Agglomerative(Linkage::Ward) => "agglomerative-ward",
            AlgorithmChoice::Hdbscan(OutlierPolicy::Keep) => "hdbscan",
            AlgorithmChoice::Hdbscan(OutlierPolicy::NearestCentroid) => "hdbscan-reassign",
            AlgorithmChoice::PcaKMeans => "pca-kmeans",
            AlgorithmChoice::SpectralKMeans => "spectral-kmeans",
            AlgorithmChoice::SpectralKMeansSilhouette => "spectral-kmeans-silhouette",
            AlgorithmChoice::UmapKMeans => "umap-kmeans",
            AlgorithmChoice::UmapKMeansBest => "umap-kmeans-best",
        }
    }

    /// The clusterer with its parameters.
    pub fn build(self, settings: &AlgorithmSettings) -> Box<dyn Clusterer> {
        let k = settings.k;
        let kmeans = KMeans::new(k).with_seed(settings.seed);
        let spectral = Spectral {
            neighbours: DEFAULT_NEIGHBOURS,
            dims: DEFAULT_SPECTRAL_DIMS,
            seed: settings.seed,
        };
        let umap = Umap {
            neighbours: DEFAULT_NEIGHBOURS,
            dims: DEFAULT_UMAP_DIMS,
            seed: settings.seed,
        };
        match self {
            AlgorithmChoice::KMeans => Box::new(kmeans),
            AlgorithmChoice::KMeansSilhouette => settings.k_range_kmeans(),
            AlgorithmChoice::SpectralKMeans => Box::new(Reduced {
                reduction: spectral,
                inner: kmeans,
            }),
            AlgorithmChoice::SpectralKMeansSilhouette => Box::new(Reduced {
                reduction: spectral,
                inner: settings.k_range_kmeans(),
            }),
            AlgorithmChoice::UmapKMeans => Box::new(Reduced {
                reduction: umap,
                inner: kmeans,
            }),
            AlgorithmChoice::UmapKMeansBest => Box::new(BestLayout {
                umap,
                layouts: DEFAULT_LAYOUTS,
                inner: kmeans,
            }),
            AlgorithmChoice::Agglomerative(linkage) => {
                Box::new(Agglomerative::new(linkage, Cut::Clusters(k)))
            }
            AlgorithmChoice::Hdbscan(policy) => {
                Box::new(Hdbscan::new(settings.min_cluster_size, policy))
            }
            AlgorithmChoice::PcaKMeans => Box::new(Reduced {
                reduction: Pca {
                    dims: settings.pca_dims,
                },
                inner: kmeans,
            }),
        }
    }
}

impl FromStr for AlgorithmChoice {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|a| a.name()).collect();
                Error::Setting(format!(
                    "unknown algorithm `{s}` (known: {})",
                    names.join(", ")
                ))
            })
    }
}

/// Seed of every random choice unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

/// Principal components kept by `pca-kmeans` unless told otherwise.
pub const DEFAULT_PCA_DIMS: usize = 50;

/// Parameters for the algorithms named by [`AlgorithmChoice`]; the defaults are the command
/// line's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlgorithmSettings {
    /// Clusters for the algorithms that take k (`bench`: the number of gold labels).
    pub k: usize,
    /// Fewest clusters `kmeans-silhouette` tries.
    pub k_min: usize,
    /// Most clusters `kmeans-silhouette` tries; `None`: one per
    /// [`POINTS_PER_CLUSTER_CEILING`](super::POINTS_PER_CLUSTER_CEILING) talks, at most
    /// [`AUTO_K_CEILING`](super::AUTO_K_CEILING).
    pub k_max: Option<usize>,
    /// HDBSCAN's min_cluster_size and min_samples.
    pub min_cluster_size: usize,
    /// Dimensions kept by pca-kmeans.
    pub pca_dims: usize,
    /// Seed of every random choice.
    pub seed: u64,
}

impl Default for AlgorithmSettings {
    fn default() -> Self {
        AlgorithmSettings {
            k: 10,
            k_min: 10,
            k_max: None,
            min_cluster_size: 10,
            pca_dims: DEFAULT_PCA_DIMS,
            seed: DEFAULT_SEED,
        }
    }
}

impl AlgorithmSettings {
    /// k-means with k chosen by silhouette in `k_min..=k_max`: plain k-means when the range is
    /// one k.
    fn k_range_kmeans(&self) -> Box<dyn Clusterer> {
        if self.k_max == Some(self.k_min) {
            Box::new(KMeans::new(self.k_min).with_seed(self.seed))
        } else {
            Box::new(SilhouetteKMeans {
                k_min: self.k_min,
                k_max: self.k_max,
                seed: self.seed,
            })
        }
    }

    /// Checks the parameters once, before any data is read.
    pub fn validate(&self) -> Result<()> {
        let invalid = |why: String| Err(Error::Setting(why));
        if self.k == 0 {
            return invalid("k 0: clusters must number at least 1".into());
        }
        if self.k_min == 0 {
            return invalid("k_min 0: clusters must number at least 1".into());
        }
        if let Some(k_max) = self.k_max.filter(|&k_max| self.k_min > k_max) {
            return invalid(format!(
                "k range {}..{k_max} is empty: k_min must be at most k_max",
                self.k_min
            ));
        }
        if self.min_cluster_size < 2 {
            return invalid(format!(
                "min_cluster_size {}: a cluster holds at least 2 points",
                self.min_cluster_size
            ));
        }
        if self.pca_dims == 0 {
            return invalid("pca_dims 0: at least one component is kept".into());
        }
        Ok(())
    }
}
