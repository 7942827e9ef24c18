//! What the report draws of the talks' vectors: a 2-D map of the talks (a seeded UMAP layout, as
//! BERTopic's `visualize_documents` draws, but the same at any thread count) and the cosine
//! similarity of the themes' centroids (`visualize_heatmap`).

use ndarray::ArrayView2;
use serde::Serialize;

use super::keyphrases::centroid;
use super::{round4, Theme, ThemeAssignment, UNASSIGNED};
use crate::cluster::{Reduction, Umap, DEFAULT_NEIGHBOURS};

/// A talk on the 2-D map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MapPoint {
    /// The talk's `talk_id` (as in `talks.csv`).
    pub talk_id: usize,
    /// Its first coordinate on the map.
    pub x: f32,
    /// Its second coordinate on the map.
    pub y: f32,
}

/// Cosine similarity between the centroids of the themes that have talks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ThemeSimilarity {
    /// Theme ids, in the report's theme order ([`UNASSIGNED`] left out).
    pub themes: Vec<String>,
    /// `cosine[i][j]`: similarity of theme `i`'s centroid to theme `j`'s, to 4 decimals.
    pub cosine: Vec<Vec<f32>>,
}

/// Each distinct talk (row `i` of `vectors` is talk id `i + 1`) on a 2-D UMAP layout of the
/// vectors (15 neighbours, seeded by `seed`), to 4 decimals; none under four talks, where there
/// is no layout ([`Reduction::reduce`]).
pub fn talk_map(vectors: ArrayView2<'_, f32>, seed: u64) -> Vec<MapPoint> {
    let umap = Umap {
        neighbours: DEFAULT_NEIGHBOURS,
        dims: 2,
        seed,
    };
    let Ok(Some(layout)) = umap.reduce(vectors) else {
        return Vec::new();
    };
    layout
        .rows()
        .into_iter()
        .enumerate()
        .map(|(i, xy)| MapPoint {
            talk_id: i + 1,
            x: round4(xy[0]),
            y: round4(xy[1]),
        })
        .collect()
}

/// The similarity of the centroids of the `themes` with talks (`assigned[i]` is row `i`'s).
pub fn theme_similarity(
    vectors: ArrayView2<'_, f32>,
    assigned: &[ThemeAssignment],
    themes: &[Theme],
) -> ThemeSimilarity {
    let shown: Vec<&Theme> = themes
        .iter()
        .filter(|t| t.talks > 0 && t.id != UNASSIGNED)
        .collect();
    let centroids: Vec<_> = shown
        .iter()
        .map(|t| {
            let members: Vec<usize> = (0..assigned.len())
                .filter(|&i| assigned[i].theme == t.id)
                .collect();
            centroid(vectors, &members)
        })
        .collect();
    ThemeSimilarity {
        themes: shown.iter().map(|t| t.id.clone()).collect(),
        cosine: centroids
            .iter()
            .map(|a| centroids.iter().map(|b| round4(a.dot(b))).collect())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(theme: &str) -> ThemeAssignment {
        ThemeAssignment {
            theme: theme.into(),
            score: 1.0,
            nearest_phrase: 1.0,
            second: None,
            scores: Vec::new(),
        }
    }

    fn theme(id: &str, talks: usize) -> Theme {
        Theme {
            id: id.into(),
            name: id.into(),
            kind: crate::themes::ThemeKind::Taxonomy,
            talks,
            share: 0.0,
            keywords: Vec::new(),
            examples: Vec::new(),
        }
    }

    #[test]
    fn the_map_keeps_groups_of_talks_apart() {
        // Two groups of 10 talks around two orthogonal directions.
        let mut rows = Vec::new();
        for group in 0..2 {
            for i in 0..10 {
                let wobble = 0.05 * i as f32;
                if group == 0 {
                    rows.extend([1.0, wobble, 0.0]);
                } else {
                    rows.extend([0.0, wobble, 1.0]);
                }
            }
        }
        let mut v = ndarray::Array2::from_shape_vec((20, 3), rows).unwrap();
        crate::embed::normalise_rows(&mut v);
        let map = talk_map(v.view(), 42);
        assert_eq!(
            map.iter().map(|p| p.talk_id).collect::<Vec<_>>(),
            (1..=20).collect::<Vec<_>>()
        );
        let distance = |a: &MapPoint, b: &MapPoint| (a.x - b.x).hypot(a.y - b.y);
        let farthest_within = (0..20)
            .flat_map(|i| (0..20).map(move |j| (i, j)))
            .filter(|&(i, j)| i / 10 == j / 10)
            .map(|(i, j)| distance(&map[i], &map[j]))
            .fold(0f32, f32::max);
        let nearest_between = (0..10)
            .flat_map(|i| (10..20).map(move |j| (i, j)))
            .map(|(i, j)| distance(&map[i], &map[j]))
            .fold(f32::INFINITY, f32::min);
        assert!(
            farthest_within < nearest_between,
            "{farthest_within} >= {nearest_between}"
        );
        assert_eq!(map, talk_map(v.view(), 42), "seeded: the same map again");
        assert!(talk_map(v.slice(ndarray::s![..3, ..]), 42).is_empty());
    }

    #[test]
    fn similarity_is_of_theme_centroids() {
        let v = ndarray::array![[1.0f32, 0.0], [0.0, 1.0], [1.0, 0.0], [0.6, 0.8]];
        let assigned = ["a", "b", "a", UNASSIGNED].map(assignment);
        let themes = [
            theme("a", 2),
            theme("b", 1),
            theme("c", 0),
            theme(UNASSIGNED, 1),
        ];
        let s = theme_similarity(v.view(), &assigned, &themes);
        assert_eq!(s.themes, ["a", "b"]);
        assert_eq!(s.cosine, [[1.0, 0.0], [0.0, 1.0]]);
    }
}
