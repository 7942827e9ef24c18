//! A clusterer run on the best of several seeded UMAP layouts. A UMAP layout moves with its
//! seed, and k-means' agreement with the labels moves with it (ARI 0.22 to 0.31 over twelve
//! seeds on kubecon_talks). Each layout is partitioned and the one whose partition has the
//! highest silhouette in the layout itself is kept: a choice made without labels, and the same
//! whatever the thread count (layouts are independent, ties go to the lowest seed).

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::silhouette::{euclidean_silhouette, silhouette_sample};
use super::{Clusterer, Partition, Umap};
use crate::error::Result;

/// UMAP layouts tried by `umap-kmeans-best` unless told otherwise.
pub const DEFAULT_LAYOUTS: usize = 10;

/// `inner` on each of `layouts` UMAP layouts (seeds `umap.seed`, `umap.seed + 1`, ...), the
/// partition of the best-separated layout kept.
#[derive(Debug, Clone)]
pub struct BestLayout<C> {
    /// The first layout's parameters; the others differ in their seed only.
    pub umap: Umap,
    /// Layouts tried (at least one).
    pub layouts: usize,
    /// The clusterer run on each layout.
    pub inner: C,
}

impl<C: Clusterer> Clusterer for BestLayout<C> {
    fn name(&self) -> String {
        format!("umap-{}-best", self.inner.name())
    }

    fn params(&self) -> String {
        format!(
            "neighbours={} dims={} layouts={} {}",
            self.umap.neighbours,
            self.umap.dims,
            self.layouts,
            self.inner.params()
        )
    }

    fn partition(&self, x: ArrayView2<'_, f32>) -> Result<Partition> {
        if x.nrows() < self.umap.dims + 2 {
            return self.inner.partition(x);
        }
        let scored = (0..self.layouts.max(1) as u64)
            .into_par_iter()
            .map(|offset| {
                let umap = Umap {
                    seed: self.umap.seed.wrapping_add(offset),
                    ..self.umap
                };
                let layout = umap.embed(x)?;
                let partition = self.inner.partition(layout.view())?;
                let sample = silhouette_sample(&partition.labels, umap.seed);
                let score = euclidean_silhouette(layout.view(), &partition.labels, &sample);
                Ok((score, partition))
            })
            .collect::<Result<Vec<_>>>()?;
        let best = scored
            .into_iter()
            .reduce(|best, next| if next.0 > best.0 { next } else { best })
            .expect("at least one layout");
        Ok(best.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests::two_chains;
    use crate::cluster::KMeans;
    use ndarray::Array2;
    use rand::{Rng, SeedableRng};

    /// 60 random unit vectors in 8 dimensions: no true clusters, so layouts of different seeds
    /// split them differently.
    fn noise() -> Array2<f32> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut x = Array2::from_shape_fn((60, 8), |_| rng.random::<f32>() - 0.5);
        for mut row in x.rows_mut() {
            let norm = row.dot(&row).sqrt();
            row /= norm;
        }
        x
    }

    fn four_on_noise(layouts: usize) -> BestLayout<KMeans> {
        BestLayout {
            umap: Umap {
                neighbours: 8,
                dims: 2,
                seed: 3,
            },
            layouts,
            inner: KMeans::new(4),
        }
    }

    #[test]
    fn the_best_separated_layout_is_kept_whatever_the_thread_count() {
        let x = noise();
        let algorithm = four_on_noise(4);
        let at = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| algorithm.partition(x.view()).unwrap().labels)
        };
        let chosen = at(2);
        assert_eq!(at(1), chosen);
        // The layouts one by one: the chosen partition is the one of highest silhouette.
        let scored: Vec<(f32, Vec<Option<usize>>)> = (0..4)
            .map(|offset| {
                let umap = Umap {
                    seed: 3 + offset,
                    ..algorithm.umap
                };
                let layout = umap.embed(x.view()).unwrap();
                let labels = KMeans::new(4).partition(layout.view()).unwrap().labels;
                let all: Vec<usize> = (0..x.nrows()).collect();
                (euclidean_silhouette(layout.view(), &labels, &all), labels)
            })
            .collect();
        let distinct = scored.iter().filter(|(_, l)| *l != scored[0].1).count();
        assert!(
            distinct > 0,
            "the layouts should differ for this test to mean something"
        );
        let best = scored.iter().fold(
            &scored[0],
            |best, next| if next.0 > best.0 { next } else { best },
        );
        assert_eq!(chosen, best.1);
    }

    #[test]
    fn best_layout_separates_two_chains_and_names_itself() {
        let x = two_chains(20);
        let algorithm = BestLayout {
            umap: Umap {
                neighbours: 6,
                dims: 2,
                seed: 1,
            },
            layouts: 3,
            inner: KMeans::new(2),
        };
        assert_eq!(algorithm.name(), "umap-kmeans-best");
        let labels = algorithm.partition(x.view()).unwrap().labels;
        assert!(labels[..20].iter().all(|&l| l == labels[0]));
        assert!(labels[20..].iter().all(|&l| l == labels[20]));
        assert_ne!(labels[0], labels[20]);
    }
}
