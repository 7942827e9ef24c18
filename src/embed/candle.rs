//! The default engine: all-MiniLM-L6-v2 on candle, reproducing sentence-transformers' `encode`:
//! texts sorted by length and batched as [`Batching`] says, batches padded to their longest text,
//! right truncation at `max_seq_length`, mean pooling over the attention mask, then L2
//! normalisation.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::Config;
use ndarray::Array2;
use tokenizers::Encoding;

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
        let encodings = self.tokenizer.encode(texts)?;
        let tokens: Vec<usize> = encodings.iter().map(Encoding::len).collect();
        self.batching
            .embed(texts, &tokens, self.dim, progress, |batch| {
                let batch: Vec<&Encoding> = batch.iter().map(|&i| &encodings[i]).collect();
                self.embed_batch(&batch)
            })
    }
}
