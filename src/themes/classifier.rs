//! Theme assignment learnt from examples: a softmax regression on the MiniLM vectors of each
//! theme's phrases (its "name. description" and its example titles), fitted when the taxonomy is
//! loaded. A taxonomy with names and descriptions only is still a classifier (one phrase per
//! theme): zero-shot stays possible.
//!
//! A talk far from every phrase (a PyCon talk among KubeCon themes) is [`UNASSIGNED`]: the gate is
//! the cosine similarity of its title or its text (whichever is closer) to the nearest phrase,
//! which tells off-domain talks apart far better than the probability does (probabilities share
//! out 1 whatever the talk).
//!
//! The fit is full-batch gradient descent from zero weights for a fixed number of steps, so the
//! weights depend only on the phrases and their order, never on threads or timing.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::Serialize;

use super::{round4, Taxonomy, UNASSIGNED};
use crate::embed::{normalise_rows, Embedder};
use crate::error::Result;

/// Default lowest cosine similarity between a talk (its title or its text) and the nearest phrase
/// of the taxonomy for an assignment: chosen on the tuned part of the recap development set by
/// [`super::eval::calibrate_threshold`] (see `tests/themes_dev.rs`).
pub const DEFAULT_THRESHOLD: f32 = 0.47;

/// A second theme is reported when its probability is at least this share of the first's.
pub const SECOND_THEME_RATIO: f32 = 0.5;

/// Share of the title in the vector a talk is classified by (the rest is its text).
const TITLE_WEIGHT: f32 = 0.4;

/// Unit vectors are scaled by this before the regression: it sets how peaked the fitted
/// probabilities can become within the fixed number of steps.
const SCALE: f32 = 20.0;
/// L2 penalty on the weights.
const L2: f32 = 1e-2;
/// Gradient step.
const STEP: f32 = 0.5;
/// Gradient steps.
const STEPS: usize = 400;

/// A theme and how probable it is for a talk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeScore {
    /// Theme id.
    pub theme: String,
    /// Probability of the theme among the taxonomy's themes.
    pub score: f32,
}

/// The theme given to one talk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThemeAssignment {
    /// Theme id, or [`UNASSIGNED`].
    pub theme: String,
    /// Probability of the most probable theme (reported even when unassigned).
    pub score: f32,
    /// Cosine similarity of the talk's title or text, whichever is closer, to the nearest phrase of
    /// the taxonomy: what the threshold gates.
    pub nearest_phrase: f32,
    /// The second most probable theme, when it is close to the first (see [`SECOND_THEME_RATIO`]).
    pub second: Option<ThemeScore>,
    /// Every theme's probability, in taxonomy order.
    pub scores: Vec<ThemeScore>,
}

/// Settings of the theme classifier.
#[derive(Debug, Clone, Copy)]
pub struct ThemeClassifier {
    /// Lowest similarity (title or text) to the nearest phrase that counts as an assignment.
    pub threshold: f32,
}

impl Default for ThemeClassifier {
    fn default() -> Self {
        ThemeClassifier {
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

/// A classifier fitted on a taxonomy: one weight row per theme.
#[derive(Debug, Clone)]
pub struct FittedThemes {
    threshold: f32,
    theme_ids: Vec<String>,
    /// Themes x embedding width.
    weights: Array2<f32>,
    /// The phrases fitted on, one unit row each.
    phrases: Array2<f32>,
}

impl ThemeClassifier {
    /// Embeds the taxonomy's phrases with `embedder` and fits the classifier on them.
    pub fn fit(&self, taxonomy: &Taxonomy, embedder: &dyn Embedder) -> Result<FittedThemes> {
        let mut owner = Vec::new();
        let mut texts = Vec::new();
        for (i, theme) in taxonomy.themes.iter().enumerate() {
            for phrase in theme.phrases() {
                owner.push(i);
                texts.push(phrase);
            }
        }
        let phrases = embedder.embed(&texts.iter().map(String::as_str).collect::<Vec<_>>())?;
        Ok(self.from_vectors(taxonomy, &owner, phrases))
    }

    /// Fits the classifier on phrase vectors already computed (unit rows); `owner[r]` is the
    /// theme of row `r`.
    pub fn from_vectors(
        &self,
        taxonomy: &Taxonomy,
        owner: &[usize],
        phrases: Array2<f32>,
    ) -> FittedThemes {
        let themes = taxonomy.themes.len();
        let x = &phrases * SCALE;
        let n = x.nrows().max(1) as f32;
        let mut weights = Array2::<f32>::zeros((themes, x.ncols()));
        for _ in 0..STEPS {
            let mut residual = softmax(x.dot(&weights.t()));
            for (mut row, &theme) in residual.rows_mut().into_iter().zip(owner) {
                row[theme] -= 1.0;
            }
            let gradient = residual.t().dot(&x) / n + &weights * L2;
            weights.scaled_add(-STEP, &gradient);
        }
        FittedThemes {
            threshold: self.threshold,
            theme_ids: taxonomy.themes.iter().map(|t| t.id.clone()).collect(),
            weights: weights * SCALE,
            phrases,
        }
    }
}

impl FittedThemes {
    /// The fitted weights (themes x width), the phrases (unit rows) and the threshold: what
    /// [`super::ThemesModel`] stores.
    pub(super) fn parts(&self) -> (&Array2<f32>, &Array2<f32>, f32) {
        (&self.weights, &self.phrases, self.threshold)
    }

    /// A classifier from stored parts (see [`Self::parts`]).
    pub(super) fn from_parts(
        threshold: f32,
        theme_ids: Vec<String>,
        weights: Array2<f32>,
        phrases: Array2<f32>,
    ) -> Self {
        FittedThemes {
            threshold,
            theme_ids,
            weights,
            phrases,
        }
    }

    /// Lowest similarity to the nearest phrase that counts as an assignment.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Each row's cosine similarity to the nearest phrase.
    fn nearest_phrase(&self, rows: ArrayView2<'_, f32>) -> Array1<f32> {
        rows.dot(&self.phrases.t())
            .map_axis(Axis(1), |r| r.fold(f32::NEG_INFINITY, |m, &v| m.max(v)))
    }

    /// Each talk's probability for each theme (talks x themes); a row is a talk's
    /// [`theme_vectors`] row.
    fn probabilities(&self, talks: ArrayView2<'_, f32>) -> Array2<f32> {
        softmax(talks.dot(&self.weights.t()))
    }

    /// Assigns each talk its most probable theme, or [`UNASSIGNED`] when neither its title nor
    /// its text is as near as the threshold to a phrase. Row `i` of `texts` and `titles` are talk
    /// `i`'s unit vectors. Ties go to the theme listed first.
    pub fn predict(
        &self,
        texts: ArrayView2<'_, f32>,
        titles: ArrayView2<'_, f32>,
    ) -> Vec<ThemeAssignment> {
        let nearest = self.nearest_phrase(texts);
        let nearest = nearest
            .iter()
            .zip(self.nearest_phrase(titles))
            .map(|(&text, title)| text.max(title));
        self.probabilities(theme_vectors(texts, titles).view())
            .rows()
            .into_iter()
            .zip(nearest)
            .map(|(row, nearest_phrase)| {
                let mut ranked: Vec<usize> = (0..row.len()).collect();
                ranked.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
                let first = ranked[0];
                let score = round4(row[first]);
                let theme = if nearest_phrase >= self.threshold {
                    self.theme_ids[first].clone()
                } else {
                    UNASSIGNED.to_string()
                };
                let second = ranked
                    .get(1)
                    .filter(|&&s| theme != UNASSIGNED && row[s] >= SECOND_THEME_RATIO * row[first])
                    .map(|&s| ThemeScore {
                        theme: self.theme_ids[s].clone(),
                        score: round4(row[s]),
                    });
                let scores = self
                    .theme_ids
                    .iter()
                    .zip(row)
                    .map(|(theme, &score)| ThemeScore {
                        theme: theme.clone(),
                        score: round4(score),
                    })
                    .collect();
                ThemeAssignment {
                    theme,
                    score,
                    nearest_phrase,
                    second,
                    scores,
                }
            })
            .collect()
    }
}

/// The vectors the classifier reads: each talk's text vector and its title vector weighted
/// `1 - TITLE_WEIGHT : TITLE_WEIGHT`, renormalised. The title names the talk but is often a pun
/// ("Running with Scissors"); the notes say what it was about.
fn theme_vectors(texts: ArrayView2<'_, f32>, titles: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut sum = &texts * (1.0 - TITLE_WEIGHT) + &titles * TITLE_WEIGHT;
    normalise_rows(&mut sum);
    sum
}

/// Row-wise softmax, shifted by each row's maximum.
fn softmax(mut logits: Array2<f32>) -> Array2<f32> {
    for mut row in logits.rows_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let total = row.sum();
        row /= total;
    }
    logits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::themes::taxonomy::two_themes;
    use ndarray::array;

    #[test]
    fn learns_the_themes_of_its_examples_and_leaves_weak_talks_unassigned() {
        // Theme a's phrase is the x axis, theme b's the y axis; talk 2 is far from both.
        let phrases = array![[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0]];
        let model =
            ThemeClassifier { threshold: 0.5 }.from_vectors(&two_themes(), &[0, 1], phrases);
        let talks = array![[0.14f32, 0.99, 0.0], [0.99, 0.14, 0.0], [0.3, 0.2, 0.93]];
        let a = model.predict(talks.view(), talks.view());
        assert_eq!((a[0].theme.as_str(), a[1].theme.as_str()), ("b", "a"));
        assert!(a[0].score > 0.9, "{a:?}");
        assert!((a[0].nearest_phrase - 0.99).abs() < 1e-6);
        assert_eq!(a[2].theme, UNASSIGNED, "{a:?}");
        // Probabilities, each rounded to 4 decimals.
        let total: f32 = a[2].scores.iter().map(|s| s.score).sum();
        assert!((total - 1.0).abs() < 1e-3);
        assert!(a[0]
            .scores
            .iter()
            .all(|s| (s.score * 1e4 - (s.score * 1e4).round()).abs() < 1e-2));
        assert_eq!(a[2].scores[1].theme, "b");
    }

    #[test]
    fn a_close_second_theme_is_reported() {
        let phrases = array![[1.0f32, 0.0], [0.0, 1.0]];
        let model =
            ThemeClassifier { threshold: 0.1 }.from_vectors(&two_themes(), &[0, 1], phrases);
        let talks = array![[0.72f32, 0.69], [1.0, 0.0]];
        let a = model.predict(talks.view(), talks.view());
        assert_eq!(a[0].theme, "a");
        assert_eq!(a[0].second.as_ref().map(|s| s.theme.as_str()), Some("b"));
        assert_eq!(a[1].second, None, "{a:?}");
    }

    #[test]
    fn a_title_near_a_phrase_is_enough_to_be_assigned() {
        let phrases = array![[1.0f32, 0.0, 0.0], [0.0, 1.0, 0.0]];
        let model =
            ThemeClassifier { threshold: 0.8 }.from_vectors(&two_themes(), &[0, 1], phrases);
        // Rambling notes far from both phrases, a title right on theme b's.
        let texts = array![[0.0f32, 0.3, 0.95], [0.0, 0.3, 0.95]];
        let titles = array![[0.0f32, 1.0, 0.0], [0.0, 0.3, 0.95]];
        let a = model.predict(texts.view(), titles.view());
        assert_eq!(a[0].theme, "b", "{a:?}");
        assert!((a[0].nearest_phrase - 1.0).abs() < 1e-6);
        assert_eq!(a[1].theme, UNASSIGNED, "{a:?}");
    }

    #[test]
    fn the_text_outweighs_the_title() {
        let v = theme_vectors(array![[1.0f32, 0.0]].view(), array![[0.0f32, 1.0]].view());
        let norm = (0.6f32 * 0.6 + 0.4 * 0.4).sqrt();
        assert!((v[[0, 0]] - 0.6 / norm).abs() < 1e-6 && (v[[0, 1]] - 0.4 / norm).abs() < 1e-6);
    }
}
