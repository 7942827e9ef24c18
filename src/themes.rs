//! Stage 5: give talks and clusters names a person can read.
//!
//! Every talk gets the taxonomy theme with the phrase (description or example) closest to it by
//! embedding similarity (zero-shot), after the direction shared by all talks of the domain is
//! removed, or [`UNASSIGNED`] when even the closest is below the threshold. Every theme and every cluster gets
//! c-TF-IDF keywords; a cluster's name is its dominant theme and its top keywords.

mod keywords;
mod taxonomy;

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::Serialize;

pub use keywords::{class_tfidf, ClassTfidf, Keyword};
pub use taxonomy::{Taxonomy, ThemeDef, DEFAULT_TAXONOMY};

use crate::embed::{normalise_rows, Embedder};
use crate::error::Result;
use crate::segment::Talk;

/// The theme id of talks that are not close enough to any theme.
pub const UNASSIGNED: &str = "unassigned";

/// Default lowest cosine similarity between a talk and a theme description for an assignment.
pub const DEFAULT_THRESHOLD: f32 = 0.2;

/// Keywords kept per theme and per cluster.
pub const TOP_KEYWORDS: usize = 10;

/// Example titles kept per theme.
pub const EXAMPLES: usize = 3;

/// The theme given to one talk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeAssignment {
    /// Theme id, or [`UNASSIGNED`].
    pub theme: String,
    /// Cosine similarity to the closest theme (reported even when under the threshold).
    pub score: f32,
}

/// Zero-shot assignment of talks to taxonomy themes by embedding similarity.
#[derive(Debug, Clone, Copy)]
pub struct ZeroShot {
    /// Lowest similarity that counts as a match.
    pub threshold: f32,
}

impl Default for ZeroShot {
    fn default() -> Self {
        ZeroShot {
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

/// Zero-shot assignment fitted on a taxonomy: the embedded theme phrases.
#[derive(Debug, Clone)]
pub struct ZeroShotModel {
    threshold: f32,
    theme_ids: Vec<String>,
    /// Theme index of each phrase row.
    owner: Vec<usize>,
    /// One unit row per phrase, the generic direction removed.
    phrases: Array2<f32>,
    /// The unit direction shared by all talks of the domain, if the taxonomy names one.
    generic: Option<Array1<f32>>,
}

impl ZeroShot {
    /// Embeds the taxonomy's phrases (and its generic phrases) with `embedder`.
    pub fn fit(&self, taxonomy: &Taxonomy, embedder: &dyn Embedder) -> Result<ZeroShotModel> {
        let mut owner = Vec::new();
        let mut texts = Vec::new();
        for (i, theme) in taxonomy.themes.iter().enumerate() {
            for phrase in theme.phrases() {
                owner.push(i);
                texts.push(phrase);
            }
        }
        let phrases = embedder.embed(&texts.iter().map(String::as_str).collect::<Vec<_>>())?;
        let generic = if taxonomy.generic.is_empty() {
            None
        } else {
            let refs: Vec<&str> = taxonomy.generic.iter().map(String::as_str).collect();
            embedder.embed(&refs)?.mean_axis(Axis(0))
        };
        Ok(self.from_vectors(taxonomy, owner, phrases, generic))
    }

    /// Builds the model from phrase vectors already computed; `owner[r]` is the theme of row `r`.
    pub fn from_vectors(
        &self,
        taxonomy: &Taxonomy,
        owner: Vec<usize>,
        mut phrases: Array2<f32>,
        generic: Option<Array1<f32>>,
    ) -> ZeroShotModel {
        let generic = generic.and_then(|mut g| {
            let norm = g.dot(&g).sqrt();
            (norm > 0.0).then(|| {
                g /= norm;
                g
            })
        });
        if let Some(g) = &generic {
            remove_direction(&mut phrases, g);
        }
        ZeroShotModel {
            threshold: self.threshold,
            theme_ids: taxonomy.themes.iter().map(|t| t.id.clone()).collect(),
            owner,
            phrases,
            generic,
        }
    }
}

impl ZeroShotModel {
    /// Assigns each talk (a unit row of `talks`) the theme of its most similar phrase, or
    /// [`UNASSIGNED`] under the threshold. Ties go to the theme listed first.
    pub fn predict(&self, talks: ArrayView2<'_, f32>) -> Vec<ThemeAssignment> {
        let mut talks = talks.to_owned();
        if let Some(g) = &self.generic {
            remove_direction(&mut talks, g);
        }
        let similarity = talks.dot(&self.phrases.t());
        similarity
            .rows()
            .into_iter()
            .map(|row| {
                let mut best = vec![f32::NEG_INFINITY; self.theme_ids.len()];
                for (&theme, &s) in self.owner.iter().zip(row) {
                    best[theme] = best[theme].max(s);
                }
                let (theme, score) =
                    best.iter()
                        .enumerate()
                        .fold(
                            (0, f32::NEG_INFINITY),
                            |b, (i, &s)| if s > b.1 { (i, s) } else { b },
                        );
                let theme = if score >= self.threshold {
                    self.theme_ids[theme].clone()
                } else {
                    UNASSIGNED.to_string()
                };
                ThemeAssignment { theme, score }
            })
            .collect()
    }
}

/// Projects `direction` (a unit vector) out of every row and renormalises the rows.
fn remove_direction(rows: &mut Array2<f32>, direction: &Array1<f32>) {
    for mut row in rows.rows_mut() {
        let along = row.dot(direction);
        row.scaled_add(-along, direction);
    }
    normalise_rows(rows);
}

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
    use ndarray::array;

    fn taxonomy() -> Taxonomy {
        let text = "[[theme]]\nid = \"a\"\nname = \"Alpha\"\ndescription = \"x\"\n[[theme]]\nid = \"b\"\nname = \"Beta\"\ndescription = \"y\"\nexamples = [\"z\"]\n";
        Taxonomy::parse(text, std::path::Path::new("t.toml")).unwrap()
    }

    #[test]
    fn best_phrase_wins_and_weak_matches_are_unassigned() {
        // Theme a has one phrase (x axis); theme b has two (y axis, z axis).
        let phrases = array![[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
        let model =
            ZeroShot { threshold: 0.3 }.from_vectors(&taxonomy(), vec![0, 1, 1], phrases, None);
        let talks = array![[0.6f32, 0.0, 0.8], [0.8, 0.6, 0.0], [0.2, 0.2, 0.2]];
        let a = model.predict(talks.view());
        assert_eq!((a[0].theme.as_str(), a[1].theme.as_str()), ("b", "a"));
        assert!((a[0].score - 0.8).abs() < 1e-6);
        assert_eq!(a[2].theme, UNASSIGNED);
    }

    #[test]
    fn the_generic_direction_is_removed_before_comparing() {
        // Theme b's phrase leans on the shared w axis, as every talk does; once w is removed,
        // talk 0 is theme a and talk 1 theme b.
        let phrases = array![[1.0f32, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 3.0]];
        let generic = Some(array![0.0f32, 0.0, 0.0, 2.0]);
        let model = ZeroShot { threshold: 0.0 }.from_vectors(
            &taxonomy(),
            vec![0, 1],
            phrases.clone(),
            generic,
        );
        let talks = array![[0.4f32, 0.1, 0.0, 0.9], [0.1, 0.4, 0.0, 0.9]];
        let a = model.predict(talks.view());
        assert_eq!((a[0].theme.as_str(), a[1].theme.as_str()), ("a", "b"));
        let biased =
            ZeroShot { threshold: 0.0 }.from_vectors(&taxonomy(), vec![0, 1], phrases, None);
        assert_eq!(
            biased.predict(talks.view())[0].theme,
            "b",
            "without removal the w axis decides"
        );
    }

    #[test]
    fn dominant_theme_prefers_count_then_taxonomy_order() {
        let t = taxonomy();
        assert_eq!(dominant_theme(&t, ["b", "a", "b"].into_iter()), "b");
        assert_eq!(dominant_theme(&t, ["b", "a"].into_iter()), "a");
        assert_eq!(dominant_theme(&t, [UNASSIGNED].into_iter()), UNASSIGNED);
    }
}
