//! Agglomerative (hierarchical) clustering: average and complete linkage on cosine distance, Ward
//! on the unit vectors' Euclidean distance, cut at a number of clusters or at a distance. The
//! dendrogram comes from the kodama crate (the algorithms of fastcluster/scipy).

use kodama::{linkage, Method};
use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

use super::{Clusterer, Partition};
use crate::error::{Error, Result};

/// How the distance between two clusters is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// Mean cosine distance between their points.
    Average,
    /// Largest cosine distance between their points.
    Complete,
    /// Increase in within-cluster variance (Euclidean distance on unit vectors).
    Ward,
}

/// Where the dendrogram is cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cut {
    /// Into this many clusters.
    Clusters(usize),
    /// Merge only clusters closer than this (cosine distance, or Euclidean for Ward).
    Distance(f32),
}

/// Agglomerative clustering with a linkage and a cut.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Agglomerative {
    /// Cluster distance.
    pub linkage: Linkage,
    /// Where to cut.
    pub cut: Cut,
}

impl Agglomerative {
    /// Agglomerative clustering with `linkage`, cut at `cut`.
    pub fn new(linkage: Linkage, cut: Cut) -> Self {
        Agglomerative { linkage, cut }
    }
}

/// Rows per block when filling the distance matrix.
const BLOCK: usize = 256;

impl Clusterer for Agglomerative {
    fn name(&self) -> String {
        let linkage = match self.linkage {
            Linkage::Average => "average",
            Linkage::Complete => "complete",
            Linkage::Ward => "ward",
        };
        format!("agglomerative-{linkage}")
    }

    fn params(&self) -> String {
        match self.cut {
            Cut::Clusters(k) => format!("k={k}"),
            Cut::Distance(d) => format!("distance<={d}"),
        }
    }

    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition> {
        let n = x.nrows();
        match self.cut {
            Cut::Clusters(k) if k == 0 || k > n => {
                return Err(Error::Data(format!(
                    "k = {k} clusters needs between 1 and {n} points"
                )))
            }
            Cut::Distance(d) if d.is_nan() || d < 0.0 => {
                return Err(Error::Setting(format!("cut distance {d} is not >= 0")))
            }
            _ => {}
        }
        if n < 2 {
            return Ok(Partition {
                labels: vec![Some(0); n],
                tried: Vec::new(),
            });
        }
        let mut condensed = self.condensed_distances(x);
        let dendrogram = linkage(&mut condensed, n, self.method());
        let steps = dendrogram.steps();
        // Steps to apply: the n - k closest merges, or every merge within the distance.
        let mut by_distance: Vec<usize> = (0..steps.len()).collect();
        by_distance.sort_by(|&a, &b| {
            steps[a]
                .dissimilarity
                .total_cmp(&steps[b].dissimilarity)
                .then(a.cmp(&b))
        });
        let applied: Vec<usize> = match self.cut {
            Cut::Clusters(k) => by_distance[..n - k].to_vec(),
            Cut::Distance(d) => by_distance
                .into_iter()
                .filter(|&s| steps[s].dissimilarity <= d)
                .collect(),
        };
        // A node of the dendrogram (leaf i, or n + s for step s) stands for one of its leaves.
        let mut leaf_of: Vec<usize> = (0..n).collect();
        for step in steps {
            leaf_of.push(leaf_of[step.cluster1]);
        }
        let mut groups = UnionFind::new(n);
        for s in applied {
            groups.union(leaf_of[steps[s].cluster1], leaf_of[steps[s].cluster2]);
        }
        let roots: Vec<usize> = (0..n).map(|i| groups.find(i)).collect();
        let mut label_of_root = std::collections::BTreeMap::new();
        let labels = roots
            .iter()
            .map(|r| {
                let next = label_of_root.len();
                Some(*label_of_root.entry(*r).or_insert(next))
            })
            .collect();
        Ok(Partition {
            labels,
            tried: Vec::new(),
        })
    }
}

impl Agglomerative {
    fn method(&self) -> Method {
        match self.linkage {
            Linkage::Average => Method::Average,
            Linkage::Complete => Method::Complete,
            Linkage::Ward => Method::Ward,
        }
    }

    /// The upper triangle of the pairwise distance matrix, row by row, as kodama takes it.
    fn condensed_distances(&self, x: ArrayView2<'_, f32>) -> Vec<f32> {
        let n = x.nrows();
        let ward = self.linkage == Linkage::Ward;
        let blocks: Vec<(usize, ArrayView2<'_, f32>)> = x
            .axis_chunks_iter(Axis(0), BLOCK)
            .enumerate()
            .map(|(b, rows)| (b * BLOCK, rows))
            .collect();
        let parts: Vec<Vec<f32>> = blocks
            .par_iter()
            .map(|&(start, rows)| {
                let dots = rows.dot(&x.t());
                let mut out = Vec::new();
                for (offset, row) in dots.rows().into_iter().enumerate() {
                    let i = start + offset;
                    out.extend(row.iter().skip(i + 1).map(|&dot| {
                        let cosine = (1.0 - dot).max(0.0);
                        if ward {
                            (2.0 * cosine).sqrt()
                        } else {
                            cosine
                        }
                    }));
                }
                out
            })
            .collect();
        let mut condensed = Vec::with_capacity(n * (n - 1) / 2);
        for part in parts {
            condensed.extend(part);
        }
        condensed
    }
}

/// Disjoint sets over `0..n` with path halving; the smaller index is always the root.
struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
        }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        let (low, high) = (a.min(b), a.max(b));
        self.parent[high] = low;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Points on the unit circle at these angles (degrees).
    fn circle(angles: &[f32]) -> ndarray::Array2<f32> {
        let mut m = ndarray::Array2::zeros((angles.len(), 2));
        for (i, a) in angles.iter().enumerate() {
            m[[i, 0]] = a.to_radians().cos();
            m[[i, 1]] = a.to_radians().sin();
        }
        m
    }

    #[test]
    fn linkages_cut_a_chain_and_a_far_point() {
        // A chain at 0, 20, 40 and 60 degrees and a far point at 150: at k = 2 every linkage sets
        // the far point apart; at k = 3 complete linkage halves the chain.
        let x = circle(&[0.0, 20.0, 40.0, 60.0, 150.0]);
        let labels = |linkage| {
            Agglomerative::new(linkage, Cut::Clusters(2))
                .partition(x.view())
                .unwrap()
                .labels
        };
        let two = [Some(0), Some(0), Some(0), Some(0), Some(1)];
        assert_eq!(labels(Linkage::Average), two);
        assert_eq!(labels(Linkage::Complete), two);
        assert_eq!(labels(Linkage::Ward), two);
        let split = Agglomerative::new(Linkage::Complete, Cut::Clusters(3))
            .partition(x.view())
            .unwrap()
            .labels;
        assert_eq!(split[0], split[1]);
        assert_eq!(split[2], split[3]);
        assert_ne!(split[1], split[2]);
    }

    #[test]
    fn a_distance_cut_merges_only_close_clusters() {
        let x = circle(&[0.0, 10.0, 90.0, 100.0]);
        // cos(10°) = 0.985: distance 0.015 within pairs, about 0.83 to 1 across.
        let cut = |d| {
            Agglomerative::new(Linkage::Average, Cut::Distance(d))
                .partition(x.view())
                .unwrap()
                .labels
        };
        assert_eq!(cut(0.1), [Some(0), Some(0), Some(1), Some(1)]);
        assert_eq!(cut(0.001), [Some(0), Some(1), Some(2), Some(3)]);
        assert_eq!(cut(2.0), [Some(0); 4]);
    }

    #[test]
    fn condensed_matrix_holds_cosine_or_euclidean_distances() {
        let x = array![[1.0f32, 0.0], [0.0, 1.0], [-1.0, 0.0]];
        let cosine =
            Agglomerative::new(Linkage::Average, Cut::Clusters(1)).condensed_distances(x.view());
        assert_eq!(cosine, [1.0, 2.0, 1.0]);
        let ward =
            Agglomerative::new(Linkage::Ward, Cut::Clusters(1)).condensed_distances(x.view());
        let expected = [2f32.sqrt(), 2.0, 2f32.sqrt()];
        assert!(ward.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-6));
    }
}
