//! The annotated documents the boundary model is fitted and measured on, and their examples.
//!
//! Three sources, each a folder of gold CSVs (`start_line,end_line,kind,title[,alt_starts,...]`,
//! one per document) beside the documents they annotate: the founding documents
//! (`tests/gold/corpus/` over `corpus/`), the Bedrock recaps (`tests/gold/recaps/` over
//! `../shared/data/recaps/`) and the recap development set (`tests/gold/recaps_dev/` over
//! `../shared/data/recaps_dev/`, split by source repository into a tuned and a held-back part in
//! its `split.csv`). Gold of kind `section` (a paragraph about several talks) is neither a talk to
//! find nor a false start.

use std::path::Path;

use serde::Deserialize;

use super::{BoundarySegmenter, Example};
use crate::error::{Error, Result};
use crate::ingest::{load_notes, Document};
use crate::segment::eval::{GoldStart, Span};

/// Where an annotated document comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part {
    /// The five documents the rules were first written on (`corpus/`).
    Founding,
    /// The Bedrock Streaming recaps.
    Bedrock,
    /// The development set's posts the rules were written looking at.
    Tuned,
    /// The development set's posts kept back from the rules.
    HeldBack,
}

impl Part {
    /// The part's name in tables.
    pub fn name(self) -> &'static str {
        match self {
            Part::Founding => "founding",
            Part::Bedrock => "bedrock",
            Part::Tuned => "tuned",
            Part::HeldBack => "held-back",
        }
    }
}

/// A document with the segments an annotator marked.
#[derive(Debug, Clone)]
pub struct AnnotatedDoc {
    /// Which source it comes from.
    pub part: Part,
    /// The documents that share an author (a source repository): folds leave a group out whole.
    pub group: String,
    /// The document.
    pub doc: Document,
    /// The talk starts to find.
    pub starts: Vec<GoldStart>,
    /// The gold spans, for Pk and WindowDiff.
    pub spans: Vec<Span>,
}

#[derive(Deserialize)]
struct GoldRow {
    start_line: usize,
    end_line: usize,
    kind: String,
    #[serde(default)]
    alt_starts: String,
}

#[derive(Deserialize)]
struct SplitRow {
    file: String,
    repo: String,
    part: String,
}

/// Every annotated document under `root` (the repository) and, when given, `shared` (the
/// shared data folder, `../shared`).
pub fn annotated_docs(root: &Path, shared: Option<&Path>) -> Result<Vec<AnnotatedDoc>> {
    let mut docs = Vec::new();
    let gold = root.join("tests/gold");
    for stem in stems(&gold.join("corpus"))? {
        let doc_path = root.join("corpus").join(format!("{stem}.txt"));
        docs.push(annotated(
            Part::Founding,
            "founding",
            &doc_path,
            &gold.join(format!("corpus/{stem}.csv")),
        )?);
    }
    let Some(shared) = shared else {
        return Ok(docs);
    };
    for stem in stems(&gold.join("recaps"))? {
        let doc_path = shared.join(format!("data/recaps/{stem}.md"));
        docs.push(annotated(
            Part::Bedrock,
            "bedrock",
            &doc_path,
            &gold.join(format!("recaps/{stem}.csv")),
        )?);
    }
    let split: Vec<SplitRow> = read_csv(&gold.join("recaps_dev/split.csv"))?;
    for row in split {
        let part = if row.part == "held-back" {
            Part::HeldBack
        } else {
            Part::Tuned
        };
        let stem = row.file.trim_end_matches(".md");
        docs.push(annotated(
            part,
            &row.repo,
            &shared.join("data/recaps_dev").join(&row.file),
            &gold.join(format!("recaps_dev/{stem}.csv")),
        )?);
    }
    Ok(docs)
}

/// The file stems of the gold CSVs in `dir`, sorted.
fn stems(dir: &Path) -> Result<Vec<String>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::input_from(dir, e))?;
    let mut stems = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Error::input_from(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "csv") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                stems.push(stem.to_string());
            }
        }
    }
    stems.sort();
    Ok(stems)
}

fn read_csv<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| Error::input_from(path, e))?;
    reader
        .deserialize()
        .map(|row| {
            row.map_err(|e| {
                let line = e.position().map_or(0, |p| p.line());
                Error::parse_from(path, line, e)
            })
        })
        .collect()
}

fn annotated(part: Part, group: &str, doc_path: &Path, gold_path: &Path) -> Result<AnnotatedDoc> {
    let doc = load_notes(doc_path)?.documents.remove(0);
    let rows: Vec<GoldRow> = read_csv(gold_path)?;
    Ok(AnnotatedDoc {
        part,
        group: group.to_string(),
        starts: rows
            .iter()
            .map(|r| GoldStart {
                starts: std::iter::once(r.start_line)
                    .chain(r.alt_starts.split(';').filter_map(|a| a.parse().ok()))
                    .collect(),
                talk: r.kind != "section",
            })
            .collect(),
        spans: rows
            .iter()
            .map(|r| Span {
                start_line: r.start_line,
                end_line: r.end_line,
            })
            .collect(),
        doc,
    })
}

/// What the gold says of one candidate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Label {
    Talk,
    /// A section's start or a talk's other accepted start: not fitted on.
    Ignored,
    Other,
}

/// The fitting examples of `doc`: every candidate, a talk when it is the one candidate chosen for
/// a gold talk (its start, else its first accepted alternative, else the nearest candidate within
/// one line); sections and the other accepted starts are left out.
pub fn examples(doc: &AnnotatedDoc) -> Vec<Example> {
    let candidates = BoundarySegmenter::candidates(&doc.doc);
    let mut labels = vec![Label::Other; candidates.len()];
    let at = |line: usize| candidates.iter().position(|c| c.line == line);
    for gold in &doc.starts {
        let chosen = gold.starts.iter().find_map(|&s| at(s)).or_else(|| {
            gold.starts
                .iter()
                .find_map(|&s| candidates.iter().position(|c| c.line.abs_diff(s) == 1))
        });
        for &s in &gold.starts {
            if let Some(i) = at(s) {
                if labels[i] == Label::Other {
                    labels[i] = Label::Ignored;
                }
            }
        }
        if let Some(i) = chosen {
            labels[i] = if gold.talk {
                Label::Talk
            } else {
                Label::Ignored
            };
        }
    }
    candidates
        .into_iter()
        .zip(labels)
        .filter(|(_, label)| *label != Label::Ignored)
        .map(|(c, label)| Example {
            features: c.features,
            talk: label == Label::Talk,
        })
        .collect()
}
