//! The whole job: ingest -> segment -> embed -> cluster -> themes -> report, each stage handing
//! records forward to the next. [`run`] starts from a folder of notes, [`run_table`] from a CSV of
//! talks; both end in the same embedding, clustering and naming.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cluster::{self, Clusterer, SilhouetteKMeans};
use crate::compare::{Periods, TrendOptions, Trends};
use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::ingest::{Corpus, TalkTable, Warning};
use crate::report::{
    ClusteringSummary, DocumentSummary, ModelInfo, RunParameters, RunReport, TalkRecord,
    SCHEMA_VERSION,
};
use crate::segment::{link_talks, talks_from_table, Segmenter, Talk, TalkKind};
use crate::themes::{
    name_clusters, summarise_themes, Taxonomy, ThemeClassifier, DEFAULT_THRESHOLD,
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
    /// How themes are compared across periods.
    pub trends: TrendOptions,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            seed: 42,
            clusterer: Arc::new(SilhouetteKMeans {
                k_min: 2,
                k_max: 16,
                seed: 42,
            }),
            theme_threshold: DEFAULT_THRESHOLD,
            taxonomy: Taxonomy::builtin(),
            taxonomy_source: "builtin".into(),
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

/// Runs the whole pipeline on notes read from `inputs` and returns the report (not yet written).
pub fn run(
    inputs: &[PathBuf],
    corpus: &Corpus,
    segmenter: &dyn Segmenter,
    embedder: &dyn Embedder,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunReport> {
    observer.stage("segmenting");
    let described = segment_corpus(corpus, segmenter);
    if described.is_empty() {
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
            talks: described.iter().filter(|t| t.file == d.file).count(),
        })
        .collect();
    let mut warnings = corpus.warnings.clone();
    for talk in described.iter().filter(|t| t.kind == TalkKind::Document) {
        let warning = Warning {
            file: talk.file.clone(),
            message: "no talk found (no heading, list item or paragraph read as a talk); \
                      reported as one unit of kind `document`"
                .into(),
        };
        observer.warning(&warning);
        warnings.push(warning);
    }
    run_talks(
        inputs, documents, described, &warnings, embedder, options, observer,
    )
}

/// Runs the pipeline on a CSV of talks (one talk per row).
pub fn run_table(
    input: &Path,
    table: &TalkTable,
    embedder: &dyn Embedder,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunReport> {
    let described = talks_from_table(table);
    let document = DocumentSummary {
        file: table.file.clone(),
        conference: None,
        edition: None,
        year: None,
        lines: table.rows.last().map_or(0, |r| r.line),
        talks: described.len(),
    };
    run_talks(
        &[input.to_path_buf()],
        vec![document],
        described,
        &table.warnings,
        embedder,
        options,
        observer,
    )
}

/// Embeds, clusters and names the described talks, and assembles the report.
fn run_talks(
    inputs: &[PathBuf],
    documents: Vec<DocumentSummary>,
    described: Vec<Talk>,
    warnings: &[Warning],
    embedder: &dyn Embedder,
    options: &RunOptions,
    observer: &dyn Observer,
) -> Result<RunReport> {
    // A talk described in several documents is embedded, clustered and themed once.
    let linked = link_talks(&described);
    let talks = &linked.talks;
    // Checked before the embedding, so a comparison that cannot be made stops at once.
    let periods = Periods::of(talks, &options.trends)?;

    observer.stage("embedding");
    let texts: Vec<String> = talks.iter().map(Talk::text).collect();
    let text_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let total = text_refs.len();
    let vectors =
        embedder.embed_with_progress(&text_refs, &|done| observer.embedded(done, total))?;
    let titles: Vec<&str> = talks.iter().map(|t| t.title.as_str()).collect();
    let title_vectors = embedder.embed(&titles)?;
    let classifier = ThemeClassifier {
        threshold: options.theme_threshold,
    }
    .fit(&options.taxonomy, embedder)?;

    observer.stage("clustering");
    let clusterer = options.clusterer.as_ref();
    let clustering = cluster::fit(clusterer, vectors.view())?;

    observer.stage("naming themes");
    let assigned = classifier.predict(vectors.view(), title_vectors.view());
    let themes = summarise_themes(&options.taxonomy, talks, &assigned);
    let clusters = name_clusters(
        &options.taxonomy,
        talks,
        &assigned,
        &clustering.labels,
        clustering.k(),
    );

    observer.stage("comparing periods");
    let trends = Trends::build(talks, periods, &assigned, &themes, &options.trends)?;

    let records = described
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
            cluster: clustering.labels[id],
            extra: t.extra,
        })
        .collect();
    Ok(RunReport {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        parameters: RunParameters {
            inputs: sorted_names(inputs),
            seed: options.seed,
            algorithm: clusterer.name(),
            algorithm_params: clusterer.params(),
            theme_threshold: options.theme_threshold,
            taxonomy: options.taxonomy_source.clone(),
        },
        model: ModelInfo {
            id: embedder.model_id().to_string(),
            sha256: embedder.checksum().to_string(),
            engine: embedder.engine().to_string(),
            dim: embedder.dim(),
        },
        documents,
        talks: records,
        clustering: ClusteringSummary {
            algorithm: format!("{} ({})", clusterer.name(), clusterer.params()),
            k: clustering.k(),
            silhouette: clustering.silhouette,
            tried: clustering.tried,
        },
        clusters,
        themes,
        trends,
        warnings: warnings.to_vec(),
    })
}

/// The inputs as given, in sorted order (the order they were given in changes nothing).
fn sorted_names(inputs: &[PathBuf]) -> Vec<String> {
    let mut names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    names.sort();
    names
}
