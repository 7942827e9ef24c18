//! Benchmarking clusterings against gold labels: partition metrics, topic quality, and the runner
//! behind `confthemes bench`.

mod partition_metrics;
mod runner;
mod topic_metrics;

pub use partition_metrics::{partition_scores, PartitionScores};
pub use runner::{
    keyphrase_words, run_bench, BenchObserver, BenchReport, BenchResult, EmbedderTiming,
    LabelledTexts, TOPIC_WORDS,
};
pub use topic_metrics::{npmi_coherence, topic_diversity, NPMI_WINDOW};

/// An embedder `bench` can run the algorithms on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbedderChoice {
    /// all-MiniLM-L6-v2.
    MiniLm,
    /// TF-IDF + truncated SVD, no model.
    TfidfLsa,
}

impl EmbedderChoice {
    /// Every embedder, in the order the table lists them.
    pub const ALL: [EmbedderChoice; 2] = [EmbedderChoice::MiniLm, EmbedderChoice::TfidfLsa];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            EmbedderChoice::MiniLm => "minilm",
            EmbedderChoice::TfidfLsa => "tfidf-lsa",
        }
    }
}

impl std::str::FromStr for EmbedderChoice {
    type Err = crate::Error;

    fn from_str(name: &str) -> crate::Result<Self> {
        Self::ALL
            .into_iter()
            .find(|e| e.name() == name)
            .ok_or_else(|| {
                crate::Error::Setting(format!(
                    "unknown embedder `{name}` (known: minilm, tfidf-lsa)"
                ))
            })
    }
}
