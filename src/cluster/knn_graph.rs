//! The fuzzy k-nearest-neighbour graph UMAP builds over cosine distance, and the leading
//! eigenvectors of its normalised adjacency: shared by the spectral embedding and the UMAP layout.

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{s, Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Subspace iterations, a fixed number so the work is known. Where the leading eigenvalues lie
/// close together (a long chain of talks) the subspace has not settled on the exact eigenvectors
/// by then and is a diffusion-smoothed mix of them, which is what power-iteration clustering
/// (Lin and Cohen, 2010) clusters on deliberately.
const ITERATIONS: usize = 400;

/// Rows of the similarity matrix computed at once when finding neighbours.
const BLOCK: usize = 512;

/// A symmetric sparse graph: each point's neighbours and edge weights, by neighbour index.
pub(super) struct Graph {
    /// Each point's neighbours (both directions of every edge), by index.
    pub(super) edges: Vec<Vec<(usize, f64)>>,
}

impl Graph {
    /// UMAP's fuzzy simplicial set on cosine distance over `neighbours` points, the point
    /// itself included as in umap-learn: each point's `neighbours` - 1 nearest others (all of
    /// them on fewer points) weighted exp(-(d - rho) / sigma), rho the nearest distance and sigma
    /// such that the weights sum to log2(neighbours); then w + w' - w w' for each pair.
    pub(super) fn fuzzy_knn(x: ArrayView2<'_, f32>, neighbours: usize) -> Graph {
        let n = x.nrows();
        let k = neighbours.saturating_sub(1).min(n.saturating_sub(1));
        let directed: Vec<Vec<(usize, f64)>> = (0..n.div_ceil(BLOCK))
            .into_par_iter()
            .flat_map_iter(|b| {
                let rows = x.slice(s![b * BLOCK..((b + 1) * BLOCK).min(n), ..]);
                let similarity = rows.dot(&x.t());
                (0..rows.nrows())
                    .map(|r| {
                        let point = b * BLOCK + r;
                        fuzzy_neighbourhood(point, similarity.row(r).as_slice().expect("row"), k)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut edges: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for (i, neighbours) in directed.iter().enumerate() {
            for &(j, w) in neighbours {
                edges[i].push((j, w));
                edges[j].push((i, w));
            }
        }
        for list in &mut edges {
            list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            let mut merged: Vec<(usize, f64)> = Vec::with_capacity(list.len());
            for &(j, w) in list.iter() {
                match merged.last_mut() {
                    Some((last, v)) if *last == j => *v = *v + w - *v * w,
                    _ => merged.push((j, w)),
                }
            }
            *list = merged;
        }
        Graph { edges }
    }

    /// The leading eigenvectors of D^-1/2 W D^-1/2 by subspace iteration on (I + A) / 2 (whose
    /// eigenvalues lie in [0, 1], so the leading ones are the largest of A), seeded, then
    /// rotated onto the eigenvectors of the subspace (Rayleigh-Ritz).
    pub(super) fn leading_eigenvectors(&self, dims: usize, seed: u64) -> Array2<f32> {
        let n = self.edges.len();
        let inv_sqrt_degree: Vec<f64> = self
            .edges
            .iter()
            .map(|e| {
                let d: f64 = e.iter().map(|&(_, w)| w).sum();
                if d > 0.0 {
                    1.0 / d.sqrt()
                } else {
                    0.0
                }
            })
            .collect();
        let adjacency = |y: &Array2<f64>| -> Array2<f64> {
            let rows: Vec<Vec<f64>> = (0..n)
                .into_par_iter()
                .map(|i| {
                    let mut row = vec![0.0; dims];
                    for &(j, w) in &self.edges[i] {
                        let scale = w * inv_sqrt_degree[i] * inv_sqrt_degree[j];
                        for (r, &v) in row.iter_mut().zip(y.row(j)) {
                            *r += scale * v;
                        }
                    }
                    row
                })
                .collect();
            Array2::from_shape_vec((n, dims), rows.concat()).expect("n x dims")
        };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut y = Array2::from_shape_fn((n, dims), |_| rng.random::<f64>() - 0.5);
        orthonormalise(&mut y);
        for _ in 0..ITERATIONS {
            y = (&adjacency(&y) + &y) * 0.5;
            orthonormalise(&mut y);
        }
        let projected = y.t().dot(&adjacency(&y));
        let symmetric = (&projected + &projected.t()) * 0.5;
        let eigen = SymmetricEigen::new(DMatrix::from_row_slice(
            dims,
            dims,
            symmetric.as_slice().expect("standard layout"),
        ));
        let mut order: Vec<usize> = (0..dims).collect();
        order.sort_by(|&a, &b| {
            eigen.eigenvalues[b]
                .total_cmp(&eigen.eigenvalues[a])
                .then(a.cmp(&b))
        });
        let rotation =
            Array2::from_shape_fn((dims, dims), |(r, c)| eigen.eigenvectors[(r, order[c])]);
        let mut vectors = y.dot(&rotation);
        for mut column in vectors.columns_mut() {
            let largest = column
                .iter()
                .fold(0f64, |m, &c| if c.abs() > m.abs() { c } else { m });
            if largest < 0.0 {
                column.mapv_inplace(|c| -c);
            }
        }
        vectors.mapv(|v| v as f32)
    }
}

/// The `k` most similar other points to `point` (ties: lower index) with UMAP's fuzzy weights,
/// summing to log2(k + 1).
fn fuzzy_neighbourhood(point: usize, similarity: &[f32], k: usize) -> Vec<(usize, f64)> {
    let mut candidates: Vec<(usize, f32)> = similarity
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != point)
        .map(|(j, &s)| (j, s))
        .collect();
    let order = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let k = k.min(candidates.len());
    if k < candidates.len() {
        candidates.select_nth_unstable_by(k, order);
        candidates.truncate(k);
    }
    candidates.sort_by(order);
    let distances: Vec<f64> = candidates
        .iter()
        .map(|&(_, s)| (1.0 - f64::from(s)).max(0.0))
        .collect();
    let rho = distances.first().copied().unwrap_or(0.0);
    let target = ((k + 1) as f64).log2();
    let total = |sigma: f64| -> f64 {
        distances
            .iter()
            .map(|&d| (-((d - rho).max(0.0)) / sigma).exp())
            .sum()
    };
    // Binary search for sigma, as UMAP's smooth_knn_dist does.
    let (mut low, mut high) = (0.0f64, f64::INFINITY);
    let mut sigma = 1.0;
    for _ in 0..64 {
        if total(sigma) > target {
            high = sigma;
            sigma = (low + high) / 2.0;
        } else {
            low = sigma;
            sigma = if high.is_finite() {
                (low + high) / 2.0
            } else {
                sigma * 2.0
            };
        }
    }
    candidates
        .iter()
        .zip(&distances)
        .map(|(&(j, _), &d)| (j, (-((d - rho).max(0.0)) / sigma).exp()))
        .collect()
}

/// Makes the columns of `y` orthonormal (modified Gram-Schmidt, in column order).
fn orthonormalise(y: &mut Array2<f64>) {
    for c in 0..y.ncols() {
        for p in 0..c {
            let dot = y.column(c).dot(&y.column(p));
            let previous = y.column(p).to_owned();
            y.column_mut(c).scaled_add(-dot, &previous);
        }
        let norm = y.column(c).dot(&y.column(c)).sqrt();
        if norm > 0.0 {
            y.column_mut(c).mapv_inplace(|v| v / norm);
        }
    }
}
