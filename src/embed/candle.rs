//! The default engine: all-MiniLM-L6-v2 on candle, reproducing sentence-transformers' `encode`:
//! texts sorted by length and batched as [`Batching`] says, batches padded to their longest text,
//! right truncation at `max_seq_length`, mean pooling over the attention mask, then L2
//! normalisation.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;
use ndarray::Array2;

use super::batching::Batching;
use super::bert::Bert;
use super::model_files::{read_json, ModelFiles, MODEL_ID};
use super::sbert_tokenizer::SbertTokenizer;
use super::{Embedder, Engine};
use crate::error::{Error, Result};

/// all-MiniLM-L6-v2 on candle's CPU backend.
pub struct CandleMiniLm {
    model: Bert,
    tokenizer: SbertTokenizer,
    device: Device,
    dim: usize,
    batching: Batching,
    pad_id: u32,
    checksum: String,
}

impl CandleMiniLm {
    /// Loads the model from checked files.
    pub fn load(files: &ModelFiles) -> Result<Self> {
        let config: Config = read_json(&files.config)?;
        let device = Device::Cpu;
        let weights =
            std::fs::read(&files.weights).map_err(|e| Error::model_from(&files.weights, e))?;
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

        let tokenizer = SbertTokenizer::load(files)?;
        let pad_id = tokenizer.pad_id();

        Ok(CandleMiniLm {
            model,
            tokenizer,
            device,
            dim: config.hidden_size,
            batching: Batching::default(),
            pad_id,
            checksum: files.sha256.clone(),
        })
    }

    /// Sets the limits on one forward pass.
    pub fn with_batching(mut self, batching: Batching) -> Self {
        self.batching = batching;
        self
    }

    /// Mean-pooled hidden states of one batch of token ids, padded on the right to its longest
    /// text. One text per sequence: every token type is 0 and every real token is attended to.
    fn embed_batch(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>> {
        let rows = batch.len();
        let cols = batch.iter().map(|ids| ids.len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(rows * cols);
        let mut mask = Vec::with_capacity(rows * cols);
        for text in batch {
            ids.extend_from_slice(text);
            ids.resize(ids.len() + cols - text.len(), self.pad_id);
            mask.extend((0..cols).map(|i| u32::from(i < text.len())));
        }
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = Tensor::from_vec(ids, (rows, cols), &self.device)?;
            let types = ids.zeros_like()?;
            let mask = Tensor::from_vec(mask, (rows, cols), &self.device)?;
            let padded = batch.iter().any(|text| text.len() < cols);
            let hidden = self.model.forward(&ids, &types, padded.then_some(&mask))?;
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = hidden.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?.clamp(1e-9f32, f32::MAX)?;
            summed.broadcast_div(&counts)?.to_vec2::<f32>()
        };
        run().map_err(|e| Error::embedding("", e))
    }
}

impl Embedder for CandleMiniLm {
    fn model_id(&self) -> &str {
        MODEL_ID
    }

    fn checksum(&self) -> &str {
        &self.checksum
    }

    fn engine(&self) -> &str {
        Engine::Candle.name()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>> {
        let ids = self.tokenizer.token_ids(texts)?;
        let tokens: Vec<usize> = ids.iter().map(Vec::len).collect();
        self.batching
            .embed(texts, &tokens, self.dim, progress, |batch| {
                let batch: Vec<&[u32]> = batch.iter().map(|&i| ids[i].as_slice()).collect();
                self.embed_batch(&batch)
            })
    }
}
