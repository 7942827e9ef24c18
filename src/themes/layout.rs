//! What the report draws of the talks' vectors: a 2-D map of the talks (their first two
//! principal components, a deterministic reduction) and the cosine similarity of the themes'
//! centroids, the figures a BERTopic user knows as `visualize_documents` and
//! `visualize_heatmap`.

use ndarray::ArrayView2;
use serde::Serialize;

use super::keyphrases::centroid;
use super::{round4, Theme, ThemeAssignment, UNASSIGNED};
use crate::cluster::Pca;

/// A talk on the 2-D map.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MapPoint {
    /// The talk's `talk_id` (as in `talks.csv`).
    pub talk_id: usize,
    /// Its first principal component.
    pub x: f32,
    /// Its second principal component.
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

/// Each distinct talk (row `i` of `vectors` is talk id `i + 1`) on its first two principal
/// components, to 4 decimals; none under three talks.
pub fn talk_map(vectors: ArrayView2<'_, f32>) -> Vec<MapPoint> {
    if vectors.nrows() < 3 {
        return Vec::new();
    }
    let Ok(pca) = (Pca { dims: 2 }).fit(vectors) else {
        return Vec::new();
    };
    pca.transform(vectors)
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
    fn the_map_spreads_talks_along_their_main_direction() {
        let v = ndarray::array![
            [1.0f32, 0.0, 0.0],
            [0.0, 1.0, 0.0],
            [0.9, 0.1, 0.0],
            [0.1, 0.9, 0.0]
        ];
        let map = talk_map(v.view());
        assert_eq!(
            map.iter().map(|p| p.talk_id).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        // Talks 1 and 3 lie on one side of the first axis, 2 and 4 on the other.
        assert!(map[0].x * map[2].x > 0.0 && map[1].x * map[3].x > 0.0);
        assert!(map[0].x * map[1].x < 0.0);
        assert!(talk_map(v.slice(ndarray::s![..2, ..])).is_empty());
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
