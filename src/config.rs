//! One validated configuration per command, as ripgrep turns parsed flags into settings once.
//!
//! Every default lives here; `validate` checks ranges and combinations before anything is read;
//! the settings build what the pipeline runs with: the clusterer ([`AlgorithmSettings::build`],
//! the same meaning for `run` and `bench`), the embedder stack ([`ModelSettings::load`]: model ->
//! cache -> windows) and the input ([`Input`]). The command line only parses flags into these
//! structs; [`crate::app`] runs them. Messages name settings by their field names; the command
//! line maps them to its flags.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bench::EmbedderChoice;
use crate::cluster::{AlgorithmChoice, AlgorithmSettings, Clusterer};
use crate::compare::TrendOptions;
use crate::embed::{
    Batching, CacheStats, CachedEmbedder, Embedder, Engine, ModelFiles, Precision,
    WindowedEmbedder, DEFAULT_BATCH_SIZE, DEFAULT_MODEL_DIR,
};
use crate::error::{Error, Result};
use crate::ingest::{TableColumns, TalkText};
use crate::themes::{DiscoverySettings, Taxonomy, DEFAULT_THRESHOLD};

pub use crate::cluster::DEFAULT_SEED;

/// What a command reads: notes, or one CSV of talks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Folders of notes (searched recursively) or note files; their order does not matter.
    Notes(Vec<PathBuf>),
    /// One CSV file of talks, one talk per row.
    Table(PathBuf),
    /// Talks given in memory.
    Texts(Vec<TalkText>),
}

impl Input {
    /// Reads inputs the way every command does: a single `.csv` file is a table of talks, anything
    /// else is notes; a CSV among other inputs is refused (it is read alone).
    pub fn from_paths(paths: Vec<PathBuf>) -> Result<Input> {
        let is_table =
            |p: &Path| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        match paths.as_slice() {
            [] => Err(Error::Setting("no input given".into())),
            [table] if is_table(table) => Ok(Input::Table(table.clone())),
            many if many.iter().any(|p| is_table(p)) => Err(Error::Setting(
                "a CSV of talks is read alone: give it as the only input".into(),
            )),
            _ => Ok(Input::Notes(paths)),
        }
    }

    /// The paths read.
    pub fn paths(&self) -> Vec<&Path> {
        match self {
            Input::Notes(paths) => paths.iter().map(PathBuf::as_path).collect(),
            Input::Table(path) => vec![path.as_path()],
            Input::Texts(_) => Vec::new(),
        }
    }
}

/// How a CSV of talks is read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableSettings {
    /// The columns holding each talk's text and title.
    pub columns: TableColumns,
    /// Keep the rows whose titles say they are logistics (badge pick-up, breaks, remarks...).
    pub keep_logistics: bool,
}

/// Where embeddings are cached between runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CachePolicy {
    /// Embed every text; neither read nor write a cache.
    Off,
    /// `$XDG_CACHE_HOME/confthemes`, else `~/.cache/confthemes` (off without a home).
    #[default]
    Default,
    /// This folder.
    Dir(PathBuf),
}

impl CachePolicy {
    /// The cache folder, if any.
    pub fn dir(&self) -> Option<PathBuf> {
        match self {
            CachePolicy::Off => None,
            CachePolicy::Dir(dir) => Some(dir.clone()),
            CachePolicy::Default => {
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
        }
    }
}

/// Where the sentence-transformer is, what runs it and how texts reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelSettings {
    /// Model folder, as installed by `models/fetch.sh`.
    pub dir: PathBuf,
    /// Engine that runs the model.
    pub engine: Engine,
    /// Arithmetic of the dense products (int8 on the `onnx` engine only).
    pub precision: Precision,
    /// Long talks are embedded as up to this many 256-token windows, averaged (1: the first 256
    /// tokens only, as sentence-transformers does).
    pub max_windows: usize,
    /// Texts per embedding batch.
    pub batch_size: usize,
    /// The embedding cache.
    pub cache: CachePolicy,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            dir: PathBuf::from(DEFAULT_MODEL_DIR),
            engine: Engine::default(),
            precision: Precision::default(),
            max_windows: 1,
            batch_size: DEFAULT_BATCH_SIZE,
            cache: CachePolicy::Default,
        }
    }
}

impl ModelSettings {
    /// Checks the numbers (the files are checked when loaded).
    pub fn validate(&self) -> Result<()> {
        if self.max_windows == 0 {
            return Err(setting("max_windows", "0: at least one window is embedded"));
        }
        if self.batch_size == 0 {
            return Err(setting("batch_size", "0: a batch holds at least one text"));
        }
        Ok(())
    }

    /// Loads the model on its engine, ready to be wrapped by the cache and windows.
    pub fn load(&self) -> Result<EmbedderStack> {
        self.validate()?;
        let files = ModelFiles::locate(&self.dir)?;
        let batching = Batching {
            batch_size: self.batch_size,
            ..Batching::default()
        };
        let model = self.engine.load(&files, batching, self.precision)?;
        Ok(EmbedderStack {
            files,
            model,
            max_windows: self.max_windows,
            cache_dir: self.cache.dir(),
        })
    }
}

/// A loaded model and what wraps it for a job: the cache, then windows for long talks (outside
/// the cache, so the cache holds each window's vector, shared with other runs).
pub struct EmbedderStack {
    files: ModelFiles,
    model: Box<dyn Embedder>,
    max_windows: usize,
    cache_dir: Option<PathBuf>,
}

/// What the embedding cache did during a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheReport {
    /// The cache file.
    pub file: PathBuf,
    /// Texts embedded by the model.
    pub computed: usize,
    /// Texts whose vectors came from the cache.
    pub hits: usize,
    /// Problems reading or writing the cache (they never stop a job).
    pub warnings: Vec<String>,
}

impl EmbedderStack {
    /// Runs `job` with the stack's embedder; returns its result and what the cache did.
    pub fn with<R>(
        &self,
        job: impl FnOnce(&dyn Embedder) -> Result<R>,
    ) -> Result<(R, Option<CacheReport>)> {
        let cached = self
            .cache_dir
            .as_deref()
            .map(|dir| CachedEmbedder::open(dir, self.model.as_ref()));
        let unwindowed: &dyn Embedder = match &cached {
            Some(cached) => cached,
            None => self.model.as_ref(),
        };
        let windowed = (self.max_windows > 1)
            .then(|| WindowedEmbedder::new(&self.files, unwindowed, self.max_windows))
            .transpose()?;
        let embedder: &dyn Embedder = match &windowed {
            Some(windowed) => windowed,
            None => unwindowed,
        };
        let result = job(embedder)?;
        let cache = cached.map(|cached| {
            let CacheStats {
                hits,
                computed,
                warnings,
            } = cached.stats();
            CacheReport {
                file: cached.file().to_path_buf(),
                computed,
                hits,
                warnings,
            }
        });
        Ok((result, cache))
    }
}

/// The theme taxonomy and how strict assignment is.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeSettings {
    /// A taxonomy TOML instead of the built-in one.
    pub taxonomy: Option<PathBuf>,
    /// Lowest similarity of a talk to the nearest phrase of the taxonomy for an assignment.
    pub threshold: f32,
    /// How themes are discovered among the talks no taxonomy theme takes.
    pub discovery: DiscoverySettings,
}

impl Default for ThemeSettings {
    fn default() -> Self {
        ThemeSettings {
            taxonomy: None,
            threshold: DEFAULT_THRESHOLD,
            discovery: DiscoverySettings::default(),
        }
    }
}

impl ThemeSettings {
    /// Checks the threshold and the discovery settings.
    pub fn validate(&self) -> Result<()> {
        if !(-1.0..=1.0).contains(&self.threshold) {
            return Err(setting(
                "threshold",
                format!("{} is not a cosine similarity in [-1, 1]", self.threshold),
            ));
        }
        if self.discovery.min_talks == 1 {
            return Err(setting(
                "min_discovered",
                "a discovered theme needs at least 2 talks (0 turns discovery off)".to_string(),
            ));
        }
        Ok(())
    }

    /// The taxonomy and where it came from (`builtin` or the file's path).
    pub fn taxonomy(&self) -> Result<(Taxonomy, String)> {
        match &self.taxonomy {
            Some(path) => Ok((Taxonomy::from_file(path)?, path.display().to_string())),
            None => Ok((Taxonomy::builtin(), "builtin".to_string())),
        }
    }
}

/// Everything `run` (and `compare`, with trends) needs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The notes or the CSV of talks.
    pub input: Input,
    /// How a CSV input is read.
    pub table: TableSettings,
    /// Folder the reports are written into.
    pub out: PathBuf,
    /// The model and its cache.
    pub model: ModelSettings,
    /// The clustering algorithm and its parameters.
    pub clustering: ClusterSettings,
    /// The taxonomy and threshold.
    pub themes: ThemeSettings,
    /// A comparison across periods (`compare`), or `None` for a plain run.
    pub trends: Option<TrendOptions>,
}

impl RunConfig {
    /// A run of `input` into `out` with every other setting at its default.
    pub fn new(input: Input, out: impl Into<PathBuf>) -> Self {
        RunConfig {
            input,
            table: TableSettings::default(),
            out: out.into(),
            model: ModelSettings::default(),
            clustering: ClusterSettings::default(),
            themes: ThemeSettings::default(),
            trends: None,
        }
    }

    /// Checks every setting and combination before anything is read.
    pub fn validate(&self) -> Result<()> {
        self.model.validate()?;
        self.clustering.validate()?;
        self.themes.validate()?;
        if let Some(trends) = &self.trends {
            if !(0.0..1.0).contains(&trends.min_change) {
                return Err(setting(
                    "min_change",
                    format!("{} is not a share in [0, 1)", trends.min_change),
                ));
            }
            if trends.track_column.is_some() && matches!(self.input, Input::Notes(_)) {
                return Err(setting(
                    "track_column",
                    "names a column of a CSV of talks; the input is notes",
                ));
            }
        }
        Ok(())
    }
}

/// A clustering algorithm by name and its parameters: what `run` and `bench` both build from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterSettings {
    /// The algorithm.
    pub algorithm: AlgorithmChoice,
    /// The parameters (k, k range, sizes, seed).
    pub params: AlgorithmSettings,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        ClusterSettings {
            algorithm: AlgorithmChoice::KMeansSilhouette,
            params: AlgorithmSettings::default(),
        }
    }
}

impl ClusterSettings {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<()> {
        self.params.validate()
    }

    /// The clusterer, with its parameters.
    pub fn build(&self) -> Box<dyn Clusterer> {
        self.algorithm.build(&self.params)
    }
}

/// Everything `bench` needs.
#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// The CSV of labelled texts.
    pub data: PathBuf,
    /// Its text and label columns.
    pub columns: TableColumns,
    /// Folder bench.csv and bench.json are written into.
    pub out: PathBuf,
    /// Algorithms to run, in order.
    pub algorithms: Vec<AlgorithmChoice>,
    /// Embedders to run them on, in order.
    pub embedders: Vec<EmbedderChoice>,
    /// Parameters of every algorithm; their k is replaced by `k`.
    pub params: AlgorithmSettings,
    /// k for the algorithms that take one; `None`: the number of distinct labels.
    pub k: Option<usize>,
    /// The model (read when `minilm` is among the embedders; no cache: timings stay honest).
    pub model: ModelSettings,
}

impl BenchConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<()> {
        if self.k == Some(0) {
            return Err(setting("k", "0: clusters must number at least 1"));
        }
        if self.algorithms.is_empty() {
            return Err(setting("algorithms", "lists none"));
        }
        if self.embedders.is_empty() {
            return Err(setting("embedders", "lists none"));
        }
        self.model.validate()?;
        self.params.validate()
    }
}

/// Everything `assign` needs: new talks themed with a fitted themes model.
#[derive(Debug, Clone)]
pub struct AssignConfig {
    /// The output folder of an earlier run, holding its `themes.model`.
    pub themes_from: PathBuf,
    /// The new notes or CSV of talks.
    pub input: Input,
    /// How a CSV input is read.
    pub table: TableSettings,
    /// Folder the reports are written into.
    pub out: PathBuf,
    /// The model: it must be the one the themes model was fitted with.
    pub model: ModelSettings,
}

impl AssignConfig {
    /// Theming `input` with the themes in `themes_from` into `out`, every other setting at its
    /// default.
    pub fn new(themes_from: impl Into<PathBuf>, input: Input, out: impl Into<PathBuf>) -> Self {
        AssignConfig {
            themes_from: themes_from.into(),
            input,
            table: TableSettings::default(),
            out: out.into(),
            model: ModelSettings::default(),
        }
    }

    /// Checks the settings.
    pub fn validate(&self) -> Result<()> {
        self.model.validate()
    }
}

/// An invalid setting, named by its field.
pub(crate) fn setting(name: &str, message: impl std::fmt::Display) -> Error {
    Error::Setting(format!("{name} {message}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_config() -> RunConfig {
        RunConfig::new(Input::Notes(vec!["corpus".into()]), "reports")
    }

    fn refused(config: &RunConfig) -> String {
        config.validate().unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_valid_and_out_of_range_settings_are_named() {
        assert!(run_config().validate().is_ok());
        let mut c = run_config();
        c.themes.threshold = 1.5;
        assert!(
            refused(&c).contains("threshold 1.5 is not"),
            "{}",
            refused(&c)
        );
        let mut c = run_config();
        (c.clustering.params.k_min, c.clustering.params.k_max) = (5, Some(3));
        assert!(refused(&c).contains("k range 5..3 is empty"));
        let mut c = run_config();
        c.model.max_windows = 0;
        assert!(refused(&c).starts_with("invalid setting: max_windows"));
        let mut c = run_config();
        c.clustering.params.min_cluster_size = 1;
        assert!(refused(&c).contains("min_cluster_size"));
        let mut c = run_config();
        c.trends = Some(TrendOptions {
            min_change: 1.0,
            ..TrendOptions::default()
        });
        assert!(refused(&c).contains("min_change 1 is not a share"));
    }

    #[test]
    fn tracks_need_a_table_and_a_table_is_read_alone() {
        let mut c = run_config();
        c.trends = Some(TrendOptions {
            track_column: Some("track".into()),
            ..TrendOptions::default()
        });
        assert!(refused(&c).contains("track_column"));
        let dir = tempfile::tempdir().unwrap();
        let table = dir.path().join("talks.csv");
        std::fs::write(&table, "title,text\na,b\n").unwrap();
        assert_eq!(
            Input::from_paths(vec![table.clone()]).unwrap(),
            Input::Table(table.clone())
        );
        let mixed = Input::from_paths(vec![table, dir.path().to_path_buf()]);
        assert!(mixed.unwrap_err().to_string().contains("read alone"));
        assert!(Input::from_paths(Vec::new()).is_err());
    }

    #[test]
    fn one_k_means_k_means_at_it_in_every_command() {
        let mut settings = ClusterSettings::default();
        assert!(settings.build().params().contains("silhouette"));
        settings.params.k_min = 4;
        settings.params.k_max = Some(4);
        let fixed = settings.build();
        assert_eq!(fixed.params(), "k=4");
        let bench = BenchConfig {
            data: "x.csv".into(),
            columns: TableColumns::default(),
            out: "bench".into(),
            algorithms: vec![AlgorithmChoice::KMeansSilhouette],
            embedders: vec![EmbedderChoice::TfidfLsa],
            params: settings.params.clone(),
            k: Some(0),
            model: ModelSettings::default(),
        };
        assert!(bench
            .validate()
            .unwrap_err()
            .to_string()
            .contains("k 0: clusters"));
    }
}
