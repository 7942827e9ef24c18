//! Locating and checking the sentence-transformer files installed by `models/fetch.sh`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Where `models/fetch.sh` installs the model, relative to the repository root.
pub const DEFAULT_MODEL_DIR: &str = "models/all-MiniLM-L6-v2";

/// The model this project is built around.
pub const MODEL_ID: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// sha256 of all-MiniLM-L6-v2's `model.safetensors` as `models/fetch.sh` installs it; a folder
/// named like the default one must hold exactly these weights.
pub const MODEL_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";

/// The longest input BERT's position embeddings allow.
const MAX_POSITIONS: usize = 512;

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
        if !(1..=MAX_POSITIONS).contains(&sbert.max_seq_length) {
            return Err(Error::model(
                dir,
                format!(
                    "sentence_bert_config.json: max_seq_length {} is out of range (1-{MAX_POSITIONS})",
                    sbert.max_seq_length
                ),
            ));
        }
        let bytes = std::fs::read(&weights).map_err(|e| Error::model_from(&weights, e))?;
        let sha256 = hex(&Sha256::digest(&bytes));
        let default_name = Path::new(DEFAULT_MODEL_DIR).file_name();
        if sha256 != MODEL_SHA256 {
            if dir.file_name() == default_name {
                return Err(Error::model(
                    &weights,
                    format!(
                        "sha256 {sha256} is not that of all-MiniLM-L6-v2 ({MODEL_SHA256}): the \
                         file is damaged; run models/fetch.sh again"
                    ),
                ));
            }
            // Someone's own model: at least every weight must be a number. A file that does
            // not parse is left to the engine, whose error says what is wrong with it.
            if let Ok(Some(tensor)) = first_non_finite_tensor(&bytes) {
                return Err(Error::model(
                    &weights,
                    format!("tensor `{tensor}` holds values that are not finite numbers: the weights are damaged"),
                ));
            }
        }
        drop(bytes);
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
    let text = std::fs::read_to_string(path).map_err(|e| Error::model_from(path, e))?;
    serde_json::from_str(&text)
        .map_err(|e| Error::model(path, format!("line {}: {e}; {FETCH_HINT}", e.line())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name of the first floating-point tensor of a safetensors file that holds a NaN or an
/// infinity, if any.
fn first_non_finite_tensor(bytes: &[u8]) -> std::result::Result<Option<String>, String> {
    #[derive(Deserialize)]
    struct TensorInfo {
        dtype: String,
        data_offsets: (usize, usize),
    }
    let (len, rest) = bytes.split_at_checked(8).ok_or("no header")?;
    let len = u64::from_le_bytes(len.try_into().expect("8 bytes")) as usize;
    let (header, data) = rest.split_at_checked(len).ok_or("truncated header")?;
    let mut tensors: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(header).map_err(|e| e.to_string())?;
    tensors.remove("__metadata__");
    for (name, info) in tensors {
        let info: TensorInfo = serde_json::from_value(info).map_err(|e| format!("{name}: {e}"))?;
        let (start, end) = info.data_offsets;
        let values = data.get(start..end).ok_or(format!("{name}: truncated"))?;
        let finite = match info.dtype.as_str() {
            "F32" => values
                .chunks_exact(4)
                .all(|v| f32::from_le_bytes(v.try_into().expect("4 bytes")).is_finite()),
            // Exponent bits all ones is an infinity or a NaN.
            "F16" => values
                .chunks_exact(2)
                .all(|v| u16::from_le_bytes([v[0], v[1]]) & 0x7c00 != 0x7c00),
            "BF16" => values
                .chunks_exact(2)
                .all(|v| u16::from_le_bytes([v[0], v[1]]) & 0x7f80 != 0x7f80),
            _ => true,
        };
        if !finite {
            return Ok(Some(name));
        }
    }
    Ok(None)
}
