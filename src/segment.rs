//! Stage 2: split each [`Document`] into the [`Talk`]s it describes.
//!
//! [`BoundarySegmenter`], the default, starts talks where a model fitted on annotated posts says
//! so, reading the cues of every line that could open a talk (see [`boundary`]); the rules below
//! are one of its cues and give it the spans of the talks they agree on.
//!
//! The rule-based [`HeadingSegmenter`] reads a document as blocks (runs of non-blank lines). A block
//! that is one heading-like line starts a talk; the blocks after it, up to the next heading, are the
//! talk's body. A bullet list whose items are mostly `Title – Speaker, Company` is a list of talks.
//! Text before the first talk (intro), after an outro heading ("Final words?"), and headings with no
//! body are not talks.

pub mod boundary;
pub mod eval;
mod heading;
mod link;
mod narrative;

pub use boundary::BoundarySegmenter;
pub use link::{link_talks, LinkedTalks};

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::ingest::{DocMeta, Document, Field, TalkTable};
use heading::{LineContext, LineRole, BULLET};

/// A person named in a talk heading.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speaker {
    /// The speaker's name as written.
    pub name: String,
    /// Role and company as written after the name, if any.
    pub affiliation: Option<String>,
}

/// What a [`Talk`] record stands for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TalkKind {
    /// One talk (keynote, panel, workshop...) the notes describe.
    #[default]
    Talk,
    /// A whole document in which no talk was found, kept as one unit so that nothing is lost.
    Document,
}

impl TalkKind {
    /// The name written in the reports.
    pub fn name(self) -> &'static str {
        match self {
            TalkKind::Talk => "talk",
            TalkKind::Document => "document",
        }
    }
}

/// One talk found in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Talk {
    /// A talk, or a whole document that gave no talk.
    #[serde(default)]
    pub kind: TalkKind,
    /// The document the talk was found in (its path relative to the input).
    pub file: String,
    /// Position of the talk within its document, from 1.
    pub index: usize,
    /// The talk's title as written in the heading.
    pub title: String,
    /// Speakers named in the heading; empty when the heading names none.
    pub speakers: Vec<Speaker>,
    /// The notes about the talk: its body text, bullet markers removed.
    pub body: String,
    /// First line of the talk (its heading), 1-based.
    pub start_line: usize,
    /// Last non-blank line of the talk, 1-based, inclusive.
    pub end_line: usize,
    /// The conference the talk was given at.
    pub meta: DocMeta,
    /// Columns of a CSV of talks that the pipeline does not read, kept for the reports.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<Field>,
}

impl Talk {
    /// The text that represents the talk for embedding and keywords: title, then body (the body
    /// alone when it already starts with the title, as catalogue texts often do).
    pub fn text(&self) -> String {
        if self.body.is_empty() {
            self.title.clone()
        } else if self.body.starts_with(&self.title) {
            self.body.clone()
        } else {
            format!("{}.\n{}", self.title, self.body)
        }
    }

    /// The lines the talk spans.
    pub fn span(&self) -> eval::Span {
        eval::Span {
            start_line: self.start_line,
            end_line: self.end_line,
        }
    }

    /// Speaker names joined with `; `, for tables.
    pub fn speaker_names(&self) -> String {
        self.speakers
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The talks of a CSV of talks: each row is one talk, already segmented, spanning its line.
pub fn talks_from_table(table: &TalkTable) -> Vec<Talk> {
    table
        .rows
        .iter()
        .map(|row| Talk {
            kind: TalkKind::Talk,
            file: table.file.clone(),
            index: row.row,
            title: row.title.clone(),
            speakers: Vec::new(),
            body: row.text.clone(),
            start_line: row.line,
            end_line: row.line,
            meta: row.meta.clone(),
            extra: row.extra.clone(),
        })
        .collect()
}

/// Splits documents into talks.
pub trait Segmenter: Send + Sync {
    /// The talks in `doc`, in document order, numbered from 1.
    fn segment(&self, doc: &Document) -> Vec<Talk>;
}

/// The rule-based segmenter described in the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct HeadingSegmenter;

/// A run of non-blank lines.
#[derive(Debug)]
struct Block<'a> {
    /// 1-based line number of the first line.
    start: usize,
    lines: Vec<&'a str>,
}

impl Block<'_> {
    fn end(&self) -> usize {
        self.start + self.lines.len() - 1
    }

    fn is_list(&self) -> bool {
        self.lines.iter().all(|l| BULLET.is_match(l))
    }
}

/// A talk being collected while walking the blocks.
struct OpenTalk {
    heading: heading::Heading,
    start: usize,
    end: usize,
    body: Vec<String>,
    /// The level of the markdown heading that opened the talk, if one did.
    level: Option<usize>,
    /// The titles that opened the talk (a markdown heading, then maybe its talk line), normalised:
    /// the same heading again continues the talk (a slide deck repeats it on every slide).
    titles: Vec<String>,
}

impl OpenTalk {
    fn continues_with(&self, heading: &heading::Heading) -> bool {
        self.titles.contains(&heading::normalise(&heading.title))
    }
}

impl Segmenter for HeadingSegmenter {
    fn segment(&self, doc: &Document) -> Vec<Talk> {
        let lines = doc.lines();
        let blocks = blocks(&lines);
        let doc_title = blocks
            .first()
            .filter(|b| b.lines.len() == 1)
            .map(|b| b.lines[0].trim());

        let citations = narrative::citations(&doc.text);
        let mut talks: Vec<Talk> = Vec::new();
        let mut open: Option<OpenTalk> = None;
        let close = |open: &mut Option<OpenTalk>, talks: &mut Vec<Talk>| {
            if let Some(t) = open.take().filter(|t| !t.body.is_empty()) {
                talks.push(make_talk(
                    doc,
                    talks.len() + 1,
                    t.heading,
                    t.start,
                    t.end,
                    t.body,
                ));
            }
        };

        for (i, block) in blocks.iter().enumerate() {
            if block.lines.len() > 1 && block.is_list() {
                if let Some(items) = talk_list(block) {
                    close(&mut open, &mut talks);
                    for item in items {
                        talks.push(make_talk(
                            doc,
                            talks.len() + 1,
                            item.heading,
                            item.line,
                            item.end,
                            item.body,
                        ));
                    }
                    continue;
                }
            }
            match role_of(&blocks, i, doc_title, &citations) {
                BlockRole::Heading(heading)
                    if open.as_ref().is_some_and(|t| t.continues_with(&heading)) =>
                {
                    if let Some(t) = open.as_mut() {
                        t.end = block.end();
                    }
                }
                // A line that is not a markdown heading inside a talk that a markdown heading
                // opened and that has notes already is a sub-heading of those notes.
                BlockRole::Heading(_)
                    if heading::markdown_level(block.lines[0]).is_none()
                        && open
                            .as_ref()
                            .is_some_and(|t| t.level.is_some() && !t.body.is_empty()) =>
                {
                    if let Some(t) = open.as_mut() {
                        t.end = block.end();
                        t.body.extend(block.lines.iter().map(|l| clean_line(l)));
                    }
                }
                BlockRole::Heading(heading) => {
                    let level = heading::markdown_level(block.lines[0]);
                    // A markdown section heading followed at once by a talk line ("### Keda",
                    // then "[Scaling New Heights with KEDA - ...](...)") is that talk's section.
                    let mut titles = vec![heading::normalise(&heading.title)];
                    let (start, level) = match &open {
                        Some(t) if t.body.is_empty() && t.level.is_some() && level.is_none() => {
                            titles.extend(t.titles.iter().cloned());
                            (t.start, t.level)
                        }
                        _ => (block.start, level),
                    };
                    close(&mut open, &mut talks);
                    open = Some(OpenTalk {
                        heading,
                        start,
                        end: block.end(),
                        body: Vec::new(),
                        level,
                        titles,
                    });
                }
                // A heading's first paragraph is its talk's body, even when it reads like a
                // narrative opening ("## Envoy at the edge", then "Matt Klein explained ...").
                BlockRole::Narrative(_) if open.as_ref().is_some_and(|t| t.body.is_empty()) => {
                    if let Some(t) = open.as_mut() {
                        t.end = block.end();
                        t.body.extend(block.lines.iter().map(|l| clean_line(l)));
                    }
                }
                BlockRole::Narrative(heading) => {
                    // A heading whose text cites this talk was an introduction (the title of an
                    // appended post), not a talk of its own.
                    let cited = format!("“{}”", heading.title);
                    if open
                        .as_ref()
                        .is_some_and(|t| t.body.iter().any(|l| l.contains(&cited)))
                    {
                        open = None;
                    }
                    close(&mut open, &mut talks);
                    open = Some(OpenTalk {
                        titles: vec![heading::normalise(&heading.title)],
                        heading,
                        start: block.start,
                        end: block.end(),
                        body: block.lines.iter().map(|l| clean_line(l)).collect(),
                        level: None,
                    });
                }
                BlockRole::Break => close(&mut open, &mut talks),
                BlockRole::Text => {
                    if let Some(t) = open.as_mut() {
                        t.end = block.end();
                        t.body.extend(block.lines.iter().map(|l| clean_line(l)));
                    }
                }
            }
        }
        close(&mut open, &mut talks);
        if talks.is_empty() {
            talks.extend(whole_document(doc, &lines));
        }
        talks
    }
}

/// A document in which no talk was found, as one unit from its first to its last non-blank line,
/// titled by its first line with words (else by its file name); `None` for a document with no
/// text.
fn whole_document(doc: &Document, lines: &[&str]) -> Option<Talk> {
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let last = lines.iter().rposition(|l| !l.trim().is_empty())?;
    let title: String = lines[first..=last]
        .iter()
        .map(|l| heading::normalise_title(l))
        .find(|t| t.chars().any(char::is_alphanumeric))
        .unwrap_or_else(|| doc.file.clone())
        .chars()
        .take(100)
        .collect();
    let body: Vec<String> = lines[first + 1..=last]
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| clean_line(l))
        .collect();
    Some(Talk {
        kind: TalkKind::Document,
        file: doc.file.clone(),
        index: 1,
        title,
        speakers: Vec::new(),
        body: body.join("\n"),
        start_line: first + 1,
        end_line: last + 1,
        meta: doc.meta.clone(),
        extra: Vec::new(),
    })
}

/// What a block does to the talk being collected.
enum BlockRole {
    /// A heading line: starts a talk whose body follows.
    Heading(heading::Heading),
    /// A paragraph that opens a talk and is its first paragraph.
    Narrative(heading::Heading),
    /// Closes the current talk (outro, document title, a section holding subsections).
    Break,
    /// Body text of the current talk, if any.
    Text,
}

fn role_of(
    blocks: &[Block<'_>],
    i: usize,
    doc_title: Option<&str>,
    citations: &[narrative::Citation],
) -> BlockRole {
    let block = &blocks[i];
    if block.lines.len() == 1 && i > 0 {
        let previous = &blocks[i - 1];
        let ctx = LineContext {
            doc_title,
            continues_prose: !previous.is_list()
                && previous.lines.len() == 1
                && previous.lines[0].chars().count() > heading::MAX_TITLE_CHARS
                && heading::ends_mid_sentence(previous.lines[0]),
        };
        match heading::classify(block.lines[0], ctx) {
            LineRole::Talk(_) if is_container(blocks, i) => return BlockRole::Break,
            LineRole::Talk(h) => return BlockRole::Heading(h),
            LineRole::Break => return BlockRole::Break,
            LineRole::Text => {}
        }
    }
    if block.is_list() {
        return BlockRole::Text;
    }
    if let Some(heading) = heading::linked_talk(&block.lines) {
        return BlockRole::Narrative(heading);
    }
    match narrative::talk_opened_by(block.lines[0], citations) {
        Some(h) => BlockRole::Narrative(h),
        None => BlockRole::Text,
    }
}

/// A markdown heading whose section holds deeper headings groups talks rather than being one,
/// unless its own lead-in text already discusses a talk.
fn is_container(blocks: &[Block<'_>], i: usize) -> bool {
    let Some(level) = heading::markdown_level(blocks[i].lines[0]) else {
        return false;
    };
    let rest = &blocks[i + 1..];
    let Some(next) = rest
        .iter()
        .position(|b| heading::markdown_level(b.lines[0]).is_some())
    else {
        return false;
    };
    let deeper = heading::markdown_level(rest[next].lines[0]).is_some_and(|l| l > level);
    // A deeper heading that repeats this one continues it (slides), it does not subdivide it.
    let repeats = heading_text(rest[next].lines[0]) == heading_text(blocks[i].lines[0]);
    deeper
        && !repeats
        && !rest[..next]
            .iter()
            .flat_map(|b| &b.lines)
            .any(|l| TALK_WORD.is_match(l))
}

/// A markdown heading's text, normalised.
fn heading_text(line: &str) -> String {
    heading::normalise(line.trim_start_matches('#'))
}

/// Words that say a paragraph is about a talk (English and French).
static TALK_WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(talks?|keynotes?|sessions?|conf[ée]rences?|pr[ée]sentations?)\b")
        .expect("valid regex")
});

/// A talk read from a list item.
struct ListTalk {
    heading: heading::Heading,
    line: usize,
    /// Last line of the item with its nested items.
    end: usize,
    /// The nested items: notes about the talk.
    body: Vec<String>,
}

/// The items of a bullet block when it is a list of talks: most items name speakers (every
/// line is an item), or at least three top-level items of which two in three lead with a linked
/// or bold title (nested items are then notes about the item above them).
fn talk_list(block: &Block<'_>) -> Option<Vec<ListTalk>> {
    let items: Vec<_> = block
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| heading::list_item(l).map(|h| (block.start + i, h)))
        .collect();
    let with_speakers = items.iter().filter(|(_, h)| !h.speakers.is_empty()).count();
    if with_speakers >= 2 && with_speakers * 2 >= block.lines.len() {
        let talks = items.into_iter().map(|(line, heading)| ListTalk {
            heading,
            line,
            end: line,
            body: Vec::new(),
        });
        return Some(talks.collect());
    }
    let indent = |l: &str| l.len() - l.trim_start().len();
    let top = block.lines.iter().map(|l| indent(l)).min()?;
    let mut tops: Vec<(usize, &str, Vec<String>, usize)> = Vec::new();
    for (i, line) in block.lines.iter().enumerate() {
        let number = block.start + i;
        match tops.last_mut() {
            Some(item) if indent(line) > top => {
                item.2.push(clean_line(line));
                item.3 = number;
            }
            _ => tops.push((number, line, Vec::new(), number)),
        }
    }
    let titled: Vec<Option<heading::Heading>> = tops
        .iter()
        .map(|(_, line, ..)| heading::titled_item(line))
        .collect();
    let count = titled.iter().flatten().count();
    if tops.len() < 3 || count * 3 < tops.len() * 2 {
        return None;
    }
    let talks = tops
        .into_iter()
        .zip(titled)
        .filter_map(|((line, _, body, end), heading)| {
            heading.map(|heading| ListTalk {
                heading,
                line,
                end,
                body,
            })
        });
    Some(talks.collect())
}

fn make_talk(
    doc: &Document,
    index: usize,
    heading: heading::Heading,
    start_line: usize,
    end_line: usize,
    body: Vec<String>,
) -> Talk {
    Talk {
        kind: TalkKind::Talk,
        file: doc.file.clone(),
        index,
        title: heading.title,
        speakers: heading.speakers,
        body: body.join("\n"),
        start_line,
        end_line,
        meta: heading.event.unwrap_or_else(|| doc.meta.clone()),
        extra: Vec::new(),
    }
}

fn blocks<'a>(lines: &[&'a str]) -> Vec<Block<'a>> {
    let mut blocks: Vec<Block<'a>> = Vec::new();
    let mut current: Option<Block<'a>> = None;
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            blocks.extend(current.take());
        } else if heading::markdown_level(line).is_some() {
            // A markdown heading stands alone even without blank lines around it.
            blocks.extend(current.take());
            blocks.push(Block {
                start: i + 1,
                lines: vec![line],
            });
        } else {
            current
                .get_or_insert_with(|| Block {
                    start: i + 1,
                    lines: Vec::new(),
                })
                .lines
                .push(line);
        }
    }
    blocks.extend(current);
    blocks
}

fn clean_line(line: &str) -> String {
    BULLET.replace(line, "").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(text: &str) -> Vec<Talk> {
        HeadingSegmenter.segment(&Document::from_text("t.txt", text, DocMeta::default()))
    }

    #[test]
    fn headings_with_bodies_become_talks_and_intro_is_dropped() {
        let text = "My trip report\n\nI went to a conference. It was great.\n\nHow We Run Envoy at Scale - Ada Lovelace, Acme\n\nThey run Envoy.\n\n  • a bullet\n\nScaling Prometheus Across Regions\n\nNotes about Prometheus.\n";
        let talks = segment(text);
        assert_eq!(talks.len(), 2, "{talks:#?}");
        assert_eq!(talks[0].title, "How We Run Envoy at Scale");
        assert_eq!(talks[0].speaker_names(), "Ada Lovelace");
        assert_eq!((talks[0].start_line, talks[0].end_line), (5, 9));
        assert_eq!(talks[0].body, "They run Envoy.\na bullet");
        assert_eq!(
            (talks[1].index, talks[1].start_line, talks[1].end_line),
            (2, 11, 13)
        );
    }

    #[test]
    fn heading_without_body_and_outro_are_not_talks() {
        let text = "Title Of The Post Here\n\nJust Before the Keynotes\n\nChaos Engineering Deep Dive – Sam Smith, ChaosIQ\n\nBody.\n\nFinal words?\n\nThe weather was nice.\n";
        let talks = segment(text);
        let titles: Vec<_> = talks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, vec!["Chaos Engineering Deep Dive"]);
        assert_eq!(talks[0].end_line, 7);
    }

    #[test]
    fn a_heading_keeps_a_first_paragraph_that_reads_like_a_keynote() {
        let text = "# Notes\n\n## Envoy at the edge\n\nMatt Klein explained how Lyft runs Envoy at the edge.\n\n## Kubeflow pipelines\n\nTraining models on GPUs.\n";
        let talks = segment(text);
        let titles: Vec<&str> = talks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(titles, ["Envoy at the edge", "Kubeflow pipelines"]);
        assert_eq!((talks[0].start_line, talks[0].end_line), (3, 5));
        assert!(talks[0].body.starts_with("Matt Klein explained"));
    }

    #[test]
    fn bullet_list_of_talks() {
        let text = "Talks I saw:\n\n  • Building Hybrid Clouds with Istio – Allan Naim, Google & Rohit Agarwalla, Cisco\n  • SIG Multi-Cluster deep dive\n  • Accelerating Envoy with the Linux Kernel – Thomas Graf, Covalent\n";
        let talks = segment(text);
        assert_eq!(talks.len(), 3);
        assert_eq!(talks[1].title, "SIG Multi-Cluster deep dive");
        assert_eq!(talks[0].speaker_names(), "Allan Naim; Rohit Agarwalla");
        assert_eq!((talks[2].start_line, talks[2].end_line), (5, 5));
    }

    #[test]
    fn bullet_list_of_takeaways_is_not_talks() {
        let text = "  1. Kubernetes needs a Ruby on Rails moment\n  2. The edge(s) are increasingly important\n";
        let found = segment(text);
        // No talk: the note is kept whole, as one unit.
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, TalkKind::Document);
        assert_eq!((found[0].start_line, found[0].end_line), (1, 2));
    }
}
