//! The flags, as clap parses them, and their translation into the library's configuration: the
//! only checks here are clap's own (types, required, conflicting flags); every range and
//! combination is checked once by [`confthemes::config`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::Shell;

use confthemes::bench::EmbedderChoice;
use confthemes::cluster::{AlgorithmChoice, AlgorithmSettings, DEFAULT_PCA_DIMS};
use confthemes::compare::{PeriodBy, ThemeTrack, TrendOptions};
use confthemes::config::{
    AssignConfig, BenchConfig, CachePolicy, ClusterSettings, Input, ModelSettings, RunConfig,
    TableSettings, ThemeSettings, DEFAULT_SEED,
};
use confthemes::embed::{Engine, Precision, DEFAULT_BATCH_SIZE, DEFAULT_MODEL_DIR};
use confthemes::ingest::TableColumns;
use confthemes::themes::{DiscoverySettings, DEFAULT_THRESHOLD};
use confthemes::Error;

/// Find the themes in conference notes.
///
/// confthemes splits blog recaps, trip reports and talk catalogues into the talks they describe,
/// embeds each talk with the all-MiniLM-L6-v2 sentence-transformer (offline, from models/),
/// clusters the talks, names the themes and writes CSV, JSON and HTML reports; `compare` follows
/// the themes from one year (or event) to the next; `assign` themes new talks the way an earlier
/// run did.
#[derive(Parser)]
#[command(name = "confthemes", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Worker threads (default: one per core). Results are the same whatever the number.
    #[arg(long, short = 'j', global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

impl Cli {
    /// The worker threads asked for.
    pub fn threads(&self) -> Option<usize> {
        self.threads.map(usize::from)
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Write theme reports (talks.csv, themes.csv, clusters.csv, report.json, report.html,
    /// themes.model) for notes or a CSV of talks.
    ///
    /// INPUT is one or more folders of .txt/.md notes (searched recursively) or note files, or
    /// a single .csv file with one talk per row (a `text` column, and `title`, `conference`, `edition`, `year` when
    /// present). A manifest.csv beside the notes (columns file,conference,edition,year) gives
    /// each file's conference; without it the conference, edition and year are read from the
    /// text. themes.model holds the fitted themes for `assign`.
    Run(RunArgs),

    /// Compare themes across periods: what rose and what faded from one year (or event) to the next.
    ///
    /// Themes are assigned once over all periods, so a theme keeps its identity. Writes the run's
    /// reports plus trends.csv (period, theme, talks, share with its 95% interval, delta_share and
    /// its p-value, keywords, name, change) and trends.json; report.html charts the shares over
    /// time with their intervals. Periods come from the manifest,
    /// the text's metadata or the CSV's conference and year columns.
    Compare(CompareArgs),

    /// Theme new notes or a CSV of talks with the themes an earlier run fitted, without refitting.
    ///
    /// Reads DIR/themes.model (written by `run` or `compare` into its output folder): each talk
    /// gets the theme and score that run would have given it, and the cluster whose centroid is
    /// nearest; a talk that fits no theme is `unassigned`. The model must be the one the themes
    /// were fitted with. Writes the same reports as `run`.
    Assign(AssignArgs),

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
    /// diversity of each cluster's top-10 c-TF-IDF words (NPMI, div) and of the words of its
    /// keyphrases, the names reports show (kpNPMI, kpdiv). Prints a table and writes bench.csv and
    /// bench.json into --out.
    Bench(BenchArgs),

    /// Print a shell completion script (e.g. `confthemes completions bash > /etc/bash_completion.d/confthemes`).
    Completions {
        /// The shell.
        shell: Shell,
    },

    /// Print the man page (roff), e.g. `confthemes man > confthemes.1`.
    Man,
}

/// Where the sentence-transformer is, what runs it and how texts reach it.
#[derive(Args)]
struct ModelArgs {
    /// Model folder, as installed by models/fetch.sh.
    #[arg(long, env = "CONFTHEMES_MODEL", default_value = DEFAULT_MODEL_DIR)]
    model: PathBuf,

    /// Engine that runs the model: onnx (ONNX Runtime, installed by models/fetch.sh; the fastest),
    /// candle (pure Rust, needs the model files only) or rust-bert (libtorch; only in a build with
    /// `--features rust-bert`, see the README). In fp32 their vectors agree to a cosine of 0.9999.
    #[arg(long, env = "CONFTHEMES_ENGINE", default_value = "onnx")]
    engine: Engine,

    /// Arithmetic of the model: fp32 (the vectors of sentence-transformers) or int8 (int8 weights
    /// and activations, about twice as fast, cosine about 0.99 to fp32; onnx engine only). Reports
    /// and the cache name it with the engine.
    #[arg(long, env = "CONFTHEMES_PRECISION", default_value = "fp32")]
    precision: Precision,

    /// Embed talks longer than the model's 256 tokens as up to N windows of 256 tokens, averaged
    /// (1: keep the first 256 tokens only, as sentence-transformers does; costs about N times the
    /// embedding time on long talks).
    #[arg(long, value_name = "N", default_value_t = 1)]
    max_windows: usize,

    /// Texts per embedding batch.
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
    batch_size: usize,
}

/// The embedding cache.
#[derive(Args)]
struct CacheArgs {
    /// Folder of the embedding cache (default: $XDG_CACHE_HOME/confthemes, else
    /// ~/.cache/confthemes). Talks embedded before with the same model are not embedded again.
    #[arg(long, env = "CONFTHEMES_CACHE", value_name = "DIR")]
    cache: Option<PathBuf>,

    /// Embed every talk, neither reading nor writing the cache.
    #[arg(long, env = "CONFTHEMES_NO_CACHE")]
    no_cache: bool,
}

impl ModelArgs {
    fn settings(&self, cache: CachePolicy) -> ModelSettings {
        ModelSettings {
            dir: self.model.clone(),
            engine: self.engine,
            precision: self.precision,
            max_windows: self.max_windows,
            batch_size: self.batch_size,
            cache,
        }
    }
}

impl CacheArgs {
    fn policy(&self) -> CachePolicy {
        match (&self.cache, self.no_cache) {
            (_, true) => CachePolicy::Off,
            (Some(dir), false) => CachePolicy::Dir(dir.clone()),
            (None, false) => CachePolicy::Default,
        }
    }
}

/// How a CSV of talks is read.
#[derive(Args)]
struct TableArgs {
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
}

impl TableArgs {
    fn settings(&self) -> TableSettings {
        TableSettings {
            columns: TableColumns {
                text: self.text_col.clone(),
                title: self.title_col.clone(),
                label: None,
            },
            keep_logistics: self.keep_logistics,
        }
    }
}

#[derive(Args)]
pub struct SegmentArgs {
    /// Note files (.txt, .md) or folders of them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct RunArgs {
    /// Folders of notes or note files (their order does not matter), or one CSV of talks.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

impl RunArgs {
    pub fn config(&self) -> Result<RunConfig, Error> {
        self.pipeline
            .config(Input::from_paths(self.inputs.clone())?, None)
    }
}

#[derive(Args)]
pub struct CompareArgs {
    /// Folders of notes or note files (periods from the manifest or the metadata read from the
    /// text), or one CSV of talks (periods from its conference and year columns).
    #[arg(
        value_name = "INPUT",
        required_unless_present = "data",
        conflicts_with = "data"
    )]
    inputs: Vec<PathBuf>,

    /// A CSV of talks (the same as giving it as INPUT).
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,

    /// What makes a period: year, or event (conference and year).
    #[arg(long, default_value = "year")]
    period: PeriodBy,

    /// Smallest change of a theme's share (0.02 = 2 points) that counts as emerging or declining;
    /// the change must also be significant (two-proportion z-test, p < 0.05).
    #[arg(long, default_value_t = 0.02)]
    min_change: f32,

    /// Periods with fewer talks are left out (named in report.html and trends.json).
    #[arg(long, default_value_t = 5)]
    min_period_talks: usize,

    /// A column of official tracks in the CSV to correlate theme shares with, period by period.
    #[arg(long, requires = "match_track")]
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
    pub pipeline: PipelineArgs,
}

impl CompareArgs {
    pub fn config(&self) -> Result<RunConfig, Error> {
        let paths = match &self.data {
            Some(table) => vec![table.clone()],
            None => self.inputs.clone(),
        };
        let trends = TrendOptions {
            by: self.period,
            min_change: self.min_change,
            track_column: self.track_col.clone(),
            pairs: self.match_track.clone(),
            min_period_talks: self.min_period_talks,
            require_two_periods: true,
        };
        self.pipeline
            .config(Input::from_paths(paths)?, Some(trends))
    }
}

/// The settings `run` and `compare` share.
#[derive(Args)]
pub struct PipelineArgs {
    #[command(flatten)]
    table: TableArgs,

    /// Folder to write the reports into (created if missing; existing reports are replaced only
    /// when the new ones are complete).
    #[arg(long, short, default_value = "reports")]
    out: PathBuf,

    #[command(flatten)]
    model: ModelArgs,

    #[command(flatten)]
    cache: CacheArgs,

    /// Theme taxonomy (TOML with [[theme]] id, name, description) instead of the built-in one.
    #[arg(long)]
    themes: Option<PathBuf>,

    /// Seed for clustering; the same seed and input always give the same reports.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,

    /// Clustering algorithm: kmeans-silhouette (k-means, k chosen by silhouette in
    /// --k-min..--k-max), kmeans, agglomerative-average, agglomerative-complete,
    /// agglomerative-ward, pca-kmeans, spectral-kmeans (k clusters, --k), spectral-kmeans-silhouette
    /// (k-means on the spectral embedding of the 15-nearest-neighbour graph, k by silhouette
    /// there), umap-kmeans (k-means at --k on a 5-dimensional UMAP layout, as BERTopic's UMAP +
    /// k-means but the same at every run), umap-kmeans-best (the same on 10 UMAP layouts of
    /// seeds --seed.., keeping the partition best separated in its layout: about 10 times the
    /// time), hdbscan (outliers left unassigned), hdbscan-reassign (outliers join their nearest
    /// cluster).
    #[arg(long, default_value = "kmeans-silhouette")]
    algorithm: AlgorithmChoice,

    /// Number of clusters for the algorithms that take k (kmeans-silhouette: use exactly k-means
    /// at this k) [default: 10].
    #[arg(long, conflicts_with_all = ["k_min", "k_max"])]
    k: Option<usize>,

    #[command(flatten)]
    k_range: KRangeArgs,

    /// HDBSCAN's smallest cluster (and min_samples).
    #[arg(long, default_value_t = AlgorithmSettings::default().min_cluster_size)]
    min_cluster_size: usize,

    /// Lowest cosine similarity between a talk (its title or its text, whichever is closer) and
    /// the nearest phrase (description or example title) of the taxonomy for the talk to get its
    /// most probable theme; below it the talk is `unassigned`. The default was calibrated on
    /// annotated recap posts.
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, allow_negative_numbers = true)]
    threshold: f32,

    /// Fewest talks of a discovered theme: the talks no taxonomy theme takes are clustered
    /// (average linkage on cosine distance), and each cluster of at least this many talks that
    /// is not close to a taxonomy theme is reported as a theme of kind `discovered`, named after
    /// its keyphrases. 0 turns discovery off.
    #[arg(long, default_value_t = DiscoverySettings::default().min_talks)]
    min_discovered: usize,

    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,

    /// Print the seconds spent in each stage, and the peak memory, on stderr at the end.
    #[arg(long)]
    pub timings: bool,

    /// Print the summary as one JSON document on stdout (progress stays on stderr).
    #[arg(long)]
    pub json: bool,
}

/// The range kmeans-silhouette chooses k in.
#[derive(Args)]
struct KRangeArgs {
    /// Smallest number of clusters tried by kmeans-silhouette (cut to one per 5 talks on small
    /// inputs).
    #[arg(long, default_value_t = AlgorithmSettings::default().k_min)]
    k_min: usize,

    /// Largest number of clusters tried by kmeans-silhouette [default: one per 30 talks, at
    /// least --k-min, at most 100].
    #[arg(long)]
    k_max: Option<usize>,
}

impl PipelineArgs {
    fn config(&self, input: Input, trends: Option<TrendOptions>) -> Result<RunConfig, Error> {
        let defaults = AlgorithmSettings::default();
        // --k fixes k, and kmeans-silhouette's range to that one k.
        let (k_min, k_max) = self
            .k
            .map_or((self.k_range.k_min, self.k_range.k_max), |k| (k, Some(k)));
        Ok(RunConfig {
            input,
            table: self.table.settings(),
            out: self.out.clone(),
            model: self.model.settings(self.cache.policy()),
            clustering: ClusterSettings {
                algorithm: self.algorithm,
                params: AlgorithmSettings {
                    k: self.k.unwrap_or(defaults.k),
                    k_min,
                    k_max,
                    min_cluster_size: self.min_cluster_size,
                    pca_dims: DEFAULT_PCA_DIMS,
                    seed: self.seed,
                },
            },
            themes: ThemeSettings {
                taxonomy: self.themes.clone(),
                threshold: self.threshold,
                discovery: DiscoverySettings {
                    min_talks: self.min_discovered,
                    ..DiscoverySettings::default()
                },
            },
            trends,
        })
    }
}

#[derive(Args)]
pub struct AssignArgs {
    /// The output folder of an earlier `run` or `compare`, holding its themes.model.
    #[arg(long, value_name = "DIR")]
    themes_from: PathBuf,

    /// Folders of notes or note files, or one CSV of talks.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,

    #[command(flatten)]
    table: TableArgs,

    /// Folder to write the reports into.
    #[arg(long, short, default_value = "reports")]
    out: PathBuf,

    #[command(flatten)]
    model: ModelArgs,

    #[command(flatten)]
    cache: CacheArgs,

    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,

    /// Print the summary as one JSON document on stdout (progress stays on stderr).
    #[arg(long)]
    pub json: bool,
}

impl AssignArgs {
    pub fn config(&self) -> Result<AssignConfig, Error> {
        Ok(AssignConfig {
            themes_from: self.themes_from.clone(),
            input: Input::from_paths(self.inputs.clone())?,
            table: self.table.settings(),
            out: self.out.clone(),
            model: self.model.settings(self.cache.policy()),
        })
    }
}

#[derive(Args)]
pub struct BenchArgs {
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

    /// Algorithms to run, comma-separated: kmeans, kmeans-silhouette (k chosen in
    /// --k-min..--k-max), agglomerative-average, agglomerative-complete, agglomerative-ward,
    /// hdbscan, hdbscan-reassign, pca-kmeans, spectral-kmeans, spectral-kmeans-silhouette,
    /// umap-kmeans, umap-kmeans-best.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "kmeans,kmeans-silhouette,agglomerative-average,agglomerative-complete,agglomerative-ward,hdbscan,hdbscan-reassign,pca-kmeans,spectral-kmeans,spectral-kmeans-silhouette,umap-kmeans,umap-kmeans-best"
    )]
    algorithms: Vec<AlgorithmChoice>,

    /// Embedders, comma-separated: minilm (all-MiniLM-L6-v2), tfidf-lsa (TF-IDF + truncated
    /// SVD, no model).
    #[arg(long, value_delimiter = ',', default_value = "minilm,tfidf-lsa")]
    embedders: Vec<EmbedderChoice>,

    /// Clusters for the algorithms that take k (default: the number of distinct labels).
    #[arg(long)]
    k: Option<usize>,

    #[command(flatten)]
    k_range: KRangeArgs,

    /// HDBSCAN's smallest cluster (and min_samples); 10 is BERTopic's min_topic_size.
    #[arg(long, default_value_t = AlgorithmSettings::default().min_cluster_size)]
    min_cluster_size: usize,

    /// Principal components kept by pca-kmeans.
    #[arg(long, default_value_t = DEFAULT_PCA_DIMS)]
    pca_dims: usize,

    /// Seed of every random choice.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,

    #[command(flatten)]
    model: ModelArgs,

    /// No progress on stderr.
    #[arg(long, short)]
    pub quiet: bool,

    /// Print the results as one JSON document on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

impl BenchArgs {
    pub fn config(&self) -> Result<BenchConfig, Error> {
        Ok(BenchConfig {
            data: self.data.clone(),
            columns: TableColumns {
                text: self.text_col.clone(),
                label: Some(self.label_col.clone()),
                ..TableColumns::default()
            },
            out: self.out.clone(),
            algorithms: self.algorithms.clone(),
            embedders: self.embedders.clone(),
            params: AlgorithmSettings {
                k_min: self.k_range.k_min,
                k_max: self.k_range.k_max,
                min_cluster_size: self.min_cluster_size,
                pca_dims: self.pca_dims,
                seed: self.seed,
                ..AlgorithmSettings::default()
            },
            k: self.k,
            model: self.model.settings(CachePolicy::Off),
        })
    }
}

/// Settings the library names by field, and the flags that set them.
const FLAGS: [(&str, &str); 16] = [
    ("min_discovered", "--min-discovered"),
    ("text_column", "--text-col"),
    ("label_column", "--label-col"),
    ("threshold", "--threshold"),
    ("max_windows", "--max-windows"),
    ("batch_size", "--batch-size"),
    ("min_cluster_size", "--min-cluster-size"),
    ("pca_dims", "--pca-dims"),
    ("min_change", "--min-change"),
    ("track_column", "--track-col"),
    ("keep_logistics", "--keep-logistics"),
    ("k_min", "--k-min"),
    ("k_max", "--k-max"),
    ("algorithms", "--algorithms"),
    ("embedders", "--embedders"),
    ("threads", "--threads"),
];

/// The error as the command line shows it: the settings the library names by field
/// (`k_min`, `threshold`) are named by their flags (`--k-min`, `--threshold`).
pub fn with_flag_names(err: &Error) -> String {
    flag_names(&err.to_string(), matches!(err, Error::Setting(_)))
}

/// `message` with setting names replaced by flags: every name in a setting error, only names
/// that cannot be ordinary words (`keep_logistics`) in other messages and warnings.
pub fn flag_names(message: &str, setting: bool) -> String {
    let words: Vec<&str> = message.split(' ').collect();
    let shown: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, word)| {
            let name = word.trim_end_matches([':', ',', ';', ')']);
            // A bare `k` is the flag --k when a number follows (`k 0: ...`, not `k range ...`).
            let bare_k = setting
                && name == "k"
                && words
                    .get(i + 1)
                    .is_some_and(|next| next.starts_with(|c: char| c.is_ascii_digit()));
            let flag = FLAGS
                .iter()
                .find(|(field, _)| *field == name && (setting || name.contains('_')))
                .map(|(_, flag)| *flag)
                .or(bare_k.then_some("--k"));
            match flag {
                Some(flag) => word.replacen(name, flag, 1),
                None => word.to_string(),
            }
        })
        .collect();
    shown.join(" ")
}
