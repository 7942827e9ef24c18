//! Segmentation quality against annotated gold: Pk and WindowDiff (Pevzner & Hearst, 2002) and
//! boundary precision, recall and F1 with a tolerance of one line.
//!
//! Both segmentations are read over the document's non-blank lines. Each line is labelled with the
//! talk whose span holds it, or with "no talk" (intro, outro, captions between talks); a boundary
//! is a line whose label differs from the previous non-blank line's. Blank lines carry no
//! information and are ignored, so a talk ending at its last paragraph or at the blank line after it
//! scores the same.

use serde::Serialize;

/// A span of lines, 1-based and inclusive, as a segmenter or an annotator gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First line.
    pub start_line: usize,
    /// Last line.
    pub end_line: usize,
}

/// Boundary matches of one or more documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BoundaryCounts {
    /// Boundaries found within one line of a gold boundary.
    pub true_positives: usize,
    /// Boundaries found with no gold boundary within one line.
    pub false_positives: usize,
    /// Gold boundaries not found.
    pub false_negatives: usize,
}

impl std::ops::AddAssign for BoundaryCounts {
    fn add_assign(&mut self, other: BoundaryCounts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
    }
}

impl BoundaryCounts {
    /// Fraction of found boundaries that are right (1 when none were found and none exist).
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// Fraction of gold boundaries found (1 when there are none).
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }

    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// A gold segment as talk-start scoring reads it: the lines it may be said to start on (its start
/// and the alternatives an annotator accepts), and whether it is a talk or a section about several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldStart {
    /// Acceptable start lines.
    pub starts: Vec<usize>,
    /// A talk (to be found) rather than a section (neither found nor missed).
    pub talk: bool,
}

/// Talk starts `found` against `gold`, matched one to one in document order: a found start within
/// one line of a gold segment's start or alternative start matches it. Matching a talk is a true
/// positive; matching a section counts for nothing; matching nothing is a false positive; a gold
/// talk left unmatched is a false negative.
pub fn talk_starts(gold: &[GoldStart], found: &[usize]) -> BoundaryCounts {
    let mut matched = vec![false; gold.len()];
    let mut counts = BoundaryCounts::default();
    for &line in found {
        let hit = gold
            .iter()
            .enumerate()
            .position(|(i, g)| !matched[i] && g.starts.iter().any(|&s| s.abs_diff(line) <= 1));
        match hit {
            Some(i) => {
                matched[i] = true;
                counts.true_positives += usize::from(gold[i].talk);
            }
            None => counts.false_positives += 1,
        }
    }
    counts.false_negatives = gold
        .iter()
        .zip(&matched)
        .filter(|(g, &m)| g.talk && !m)
        .count();
    counts
}

/// The scores of one document, or of several added together.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SegmentationScore {
    /// Boundary matches.
    pub boundaries: BoundaryCounts,
    /// Probing windows evaluated.
    pub windows: usize,
    /// Windows where gold and hypothesis disagree on "same segment" (Pk errors).
    pub pk_errors: usize,
    /// Windows where gold and hypothesis hold different numbers of boundaries (WindowDiff errors).
    pub window_diff_errors: usize,
}

impl SegmentationScore {
    /// Pk: the probability that two lines k apart are wrongly judged in the same or different
    /// segments (0 is perfect).
    pub fn pk(&self) -> f64 {
        ratio_or_zero(self.pk_errors, self.windows)
    }

    /// WindowDiff: the share of windows with a wrong number of boundaries (0 is perfect).
    pub fn window_diff(&self) -> f64 {
        ratio_or_zero(self.window_diff_errors, self.windows)
    }

    /// Adds another document's counts (micro-averaging).
    pub fn add(&mut self, other: &SegmentationScore) {
        self.boundaries += other.boundaries;
        self.windows += other.windows;
        self.pk_errors += other.pk_errors;
        self.window_diff_errors += other.window_diff_errors;
    }
}

/// Scores `hypothesis` against `gold` for a document with the given lines. The window size k is
/// half the mean gold segment length, in non-blank lines (at least 1).
pub fn evaluate(lines: &[&str], gold: &[Span], hypothesis: &[Span]) -> SegmentationScore {
    let units: Vec<usize> = (1..=lines.len())
        .filter(|&n| !lines[n - 1].trim().is_empty())
        .collect();
    let gold_runs = run_ids(&units, gold);
    let hyp_runs = run_ids(&units, hypothesis);
    let segments = gold_runs.last().map_or(0, |&r| r + 1);

    let mut score = SegmentationScore {
        boundaries: match_boundaries(
            &boundary_lines(&units, &gold_runs),
            &boundary_lines(&units, &hyp_runs),
        ),
        ..Default::default()
    };
    if segments == 0 {
        return score;
    }
    let k = ((units.len() as f64 / segments as f64 / 2.0).round() as usize).max(1);
    for i in 0..units.len().saturating_sub(k) {
        let j = i + k;
        let same_gold = gold_runs[i] == gold_runs[j];
        let same_hyp = hyp_runs[i] == hyp_runs[j];
        score.windows += 1;
        score.pk_errors += usize::from(same_gold != same_hyp);
        // Run ids grow by one at each boundary, so their difference counts the boundaries.
        score.window_diff_errors +=
            usize::from(gold_runs[j] - gold_runs[i] != hyp_runs[j] - hyp_runs[i]);
    }
    score
}

/// For each unit (a non-blank line number), the number of the segment run it belongs to.
fn run_ids(units: &[usize], spans: &[Span]) -> Vec<usize> {
    let label = |line: usize| {
        spans
            .iter()
            .position(|s| (s.start_line..=s.end_line).contains(&line))
    };
    let mut runs = Vec::with_capacity(units.len());
    let mut previous = None;
    for (i, &line) in units.iter().enumerate() {
        let current = label(line);
        let run = match runs.last() {
            Some(&r) if current == previous && i > 0 => r,
            Some(&r) => r + 1,
            None => 0,
        };
        runs.push(run);
        previous = current;
    }
    runs
}

/// The line numbers where a new run starts.
fn boundary_lines(units: &[usize], runs: &[usize]) -> Vec<usize> {
    (1..units.len())
        .filter(|&i| runs[i] != runs[i - 1])
        .map(|i| units[i])
        .collect()
}

/// Matches each found boundary to the nearest unmatched gold boundary at most one line away.
fn match_boundaries(gold: &[usize], found: &[usize]) -> BoundaryCounts {
    let mut used = vec![false; gold.len()];
    let mut true_positives = 0;
    for &line in found {
        let nearest = gold
            .iter()
            .enumerate()
            .filter(|&(g, &gl)| !used[g] && gl.abs_diff(line) <= 1)
            .min_by_key(|&(g, &gl)| (gl.abs_diff(line), g));
        if let Some((g, _)) = nearest {
            used[g] = true;
            true_positives += 1;
        }
    }
    BoundaryCounts {
        true_positives,
        false_positives: found.len() - true_positives,
        false_negatives: gold.len() - true_positives,
    }
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

fn ratio_or_zero(num: usize, den: usize) -> f64 {
    if den == 0 {
        0.0
    } else {
        num as f64 / den as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start_line: usize, end_line: usize) -> Span {
        Span {
            start_line,
            end_line,
        }
    }

    /// Twelve non-blank lines; gold talks on lines 3-6 and 7-12 (lines 1-2 are an intro).
    fn lines() -> Vec<&'static str> {
        vec!["x"; 12]
    }

    #[test]
    fn perfect_segmentation_scores_perfectly() {
        let gold = [span(3, 6), span(7, 12)];
        let s = evaluate(&lines(), &gold, &gold);
        assert_eq!(
            s.boundaries,
            BoundaryCounts {
                true_positives: 2,
                false_positives: 0,
                false_negatives: 0
            }
        );
        assert_eq!(
            (s.pk(), s.window_diff(), s.boundaries.f1()),
            (0.0, 0.0, 1.0)
        );
    }

    #[test]
    fn a_missed_boundary_costs_recall_and_pk() {
        let gold = [span(3, 6), span(7, 12)];
        let hyp = [span(3, 12)];
        let s = evaluate(&lines(), &gold, &hyp);
        assert_eq!(
            s.boundaries,
            BoundaryCounts {
                true_positives: 1,
                false_positives: 0,
                false_negatives: 1
            }
        );
        assert!((s.boundaries.f1() - 2.0 / 3.0).abs() < 1e-12);
        // 3 gold segments over 12 lines: k = 2, 10 windows; windows (i, i+2) straddling line 7
        // are i = 4 and 5 (0-based units 4..6): both wrongly "same segment" in the hypothesis.
        assert_eq!((s.windows, s.pk_errors, s.window_diff_errors), (10, 2, 2));
    }

    #[test]
    fn boundaries_one_line_off_still_match_and_blank_lines_do_not_count() {
        let text = vec!["intro", "", "title", "body", "", "title 2", "body", "more"];
        let gold = [span(3, 4), span(6, 8)];
        // The hypothesis ends the first talk at the blank line and starts the second one line late.
        let hyp = [span(3, 5), span(7, 8)];
        let s = evaluate(&text, &gold, &hyp);
        assert_eq!(s.boundaries.true_positives, 2);
        assert_eq!(s.boundaries.false_negatives, 0);
        // Line 6 falls outside any talk in the hypothesis: one extra boundary at line 7.
        assert_eq!(s.boundaries.false_positives, 1);
    }

    #[test]
    fn talk_starts_accept_alternatives_and_ignore_sections() {
        let gold = [
            GoldStart {
                starts: vec![10, 8],
                talk: true,
            },
            GoldStart {
                starts: vec![20],
                talk: false,
            },
            GoldStart {
                starts: vec![30],
                talk: true,
            },
        ];
        // 8 is an alternative start, 21 is within a line of the section, 40 matches nothing.
        let counts = talk_starts(&gold, &[8, 21, 40]);
        assert_eq!(
            (
                counts.true_positives,
                counts.false_positives,
                counts.false_negatives
            ),
            (1, 1, 1)
        );
        // One found start matches one gold segment only.
        let counts = talk_starts(&gold, &[10, 10]);
        assert_eq!((counts.true_positives, counts.false_positives), (1, 1));
    }

    #[test]
    fn empty_inputs_do_not_divide_by_zero() {
        let s = evaluate(&[], &[], &[]);
        assert_eq!(
            (s.pk(), s.window_diff(), s.boundaries.f1()),
            (0.0, 0.0, 1.0)
        );
    }
}
