//! Topic quality, as the BERTopic paper measures it: NPMI coherence of each topic's top words
//! (gensim's `c_npmi`: boolean sliding windows of 10 tokens over the evaluated corpus itself,
//! every pair of a topic's words, epsilon 1e-12) and topic diversity (unique top words over
//! `top_n` x topics, as OCTIS computes it).
//!
//! The windows are counted exactly as gensim 4 counts them, so figures compare with the paper's:
//! documents without any topic word are skipped, and as the window slides, the word of the token
//! that leaves it is marked absent even when it occurs again inside the window (gensim's
//! `WordOccurrenceAccumulator._slide_window`). Counting each window afresh gives higher NPMI.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Tokens per sliding window, as in the BERTopic paper.
pub const NPMI_WINDOW: usize = 10;

/// Smoothing of co-occurrence probabilities, as gensim's `c_npmi`.
const EPSILON: f64 = 1e-12;

/// Mean NPMI coherence of `topics` (each a list of words) over `documents` (each a list of
/// tokens), with boolean sliding windows of `window` tokens counted as gensim counts them (see
/// the module documentation). A document shorter than the window is one window. Topics with fewer than two words are skipped; `None` when none is left.
pub fn npmi_coherence(
    topics: &[Vec<String>],
    documents: &[Vec<String>],
    window: usize,
) -> Option<f64> {
    let topics: Vec<&Vec<String>> = topics.iter().filter(|t| t.len() >= 2).collect();
    if topics.is_empty() {
        return None;
    }
    // Only the topic words matter; every other token is a placeholder.
    let relevant: BTreeSet<&str> = topics
        .iter()
        .flat_map(|t| t.iter().map(String::as_str))
        .collect();
    let id: HashMap<&str, usize> = relevant.iter().enumerate().map(|(i, w)| (*w, i)).collect();
    let mut occurs = vec![0u64; id.len()];
    let mut co_occurs: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    let mut windows = 0u64;
    for doc in documents {
        // Relevant words by id; everything else is the placeholder id.len().
        let ids: Vec<usize> = doc
            .iter()
            .map(|w| id.get(w.as_str()).copied().unwrap_or(id.len()))
            .collect();
        if ids.iter().all(|&i| i == id.len()) {
            continue;
        }
        let starts = if ids.len() <= window {
            1
        } else {
            ids.len() - window + 1
        };
        let mut present = vec![false; id.len() + 1];
        for start in 0..starts {
            let end = (start + window).min(ids.len());
            if start == 0 {
                ids[..end].iter().for_each(|&i| present[i] = true);
            } else {
                present[ids[start - 1]] = false;
                present[ids[end - 1]] = true;
            }
            windows += 1;
            let words: Vec<usize> = (0..id.len()).filter(|&i| present[i]).collect();
            for (n, &a) in words.iter().enumerate() {
                occurs[a] += 1;
                for &b in &words[n + 1..] {
                    *co_occurs.entry((a, b)).or_insert(0) += 1;
                }
            }
        }
    }
    if windows == 0 {
        return None;
    }
    let p = |count: u64| count as f64 / windows as f64;
    let npmi = |a: &str, b: &str| -> f64 {
        let (a, b) = (id[a], id[b]);
        let joint = p(co_occurs.get(&(a.min(b), a.max(b))).copied().unwrap_or(0)) + EPSILON;
        let pmi = (joint / (p(occurs[a]) * p(occurs[b]))).ln();
        pmi / -joint.ln()
    };
    let per_topic: Vec<f64> = topics
        .iter()
        .map(|words| {
            let mut sum = 0.0;
            let mut count = 0;
            for (i, a) in words.iter().enumerate() {
                for (j, b) in words.iter().enumerate() {
                    if i != j {
                        sum += npmi(a, b);
                        count += 1;
                    }
                }
            }
            sum / count as f64
        })
        .collect();
    Some(per_topic.iter().sum::<f64>() / per_topic.len() as f64)
}

/// Unique words among the topics' top `top_n` words, over `top_n` x topics.
pub fn topic_diversity(topics: &[Vec<String>], top_n: usize) -> Option<f64> {
    if topics.is_empty() || top_n == 0 {
        return None;
    }
    let unique: BTreeSet<&str> = topics
        .iter()
        .flat_map(|t| t.iter().take(top_n).map(String::as_str))
        .collect();
    Some(unique.len() as f64 / (top_n * topics.len()) as f64)
}
