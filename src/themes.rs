//! Stage 5: give talks and clusters names a person can read.
//!
//! Every talk gets the taxonomy theme a classifier learnt from the themes' examples finds most
//! probable ([`classifier`]), or [`UNASSIGNED`] when even that is below the threshold. Every
//! theme and every cluster gets c-TF-IDF keywords; a cluster's name is its dominant theme and its
//! top keywords. [`eval`] scores assignments against gold themes.

mod classifier;
pub mod eval;
mod keywords;
mod model;
mod taxonomy;

use serde::Serialize;

pub use classifier::{
    FittedThemes, ThemeAssignment, ThemeClassifier, ThemeScore, DEFAULT_THRESHOLD,
    SECOND_THEME_RATIO,
};
pub use keywords::{class_tfidf, ClassTfidf, Keyword};
#[cfg(test)]
pub(crate) use model::test_model;
pub use model::{ClusterName, EmbedderStamp, ThemeName, ThemesModel, MODEL_FILE};
pub use taxonomy::{Taxonomy, ThemeDef, DEFAULT_EXAMPLES, DEFAULT_TAXONOMY};

use crate::segment::Talk;

/// The theme id of talks that are not close enough to any theme.
pub const UNASSIGNED: &str = "unassigned";

/// Keywords kept per theme and per cluster.
pub const TOP_KEYWORDS: usize = 10;

/// Example titles kept per theme.
pub const EXAMPLES: usize = 3;

/// A theme as reported: how many talks it holds and what characterises them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Theme {
    /// Theme id, or [`UNASSIGNED`].
    pub id: String,
    /// Display name.
    pub name: String,
    /// Number of talks assigned to it.
    pub talks: usize,
    /// Fraction of all talks.
    pub share: f32,
    /// c-TF-IDF keywords of its talks, computed with themes as classes.
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
    /// Number of talks.
    pub size: usize,
    /// c-TF-IDF keywords, computed with clusters as classes.
    pub keywords: Vec<Keyword>,
    /// Titles of its talks, in talk order.
    pub titles: Vec<String>,
}

/// Summarises every taxonomy theme (empty ones included, in taxonomy order, then
/// [`UNASSIGNED`] if any talk is), sorted by decreasing number of talks.
pub fn summarise_themes(
    taxonomy: &Taxonomy,
    talks: &[Talk],
    assigned: &[ThemeAssignment],
) -> Vec<Theme> {
    let mut ids: Vec<(&str, &str)> = taxonomy
        .themes
        .iter()
        .map(|t| (t.id.as_str(), t.name.as_str()))
        .collect();
    if assigned.iter().any(|a| a.theme == UNASSIGNED) {
        ids.push((UNASSIGNED, "Unassigned"));
    }
    let members: Vec<Vec<usize>> = ids
        .iter()
        .map(|(id, _)| {
            (0..talks.len())
                .filter(|&i| assigned[i].theme == *id)
                .collect()
        })
        .collect();
    let keywords = group_keywords(talks, &members);
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
            Theme {
                id: id.to_string(),
                name: name.to_string(),
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
    themes
}

/// Names each of the `k` clusters in `labels` (`None`: an outlier, in no cluster) after its dominant theme and its keywords.
pub fn name_clusters(
    taxonomy: &Taxonomy,
    talks: &[Talk],
    assigned: &[ThemeAssignment],
    labels: &[Option<usize>],
    k: usize,
) -> Vec<NamedCluster> {
    let members: Vec<Vec<usize>> = (0..k)
        .map(|c| (0..talks.len()).filter(|&i| labels[i] == Some(c)).collect())
        .collect();
    let keywords = group_keywords(talks, &members);
    members
        .into_iter()
        .zip(keywords)
        .enumerate()
        .map(|(id, (members, keywords))| {
            let theme = dominant_theme(
                taxonomy,
                members.iter().map(|&i| assigned[i].theme.as_str()),
            );
            let top: Vec<&str> = keywords.iter().take(3).map(|k| k.word.as_str()).collect();
            let name = match taxonomy.themes.iter().find(|t| t.id == theme) {
                Some(def) => format!("{}: {}", def.name, top.join(", ")),
                None => top.join(", "),
            };
            NamedCluster {
                id,
                name,
                theme,
                size: members.len(),
                keywords,
                titles: members.iter().map(|&i| talks[i].title.clone()).collect(),
            }
        })
        .collect()
}

/// The most frequent theme (ties: taxonomy order, then [`UNASSIGNED`]).
fn dominant_theme<'a>(taxonomy: &Taxonomy, themes: impl Iterator<Item = &'a str>) -> String {
    let themes: Vec<&str> = themes.collect();
    let count = |id: &str| themes.iter().filter(|&&t| t == id).count();
    taxonomy
        .themes
        .iter()
        .map(|t| t.id.as_str())
        .chain([UNASSIGNED])
        .max_by(|a, b| count(a).cmp(&count(b)).then(std::cmp::Ordering::Greater))
        .unwrap_or(UNASSIGNED)
        .to_string()
}

/// c-TF-IDF keywords of each group of talks (`groups[g]` holds indices into `talks`).
fn group_keywords(talks: &[Talk], groups: &[Vec<usize>]) -> Vec<Vec<Keyword>> {
    let texts: Vec<Vec<String>> = groups
        .iter()
        .map(|g| g.iter().map(|&i| talks[i].text()).collect())
        .collect();
    let refs: Vec<Vec<&str>> = texts
        .iter()
        .map(|v| v.iter().map(String::as_str).collect())
        .collect();
    class_tfidf(&refs, TOP_KEYWORDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dominant_theme_prefers_count_then_taxonomy_order() {
        let t = taxonomy::two_themes();
        assert_eq!(dominant_theme(&t, ["b", "a", "b"].into_iter()), "b");
        assert_eq!(dominant_theme(&t, ["b", "a"].into_iter()), "a");
        assert_eq!(dominant_theme(&t, [UNASSIGNED].into_iter()), UNASSIGNED);
    }
}
