//! Any bytes, read as a note, segment without panicking into ordered, non-overlapping talks whose
//! lines exist. Run with `cargo fuzz run segment` from the repository root (see the README).
#![no_main]

use confthemes::ingest::{infer_meta, Document};
use confthemes::segment::eval::evaluate;
use confthemes::segment::{BoundarySegmenter, Segmenter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let doc = Document::from_text("fuzz.md", &text, infer_meta(&text));
    let lines = doc.lines();
    let talks = BoundarySegmenter::default().segment(&doc);
    let mut previous_end = 0;
    for talk in &talks {
        assert!(previous_end < talk.start_line, "talks overlap or are out of order");
        assert!(talk.start_line <= talk.end_line && talk.end_line <= lines.len());
        previous_end = talk.end_line;
    }
    let spans: Vec<_> = talks.iter().map(|t| t.span()).collect();
    let score = evaluate(&lines, &spans, &spans);
    assert_eq!(score.pk_errors, 0);
});
