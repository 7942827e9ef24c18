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
            .map_err(|e| Error::model_from(&files.tokenizer, e))?;
        truncated
            .with_truncation(Some(TruncationParams {
                max_length: files.max_seq_length,
                strategy: TruncationStrategy::LongestFirst,
                direction: TruncationDirection::Right,
                stride: 0,
            }))
            .map_err(|e| Error::model_from(&files.tokenizer, e))?;
        Ok(SbertTokenizer {
            truncated,
            whole,
            max_length: files.max_seq_length,
        })
    }

    /// Token ids of each text, truncated, special tokens included, without padding. Texts are
    /// tokenized a slice at a time and only the ids kept: a full `Encoding` (token strings,
    /// offsets, masks) costs about 20 KB per 256-token text.
    ///
    /// Only a prefix of a long text is tokenized (see [`prefix`]), so a 30 MB talk costs what a
    /// 2 KB one does.
    pub(super) fn token_ids(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>> {
        let bytes = self.max_length * BYTES_PER_TOKEN;
        let mut ids = Vec::with_capacity(texts.len());
        for slice in texts.chunks(256) {
            let prefixes: Vec<&str> = slice.iter().map(|t| prefix(t, bytes)).collect();
            let encodings = self
                .truncated
                .encode_batch(prefixes.clone(), true)
                .map_err(|e| Error::embedding("tokenizer", e))?;
            for ((text, cut), encoding) in slice.iter().zip(prefixes).zip(encodings) {
                let short = encoding.len() < self.max_length && cut.len() < text.len();
                ids.push(if short {
                    // A prefix of unusually long tokens: tokenize more of the text.
                    self.encode_prefix(&self.truncated, text, self.max_length, true)?
                        .get_ids()
                        .to_vec()
                } else {
                    encoding.get_ids().to_vec()
                });
            }
        }
        Ok(ids)
    }

    /// The encoding of the shortest prefix of `text` (growing from [`BYTES_PER_TOKEN`] bytes a
    /// token) that holds `tokens` tokens, or of the whole text: its first `tokens` tokens are those
    /// of the whole text, as the text is only cut where a word ends.
    fn encode_prefix(
        &self,
        tokenizer: &Tokenizer,
        text: &str,
        tokens: usize,
        special: bool,
    ) -> Result<tokenizers::Encoding> {
        let mut bytes = tokens * BYTES_PER_TOKEN;
        loop {
            let cut = prefix(text, bytes);
            let encoding = tokenizer
                .encode(cut, special)
                .map_err(|e| Error::embedding("tokenizer", e))?;
            if encoding.len() >= tokens || cut.len() == text.len() {
                return Ok(encoding);
            }
            bytes *= 4;
        }
    }

    /// A prefix of `text` that holds every token the model reads of it, for an engine that
    /// tokenizes by itself: generous (16 times the usual bytes a token) rather than exact, so
    /// only a text of runs of `[UNK]` words could lose tokens to it.
    #[cfg_attr(not(feature = "rust-bert"), allow(dead_code))]
    pub(super) fn model_input<'t>(&self, text: &'t str) -> &'t str {
        prefix(text, self.max_length * BYTES_PER_TOKEN * 16)
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
        let width = self.max_length.saturating_sub(2).max(1);
        let wanted = width * max_windows.max(1) + 1;
        let encoding = self.encode_prefix(&self.whole, text, wanted, false)?;
        let offsets = encoding.get_offsets();
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

/// Bytes of text tokenized per token wanted before a long text is cut: most tokens are a word or
/// a piece of one, well under 8 bytes with the space before them.
const BYTES_PER_TOKEN: usize = 8;

/// A word this long is one `[UNK]` token (BERT's limit is 100 characters) wherever it is cut.
const LONG_WORD_BYTES: usize = 1024;

/// `text` cut where a word ends at or after `bytes` bytes (BERT's pre-tokenizer splits at
/// whitespace, so the tokens before the cut are those of the whole text); a word running on for
/// [`LONG_WORD_BYTES`] past `bytes` is cut inside, as it is an `[UNK]` either way.
fn prefix(text: &str, bytes: usize) -> &str {
    if text.len() <= bytes {
        return text;
    }
    let mut start = bytes;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    let horizon = (start + LONG_WORD_BYTES).min(text.len());
    let mut end = match text[start..].find(char::is_whitespace) {
        Some(at) if start + at <= horizon => start + at,
        _ => horizon,
    };
    while !text.is_char_boundary(end) {
        end += 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_ends_where_a_word_ends() {
        assert_eq!(prefix("short text", 100), "short text");
        assert_eq!(prefix("alpha beta gamma", 7), "alpha beta");
        assert_eq!(prefix("alpha beta", 5), "alpha");
        assert_eq!(prefix("ééé ééé", 3), "ééé");
        let word = "x".repeat(5000);
        assert_eq!(prefix(&word, 10).len(), 10 + LONG_WORD_BYTES);
    }
}
