//! The libtorch engine (cargo feature `rust-bert`): all-MiniLM-L6-v2 through rust-bert's
//! sentence-embeddings pipeline, read from the same model folder as the candle engine
//! (`model.safetensors` is loaded as is; no conversion to `rust_model.ot`). rust-bert tokenizes
//! with its own BERT tokenizer from `vocab.txt`; the Hugging Face tokenizer is used only to sort
//! and batch the texts as the candle engine does, so both engines see the same batches.

use std::sync::Mutex;

use ndarray::Array2;
use rust_bert::pipelines::common::ModelType;
use rust_bert::pipelines::sentence_embeddings::{
    SentenceEmbeddingsConfig, SentenceEmbeddingsModel,
};
use rust_bert::resources::LocalResource;
use tch::Device;

use super::batching::Batching;
use super::model_files::{read_json, ModelFiles, MODEL_ID};
use super::sbert_tokenizer::SbertTokenizer;
use super::{Embedder, Engine};
use crate::error::{Error, Result};

/// all-MiniLM-L6-v2 on libtorch's CPU backend, through rust-bert.
pub struct RustBertMiniLm {
    // libtorch tensors may move between threads but not be shared: one forward pass at a time
    // (each one uses every core through libtorch's own thread pool).
    model: Mutex<SentenceEmbeddingsModel>,
    tokenizer: SbertTokenizer,
    dim: usize,
    batching: Batching,
    checksum: String,
}

impl RustBertMiniLm {
    /// Loads the model from checked files, on the CPU, with as many libtorch threads as rayon has.
    pub fn load(files: &ModelFiles) -> Result<Self> {
        // rust-bert panics on a missing or malformed configuration file: check each one first.
        for name in [
            "modules.json",
            "config.json",
            "1_Pooling/config.json",
            "sentence_bert_config.json",
            "tokenizer_config.json",
        ] {
            read_json::<serde_json::Value>(&files.require(name)?)?;
        }
        let vocab = files.require("vocab.txt")?;
        let local = |name: &str| -> Box<LocalResource> {
            Box::new(LocalResource {
                local_path: files.dir.join(name),
            })
        };
        let config = SentenceEmbeddingsConfig {
            modules_config_resource: local("modules.json"),
            transformer_type: ModelType::Bert,
            transformer_config_resource: local("config.json"),
            transformer_weights_resource: Box::new(LocalResource {
                local_path: files.weights.clone(),
            }),
            pooling_config_resource: local("1_Pooling/config.json"),
            dense_config_resource: None,
            dense_weights_resource: None,
            sentence_bert_config_resource: local("sentence_bert_config.json"),
            tokenizer_config_resource: local("tokenizer_config.json"),
            tokenizer_vocab_resource: Box::new(LocalResource { local_path: vocab }),
            tokenizer_merges_resource: None,
            // The builder would pick CUDA when libtorch finds a GPU; this engine is the CPU one.
            device: Device::Cpu,
            kind: None,
        };
        tch::set_num_threads(rayon::current_num_threads().try_into().unwrap_or(1));
        let model = SentenceEmbeddingsModel::new(config).map_err(|e| {
            Error::model(
                &files.weights,
                format!("rust-bert could not load the model: {e}"),
            )
        })?;
        let dim = usize::try_from(
            model
                .get_embedding_dim()
                .map_err(|e| Error::model(&files.config, format!("no embedding width: {e}")))?,
        )
        .map_err(|e| Error::model(&files.config, e.to_string()))?;
        Ok(RustBertMiniLm {
            model: Mutex::new(model),
            tokenizer: SbertTokenizer::load(files)?,
            dim,
            batching: Batching::default(),
            checksum: files.sha256.clone(),
        })
    }

    /// Sets the limits on one forward pass.
    pub fn with_batching(mut self, batching: Batching) -> Self {
        self.batching = batching;
        self
    }
}

impl Embedder for RustBertMiniLm {
    fn model_id(&self) -> &str {
        MODEL_ID
    }

    fn checksum(&self) -> &str {
        &self.checksum
    }

    fn engine(&self) -> &str {
        Engine::RustBert.name()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>> {
        let tokens = self.tokenizer.token_counts(texts)?;
        let model = self.model.lock().unwrap_or_else(|p| p.into_inner());
        self.batching
            .embed(texts, &tokens, self.dim, progress, |batch| {
                // rust-bert tokenizes what it is given whole: give it what the model reads.
                let batch: Vec<&str> = batch
                    .iter()
                    .map(|&i| self.tokenizer.model_input(texts[i]))
                    .collect();
                model.encode(&batch).map_err(|e| Error::Embedding {
                    message: format!("rust-bert: {e}"),
                    source: None,
                })
            })
    }
}
