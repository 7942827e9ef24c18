//! Theme assignments scored against the themes a careful reader gave each talk (0-3 per talk;
//! none when no theme of the taxonomy fits), and the `unassigned` threshold chosen on such data.

use std::collections::BTreeMap;

use super::UNASSIGNED;

/// A talk with the themes a reader accepts for it.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldThemes {
    /// Accepted theme ids; empty when none of the taxonomy fits.
    pub themes: Vec<String>,
}

impl GoldThemes {
    /// Whether `assigned` (a theme id or [`UNASSIGNED`]) is what the reader accepts: one of the
    /// gold themes, or `unassigned` for a talk with none.
    pub fn accepts(&self, assigned: &str) -> bool {
        if self.themes.is_empty() {
            assigned == UNASSIGNED
        } else {
            self.themes.iter().any(|t| t == assigned)
        }
    }
}

/// Counts of right and wrong assignments, and which themes were mistaken for which.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThemeAccuracy {
    /// Talks with at least one gold theme.
    pub themed: usize,
    /// Of those, talks given one of their gold themes.
    pub themed_right: usize,
    /// Of those, talks left unassigned.
    pub themed_unassigned: usize,
    /// Talks with no gold theme.
    pub unthemed: usize,
    /// Of those, talks left unassigned.
    pub unthemed_unassigned: usize,
    /// (first gold theme, assigned theme) -> count, for themed talks given a wrong theme.
    pub confusions: BTreeMap<(String, String), usize>,
}

impl ThemeAccuracy {
    /// Adds one talk.
    pub fn add(&mut self, gold: &GoldThemes, assigned: &str) {
        let right = gold.accepts(assigned);
        if gold.themes.is_empty() {
            self.unthemed += 1;
            self.unthemed_unassigned += usize::from(right);
            return;
        }
        self.themed += 1;
        self.themed_right += usize::from(right);
        if assigned == UNASSIGNED {
            self.themed_unassigned += 1;
        } else if !right {
            *self
                .confusions
                .entry((gold.themes[0].clone(), assigned.to_string()))
                .or_default() += 1;
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &ThemeAccuracy) {
        self.themed += other.themed;
        self.themed_right += other.themed_right;
        self.themed_unassigned += other.themed_unassigned;
        self.unthemed += other.unthemed;
        self.unthemed_unassigned += other.unthemed_unassigned;
        for (pair, n) in &other.confusions {
            *self.confusions.entry(pair.clone()).or_default() += n;
        }
    }

    /// Share of themed talks given one of their gold themes: the accuracy the README reports.
    pub fn accuracy(&self) -> f64 {
        ratio(self.themed_right, self.themed)
    }

    /// Share of all talks assigned as the reader would (themed talks right, unthemed unassigned).
    pub fn accuracy_all(&self) -> f64 {
        ratio(
            self.themed_right + self.unthemed_unassigned,
            self.themed + self.unthemed,
        )
    }

    /// The confusions, most frequent first (ties in theme order).
    pub fn top_confusions(&self) -> Vec<(&str, &str, usize)> {
        let mut pairs: Vec<(&str, &str, usize)> = self
            .confusions
            .iter()
            .map(|((gold, assigned), &n)| (gold.as_str(), assigned.as_str(), n))
            .collect();
        pairs.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
        pairs
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// One talk as the threshold calibration sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredTalk {
    /// What the threshold gates: the similarity to the nearest phrase of the taxonomy.
    pub score: f32,
    /// Whether the most probable theme is one of the gold themes (never for an unthemed talk).
    pub top_right: bool,
    /// Whether the talk has no gold theme (it should be unassigned).
    pub unthemed: bool,
}

/// The `unassigned` threshold that best separates talks with no gold theme from talks whose top
/// theme is right: it maximises the share of unthemed talks left unassigned minus the share of
/// right talks left unassigned (Youden's J, so the answer does not depend on how many talks of
/// each kind the calibration set happens to hold). Themed talks whose top theme is wrong count for
/// neither side. Candidates are 0 and the midpoints between consecutive scores; ties go to the
/// lowest threshold.
pub fn calibrate_threshold(talks: &[ScoredTalk]) -> f32 {
    let mut sorted = talks.to_vec();
    sorted.sort_by(|a, b| a.score.total_cmp(&b.score));
    let unthemed = sorted.iter().filter(|t| t.unthemed).count().max(1) as f64;
    let right = sorted.iter().filter(|t| t.top_right).count().max(1) as f64;
    let (mut dropped_unthemed, mut dropped_right) = (0usize, 0usize);
    let (mut best, mut best_j) = (0.0f32, 0.0f64);
    for (i, talk) in sorted.iter().enumerate() {
        // Raising the threshold past this talk leaves it unassigned.
        dropped_unthemed += usize::from(talk.unthemed);
        dropped_right += usize::from(talk.top_right);
        let next = sorted.get(i + 1).map_or(1.0, |n| n.score);
        let j = dropped_unthemed as f64 / unthemed - dropped_right as f64 / right;
        if next > talk.score && j > best_j {
            best_j = j;
            best = (talk.score + next) / 2.0;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(themes: &[&str]) -> GoldThemes {
        GoldThemes {
            themes: themes.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn counts_right_wrong_and_unassigned_talks() {
        let mut acc = ThemeAccuracy::default();
        acc.add(&gold(&["security", "networking"]), "networking");
        acc.add(&gold(&["security"]), "observability");
        acc.add(&gold(&["security"]), UNASSIGNED);
        acc.add(&gold(&[]), UNASSIGNED);
        acc.add(&gold(&[]), "cost");
        assert_eq!(
            (acc.themed, acc.themed_right, acc.themed_unassigned),
            (3, 1, 1)
        );
        assert_eq!((acc.unthemed, acc.unthemed_unassigned), (2, 1));
        assert!((acc.accuracy() - 1.0 / 3.0).abs() < 1e-12);
        assert!((acc.accuracy_all() - 0.4).abs() < 1e-12);
        assert_eq!(acc.top_confusions(), [("security", "observability", 1)]);
        let mut twice = acc.clone();
        twice.merge(&acc);
        assert_eq!(twice.themed, 6);
        assert_eq!(twice.top_confusions(), [("security", "observability", 2)]);
    }

    #[test]
    fn the_threshold_separates_unthemed_talks_from_right_ones() {
        let talk = |score, top_right, unthemed| ScoredTalk {
            score,
            top_right,
            unthemed,
        };
        // Unthemed talks score 0.2 and 0.3, right ones 0.5 and 0.9: anything between 0.3 and 0.5.
        let talks = [
            talk(0.9, true, false),
            talk(0.3, false, true),
            talk(0.5, true, false),
            talk(0.2, false, true),
        ];
        assert!((calibrate_threshold(&talks) - 0.4).abs() < 1e-6);
        // Shares, not counts: dropping one of two unthemed talks (half of them) is worth dropping
        // one of three right talks (a third), and the wrong talk in between changes nothing.
        let shares = [
            talk(0.1, false, true),
            talk(0.2, true, false),
            talk(0.25, false, false),
            talk(0.3, false, true),
            talk(0.6, true, false),
            talk(0.7, true, false),
        ];
        assert!((calibrate_threshold(&shares) - 0.45).abs() < 1e-6);
        // Nothing separates them: the lowest threshold.
        let even = [talk(0.3, true, false), talk(0.4, false, true)];
        assert_eq!(calibrate_threshold(&even), 0.0);
    }
}
