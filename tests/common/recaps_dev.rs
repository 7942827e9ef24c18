//! The gold of the recap development set, `tests/gold/recaps_dev/` (converted from
//! `../shared/data/recaps_dev/` by its `convert.py`): the part of the split each post is in, and
//! each post's gold spans.

use serde::Deserialize;

/// A post of the development set (a row of `split.csv`).
#[derive(Deserialize)]
pub struct DevPost {
    /// File name in `../shared/data/recaps_dev/`.
    pub file: String,
    /// `tuned` or `held-back`.
    pub part: String,
}

/// A gold span of a post (a row of `<post>.csv`).
#[derive(Deserialize)]
pub struct GoldSpan {
    pub start_line: usize,
    pub end_line: usize,
    /// `talk`, or what else the span is.
    pub kind: String,
    /// Other lines a talk may be said to start on, `;`-separated.
    pub alt_starts: String,
    /// The themes a careful reader gave the talk, `;`-separated.
    pub themes: String,
}

/// The posts of `split.csv`, in its order.
pub fn posts() -> Vec<DevPost> {
    read(&super::root().join("tests/gold/recaps_dev/split.csv"))
}

/// The gold spans of `post`, in line order.
pub fn spans(post: &DevPost) -> Vec<GoldSpan> {
    let stem = post.file.trim_end_matches(".md");
    read(&super::root().join(format!("tests/gold/recaps_dev/{stem}.csv")))
}

fn read<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Vec<T> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader.deserialize().map(Result::unwrap).collect()
}
