//! The default engine: all-MiniLM-L6-v2 on candle, reproducing sentence-transformers' `encode`:
//! texts sorted by length, batches padded to their longest text, right truncation at
//! `max_seq_length`, mean pooling over the attention mask, then L2 normalisation. Batches hold at
//! most `batch_size` texts and at most `token_budget` tokens with padding, so a batch of long texts
//! is smaller than one of short texts: the attention activations, which grow with the square of
//! the length, stay bounded.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;
use ndarray::Array2;
use tokenizers::{Encoding, Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use super::bert::Bert;
use super::model_files::{read_json, ModelFiles, MODEL_ID};
use super::{normalise_rows, Embedder};
use crate::error::{Error, Result};

/// Texts per forward pass, as sentence-transformers' default.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// Most tokens (texts x longest, padding included) per forward pass.
pub const DEFAULT_TOKEN_BUDGET: usize = 2048;

/// all-MiniLM-L6-v2 on candle's CPU backend.
pub struct CandleMiniLm {
    model: Bert,
    tokenizer: Tokenizer,
    device: Device,
    dim: usize,
    batch_size: usize,
    token_budget: usize,
    pad_id: u32,
    checksum: String,
}

impl CandleMiniLm {
    /// Loads the model from checked files.
    pub fn load(files: &ModelFiles) -> Result<Self> {
        let config: Config = read_json(&files.config)?;
        let device = Device::Cpu;
        let weights = std::fs::read(&files.weights)
            .map_err(|e| Error::model(&files.weights, e.to_string()))?;
        let vb =
            VarBuilder::from_buffered_safetensors(weights, DType::F32, &device).map_err(|e| {
                Error::model(
                    &files.weights,
                    format!("unreadable weights ({e}); run models/fetch.sh again"),
                )
            })?;
        let model = Bert::load(vb, &config).map_err(|e| {
            Error::model(
                &files.weights,
                format!("weights do not match config.json: {e}"),
            )
        })?;

        let mut tokenizer = Tokenizer::from_file(&files.tokenizer)
            .map_err(|e| Error::model(&files.tokenizer, format!("unreadable tokenizer: {e}")))?;
        // tokenizer.json carries its own truncation and padding (128, fixed length); the
        // sentence-transformers settings win: max_seq_length, and each batch is padded here to its
        // longest text.
        let pad_id = tokenizer.get_padding().map_or(0, |p| p.pad_id);
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: files.max_seq_length,
                strategy: TruncationStrategy::LongestFirst,
                direction: TruncationDirection::Right,
                stride: 0,
            }))
            .map_err(|e| Error::model(&files.tokenizer, e.to_string()))?;

        Ok(CandleMiniLm {
            model,
            tokenizer,
            device,
            dim: config.hidden_size,
            batch_size: DEFAULT_BATCH_SIZE,
            token_budget: DEFAULT_TOKEN_BUDGET,
            pad_id,
            checksum: files.sha256.clone(),
        })
    }

    /// Sets the number of texts per forward pass.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Sets the most tokens per forward pass (texts x longest text).
    pub fn with_token_budget(mut self, tokens: usize) -> Self {
        self.token_budget = tokens.max(1);
        self
    }

    /// The mean number of tokens of `texts` after truncation.
    pub fn mean_tokens(&self, texts: &[&str]) -> Result<f64> {
        let encodings = self.encode(texts)?;
        let total: usize = encodings.iter().map(Encoding::len).sum();
        Ok(total as f64 / encodings.len().max(1) as f64)
    }

    /// Tokenizes and truncates, without padding.
    fn encode(&self, texts: &[&str]) -> Result<Vec<Encoding>> {
        self.tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| Error::Embedding(format!("tokenizer: {e}")))
    }

    /// Mean-pooled hidden states of one batch, padded on the right to its longest text.
    fn embed_batch(&self, batch: &[&Encoding]) -> Result<Vec<Vec<f32>>> {
        let rows = batch.len();
        let cols = batch.iter().map(|e| e.len()).max().unwrap_or(0);
        let padded = |f: &dyn Fn(&Encoding) -> &[u32], pad: u32| -> Vec<u32> {
            let mut flat = Vec::with_capacity(rows * cols);
            for e in batch {
                flat.extend_from_slice(f(e));
                flat.resize(flat.len() + cols - e.len(), pad);
            }
            flat
        };
        let tensor = |data: Vec<u32>| Tensor::from_vec(data, (rows, cols), &self.device);
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = tensor(padded(&|e| e.get_ids(), self.pad_id))?;
            let types = tensor(padded(&|e| e.get_type_ids(), 0))?;
            let mask = tensor(padded(&|e| e.get_attention_mask(), 0))?;
            let padded = batch.iter().any(|e| e.len() < cols);
            let hidden = self.model.forward(&ids, &types, padded.then_some(&mask))?;
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?.clamp(1e-9f32, f32::MAX)?;
            summed.broadcast_div(&counts)?.to_vec2::<f32>()
        };
        run().map_err(|e| Error::Embedding(e.to_string()))
    }
}

/// Splits `order` (texts, longest first; `tokens[i]` is the length of text `i`) into batches of at
/// most `batch_size` texts and `token_budget` padded tokens; a text longer than the budget still
/// gets a batch of its own.
fn split_batches<'o>(
    order: &'o [usize],
    tokens: &[usize],
    batch_size: usize,
    token_budget: usize,
) -> Vec<&'o [usize]> {
    let mut batches = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let longest = tokens[order[start]].max(1);
        let fit = (token_budget / longest).clamp(1, batch_size);
        let end = (start + fit).min(order.len());
        batches.push(&order[start..end]);
        start = end;
    }
    batches
}

impl Embedder for CandleMiniLm {
    fn model_id(&self) -> &str {
        MODEL_ID
    }

    fn checksum(&self) -> &str {
        &self.checksum
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>> {
        // Longest first, as sentence-transformers does, so each batch pads little; ties by text,
        // so the batches (and thus every bit of every vector) do not depend on the input order.
        let encodings = self.encode(texts)?;
        let tokens: Vec<usize> = encodings.iter().map(Encoding::len).collect();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| (std::cmp::Reverse(tokens[i]), texts[i]));

        let mut out = Array2::<f32>::zeros((texts.len(), self.dim));
        let mut done = 0;
        for chunk in split_batches(&order, &tokens, self.batch_size, self.token_budget) {
            let batch: Vec<&Encoding> = chunk.iter().map(|&i| &encodings[i]).collect();
            for (&i, vector) in chunk.iter().zip(self.embed_batch(&batch)?) {
                out.row_mut(i).assign(&ndarray::ArrayView1::from(&vector));
            }
            done += chunk.len();
            progress(done);
        }
        normalise_rows(&mut out);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::split_batches;

    #[test]
    fn batches_respect_both_the_text_and_the_token_limits() {
        // Lengths of texts 0..6; longest first.
        let tokens = [256, 10, 300, 100, 100, 12];
        let order = [2, 0, 3, 4, 5, 1];
        let batches = split_batches(&order, &tokens, 4, 512);
        // 300 tokens: one text fits the budget; 256: two; 100: up to five, capped at four texts.
        assert_eq!(batches, [&[2][..], &[0, 3][..], &[4, 5, 1][..]]);
        let one_each = split_batches(&order, &tokens, 1, 1_000_000);
        assert_eq!(one_each.len(), 6);
        let too_long = split_batches(&[0], &[5000], 32, 2048);
        assert_eq!(
            too_long,
            [&[0][..]],
            "a text over the budget still gets a batch"
        );
    }
}
