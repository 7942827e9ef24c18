//! Stage 5: give talks and clusters names a person can read.
//!
//! Every talk gets the taxonomy theme a classifier learnt from the themes' examples finds most
//! probable ([`classifier`]), or [`UNASSIGNED`] when even that is below the threshold. Every
//! theme and every cluster gets keyphrases of one to three words ([`keyphrases`]: c-TF-IDF
//! candidates re-ranked by their embedding's closeness to the group, diversified by MMR); a
//! cluster's name is its dominant theme and its top keyphrases. Talks no taxonomy theme takes are
//! clustered into discovered themes ([`discovery`]). [`eval`] scores assignments against gold
//! themes.

mod classifier;
mod discovery;
pub mod eval;
mod keyphrases;
mod keywords;
mod layout;
mod model;
mod taxonomy;

use ndarray::ArrayView2;
use serde::Serialize;

pub use classifier::{
    FittedThemes, ThemeAssignment, ThemeClassifier, ThemeScore, DEFAULT_THRESHOLD,
    SECOND_THEME_RATIO,
};
pub use discovery::{assign_discovered, discover, DiscoveredTheme, DiscoverySettings, ThemeKind};
use keyphrases::centroid;
pub use keyphrases::{keyphrases, KeyphraseSettings};
pub use keywords::{class_tfidf, ClassTfidf, Keyword};
pub use layout::{talk_map, theme_similarity, MapPoint, ThemeSimilarity};
#[cfg(test)]
pub(crate) use model::test_model;
pub use model::{ClusterName, DiscoveredName, EmbedderStamp, ThemeName, ThemesModel, MODEL_FILE};
pub use taxonomy::{Taxonomy, ThemeDef, DEFAULT_EXAMPLES, DEFAULT_TAXONOMY};

use crate::embed::Embedder;
use crate::error::Result;
use crate::segment::Talk;

/// The theme id of talks that are not close enough to any theme.
pub const UNASSIGNED: &str = "unassigned";

/// Keywords kept per theme and per cluster.
pub const TOP_KEYWORDS: usize = 10;

/// Example titles kept per theme.
pub const EXAMPLES: usize = 3;

/// Most central titles kept per cluster.
pub const CENTRAL_TITLES: usize = 5;

/// A theme as reported: how many talks it holds and what characterises them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theme {
    /// Theme id, or [`UNASSIGNED`].
    pub id: String,
    /// Display name.
    pub name: String,
    /// From the taxonomy or discovered in the talks.
    pub kind: ThemeKind,
    /// Number of talks assigned to it.
    pub talks: usize,
    /// Fraction of all talks.
    pub share: f32,
    /// Keyphrases of its talks, with themes as the classes of c-TF-IDF; the weight is the
    /// phrase's relevance (see [`keyphrases`]).
    pub keywords: Vec<Keyword>,
    /// Titles of its most typical talks (highest similarity first).
    pub examples: Vec<String>,
}

/// A cluster as reported, with a readable name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NamedCluster {
    /// Cluster number (0 is the largest).
    pub id: usize,
    /// Dominant theme's name and top keywords, e.g. "Service mesh: envoy, istio, mesh".
    pub name: String,
    /// The theme most of its talks were assigned.
    pub theme: String,
    /// Share of its talks assigned that theme.
    pub theme_share: f32,
    /// Cosine similarity of its centroid to the centroid of all talks of that theme (to 4
    /// decimals).
    pub theme_similarity: f32,
    /// Number of talks.
    pub size: usize,
    /// Keyphrases, with clusters as the classes of c-TF-IDF; the weight is the phrase's
    /// relevance (see [`keyphrases`]).
    pub keywords: Vec<Keyword>,
    /// Titles of its [`CENTRAL_TITLES`] talks closest to its centroid, closest first.
    pub central: Vec<String>,
    /// Titles of its talks, in talk order.
    pub titles: Vec<String>,
}

/// The talks to describe and what describes them: their texts' unit vectors (row `i` is talk
/// `i`) and the embedder that embeds candidate keyphrases.
#[derive(Clone, Copy)]
pub struct TalkSpace<'a> {
    /// The talks.
    pub talks: &'a [Talk],
    /// Their text vectors.
    pub vectors: ArrayView2<'a, f32>,
    /// The embedder of the vectors.
    pub embedder: &'a dyn Embedder,
}

impl TalkSpace<'_> {
    /// Keyphrases of each group of talks (`groups[g]` holds indices into the talks).
    fn keyphrases(&self, groups: &[Vec<usize>]) -> Result<Vec<Vec<Keyword>>> {
        let texts: Vec<String> = self.talks.iter().map(Talk::text).collect();
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        keyphrases(
            &texts,
            self.vectors,
            groups,
            self.embedder,
            &KeyphraseSettings::default(),
        )
    }
}

/// Every theme a talk can have, in report order before sorting: the taxonomy's, the discovered
/// ones, then [`UNASSIGNED`].
pub fn theme_names(taxonomy: &Taxonomy, discovered: &[DiscoveredName]) -> Vec<ThemeName> {
    let mut names = ThemeName::all(taxonomy);
    names.extend(discovered.iter().map(|d| ThemeName {
        id: d.id.clone(),
        name: d.name.clone(),
    }));
    names.push(ThemeName {
        id: UNASSIGNED.into(),
        name: "Unassigned".into(),
    });
    names
}

/// Summarises every theme of `names` (taxonomy themes even when empty; [`UNASSIGNED`] only if
/// a talk is), sorted by decreasing number of talks, unassigned last. A theme is
/// [`ThemeKind::Discovered`] when `taxonomy` does not hold it.
pub fn summarise_themes(
    taxonomy: &Taxonomy,
    names: &[ThemeName],
    space: TalkSpace<'_>,
    assigned: &[ThemeAssignment],
) -> Result<Vec<Theme>> {
    let talks = space.talks;
    let any_unassigned = assigned.iter().any(|a| a.theme == UNASSIGNED);
    let ids: Vec<(&str, &str)> = names
        .iter()
        .filter(|t| t.id != UNASSIGNED || any_unassigned)
        .map(|t| (t.id.as_str(), t.name.as_str()))
        .collect();
    let members: Vec<Vec<usize>> = ids
        .iter()
        .map(|(id, _)| {
            (0..talks.len())
                .filter(|&i| assigned[i].theme == *id)
                .collect()
        })
        .collect();
    let keywords = space.keyphrases(&members)?;
    let total = talks.len().max(1) as f32;
    let mut themes: Vec<Theme> = ids
        .iter()
        .zip(members)
        .zip(keywords)
        .map(|(((id, name), members), keywords)| {
            let mut typical = members.clone();
            typical.sort_by(|&a, &b| {
                assigned[b]
                    .score
                    .total_cmp(&assigned[a].score)
                    .then(a.cmp(&b))
            });
            let kind = if *id == UNASSIGNED || taxonomy.themes.iter().any(|t| t.id == *id) {
                ThemeKind::Taxonomy
            } else {
                ThemeKind::Discovered
            };
            Theme {
                id: id.to_string(),
                name: name.to_string(),
                kind,
                talks: members.len(),
                share: members.len() as f32 / total,
                keywords,
                examples: typical
                    .iter()
                    .take(EXAMPLES)
                    .map(|&i| talks[i].title.clone())
                    .collect(),
            }
        })
        .collect();
    // Stable: equal counts keep taxonomy order, and unassigned stays after real themes.
    themes.sort_by_key(|t| (t.id == UNASSIGNED, std::cmp::Reverse(t.talks)));
    Ok(themes)
}

/// Names each of the `k` clusters in `labels` (`None`: an outlier, in no cluster) after its
/// dominant theme among `names` and its keyphrases.
pub fn name_clusters(
    names: &[ThemeName],
    space: TalkSpace<'_>,
    assigned: &[ThemeAssignment],
    labels: &[Option<usize>],
    k: usize,
) -> Result<Vec<NamedCluster>> {
    let talks = space.talks;
    let members: Vec<Vec<usize>> = (0..k)
        .map(|c| (0..talks.len()).filter(|&i| labels[i] == Some(c)).collect())
        .collect();
    let keywords = space.keyphrases(&members)?;
    Ok(members
        .into_iter()
        .zip(keywords)
        .enumerate()
        .map(|(id, (members, keywords))| {
            let theme = dominant_theme(names, members.iter().map(|&i| assigned[i].theme.as_str()));
            let top: Vec<&str> = keywords.iter().take(3).map(|k| k.word.as_str()).collect();
            let name = match names.iter().find(|t| t.id == theme && t.id != UNASSIGNED) {
                Some(def) => format!("{}: {}", def.name, top.join(", ")),
                None => top.join(", "),
            };
            let centre = centroid(space.vectors, &members);
            let closeness = |i: usize| round4(space.vectors.row(i).dot(&centre));
            let mut central = members.clone();
            central.sort_by(|&a, &b| closeness(b).total_cmp(&closeness(a)).then(a.cmp(&b)));
            let of_theme: Vec<usize> = (0..talks.len())
                .filter(|&i| assigned[i].theme == theme)
                .collect();
            let in_cluster = members.iter().filter(|&&i| assigned[i].theme == theme);
            NamedCluster {
                id,
                name,
                theme_share: in_cluster.count() as f32 / members.len().max(1) as f32,
                theme_similarity: round4(centre.dot(&centroid(space.vectors, &of_theme))),
                theme,
                size: members.len(),
                keywords,
                central: central
                    .iter()
                    .take(CENTRAL_TITLES)
                    .map(|&i| talks[i].title.clone())
                    .collect(),
                titles: members.iter().map(|&i| talks[i].title.clone()).collect(),
            }
        })
        .collect())
}

/// A similarity or probability to 4 decimals, as reports give it and as orders are decided: the
/// last bits of a vector depend on which texts were embedded in one batch (a cache that lacks
/// some of them embeds those alone), and the theme classifier's fit amplifies them, so unrounded
/// figures would differ between runs that agree.
fn round4(x: f32) -> f32 {
    (x * 1e4).round() / 1e4
}

/// The most frequent theme (ties: the order of `names`).
fn dominant_theme<'a>(names: &[ThemeName], themes: impl Iterator<Item = &'a str>) -> String {
    let themes: Vec<&str> = themes.collect();
    let count = |id: &str| themes.iter().filter(|&&t| t == id).count();
    names
        .iter()
        .map(|t| t.id.as_str())
        .max_by(|a, b| count(a).cmp(&count(b)).then(std::cmp::Ordering::Greater))
        .unwrap_or(UNASSIGNED)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dominant_theme_prefers_count_then_taxonomy_order() {
        let t = theme_names(&taxonomy::two_themes(), &[]);
        assert_eq!(dominant_theme(&t, ["b", "a", "b"].into_iter()), "b");
        assert_eq!(dominant_theme(&t, ["b", "a"].into_iter()), "a");
        assert_eq!(dominant_theme(&t, [UNASSIGNED].into_iter()), UNASSIGNED);
    }
}
