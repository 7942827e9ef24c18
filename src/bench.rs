//! Benchmarking clusterings against gold labels: partition metrics, topic quality, and the runner
//! behind `confthemes bench`.

mod partition_metrics;
mod runner;
mod topic_metrics;

pub use partition_metrics::{partition_scores, PartitionScores};
pub use runner::{
    run_bench, BenchObserver, BenchReport, BenchResult, EmbedderTiming, LabelledTexts, TOPIC_WORDS,
};
pub use topic_metrics::{npmi_coherence, topic_diversity, NPMI_WINDOW};
