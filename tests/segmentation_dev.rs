//! The boundary segmenter on real recap posts it was not fitted on. Every annotated document
//! (founding documents, Bedrock recaps, the 34 posts of `../shared/data/recaps_dev/`) belongs to a
//! group, its source repository; for each group the boundary model is fitted on all the others and
//! scored on it (leave one repository out). The dev set's held-back part (`split.csv`: the rules
//! of the rule-based segmenter, whose starts are one cue, were written without looking at it) is
//! the quality figure. Prints the per-document table the README reports:
//! `cargo test --release --test segmentation_dev -- --nocapture`.

mod common;

use std::collections::BTreeMap;

use confthemes::segment::boundary::training::{self, AnnotatedDoc, Part};
use confthemes::segment::boundary::{BoundaryModel, BoundarySegmenter, Example};
use confthemes::segment::eval::{evaluate, talk_starts, BoundaryCounts, SegmentationScore, Span};
use confthemes::segment::Segmenter;

/// Talk-start F1, leaving the post's repository out of the fit, the held-back part must keep
/// (measured 0.820 when set; 0.566 with the rules alone).
const MIN_HELD_BACK_F1: f64 = 0.80;
/// The same on the tuned part (measured 0.866; 0.866 with the rules alone, written on it).
const MIN_TUNED_F1: f64 = 0.84;

/// Scores of one document.
struct Scored {
    counts: BoundaryCounts,
    score: SegmentationScore,
    found: usize,
    silent: bool,
}

fn score(doc: &AnnotatedDoc, segmenter: &BoundarySegmenter) -> Scored {
    let talks = segmenter.segment(&doc.doc);
    // A document kept whole (kind `document`) is one unit, scored like a talk.
    let starts: Vec<usize> = talks.iter().map(|t| t.start_line).collect();
    let spans: Vec<Span> = talks.iter().map(|t| t.span()).collect();
    Scored {
        counts: talk_starts(&doc.starts, &starts),
        score: evaluate(&doc.doc.lines(), &doc.spans, &spans),
        found: starts.len(),
        silent: starts.is_empty() && doc.starts.iter().any(|g| g.talk),
    }
}

#[test]
fn segmenter_finds_the_talks_of_posts_it_was_not_fitted_on() {
    let Some(shared) = common::shared("data/recaps_dev") else {
        return;
    };
    let shared = shared.join("../..");
    let docs = training::annotated_docs(common::root(), Some(&shared)).unwrap();
    let examples: Vec<Vec<Example>> = docs.iter().map(training::examples).collect();

    // The shipped model is the fit on everything: refitting must give it back.
    let all: Vec<Example> = examples.iter().flatten().copied().collect();
    assert_eq!(
        BoundaryModel::fit(&all).to_csv(),
        BoundaryModel::default().to_csv(),
        "src/segment/boundary_model.csv is stale: cargo run --release --example fit_segmenter"
    );

    let mut folds: BTreeMap<&str, BoundarySegmenter> = BTreeMap::new();
    for doc in &docs {
        folds.entry(&doc.group).or_insert_with(|| {
            let rest: Vec<Example> = docs
                .iter()
                .zip(&examples)
                .filter(|(d, _)| d.group != doc.group)
                .flat_map(|(_, e)| e.iter().copied())
                .collect();
            BoundarySegmenter::new(BoundaryModel::fit(&rest))
        });
    }

    let mut totals: BTreeMap<Part, (BoundaryCounts, SegmentationScore)> = BTreeMap::new();
    let mut silent = Vec::new();
    println!("| part | post | gold talks | found | precision | recall | F1 | Pk | WindowDiff |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for doc in &docs {
        let s = score(doc, &folds[doc.group.as_str()]);
        if s.silent {
            silent.push(doc.doc.file.clone());
        }
        println!(
            "| {} | {} | {} | {} | {:.2} | {:.2} | {:.2} | {:.3} | {:.3} |",
            doc.part.name(),
            doc.doc.file,
            doc.starts.iter().filter(|g| g.talk).count(),
            s.found,
            s.counts.precision(),
            s.counts.recall(),
            s.counts.f1(),
            s.score.pk(),
            s.score.window_diff()
        );
        let total = totals.entry(doc.part).or_default();
        total.0 += s.counts;
        total.1.add(&s.score);
    }
    for (part, (c, s)) in &totals {
        println!(
            "| **{}** | | {} | | {:.3} | {:.3} | **{:.3}** | {:.3} | {:.3} |",
            part.name(),
            c.true_positives + c.false_negatives,
            c.precision(),
            c.recall(),
            c.f1(),
            s.pk(),
            s.window_diff()
        );
    }
    println!("posts with gold talks that gave none: {silent:?}");
    assert!(
        silent.is_empty(),
        "posts with talks that gave none: {silent:?}"
    );
    let f1 = |part: Part| totals.get(&part).map_or(0.0, |t| t.0.f1());
    assert!(
        f1(Part::HeldBack) >= MIN_HELD_BACK_F1,
        "held-back F1 {:.3}",
        f1(Part::HeldBack)
    );
    assert!(
        f1(Part::Tuned) >= MIN_TUNED_F1,
        "tuned F1 {:.3}",
        f1(Part::Tuned)
    );
}
