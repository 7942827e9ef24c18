//! Class-based TF-IDF keywords, as BERTopic computes them: all texts of a class are one document;
//! `W(t, c) = tf(t, c) * ln(1 + A / f(t))` with `tf` L1-normalised per class, `f(t)` the frequency
//! of `t` over all classes and `A` the average number of words per class.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::text::words;

/// A word that characterises a class, with its c-TF-IDF weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Keyword {
    /// The word, lowercased.
    pub word: String,
    /// Its c-TF-IDF weight in the class.
    pub weight: f32,
}

/// The `top_n` keywords of each class; `classes[c]` holds the texts of class `c`. Ties are broken
/// alphabetically so the result never depends on hashing.
pub fn class_tfidf(classes: &[Vec<&str>], top_n: usize) -> Vec<Vec<Keyword>> {
    let counts: Vec<BTreeMap<String, f64>> = classes
        .iter()
        .map(|texts| {
            let mut tf = BTreeMap::new();
            for word in texts.iter().flat_map(|t| words(t)) {
                *tf.entry(word).or_insert(0.0) += 1.0;
            }
            tf
        })
        .collect();
    let mut frequency: BTreeMap<&str, f64> = BTreeMap::new();
    for tf in &counts {
        for (word, n) in tf {
            *frequency.entry(word).or_insert(0.0) += n;
        }
    }
    let total: f64 = frequency.values().sum();
    let average = if counts.is_empty() {
        0.0
    } else {
        total / counts.len() as f64
    };
    counts
        .iter()
        .map(|tf| {
            let class_total: f64 = tf.values().sum();
            let mut scored: Vec<Keyword> = tf
                .iter()
                .map(|(word, &n)| Keyword {
                    word: word.clone(),
                    weight: ((n / class_total) * (1.0 + average / frequency[word.as_str()]).ln())
                        as f32,
                })
                .collect();
            scored.sort_by(|a, b| {
                b.weight
                    .total_cmp(&a.weight)
                    .then_with(|| a.word.cmp(&b.word))
            });
            scored.truncate(top_n);
            scored
        })
        .collect()
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
}
