//! Themes the taxonomy does not know, found among the talks no taxonomy theme takes.
//!
//! The talks the classifier leaves [`UNASSIGNED`] are clustered by average-linkage agglomerative
//! clustering on cosine distance, cut at [`DiscoverySettings::max_distance`]; every cluster of at
//! least [`DiscoverySettings::min_talks`] talks is a candidate. A candidate whose centroid is as
//! close to the centroid of a taxonomy theme's talks as [`DiscoverySettings::match_similarity`]
//! is that theme: its talks take it. The others are discovered themes, named after their
//! keyphrases, with an id made from the first of them, so the same talks and model give the
//! same ids. Talks in no cluster stay unassigned.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::Serialize;

use super::{centroid, round4, DiscoveredName, TalkSpace, ThemeAssignment, UNASSIGNED};
use crate::cluster::{self, Agglomerative, Cut, Linkage};
use crate::error::Result;

/// How themes are discovered among unassigned talks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiscoverySettings {
    /// Fewest talks a discovered theme holds (at least 2; 0 turns discovery off).
    pub min_talks: usize,
    /// Average-linkage cut: clusters merge while their mean cosine distance is below this.
    pub max_distance: f32,
    /// Cosine similarity between a candidate's centroid and a taxonomy theme's centroid at which
    /// the candidate is that theme.
    pub match_similarity: f32,
}

impl Default for DiscoverySettings {
    fn default() -> Self {
        DiscoverySettings {
            min_talks: 3,
            max_distance: 0.6,
            match_similarity: 0.76,
        }
    }
}

/// Whether a theme comes from the taxonomy or was found in the talks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeKind {
    /// A theme of the taxonomy (and [`UNASSIGNED`]).
    Taxonomy,
    /// A cluster of talks no taxonomy theme took.
    Discovered,
}

impl ThemeKind {
    /// The label used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeKind::Taxonomy => "taxonomy",
            ThemeKind::Discovered => "discovered",
        }
    }

    /// A theme's name as people read it: marked when the talks gave it rather than the taxonomy.
    pub fn label(self, name: &str) -> String {
        match self {
            ThemeKind::Taxonomy => name.to_string(),
            ThemeKind::Discovered => format!("{name} (discovered)"),
        }
    }
}

/// A theme found among the unassigned talks.
#[derive(Debug, Clone, PartialEq)]
pub struct DiscoveredTheme {
    /// Id made from its first keyphrase (`webassembly`, `ebpf-2` when taken).
    pub id: String,
    /// Its first three keyphrases, e.g. "WebAssembly, wasm, runtime".
    pub name: String,
    /// Its talks (indices into the talks), in talk order.
    pub members: Vec<usize>,
    /// The normalised mean of its talks' vectors.
    pub centroid: Array1<f32>,
    /// The lowest cosine similarity of one of its talks to the centroid (to 4 decimals): a new
    /// talk at least this close belongs to it.
    pub radius: f32,
}

/// Gives each talk `assigned` leaves unassigned the discovered theme whose centroid (row `j` of
/// `centroids` for `discovered[j]`) is nearest, when it lies within that theme's radius; its
/// score becomes that similarity.
pub fn assign_discovered(
    vectors: ArrayView2<'_, f32>,
    assigned: &mut [ThemeAssignment],
    discovered: &[DiscoveredName],
    centroids: &Array2<f32>,
) {
    if discovered.is_empty() {
        return;
    }
    for (i, a) in assigned.iter_mut().enumerate() {
        if a.theme != UNASSIGNED {
            continue;
        }
        let row = vectors.row(i);
        let closest =
            nearest((0..discovered.len()).map(|j| (j, round4(row.dot(&centroids.row(j))))));
        if let Some((j, similarity)) = closest.filter(|&(j, s)| s >= discovered[j].radius) {
            a.theme = discovered[j].id.clone();
            a.score = similarity;
            a.second = None;
        }
    }
}

/// Clusters the talks `assigned` leaves unassigned; talks of a candidate that matches a taxonomy
/// theme take that theme, talks of a discovered theme take its id (their score becomes their
/// cosine similarity to its centroid). Returns the discovered themes, largest first.
pub fn discover(
    space: TalkSpace<'_>,
    assigned: &mut [ThemeAssignment],
    taxonomy_ids: &[&str],
    settings: &DiscoverySettings,
) -> Result<Vec<DiscoveredTheme>> {
    let left: Vec<usize> = (0..assigned.len())
        .filter(|&i| assigned[i].theme == UNASSIGNED)
        .collect();
    if settings.min_talks == 0 || left.len() < settings.min_talks.max(2) {
        return Ok(Vec::new());
    }
    let rows = space.vectors.select(Axis(0), &left);
    let algorithm = Agglomerative::new(Linkage::Average, Cut::Distance(settings.max_distance));
    let clustering = cluster::fit(&algorithm, rows.view())?;
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); clustering.k()];
    for (&talk, label) in left.iter().zip(&clustering.labels) {
        if let Some(c) = label {
            groups[*c].push(talk);
        }
    }
    groups.retain(|g| g.len() >= settings.min_talks);

    let theme_centroids: Vec<(&str, Array1<f32>)> = taxonomy_ids
        .iter()
        .map(|&id| {
            let members: Vec<usize> = (0..assigned.len())
                .filter(|&i| assigned[i].theme == id)
                .collect();
            (id, centroid(space.vectors, &members))
        })
        .collect();
    let mut discovered_groups = Vec::new();
    for group in groups {
        let centre = centroid(space.vectors, &group);
        let closest = nearest(
            theme_centroids
                .iter()
                .map(|(id, c)| (*id, round4(centre.dot(c)))),
        );
        match closest {
            Some((id, similarity)) if similarity >= settings.match_similarity => {
                for &i in &group {
                    assigned[i].theme = id.to_string();
                }
            }
            _ => discovered_groups.push((group, centre)),
        }
    }
    if discovered_groups.is_empty() {
        return Ok(Vec::new());
    }

    // Keyphrases against the rest of the talks, so that what all talks share names none.
    let mut classes: Vec<Vec<usize>> = discovered_groups.iter().map(|(g, _)| g.clone()).collect();
    let in_groups: std::collections::HashSet<usize> = classes.iter().flatten().copied().collect();
    classes.push(
        (0..assigned.len())
            .filter(|i| !in_groups.contains(i))
            .collect(),
    );
    let phrases = space.keyphrases(&classes)?;
    let mut taken: Vec<String> = taxonomy_ids.iter().map(|s| s.to_string()).collect();
    taken.push(UNASSIGNED.into());
    let mut themes = Vec::with_capacity(discovered_groups.len());
    for ((group, centre), keywords) in discovered_groups.into_iter().zip(phrases) {
        let words: Vec<&str> = keywords.iter().map(|k| k.word.as_str()).collect();
        let id = unique_id(&slug(words.first().copied().unwrap_or("theme")), &taken);
        taken.push(id.clone());
        let mut radius = f32::INFINITY;
        for &i in &group {
            let similarity = round4(space.vectors.row(i).dot(&centre));
            radius = radius.min(similarity);
            assigned[i].theme = id.clone();
            assigned[i].score = similarity;
            assigned[i].second = None;
        }
        themes.push(DiscoveredTheme {
            id,
            name: capitalised(&words.iter().take(3).copied().collect::<Vec<_>>().join(", ")),
            members: group,
            centroid: centre,
            radius,
        });
    }
    Ok(themes)
}

/// The item with the highest similarity; the first of equals.
fn nearest<T>(items: impl Iterator<Item = (T, f32)>) -> Option<(T, f32)> {
    items.fold(None, |best, (item, s)| match best {
        Some((_, b)) if b >= s => best,
        _ => Some((item, s)),
    })
}

/// The lower-case letters and digits of `phrase`, words joined by `-`.
fn slug(phrase: &str) -> String {
    let words: Vec<String> = phrase
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "theme".into()
    } else {
        words.join("-")
    }
}

/// `base`, or `base-2`, `base-3`, ... when it is taken.
fn unique_id(base: &str, taken: &[String]) -> String {
    std::iter::once(base.to_string())
        .chain((2..).map(|n| format!("{base}-{n}")))
        .find(|id| !taken.contains(id))
        .expect("an unbounded sequence has a free id")
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn unassigned() -> ThemeAssignment {
        ThemeAssignment {
            theme: UNASSIGNED.into(),
            score: 0.3,
            nearest_phrase: 0.2,
            second: None,
            scores: Vec::new(),
        }
    }

    #[test]
    fn new_talks_within_a_radius_take_the_nearest_discovered_theme() {
        let talks = array![[1.0f32, 0.0], [0.6, 0.8], [0.0, 1.0]];
        let mut assigned = vec![unassigned(), unassigned(), unassigned()];
        assigned[2].theme = "security".into();
        let centroids = array![[1.0f32, 0.0], [0.0, 1.0]];
        let discovered = ["baking", "knitting"].map(|id| DiscoveredName {
            id: id.into(),
            name: id.into(),
            radius: 0.9,
        });
        assign_discovered(talks.view(), &mut assigned, &discovered, &centroids);
        let themes: Vec<&str> = assigned.iter().map(|a| a.theme.as_str()).collect();
        // The second talk is 0.8 from knitting's centroid: outside its radius.
        assert_eq!(themes, ["baking", UNASSIGNED, "security"]);
        assert_eq!(assigned[0].score, 1.0);
    }

    #[test]
    fn ids_are_slugs_made_unique() {
        assert_eq!(slug("WebAssembly runtimes"), "webassembly-runtimes");
        assert_eq!(slug("eBPF"), "ebpf");
        assert_eq!(slug("--"), "theme");
        let taken = vec!["security".to_string(), "security-2".to_string()];
        assert_eq!(unique_id("security", &taken), "security-3");
        assert_eq!(unique_id("wasm", &taken), "wasm");
        assert_eq!(capitalised("ebpf, cilium"), "Ebpf, cilium");
    }
}
