//! Words of a text, as every word-based stage counts them (c-TF-IDF keywords, the TF-IDF
//! baseline embedder, NPMI coherence): lowercased tokens without stop words.

use std::collections::HashSet;
use std::sync::LazyLock;

/// scikit-learn's English stop words (BERTopic's default), plus words of note-taking itself
/// ("talk", "slides", "really") and transcript fillers ("uh", "um") that would otherwise top every
/// theme.
static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("text/stopwords.txt")
        .lines()
        .chain(include_str!("text/notes_stopwords.txt").lines())
        .collect()
});

/// Lowercased word tokens of at least two characters (scikit-learn's `\b\w\w+\b`), without
/// stop words or pure numbers.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map(str::to_lowercase)
        .filter(|w| is_content_word(w))
}

/// Whether a lowercased token is one [`words`] keeps: two characters or more, not a stop word,
/// not a number.
pub fn is_content_word(word: &str) -> bool {
    word.chars().count() >= 2
        && !STOP_WORDS.contains(word)
        && !word.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_drop_stop_words_numbers_and_single_letters() {
        let w: Vec<_> = words("The Envoy proxy talk, in 2019: a k8s_x B").collect();
        assert_eq!(w, vec!["envoy", "proxy", "k8s_x"]);
    }
}
