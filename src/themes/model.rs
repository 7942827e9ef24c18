//! Fitted themes as a file, `themes.model`: what `assign` needs to theme new talks exactly as the
//! run that wrote it did, without refitting anything.
//!
//! Layout: one line of JSON (the [`Header`]: format and version, the embedding model's id,
//! checksum, engine, width and precision, the taxonomy's theme ids and names, the threshold, the
//! discovered clusters' names and keywords, and the shape of each matrix), then the matrices as
//! little-endian `f32`, row-major, in the header's order: the classifier's weights (themes x
//! width), the taxonomy phrases it gates with (phrases x width) and the cluster centroids
//! (clusters x width). The floats are stored bit for bit, so a talk gets the same theme and score.

use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{FittedThemes, Keyword, Taxonomy, ThemeDef};
use crate::embed::Embedder;
use crate::error::{Error, Result};

/// The file a run writes its fitted themes into.
pub const MODEL_FILE: &str = "themes.model";

/// The first field of the header: what the file is.
const FORMAT: &str = "confthemes-themes-model";
/// Bumped on any incompatible change of the layout.
const FORMAT_VERSION: u32 = 2;

/// The embedding model the vectors come from; another model's vectors are not comparable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmbedderStamp {
    /// Model identifier.
    pub id: String,
    /// sha256 of the weights.
    pub sha256: String,
    /// What ran the model, and how many windows of a long talk it embedded.
    pub engine: String,
    /// Embedding width.
    pub dim: usize,
    /// Floating-point format of the vectors.
    pub precision: String,
}

impl EmbedderStamp {
    /// The stamp of `embedder`'s vectors.
    pub fn of(embedder: &dyn Embedder) -> Self {
        EmbedderStamp {
            id: embedder.model_id().to_string(),
            sha256: embedder.checksum().to_string(),
            engine: embedder.engine().to_string(),
            dim: embedder.dim(),
            precision: "f32".into(),
        }
    }
}

/// A taxonomy theme by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeName {
    /// Theme id.
    pub id: String,
    /// Display name.
    pub name: String,
}

impl ThemeName {
    /// Every theme of `taxonomy`, in its order.
    pub fn all(taxonomy: &Taxonomy) -> Vec<ThemeName> {
        taxonomy
            .themes
            .iter()
            .map(|t| ThemeName {
                id: t.id.clone(),
                name: t.name.clone(),
            })
            .collect()
    }
}

/// A discovered cluster as the run named it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterName {
    /// Cluster number in the run.
    pub id: usize,
    /// Its name, e.g. "Service mesh: envoy, istio, mesh".
    pub name: String,
    /// Its dominant theme.
    pub theme: String,
    /// Its c-TF-IDF keywords, best first.
    pub keywords: Vec<Keyword>,
}

/// A discovered theme as the run named it, with how close a new talk must be to its centroid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscoveredName {
    /// Theme id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Lowest cosine similarity to its centroid of a talk that belongs to it.
    pub radius: f32,
}

/// A matrix stored after the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct MatrixShape {
    name: String,
    rows: usize,
    cols: usize,
}

/// The JSON line that opens the file.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    tool_version: String,
    embedder: EmbedderStamp,
    taxonomy: String,
    threshold: f32,
    themes: Vec<ThemeName>,
    clusters: Vec<ClusterName>,
    discovered: Vec<DiscoveredName>,
    matrices: Vec<MatrixShape>,
}

/// Everything a run fitted that new talks can be themed with.
#[derive(Debug, Clone)]
pub struct ThemesModel {
    /// The embedding model of the vectors.
    pub embedder: EmbedderStamp,
    /// Where the taxonomy came from.
    pub taxonomy_source: String,
    /// The taxonomy's themes, in its order.
    pub themes: Vec<ThemeName>,
    /// The theme classifier.
    pub classifier: FittedThemes,
    /// The discovered clusters, in cluster order.
    pub clusters: Vec<ClusterName>,
    /// Their centroids (clusters x width).
    pub centroids: Array2<f32>,
    /// The themes discovered among the talks no taxonomy theme took.
    pub discovered: Vec<DiscoveredName>,
    /// Their centroids (discovered themes x width).
    pub discovered_centroids: Array2<f32>,
}

impl ThemesModel {
    /// The taxonomy as far as reports need it: ids and names (descriptions and examples are in
    /// the fitted weights).
    pub fn taxonomy(&self) -> Taxonomy {
        Taxonomy {
            themes: self
                .themes
                .iter()
                .map(|t| ThemeDef {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    description: String::new(),
                    examples: Vec::new(),
                })
                .collect(),
        }
    }

    /// Refuses an embedder other than the one the themes were fitted with.
    pub fn check_embedder(&self, embedder: &dyn Embedder, path: &Path) -> Result<()> {
        let found = EmbedderStamp::of(embedder);
        if found != self.embedder {
            return Err(Error::input(
                path,
                format!(
                    "fitted with {} ({}, sha256 {}, {}-d), not the model loaded now ({}, {}, \
                     sha256 {}, {}-d): its themes cannot be applied to these vectors",
                    self.embedder.id,
                    self.embedder.engine,
                    short(&self.embedder.sha256),
                    self.embedder.dim,
                    found.id,
                    found.engine,
                    short(&found.sha256),
                    found.dim
                ),
            ));
        }
        Ok(())
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let (weights, phrases, threshold) = self.classifier.parts();
        let matrices = [
            ("weights", weights),
            ("phrases", phrases),
            ("centroids", &self.centroids),
            ("discovered", &self.discovered_centroids),
        ];
        let header = Header {
            format: FORMAT.into(),
            version: FORMAT_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            embedder: self.embedder.clone(),
            taxonomy: self.taxonomy_source.clone(),
            threshold,
            themes: self.themes.clone(),
            clusters: self.clusters.clone(),
            discovered: self.discovered.clone(),
            matrices: matrices
                .iter()
                .map(|(name, m)| MatrixShape {
                    name: (*name).into(),
                    rows: m.nrows(),
                    cols: m.ncols(),
                })
                .collect(),
        };
        let mut bytes = serde_json::to_vec(&header).expect("the header serialises");
        bytes.push(b'\n');
        for (_, m) in matrices {
            for v in m.iter() {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        bytes
    }

    /// Reads the file a run wrote; a file of another format, version or shape is refused.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|e| Error::input_from(path, e))?;
        Self::from_bytes(&bytes).map_err(|why| Error::input(path, why))
    }

    fn from_bytes(bytes: &[u8]) -> std::result::Result<Self, String> {
        let not_ours = || format!("not a {MODEL_FILE} written by confthemes");
        let end = bytes
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(not_ours)?;
        let header: Header = serde_json::from_slice(&bytes[..end]).map_err(|_| not_ours())?;
        if header.format != FORMAT {
            return Err(not_ours());
        }
        if header.version != FORMAT_VERSION {
            return Err(format!(
                "layout version {} (written by confthemes {}); this confthemes reads version \
                 {FORMAT_VERSION}: run again to write a new one",
                header.version, header.tool_version
            ));
        }
        let mut data = &bytes[end + 1..];
        let mut matrices = Vec::new();
        for shape in &header.matrices {
            let len = shape
                .rows
                .checked_mul(shape.cols)
                .filter(|&n| n <= data.len() / 4);
            let Some(len) = len else {
                return Err(format!("truncated in matrix `{}`", shape.name));
            };
            let values: Vec<f32> = data[..4 * len]
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            data = &data[4 * len..];
            let m = Array2::from_shape_vec((shape.rows, shape.cols), values)
                .map_err(|e| e.to_string())?;
            matrices.push(m);
        }
        let dim = header.embedder.dim;
        let [weights, phrases, centroids, discovered]: [Array2<f32>; 4] = matrices
            .try_into()
            .map_err(|_| "expected four matrices".to_string())?;
        let consistent = data.is_empty()
            && [&weights, &phrases, &centroids, &discovered]
                .iter()
                .all(|m| m.ncols() == dim)
            && weights.nrows() == header.themes.len()
            && centroids.nrows() == header.clusters.len()
            && discovered.nrows() == header.discovered.len();
        if !consistent {
            return Err("matrix shapes do not match the header".into());
        }
        let theme_ids = header.themes.iter().map(|t| t.id.clone()).collect();
        Ok(ThemesModel {
            embedder: header.embedder,
            taxonomy_source: header.taxonomy,
            themes: header.themes,
            classifier: FittedThemes::from_parts(header.threshold, theme_ids, weights, phrases),
            clusters: header.clusters,
            centroids,
            discovered: header.discovered,
            discovered_centroids: discovered,
        })
    }
}

/// The first 12 hex digits of a checksum.
fn short(sha256: &str) -> String {
    sha256.chars().take(12).collect()
}

/// A two-theme, one-cluster model over 3-d vectors, for tests.
#[cfg(test)]
pub(crate) fn test_model() -> ThemesModel {
    use crate::themes::taxonomy::two_themes;
    use crate::themes::ThemeClassifier;
    use ndarray::array;

    let taxonomy = two_themes();
    let phrases = array![[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0]];
    ThemesModel {
        embedder: EmbedderStamp {
            id: "m".into(),
            sha256: "abc".into(),
            engine: "candle".into(),
            dim: 3,
            precision: "f32".into(),
        },
        taxonomy_source: "builtin".into(),
        themes: ThemeName::all(&taxonomy),
        classifier: ThemeClassifier { threshold: 0.5 }.from_vectors(&taxonomy, &[0, 1], phrases),
        clusters: vec![ClusterName {
            id: 0,
            name: "A: x".into(),
            theme: "a".into(),
            keywords: vec![Keyword {
                word: "x".into(),
                weight: 0.5,
            }],
        }],
        centroids: array![[0.6f32, 0.8, 0.0]],
        discovered: vec![DiscoveredName {
            id: "z".into(),
            name: "Z, zed".into(),
            radius: 0.9,
        }],
        discovered_centroids: array![[0.0f32, 0.0, 1.0]],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_saved_model_themes_talks_as_the_original() {
        let original = test_model();
        let read = ThemesModel::from_bytes(&original.to_bytes()).unwrap();
        let talks = array![[0.14f32, 0.99, 0.0], [0.3, 0.2, 0.93]];
        assert_eq!(
            read.classifier.predict(talks.view(), talks.view()),
            original.classifier.predict(talks.view(), talks.view())
        );
        assert_eq!(read.centroids, original.centroids);
        assert_eq!(read.clusters, original.clusters);
        assert_eq!(read.discovered, original.discovered);
        assert_eq!(read.discovered_centroids, original.discovered_centroids);
        assert_eq!(read.taxonomy().themes[1].name, original.themes[1].name);
    }

    #[test]
    fn other_files_and_damaged_models_are_refused() {
        assert!(ThemesModel::from_bytes(b"talk_id,title\n1,x\n")
            .unwrap_err()
            .contains("not a themes.model"));
        let mut bytes = test_model().to_bytes();
        bytes.truncate(bytes.len() - 4);
        assert!(ThemesModel::from_bytes(&bytes)
            .unwrap_err()
            .contains("truncated"));
        let huge = String::from_utf8_lossy(&test_model().to_bytes()).replacen(
            "\"rows\":2",
            "\"rows\":4611686018427387904",
            1,
        );
        assert!(ThemesModel::from_bytes(huge.as_bytes())
            .unwrap_err()
            .contains("truncated"));
        let newer = String::from_utf8_lossy(&test_model().to_bytes()).replacen(
            "\"version\":2",
            "\"version\":9",
            1,
        );
        assert!(ThemesModel::from_bytes(newer.as_bytes())
            .unwrap_err()
            .contains("version 9"));
    }
}
