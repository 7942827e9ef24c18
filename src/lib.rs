//! confthemes: reads conference notes, splits them into talks, embeds each talk with
//! all-MiniLM-L6-v2, clusters the talks, names the themes and writes reports.
//!
//! The pipeline is a chain of stages, one module each, records flowing forward:
//! [`ingest`] ([`ingest::Document`]) -> [`segment`] ([`segment::Talk`]) -> [`embed`] (vectors) ->
//! [`cluster`] ([`cluster::Clustering`]) -> [`themes`] ([`themes::Theme`]) -> [`compare`]
//! ([`compare::Trends`], themes per period) -> [`report`] (files).
//! [`pipeline::run`] runs them all. [`config`] holds every setting, checked once; [`app`] is the
//! entry point the command line and other programs call (`run`, `compare`, `assign`, `bench`, and
//! [`app::theme`] for talks held in memory; see its example and `examples/theme_talks.rs`).
//! Beside the chain, [`bench`] scores clusterings against gold labels and [`text`] holds the
//! tokenizer the word-based stages share.

pub mod app;
pub mod bench;
pub mod cluster;
pub mod compare;
pub mod config;
pub mod embed;
pub mod error;
pub mod ingest;
pub mod pipeline;
pub mod report;
pub mod segment;
pub mod text;
pub mod themes;

pub use error::{Error, Result};
