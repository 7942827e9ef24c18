//! Per-stage benchmarks: segmentation of the corpus and of one long note, k-means with silhouette on synthetic
//! embeddings, and MiniLM embedding throughput on the corpus talks.
//!
//! Run with `cargo bench --bench stages` (after `models/fetch.sh`; the embedding benchmark is
//! skipped with a message when the model is missing). Compare figures only within one run.

use std::path::Path;

use confthemes::cluster::{self, SilhouetteKMeans};
use confthemes::embed::{normalise_rows, CandleMiniLm, Embedder, ModelFiles, DEFAULT_MODEL_DIR};
use confthemes::ingest::{load_notes, DocMeta, Document};
use confthemes::pipeline::segment_corpus;
use confthemes::segment::{BoundarySegmenter, HeadingSegmenter, Segmenter, Talk};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus_talks() -> Vec<Talk> {
    let corpus = load_notes(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).expect("corpus");
    segment_corpus(&corpus, &BoundarySegmenter::default())
}

fn segmentation(c: &mut Criterion) {
    let corpus = load_notes(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")).expect("corpus");
    let lines: usize = corpus
        .documents
        .iter()
        .map(|d| d.text.lines().count())
        .sum();
    let mut group = c.benchmark_group("segment");
    group.throughput(Throughput::Elements(lines as u64));
    group.bench_function("corpus lines", |b| {
        b.iter(|| segment_corpus(&corpus, &BoundarySegmenter::default()))
    });
    group.finish();

    // One note made of the corpus repeated: time per line must stay flat as the note grows
    // (linear), for the boundary model and for the rules alone (its anchor).
    let text: String = corpus
        .documents
        .iter()
        .map(|d| d.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut group = c.benchmark_group("segment one long note");
    group.sample_size(10);
    for copies in [1, 16] {
        let note = Document::from_text("long.md", &text.repeat(copies), DocMeta::default());
        group.throughput(Throughput::Elements(note.text.lines().count() as u64));
        group.bench_function(format!("boundary model, corpus x{copies}"), |b| {
            b.iter(|| BoundarySegmenter::default().segment(&note))
        });
        group.bench_function(format!("rules alone, corpus x{copies}"), |b| {
            b.iter(|| HeadingSegmenter.segment(&note))
        });
    }
    group.finish();
}

/// `n` unit vectors of width 384 around 12 random centres.
fn synthetic(n: usize) -> Array2<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let centres: Vec<Vec<f32>> = (0..12)
        .map(|_| (0..384).map(|_| rng.random::<f32>() - 0.5).collect())
        .collect();
    let mut m = Array2::from_shape_fn((n, 384), |(i, j)| {
        centres[i % 12][j] + 0.3 * (rng.random::<f32>() - 0.5)
    });
    normalise_rows(&mut m);
    m
}

fn clustering(c: &mut Criterion) {
    let mut group = c.benchmark_group("cluster");
    group.sample_size(10);
    for n in [1_000, 5_000, 20_000] {
        let x = synthetic(n);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(format!("silhouette k-means k=2..16, {n} x 384"), |b| {
            b.iter(|| {
                let silhouette = SilhouetteKMeans {
                    k_min: 2,
                    k_max: Some(16),
                    seed: 42,
                };
                cluster::fit(&silhouette, x.view()).expect("fits")
            })
        });
    }
    group.finish();
}

fn embedding(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_DIR);
    let Ok(files) = ModelFiles::locate(&dir) else {
        eprintln!(
            "SKIPPED embedding benchmark: no model at {} (run models/fetch.sh)",
            dir.display()
        );
        return;
    };
    let model = CandleMiniLm::load(&files).expect("model loads");
    let texts: Vec<String> = corpus_talks().iter().map(Talk::text).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group("embed");
    group.sample_size(10);
    group.throughput(Throughput::Elements(refs.len() as u64));
    group.bench_function("minilm candle, corpus talks", |b| {
        b.iter(|| model.embed(&refs).expect("embeds"))
    });
    group.finish();
}

criterion_group!(benches, segmentation, clustering, embedding);
criterion_main!(benches);
