//! The `confthemes` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use confthemes::bench::{run_bench, BenchObserver, BenchReport, BenchResult, LabelledTexts};
use confthemes::cluster::{
    AlgorithmChoice, AlgorithmSettings, Clusterer, KMeans, SilhouetteKMeans, DEFAULT_PCA_DIMS,
};
use confthemes::embed::{CandleMiniLm, Embedder, ModelFiles, TfidfLsa, DEFAULT_MODEL_DIR};
use confthemes::ingest::{load_inputs, load_talk_table, Corpus, TableColumns, TalkTable};
use confthemes::pipeline::{self, Observer, RunOptions};
use confthemes::report::{write_files_atomically, write_reports, RunReport};
use confthemes::segment::HeadingSegmenter;
use confthemes::themes::{Taxonomy, DEFAULT_THRESHOLD};
use confthemes::Error;

// mimalloc: about +50% embedding throughput over the system allocator (fewer page faults).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Find the themes in conference notes.
///
/// confthemes splits blog recaps, trip reports and talk catalogues into the talks they describe,
/// embeds each talk with the all-MiniLM-L6-v2 sentence-transformer (offline, from models/),
/// clusters the talks, names the themes and writes CSV and JSON reports.
#[derive(Parser)]
#[command(name = "confthemes", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write theme reports (talks.csv, themes.csv, report.json) for notes or a CSV of talks.
    ///
    /// INPUT is one or more folders of .txt/.md notes (searched recursively) or note files, or
    /// a single .csv file with one talk per row (a `text` column, and `title`, `conference`, `edition`, `year` when
    /// present). A manifest.csv beside the notes (columns file,conference,edition,year) gives
    /// each file's conference; without it the conference, edition and year are read from the
    /// text.
    Run(RunArgs),

    /// Show the talks found in note files: title, speakers and the lines each one spans.
    ///
    /// Prints a table, or with --json a JSON array of talks (file, index, title, speakers with
    /// affiliations, body, start_line, end_line).
    Segment(SegmentArgs),

    /// Benchmark clustering algorithms on labelled texts: every algorithm on every embedder.
    ///
    /// Reads a CSV with a text and a label column, embeds the texts once per embedder, runs each
    /// algorithm (k = the number of distinct labels unless --k is given), and scores the clusters
    /// against the labels: ARI, NMI, AMI, V-measure, cosine silhouette, and the NPMI coherence and
    /// diversity of each cluster's top-10 c-TF-IDF words. Prints a table and writes bench.csv and
    /// bench.json into --out.
    Bench(BenchArgs),
}

#[derive(Args)]
struct BenchArgs {
    /// CSV of labelled texts.
    #[arg(long)]
    data: PathBuf,

    /// The column holding each text.
    #[arg(long, default_value = "text")]
    text_col: String,

    /// The column holding each text's gold label.
    #[arg(long, default_value = "label")]
    label_col: String,

    /// Folder to write bench.csv and bench.json into.
    #[arg(long, short, default_value = "bench")]
    out: PathBuf,

    /// Algorithms to run, comma-separated: kmeans, kmeans-silhouette, agglomerative-average,
    /// agglomerative-complete, agglomerative-ward, hdbscan, hdbscan-reassign, pca-kmeans.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "kmeans,kmeans-silhouette,agglomerative-average,agglomerative-complete,agglomerative-ward,hdbscan,hdbscan-reassign,pca-kmeans"
    )]
    algorithms: Vec<String>,

    /// Embedders, comma-separated: minilm (all-MiniLM-L6-v2), tfidf-lsa (TF-IDF + truncated
    /// SVD, no model).
    #[arg(long, value_delimiter = ',', default_value = "minilm,tfidf-lsa")]
    embedders: Vec<String>,

    /// Clusters for the algorithms that take k (default: the number of distinct labels).
    #[arg(long)]
    k: Option<usize>,

    /// HDBSCAN's smallest cluster (and min_samples); 10 is BERTopic's min_topic_size.
    #[arg(long, default_value_t = 10)]
    min_cluster_size: usize,

    /// Principal components kept by pca-kmeans.
    #[arg(long, default_value_t = DEFAULT_PCA_DIMS)]
    pca_dims: usize,

    /// Seed of every random choice.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Model folder, as installed by models/fetch.sh.
    #[arg(long, env = "CONFTHEMES_MODEL", default_value = DEFAULT_MODEL_DIR)]
    model: PathBuf,

    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Args)]
struct SegmentArgs {
    /// Note files (.txt, .md) or folders of them.
    #[arg(required = true)]
    files: Vec<PathBuf>,

    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct RunArgs {
    /// Folders of notes or note files (their order does not matter), or one CSV of talks.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    /// With a CSV input: the column holding each talk's text.
    #[arg(long, default_value = "text")]
    text_col: String,

    /// With a CSV input: the column holding each talk's title (optional in the file).
    #[arg(long, default_value = "title")]
    title_col: String,

    /// Folder to write the reports into (created if missing; existing reports are replaced only
    /// when the new ones are complete).
    #[arg(long, short, default_value = "reports")]
    out: PathBuf,

    /// Model folder, as installed by models/fetch.sh.
    #[arg(long, env = "CONFTHEMES_MODEL", default_value = DEFAULT_MODEL_DIR)]
    model: PathBuf,

    /// Theme taxonomy (TOML with [[theme]] id, name, description) instead of the built-in one.
    #[arg(long)]
    themes: Option<PathBuf>,

    /// Seed for clustering; the same seed and input always give the same reports.
    #[arg(long, default_value_t = 42)]
    seed: u64,

    /// Clustering algorithm: kmeans-silhouette (k-means, k chosen by silhouette in
    /// --k-min..--k-max), kmeans, agglomerative-average, agglomerative-complete,
    /// agglomerative-ward, pca-kmeans (k clusters, --k), hdbscan (outliers left unassigned),
    /// hdbscan-reassign (outliers join their nearest cluster).
    #[arg(long, default_value = "kmeans-silhouette")]
    algorithm: String,

    /// Number of clusters for the algorithms that take k (kmeans-silhouette: use exactly k-means
    /// at this k).
    #[arg(long, conflicts_with_all = ["k_min", "k_max"])]
    k: Option<usize>,

    /// Smallest number of clusters tried.
    #[arg(long, default_value_t = 2)]
    k_min: usize,

    /// Largest number of clusters tried.
    #[arg(long, default_value_t = 16)]
    k_max: usize,

    /// HDBSCAN's smallest cluster (and min_samples).
    #[arg(long, default_value_t = 10)]
    min_cluster_size: usize,

    /// Lowest cosine similarity between a talk and a theme for the talk to get that theme;
    /// below it the talk is `unassigned`.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD)]
    threshold: f32,

    /// Texts per embedding batch.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,

    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Segment(args) => segment(&args),
        Command::Bench(args) => bench(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(err.exit_code() as u8)
        }
    }
}

fn run(args: &RunArgs) -> Result<(), Error> {
    if !(-1.0..=1.0).contains(&args.threshold) {
        return Err(Error::Setting(format!(
            "--threshold {} is not a cosine similarity in [-1, 1]",
            args.threshold
        )));
    }
    let (taxonomy, taxonomy_source) = match &args.themes {
        Some(path) => (Taxonomy::from_file(path)?, path.display().to_string()),
        None => (Taxonomy::builtin(), "builtin".to_string()),
    };
    let clusterer = run_clusterer(args)?;
    let options = RunOptions {
        seed: args.seed,
        clusterer,
        theme_threshold: args.threshold,
        taxonomy,
        taxonomy_source,
    };

    let progress = CliProgress::new(args.quiet);
    let is_table =
        |p: &PathBuf| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let input = match args.inputs.as_slice() {
        [table] if is_table(table) => {
            let columns = TableColumns {
                text: args.text_col.clone(),
                title: args.title_col.clone(),
                label: None,
            };
            Input::Table(load_talk_table(table, &columns)?)
        }
        inputs if inputs.iter().any(is_table) => {
            return Err(Error::Setting(
                "a CSV of talks is read alone: give it as the only INPUT".into(),
            ))
        }
        inputs => Input::Notes(load_inputs(inputs)?),
    };
    let warnings = match &input {
        Input::Table(table) => &table.warnings,
        Input::Notes(corpus) => &corpus.warnings,
    };
    for warning in warnings {
        progress.warn(&format!("{}: {}", warning.file, warning.message));
    }
    progress.stage("loading model");
    let model =
        CandleMiniLm::load(&ModelFiles::locate(&args.model)?)?.with_batch_size(args.batch_size);
    let report = match &input {
        Input::Table(table) => {
            pipeline::run_table(&args.inputs[0], table, &model, &options, &progress)?
        }
        Input::Notes(corpus) => pipeline::run(
            &args.inputs,
            corpus,
            &HeadingSegmenter,
            &model,
            &options,
            &progress,
        )?,
    };
    progress.stage("writing reports");
    let written = write_reports(&args.out, &report)?;
    progress.finish();
    print_summary(&report, &written);
    Ok(())
}

/// The clusterer `run` was asked for.
fn run_clusterer(args: &RunArgs) -> Result<Arc<dyn Clusterer>, Error> {
    let choice: AlgorithmChoice = args.algorithm.parse()?;
    let (k_min, k_max) = args.k.map_or((args.k_min, args.k_max), |k| (k, k));
    if k_min == 0 || k_min > k_max {
        return Err(Error::Setting(format!(
            "k range {k_min}..{k_max} is empty (clusters must number at least 1)"
        )));
    }
    if choice == AlgorithmChoice::KMeansSilhouette {
        if args.k.is_some() {
            return Ok(Arc::new(KMeans::new(k_min).with_seed(args.seed)));
        }
        return Ok(Arc::new(SilhouetteKMeans {
            k_min,
            k_max,
            seed: args.seed,
        }));
    }
    let settings = AlgorithmSettings {
        k: args.k.unwrap_or(DEFAULT_K),
        min_cluster_size: args.min_cluster_size,
        pca_dims: DEFAULT_PCA_DIMS,
        seed: args.seed,
    };
    Ok(Arc::from(choice.build(&settings)))
}

/// k for the algorithms that take one when --k is not given.
const DEFAULT_K: usize = 10;

/// What `run` reads.
enum Input {
    Notes(Corpus),
    Table(TalkTable),
}

fn segment(args: &SegmentArgs) -> Result<(), Error> {
    let corpus = load_inputs(&args.files)?;
    for warning in &corpus.warnings {
        eprintln!("warning: {}: {}", warning.file, warning.message);
    }
    let talks = pipeline::segment_corpus(&corpus, &HeadingSegmenter);
    if args.json {
        let json =
            serde_json::to_string_pretty(&talks).map_err(|e| Error::Setting(e.to_string()))?;
        println!("{json}");
        return Ok(());
    }
    println!(
        "{:<32} {:>3} {:>9}  {:<70} speakers",
        "file", "#", "lines", "title"
    );
    for t in &talks {
        let title: String = t.title.chars().take(70).collect();
        println!(
            "{:<32} {:>3} {:>9}  {:<70} {}",
            t.file,
            t.index,
            format!("{}-{}", t.start_line, t.end_line),
            title,
            t.speaker_names()
        );
    }
    Ok(())
}

fn bench(args: &BenchArgs) -> Result<(), Error> {
    let algorithms = args
        .algorithms
        .iter()
        .map(|a| a.parse())
        .collect::<Result<Vec<AlgorithmChoice>, Error>>()?;
    let choices = args
        .embedders
        .iter()
        .map(|e| e.parse())
        .collect::<Result<Vec<EmbedderChoice>, Error>>()?;
    let columns = TableColumns {
        text: args.text_col.clone(),
        label: Some(args.label_col.clone()),
        ..TableColumns::default()
    };
    let table = load_talk_table(&args.data, &columns)?;
    let progress = CliProgress::new(args.quiet);
    for warning in &table.warnings {
        progress.warn(&format!("{}: {}", warning.file, warning.message));
    }
    let data = LabelledTexts::from_table(&table);
    let labels = data.distinct_labels();
    let settings = AlgorithmSettings {
        k: args.k.unwrap_or(labels).max(1),
        min_cluster_size: args.min_cluster_size,
        pca_dims: args.pca_dims,
        seed: args.seed,
    };
    let minilm = if choices.contains(&EmbedderChoice::MiniLm) {
        progress.stage("loading model");
        Some(CandleMiniLm::load(&ModelFiles::locate(&args.model)?)?)
    } else {
        None
    };
    let lsa = TfidfLsa {
        seed: args.seed,
        ..TfidfLsa::default()
    };
    let embedders: Vec<(&str, &dyn Embedder)> = choices
        .iter()
        .map(|choice| -> (&str, &dyn Embedder) {
            match (choice, &minilm) {
                (EmbedderChoice::MiniLm, Some(model)) => ("minilm", model),
                (EmbedderChoice::MiniLm, None) => unreachable!("loaded when chosen"),
                (EmbedderChoice::TfidfLsa, _) => ("tfidf-lsa", &lsa),
            }
        })
        .collect();
    eprintln!(
        "{} texts, {labels} labels; k = {} for the algorithms that take it",
        data.texts.len(),
        settings.k
    );
    let report = run_bench(&data, &embedders, &algorithms, &settings, &progress)?;
    progress.finish();
    let files = [
        ("bench.csv", report.to_csv()?),
        ("bench.json", report.to_json()?),
    ];
    let written = write_files_atomically(&args.out, &files)?;
    print_bench_table(&report);
    let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!("\nwritten: {}", paths.join(", "));
    Ok(())
}

/// An embedder named on the `bench` command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EmbedderChoice {
    MiniLm,
    TfidfLsa,
}

impl std::str::FromStr for EmbedderChoice {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        match name {
            "minilm" => Ok(EmbedderChoice::MiniLm),
            "tfidf-lsa" => Ok(EmbedderChoice::TfidfLsa),
            _ => Err(Error::Setting(format!(
                "unknown embedder `{name}` (known: minilm, tfidf-lsa)"
            ))),
        }
    }
}

fn print_bench_table(report: &BenchReport) {
    let cell = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    println!(
        "{:<10} {:<23} {:>4} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8}",
        "embedder",
        "algorithm",
        "k",
        "unassig",
        "ARI",
        "NMI",
        "AMI",
        "V",
        "silh",
        "NPMI",
        "div",
        "seconds"
    );
    for r in &report.results {
        println!(
            "{:<10} {:<23} {:>4} {:>6.1}% {:>6.3} {:>6.3} {:>6.3} {:>6.3} {:>6} {:>6} {:>6} {:>8.2}",
            r.embedder,
            r.algorithm,
            r.clusters,
            r.unassigned_share * 100.0,
            r.ari,
            r.nmi,
            r.ami,
            r.v_measure,
            cell(r.silhouette),
            cell(r.npmi),
            cell(r.diversity),
            r.seconds
        );
    }
    for t in &report.embedders {
        println!("embedding with {}: {:.1} s", t.embedder, t.seconds);
    }
}

fn print_summary(report: &RunReport, written: &[PathBuf]) {
    let silhouette = report
        .clustering
        .silhouette
        .map_or(String::new(), |s| format!(", silhouette {s:.3}"));
    println!(
        "{}, {}, {}{silhouette} ({})",
        count(report.documents.len(), "document"),
        count(report.talks.len(), "talk"),
        count(report.clustering.k, "cluster"),
        report.clustering.algorithm
    );
    let outliers = report.talks.iter().filter(|t| t.cluster.is_none()).count();
    if outliers > 0 {
        println!(
            "{} left out of every cluster as outliers (empty `cluster` in talks.csv)",
            count(outliers, "talk")
        );
    }
    println!();
    println!("{:<46} {:>5} {:>6}  keywords", "theme", "talks", "share");
    for theme in report.themes.iter().filter(|t| t.talks > 0) {
        let keywords: Vec<&str> = theme
            .keywords
            .iter()
            .take(5)
            .map(|k| k.word.as_str())
            .collect();
        println!(
            "{:<46} {:>5} {:>5.1}%  {}",
            theme.name,
            theme.talks,
            theme.share * 100.0,
            keywords.join(", ")
        );
    }
    println!();
    let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!("reports: {}", paths.join(", "));
}

/// "1 talk", "2 talks".
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Progress on stderr: a spinner and an embedding bar on a terminal, one line per stage otherwise
/// (logs, CI), nothing with `--quiet`.
struct CliProgress {
    bar: ProgressBar,
    /// Print plain stage lines because no bar can be drawn.
    plain: bool,
}

impl CliProgress {
    fn new(quiet: bool) -> Self {
        let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
        let target = if quiet || !terminal {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {wide_bar} {pos}/{len} [{elapsed}]")
                .expect("valid template"),
        );
        CliProgress {
            bar,
            plain: !quiet && !terminal,
        }
    }

    fn warn(&self, message: &str) {
        self.bar.suspend(|| eprintln!("warning: {message}"));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl BenchObserver for CliProgress {
    fn embedding(&self, embedder: &str) {
        Observer::stage(self, &format!("embedding with {embedder}"));
    }

    fn embedded(&self, done: usize, total: usize) {
        Observer::embedded(self, done, total);
    }

    fn result(&self, result: &BenchResult) {
        if self.plain {
            eprintln!(
                "{} {}: ARI {:.3} in {:.2} s",
                result.embedder, result.algorithm, result.ari, result.seconds
            );
        }
    }
}

impl Observer for CliProgress {
    fn stage(&self, name: &str) {
        if self.plain {
            eprintln!("{name} ...");
        }
        self.bar.set_message(name.to_string());
        self.bar.enable_steady_tick(Duration::from_millis(120));
    }

    fn embedded(&self, done: usize, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
    }
}
