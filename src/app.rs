//! Entry points: take a validated configuration ([`crate::config`]), read what it names, run the
//! pipeline and write the reports. The command line calls these; a program can call them the same
//! way, or [`theme`] to get the report in memory without writing anything.
//!
//! ```
//! use confthemes::app;
//! use confthemes::config::{CachePolicy, Input, RunConfig};
//! use confthemes::ingest::TalkText;
//! use confthemes::pipeline::Silent;
//!
//! let talks = vec![
//!     TalkText::new("Istio at scale", "A service mesh across 40 clusters with Envoy and mTLS."),
//!     TalkText::new("Cutting the cloud bill", "FinOps practices that halved our compute spend."),
//!     TalkText::new("Tracing everything", "OpenTelemetry traces and Prometheus metrics."),
//! ];
//! let mut config = RunConfig::new(Input::Texts(talks), "reports");
//! config.model.cache = CachePolicy::Off;
//! let themed = app::theme(&config, &Silent)?;
//! let themes: Vec<&str> = themed.report.talks.iter().map(|t| t.theme.as_str()).collect();
//! assert_eq!(themes, ["service-mesh", "cost", "observability"]);
//! # Ok::<(), confthemes::Error>(())
//! ```

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bench::{run_bench, BenchObserver, BenchReport, EmbedderChoice, LabelledTexts};
use crate::config::{AssignConfig, BenchConfig, CacheReport, Input, RunConfig, TableSettings};
use crate::embed::{Embedder, TfidfLsa};
use crate::error::{Error, Result};
use crate::ingest::{load_inputs, load_talk_table, LogisticsRule, TableColumns, TalkTable};
use crate::pipeline::{self, Described, Observer, RunOptions};
use crate::report::{refuse_overlap, write_reports, OutputDir, ReportSet, RunReport};
use crate::segment::{BoundarySegmenter, Talk, TalkKind};
use crate::themes::{ThemeKind, ThemesModel, MODEL_FILE};

/// A theme run's report and what the embedding cache did.
#[derive(Debug, Clone)]
pub struct Themed {
    /// The report (not yet written).
    pub report: RunReport,
    /// The cache's hits and misses, when a cache was used.
    pub cache: Option<CacheReport>,
}

/// A finished `run`, `compare` or `assign`: the report, the files written and the cache's work.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The report and the cache's work.
    pub themed: Themed,
    /// The reports written, in writing order.
    pub written: Vec<PathBuf>,
}

impl Outcome {
    /// What a person (or a script, as JSON) wants to know at the end of the command.
    pub fn summary(&self) -> Summary {
        let report = &self.themed.report;
        Summary {
            documents: report.documents.len(),
            talks: report.talks.len(),
            whole_documents: report
                .talks
                .iter()
                .filter(|t| t.kind == TalkKind::Document)
                .count(),
            outliers: report.talks.iter().filter(|t| t.cluster.is_none()).count(),
            clusters: report.clustering.k,
            algorithm: report.clustering.algorithm.clone(),
            silhouette: report.clustering.silhouette,
            themes: report
                .themes
                .iter()
                .filter(|t| t.talks > 0)
                .map(|t| ThemeLine {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    kind: t.kind,
                    talks: t.talks,
                    share: t.share,
                    keywords: t.keywords.iter().take(5).map(|k| k.word.clone()).collect(),
                })
                .collect(),
            warnings: report.warnings.len(),
            reports: self.written.clone(),
            embeddings: self.themed.cache.clone(),
        }
    }
}

/// The end-of-command summary of `run`, `compare` and `assign`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Documents read.
    pub documents: usize,
    /// Talks found (a talk described twice counts twice).
    pub talks: usize,
    /// Documents that gave no talk boundaries, each reported as one unit.
    pub whole_documents: usize,
    /// Talks left out of every cluster.
    pub outliers: usize,
    /// Clusters found.
    pub clusters: usize,
    /// The clustering algorithm and its parameters.
    pub algorithm: String,
    /// Mean cosine silhouette of the clustering.
    pub silhouette: Option<f32>,
    /// Themes with at least one talk, most talks first.
    pub themes: Vec<ThemeLine>,
    /// Warnings (skipped files, fallbacks), listed in report.json.
    pub warnings: usize,
    /// The reports written.
    pub reports: Vec<PathBuf>,
    /// What the embedding cache did, when one was used.
    pub embeddings: Option<CacheReport>,
}

/// A theme in the [`Summary`].
#[derive(Debug, Clone, Serialize)]
pub struct ThemeLine {
    /// Theme id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// From the taxonomy or discovered in the talks.
    pub kind: ThemeKind,
    /// Talks assigned to it.
    pub talks: usize,
    /// Their share of all talks.
    pub share: f32,
    /// Its top five keywords.
    pub keywords: Vec<String>,
}

/// Runs the pipeline on the configured input and returns the report without writing anything.
pub fn theme(config: &RunConfig, observer: &dyn Observer) -> Result<Themed> {
    config.validate()?;
    let (options, described) = prepare(config, observer)?;
    embed_and_theme(config, &options, described, observer)
}

/// `run` (and `compare`, when trends are configured): themes the input and writes the reports
/// into `config.out`, replacing an earlier set whole or leaving it untouched.
pub fn run(config: &RunConfig, observer: &dyn Observer) -> Result<Outcome> {
    config.validate()?;
    let mut inputs = config.input.paths();
    inputs.extend(config.themes.taxonomy.as_deref());
    refuse_overlap(&inputs, &config.out, &ReportSet::ALL_FILES)?;
    let (options, described) = prepare(config, observer)?;
    // Opened (and locked) before the model is loaded: a folder that cannot take the reports
    // stops the run before the slow part.
    let out = OutputDir::open(&config.out)?;
    let themed = embed_and_theme(config, &options, described, observer)?;
    observer.stage("writing reports");
    let set = match config.trends {
        Some(_) => ReportSet::Comparison,
        None => ReportSet::Run,
    };
    let written = write_reports(&out, &themed.report, set)?;
    Ok(Outcome { themed, written })
}

/// `assign`: themes new talks with the `themes.model` an earlier run wrote into
/// `config.themes_from`, refitting nothing, and writes the reports into `config.out`.
pub fn assign(config: &AssignConfig, observer: &dyn Observer) -> Result<Outcome> {
    config.validate()?;
    let model_path = config.themes_from.join(MODEL_FILE);
    let mut inputs = config.input.paths();
    inputs.push(&model_path);
    refuse_overlap(&inputs, &config.out, &ReportSet::ALL_FILES)?;
    let fitted = ThemesModel::read(&model_path)?;
    let themed = apply(&fitted, &model_path, config, observer)?;
    observer.stage("writing reports");
    let out = OutputDir::open(&config.out)?;
    let written = write_reports(&out, &themed.report, ReportSet::Run)?;
    Ok(Outcome { themed, written })
}

/// Themes the input of `config` with fitted themes (read from `source`, or made in memory by
/// [`theme`]: `report.themes_model`) and returns the report without writing anything. The model
/// loaded must be the one the themes were fitted with.
pub fn apply(
    fitted: &ThemesModel,
    source: &Path,
    config: &AssignConfig,
    observer: &dyn Observer,
) -> Result<Themed> {
    observer.stage("reading input");
    let described = describe(&config.input, &config.table, observer)?;
    observer.stage("loading model");
    let stack = config.model.load()?;
    let name = source.display().to_string();
    let (report, cache) = stack.with(|embedder| {
        fitted.check_embedder(embedder, source)?;
        pipeline::assign(described, fitted, &name, embedder, observer)
    })?;
    Ok(Themed { report, cache })
}

/// `segment`: the talks found in note files, in document order.
pub fn segment(inputs: &[PathBuf], observer: &dyn Observer) -> Result<Vec<Talk>> {
    let corpus = load_inputs(inputs)?;
    for warning in &corpus.warnings {
        observer.warning(warning);
    }
    Ok(pipeline::segment_corpus(
        &corpus,
        &BoundarySegmenter::default(),
    ))
}

/// A finished `bench`.
#[derive(Debug, Clone, Serialize)]
pub struct BenchOutcome {
    /// Texts read.
    pub texts: usize,
    /// Distinct gold labels.
    pub labels: usize,
    /// k given to the algorithms that take one.
    pub k: usize,
    /// Scores and timings.
    pub report: BenchReport,
    /// bench.csv and bench.json.
    pub written: Vec<PathBuf>,
}

/// The files `bench` writes.
pub const BENCH_FILES: [&str; 2] = ["bench.csv", "bench.json"];

/// `bench`: every configured algorithm on every configured embedder, scored against the labels;
/// writes bench.csv and bench.json into `config.out`.
pub fn bench(config: &BenchConfig, observer: &dyn BenchObserver) -> Result<BenchOutcome> {
    config.validate()?;
    refuse_overlap(&[&config.data], &config.out, &BENCH_FILES)?;
    let columns = TableColumns {
        label: Some(
            config
                .columns
                .label
                .clone()
                .unwrap_or_else(|| "label".into()),
        ),
        ..config.columns.clone()
    };
    let table = load_talk_table(&config.data, &columns)?;
    let out = OutputDir::open(&config.out)?;
    let data = LabelledTexts::from_table(&table);
    let labels = data.distinct_labels();
    let params = crate::cluster::AlgorithmSettings {
        k: config.k.unwrap_or(labels).max(1),
        ..config.params.clone()
    };
    let model = if config.embedders.contains(&EmbedderChoice::MiniLm) {
        // No cache: the table reports embedding times.
        let settings = crate::config::ModelSettings {
            cache: crate::config::CachePolicy::Off,
            ..config.model.clone()
        };
        Some(settings.load()?)
    } else {
        None
    };
    let lsa = TfidfLsa {
        seed: params.seed,
        ..TfidfLsa::default()
    };
    let bench_with = |minilm: Option<&dyn Embedder>| {
        let embedders: Vec<(&str, &dyn Embedder)> = config
            .embedders
            .iter()
            .map(|&choice| -> (&str, &dyn Embedder) {
                match (choice, minilm) {
                    (EmbedderChoice::MiniLm, Some(minilm)) => (choice.name(), minilm),
                    _ => (EmbedderChoice::TfidfLsa.name(), &lsa),
                }
            })
            .collect();
        run_bench(&data, &embedders, &config.algorithms, &params, observer)
    };
    let report = match &model {
        Some(stack) => stack.with(|minilm| bench_with(Some(minilm)))?.0,
        None => bench_with(None)?,
    };
    let files = [
        (BENCH_FILES[0], report.to_csv()?),
        (BENCH_FILES[1], report.to_json()?),
    ];
    let written = out.replace(&files, &[])?;
    Ok(BenchOutcome {
        texts: data.texts.len(),
        labels,
        k: params.k,
        report,
        written,
    })
}

/// The run options and the described talks: everything before the model is needed.
fn prepare(config: &RunConfig, observer: &dyn Observer) -> Result<(RunOptions, Described)> {
    let (taxonomy, taxonomy_source) = config.themes.taxonomy()?;
    let options = RunOptions {
        seed: config.clustering.params.seed,
        clusterer: config.clustering.build().into(),
        theme_threshold: config.themes.threshold,
        taxonomy,
        taxonomy_source,
        discovery: config.themes.discovery,
        trends: config.trends.clone().unwrap_or_default(),
    };
    observer.stage("reading input");
    let described = describe(&config.input, &config.table, observer)?;
    Ok((options, described))
}

/// Loads the model and runs the pipeline on the described talks.
fn embed_and_theme(
    config: &RunConfig,
    options: &RunOptions,
    described: Described,
    observer: &dyn Observer,
) -> Result<Themed> {
    observer.stage("loading model");
    let stack = config.model.load()?;
    let (report, cache) =
        stack.with(|embedder| pipeline::run_described(described, embedder, options, observer))?;
    Ok(Themed { report, cache })
}

/// Reads the input and describes its talks: notes are segmented, a table's rows are talks (its
/// logistics rows dropped unless kept).
fn describe(input: &Input, table: &TableSettings, observer: &dyn Observer) -> Result<Described> {
    match input {
        Input::Notes(paths) => {
            let corpus = load_inputs(paths)?;
            for warning in &corpus.warnings {
                observer.warning(warning);
            }
            pipeline::describe_notes(paths, &corpus, &BoundarySegmenter::default(), observer)
        }
        Input::Table(path) => {
            let mut talks = load_talk_table(path, &table.columns)?;
            if !table.keep_logistics {
                LogisticsRule::default().drop_from(&mut talks);
                if talks.rows.is_empty() {
                    return Err(Error::input(
                        path,
                        "no talks left: every row is a logistics row (badge pick-up, breaks, \
                         remarks...); keep_logistics keeps them",
                    ));
                }
            }
            for warning in &talks.warnings {
                observer.warning(warning);
            }
            Ok(pipeline::describe_table(path, &talks))
        }
        Input::Texts(texts) => {
            if texts.is_empty() {
                return Err(Error::Setting("no talks given".into()));
            }
            let table = TalkTable::from_texts("talks", texts);
            Ok(pipeline::describe_table(&PathBuf::from("talks"), &table))
        }
    }
}
