//! The segmenter never panics and always returns ordered, non-overlapping talks whose lines exist,
//! on thousands of seeded mutations of real notes (a fuzzer's job in miniature, so that CI checks
//! it on every run; `cargo fuzz run segment` explores further).

mod common;

use confthemes::ingest::{infer_meta, Document};
use confthemes::segment::{BoundarySegmenter, Segmenter};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Pieces that stress the rules: markup, dashes, quotes, bullets, numbers, odd whitespace.
const PIECES: &[&str] = &[
    "\n",
    "\n\n",
    "# ",
    "## ",
    "#### ",
    "**",
    "[",
    "](",
    ")",
    " - ",
    " – ",
    " — ",
    ", ",
    " & ",
    "“",
    "”",
    "’s talk",
    "  • ",
    "* ",
    "1. ",
    "10. ",
    "\r",
    "\r\n",
    "\t",
    "😅",
    "é",
    "\u{0}",
    "KubeCon 2019 ",
    "In his keynote, Ann Lee gave",
    "Final words?",
    "Ann Lee, Acme",
    "![x](y)",
    "⏩ ",
    "<!-- ",
];

fn check(text: &str) {
    let doc = Document::from_text("m.md", text, infer_meta(text));
    let lines = doc.lines().len();
    let mut previous_end = 0;
    for talk in BoundarySegmenter::default().segment(&doc) {
        assert!(previous_end < talk.start_line, "overlap in {text:?}");
        assert!(
            talk.start_line <= talk.end_line && talk.end_line <= lines,
            "bad span in {text:?}"
        );
        assert!(!talk.title.is_empty(), "empty title in {text:?}");
        previous_end = talk.end_line;
    }
}

#[test]
fn mutated_notes_segment_without_panics() {
    let mut seeds: Vec<String> = std::fs::read_dir(common::root().join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    seeds.sort();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for round in 0..3000 {
        let seed = &seeds[round % seeds.len()];
        let mut chars: Vec<char> = seed.chars().collect();
        for _ in 0..rng.random_range(1..40) {
            let at = rng.random_range(0..=chars.len());
            match rng.random_range(0..3) {
                0 => {
                    let piece = PIECES[rng.random_range(0..PIECES.len())];
                    chars.splice(at..at, piece.chars());
                }
                1 if !chars.is_empty() => {
                    let end = (at + rng.random_range(1..200)).min(chars.len());
                    chars.drain(at.min(end)..end);
                }
                _ => {
                    let c = char::from_u32(rng.random_range(0..0x2FFF)).unwrap_or('?');
                    chars.insert(at, c);
                }
            }
        }
        check(&chars.into_iter().collect::<String>());
    }
    for edge in [
        "",
        "\n",
        "#",
        "# \n## x",
        "  • a – B C, D\n  • e – F G, H",
        "1. x\n\n2. y",
        "“",
        "x\r\ry",
    ] {
        check(edge);
    }
}
