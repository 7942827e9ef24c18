//! Stage 3: turn texts into unit-length sentence embeddings.
//!
//! [`Embedder`] is the engine-neutral interface. The real all-MiniLM-L6-v2 runs in-process on one
//! of three [`Engine`]s: [`OnnxMiniLm`] (the default: ONNX Runtime, in fp32 or int8, see
//! [`Precision`]), [`CandleMiniLm`] (pure Rust) or, with the cargo feature `rust-bert`,
//! `RustBertMiniLm` (libtorch). [`TfidfLsa`] is a model-free baseline;
//! [`CachedEmbedder`] keeps vectors on disk between runs; [`WindowedEmbedder`] embeds long talks
//! whole, window by window. [`ModelFiles`] finds and checks the model
//! files that `models/fetch.sh` installs: nothing is ever downloaded at run time.

mod batching;
mod bert;
mod cache;
mod candle;
mod lsa;
mod model_files;
mod onnx;
#[cfg(feature = "rust-bert")]
mod rust_bert;
mod sbert_tokenizer;
mod windows;

use std::fmt;
use std::str::FromStr;

use ndarray::Array2;

pub use self::candle::CandleMiniLm;
pub use self::onnx::OnnxMiniLm;
#[cfg(feature = "rust-bert")]
pub use self::rust_bert::RustBertMiniLm;
pub use batching::{Batching, DEFAULT_BATCH_SIZE, DEFAULT_TOKEN_BUDGET};
pub use cache::{CacheStats, CachedEmbedder};
pub use lsa::TfidfLsa;
pub use model_files::{ModelFiles, DEFAULT_MODEL_DIR, MODEL_ID};
pub use windows::WindowedEmbedder;

use crate::error::{Error, Result};

/// The engines that can run the sentence-transformer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// candle, pure Rust (always built; needs the model files only).
    Candle,
    /// rust-bert on libtorch (cargo feature `rust-bert`, see `models/fetch-libtorch.sh`).
    RustBert,
    /// ONNX Runtime on the graphs `models/fetch.sh` builds, in fp32 or int8 (the default: twice
    /// as fast as candle in fp32, with the same vectors to a cosine of 0.9999).
    #[default]
    Onnx,
}

impl Engine {
    /// Every engine, built or not.
    pub const ALL: [Engine; 3] = [Engine::Candle, Engine::RustBert, Engine::Onnx];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Candle => "candle",
            Engine::RustBert => "rust-bert",
            Engine::Onnx => "onnx",
        }
    }

    /// Whether this build of confthemes includes the engine.
    pub fn is_built(self) -> bool {
        match self {
            Engine::Candle | Engine::Onnx => true,
            Engine::RustBert => cfg!(feature = "rust-bert"),
        }
    }

    /// Loads the model in `files` on this engine at `precision`, and checks that it embeds a
    /// probe sentence to a finite unit vector (damaged weights that still parse do not). Only the
    /// `onnx` engine runs int8.
    pub fn load(
        self,
        files: &ModelFiles,
        batching: Batching,
        precision: Precision,
    ) -> Result<Box<dyn Embedder>> {
        if precision != Precision::Fp32 && self != Engine::Onnx {
            return Err(Error::Setting(format!(
                "precision {precision} runs on the onnx engine only, not on {self}"
            )));
        }
        let model: Box<dyn Embedder> = match self {
            Engine::Candle => Box::new(CandleMiniLm::load(files)?.with_batching(batching)),
            Engine::Onnx => Box::new(OnnxMiniLm::load(files, precision)?),
            #[cfg(feature = "rust-bert")]
            Engine::RustBert => Box::new(RustBertMiniLm::load(files)?.with_batching(batching)),
            #[cfg(not(feature = "rust-bert"))]
            Engine::RustBert => {
                return Err(Error::Setting(
                    "this confthemes was built without the rust-bert engine; run \
                 models/fetch-libtorch.sh, `source models/libtorch/env.sh`, then build with \
                 `cargo build --release --features rust-bert`"
                        .into(),
                ))
            }
        };
        let probe = model.embed(&[PROBE_SENTENCE])?;
        let norm = probe.row(0).dot(&probe.row(0)).sqrt();
        // Written so that a NaN norm fails too.
        let unit = (norm - 1.0).abs() < 1e-3;
        if !unit {
            return Err(Error::model(
                &files.dir,
                format!(
                    "the model embeds a probe sentence to a vector of norm {norm} (expected 1): \
                     its weights or configuration are damaged"
                ),
            ));
        }
        Ok(model)
    }
}

/// What [`Engine::load`] embeds to check a model.
const PROBE_SENTENCE: &str = "Scaling Prometheus monitoring across Kubernetes clusters.";

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Engine {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse_name(s, "engine", Engine::ALL, Engine::name)
    }
}

/// The arithmetic of the dense products.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// 32-bit floats: the vectors of sentence-transformers (cosine above 0.9999).
    #[default]
    Fp32,
    /// int8 weights (one scale per output channel) and activations quantised at run time, int32
    /// accumulation: about twice as fast, cosine about 0.99 to fp32 (`onnx` engine only).
    Int8,
}

impl Precision {
    /// Every precision.
    pub const ALL: [Precision; 2] = [Precision::Fp32, Precision::Int8];

    /// The name used on the command line, in reports and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Int8 => "int8",
        }
    }
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Precision {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        parse_name(s, "precision", Precision::ALL, Precision::name)
    }
}

/// The one of `all` whose name is `s`, or an error listing the names.
fn parse_name<T: Copy, const N: usize>(
    s: &str,
    what: &str,
    all: [T; N],
    name: fn(T) -> &'static str,
) -> Result<T> {
    all.into_iter().find(|&t| name(t) == s).ok_or_else(|| {
        let names: Vec<&str> = all.into_iter().map(name).collect();
        Error::Setting(format!(
            "unknown {what} `{s}` (choose {})",
            names.join(" or ")
        ))
    })
}

/// Embeds texts as rows of a matrix, one L2-normalised row per text, in input order.
pub trait Embedder: Send + Sync {
    /// A stable identifier of the model, e.g. `sentence-transformers/all-MiniLM-L6-v2`.
    fn model_id(&self) -> &str;

    /// A checksum of the weights, so results can be traced to the exact model.
    fn checksum(&self) -> &str;

    /// What computes the vectors (`candle`, `rust-bert`, `tfidf-lsa`): engines agree only to
    /// about 1e-7, so cached vectors are kept per engine.
    fn engine(&self) -> &str;

    /// Embedding width.
    fn dim(&self) -> usize;

    /// Embeds `texts`, calling `progress` with the number of texts finished after each batch.
    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>>;

    /// Embeds `texts` without progress reporting.
    fn embed(&self, texts: &[&str]) -> Result<Array2<f32>> {
        self.embed_with_progress(texts, &|_| {})
    }
}

/// Scales each row of `m` to unit length (rows of zeros stay zero).
pub fn normalise_rows(m: &mut Array2<f32>) {
    for mut row in m.rows_mut() {
        let norm = row.dot(&row).sqrt();
        if norm > 0.0 {
            row.mapv_inplace(|x| x / norm);
        }
    }
}
