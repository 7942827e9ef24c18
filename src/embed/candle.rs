//! The default engine: all-MiniLM-L6-v2 on candle, reproducing sentence-transformers' `encode`:
//! texts sorted by length, batches padded to their longest text, right truncation at
//! `max_seq_length`, mean pooling over the attention mask, then L2 normalisation.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use ndarray::Array2;
use tokenizers::{
    PaddingDirection, PaddingParams, PaddingStrategy, Tokenizer, TruncationDirection,
    TruncationParams, TruncationStrategy,
};

use super::model_files::{read_json, ModelFiles, MODEL_ID};
use super::{normalise_rows, Embedder};
use crate::error::{Error, Result};

/// Texts per forward pass, as sentence-transformers' default.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// all-MiniLM-L6-v2 on candle's CPU backend.
pub struct CandleMiniLm {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    dim: usize,
    batch_size: usize,
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
        let model = BertModel::load(vb, &config).map_err(|e| {
            Error::model(
                &files.weights,
                format!("weights do not match config.json: {e}"),
            )
        })?;

        let mut tokenizer = Tokenizer::from_file(&files.tokenizer)
            .map_err(|e| Error::model(&files.tokenizer, format!("unreadable tokenizer: {e}")))?;
        // tokenizer.json carries its own truncation and padding (128, fixed length); the
        // sentence-transformers settings win: max_seq_length, pad to the longest in the batch.
        let pad = tokenizer.get_padding().cloned().unwrap_or_default();
        tokenizer.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            direction: PaddingDirection::Right,
            pad_to_multiple_of: None,
            ..pad
        }));
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
            checksum: files.sha256.clone(),
        })
    }

    /// Sets the number of texts per forward pass.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    fn embed_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| Error::Embedding(format!("tokenizer: {e}")))?;
        let rows = encodings.len();
        let cols = encodings.first().map_or(0, |e| e.get_ids().len());
        let flat = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> Vec<u32> {
            encodings
                .iter()
                .flat_map(|e| f(e).iter().copied())
                .collect()
        };
        let tensor = |data: Vec<u32>| Tensor::from_vec(data, (rows, cols), &self.device);
        let run = || -> candle_core::Result<Vec<Vec<f32>>> {
            let ids = tensor(flat(&|e| e.get_ids()))?;
            let types = tensor(flat(&|e| e.get_type_ids()))?;
            let mask = tensor(flat(&|e| e.get_attention_mask()))?;
            let hidden = self.model.forward(&ids, &types, Some(&mask))?;
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

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>> {
        // Longest first, as sentence-transformers does, so each batch pads little; ties by text,
        // so the batches (and thus every bit of every vector) do not depend on the input order.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_cached_key(|&i| (std::cmp::Reverse(texts[i].chars().count()), texts[i]));

        let mut out = Array2::<f32>::zeros((texts.len(), self.dim));
        let mut done = 0;
        for chunk in order.chunks(self.batch_size) {
            let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
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
