//! Talk starts chosen by a fitted model over the cues of every line that could open a talk.
//!
//! Every markdown heading, line standing alone, list item and paragraph opening is a
//! [`Candidate`], described by cues of its form (heading level among the document's levels, bold or
//! linked lead, list nesting, length), its words (speakers after a dash, "talk"/"keynote", words
//! about the venue or food, the first person; English, French, Spanish, Portuguese), its
//! surroundings (a rule before it, sub-headings under it, a video link near it, siblings that name
//! speakers) and whether the rule-based [`HeadingSegmenter`] starts a talk there. A logistic
//! [`BoundaryModel`], fitted on annotated posts by `examples/fit_segmenter.rs` and shipped as
//! `boundary_model.csv`, scores each candidate; those at or above its threshold start talks, which
//! end where the next talk starts, where a heading of their level (or any heading, for a talk
//! opened by a paragraph) begins, or where their list item ends. A document in which the model
//! finds no talk gets the rules' talks, and failing those is one unit of kind `document`.

mod cues;
mod model;
pub mod training;

pub use cues::{candidates, Candidate, Cue, Features, Shape, CUES};
pub use model::{BoundaryModel, Example};

use super::heading::{self, Heading, LineContext, LineRole};
use super::{
    clean_line, make_talk, narrative, whole_document, HeadingSegmenter, Segmenter, Talk, TalkKind,
};
use crate::ingest::Document;

/// The segmenter that starts talks where a [`BoundaryModel`] says so.
#[derive(Debug, Clone, Default)]
pub struct BoundarySegmenter {
    model: BoundaryModel,
}

impl BoundarySegmenter {
    /// A segmenter with the given model (the shipped one is [`BoundarySegmenter::default`]).
    pub fn new(model: BoundaryModel) -> Self {
        BoundarySegmenter { model }
    }

    /// The candidates of `doc` with their cues, the rule-based segmenter's talks among them.
    pub fn candidates(doc: &Document) -> Vec<Candidate> {
        Self::candidates_and_rule_talks(doc).0
    }

    fn candidates_and_rule_talks(doc: &Document) -> (Vec<Candidate>, Vec<Talk>) {
        let rule_talks: Vec<Talk> = HeadingSegmenter
            .segment(doc)
            .into_iter()
            .filter(|t| t.kind == TalkKind::Talk)
            .collect();
        let spans: Vec<(usize, usize)> = rule_talks
            .iter()
            .map(|t| (t.start_line, t.end_line))
            .collect();
        (candidates(&doc.lines(), &spans), rule_talks)
    }
}

impl Segmenter for BoundarySegmenter {
    fn segment(&self, doc: &Document) -> Vec<Talk> {
        let lines = doc.lines();
        let (all, rule_talks) = Self::candidates_and_rule_talks(doc);
        let starts: Vec<&Candidate> = all
            .iter()
            .filter(|c| self.model.accepts(&c.features))
            .collect();
        let next_heading = next_heading_lines(&all, lines.len());
        let citations = narrative::citations(&doc.text);
        let mut talks = Vec::with_capacity(starts.len());
        for (k, c) in starts.iter().enumerate() {
            let next = starts.get(k + 1).map_or(lines.len(), |s| s.line - 1);
            // Where the rules start a talk too, their talk is taken: they know its title, its
            // speakers and where its notes stop (outros, captions), up to the next start.
            // The rules' talks come in document order.
            let rule = rule_talks
                .binary_search_by_key(&c.line, |t| t.start_line)
                .ok()
                .map(|i| &rule_talks[i]);
            if let Some(rule) = rule {
                let mut talk = rule.clone();
                if talk.end_line > next {
                    talk.end_line = last_text_line(&lines, c.line, next);
                    talk.body = body_lines(&lines, c.line + 1, talk.end_line).join("\n");
                }
                talk.index = talks.len() + 1;
                talks.push(talk);
                continue;
            }
            let limit = match c.shape {
                Shape::Heading(_) | Shape::Item { .. } => c.extent,
                Shape::Standalone | Shape::Paragraph => next_heading[c.line] - 1,
            };
            let end = last_text_line(&lines, c.line, limit.min(next));
            let first_body = match c.shape {
                Shape::Paragraph => c.line,
                _ => c.line + 1,
            };
            let heading = title_of(c, &lines, &citations);
            let body = body_lines(&lines, first_body, end);
            talks.push(make_talk(doc, talks.len() + 1, heading, c.line, end, body));
        }
        if talks.is_empty() {
            // The model found no talk: the rules' talks, else the document as one unit.
            talks = rule_talks;
        }
        if talks.is_empty() {
            talks.extend(whole_document(doc, &lines));
        }
        talks
    }
}

/// For each line (1-based, plus one past the end), the first heading line after it, or one past
/// the last line.
fn next_heading_lines(candidates: &[Candidate], line_count: usize) -> Vec<usize> {
    let mut next = vec![line_count + 1; line_count + 2];
    let mut upcoming = line_count + 1;
    let mut headings = candidates
        .iter()
        .rev()
        .filter(|c| matches!(c.shape, Shape::Heading(_)))
        .peekable();
    for line in (0..=line_count).rev() {
        while headings.peek().is_some_and(|h| h.line > line) {
            upcoming = upcoming.min(headings.next().map_or(upcoming, |h| h.line));
        }
        next[line] = upcoming;
    }
    next
}

/// The last non-blank line in `start..=end` (`start` when all are blank or `end < start`).
fn last_text_line(lines: &[&str], start: usize, end: usize) -> usize {
    (start..=end.max(start))
        .rev()
        .find(|&m| !lines[m - 1].trim().is_empty())
        .unwrap_or(start)
}

/// The non-blank lines `first..=last`, bullet markers removed.
fn body_lines(lines: &[&str], first: usize, last: usize) -> Vec<String> {
    (first..=last)
        .map(|m| lines[m - 1])
        .filter(|l| !l.trim().is_empty())
        .map(clean_line)
        .collect()
}

/// The title and speakers of the talk a candidate opens.
fn title_of(c: &Candidate, lines: &[&str], citations: &[narrative::Citation]) -> Heading {
    let raw = lines[c.line - 1];
    let parsed = match c.shape {
        Shape::Item { .. } => heading::titled_item(raw).or_else(|| heading::list_item(raw)),
        Shape::Paragraph => heading::linked_talk(&lines[c.line - 1..c.extent])
            .or_else(|| narrative::talk_opened_by(raw, citations)),
        Shape::Heading(_) | Shape::Standalone => {
            match heading::classify(raw, LineContext::default()) {
                LineRole::Talk(h) => Some(h),
                _ => heading::linked_talk(&lines[c.line - 1..=c.line - 1]),
            }
        }
    };
    parsed.unwrap_or_else(|| Heading {
        title: first_words(&heading::normalise_title(raw)),
        speakers: Vec::new(),
        event: None,
    })
}

/// The first sentence of `text`, at most twelve words.
fn first_words(text: &str) -> String {
    let sentence = text.split_inclusive(['.', '!', '?']).next().unwrap_or(text);
    let words: Vec<&str> = sentence.split_whitespace().take(12).collect();
    words
        .join(" ")
        .trim_end_matches(['.', ':', ';', ','])
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::DocMeta;

    fn segment(text: &str) -> Vec<Talk> {
        BoundarySegmenter::default().segment(&Document::from_text("t.md", text, DocMeta::default()))
    }

    #[test]
    fn a_note_without_talks_is_one_unit() {
        let talks = segment("We had lunch by the river.\nThe weather was fine.\n");
        assert_eq!(talks.len(), 1);
        assert_eq!(talks[0].kind, TalkKind::Document);
    }
}
