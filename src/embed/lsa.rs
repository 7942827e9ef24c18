//! A model-free baseline embedder: TF-IDF vectors of the texts, reduced by truncated SVD (latent
//! semantic analysis), as scikit-learn's `TfidfVectorizer` + `TruncatedSVD` + `Normalizer`. The
//! SVD is the randomised one of Halko et al. (scikit-learn's default), seeded.

use std::collections::BTreeMap;

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::{normalise_rows, Embedder};
use crate::error::Result;
use crate::text::words;

/// TF-IDF + truncated SVD, fitted on the very texts it embeds.
#[derive(Debug, Clone)]
pub struct TfidfLsa {
    /// Dimensions kept.
    pub dims: usize,
    /// Words in fewer texts than this are dropped.
    pub min_df: usize,
    /// Seed of the random projection.
    pub seed: u64,
}

impl Default for TfidfLsa {
    fn default() -> Self {
        TfidfLsa {
            dims: 100,
            min_df: 2,
            seed: 42,
        }
    }
}

/// Extra random directions beyond `dims`, and power iterations, as scikit-learn's defaults.
const OVERSAMPLES: usize = 10;
const POWER_ITERATIONS: usize = 5;

/// A sparse matrix by rows: (column, value) pairs.
struct SparseRows {
    rows: Vec<Vec<(usize, f64)>>,
    cols: usize,
}

impl SparseRows {
    /// `self * m` for a dense `m` with one row per column of `self`.
    fn times(&self, m: &DMatrix<f64>) -> DMatrix<f64> {
        let out: Vec<Vec<f64>> = self
            .rows
            .par_iter()
            .map(|row| {
                let mut acc = vec![0.0; m.ncols()];
                for &(j, v) in row {
                    for (a, &b) in acc.iter_mut().zip(m.row(j).iter()) {
                        *a += v * b;
                    }
                }
                acc
            })
            .collect();
        DMatrix::from_fn(self.rows.len(), m.ncols(), |i, c| out[i][c])
    }

    /// `selfᵀ * m` for a dense `m` with one row per row of `self`.
    fn transpose_times(&self, m: &DMatrix<f64>) -> DMatrix<f64> {
        let mut out = DMatrix::zeros(self.cols, m.ncols());
        for (i, row) in self.rows.iter().enumerate() {
            for &(j, v) in row {
                for c in 0..m.ncols() {
                    out[(j, c)] += v * m[(i, c)];
                }
            }
        }
        out
    }
}

impl TfidfLsa {
    /// TF-IDF rows (smooth idf, L2-normalised), as scikit-learn's `TfidfVectorizer` defaults.
    fn tfidf(&self, texts: &[&str]) -> SparseRows {
        let counts: Vec<BTreeMap<String, f64>> = texts
            .par_iter()
            .map(|t| {
                let mut c = BTreeMap::new();
                for w in words(t) {
                    *c.entry(w).or_insert(0.0) += 1.0;
                }
                c
            })
            .collect();
        let mut df: BTreeMap<&str, usize> = BTreeMap::new();
        for c in &counts {
            for w in c.keys() {
                *df.entry(w).or_insert(0) += 1;
            }
        }
        let n = texts.len() as f64;
        let vocabulary: BTreeMap<&str, (usize, f64)> = df
            .into_iter()
            .filter(|&(_, d)| d >= self.min_df)
            .enumerate()
            .map(|(j, (w, d))| (w, (j, ((1.0 + n) / (1.0 + d as f64)).ln() + 1.0)))
            .collect();
        let rows = counts
            .iter()
            .map(|c| {
                let mut row: Vec<(usize, f64)> = c
                    .iter()
                    .filter_map(|(w, &tf)| {
                        vocabulary.get(w.as_str()).map(|&(j, idf)| (j, tf * idf))
                    })
                    .collect();
                let norm = row.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
                if norm > 0.0 {
                    row.iter_mut().for_each(|(_, v)| *v /= norm);
                }
                row
            })
            .collect();
        SparseRows {
            rows,
            cols: vocabulary.len(),
        }
    }
}

/// An orthonormal basis of the columns of `m`.
fn orthonormal(m: DMatrix<f64>) -> DMatrix<f64> {
    m.qr().q()
}

impl Embedder for TfidfLsa {
    fn model_id(&self) -> &str {
        "tfidf-lsa"
    }

    fn checksum(&self) -> &str {
        "none (fitted on the texts)"
    }

    fn engine(&self) -> &str {
        "tfidf-lsa"
    }

    fn dim(&self) -> usize {
        self.dims
    }

    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>> {
        let x = self.tfidf(texts);
        let n = texts.len();
        let rank = self.dims.min(n).min(x.cols);
        let mut out = Array2::<f32>::zeros((n, self.dims));
        if rank == 0 {
            progress(n);
            return Ok(out);
        }
        let width = (rank + OVERSAMPLES).min(n).min(x.cols);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let omega = DMatrix::from_fn(x.cols, width, |_, _| rng.random_range(-1.0..1.0));
        let mut q = orthonormal(x.times(&omega));
        for _ in 0..POWER_ITERATIONS {
            let z = orthonormal(x.transpose_times(&q));
            q = orthonormal(x.times(&z));
        }
        // B = Qᵀ X is small (width x vocabulary); B Bᵀ = U Σ² Uᵀ gives the top singular vectors.
        let bt = x.transpose_times(&q);
        let gram = bt.transpose() * &bt;
        let eigen = SymmetricEigen::new(gram);
        let mut order: Vec<usize> = (0..width).collect();
        order.sort_by(|&a, &b| {
            eigen.eigenvalues[b]
                .total_cmp(&eigen.eigenvalues[a])
                .then(a.cmp(&b))
        });
        // X V = Q U Σ: the texts' coordinates on the top singular directions.
        let qu = &q * &eigen.eigenvectors;
        for (c, &axis) in order.iter().take(rank).enumerate() {
            let sigma = eigen.eigenvalues[axis].max(0.0).sqrt();
            for i in 0..n {
                out[[i, c]] = (qu[(i, axis)] * sigma) as f32;
            }
        }
        normalise_rows(&mut out);
        progress(n);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_on_one_subject_embed_close_together() {
        let texts = [
            "envoy proxy service mesh istio sidecar",
            "istio service mesh with envoy sidecar proxies",
            "mesh sidecar envoy istio traffic",
            "gpu training kubeflow machine learning models",
            "machine learning models trained on gpu with kubeflow",
            "kubeflow pipelines gpu learning",
        ];
        let lsa = TfidfLsa {
            dims: 2,
            min_df: 2,
            seed: 1,
        };
        let x = lsa.embed(&texts).unwrap();
        assert_eq!(x.dim(), (6, 2));
        let sim = x.dot(&x.t());
        assert!(sim[[0, 1]] > 0.9 && sim[[3, 4]] > 0.9, "{sim}");
        assert!(sim[[0, 3]] < 0.3, "{sim}");
        assert_eq!(lsa.embed(&texts).unwrap(), x, "seeded: the same every time");
    }
}
