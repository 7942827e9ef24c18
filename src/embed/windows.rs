//! Talks longer than the model's window, embedded whole rather than cut at `max_seq_length`
//! tokens (sentence-transformers' behaviour, which ignores the rest): the talk is cut into
//! consecutive windows at token boundaries, each window is embedded, and the talk's vector is the
//! token-weighted mean of its windows' vectors, normalised.

use ndarray::Array2;

use super::model_files::ModelFiles;
use super::sbert_tokenizer::{SbertTokenizer, Window};
use super::{normalise_rows, Embedder};
use crate::error::Result;

/// An [`Embedder`] that embeds up to `max_windows` windows of each text with `inner`.
pub struct WindowedEmbedder<'a> {
    inner: &'a dyn Embedder,
    tokenizer: SbertTokenizer,
    max_windows: usize,
    engine: String,
}

impl<'a> WindowedEmbedder<'a> {
    /// Wraps `inner`, which runs the model in `files`; `max_windows` of 1 is plain truncation.
    pub fn new(files: &ModelFiles, inner: &'a dyn Embedder, max_windows: usize) -> Result<Self> {
        let max_windows = max_windows.max(1);
        Ok(WindowedEmbedder {
            inner,
            tokenizer: SbertTokenizer::load(files)?,
            max_windows,
            engine: format!("{}, up to {max_windows} windows", inner.engine()),
        })
    }
}

impl Embedder for WindowedEmbedder<'_> {
    fn model_id(&self) -> &str {
        self.inner.model_id()
    }

    fn checksum(&self) -> &str {
        self.inner.checksum()
    }

    fn engine(&self) -> &str {
        &self.engine
    }

    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn embed_with_progress(&self, texts: &[&str], progress: &dyn Fn(usize)) -> Result<Array2<f32>> {
        let windows: Vec<Vec<Window>> = texts
            .iter()
            .map(|text| self.tokenizer.windows(text, self.max_windows))
            .collect::<Result<_>>()?;
        let pieces: Vec<&str> = windows.iter().flatten().map(|w| w.text).collect();
        let total = pieces.len().max(1);
        let vectors = self
            .inner
            .embed_with_progress(&pieces, &|done| progress(done * texts.len() / total))?;
        let mut out = Array2::<f32>::zeros((texts.len(), self.dim()));
        let mut next = 0;
        for (mut row, text_windows) in out.rows_mut().into_iter().zip(&windows) {
            for window in text_windows {
                row.scaled_add(window.tokens.max(1) as f32, &vectors.row(next));
                next += 1;
            }
        }
        normalise_rows(&mut out);
        Ok(out)
    }
}
