//! The Hugging Face tokenizer of a sentence-transformers model, set up as sentence-transformers
//! uses it: right truncation at `max_seq_length`, no padding (each engine pads a batch to its
//! longest text).

use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use super::model_files::ModelFiles;
use crate::error::{Error, Result};

/// `tokenizer.json` with sentence-transformers' truncation, and a copy without it for cutting
/// long texts into windows.
pub(super) struct SbertTokenizer {
    truncated: Tokenizer,
    whole: Tokenizer,
    max_length: usize,
}

/// A piece of a text that fits the model's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window<'t> {
    /// The piece, a slice of the text.
    pub text: &'t str,
    /// Its tokens, without the special tokens.
    pub tokens: usize,
}

impl SbertTokenizer {
    /// Loads `tokenizer.json` of `files`.
    pub(super) fn load(files: &ModelFiles) -> Result<Self> {
        let mut whole = Tokenizer::from_file(&files.tokenizer)
            .map_err(|e| Error::model(&files.tokenizer, format!("unreadable tokenizer: {e}")))?;
        // tokenizer.json carries its own truncation and padding (128, fixed length); the
        // sentence-transformers settings win.
        whole.with_padding(None);
        let mut truncated = whole.clone();
        whole
            .with_truncation(None)
            .map_err(|e| Error::model(&files.tokenizer, e.to_string()))?;
        truncated
            .with_truncation(Some(TruncationParams {
                max_length: files.max_seq_length,
                strategy: TruncationStrategy::LongestFirst,
                direction: TruncationDirection::Right,
                stride: 0,
            }))
            .map_err(|e| Error::model(&files.tokenizer, e.to_string()))?;
        Ok(SbertTokenizer {
            truncated,
            whole,
            max_length: files.max_seq_length,
        })
    }

    /// Token ids of each text, truncated, special tokens included, without padding. Texts are
    /// tokenized a slice at a time and only the ids kept: a full `Encoding` (token strings,
    /// offsets, masks) costs about 20 KB per 256-token text.
    pub(super) fn token_ids(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>> {
        let mut ids = Vec::with_capacity(texts.len());
        for slice in texts.chunks(256) {
            let encodings = self
                .truncated
                .encode_batch(slice.to_vec(), true)
                .map_err(|e| Error::Embedding(format!("tokenizer: {e}")))?;
            ids.extend(encodings.iter().map(|e| e.get_ids().to_vec()));
        }
        Ok(ids)
    }

    /// Tokens of each text after truncation, special tokens included.
    pub(super) fn token_counts(&self, texts: &[&str]) -> Result<Vec<usize>> {
        Ok(self.token_ids(texts)?.iter().map(Vec::len).collect())
    }

    /// The id of BERT's padding token (0 in every uncased BERT vocabulary).
    pub(super) fn pad_id(&self) -> u32 {
        self.truncated.token_to_id("[PAD]").unwrap_or(0)
    }

    /// Cuts `text` at token boundaries into at most `max_windows` consecutive windows that each
    /// fit the model with its two special tokens; what follows the last window is left out.
    pub(super) fn windows<'t>(&self, text: &'t str, max_windows: usize) -> Result<Vec<Window<'t>>> {
        let encoding = self
            .whole
            .encode(text, false)
            .map_err(|e| Error::Embedding(format!("tokenizer: {e}")))?;
        let offsets = encoding.get_offsets();
        let width = self.max_length.saturating_sub(2).max(1);
        if offsets.len() <= width {
            return Ok(vec![Window {
                text,
                tokens: offsets.len(),
            }]);
        }
        Ok(offsets
            .chunks(width)
            .take(max_windows.max(1))
            .map(|window| Window {
                // Byte offsets of the first and last token, always on character boundaries.
                text: &text[window[0].0..window[window.len() - 1].1],
                tokens: window.len(),
            })
            .collect())
    }
}
