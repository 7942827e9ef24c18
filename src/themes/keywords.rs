//! Class-based TF-IDF keywords, as BERTopic computes them: all texts of a class are one document;
//! `W(t, c) = tf(t, c) * ln(1 + A / f(t))` with `tf` L1-normalised per class, `f(t)` the frequency
//! of `t` over all classes and `A` the average number of words per class.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::text::words;

/// A word that characterises a class, with its c-TF-IDF weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Keyword {
    /// The word, lowercased.
    pub word: String,
    /// Its c-TF-IDF weight in the class.
    pub weight: f32,
}

/// The IDF part of c-TF-IDF, fitted on a set of classes: how often each word occurs over all of
/// them and the average number of words per class. Kept apart so a subset of a class (its talks of
/// one year) can be weighted with the IDF of the whole, as BERTopic's topics over time do.
#[derive(Debug, Clone, Default)]
pub struct ClassTfidf {
    frequency: BTreeMap<String, f64>,
    average: f64,
}

impl ClassTfidf {
    /// Fits the IDF on `classes` (`classes[c]` holds the texts of class `c`).
    pub fn fit(classes: &[Vec<&str>]) -> Self {
        let counts: Vec<BTreeMap<String, f64>> = classes.iter().map(|c| term_counts(c)).collect();
        Self::from_counts(&counts)
    }

    /// Fits the IDF on the term counts of each class.
    pub(super) fn from_counts(counts: &[BTreeMap<String, f64>]) -> Self {
        let mut frequency: BTreeMap<String, f64> = BTreeMap::new();
        for tf in counts {
            for (word, n) in tf {
                *frequency.entry(word.clone()).or_insert(0.0) += n;
            }
        }
        let total: f64 = frequency.values().sum();
        let average = if counts.is_empty() {
            0.0
        } else {
            total / counts.len() as f64
        };
        ClassTfidf { frequency, average }
    }

    /// The `top_n` keywords of `texts` taken as one class. Words unseen in the fitted classes
    /// are skipped. Ties are broken alphabetically so the result never depends on hashing.
    pub fn keywords(&self, texts: &[&str], top_n: usize) -> Vec<Keyword> {
        self.top(&term_counts(texts), top_n)
    }

    /// The `top_n` terms of a class's counts by c-TF-IDF (ties: alphabetical).
    pub(super) fn top(&self, tf: &BTreeMap<String, f64>, top_n: usize) -> Vec<Keyword> {
        let class_total: f64 = tf.values().sum();
        let mut scored: Vec<Keyword> = tf
            .iter()
            .filter_map(|(word, &n)| {
                let f = *self.frequency.get(word)?;
                Some(Keyword {
                    word: word.clone(),
                    weight: ((n / class_total) * (1.0 + self.average / f).ln()) as f32,
                })
            })
            .collect();
        scored.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.word.cmp(&b.word))
        });
        scored.truncate(top_n);
        scored
    }
}

/// Word counts of a class's texts.
fn term_counts(texts: &[&str]) -> BTreeMap<String, f64> {
    let mut tf = BTreeMap::new();
    for word in texts.iter().flat_map(|t| words(t)) {
        *tf.entry(word).or_insert(0.0) += 1.0;
    }
    tf
}

/// The `top_n` keywords of each class; `classes[c]` holds the texts of class `c`.
pub fn class_tfidf(classes: &[Vec<&str>], top_n: usize) -> Vec<Vec<Keyword>> {
    let counts: Vec<BTreeMap<String, f64>> = classes.iter().map(|c| term_counts(c)).collect();
    let idf = ClassTfidf::from_counts(&counts);
    counts.iter().map(|tf| idf.top(tf, top_n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_the_bertopic_formula() {
        let classes = vec![vec!["envoy envoy mesh"], vec!["mesh prometheus"]];
        let kw = class_tfidf(&classes, 3);
        // A = 5 words / 2 classes = 2.5; f(envoy) = 2, f(mesh) = 2, f(prometheus) = 1.
        let envoy = (2.0f64 / 3.0) * (1.0 + 2.5 / 2.0f64).ln();
        let mesh0 = (1.0f64 / 3.0) * (1.0 + 2.5 / 2.0f64).ln();
        assert_eq!(kw[0][0].word, "envoy");
        assert!((f64::from(kw[0][0].weight) - envoy).abs() < 1e-6);
        assert!((f64::from(kw[0][1].weight) - mesh0).abs() < 1e-6);
        let prom = 0.5 * (1.0 + 2.5f64).ln();
        assert_eq!(kw[1][0].word, "prometheus");
        assert!((f64::from(kw[1][0].weight) - prom).abs() < 1e-6);
    }

    #[test]
    fn a_subset_is_weighted_with_the_global_idf() {
        let classes = vec![vec!["envoy envoy mesh"], vec!["mesh prometheus"]];
        let idf = ClassTfidf::fit(&classes);
        let kw = idf.keywords(&["mesh unseen"], 3);
        // Only `mesh` is known: tf 1/2 of the subset's words, global f(mesh) = 2, A = 2.5.
        assert_eq!(kw.len(), 1);
        let expected = 0.5 * (1.0 + 2.5 / 2.0f64).ln();
        assert!((f64::from(kw[0].weight) - expected).abs() < 1e-6);
    }
}
