//! Locating and checking the sentence-transformer files installed by `models/fetch.sh`.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Where `models/fetch.sh` installs the model, relative to the repository root.
pub const DEFAULT_MODEL_DIR: &str = "models/all-MiniLM-L6-v2";

/// The model this project is built around.
pub const MODEL_ID: &str = "sentence-transformers/all-MiniLM-L6-v2";

const FETCH_HINT: &str = "run models/fetch.sh to install it";

/// The checked set of files of a sentence-transformers BERT model.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    /// The model folder.
    pub dir: PathBuf,
    /// BERT weights.
    pub weights: PathBuf,
    /// BERT configuration (`config.json`).
    pub config: PathBuf,
    /// Hugging Face tokenizer (`tokenizer.json`).
    pub tokenizer: PathBuf,
    /// Longest input in tokens, from `sentence_bert_config.json`.
    pub max_seq_length: usize,
    /// sha256 of the weights, hex.
    pub sha256: String,
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: usize,
}

#[derive(Deserialize)]
struct PoolingConfig {
    pooling_mode_mean_tokens: bool,
}

impl ModelFiles {
    /// Checks that `dir` holds a complete mean-pooling sentence-transformers model.
    pub fn locate(dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::model(dir, format!("no model folder; {FETCH_HINT}")));
        }
        let file = |name: &str| require(dir, name);
        let weights = file("model.safetensors")?;
        let config = file("config.json")?;
        let tokenizer = file("tokenizer.json")?;
        let sbert: SentenceBertConfig = read_json(&file("sentence_bert_config.json")?)?;
        let pooling: PoolingConfig = read_json(&file("1_Pooling/config.json")?)?;
        if !pooling.pooling_mode_mean_tokens {
            return Err(Error::model(dir, "only mean pooling is supported"));
        }
        let sha256 = sha256_file(&weights)?;
        Ok(ModelFiles {
            dir: dir.to_path_buf(),
            weights,
            config,
            tokenizer,
            max_seq_length: sbert.max_seq_length,
            sha256,
        })
    }
}

impl ModelFiles {
    /// The path of `name` inside the model folder, or a clear error when it is not there.
    pub fn require(&self, name: &str) -> Result<PathBuf> {
        require(&self.dir, name)
    }

    /// The mean number of tokens of `texts` after truncation, as the engines see them.
    pub fn mean_tokens(&self, texts: &[&str]) -> Result<f64> {
        let counts = super::sbert_tokenizer::SbertTokenizer::load(self)?.token_counts(texts)?;
        Ok(counts.iter().sum::<usize>() as f64 / counts.len().max(1) as f64)
    }
}

fn require(dir: &Path, name: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::model(
            dir,
            format!("{name} is missing; {FETCH_HINT}"),
        ))
    }
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::model(path, e.to_string()))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::model(path, format!("line {}: {e}; {FETCH_HINT}", e.line())))
}

fn sha256_file(path: &Path) -> Result<String> {
    let file = File::open(path).map_err(|e| Error::model(path, e.to_string()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| Error::model(path, e.to_string()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
