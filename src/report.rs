//! Stage 7: write the reports: `talks.csv`, `themes.csv`, `report.json` and `report.html`, and
//! for a comparison `trends.csv` and `trends.json`.
//!
//! The output folder is locked for one run at a time, and its reports are switched from the previous
//! complete set to the new one in one committed step ([`OutputDir`]): a failed or killed run never
//! leaves a torn set.

use std::path::PathBuf;

use serde::Serialize;

mod html;
mod output;
mod svg;

pub use output::{refuse_overlap, OutputDir};

use crate::cluster::KScore;
use crate::compare::Trends;
use crate::error::{Error, Result};
use crate::ingest::{Field, Warning};
use crate::segment::{Speaker, TalkKind};
use crate::themes::{
    Keyword, MapPoint, NamedCluster, Theme, ThemeScore, ThemeSimilarity, ThemesModel, MODEL_FILE,
};

/// Version of the `report.json` layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 2;

/// Everything a run produced, as written to `report.json`.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Layout version, [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// confthemes version that wrote the report.
    pub tool_version: String,
    /// The settings of the run.
    pub parameters: RunParameters,
    /// The embedding model used.
    pub model: ModelInfo,
    /// One entry per document read.
    pub documents: Vec<DocumentSummary>,
    /// Every talk found.
    pub talks: Vec<TalkRecord>,
    /// How the number of clusters was chosen.
    pub clustering: ClusteringSummary,
    /// Clusters, largest first.
    pub clusters: Vec<NamedCluster>,
    /// Themes, most talks first.
    pub themes: Vec<Theme>,
    /// Each distinct talk on the first two principal components of the text vectors.
    pub map: Vec<MapPoint>,
    /// Cosine similarity between the centroids of the themes with talks.
    pub theme_similarity: ThemeSimilarity,
    /// Themes per period.
    pub trends: Trends,
    /// Files skipped or read with a fallback.
    pub warnings: Vec<Warning>,
    /// The fitted themes, written as `themes.model` (not part of report.json).
    #[serde(skip)]
    pub themes_model: ThemesModel,
}

/// The settings a run used.
#[derive(Debug, Clone, Serialize)]
pub struct RunParameters {
    /// The input folders or files as given, sorted.
    pub inputs: Vec<String>,
    /// Seed of every random choice.
    pub seed: u64,
    /// Clustering algorithm.
    pub algorithm: String,
    /// Its parameters.
    pub algorithm_params: String,
    /// Lowest talk-theme similarity for an assignment.
    pub theme_threshold: f32,
    /// Where the taxonomy came from: `builtin` or a file path.
    pub taxonomy: String,
}

/// The embedding model of a run.
#[derive(Debug, Clone, Serialize)]
pub struct ModelInfo {
    /// Model identifier.
    pub id: String,
    /// sha256 of the weights.
    pub sha256: String,
    /// What ran the model (`candle` or `rust-bert`).
    pub engine: String,
    /// Embedding width.
    pub dim: usize,
}

/// A document and what was found in it.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentSummary {
    /// Path relative to the input.
    pub file: String,
    /// Conference name, if known.
    pub conference: Option<String>,
    /// Edition (city), if known.
    pub edition: Option<String>,
    /// Year, if known.
    pub year: Option<u16>,
    /// Number of lines.
    pub lines: usize,
    /// Number of talks found.
    pub talks: usize,
}

/// One described talk with its theme and cluster. A talk described in several documents has one
/// record per description, sharing `talk_id`, theme and cluster.
#[derive(Debug, Clone, Serialize)]
pub struct TalkRecord {
    /// Identity of the talk across documents, from 1.
    pub talk_id: usize,
    /// A talk, or a whole document that gave no talk.
    pub kind: TalkKind,
    /// Document path relative to the input.
    pub file: String,
    /// Conference name, if known.
    pub conference: Option<String>,
    /// Edition, if known.
    pub edition: Option<String>,
    /// Year, if known.
    pub year: Option<u16>,
    /// Position of the talk in its document, from 1.
    pub talk: usize,
    /// Title.
    pub title: String,
    /// Speakers named in the heading.
    pub speakers: Vec<Speaker>,
    /// First line, 1-based.
    pub start_line: usize,
    /// Last line, 1-based, inclusive.
    pub end_line: usize,
    /// Theme id or `unassigned`.
    pub theme: String,
    /// Probability of that theme (of the most probable one when unassigned).
    pub theme_score: f32,
    /// The second theme, when it is close to the first.
    pub theme_2: Option<ThemeScore>,
    /// Every theme's probability, in taxonomy order (report.json only).
    pub theme_scores: Vec<ThemeScore>,
    /// Cluster number, or `None` for a talk the clustering left out as an outlier.
    pub cluster: Option<usize>,
    /// The other columns of its CSV row, if it came from one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<Field>,
}

/// How k was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct ClusteringSummary {
    /// Algorithm name.
    pub algorithm: String,
    /// Number of clusters chosen.
    pub k: usize,
    /// Mean cosine silhouette of the chosen clustering.
    pub silhouette: Option<f32>,
    /// Every k tried.
    pub tried: Vec<KScore>,
}

/// Which reports to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSet {
    /// `run` and `assign`: talks.csv, themes.csv, clusters.csv, report.json, report.html,
    /// themes.model.
    Run,
    /// `compare`: the same, plus trends.csv and trends.json.
    Comparison,
}

impl ReportSet {
    /// Every file either set writes: what a run into a folder may replace or remove.
    pub const ALL_FILES: [&'static str; 8] = [
        "talks.csv",
        "themes.csv",
        "clusters.csv",
        "report.json",
        "report.html",
        MODEL_FILE,
        "trends.csv",
        "trends.json",
    ];

    /// The files of the set, in the order they are written.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            ReportSet::Run => &Self::ALL_FILES[..6],
            ReportSet::Comparison => &Self::ALL_FILES,
        }
    }
}

/// Writes the reports of `set` into `out`, replacing the previous set in one committed switch
/// (see [`OutputDir`]); reports of the other set left by an earlier command are removed, so the
/// folder never mixes a comparison's trends with a later run's reports. Returns the paths written.
pub fn write_reports(out: &OutputDir, report: &RunReport, set: ReportSet) -> Result<Vec<PathBuf>> {
    let mut files = vec![
        ("talks.csv", talks_csv(report)?),
        ("themes.csv", themes_csv(report)?),
        ("clusters.csv", clusters_csv(report)?),
        ("report.json", to_json(report, "report.json")?),
    ];
    let title = match set {
        ReportSet::Run => "confthemes: themes",
        ReportSet::Comparison => "confthemes: themes over time",
    };
    files.push(("report.html", html::render(report, title).into_bytes()));
    files.push((MODEL_FILE, report.themes_model.to_bytes()));
    if set == ReportSet::Comparison {
        files.push(("trends.csv", trends_csv(&report.trends)?));
        files.push(("trends.json", to_json(&report.trends, "trends.json")?));
    }
    debug_assert!(files.iter().map(|f| f.0).eq(set.files().iter().copied()));
    let stale: Vec<&str> = ReportSet::ALL_FILES
        .iter()
        .copied()
        .filter(|name| !set.files().contains(name))
        .collect();
    out.replace(&files, &stale)
}

#[derive(Serialize)]
struct ThemeRow<'a> {
    theme: &'a str,
    name: &'a str,
    kind: &'a str,
    talks: usize,
    share: String,
    keywords: String,
    example_titles: String,
}

/// The columns of `talks.csv` before those a CSV of talks brings along.
const TALK_COLUMNS: [&str; 15] = [
    "file",
    "conference",
    "year",
    "talk",
    "title",
    "speakers",
    "start_line",
    "end_line",
    "theme",
    "theme_score",
    "theme_2",
    "theme_2_score",
    "cluster",
    "kind",
    "talk_id",
];

/// The `talks.csv` header of a column kept from the input: its own name, or `input.NAME` where
/// that is a report column, so a reader by column name always gets the report's value.
fn kept_column_name(column: &str) -> String {
    if TALK_COLUMNS.contains(&column) {
        format!("input.{column}")
    } else {
        column.to_string()
    }
}

fn talks_csv(report: &RunReport) -> Result<Vec<u8>> {
    // Every talk of a CSV carries the same extra columns; notes carry none.
    let extra: Vec<String> = report
        .talks
        .first()
        .map(|t| {
            t.extra
                .iter()
                .map(|f| kept_column_name(&f.column))
                .collect()
        })
        .unwrap_or_default();
    let header = TALK_COLUMNS
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str));
    let optional = |v: Option<usize>| v.map_or(String::new(), |v| v.to_string());
    let rows = report.talks.iter().map(|t| {
        let speakers: Vec<&str> = t.speakers.iter().map(|s| s.name.as_str()).collect();
        [
            t.file.clone(),
            t.conference.clone().unwrap_or_default(),
            optional(t.year.map(usize::from)),
            t.talk.to_string(),
            t.title.clone(),
            speakers.join("; "),
            t.start_line.to_string(),
            t.end_line.to_string(),
            t.theme.clone(),
            format!("{:.4}", t.theme_score),
            t.theme_2
                .as_ref()
                .map_or(String::new(), |s| s.theme.clone()),
            t.theme_2
                .as_ref()
                .map_or(String::new(), |s| format!("{:.4}", s.score)),
            optional(t.cluster),
            t.kind.name().to_string(),
            t.talk_id.to_string(),
        ]
        .into_iter()
        .chain(t.extra.iter().map(|f| f.value.clone()))
        .collect::<Vec<String>>()
    });
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut write = |record: Vec<String>| {
        writer
            .write_record(record)
            .map_err(|e| Error::output("talks.csv", std::io::Error::other(e)))
    };
    write(header.map(String::from).collect())?;
    for row in rows {
        write(row)?;
    }
    writer
        .into_inner()
        .map_err(|e| Error::output("talks.csv", e.into_error()))
}

fn themes_csv(report: &RunReport) -> Result<Vec<u8>> {
    to_csv(report.themes.iter().map(|t| ThemeRow {
        theme: &t.id,
        name: &t.name,
        kind: t.kind.as_str(),
        talks: t.talks,
        share: format!("{:.4}", t.share),
        keywords: word_list(&t.keywords),
        example_titles: t.examples.join(" | "),
    }))
}

#[derive(Serialize)]
struct ClusterRow<'a> {
    cluster: usize,
    name: &'a str,
    size: usize,
    share: String,
    keywords: String,
    theme: &'a str,
    theme_share: String,
    theme_similarity: String,
    central_titles: String,
}

/// `clusters.csv`: one row per cluster, largest first.
fn clusters_csv(report: &RunReport) -> Result<Vec<u8>> {
    let total = report.themes.iter().map(|t| t.talks).sum::<usize>().max(1) as f32;
    to_csv(report.clusters.iter().map(|c| ClusterRow {
        cluster: c.id,
        name: &c.name,
        size: c.size,
        share: format!("{:.4}", c.size as f32 / total),
        keywords: word_list(&c.keywords),
        theme: &c.theme,
        theme_share: format!("{:.4}", c.theme_share),
        theme_similarity: format!("{:.4}", c.theme_similarity),
        central_titles: c.central.join(" | "),
    }))
}

#[derive(Serialize)]
struct TrendCsvRow<'a> {
    period: &'a str,
    theme: &'a str,
    talks: usize,
    share: String,
    share_low: String,
    share_high: String,
    delta_share: String,
    p_value: String,
    keywords: String,
    name: &'a str,
    kind: &'a str,
    change: &'a str,
}

fn trends_csv(trends: &Trends) -> Result<Vec<u8>> {
    to_csv(trends.rows.iter().map(|r| TrendCsvRow {
        period: &r.period,
        theme: &r.theme,
        talks: r.talks,
        share: format!("{:.4}", r.share),
        share_low: format!("{:.4}", r.interval.low),
        share_high: format!("{:.4}", r.interval.high),
        delta_share: r.delta_share.map_or(String::new(), |d| format!("{d:.4}")),
        p_value: r.p_value.map_or(String::new(), |p| format!("{p:.4}")),
        keywords: word_list(&r.keywords),
        name: &r.name,
        kind: r.kind.as_str(),
        change: r.change.as_str(),
    }))
}

/// Keywords as a CSV cell: `istio; envoy; mesh`.
fn word_list(keywords: &[Keyword]) -> String {
    let words: Vec<&str> = keywords.iter().map(|k| k.word.as_str()).collect();
    words.join("; ")
}

fn to_csv<T: Serialize>(rows: impl Iterator<Item = T>) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .serialize(row)
            .map_err(|e| Error::output("<csv>", std::io::Error::other(e)))?;
    }
    writer
        .into_inner()
        .map_err(|e| Error::output("<csv>", e.into_error()))
}

fn to_json<T: Serialize>(value: &T, name: &str) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::output(name, std::io::Error::other(e)))?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::report::ClusteringSummary;

    fn empty_report() -> RunReport {
        RunReport {
            schema_version: SCHEMA_VERSION,
            tool_version: "test".into(),
            parameters: RunParameters {
                inputs: vec!["in".into()],
                seed: 1,
                algorithm: "kmeans".into(),
                algorithm_params: "k=2".into(),
                theme_threshold: 0.2,
                taxonomy: "builtin".into(),
            },
            model: ModelInfo {
                id: "m".into(),
                sha256: "s".into(),
                engine: "candle".into(),
                dim: 2,
            },
            documents: Vec::new(),
            talks: Vec::new(),
            clustering: ClusteringSummary {
                algorithm: "a".into(),
                k: 0,
                silhouette: None,
                tried: Vec::new(),
            },
            clusters: Vec::new(),
            themes: Vec::new(),
            map: Vec::new(),
            theme_similarity: ThemeSimilarity::default(),
            trends: Trends::default(),
            warnings: Vec::new(),
            themes_model: crate::themes::test_model(),
        }
    }

    #[test]
    fn a_failed_write_keeps_the_previous_reports() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("talks.csv"), "old talks").unwrap();
        fs::create_dir(dir.path().join("report.json")).unwrap();
        let out = OutputDir::open(dir.path()).unwrap();
        let err = write_reports(&out, &empty_report(), ReportSet::Run).unwrap_err();
        assert!(err.to_string().contains("report.json"), "{err}");
        assert_eq!(
            fs::read_to_string(dir.path().join("talks.csv")).unwrap(),
            "old talks"
        );
        assert!(!dir.path().join("themes.csv").exists());
        let leftovers = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| {
                !e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".lock")
            })
            .count();
        assert_eq!(leftovers, 2, "staging folder removed");
    }

    #[test]
    fn a_run_removes_an_earlier_comparisons_trends() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::open(dir.path()).unwrap();
        write_reports(&out, &empty_report(), ReportSet::Comparison).unwrap();
        assert!(dir.path().join("trends.csv").exists());
        write_reports(&out, &empty_report(), ReportSet::Run).unwrap();
        assert!(!dir.path().join("trends.csv").exists());
        assert!(!dir.path().join("trends.json").exists());
        assert!(dir.path().join("talks.csv").exists());
    }

    #[test]
    fn reports_replace_previous_ones() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("report.json"), "old").unwrap();
        let out = OutputDir::open(dir.path()).unwrap();
        let written = write_reports(&out, &empty_report(), ReportSet::Run).unwrap();
        assert_eq!(written.len(), ReportSet::Run.files().len());
        let json: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(dir.path().join("report.json")).unwrap())
                .unwrap();
        assert_eq!(json["schema_version"], SCHEMA_VERSION);
    }
}
