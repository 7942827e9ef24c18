//! The `confthemes` command line: a thin layer over the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use confthemes::bench::{run_bench, BenchObserver, BenchReport, BenchResult, LabelledTexts};
use confthemes::cluster::{
    AlgorithmChoice, AlgorithmSettings, Clusterer, KMeans, SilhouetteKMeans, DEFAULT_PCA_DIMS,
};
use confthemes::compare::{PeriodBy, ThemeTrack, TrendOptions};
use confthemes::embed::{
    Batching, CachedEmbedder, Embedder, Engine, ModelFiles, TfidfLsa, WindowedEmbedder,
    DEFAULT_MODEL_DIR,
};
use confthemes::ingest::{
    load_inputs, load_talk_table, Corpus, LogisticsRule, TableColumns, TalkTable,
};
use confthemes::pipeline::{self, Observer, RunOptions};
use confthemes::report::{refuse_overlap, write_reports, OutputDir, ReportSet, RunReport};
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
/// clusters the talks, names the themes and writes CSV, JSON and HTML reports; `compare` follows
/// the themes from one year (or event) to the next.
#[derive(Parser)]
#[command(name = "confthemes", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write theme reports (talks.csv, themes.csv, report.json, report.html) for notes or a CSV of talks.
    ///
    /// INPUT is one or more folders of .txt/.md notes (searched recursively) or note files, or
    /// a single .csv file with one talk per row (a `text` column, and `title`, `conference`, `edition`, `year` when
    /// present). A manifest.csv beside the notes (columns file,conference,edition,year) gives
    /// each file's conference; without it the conference, edition and year are read from the
    /// text.
    Run(RunArgs),

    /// Compare themes across periods: what rose and what faded from one year (or event) to the next.
    ///
    /// Themes are assigned once over all periods, so a theme keeps its identity. Writes the run's
    /// reports plus trends.csv (period, theme, talks, share, delta_share, keywords, name, change)
    /// and trends.json; report.html charts the shares over time. Periods come from the manifest,
    /// the text's metadata or the CSV's conference and year columns.
    Compare(CompareArgs),

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

    #[command(flatten)]
    model: ModelArgs,

    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
}

/// Where the sentence-transformer is and what runs it.
#[derive(Args)]
struct ModelArgs {
    /// Model folder, as installed by models/fetch.sh.
    #[arg(long, env = "CONFTHEMES_MODEL", default_value = DEFAULT_MODEL_DIR)]
    model: PathBuf,

    /// Engine that runs the model: candle (pure Rust, always built) or rust-bert (libtorch; only
    /// in a build with `--features rust-bert`, see the README). Vectors agree to about 1e-7.
    #[arg(long, env = "CONFTHEMES_ENGINE", default_value = "candle")]
    engine: Engine,

    /// Embed talks longer than the model's 256 tokens as up to N windows of 256 tokens, averaged
    /// (1: keep the first 256 tokens only, as sentence-transformers does; costs about N times the
    /// embedding time on long talks).
    #[arg(long, value_name = "N", default_value_t = 1)]
    max_windows: usize,
}

impl ModelArgs {
    /// Loads the model on the chosen engine.
    fn load(&self, batching: Batching) -> Result<LoadedModel, Error> {
        let files = ModelFiles::locate(&self.model)?;
        let model = self.engine.load(&files, batching)?;
        Ok(LoadedModel {
            files,
            model,
            max_windows: self.max_windows,
        })
    }
}

/// A loaded model and how long talks are to be embedded with it.
struct LoadedModel {
    files: ModelFiles,
    model: Box<dyn Embedder>,
    max_windows: usize,
}

impl LoadedModel {
    /// `inner` (this model, maybe behind the cache) with long talks cut into windows when asked.
    fn windowed<'a>(&self, inner: &'a dyn Embedder) -> Result<Option<WindowedEmbedder<'a>>, Error> {
        (self.max_windows > 1)
            .then(|| WindowedEmbedder::new(&self.files, inner, self.max_windows))
            .transpose()
    }
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

    #[command(flatten)]
    pipeline: PipelineArgs,
}

#[derive(Args)]
struct CompareArgs {
    /// Folders of notes or note files (periods from the manifest or the metadata read from the
    /// text).
    #[arg(
        value_name = "INPUT",
        required_unless_present = "data",
        conflicts_with = "data"
    )]
    inputs: Vec<PathBuf>,

    /// A CSV of talks instead of notes (columns conference, year, title, text; other columns are
    /// kept in talks.csv).
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,

    /// What makes a period: year, or event (conference and year).
    #[arg(long, default_value = "year")]
    period: PeriodBy,

    /// Smallest change of a theme's share (0.02 = 2 points, and a quarter of the share) that
    /// counts as emerging or declining.
    #[arg(long, default_value_t = 0.02)]
    min_change: f32,

    /// Periods with fewer talks are left out (named in report.html and trends.json).
    #[arg(long, default_value_t = 5)]
    min_period_talks: usize,

    /// A column of official tracks in the CSV to correlate theme shares with, period by period.
    #[arg(long, requires = "data", requires = "match_track")]
    track_col: Option<String>,

    /// THEME=TRACK pairs to correlate, comma-separated (e.g. security=security,ml-on-kubernetes=ai-ml).
    #[arg(
        long = "match",
        value_name = "THEME=TRACK",
        value_delimiter = ',',
        requires = "track_col"
    )]
    match_track: Vec<ThemeTrack>,

    #[command(flatten)]
    pipeline: PipelineArgs,
}

/// The settings `run` and `compare` share.
#[derive(Args)]
struct PipelineArgs {
    /// With a CSV input: the column holding each talk's text.
    #[arg(long, default_value = "text")]
    text_col: String,

    /// With a CSV input: the column holding each talk's title (optional in the file).
    #[arg(long, default_value = "title")]
    title_col: String,

    /// With a CSV input: keep the rows whose titles say they are logistics (badge pick-up,
    /// cloakroom, happy hours, opening remarks, cancelled sessions...), which are dropped by default.
    #[arg(long)]
    keep_logistics: bool,

    /// Folder to write the reports into (created if missing; existing reports are replaced only
    /// when the new ones are complete).
    #[arg(long, short, default_value = "reports")]
    out: PathBuf,

    #[command(flatten)]
    model: ModelArgs,

    /// Folder of the embedding cache (default: $XDG_CACHE_HOME/confthemes, else
    /// ~/.cache/confthemes). Talks embedded before with the same model are not embedded again.
    #[arg(long, env = "CONFTHEMES_CACHE", value_name = "DIR")]
    cache: Option<PathBuf>,

    /// Embed every talk, neither reading nor writing the cache.
    #[arg(long, env = "CONFTHEMES_NO_CACHE")]
    no_cache: bool,

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

    /// Lowest cosine similarity between a talk (its title or its text, whichever is closer) and
    /// the nearest phrase (description or example title) of the taxonomy for the talk to get its
    /// most probable theme; below it the talk is `unassigned`. The default was calibrated on
    /// annotated recap posts.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, allow_negative_numbers = true)]
    threshold: f32,

    /// Texts per embedding batch.
    #[arg(long, default_value_t = 32)]
    batch_size: usize,

    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,

    /// Print the seconds spent in each stage, and the peak memory, on stderr at the end.
    #[arg(long)]
    timings: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Compare(args) => compare(&args),
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
    let is_table =
        |p: &PathBuf| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let input = match args.inputs.as_slice() {
        [table] if is_table(table) => Source::Table(table),
        inputs if inputs.iter().any(is_table) => {
            return Err(Error::Setting(
                "a CSV of talks is read alone: give it as the only INPUT".into(),
            ))
        }
        inputs => Source::Notes(inputs),
    };
    execute(
        input,
        &args.pipeline,
        TrendOptions::default(),
        ReportSet::Run,
    )
}

fn compare(args: &CompareArgs) -> Result<(), Error> {
    if !(0.0..1.0).contains(&args.min_change) {
        return Err(Error::Setting(format!(
            "--min-change {} is not a share in [0, 1)",
            args.min_change
        )));
    }
    let trends = TrendOptions {
        by: args.period,
        min_change: args.min_change,
        track_column: args.track_col.clone(),
        pairs: args.match_track.clone(),
        min_period_talks: args.min_period_talks,
        require_two_periods: true,
    };
    let input = match &args.data {
        Some(table) => Source::Table(table),
        None => Source::Notes(&args.inputs),
    };
    execute(input, &args.pipeline, trends, ReportSet::Comparison)
}

/// What `run` or `compare` reads, before it is loaded.
enum Source<'a> {
    Notes(&'a [PathBuf]),
    Table(&'a PathBuf),
}

/// Loads the input, runs the pipeline and writes the reports of `set`.
fn execute(
    source: Source<'_>,
    args: &PipelineArgs,
    trends: TrendOptions,
    set: ReportSet,
) -> Result<(), Error> {
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
    let mut inputs: Vec<&std::path::Path> = match source {
        Source::Table(path) => vec![path.as_path()],
        Source::Notes(paths) => paths.iter().map(PathBuf::as_path).collect(),
    };
    inputs.extend(args.themes.as_deref());
    refuse_overlap(&inputs, &args.out, &ReportSet::ALL_FILES)?;
    let options = RunOptions {
        seed: args.seed,
        clusterer,
        theme_threshold: args.threshold,
        taxonomy,
        taxonomy_source,
        trends,
    };

    let progress = CliProgress::new(args.quiet);
    progress.stage("reading input");
    let input = match source {
        Source::Table(path) => {
            let columns = TableColumns {
                text: args.text_col.clone(),
                title: args.title_col.clone(),
                label: None,
            };
            let mut table = load_talk_table(path, &columns)?;
            if !args.keep_logistics {
                LogisticsRule::default().drop_from(&mut table);
                if table.rows.is_empty() {
                    return Err(Error::Input {
                        path: path.to_path_buf(),
                        message: "no talks left: every row is a logistics row (badge pick-up, \
                                  breaks, remarks...); --keep-logistics keeps them"
                            .into(),
                    });
                }
            }
            Input::Table(path, table)
        }
        Source::Notes(inputs) => Input::Notes(inputs, load_inputs(inputs)?),
    };
    let warnings = match &input {
        Input::Table(_, table) => &table.warnings,
        Input::Notes(_, corpus) => &corpus.warnings,
    };
    for warning in warnings {
        progress.warn(&format!("{}: {}", warning.file, warning.message));
    }
    let out = OutputDir::open(&args.out)?;
    progress.stage("loading model");
    let model = args.model.load(Batching {
        batch_size: args.batch_size,
        ..Batching::default()
    })?;
    let cache_dir = if args.no_cache {
        None
    } else {
        args.cache.clone().or_else(default_cache_dir)
    };
    let cached = cache_dir
        .as_deref()
        .map(|dir| CachedEmbedder::open(dir, model.model.as_ref()));
    let unwindowed: &dyn Embedder = match &cached {
        Some(cached) => cached,
        None => model.model.as_ref(),
    };
    // Windows outside the cache: the cache holds each window's vector, shared with other runs.
    let windowed = model.windowed(unwindowed)?;
    let embedder: &dyn Embedder = match &windowed {
        Some(windowed) => windowed,
        None => unwindowed,
    };
    let report = match &input {
        Input::Table(path, table) => {
            pipeline::run_table(path, table, embedder, &options, &progress)?
        }
        Input::Notes(inputs, corpus) => pipeline::run(
            inputs,
            corpus,
            &HeadingSegmenter,
            embedder,
            &options,
            &progress,
        )?,
    };
    progress.stage("writing reports");
    let written = write_reports(&out, &report, set)?;
    progress.finish();
    if args.timings {
        eprintln!("timings: {}", progress.timings());
        if let Some(peak) = peak_memory_mib() {
            eprintln!("peak memory: {peak} MiB");
        }
    }
    print_summary(&report, &written);
    if let Some(cached) = &cached {
        let stats = cached.stats();
        for warning in &stats.warnings {
            eprintln!("warning: embedding cache: {warning}");
        }
        println!(
            "embeddings: {} computed, {} from the cache ({})",
            stats.computed,
            stats.hits,
            cached.file().display()
        );
    }
    Ok(())
}

/// The most memory this process has held (its peak resident set), in MiB; Linux only.
fn peak_memory_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// `$XDG_CACHE_HOME/confthemes`, else `~/.cache/confthemes`; none without a home.
fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".cache"))
        })?;
    Some(base.join("confthemes"))
}

/// The clusterer `run` was asked for.
fn run_clusterer(args: &PipelineArgs) -> Result<Arc<dyn Clusterer>, Error> {
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

/// What `run` or `compare` read.
enum Input<'a> {
    Notes(&'a [PathBuf], Corpus),
    Table(&'a PathBuf, TalkTable),
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
    if args.k == Some(0) {
        return Err(Error::Setting(
            "--k 0: clusters must number at least 1".into(),
        ));
    }
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
    refuse_overlap(&[&args.data], &args.out, &BENCH_FILES)?;
    let table = load_talk_table(&args.data, &columns)?;
    let out = OutputDir::open(&args.out)?;
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
        Some(args.model.load(Batching::default())?)
    } else {
        None
    };
    let windowed = match &minilm {
        Some(loaded) => loaded.windowed(loaded.model.as_ref())?,
        None => None,
    };
    let lsa = TfidfLsa {
        seed: args.seed,
        ..TfidfLsa::default()
    };
    let embedders: Vec<(&str, &dyn Embedder)> = choices
        .iter()
        .map(|choice| -> (&str, &dyn Embedder) {
            match (choice, &windowed, &minilm) {
                (EmbedderChoice::MiniLm, Some(windowed), _) => ("minilm", windowed),
                (EmbedderChoice::MiniLm, None, Some(loaded)) => ("minilm", loaded.model.as_ref()),
                (EmbedderChoice::MiniLm, None, None) => unreachable!("loaded when chosen"),
                (EmbedderChoice::TfidfLsa, _, _) => ("tfidf-lsa", &lsa),
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
        (BENCH_FILES[0], report.to_csv()?),
        (BENCH_FILES[1], report.to_json()?),
    ];
    let written = out.replace(&files, &[])?;
    print_bench_table(&report);
    let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!("\nwritten: {}", paths.join(", "));
    Ok(())
}

/// The files `bench` writes.
const BENCH_FILES: [&str; 2] = ["bench.csv", "bench.json"];

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
    let units = report
        .talks
        .iter()
        .filter(|t| t.kind == confthemes::segment::TalkKind::Document)
        .count();
    if units > 0 {
        println!(
            "{} gave no talk boundaries; each is reported as one unit (kind `document`)",
            count(units, "document")
        );
    }
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
    /// Each stage and when it started, for --timings.
    started: std::sync::Mutex<Vec<(String, Instant)>>,
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
            started: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Seconds spent in each stage so far, e.g. `embedding 80.12 s, clustering 1.03 s`.
    fn timings(&self) -> String {
        let started = self.started.lock().unwrap_or_else(|p| p.into_inner());
        let ends = started
            .iter()
            .skip(1)
            .map(|(_, t)| *t)
            .chain([Instant::now()]);
        started
            .iter()
            .zip(ends)
            .map(|((name, start), end)| format!("{name} {:.2} s", (end - *start).as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
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
        self.started
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((name.to_string(), Instant::now()));
        self.bar.set_message(name.to_string());
        self.bar.enable_steady_tick(Duration::from_millis(120));
    }

    fn embedded(&self, done: usize, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(done as u64);
    }

    fn warning(&self, warning: &confthemes::ingest::Warning) {
        self.warn(&format!("{}: {}", warning.file, warning.message));
    }
}
