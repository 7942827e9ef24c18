//! The whole job: ingest -> segment -> embed -> cluster -> themes -> report, each stage handing
//! records forward to the next. [`run`] starts from a folder of notes, [`run_table`] from a CSV of
//! talks; both end in the same embedding, clustering and naming.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::{Array2, ArrayView1, Axis};

use crate::cluster::{self, AlgorithmChoice, AlgorithmSettings, Clusterer};
use crate::compare::{Periods, TrendOptions, Trends};
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::ingest::{Corpus, TalkTable, Warning};
use crate::report::{
    ClusteringSummary, DocumentSummary, ModelInfo, RunParameters, RunReport, TalkRecord,
    SCHEMA_VERSION,
};
use crate::segment::{link_talks, talks_from_table, LinkedTalks, Segmenter, Talk, TalkKind};
use crate::themes::{
    assign_discovered, discover, name_clusters, summarise_themes, talk_map, theme_names,
    theme_similarity, ClusterName, DiscoveredName, DiscoverySettings, EmbedderStamp, NamedCluster,
    TalkSpace, Taxonomy, ThemeAssignment, ThemeClassifier, ThemeName, ThemesModel,
    DEFAULT_THRESHOLD,
};

/// Settings of a theme run.
#[derive(Clone)]
pub struct RunOptions {
    /// Seed of every random choice (the clusterer carries its own).
    pub seed: u64,
    /// The clustering algorithm with its parameters.
    pub clusterer: Arc<dyn Clusterer>,
    /// Lowest talk-theme similarity for an assignment.
    pub theme_threshold: f32,
    /// The themes talks are assigned to.
    pub taxonomy: Taxonomy,
    /// Where the taxonomy came from, for the report.
    pub taxonomy_source: String,
    /// How themes are discovered among the talks no taxonomy theme takes.
    pub discovery: DiscoverySettings,
    /// How themes are compared across periods.
    pub trends: TrendOptions,
}

impl Default for RunOptions {
    /// The command line's defaults.
    fn default() -> Self {
        let clustering = AlgorithmSettings::default();
        RunOptions {
            seed: clustering.seed,
            clusterer: AlgorithmChoice::KMeansSilhouette.build(&clustering).into(),
            theme_threshold: DEFAULT_THRESHOLD,
            taxonomy: Taxonomy::builtin(),
            taxonomy_source: "builtin".into(),
            discovery: DiscoverySettings::default(),
            trends: TrendOptions::default(),
        }
    }
}

/// Receives progress from a run (the CLI draws it; tests ignore it).
pub trait Observer: Sync {
    /// A stage starts.
    fn stage(&self, _name: &str) {}
    /// `done` of `total` texts are embedded.
    fn embedded(&self, _done: usize, _total: usize) {}
    /// Something the user should know about, found while running (also in the report).
    fn warning(&self, _warning: &Warning) {}
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Observer for Silent {}

/// Segments every document of `corpus`; talks come out in document order.
pub fn segment_corpus(corpus: &Corpus, segmenter: &dyn Segmenter) -> Vec<Talk> {
    corpus
        .documents
        .iter()
        .flat_map(|doc| segmenter.segment(doc))
        .collect()
}

/// The talks an input describes, before anything is embedded.
#[derive(Debug, Clone)]
pub struct Described {
    /// The inputs as given.
    pub inputs: Vec<PathBuf>,
    /// One summary per document read.
    pub documents: Vec<DocumentSummary>,
    /// Every talk described, in document order.
    pub talks: Vec<Talk>,
    /// Files skipped or read with a fallback, and documents that gave no talk.
    pub warnings: Vec<Warning>,
}

/// Segments the notes read from `inputs`; a document without talk boundaries is one unit, named
/// in a warning.
pub fn describe_notes(
    inputs: &[PathBuf],
    corpus: &Corpus,
    segmenter: &dyn Segmenter,
    observer: &dyn Observer,
) -> Result<Described> {
    observer.stage("segmenting");
    let talks = segment_corpus(corpus, segmenter);
    if talks.is_empty() {
        let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(Error::input(
            names.join(", "),
            "no talks found in the notes",
        ));
    }
    let documents: Vec<DocumentSummary> = corpus
        .documents
        .iter()
        .map(|d| DocumentSummary {
            file: d.file.clone(),
            conference: d.meta.conference.clone(),
            edition: d.meta.edition.clone(),
            year: d.meta.year,
            lines: d.text.lines().count(),
            talks: talks.iter().filter(|t| t.file == d.file).count(),
        })
        .collect();
    let mut warnings = corpus.warnings.clone();
    for talk in talks.iter().filter(|t| t.kind == TalkKind::Document) {
        let warning = Warning {
            file: talk.file.clone(),
            message: "no talk found (no heading, list item or paragraph read as a talk); \
                      reported as one unit of kind `document`"
                .into(),
        };
        observer.warning(&warning);
        warnings.push(warning);
    }
    Ok(Described {
        inputs: inputs.to_vec(),
        documents,
        talks,
        warnings,
    })
}

/// The talks of a CSV of talks (one talk per row).
pub fn describe_table(input: &Path, table: &TalkTable) -> Described {
    let talks = talks_from_table(table);
    let document = DocumentSummary {
        file: table.file.clone(),
        conference: None,
        edition: None,
        year: None,
        lines: table.rows.last().map_or(0, |r| r.line),
        talks: talks.len(),
    };
    Described {
        inputs: vec![input.to_path_buf()],
        documents: vec![document],
        talks,
        warnings: table.warnings.clone(),
    }
}

/// Runs the whole pipeline on notes read from `inputs` and returns the report (not yet written).
pub fn run(
    inputs: &[PathBuf],
    corpus: &Corpus,
    segmenter: &dyn Segmenter,
    embedder: &dyn Embedder,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunReport> {
    let described = describe_notes(inputs, corpus, segmenter, observer)?;
    run_described(described, embedder, options, observer)
}

/// Runs the pipeline on a CSV of talks (one talk per row).
pub fn run_table(
    input: &Path,
    table: &TalkTable,
    embedder: &dyn Embedder,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunReport> {
    run_described(describe_table(input, table), embedder, options, observer)
}

/// Embeds, clusters and names the described talks, and assembles the report with the fitted
/// themes model.
pub fn run_described(
    described: Described,
    embedder: &dyn Embedder,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunReport> {
    // A talk described in several documents is embedded, clustered and themed once.
    let linked = link_talks(&described.talks);
    // Checked before the embedding, so a comparison that cannot be made stops at once.
    let periods = Periods::of(&linked.talks, &options.trends)?;
    let vectors = embed_talks(&linked.talks, embedder, observer)?;
    let classifier = ThemeClassifier {
        threshold: options.theme_threshold,
    }
    .fit(&options.taxonomy, embedder)?;

    observer.stage("clustering");
    let clusterer = options.clusterer.as_ref();
    let clustering = cluster::fit(clusterer, vectors.texts.view())?;

    observer.stage("naming themes");
    let mut assigned = classifier.predict(vectors.texts.view(), vectors.titles.view());
    let space = TalkSpace {
        talks: &linked.talks,
        vectors: vectors.texts.view(),
        embedder,
    };
    let taxonomy_ids: Vec<&str> = options
        .taxonomy
        .themes
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    let discovered = discover(space, &mut assigned, &taxonomy_ids, &options.discovery)?;
    let discovered_names: Vec<DiscoveredName> = discovered
        .iter()
        .map(|d| DiscoveredName {
            id: d.id.clone(),
            name: d.name.clone(),
            radius: d.radius,
        })
        .collect();
    let names = theme_names(&options.taxonomy, &discovered_names);
    let clusters = name_clusters(&names, space, &assigned, &clustering.labels, clustering.k())?;
    let themes_model = ThemesModel {
        embedder: EmbedderStamp::of(embedder),
        taxonomy_source: options.taxonomy_source.clone(),
        themes: ThemeName::all(&options.taxonomy),
        classifier,
        clusters: clusters
            .iter()
            .map(|c| ClusterName {
                id: c.id,
                name: c.name.clone(),
                theme: c.theme.clone(),
                keywords: c.keywords.clone(),
            })
            .collect(),
        centroids: clustering.centroids.clone(),
        discovered: discovered_names,
        discovered_centroids: stack_rows(
            discovered.iter().map(|d| d.centroid.view()),
            embedder.dim(),
        ),
    };
    let parameters = RunParameters {
        inputs: sorted_names(&described.inputs),
        seed: options.seed,
        algorithm: clusterer.name(),
        algorithm_params: clusterer.params(),
        theme_threshold: options.theme_threshold,
        taxonomy: options.taxonomy_source.clone(),
    };
    let summary = ClusteringSummary {
        algorithm: format!("{} ({})", clusterer.name(), clusterer.params()),
        k: clustering.k(),
        silhouette: clustering.silhouette,
        tried: clustering.tried,
    };
    let themed = Themed {
        linked,
        vectors: vectors.texts,
        assigned,
        labels: clustering.labels,
        clusters,
        parameters,
        clustering: summary,
        themes_model,
        taxonomy: options.taxonomy.clone(),
        names,
    };
    assemble(
        described,
        themed,
        periods,
        &options.trends,
        embedder,
        observer,
    )
}

/// Themes new talks with a model fitted by an earlier run, refitting nothing: each talk gets the
/// theme and score the model's classifier gives it, and the cluster whose centroid is nearest.
pub fn assign(
    described: Described,
    model: &ThemesModel,
    model_source: &str,
    embedder: &dyn Embedder,
    observer: &dyn Observer,
) -> Result<RunReport> {
    let linked = link_talks(&described.talks);
    let trends = TrendOptions::default();
    let periods = Periods::of(&linked.talks, &trends)?;
    let vectors = embed_talks(&linked.talks, embedder, observer)?;
    observer.stage("assigning themes");
    let mut assigned = model
        .classifier
        .predict(vectors.texts.view(), vectors.titles.view());
    assign_discovered(
        vectors.texts.view(),
        &mut assigned,
        &model.discovered,
        &model.discovered_centroids,
    );
    let labels: Vec<Option<usize>> = if model.clusters.is_empty() {
        vec![None; linked.talks.len()]
    } else {
        cluster::nearest_centroid(vectors.texts.view(), &model.centroids)
            .into_iter()
            .map(Some)
            .collect()
    };
    let taxonomy = model.taxonomy();
    let space = TalkSpace {
        talks: &linked.talks,
        vectors: vectors.texts.view(),
        embedder,
    };
    let names = theme_names(&taxonomy, &model.discovered);
    let mut clusters = name_clusters(&names, space, &assigned, &labels, model.clusters.len())?;
    // A cluster keeps the name, theme and keywords the run gave it.
    for (cluster, fitted) in clusters.iter_mut().zip(&model.clusters) {
        cluster.name = fitted.name.clone();
        cluster.theme = fitted.theme.clone();
        cluster.keywords = fitted.keywords.clone();
    }
    let (threshold, method) = (model.classifier.threshold(), "nearest centroid");
    let parameters = RunParameters {
        inputs: sorted_names(&described.inputs),
        seed: 0,
        algorithm: method.into(),
        algorithm_params: format!("themes from {model_source}"),
        theme_threshold: threshold,
        taxonomy: model.taxonomy_source.clone(),
    };
    let summary = ClusteringSummary {
        algorithm: format!("{method} ({model_source})"),
        k: model.clusters.len(),
        silhouette: None,
        tried: Vec::new(),
    };
    let themed = Themed {
        linked,
        vectors: vectors.texts,
        assigned,
        labels,
        clusters,
        parameters,
        clustering: summary,
        themes_model: model.clone(),
        taxonomy,
        names,
    };
    assemble(described, themed, periods, &trends, embedder, observer)
}

/// Each distinct talk's text and title vectors.
struct TalkVectors {
    texts: Array2<f32>,
    titles: Array2<f32>,
}

fn embed_talks(
    talks: &[Talk],
    embedder: &dyn Embedder,
    observer: &dyn Observer,
) -> Result<TalkVectors> {
    observer.stage("embedding");
    let texts: Vec<String> = talks.iter().map(Talk::text).collect();
    let text_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let total = text_refs.len();
    let texts = embedder.embed_with_progress(&text_refs, &|done| observer.embedded(done, total))?;
    let titles: Vec<&str> = talks.iter().map(|t| t.title.as_str()).collect();
    let titles = embedder.embed(&titles)?;
    Ok(TalkVectors { texts, titles })
}

/// The distinct talks with their themes and clusters, and how they were found.
struct Themed {
    linked: LinkedTalks,
    /// The text vector of each distinct talk.
    vectors: Array2<f32>,
    assigned: Vec<ThemeAssignment>,
    labels: Vec<Option<usize>>,
    clusters: Vec<NamedCluster>,
    parameters: RunParameters,
    clustering: ClusteringSummary,
    themes_model: ThemesModel,
    taxonomy: Taxonomy,
    /// Every theme a talk has: the taxonomy's, the discovered ones, unassigned.
    names: Vec<ThemeName>,
}

/// Summarises the themes, follows them over periods and assembles the report.
fn assemble(
    described: Described,
    themed: Themed,
    periods: Periods,
    trend_options: &TrendOptions,
    embedder: &dyn Embedder,
    observer: &dyn Observer,
) -> Result<RunReport> {
    let Themed {
        linked,
        vectors,
        assigned,
        labels,
        clusters,
        parameters,
        clustering,
        themes_model,
        taxonomy,
        names,
    } = themed;
    let space = TalkSpace {
        talks: &linked.talks,
        vectors: vectors.view(),
        embedder,
    };
    let themes = summarise_themes(&taxonomy, &names, space, &assigned)?;
    let map = talk_map(vectors.view(), parameters.seed);
    observer.stage("comparing periods");
    let trends = Trends::build(&linked.talks, periods, &assigned, &themes, trend_options)?;
    let talks = described
        .talks
        .into_iter()
        .zip(&linked.link)
        .map(|(t, &id)| TalkRecord {
            talk_id: id + 1,
            kind: t.kind,
            file: t.file,
            conference: t.meta.conference,
            edition: t.meta.edition,
            year: t.meta.year,
            talk: t.index,
            title: t.title,
            speakers: t.speakers,
            start_line: t.start_line,
            end_line: t.end_line,
            theme: assigned[id].theme.clone(),
            theme_score: assigned[id].score,
            theme_2: assigned[id].second.clone(),
            theme_scores: assigned[id].scores.clone(),
            cluster: labels[id],
            extra: t.extra,
        })
        .collect();
    Ok(RunReport {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        parameters,
        model: ModelInfo {
            id: embedder.model_id().to_string(),
            sha256: embedder.checksum().to_string(),
            engine: embedder.engine().to_string(),
            dim: embedder.dim(),
        },
        documents: described.documents,
        talks,
        clustering,
        clusters,
        map,
        theme_similarity: theme_similarity(vectors.view(), &assigned, &themes),
        themes,
        trends,
        warnings: described.warnings,
        themes_model,
    })
}

/// The rows as one matrix of `width` columns.
fn stack_rows<'a>(rows: impl Iterator<Item = ArrayView1<'a, f32>>, width: usize) -> Array2<f32> {
    let rows: Vec<ArrayView1<f32>> = rows.collect();
    if rows.is_empty() {
        return Array2::zeros((0, width));
    }
    ndarray::stack(Axis(0), &rows).expect("rows of one width")
}

/// The inputs as given, in sorted order (the order they were given in changes nothing).
fn sorted_names(inputs: &[PathBuf]) -> Vec<String> {
    let mut names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    names.sort();
    names
}
