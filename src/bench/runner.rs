//! The runner behind `confthemes bench`: every algorithm on every embedder's vectors of one
//! labelled table, scored against the labels. Each embedder embeds the texts once.

use std::collections::BTreeSet;
use std::time::Instant;

use serde::Serialize;

use super::{npmi_coherence, partition_scores, topic_diversity, NPMI_WINDOW};
use crate::cluster::{self, AlgorithmChoice, AlgorithmSettings, Clusterer, Clustering};
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::ingest::TalkTable;
use crate::segment::{talks_from_table, Talk};
use crate::text::words;
use crate::themes::{class_tfidf, keyphrases, KeyphraseSettings, Keyword};

/// Top words per topic scored by NPMI and diversity, as in the BERTopic paper.
pub const TOPIC_WORDS: usize = 10;

/// One row of the benchmark table: an algorithm on one embedder's vectors.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    /// Embedder name.
    pub embedder: String,
    /// Algorithm name.
    pub algorithm: String,
    /// Algorithm parameters.
    pub params: String,
    /// Clusters found (outliers not counted).
    pub clusters: usize,
    /// Share of texts left unassigned as outliers.
    pub unassigned_share: f64,
    /// Adjusted Rand index against the labels (outliers count as one cluster).
    pub ari: f64,
    /// Normalised mutual information (arithmetic).
    pub nmi: f64,
    /// Adjusted mutual information (arithmetic).
    pub ami: f64,
    /// V-measure.
    pub v_measure: f64,
    /// Cosine silhouette of the clustered texts.
    pub silhouette: Option<f64>,
    /// NPMI coherence of the clusters' top c-TF-IDF words.
    pub npmi: Option<f64>,
    /// Topic diversity of the clusters' top c-TF-IDF words.
    pub diversity: Option<f64>,
    /// NPMI coherence of the words of the clusters' keyphrases (what reports show), taken in
    /// order until there are ten.
    pub keyphrase_npmi: Option<f64>,
    /// Topic diversity of the same words.
    pub keyphrase_diversity: Option<f64>,
    /// Seconds spent clustering (embedding excluded; see [`EmbedderTiming`]).
    pub seconds: f64,
}

/// How long an embedder took over all texts.
#[derive(Debug, Clone, Serialize)]
pub struct EmbedderTiming {
    /// Embedder name.
    pub embedder: String,
    /// Seconds to embed every text once.
    pub seconds: f64,
}

/// Everything a bench run measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// Texts clustered.
    pub texts: usize,
    /// Distinct gold labels.
    pub labels: usize,
    /// One row per embedder and algorithm.
    pub results: Vec<BenchResult>,
    /// Embedding time per embedder.
    pub embedders: Vec<EmbedderTiming>,
}

/// Texts with their gold labels, as a bench run scores them.
#[derive(Debug, Clone)]
pub struct LabelledTexts {
    /// The texts.
    pub texts: Vec<String>,
    /// The gold label of each text.
    pub labels: Vec<String>,
}

impl LabelledTexts {
    /// The rows of a table read with a label column (rows without a label were skipped then),
    /// each as `run` embeds it: its title and its text ([`Talk::text`]), so a row whose text was a
    /// placeholder is its title.
    pub fn from_table(table: &TalkTable) -> Self {
        LabelledTexts {
            texts: talks_from_table(table).iter().map(Talk::text).collect(),
            labels: table
                .rows
                .iter()
                .map(|r| r.label.clone().unwrap_or_default())
                .collect(),
        }
    }

    /// Number of distinct labels.
    pub fn distinct_labels(&self) -> usize {
        self.labels.iter().collect::<BTreeSet<_>>().len()
    }
}

/// Receives progress from a bench run.
pub trait BenchObserver {
    /// An embedder starts embedding.
    fn embedding(&self, _embedder: &str) {}
    /// `done` of `total` texts are embedded.
    fn embedded(&self, _done: usize, _total: usize) {}
    /// A row of the table is done.
    fn result(&self, _result: &BenchResult) {}
}

/// Embeds the texts of `data` with each embedder once, runs each algorithm on the vectors and
/// scores the clusters against the labels.
pub fn run_bench(
    data: &LabelledTexts,
    embedders: &[(&str, &dyn Embedder)],
    algorithms: &[AlgorithmChoice],
    settings: &AlgorithmSettings,
    observer: &dyn BenchObserver,
) -> Result<BenchReport> {
    let texts: Vec<&str> = data.texts.iter().map(String::as_str).collect();
    let (texts, labels) = (texts.as_slice(), data.labels.as_slice());
    let tokens: Vec<Vec<String>> = texts.iter().map(|t| words(t).collect()).collect();
    let mut results = Vec::new();
    let mut timings = Vec::new();
    for &(name, embedder) in embedders {
        observer.embedding(name);
        let started = Instant::now();
        let vectors =
            embedder.embed_with_progress(texts, &|done| observer.embedded(done, texts.len()))?;
        timings.push(EmbedderTiming {
            embedder: name.to_string(),
            seconds: started.elapsed().as_secs_f64(),
        });
        for &choice in algorithms {
            let algorithm = choice.build(settings);
            let started = Instant::now();
            let clustering = cluster::fit(algorithm.as_ref(), vectors.view())?;
            let seconds = started.elapsed().as_secs_f64();
            let groups: Vec<Vec<usize>> = (0..clustering.k())
                .map(|c| {
                    (0..texts.len())
                        .filter(|&i| clustering.labels[i] == Some(c))
                        .collect()
                })
                .collect();
            let phrases = keyphrases(
                texts,
                vectors.view(),
                &groups,
                embedder,
                &KeyphraseSettings::default(),
            )?;
            let phrase_words: Vec<Vec<String>> =
                phrases.iter().map(|p| keyphrase_words(p)).collect();
            let result = score(
                name,
                choice,
                algorithm.as_ref(),
                &clustering,
                texts,
                labels,
                &tokens,
                &phrase_words,
                seconds,
            );
            observer.result(&result);
            results.push(result);
        }
    }
    Ok(BenchReport {
        texts: texts.len(),
        labels: data.distinct_labels(),
        results,
        embedders: timings,
    })
}

/// The [`BenchResult`] of one clustering.
#[allow(clippy::too_many_arguments)]
fn score(
    embedder: &str,
    choice: AlgorithmChoice,
    algorithm: &dyn Clusterer,
    clustering: &Clustering,
    texts: &[&str],
    labels: &[String],
    tokens: &[Vec<String>],
    phrase_words: &[Vec<String>],
    seconds: f64,
) -> BenchResult {
    let predicted: Vec<i64> = clustering
        .labels
        .iter()
        .map(|l| l.map_or(-1, |c| c as i64))
        .collect();
    let scores = partition_scores(labels, &predicted);
    let members: Vec<Vec<&str>> = (0..clustering.k())
        .map(|c| {
            texts
                .iter()
                .zip(&clustering.labels)
                .filter(|(_, l)| **l == Some(c))
                .map(|(t, _)| *t)
                .collect()
        })
        .collect();
    let topics: Vec<Vec<String>> = class_tfidf(&members, TOPIC_WORDS)
        .into_iter()
        .map(|keywords| keywords.into_iter().map(|k| k.word).collect())
        .collect();
    BenchResult {
        embedder: embedder.to_string(),
        algorithm: choice.name().to_string(),
        params: algorithm.params(),
        clusters: clustering.k(),
        unassigned_share: clustering.unassigned() as f64 / texts.len().max(1) as f64,
        ari: scores.ari,
        nmi: scores.nmi,
        ami: scores.ami,
        v_measure: scores.v_measure,
        silhouette: clustering.silhouette.map(f64::from),
        npmi: npmi_coherence(&topics, tokens, NPMI_WINDOW),
        diversity: topic_diversity(&topics, TOPIC_WORDS),
        keyphrase_npmi: npmi_coherence(phrase_words, tokens, NPMI_WINDOW),
        keyphrase_diversity: topic_diversity(phrase_words, TOPIC_WORDS),
        seconds,
    }
}

/// The first [`TOPIC_WORDS`] distinct words of a group's keyphrases, in order: what NPMI and
/// diversity, which count words, are computed on.
pub fn keyphrase_words(phrases: &[Keyword]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for word in phrases.iter().flat_map(|k| k.word.split(' ')) {
        if found.len() < TOPIC_WORDS && !found.iter().any(|w| w == word) {
            found.push(word.to_string());
        }
    }
    found
}

impl BenchReport {
    /// `bench.csv`: one row per result, the columns of [`BenchResult`]; empty cells for metrics
    /// that do not apply.
    pub fn to_csv(&self) -> Result<Vec<u8>> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        for result in &self.results {
            writer
                .serialize(result)
                .map_err(|e| Error::output("bench.csv", std::io::Error::other(e)))?;
        }
        writer
            .into_inner()
            .map_err(|e| Error::output("bench.csv", e.into_error()))
    }

    /// `bench.json`: `{"texts", "labels", "results": [...], "embedders": [...]}`.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        let mut bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::output("bench.json", std::io::Error::other(e)))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{load_talk_table, TableColumns};

    #[test]
    fn rows_are_scored_as_run_embeds_them_title_and_text() {
        // Eleven rows share a placeholder text: each keeps its title alone. The last row's text
        // does not repeat its title, so both are embedded, as `run` does.
        let mut csv = String::from("title,text,label\n");
        for i in 0..11 {
            csv.push_str(&format!("Talk {i},No transcript available.,a\n"));
        }
        csv.push_str("Envoy at scale,We ran Envoy on every node.,b\n");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("talks.csv");
        std::fs::write(&path, csv).unwrap();
        let columns = TableColumns {
            label: Some("label".into()),
            ..TableColumns::default()
        };
        let data = LabelledTexts::from_table(&load_talk_table(&path, &columns).unwrap());
        assert_eq!(data.texts[3], "Talk 3");
        assert_eq!(
            data.texts[11],
            "Envoy at scale.\nWe ran Envoy on every node."
        );
        assert_eq!(data.labels[11], "b");
        assert_eq!(data.distinct_labels(), 2);
    }
}
