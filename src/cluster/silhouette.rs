//! The silhouette: how much closer each point is to its own cluster than to the nearest other
//! one, from -1 to 1; cosine on the vectors, Euclidean in a layout.

use ndarray::{Array2, ArrayView2, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Most points scored by silhouette; larger inputs are scored on a seeded sample.
pub const SILHOUETTE_SAMPLE: usize = 2000;

/// The clustered points scored by silhouette: all of them, or a seeded sample of
/// [`SILHOUETTE_SAMPLE`], in increasing order. Outliers (`None`) are never scored.
pub fn silhouette_sample(labels: &[Option<usize>], seed: u64) -> Vec<usize> {
    let clustered: Vec<usize> = (0..labels.len()).filter(|&i| labels[i].is_some()).collect();
    if clustered.len() <= SILHOUETTE_SAMPLE {
        return clustered;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut sample: Vec<usize> =
        rand::seq::index::sample(&mut rng, clustered.len(), SILHOUETTE_SAMPLE)
            .into_iter()
            .map(|i| clustered[i])
            .collect();
    sample.sort_unstable();
    sample
}

/// Mean silhouette over `sample` with cosine distance (`1 - x·y` on unit rows), computed among the
/// sampled points as scikit-learn's `silhouette_score(sample_size=...)` does. Points alone in their
/// cluster score 0. Every sampled point must have a label.
pub fn cosine_silhouette(
    x: ArrayView2<'_, f32>,
    labels: &[Option<usize>],
    sample: &[usize],
) -> f32 {
    let (rows, sample_labels) = sampled(x, labels, sample);
    silhouette_from_similarity(&rows.dot(&rows.t()), &sample_labels)
}

/// The rows of `x` in `sample` and their labels (every sampled point must have one).
fn sampled(
    x: ArrayView2<'_, f32>,
    labels: &[Option<usize>],
    sample: &[usize],
) -> (Array2<f32>, Vec<usize>) {
    let rows = x.select(Axis(0), sample);
    let sample_labels: Vec<usize> = sample.iter().filter_map(|&i| labels[i]).collect();
    debug_assert_eq!(sample_labels.len(), sample.len(), "sampled an outlier");
    (rows, sample_labels)
}

/// Mean silhouette from a matrix of pairwise cosine similarities and the points' labels.
pub(super) fn silhouette_from_similarity(similarity: &Array2<f32>, labels: &[usize]) -> f32 {
    mean_silhouette(labels, |i, j| 1.0 - f64::from(similarity[[i, j]]))
}

/// Mean silhouette with Euclidean distance over `sample` (increasing row indices of `x`, each
/// with a label), computed among the sampled rows: how well a partition separates a layout.
pub fn euclidean_silhouette(
    x: ArrayView2<'_, f32>,
    labels: &[Option<usize>],
    sample: &[usize],
) -> f32 {
    let (rows, sample_labels) = sampled(x, labels, sample);
    mean_silhouette(&sample_labels, |i, j| {
        rows.row(i)
            .iter()
            .zip(rows.row(j))
            .map(|(a, b)| f64::from(a - b).powi(2))
            .sum::<f64>()
            .sqrt()
    })
}

/// Mean silhouette of points with `labels` under `distance` between two of them. Points alone
/// in their cluster score 0.
fn mean_silhouette(labels: &[usize], distance: impl Fn(usize, usize) -> f64 + Sync) -> f32 {
    let k = labels.iter().max().map_or(0, |&m| m + 1);
    let n = labels.len();
    if k < 2 || n < 2 {
        return 0.0;
    }
    let scores: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut sum = vec![0f64; k];
            let mut count = vec![0usize; k];
            for (j, &label) in labels.iter().enumerate() {
                if j != i {
                    sum[label] += distance(i, j);
                    count[label] += 1;
                }
            }
            let own = labels[i];
            if count[own] == 0 {
                return 0.0;
            }
            let a = sum[own] / count[own] as f64;
            let b = (0..k)
                .filter(|&c| c != own && count[c] > 0)
                .map(|c| sum[c] / count[c] as f64)
                .fold(f64::INFINITY, f64::min);
            if b.is_infinite() {
                0.0
            } else {
                (b - a) / a.max(b)
            }
        })
        .collect();
    (scores.iter().sum::<f64>() / n as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silhouette_matches_a_hand_computed_value() {
        // Two points per cluster on orthogonal axes: a = 0, b = 1, silhouette 1 for each point.
        let x = ndarray::array![[1.0f32, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]];
        let labels = |l: [usize; 4]| l.map(Some);
        let all = [0, 1, 2, 3];
        assert!((cosine_silhouette(x.view(), &labels([0, 0, 1, 1]), &all) - 1.0).abs() < 1e-6);
        // Mixed clusters: each point has a = 1 (its partner is orthogonal) and b = 0.5.
        let s = cosine_silhouette(x.view(), &labels([0, 1, 0, 1]), &all);
        assert!((s - (-0.5)).abs() < 1e-6, "{s}");
    }

    #[test]
    fn euclidean_silhouette_matches_a_hand_computed_value() {
        // Points at 0, 1 (cluster 0) and 4 (cluster 1): a = 1, 1, 0 (alone); b = 4, 3, -.
        let x = ndarray::array![[0.0f32], [1.0], [4.0]];
        let labels = [Some(0), Some(0), Some(1)];
        let s = euclidean_silhouette(x.view(), &labels, &[0, 1, 2]);
        let expected = ((1.0 - 1.0 / 4.0) + (1.0 - 1.0 / 3.0) + 0.0) / 3.0;
        assert!((s - expected).abs() < 1e-6, "{s}");
    }

    #[test]
    fn outliers_are_never_sampled() {
        let labels: Vec<Option<usize>> = (0..5000).map(|i| (i % 3 != 0).then_some(i % 2)).collect();
        let sample = silhouette_sample(&labels, 1);
        assert_eq!(sample.len(), SILHOUETTE_SAMPLE);
        assert!(sample.iter().all(|&i| labels[i].is_some()));
        assert!(sample.windows(2).all(|w| w[0] < w[1]));
    }
}
