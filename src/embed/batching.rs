//! How the transformer engines cut texts into forward passes: longest first, as
//! sentence-transformers' `encode` does, so each batch pads little, and at most `batch_size` texts
//! and `token_budget` padded tokens per batch, so a batch of long texts is smaller than one of
//! short texts and the attention activations, which grow with the square of the length, stay
//! bounded.

use ndarray::{Array2, ArrayView1};

use super::normalise_rows;
use crate::error::Result;

/// Texts per forward pass, as sentence-transformers' default.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// Most tokens (texts x longest, padding included) per forward pass.
pub const DEFAULT_TOKEN_BUDGET: usize = 2048;

/// Limits on one forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Batching {
    /// Most texts per batch (0 counts as 1).
    pub batch_size: usize,
    /// Most tokens per batch, padding included (a longer text still gets a batch of its own).
    pub token_budget: usize,
}

impl Default for Batching {
    fn default() -> Self {
        Batching {
            batch_size: DEFAULT_BATCH_SIZE,
            token_budget: DEFAULT_TOKEN_BUDGET,
        }
    }
}

impl Batching {
    /// Embeds `texts` (`tokens[i]` is the length of text `i` after truncation) batch by batch
    /// with `embed_batch`, which gets the indices of one batch's texts and returns their pooled
    /// vectors in that order. Rows come back in input order and L2-normalised; `progress` gets the
    /// number of texts done after each batch. Ties in length are broken by the text, so the
    /// batches, and thus every bit of every vector, do not depend on the input order.
    pub(super) fn embed(
        &self,
        texts: &[&str],
        tokens: &[usize],
        dim: usize,
        progress: &dyn Fn(usize),
        mut embed_batch: impl FnMut(&[usize]) -> Result<Vec<Vec<f32>>>,
    ) -> Result<Array2<f32>> {
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(tokens[i]), texts[i]));
        let mut out = Array2::<f32>::zeros((texts.len(), dim));
        let mut done = 0;
        for chunk in self.split(&order, tokens) {
            for (&i, vector) in chunk.iter().zip(embed_batch(chunk)?) {
                out.row_mut(i).assign(&ArrayView1::from(&vector));
            }
            done += chunk.len();
            progress(done);
        }
        normalise_rows(&mut out);
        Ok(out)
    }

    /// Splits `order` (texts, longest first) into batches within both limits.
    fn split<'o>(&self, order: &'o [usize], tokens: &[usize]) -> Vec<&'o [usize]> {
        let mut batches = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let longest = tokens[order[start]].max(1);
            let fit = (self.token_budget / longest).clamp(1, self.batch_size.max(1));
            let end = (start + fit).min(order.len());
            batches.push(&order[start..end]);
            start = end;
        }
        batches
    }
}

#[cfg(test)]
mod tests {
    use super::Batching;

    fn limits(batch_size: usize, token_budget: usize) -> Batching {
        Batching {
            batch_size,
            token_budget,
        }
    }

    #[test]
    fn batches_respect_both_the_text_and_the_token_limits() {
        // Lengths of texts 0..6; longest first.
        let tokens = [256, 10, 300, 100, 100, 12];
        let order = [2, 0, 3, 4, 5, 1];
        let batches = limits(4, 512).split(&order, &tokens);
        // 300 tokens: one text fits the budget; 256: two; 100: up to five, capped at four texts.
        assert_eq!(batches, [&[2][..], &[0, 3][..], &[4, 5, 1][..]]);
        assert_eq!(limits(1, 1_000_000).split(&order, &tokens).len(), 6);
        let too_long = limits(32, 2048).split(&[0], &[5000]);
        assert_eq!(
            too_long,
            [&[0][..]],
            "a text over the budget still gets a batch"
        );
    }

    #[test]
    fn rows_come_back_in_input_order_whatever_the_batching() {
        let texts = ["bb", "a", "cccc", "dd"];
        let tokens = [2, 1, 4, 2];
        let mut seen = Vec::new();
        let out = limits(2, 4)
            .embed(&texts, &tokens, 2, &|_| {}, |batch| {
                seen.push(batch.to_vec());
                // A vector that names its text: (length, index).
                Ok(batch
                    .iter()
                    .map(|&i| vec![tokens[i] as f32, i as f32])
                    .collect())
            })
            .unwrap();
        // Longest first, ties by text ("bb" before "dd"); 4 tokens per batch.
        assert_eq!(seen, [vec![2], vec![0, 3], vec![1]]);
        for (i, row) in out.rows().into_iter().enumerate() {
            let norm = (tokens[i] as f32).hypot(i as f32);
            assert!((row[0] - tokens[i] as f32 / norm).abs() < 1e-6, "row {i}");
            assert!((row[1] - i as f32 / norm).abs() < 1e-6, "row {i}");
        }
    }
}
