//! Principal component analysis, and clustering on the principal components: the projection
//! drops the directions in which talks barely differ, which are mostly noise for clustering.

use nalgebra::{DMatrix, SymmetricEigen};
use ndarray::{Array1, Array2, ArrayView2, Axis};

use super::Reduction;
use crate::embed::normalise_rows;
use crate::error::{Error, Result};

/// PCA to a number of dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pca {
    /// Components kept.
    pub dims: usize,
}

/// A fitted PCA: the mean and the principal axes.
#[derive(Debug, Clone)]
pub struct PcaModel {
    /// Mean of the training rows.
    pub mean: Array1<f32>,
    /// One principal axis per row, by decreasing variance; each axis's largest coordinate is
    /// positive, so the signs are fixed.
    pub components: Array2<f32>,
    /// Variance along each axis.
    pub variance: Vec<f32>,
}

impl Pca {
    /// Finds the principal axes of the rows of `x` (eigenvectors of the covariance matrix).
    pub fn fit(&self, x: ArrayView2<'_, f32>) -> Result<PcaModel> {
        let (n, d) = x.dim();
        if self.dims == 0 || self.dims > d || n < 2 {
            return Err(Error::Data(format!(
                "PCA to {} dimensions needs at least 2 rows of at least that width, not {n} x {d}",
                self.dims
            )));
        }
        let wide = x.mapv(f64::from);
        let mean = wide.mean_axis(Axis(0)).expect("rows");
        let centred = &wide - &mean;
        let covariance = centred.t().dot(&centred) / (n - 1) as f64;
        let matrix = DMatrix::from_row_slice(d, d, covariance.as_slice().expect("standard layout"));
        let eigen = SymmetricEigen::new(matrix);
        let mut order: Vec<usize> = (0..d).collect();
        order.sort_by(|&a, &b| {
            eigen.eigenvalues[b]
                .total_cmp(&eigen.eigenvalues[a])
                .then(a.cmp(&b))
        });
        let mut components = Array2::<f32>::zeros((self.dims, d));
        for (row, &axis) in order.iter().take(self.dims).enumerate() {
            let v = eigen.eigenvectors.column(axis);
            let largest = v
                .iter()
                .fold(0f64, |m, &c| if c.abs() > m.abs() { c } else { m });
            let sign = if largest < 0.0 { -1.0 } else { 1.0 };
            for (j, &c) in v.iter().enumerate() {
                components[[row, j]] = (sign * c) as f32;
            }
        }
        Ok(PcaModel {
            mean: mean.mapv(|m| m as f32),
            components,
            variance: order
                .iter()
                .take(self.dims)
                .map(|&a| eigen.eigenvalues[a].max(0.0) as f32)
                .collect(),
        })
    }
}

impl PcaModel {
    /// Coordinates of the rows of `x` on the principal axes.
    pub fn transform(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        (&x - &self.mean).dot(&self.components.t())
    }
}

/// The vectors on their first `dims` principal components (at most their width), renormalised
/// to unit length: k-means on them, or HDBSCAN, whose density estimates need few dimensions
/// (BERTopic reduces to 5 with UMAP for the same reason).
impl Reduction for Pca {
    fn name(&self) -> &'static str {
        "pca"
    }

    fn params(&self) -> String {
        format!("dims={}", self.dims)
    }

    fn reduce(&self, x: ArrayView2<'_, f32>) -> Result<Option<Array2<f32>>> {
        let dims = self.dims.min(x.ncols());
        let mut projected = Pca { dims }.fit(x)?.transform(x);
        normalise_rows(&mut projected);
        Ok(Some(projected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_first_axis_follows_the_largest_spread() {
        // Points spread along (1, 1) with a little noise along (1, -1).
        let x = array![
            [-2.0f32, -2.1],
            [-1.0, -0.9],
            [0.0, 0.1],
            [1.0, 0.9],
            [2.0, 2.1]
        ];
        let model = Pca { dims: 1 }.fit(x.view()).unwrap();
        let axis = model.components.row(0);
        let s = std::f32::consts::FRAC_1_SQRT_2;
        assert!(
            (axis[0] - s).abs() < 0.02 && (axis[1] - s).abs() < 0.02,
            "{axis}"
        );
        let projected = model.transform(x.view());
        assert!(projected[[0, 0]] < -2.5 && projected[[4, 0]] > 2.5);
        assert!(model.variance[0] > 4.0);
        assert!(Pca { dims: 3 }.fit(x.view()).is_err());
    }
}
