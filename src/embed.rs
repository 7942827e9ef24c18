//! Stage 3: turn texts into unit-length sentence embeddings.
//!
//! [`Embedder`] is the engine-neutral interface; [`CandleMiniLm`] is the default engine, the real
//! all-MiniLM-L6-v2 run in-process with candle; [`TfidfLsa`] is a model-free baseline; [`CachedEmbedder`] keeps vectors on disk between runs. [`ModelFiles`] finds and checks the model files that
//! `models/fetch.sh` installs: nothing is ever downloaded at run time.

mod bert;
mod cache;
mod candle;
mod lsa;
mod model_files;

use ndarray::Array2;

pub use self::candle::{CandleMiniLm, DEFAULT_BATCH_SIZE, DEFAULT_TOKEN_BUDGET};
pub use cache::{CacheStats, CachedEmbedder};
pub use lsa::TfidfLsa;
pub use model_files::{ModelFiles, DEFAULT_MODEL_DIR, MODEL_ID};

use crate::error::Result;

/// Embeds texts as rows of a matrix, one L2-normalised row per text, in input order.
pub trait Embedder: Send + Sync {
    /// A stable identifier of the model, e.g. `sentence-transformers/all-MiniLM-L6-v2`.
    fn model_id(&self) -> &str;

    /// A checksum of the weights, so results can be traced to the exact model.
    fn checksum(&self) -> &str;

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
